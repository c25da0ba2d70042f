package envs

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
)

// CheckOption changes how Check tests an environment.
type CheckOption func(*checkConfig)

type checkConfig struct {
	steps int     // random steps in the long run
	tol   float64 // largest difference allowed in replays after Restore
}

// CheckSteps sets the number of random steps Check takes looking for non-finite or
// out-of-range values (default 10,000). Values below 1 are treated as 1.
func CheckSteps(n int) CheckOption {
	return func(c *checkConfig) { c.steps = max(n, 1) }
}

// CheckRestoreTolerance lets replays after Restore differ from the original by up to tol in
// each observation component and reward (the flags must still match). The default, zero,
// demands bit-identical replays; scenes with contacts need a tolerance, because sim's
// snapshots do not hold contact impulses.
func CheckRestoreTolerance(tol float64) CheckOption {
	return func(c *checkConfig) { c.tol = tol }
}

// Check tests an environment against the promises of the Env interface, in the spirit of
// Gymnasium's check_env, and returns an error describing the first broken one, or nil.
// newEnv must build a fresh environment, the same way each time; Check calls it a few times.
// Its actions and seeds come from a fixed random generator, so Check is deterministic.
//
// It checks that:
//   - the Spec is sane (an id, a positive control timestep, an ordered reward range, a
//     success rule, tunings that each name agents, settings and a reason) and both spaces
//     are well formed;
//   - Step before the first Reset, and after an episode ended, returns ErrEpisodeOver;
//   - actions of the wrong length or with NaN or infinite components are rejected with an
//     error and leave the state (its Snapshot) unchanged;
//   - the same seeds and actions give bit-identical observations, rewards and flags, over
//     300 steps with resets, in the same environment and in a fresh one;
//   - different seeds give different first observations;
//   - a snapshot taken mid-episode and restored, into the same environment or a fresh one,
//     replays the same steps bit for bit (see CheckRestoreTolerance), and restoring an empty
//     snapshot fails with ErrSnapshot, changing nothing;
//   - over 10,000 random steps (see CheckSteps), with resets when episodes end, observations
//     lie in the observation space and are finite, and rewards are finite and lie within
//     Spec.RewardRange.
func Check(newEnv func() (Env, error), opts ...CheckOption) error {
	cfg := checkConfig{steps: 10000}
	for _, o := range opts {
		o(&cfg)
	}
	env, err := newEnv()
	if err != nil {
		return fmt.Errorf("envs: check: making the environment: %w", err)
	}
	c := &checker{cfg: cfg, newEnv: newEnv, env: env, spec: env.Spec(),
		obsSpace: env.ObservationSpace(), actSpace: env.ActionSpace()}
	steps := []struct {
		name string
		run  func() error
	}{
		{"spec", c.checkSpec},
		{"step before reset", c.checkStepBeforeReset},
		{"bad actions", c.checkBadActions},
		{"determinism", c.checkDeterminism},
		{"seeds", c.checkSeeds},
		{"snapshot", c.checkSnapshot},
		{"random steps", c.checkRandomSteps},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("envs: check %s: %s: %w", c.spec.ID, s.name, err)
		}
	}
	return nil
}

// checker holds what the checks share: the environment under test and its description.
type checker struct {
	cfg                checkConfig
	newEnv             func() (Env, error)
	env                Env
	spec               Spec
	obsSpace, actSpace Box
}

// stepRecord is what one step returned, kept to compare runs.
type stepRecord struct {
	obs         []float64
	reward      float64
	term, trunc bool
}

// rng returns one of the checker's fixed streams of random numbers.
func (c *checker) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(1, stream))
}

