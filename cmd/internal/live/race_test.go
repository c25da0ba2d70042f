package live

import (
	"slices"
	"strings"
	"testing"
)

// TestFirstCompetent checks which agents of a race are marked first: the competent one with
// the least experience, every one on a tie, none before any is competent.
func TestFirstCompetent(t *testing.T) {
	at := func(x float64) *Frame { return &Frame{Competent: &x} }
	not := &Frame{}
	tests := []struct {
		name   string
		frames []*Frame
		want   []bool
	}{
		{"none competent", []*Frame{not, not}, []bool{false, false}},
		{"one competent", []*Frame{not, at(90)}, []bool{false, true}},
		{"least experience wins", []*Frame{at(120), at(40), at(70)}, []bool{false, true, false}},
		{"a tie marks both", []*Frame{at(40), not, at(40)}, []bool{true, false, true}},
		{"alone", []*Frame{at(10)}, []bool{true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FirstCompetent(tt.frames); !slices.Equal(got, tt.want) {
				t.Errorf("FirstCompetent = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLaunchConfigs checks that a launch gives one session per agent, alike but for the
// agent, and refuses no agents or more than MaxRacers.
func TestLaunchConfigs(t *testing.T) {
	l := Launch{Env: "Pendulum-v0", Agents: []string{"jepa", "pets"}, Seed: 7, Speed: "max", Observation: "pixels 64x64"}
	cfgs, err := l.Configs()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfgs) != 2 || cfgs[0].Agent != "jepa" || cfgs[1].Agent != "pets" {
		t.Fatalf("Configs = %+v, want jepa then pets", cfgs)
	}
	for _, c := range cfgs {
		if c.Env != l.Env || c.Seed != 7 || c.Observation != l.Observation || !(c.Speed > 1e300) {
			t.Errorf("session %+v differs from the launch %+v", c, l)
		}
	}
	if got, want := RaceTitle(cfgs), "jepa vs pets on Pendulum-v0, seed 7, pixels 64x64"; got != want {
		t.Errorf("RaceTitle = %q, want %q", got, want)
	}
	if got, want := RaceTitle(cfgs[:1]), cfgs[0].String(); got != want {
		t.Errorf("RaceTitle of one = %q, want %q", got, want)
	}
	for _, agents := range [][]string{nil, {"a", "b", "c", "d"}} {
		l.Agents = agents
		if _, err := l.Configs(); err == nil || !strings.Contains(err.Error(), "want 1 to 3") {
			t.Errorf("Configs with agents %q: error %v, want one saying 1 to 3", agents, err)
		}
	}
}
