package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/foresight/internal/bench"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/safefile"
)

// Bounds of foresight bench's flags; a sweep file keeps to the same bounds of seeds and
// budget.
const (
	maxBenchSeeds   = bench.MaxSeeds
	maxBenchWorkers = 256
)

// summaryFile is the name of a sweep's summary in its directory.
const summaryFile = "summary.md"

// summarySeed seeds the bootstrap of every summary, so that a summary depends only on the
// results.
const summarySeed = 0x73756d6d61727900

var benchCommand = command{
	name:    "bench",
	args:    "--agents NAME,... --seeds N --budget DURATION --out DIR [--envs ID,...] [--param name=value ...] [--obs state,pixels] [--pixels WxH] [--distract KIND,...] [--concurrent] [--set name=value ...] [--workers K] [--shard I/N]",
	summary: "run an hours-to-competence benchmark sweep",
	setup: func(fs *flag.FlagSet) action {
		c := benchConfig{workers: runtime.NumCPU(), pixels: imageSize{defaultPixelSide, defaultPixelSide}}
		fs.StringVar(&c.envs, "envs", strings.Join(envs.IDs(), ","), "comma-separated environment `IDs`")
		fs.StringVar(&c.agents, "agents", "", "comma-separated agent `names`: "+strings.Join(agent.Names(), ", "))
		fs.StringVar(&c.obs, "obs", envs.StateObservation, "comma-separated `kinds` of observation, each swept for every agent: state (the environment's numbers), pixels (camera images)")
		fs.Func("pixels", fmt.Sprintf("image size `WxH` of the pixel observations, RGB in stacks of %d frames (default %dx%d)", envs.DefaultPixelStack, defaultPixelSide, defaultPixelSide), func(v string) error {
			c.pixelsSet = true
			return c.pixels.Set(v)
		})
		fs.StringVar(&c.distract, "distract", "none", "with pixels in --obs, comma-separated `kinds` of irrelevant moving detail drawn into the images, one pixel observation each: "+envs.DistractorNames())
		fs.IntVar(&c.seeds, "seeds", 0, "number of seeds per environment, agent and observation, 0 to N−1")
		fs.DurationVar(&c.budget, "budget", 0, "simulated experience each trial may train for, such as 10m")
		pathVar(fs, &c.out, "out", "", "the sweep's `DIR`: results are appended there, and a run resumes from them")
		c.learn.define(fs)
		fs.Var(&c.params, "param", "set a physical parameter of every environment, as `name=value`; repeatable (see foresight envs)")
		fs.IntVar(&c.workers, "workers", c.workers, "trials run at once")
		fs.StringVar(&c.shard, "shard", "", "run shard `I/N` of the trials; /N takes I from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID")
		return func(stdout, stderr io.Writer) error { return c.run(stdout, stderr) }
	},
}

var benchMergeCommand = command{
	name:     "bench merge",
	args:     "--out DIR SHARD_DIR...",
	summary:  "merge the directories of a sweep's shards into one, with its summary",
	operands: true,
	setup: func(fs *flag.FlagSet) action {
		var out string
		pathVar(fs, &out, "out", "", "the merged sweep's `DIR`")
		return func(stdout, _ io.Writer) error {
			if out == "" || fs.NArg() == 0 {
				return usagef("want --out DIR and at least one shard directory")
			}
			store, err := bench.Merge(out, fs.Args()...)
			if err != nil {
				return err
			}
			return writeSummary(stdout, out, store)
		}
	},
}

var benchReportCommand = command{
	name:     "bench report",
	args:     "DIR",
	summary:  "render a sweep's summary again from its results",
	operands: true,
	setup: func(fs *flag.FlagSet) action {
		return func(stdout, _ io.Writer) error {
			if fs.NArg() != 1 {
				return usagef("want one sweep directory")
			}
			store, err := bench.Load(fs.Arg(0))
			if err != nil {
				return err
			}
			return writeSummary(stdout, fs.Arg(0), store)
		}
	},
}

// benchConfig holds the flags of foresight bench.
type benchConfig struct {
	envs, agents  string
	obs, distract string
	pixels        imageSize
	pixelsSet     bool // --pixels was given
	seeds         int
	budget        time.Duration
	out           string
	workers       int
	shard         string
	learn         learnFlags
	params        paramValues
}