func (c *checker) checkSpec() error {
	s := c.spec
	switch {
	case s.ID == "":
		return errors.New("empty id")
	case !(s.ControlDT > 0) || math.IsInf(s.ControlDT, 0):
		return fmt.Errorf("control timestep %v s: want positive and finite", s.ControlDT)
	case s.MaxEpisodeSteps < 0:
		return fmt.Errorf("negative time limit %d", s.MaxEpisodeSteps)
	case !(s.RewardRange[0] <= s.RewardRange[1]):
		return fmt.Errorf("reward range %v is not ordered", s.RewardRange)
	case s.SuccessRule == "":
		return errors.New("no success rule")
	}
	for i, t := range s.Tunings {
		if len(t.Agents) == 0 || len(t.Settings) == 0 || t.Reason == "" {
			return fmt.Errorf("tuning %d for %s: want agents, settings and a reason", i, strings.Join(t.Agents, ", "))
		}
	}
	if err := checkBox(c.obsSpace); err != nil {
		return fmt.Errorf("observation space: %w", err)
	}
	if err := checkBox(c.actSpace); err != nil {
		return fmt.Errorf("action space: %w", err)
	}
	return nil
}

// checkBox returns an error if b's bounds or shape are inconsistent.
func checkBox(b Box) error {
	if len(b.Low) != len(b.High) {
		return fmt.Errorf("%d lower bounds, %d upper", len(b.Low), len(b.High))
	}
	n := 1
	for _, s := range b.Shape {
		n *= s
	}
	if n != b.Dim() {
		return fmt.Errorf("shape %v holds %d components, bounds %d", b.Shape, n, b.Dim())
	}
	for i := range b.Low {
		if !(b.Low[i] <= b.High[i]) {
			return fmt.Errorf("component %d: bounds [%v, %v]", i, b.Low[i], b.High[i])
		}
	}
	return nil
}

func (c *checker) checkStepBeforeReset() error {
	env, err := c.newEnv()
	if err != nil {
		return err
	}
	a := c.actSpace.Sample(c.rng(1), make([]float64, c.actSpace.Dim()))
	if _, _, _, _, _, err := env.Step(a); !errors.Is(err, ErrEpisodeOver) {
		return fmt.Errorf("Step on a fresh environment returned error %v, want ErrEpisodeOver", err)
	}
	return nil
}

func (c *checker) checkBadActions() error {
	rng := c.rng(2)
	if err := c.midEpisode(rng, 3); err != nil {
		return err
	}
	var before, after Snapshot
	c.env.Snapshot(&before)
	for _, bad := range c.badActions() {
		if _, _, _, _, _, err := c.env.Step(bad.a); err == nil {
			return fmt.Errorf("Step accepted an action %s", bad.what)
		}
		c.env.Snapshot(&after)
		if !reflect.DeepEqual(before, after) {
			return fmt.Errorf("rejecting an action %s changed the state", bad.what)
		}
	}
	_, err := c.steps(c.env, c.actions(rng, 1))
	return err
}

type badAction struct {
	what string
	a    []float64
}

// badActions returns actions Step must reject.
func (c *checker) badActions() []badAction {
	n := c.actSpace.Dim()
	valid := c.actSpace.Sample(c.rng(3), make([]float64, n))
	with := func(v float64) []float64 {
		a := append([]float64(nil), valid...)
		a[len(a)-1] = v
		return a
	}
	bad := []badAction{{"with one component too many", append(append([]float64(nil), valid...), 0)}}
	if n > 0 {
		bad = append(bad,
			badAction{"with one component too few", valid[:n-1]},
			badAction{"with a NaN component", with(math.NaN())},
			badAction{"with a +Inf component", with(math.Inf(1))},
			badAction{"with a -Inf component", with(math.Inf(-1))})
	}
	return bad
}

func (c *checker) checkDeterminism() error {
	const steps = 300
	first, err := c.run(c.env, 4, steps, true)
	if err != nil {
		return err
	}
	fresh, err := c.newEnv()
	if err != nil {
		return err
	}
	for _, env := range []struct {
		name string
		env  Env
	}{{"the same environment", c.env}, {"a fresh environment", fresh}} {
		again, err := c.run(env.env, 4, steps, true)
		if err != nil {
			return err
		}
		if err := compareRecords(first, again, 0); err != nil {
			return fmt.Errorf("a second run in %s: %w", env.name, err)
		}
	}
	return nil
}

