package agent

import (
	"bytes"
	"errors"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
)

// randomTransitions returns n transitions of env under uniform random actions drawn from
// seed, episodes restarting when they end, and where each episode ends (after transition i).
func randomTransitions(t *testing.T, env envs.Env, seed uint64, n int) (ts []Transition, ends map[int]bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	space := env.ActionSpace()
	obs, _ := env.Reset(seed)
	obs = slices.Clone(obs)
	ends = map[int]bool{}
	for i := range n {
		action := space.Sample(rng, make([]float64, space.Dim()))
		next, r, term, trunc, _, err := env.Step(action)
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, Transition{Obs: obs, Action: action, Next: slices.Clone(next), Reward: r, Terminated: term})
		obs = slices.Clone(next)
		if term || trunc {
			ends[i] = true
			obs, _ = env.Reset(seed + uint64(i))
			obs = slices.Clone(obs)
		}
	}
	return ts, ends
}

// TestModelBasedConcurrentLag pins what learning concurrently changes. Fed the same
// transitions, an agent learning concurrently and one learning inline train identically,
// bit for bit; and the concurrent one plans each action with the parameters the inline one
// had one step earlier: after Observe of step k it acts as the inline agent did just before
// Observe of step k, and reports the statistics of the updates before those in flight
// without waiting for them. Acting runs while the updates are in flight, which the race
// detector watches.
func TestModelBasedConcurrentLag(t *testing.T) {
	for _, kind := range []string{"jepa", "pets", "jepa with a policy prior"} {
		t.Run(kind, func(t *testing.T) {
			env := makeEnv(t, "Pendulum-v0", envs.WithMaxEpisodeSteps(30))
			ts, ends := randomTransitions(t, env, 5, 60)
			c := mbConfig()
			if kind != "pets" {
				c = withPolicy(c, 4)
				kind = "jepa"
			}
			inline := newMB(t, env, kind, 3, c)
			c.Concurrent = true
			conc := newMB(t, env, kind, 3, c)
			if inline.learnsConcurrently() || !conc.learnsConcurrently() {
				t.Fatal("the agents do not learn as configured")
			}
			// act returns the plan behind the action and the observations the model expects
			// it to lead to, which change with every update even where the plan does not.
			act := func(a *ModelBased, k int) []float64 {
				a.Reset(uint64(k)) // the same planner state and draws for both agents
				if _, err := a.Act(ts[k].Next); err != nil {
					t.Fatal(err)
				}
				seen, err := a.Imagined()
				if err != nil {
					t.Fatal(err)
				}
				return slices.Concat(append([][]float64{a.planner.Best()}, seen...)...)
			}
			var lagged, differ int
			for k, tr := range ts {
				before := act(inline, k)
				for _, a := range []*ModelBased{inline, conc} {
					if err := a.Observe(tr); err != nil {
						t.Fatal(err)
					}
				}
				if ends[k] {
					for _, a := range []*ModelBased{inline, conc} {
						if err := a.EndEpisode(); err != nil {
							t.Fatal(err)
						}
					}
					continue // the replica has caught up: nothing lags
				}
				if k < 21 { // the seed phase, and the step that ends it with pretraining
					continue
				}
				_, done := conc.Stats()
				if _, want := inline.Stats(); done != want-c.UpdatesPerStep {
					t.Fatalf("step %d: with updates in flight the concurrent agent reports %d updates, want %d, those before them", k, done, want-c.UpdatesPerStep)
				}
				if got := act(conc, k); !slices.Equal(got, before) {
					t.Fatalf("step %d: the concurrent agent plans %v, the inline one planned %v a step earlier", k, got, before)
				}
				lagged++
				if !slices.Equal(act(inline, k), before) {
					differ++
				}
			}
			if lagged < 20 || differ < lagged/2 {
				t.Fatalf("%d lagged actions compared, %d of them changed by a step's updates: the test would prove little", lagged, differ)
			}
			a, _ := inline.MarshalBinary()
			b, _ := conc.MarshalBinary()
			if !bytes.Equal(a, b) {
				t.Error("fed the same transitions, the two agents end in different states")
			}
		})
	}
}

