package show

import (
	"errors"
	"image/color"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
)

// dreamer is an agent.Imaginer that imagines a fixed future.
type dreamer struct {
	agent.Agent
	future [][]float64
	err    error
}

func (d dreamer) Imagined() ([][]float64, error) { return d.future, d.err }

// counted is a dreamer that counts the calls to Imagined.
type counted struct {
	dreamer
	calls *int
}

func (c counted) Imagined() ([][]float64, error) { *c.calls++; return c.dreamer.Imagined() }

// opaque hides the Poser of the environment it wraps.
type opaque struct{ envs.Env }

// pendulumAt returns Pendulum-v0's observation of the rod at angle θ from upright, at rest.
func pendulumAt(theta float64) []float64 { return []float64{math.Cos(theta), math.Sin(theta), 0} }

func TestGhosts(t *testing.T) {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	still := agent.NewZero(env.ActionSpace())
	future := [][]float64{pendulumAt(0.1), {1, 0}, pendulumAt(0.5), pendulumAt(1)}
	tests := []struct {
		name  string
		ag    agent.Agent
		env   envs.Env
		steps int // ghosts expected; -1 for nil
	}{
		{"not an imaginer", still, env, -1},
		{"imagines nothing", dreamer{Agent: still}, env, -1},
		{"fails to imagine", dreamer{Agent: still, future: future, err: errors.New("no")}, env, -1},
		{"cannot pose", dreamer{Agent: still, future: future}, opaque{env}, -1},
		{"skips what cannot be posed", dreamer{Agent: still, future: future}, env, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ghosts := Ghosts(tt.ag, tt.env, tt.env)
			if tt.steps < 0 {
				if ghosts != nil {
					t.Errorf("%d ghosts, want nil", len(ghosts))
				}
				return
			}
			if len(ghosts) != tt.steps {
				t.Fatalf("%d ghosts, want %d", len(ghosts), tt.steps)
			}
			for i, step := range ghosts {
				if len(step) == 0 {
					t.Errorf("ghost %d has no shapes", i)
				}
				for _, sh := range step {
					if sh.Layer != sim.LayerBody && sh.Layer != sim.LayerJoint {
						t.Errorf("ghost %d has a shape on layer %d", i, sh.Layer)
					}
				}
			}
			if reflect.DeepEqual(ghosts[0], ghosts[2]) {
				t.Error("the rod at 0.1 and at 1 rad gives the same ghost")
			}
			want := Ghosts(dreamer{Agent: still, future: future[2:3]}, env, env)
			if !reflect.DeepEqual(ghosts[1], want[0]) {
				t.Error("a later pose changed an earlier ghost: ghosts share memory with the scene")
			}
		})
	}
	pixels, err := envs.NewPixelObservation(env, envs.PixelConfig{Width: 8, Height: 8, Stack: 1})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	if g := Ghosts(counted{dreamer{Agent: still, future: future}, &calls}, pixels, pixels); g != nil || calls != 0 {
		t.Errorf("observed in images: %d ghosts after %d calls to Imagined, want none and none (decoding a plan is costly)", len(g), calls)
	}
}

