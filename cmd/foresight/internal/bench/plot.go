package bench

import (
	"fmt"
	"image/color"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/safefile"
)

// Plot formats: every plot is written as PNG and as SVG.
var plotFormats = []string{"png", "svg"}

// gridPoints is the number of experience times at which learning curves are evaluated.
const gridPoints = 60

// plotReps is the number of bootstrap replicates of the bands around the curves.
const plotReps = 500

// agentColors are the colours of the agents, in the sweep's order (the Okabe–Ito palette,
// which reads for colour-blind viewers).
var agentColors = []color.NRGBA{
	{0, 114, 178, 255}, {213, 94, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{230, 159, 0, 255}, {86, 180, 233, 255}, {0, 0, 0, 255},
}

// WritePlots writes the sweep's plots into dir as PNG and SVG files, each atomically: per
// environment, the learning curves over simulated experience, one line per agent and
// observation with a 95% bootstrap band over seeds (success-ENV: the mean success rate;
// return-ENV: the median return), and the time to competence of every trial per agent and
// observation (ttc-ENV). An agent keeps its colour across observations, each observation
// after the sweep's first drawn dashed; lines and trials are labelled with the observation
// unless the sweep observes the state alone. It returns the files' names.
func WritePlots(dir string, cfg Config, recs []Record, seed uint64) ([]string, error) {
	var names []string
	for _, env := range cfg.Envs {
		runs := map[cell][]Record{}
		for _, r := range recs {
			if r.Env == env {
				c := cell{r.Env, r.Agent, r.Observed()}
				runs[c] = append(runs[c], r)
			}
		}
		rng := rand.New(rand.NewPCG(seed, rowKey(cell{env, "", envs.StateObservation})))
		plots := []struct {
			name string
			make func() (*plot.Plot, error)
		}{
			{"success-" + env, func() (*plot.Plot, error) {
				p, err := curvesPlot(env+": success rate over experience (mean over seeds, 95% band)", "success rate", env, cfg, runs, successAt, mean, rng)
				if err == nil {
					p.Y.Min, p.Y.Max = 0, successTop(drawn(plotSeries(env, cfg, runs))) // room above the curves for the legend
					p.Legend.Left = false
					if p.Y.Max > 1.4 {
						p.Y.Tick.Marker = plot.ConstantTicks(rateTicks())
					}
				}
				return p, err
			}},
			{"return-" + env, func() (*plot.Plot, error) {
				return curvesPlot(env+": episode return over experience (median over seeds, 95% band)", "return", env, cfg, runs, returnAt, Median, rng)
			}},
			{"ttc-" + env, func() (*plot.Plot, error) { return ttcPlot(env, cfg, runs) }},
		}
		for _, pl := range plots {
			p, err := pl.make()
			if err != nil {
				return names, fmt.Errorf("bench: plot %s: %w", pl.name, err)
			}
			written, err := savePlot(p, dir, pl.name)
			names = append(names, written...)
			if err != nil {
				return names, err
			}
		}
	}
	return names, nil
}

// savePlot writes p into dir as name.png and name.svg.
func savePlot(p *plot.Plot, dir, name string) ([]string, error) {
	var names []string
	for _, format := range plotFormats {
		wt, err := p.WriterTo(7*vg.Inch, 4*vg.Inch, format)
		if err != nil {
			return names, fmt.Errorf("bench: plot %s: %w", name, err)
		}
		file := name + "." + format
		if err := safefile.Write(filepath.Join(dir, file), func(w io.Writer) error { _, err := wt.WriteTo(w); return err }); err != nil {
			return names, fmt.Errorf("bench: write %s: %w", filepath.Join(dir, file), err)
		}
		names = append(names, file)
	}
	return names, nil
}

// series is a line of a plot: an agent observing an environment one way, its records, and
// how it is drawn.
type series struct {
	label  string
	color  color.NRGBA
	dashes []vg.Length // nil for a solid line
	recs   []Record
}

// observationDashes are the dash patterns of a sweep's observations after its first, whose
// lines are solid.
var observationDashes = [][]vg.Length{
	{vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
}

// plotSeries returns the lines of env's plots, one per agent and observation in the sweep's
// order, with the records of runs, which holds env's records by cell.
func plotSeries(env string, cfg Config, runs map[cell][]Record) []series {
	obs := cfg.observations()
	withObs := observesPixels(cfg)
	var out []series
	for i, a := range cfg.Agents {
		for j, o := range obs {
			s := series{label: a, color: agentColors[i%len(agentColors)], recs: runs[cell{env, a, o}]}
			if withObs {
				s.label += ", " + o
			}
			if j > 0 {
				s.dashes = observationDashes[(j-1)%len(observationDashes)]
			}
			out = append(out, s)
		}
	}
	return out
}

// drawn returns the number of lines with records, each a line of the legend.
func drawn(lines []series) int {
	n := 0
	for _, s := range lines {
		if len(s.recs) > 0 {
			n++
		}
	}
	return n
}

// legendRow is the height of a line of a curves plot's legend, as a fraction of its data
// area's.
const legendRow = 0.045

// successTop returns the top of a success plot's y axis, 1.4 as for a sweep of up to five
// agents on the state, or higher to leave room above a success rate of 1 for a legend of n
// lines, up to 4 (a legend of 15 lines; a longer one covers the curves).
func successTop(n int) float64 {
	free := 1 - legendRow*float64(n) - 0.06
	return max(1.4, 1/max(free, 0.25))
}

// rateTicks returns the ticks of a rate's axis, labelled from 0 to 1 only.
func rateTicks() []plot.Tick {
	var ticks []plot.Tick
	for i := range 11 {
		t := plot.Tick{Value: float64(i) / 10}
		if i%2 == 0 {
			t.Label = strconv.FormatFloat(t.Value, 'f', 1, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// curvesPlot plots, for each agent and observation, stat over its trials of value at each
// moment of experience, with a 95% bootstrap band.
func curvesPlot(title, ylabel, env string, cfg Config, runs map[cell][]Record, value func(Record, float64) float64, stat func([]float64) float64, rng *rand.Rand) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "simulated experience (s)"
	p.Y.Label.Text = ylabel
	grid := experienceGrid(cfg.Budget.Seconds())
	for _, s := range plotSeries(env, cfg, runs) {
		if len(s.recs) == 0 {
			continue
		}
		mid, lo, hi := bandOver(grid, s.recs, value, stat, rng)
		if err := addBand(p, s, grid, mid, lo, hi); err != nil {
			return nil, err
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	return p, nil
}

// ttcPlot plots every trial's time to competence by agent and observation: a filled dot per
// competent trial, a ring at the budget for a censored one, and a bar at the median.
func ttcPlot(env string, cfg Config, runs map[cell][]Record) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = env + ": time to competence per trial (rings: not competent within the budget)"
	p.Y.Label.Text = "time to competence (s)"
	p.Y.Min, p.Y.Max = 0, cfg.Budget.Seconds()*1.05
	all := plotSeries(env, cfg, runs)
	p.X.Min, p.X.Max = -0.5, float64(len(all))-0.5
	var ticks []plot.Tick
	for i, s := range all {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: strings.Replace(s.label, ", ", "\n", 1)})
		values, _ := TTCs(s.recs)
		if len(values) == 0 {
			continue
		}
		c := s.color
		for j, r := range s.recs {
			x := float64(i) + 0.25*(float64(j)/float64(max(len(values)-1, 1))-0.5)
			dot, err := plotter.NewScatter(plotter.XYs{{X: x, Y: values[j]}})
			if err != nil {
				return nil, err
			}
			dot.GlyphStyle.Color, dot.GlyphStyle.Radius = c, vg.Points(3.5)
			dot.GlyphStyle.Shape = draw.CircleGlyph{}
			if r.TTC == nil {
				dot.GlyphStyle.Shape = draw.RingGlyph{}
			}
			p.Add(dot)
		}
		m, err := plotter.NewLine(plotter.XYs{{X: float64(i) - 0.2, Y: Median(values)}, {X: float64(i) + 0.2, Y: Median(values)}})
		if err != nil {
			return nil, err
		}
		m.LineStyle.Color, m.LineStyle.Width = c, vg.Points(2)
		p.Add(m)
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	return p, nil
}

// experienceGrid returns gridPoints times from 0 to budget seconds.
func experienceGrid(budget float64) []float64 {
	grid := make([]float64, gridPoints)
	for i := range grid {
		grid[i] = budget * float64(i) / float64(gridPoints-1)
	}
	return grid
}

// successAt returns 1 if, at experience x, the trial is competent or its last finished
// training episode succeeded, and 0 otherwise.
func successAt(r Record, x float64) float64 {
	if r.TTC != nil && x >= *r.TTC {
		return 1
	}
	last := lastBefore(r.Curve, x)
	if last != nil && last.Success {
		return 1
	}
	return 0
}

// returnAt returns the return of the trial's last training episode finished by experience
// x (its last one after it stopped), or 0 before the first.
func returnAt(r Record, x float64) float64 {
	if last := lastBefore(r.Curve, x); last != nil {
		return last.Return
	}
	return 0
}

// lastBefore returns the last episode of the curve finished by experience x, or nil.
func lastBefore(curve []agent.EpisodePoint, x float64) *agent.EpisodePoint {
	i, _ := slices.BinarySearchFunc(curve, x, func(p agent.EpisodePoint, x float64) int {
		if p.Experience <= x {
			return -1
		}
		return 1
	})
	if i == 0 {
		return nil
	}
	return &curve[i-1]
}

// mean returns the mean of xs.
func mean(xs []float64) float64 {
	total := 0.0
	for _, x := range xs {
		total += x
	}
	return total / float64(len(xs))
}

// bandOver evaluates value for every record at each grid time and returns stat over the
// records there with a 95% bootstrap interval.
func bandOver(grid []float64, recs []Record, value func(Record, float64) float64, stat func([]float64) float64, rng *rand.Rand) (mid, lo, hi []float64) {
	xs := make([]float64, len(recs))
	for _, x := range grid {
		for i, r := range recs {
			xs[i] = value(r, x)
		}
		l, h := Bootstrap([][]float64{xs}, stat, plotReps, 0.95, rng)
		mid, lo, hi = append(mid, stat(slices.Clone(xs))), append(lo, l), append(hi, h)
	}
	return mid, lo, hi
}

// addBand adds a line through mid and a translucent band from lo to hi, drawn and labelled
// in the legend as s says.
func addBand(p *plot.Plot, s series, grid, mid, lo, hi []float64) error {
	c := s.color
	line, band := make(plotter.XYs, len(grid)), make(plotter.XYs, 0, 2*len(grid))
	for i, x := range grid {
		line[i] = plotter.XY{X: x, Y: mid[i]}
		band = append(band, plotter.XY{X: x, Y: lo[i]})
	}
	for i := len(grid) - 1; i >= 0; i-- {
		band = append(band, plotter.XY{X: grid[i], Y: hi[i]})
	}
	poly, err := plotter.NewPolygon(band)
	if err != nil {
		return err
	}
	poly.Color = color.NRGBA{c.R, c.G, c.B, 50}
	poly.LineStyle.Width = 0
	l, err := plotter.NewLine(line)
	if err != nil {
		return err
	}
	l.LineStyle.Color, l.LineStyle.Width, l.LineStyle.Dashes = c, vg.Points(2), s.dashes
	p.Add(poly, l)
	p.Legend.Add(s.label, l)
	return nil
}
