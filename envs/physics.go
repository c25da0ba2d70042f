package envs

import (
	"fmt"
	"image/color"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/sim"
)

// task is what one environment file provides: its scene, its physics of acting, and how it
// is observed and judged. physicsEnv turns a task into an Env and does everything tasks share:
// validation, stepping, success bookkeeping, blow-up recovery, snapshots and drawing.
type task interface {
	// build adds the task's bodies and joints to an empty world.
	build(w *sim.World) error
	// reset puts the bodies into a random initial state drawn from rng.
	reset(rng *rand.Rand) error
	// act applies an action that lies within the action space.
	act(a []float64)
	// observe writes the current observation into dst.
	observe(dst []float64)
	// pose places the bodies at rest in the configuration the observation obs describes.
	pose(obs []float64) error
	// evaluate returns the reward for the step just taken with action a and whether the
	// success condition holds now.
	evaluate(a []float64) (reward float64, ok bool)
	// draw adds the task's scenery and markers (not its bodies) to s.
	draw(s *sim.Scene)
	// camera returns the overview of the scene; a task whose agent sees it through another
	// camera implements eyed too.
	camera() sim.Camera
	// vars appends the task's own state (targets and the like) to dst; setVars reads it back
	// and returns an error if v has the wrong length.
	vars(dst []float64) []float64
	setVars(v []float64) error
}

// failing is a task whose episode can end in failure, before its time limit.
type failing interface {
	failed() bool
}

// eyed is a task whose agent's camera (sim.Scene.Eye) is not its overview.
type eyed interface {
	eye() sim.Camera
}

// taskDef is the fixed description of a task. newPhysicsEnv completes its spec with the
// timing of its world and the reward range [0, 1] that every built-in task shares.
type taskDef struct {
	spec    Spec
	world   sim.WorldConfig
	obs     Box
	act     Box
	hold    float64 // seconds the success condition must hold at the end; zero: reach once
	stopped bool    // the episode terminates as soon as the task succeeds
	pin     float64 // radius of drawn hinge pins in metres
}

// physicsEnv is an Env built from a task on a sim.World.
type physicsEnv struct {
	def   taskDef
	t     task
	world *sim.World
	steps int
	held  int  // consecutive steps the success condition has held
	won   bool // reach-once tasks: the condition has been met
	over  bool
	obs   []float64
	act   []float64
	scene sim.Scene
	// A person's hold on a body (Grabber): the body, the point held in its frame, and
	// where that point is pulled to.
	grabbed      *sim.Body
	grip, pullTo sim.Vec2
}

// Background is the colour behind every built-in scene; pale, for projectors.
var Background = color.NRGBA{246, 244, 238, 255}

// standardWorld returns the world configuration of the built-in tasks: a 0.05 s control step
// of 10 physics sub-steps, with gravity g m/s² pointing down (zero for a top-down scene).
func standardWorld(g float64) sim.WorldConfig {
	return sim.WorldConfig{Gravity: sim.V(0, -g), ControlDT: 0.05, Substeps: 10}
}

func newPhysicsEnv(def taskDef, t task) (*physicsEnv, error) {
	def.spec.ControlDT, def.spec.Substeps = def.world.ControlDT, def.world.Substeps
	def.spec.RewardRange = [2]float64{0, 1}
	e := &physicsEnv{def: def, t: t, over: true,
		obs: make([]float64, def.obs.Dim()), act: make([]float64, def.act.Dim())}
	if err := e.rebuild(); err != nil {
		return nil, err
	}
	if err := t.reset(rand.New(rand.NewPCG(0, 0))); err != nil {
		return nil, err
	}
	t.observe(e.obs)
	return e, nil
}

// rebuild makes a fresh world; every Reset starts from one, so no contact, warm-start or
// non-finite state survives from an earlier episode.
func (e *physicsEnv) rebuild() error {
	w, err := sim.NewWorld(e.def.world)
	if err != nil {
		return err
	}
	if err := e.t.build(w); err != nil {
		return fmt.Errorf("building scene: %w", err)
	}
	e.world = w
	return nil
}

