package sim

import (
	"fmt"
	"image/color"
	"math"

	"github.com/ByteArena/box2d"
)

// BodyType says how a body moves.
type BodyType uint8

// Body types, as in Box2D.
const (
	// Static bodies never move and have infinite mass.
	Static BodyType = iota
	// Dynamic bodies respond to forces, gravity, joints and contacts.
	Dynamic
	// Kinematic bodies move with a set velocity and are not pushed by anything.
	Kinematic
)

// Geometry is the shape of a fixture in its body's local frame: a Box, Disc, Poly or
// Segment.
type Geometry interface {
	b2Shape() (box2d.B2ShapeInterface, error)
	draw(s *Scene, b *Body, style Style)
}

// Box is a rectangle W by H metres centred at Center and rotated by Angle in the body frame.
type Box struct {
	W, H   float64
	Center Vec2
	Angle  float64
}

// Disc is a solid circle of Radius metres centred at Center in the body frame.
type Disc struct {
	Radius float64
	Center Vec2
}

// Poly is a convex polygon of 3 to 8 vertices in the body frame.
type Poly struct {
	Vertices []Vec2
}

// Segment is a line segment from A to B in the body frame. It has no mass; use it on static
// bodies (ground, walls).
type Segment struct {
	A, B Vec2
}

// Filter selects what a fixture collides with, as Box2D's collision filtering does: two
// fixtures collide when each one's Category is in the other's Mask, unless they share a
// non-zero Group (positive: always collide, negative: never). A zero Category means 1 and a
// zero Mask means every category.
type Filter struct {
	Category, Mask uint16
	Group          int16
}

// FixtureDef attaches a Geometry to a body with its material.
type FixtureDef struct {
	Geometry    Geometry
	Density     float64 // kg/m²; zero on a dynamic body with no other mass gives Box2D's 1 kg
	Friction    float64 // Coulomb friction coefficient
	Restitution float64 // bounciness in [0, 1]
	Sensor      bool    // makes no contacts and is invisible to ray casts
	Filter      Filter
}

// Style is how a body is drawn in a Scene.
type Style struct {
	Fill, Stroke color.NRGBA
	// Outline is the outline width in metres; zero draws no outline.
	Outline float64
	// Layer is the scene layer; zero is LayerBody.
	Layer int
	// Hidden bodies are not drawn.
	Hidden bool
}

// BodyDef describes a body to create with World.NewBody.
type BodyDef struct {
	Type     BodyType
	Position Vec2    // world position of the body origin
	Angle    float64 // radians, counter-clockwise
	// LinearDamping and AngularDamping slow the body in proportion to its velocity (1/s).
	LinearDamping, AngularDamping float64
	FixedRotation                 bool
	// NoGravity exempts the body from the world's gravity.
	NoGravity bool
	Fixtures  []FixtureDef
	Style     Style
}

// Body is a rigid body in a World.
type Body struct {
	b     *box2d.B2Body
	world *World
	// Style is how the body is drawn; change it freely between frames.
	Style Style
}

// NewBody creates a body with its fixtures. It returns an error if the body type is unknown
// or a fixture's geometry is missing or degenerate (non-positive size, too few or too many
// vertices, vertices closer than Box2D merges, non-finite numbers).
func (w *World) NewBody(def BodyDef) (*Body, error) {
	if !finite(def.Position.X, def.Position.Y, def.Angle, def.LinearDamping, def.AngularDamping) {
		return nil, fmt.Errorf("sim: body definition: %w", ErrNonFinite)
	}
	if def.Type > Kinematic {
		return nil, fmt.Errorf("sim: body definition: unknown body type %d", def.Type)
	}
	shapes := make([]box2d.B2ShapeInterface, len(def.Fixtures))
	for i, f := range def.Fixtures {
		if f.Geometry == nil {
			return nil, fmt.Errorf("sim: fixture %d: no geometry", i)
		}
		s, err := f.Geometry.b2Shape()
		if err != nil {
			return nil, fmt.Errorf("sim: fixture %d: %w", i, err)
		}
		shapes[i] = s
	}
	bd := box2d.MakeB2BodyDef()
	bd.Type = [...]uint8{box2d.B2BodyType.B2_staticBody, box2d.B2BodyType.B2_dynamicBody, box2d.B2BodyType.B2_kinematicBody}[def.Type]
	bd.Position = toB2(def.Position)
	bd.Angle = def.Angle
	bd.LinearDamping = def.LinearDamping
	bd.AngularDamping = def.AngularDamping
	bd.FixedRotation = def.FixedRotation
	bd.AllowSleep = false
	if def.NoGravity {
		bd.GravityScale = 0
	}
	body := &Body{b: w.b2.CreateBody(&bd), world: w, Style: def.Style}
	body.b.SetUserData(body)
	for i, f := range def.Fixtures {
		fd := box2d.MakeB2FixtureDef()
		fd.Shape = shapes[i]
		fd.Density = f.Density
		fd.Friction = f.Friction
		fd.Restitution = f.Restitution
		fd.IsSensor = f.Sensor
		fd.Filter = f.Filter.b2()
		fx := body.b.CreateFixtureFromDef(&fd)
		fx.SetUserData(f.Geometry)
	}
	w.bodies = append(w.bodies, body)
	return body, nil
}

