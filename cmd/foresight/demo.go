package main

import (
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/safefile"
)

// The defaults of foresight demo: jepa learning to swing the pendulum up, then the pole of
// the cart, which take it about 40 and 70 s of experience and together about two minutes of
// wall time on two cores.
const (
	defaultDemoEnvs   = "Pendulum-v0,CartPoleSwingup-v0"
	defaultDemoAgent  = "jepa"
	defaultDemoBudget = 3 * time.Minute
)

var demoCommand = command{
	name: "demo",
	args: "[--out DIR] [--envs ID,...] [--agent NAME] [--budget DURATION] [--seed S] [--random [--episodes N]]",
	summary: "see an agent learn without a window: " + defaultDemoAgent + " learns " + defaultDemoEnvs +
		" from scratch, with GIFs before and after and learning curves in DIR (--random: a random agent on every environment)",
	setup: func(fs *flag.FlagSet) action {
		c := demoConfig{envs: defaultDemoEnvs, agent: defaultDemoAgent, budget: defaultDemoBudget}
		pathVar(fs, &c.out, "out", "out", "write the GIFs, the curves or the frames into `directory`")
		fs.StringVar(&c.envs, "envs", c.envs, "comma-separated `IDs` of the environments to learn, one after the other")
		fs.StringVar(&c.agent, "agent", c.agent, "learning agent `name`")
		fs.DurationVar(&c.budget, "budget", c.budget, "the most simulated experience to learn for; learning stops at competence")
		fs.Uint64Var(&c.seed, "seed", 0, "`seed` of the agent and its episodes (with --random, episode k resets with seed S+k, as in foresight run)")
		fs.BoolVar(&c.random, "random", false, "run a random agent on every environment instead and save a frame of each")
		fs.Func("episodes", "with --random, episodes per environment (default 10)", func(v string) error {
			n, err := strconv.Atoi(v)
			c.episodes, c.episodesSet = n, true
			return err
		})
		return c.run
	},
}

// demoConfig holds the flags of foresight demo.
type demoConfig struct {
	out, envs, agent string
	budget           time.Duration
	seed             uint64
	random           bool
	episodes         int
	episodesSet      bool // --episodes was given
}

func (c *demoConfig) run(stdout, _ io.Writer) error {
	if c.random {
		return c.randomAgents(stdout)
	}
	ids, err := c.check()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", c.out, safefile.Cause(err))
	}
	for i, id := range ids {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := c.learn(stdout, id); err != nil {
			return err
		}
	}
	return nil
}

// check returns the environments the learning demo learns, or a usage error if the flags
// are out of range or its agent does not learn.
func (c *demoConfig) check() ([]string, error) {
	if c.episodesSet {
		return nil, usagef("--episodes goes with --random: the learning demo plays until competence or --budget")
	}
	if c.budget <= 0 || c.budget > maxBudget {
		return nil, usagef("--budget must be a duration between 0 and %v, such as 2m, not %v", maxBudget, c.budget)
	}
	ids := splitList(c.envs)
	if len(ids) == 0 {
		return nil, usagef("--envs names no environment")
	}
	for _, id := range ids {
		if !slices.Contains(envs.IDs(), id) {
			return nil, usagef("unknown environment %.40q (known: %s)", id, strings.Join(envs.IDs(), ", "))
		}
	}
	env, _ := envs.Make(ids[0])
	ag, err := agent.New(c.agent, env, c.seed)
	if err != nil {
		return nil, usageError{err}
	}
	if _, ok := ag.(agent.Learner); !ok {
		return nil, usagef("--agent %s does not learn", c.agent)
	}
	return ids, nil
}

