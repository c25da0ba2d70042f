package agent

import (
	"errors"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/agent/plan"
	"github.com/foresight-sim/foresight/envs"
)

// smallOracle returns an oracle configuration cheap enough for the race detector.
func smallOracle(workers int) OracleConfig {
	c := DefaultOracleConfig()
	c.Plan.Horizon, c.Plan.Samples, c.Plan.Elites, c.Plan.Iterations = 6, 8, 2, 2
	c.Workers = workers
	return c
}

func makeEnv(t testing.TB, id string, opts ...envs.Option) envs.Env {
	t.Helper()
	env, err := envs.Make(id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func newOracle(t testing.TB, env envs.Env, c OracleConfig) *Oracle {
	t.Helper()
	o, err := NewOracle(env, 1, c)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestOracleShortEpisode plays a few steps of each task with a small planner, through New
// for the default configuration's construction and NewOracle for the episode.
func TestOracleShortEpisode(t *testing.T) {
	for _, id := range envs.IDs() {
		t.Run(id, func(t *testing.T) {
			env := makeEnv(t, id, envs.WithMaxEpisodeSteps(4))
			if ag, err := New("oracle", env, 1); err != nil {
				t.Fatal(err)
			} else if _, ok := ag.(*Oracle); !ok {
				t.Fatalf(`New("oracle") built a %T`, ag)
			}
			res, err := Rollout(env, newOracle(t, env, smallOracle(2)), 3)
			if err != nil {
				t.Fatal(err)
			}
			if res.Length != 4 || !res.Truncated {
				t.Errorf("episode %+v, want 4 steps, truncated", res)
			}
		})
	}
}

// oracleActions plays steps steps of an episode from seed with the oracle and returns its
// actions and the imagined observations of its last plan.
func oracleActions(t *testing.T, env envs.Env, o *Oracle, seed uint64, steps int) ([][]float64, [][]float64) {
	t.Helper()
	obs, _ := env.Reset(seed)
	o.Reset(seed)
	var out [][]float64
	for range steps {
		a, err := o.Act(obs)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(a))
		if obs, _, _, _, _, err = env.Step(a); err != nil {
			t.Fatal(err)
		}
	}
	seen, err := o.Imagined()
	if err != nil {
		t.Fatal(err)
	}
	kept := make([][]float64, len(seen))
	for i, obs := range seen {
		kept[i] = slices.Clone(obs)
	}
	return out, kept
}

func TestOracleIgnoresWorkerCount(t *testing.T) {
	env := makeEnv(t, "CartPoleSwingup-v0")
	want, wantSeen := oracleActions(t, env, newOracle(t, env, smallOracle(1)), 5, 6)
	for _, workers := range []int{2, 3} {
		got, seen := oracleActions(t, env, newOracle(t, env, smallOracle(workers)), 5, 6)
		if !slices.EqualFunc(got, want, slices.Equal) || !slices.EqualFunc(seen, wantSeen, slices.Equal) {
			t.Errorf("%d workers planned %v, 1 worker %v", workers, got, want)
		}
	}
	o := newOracle(t, env, smallOracle(2))
	oracleActions(t, env, o, 9, 3)
	if again, _ := oracleActions(t, env, o, 5, 6); !slices.EqualFunc(again, want, slices.Equal) {
		t.Error("Reset(5) after another episode did not replay the episode of seed 5")
	}
}

// TestOracleImaginesTheTruth checks that the imagined observations are those the real
// environment reaches under the planned sequence, and that there are none before a plan.
func TestOracleImaginesTheTruth(t *testing.T) {
	env := makeEnv(t, "Reacher-v0")
	o := newOracle(t, env, smallOracle(2))
	if seen, err := o.Imagined(); seen != nil || err != nil {
		t.Fatalf("Imagined before Act = %v, %v; want nil, nil", seen, err)
	}
	_, seen := oracleActions(t, env, o, 2, 3)
	if len(seen) != 6 {
		t.Fatalf("%d imagined observations, want one per step of the horizon, 6", len(seen))
	}
	// Follow the last plan in the real environment, from the state it was made in.
	if err := env.Restore(&o.model.snap); err != nil {
		t.Fatal(err)
	}
	best := o.planner.Best()
	for k := range seen {
		obs, _, _, _, _, err := env.Step(best[2*k : 2*k+2])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seen[k], obs) {
			t.Fatalf("imagined step %d: %v, real %v", k, seen[k], obs)
		}
	}
	o.Reset(3)
	if seen, _ := o.Imagined(); seen != nil {
		t.Error("Imagined after Reset returned the previous episode's plan")
	}
}

// scripted is an evaluation of fixed sequences by the oracle's simulator from env's state.
func scripted(t *testing.T, env envs.Env, seqs []float64, horizon int) []float64 {
	t.Helper()
	m, err := newSimulator(env, 2)
	if err != nil {
		t.Fatal(err)
	}
	env.Snapshot(&m.snap)
	n := len(seqs) / (horizon * env.ActionSpace().Dim())
	returns := make([]float64, n)
	if err := m.Evaluate(seqs, n, horizon, returns); err != nil {
		t.Fatal(err)
	}
	return returns
}

// stepAll steps env through the actions and returns the sum of rewards until the episode
// ends, the step of the actions it ended at (or −1), and the last step's info.
func stepAll(t *testing.T, env envs.Env, actions []float64) (total float64, end int, info envs.Info) {
	t.Helper()
	d := env.ActionSpace().Dim()
	for k := 0; k < len(actions); k += d {
		_, r, term, trunc, inf, err := env.Step(actions[k : k+d])
		if err != nil {
			t.Fatal(err)
		}
		total, info = total+r, inf
		if term || trunc {
			return total, k / d, info
		}
	}
	return total, -1, info
}

// TestOracleReturns checks the oracle's returns against the real environment: plain sums,
// a sum cut short by the time limit, and Acrobot's absorbing success, which earns the top
// reward for the rest of the episode, or of the horizon without a time limit.
func TestOracleReturns(t *testing.T) {
	t.Run("sum", func(t *testing.T) {
		env := makeEnv(t, "Pendulum-v0")
		env.Reset(4)
		seqs := []float64{1, -1, 0.5, 0, 0, 0, 0, 0, -0.3, 0.7, 0.2, 1}
		got := scripted(t, env, seqs, 4)
		for i := range 3 {
			snap := new(envs.Snapshot)
			env.Snapshot(snap)
			want, _, _ := stepAll(t, env, seqs[4*i:4*i+4])
			if err := env.Restore(snap); err != nil {
				t.Fatal(err)
			}
			if got[i] != want {
				t.Errorf("sequence %d: return %v, want %v", i, got[i], want)
			}
		}
	})
	t.Run("time limit", func(t *testing.T) {
		env := makeEnv(t, "Pendulum-v0", envs.WithMaxEpisodeSteps(10))
		env.Reset(4)
		for range 7 {
			env.Step([]float64{0.5})
		}
		seqs := []float64{1, 1, 1, 1, 1}
		got := scripted(t, env, seqs, 5)[0]
		want, end, _ := stepAll(t, env, seqs)
		if end != 2 || got != want {
			t.Errorf("return %v with the episode ending at step %d, want %v at step 2", got, end, want)
		}
	})
	for _, tc := range []struct {
		name     string
		maxSteps int
	}{{"absorbing success", 200}, {"absorbing success without time limit", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			env := makeEnv(t, "Acrobot-v0", envs.WithMaxEpisodeSteps(tc.maxSteps))
			seqs := pumpAcrobot(t, env, 40)
			got := scripted(t, env, seqs, 40)[0]
			sum, end, info := stepAll(t, env, seqs)
			if end < 0 || !info.Success {
				t.Fatal("the scripted pump did not reach the goal within the horizon")
			}
			left := 40 - 1 - end // steps left in the horizon
			if tc.maxSteps > 0 {
				left = tc.maxSteps - info.Steps // steps left in the episode
			}
			if want := sum + float64(left); got != want {
				t.Errorf("return %v, want %v: %v until success at step %d, then 1 for each of %d steps", got, want, sum, end, left)
			}
		})
	}
}