func (f Filter) b2() box2d.B2Filter {
	out := box2d.MakeB2Filter()
	if f.Category != 0 {
		out.CategoryBits = f.Category
	}
	if f.Mask != 0 {
		out.MaskBits = f.Mask
	}
	out.GroupIndex = f.Group
	return out
}

// Position returns the world position of the body origin.
func (b *Body) Position() Vec2 { return fromB2(b.b.M_xf.P) }

// Angle returns the body angle in radians, counter-clockwise, not wrapped.
func (b *Body) Angle() float64 { return b.b.M_sweep.A }

// WorldCenter returns the world position of the centre of mass.
func (b *Body) WorldCenter() Vec2 { return fromB2(b.b.M_sweep.C) }

// LinearVelocity returns the velocity of the centre of mass in m/s.
func (b *Body) LinearVelocity() Vec2 { return fromB2(b.b.M_linearVelocity) }

// AngularVelocity returns the angular velocity in rad/s, counter-clockwise positive.
func (b *Body) AngularVelocity() float64 { return b.b.M_angularVelocity }

// Mass returns the mass in kg (zero for static and kinematic bodies).
func (b *Body) Mass() float64 { return b.b.M_mass }

// Inertia returns the rotational inertia about the centre of mass in kg·m².
func (b *Body) Inertia() float64 { return b.b.M_I }

// WorldPoint returns the world position of a point given in the body frame.
func (b *Body) WorldPoint(local Vec2) Vec2 {
	return fromB2(box2d.B2TransformVec2Mul(b.b.M_xf, toB2(local)))
}

// VelocityAt returns the world velocity of the body-fixed material point at world position p.
func (b *Body) VelocityAt(p Vec2) Vec2 {
	return fromB2(b.b.GetLinearVelocityFromWorldPoint(toB2(p)))
}

// SetPose places the body origin at pos with the given angle and velocities. It returns
// ErrNonFinite (wrapped) and changes nothing if any value is NaN or infinite.
func (b *Body) SetPose(pos Vec2, angle float64, vel Vec2, angVel float64) error {
	if !finite(pos.X, pos.Y, angle, vel.X, vel.Y, angVel) {
		return fmt.Errorf("sim: set pose: %w", ErrNonFinite)
	}
	b.b.SetTransform(toB2(pos), angle)
	b.b.SetLinearVelocity(toB2(vel))
	b.b.SetAngularVelocity(angVel)
	return nil
}

// ApplyForce applies a force in newtons at the centre of mass for the next control step.
func (b *Body) ApplyForce(f Vec2) { b.b.ApplyForceToCenter(toB2(f), true) }

// ApplyForceAt applies a force in newtons at world point p for the next control step.
func (b *Body) ApplyForceAt(f, p Vec2) { b.b.ApplyForce(toB2(f), toB2(p), true) }

// ApplyImpulseAt applies a linear impulse (N·s) at world point p, changing the body's
// velocities at once rather than over the next step, as a force does.
func (b *Body) ApplyImpulseAt(impulse, p Vec2) { b.b.ApplyLinearImpulse(toB2(impulse), toB2(p), true) }

// ApplyAngularImpulse changes the angular velocity at once by impulse/Inertia (N·m·s).
func (b *Body) ApplyAngularImpulse(impulse float64) { b.b.ApplyAngularImpulse(impulse, true) }

// SetMass replaces the mass properties computed from the fixtures: mass in kg, the centre
// of mass in the body frame, and the rotational inertia about that centre in kg·m². It
// returns an error, changing nothing, unless mass and inertia are positive and all values
// finite, or if the body is not dynamic.
func (b *Body) SetMass(mass float64, center Vec2, inertia float64) error {
	if !finite(mass, center.X, center.Y, inertia) || mass <= 0 || inertia <= 0 {
		return fmt.Errorf("sim: set mass %v kg at %v, inertia %v kg·m²: values must be finite, mass and inertia positive", mass, center, inertia)
	}
	if b.b.M_type != box2d.B2BodyType.B2_dynamicBody {
		return fmt.Errorf("sim: set mass: body is not dynamic")
	}
	md := box2d.B2MassData{Mass: mass, Center: toB2(center), I: inertia + mass*center.Dot(center)}
	b.b.SetMassData(&md)
	return nil
}

// ApplyTorque applies a torque in N·m for the next control step.
func (b *Body) ApplyTorque(t float64) { b.b.ApplyTorque(t, true) }

func (b *Body) finite() bool {
	x := &b.b.M_sweep
	v := b.b.M_linearVelocity
	return finite(x.C.X, x.C.Y, x.A, v.X, v.Y, b.b.M_angularVelocity)
}

