package agent

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/worldmodel"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// mbJEPA returns a JEPA configuration small enough for quick tests, whose loss unrolls
// horizon steps.
func mbJEPA(horizon int) worldmodel.JEPAConfig {
	c := worldmodel.DefaultJEPAConfig()
	c.Latent, c.Group = 16, 4
	c.Encoder, c.Predictor, c.Probe = []int{32}, []int{32}, []int{16}
	c.Horizon, c.Batch = horizon, 32
	c.Conv.Layers = []nn.ConvLayer{ // for mbPixels: 24 → 11 → 5
		{Out: 8, Kernel: 4, Stride: 2, Activation: nn.ReLU},
		{Out: 8, Kernel: 3, Stride: 2, Activation: nn.ReLU},
	}
	return c
}

// mbPETS returns a PETS configuration small enough for quick tests.
func mbPETS() worldmodel.PETSConfig {
	c := worldmodel.DefaultPETSConfig()
	c.Members, c.Hidden, c.Batch = 2, []int{16}, 16
	return c
}

// mbConfig returns an agent configuration with a small planner and critic: a 1 s seed
// phase, then 5 pretraining updates and 1 update per step, without exploration noise.
func mbConfig() ModelConfig {
	c := DefaultModelConfig()
	c.Plan.Horizon, c.Plan.Samples, c.Plan.Elites, c.Plan.Iterations = 5, 16, 4, 2
	critic := worldmodel.DefaultCriticConfig()
	critic.Hidden, critic.Batch = []int{16}, 32
	c.Critic = &critic
	c.SeedSeconds, c.PretrainUpdates, c.UpdatesPerStep = 1, 5, 1
	c.ExploreStd = 0
	c.ReplayCapacity = 2000
	return c
}

// mbModels builds the small models by the agents' names; of images, they take mbPixels's
// 24×24 frames.
var mbModels = map[string]func(worldmodel.Dims, uint64) (worldmodel.Model, error){
	"jepa": func(d worldmodel.Dims, s uint64) (worldmodel.Model, error) {
		return worldmodel.NewJEPA(d, mbJEPA(3), s)
	},
	"pets": func(d worldmodel.Dims, s uint64) (worldmodel.Model, error) { return worldmodel.NewPETS(d, mbPETS(), s) },
	"recon": func(d worldmodel.Dims, s uint64) (worldmodel.Model, error) {
		j := mbJEPA(3)
		c := worldmodel.DefaultReconConfig()
		c.Latent, c.Group, c.Encoder, c.Predictor, c.Decoder = j.Latent, j.Group, j.Encoder, j.Predictor, j.Probe
		c.Conv, c.Horizon, c.Batch = j.Conv, j.Horizon, j.Batch
		return worldmodel.NewRecon(d, c, s)
	},
}

// mbPixels are the small images of the agent tests of pixel models.
var mbPixels = envs.PixelConfig{Width: 24, Height: 24, Stack: 2}

