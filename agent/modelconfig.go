package agent

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/foresight-sim/foresight/agent/plan"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/worldmodel"
)

// ModelConfig configures a ModelBased agent.
type ModelConfig struct {
	// Planner names the planner (see plan.Names).
	Planner string
	// Plan holds the planner's hyper-parameters. Empty Bounds stand for the environment's
	// action space; the seed comes from the agent's.
	Plan plan.Config
	// Discount weighs the imagined reward of step t by Discount^t, and the critic's value
	// at the horizon by Discount^Horizon; the critic learns returns of this discount.
	Discount float64
	// Critic configures the critic whose value of the last imagined latent each candidate
	// sequence scores; nil plans with the imagined rewards alone. Its Discount is replaced
	// by the agent's.
	Critic *worldmodel.CriticConfig
	// Termination configures the model of which transitions end the episode, which the
	// agent trains and imagines with once it has seen an episode end; nil imagines every
	// rollout running to the horizon.
	Termination *worldmodel.TerminationConfig
	// SeedSeconds is the simulated experience of random actions before the agent plans.
	SeedSeconds float64
	// PretrainUpdates is the number of model updates at the end of the seed phase.
	PretrainUpdates int
	// UpdatesPerStep is the number of model updates after each later training step.
	UpdatesPerStep int
	// ExploreStd is the standard deviation of the Gaussian noise added to planned actions
	// while training, as a fraction of each action component's half-range.
	ExploreStd float64
	// ReplayCapacity is the most transitions the replay buffer keeps.
	ReplayCapacity int
	// Policy configures a policy prior, whose proposals take Plan.Proposals of the planner's
	// candidates; nil plans without one (and Plan.Proposals must be 0).
	Policy *PolicyConfig
	// Explore weighs the disagreement of an ensemble of latent predictors (Disagreement),
	// added to every imagined reward: positive to explore what the model knows little of
	// while training (evaluation plans without it), negative to keep away from it in
	// training and evaluation alike; 0 plans without one.
	Explore float64
	// Disagreement configures that ensemble; nil while Explore is 0.
	Disagreement *worldmodel.DisagreementConfig
	// Coarse configures the upper level of a hierarchical world model, trained alongside
	// the model on its latents, with which a coarse planner (CoarsePlan, over macro-actions)
	// chooses a subgoal once a coarse step; nil plans with the model alone.
	Coarse     *worldmodel.CoarseConfig
	CoarsePlan plan.Config
	// Subgoal weighs, in the imagined reward of the step at which the subgoal is due, the
	// distance of the imagined latent from the coarse planner's subgoal
	// (worldmodel.Imagination.SetSubgoal).
	Subgoal float64
	// Concurrent makes the agent train on a second goroutine while it acts: the updates that
	// follow a step run while the agent plans the next action, with a replica of the model
	// synced before they start, so every action is planned with the parameters of one step
	// earlier than when learning inline. Runs stay deterministic for a given seed, but differ
	// from inline ones.
	Concurrent bool
}

// DefaultModelConfig returns the hyper-parameters the jepa and pets agents share on every
// environment, before the environment's tunings (see ModelConfigFor):
//
//	planner      MPPI, horizon 10 steps (0.5 s at 0.05 s), 128 samples, 16 elites,
//	             3 iterations, temperature 0.5, momentum 0.1, std 1 → 0.05,
//	             correlation 0.5; the critic's value sees beyond the horizon
//	discount     0.98
//	critic       worldmodel.DefaultCriticConfig
//	termination  worldmodel.DefaultTerminationConfig, from the first episode that ends
//	             (only Acrobot's do)
//	seed phase   5 s of random actions, then 200 model updates
//	updates      2 per step (each a model step and a critic step)
//	exploration  none beyond the planner's own sampling (noise on the planned actions
//	             made training episodes succeed that evaluation then failed)
//	replay       100 000 transitions (about 1.4 h of experience at 0.05 s)
func DefaultModelConfig() ModelConfig {
	critic, ends := worldmodel.DefaultCriticConfig(), worldmodel.DefaultTerminationConfig()
	return ModelConfig{
		Planner: "mppi",
		Plan: plan.Config{
			Horizon: 10, Samples: 128, Elites: 16, Iterations: 3,
			Temperature: 0.5, Momentum: 0.1, InitStd: 1, MinStd: 0.05, Correlation: 0.5,
		},
		Discount:        0.98,
		Critic:          &critic,
		Termination:     &ends,
		SeedSeconds:     5,
		PretrainUpdates: 200,
		UpdatesPerStep:  2,
		ExploreStd:      0,
		ReplayCapacity:  100_000,
	}
}

