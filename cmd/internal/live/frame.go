package live

import (
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
	"github.com/foresight-sim/foresight/worldmodel"
)

// Frame is a snapshot of a session that a viewer draws: the scene, the imagined future, and
// the numbers of the heads-up display and the plots. A published Frame never changes, and
// the slices it holds are never written again, so a viewer may keep it as long as it likes.
type Frame struct {
	Env, Agent string
	Seed       uint64
	// Observation describes what the agent observes, as envs.ObservationOf does.
	Observation string
	// Scene is the environment now.
	Scene sim.Scene
	// Ghosts are the bodies of the future the agent expects its plan to lead to, one entry
	// per step ahead, nearest first; nil for agents that do not imagine.
	Ghosts [][]sim.Shape
	// Subgoals are the outlines of the bodies where a two-level agent's coarse plan leads
	// (show.Subgoals); nil for other agents.
	Subgoals []sim.Shape
	// Candidates are the bodies in which the plans the planner weighed end, coloured by
	// their expected return (show.Candidates), while the viewer asks for them.
	Candidates []sim.Shape
	// Sight is what an agent of images sees, perceives and imagines; nil for an agent of
	// states.
	Sight *show.Sight
	// Experience is the simulated experience in seconds, evaluation episodes excluded.
	Experience float64
	// Episodes is the number of finished training episodes.
	Episodes int
	// Episode is the episode under way so far.
	Episode agent.EpisodeResult
	// LastReturn is the last finished training episode's return, if HasLast.
	LastReturn float64
	HasLast    bool
	// Streak is the number of training episodes in a row, up to the last, that succeeded.
	Streak int
	// Competent is the experience at which the agent became competent, or nil.
	Competent *float64
	// Evaluating says that the episode under way tests competence, with at most EvalLeft to go.
	Evaluating bool
	EvalLeft   int
	// Model holds the world model's last losses, if HasModel.
	Model    worldmodel.Stats
	HasModel bool
	// LossName names the loss the agent trains on ("world-model loss", "critic loss"),
	// empty for an agent that reports none; Loss is its last value, once there is one.
	LossName string
	Loss     float64
	// Curve holds the finished training episodes; Losses that loss over experience.
	Curve  []agent.EpisodePoint
	Losses []LossPoint
	// Paused, Speed and Human describe the controls: Speed in simulated seconds per wall
	// second (+Inf for as fast as possible), Human when a person has taken over.
	Paused bool
	Speed  float64
	Human  bool
	// Pulling says that the person holds a body and pulls it towards PullTo.
	Pulling bool
	PullTo  sim.Vec2
	// RealTime is the simulated seconds per wall second actually achieved lately, counting
	// evaluation episodes too.
	RealTime float64
	// Err is the error that stopped the session, or nil.
	Err error
}

// SpeedLabel describes a pace: "×1", "×½", "×64", or "max" for as fast as possible.
func SpeedLabel(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "max"
	case x == 0.5:
		return "×½"
	case x == 0.25:
		return "×¼"
	}
	return fmt.Sprintf("×%g", x)
}

// HUD returns the lines of the heads-up display for f.
func HUD(f *Frame) []string {
	lines := []string{
		title(f),
		fmt.Sprintf("experience %s   episode %d", show.Clock(f.Experience), f.Episodes+1),
		fmt.Sprintf("return %.1f   last %s   streak %d", f.Episode.Return, lastReturn(f), f.Streak),
		competence(f),
	}
	switch {
	case f.HasModel:
		lines = append(lines, fmt.Sprintf("model loss %.4f   latent std %.2f", f.Model.Loss, f.Model.LatentStd))
	case f.LossName != "" && len(f.Losses) > 0:
		lines = append(lines, fmt.Sprintf("%s %.4f", f.LossName, f.Loss))
	}
	state := SpeedLabel(f.Speed)
	if f.Paused {
		state = "paused"
	}
	if f.Human {
		state += " · you have control"
	}
	lines = append(lines, fmt.Sprintf("%s   %.1f× real time", state, f.RealTime))
	if f.Err != nil {
		lines = append(lines, "stopped: "+f.Err.Error())
	}
	return lines
}

// title names the environment, the agent, the seed and, for images, the observation.
func title(f *Frame) string {
	t := fmt.Sprintf("%s · %s · seed %d", f.Env, f.Agent, f.Seed)
	if f.Observation != "" && f.Observation != envs.StateObservation {
		t += " · " + f.Observation
	}
	return t
}

func lastReturn(f *Frame) string {
	if !f.HasLast {
		return "–"
	}
	return fmt.Sprintf("%.1f", f.LastReturn)
}

// competence describes where the agent stands with the competence rule.
func competence(f *Frame) string {
	switch {
	case f.Evaluating:
		return fmt.Sprintf("evaluating: at most %d of %d test episodes to go", f.EvalLeft, agent.DefaultCompetence.Trials)
	case f.Competent != nil:
		return "competent after " + show.Clock(*f.Competent) + " of experience"
	}
	return "not yet competent"
}

// FirstCompetent reports, for each frame, whether its agent became competent after the
// least experience of all: none while no agent is competent, several on a tie.
func FirstCompetent(frames []*Frame) []bool {
	best := math.Inf(1)
	for _, f := range frames {
		if f.Competent != nil {
			best = min(best, *f.Competent)
		}
	}
	first := make([]bool, len(frames))
	for i, f := range frames {
		first[i] = f.Competent != nil && *f.Competent == best
	}
	return first
}
