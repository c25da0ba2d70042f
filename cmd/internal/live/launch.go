package live

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/assets"
)

// Launch is what foresight watch hands the viewer program, foresight-watch, as one JSON
// argument: the session to run and the window's options. The viewer is a program of its own
// because Ebiten opens the display when it loads, which would stop every other foresight
// command from running on a machine without one.
type Launch struct {
	Env    string             `json:"env"`
	Params map[string]float64 `json:"params,omitempty"`
	// Agents names the agent to watch, or the two or three agents of a race.
	Agents []string `json:"agents"`
	Seed   uint64   `json:"seed"`
	// Observation describes what the agent observes, as envs.ParseObservation reads it;
	// empty for the environment's state.
	Observation string `json:"observation,omitempty"`
	// Concurrent asks for learners that train on a second goroutine while they act.
	Concurrent bool `json:"concurrent,omitempty"`
	// Settings changes the learners' settings (agent.Set); like Concurrent, it goes to the
	// agents that learn a world model alone.
	Settings map[string]string `json:"settings,omitempty"`
	// Candidates starts with the planner's candidates shown.
	Candidates bool `json:"candidates,omitempty"`
	// Speed is the starting pace, a number of simulated seconds per wall second or "max".
	Speed string `json:"speed"`
	// Width and Height are the window's size in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Screenshot, when not empty, asks for Frames frames, the last saved to this PNG file.
	Screenshot string `json:"screenshot,omitempty"`
	Frames     int    `json:"frames,omitempty"`
	// Lesson, when not nil, is a lesson to show from its step Step (counted from 0); its
	// steps say what runs, in place of the fields above up to Candidates.
	Lesson *assets.Lesson `json:"lesson,omitempty"`
	Step   int            `json:"step,omitempty"`
}

// FormatSpeed writes a speed as Launch.Speed holds it.
func FormatSpeed(x float64) string {
	if math.IsInf(x, 1) {
		return "max"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// ParseSpeed reads a speed as Launch.Speed holds it: a number from 0 to 1e6, or "max". It
// returns an error naming what is wrong otherwise.
func ParseSpeed(s string) (float64, error) {
	if s == "max" {
		return math.Inf(1), nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || !(x >= 0 && x <= 1e6) {
		return 0, fmt.Errorf("speed %q: want a number from 0 (paused) to 1e6, or max", s)
	}
	return x, nil
}

// MaxRacers is the most agents a race puts side by side.
const MaxRacers = 3

// Configs returns the sessions the launch describes, one per agent, or an error if the
// speed is invalid or the launch names no agent or more than MaxRacers. For a lesson, they
// are those of its step Step (StepConfigs).
func (l Launch) Configs() ([]Config, error) {
	if l.Lesson != nil {
		return StepConfigs(l.Lesson, l.Step)
	}
	speed, err := ParseSpeed(l.Speed)
	if err != nil {
		return nil, err
	}
	if len(l.Agents) < 1 || len(l.Agents) > MaxRacers {
		return nil, fmt.Errorf("live: launch: %d agents: want 1 to %d", len(l.Agents), MaxRacers)
	}
	cfgs := make([]Config, len(l.Agents))
	for i, a := range l.Agents {
		cfgs[i] = Config{Env: l.Env, Params: l.Params, Agent: a, Seed: l.Seed, Observation: l.Observation, Candidates: l.Candidates, Speed: speed}
		if agent.LearnsModel(a) { // in a race, what only learners take goes to them alone
			cfgs[i].Concurrent, cfgs[i].Settings = l.Concurrent, l.Settings
		}
	}
	return cfgs, nil
}

// DecodeLaunch reads a launch from its JSON, or returns an error saying what is wrong.
func DecodeLaunch(data []byte) (Launch, error) {
	var l Launch
	if err := json.Unmarshal(data, &l); err != nil {
		return l, fmt.Errorf("live: launch: %w", err)
	}
	if l.Width < 1 || l.Height < 1 || l.Frames < 0 || (l.Screenshot == "") != (l.Frames == 0) {
		return l, fmt.Errorf("live: launch: window %dx%d, screenshot %q after %d frames: want a positive size and a screenshot with frames", l.Width, l.Height, l.Screenshot, l.Frames)
	}
	return l, nil
}
