package envs

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// testIDs holds the ids that tests register, which tests over the built-in environments
// leave out.
var testIDs = map[string]bool{boxesID: true}

// builtinIDs returns the registered ids except those registered by tests.
func builtinIDs() []string {
	var ids []string
	for _, id := range IDs() {
		if !testIDs[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestCheckRegistered(t *testing.T) {
	for _, id := range builtinIDs() {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			if err := Check(func() (Env, error) { return Make(id) }); err != nil {
				t.Error(err)
			}
		})
	}
}

// fault is a way fakeEnv breaks the Env contract.
type fault int

const (
	faultNone             fault = iota
	faultBadSpec                // zero control timestep
	faultBadTuning              // a tuning without a reason
	faultStepsBeforeReset       // Step works on a fresh environment
	faultStepsAfterEnd          // Step works after the episode ended
	faultAcceptsNaN             // NaN actions pass and poison the state
	faultAcceptsNegInf          // −Inf actions pass, though +Inf ones do not
	faultRandom                 // rewards carry noise from a shared generator
	faultSeedIgnored            // every episode starts in the same state
	faultLeakySnapshot          // snapshots leave out the velocity
	faultEmptyRestore           // restoring an empty snapshot succeeds
	faultReward                 // one reward exceeds the reward range
	faultObs                    // one observation leaves the observation space
	faultNaNLate                // the reward turns NaN after thousands of steps
	faultNoneAtEdges            // no fault: rewards and observations touch their bounds exactly
)

// fakeEnv is a point on a line pushed by the action, tiny and quick, with optional faults.
// Its scene's background grey level shows the position, for the pixel wrapper's tests.
type fakeEnv struct {
	fault fault
	x, v  float64
	steps int
	over  bool
	total int // steps since the environment was made, across episodes
	obs   []float64
	scene sim.Scene
}

const fakeEpisode = 40 // steps per episode

func newFake(f fault) *fakeEnv {
	return &fakeEnv{fault: f, over: f != faultStepsBeforeReset, obs: make([]float64, 2)}
}

// noise is shared by every fakeEnv with faultRandom, so that runs differ.
var noise = rand.New(rand.NewPCG(1, 2))

func (e *fakeEnv) Spec() Spec {
	s := Spec{ID: "Fake-v0", ControlDT: 0.1, Substeps: 1, MaxEpisodeSteps: fakeEpisode,
		RewardRange: [2]float64{0, 1}, SuccessRule: "end near the origin"}
	switch e.fault {
	case faultBadSpec:
		s.ControlDT = 0
	case faultBadTuning:
		s.Tunings = []Tuning{{Agents: []string{"jepa"}, Settings: map[string]string{"plan.horizon": "3"}}}
	}
	return s
}

var fakeObsSpace, fakeActSpace = UniformBox(-2, 2, 2), UniformBox(-1, 1, 1)

func (e *fakeEnv) ObservationSpace() Box { return fakeObsSpace }
func (e *fakeEnv) ActionSpace() Box      { return fakeActSpace }

func (e *fakeEnv) Reset(seed uint64) ([]float64, Info) {
	e.x, e.v, e.steps, e.over = 0.5, 0, 0, false
	if e.fault != faultSeedIgnored {
		e.x = rand.New(rand.NewPCG(seed, 0)).Float64() - 0.5
	}
	return e.observe(), e.info()
}

func (e *fakeEnv) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	if e.over && (e.fault != faultStepsAfterEnd || e.steps == 0) {
		return nil, 0, false, false, Info{}, ErrEpisodeOver
	}
	accepted := len(a) == 1 && (e.fault == faultAcceptsNaN || e.fault == faultAcceptsNegInf && math.IsInf(a[0], -1))
	if err := checkAction(e.ActionSpace(), a); err != nil && !accepted {
		return nil, 0, false, false, Info{}, err
	}
	e.v = 0.9*e.v + 0.1*math.Max(-1, math.Min(1, a[0]))
	e.x = math.Max(-1, math.Min(1, e.x+e.v))
	e.steps++
	e.total++
	e.over = e.steps >= fakeEpisode
	return e.observe(), e.reward(), false, e.over, e.info(), nil
}

func (e *fakeEnv) observe() []float64 {
	e.obs[0], e.obs[1] = e.x, e.v
	switch {
	case e.fault == faultObs && e.steps == 7:
		e.obs[1] = 3
	case e.fault == faultNoneAtEdges && e.steps == 7:
		e.obs[0], e.obs[1] = fakeObsSpace.Low[0], fakeObsSpace.High[1]
	case e.fault == faultNoneAtEdges && e.steps == 8:
		e.obs[0], e.obs[1] = fakeObsSpace.High[0], fakeObsSpace.Low[1]
	}
	return e.obs
}

