package agent

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
)

// TestModelConfigForBuiltins pins what each built-in environment's tunings make of the
// learners' defaults (hjepa takes jepa's): Acrobot-v0 plans 2.25 s ahead with a cheaper search, Reacher-v0 plans
// without a critic, and the others (Drive-v0 and Maze-v0 untuned so far) keep the defaults.
func TestModelConfigForBuiltins(t *testing.T) {
	acrobot := DefaultModelConfig()
	acrobot.Plan.Horizon, acrobot.Plan.Samples, acrobot.Plan.Elites = 45, 64, 8
	acrobot.Plan.Iterations, acrobot.Plan.Correlation = 2, 0.8
	reacher := DefaultModelConfig()
	reacher.Critic = nil
	want := map[string]ModelConfig{
		"Acrobot-v0":         acrobot,
		"CartPoleSwingup-v0": DefaultModelConfig(),
		"Drive-v0":           DefaultModelConfig(),
		"Maze-v0":            DefaultModelConfig(),
		"Pendulum-v0":        DefaultModelConfig(),
		"Push-v0":            DefaultModelConfig(),
		"Reacher-v0":         reacher,
	}
	if ids := envs.IDs(); len(ids) != len(want) {
		t.Errorf("registered environments %v: pin each one's configuration here", ids)
	}
	for _, name := range []string{"jepa", "pets", "hjepa"} {
		for id, w := range want {
			t.Run(name+"/"+id, func(t *testing.T) {
				got, err := ModelConfigFor(name, makeEnv(t, id).Spec())
				if err != nil {
					t.Fatal(err)
				}
				if name == "hjepa" { // jepa's tunings, with the coarse level on top
					h := DefaultHierarchicalConfig()
					w.Coarse, w.CoarsePlan, w.Subgoal = h.Coarse, h.CoarsePlan, h.Subgoal
				}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("ModelConfigFor = %+v\nwant %+v", got, w)
				}
			})
		}
	}
}

// TestOracleConfigForBuiltins pins the oracle's configuration on every built-in task, and
// checks that New builds CartPole's oracle with its tuning: its first action is the tuned
// oracle's, not the default one's.
func TestOracleConfigForBuiltins(t *testing.T) {
	cartpole := DefaultOracleConfig()
	cartpole.Plan.Samples, cartpole.Plan.Elites = 128, 16
	for _, id := range envs.IDs() {
		t.Run(id, func(t *testing.T) {
			env := makeEnv(t, id)
			want := DefaultOracleConfig()
			if id == "CartPoleSwingup-v0" {
				want = cartpole
			}
			got, err := OracleConfigFor(env.Spec())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("OracleConfigFor = %+v\nwant %+v", got, want)
			}
		})
	}
	env := makeEnv(t, "CartPoleSwingup-v0")
	first := func(build func() (Agent, error)) []float64 {
		t.Helper()
		ag, err := build()
		if err != nil {
			t.Fatal(err)
		}
		ag.Reset(3)
		obs, _ := env.Reset(3)
		a, err := ag.Act(obs)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Clone(a)
	}
	built := first(func() (Agent, error) { return New("oracle", env, 1) })
	tuned := first(func() (Agent, error) { return NewOracle(env, 1, cartpole) })
	plain := first(func() (Agent, error) { return NewOracle(env, 1, DefaultOracleConfig()) })
	if !slices.Equal(built, tuned) || slices.Equal(built, plain) {
		t.Errorf("New's oracle acts %v, the tuned one %v, the default one %v: want the tuned one's", built, tuned, plain)
	}
}

