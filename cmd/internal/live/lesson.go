package live

import (
	"errors"
	"fmt"
	"strings"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/envs"
)

// StepConfigs returns the sessions step k of a lesson runs, one per agent. It returns an
// error naming the lesson's line at fault for a speed that is not positive, an observation
// envs.ParseObservation refuses, or no agents or more than MaxRacers; and for a step that
// is not there.
func StepConfigs(l *assets.Lesson, k int) ([]Config, error) {
	if l == nil || k < 0 || k >= len(l.Steps) {
		return nil, fmt.Errorf("live: lesson has no step %d", k+1)
	}
	s := l.Steps[k]
	at := func(key string, err error) error {
		return fmt.Errorf("lesson %s line %d: %w", l.Name, s.Lines[key], err)
	}
	speed, err := ParseSpeed(s.Speed)
	if err == nil && speed == 0 {
		err = errors.New("speed 0: a lesson's step runs, want more than 0")
	}
	if err != nil {
		return nil, at("speed", err)
	}
	obs := s.Obs
	if obs == "" {
		obs = envs.StateObservation
	}
	if _, err := envs.ParseObservation(obs); err != nil {
		return nil, at("obs", err)
	}
	if len(s.Agents) < 1 || len(s.Agents) > MaxRacers {
		return nil, at("agents", fmt.Errorf("%d agents: want 1 to %d", len(s.Agents), MaxRacers))
	}
	cfgs := make([]Config, len(s.Agents))
	for i, a := range s.Agents {
		cfgs[i] = Config{Env: s.Env, Agent: a, Seed: s.Seed, Observation: obs, Candidates: s.Candidates, Speed: speed}
	}
	return cfgs, nil
}

// CheckLesson returns an error naming the lesson's line at fault for the first step that
// cannot run: one StepConfigs refuses, an unknown environment, or an agent that is unknown,
// named twice in a race, or cannot observe what the step says.
func CheckLesson(l *assets.Lesson) error {
	for k, s := range l.Steps {
		cfgs, err := StepConfigs(l, k)
		if err != nil {
			return err
		}
		at := func(key string, err error) error {
			return fmt.Errorf("lesson %s line %d: %w", l.Name, s.Lines[key], err)
		}
		env, err := cfgs[0].makeEnv()
		if err != nil {
			return at("env", err)
		}
		for i, c := range cfgs {
			if _, err := agent.New(c.Agent, env, c.Seed); err != nil {
				return at("agents", err)
			}
			for _, d := range cfgs[:i] {
				if d.Agent == c.Agent {
					return at("agents", fmt.Errorf("agents names %s twice", c.Agent))
				}
			}
		}
	}
	return nil
}

// SameRun reports whether two sets of sessions run the same thing, agent for agent: the
// same environment, agent, seed and observation, so that a lesson's next step may keep
// them learning rather than start afresh.
func SameRun(a, b []Config) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Env != b[i].Env || a[i].Agent != b[i].Agent || a[i].Seed != b[i].Seed || a[i].Observation != b[i].Observation {
			return false
		}
	}
	return true
}

// StepCaption returns the caption of step k of a lesson as it is shown: a title line
// ("Step 2 of 5 · A world model learning"), the caption's lines, and what to look at.
func StepCaption(l *assets.Lesson, k int) []string {
	s := l.Steps[k]
	lines := append([]string{fmt.Sprintf("Step %d of %d · %s", k+1, len(l.Steps), s.Title)}, s.Caption...)
	if s.Look != "" {
		lines = append(lines, "Look at "+strings.TrimSuffix(s.Look, ".")+".")
	}
	return lines
}