// Spec, ObservationSpace and ActionSpace return the task's fixed description.
func (e *physicsEnv) Spec() Spec            { return e.def.spec }
func (e *physicsEnv) ObservationSpace() Box { return e.def.obs }
func (e *physicsEnv) ActionSpace() Box      { return e.def.act }
func (e *physicsEnv) info() Info {
	return Info{Success: e.success(), Time: float64(e.steps) * e.def.spec.ControlDT, Steps: e.steps}
}

func (e *physicsEnv) success() bool {
	if e.def.hold == 0 {
		return e.won
	}
	return float64(e.held)*e.def.spec.ControlDT >= e.def.hold-1e-9
}

// Reset builds a fresh world and places the bodies in the start state drawn from seed.
func (e *physicsEnv) Reset(seed uint64) ([]float64, Info) {
	if err := e.rebuild(); err != nil {
		panic(fmt.Sprintf("envs: %s: rebuilding a scene that built before: %v", e.def.spec.ID, err))
	}
	if err := e.t.reset(rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))); err != nil {
		panic(fmt.Sprintf("envs: %s: reset: %v", e.def.spec.ID, err))
	}
	e.steps, e.held, e.won, e.over = 0, 0, false, false
	e.grabbed = nil // its body belonged to the old world
	e.t.observe(e.obs)
	return e.obs, e.info()
}

// Step validates and clips the action, steps the physics, and judges the new state; a
// non-finite state truncates the episode with Info.BlowUp.
func (e *physicsEnv) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	if e.over {
		return nil, 0, false, false, Info{}, ErrEpisodeOver
	}
	if err := checkAction(e.def.act, a); err != nil {
		return nil, 0, false, false, Info{}, err
	}
	e.def.act.Clip(e.act, a)
	e.t.act(e.act)
	e.pull()
	e.world.Step()
	e.steps++
	if !e.world.Finite() {
		e.t.observe(e.obs)
		sanitize(e.obs)
		e.over = true
		info := e.info()
		info.Success, info.BlowUp = false, true
		return e.obs, e.def.spec.RewardRange[0], false, true, info, nil
	}
	e.t.observe(e.obs)
	r, ok := e.t.evaluate(e.act)
	if ok {
		e.held++
		e.won = true
	} else {
		e.held = 0
	}
	terminated := e.def.stopped && e.success()
	if t, ok := e.t.(failing); ok && t.failed() {
		terminated = true
	}
	e.over = terminated
	return e.obs, r, terminated, false, e.info(), nil
}

// Scene returns the task's scenery with the world's bodies and hinge pins over it.
func (e *physicsEnv) Scene() *sim.Scene {
	s := &e.scene
	s.Reset()
	s.Background = Background
	s.Camera, s.Eye = e.t.camera(), sim.Camera{}
	if t, ok := e.t.(eyed); ok {
		s.Eye = t.eye()
	}
	e.t.draw(s)
	e.world.Draw(s, e.def.pin)
	return s
}

// Snapshot saves the world, the episode counters and the task's variables into dst.
func (e *physicsEnv) Snapshot(dst *Snapshot) {
	e.world.SnapshotInto(&dst.world)
	dst.vars = append(dst.vars[:0], float64(e.steps), float64(e.held), b2f(e.won), b2f(e.over))
	dst.vars = e.t.vars(dst.vars)
}

// Restore reinstates a state saved by Snapshot from an environment built alike.
func (e *physicsEnv) Restore(s *Snapshot) error {
	if s == nil || len(s.vars) != 4+len(e.t.vars(nil)) {
		return ErrSnapshot
	}
	if err := e.world.Restore(&s.world); err != nil {
		return fmt.Errorf("%w: %v", ErrSnapshot, err)
	}
	if err := e.t.setVars(s.vars[4:]); err != nil {
		return fmt.Errorf("%w: %v", ErrSnapshot, err)
	}
	v := s.vars
	e.steps, e.held, e.won, e.over = int(v[0]), int(v[1]), v[2] != 0, v[3] != 0
	e.t.observe(e.obs)
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// noVars is embedded by tasks that keep no state beyond their bodies.
type noVars struct{}

func (noVars) vars(dst []float64) []float64 { return dst }

func (noVars) setVars(v []float64) error {
	if len(v) != 0 {
		return fmt.Errorf("%d unexpected task variables", len(v))
	}
	return nil
}