func (c *checker) checkSeeds() error {
	const n = 5
	rng := c.rng(5)
	seeds := make([]uint64, n)
	firsts := make([][]float64, n)
	for i := range seeds {
		seeds[i] = rng.Uint64()
		obs, _ := c.env.Reset(seeds[i])
		firsts[i] = append([]float64(nil), obs...)
		for j := range i {
			if slices.Equal(firsts[i], firsts[j]) {
				return fmt.Errorf("seeds %d and %d give the same first observation", seeds[j], seeds[i])
			}
		}
	}
	return nil
}

func (c *checker) checkSnapshot() error {
	rng := c.rng(6)
	if err := c.midEpisode(rng, 10); err != nil {
		return err
	}
	var snap Snapshot
	c.env.Snapshot(&snap)
	actions := c.actions(rng, 30)
	want, err := c.steps(c.env, actions)
	if err != nil {
		return err
	}
	if err := c.env.Restore(&snap); err != nil {
		return fmt.Errorf("Restore: %w", err)
	}
	if err := c.replay(c.env, actions, want); err != nil {
		return fmt.Errorf("after restoring into the same environment: %w", err)
	}
	fresh, err := c.newEnv()
	if err != nil {
		return err
	}
	if err := fresh.Restore(&snap); err != nil {
		return fmt.Errorf("Restore into a fresh environment: %w", err)
	}
	if err := c.replay(fresh, actions, want); err != nil {
		return fmt.Errorf("after restoring into a fresh environment: %w", err)
	}
	return c.checkEmptyRestore(fresh)
}

// replay steps env with actions and compares what it returns with want.
func (c *checker) replay(env Env, actions [][]float64, want []stepRecord) error {
	got, err := c.steps(env, actions)
	if err != nil {
		return err
	}
	return compareRecords(want, got, c.cfg.tol)
}

// checkEmptyRestore checks that restoring an empty snapshot into env fails without effect.
func (c *checker) checkEmptyRestore(env Env) error {
	var before, after Snapshot
	env.Snapshot(&before)
	if err := env.Restore(&Snapshot{}); !errors.Is(err, ErrSnapshot) {
		return fmt.Errorf("restoring an empty snapshot returned error %v, want ErrSnapshot", err)
	}
	env.Snapshot(&after)
	if !reflect.DeepEqual(before, after) {
		return errors.New("a failed Restore changed the state")
	}
	return nil
}

func (c *checker) checkRandomSteps() error {
	_, err := c.run(c.env, 7, c.cfg.steps, false)
	return err
}

// midEpisode resets the environment under test and takes up to n random steps, stopping
// early, after a fresh Reset, if the episode ends; so the episode is running on return.
func (c *checker) midEpisode(rng *rand.Rand, n int) error {
	c.env.Reset(rng.Uint64())
	recs, err := c.steps(c.env, c.actions(rng, n))
	if err != nil {
		return err
	}
	if last := recs[len(recs)-1]; last.term || last.trunc {
		c.env.Reset(rng.Uint64())
	}
	return nil
}

// actions returns n random actions from the action space.
func (c *checker) actions(rng *rand.Rand, n int) [][]float64 {
	as := make([][]float64, n)
	for i := range as {
		as[i] = c.actSpace.Sample(rng, make([]float64, c.actSpace.Dim()))
	}
	return as
}

// steps applies actions to env, which must be mid-episode, until they run out or the
// episode ends, checking and recording every step.
func (c *checker) steps(env Env, actions [][]float64) ([]stepRecord, error) {
	var recs []stepRecord
	for i, a := range actions {
		obs, r, term, trunc, _, err := env.Step(a)
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
		if err := c.checkStep(obs, r); err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
		recs = append(recs, stepRecord{append([]float64(nil), obs...), r, term, trunc})
		if term || trunc {
			break
		}
	}
	return recs, nil
}