// pumpAcrobot resets env with seed 0 and pumps energy into the arm, driving the elbow the
// way it turns, until the goal is less than horizon/2 steps away; it returns the pump's
// actions for the next horizon steps (zeros after the goal), leaving env in the state they
// start from.
func pumpAcrobot(t *testing.T, env envs.Env, horizon int) []float64 {
	t.Helper()
	var path []float64
	obs, _ := env.Reset(0)
	for over := false; !over; {
		a := []float64{math.Copysign(1, obs[5])}
		path = append(path, a[0])
		var term, trunc bool
		var err error
		if obs, _, term, trunc, _, err = env.Step(a); err != nil {
			t.Fatal(err)
		}
		over = term || trunc
	}
	start := max(0, len(path)-horizon/2)
	env.Reset(0)
	stepAll(t, env, path[:start])
	seq := make([]float64, horizon)
	copy(seq, path[start:])
	return seq
}

// misnamed is an environment whose spec misdescribes it, so that envs.Make cannot rebuild
// it as it is.
type misnamed struct {
	envs.Env
	id       string
	maxSteps int
}

func (m misnamed) Spec() envs.Spec {
	s := m.Env.Spec()
	s.ID, s.MaxEpisodeSteps = m.id, m.maxSteps
	return s
}

func TestOracleErrors(t *testing.T) {
	pendulum := makeEnv(t, "Pendulum-v0")
	unlimited := makeEnv(t, "Pendulum-v0", envs.WithMaxEpisodeSteps(0))
	badPlanner := smallOracle(1)
	badPlanner.Planner = "gradient"
	badHorizon := smallOracle(1)
	badHorizon.Plan.Horizon = 0
	for _, tc := range []struct {
		name string
		env  envs.Env
		c    OracleConfig
		want string
	}{
		{"planner", pendulum, badPlanner, "unknown planner"},
		{"horizon", pendulum, badHorizon, "horizon"},
		{"workers", pendulum, OracleConfig{Planner: "mppi", Plan: smallOracle(1).Plan, Workers: -1}, "workers"},
		{"unknown id", misnamed{pendulum, "Nowhere-v0", 200}, smallOracle(1), "unknown environment"},
		{"time limit", misnamed{unlimited, "Pendulum-v0", 200}, smallOracle(1), "do not take its state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewOracle(tc.env, 1, tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewOracle: error %v, want one about %q", err, tc.want)
			}
		})
	}
	// Acting on an environment whose episode is over fails without a panic.
	env := makeEnv(t, "Pendulum-v0", envs.WithMaxEpisodeSteps(1))
	o := newOracle(t, env, smallOracle(2))
	obs, _ := env.Reset(1)
	a, err := o.Act(obs)
	if err != nil {
		t.Fatal(err)
	}
	env.Step(a)
	if _, err := o.Act(obs); !errors.Is(err, envs.ErrEpisodeOver) {
		t.Errorf("Act after the episode ended: error %v, want ErrEpisodeOver", err)
	}
}

