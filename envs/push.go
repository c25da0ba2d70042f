package envs

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/sim"
)

// Push-v0: push a T-shaped block into a goal pose on a table, seen from above (after the
// PushT benchmark).
//
// A round pusher (radius 0.06 m) moves on a 2 m square table walled in on every side; a T
// (a bar 0.48 m by 0.12 m over a stem 0.12 m by 0.36 m, the shape assets/shapes/tee.shape,
// default 1 kg) lies on it and slides only when pushed: a friction joint against the table
// opposes its motion with at most table_friction·m·g of force and table_friction·m·g·r̄ of
// torque, r̄ being the mean distance of the T's area from its centre of mass, so it comes to
// rest once nothing pushes it, as a block on a table does. The pusher follows the action's
// target velocity, as a motor does, with at most pusher_force of force; the table does not
// slow it. The goal pose is drawn as an outline of the T.
//
// The block touches the pusher and the walls through Box2D contacts, which snapshots do not
// keep: replays from a snapshot drift (docs/decisions/push.md has the measurement).
//
//	Observation  Box(15): [px, py, pvx, pvy, bx, by, cos θ, sin θ, bvx, bvy, ω, gx−bx,
//	             gy−by, cos(θg−θ), sin(θg−θ)]; (px, py) and (pvx, pvy) are the pusher's
//	             position in m (the table's centre at 0) and velocity in m/s, (bx, by) the
//	             block's origin (where the stem meets the bar), θ its angle in rad, (bvx,
//	             bvy) the velocity of its centre of mass and ω its angular velocity in rad/s;
//	             (gx−bx, gy−by) is the goal's origin relative to the block's, in the
//	             table's frame, and θg−θ the turn that would align the block with the goal.
//	Action       Box([-1, 1], 2): the pusher's target velocity (x, y) as a fraction of
//	             max_speed in each direction. A target velocity rather than a target
//	             position tracked by a PD controller, as gym-pusht has it: the planners
//	             sample each step's action independently, and sampled velocities add up to
//	             smooth paths from where the pusher is, where sampled positions would make
//	             it jump about the table. Zero holds the pusher still.
//	Reward       (coverage + pose + near), in [0, 1]: coverage is 0.1·min(1, c/0.95), c
//	             the fraction of the T's area that lies inside the goal's outline, computed
//	             exactly by clipping the block's convex parts against the goal's; pose is
//	             0.7/(1 + e/0.2 m), e the distance between the block's and the goal's
//	             centres of mass plus r̄ times their angle apart, so that every step towards
//	             the goal pays, turning included; near is 0.2/(1 + d/0.1 m), d how much
//	             further the pusher is from the block's centre of mass than where it can
//	             touch the block, so that it finds the block and may then move round it
//	             freely (docs/decisions/push.md says why coverage weighs least).
//	Start        the pusher uniformly within 0.8 m of the centre in x and y, the block's
//	             centre of mass uniformly within 0.6 m and its angle uniformly at random;
//	             draws with the pusher touching the block are drawn again. The goal's
//	             centre of mass lies at the table's centre at 45° (random_goal 0), or
//	             anywhere within 0.5 m at any angle (random_goal 1).
//	Termination  when the task succeeds.
//	Success      c ≥ 0.95, PushT's threshold.
//	Timing       control step 0.05 s, 10 physics sub-steps; truncated after 600 steps (30 s).
//	Camera       with pixel observations, the table alone, 2.1 m wide.
//	Parameters   block_mass, table_friction, max_speed, pusher_force, random_goal.
type push struct {
	p      Params
	shape  *assets.Shape
	centre sim.Vec2 // the block's centre of mass in its own frame
	area   float64  // the block's area, in m²
	reach  float64  // r̄: mean distance of the block's area from its centre of mass, in m
	touch  float64  // furthest the pusher's centre can be from the block's centre of mass and touch it, in m

	pusher, block *sim.Body
	target        sim.Vec2     // the pusher's target velocity
	goal          pose2        // the goal pose of the block's origin; setGoal changes it
	goalParts     [][]sim.Vec2 // the block's parts placed at the goal pose
	placed        [][]sim.Vec2 // scratch space for the block's parts placed in the world
}

// pose2 is a planar rigid transform: a position and an angle.
type pose2 struct {
	at    sim.Vec2
	angle float64
}