// sweep checks the flags and returns the sweep and shard they describe.
func (c *benchConfig) sweep() (bench.Config, bench.Shard, error) {
	cfg := bench.Config{Envs: splitList(c.envs), Agents: splitList(c.agents), Seeds: c.seeds, Budget: c.budget,
		Concurrent: c.learn.concurrent, Settings: c.learn.settings}
	if len(c.params) > 0 {
		cfg.Params = c.params
	}
	shard := bench.Shard{I: 0, N: 1}
	switch {
	case c.out == "":
		return cfg, shard, usagef("--out DIR is required")
	case len(cfg.Agents) == 0:
		return cfg, shard, usagef("--agents is required (known: %s)", strings.Join(agent.Names(), ", "))
	case len(cfg.Envs) == 0:
		return cfg, shard, usagef("--envs names no environment")
	case c.seeds < 1 || c.seeds > maxBenchSeeds:
		return cfg, shard, usagef("--seeds must be from 1 to %d, not %d", maxBenchSeeds, c.seeds)
	case c.budget <= 0 || c.budget > maxBudget:
		return cfg, shard, usagef("--budget must be a duration between 0 and %v, such as 10m, not %v", maxBudget, c.budget)
	case c.workers < 1 || c.workers > maxBenchWorkers:
		return cfg, shard, usagef("--workers must be from 1 to %d, not %d", maxBenchWorkers, c.workers)
	}
	for i, id := range cfg.Envs {
		if !slices.Contains(envs.IDs(), id) {
			return cfg, shard, usagef("unknown environment %.40q (known: %s)", id, strings.Join(envs.IDs(), ", "))
		}
		if slices.Contains(cfg.Envs[:i], id) {
			return cfg, shard, usagef("--envs names %s twice", id)
		}
	}
	if err := checkAgents(cfg.Agents); err != nil {
		return cfg, shard, err
	}
	for _, id := range cfg.Envs {
		if _, err := envs.Make(id, envs.WithParams(cfg.Params)); err != nil {
			return cfg, shard, usagef("--param: %v", err)
		}
	}
	if err := checkLearning(cfg); err != nil {
		return cfg, shard, err
	}
	obs, err := c.observations()
	if err != nil {
		return cfg, shard, err
	}
	cfg.Observations = obs
	if c.shard != "" {
		s, err := bench.ParseShard(c.shard, os.Getenv)
		if err != nil {
			return cfg, shard, usageError{err}
		}
		shard = s
	}
	return cfg, shard, nil
}

// checkAgents returns a usage error naming the first agent of --agents that is unknown or
// named twice.
func checkAgents(names []string) error {
	for i, a := range names {
		if !slices.Contains(agent.Names(), a) {
			return usagef("unknown agent %.40q (known: %s)", a, strings.Join(agent.Names(), ", "))
		}
		if slices.Contains(names[:i], a) {
			return usagef("--agents names %s twice", a)
		}
	}
	return nil
}

// checkLearning returns a usage error if the sweep asks for --concurrent or --set without
// an agent that learns a world model, or sets what those agents do not take.
func checkLearning(cfg bench.Config) error {
	learners := slices.DeleteFunc(slices.Clone(cfg.Agents), func(a string) bool { return !agent.LearnsModel(a) })
	switch {
	case len(learners) > 0:
	case cfg.Concurrent:
		return usagef("--concurrent: none of the agents learns concurrently")
	case len(cfg.Settings) > 0:
		return usagef("--set: none of the agents takes settings")
	}
	if len(cfg.Settings) == 0 {
		return nil
	}
	env, err := envs.Make(cfg.Envs[0])
	if err != nil {
		return usageError{err}
	}
	for _, a := range learners {
		if _, err := agent.New(a, env, 0, agent.Set(cfg.Settings)); err != nil {
			return usagef("--set: %v", err)
		}
	}
	return nil
}

