package agent

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/foresight-sim/foresight/agent/plan"
	"github.com/foresight-sim/foresight/envs"
)

// Oracle plans with a copy of the true simulator: at every step it snapshots the
// environment it acts in, and scores candidate action sequences by replaying them on private
// copies restored from the snapshot. No learned model can predict better, so the oracle is
// the upper bound of planning with a given planner and budget, and the proof that each task
// can be solved.
//
// A candidate's return is the sum of the rewards over the horizon. If a copy's episode
// terminates with Info.Success (Acrobot's absorbing success state), the return adds the top
// reward, Spec().RewardRange[1], for every step left in the episode (in the horizon, for an
// episode without a time limit), as acrobot.go asks of planners: that is what the success
// state earns, and more than any plan that has not yet succeeded can count on. If an episode
// terminates otherwise, or is truncated by the time limit or a blow-up, the sum stops there.
//
// The copies run on parallel goroutines; since each replay depends only on the snapshot and
// the sequence, the actions do not depend on the number of workers, bit for bit.
type Oracle struct {
	env     envs.Env
	planner plan.Planner
	model   *simulator
	planned bool // the model's snapshot holds the state of this episode's last plan
}

// OracleConfig configures an Oracle.
type OracleConfig struct {
	// Planner names the planner (see plan.Names).
	Planner string
	// Plan holds the planner's hyper-parameters. Empty Bounds stand for the environment's
	// action space; the seed comes from the agent's.
	Plan plan.Config
	// Workers is the number of copies of the environment replaying candidates in parallel;
	// zero means GOMAXPROCS.
	Workers int
}

// DefaultOracleConfig returns the oracle's hyper-parameters: MPPI over 45 steps (2.25 s at
// the built-in tasks' 0.05 s) with 64 samples, 8 elites and 3 iterations, and noise
// correlated 0.8 between steps. OracleConfigFor changes them only where a task's tunings say
// (CartPoleSwingup-v0 gives it twice the samples).
//
// Why these values: docs/decisions.md#oracle-planner-defaultoracleconfig.
func DefaultOracleConfig() OracleConfig {
	return OracleConfig{
		Planner: "mppi",
		Plan: plan.Config{
			Horizon:     45,
			Samples:     64,
			Elites:      8,
			Iterations:  3,
			Temperature: 0.5,
			Momentum:    0.1,
			InitStd:     1,
			MinStd:      0.05,
			Correlation: 0.8,
		},
	}
}

// NewOracle returns an oracle that acts in env, seeded with seed. env must be the
// environment the oracle's actions are applied to, and one that envs.Make can rebuild from
// its Spec (its id, parameters and time limit): the oracle makes its copies that way. It
// returns an error if the configuration is invalid or the copies cannot be made or restored
// from env's state.
func NewOracle(env envs.Env, seed uint64, c OracleConfig) (*Oracle, error) {
	p, err := newPlanner(c.Planner, c.Plan, env.ActionSpace(), seed)
	if err != nil {
		return nil, fmt.Errorf("agent: oracle: %w", err)
	}
	workers := c.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	m, err := newSimulator(env, workers)
	if err != nil {
		return nil, fmt.Errorf("agent: oracle: %w", err)
	}
	return &Oracle{env: env, planner: p, model: m}, nil
}

// Reset forgets the previous plan and restarts the planner's random draws from seed.
func (o *Oracle) Reset(seed uint64) {
	o.planner.Reset(seed)
	o.planned = false
}

// Act plans from the environment's current state and returns the first action of the best
// sequence found; it ignores obs, reading the state from the environment instead. It returns
// an error if the environment's episode is over or a replay fails.
func (o *Oracle) Act([]float64) ([]float64, error) {
	o.env.Snapshot(&o.model.snap)
	a, err := o.planner.Plan(o.model)
	o.planned = err == nil
	if err != nil {
		return nil, fmt.Errorf("agent: oracle: %w", err)
	}
	return a, nil
}

// Imagined returns the observations the oracle's best sequence leads to from the state it
// last planned from, one per step (fewer if the episode would end first), or nil before the
// first Act of an episode. The result belongs to the oracle and is overwritten by the next
// call. It returns an error if the replay fails.
func (o *Oracle) Imagined() ([][]float64, error) {
	if !o.planned {
		return nil, nil
	}
	best := o.planner.Best()
	return o.model.Imagine(best, len(best)/o.env.ActionSpace().Dim())
}

