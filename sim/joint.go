package sim

import (
	"fmt"

	"github.com/ByteArena/box2d"
)

// Joint is a constraint between two bodies: a *Revolute, a *Prismatic or a *Friction.
type Joint interface {
	// Bodies returns the two bodies the joint connects.
	Bodies() (a, b *Body)
	// Anchor returns the joint's anchor on body B in world coordinates.
	Anchor() Vec2
	save(s *jointState)
	load(s *jointState)
}

// RevoluteDef describes a hinge between A and B at a world anchor point.
type RevoluteDef struct {
	A, B   *Body
	Anchor Vec2
	// Limit keeps the joint angle (B's angle minus A's, relative to their angles at creation)
	// within [Lower, Upper] radians.
	Limit        bool
	Lower, Upper float64
	// Motor drives the joint speed towards MotorSpeed (rad/s) with at most MaxTorque (N·m).
	Motor      bool
	MotorSpeed float64
	MaxTorque  float64
	// CollideConnected lets A and B collide with each other.
	CollideConnected bool
}

// Revolute is a hinge joint.
type Revolute struct {
	j    *box2d.B2RevoluteJoint
	a, b *Body
}

// NewRevolute creates a hinge. It returns an error if a body is missing, the two bodies are
// the same, the limits are inverted or a value is not finite.
func (w *World) NewRevolute(def RevoluteDef) (*Revolute, error) {
	if err := checkPair(def.A, def.B); err != nil {
		return nil, fmt.Errorf("sim: revolute joint: %w", err)
	}
	if !finite(def.Anchor.X, def.Anchor.Y, def.Lower, def.Upper, def.MotorSpeed, def.MaxTorque) || def.Limit && def.Lower > def.Upper {
		return nil, fmt.Errorf("sim: revolute joint: limits [%v, %v], anchor %v, motor %v rad/s, %v N·m", def.Lower, def.Upper, def.Anchor, def.MotorSpeed, def.MaxTorque)
	}
	jd := box2d.MakeB2RevoluteJointDef()
	jd.Initialize(def.A.b, def.B.b, toB2(def.Anchor))
	jd.EnableLimit = def.Limit
	jd.LowerAngle, jd.UpperAngle = def.Lower, def.Upper
	jd.EnableMotor = def.Motor
	jd.MotorSpeed, jd.MaxMotorTorque = def.MotorSpeed, def.MaxTorque
	jd.CollideConnected = def.CollideConnected
	j := &Revolute{j: w.b2.CreateJoint(&jd).(*box2d.B2RevoluteJoint), a: def.A, b: def.B}
	w.joints = append(w.joints, j)
	return j, nil
}

// Bodies returns the two bodies the hinge connects.
func (j *Revolute) Bodies() (a, b *Body) { return j.a, j.b }

// Anchor returns the hinge point on body B in world coordinates.
func (j *Revolute) Anchor() Vec2 { return fromB2(j.j.GetAnchorB()) }

// Angle returns B's angle relative to A in radians, zero at creation, not wrapped.
func (j *Revolute) Angle() float64 { return j.j.GetJointAngle() }

// Speed returns the joint's angular speed in rad/s.
func (j *Revolute) Speed() float64 { return j.j.GetJointSpeed() }

// SetMotor sets the motor's target speed (rad/s) and torque limit (N·m); it has an effect
// only when the joint was made with Motor set.
func (j *Revolute) SetMotor(speed, maxTorque float64) {
	j.j.SetMotorSpeed(speed)
	j.j.SetMaxMotorTorque(maxTorque)
}

func (j *Revolute) save(s *jointState) {
	r := j.j
	s.f = [8]float64{r.M_impulse.X, r.M_impulse.Y, r.M_impulse.Z, r.M_motorImpulse, r.M_motorSpeed, r.M_maxMotorTorque}
	s.limit = r.M_limitState
}

func (j *Revolute) load(s *jointState) {
	r := j.j
	r.M_impulse = box2d.B2Vec3{X: s.f[0], Y: s.f[1], Z: s.f[2]}
	r.M_motorImpulse, r.M_motorSpeed, r.M_maxMotorTorque = s.f[3], s.f[4], s.f[5]
	r.M_limitState = s.limit
}

// PrismaticDef describes a slider: B moves relative to A along Axis through a world anchor.
type PrismaticDef struct {
	A, B   *Body
	Anchor Vec2
	Axis   Vec2 // direction of travel in world coordinates; need not be unit length
	// Limit keeps the translation along Axis within [Lower, Upper] metres of the start.
	Limit        bool
	Lower, Upper float64
	// Motor drives the joint speed towards MotorSpeed (m/s) with at most MaxForce (N).
	Motor      bool
	MotorSpeed float64
	MaxForce   float64
	// CollideConnected lets A and B collide with each other.
	CollideConnected bool
}

// Prismatic is a slider joint.
type Prismatic struct {
	j    *box2d.B2PrismaticJoint
	a, b *Body
}