// observations returns the sweep's observations that --obs, --pixels and --distract ask
// for: the state if --obs lists it, then, if it lists pixels, a canonical pixel description
// for each distractor --distract lists, in its order. A sweep of the state alone has none,
// so that its sweep file is as it was before sweeps had observations.
func (c *benchConfig) observations() ([]string, error) {
	kinds := splitList(c.obs)
	if len(kinds) == 0 {
		return nil, usagef("--obs names no observation: want state, pixels or both, such as state,pixels")
	}
	state, pixels := false, false
	for i, k := range kinds {
		switch k {
		case envs.StateObservation:
			state = true
		case "pixels":
			pixels = true
		default:
			return nil, usagef("--obs %.40q: want state, pixels or both, such as state,pixels", k)
		}
		if slices.Contains(kinds[:i], k) {
			return nil, usagef("--obs names %s twice", k)
		}
	}
	names := splitList(c.distract)
	if len(names) == 0 {
		return nil, usagef("--distract names no distractor: want %s", envs.DistractorNames())
	}
	var ds []envs.Distractor
	for _, n := range names {
		d, err := envs.ParseDistractor(n)
		if err != nil {
			return nil, usagef("--distract %.40q: want %s", n, envs.DistractorNames())
		}
		if slices.Contains(ds, d) {
			return nil, usagef("--distract names %s twice", d)
		}
		ds = append(ds, d)
	}
	if !pixels {
		for _, d := range ds {
			if d != envs.NoDistractor {
				return nil, usagef("--distract %s needs pixels in --obs: distractors are drawn into images", d)
			}
		}
		if c.pixelsSet {
			return nil, usagef("--pixels needs pixels in --obs")
		}
		return nil, nil
	}
	if c.pixels.w > envs.MaxPixelSize || c.pixels.h > envs.MaxPixelSize {
		return nil, usagef("--pixels %s: want sides of at most %d", c.pixels.String(), envs.MaxPixelSize)
	}
	var out []string
	if state {
		out = append(out, envs.StateObservation)
	}
	for _, d := range ds {
		out = append(out, envs.PixelConfig{Width: c.pixels.w, Height: c.pixels.h, Stack: envs.DefaultPixelStack, Distract: d}.String())
	}
	return out, nil
}

func (c *benchConfig) run(stdout, stderr io.Writer) error {
	cfg, shard, err := c.sweep()
	if err != nil {
		return err
	}
	// Refused before the directory is made, not at the first trial an agent cannot run.
	if err := bench.CheckAgents(cfg); err != nil {
		return usageError{err}
	}
	store, err := bench.Open(c.out, cfg)
	if err != nil {
		return err
	}
	bar := newProgressBar(stderr, c.workers)
	err = bench.Run(store, shard, c.workers, bar.show)
	bar.end()
	if err != nil {
		return err
	}
	return writeSummary(stdout, c.out, store)
}

// writeSummary writes the sweep's summary with its table of trials, and its plots, into its
// directory, atomically, and the summary to stdout.
func writeSummary(stdout io.Writer, dir string, store *bench.Store) error {
	cfg, recs := store.Config(), store.Records()
	md := bench.Summary(cfg, recs, summarySeed)
	path := filepath.Join(dir, summaryFile)
	md += bench.Trials(cfg, recs)
	if err := safefile.Write(path, func(w io.Writer) error { _, err := io.WriteString(w, md); return err }); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := bench.WritePlots(dir, cfg, recs, summarySeed); err != nil {
		return err
	}
	_, err := io.WriteString(stdout, md)
	return err
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// progressBar draws a sweep's progress on one line of a terminal, redrawn at most once a
// second, or as a line every 30 seconds elsewhere (a log file, CI).
type progressBar struct {
	w        io.Writer
	workers  int
	terminal bool
	last     time.Time
	drawn    bool
}

func newProgressBar(w io.Writer, workers int) *progressBar {
	b := &progressBar{w: w, workers: workers}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.terminal = true
		}
	}
	return b
}

// show draws p if it is time to.
func (b *progressBar) show(p bench.Progress) {
	every := 30 * time.Second
	if b.terminal {
		every = time.Second
	}
	if time.Since(b.last) < every && p.Done < p.Total {
		return
	}
	b.last = time.Now()
	line := progressLineBench(p, b.workers)
	if b.terminal {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
		b.drawn = true
		return
	}
	fmt.Fprintln(b.w, line)
}

// end finishes the terminal line.
func (b *progressBar) end() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}

// progressLineBench describes p in one line: a bar, the trials done, the experience clocks
// of those in flight and the time left.
func progressLineBench(p bench.Progress, workers int) string {
	const width = 20
	filled := 0
	if p.Total > 0 {
		filled = width * p.Done / p.Total
	}
	bar := "[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "]"
	line := fmt.Sprintf("%s %d/%d trials", bar, p.Done, p.Total)
	for _, r := range p.Running {
		line += fmt.Sprintf(" · %s %s", r.Trial, show.Clock(r.Experience))
	}
	if eta, ok := p.ETA(workers); ok {
		line += fmt.Sprintf(" · about %s left", eta.Round(time.Second))
	}
	return line
}