// DefaultHierarchicalConfig returns the configuration of hjepa, the two-level learner,
// before the environment's tunings: DefaultModelConfig, with worldmodel.DefaultCoarseConfig's
// coarse level (steps of 0.5 s) planned by MPPI over 8 macro-actions (4 s) with the fine
// planner's settings, and the subgoal's distance weighed 1 against rewards in [0, 1] per
// step.
func DefaultHierarchicalConfig() ModelConfig {
	c := DefaultModelConfig()
	coarse := worldmodel.DefaultCoarseConfig()
	c.Coarse, c.CoarsePlan, c.Subgoal = &coarse, c.Plan, 1
	c.CoarsePlan.Horizon = 8
	return c
}

// defaultConfigs holds the defaults of the learners whose defaults are not
// DefaultModelConfig's.
var defaultConfigs = map[string]func() ModelConfig{"hjepa": DefaultHierarchicalConfig}

// maxReplayFrames bounds the bytes of frames a learner of images keeps, 900 MiB, so that
// its checkpoint stays within the 1 GiB a checkpoint file may hold: 76 800 transitions of
// 64×64 RGB frames, over an hour of experience at 20 steps a second.
const maxReplayFrames = 900 << 20

// PixelModelConfig returns c changed for a learner of images of frameBytes bytes each,
// whose training steps pass every image of their batches through convolutions: one model
// update per step, batches of 32 transitions for the critic, the policy prior and the
// disagreement ensemble, of 16 sequences for the coarse level, and of 32
// random and 8 terminal ones for the termination model (docs/decisions/pixels.md has the timings), and
// a replay buffer of at most 900 MiB of frames.
func PixelModelConfig(c ModelConfig, frameBytes int) ModelConfig {
	c.UpdatesPerStep = 1
	c.ReplayCapacity = max(1, min(c.ReplayCapacity, maxReplayFrames/max(1, frameBytes)))
	pixelBatches(&c)
	return c
}

// pixelBatches shrinks the batches of the parts c has besides the model to those of a
// learner of images (PixelModelConfig), the coarse level's to 16 sequences.
func pixelBatches(c *ModelConfig) {
	if c.Critic != nil {
		critic := *c.Critic
		critic.Batch = 32
		c.Critic = &critic
	}
	if c.Termination != nil {
		ends := *c.Termination
		ends.Batch, ends.Ends = 32, 8
		c.Termination = &ends
	}
	if c.Policy != nil {
		pol := *c.Policy
		pol.Batch = 32
		c.Policy = &pol
	}
	if c.Disagreement != nil {
		d := *c.Disagreement
		d.Batch = 32
		c.Disagreement = &d
	}
	if c.Coarse != nil {
		k := *c.Coarse
		k.Batch = 16
		c.Coarse = &k
	}
}

