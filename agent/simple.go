package agent

import (
	"math/rand/v2"

	"github.com/foresight-sim/foresight/envs"
)

// randomStream selects the random agent's PCG stream, so that its draws are independent of an
// environment's draws from the same seed.
const randomStream = 0x6a09e667f3bcc908

// Random acts uniformly at random within the action space (see envs.Box.Sample for
// unbounded components). It is the baseline that shows what a task demands of a learner.
type Random struct {
	space  envs.Box
	rng    *rand.Rand
	action []float64
}

// NewRandom returns a random agent for the action space, seeded with seed until its first
// Reset.
func NewRandom(space envs.Box, seed uint64) *Random {
	a := &Random{space: space, action: make([]float64, space.Dim())}
	a.Reset(seed)
	return a
}

// Reset restarts the agent's random sequence from seed.
func (a *Random) Reset(seed uint64) { a.rng = rand.New(rand.NewPCG(seed, randomStream)) }

// Act returns a fresh random action; it ignores the observation.
func (a *Random) Act([]float64) ([]float64, error) {
	return a.space.Sample(a.rng, a.action), nil
}

// Zero always takes the zero action, clipped into the action space: it shows how an
// environment behaves when left alone.
type Zero struct {
	action []float64
}

// NewZero returns a zero agent for the action space.
func NewZero(space envs.Box) *Zero {
	a := make([]float64, space.Dim())
	return &Zero{action: space.Clip(a, a)}
}

// Reset does nothing: the zero agent has no state.
func (*Zero) Reset(uint64) {}

// Act returns the zero action.
func (a *Zero) Act([]float64) ([]float64, error) { return a.action, nil }