// newMB returns a ModelBased agent for env learning the small model called kind.
func newMB(t testing.TB, env envs.Env, kind string, seed uint64, c ModelConfig) *ModelBased {
	t.Helper()
	d := dimsOf(env)
	m, err := mbModels[kind](d, seed)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewModelBased(env, m, seed, c)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// mbStep takes one training step of a from obs: it acts, steps env, and hands the
// transition to a. It returns a copy of the action, the next observation (a copy) and
// whether the episode is over.
func mbStep(t testing.TB, env envs.Env, a *ModelBased, obs []float64) (action, next []float64, over bool) {
	t.Helper()
	act, err := a.Act(obs)
	if err != nil {
		t.Fatal(err)
	}
	action = slices.Clone(act)
	o, r, term, trunc, _, err := env.Step(action)
	if err != nil {
		t.Fatal(err)
	}
	next = slices.Clone(o)
	if err := a.Observe(Transition{Obs: obs, Action: action, Next: next, Reward: r, Terminated: term}); err != nil {
		t.Fatal(err)
	}
	return action, next, term || trunc
}

// updates returns the number of model updates a has taken, once those in flight are done.
func updates(a *ModelBased) int {
	a.wait()
	_, n := a.Stats()
	return n
}

// plannedFirst returns the first action of the planner's best sequence.
func plannedFirst(a *ModelBased) []float64 { return a.planner.Best()[:a.space.Dim()] }

// TestModelBasedSeedPhaseAndUpdates checks the schedule of a training run step by step:
// during the seed phase the actions are the uniform draws of the agent's exploration stream,
// restarted by every Reset, and the model is not updated; the step that ends the seed phase
// takes exactly PretrainUpdates updates, and every later step UpdatesPerStep, planned
// actions taken from then on; the seed phase counts experience across episodes. It holds
// for agents learning inline and concurrently.
func TestModelBasedSeedPhaseAndUpdates(t *testing.T) {
	for _, concurrent := range []bool{false, true} {
		t.Run(layout(concurrent), func(t *testing.T) { testSeedPhaseAndUpdates(t, concurrent) })
	}
}

func testSeedPhaseAndUpdates(t *testing.T, concurrent bool) {
	const seedSteps = 20 // 1 s at 0.05 s
	for _, tc := range []struct {
		name                string
		pretrain, perStep   int
		episodeSteps, steps int
	}{
		{"pretrain 5, 1 per step", 5, 1, 200, 26},
		{"pretrain 5, 2 per step", 5, 2, 200, 26},
		{"no pretraining", 0, 3, 200, 24},
		{"pretraining only", 4, 0, 200, 24},
		{"seed phase over three episodes", 5, 1, 8, 28},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := makeEnv(t, "Pendulum-v0", envs.WithMaxEpisodeSteps(tc.episodeSteps))
			c := mbConfig()
			c.PretrainUpdates, c.UpdatesPerStep = tc.pretrain, tc.perStep
			c.Concurrent = concurrent
			a := newMB(t, env, "jepa", 3, c)
			space := env.ActionSpace()
			if _, n := a.Stats(); n != 0 {
				t.Fatalf("a new agent reports %d updates", n)
			}
			episode := uint64(100)
			obs := slices.Clone(first(env, a, episode))
			draws := rand.New(rand.NewPCG(episode, exploreStream))
			for k := 1; k <= tc.steps; k++ {
				action, next, over := mbStep(t, env, a, obs)
				if !space.Contains(action) {
					t.Fatalf("step %d: action %v outside %v", k, action, space)
				}
				if k <= seedSteps {
					if want := space.Sample(draws, make([]float64, space.Dim())); !slices.Equal(action, want) {
						t.Fatalf("seed step %d: action %v, want the exploration stream's draw %v", k, action, want)
					}
					if seen, _ := a.Imagined(); seen != nil {
						t.Fatalf("seed step %d: the agent planned", k)
					}
				} else if want := plannedFirst(a); !slices.Equal(action, want) {
					t.Fatalf("step %d after the seed phase: action %v, want the plan's first %v", k, action, want)
				}
				want := 0
				if k >= seedSteps {
					want = tc.pretrain + (k-seedSteps)*tc.perStep
				}
				if got := updates(a); got != want {
					t.Fatalf("after step %d: %d updates, want %d", k, got, want)
				}
				obs = next
				if over {
					if err := a.EndEpisode(); err != nil {
						t.Fatal(err)
					}
					episode++
					obs = slices.Clone(first(env, a, episode))
					draws = rand.New(rand.NewPCG(episode, exploreStream))
				}
			}
			if stats, n := a.Stats(); n > 0 && (!isFinite(stats.Loss) || stats.Loss == 0) {
				t.Errorf("after %d updates the last loss is %v", n, stats.Loss)
			}
		})
	}
}

