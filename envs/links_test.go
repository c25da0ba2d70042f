package envs

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// commonCase is what the checks every jointed environment shares need to know about one.
type commonCase struct {
	id string
	// unitPairs are the indices of observation components that hold the cosine and sine of
	// one angle.
	unitPairs [][2]int
}

// checkCommon runs the checks shared by CartPoleSwingup, Acrobot and Reacher: reward bounds
// and observation layout under random actions, determinism of resets, exact replay from a
// snapshot, and rejection of out-of-range parameters.
func checkCommon(t *testing.T, c commonCase) {
	t.Run("random actions", func(t *testing.T) { checkRandomActions(t, c) })
	t.Run("determinism", func(t *testing.T) { checkDeterminism(t, c.id) })
	t.Run("snapshot replay", func(t *testing.T) { checkReplay(t, c.id) })
	t.Run("parameter ranges", func(t *testing.T) { checkParams(t, c) })
}

func mustMakeEnv(t *testing.T, id string, opts ...Option) Env {
	t.Helper()
	env, err := Make(id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// makePhysics makes the environment id with opts and returns the physicsEnv inside its time
// limit, reset with seed 0, for tests that reach into the physics.
func makePhysics(t *testing.T, id string, opts ...Option) *physicsEnv {
	t.Helper()
	tl, ok := mustMakeEnv(t, id, opts...).(*TimeLimit)
	if !ok {
		t.Fatalf("%s is not wrapped in a time limit", id)
	}
	e := tl.Env.(*physicsEnv)
	e.Reset(0)
	return e
}

// freeSwing steps e for 10 s with no action and returns how much of the bodies' energy above
// rest (J) is left, and by how much it rose above its start at most, both as fractions of the
// starting energy above rest.
func freeSwing(e *physicsEnv, rest float64, bodies ...*sim.Body) (left, rise float64) {
	g := -e.world.Config().Gravity.Y
	energy := func() float64 {
		sum := -rest
		for _, b := range bodies {
			v, w := b.LinearVelocity(), b.AngularVelocity()
			sum += 0.5*b.Mass()*v.Dot(v) + 0.5*b.Inertia()*w*w + b.Mass()*g*b.WorldCenter().Y
		}
		return sum
	}
	e0 := energy()
	for range int(math.Round(10 / e.def.spec.ControlDT)) {
		e.world.Step()
		rise = math.Max(rise, energy()/e0-1)
	}
	return energy() / e0, rise
}

// fillRandomAction fills a with a uniformly random action in [−1, 1].
func fillRandomAction(rng *rand.Rand, a []float64) []float64 {
	for i := range a {
		a[i] = 2*rng.Float64() - 1
	}
	return a
}

func checkRandomActions(t *testing.T, c commonCase) {
	env := mustMakeEnv(t, c.id)
	for seed := range uint64(5) {
		if bad := randomEpisode(env, c, seed); bad != "" {
			t.Errorf("seed %d: %s", seed, bad)
		}
	}
}

// randomEpisode runs an episode from seed with random actions and describes the first
// problem it meets: an observation outside the space or with a cos/sin pair off the unit
// circle, a reward outside [0, 1], a physics blow-up. It returns "" if there is none.
func randomEpisode(env Env, c commonCase, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 2))
	a := make([]float64, env.ActionSpace().Dim())
	obs, _ := env.Reset(seed)
	for {
		if bad := badObservation(env, c, obs); bad != "" {
			return bad
		}
		o, r, term, trunc, info, err := env.Step(fillRandomAction(rng, a))
		switch {
		case err != nil:
			return err.Error()
		case info.BlowUp:
			return "physics blew up"
		case !(r >= 0 && r <= 1):
			return fmt.Sprintf("reward %v outside [0, 1]", r)
		case term || trunc:
			return badObservation(env, c, o)
		}
		obs = o
	}
}

// badObservation describes what is wrong with obs, or returns "".
func badObservation(env Env, c commonCase, obs []float64) string {
	if !env.ObservationSpace().Contains(obs) {
		return fmt.Sprintf("observation %v outside %v", obs, env.ObservationSpace())
	}
	for _, p := range c.unitPairs {
		if n := math.Hypot(obs[p[0]], obs[p[1]]); !(math.Abs(n-1) <= 1e-12) {
			return fmt.Sprintf("observation %v: components %v have norm %v, want 1", obs, p, n)
		}
	}
	return ""
}

