package envs

import (
	"errors"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/sim"
)

// Poser is an environment that can place its bodies as an observation describes.
type Poser interface {
	// Pose puts the bodies in the configuration obs describes, at rest, so that Scene draws
	// it. Velocities in obs, and whatever obs says about the task's other state (targets),
	// are ignored. It ends the episode under way: Step fails until the next Reset. It
	// returns an error if obs has the wrong size or non-finite components.
	Pose(obs []float64) error
}

// Unwrapper is a wrapper that can hand back the environment it wraps.
type Unwrapper interface {
	// Unwrap returns the wrapped environment.
	Unwrap() Env
}

// ErrNoPose is returned by Pose for an environment that cannot place its bodies from an
// observation.
var ErrNoPose = errors.New("envs: environment cannot pose its bodies from an observation")

// Pose puts env's bodies in the configuration that obs, an observation of the innermost
// environment under env's wrappers, describes, so that env.Scene draws it. Viewers draw a
// world model's predicted observations this way, as ghosts, on a copy of the environment
// kept for drawing: Pose ends the episode under way. It returns ErrNoPose if no
// environment in the chain of wrappers is a Poser, and the Poser's error otherwise.
func Pose(env Env, obs []float64) error {
	if p, ok := inChain[Poser](env); ok {
		return p.Pose(obs)
	}
	return ErrNoPose
}

// inChain returns the first environment in env's chain of wrappers, env first, that is a
// T, and whether there is one.
func inChain[T any](env Env) (T, bool) {
	for env != nil {
		if t, ok := env.(T); ok {
			return t, true
		}
		u, ok := env.(Unwrapper)
		if !ok {
			break
		}
		env = u.Unwrap()
	}
	var zero T
	return zero, false
}

// Pose places the bodies as obs describes through the task, and ends the episode.
func (e *physicsEnv) Pose(obs []float64) error {
	if len(obs) != e.def.obs.Dim() {
		return fmt.Errorf("envs: %s: pose from an observation of %d components, want %d", e.def.spec.ID, len(obs), e.def.obs.Dim())
	}
	for i, v := range obs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("envs: %s: pose from an observation with component %d = %v", e.def.spec.ID, i, v)
		}
	}
	e.over = true
	if err := e.t.pose(obs); err != nil {
		return fmt.Errorf("envs: %s: pose: %w", e.def.spec.ID, err)
	}
	e.t.observe(e.obs)
	return nil
}

// Tracer is an environment whose observations say how its bodies move but not where they
// are, so that they cannot be posed from one observation but can be followed along a
// sequence of them from the present state, as Drive-v0's car is from its speeds.
type Tracer interface {
	// Trace returns the body shapes (sim.LayerBody and sim.LayerJoint) of the scene after
	// each of future, a sequence of observations following the present one, without
	// changing the environment's state. It returns ErrNoPose if the environment's
	// observations say nothing of its bodies' motion, and an error if an observation has
	// the wrong size or non-finite components.
	Trace(future [][]float64) ([][]sim.Shape, error)
}

// Trace returns, as Tracer's Trace does, the bodies of the first environment in env's chain
// of wrappers that is a Tracer, or ErrNoPose if none is.
func Trace(env Env, future [][]float64) ([][]sim.Shape, error) {
	if t, ok := inChain[Tracer](env); ok {
		return t.Trace(future)
	}
	return nil, ErrNoPose
}

// tracer is a task that can follow its bodies along predicted observations.
type tracer interface {
	// trace appends to dst the body shapes after each observation of future, starting from
	// the present state, which it leaves as it was.
	trace(dst [][]sim.Shape, future [][]float64) [][]sim.Shape
}

// Trace follows the bodies through the task, if it can.
func (e *physicsEnv) Trace(future [][]float64) ([][]sim.Shape, error) {
	t, ok := e.t.(tracer)
	if !ok {
		return nil, ErrNoPose
	}
	for k, obs := range future {
		if len(obs) != e.def.obs.Dim() {
			return nil, fmt.Errorf("envs: %s: trace through an observation of %d components, want %d", e.def.spec.ID, len(obs), e.def.obs.Dim())
		}
		for i, v := range obs {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("envs: %s: trace through observation %d with component %d = %v", e.def.spec.ID, k, i, v)
			}
		}
	}
	return t.trace(nil, future), nil
}

// Grabber is an environment whose bodies a person can pull about, as with a mouse: a
// perturbation from outside the task, which the agent must recover from.
type Grabber interface {
	// Grab takes hold of the dynamic body at world point p, by that point, and reports
	// whether there was one. The hold lasts until Release or the next Reset.
	Grab(p sim.Vec2) bool
	// Pull sets where the held point is drawn to, by a stiff damped spring, during the
	// following Steps. It does nothing when nothing is held.
	Pull(target sim.Vec2)
	// Release lets go.
	Release()
}

// AsGrabber returns the Grabber in env's chain of wrappers, if there is one.
func AsGrabber(env Env) (Grabber, bool) { return inChain[Grabber](env) }

// maxPull bounds the acceleration a pull gives a body, in m/s²: 30 g, enough to fling any
// built-in body, not enough to blow up the solver.
const maxPull = 300

// Grab holds the body at p by that point.
func (e *physicsEnv) Grab(p sim.Vec2) bool {
	b := e.world.BodyAt(p)
	if b == nil {
		return false
	}
	e.grabbed, e.grip, e.pullTo = b, b.LocalPoint(p), p
	return true
}

// Pull sets the point the held body is drawn to.
func (e *physicsEnv) Pull(target sim.Vec2) { e.pullTo = target }

// Release lets go of the held body.
func (e *physicsEnv) Release() { e.grabbed = nil }

// pull applies the force of the hold, if any, for the next physics step.
func (e *physicsEnv) pull() {
	if e.grabbed != nil {
		e.grabbed.Pull(e.grip, e.pullTo, maxPull)
	}
}