func TestGhostSteps(t *testing.T) {
	tests := []struct {
		n    int
		want []int
	}{
		{0, nil},
		{1, []int{0}},
		{5, []int{4, 3, 2, 1, 0}},
		{12, []int{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}},
		{13, []int{12, 11, 9, 7, 5, 3, 1}},
		{45, []int{44, 43, 39, 35, 31, 27, 23, 19, 15, 11, 7, 3}},
	}
	for _, tt := range tests {
		if got := GhostSteps(tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("GhostSteps(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestGhostAlpha(t *testing.T) {
	tests := []struct {
		i, n int
		want float64
	}{
		{0, 1, 0.55},
		{0, 10, 0.55},
		{9, 10, 0.1},
		{1, 3, 0.325},
	}
	for _, tt := range tests {
		if got := GhostAlpha(tt.i, tt.n); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("GhostAlpha(%d, %d) = %v, want %v", tt.i, tt.n, got, tt.want)
		}
	}
}

// TestOverlay checks that the overlay lists the ghosts farthest first, faded by their
// distance, on the layer just above the joints, and leaves the ghosts as they were.
func TestOverlay(t *testing.T) {
	shape := func(x float64) sim.Shape {
		return sim.Shape{Kind: sim.Circle, Layer: sim.LayerBody, Center: sim.V(x, 0), Radius: 1,
			Fill: color.NRGBA{R: 9, A: 200}, Stroke: color.NRGBA{G: 9, A: 100}}
	}
	ghosts := [][]sim.Shape{{shape(1)}, {shape(2)}}
	got := Overlay(ghosts)
	far, near := shape(2), shape(1)
	far.Layer, near.Layer = sim.LayerJoint+1, sim.LayerJoint+1
	far.Fill.A, far.Stroke.A = 20, 10    // 0.1 of 200 and 100
	near.Fill.A, near.Stroke.A = 110, 55 // 0.55
	if want := []sim.Shape{far, near}; !reflect.DeepEqual(got, want) {
		t.Errorf("Overlay = %+v\nwant %+v", got, want)
	}
	if !reflect.DeepEqual(ghosts[0][0], shape(1)) {
		t.Error("Overlay changed the ghosts")
	}
	if Overlay(nil) != nil {
		t.Error("Overlay of no ghosts is not empty")
	}
}

// TestGhostsTraced checks that an environment that cannot pose but can trace, Drive-v0,
// has its ghosts traced from its present state: a car imagined at 2 m/s straight ahead is
// drawn 0.1 m further on at each step.
func TestGhostsTraced(t *testing.T) {
	env, err := envs.Make("Drive-v0")
	if err != nil {
		t.Fatal(err)
	}
	env.Reset(1)
	moving := make([]float64, env.ObservationSpace().Dim())
	moving[0] = 2
	ghosts := Ghosts(dreamer{Agent: agent.NewZero(env.ActionSpace()), future: [][]float64{moving, moving, moving}}, env, env)
	if len(ghosts) != 3 {
		t.Fatalf("%d ghosts, want 3", len(ghosts))
	}
	centre := func(sh sim.Shape) sim.Vec2 {
		var c sim.Vec2
		for _, p := range sh.Points {
			c = c.Add(p.Scale(1 / float64(len(sh.Points))))
		}
		return c
	}
	for k := 1; k < 3; k++ {
		if d := centre(ghosts[k][0]).Sub(centre(ghosts[k-1][0])).Len(); math.Abs(d-0.1) > 1e-9 {
			t.Errorf("ghost %d is %v m from the one before, want 0.1", k, d)
		}
	}
}

// weigher is an agent.Weigher with fixed candidates.
type weigher struct {
	agent.Agent
	cands []agent.Candidate
}

func (w weigher) Weighed(n int) ([]agent.Candidate, error) {
	return w.cands[:min(n, len(w.cands))], nil
}

// TestCandidates checks the planner layer: the pendulum posed where each candidate ends,
// coloured from green for the best to red for the worst, the best drawn last, on top; and
// nothing for an agent that weighs nothing.
func TestCandidates(t *testing.T) {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	pose, _ := envs.Make("Pendulum-v0")
	env.Reset(1)
	angle := func(th float64) []float64 { return []float64{math.Cos(th), math.Sin(th), 0} }
	w := weigher{Agent: agent.NewZero(env.ActionSpace()), cands: []agent.Candidate{
		{Future: [][]float64{angle(0.3), angle(0.1)}, Return: 9},
		{Future: [][]float64{angle(2), angle(2.5)}, Return: 4},
		{Future: [][]float64{angle(3), angle(3.1)}, Return: 1},
	}}
	shapes := Candidates(w, env, pose)
	per := len(shapes) / 3
	if per == 0 || len(shapes)%3 != 0 {
		t.Fatalf("%d shapes for 3 candidates", len(shapes))
	}
	worst, best := shapes[0], shapes[len(shapes)-1]
	if worst.Fill.R <= worst.Fill.G || best.Fill.G <= best.Fill.R {
		t.Errorf("worst candidate coloured %v, best %v: want red then green", worst.Fill, best.Fill)
	}
	for _, sh := range shapes {
		if sh.Layer != sim.LayerJoint+1 || sh.Fill.A == 255 {
			t.Fatalf("a candidate's shape on layer %d with opacity %d: want above the bodies, translucent", sh.Layer, sh.Fill.A)
		}
	}
	if got := Candidates(agent.NewZero(env.ActionSpace()), env, pose); got != nil {
		t.Errorf("an agent that weighs nothing has %d candidate shapes", len(got))
	}
}

// subgoaler is an agent whose coarse plan leads to fixed observations.
type subgoaler struct {
	agent.Agent
	future [][]float64
}

func (s subgoaler) Subgoals() ([][]float64, error) { return s.future, nil }

// TestSubgoals checks the coarse plan's outlines: one set per coarse step, outlines alone in
// the subgoal's colour above the bodies, the first (the subgoal) boldest, and nothing of what
// stays where it is, as Maze-v0's walls do.
func TestSubgoals(t *testing.T) {
	env, err := envs.Make("Maze-v0")
	if err != nil {
		t.Fatal(err)
	}
	pose, _ := envs.Make("Maze-v0")
	obs, _ := env.Reset(1)
	at := func(dx, dy float64) []float64 {
		o := slices.Clone(obs)
		o[0], o[1] = o[0]+dx, o[1]+dy
		return o
	}
	s := subgoaler{Agent: agent.NewZero(env.ActionSpace()), future: [][]float64{at(0, -0.5), at(0, -1), at(0.5, -1)}}
	shapes := Subgoals(s, env, pose)
	if len(shapes) != 3 {
		t.Fatalf("%d shapes for 3 coarse steps of one robot: want 3, the walls left out", len(shapes))
	}
	for i, sh := range shapes {
		if sh.Layer != sim.LayerJoint+2 || sh.Fill.A != 0 || sh.Stroke.R != colorSubgoal.R || sh.Stroke.B != colorSubgoal.B {
			t.Errorf("step %d: layer %d, fill %v, stroke %v: want an outline in the subgoal's colour above the bodies", i, sh.Layer, sh.Fill, sh.Stroke)
		}
	}
	if !(shapes[0].Width > shapes[1].Width) || !(shapes[0].Stroke.A > shapes[2].Stroke.A) {
		t.Errorf("widths %v, %v and opacities %d, %d: want the subgoal boldest", shapes[0].Width, shapes[1].Width, shapes[0].Stroke.A, shapes[2].Stroke.A)
	}
	if got := Subgoals(agent.NewZero(env.ActionSpace()), env, pose); got != nil {
		t.Errorf("an agent of one level has %d subgoal shapes", len(got))
	}
}