func checkDeterminism(t *testing.T, id string) {
	a, b := mustMakeEnv(t, id), mustMakeEnv(t, id)
	first := func(env Env, seed uint64) []float64 {
		obs, _ := env.Reset(seed)
		return slices.Clone(obs)
	}
	if x, y := first(a, 7), first(b, 7); !slices.Equal(x, y) {
		t.Errorf("seed 7 gave %v and %v", x, y)
	}
	if x, y := first(a, 7), first(a, 8); slices.Equal(x, y) {
		t.Errorf("seeds 7 and 8 both gave %v", x)
	}
}

// checkReplay takes a snapshot mid-episode, steps on, restores and steps again with the same
// actions: with no contacts in the scene the observations must repeat bit for bit.
func checkReplay(t *testing.T, id string) {
	env := mustMakeEnv(t, id)
	rng := rand.New(rand.NewPCG(3, 4))
	a := make([]float64, env.ActionSpace().Dim())
	env.Reset(11)
	for range 20 {
		if _, _, _, _, _, err := env.Step(fillRandomAction(rng, a)); err != nil {
			t.Fatal(err)
		}
	}
	var snap Snapshot
	env.Snapshot(&snap)
	actions := make([][]float64, 30)
	for i := range actions {
		actions[i] = fillRandomAction(rng, make([]float64, len(a)))
	}
	run := func() [][]float64 {
		var out [][]float64
		for _, act := range actions {
			obs, _, term, trunc, _, err := env.Step(act)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, slices.Clone(obs))
			if term || trunc {
				break
			}
		}
		return out
	}
	want := run()
	if err := env.Restore(&snap); err != nil {
		t.Fatal(err)
	}
	got := run()
	if len(got) != len(want) {
		t.Fatalf("the episode lasted %d steps after restoring, %d the first time", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("step %d after restore: %v, first time %v", i, got[i], want[i])
		}
	}
}

// checkParams makes sure every parameter's range is enforced by Make, and that the
// environment stays finite under random actions with each parameter at either end of its
// range.
func checkParams(t *testing.T, c commonCase) {
	r, err := Lookup(c.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Params {
		for _, v := range []float64{p.Min - 1e-6, p.Max + 1e-6, math.NaN(), math.Inf(1)} {
			if _, err := Make(c.id, WithParam(p.Name, v)); err == nil {
				t.Errorf("%s = %v accepted, range [%v, %v]", p.Name, v, p.Min, p.Max)
			}
		}
		for _, v := range []float64{p.Min, p.Max} {
			env, err := Make(c.id, WithParam(p.Name, v))
			if err != nil {
				t.Fatalf("%s = %v rejected: %v", p.Name, v, err)
			}
			if bad := randomEpisode(env, c, 1); bad != "" {
				t.Errorf("%s = %v: %s", p.Name, v, bad)
			}
		}
	}
}

// TestLinkInertia checks a link's moment of inertia about its centre against a solid
// rectangle's m(L² + W²)/12, worked for a 3 kg link 2 m long and 0.16 m (8%) wide.
func TestLinkInertia(t *testing.T) {
	want := 3 * (2*2 + 0.16*0.16) / 12.0
	if got := linkInertia(3, 2); !(math.Abs(got-want) <= 1e-12) {
		t.Errorf("linkInertia(3 kg, 2 m) = %v, want %v", got, want)
	}
}

// TestRodInertia checks the pendulum rod's moment of inertia about its hinge, a solid
// rectangle's m(L² + W²)/12 about its centre plus m(L/2)² by the parallel-axis theorem,
// worked for a 3 kg rod 0.5 m long and 0.03 m (6%) wide: 0.0627250 + 0.1875.
func TestRodInertia(t *testing.T) {
	if got, want := rodInertia(3, 0.5), 0.250225; !(math.Abs(got-want) <= 1e-12) {
		t.Errorf("rodInertia(3 kg, 0.5 m) = %v, want %v", got, want)
	}
}

// TestArmPlaceJoints checks that joints reads back the joint coordinates and rates place
// set, with both joints turning.
func TestArmPlaceJoints(t *testing.T) {
	a := makePhysics(t, reacherID).t.(*reacher).arm
	want := [4]float64{0.7, -1.2, 0.5, -2}
	if err := a.place(want[0], want[1], want[2], want[3]); err != nil {
		t.Fatal(err)
	}
	var got [4]float64
	got[0], got[1], got[2], got[3] = a.joints()
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= 1e-9) {
			t.Fatalf("joints after place%v = %v", want, got)
		}
	}
}