// learn has the agent learn the environment id from scratch, recording an episode before
// and after and plotting its learning curve.
func (c *demoConfig) learn(stdout io.Writer, id string) error {
	env, err := envs.Make(id)
	if err != nil {
		return usageError{err}
	}
	pose, _ := envs.Make(id)
	ag, err := agent.New(c.agent, env, c.seed)
	if err != nil {
		return usageError{err}
	}
	learner := ag.(agent.Learner) // check lets only learners through
	rec := recordConfig{env: envFlags{seed: c.seed}, episodes: 1, size: imageSize{360, 270}, every: 2, imagine: true}
	film := func(name string) error {
		learner.SetEval(true)
		rec.out = filepath.Join(c.out, id+"-"+name)
		_, _, err := rec.record(env, pose, ag)
		return err
	}
	if err := film("before.gif"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s learns %s from scratch, seed %d, for at most %s of experience; one line per episode:\n",
		c.agent, id, c.seed, show.Clock(c.budget.Seconds()))
	res, err := agent.Train(env, ag, c.agent, agent.TrainConfig{
		Seed: c.seed, Budget: c.budget, StopWhenCompetent: true,
		Progress: func(p agent.EpisodePoint) { fmt.Fprintln(stdout, progressLine(p)) },
	})
	if err != nil {
		return err
	}
	if err := film("after.gif"); err != nil {
		return err
	}
	curve := filepath.Join(c.out, id+"-curve.png")
	if err := writeCurve(curve, res); err != nil {
		return err
	}
	outcome := fmt.Sprintf("not competent within %s of experience", show.Clock(c.budget.Seconds()))
	if res.TTC != nil {
		outcome = fmt.Sprintf("competent after %s of experience", show.Clock(*res.TTC))
	}
	_, err = fmt.Fprintf(stdout, `
%s on %s: %s, in %.0f s of wall time.
%s: an episode before learning; the faint shapes are what its untrained model imagines.
%s: the same episode after learning, its imagination now close to what happens.
%s: the return of every training episode over experience (green: a success).
`, c.agent, id, outcome, res.Wall, filepath.Join(c.out, id+"-before.gif"), filepath.Join(c.out, id+"-after.gif"), curve)
	return err
}

// writeCurve plots the return of every training episode of res over experience, green for
// a success, with the competence marked, into the PNG file path.
func writeCurve(path string, res agent.TrainResult) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s learning %s, seed %d", res.Agent, res.Env, res.Seed)
	p.X.Label.Text = "experience (s)"
	p.Y.Label.Text = "return per episode"
	p.Add(plotter.NewGrid())
	for _, success := range []bool{false, true} {
		var pts plotter.XYs
		for _, e := range res.Curve {
			if e.Success == success {
				pts = append(pts, plotter.XY{X: e.Experience, Y: e.Return})
			}
		}
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		s.GlyphStyle.Shape, s.GlyphStyle.Radius = draw.CircleGlyph{}, vg.Points(3)
		s.GlyphStyle.Color = color.NRGBA{200, 60, 50, 255}
		if success {
			s.GlyphStyle.Color = color.NRGBA{0, 158, 115, 255}
		}
		p.Add(s)
	}
	p.X.Min, p.Y.Min = 0, min(0, p.Y.Min)
	p.X.Max = max(p.X.Max*1.02, 1)
	if res.TTC != nil {
		line, err := plotter.NewLine(plotter.XYs{{X: *res.TTC, Y: p.Y.Min}, {X: *res.TTC, Y: p.Y.Max}})
		if err != nil {
			return fmt.Errorf("plot %s: %w", path, err)
		}
		line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(line)
		p.Legend.Add("competent", line)
		p.Legend.Top, p.Legend.Left = true, true
	}
	wt, err := p.WriterTo(6*vg.Inch, 3.5*vg.Inch, "png")
	if err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	if err := safefile.Write(path, func(w io.Writer) error { _, err := wt.WriteTo(w); return err }); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// randomAgents runs the random agent on every environment, with a table of how it does and
// a frame of each.
func (c *demoConfig) randomAgents(stdout io.Writer) error {
	if err := checkEpisodes(c.seed, c.episodes, maxEpisodes); err != nil {
		return err
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", c.out, safefile.Cause(err))
	}
	fmt.Fprintf(stdout, "Random agent, %d episodes per environment, seed %d.\n\n", c.episodes, c.seed)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "environment\tsuccess\tmean return\tmean length\tframe")
	for _, id := range envs.IDs() {
		if err := c.demo(tw, id); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(stdout, "\nFrames are in %s: each shows its environment after reset with seed %d.\n", filepath.Clean(c.out), c.seed)
	return err
}

// demo runs the random agent on the environment id, writes its frame and adds a row to tw.
func (c *demoConfig) demo(tw io.Writer, id string) error {
	env, err := envs.Make(id)
	if err != nil {
		return err
	}
	t, err := rollouts(env, agent.NewRandom(env.ActionSpace(), c.seed), c.seed, c.episodes, nil)
	if err != nil {
		return err
	}
	frame := filepath.Join(c.out, id+".png")
	if _, err := writeFrame(frame, env, c.seed, defaultFrameSize); err != nil {
		return err
	}
	_, err = fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.1f\t%s\n", id, t.successText(), t.meanReturn(), t.meanLength(), frame)
	return err
}
