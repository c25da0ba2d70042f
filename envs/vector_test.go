package envs

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/sim"
)

// TestBoxes-v0 is a contact scene for the race detector: four boxes dropped in two columns
// onto a static ground box, so that they hit the ground and each other. The action pushes
// the first box sideways.
const boxesID = "TestBoxes-v0"

type boxesTask struct {
	noVars
	boxes [4]*sim.Body
}

var registerBoxesOnce sync.Once

// registerBoxes registers TestBoxes-v0 once per test binary.
func registerBoxes(t testing.TB) {
	t.Helper()
	var err error
	registerBoxesOnce.Do(func() {
		err = Register(Registration{ID: boxesID, MaxEpisodeSteps: 60, New: newBoxes})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newBoxes(Params) (Env, error) {
	def := taskDef{
		spec: Spec{ID: boxesID, ControlDT: 0.05, Substeps: 5, RewardRange: [2]float64{0, 1},
			SuccessRule: "the first box ends within 0.5 m of the middle"},
		world: sim.WorldConfig{Gravity: sim.V(0, -9.81), ControlDT: 0.05, Substeps: 5},
		obs:   UniformBox(math.Inf(-1), math.Inf(1), 12),
		act:   UniformBox(-1, 1, 1),
	}
	return newPhysicsEnv(def, &boxesTask{})
}

func (t *boxesTask) build(w *sim.World) error {
	ground := sim.FixtureDef{Geometry: sim.Box{W: 8, H: 1, Center: sim.V(0, -0.5)}, Friction: 0.6}
	if _, err := w.NewBody(sim.BodyDef{Type: sim.Static, Fixtures: []sim.FixtureDef{ground},
		Style: sim.Style{Fill: colorGuide}}); err != nil {
		return err
	}
	box := sim.FixtureDef{Geometry: sim.Box{W: 0.4, H: 0.4}, Density: 1, Friction: 0.5}
	for i := range t.boxes {
		b, err := w.NewBody(sim.BodyDef{Type: sim.Dynamic, Fixtures: []sim.FixtureDef{box},
			Style: sim.Style{Fill: colorPassive, Stroke: colorOutline, Outline: 0.02}})
		if err != nil {
			return err
		}
		t.boxes[i] = b
	}
	return nil
}

func (t *boxesTask) reset(rng *rand.Rand) error {
	for i, b := range t.boxes {
		pos := sim.V(float64(i%2)-0.5+uniform(rng, 0.15), 0.4+0.6*float64(i)+uniform(rng, 0.1))
		if err := b.SetPose(pos, uniform(rng, 0.5), sim.Vec2{}, 0); err != nil {
			return err
		}
	}
	return nil
}

func (t *boxesTask) act(a []float64) { t.boxes[0].ApplyForce(sim.V(3*a[0], 0)) }

func (t *boxesTask) observe(dst []float64) {
	for i, b := range t.boxes {
		p := b.Position()
		dst[3*i], dst[3*i+1], dst[3*i+2] = p.X, p.Y, b.Angle()
	}
}

func (t *boxesTask) pose(obs []float64) error {
	for i, b := range t.boxes {
		if err := b.SetPose(sim.V(obs[3*i], obs[3*i+1]), obs[3*i+2], sim.Vec2{}, 0); err != nil {
			return err
		}
	}
	return nil
}

func (t *boxesTask) evaluate([]float64) (float64, bool) {
	x := math.Abs(t.boxes[0].Position().X)
	return 1 / (1 + x), x < 0.5
}

func (t *boxesTask) draw(*sim.Scene)    {}
func (t *boxesTask) camera() sim.Camera { return sim.Camera{Center: sim.V(0, 1), Width: 6} }

// serialVector is the reference Vector.Step is compared with: the same semantics written
// plainly, one copy after another.
type serialVector struct {
	envs    []Env
	seed    uint64
	episode []int
}

func (s *serialVector) reset(seed uint64) [][]float64 {
	s.seed, s.episode = seed, make([]int, len(s.envs))
	obs := make([][]float64, len(s.envs))
	for i, env := range s.envs {
		o, _ := env.Reset(VectorSeed(seed, i, 0))
		obs[i] = slices.Clone(o)
	}
	return obs
}

func (s *serialVector) step(actions [][]float64) VectorStep {
	n := len(s.envs)
	res := VectorStep{Obs: make([][]float64, n), Rewards: make([]float64, n), Terminated: make([]bool, n),
		Truncated: make([]bool, n), Infos: make([]Info, n), FinalObs: make([][]float64, n)}
	for i, env := range s.envs {
		obs, r, term, trunc, info, err := env.Step(actions[i])
		if err != nil {
			panic(err)
		}
		res.Obs[i], res.Rewards[i], res.Terminated[i], res.Truncated[i], res.Infos[i] = slices.Clone(obs), r, term, trunc, info
		if term || trunc {
			res.FinalObs[i] = res.Obs[i]
			s.episode[i]++
			obs, _ = env.Reset(VectorSeed(s.seed, i, s.episode[i]))
			res.Obs[i] = slices.Clone(obs)
		}
	}
	return res
}

// cloneStep deep-copies a VectorStep so it survives the next call.
func cloneStep(s VectorStep) VectorStep {
	c := s
	c.Obs, c.FinalObs = make([][]float64, len(s.Obs)), make([][]float64, len(s.Obs))
	for i := range s.Obs {
		c.Obs[i], c.FinalObs[i] = slices.Clone(s.Obs[i]), slices.Clone(s.FinalObs[i])
	}
	c.Rewards, c.Infos = slices.Clone(s.Rewards), slices.Clone(s.Infos)
	c.Terminated, c.Truncated = slices.Clone(s.Terminated), slices.Clone(s.Truncated)
	return c
}

// makeCopies returns a Vector constructor argument making copies of id with episode
// statistics recorded and the given time limit.
func makeCopies(id string, maxSteps int) func(int) (Env, error) {
	return func(int) (Env, error) {
		env, err := Make(id, WithMaxEpisodeSteps(maxSteps))
		if err != nil {
			return nil, err
		}
		return NewRecordEpisodeStatistics(env), nil
	}
}

func newTestVector(t *testing.T, id string, n, workers, maxSteps int) *Vector {
	t.Helper()
	v, err := NewVectorWorkers(n, workers, makeCopies(id, maxSteps))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

// randomActions returns one random action per copy of v, a third of them out of range.
func randomActions(rng *rand.Rand, v *Vector) [][]float64 {
	as := make([][]float64, v.Len())
	for i := range as {
		as[i] = v.Env(i).ActionSpace().Sample(rng, make([]float64, v.Env(i).ActionSpace().Dim()))
		for j := range as[i] {
			as[i][j] *= 1.5
		}
	}
	return as
}

func TestVectorMatchesSerial(t *testing.T) {
	registerBoxes(t)
	tests := []struct {
		id                string
		n, workers, steps int
		closeAt           int // step at which to Close the vector (0: never)
	}{
		{pendulumID, 5, 1, 300, 0},
		{pendulumID, 5, 2, 300, 0},
		{pendulumID, 5, 3, 300, 0},
		{pendulumID, 5, 8, 300, 0},
		{pendulumID, 3, 2, 300, 150},
		{boxesID, 4, 1, 200, 0},
		{boxesID, 4, 3, 200, 0},
	}
	for _, tc := range tests {
		name := fmt.Sprintf("%s/n=%d/workers=%d/close_at=%d", tc.id, tc.n, tc.workers, tc.closeAt)
		t.Run(name, func(t *testing.T) {
			const maxSteps = 7
			v := newTestVector(t, tc.id, tc.n, tc.workers, maxSteps)
			ref := &serialVector{envs: make([]Env, tc.n)}
			for i := range ref.envs {
				ref.envs[i], _ = makeCopies(tc.id, maxSteps)(i)
			}
			if got, want := v.Reset(42), ref.reset(42); !reflect.DeepEqual(got, want) {
				t.Fatalf("Reset: %v, want %v", got, want)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			ends := 0
			for step := range tc.steps {
				if step == tc.closeAt {
					v.Close()
				}
				actions := randomActions(rng, v)
				got, err := v.Step(actions)
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				want := ref.step(actions)
				if got := cloneStep(got); !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d:\n got %+v\nwant %+v", step, got, want)
				}
				for _, f := range want.FinalObs {
					if f != nil {
						ends++
					}
				}
			}
			if ends < tc.steps/maxSteps {
				t.Errorf("only %d episodes ended", ends)
			}
		})
	}
}

func TestVectorAutoreset(t *testing.T) {
	const limit = 3
	v := newTestVector(t, pendulumID, 2, 2, limit)
	v.Reset(9)
	zero := [][]float64{{0}, {0}}
	for step := 1; step <= limit; step++ {
		res, err := v.Step(zero)
		if err != nil {
			t.Fatal(err)
		}
		ended := step == limit
		for i := range 2 {
			if res.Truncated[i] != ended || (res.FinalObs[i] != nil) != ended || res.Infos[i].Episode.Done != ended {
				t.Fatalf("step %d copy %d: truncated %v, final obs %v, episode %+v; want the episode to end at step %d",
					step, i, res.Truncated[i], res.FinalObs[i], res.Infos[i].Episode, limit)
			}
		}
		if !ended {
			continue
		}
		if got := res.Infos[0].Episode.Length; got != limit {
			t.Errorf("episode length %d, want %d", got, limit)
		}
		// Copy 1 now shows its second episode's start, as a lone environment reset with
		// that episode's seed does.
		env, _ := Make(pendulumID)
		if want, _ := env.Reset(VectorSeed(9, 1, 1)); !slices.Equal(res.Obs[1], want) {
			t.Errorf("after autoreset copy 1 observes %v, want the next episode's first observation %v", res.Obs[1], want)
		}
	}
}

// TestVectorIdle steps with pauses long enough for the workers to fall asleep between
// steps, and checks that they wake and agree with a single worker.
func TestVectorIdle(t *testing.T) {
	serial, parallel := newTestVector(t, pendulumID, 4, 1, 5), newTestVector(t, pendulumID, 4, 4, 5)
	serial.Reset(2)
	parallel.Reset(2)
	rng := rand.New(rand.NewPCG(5, 6))
	for step := range 8 {
		time.Sleep(2 * waitSpin)
		actions := randomActions(rng, serial)
		want, err := serial.Step(actions)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parallel.Step(actions)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cloneStep(got), cloneStep(want)) {
			t.Fatalf("step %d: %+v, want %+v", step, got, want)
		}
	}
}

func TestVectorBadActions(t *testing.T) {
	tests := []struct {
		name    string
		actions [][]float64
		reset   bool
	}{
		{"before reset", [][]float64{{0}, {0}, {0}}, false}, // must return ErrEpisodeOver
		{"too few", [][]float64{{0}, {0}}, true},
		{"too many", [][]float64{{0}, {0}, {0}, {0}}, true},
		{"wrong length", [][]float64{{0}, {0, 0}, {0}}, true},
		{"NaN", [][]float64{{0}, {0}, {math.NaN()}}, true},
		{"Inf", [][]float64{{math.Inf(1)}, {0}, {0}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := newTestVector(t, pendulumID, 3, 2, 0)
			if tc.reset {
				v.Reset(1)
			}
			before := vectorSnapshots(v)
			_, err := v.Step(tc.actions)
			if err == nil || !tc.reset && !errors.Is(err, ErrEpisodeOver) {
				t.Fatalf("Step returned error %v", err)
			}
			if !reflect.DeepEqual(before, vectorSnapshots(v)) {
				t.Error("a rejected Step changed a copy")
			}
		})
	}
}

func vectorSnapshots(v *Vector) []Snapshot {
	s := make([]Snapshot, v.Len())
	for i := range s {
		v.Env(i).Snapshot(&s[i])
	}
	return s
}

func TestNewVectorErrors(t *testing.T) {
	fail := errors.New("no")
	tests := []struct {
		name       string
		n, workers int
		newEnv     func(int) (Env, error)
	}{
		{"no copies", 0, 1, makeCopies(pendulumID, 0)},
		{"no workers", 2, 0, makeCopies(pendulumID, 0)},
		{"constructor fails", 3, 1, func(i int) (Env, error) {
			if i == 2 {
				return nil, fail
			}
			return Make(pendulumID)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := NewVectorWorkers(tc.n, tc.workers, tc.newEnv); err == nil {
				v.Close()
				t.Error("no error")
			}
		})
	}
}

// TestVectorOneCopy checks the smallest vector, one copy on one worker.
func TestVectorOneCopy(t *testing.T) {
	v, err := NewVectorWorkers(1, 1, makeCopies(pendulumID, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.Len() != 1 {
		t.Errorf("%d copies, want 1", v.Len())
	}
}

// TestVectorSeedValues pins VectorSeed's values: every recorded vectorised run depends on
// them, so a change must be deliberate.
func TestVectorSeedValues(t *testing.T) {
	for _, c := range []struct {
		base uint64
		i, e int
		want uint64
	}{
		{0, 0, 0, 0x238275bc38fcbe91},
		{1, 2, 3, 0xe6f19ca578bd2189},
		{42, 7, 100, 0xb66fc6c5c1fbc201},
	} {
		if got := VectorSeed(c.base, c.i, c.e); got != c.want {
			t.Errorf("VectorSeed(%d, %d, %d) = %#x, want %#x", c.base, c.i, c.e, got, c.want)
		}
	}
}

func TestVectorSeedsDistinct(t *testing.T) {
	seen := map[uint64]bool{}
	for base := range uint64(4) {
		for i := range 16 {
			for e := range 16 {
				s := VectorSeed(base, i, e)
				if seen[s] {
					t.Fatalf("VectorSeed(%d, %d, %d) = %d repeats an earlier seed", base, i, e, s)
				}
				seen[s] = true
			}
		}
	}
}

func TestBoxesCheck(t *testing.T) {
	registerBoxes(t)
	// Contacts are not part of snapshots, so replays after Restore may drift slightly.
	err := Check(func() (Env, error) { return Make(boxesID) }, CheckRestoreTolerance(1e-3), CheckSteps(2000))
	if err != nil {
		t.Error(err)
	}
}

// vectorBenchID returns the environment BenchmarkVector steps.
func vectorBenchID() string {
	if _, err := Lookup("CartPoleSwingup-v0"); err == nil {
		return "CartPoleSwingup-v0"
	}
	return pendulumID
}

func BenchmarkVector(b *testing.B) {
	const n = 8
	id := vectorBenchID()
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("%s/workers=%d", id, workers), func(b *testing.B) {
			v, err := NewVectorWorkers(n, workers, func(int) (Env, error) { return Make(id) })
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			v.Reset(1)
			actions := make([][]float64, n)
			for i := range actions {
				actions[i] = make([]float64, v.Env(i).ActionSpace().Dim())
			}
			for b.Loop() {
				if _, err := v.Step(actions); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