// apply returns p moved from the body's frame into the world by the pose.
func (q pose2) apply(p sim.Vec2) sim.Vec2 { return q.at.Add(p.Rotate(q.angle)) }

const pushID = "Push-v0"

// pushSummary describes the task in one line.
const pushSummary = "push a T-shaped block into a goal pose on a table"

// The scene's sizes and the reward's constants.
const (
	tableHalf     = 1.0  // m, half the table's side
	pusherRadius  = 0.06 // m
	pusherMass    = 0.5  // kg
	pushFriction  = 0.5  // friction between the pusher and the block
	pushSuccess   = 0.95 // coverage that succeeds
	poseScale     = 0.2  // m, the pose error at which the pose term halves
	nearScale     = 0.1  // m, the distance beyond touching at which the near term halves
	pushStartSpan = 0.6  // m, the block's start range from the centre
	goalSpan      = 0.5  // m, a random goal's range from the centre
)

func init() {
	mustRegister(Registration{
		ID:              pushID,
		Summary:         pushSummary,
		MaxEpisodeSteps: 600,
		Params: Params{
			{Name: "block_mass", Value: 1, Min: 0.1, Max: 10, Unit: "kg", Doc: "mass of the T"},
			{Name: "table_friction", Value: 0.3, Min: 0.05, Max: 1, Doc: "friction coefficient between the T and the table"},
			{Name: "max_speed", Value: 0.6, Min: 0.1, Max: 3, Unit: "m/s", Doc: "pusher's target speed in x and y at action ±1"},
			{Name: "pusher_force", Value: 20, Min: 1, Max: 200, Unit: "N", Doc: "largest force the pusher's motor exerts"},
			{Name: "random_goal", Value: 0, Min: 0, Max: 1, Doc: "0 the goal at the centre at 45°, 1 a random goal each episode"},
		},
		New: newPush,
	})
}

func newPush(p Params) (Env, error) {
	if g := p.Get("random_goal"); g != 0 && g != 1 {
		return nil, fmt.Errorf("random_goal %v: want 0 or 1", g)
	}
	shape, err := assets.LoadShape("tee")
	if err != nil {
		return nil, err
	}
	t := &push{p: p, shape: shape, centre: shapeCentroid(shape), area: shape.Area()}
	t.reach = meanRadius(shape, t.centre)
	t.touch = maxRadius(shape, t.centre) + pusherRadius
	for _, part := range shape.Parts {
		t.placed = append(t.placed, make([]sim.Vec2, len(part)))
		t.goalParts = append(t.goalParts, make([]sim.Vec2, len(part)))
	}
	inf, side := math.Inf(1), 2*tableHalf
	def := taskDef{
		spec: Spec{
			ID:          pushID,
			Summary:     pushSummary,
			SuccessRule: fmt.Sprintf("at least %g of the T's area inside the goal's outline; the episode ends there", pushSuccess),
			Params:      p,
		},
		world: standardWorld(0),
		obs: NewBox(
			[]float64{-tableHalf, -tableHalf, -inf, -inf, -tableHalf, -tableHalf, -1, -1, -inf, -inf, -inf, -side, -side, -1, -1},
			[]float64{tableHalf, tableHalf, inf, inf, tableHalf, tableHalf, 1, 1, inf, inf, inf, side, side, 1, 1}),
		act:     UniformBox(-1, 1, 2),
		stopped: true,
	}
	return newPhysicsEnv(def, t)
}

// build adds the table with its walls, the block with its friction against the table, and
// the pusher with its motor.
func (t *push) build(w *sim.World) error {
	h := tableHalf
	corners := [4]sim.Vec2{{X: -h, Y: -h}, {X: h, Y: -h}, {X: h, Y: h}, {X: -h, Y: h}}
	var walls []sim.FixtureDef
	for k, c := range corners {
		walls = append(walls, sim.FixtureDef{Geometry: sim.Segment{A: c, B: corners[(k+1)%4]}, Friction: pushFriction})
	}
	table, err := w.NewBody(sim.BodyDef{Type: sim.Static, Fixtures: walls, Style: sim.Style{Fill: colorOutline, Outline: 0.02}})
	if err != nil {
		return err
	}
	m := t.p.Get("block_mass")
	var parts []sim.FixtureDef
	for _, part := range t.shape.Parts {
		parts = append(parts, sim.FixtureDef{Geometry: sim.Poly{Vertices: part}, Density: m / t.area, Friction: pushFriction})
	}
	t.block, err = w.NewBody(sim.BodyDef{Type: sim.Dynamic, NoGravity: true, Fixtures: parts,
		Style: sim.Style{Fill: colorPassive, Stroke: colorOutline, Outline: 0.01}})
	if err != nil {
		return err
	}
	grip := t.p.Get("table_friction") * m * gravity
	if _, err := w.NewFriction(sim.FrictionDef{A: table, B: t.block, MaxForce: grip, MaxTorque: grip * t.reach}); err != nil {
		return err
	}
	t.pusher, err = newDisc(w, pusherRadius, pusherMass, pushFriction)
	if err != nil {
		return err
	}
	w.OnSubstep(t.motor)
	return nil
}

