package envs

import (
	"maps"
	"reflect"
	"strings"
	"testing"
)

func TestMakeErrors(t *testing.T) {
	tests := []struct {
		name string
		id   string
		opts []Option
		want string
	}{
		{"unknown id", "Nope-v0", nil, `unknown environment "Nope-v0" (known: Acrobot-v0, CartPoleSwingup-v0, Drive-v0, Maze-v0, Pendulum-v0, Push-v0, Reacher-v0`},
		{"unknown parameter", pendulumID, []Option{WithParam("colour", 1)}, `unknown parameter "colour" (known: mass, length, max_torque, gravity)`},
		{"below range", pendulumID, []Option{WithParam("mass", 0)}, "mass = 0 is outside [0.05, 20]"},
		{"above range", pendulumID, []Option{WithParam("length", 6)}, "length = 6 is outside [0.2, 5]"},
		{"NaN", pendulumID, []Option{WithParam("gravity", nan())}, "gravity = NaN is outside"},
		{"WithParams, in name order", pendulumID, []Option{WithParams(map[string]float64{"mass": 0, "length": 6})}, "length = 6 is outside"},
		{"negative time limit", pendulumID, []Option{WithMaxEpisodeSteps(-1)}, "max episode steps -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Make(tt.id, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Make error %v, want one line containing %q", err, tt.want)
			}
			if env != nil {
				t.Error("Make returned an environment with its error")
			}
		})
	}
}

func TestMakeOptions(t *testing.T) {
	env, err := Make(pendulumID, WithParam("length", 2), WithMaxEpisodeSteps(50))
	if err != nil {
		t.Fatal(err)
	}
	spec := env.Spec()
	if spec.MaxEpisodeSteps != 50 || spec.EpisodeSeconds() != 2.5 {
		t.Errorf("time limit %d steps (%v s), want 50 (2.5 s)", spec.MaxEpisodeSteps, spec.EpisodeSeconds())
	}
	if got := Params(spec.Params).Get("length"); got != 2 {
		t.Errorf("length %v, want 2", got)
	}
	unlimited, err := Make(pendulumID, WithMaxEpisodeSteps(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, wrapped := unlimited.(*TimeLimit); wrapped || unlimited.Spec().MaxEpisodeSteps != 0 {
		t.Error("WithMaxEpisodeSteps(0) should leave the environment without a time limit")
	}
	if r, _ := Lookup(pendulumID); r.Params.Get("length") != 1 {
		t.Error("WithParam changed the registered default")
	}
}

// TestParamValues checks that the values Params.Values reads off a spec build the same
// environment again through WithParams, and that WithParams leaves the others at their
// defaults.
func TestParamValues(t *testing.T) {
	env, err := Make(pendulumID, WithParams(map[string]float64{"length": 2, "gravity": 3}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"mass": 1, "length": 2, "max_torque": 2, "gravity": 3}
	got := env.Spec().Params.Values()
	if !maps.Equal(got, want) {
		t.Fatalf("Values() = %v, want %v", got, want)
	}
	again, err := Make(pendulumID, WithParams(got))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Spec().Params, env.Spec().Params) {
		t.Errorf("rebuilt from its values, the parameters are %v, want %v", again.Spec().Params, env.Spec().Params)
	}
}

func TestRegisterErrors(t *testing.T) {
	ok := func(Params) (Env, error) { return nil, nil }
	tests := []struct {
		name string
		reg  Registration
		want string
	}{
		{"no version", Registration{ID: "Thing", New: ok}, "must look like Name-v0"},
		{"bad version", Registration{ID: "Thing-vX", New: ok}, "must look like Name-v0"},
		{"no name", Registration{ID: "-v1", New: ok}, "must look like Name-v0"},
		{"no constructor", Registration{ID: "Thing-v0"}, "no constructor"},
		{"default out of range", Registration{ID: "Thing-v0", New: ok,
			Params: Params{{Name: "k", Value: 5, Min: 0, Max: 1}}}, "default 5 outside [0, 1]"},
		{"taken", Registration{ID: pendulumID, New: ok}, "already registered"},
		// Defaults on their bounds pass the parameter check and fail only at the id.
		{"taken, defaults on their bounds", Registration{ID: pendulumID, New: ok,
			Params: Params{{Name: "k", Value: 0, Min: 0, Max: 1}, {Name: "j", Value: 1, Min: 0, Max: 1}}}, "already registered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Register(tt.reg); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Register error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestValidID checks the id pattern Name-vN at the edges of its digits.
func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{"Thing-v0": true, "Thing-v9": true, "Thing-v10": true,
		"Thing-v/": false, "Thing-v:": false, "Thing-v": false, "Thing-v1-v2": false} {
		if got := validID(id); got != want {
			t.Errorf("validID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestIDsSorted(t *testing.T) {
	ids := IDs()
	for i := 1; i < len(ids); i++ {
		if ids[i-1] >= ids[i] {
			t.Fatalf("IDs not sorted: %v", ids)
		}
	}
	for _, id := range []string{"Pendulum-v0", "CartPoleSwingup-v0", "Acrobot-v0", "Reacher-v0"} {
		if _, err := Lookup(id); err != nil {
			t.Errorf("%s is not registered", id)
		}
	}
}