// first resets env and a for an episode from seed and returns the first observation.
func first(env envs.Env, a Agent, seed uint64) []float64 {
	obs, _ := env.Reset(seed)
	a.Reset(seed)
	return obs
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// TestModelBasedEvaluation checks evaluation mode: the agent plans even before its seed
// phase ends, adds no exploration noise, and learns nothing from the evaluation episodes
// Train plays.
func TestModelBasedEvaluation(t *testing.T) {
	t.Run("plans before the seed phase ends", func(t *testing.T) {
		env := makeEnv(t, "Pendulum-v0")
		a := newMB(t, env, "jepa", 5, mbConfig())
		a.SetEval(true)
		obs := first(env, a, 1)
		for k := range 5 {
			action, err := a.Act(obs)
			if err != nil {
				t.Fatal(err)
			}
			if want := plannedFirst(a); !slices.Equal(action, want) {
				t.Fatalf("evaluation step %d: action %v, want the plan's first %v", k, action, want)
			}
			if seen, err := a.Imagined(); seen == nil || err != nil {
				t.Fatalf("evaluation step %d: Imagined = %v, %v after a plan", k, seen, err)
			}
			if obs, _, _, _, _, err = env.Step(action); err != nil {
				t.Fatal(err)
			}
		}
		if n := updates(a); n != 0 {
			t.Fatalf("%d updates in evaluation", n)
		}
		// Evaluation steps do not use up the seed phase: training starts with its first draw.
		a.SetEval(false)
		obs = first(env, a, 2)
		action, err := a.Act(obs)
		if err != nil {
			t.Fatal(err)
		}
		space := env.ActionSpace()
		if want := space.Sample(rand.New(rand.NewPCG(2, exploreStream)), make([]float64, 1)); !slices.Equal(action, want) {
			t.Errorf("first training action %v, want the seed phase's first draw %v", action, want)
		}
	})
	t.Run("no exploration noise", func(t *testing.T) {
		// Actions in [−1, 3]: half-range 2, so the noise's std is twice ExploreStd.
		env, err := envs.NewRescaleAction(makeEnv(t, "Pendulum-v0"), []float64{-1}, []float64{3})
		if err != nil {
			t.Fatal(err)
		}
		c := mbConfig()
		c.SeedSeconds, c.ExploreStd = 0, 0.5
		a := newMB(t, env, "jepa", 5, c)
		obs := first(env, a, 1)
		noise := rand.New(rand.NewPCG(1, exploreStream)) // the episode's exploration draws
		noisy := 0
		for k := range 10 {
			a.SetEval(k%2 == 1)
			action, err := a.Act(obs)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(plannedFirst(a))
			if !a.eval {
				want[0] = math.Max(-1, math.Min(3, want[0]+2*0.5*noise.NormFloat64()))
				if want[0] != plannedFirst(a)[0] {
					noisy++
				}
			}
			if !slices.Equal(action, want) {
				t.Fatalf("step %d (evaluation %v): action %v, want %v (planned %v)", k, a.eval, action, want, plannedFirst(a))
			}
			if obs, _, _, _, _, err = env.Step(action); err != nil {
				t.Fatal(err)
			}
		}
		if noisy == 0 {
			t.Error("no training action had noise: the test checks nothing")
		}
	})
	t.Run("Train's evaluations do not learn", func(t *testing.T) {
		env := &coinEnv{} // 2-step episodes of 1 s that succeed when the last action is positive
		c := mbConfig()
		c.PretrainUpdates, c.UpdatesPerStep = 3, 2
		// The episodes are 2 steps long, so the JEPA's loss unrolls only 1.
		m, err := worldmodel.NewJEPA(worldmodel.Dims{Obs: 1, Action: 1}, mbJEPA(1), 1)
		if err != nil {
			t.Fatal(err)
		}
		a, err := NewModelBased(env, m, 1, c)
		if err != nil {
			t.Fatal(err)
		}
		evaluations, failed := 0, ""
		res, err := Train(env, a, "jepa", TrainConfig{Seed: 4, Budget: 6 * time.Second,
			Competence: Competence{Trials: 3, Needed: 3},
			Progress: func(p EpisodePoint) {
				steps := 2 * (p.Episode + 1) // training steps so far; the seed phase is the first 2
				want := c.PretrainUpdates + (steps-2)*c.UpdatesPerStep
				if got := updates(a); got != want && failed == "" {
					failed = fmt.Sprintf("after training episode %d (evaluated %d): %d updates, want %d", p.Episode, p.Evaluated, got, want)
				}
				if p.Evaluated >= 0 {
					evaluations++
				}
				if a.eval {
					failed = fmt.Sprintf("after training episode %d: still in evaluation mode", p.Episode)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		if failed != "" {
			t.Fatal(failed)
		}
		if evaluations == 0 {
			t.Fatalf("no training episode of %d triggered an evaluation; pick another seed", res.Episodes)
		}
		if got, want := a.replay.Len(), 2*res.Episodes; got != want {
			t.Errorf("replay holds %d transitions after %d training steps: evaluation steps were stored", got, want)
		}
	})
}

// mbActions trains an agent built with seed for steps steps of Pendulum from the episode of
// seed 11, resetting the agent with episode, and returns its actions and the imagined
// observations of its last plan.
func mbActions(t *testing.T, kind string, seed, episode uint64, steps int) (actions, seen [][]float64) {
	t.Helper()
	env := makeEnv(t, "Pendulum-v0")
	c := mbConfig()
	c.ExploreStd = 0.2
	a := newMB(t, env, kind, seed, c)
	obs, _ := env.Reset(11)
	obs = slices.Clone(obs)
	a.Reset(episode)
	for range steps {
		action, next, _ := mbStep(t, env, a, obs)
		actions, obs = append(actions, action), next
	}
	im, err := a.Imagined()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range im {
		seen = append(seen, slices.Clone(o))
	}
	return actions, seen
}

// TestModelBasedDeterminism checks that agents built and reset with the same seeds take
// bit-identical actions through the seed phase and 40 steps of planning, learning and
// exploring, and imagine the same; that another agent seed (its model, critic and training
// batches) changes the planned actions but not the seed phase's, which are drawn from the
// episode's seed; and that another episode seed changes both.
func TestModelBasedDeterminism(t *testing.T) {
	for _, kind := range []string{"jepa", "pets"} {
		t.Run(kind, func(t *testing.T) {
			want, wantSeen := mbActions(t, kind, 7, 1, 60)
			got, seen := mbActions(t, kind, 7, 1, 60)
			for k := range want {
				if !slices.Equal(got[k], want[k]) {
					t.Fatalf("step %d: the same seeds acted %v and %v", k, got[k], want[k])
				}
			}
			if len(wantSeen) == 0 || !slices.EqualFunc(seen, wantSeen, slices.Equal) {
				t.Errorf("the same seeds imagined %v and %v", seen, wantSeen)
			}
			for _, tc := range []struct {
				name               string
				seed, episode      uint64
				sameSeed, samePlan bool
			}{
				{"agent seed", 8, 1, true, false},
				{"episode seed", 7, 2, false, false},
			} {
				other, _ := mbActions(t, kind, tc.seed, tc.episode, 60)
				if same := slices.EqualFunc(other[:20], want[:20], slices.Equal); same != tc.sameSeed {
					t.Errorf("another %s: seed phase the same: %v, want %v", tc.name, same, tc.sameSeed)
				}
				if same := slices.EqualFunc(other[20:], want[20:], slices.Equal); same != tc.samePlan {
					t.Errorf("another %s: planned actions the same: %v, want %v", tc.name, same, tc.samePlan)
				}
			}
		})
	}
}

// TestModelBasedErrors checks that NewModelBased rejects a model of the wrong sizes, naming
// the environment, and invalid configurations, and that Act and Observe reject inputs of
// the wrong size.
func TestModelBasedErrors(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	t.Run("model sizes", func(t *testing.T) {
		for _, d := range []worldmodel.Dims{{Obs: 5, Action: 1}, {Obs: 3, Action: 2}} {
			m, err := worldmodel.NewJEPA(d, mbJEPA(3), 1)
			if err != nil {
				t.Fatal(err)
			}
			_, err = NewModelBased(env, m, 1, mbConfig())
			if err == nil || !strings.Contains(err.Error(), "Pendulum-v0") {
				t.Errorf("model for %+v: error %v, want one naming Pendulum-v0", d, err)
			}
		}
	})
	t.Run("image layout", func(t *testing.T) {
		pix, err := envs.NewPixelObservation(makeEnv(t, "Pendulum-v0"), envs.PixelConfig{Width: 40, Height: 40, Stack: 3})
		if err != nil {
			t.Fatal(err)
		}
		// As many values as pix's stacks of three 40×40 frames, laid out otherwise.
		d := worldmodel.Dims{Obs: 3 * 40 * 40 * 3, Action: 1, Pixels: worldmodel.Pixels{Stack: 1, Height: 40, Width: 120, Channels: 3}}
		m, err := worldmodel.NewJEPA(d, worldmodel.DefaultPixelJEPAConfig(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := NewModelBased(pix, m, 1, mbConfig()); err == nil || !strings.Contains(err.Error(), "model of images") {
			t.Errorf("a model of 40×120 images for stacks of 40×40 frames: error %v", err)
		}
	})
	t.Run("config", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			change func(*ModelConfig)
			want   string
		}{
			{"discount 0", func(c *ModelConfig) { c.Discount = 0 }, "discount"},
			{"discount above 1", func(c *ModelConfig) { c.Discount = 1.01 }, "discount"},
			{"discount NaN", func(c *ModelConfig) { c.Discount = math.NaN() }, "discount"},
			{"discount 1 with a critic", func(c *ModelConfig) { c.Discount = 1 }, "critic discount"},
			{"negative seed phase", func(c *ModelConfig) { c.SeedSeconds = -1 }, "negative"},
			{"NaN seed phase", func(c *ModelConfig) { c.SeedSeconds = math.NaN() }, "negative"},
			{"negative pretraining", func(c *ModelConfig) { c.PretrainUpdates = -1 }, "negative"},
			{"negative updates per step", func(c *ModelConfig) { c.UpdatesPerStep = -1 }, "negative"},
			{"negative exploration", func(c *ModelConfig) { c.ExploreStd = -0.1 }, "exploration"},
			{"NaN exploration", func(c *ModelConfig) { c.ExploreStd = math.NaN() }, "exploration"},
			{"unknown planner", func(c *ModelConfig) { c.Planner = "gradient" }, "unknown planner"},
			{"planner horizon", func(c *ModelConfig) { c.Plan.Horizon = 0 }, "horizon"},
			{"replay capacity", func(c *ModelConfig) { c.ReplayCapacity = 0 }, "replay"},
			{"critic batch", func(c *ModelConfig) { cc := *c.Critic; cc.Batch = 0; c.Critic = &cc }, "critic batch"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := mbConfig()
				tc.change(&c)
				m, err := worldmodel.NewJEPA(worldmodel.Dims{Obs: 3, Action: 1}, mbJEPA(3), 1)
				if err != nil {
					t.Fatal(err)
				}
				if a, err := NewModelBased(env, m, 1, c); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("NewModelBased = %v, %v; want an error about %q", a, err, tc.want)
				}
			})
		}
	})
	t.Run("discount 1 without a critic", func(t *testing.T) {
		c := mbConfig()
		c.Discount, c.Critic = 1, nil
		newMB(t, env, "jepa", 1, c)
	})
	t.Run("wrong sizes", func(t *testing.T) {
		a := newMB(t, env, "jepa", 1, mbConfig())
		obs := slices.Clone(first(env, a, 1))
		for range 20 { // the seed phase
			_, obs, _ = mbStep(t, env, a, obs)
		}
		for _, n := range []int{0, 2, 4} {
			if _, err := a.Act(make([]float64, n)); err == nil {
				t.Errorf("Act accepted a %d-d observation after the seed phase", n)
			}
		}
		a.SetEval(true)
		if _, err := a.Act(make([]float64, 2)); err == nil {
			t.Error("Act accepted a 2-d observation in evaluation")
		}
		a.SetEval(false)
		before := updates(a)
		bad := Transition{Obs: obs, Action: []float64{0, 0}, Next: obs}
		if err := a.Observe(bad); err == nil {
			t.Error("Observe accepted a 2-d action")
		}
		if got := updates(a); got != before || a.replay.Len() != 20 {
			t.Errorf("a rejected transition changed the agent: %d updates (was %d), %d stored", got, before, a.replay.Len())
		}
	})
}

// TestModelBasedImagined checks Imagined: nil until the agent's first plan of an episode,
// then the model's Horizon observations of the plan, finite and of the environment's size.
func TestModelBasedImagined(t *testing.T) {
	for _, kind := range []string{"jepa", "pets"} {
		t.Run(kind, func(t *testing.T) {
			// Two action components, so that the horizon is the plan's length over them.
			env := makeEnv(t, "Reacher-v0")
			a := newMB(t, env, kind, 2, mbConfig())
			dim := env.ObservationSpace().Dim()
			check := func(when string, planned bool) {
				t.Helper()
				seen, err := a.Imagined()
				if err != nil {
					t.Fatalf("%s: %v", when, err)
				}
				if !planned {
					if seen != nil {
						t.Fatalf("%s: Imagined = %v before a plan", when, seen)
					}
					return
				}
				if len(seen) != 5 {
					t.Fatalf("%s: %d imagined observations, want the horizon's 5", when, len(seen))
				}
				for k, o := range seen {
					if len(o) != dim || !slices.ContainsFunc(o, func(v float64) bool { return v != 0 }) ||
						slices.ContainsFunc(o, func(v float64) bool { return !isFinite(v) }) {
						t.Fatalf("%s: imagined observation %d = %v, want %d finite numbers, not all 0", when, k, o, dim)
					}
				}
			}
			check("new agent", false)
			obs := slices.Clone(first(env, a, 1))
			for range 20 {
				_, obs, _ = mbStep(t, env, a, obs)
				check("seed phase", false)
			}
			_, obs, _ = mbStep(t, env, a, obs)
			check("first plan", true)
			a.Reset(2)
			check("after Reset", false)
			if _, err := a.Act(obs); err != nil {
				t.Fatal(err)
			}
			check("first plan of the second episode", true)
		})
	}
}

// TestModelBasedFromNew checks that New builds the jepa and pets agents as ModelBased
// learners of the right model for every registered environment, and that Names lists them.
func TestModelBasedFromNew(t *testing.T) {
	for _, name := range []string{"jepa", "pets", "recon"} {
		if !slices.Contains(Names(), name) {
			t.Errorf("Names() = %v, missing %s", Names(), name)
		}
		for _, id := range envs.IDs() {
			t.Run(name+"/"+id, func(t *testing.T) {
				env := makeEnv(t, id)
				ag, err := New(name, env, 1)
				if err != nil {
					t.Fatal(err)
				}
				a, ok := ag.(*ModelBased)
				if !ok {
					t.Fatalf("New(%q) built a %T", name, ag)
				}
				var _ Learner = a
				want, err := ModelConfigFor(name, env.Spec())
				if err != nil {
					t.Fatal(err)
				}
				if a.cfg.Plan.Horizon != want.Plan.Horizon {
					t.Errorf("plans %d steps ahead, want ModelConfigFor's %d", a.cfg.Plan.Horizon, want.Plan.Horizon)
				}
				if (a.critic != nil) != (want.Critic != nil) {
					t.Errorf("has a critic: %v, want %v", a.critic != nil, want.Critic != nil)
				}
				d := a.Model().Dims()
				if d.Obs != env.ObservationSpace().Dim() || d.Action != env.ActionSpace().Dim() {
					t.Errorf("model dims %+v for %s", d, id)
				}
				switch m := a.Model().(type) {
				case *worldmodel.JEPA:
					if name != "jepa" {
						t.Errorf("%s learns a %T", name, m)
					}
				case *worldmodel.PETS:
					if name != "pets" {
						t.Errorf("%s learns a %T", name, m)
					}
				case *worldmodel.Recon:
					if name != "recon" {
						t.Errorf("%s learns a %T", name, m)
					}
				default:
					t.Errorf("%s learns a %T", name, m)
				}
			})
		}
	}
}

// TestModelBasedLearnsInTrain runs the small jepa agent through agent.Train for 15 s of
// Pendulum experience: one whole 10 s episode and half of a second, with the seed phase's
// and every later step's updates. It does not judge what the agent learned.
func TestModelBasedLearnsInTrain(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 1, mbConfig())
	res, err := Train(env, a, "jepa", TrainConfig{Seed: 1, Budget: 15 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !(math.Abs(res.Experience-15) <= 1e-9) || res.Episodes != 2 || len(res.Curve) != 2 {
		t.Fatalf("%v s of experience in %d episodes, %d curve points; want 15 s, 2, 2", res.Experience, res.Episodes, len(res.Curve))
	}
	if res.Curve[0].Length != 200 || res.Curve[1].Length != 100 {
		t.Errorf("episodes of %d and %d steps, want 200 and 100", res.Curve[0].Length, res.Curve[1].Length)
	}
	if stats, n := a.Stats(); n != 5+280 || !isFinite(stats.Loss) {
		t.Errorf("%d updates, last loss %v; want 285 (5 + 280 steps), finite", n, stats.Loss)
	}
	if a.replay.Len() != 300 {
		t.Errorf("replay holds %d transitions, want 300", a.replay.Len())
	}
}

// TestModelBasedLearnsTrueTransitions checks that the transitions Train hands the agent are
// what happened: the observation acted on, then the one that followed. Pendulum's state
// always changes over a step, so no stored transition may have equal observations.
func TestModelBasedLearnsTrueTransitions(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	c := mbConfig()
	c.PretrainUpdates, c.UpdatesPerStep = 0, 0
	a := newMB(t, env, "jepa", 1, c)
	if _, err := Train(env, a, "jepa", TrainConfig{Seed: 1, Budget: 2 * time.Second}); err != nil {
		t.Fatal(err)
	}
	var b worldmodel.Batch
	if err := a.replay.SampleSequences(rand.New(rand.NewPCG(1, 2)), 40, 1, &b); err != nil {
		t.Fatal(err)
	}
	same := 0
	for s := range b.B {
		if slices.Equal(b.ObsAt(s, 0), b.ObsAt(s, 1)) {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d of %d stored transitions have Obs equal to Next: the observation acted on was overwritten by the step", same, b.B)
	}
}

// A ModelBased agent learns a small JEPA of the pendulum online: 1 s of random actions,
// 5 model updates when that seed phase ends, then a planned action and an update every step.
func ExampleNewModelBased() {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		log.Fatal(err)
	}
	jepa := worldmodel.DefaultJEPAConfig()
	jepa.Latent, jepa.Group, jepa.Batch = 16, 4, 32
	jepa.Encoder, jepa.Predictor, jepa.Probe = []int{32}, []int{32}, []int{16}
	dims := worldmodel.Dims{Obs: env.ObservationSpace().Dim(), Action: env.ActionSpace().Dim()}
	model, err := worldmodel.NewJEPA(dims, jepa, 1)
	if err != nil {
		log.Fatal(err)
	}

	c := DefaultModelConfig()
	c.Plan.Horizon, c.Plan.Samples, c.Plan.Elites = 5, 16, 4
	c.Critic = nil // plan with the imagined rewards alone
	c.SeedSeconds, c.PretrainUpdates, c.UpdatesPerStep = 1, 5, 1
	ag, err := NewModelBased(env, model, 1, c)
	if err != nil {
		log.Fatal(err)
	}

	res, err := Train(env, ag, "jepa", TrainConfig{Seed: 1, Budget: 2 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	_, n := ag.Stats()
	fmt.Printf("%d episode, %d steps, %d model updates\n", res.Episodes, res.Curve[0].Length, n)
	// Output: 1 episode, 40 steps, 25 model updates
}

// TestModelBasedLearnsEnds checks that the agent leaves its termination model alone until
// an episode ends, then pretrains it at once, only at the first end, and goes on training it
// with every update, and that the agent's state carries it: an agent restored from that
// state acts identically.
func TestModelBasedLearnsEnds(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	c := mbConfig()
	ends := worldmodel.DefaultTerminationConfig()
	ends.Hidden, ends.Batch, ends.Ends = []int{16}, 16, 4
	c.Termination = &ends
	a := newMB(t, env, "jepa", 3, c)
	state := func() []byte {
		data, _ := a.ends.MarshalBinary()
		return data
	}
	untrained := state()
	obs, _ := env.Reset(3)
	obs = slices.Clone(obs)
	for range 30 {
		_, obs, _ = mbStep(t, env, a, obs)
	}
	if !bytes.Equal(state(), untrained) {
		t.Fatal("the termination model trained before any episode ended")
	}
	end := func() {
		t.Helper()
		action, err := a.Act(obs)
		if err != nil {
			t.Fatal(err)
		}
		next, r, _, _, _, _ := env.Step(action)
		if err := a.Observe(Transition{Obs: obs, Action: slices.Clone(action), Next: slices.Clone(next), Reward: r, Terminated: true}); err != nil {
			t.Fatal(err)
		}
		a.EndEpisode()
	}
	end()
	if bytes.Equal(state(), untrained) {
		t.Fatal("the termination model did not train when an episode ended")
	}
	steps := func(want int64, after string) {
		t.Helper()
		if got := a.ends.Steps(); got != want {
			t.Fatalf("%d termination steps after %s, want %d", got, after, want)
		}
	}
	steps(6, "the first end") // 5 pretraining steps and the update's
	obs, _ = env.Reset(5)
	obs = slices.Clone(obs)
	a.Reset(5)
	for range 3 {
		_, obs, _ = mbStep(t, env, a, obs)
	}
	steps(9, "3 more steps")
	end()
	steps(10, "the second end")
	saved, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	b := newMB(t, env, "jepa", 3, c)
	if err := b.UnmarshalBinary(saved); err != nil {
		t.Fatal(err)
	}
	envB := makeEnv(t, "Pendulum-v0")
	obs, _ = env.Reset(4)
	obsB, _ := envB.Reset(4)
	obs, obsB = slices.Clone(obs), slices.Clone(obsB)
	a.Reset(4)
	b.Reset(4)
	for k := range 10 {
		var want, got []float64
		want, obs, _ = mbStep(t, env, a, obs)
		got, obsB, _ = mbStep(t, envB, b, obsB)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: the restored agent acts %v, the original %v", k, got, want)
		}
	}
	if sa, sb := state(), func() []byte { d, _ := b.ends.MarshalBinary(); return d }(); !bytes.Equal(sa, sb) {
		t.Error("the termination models differ after training on the same data")
	}
}

// TestModelBasedTrainsCritic checks that the critic learns alongside the model: its state
// is unchanged through the seed phase and changes with every update after it.
func TestModelBasedTrainsCritic(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 3, mbConfig())
	critic := func() []byte {
		b, err := a.critic.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	before := critic()
	obs := first(env, a, 1)
	for step := 1; step <= 24; step++ {
		_, obs, _ = mbStep(t, env, a, obs)
		now := critic()
		switch changed := !bytes.Equal(now, before); {
		case step < 20 && changed:
			t.Fatalf("the critic changed in the seed phase, at step %d", step)
		case step >= 20 && !changed:
			t.Fatalf("the critic did not change at step %d, after %d model updates", step, a.updates)
		}
		before = now
	}
}

// TestModelBasedCheckCounts pins the bounds a saved state's counts must keep, worked from
// mbConfig: a seed phase of 20 steps, then at most max(PretrainUpdates, UpdatesPerStep) = 5
// updates a step from the 20th on, and the pretraining flag only from then.
func TestModelBasedCheckCounts(t *testing.T) {
	a := newMB(t, makeEnv(t, "Pendulum-v0"), "pets", 1, mbConfig())
	counts := func(steps, updates, flag uint64) []byte {
		b := binary.LittleEndian.AppendUint64(nil, steps)
		b = binary.LittleEndian.AppendUint64(b, updates)
		return binary.LittleEndian.AppendUint64(b, flag)
	}
	tests := []struct {
		steps, updates, flag uint64
		ok                   bool
	}{
		{0, 0, 0, true},
		{19, 0, 0, true},
		{19, 1, 0, false},
		{19, 0, 1, false},
		{20, 5, 1, true},
		{20, 6, 1, false},
		{23, 20, 1, true},
		{23, 21, 1, false},
		{23, 0, 2, false},
		{1 << 40, 0, 0, true},
		{1<<40 + 1, 0, 0, false},
	}
	for _, tt := range tests {
		s, u, pre, err := a.checkCounts(counts(tt.steps, tt.updates, tt.flag))
		if (err == nil) != tt.ok {
			t.Errorf("%d steps, %d updates, flag %d: error %v, want ok %v", tt.steps, tt.updates, tt.flag, err, tt.ok)
		} else if tt.ok && (uint64(s) != tt.steps || uint64(u) != tt.updates || pre != (tt.flag == 1)) {
			t.Errorf("%d steps, %d updates, flag %d: decoded %d, %d, %v", tt.steps, tt.updates, tt.flag, s, u, pre)
		}
	}
}

// TestSpreadRanks checks the choice of the candidates to show: the largest, the smallest and
// evenly spaced ranks between, largest first.
func TestSpreadRanks(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		n      int
		want   []int
	}{
		{[]float64{3, 1, 2}, 2, []int{0, 1}},
		{[]float64{3, 1, 2}, 5, []int{0, 2, 1}},
		{[]float64{5, 9, 1, 7, 3}, 3, []int{1, 0, 2}},
		{[]float64{5, 9, 1, 7, 3}, 1, []int{1}},
	} {
		if got := spreadRanks(tc.values, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("spreadRanks(%v, %d) = %v, want %v", tc.values, tc.n, got, tc.want)
		}
	}
}

// TestModelBasedWeighed checks what a learner shows of its planning: nothing before it
// plans; then the candidates its planner scored, spread from the best to the worst return,
// each with a future of one observation per step of the horizon.
func TestModelBasedWeighed(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 1, mbConfig())
	if got, err := a.Weighed(4); got != nil || err != nil {
		t.Fatalf("before planning: %d candidates, error %v", len(got), err)
	}
	a.SetEval(true)
	if _, err := a.Act(slices.Clone(first(env, a, 3))); err != nil {
		t.Fatal(err)
	}
	got, err := a.Weighed(4)
	if err != nil {
		t.Fatal(err)
	}
	_, returns := a.planner.Considered()
	if len(got) != 4 || got[0].Return != slices.Max(returns) || got[3].Return != slices.Min(returns) {
		t.Fatalf("%d candidates, returns from %v to %v; want 4, from %v to %v", len(got), got[0].Return, got[len(got)-1].Return, slices.Max(returns), slices.Min(returns))
	}
	for i, c := range got {
		if i > 0 && c.Return > got[i-1].Return {
			t.Errorf("candidate %d returns %v, more than the one before it (%v)", i, c.Return, got[i-1].Return)
		}
		if len(c.Future) != a.cfg.Plan.Horizon || len(c.Future[0]) != env.ObservationSpace().Dim() {
			t.Errorf("candidate %d: a future of %d steps of %d values, want %d of %d", i, len(c.Future), len(c.Future[0]), a.cfg.Plan.Horizon, env.ObservationSpace().Dim())
		}
	}
	if slices.Equal(got[0].Future[len(got[0].Future)-1], got[3].Future[len(got[3].Future)-1]) {
		t.Error("the best and the worst candidates lead to the same imagined end")
	}
}
