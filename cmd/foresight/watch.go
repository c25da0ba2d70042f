package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/foresight-sim/foresight/cmd/internal/display"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/live"
	"github.com/foresight-sim/foresight/envs"
)

// The defaults of foresight watch: an agent learning cart-pole swing-up from scratch.
const (
	defaultWatchEnv   = "CartPoleSwingup-v0"
	defaultWatchAgent = "jepa"
)

// watchProgram is the viewer program foresight watch runs (see live.Launch for why it is a
// program of its own), and watchProgramEnv the variable that may name it instead.
const (
	watchProgram    = "foresight-watch"
	watchProgramEnv = "FORESIGHT_WATCH"
)

var watchCommand = command{
	name: "watch",
	args: "[--env ID] [--agent NAME | --agents NAME,NAME[,NAME]] [--concurrent] [--set name=value ...] [--seed S] [--speed X] [--candidates] [--size WxH] [--screenshot FILE --frames N] [--obs pixels [--pixels WxH] [--distract KIND]] [--param name=value ...]",
	summary: "open the live viewer: watch an agent learn, see what it imagines, take over" +
		" (default: jepa learning " + defaultWatchEnv + ")",
	setup: func(fs *flag.FlagSet) action {
		c := watchConfig{size: imageSize{1280, 720}, speed: "1"}
		c.env.define(fs, "`seed` of the agent and its episodes")
		fs.StringVar(&c.agent, "agent", "", "agent `name` ("+defaultWatchAgent+" unless named): "+strings.Join(agent.Names(), ", "))
		fs.StringVar(&c.agents, "agents", "", "race two or three agents, such as jepa,pets: comma-separated `names`, each learning in a pane of its own on the same task and seed")
		c.learn.define(fs)
		fs.StringVar(&c.speed, "speed", "1", "starting pace: simulated seconds per second, from 0 (paused) up, or max")
		fs.BoolVar(&c.candidates, "candidates", false, "start with the plans the planner weighed shown (key C toggles them)")
		fs.Var(&c.size, "size", "window size in pixels, `WxH`")
		pathVar(fs, &c.screenshot, "screenshot", "", "run --frames frames, save the last one to `FILE` as PNG, and quit")
		fs.IntVar(&c.frames, "frames", 0, "number of frames to run with --screenshot")
		return c.run
	},
}

// watchConfig holds the flags of foresight watch.
type watchConfig struct {
	env        envFlags
	agent      string
	agents     string
	learn      learnFlags
	candidates bool
	speed      string
	size       imageSize
	screenshot string
	frames     int
}

// launch checks the flags and returns the launch they describe.
func (c *watchConfig) launch() (live.Launch, error) {
	if c.env.id == "" {
		c.env.id = defaultWatchEnv
	}
	if (c.screenshot == "") != (c.frames == 0) || c.frames < 0 {
		return live.Launch{}, usagef("--screenshot FILE and --frames N (N ≥ 1) go together")
	}
	if _, err := live.ParseSpeed(c.speed); err != nil {
		return live.Launch{}, usageError{err}
	}
	names, err := c.agentNames()
	if err != nil {
		return live.Launch{}, err
	}
	env, err := c.env.make()
	if err != nil {
		return live.Launch{}, err
	}
	if len(names) > 1 && !slices.ContainsFunc(names, agent.LearnsModel) && (c.learn.concurrent || len(c.learn.settings) > 0) {
		return live.Launch{}, usagef("--concurrent and --set: none of the racers learns a world model")
	}
	for _, name := range names {
		var opts []agent.Option
		if agent.LearnsModel(name) || len(names) == 1 { // a lone agent that takes none is told so
			opts = c.learn.options()
		}
		if _, err := agent.New(name, env, c.env.seed, opts...); err != nil {
			return live.Launch{}, usageError{err}
		}
	}
	return live.Launch{Env: c.env.id, Params: c.env.params, Agents: names, Seed: c.env.seed,
		Observation: envs.ObservationOf(env), Concurrent: c.learn.concurrent, Settings: c.learn.settings, Candidates: c.candidates, Speed: c.speed,
		Width: c.size.w, Height: c.size.h, Screenshot: c.screenshot, Frames: c.frames}, nil
}

