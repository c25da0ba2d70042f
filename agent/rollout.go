package agent

import (
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/envs"
)

// EpisodeResult summarises one episode.
type EpisodeResult struct {
	// Return is the sum of the rewards.
	Return float64
	// Length is the number of steps taken.
	Length int
	// Seconds is the simulated time the episode lasted.
	Seconds float64
	// Success is the environment's verdict at the last step (Info.Success).
	Success bool
	// Terminated reports that the task reached an end state; Truncated that the time limit
	// or a physics blow-up ended the episode.
	Terminated, Truncated bool
	// BlowUp reports that the physics produced non-finite numbers and ended the episode.
	BlowUp bool
}

// Rollout resets env and ag with seed and runs one episode until it terminates or is
// truncated. The environment must have a time limit (envs.Make applies one), so that every
// episode ends.
func Rollout(env envs.Env, ag Agent, seed uint64) (EpisodeResult, error) {
	spec := env.Spec()
	if spec.MaxEpisodeSteps <= 0 {
		return EpisodeResult{}, fmt.Errorf("agent: rollout on %s: no time limit, so the episode might never end", spec.ID)
	}
	return play(env, ag, seed, math.Inf(1), nil)
}

// play runs one episode from seed, stopping early once maxSeconds of simulated time have
// passed, and hands every transition to learner when it is not nil.
func play(env envs.Env, ag Agent, seed uint64, maxSeconds float64, learner Learner) (EpisodeResult, error) {
	e := startEpisode(env, ag, seed, learner)
	for !e.over(maxSeconds) {
		if _, err := e.step(nil); err != nil {
			return e.res, err
		}
	}
	return e.finish()
}
