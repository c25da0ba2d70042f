package envs

import (
	"image/color"

	"github.com/foresight-sim/foresight/sim"
)

// Thin uniform links on hinges, shared by the cart-pole's pole and the two-link arms of
// Acrobot and Reacher.

// linkWidth is a link's thickness as a fraction of its length.
const linkWidth = 0.08

// noContact puts a fixture in a group whose members never collide with each other. The
// jointed scenes use it on every fixture, so that their bodies interact through joints only
// and snapshots replay bit for bit.
var noContact = sim.Filter{Group: -1}

// linkDef describes a link: a uniform box length by linkWidth·length metres.
type linkDef struct {
	length, mass float64
	style        sim.Style
}

// link is a body made from a linkDef. The body's origin is the hinge end and its local x axis
// runs along the link to the tip, so the body angle is the direction the link points in.
type link struct {
	body   *sim.Body
	length float64
}

// pinRadius returns the radius of the hinge pins drawn on links of the given length.
func pinRadius(length float64) float64 { return 0.75 * linkWidth * length }

// linkStyle returns the drawing style of a link of the given length in colour fill.
func linkStyle(fill color.NRGBA, length float64) sim.Style {
	return sim.Style{Fill: fill, Stroke: colorOutline, Outline: 0.01 * length}
}

// linkInertia returns the moment of inertia of a link about its centre of mass.
func linkInertia(mass, length float64) float64 {
	w := linkWidth * length
	return mass * (length*length + w*w) / 12
}

// addLink creates a link hinged to parent at pivot and pointing at angle dir. hinge carries the
// joint's limit and motor settings; its bodies and anchor are filled in here. A joint limit is
// measured from the relative angle at creation.
func addLink(w *sim.World, parent *sim.Body, pivot sim.Vec2, dir float64, d linkDef, hinge sim.RevoluteDef) (link, *sim.Revolute, error) {
	box := sim.Box{W: d.length, H: linkWidth * d.length, Center: sim.V(d.length/2, 0)}
	body, err := w.NewBody(sim.BodyDef{
		Type:     sim.Dynamic,
		Position: pivot,
		Angle:    dir,
		Fixtures: []sim.FixtureDef{{Geometry: box, Density: d.mass / (box.W * box.H), Filter: noContact}},
		Style:    d.style,
	})
	if err != nil {
		return link{}, nil, err
	}
	hinge.A, hinge.B, hinge.Anchor = parent, body, pivot
	j, err := w.NewRevolute(hinge)
	if err != nil {
		return link{}, nil, err
	}
	return link{body: body, length: d.length}, j, nil
}

// tip returns the world position of the link's free end.
func (l link) tip() sim.Vec2 { return l.body.WorldPoint(sim.V(l.length, 0)) }

// place puts the link's hinge end at pivot, pointing at angle dir and turning at omega rad/s,
// with the hinge moving at pivotVel.
func (l link) place(pivot sim.Vec2, dir float64, pivotVel sim.Vec2, omega float64) error {
	r := sim.Polar(l.length/2, dir)
	return l.body.SetPose(pivot, dir, pivotVel.Add(sim.V(-omega*r.Y, omega*r.X)), omega)
}

// arm is two links in a chain, hinged to a static base at the shoulder and to each other at
// the elbow. Its joint coordinates are the upper link's direction and the elbow angle, the
// lower link's direction relative to the upper link's.
type arm struct {
	upper, lower    link
	shoulder, elbow *sim.Revolute
}

// buildArm creates an arm hinged at pivot, stretched straight along dir, so that the elbow
// angle is zero at creation. shoulder and elbow carry the joints' limit and motor settings.
func buildArm(w *sim.World, pivot sim.Vec2, dir float64, upper, lower linkDef, shoulder, elbow sim.RevoluteDef) (arm, error) {
	base, err := w.NewBody(sim.BodyDef{Type: sim.Static, Position: pivot, Style: sim.Style{Hidden: true}})
	if err != nil {
		return arm{}, err
	}
	var a arm
	if a.upper, a.shoulder, err = addLink(w, base, pivot, dir, upper, shoulder); err != nil {
		return arm{}, err
	}
	a.lower, a.elbow, err = addLink(w, a.upper.body, a.upper.tip(), dir, lower, elbow)
	return a, err
}

// place sets the arm's joint coordinates and their rates; the shoulder stays where it is.
func (a *arm) place(dir, elbow, omega, elbowRate float64) error {
	shoulder := a.upper.body.Position()
	if err := a.upper.place(shoulder, dir, sim.Vec2{}, omega); err != nil {
		return err
	}
	tip := a.upper.tip()
	return a.lower.place(tip, dir+elbow, a.upper.body.VelocityAt(tip), omega+elbowRate)
}

// joints returns the upper link's direction, the elbow angle and their rates.
func (a *arm) joints() (dir, elbow, omega, elbowRate float64) {
	u, f := a.upper.body, a.lower.body
	return u.Angle(), f.Angle() - u.Angle(), u.AngularVelocity(), f.AngularVelocity() - u.AngularVelocity()
}

// addRing adds a circle outline width metres wide on layer.
func addRing(s *sim.Scene, layer int, c color.NRGBA, center sim.Vec2, radius, width float64) {
	ring := s.AddCircle(layer, color.NRGBA{}, center, radius)
	ring.Stroke, ring.Width = c, width
}
