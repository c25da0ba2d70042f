package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
)

// envFlags are the flags that choose and configure an environment and what agents observe
// of it.
type envFlags struct {
	id     string
	seed   uint64
	params paramValues
	obs    obsFlags
}

// define adds --env, --seed, --param and the observation flags to fs; seedDoc says what the
// seed drives.
func (f *envFlags) define(fs *flag.FlagSet, seedDoc string) {
	fs.StringVar(&f.id, "env", "", "environment `ID` (see foresight envs)")
	fs.Uint64Var(&f.seed, "seed", 0, seedDoc)
	fs.Var(&f.params, "param", "set a physical parameter, as `name=value`; repeatable (see foresight envs)")
	f.obs.define(fs)
}

// make builds the environment, observed as the observation flags say. A missing or unknown
// id, a bad parameter or a bad observation flag is a usage error.
func (f *envFlags) make() (envs.Env, error) {
	if f.id == "" {
		return nil, usagef("--env is required (known: %s)", strings.Join(envs.IDs(), ", "))
	}
	pix, err := f.obs.pixels()
	if err != nil {
		return nil, err
	}
	env, err := envs.Make(f.id, envs.WithParams(f.params))
	if err != nil {
		return nil, usageError{err}
	}
	if env, err = envs.Observe(env, pix); err != nil {
		return nil, usageError{err}
	}
	return env, nil
}

// defaultPixelSide is the side of the pixel observations' images unless --pixels says.
const defaultPixelSide = 64

// obsFlags are the flags that choose what an agent observes: --obs, --pixels, --distract.
type obsFlags struct {
	kind     string
	size     imageSize
	sizeSet  bool // --pixels was given
	distract string
}

// define adds the observation flags to fs.
func (f *obsFlags) define(fs *flag.FlagSet) {
	f.size = imageSize{defaultPixelSide, defaultPixelSide}
	fs.StringVar(&f.kind, "obs", "state", "what the agent observes: `state` (the environment's numbers) or pixels (camera images)")
	fs.Func("pixels", "image size `WxH` with --obs pixels (default 64x64); the pixel models want multiples of 8 from 40 to 128", func(v string) error {
		f.sizeSet = true
		return f.size.Set(v)
	})
	fs.StringVar(&f.distract, "distract", "none", "with --obs pixels, fill the images with moving detail that does not matter: `KIND` "+envs.DistractorNames())
}

// pixels returns the pixel observation the flags ask for, nil for states, or a usage error.
func (f *obsFlags) pixels() (*envs.PixelConfig, error) {
	d, err := envs.ParseDistractor(f.distract)
	if err != nil {
		return nil, usagef("--distract %.40q: want %s", f.distract, envs.DistractorNames())
	}
	switch f.kind {
	case "state":
		if d != envs.NoDistractor {
			return nil, usagef("--distract %s needs --obs pixels: distractors are drawn into images", d)
		}
		if f.sizeSet {
			return nil, usagef("--pixels needs --obs pixels")
		}
		return nil, nil
	case "pixels":
		if f.size.w > envs.MaxPixelSize || f.size.h > envs.MaxPixelSize {
			return nil, usagef("--pixels %s: want sides of at most %d", f.size.String(), envs.MaxPixelSize)
		}
		return &envs.PixelConfig{Width: f.size.w, Height: f.size.h, Stack: envs.DefaultPixelStack, Distract: d}, nil
	}
	return nil, usagef("--obs %.40q: want state or pixels", f.kind)
}

// paramValues collects repeated --param name=value flags, the last value of a name winning.
type paramValues map[string]float64

// String returns the parameters as name=value pairs in name order, as flag.Value requires.
func (p *paramValues) String() string {
	var pairs []string
	for _, name := range slices.Sorted(maps.Keys(*p)) {
		pairs = append(pairs, name+"="+strconv.FormatFloat((*p)[name], 'g', -1, 64))
	}
	return strings.Join(pairs, " ")
}

// Set parses one name=value pair; the environment checks the name and range when it is built.
func (p *paramValues) Set(s string) error {
	name, val, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want name=value")
	}
	v, err := strconv.ParseFloat(val, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%.40q is not a finite number", val)
	}
	if *p == nil {
		*p = make(paramValues)
	}
	(*p)[name] = v
	return nil
}

// maxImageSide bounds each side of a rendered image in pixels.
const maxImageSide = 4096

// imageSize is a --size flag: WxH in pixels.
type imageSize struct{ w, h int }

// String returns the size as WxH.
func (s *imageSize) String() string { return fmt.Sprintf("%dx%d", s.w, s.h) }

// Set parses WxH with both sides in [1, maxImageSide].
func (s *imageSize) Set(v string) error {
	ws, hs, ok := strings.Cut(strings.ToLower(v), "x")
	w, errW := strconv.Atoi(ws)
	h, errH := strconv.Atoi(hs)
	if !ok || errW != nil || errH != nil || w < 1 || h < 1 || w > maxImageSide || h > maxImageSide {
		return fmt.Errorf("want WxH with whole numbers of pixels from 1 to %d, such as 640x480", maxImageSide)
	}
	s.w, s.h = w, h
	return nil
}

// pathVar defines a flag naming a file or directory, stored in p with value as its default.
// Unlike a string flag it refuses the empty string: an empty path is a mistake in the command
// line, not a way to say "none".
func pathVar(fs *flag.FlagSet, p *string, name, value, usage string) {
	*p = value
	fs.Var((*pathValue)(p), name, usage)
}

// pathValue is the flag.Value of pathVar.
type pathValue string

// String returns the path, as flag.Value requires.
func (p *pathValue) String() string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// Set takes a path, refusing the empty string.
func (p *pathValue) Set(s string) error {
	if s == "" {
		return errors.New("want a path, not an empty string")
	}
	*p = pathValue(s)
	return nil
}

// learnFlags are the flags that change how a learner with a world model learns:
// --concurrent and --set.
type learnFlags struct {
	concurrent bool
	settings   settingValues
}

// define adds --concurrent and --set to fs.
func (f *learnFlags) define(fs *flag.FlagSet) {
	fs.BoolVar(&f.concurrent, "concurrent", false, "learn on a second goroutine while acting: faster on two cores, each action planned with the model of one step before (jepa, pets, recon)")
	fs.Var(&f.settings, "set", "change a learner's setting, as `name=value`, for an ablation (jepa, pets, recon; names: updates, critic, critic.members, critic.min, policy, plan.horizon, plan.samples, plan.elites, plan.iterations, plan.correlation, and the model's model.horizon, model.batch, model.lr, ...); repeatable")
}

// options returns the agent options the flags ask for.
func (f *learnFlags) options() []agent.Option {
	return []agent.Option{agent.Concurrent(f.concurrent), agent.Set(f.settings)}
}

// settingValues collects repeated --set name=value flags, the last value of a name winning.
type settingValues map[string]string

// String returns the settings as name=value pairs in name order, as flag.Value requires.
func (s *settingValues) String() string {
	var pairs []string
	for _, name := range slices.Sorted(maps.Keys(*s)) {
		pairs = append(pairs, name+"="+(*s)[name])
	}
	return strings.Join(pairs, " ")
}

// Set parses one name=value pair; the agent checks the name and the value when it is built.
func (s *settingValues) Set(v string) error {
	name, val, ok := strings.Cut(v, "=")
	if !ok || name == "" || val == "" {
		return fmt.Errorf("want name=value")
	}
	if *s == nil {
		*s = make(settingValues)
	}
	(*s)[name] = val
	return nil
}
