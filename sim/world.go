package sim

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sync"

	"github.com/ByteArena/box2d"
)

// WorldConfig describes how a World steps. The zero value is not valid: ControlDT and
// Substeps must be positive.
type WorldConfig struct {
	// Gravity in m/s²; (0, −9.81) for a vertical scene, zero for a top-down one.
	Gravity Vec2
	// ControlDT is the simulated time one call to Step advances, in seconds.
	ControlDT float64
	// Substeps is the number of fixed physics steps per control step; each is ControlDT/Substeps.
	Substeps int
	// VelocityIterations and PositionIterations are Box2D's solver iterations per physics step;
	// zero means 8 and 3.
	VelocityIterations, PositionIterations int
}

// World is a Box2D world stepped at a fixed timestep. It owns the underlying box2d world
// behind a pointer, keeps the bodies and joints in creation order, and applies the
// workarounds the Go port needs:
//
//   - a contact filter is installed, so collision categories, masks and groups take effect;
//     it also keeps sensors out of contacts, because the port tests sensor overlap with a
//     routine that counts its calls in unguarded package-level variables;
//   - continuous collision (time of impact) is off, because the port keeps package-level
//     statistics for it that race between worlds; keep bodies slow and walls thick;
//   - the port's lazily built contact registry is filled once, before any world exists, so
//     worlds can step in parallel goroutines;
//   - sleeping is off, so a resting body reacts to a new action at once.
//
// Forces and torques applied between two calls to Step act for the whole control step and
// are cleared after it. A World is not safe for concurrent use, but distinct Worlds may step
// in parallel. A World must not be copied.
type World struct {
	b2       *box2d.B2World
	cfg      WorldConfig
	bodies   []*Body
	joints   []Joint
	time     float64
	rayState rayQuery
	rayFn    box2d.B2RaycastCallback
	hook     func(h float64)
}

var warmOnce sync.Once

// warmContactRegistry makes one contact in a throwaway world so that the port's package-level
// contact registry is filled before worlds step concurrently.
func warmContactRegistry() {
	w := box2d.MakeB2World(box2d.MakeB2Vec2(0, -10))
	ground := w.CreateBody(&box2d.B2BodyDef{Type: box2d.B2BodyType.B2_staticBody, Active: true})
	box := box2d.MakeB2PolygonShape()
	box.SetAsBox(1, 1)
	ground.CreateFixture(&box, 0)
	def := box2d.MakeB2BodyDef()
	def.Type = box2d.B2BodyType.B2_dynamicBody
	def.Position = box2d.MakeB2Vec2(0, 1.5)
	w.CreateBody(&def).CreateFixture(&box, 1)
	w.Step(1.0/60, 8, 3)
}

// contactFilter applies Box2D's category, mask and group rules and lets no sensor make a
// contact: the port's sensor overlap test writes package-level statistics, a data race when
// worlds step in parallel, and nothing in sim reads sensor contacts.
type contactFilter struct{ box2d.B2ContactFilter }

// ShouldCollide reports whether fixtures a and b may touch.
func (f *contactFilter) ShouldCollide(a, b *box2d.B2Fixture) bool {
	return !a.IsSensor() && !b.IsSensor() && f.B2ContactFilter.ShouldCollide(a, b)
}

// NewWorld returns an empty world. It returns an error if the configuration is invalid.
func NewWorld(cfg WorldConfig) (*World, error) {
	if !(cfg.ControlDT > 0) || math.IsInf(cfg.ControlDT, 0) || cfg.Substeps < 1 {
		return nil, fmt.Errorf("sim: invalid world config: control timestep %v s, %d substeps", cfg.ControlDT, cfg.Substeps)
	}
	if cfg.VelocityIterations <= 0 {
		cfg.VelocityIterations = 8
	}
	if cfg.PositionIterations <= 0 {
		cfg.PositionIterations = 3
	}
	warmOnce.Do(warmContactRegistry)
	b2 := box2d.MakeB2World(toB2(cfg.Gravity))
	w := &World{b2: &b2, cfg: cfg}
	w.b2.SetContactFilter(&contactFilter{})
	w.b2.M_continuousPhysics = false
	w.b2.SetAllowSleeping(false)
	w.b2.SetAutoClearForces(false)
	w.rayFn = w.rayState.report
	return w, nil
}

// Config returns the configuration the world steps with.
func (w *World) Config() WorldConfig { return w.cfg }

// PhysicsDT returns the length of one physics sub-step in seconds.
func (w *World) PhysicsDT() float64 { return w.cfg.ControlDT / float64(w.cfg.Substeps) }

// ControlDT returns the simulated time one call to Step advances, in seconds.
func (w *World) ControlDT() float64 { return w.cfg.ControlDT }

// Time returns the simulated time in seconds since the world was made or last restored.
func (w *World) Time() float64 { return w.time }

// Bodies returns the bodies in creation order. The slice is the world's own; do not modify it.
func (w *World) Bodies() []*Body { return w.bodies }

// Joints returns the joints in creation order. The slice is the world's own; do not modify it.
func (w *World) Joints() []Joint { return w.joints }

// OnSubstep sets a function called before every physics sub-step with the sub-step length
// in seconds, for forces that depend on the state within a control step (springs, reduced-
// coordinate gravity). It should act through impulses (Body.ApplyAngularImpulse), which take
// effect at once, not forces, which accumulate over the control step. nil removes it.
func (w *World) OnSubstep(f func(h float64)) { w.hook = f }

// Step advances the world by one control step: Substeps physics steps of PhysicsDT each.
// Forces and torques applied since the last Step act throughout and are then cleared.
func (w *World) Step() {
	for range w.cfg.Substeps {
		w.PhysicsStep()
	}
	w.b2.ClearForces()
	w.time += w.cfg.ControlDT
}

// PhysicsStep advances the world by a single physics sub-step, calling the OnSubstep function
// first, without clearing forces. Step is the usual way to advance; PhysicsStep serves tests
// and benchmarks that need finer time resolution.
func (w *World) PhysicsStep() {
	h := w.PhysicsDT()
	if w.hook != nil {
		w.hook(h)
	}
	w.b2.Step(h, w.cfg.VelocityIterations, w.cfg.PositionIterations)
}

// Finite reports whether every body's position, angle and velocities are finite numbers.
// A false result means the simulation has blown up and the world must be reset.
func (w *World) Finite() bool {
	for _, b := range w.bodies {
		if !b.finite() {
			return false
		}
	}
	return true
}

// ErrNonFinite is returned when a value that must be a finite number is NaN or infinite.
var ErrNonFinite = errors.New("non-finite value")

func toB2(v Vec2) box2d.B2Vec2 { return box2d.B2Vec2{X: v.X, Y: v.Y} }

func fromB2(v box2d.B2Vec2) Vec2 { return Vec2{v.X, v.Y} }

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// JointPinColor is the colour World.Draw uses for hinge pins.
var JointPinColor = color.NRGBA{40, 40, 48, 255}

// Draw adds every visible body to s, then a pin at each hinge, sized pinRadius metres
// (no pins when pinRadius is zero).
func (w *World) Draw(s *Scene, pinRadius float64) {
	for _, b := range w.bodies {
		b.Draw(s)
	}
	if pinRadius <= 0 {
		return
	}
	for _, j := range w.joints {
		if _, ok := j.(*Revolute); ok {
			s.AddCircle(LayerJoint, JointPinColor, j.Anchor(), pinRadius)
		}
	}
}