// ModelConfigFor returns the configuration of the learner called name ("jepa", "hjepa",
// "pets" or "recon") in an environment described by spec: DefaultModelConfig (for hjepa
// DefaultHierarchicalConfig), changed by those of spec.Tunings
// that name the learner (for hjepa, jepa too), each setting in name order. It returns an error if a tuning
// changes a setting the learners do not have or gives it a value that does not parse.
//
// The settings a tuning may change, by name:
//
//	plan.horizon      Plan.Horizon, a whole number of steps
//	plan.samples      Plan.Samples, a whole number
//	plan.elites       Plan.Elites, a whole number
//	plan.iterations   Plan.Iterations, a whole number
//	plan.correlation  Plan.Correlation, a number
//	critic            whether to plan with a critic (the default one) or without: true or false
//	critic.members    the critic's Members, a whole number (settings apply in name order,
//	                  so after critic)
//	critic.min        the critic's TargetMin, a whole number
//	explore           Explore, a number: the weight of the disagreement of an ensemble of
//	                  latent predictors (DefaultDisagreementConfig) in imagined rewards; 0
//	                  for none
//	explore.members   that ensemble's Members, a whole number (after explore)
//	subgoal           Subgoal, a number, for hjepa
//	policy            a policy prior (DefaultPolicyConfig) proposing this many candidates
//	                  (Plan.Proposals), a whole number; 0 for none
//	updates           UpdatesPerStep, a whole number
//
// Why these values: docs/decisions.md#learner-settings-per-task-modelconfigfor.
func ModelConfigFor(name string, spec envs.Spec) (ModelConfig, error) {
	c := DefaultModelConfig()
	if def, ok := defaultConfigs[name]; ok {
		c = def()
	}
	err := tune(spec, name, func(key, value string) error { return setModel(&c, key, value) })
	return c, err
}

// Set changes c's settings, named as for ModelConfigFor, to the values of settings, in
// name order. It returns an error, naming the setting, for an unknown setting or a value
// that does not parse; c may then have been changed in part.
func (c *ModelConfig) Set(settings map[string]string) error {
	for _, key := range slices.Sorted(maps.Keys(settings)) {
		if err := setModel(c, key, settings[key]); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
	}
	return nil
}

// learnerSettings sets each of a learner's settings that is not the planner's from its
// value's text.
var learnerSettings = map[string]func(c *ModelConfig, value string) error{
	"critic":          setCritic,
	"critic.members":  criticSetting(func(c *worldmodel.CriticConfig) *int { return &c.Members }),
	"critic.min":      criticSetting(func(c *worldmodel.CriticConfig) *int { return &c.TargetMin }),
	"explore":         setExplore,
	"explore.members": setExploreMembers,
	"subgoal":         setSubgoal,
	"policy":          setPolicy,
	"updates":         func(c *ModelConfig, value string) error { return setInt(&c.UpdatesPerStep, value) },
}

// setSubgoal sets the weight of the subgoal's distance of a two-level learner.
func setSubgoal(c *ModelConfig, value string) error {
	if c.Coarse == nil {
		return errors.New("only a two-level learner (hjepa) has subgoals")
	}
	return setField(&c.Subgoal, value)
}

// setExplore sets c's exploration weight and gives it the default disagreement ensemble,
// or none for 0.
func setExplore(c *ModelConfig, value string) error {
	if err := setField(&c.Explore, value); err != nil {
		return err
	}
	c.Disagreement = nil
	if c.Explore != 0 {
		d := worldmodel.DefaultDisagreementConfig()
		c.Disagreement = &d
	}
	return nil
}

// setExploreMembers sets the number of predictors of c's disagreement ensemble, which fails
// without one.
func setExploreMembers(c *ModelConfig, value string) error {
	if c.Disagreement == nil {
		return errors.New("the agent plans without a disagreement ensemble: set explore too")
	}
	d := *c.Disagreement
	c.Disagreement = &d
	return setInt(&d.Members, value)
}

// setPolicy gives c the default policy prior with value proposals per planner iteration, or
// none for 0.
func setPolicy(c *ModelConfig, value string) error {
	if err := setInt(&c.Plan.Proposals, value); err != nil {
		return err
	}
	c.Policy = nil
	if c.Plan.Proposals > 0 {
		p := DefaultPolicyConfig()
		c.Policy = &p
	}
	return nil
}

// criticSetting returns the setter of the critic's whole-number field that field points
// to, which fails when the agent plans without a critic.
func criticSetting(field func(*worldmodel.CriticConfig) *int) func(*ModelConfig, string) error {
	return func(c *ModelConfig, value string) error {
		if c.Critic == nil {
			return errors.New("the agent plans without a critic here: set critic=true too")
		}
		critic := *c.Critic
		c.Critic = &critic
		return setInt(field(&critic), value)
	}
}

