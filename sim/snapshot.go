package sim

import (
	"fmt"
	"slices"

	"github.com/ByteArena/box2d"
)

// Snapshot is the full dynamic state of a World at one instant: every body's transform,
// swept motion, velocities and pending forces, every joint's warm-start impulses, limit state
// and motor settings, and the world clock.
//
// Restoring a snapshot into the world it came from, or into any world built the same way
// (same bodies and joints in the same order), and stepping again reproduces the original
// trajectory bit for bit when no contacts are involved. Contact points are not part of a
// snapshot: after a restore, contacts are rebuilt from the restored positions and their
// warm-start impulses start from zero, so scenes in contact drift slightly (of the order of
// 1e-4 m over a few hundred steps). Where bit-exact replay through contacts is needed, build
// a fresh world and replay the actions.
type Snapshot struct {
	bodies []bodyState
	joints []jointState
	time   float64
	invDt0 float64
}

type bodyState struct {
	xf     box2d.B2Transform
	sweep  box2d.B2Sweep
	vel    box2d.B2Vec2
	angVel float64
	force  box2d.B2Vec2
	torque float64
	flags  uint32
	sleep  float64
}

type jointState struct {
	f     [8]float64
	limit uint8
	kind  uint8
}

// Snapshot returns a new snapshot of the world's state.
func (w *World) Snapshot() *Snapshot {
	s := new(Snapshot)
	w.SnapshotInto(s)
	return s
}

// SnapshotInto overwrites s with the world's state, reusing s's memory: once s has the
// right size it does not allocate.
func (w *World) SnapshotInto(s *Snapshot) {
	s.bodies = s.bodies[:0]
	for _, b := range w.bodies {
		x := b.b
		s.bodies = append(s.bodies, bodyState{
			xf: x.M_xf, sweep: x.M_sweep, vel: x.M_linearVelocity, angVel: x.M_angularVelocity,
			force: x.M_force, torque: x.M_torque, flags: x.M_flags, sleep: x.M_sleepTime,
		})
	}
	// Joints save in place: a local passed to the interface method would escape to the heap.
	s.joints = slices.Grow(s.joints[:0], len(w.joints))[:len(w.joints)]
	for i, j := range w.joints {
		j.save(&s.joints[i])
		s.joints[i].kind = jointKind(j)
	}
	s.time = w.time
	s.invDt0 = w.b2.M_inv_dt0
}

// Restore sets the world's state to s. It returns an error, and changes nothing, if s was
// taken from a world with different bodies or joints.
func (w *World) Restore(s *Snapshot) error {
	if err := w.compatible(s); err != nil {
		return err
	}
	for i, b := range w.bodies {
		st := &s.bodies[i]
		x := b.b
		x.M_xf, x.M_sweep = st.xf, st.sweep
		x.M_linearVelocity, x.M_angularVelocity = st.vel, st.angVel
		x.M_force, x.M_torque = st.force, st.torque
		x.M_flags, x.M_sleepTime = st.flags, st.sleep
		x.SynchronizeFixtures()
	}
	for i, j := range w.joints {
		j.load(&s.joints[i])
	}
	w.time = s.time
	w.b2.M_inv_dt0 = s.invDt0
	return nil
}

func (w *World) compatible(s *Snapshot) error {
	if s == nil {
		return fmt.Errorf("sim: restore: nil snapshot")
	}
	if len(s.bodies) != len(w.bodies) || len(s.joints) != len(w.joints) {
		return fmt.Errorf("sim: restore: snapshot has %d bodies and %d joints, world has %d and %d",
			len(s.bodies), len(s.joints), len(w.bodies), len(w.joints))
	}
	for i, j := range w.joints {
		if s.joints[i].kind != jointKind(j) {
			return fmt.Errorf("sim: restore: joint %d has a different type in the snapshot", i)
		}
	}
	return nil
}

func jointKind(j Joint) uint8 {
	switch j.(type) {
	case *Revolute:
		return 1
	case *Prismatic:
		return 2
	case *Friction:
		return 3
	}
	return 0
}
