package envs

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/foresight-sim/foresight/internal/seed"
)

// Vector steps n copies of an environment in parallel, as Gymnasium's vector environments
// do, on a fixed pool of worker goroutines, each owning a contiguous block of copies.
//
// Autoreset is same-step: when copy i's episode ends at a Step, that Step returns the
// final step's reward, flags and info for copy i, a copy of its final observation in
// FinalObs[i], and in Obs[i] already the first observation of copy i's next episode. No
// action is spent on resetting.
//
// Seeds: Reset(seed) starts episode 0 of every copy, and copy i's episode e (counted from
// that Reset) is reset with VectorSeed(seed, i, e). So runs are reproducible, and the
// results are bit-identical to driving n separate environments the same way in one
// goroutine, whatever the number of workers.
//
// The slices Reset and Step return, and the observations in them, are reused: the next call
// overwrites them. A Vector is not safe for concurrent use. After each call its workers spin
// for up to 200 µs, ready for the next one, before they sleep; call Close when done with it
// to stop them.
type Vector struct {
	envs    []Env
	spaces  []Box // action spaces, fetched once
	seed    uint64
	episode []int // episode index per copy since Reset
	started bool
	res     VectorStep
	final   [][]float64 // FinalObs memory per copy

	// The operation the workers carry out: a reset when actions is nil.
	actions [][]float64
	errs    []error // per copy

	workers []*waiter     // one per worker goroutine, woken for each operation
	caller  waiter        // the calling goroutine, woken when the workers are done
	gen     atomic.Uint64 // operations started
	pending atomic.Int32  // workers still busy with the current operation
	stop    atomic.Bool   // set by Close
}

// VectorStep is what Vector.Step returns: per copy, the observation (after autoreset, the
// next episode's first one), the reward, the flags and the info of the step, and for copies
// whose episode ended, the final observation of that episode (nil for the others).
type VectorStep struct {
	Obs                   [][]float64
	Rewards               []float64
	Terminated, Truncated []bool
	Infos                 []Info
	FinalObs              [][]float64
}

// NewVector returns a Vector of n copies made by calling newEnv(i) for i = 0 … n−1 in
// order, stepped by min(n, GOMAXPROCS) workers. It returns an error if n < 1 or newEnv
// fails.
func NewVector(n int, newEnv func(i int) (Env, error)) (*Vector, error) {
	return NewVectorWorkers(n, runtime.GOMAXPROCS(0), newEnv)
}

// NewVectorWorkers is NewVector with min(n, workers) workers. The calling goroutine acts as
// one of them, so one worker starts no goroutine. It returns an error if n or workers is
// less than 1, or newEnv fails.
func NewVectorWorkers(n, workers int, newEnv func(i int) (Env, error)) (*Vector, error) {
	if n < 1 || workers < 1 {
		return nil, fmt.Errorf("envs: NewVector: %d copies and %d workers: want at least 1 of each", n, workers)
	}
	v := &Vector{envs: make([]Env, n), spaces: make([]Box, n), episode: make([]int, n),
		final: make([][]float64, n), errs: make([]error, n)}
	for i := range n {
		env, err := newEnv(i)
		if err != nil {
			return nil, fmt.Errorf("envs: NewVector: copy %d: %w", i, err)
		}
		v.envs[i], v.spaces[i] = env, env.ActionSpace()
	}
	v.res = VectorStep{Obs: make([][]float64, n), Rewards: make([]float64, n),
		Terminated: make([]bool, n), Truncated: make([]bool, n), Infos: make([]Info, n),
		FinalObs: make([][]float64, n)}
	workers = min(workers, n)
	v.caller.wake = make(chan struct{}, 1)
	for w := 1; w < workers; w++ {
		wt := &waiter{wake: make(chan struct{}, 1)}
		v.workers = append(v.workers, wt)
		go v.serve(wt, w*n/workers, (w+1)*n/workers)
	}
	return v, nil
}

// VectorSeed returns the seed of episode e of copy i in a Vector reset with seed base.
// It hashes the three numbers with SplitMix64's finaliser, a bijection of 64-bit words:
// first base with i, then the result plus e. So the copies' seeds are unrelated to each
// other, and seed sequences of different copies or base seeds do not overlap except by a
// 64-bit coincidence (unlike base + i, where copy 1's first episode is copy 0's second).
func VectorSeed(base uint64, i, e int) uint64 {
	return seed.Mix(seed.Mix(base^seed.Mix(uint64(i))) + uint64(e))
}

// Len returns the number of copies.
func (v *Vector) Len() int { return len(v.envs) }

// Env returns copy i, to render it or read its spaces and spec. Stepping or resetting it
// directly bypasses the Vector's episode bookkeeping.
func (v *Vector) Env(i int) Env { return v.envs[i] }

// Reset starts episode 0 of every copy, copy i with seed VectorSeed(seed, i, 0), and
// returns the first observations.
func (v *Vector) Reset(seed uint64) [][]float64 {
	v.seed, v.started, v.actions = seed, true, nil
	clear(v.episode)
	clear(v.res.FinalObs)
	v.dispatch()
	return v.res.Obs
}