func (e *fakeEnv) reward() float64 {
	r := 1 - math.Abs(e.x)
	switch {
	case e.fault == faultRandom:
		r *= 1 - 1e-3*noise.Float64()
	case e.fault == faultReward && e.steps == 7:
		r = 1.5
	case e.fault == faultNaNLate && e.total == 5000:
		r = math.NaN()
	case e.fault == faultNoneAtEdges && e.steps == 7:
		r = e.Spec().RewardRange[1]
	case e.fault == faultNoneAtEdges && e.steps == 8:
		r = e.Spec().RewardRange[0]
	}
	return r
}

func (e *fakeEnv) info() Info {
	return Info{Success: math.Abs(e.x) < 0.1, Time: float64(e.steps) * 0.1, Steps: e.steps}
}

func (e *fakeEnv) Snapshot(dst *Snapshot) {
	v := e.v
	if e.fault == faultLeakySnapshot {
		v = 0
	}
	dst.vars = append(dst.vars[:0], e.x, v, float64(e.steps), b2f(e.over))
}

func (e *fakeEnv) Restore(s *Snapshot) error {
	if e.fault == faultEmptyRestore && len(s.vars) == 0 {
		return nil
	}
	if len(s.vars) != 4 {
		return ErrSnapshot
	}
	e.x, e.v, e.steps, e.over = s.vars[0], s.vars[1], int(s.vars[2]), s.vars[3] != 0
	return nil
}

func (e *fakeEnv) Scene() *sim.Scene {
	g := uint8(127.5 + 127.5*e.x)
	e.scene.Reset()
	e.scene.Background = color.NRGBA{g, g / 2, 255 - g, 255}
	e.scene.Camera = sim.Camera{Width: 1}
	return &e.scene
}

func TestCheckFindsFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault fault
		want  string // in the error
	}{
		{"sound", faultNone, ""},
		{"bad spec", faultBadSpec, "spec: control timestep 0"},
		{"bad tuning", faultBadTuning, "spec: tuning 0 for jepa: want agents, settings and a reason"},
		{"steps before reset", faultStepsBeforeReset, "fresh environment returned error <nil>"},
		{"steps after end", faultStepsAfterEnd, "after the episode ended"},
		{"accepts NaN", faultAcceptsNaN, "accepted an action with a NaN"},
		{"accepts -Inf", faultAcceptsNegInf, "accepted an action with a -Inf"},
		{"random", faultRandom, "determinism: a second run in the same environment"},
		{"ignores seed", faultSeedIgnored, "give the same first observation"},
		{"leaky snapshot", faultLeakySnapshot, "after restoring into the same environment"},
		{"empty restore", faultEmptyRestore, "empty snapshot returned error <nil>"},
		{"reward out of range", faultReward, "reward 1.5 outside the reward range"},
		{"obs out of space", faultObs, "observation component 1 = 3 outside"},
		{"late NaN", faultNaNLate, "random steps: step"},
		{"sound at the edges", faultNoneAtEdges, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(func() (Env, error) { return newFake(tc.fault), nil })
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Check: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Check: %v\nwant an error containing %q", err, tc.want)
			}
		})
	}
}

// TestCheckBox checks the space checks on boxes with equal, crossed and NaN bounds and
// with shapes that do and do not hold their components.
func TestCheckBox(t *testing.T) {
	tests := []struct {
		name string
		box  Box
		want string // in the error; "" for none
	}{
		{"point", Box{Low: []float64{1, -2}, High: []float64{1, -2}, Shape: []int{2}}, ""},
		{"shaped", Box{Low: make([]float64, 6), High: make([]float64, 6), Shape: []int{2, 3}}, ""},
		{"crossed", Box{Low: []float64{0, 1}, High: []float64{1, 0.5}, Shape: []int{2}}, "component 1: bounds [1, 0.5]"},
		{"NaN", Box{Low: []float64{math.NaN()}, High: []float64{1}}, "component 0: bounds [NaN, 1]"},
		{"short shape", Box{Low: make([]float64, 6), High: make([]float64, 6), Shape: []int{2, 2}}, "shape [2 2] holds 4 components, bounds 6"},
		{"uneven bounds", Box{Low: make([]float64, 2), High: make([]float64, 3)}, "2 lower bounds, 3 upper"},
	}
	for _, tt := range tests {
		err := checkBox(tt.box)
		if got := fmt.Sprint(err); (tt.want == "") != (err == nil) || !strings.Contains(got, tt.want) {
			t.Errorf("%s: checkBox = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestCheckFewerSteps(t *testing.T) {
	err := Check(func() (Env, error) { return newFake(faultNaNLate), nil }, CheckSteps(1000))
	if err != nil {
		t.Errorf("with 1000 random steps the late NaN should go unseen, got %v", err)
	}
}
