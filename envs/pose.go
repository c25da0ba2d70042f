package envs

import (
	"errors"
	"fmt"
	"math"
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