// Step applies actions[i] to copy i, resetting copies whose episodes end as the Vector's
// doc comment describes. It returns an error, stepping no copy, if Reset has not been
// called (ErrEpisodeOver), or if there is not one action per copy or an action has the
// wrong length or a non-finite component. An error from a copy's Step otherwise (a broken
// environment) is returned, joined with the others, after all copies have stepped; the
// Vector should then be reset.
func (v *Vector) Step(actions [][]float64) (VectorStep, error) {
	if !v.started {
		return VectorStep{}, ErrEpisodeOver
	}
	if len(actions) != len(v.envs) {
		return VectorStep{}, fmt.Errorf("envs: Vector.Step: %d actions for %d copies", len(actions), len(v.envs))
	}
	for i, a := range actions {
		if err := checkAction(v.spaces[i], a); err != nil {
			return VectorStep{}, fmt.Errorf("copy %d: %w", i, err)
		}
	}
	v.actions = actions
	v.dispatch()
	v.actions = nil
	if err := errors.Join(v.errs...); err != nil {
		return VectorStep{}, err
	}
	return v.res, nil
}

// Close stops the worker goroutines; call it when done with the Vector, or they leak. The
// Vector stays usable, stepping every copy on the calling goroutine. Close may be called
// more than once.
func (v *Vector) Close() {
	v.stop.Store(true)
	for _, w := range v.workers {
		w.notify()
	}
}

// dispatch runs the pending operation on every copy: the workers' blocks on their
// goroutines, the first block (all of them after Close) on the calling one.
func (v *Vector) dispatch() {
	n, workers := len(v.envs), len(v.workers)+1
	if v.stop.Load() {
		v.run(0, n)
		return
	}
	v.pending.Store(int32(len(v.workers)))
	v.gen.Add(1)
	for _, w := range v.workers {
		w.notify()
	}
	v.run(0, n/workers)
	v.caller.wait(func() bool { return v.pending.Load() == 0 })
}

// serve is a worker goroutine's loop: it runs copies lo … hi−1 for each operation, until
// Close.
func (v *Vector) serve(w *waiter, lo, hi int) {
	var done uint64 // operations carried out
	for {
		w.wait(func() bool { return v.gen.Load() != done || v.stop.Load() })
		if v.stop.Load() {
			return
		}
		done = v.gen.Load()
		v.run(lo, hi)
		if v.pending.Add(-1) == 0 {
			v.caller.notify()
		}
	}
}

// run carries out the pending operation on copies lo … hi−1.
func (v *Vector) run(lo, hi int) {
	for i := lo; i < hi; i++ {
		if v.actions == nil {
			v.reset(i)
		} else {
			v.errs[i] = v.step(i)
		}
	}
}

// reset starts copy i's current episode.
func (v *Vector) reset(i int) {
	v.res.Obs[i], _ = v.envs[i].Reset(VectorSeed(v.seed, i, v.episode[i]))
}

// step steps copy i and resets it if its episode ended.
func (v *Vector) step(i int) error {
	obs, r, term, trunc, info, err := v.envs[i].Step(v.actions[i])
	if err != nil {
		return fmt.Errorf("copy %d: %w", i, err)
	}
	res := &v.res
	res.Rewards[i], res.Terminated[i], res.Truncated[i], res.Infos[i] = r, term, trunc, info
	if !term && !trunc {
		res.Obs[i], res.FinalObs[i] = obs, nil
		return nil
	}
	v.final[i] = append(v.final[i][:0], obs...) // Reset may overwrite obs
	res.FinalObs[i] = v.final[i]
	v.episode[i]++
	v.reset(i)
	return nil
}

// waiter lets a goroutine wait for a condition that another goroutine makes true and then
// announces with notify. The waiter spins, yielding the processor, for up to waitSpin
// before it sleeps: a sleeping goroutine can take tens of microseconds to wake on a
// virtual machine, which would eat much of the gain of stepping copies in parallel.
type waiter struct {
	sleeping atomic.Bool
	wake     chan struct{} // capacity 1: a notify that found the waiter asleep
}

// waitSpin is how long a waiter spins before it sleeps.
const waitSpin = 200 * time.Microsecond

// wait returns once cond reports true.
func (w *waiter) wait(cond func() bool) {
	for start := time.Now(); time.Since(start) < waitSpin; runtime.Gosched() {
		if cond() {
			return
		}
	}
	for !cond() {
		// Announce the sleep before the last look at cond: a notify after that look sees
		// the announcement, so it cannot be missed. A notify that raced with the look may
		// leave a stale token in wake, which only costs one more turn of this loop.
		w.sleeping.Store(true)
		if !cond() {
			<-w.wake
		}
		w.sleeping.Store(false)
	}
}

// notify wakes the waiter if it sleeps; call it after making its condition true.
func (w *waiter) notify() {
	if w.sleeping.Load() {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}
