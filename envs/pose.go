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
	for env != nil {
		if p, ok := env.(Poser); ok {
			return p.Pose(obs)
		}
		u, ok := env.(Unwrapper)
		if !ok {
			break
		}
		env = u.Unwrap()
	}
	return ErrNoPose
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
func AsGrabber(env Env) (Grabber, bool) {
	for env != nil {
		if g, ok := env.(Grabber); ok {
			return g, true
		}
		u, ok := env.(Unwrapper)
		if !ok {
			break
		}
		env = u.Unwrap()
	}
	return nil, false
}

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