// simulator is the true simulator as a plan.Evaluator: copies of an environment that replay
// action sequences from a snapshot.
type simulator struct {
	snap     envs.Snapshot
	copies   []envs.Env
	errs     []error // per copy
	next     atomic.Int64
	top      float64 // reward per step after a successful termination
	maxSteps int
	seen     [][]float64 // Imagine's observations
}

var _ plan.Evaluator = (*simulator)(nil)

// newSimulator makes workers copies of env and checks that they accept env's state.
func newSimulator(env envs.Env, workers int) (*simulator, error) {
	if workers < 1 {
		return nil, fmt.Errorf("%d workers: want at least 1", workers)
	}
	spec := env.Spec()
	m := &simulator{copies: make([]envs.Env, workers), errs: make([]error, workers),
		top: spec.RewardRange[1], maxSteps: spec.MaxEpisodeSteps}
	for i := range m.copies {
		c, err := envs.Make(spec.ID, envs.WithMaxEpisodeSteps(spec.MaxEpisodeSteps), envs.WithParams(spec.Params.Values()))
		if err != nil {
			return nil, err
		}
		m.copies[i] = c
	}
	env.Snapshot(&m.snap)
	if err := m.copies[0].Restore(&m.snap); err != nil {
		return nil, fmt.Errorf("copies of %s made by envs.Make do not take its state: %w", spec.ID, err)
	}
	return m, nil
}

// absorbed returns the value of the absorbing success state reached at step steps of the
// episode with left steps of the horizon to go: the top reward for each step left in the
// episode, or in the horizon if the episode has no time limit.
func (m *simulator) absorbed(left, steps int) float64 {
	if m.maxSteps > 0 {
		left = m.maxSteps - steps
	}
	return m.top * float64(left)
}

// Evaluate replays the n sequences on the copies in parallel, each worker taking the next
// sequence not yet claimed, and writes their returns.
func (m *simulator) Evaluate(seqs []float64, n, horizon int, returns []float64) error {
	size := len(seqs) / n
	m.next.Store(0)
	clear(m.errs)
	work := func(w int) {
		for {
			i := int(m.next.Add(1) - 1)
			if i >= n {
				return
			}
			returns[i], m.errs[w] = m.replay(m.copies[w], seqs[i*size:(i+1)*size], horizon, nil)
			if m.errs[w] != nil {
				return
			}
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < len(m.copies); w++ {
		wg.Go(func() { work(w) })
	}
	work(0)
	wg.Wait()
	for _, err := range m.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Imagine replays seq on the first copy and returns copies of the observations after each
// step, until the horizon or the end of the episode.
func (m *simulator) Imagine(seq []float64, horizon int) ([][]float64, error) {
	m.seen = m.seen[:0]
	_, err := m.replay(m.copies[0], seq, horizon, func(obs []float64) {
		k := len(m.seen)
		if k < cap(m.seen) {
			m.seen = m.seen[:k+1]
			m.seen[k] = append(m.seen[k][:0], obs...)
		} else {
			m.seen = append(m.seen, slices.Clone(obs))
		}
	})
	if err != nil {
		return nil, err
	}
	return m.seen, nil
}

// replay restores env to the snapshot, applies seq (horizon steps) and returns the return
// as the Oracle's doc comment defines it, calling see, if not nil, with each observation.
func (m *simulator) replay(env envs.Env, seq []float64, horizon int, see func([]float64)) (float64, error) {
	if err := env.Restore(&m.snap); err != nil {
		return 0, err
	}
	d := len(seq) / horizon
	total := 0.0
	for t := range horizon {
		obs, r, terminated, truncated, info, err := env.Step(seq[t*d : (t+1)*d])
		if err != nil {
			return 0, err
		}
		total += r
		if see != nil {
			see(obs)
		}
		if terminated && info.Success {
			return total + m.absorbed(horizon-1-t, info.Steps), nil
		}
		if terminated || truncated {
			break
		}
	}
	return total, nil
}
