package agent

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/foresight-sim/foresight/agent/plan"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/worldmodel"
)

// Agent chooses actions from observations.
//
// Agents are deterministic given their seeds: the same seed and the same observations give
// the same actions. An Agent is not safe for concurrent use.
type Agent interface {
	// Reset starts a new episode. Any randomness the agent uses during the episode is drawn
	// from seed, so an episode can be replayed from its seed alone.
	Reset(seed uint64)
	// Act returns the action to take on observing obs. The agent must not keep obs, which
	// belongs to the environment. The returned slice belongs to the agent and is overwritten
	// by the next call.
	Act(obs []float64) ([]float64, error)
}

// Imaginer is an Agent that can show the future it expects its plan to lead to: Oracle and
// ModelBased are. Viewers draw that future over the scene.
type Imaginer interface {
	Agent
	// Imagined returns the observations the agent expects its current plan to lead to from
	// the observation it last planned from, one per step ahead, nearest first; fewer if the
	// episode would end sooner, and nil before its first plan of an episode. The result
	// belongs to the agent and is overwritten by the next call. It returns an error if the
	// prediction fails.
	Imagined() ([][]float64, error)
}

// SubgoalImaginer is an Agent that may plan at two time scales and can then show where its
// coarse plan leads.
type SubgoalImaginer interface {
	Agent
	// Subgoals returns the observations the agent's coarse plan is expected to lead to from
	// the observation it last planned it from, one per coarse step, the first its current
	// subgoal; nil for an agent of one level, before its first plan of an episode, or when it
	// cannot read them out. The
	// result belongs to the agent and is overwritten by the next call. It returns an error
	// if the prediction fails.
	Subgoals() ([][]float64, error)
}

// Weigher is an Agent that plans and can show the candidate plans it weighed for its last
// action, as its model imagines them: ModelBased is. Viewers draw them to show the planner
// thinking.
type Weigher interface {
	Agent
	// Weighed returns up to n of the candidates the planner scored last, spread over their
	// returns from the best down (the best, the worst and evenly spaced ranks between), best
	// first. It returns nil before the agent's first plan of an episode, and an error if
	// imagining fails.
	Weighed(n int) ([]Candidate, error)
}

// Candidate is a plan an agent weighed: the observations it expected the plan to lead to,
// one per step ahead, and the return it expected.
type Candidate struct {
	Future [][]float64
	Return float64
}

// Perceiver is an Agent whose model can show how it perceives the present: ModelBased is.
// Viewers draw it next to what the agent observes, so that one sees what the model keeps.
type Perceiver interface {
	Agent
	// Perceived returns what the agent's model reads out of its latent of the observation
	// the agent last planned from (for a model of images, the newest frame), or nil before
	// its first plan of an episode. The result belongs to the agent and is overwritten by
	// the next call. It returns an error if the read-out fails.
	Perceived() ([]float64, error)
}

// ModelReporter is a Learner that learns a world model and reports how its training goes:
// ModelBased is.
type ModelReporter interface {
	Learner
	// Stats returns the losses of the last model update and the number of updates so far.
	Stats() (worldmodel.Stats, int)
}

// LossReporter is a Learner that reports the loss of its last training step, for display:
// ModelBased its world model's, SAC its Q-networks'.
type LossReporter interface {
	Learner
	// TrainingLoss returns what the loss is of ("world-model loss"), its value after the
	// last update, and the number of updates so far.
	TrainingLoss() (name string, loss float64, updates int)
}

// newPlanner returns the planner called name with configuration c and the agent's seed,
// searching within space unless c sets bounds of its own, as the Plan fields of
// ModelConfig and OracleConfig promise.
func newPlanner(name string, c plan.Config, space envs.Box, seed uint64) (plan.Planner, error) {
	if c.Bounds.Dim() == 0 {
		c.Bounds = plan.Bounds{Low: space.Low, High: space.High}
	}
	c.Seed = seed
	return plan.New(name, c)
}

// constructor builds an agent for env with the given seed.
type constructor func(env envs.Env, seed uint64, o options) (Agent, error)

// An Option changes how New builds an agent.
type Option func(*options)

// options holds what the Options given to New ask for.
type options struct {
	concurrent bool
	settings   map[string]string
}

// Concurrent asks, when on, for a learner with a world model (jepa, pets or recon) that
// trains on a second goroutine while it acts (ModelConfig.Concurrent). New returns an error
// for other agents.
func Concurrent(on bool) Option { return func(o *options) { o.concurrent = on } }