// motor drives the pusher towards its target velocity for a sub-step of h seconds, with an
// impulse of at most pusher_force·h.
func (t *push) motor(h float64) { driveVelocity(t.pusher, t.target, t.p.Get("pusher_force"), h) }

func (t *push) reset(rng *rand.Rand) error {
	goalCom, goalAngle := sim.Vec2{}, math.Pi/4
	if t.p.Get("random_goal") == 1 {
		goalAngle = uniform(rng, math.Pi)
		goalCom = jitter(rng, sim.Vec2{}, goalSpan)
	}
	t.setGoal(pose2{at: goalCom.Sub(t.centre.Rotate(goalAngle)), angle: goalAngle})
	t.target = sim.Vec2{}
	for {
		angle := uniform(rng, math.Pi)
		com := jitter(rng, sim.Vec2{}, pushStartSpan)
		block := pose2{at: com.Sub(t.centre.Rotate(angle)), angle: angle}
		p := jitter(rng, sim.Vec2{}, 0.8)
		if t.touches(p, block) {
			continue
		}
		if err := t.block.SetPose(block.at, block.angle, sim.Vec2{}, 0); err != nil {
			return err
		}
		return t.pusher.SetPose(p, 0, sim.Vec2{}, 0)
	}
}

// touches reports whether a pusher at p would touch, or come within a centimetre of, the
// block at pose q: whether the square around its disc, grown by that centimetre, overlaps
// a part.
func (t *push) touches(p sim.Vec2, q pose2) bool {
	r := pusherRadius + 0.01
	square := []sim.Vec2{p.Add(sim.V(-r, -r)), p.Add(sim.V(r, -r)), p.Add(sim.V(r, r)), p.Add(sim.V(-r, r))}
	for k, part := range t.shape.Parts {
		if sim.ConvexOverlap(square, placePart(t.placed[k], part, q)) > 0 {
			return true
		}
	}
	return false
}

func (t *push) act(a []float64) {
	v := t.p.Get("max_speed")
	t.target = sim.V(a[0]*v, a[1]*v)
}

// blockPose returns the pose of the block's origin.
func (t *push) blockPose() pose2 { return pose2{at: t.block.Position(), angle: t.block.Angle()} }

func (t *push) observe(dst []float64) {
	p, pv, q := t.pusher.Position(), t.pusher.LinearVelocity(), t.blockPose()
	bv := t.block.LinearVelocity()
	dst[0], dst[1], dst[2], dst[3] = p.X, p.Y, pv.X, pv.Y
	dst[4], dst[5] = q.at.X, q.at.Y
	dst[7], dst[6] = math.Sincos(q.angle)
	dst[8], dst[9], dst[10] = bv.X, bv.Y, t.block.AngularVelocity()
	d := t.goal.at.Sub(q.at)
	dst[11], dst[12] = d.X, d.Y
	dst[14], dst[13] = math.Sincos(t.goal.angle - q.angle)
}

func (t *push) pose(obs []float64) error {
	if err := t.pusher.SetPose(sim.V(obs[0], obs[1]), 0, sim.Vec2{}, 0); err != nil {
		return err
	}
	return t.block.SetPose(sim.V(obs[4], obs[5]), math.Atan2(obs[7], obs[6]), sim.Vec2{}, 0)
}

// coverage returns the fraction of the block's area inside the goal's outline.
func (t *push) coverage() float64 {
	q := t.blockPose()
	for k, part := range t.shape.Parts {
		placePart(t.placed[k], part, q)
	}
	in := 0.0
	for _, a := range t.placed {
		for _, b := range t.goalParts {
			in += sim.ConvexOverlap(a, b)
		}
	}
	return in / t.area
}