// TestOracleCopiesParams checks that the oracle's copies of the environment are built with
// its parameters and time limit, so that it plans with the world the agent acts in.
func TestOracleCopiesParams(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0", envs.WithParams(map[string]float64{"length": 2, "mass": 0.5}), envs.WithMaxEpisodeSteps(30))
	o := newOracle(t, env, DefaultOracleConfig())
	want := env.Spec()
	for i, c := range o.model.copies {
		if got := c.Spec(); !reflect.DeepEqual(got.Params, want.Params) || got.MaxEpisodeSteps != want.MaxEpisodeSteps {
			t.Errorf("copy %d has parameters %v and %d steps, want %v and %d", i, got.Params, got.MaxEpisodeSteps, want.Params, want.MaxEpisodeSteps)
		}
	}
}

func TestDefaultOracleConfigIsValid(t *testing.T) {
	c := DefaultOracleConfig()
	c.Plan.Bounds = plan.Bounds{Low: []float64{-1}, High: []float64{1}}
	if _, err := plan.New(c.Planner, c.Plan); err != nil {
		t.Error(err)
	}
}

// BenchmarkOracleAct measures the oracle's planning time per action with each task's
// configuration (OracleConfigFor), from a state a second into an episode, on GOMAXPROCS
// workers (-cpu sets them).
func BenchmarkOracleAct(b *testing.B) {
	for _, id := range envs.IDs() {
		b.Run(id, func(b *testing.B) {
			env := makeEnv(b, id)
			c, err := OracleConfigFor(env.Spec())
			if err != nil {
				b.Fatal(err)
			}
			o := newOracle(b, env, c)
			obs, _ := env.Reset(0)
			zero := make([]float64, env.ActionSpace().Dim())
			for range 20 {
				obs, _, _, _, _, _ = env.Step(zero)
			}
			for b.Loop() {
				if _, err := o.Act(obs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
