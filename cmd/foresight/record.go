package main

import (
	"flag"
	"fmt"
	"image"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"io"
	"math"
	"strings"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/safefile"
	"github.com/foresight-sim/foresight/sim"
)

// Bounds of foresight record's flags: a GIF of more frames is too big to be of use.
const (
	maxRecordEpisodes = 100
	maxRecordFrames   = 5000
)

var recordCommand = command{
	name:    "record",
	args:    "--env ID --agent NAME --out FILE.gif [--episodes N] [--seed S] [--size WxH] [--every K] [--imagine] [--candidates] [--checkpoint DIR] [--obs pixels [--pixels WxH] [--distract KIND]] [--param name=value ...]",
	summary: "record episodes of an agent as an animated GIF, drawn without a window",
	setup: func(fs *flag.FlagSet) action {
		c := recordConfig{size: imageSize{480, 270}, every: 2, episodes: 1}
		c.env.define(fs, "`seed` of the first episode; episode k uses S+k")
		fs.StringVar(&c.agent, "agent", "", "agent `name`: "+strings.Join(agent.Names(), ", "))
		pathVar(fs, &c.out, "out", "", "write the GIF to `FILE`")
		fs.IntVar(&c.episodes, "episodes", 1, "number of episodes")
		fs.Var(&c.size, "size", "frame size in pixels, `WxH`")
		fs.IntVar(&c.every, "every", 2, "keep one frame every `K` steps")
		fs.BoolVar(&c.imagine, "imagine", false, "draw the future the agent imagines as fading ghosts")
		fs.BoolVar(&c.candidates, "candidates", false, "draw where the plans the planner weighed end, as it imagines them, coloured by their expected return (red worst, green best)")
		c.checkpoint.define(fs)
		return c.run
	},
}

// recordConfig holds the flags of foresight record.
type recordConfig struct {
	env        envFlags
	agent      string
	out        string
	episodes   int
	size       imageSize
	every      int
	imagine    bool
	candidates bool
	checkpoint trainedFlag
}

func (c *recordConfig) run(stdout, stderr io.Writer) error {
	switch {
	case c.out == "":
		return usagef("--out is required")
	case c.agent == "":
		return usagef("--agent is required (known: %s)", strings.Join(agent.Names(), ", "))
	}
	if err := checkEpisodes(c.env.seed, c.episodes, maxRecordEpisodes); err != nil {
		return err
	}
	if err := safefile.Check(c.out); err != nil {
		return fmt.Errorf("write %s: %w", c.out, err)
	}
	env, err := c.env.make()
	if err != nil {
		return err
	}
	if steps := env.Spec().MaxEpisodeSteps; c.every < 1 || (steps > 0 && c.every > steps) {
		return usagef("--every must be from 1 to %d, the steps of an episode of %s, not %d", steps, env.Spec().ID, c.every)
	}
	poseEnv, err := c.env.make()
	if err != nil {
		return err
	}
	ag, err := agent.New(c.agent, env, c.env.seed)
	if err != nil {
		return usageError{err}
	}
	restored, err := c.checkpoint.restore(env, ag, c.agent)
	if err != nil {
		return err
	}
	if restored != "" {
		fmt.Fprintln(stdout, restored)
	}
	if l, ok := ag.(agent.Learner); ok {
		l.SetEval(true) // show what the agent can do, without exploring or learning
	}
	frames, wins, err := c.record(env, poseEnv, ag)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "wrote %s (%s, %s agent, %d episodes, %d successes, %d frames, %dx%d)\n",
		c.out, env.Spec().ID, c.agent, c.episodes, wins, frames, c.size.w, c.size.h)
	return err
}

// record plays c.episodes episodes of ag in env from c.env.seed on, draws them into a GIF
// as c says, with poseEnv, a copy of env, to pose the imagined futures, and writes it to
// c.out. It returns the number of frames and of successful episodes.
func (c *recordConfig) record(env, poseEnv envs.Env, ag agent.Agent) (frames, wins int, err error) {
	anim := &gif.GIF{}
	rec := &recorder{Env: env, cfg: c, poseEnv: poseEnv, ag: ag, anim: anim}
	for k := range c.episodes {
		res, err := agent.Rollout(rec, ag, c.env.seed+uint64(k))
		if err != nil {
			return 0, 0, err
		}
		if res.Success {
			wins++
		}
	}
	if err := safefile.Write(c.out, func(w io.Writer) error { return gif.EncodeAll(w, anim) }); err != nil {
		return 0, 0, fmt.Errorf("write %s: %w", c.out, err)
	}
	return len(anim.Image), wins, nil
}

// recorder draws episodes into an animation. It is the environment the agent plays in:
// it passes every call through to env and adds a frame after Reset, every cfg.every steps
// and at the end of the episode, as Gymnasium's RecordVideo wrapper does.
type recorder struct {
	envs.Env
	cfg      *recordConfig
	poseEnv  envs.Env
	ag       agent.Agent
	anim     *gif.GIF
	renderer sim.Renderer
	steps    int   // steps since Reset
	err      error // the error of the frame Reset drew, which the next Step returns
}

// Reset starts the episode and draws its first frame.
func (r *recorder) Reset(seed uint64) ([]float64, envs.Info) {
	obs, info := r.Env.Reset(seed)
	r.steps = 0
	r.err = r.frame()
	return obs, info
}

// Step takes one step and draws it when a frame is due.
func (r *recorder) Step(a []float64) ([]float64, float64, bool, bool, envs.Info, error) {
	if r.err != nil {
		return nil, 0, false, false, envs.Info{}, r.err
	}
	obs, reward, term, trunc, info, err := r.Env.Step(a)
	if err != nil {
		return obs, reward, term, trunc, info, err
	}
	r.steps++
	if r.steps%r.cfg.every == 0 || term || trunc {
		err = r.frame()
	}
	return obs, reward, term, trunc, info, err
}

// Unwrap returns the environment being recorded.
func (r *recorder) Unwrap() envs.Env { return r.Env }

// frame draws the scene, with the imagined future when asked, as the next frame.
func (r *recorder) frame() error {
	if len(r.anim.Image) >= maxRecordFrames {
		return fmt.Errorf("more than %d frames: record fewer episodes or raise --every", maxRecordFrames)
	}
	rgba := image.NewRGBA(image.Rect(0, 0, r.cfg.size.w, r.cfg.size.h))
	show.Picture(rgba, &r.renderer, r.Env, r.poseEnv, r.ag, r.cfg.imagine, r.cfg.candidates)
	addFrame(r.anim, rgba, float64(r.cfg.every)*r.Env.Spec().ControlDT)
	return nil
}

// addFrame adds img to anim, dithered to the Plan 9 palette, shown for seconds.
func addFrame(anim *gif.GIF, img image.Image, seconds float64) {
	pal := image.NewPaletted(img.Bounds(), palette.Plan9)
	draw.FloydSteinberg.Draw(pal, pal.Bounds(), img, img.Bounds().Min)
	// GIF delays are 16-bit hundredths of a second.
	anim.Image = append(anim.Image, pal)
	anim.Delay = append(anim.Delay, min(int(seconds*100+0.5), math.MaxUint16))
}
