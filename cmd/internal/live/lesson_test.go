package live

import (
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/assets"
)

// TestShippedLessonsRun checks that every step of every shipped lesson can run: its
// environment, agents, observation and speed are valid.
func TestShippedLessonsRun(t *testing.T) {
	for _, name := range assets.LessonNames() {
		l, err := assets.LoadLesson(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckLesson(l); err != nil {
			t.Errorf("lesson %s: %v", name, err)
		}
	}
}

// TestStepConfigs checks the sessions of a lesson's steps, which steps keep the sessions
// running, and the captions shown.
func TestStepConfigs(t *testing.T) {
	src := "title: T\nenv: Pendulum-v0\nseed: 4\nstep: a\nagents: jepa\ncaption: one\nstep: b\ncandidates: on\nspeed: max\ncaption: two\nlook: the ghosts.\nstep: c\nagents: jepa, pets\ncaption: three\n"
	l, err := assets.ParseLesson("t", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	var steps [][]Config
	for k := range l.Steps {
		cfgs, err := StepConfigs(l, k)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, cfgs)
	}
	if c := steps[1][0]; c.Env != "Pendulum-v0" || c.Agent != "jepa" || c.Seed != 4 || !c.Candidates || !(c.Speed > 1e300) {
		t.Errorf("step b runs %+v", c)
	}
	if !SameRun(steps[0], steps[1]) || SameRun(steps[1], steps[2]) || SameRun(nil, steps[0]) {
		t.Error("SameRun: want steps a and b the same run, b and c not, nothing and a not")
	}
	if got, want := StepCaption(l, 1), []string{"Step 2 of 3 · b", "two", "Look at the ghosts."}; !slices.Equal(got, want) {
		t.Errorf("StepCaption = %q, want %q", got, want)
	}
	if _, err := StepConfigs(l, 3); err == nil {
		t.Error("StepConfigs of a step past the end: no error")
	}
}