// agentNames returns the agents to watch: the one --agent names, or the two or three of a
// race that --agents names.
func (c *watchConfig) agentNames() ([]string, error) {
	switch {
	case c.agents == "" && c.agent == "":
		return []string{defaultWatchAgent}, nil
	case c.agents == "":
		return []string{c.agent}, nil
	case c.agent != "":
		return nil, usagef("--agent and --agents do not go together: name every racer in --agents")
	}
	names := splitList(c.agents)
	if len(names) < 2 || len(names) > live.MaxRacers {
		return nil, usagef("--agents must name 2 to %d agents to race, not %d", live.MaxRacers, len(names))
	}
	return names, checkAgents(names)
}

func (c *watchConfig) run(stdout, stderr io.Writer) error {
	l, err := c.launch()
	if err != nil {
		return err
	}
	return runViewer(l, stdout, stderr)
}

// runViewer runs the viewer program on launch l, once the display answers, and reports how
// it ended: its own one-line message and exit status when it gave them, one line otherwise.
func runViewer(l live.Launch, stdout, stderr io.Writer) error {
	if err := display.Check(); err != nil {
		return err
	}
	prog, err := findWatchProgram()
	if err != nil {
		return err
	}
	arg, _ := json.Marshal(l)
	cmd := exec.Command(prog, string(arg))
	log := &viewerLog{w: stderr}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, log
	err = cmd.Run()
	log.flush()
	if log.crash != "" {
		return internalError{fmt.Errorf("the viewer program %s crashed: %s", prog, log.crash)}
	}
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		switch code := exit.ExitCode(); {
		case code == viewerUsageStatus:
			return reportedError{exitUsage}
		case (code == exitFailure || code == exitInternal) && log.wrote:
			return reportedError{code}
		}
		return fmt.Errorf("the viewer program %s ended without saying why: %v", prog, exit)
	}
	if err != nil {
		return fmt.Errorf("running %s: %w", prog, err)
	}
	return nil
}

// findWatchProgram returns the path of the viewer program: the one FORESIGHT_WATCH names,
// else foresight-watch next to this executable, else on PATH.
func findWatchProgram() (string, error) {
	if p := os.Getenv(watchProgramEnv); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), watchProgram)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(watchProgram); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the viewer program %s is neither next to foresight nor on PATH; build it with: go build -o bin/%s ./cmd/%s (scripts/demo.sh does)", watchProgram, watchProgram, watchProgram)
}

// viewerUsageStatus is the exit status by which the viewer program reports a bad command
// line (EX_USAGE), since a Go program that crashes exits with 2.
const viewerUsageStatus = 64

// viewerLog passes the viewer program's standard error through line by line, noting whether
// it said anything, until a Go panic or fatal error begins: it keeps that line, for a
// one-line report, and drops the trace that follows.
type viewerLog struct {
	w     io.Writer
	buf   []byte
	wrote bool
	crash string
}

func (v *viewerLog) Write(p []byte) (int, error) {
	v.buf = append(v.buf, p...)
	for {
		i := bytes.IndexByte(v.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		v.line(v.buf[:i+1])
		v.buf = v.buf[i+1:]
	}
}

// flush passes on an unterminated last line.
func (v *viewerLog) flush() {
	if len(v.buf) > 0 {
		v.line(append(v.buf, '\n'))
		v.buf = nil
	}
}

func (v *viewerLog) line(l []byte) {
	switch {
	case v.crash != "":
	case bytes.HasPrefix(l, []byte("panic: ")) || bytes.HasPrefix(l, []byte("fatal error: ")):
		v.crash = strings.TrimSpace(string(l))
	default:
		v.w.Write(l)
		v.wrote = true
	}
}
