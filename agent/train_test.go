package agent

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
)

// recorder is a Learner wrapped around the zero agent that counts what the loop tells it.
type recorder struct {
	Agent
	observed, episodes int
	evalSteps          int
	eval               bool
}

func (r *recorder) Observe(Transition) error {
	if r.eval {
		panic("Observe in evaluation mode")
	}
	r.observed++
	return nil
}

func (r *recorder) EndEpisode() error { r.episodes++; return nil }
func (r *recorder) SetEval(on bool)   { r.eval = on }

func (r *recorder) Act(obs []float64) ([]float64, error) {
	if r.eval {
		r.evalSteps++
	}
	return r.Agent.Act(obs)
}

func TestTrainBudgetAndCurve(t *testing.T) {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{Agent: NewZero(env.ActionSpace())}
	res, err := Train(env, rec, "zero", TrainConfig{Seed: 3, Budget: 25 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// 10 s episodes: two whole ones and half of a third.
	if res.Episodes != 3 || !(math.Abs(res.Experience-25) <= 1e-9) || len(res.Curve) != 3 {
		t.Fatalf("%d episodes, %v s of experience, %d curve points; want 3, 25 s, 3", res.Episodes, res.Experience, len(res.Curve))
	}
	if rec.observed != 500 || rec.episodes != 3 {
		t.Errorf("learner saw %d transitions in %d episodes, want 500 in 3", rec.observed, rec.episodes)
	}
	if res.Competent || res.TTC != nil || rec.evalSteps != 0 {
		t.Errorf("a zero agent on Pendulum was judged: competent %v, %d evaluation steps", res.Competent, rec.evalSteps)
	}
	if got := res.Curve[2].Experience; !(math.Abs(got-25) <= 1e-9) {
		t.Errorf("last curve point at %v s, want 25 s", got)
	}
}

func TestTrainNeedsTimeLimit(t *testing.T) {
	env, err := envs.Make("Pendulum-v0", envs.WithMaxEpisodeSteps(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Train(env, NewZero(env.ActionSpace()), "zero", TrainConfig{Budget: time.Second}); err == nil {
		t.Error("Train accepted an environment without a time limit")
	}
}

// coinEnv is a two-step episode that succeeds when the last action is positive.
type coinEnv struct {
	steps int
	obs   [1]float64
}

func (c *coinEnv) Spec() envs.Spec {
	return envs.Spec{ID: "Coin-v0", ControlDT: 0.5, Substeps: 1, MaxEpisodeSteps: 2,
		RewardRange: [2]float64{0, 1}, SuccessRule: "the last action is positive"}
}
func (c *coinEnv) ObservationSpace() envs.Box { return envs.UniformBox(0, 2, 1) }
func (c *coinEnv) ActionSpace() envs.Box      { return envs.UniformBox(-1, 1, 1) }
func (c *coinEnv) Reset(uint64) ([]float64, envs.Info) {
	c.steps = 0
	return c.obs[:], envs.Info{}
}
func (c *coinEnv) Step(a []float64) ([]float64, float64, bool, bool, envs.Info, error) {
	c.steps++
	c.obs[0] = float64(c.steps)
	info := envs.Info{Success: a[0] > 0, Time: 0.5 * float64(c.steps), Steps: c.steps}
	return c.obs[:], 0, false, c.steps == 2, info, nil
}
func (c *coinEnv) Snapshot(*envs.Snapshot)      {}
func (c *coinEnv) Restore(*envs.Snapshot) error { return nil }
func (c *coinEnv) Scene() *sim.Scene            { return &sim.Scene{} }

// tosser plays +1 in training and, in its i-th evaluation episode, evalActions[i] (cycled).
type tosser struct {
	recorder
	evalActions []float64
	out         [1]float64
}

func (t *tosser) Act([]float64) ([]float64, error) {
	t.out[0] = 1
	if t.eval {
		t.out[0] = t.evalActions[t.evalSteps/2%len(t.evalActions)]
		t.evalSteps++
	}
	return t.out[:], nil
}

// TestTrainCompetence checks the default competence rule of 4 successes in 5 evaluations
// and the smallest rule, 1 in 1, and that an evaluation stops as soon as its outcome is
// settled.
func TestTrainCompetence(t *testing.T) {
	tests := []struct {
		name        string
		rule        Competence // the default when zero
		evalActions []float64
		competent   bool
		evaluated   int // successes in the first evaluation
		played      int // evaluation episodes in the first evaluation
	}{
		{"passes at the fourth success", Competence{}, []float64{1}, true, 4, 4},
		{"passes after one failure", Competence{}, []float64{-1, 1, 1, 1, 1}, true, 4, 5},
		{"fails at the second failure", Competence{}, []float64{-1}, false, 0, 2},
		{"fails late", Competence{}, []float64{1, 1, 1, -1, -1}, false, 3, 5},
		{"1 in 1 passes", Competence{Trials: 1, Needed: 1}, []float64{1}, true, 1, 1},
		{"1 in 1 fails", Competence{Trials: 1, Needed: 1}, []float64{-1}, false, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ag := &tosser{recorder: recorder{Agent: NewZero(envs.UniformBox(-1, 1, 1))}, evalActions: tt.evalActions}
			var played int
			cfg := TrainConfig{Seed: 1, Budget: 3 * time.Second, StopWhenCompetent: true, Competence: tt.rule, Progress: func(EpisodePoint) {
				if played == 0 {
					played = ag.evalSteps / 2
				}
			}}
			res, err := Train(&coinEnv{}, ag, "tosser", cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Competent != tt.competent || res.Curve[0].Evaluated != tt.evaluated || played != tt.played {
				t.Fatalf("competent %v after %d successes in %d evaluation episodes, want %v after %d in %d",
					res.Competent, res.Curve[0].Evaluated, played, tt.competent, tt.evaluated, tt.played)
			}
			if tt.competent && (res.TTC == nil || *res.TTC != 1 || res.Episodes != 1) {
				t.Errorf("TTC %v after %d episodes, want 1 s after the first", res.TTC, res.Episodes)
			}
			if !tt.competent && (res.Episodes != 3 || res.Curve[2].Evaluated != tt.evaluated) {
				t.Errorf("%d episodes, last evaluated %d: want 3, each success evaluated alike (%d)", res.Episodes, res.Curve[2].Evaluated, tt.evaluated)
			}
			if ag.observed != 2*res.Episodes {
				t.Errorf("learner saw %d transitions, want %d: evaluation must not count", ag.observed, 2*res.Episodes)
			}
		})
	}
}

// TestTrainerSteps checks that stepping a Trainer by hand, taking over training episodes
// with an action of one's own, runs the loop Train runs: the same curve, the learner seeing
// the transitions of the actions taken, and no taking over of evaluations.
func TestTrainerSteps(t *testing.T) {
	cfg := TrainConfig{Seed: 1, Budget: 3 * time.Second}
	want, err := Train(&coinEnv{}, &tosser{recorder: recorder{Agent: NewZero(envs.UniformBox(-1, 1, 1))}, evalActions: []float64{-1}}, "tosser", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ag := &tosser{recorder: recorder{Agent: NewZero(envs.UniformBox(-1, 1, 1))}, evalActions: []float64{-1}}
	tr, err := NewTrainer(&coinEnv{}, ag, "tosser", cfg)
	if err != nil {
		t.Fatal(err)
	}
	steps, refused := 0, 0
	for !tr.Done() {
		if evaluating, _ := tr.Evaluating(); evaluating {
			if _, err := tr.Step([]float64{1}); err == nil {
				t.Fatal("Step took over an evaluation episode")
			}
			refused++
			if _, err := tr.Step(nil); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := tr.Step([]float64{1}); err != nil { // the same action the tosser takes
			t.Fatal(err)
		}
		steps++
	}
	got := tr.Result()
	if !slices.Equal(got.Curve, want.Curve) || got.Experience != want.Experience {
		t.Errorf("stepped by hand: %+v\nTrain: %+v", got.Curve, want.Curve)
	}
	if ag.observed != steps || refused == 0 {
		t.Errorf("learner saw %d transitions of %d taken over; %d evaluation steps refused", ag.observed, steps, refused)
	}
	if _, err := tr.Step(nil); err == nil {
		t.Error("Step after the run is over succeeded")
	}
}

// TestTrainerEndEpisode checks that ending a training episode early books it on the curve
// with the experience it had, as a failure.
func TestTrainerEndEpisode(t *testing.T) {
	tr, err := NewTrainer(&coinEnv{}, NewZero(envs.UniformBox(-1, 1, 1)), "zero", TrainConfig{Budget: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Step(nil); err != nil {
		t.Fatal(err)
	}
	if got := tr.Experience(); got != 0.5 {
		t.Errorf("experience %v mid-episode, want 0.5", got)
	}
	if err := tr.EndEpisode(); err != nil {
		t.Fatal(err)
	}
	res := tr.Result()
	if res.Episodes != 1 || res.Experience != 0.5 || len(res.Curve) != 1 || res.Curve[0].Length != 1 {
		t.Errorf("after ending the first episode at its first step: %+v", res)
	}
}

// TestNewTrainerRejects checks that impossible competence rules are refused.
func TestNewTrainerRejects(t *testing.T) {
	for _, rule := range []Competence{{Trials: 5, Needed: 6}, {Trials: 3, Needed: -1}, {Trials: -1, Needed: 1}, {Trials: 1, Needed: 0}, {Trials: 0, Needed: 1}} {
		if _, err := NewTrainer(&coinEnv{}, NewZero(envs.UniformBox(-1, 1, 1)), "zero", TrainConfig{Budget: time.Second, Competence: rule}); err == nil {
			t.Errorf("NewTrainer accepted the rule %+v", rule)
		}
	}
}

// seedLog is a tosser that records the seeds of its training and evaluation episodes.
type seedLog struct {
	tosser
	trainSeeds, evalSeeds []uint64
}

func (s *seedLog) Reset(seed uint64) {
	if s.eval {
		s.evalSeeds = append(s.evalSeeds, seed)
	} else {
		s.trainSeeds = append(s.trainSeeds, seed)
	}
}

// TestTrainEvaluationSeeds checks the seeds of evaluation episodes in runs where every
// training episode triggers an evaluation, settled after three of its five episodes (one
// success, two failures) or after two (no success): they are never those of training
// episodes, never reused, and a run stopped and resumed from its checkpoint plays the same
// ones as a run never stopped.
func TestTrainEvaluationSeeds(t *testing.T) {
	tests := []struct {
		name        string
		evalActions []float64
		played      int // evaluation episodes in each evaluation
	}{
		{"one success", []float64{1, -1, -1}, 3},
		{"no success", []float64{-1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := func(budget time.Duration, dir string) *seedLog {
				t.Helper()
				env := &coinEnv{}
				ag := &seedLog{tosser: tosser{recorder: recorder{Agent: NewZero(env.ActionSpace())}, evalActions: tt.evalActions}}
				trainResuming(t, env, ag, "tosser", 7, budget, dir)
				return ag
			}
			whole := run(10*time.Second, t.TempDir()) // ten 1 s episodes
			dir := t.TempDir()
			first, resumed := run(4*time.Second, dir), run(10*time.Second, dir)
			if len(whole.trainSeeds) != 10 || len(whole.evalSeeds) != 10*tt.played {
				t.Fatalf("%d training and %d evaluation episodes, want 10 and %d (10 evaluations of %d)",
					len(whole.trainSeeds), len(whole.evalSeeds), 10*tt.played, tt.played)
			}
			checkSeeds(t, whole, first, resumed)
		})
	}
}

// checkSeeds fails if the runs first and then resumed did not play the seeds of the run
// whole, or if whole used a seed twice.
func checkSeeds(t *testing.T, whole, first, resumed *seedLog) {
	t.Helper()
	if got := slices.Concat(first.evalSeeds, resumed.evalSeeds); !slices.Equal(got, whole.evalSeeds) {
		t.Errorf("evaluation seeds stopped after 4 episodes and resumed:\n%v\nnever stopped:\n%v", got, whole.evalSeeds)
	}
	if got := slices.Concat(first.trainSeeds, resumed.trainSeeds); !slices.Equal(got, whole.trainSeeds) {
		t.Errorf("training seeds stopped after 4 episodes and resumed:\n%v\nnever stopped:\n%v", got, whole.trainSeeds)
	}
	use := map[uint64]string{}
	for _, episodes := range []struct {
		kind  string
		seeds []uint64
	}{{"training", whole.trainSeeds}, {"evaluation", whole.evalSeeds}} {
		for i, s := range episodes.seeds {
			if use[s] != "" {
				t.Errorf("%s episode %d has seed %d, already used by %s episodes", episodes.kind, i, s, use[s])
			}
			use[s] = episodes.kind
		}
	}
}

// TestTrainResumedWall checks that a resumed run's wall time adds the time it ran to the
// wall time of the run it resumes.
func TestTrainResumedWall(t *testing.T) {
	cfg := TrainConfig{Seed: 2, Budget: 4 * time.Second}
	res, err := Train(&coinEnv{}, NewZero(envs.UniformBox(-1, 1, 1)), "zero", cfg)
	if err != nil {
		t.Fatal(err)
	}
	const before = 3600.0
	res.Wall = before
	cfg.Resume, cfg.Budget = &res, 10*time.Second
	start := time.Now()
	got, err := Train(&coinEnv{}, NewZero(envs.UniformBox(-1, 1, 1)), "zero", cfg)
	took := time.Since(start).Seconds()
	if err != nil {
		t.Fatal(err)
	}
	if !(got.Wall >= before && got.Wall <= before+took) {
		t.Errorf("wall time %v s after resuming a run of %v s for %v s, want between them", got.Wall, before, took)
	}
}

// TestPastBudget pins the end of a budget of 10 s gathered in steps of 0.05 s: a run may end
// up to one step past it, give or take a relative 1e-9 for the rounding of sums.
func TestPastBudget(t *testing.T) {
	secs, dt := (10 * time.Second).Seconds(), 0.05
	limit := secs*(1+1e-9) + dt // rounded as PastBudget rounds it, not as constants fold
	for _, tt := range []struct {
		experience float64
		past       bool
	}{
		{9.9, false}, {10, false}, {10.04, false}, {10.05, false}, {limit, false},
		{math.Nextafter(limit, math.Inf(1)), true}, {10.06, true}, {math.Inf(1), true},
	} {
		if got := PastBudget(tt.experience, 10*time.Second, dt); got != tt.past {
			t.Errorf("PastBudget(%v s of 10 s in 0.05 s steps) = %v, want %v", tt.experience, got, tt.past)
		}
	}
}
