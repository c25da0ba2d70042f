package agent

import (
	"math"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
)

func TestRolloutPendulum(t *testing.T) {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	spec := env.Spec()
	run := func(seed uint64) EpisodeResult {
		t.Helper()
		res, err := Rollout(env, NewRandom(env.ActionSpace(), 99), seed)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(5)
	if res.Length != spec.MaxEpisodeSteps || !res.Truncated || res.Terminated || res.BlowUp {
		t.Errorf("episode = %+v, want truncated after %d steps", res, spec.MaxEpisodeSteps)
	}
	if math.Abs(res.Seconds-spec.EpisodeSeconds()) > 1e-9 {
		t.Errorf("episode lasted %v s, want %v", res.Seconds, spec.EpisodeSeconds())
	}
	lo, hi := spec.RewardRange[0]*float64(res.Length), spec.RewardRange[1]*float64(res.Length)
	if !(res.Return >= lo && res.Return <= hi) {
		t.Errorf("return %v outside [%v, %v]", res.Return, lo, hi)
	}
	// A random agent does not balance the pendulum.
	if res.Success {
		t.Error("random agent succeeded on Pendulum-v0")
	}
	// The episode depends on the seed only, not on the agent's construction seed.
	if again := run(5); again != res {
		t.Errorf("replay of seed 5 = %+v, want %+v", again, res)
	}
	if other := run(6); other == res {
		t.Error("seeds 5 and 6 gave identical episodes")
	}
}

func TestRolloutNeedsTimeLimit(t *testing.T) {
	env, err := envs.Make("Pendulum-v0", envs.WithMaxEpisodeSteps(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Rollout(env, NewZero(env.ActionSpace()), 0)
	if err == nil || !strings.Contains(err.Error(), "no time limit") {
		t.Errorf("Rollout without a time limit: error %v, want one about the time limit", err)
	}
}

// badAgent returns actions of the wrong length.
type badAgent struct{}

func (badAgent) Reset(uint64)                     {}
func (badAgent) Act([]float64) ([]float64, error) { return []float64{0, 0}, nil }

func TestRolloutReportsStepErrors(t *testing.T) {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Rollout(env, badAgent{}, 0)
	if err == nil || !strings.Contains(err.Error(), "Pendulum-v0 step 0") {
		t.Errorf("error %v, want one naming the environment and step", err)
	}
}
