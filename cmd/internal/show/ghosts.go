package show

import (
	"errors"
	"image/color"
	"math"
	"slices"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
)

// Ghosts returns the bodies of the future ag imagines, one scene's worth of body and joint
// shapes per step ahead, nearest first: traced from the present state of env if it is a
// Tracer (envs.Trace), or else posed on poseEnv, a copy of env kept for drawing (envs.Pose
// changes its state). It returns nil if ag is not an agent.Imaginer, imagines nothing, or
// the environment can neither trace nor pose, as one observed in images cannot (without
// asking ag what it imagines); steps whose observation cannot be posed are left out.
func Ghosts(ag agent.Agent, env, poseEnv envs.Env) [][]sim.Shape {
	im, ok := ag.(agent.Imaginer)
	if !ok || envs.PixelsOf(poseEnv) != nil {
		return nil
	}
	future, err := im.Imagined()
	if err != nil || len(future) == 0 {
		return nil
	}
	return bodies(env, poseEnv, future)
}

// bodies returns the bodies of the observations of future, one scene's worth per
// observation, traced from env or posed on poseEnv as Ghosts says; nil if env can neither
// trace nor pose.
func bodies(env, poseEnv envs.Env, future [][]float64) [][]sim.Shape {
	if traced, err := envs.Trace(env, future); !errors.Is(err, envs.ErrNoPose) {
		if err != nil {
			return nil
		}
		return traced
	}
	out := make([][]sim.Shape, 0, len(future))
	for _, obs := range future {
		if err := envs.Pose(poseEnv, obs); err != nil {
			if errors.Is(err, envs.ErrNoPose) {
				return nil
			}
			continue
		}
		out = append(out, bodyShapes(poseEnv.Scene()))
	}
	return out
}

// bodyShapes returns copies of the shapes on the body and joint layers of sc.
func bodyShapes(sc *sim.Scene) []sim.Shape {
	return slices.DeleteFunc(sc.Clone().Shapes, func(sh sim.Shape) bool {
		return sh.Layer != sim.LayerBody && sh.Layer != sim.LayerJoint
	})
}

// MaxGhosts bounds the imagined steps drawn: beyond a dozen the ghosts blur into one smear.
const MaxGhosts = 12

// GhostSteps returns which of n imagined steps to draw, at most MaxGhosts evenly spaced and
// always the last, farthest first so that nearer ghosts are drawn over them.
func GhostSteps(n int) []int {
	stride := max(1, (n+MaxGhosts-1)/MaxGhosts)
	var steps []int
	for i := n - 1; i >= 0; i-- {
		if (i+1)%stride == 0 || i == n-1 {
			steps = append(steps, i)
		}
	}
	return steps
}

// GhostAlpha returns the opacity of imagined step i of n: 0.55 for the nearest, fading to
// 0.1 for the farthest.
func GhostAlpha(i, n int) float64 {
	return 0.55 - 0.45*float64(i)/float64(max(n-1, 1))
}

// Overlay returns the ghosts to draw as translucent shapes just above the real bodies, in
// drawing order, for renderers that take a scene (the GIF recorder).
func Overlay(ghosts [][]sim.Shape) []sim.Shape {
	var out []sim.Shape
	for _, i := range GhostSteps(len(ghosts)) {
		a := GhostAlpha(i, len(ghosts))
		for _, sh := range ghosts[i] {
			sh.Layer = sim.LayerJoint + 1
			sh.Fill.A = uint8(math.Round(float64(sh.Fill.A) * a))
			sh.Stroke.A = uint8(math.Round(float64(sh.Stroke.A) * a))
			out = append(out, sh)
		}
	}
	return out
}

// colorSubgoal is the colour of the coarse plan's steps: violet, apart from the bodies' and
// the value scale's colours.
var colorSubgoal = color.NRGBA{130, 70, 190, 255}

