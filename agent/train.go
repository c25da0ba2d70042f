package agent

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/seed"
)

// Learner is an Agent that learns from the transitions its actions cause. The training loop
// hands it every transition of every training episode, and switches it to evaluation mode
// (no exploration, no learning) for the episodes that test competence.
type Learner interface {
	Agent
	// Observe records a transition of the current training episode and may update the
	// agent's model.
	Observe(t Transition) error
	// EndEpisode tells the learner the current training episode is over.
	EndEpisode()
	// SetEval switches evaluation mode on or off.
	SetEval(on bool)
}

// Competence is the rule by which the training loop judges an agent competent: whenever a
// training episode meets the environment's success rule, the agent plays Trials evaluation
// episodes on held-out seeds, in evaluation mode and not counted as experience, and is
// competent when at least Needed of them succeed.
type Competence struct {
	Trials, Needed int
}

// DefaultCompetence is the rule the benchmark uses: 4 successes in 5 evaluation episodes.
var DefaultCompetence = Competence{Trials: 5, Needed: 4}

// TrainConfig describes a training run.
type TrainConfig struct {
	// Seed seeds the agent and every episode, training and evaluation.
	Seed uint64
	// Budget is the most simulated experience to train for.
	Budget time.Duration
	// Competence is the rule for competence; the zero value means DefaultCompetence.
	Competence Competence
	// StopWhenCompetent ends the run at the first competence.
	StopWhenCompetent bool
	// Progress, when not nil, is called after every training episode.
	Progress func(p EpisodePoint)
	// Checkpoint, when not nil, is called after every training episode (after Progress)
	// with the result so far, to save it with the agent's state; an error from it ends the
	// run with that error.
	Checkpoint func(res TrainResult) error
	// Resume, when not nil, continues the run whose result so far it is, as Checkpoint
	// received it: from its experience, episodes, evaluations and wall time. The agent must
	// have been restored to its state at that point. Train leaves *Resume unchanged.
	Resume *TrainResult
}

// EpisodePoint is one training episode on the learning curve.
type EpisodePoint struct {
	Episode int `json:"episode"`
	// Experience is the simulated experience in seconds up to the end of the episode.
	Experience float64 `json:"experience_seconds"`
	Return     float64 `json:"return"`
	Length     int     `json:"length"`
	Success    bool    `json:"success"`
	// Evaluated is the number of evaluation successes the episode triggered, or −1 when its
	// success did not trigger an evaluation.
	Evaluated int `json:"eval_successes"`
}

// TrainResult summarises a training run.
type TrainResult struct {
	Env       string `json:"env"`
	Agent     string `json:"agent"`
	Seed      uint64 `json:"seed"`
	Competent bool   `json:"competent"`
	// TTC is the simulated experience in seconds when competence was first shown, nil if never.
	TTC        *float64       `json:"ttc_seconds"`
	Experience float64        `json:"experience_seconds"`
	Wall       float64        `json:"wall_seconds"`
	Episodes   int            `json:"episodes"`
	Curve      []EpisodePoint `json:"curve"`
}

// Seed streams: training episodes, evaluation episodes and the agent draw from different
// streams of the run's seed, so evaluation seeds are never trained on.
const (
	trainStream = 0x7472_6169_6e00_0000
	evalStream  = 0x6576_616c_0000_0000
)

// Train runs agent ag, called name in the result, on env until the simulated experience
// reaches the budget (or the agent is competent, with StopWhenCompetent), learning online
// when ag is a Learner. Evaluation episodes run on env between training episodes. The last
// training episode is cut short where the budget ends. The environment must have a time
// limit. It returns an error, with the result so far, if an episode fails.
func Train(env envs.Env, ag Agent, name string, cfg TrainConfig) (TrainResult, error) {
	spec := env.Spec()
	res := TrainResult{Env: spec.ID, Agent: name, Seed: cfg.Seed}
	if spec.MaxEpisodeSteps <= 0 {
		return res, fmt.Errorf("agent: train on %s: no time limit", spec.ID)
	}
	rule := cfg.Competence
	if rule == (Competence{}) {
		rule = DefaultCompetence
	}
	evals := 0
	if r := cfg.Resume; r != nil {
		if r.Env != res.Env || r.Agent != name || r.Seed != cfg.Seed {
			return res, fmt.Errorf("agent: cannot resume a run of %s on %s with seed %d as one of %s on %s with seed %d",
				r.Agent, r.Env, r.Seed, name, res.Env, cfg.Seed)
		}
		res = *r
		res.Curve = slices.Clone(r.Curve)
		evals = rule.Trials * countEvaluations(res.Curve)
	}
	start, wallBefore := time.Now(), res.Wall
	budget := cfg.Budget.Seconds()
	for res.Experience < budget && !(cfg.StopWhenCompetent && res.Competent) {
		ep, err := trainEpisode(env, ag, seed.Derive(cfg.Seed^trainStream, uint64(res.Episodes)), budget-res.Experience)
		if err != nil {
			return res, err
		}
		res.Experience += ep.Seconds
		point := EpisodePoint{Episode: res.Episodes, Experience: res.Experience, Return: ep.Return,
			Length: ep.Length, Success: ep.Success, Evaluated: -1}
		res.Episodes++
		if ep.Success && !res.Competent {
			if point.Evaluated, err = evaluate(env, ag, cfg.Seed, &evals, rule.Trials); err != nil {
				return res, err
			}
			if point.Evaluated >= rule.Needed {
				res.Competent = true
				ttc := res.Experience
				res.TTC = &ttc
			}
		}
		res.Curve = append(res.Curve, point)
		res.Wall = wallBefore + time.Since(start).Seconds()
		if cfg.Progress != nil {
			cfg.Progress(point)
		}
		if cfg.Checkpoint != nil {
			if err := cfg.Checkpoint(res); err != nil {
				return res, err
			}
		}
	}
	res.Wall = wallBefore + time.Since(start).Seconds()
	return res, nil
}

// countEvaluations returns how many episodes of a curve triggered an evaluation.
func countEvaluations(curve []EpisodePoint) int {
	n := 0
	for _, p := range curve {
		if p.Evaluated >= 0 {
			n++
		}
	}
	return n
}

// trainEpisode plays one training episode from seed, for at most maxSeconds of experience.
func trainEpisode(env envs.Env, ag Agent, seed uint64, maxSeconds float64) (EpisodeResult, error) {
	learner, _ := ag.(Learner)
	if learner != nil {
		learner.SetEval(false)
	}
	return play(env, ag, seed, maxSeconds, learner)
}

// evaluate plays trials evaluation episodes on fresh held-out seeds of the run seeded with
// base, counted by *evals, and returns how many succeeded.
func evaluate(env envs.Env, ag Agent, base uint64, evals *int, trials int) (int, error) {
	if learner, ok := ag.(Learner); ok {
		learner.SetEval(true)
		defer learner.SetEval(false)
	}
	wins := 0
	for range trials {
		res, err := play(env, ag, seed.Derive(base^evalStream, uint64(*evals)), math.Inf(1), nil)
		*evals++
		if err != nil {
			return wins, err
		}
		if res.Success {
			wins++
		}
	}
	return wins, nil
}
