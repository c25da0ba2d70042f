package agent

import (
	"fmt"
	"slices"

	"github.com/foresight-sim/foresight/envs"
)

// episode is one episode under way, stepped one action at a time: the loop shared by
// Rollout, Train and Trainer.
type episode struct {
	env     envs.Env
	ag      Agent
	learner Learner // receives the transitions, or nil
	id      string
	obs     []float64 // the observation to act on, a copy the environment cannot overwrite
	res     EpisodeResult
}

// startEpisode resets env and ag with seed and returns the episode, which hands its
// transitions to learner when it is not nil.
func startEpisode(env envs.Env, ag Agent, seed uint64, learner Learner) *episode {
	first, _ := env.Reset(seed)
	ag.Reset(seed)
	return &episode{env: env, ag: ag, learner: learner, id: env.Spec().ID, obs: slices.Clone(first)}
}

// over reports whether the episode has ended, or lasted maxSeconds.
func (e *episode) over(maxSeconds float64) bool {
	return e.res.Terminated || e.res.Truncated || e.res.Seconds >= maxSeconds
}

// step takes one step with the agent's action, or with action when it is not nil, and
// returns the action taken.
func (e *episode) step(action []float64) ([]float64, error) {
	if action == nil {
		a, err := e.ag.Act(e.obs)
		if err != nil {
			return nil, fmt.Errorf("agent: %s step %d: %w", e.id, e.res.Length, err)
		}
		action = a
	}
	next, reward, term, trunc, info, err := e.env.Step(action)
	if err != nil {
		return nil, fmt.Errorf("agent: %s step %d: %w", e.id, e.res.Length, err)
	}
	if e.learner != nil {
		t := Transition{Obs: e.obs, Action: action, Next: next, Reward: reward, Terminated: term}
		if err := e.learner.Observe(t); err != nil {
			return nil, fmt.Errorf("agent: %s step %d: learning: %w", e.id, e.res.Length, err)
		}
	}
	copy(e.obs, next)
	r := &e.res
	r.Return += reward
	r.Length++
	r.Terminated, r.Truncated = term, trunc
	r.Seconds, r.Success, r.BlowUp = info.Time, info.Success, info.BlowUp
	return action, nil
}

// finish tells the learner the episode is over and returns its result, and the learner's
// error.
func (e *episode) finish() (EpisodeResult, error) {
	if e.learner != nil {
		if err := e.learner.EndEpisode(); err != nil {
			return e.res, fmt.Errorf("agent: %s: learning: %w", e.id, err)
		}
	}
	return e.res, nil
}