// Subgoals returns the outlines of the bodies where ag's coarse plan leads, one coarse step
// apart, drawn above the real bodies, leaving out what stays where it is now (walls): the
// first, the subgoal the fine planner heads for, boldest, the farther ones fainter. It returns nil if ag is not an agent.SubgoalImaginer,
// has no coarse plan, or env can neither trace nor pose.
func Subgoals(ag agent.Agent, env, poseEnv envs.Env) []sim.Shape {
	sg, ok := ag.(agent.SubgoalImaginer)
	if !ok || envs.PixelsOf(poseEnv) != nil {
		return nil
	}
	future, err := sg.Subgoals()
	if err != nil || len(future) == 0 {
		return nil
	}
	present := bodyShapes(env.Scene())
	var out []sim.Shape
	for i, step := range bodies(env, poseEnv, future) {
		a := 0.9 - 0.6*float64(i)/float64(max(len(future)-1, 1))
		for _, sh := range step {
			if slices.ContainsFunc(present, func(p sim.Shape) bool { return samePlace(p, sh) }) {
				continue // what does not move, such as walls
			}
			sh.Layer = sim.LayerJoint + 2
			sh.Fill = color.NRGBA{}
			sh.Stroke = colorSubgoal
			sh.Stroke.A = uint8(math.Round(255 * a))
			sh.Width = max(sh.Width, 0.02)
			if i == 0 {
				sh.Width *= 2
			}
			out = append(out, sh)
		}
	}
	return out
}

// samePlace reports whether two shapes have the same kind, centre and points.
func samePlace(a, b sim.Shape) bool {
	return a.Kind == b.Kind && a.Center == b.Center && slices.Equal(a.Points, b.Points)
}

// MaxCandidates is the most candidate plans Candidates draws: more crowd the scene.
const MaxCandidates = 16

// Candidates returns the bodies in which up to MaxCandidates of the candidate plans ag
// weighed for its last action end, as it imagines them, each coloured by the return it
// expected, from red for the worst to green for the best, translucent and drawn just above
// the real bodies: the planner thinking. It returns nil if ag is not an agent.Weigher, has
// not planned, or env can neither trace nor pose.
func Candidates(ag agent.Agent, env, poseEnv envs.Env) []sim.Shape {
	w, ok := ag.(agent.Weigher)
	if !ok || envs.PixelsOf(poseEnv) != nil {
		return nil
	}
	cands, err := w.Weighed(MaxCandidates)
	if err != nil || len(cands) == 0 {
		return nil
	}
	best, worst := cands[0].Return, cands[len(cands)-1].Return
	var out []sim.Shape
	for i := len(cands) - 1; i >= 0; i-- { // the best drawn last, on top
		c := cands[i]
		future := bodies(env, poseEnv, c.Future)
		if len(future) == 0 {
			continue
		}
		shade := valueColor((c.Return - worst) / max(best-worst, 1e-12))
		for _, sh := range future[len(future)-1] {
			sh.Layer = sim.LayerJoint + 1
			sh.Fill, sh.Stroke = shade, shade
			sh.Fill.A, sh.Stroke.A = 60, 140
			out = append(out, sh)
		}
	}
	return out
}

// valueColor returns the colour of a relative value in [0, 1]: red at 0, amber at a half,
// green at 1.
func valueColor(v float64) color.NRGBA {
	v = min(1, max(0, v))
	lerp := func(a, b uint8, t float64) uint8 { return uint8(math.Round(float64(a) + (float64(b)-float64(a))*t)) }
	red, amber, green := color.NRGBA{213, 60, 40, 255}, color.NRGBA{230, 159, 0, 255}, color.NRGBA{0, 158, 115, 255}
	from, to, t := red, amber, 2*v
	if v > 0.5 {
		from, to, t = amber, green, 2*v-1
	}
	return color.NRGBA{lerp(from.R, to.R, t), lerp(from.G, to.G, t), lerp(from.B, to.B, t), 255}
}