// TestNewConcurrent checks that New builds the learners with world models to learn
// concurrently when asked, and refuses the option for other agents.
func TestNewConcurrent(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			ag, err := New(name, env, 1, Concurrent(true))
			if LearnsModel(name) {
				if err != nil || !concurrent(ag) {
					t.Fatalf("New(%s, Concurrent(true)): learns concurrently %v, error %v", name, err == nil && concurrent(ag), err)
				}
				if ag, _ := New(name, env, 1, Concurrent(false)); concurrent(ag) {
					t.Error("Concurrent(false) gave an agent learning concurrently")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "does not learn concurrently") {
				t.Errorf("New(%s, Concurrent(true)): error %v, want one saying it does not learn concurrently", name, err)
			}
		})
	}
}

// TestConcurrentCheckpointOfOtherLayout checks that a run learning concurrently does not
// resume from the checkpoint of one learning inline, nor the other way round.
func TestConcurrentCheckpointOfOtherLayout(t *testing.T) {
	dir := t.TempDir()
	trainSmall(t, 10*time.Second, dir, false)
	env := makeEnv(t, "Pendulum-v0")
	c := mbConfig()
	c.Concurrent = true
	ck, err := NewCheckpoint(dir, env, newMB(t, env, "jepa", 3, c), "jepa")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ck.Load()
	if !errors.Is(err, ErrOtherRun) || !strings.Contains(err.Error(), "learning inline, not concurrently") {
		t.Errorf("loading an inline run's checkpoint into a concurrent learner: error %v, want ErrOtherRun naming both", err)
	}
}