// Set changes settings of a learner with a world model (jepa, pets or recon), for an
// ablation: the agent's, named as ModelConfigFor lists them and applied after its task's
// tunings and, for images, PixelModelConfig; and its model's, named "model." and a field of
// the model's configuration (model.horizon, model.batch, model.rho, model.latent,
// model.reward, model.lr; for jepa model.consistency and model.target; for recon
// model.reconstruction; for pets model.members, model.batch and model.lr). New returns an
// error for other agents, an unknown setting or a bad value; no settings change nothing.
func Set(settings map[string]string) Option {
	return func(o *options) { o.settings = maps.Clone(settings) }
}

// builtins lists the agents New can build, in the order Names reports them; model marks
// those that learn a world model, which take the options Concurrent and Set.
var builtins = []struct {
	name  string
	make  constructor
	model bool
}{
	{"random", func(env envs.Env, seed uint64, _ options) (Agent, error) {
		return NewRandom(env.ActionSpace(), seed), nil
	}, false},
	{"zero", func(env envs.Env, _ uint64, _ options) (Agent, error) { return NewZero(env.ActionSpace()), nil }, false},
	{"oracle", func(env envs.Env, seed uint64, _ options) (Agent, error) {
		if dimsOf(env).Pixels.Images() {
			return nil, errors.New("agent: the oracle plans on the simulator's states, not images: use jepa or recon with pixel observations")
		}
		c, err := OracleConfigFor(env.Spec())
		if err != nil {
			return nil, err
		}
		o, err := NewOracle(env, seed, c)
		if err != nil {
			return nil, err
		}
		return o, nil
	}, false},
	{"jepa", func(env envs.Env, seed uint64, o options) (Agent, error) {
		return newLearning("jepa", env, seed, o, buildJEPA)
	}, true},
	{"hjepa", func(env envs.Env, seed uint64, o options) (Agent, error) {
		return newLearning("hjepa", env, seed, o, buildJEPA)
	}, true},
	{"pets", func(env envs.Env, seed uint64, o options) (Agent, error) {
		return newLearning("pets", env, seed, o, func(d worldmodel.Dims, s uint64, set modelSettings) (worldmodel.Model, error) {
			if d.Pixels.Images() {
				return nil, errors.New("pets learns from states, not images: use jepa or recon with pixel observations")
			}
			c := worldmodel.DefaultPETSConfig()
			if err := set.apply(petsSettings(&c)); err != nil {
				return nil, err
			}
			return worldmodel.NewPETS(d, c, s)
		})
	}, true},
	{"recon", func(env envs.Env, seed uint64, o options) (Agent, error) {
		return newLearning("recon", env, seed, o, func(d worldmodel.Dims, s uint64, set modelSettings) (worldmodel.Model, error) {
			c, err := configure(d, worldmodel.DefaultReconConfig, worldmodel.DefaultPixelReconConfig, reconSettings, set)
			if err != nil {
				return nil, err
			}
			return worldmodel.NewRecon(d, c, s)
		})
	}, true},
	{"sac", func(env envs.Env, seed uint64, _ options) (Agent, error) {
		a, err := NewSAC(env, seed, DefaultSACConfig())
		if err != nil {
			return nil, err
		}
		return a, nil
	}, false},
}

// buildJEPA builds the JEPA of jepa and hjepa, for states or images, with set's settings.
func buildJEPA(d worldmodel.Dims, s uint64, set modelSettings) (worldmodel.Model, error) {
	c, err := configure(d, worldmodel.DefaultJEPAConfig, worldmodel.DefaultPixelJEPAConfig, jepaSettings, set)
	if err != nil {
		return nil, err
	}
	return worldmodel.NewJEPA(d, c, s)
}

// LearnsModel reports whether the agent called name learns a world model, and so takes the
// options Concurrent and Set.
func LearnsModel(name string) bool { return slices.Contains(modelNames(), name) }

// modelNames returns the names of the agents that learn a world model.
func modelNames() []string {
	var names []string
	for _, b := range builtins {
		if b.model {
			names = append(names, b.name)
		}
	}
	return names
}

// Names returns the names New accepts.
func Names() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return names
}

// New returns the agent called name, built for env and seeded with seed, as opts ask. Most
// agents need only env's action space; the oracle also reads env's state at every Act, so env
// must be the environment the agent acts in. New returns an error naming the known agents if
// there is none called name, if the agent does not take an option asked for, or the agent's
// error if it cannot be built for env.
func New(name string, env envs.Env, seed uint64, opts ...Option) (Agent, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	for _, b := range builtins {
		switch {
		case b.name != name:
			continue
		case o.concurrent && !b.model:
			return nil, fmt.Errorf("agent: %s does not learn concurrently: only %s do", name, strings.Join(modelNames(), ", "))
		case len(o.settings) > 0 && !b.model:
			return nil, fmt.Errorf("agent: %s takes no settings: only %s do", name, strings.Join(modelNames(), ", "))
		}
		return b.make(env, seed, o)
	}
	return nil, fmt.Errorf("agent: unknown agent %.40q (known: %s)", name, strings.Join(Names(), ", "))
}
