package envs

import (
	"errors"
	"math"

	"github.com/foresight-sim/foresight/sim"
)

// Env is a simulated task an agent acts in, in the style of Gymnasium 1.x.
//
// An episode starts with Reset and advances with Step until Step reports terminated (the task
// reached an end state, such as success or failure) or truncated (the time limit, or a
// physics blow-up). Stepping after either, or before the first Reset, is an error.
//
// The observation slices returned by Reset and Step belong to the environment and are
// overwritten by the next call; copy them to keep them. Env methods are not safe for
// concurrent use; distinct Envs may run in parallel goroutines.
type Env interface {
	// Spec returns the environment's description: id, timing, reward range, success rule.
	Spec() Spec
	// ObservationSpace returns the space observations lie in.
	ObservationSpace() Box
	// ActionSpace returns the space of valid actions.
	ActionSpace() Box
	// Reset starts a new episode whose random initial state is drawn from seed: the same seed
	// gives the same episode. It returns the first observation.
	Reset(seed uint64) (obs []float64, info Info)
	// Step applies an action for one control step. Components outside the action space are
	// clipped to it. An action of the wrong length or with NaN or infinite components is
	// rejected with an error and leaves the state unchanged.
	Step(action []float64) (obs []float64, reward float64, terminated, truncated bool, info Info, err error)
	// Snapshot overwrites dst with the environment's complete state, reusing dst's memory.
	Snapshot(dst *Snapshot)
	// Restore returns the environment to the state in s, which may come from this
	// environment or from another built with the same id and options. It returns an error,
	// changing nothing, if s does not fit.
	Restore(s *Snapshot) error
	// Scene returns a drawing of the current state. The scene belongs to the environment and
	// is rebuilt by the next call.
	Scene() *sim.Scene
}

// Spec describes an environment: what it is, how time passes in it and how it is judged.
type Spec struct {
	ID string
	// Summary is a one-line description of the task.
	Summary string
	// ControlDT is the simulated time of one Step in seconds.
	ControlDT float64
	// Substeps is the number of physics steps per Step.
	Substeps int
	// MaxEpisodeSteps is the time limit in steps (zero: none).
	MaxEpisodeSteps int
	// RewardRange bounds the per-step reward.
	RewardRange [2]float64
	// SuccessRule says in words when an episode counts as a success; Info.Success applies it.
	SuccessRule string
	// Params are the physical parameters the environment was built with.
	Params Params
	// Tunings are the task's measured departures from the settings agents use on every
	// task; most tasks have none. They belong to the task: callers must not change them.
	Tunings []Tuning
}

// Tuning is a departure, measured on one task, from the settings that some agents use on
// every task: the agents it is for, the settings it changes, and what was measured. A task
// carries it in its Spec, so that an agent finds it without knowing the task, and a new task
// never needs a change in the agents.
type Tuning struct {
	// Agents names the agents it is for, as package agent names them ("jepa", "pets").
	Agents []string
	// Settings maps the names of the settings it changes, as those agents name them, to
	// their values, written as on a command line ("45", "0.8", "false").
	Settings map[string]string
	// Reason says what was measured that makes the default wrong for this task.
	Reason string
}

// EpisodeSeconds returns the episode length in simulated seconds (zero when unlimited).
func (s Spec) EpisodeSeconds() float64 { return float64(s.MaxEpisodeSteps) * s.ControlDT }

// Info carries diagnostics with each observation. It is a plain value: reading it never
// allocates.
type Info struct {
	// Success reports whether the episode, as it stands after this step, meets the
	// environment's success rule. At the step that ends the episode it is the episode's
	// verdict.
	Success bool
	// Time is the simulated time since Reset in seconds.
	Time float64
	// Steps is the number of steps since Reset.
	Steps int
	// BlowUp reports that the physics produced non-finite numbers; the episode was truncated
	// and the observation holds zeros in place of non-finite values. Reset recovers.
	BlowUp bool
	// Episode is filled in by the RecordEpisodeStatistics wrapper at the step that ends an
	// episode; its Done field is false otherwise.
	Episode EpisodeStats
}

// EpisodeStats summarises a finished episode.
type EpisodeStats struct {
	Done    bool
	Return  float64
	Length  int
	Seconds float64
	Success bool
}

// Snapshot holds an environment's complete state: the physics world and the task's own
// variables (step counters, targets, random generator, wrapper state). Its zero value is ready
// to be filled by Env.Snapshot.
type Snapshot struct {
	world sim.Snapshot
	vars  []float64
}

// Errors returned by environments; match them with errors.Is.
var (
	// ErrEpisodeOver is returned by Step after the episode ended, or before the first Reset.
	ErrEpisodeOver = errors.New("envs: episode is over: call Reset")
	// ErrSnapshot is returned by Restore for a snapshot from an incompatible environment.
	ErrSnapshot = errors.New("envs: snapshot does not fit this environment")
)

// pushVars appends a wrapper's own variables to s.
func (s *Snapshot) pushVars(v ...float64) { s.vars = append(s.vars, v...) }

// popVars returns the last n variables of s and a shallow copy of s without them, for the
// wrapped environment to restore from.
func (s *Snapshot) popVars(n int) (inner *Snapshot, v []float64, err error) {
	if s == nil || len(s.vars) < n {
		return nil, nil, ErrSnapshot
	}
	cut := len(s.vars) - n
	in := *s
	in.vars = s.vars[:cut:cut]
	return &in, s.vars[cut:], nil
}

func sanitize(obs []float64) {
	for i, v := range obs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			obs[i] = 0
		}
	}
}