// setModel sets the learner's setting called key to value in c.
func setModel(c *ModelConfig, key, value string) error {
	set, ok := learnerSettings[key]
	if !ok {
		return setPlan(&c.Plan, key, value, slices.Collect(maps.Keys(learnerSettings))...)
	}
	if err := set(c, value); err != nil {
		return fmt.Errorf("%s = %q: %w", key, value, err)
	}
	return nil
}

// OracleConfigFor returns the oracle's configuration in an environment described by spec:
// DefaultOracleConfig, changed by those of spec.Tunings that name "oracle", each setting in
// name order. The settings are the planner's, named as for ModelConfigFor. It returns an
// error if a tuning changes another setting or gives it a value that does not parse.
func OracleConfigFor(spec envs.Spec) (OracleConfig, error) {
	c := DefaultOracleConfig()
	err := tune(spec, "oracle", func(key, value string) error { return setPlan(&c.Plan, key, value) })
	return c, err
}

// tunedAs lists, for a learner that is another with more, the learner whose tunings it
// takes too: hjepa is jepa with a coarse level, and compares with it only if the two plan
// alike at the fine level.
var tunedAs = map[string][]string{"hjepa": {"jepa"}}

// tune calls set with every setting of the tunings of spec that name the agent called name
// (or one it is tuned as), in name order within each tuning, and returns its first error,
// naming the task.
func tune(spec envs.Spec, name string, set func(key, value string) error) error {
	names := append([]string{name}, tunedAs[name]...)
	for _, t := range spec.Tunings {
		if !slices.ContainsFunc(names, func(n string) bool { return slices.Contains(t.Agents, n) }) {
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(t.Settings)) {
			if err := set(key, t.Settings[key]); err != nil {
				return fmt.Errorf("agent: %s's tuning of %s: %w", spec.ID, name, err)
			}
		}
	}
	return nil
}

// setCritic turns the critic of c on (the default one) or off as value says.
func setCritic(c *ModelConfig, value string) error {
	on, err := strconv.ParseBool(value)
	if err != nil {
		return errors.New("want true or false")
	}
	c.Critic = nil
	if on {
		critic := worldmodel.DefaultCriticConfig()
		c.Critic = &critic
	}
	return nil
}

// planSettings sets each planner setting a tuning may change from its value's text.
var planSettings = map[string]func(c *plan.Config, value string) error{
	"plan.horizon":     intSetting(func(c *plan.Config) *int { return &c.Horizon }),
	"plan.samples":     intSetting(func(c *plan.Config) *int { return &c.Samples }),
	"plan.elites":      intSetting(func(c *plan.Config) *int { return &c.Elites }),
	"plan.iterations":  intSetting(func(c *plan.Config) *int { return &c.Iterations }),
	"plan.correlation": floatSetting(func(c *plan.Config) *float64 { return &c.Correlation }),
}

// setPlan sets the planner setting called key to value in c; an unknown key's error lists
// the planner's settings and the agent's others.
func setPlan(c *plan.Config, key, value string, others ...string) error {
	set, ok := planSettings[key]
	if !ok {
		known := slices.Sorted(slices.Values(append(slices.Collect(maps.Keys(planSettings)), others...)))
		return fmt.Errorf("unknown setting %q (known: %s)", key, strings.Join(known, ", "))
	}
	if err := set(c, value); err != nil {
		return fmt.Errorf("%s = %q: %w", key, value, err)
	}
	return nil
}

// intSetting returns the setter of the whole-number field that field points to.
func intSetting(field func(*plan.Config) *int) func(*plan.Config, string) error {
	return func(c *plan.Config, value string) error { return setInt(field(c), value) }
}

// floatSetting returns the setter of the number field that field points to.
func floatSetting(field func(*plan.Config) *float64) func(*plan.Config, string) error {
	return func(c *plan.Config, value string) error { return setField(field(c), value) }
}