// TestOracleConfigForTunings checks that the oracle takes the planner settings of the
// tunings that name it, and refuses a learner's setting with an error naming the task.
func TestOracleConfigForTunings(t *testing.T) {
	spec := envs.Spec{ID: "Task-v0", Tunings: []envs.Tuning{
		{Agents: []string{"jepa"}, Settings: map[string]string{"plan.samples": "9"}, Reason: "measured"},
		{Agents: []string{"oracle"}, Settings: map[string]string{"plan.samples": "200", "plan.horizon": "30"}, Reason: "measured"},
	}}
	c, err := OracleConfigFor(spec)
	if err != nil || c.Plan.Samples != 200 || c.Plan.Horizon != 30 || c.Plan.Elites != DefaultOracleConfig().Plan.Elites {
		t.Errorf("OracleConfigFor = %+v, %v; want 200 samples, horizon 30, the rest default", c.Plan, err)
	}
	spec.Tunings[1].Settings = map[string]string{"critic": "false"}
	_, err = OracleConfigFor(spec)
	if want := `agent: Task-v0's tuning of oracle: unknown setting "critic" (known: plan.correlation,`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a critic setting for the oracle: %v, want an error containing %q", err, want)
	}
}

// TestModelConfigForTunings checks that only the tunings naming the learner apply, that
// the critic setting turns the critic off and on again, and that a tuning of an unknown
// setting or with a value that does not parse is refused with an error naming the task.
func TestModelConfigForTunings(t *testing.T) {
	spec := func(tunings ...envs.Tuning) envs.Spec { return envs.Spec{ID: "Task-v0", Tunings: tunings} }
	tuning := func(agent string, kv ...string) envs.Tuning {
		settings := make(map[string]string)
		for i := 0; i < len(kv); i += 2 {
			settings[kv[i]] = kv[i+1]
		}
		return envs.Tuning{Agents: []string{agent}, Settings: settings, Reason: "measured"}
	}
	horizon := func(c ModelConfig) any { return c.Plan.Horizon }
	hasCritic := func(c ModelConfig) any { return c.Critic != nil }
	tests := []struct {
		name  string
		spec  envs.Spec
		field func(ModelConfig) any
		want  any
		err   string
	}{
		{"none", spec(), horizon, 10, ""},
		{"for this learner", spec(tuning("jepa", "plan.horizon", "7")), horizon, 7, ""},
		{"for another agent", spec(tuning("pets", "plan.horizon", "7")), horizon, 10, ""},
		{"later tunings win", spec(tuning("jepa", "plan.horizon", "7"), tuning("jepa", "plan.horizon", "8")), horizon, 8, ""},
		{"correlation", spec(tuning("jepa", "plan.correlation", "0.25")), func(c ModelConfig) any { return c.Plan.Correlation }, 0.25, ""},
		{"critic off", spec(tuning("jepa", "critic", "false")), hasCritic, false, ""},
		{"critic back on", spec(tuning("jepa", "critic", "false"), tuning("jepa", "critic", "true")), hasCritic, true, ""},
		{"unknown setting", spec(tuning("jepa", "plan.horizn", "7")), nil, nil,
			`agent: Task-v0's tuning of jepa: unknown setting "plan.horizn" (known: critic, critic.members, critic.min, explore, explore.members, plan.correlation,`},
		{"not a whole number", spec(tuning("jepa", "plan.samples", "6.5")), nil, nil, `plan.samples = "6.5": want a whole number`},
		{"not a number", spec(tuning("jepa", "plan.correlation", "NaN")), nil, nil, `plan.correlation = "NaN": want a finite number`},
		{"not a truth value", spec(tuning("jepa", "critic", "off")), nil, nil, `critic = "off": want true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ModelConfigFor("jepa", tt.spec)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.field(c); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTuningsNameLearners checks that every built-in environment's tunings name only agents
// New knows and that take tunings, so that none is silently ignored.
func TestTuningsNameLearners(t *testing.T) {
	for _, id := range envs.IDs() {
		for _, tu := range makeEnv(t, id).Spec().Tunings {
			for _, name := range tu.Agents {
				if !slices.Contains([]string{"jepa", "pets", "recon", "oracle"}, name) {
					t.Errorf("%s has a tuning for %q, which takes none", id, name)
				}
			}
		}
	}
}
