package agent

import (
	"fmt"
	"maps"
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
	// EndEpisode tells the learner the current training episode is over, and returns an
	// error if learning from it failed.
	EndEpisode() error
	// SetEval switches evaluation mode on or off.
	SetEval(on bool)
}

// Competence is the rule by which the training loop judges an agent competent: whenever a
// training episode meets the environment's success rule, the agent plays Trials evaluation
// episodes on held-out seeds, in evaluation mode and not counted as experience, and is
// competent when at least Needed of them succeed. The evaluation stops as soon as its
// outcome is settled: after Needed successes, or after more than Trials−Needed failures.
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
	// have been restored to its state at that point, and the run must have been trained
	// under the same Competence rule, which its evaluations are checked against. Train
	// leaves *Resume unchanged.
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
	// success did not trigger an evaluation. An evaluation stops once its outcome is
	// settled, so a competent one counts exactly Competence.Needed.
	Evaluated int `json:"eval_successes"`
}

// TrainResult summarises a training run.
type TrainResult struct {
	Env   string `json:"env"`
	Agent string `json:"agent"`
	// Observation describes what the agent observed (envs.ObservationOf).
	Observation string `json:"observation"`
	// Concurrent reports that the agent trained on a second goroutine while it acted
	// (ModelConfig.Concurrent), which changes its actions from those of inline learning.
	Concurrent bool `json:"concurrent,omitempty"`
	// Settings holds the settings of the agent changed from its defaults for the task
	// (agent.Set), by name.
	Settings  map[string]string `json:"settings,omitempty"`
	Seed      uint64            `json:"seed"`
	Competent bool              `json:"competent"`
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
// limit. It returns an error, with the result so far, if an episode fails. It is a Trainer
// stepped until it is done.
func Train(env envs.Env, ag Agent, name string, cfg TrainConfig) (TrainResult, error) {
	t, err := NewTrainer(env, ag, name, cfg)
	if err != nil {
		return TrainResult{Env: env.Spec().ID, Agent: name, Observation: envs.ObservationOf(env), Seed: cfg.Seed}, err
	}
	for !t.Done() {
		if _, err := t.Step(nil); err != nil {
			return t.Result(), err
		}
	}
	return t.Result(), nil
}

// Trainer runs Train's loop one environment step at a time, for front ends that interleave
// it with other work, such as the live viewer: training episodes, the evaluation episodes a
// success triggers, the learning curve, checkpoints. It is not safe for concurrent use.
type Trainer struct {
	env     envs.Env
	ag      Agent
	learner Learner // ag as a Learner, or nil
	cfg     TrainConfig
	rule    Competence
	res     TrainResult

	ep         *episode     // the episode under way, or nil between episodes
	evaluating bool         // the episode under way is an evaluation
	pending    EpisodePoint // the training episode whose success is being evaluated
	evalsLeft  int          // evaluation episodes still to play for pending
	evals      int          // evaluation episodes begun in the whole run, for their seeds

	start      time.Time
	wallBefore float64
}

// NewTrainer returns a Trainer of ag, called name, on env, set up as Train sets it up. It
// returns an error if env has no time limit, the competence rule is impossible, or
// cfg.Resume is of another run, has more experience than the budget, or holds values that no
// run produces (see the checks of TrainResult in result.go).
func NewTrainer(env envs.Env, ag Agent, name string, cfg TrainConfig) (*Trainer, error) {
	spec := env.Spec()
	t := &Trainer{env: env, ag: ag, cfg: cfg, rule: cfg.Competence,
		res: TrainResult{Env: spec.ID, Agent: name, Observation: envs.ObservationOf(env), Concurrent: concurrent(ag), Settings: settingsOf(ag), Seed: cfg.Seed}}
	if spec.MaxEpisodeSteps <= 0 {
		return nil, fmt.Errorf("agent: train on %s: no time limit", spec.ID)
	}
	if t.rule == (Competence{}) {
		t.rule = DefaultCompetence
	}
	if r := t.rule; r.Trials < 1 || r.Needed < 1 || r.Needed > r.Trials {
		return nil, fmt.Errorf("agent: competence of %d successes in %d evaluations: want 1 ≤ successes ≤ evaluations", r.Needed, r.Trials)
	}
	t.learner, _ = ag.(Learner)
	if r := cfg.Resume; r != nil {
		obs := r.Observation
		if obs == "" { // a result from before results named the observation
			obs = envs.StateObservation
		}
		if r.Env != t.res.Env || r.Agent != name || r.Seed != cfg.Seed || obs != t.res.Observation {
			return nil, fmt.Errorf("agent: cannot resume a run of %s on %s observing %s with seed %d as one of %s on %s observing %s with seed %d",
				r.Agent, r.Env, obs, r.Seed, name, t.res.Env, t.res.Observation, cfg.Seed)
		}
		if r.Concurrent != t.res.Concurrent {
			return nil, fmt.Errorf("agent: cannot resume a run learning %s as one learning %s", layout(r.Concurrent), layout(t.res.Concurrent))
		}
		if !maps.Equal(r.Settings, t.res.Settings) {
			return nil, fmt.Errorf("agent: cannot resume a run with settings %v as one with %v", r.Settings, t.res.Settings)
		}
		if err := r.Check(t.rule); err != nil {
			return nil, fmt.Errorf("agent: the run to resume is not one training produces: %w", err)
		}
		if PastBudget(r.Experience, cfg.Budget, spec.ControlDT) {
			return nil, fmt.Errorf("agent: the run to resume has %v s of experience, more than the budget of %v", r.Experience, cfg.Budget)
		}
		t.res = *r
		t.res.Observation = obs
		t.res.Curve = slices.Clone(r.Curve)
		t.evals = t.rule.Trials * countEvaluations(t.res.Curve)
	}
	t.start, t.wallBefore = time.Now(), t.res.Wall
	return t, nil
}

// concurrent reports whether ag learns on a second goroutine while it acts.
func concurrent(ag Agent) bool {
	c, ok := ag.(interface{ learnsConcurrently() bool })
	return ok && c.learnsConcurrently()
}

// settingsOf returns the settings of ag changed from its defaults, nil if none were.
func settingsOf(ag Agent) map[string]string {
	if c, ok := ag.(interface{ changed() map[string]string }); ok && len(c.changed()) > 0 {
		return maps.Clone(c.changed())
	}
	return nil
}

// layout names how an agent learns: concurrently or inline.
func layout(concurrent bool) string {
	if concurrent {
		return "concurrently"
	}
	return "inline"
}

// PastBudget reports whether experience, in seconds, is more than a run with the given
// budget gathers in steps of dt seconds: its last training episode may end up to a step past
// the budget, and sums of steps round.
func PastBudget(experience float64, budget time.Duration, dt float64) bool {
	return experience > budget.Seconds()*(1+1e-9)+dt
}

// Done reports whether the run is over: no episode is under way or due for evaluation, and
// the budget is spent or the agent is competent and the configuration stops there.
func (t *Trainer) Done() bool {
	return t.ep == nil && !t.evaluating && (t.res.Experience >= t.cfg.Budget.Seconds() || (t.cfg.StopWhenCompetent && t.res.Competent))
}

// Evaluating reports whether the episode under way (or the next one) is an evaluation, and
// how many evaluation episodes are still to finish at most (it stops once settled).
func (t *Trainer) Evaluating() (bool, int) { return t.evaluating, t.evalsLeft }

// Episode returns the episode under way so far: its return, length and time; the zero
// result between episodes.
func (t *Trainer) Episode() EpisodeResult {
	if t.ep == nil {
		return EpisodeResult{}
	}
	return t.ep.res
}

// Experience returns the simulated experience in seconds so far, the training episode under
// way included.
func (t *Trainer) Experience() float64 {
	if t.ep != nil && !t.evaluating {
		return t.res.Experience + t.ep.res.Seconds
	}
	return t.res.Experience
}

// Curve returns the learning curve so far, the Trainer's own slice: the caller must not
// change it. The Trainer only ever appends to it, so a slice returned earlier keeps its
// contents.
func (t *Trainer) Curve() []EpisodePoint { return t.res.Curve }

// Episodes returns the number of training episodes finished.
func (t *Trainer) Episodes() int { return t.res.Episodes }

// TTC returns the experience at which the agent became competent, or nil.
func (t *Trainer) TTC() *float64 { return t.res.TTC }

// Result returns the run's result so far; the wall time is measured up to the call.
func (t *Trainer) Result() TrainResult {
	res := t.res
	res.Curve = slices.Clone(t.res.Curve)
	res.Wall = t.wallBefore + time.Since(t.start).Seconds()
	return res
}

// Step takes one step of the run: it starts an episode if none is under way and steps it,
// with the agent's action or, in a training episode, with action when it is not nil (a
// person taking over; a Learner learns from it all the same). It returns the action taken,
// which belongs to the agent or the caller. It returns an error if the run is done, if
// action is given during an evaluation episode, or if the agent, the environment or a
// checkpoint fails.
func (t *Trainer) Step(action []float64) ([]float64, error) {
	if t.Done() {
		return nil, fmt.Errorf("agent: %s: the training run is over", t.res.Env)
	}
	if t.ep == nil {
		t.startEpisode()
	}
	if action != nil && t.evaluating {
		return nil, fmt.Errorf("agent: %s: no taking over an evaluation episode", t.res.Env)
	}
	taken, err := t.ep.step(action)
	if err != nil {
		return nil, err
	}
	if t.ep.over(t.limit()) {
		return taken, t.endEpisode()
	}
	return taken, nil
}

// EndEpisode ends the episode under way now, as if the time limit had come (a person
// resetting it); a training episode's experience so far counts. It does nothing between
// episodes.
func (t *Trainer) EndEpisode() error {
	if t.ep == nil {
		return nil
	}
	t.ep.res.Truncated = true
	return t.endEpisode()
}

// limit returns the most seconds the episode under way may last: the budget left for a
// training episode, unlimited for an evaluation.
func (t *Trainer) limit() float64 {
	if t.evaluating {
		return math.Inf(1)
	}
	return t.cfg.Budget.Seconds() - t.res.Experience
}

// startEpisode starts the next training or evaluation episode on its seed.
func (t *Trainer) startEpisode() {
	if t.learner != nil {
		t.learner.SetEval(t.evaluating)
	}
	if t.evaluating {
		t.ep = startEpisode(t.env, t.ag, seed.Derive(t.cfg.Seed^evalStream, uint64(t.evals)), nil)
		t.evals++
		return
	}
	t.ep = startEpisode(t.env, t.ag, seed.Derive(t.cfg.Seed^trainStream, uint64(t.res.Episodes)), t.learner)
}

// endEpisode books the finished episode: a training episode goes on the curve, unless its
// success starts an evaluation; an evaluation counts towards the pending training episode's.
func (t *Trainer) endEpisode() error {
	ep, err := t.ep.finish()
	t.ep = nil
	if err != nil {
		return err
	}
	if t.evaluating {
		if ep.Success {
			t.pending.Evaluated++
		}
		if t.evalsLeft--; !t.settled() {
			return nil
		}
		t.evals += t.evalsLeft // later evaluations keep their seeds
		t.evaluating, t.evalsLeft = false, 0
		if t.learner != nil {
			t.learner.SetEval(false)
		}
		if t.pending.Evaluated >= t.rule.Needed {
			t.res.Competent = true
			ttc := t.pending.Experience
			t.res.TTC = &ttc
		}
		return t.record(t.pending)
	}
	t.res.Experience += ep.Seconds
	point := EpisodePoint{Episode: t.res.Episodes, Experience: t.res.Experience, Return: ep.Return,
		Length: ep.Length, Success: ep.Success, Evaluated: -1}
	t.res.Episodes++
	if ep.Success && !t.res.Competent {
		point.Evaluated = 0
		t.pending, t.evaluating, t.evalsLeft = point, true, t.rule.Trials
		return nil
	}
	return t.record(point)
}

// record puts a finished training episode on the curve, reports it and saves the run.
func (t *Trainer) record(p EpisodePoint) error {
	t.res.Curve = append(t.res.Curve, p)
	if t.cfg.Progress != nil {
		t.cfg.Progress(p)
	}
	if t.cfg.Checkpoint != nil {
		return t.cfg.Checkpoint(t.Result())
	}
	return nil
}

// settled reports whether the evaluation under way has decided competence either way, so
// the episodes left could not change it; one that has played all its episodes always has.
func (t *Trainer) settled() bool {
	failed := t.rule.Trials - t.evalsLeft - t.pending.Evaluated
	return t.pending.Evaluated >= t.rule.Needed || failed > t.rule.Trials-t.rule.Needed
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