// setGoal makes g the goal pose of the block's origin and places the goal's parts.
func (t *push) setGoal(g pose2) {
	t.goal = g
	for k, part := range t.shape.Parts {
		placePart(t.goalParts[k], part, g)
	}
}

// placePart writes the corners of part, moved by q, into dst and returns it.
func placePart(dst, part []sim.Vec2, q pose2) []sim.Vec2 {
	for i, p := range part {
		dst[i] = q.apply(p)
	}
	return dst
}

func (t *push) evaluate([]float64) (float64, bool) {
	c := t.coverage()
	q := t.blockPose()
	com, goal := t.block.WorldCenter(), t.goal.apply(t.centre)
	e := com.Sub(goal).Len() + t.reach*math.Abs(wrapAngle(q.angle-t.goal.angle))
	d := math.Max(0, t.pusher.Position().Sub(com).Len()-t.touch)
	r := 0.1*math.Min(1, c/pushSuccess) + 0.7/(1+e/poseScale) + 0.2/(1+d/nearScale)
	return r, c >= pushSuccess
}

func (t *push) vars(dst []float64) []float64 {
	return append(dst, t.goal.at.X, t.goal.at.Y, t.goal.angle, t.target.X, t.target.Y)
}

func (t *push) setVars(v []float64) error {
	if len(v) != 5 {
		return fmt.Errorf("%d task variables, want 5: the goal's x, y and angle and the pusher's target velocity", len(v))
	}
	t.setGoal(pose2{at: sim.V(v[0], v[1]), angle: v[2]})
	t.target = sim.V(v[3], v[4])
	return nil
}

// camera shows the whole table in frames as wide as 16:9 or wider.
func (t *push) camera() sim.Camera { return sim.Camera{Width: 2.1 * tableHalf * 16 / 9} }

// eye shows the table alone, for square pixel observations.
func (t *push) eye() sim.Camera { return sim.Camera{Width: 2.1 * tableHalf} }

// colorTable is the table top.
var colorTable = color.NRGBA{232, 228, 218, 255}

// draw adds the table and the goal's outline.
func (t *push) draw(s *sim.Scene) {
	h := tableHalf
	s.AddPolygon(sim.LayerBackground, colorTable, sim.V(-h, -h), sim.V(h, -h), sim.V(h, h), sim.V(-h, h))
	for _, part := range t.goalParts {
		sh := s.AddPolygon(sim.LayerTarget, color.NRGBA{}, part...)
		sh.Stroke, sh.Width = colorTarget, 0.015
	}
}

// shapeCentroid returns the centre of area of s, its centre of mass at uniform density.
func shapeCentroid(s *assets.Shape) sim.Vec2 {
	var sum sim.Vec2
	for _, part := range s.Parts {
		for i, p := range part {
			q := part[(i+1)%len(part)]
			cross := p.X*q.Y - q.X*p.Y
			sum = sum.Add(p.Add(q).Scale(cross / 6))
		}
	}
	return sum.Scale(1 / s.Area())
}

// maxRadius returns the greatest distance of a corner of s from c.
func maxRadius(s *assets.Shape, c sim.Vec2) float64 {
	r := 0.0
	for _, part := range s.Parts {
		for _, p := range part {
			r = math.Max(r, p.Sub(c).Len())
		}
	}
	return r
}

// meanRadius returns the mean distance from c of the points of s, by the midpoint rule on a
// grid of 200 cells across the shape's widest part.
func meanRadius(s *assets.Shape, c sim.Vec2) float64 {
	lo, hi := sim.Bounds(slices.Concat(s.Parts...)...)
	step := math.Max(hi.X-lo.X, hi.Y-lo.Y) / 200
	sum, n := 0.0, 0
	for x := lo.X + step/2; x < hi.X; x += step {
		for y := lo.Y + step/2; y < hi.Y; y += step {
			p := sim.V(x, y)
			if inside(s, p) {
				sum += p.Sub(c).Len()
				n++
			}
		}
	}
	return sum / float64(n)
}

// inside reports whether p lies in one of the counter-clockwise convex parts of s.
func inside(s *assets.Shape, p sim.Vec2) bool {
	for _, part := range s.Parts {
		in := true
		for i, a := range part {
			d := part[(i+1)%len(part)].Sub(a)
			if d.X*(p.Y-a.Y)-d.Y*(p.X-a.X) < 0 {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}