// TestNewSet checks that Set changes a learner's settings after its task's tunings and the
// changes for images, that the agent reports them in its training results and checkpoint,
// and that New refuses settings that are unknown, bad, or for an agent without them.
func TestNewSet(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0")
	pix, err := envs.NewPixelObservation(makeEnv(t, "Pendulum-v0"), envs.PixelConfig{Width: 40, Height: 40, Stack: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		env      envs.Env
		agent    string
		settings map[string]string
		updates  int
		err      string
	}{
		{"none", env, "jepa", nil, 2, ""},
		{"updates", env, "pets", map[string]string{"updates": "1"}, 1, ""},
		{"critic ensemble", env, "jepa", map[string]string{"critic.members": "3", "critic.min": "2"}, 2, ""},
		{"critic ensemble without a critic", makeEnv(t, "Reacher-v0"), "jepa", map[string]string{"critic.members": "3"}, 0, "critic.members = \"3\": the agent plans without a critic here: set critic=true too"},
		{"critic ensemble with the critic set", makeEnv(t, "Reacher-v0"), "jepa", map[string]string{"critic": "true", "critic.members": "3"}, 2, ""},
		{"critic ensemble too pessimistic", env, "jepa", map[string]string{"critic.min": "2"}, 0, "critic of 1 members taking the minimum of 2"},
		{"policy prior", env, "jepa", map[string]string{"policy": "16"}, 2, ""},
		{"exploration", env, "jepa", map[string]string{"explore": "0.5", "explore.members": "3"}, 2, ""},
		{"a subgoal's weight", env, "hjepa", map[string]string{"subgoal": "2"}, 2, ""},
		{"a subgoal for one level", env, "jepa", map[string]string{"subgoal": "2"}, 0, "only a two-level learner (hjepa) has subgoals"},
		{"an ensemble without exploration", env, "jepa", map[string]string{"explore.members": "3"}, 0, "set explore too"},
		{"exploration of one member", env, "jepa", map[string]string{"explore": "-1", "explore.members": "1"}, 0, "disagreement of 1 predictors: want 2 to 16"},
		{"policy prior for pets", env, "pets", map[string]string{"policy": "8"}, 0, "which a *worldmodel.PETS cannot differentiate"},
		{"the model's", env, "jepa", map[string]string{"model.horizon": "3", "model.batch": "64", "updates": "1"}, 1, ""},
		{"another model's", env, "jepa", map[string]string{"model.members": "3"}, 0, `unknown setting "model.members" (known for this model: model.batch, model.consistency, model.horizon, model.latent, model.lr, model.reward, model.rho, model.target)`},
		{"the model's bad value", env, "recon", map[string]string{"model.rho": "half"}, 0, `model.rho = "half": want a finite number`},
		{"the model's bad size", env, "pets", map[string]string{"model.members": "0"}, 0, "PETS needs at least one member"},
		{"after the changes for images", pix, "recon", map[string]string{"updates": "3"}, 3, ""},
		{"exploration on images", pix, "jepa", map[string]string{"explore": "0.5", "explore.members": "3"}, 1, ""},
		{"unknown", env, "jepa", map[string]string{"updatez": "1"}, 0, `unknown setting "updatez" (known: critic, critic.members, critic.min, explore, explore.members, plan.correlation, plan.elites, plan.horizon, plan.iterations, plan.samples, policy, subgoal, updates)`},
		{"bad value", env, "jepa", map[string]string{"plan.samples": "lots"}, 0, `plan.samples = "lots": want a whole number`},
		{"no settings to change", env, "oracle", map[string]string{"updates": "1"}, 0, "oracle takes no settings: only jepa, hjepa, pets, recon do"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ag, err := New(tc.agent, tc.env, 1, Set(tc.settings))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a := ag.(*ModelBased)
			if got := a.cfg.UpdatesPerStep; got != tc.updates {
				t.Errorf("%d updates per step, want %d", got, tc.updates)
			}
			if n, ok := tc.settings["explore.members"]; ok && (a.dis == nil || strconv.Itoa(a.cfg.Disagreement.Members) != n || a.cfg.Explore != 0.5) {
				t.Errorf("disagreement ensemble %v of %v members weighed %v, want %s weighed 0.5", a.dis != nil, a.cfg.Disagreement, a.cfg.Explore, n)
			}
			if d := a.cfg.Disagreement; d != nil && tc.env == pix && d.Batch != 32 {
				t.Errorf("a learner of images trains its disagreement ensemble on batches of %d, want 32", d.Batch)
			}
			if n, ok := tc.settings["policy"]; ok && (a.policy == nil || strconv.Itoa(a.cfg.Plan.Proposals) != n) {
				t.Errorf("policy prior %v with %d proposals, want one with %s", a.policy != nil, a.cfg.Plan.Proposals, n)
			}
			if h, ok := tc.settings["model.horizon"]; ok {
				if b, l := a.model.SampleShape(); strconv.Itoa(l) != h || strconv.Itoa(b) != tc.settings["model.batch"] {
					t.Errorf("the model trains on %d sequences of %d steps, want %s of %s", b, l, tc.settings["model.batch"], h)
				}
			}
			if got := settingsOf(ag); !maps.Equal(got, tc.settings) {
				t.Errorf("the agent reports settings %v, want %v", got, tc.settings)
			}
		})
	}
}

// TestSetRecorded checks that a run's result records the settings changed, and that its
// checkpoint is refused by an agent with other settings.
func TestSetRecorded(t *testing.T) {
	env := makeEnv(t, "Pendulum-v0", envs.WithMaxEpisodeSteps(20))
	set := map[string]string{"plan.samples": "16", "plan.elites": "4", "updates": "1"}
	ag, err := New("jepa", env, 1, Set(set))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if res := trainResuming(t, env, ag, "jepa", 1, time.Second, dir); !maps.Equal(res.Settings, set) {
		t.Errorf("result records settings %v, want %v", res.Settings, set)
	}
	other, err := New("jepa", env, 1, Set(map[string]string{"updates": "1"}))
	if err != nil {
		t.Fatal(err)
	}
	ck, err := NewCheckpoint(dir, env, other, "jepa")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ck.Load(); !errors.Is(err, ErrOtherRun) || !strings.Contains(err.Error(), "with settings map[plan.elites:4 plan.samples:16 updates:1], not map[updates:1]") {
		t.Errorf("loading into an agent with other settings: error %v, want ErrOtherRun naming both", err)
	}
}