// NewPrismatic creates a slider. It returns an error if a body is missing, the two bodies are
// the same, the axis is zero, the limits are inverted or a value is not finite.
func (w *World) NewPrismatic(def PrismaticDef) (*Prismatic, error) {
	if err := checkPair(def.A, def.B); err != nil {
		return nil, fmt.Errorf("sim: prismatic joint: %w", err)
	}
	if !finite(def.Anchor.X, def.Anchor.Y, def.Axis.X, def.Axis.Y, def.Lower, def.Upper, def.MotorSpeed, def.MaxForce) ||
		def.Axis.Len() < 1e-9 || def.Limit && def.Lower > def.Upper {
		return nil, fmt.Errorf("sim: prismatic joint: axis %v, limits [%v, %v], motor %v m/s, %v N", def.Axis, def.Lower, def.Upper, def.MotorSpeed, def.MaxForce)
	}
	jd := box2d.MakeB2PrismaticJointDef()
	jd.Initialize(def.A.b, def.B.b, toB2(def.Anchor), toB2(def.Axis.Scale(1/def.Axis.Len())))
	jd.EnableLimit = def.Limit
	jd.LowerTranslation, jd.UpperTranslation = def.Lower, def.Upper
	jd.EnableMotor = def.Motor
	jd.MotorSpeed, jd.MaxMotorForce = def.MotorSpeed, def.MaxForce
	jd.CollideConnected = def.CollideConnected
	j := &Prismatic{j: w.b2.CreateJoint(&jd).(*box2d.B2PrismaticJoint), a: def.A, b: def.B}
	w.joints = append(w.joints, j)
	return j, nil
}

// Bodies returns the two bodies the slider connects.
func (j *Prismatic) Bodies() (a, b *Body) { return j.a, j.b }

// Anchor returns the slider's anchor on body B in world coordinates.
func (j *Prismatic) Anchor() Vec2 { return fromB2(j.j.GetAnchorB()) }

// Translation returns B's displacement along the axis in metres, zero at creation.
func (j *Prismatic) Translation() float64 { return j.j.GetJointTranslation() }

// Speed returns the joint's speed along the axis in m/s.
func (j *Prismatic) Speed() float64 { return j.j.GetJointSpeed() }

// SetMotor sets the motor's target speed (m/s) and force limit (N); it has an effect only
// when the joint was made with Motor set.
func (j *Prismatic) SetMotor(speed, maxForce float64) {
	j.j.SetMotorSpeed(speed)
	j.j.SetMaxMotorForce(maxForce)
}

func (j *Prismatic) save(s *jointState) {
	p := j.j
	s.f = [8]float64{p.M_impulse.X, p.M_impulse.Y, p.M_impulse.Z, p.M_motorImpulse, p.M_motorSpeed, p.M_maxMotorForce}
	s.limit = p.M_limitState
}

func (j *Prismatic) load(s *jointState) {
	p := j.j
	p.M_impulse = box2d.B2Vec3{X: s.f[0], Y: s.f[1], Z: s.f[2]}
	p.M_motorImpulse, p.M_motorSpeed, p.M_maxMotorForce = s.f[3], s.f[4], s.f[5]
	p.M_limitState = s.limit
}

// FrictionDef describes friction against a surface seen from above: the relative motion
// of B on A (usually a static ground under a top-down scene) is opposed by a force of at
// most MaxForce (N) and a torque of at most MaxTorque (N·m), so that B slows to rest when
// nothing pushes it, as an object sliding on a table does. The force acts at B's centre of
// mass.
type FrictionDef struct {
	A, B                *Body
	MaxForce, MaxTorque float64
}

// Friction is a top-down friction joint.
type Friction struct {
	j    *box2d.B2FrictionJoint
	a, b *Body
}

// NewFriction creates a friction joint. It returns an error if a body is missing, the two
// bodies are the same, or a limit is negative or not finite.
func (w *World) NewFriction(def FrictionDef) (*Friction, error) {
	if err := checkPair(def.A, def.B); err != nil {
		return nil, fmt.Errorf("sim: friction joint: %w", err)
	}
	if !finite(def.MaxForce, def.MaxTorque) || def.MaxForce < 0 || def.MaxTorque < 0 {
		return nil, fmt.Errorf("sim: friction joint: force %v N, torque %v N·m: want both finite and ≥ 0", def.MaxForce, def.MaxTorque)
	}
	jd := box2d.MakeB2FrictionJointDef()
	jd.Initialize(def.A.b, def.B.b, def.B.b.GetWorldCenter())
	jd.MaxForce, jd.MaxTorque = def.MaxForce, def.MaxTorque
	j := &Friction{j: w.b2.CreateJoint(&jd).(*box2d.B2FrictionJoint), a: def.A, b: def.B}
	w.joints = append(w.joints, j)
	return j, nil
}

// Bodies returns the body the friction acts on, B, and the surface it slides on, A.
func (j *Friction) Bodies() (a, b *Body) { return j.a, j.b }

// Anchor returns the point of B the friction acts at, in world coordinates.
func (j *Friction) Anchor() Vec2 { return fromB2(j.j.GetAnchorB()) }

func (j *Friction) save(s *jointState) {
	f := j.j
	s.f = [8]float64{f.M_linearImpulse.X, f.M_linearImpulse.Y, f.M_angularImpulse, f.M_maxForce, f.M_maxTorque}
}

func (j *Friction) load(s *jointState) {
	f := j.j
	f.M_linearImpulse = box2d.B2Vec2{X: s.f[0], Y: s.f[1]}
	f.M_angularImpulse, f.M_maxForce, f.M_maxTorque = s.f[2], s.f[3], s.f[4]
}

func checkPair(a, b *Body) error {
	switch {
	case a == nil || b == nil:
		return fmt.Errorf("both bodies are required")
	case a == b:
		return fmt.Errorf("a body cannot be joined to itself")
	case a.world != b.world:
		return fmt.Errorf("bodies belong to different worlds")
	}
	return nil
}