// Draw adds the body's fixtures to s in world coordinates, using the body's Style.
func (b *Body) Draw(s *Scene) {
	if b.Style.Hidden {
		return
	}
	for f := b.b.M_fixtureList; f != nil; f = f.M_next {
		if g, ok := f.M_userData.(Geometry); ok {
			g.draw(s, b, b.Style)
		}
	}
}

func (st Style) finish(sh *Shape) {
	sh.Stroke = st.Stroke
	sh.Width = st.Outline
}

func (g Box) corners() [4]Vec2 {
	hw, hh := g.W/2, g.H/2
	var c [4]Vec2
	for i, p := range [4]Vec2{{-hw, -hh}, {hw, -hh}, {hw, hh}, {-hw, hh}} {
		c[i] = p.Rotate(g.Angle).Add(g.Center)
	}
	return c
}

func (g Box) b2Shape() (box2d.B2ShapeInterface, error) {
	if !finite(g.W, g.H, g.Center.X, g.Center.Y, g.Angle) || g.W <= 0 || g.H <= 0 {
		return nil, fmt.Errorf("box %v×%v: size must be positive and finite", g.W, g.H)
	}
	s := box2d.MakeB2PolygonShape()
	s.SetAsBoxFromCenterAndAngle(g.W/2, g.H/2, toB2(g.Center), g.Angle)
	return &s, nil
}

func (g Box) draw(s *Scene, b *Body, st Style) {
	c := g.corners()
	for i := range c {
		c[i] = b.WorldPoint(c[i])
	}
	st.finish(s.AddPolygon(st.Layer, st.Fill, c[:]...))
}

func (g Disc) b2Shape() (box2d.B2ShapeInterface, error) {
	if !finite(g.Radius, g.Center.X, g.Center.Y) || g.Radius <= 0 {
		return nil, fmt.Errorf("circle of radius %v: radius must be positive and finite", g.Radius)
	}
	s := box2d.MakeB2CircleShape()
	s.M_radius = g.Radius
	s.M_p = toB2(g.Center)
	return &s, nil
}

func (g Disc) draw(s *Scene, b *Body, st Style) {
	st.finish(s.AddCircle(st.Layer, st.Fill, b.WorldPoint(g.Center), g.Radius))
}

func (g Poly) b2Shape() (box2d.B2ShapeInterface, error) {
	n := len(g.Vertices)
	if n < 3 || n > box2d.B2_maxPolygonVertices {
		return nil, fmt.Errorf("polygon with %d vertices: need 3 to %d", n, box2d.B2_maxPolygonVertices)
	}
	vs := make([]box2d.B2Vec2, n)
	for i, v := range g.Vertices {
		if !finite(v.X, v.Y) {
			return nil, fmt.Errorf("polygon vertex %d: %w", i, ErrNonFinite)
		}
		vs[i] = toB2(v)
		// Box2D merges vertices this close and panics when fewer than three remain.
		for j, u := range g.Vertices[:i] {
			if v.Sub(u).Len() < box2d.B2_linearSlop/2 {
				return nil, fmt.Errorf("polygon vertices %d and %d are closer than %v m", j, i, box2d.B2_linearSlop/2)
			}
		}
	}
	if math.Abs(PolygonArea(g.Vertices)) < 1e-9 {
		return nil, fmt.Errorf("polygon has zero area")
	}
	s := box2d.MakeB2PolygonShape()
	s.Set(vs, n)
	return &s, nil
}

func (g Poly) draw(s *Scene, b *Body, st Style) {
	var buf [box2d.B2_maxPolygonVertices]Vec2
	pts := buf[:len(g.Vertices)]
	for i, v := range g.Vertices {
		pts[i] = b.WorldPoint(v)
	}
	st.finish(s.AddPolygon(st.Layer, st.Fill, pts...))
}

func (g Segment) b2Shape() (box2d.B2ShapeInterface, error) {
	if !finite(g.A.X, g.A.Y, g.B.X, g.B.Y) || g.A.Sub(g.B).Len() < 1e-9 {
		return nil, fmt.Errorf("segment %v–%v: endpoints must be finite and distinct", g.A, g.B)
	}
	s := box2d.MakeB2EdgeShape()
	s.Set(toB2(g.A), toB2(g.B))
	return &s, nil
}

func (g Segment) draw(s *Scene, b *Body, st Style) {
	w := st.Outline
	if w <= 0 {
		w = 0.02
	}
	s.AddLine(st.Layer, st.Fill, w, b.WorldPoint(g.A), b.WorldPoint(g.B))
}

// PolygonArea returns the signed area of the simple polygon pts, in m² when pts are in
// metres: positive when its vertices run counter-clockwise, negative when clockwise.
func PolygonArea(pts []Vec2) float64 {
	a := 0.0
	for i, p := range pts {
		q := pts[(i+1)%len(pts)]
		a += p.X*q.Y - q.X*p.Y
	}
	return a / 2
}
