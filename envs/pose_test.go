package envs

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// bodies returns copies of the shapes on the body and joint layers of s.
func bodies(s *sim.Scene) []sim.Shape {
	return slices.DeleteFunc(s.Clone().Shapes, func(sh sim.Shape) bool {
		return sh.Layer != sim.LayerBody && sh.Layer != sim.LayerJoint
	})
}

// poseTolerance is how far, in metres, a posed body may be drawn from the simulated one: the
// simulated joints stretch by micrometres, and posing places the links exactly.
const poseTolerance = 1e-4

// unposable lists the environments whose observations do not say where their bodies are,
// and which refuse to pose with ErrNoPose.
var unposable = map[string]bool{driveID: true}

// TestPose checks, for every environment, that posing a second copy, wrapped as Make wraps
// it, from the observation of a first one mid-episode draws the bodies where the first
// one's are, and ends the copy's episode; or, for those unposable lists, that Pose
// returns ErrNoPose.
func TestPose(t *testing.T) {
	for _, id := range IDs() {
		t.Run(id, func(t *testing.T) {
			env, copyEnv := mustMakeEnv(t, id), mustMakeEnv(t, id)
			if unposable[id] {
				obs, _ := env.Reset(3)
				if err := Pose(copyEnv, obs); !errors.Is(err, ErrNoPose) {
					t.Fatalf("Pose: %v, want ErrNoPose", err)
				}
				return
			}
			obs, _ := env.Reset(3)
			rng := rand.New(rand.NewPCG(1, 2))
			action := make([]float64, env.ActionSpace().Dim())
			for range 30 {
				env.ActionSpace().Sample(rng, action)
				obs, _, _, _, _, _ = env.Step(action)
			}
			copyEnv.Reset(4)
			if err := Pose(copyEnv, obs); err != nil {
				t.Fatal(err)
			}
			want, got := bodies(env.Scene()), bodies(copyEnv.Scene())
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("posed scene has %d body shapes, want %d", len(got), len(want))
			}
			for i := range want {
				for j, p := range want[i].Points {
					if q := got[i].Points[j]; math.Hypot(p.X-q.X, p.Y-q.Y) > poseTolerance {
						t.Fatalf("shape %d point %d at %v, want %v", i, j, q, p)
					}
				}
				if c, d := got[i].Center, want[i].Center; math.Hypot(c.X-d.X, c.Y-d.Y) > poseTolerance {
					t.Fatalf("shape %d centre at %v, want %v", i, c, d)
				}
			}
			if _, _, _, _, _, err := copyEnv.Step(action); !errors.Is(err, ErrEpisodeOver) {
				t.Errorf("Step after Pose: %v, want ErrEpisodeOver", err)
			}
		})
	}
}

// TestPoseRejects checks that Pose refuses observations of the wrong size or with
// non-finite components, and environments that cannot pose.
func TestPoseRejects(t *testing.T) {
	env := mustMakeEnv(t, "Pendulum-v0")
	for _, obs := range [][]float64{{1, 0}, {1, 0, 0, 0}, {math.NaN(), 0, 0}, {1, math.Inf(1), 0}} {
		if err := Pose(env, obs); err == nil {
			t.Errorf("Pose(%v) succeeded", obs)
		}
	}
	if err := Pose(struct{ Env }{env}, []float64{1, 0, 0}); !errors.Is(err, ErrNoPose) {
		t.Errorf("Pose through an opaque wrapper: %v, want ErrNoPose", err)
	}
}

// TestGrab checks that a pulled cart follows the pull, that nothing is held where there is
// no body, and that a released cart is left alone.
func TestGrab(t *testing.T) {
	env := mustMakeEnv(t, "CartPoleSwingup-v0")
	obs, _ := env.Reset(1)
	g, ok := AsGrabber(env)
	if !ok {
		t.Fatal("CartPoleSwingup-v0 is not a Grabber")
	}
	if g.Grab(sim.V(0, 5)) {
		t.Error("grabbed a body in empty space")
	}
	start := obs[0]
	if !g.Grab(sim.V(start, 0)) {
		t.Fatal("could not grab the cart at its centre")
	}
	g.Pull(sim.V(start+0.5, 0))
	zero := []float64{0}
	for range 20 {
		obs, _, _, _, _, _ = env.Step(zero)
	}
	if moved := obs[0] - start; moved < 0.3 {
		t.Errorf("the cart moved %.3f m towards a pull 0.5 m away in 1 s, want at least 0.3", moved)
	}
	g.Release()
	v := obs[3]
	obs, _, _, _, _, _ = env.Step(zero)
	if math.Abs(obs[3]-v) > 0.5 {
		t.Errorf("released cart changed speed from %.3f to %.3f m/s in one step", v, obs[3])
	}
}