// run takes n random steps in env, resetting it with a random seed at the start and after
// every episode, and checks each step. The rng stream fixes the seeds and actions. At each
// episode end it checks that a further Step returns ErrEpisodeOver. With keep set it returns
// the first observations and the steps.
func (c *checker) run(env Env, stream uint64, n int, keep bool) ([]stepRecord, error) {
	rng := c.rng(stream)
	a := make([]float64, c.actSpace.Dim())
	var recs []stepRecord
	record := func(obs []float64, r float64, term, trunc bool) {
		if keep {
			recs = append(recs, stepRecord{append([]float64(nil), obs...), r, term, trunc})
		}
	}
	ended := true
	for i := range n {
		if ended {
			obs, _ := env.Reset(rng.Uint64())
			if err := c.checkObs(obs); err != nil {
				return nil, fmt.Errorf("after Reset at step %d: %w", i, err)
			}
			record(obs, 0, false, false)
		}
		obs, r, term, trunc, _, err := env.Step(c.actSpace.Sample(rng, a))
		if err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
		if err := c.checkStep(obs, r); err != nil {
			return nil, fmt.Errorf("step %d: %w", i, err)
		}
		record(obs, r, term, trunc)
		if ended = term || trunc; ended {
			if _, _, _, _, _, err := env.Step(a); !errors.Is(err, ErrEpisodeOver) {
				return nil, fmt.Errorf("Step after the episode ended at step %d returned error %v, want ErrEpisodeOver", i, err)
			}
		}
	}
	return recs, nil
}

// checkStep returns an error if obs is not a finite point of the observation space or r is
// not a finite reward within the reward range.
func (c *checker) checkStep(obs []float64, r float64) error {
	if err := c.checkObs(obs); err != nil {
		return err
	}
	if rr := c.spec.RewardRange; !isFinite(r) || r < rr[0] || r > rr[1] {
		return fmt.Errorf("reward %v outside the reward range %v or not finite", r, rr)
	}
	return nil
}

// checkObs returns an error if obs is not a finite point of the observation space.
func (c *checker) checkObs(obs []float64) error {
	if len(obs) != c.obsSpace.Dim() {
		return fmt.Errorf("observation has %d components, the space %d", len(obs), c.obsSpace.Dim())
	}
	for i, v := range obs {
		if !isFinite(v) || v < c.obsSpace.Low[i] || v > c.obsSpace.High[i] {
			return fmt.Errorf("observation component %d = %v outside [%v, %v] or not finite", i, v, c.obsSpace.Low[i], c.obsSpace.High[i])
		}
	}
	return nil
}

// compareRecords returns an error describing the first difference between two runs, allowing
// differences up to tol in observations and rewards (zero: the bits must match).
func compareRecords(want, got []stepRecord, tol float64) error {
	for i := range min(len(want), len(got)) {
		w, g := want[i], got[i]
		if len(w.obs) != len(g.obs) {
			return fmt.Errorf("step %d: observation lengths %d and %d", i, len(w.obs), len(g.obs))
		}
		for j := range w.obs {
			if !near(w.obs[j], g.obs[j], tol) {
				return fmt.Errorf("step %d: observation component %d: %v, then %v", i, j, w.obs[j], g.obs[j])
			}
		}
		if !near(w.reward, g.reward, tol) {
			return fmt.Errorf("step %d: reward %v, then %v", i, w.reward, g.reward)
		}
		if w.term != g.term || w.trunc != g.trunc {
			return fmt.Errorf("step %d: terminated, truncated %v, %v, then %v, %v", i, w.term, w.trunc, g.term, g.trunc)
		}
	}
	if len(want) != len(got) {
		return fmt.Errorf("episode lasted %d steps, then %d", len(want), len(got))
	}
	return nil
}

// near reports whether a and b differ by at most tol; with tol zero, whether their bits
// match.
func near(a, b, tol float64) bool {
	if tol == 0 {
		return math.Float64bits(a) == math.Float64bits(b)
	}
	return math.Abs(a-b) <= tol
}
