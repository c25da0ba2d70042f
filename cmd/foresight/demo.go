package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/safefile"
)

var demoCommand = command{
	name:    "demo",
	args:    "[--out DIR] [--episodes N] [--seed S]",
	summary: "run a random agent on every environment and save a frame of each",
	setup: func(fs *flag.FlagSet) action {
		var c demoConfig
		pathVar(fs, &c.out, "out", "out", "write the frames into `directory`")
		fs.IntVar(&c.episodes, "episodes", 10, "episodes per environment")
		fs.Uint64Var(&c.seed, "seed", 0, "`seed` of the runs: episode k resets with seed S+k, as in foresight run")
		return c.run
	},
}

// demoConfig holds the flags of foresight demo.
type demoConfig struct {
	out      string
	episodes int
	seed     uint64
}

func (c *demoConfig) run(stdout, _ io.Writer) error {
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
