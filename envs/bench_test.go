package envs

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The benchmarks compare each registered environment's Step with the physics underneath it:
// the task applying its action's forces and the world taking one control step, without the
// validation, observation, reward and bookkeeping Step adds. The targets are an
// overhead of at most 20% and no allocations beyond the physics engine's own.

// benchActions is how many random actions a benchmark cycles through.
const benchActions = 1024

// newBenchEnv returns the unwrapped physics environment registered as id, reset with seed 1,
// and the episode length to reset it after (its default time limit, or 200 steps).
func newBenchEnv(tb testing.TB, id string) (e *physicsEnv, episode int) {
	tb.Helper()
	r, err := Lookup(id)
	if err != nil {
		tb.Fatal(err)
	}
	env, err := r.New(r.Params)
	if err != nil {
		tb.Fatal(err)
	}
	e, ok := env.(*physicsEnv)
	if !ok {
		tb.Skipf("%s is a %T, not a physics environment", id, env)
	}
	e.Reset(1)
	episode = r.MaxEpisodeSteps
	if episode == 0 {
		episode = 200
	}
	return e, episode
}

// benchRandomActions returns n actions drawn uniformly from e's action space with a fixed seed.
func benchRandomActions(e *physicsEnv, n int) [][]float64 {
	rng := rand.New(rand.NewPCG(7, 11))
	space := e.ActionSpace()
	acts := make([][]float64, n)
	for i := range acts {
		acts[i] = space.Sample(rng, make([]float64, space.Dim()))
	}
	return acts
}

// benchRawStep is the physics of one env step: the task applies the action and the world takes a
// control step (Substeps physics steps, then the forces are cleared).
func benchRawStep(e *physicsEnv, a []float64) {
	e.t.act(a)
	e.world.Step()
}

// benchEpisodes calls step once per iteration, cycling through random actions, and resets e
// with the timer stopped every episode steps or when step reports the episode over.
func benchEpisodes(b *testing.B, e *physicsEnv, episode int, step func(a []float64) (over bool)) {
	acts := benchRandomActions(e, benchActions)
	b.ReportAllocs()
	n, seed := 0, uint64(1)
	for b.Loop() {
		over := step(acts[n%benchActions])
		n++
		if over || n%episode == 0 {
			b.StopTimer()
			seed++
			e.Reset(seed)
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "steps/s")
}

func BenchmarkStep(b *testing.B) {
	for _, id := range IDs() {
		b.Run(id, func(b *testing.B) {
			e, episode := newBenchEnv(b, id)
			benchEpisodes(b, e, episode, func(a []float64) bool {
				_, _, term, trunc, _, err := e.Step(a)
				if err != nil {
					b.Fatal(err)
				}
				return term || trunc
			})
		})
	}
}

func BenchmarkRawPhysics(b *testing.B) {
	for _, id := range IDs() {
		b.Run(id, func(b *testing.B) {
			e, episode := newBenchEnv(b, id)
			benchEpisodes(b, e, episode, func(a []float64) bool {
				benchRawStep(e, a)
				return false
			})
		})
	}
}

// BenchmarkOverhead reports how much longer Step takes than the physics under it, as
// "overhead-%". Separate benchmarks of the two cannot resolve a few per cent on a shared,
// noisy machine, so each iteration here runs one episode of Step and then the same episode
// of raw physics on a twin environment, alternating, so that both see the same load.
func BenchmarkOverhead(b *testing.B) {
	for _, id := range IDs() {
		b.Run(id, func(b *testing.B) {
			e, episode := newBenchEnv(b, id)
			twin, _ := newBenchEnv(b, id)
			acts := benchRandomActions(e, episode)
			var tEnv, tRaw time.Duration
			seed := uint64(1)
			for b.Loop() {
				start := time.Now()
				n := stepUntilOver(b, e, acts)
				mid := time.Now()
				for _, a := range acts[:n] {
					benchRawStep(twin, a)
				}
				tEnv, tRaw = tEnv+mid.Sub(start), tRaw+time.Since(mid)
				seed++
				e.Reset(seed)
				twin.Reset(seed)
			}
			b.ReportMetric(100*(float64(tEnv)/float64(tRaw)-1), "overhead-%")
		})
	}
}

// stepUntilOver steps e through acts until they run out or the episode ends, and returns
// the number of steps taken.
func stepUntilOver(b *testing.B, e *physicsEnv, acts [][]float64) int {
	for i, a := range acts {
		_, _, term, trunc, _, err := e.Step(a)
		if err != nil {
			b.Fatal(err)
		}
		if term || trunc {
			return i + 1
		}
	}
	return len(acts)
}

// TestStepAllocations checks that Step allocates no more than the physics it runs. Both
// sides start from the same reset and take the same actions, so they follow the same
// trajectory and the engine allocates the same on each; allocation counts are exact, so the
// comparison is fair where timings would not be.
func TestStepAllocations(t *testing.T) {
	const steps = 50
	for _, id := range IDs() {
		t.Run(id, func(t *testing.T) {
			e, _ := newBenchEnv(t, id)
			acts := benchRandomActions(e, 2*steps)
			// run counts the allocations of steps steps, the fewest of three tries: the count
			// is the whole process's, so anything else running can only add to it.
			run := func(step func(a []float64)) float64 {
				fewest := math.Inf(1)
				for range 3 {
					e.Reset(1)
					i := 0
					// AllocsPerRun calls the function once to warm up, then once measured.
					fewest = min(fewest, testing.AllocsPerRun(1, func() {
						for range steps {
							step(acts[i])
							i++
						}
					}))
				}
				return fewest
			}
			env := run(func(a []float64) {
				if _, _, term, _, _, err := e.Step(a); err != nil || term {
					t.Fatalf("episode ended during the measurement (error %v)", err)
				}
			})
			raw := run(func(a []float64) { benchRawStep(e, a) })
			t.Logf("allocations over %d steps: Step %v, physics %v", steps, env, raw)
			if env > raw {
				t.Errorf("Step made %v allocations in %d steps, the physics alone %v", env, steps, raw)
			}
		})
	}
}
