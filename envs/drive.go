package envs

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/sim"
)

// Drive-v0: drive laps of a closed track, seen from above.
//
// A small car (default 1 m by 0.5 m, 4 kg, the size of a large radio-controlled car) drives
// on a flat ground without gravity in the plane. Its four wheels hold the road through a
// tyre model: each wheel cancels its sideways slip and carries the engine's or the brakes'
// force, but all within a friction circle of grip·(weight on the wheel), so a car driven too
// fast into a bend or braked too hard skids and slides. The rear wheels drive; the front
// wheels steer, with Ackermann's geometry, turning towards the commanded angle at a limited
// rate; air drag caps the top speed near 8 m/s. Off the road, on the grass, grip halves.
// The track, 2 m wide, comes from assets (param track; assets/README.md has the format),
// or with track −1 is generated afresh from each episode's seed: a loop through 12 points
// at random distances around a centre. Either way its centreline is smooth, with bends of
// several radii. Range sensors along a fan of rays see the road's
// edges, which are lines on the ground, not walls.
//
// The car touches nothing, so replays from a snapshot are exact. docs/decisions/drive.md
// has the reasoning behind the model and the measurements.
//
//	Observation  Box(19): [v, u, ω, δ, ψ, d, κ1, κ2, κ4, κ7, r1 … r9]; v and u are the
//	             car's forward and sideways (leftwards) speed in m/s, ω its yaw rate in
//	             rad/s (counter-clockwise), δ the front wheels' angle in rad; ψ is the
//	             heading error (the car's heading minus the centreline's direction where
//	             the car is, within ±π) and d the offset from the centreline in m,
//	             positive to the left; κ1 … κ7 the centreline's curvature 1, 2, 4 and 7 m
//	             ahead of the car along the road, in 1/m, positive bending left; r1 … r9
//	             the distances in m to the road's edges along nine rays from the car's
//	             centre, from 90° right to 90° left of its heading, up to 6 m.
//	Action       Box([-1, 1], 2): [steer, pedal]. steer commands the front wheels' angle as
//	             a fraction of max_steer, positive to the right, as in Gymnasium's
//	             CarRacing and as the arrow keys steer; pedal above 0 drives the
//	             rear wheels with that fraction of max_force, below 0 brakes all four with
//	             that fraction of max_brake. One signed pedal rather than separate
//	             throttle and brake axes: pressing both at once is never useful, and two
//	             symmetric axes suit the planners' Gaussian sampling.
//	Reward       progress · on road, in [0, 1]: progress is the distance the car advanced
//	             along the centreline this step over what a good driver's pace of 4 m/s
//	             covers, clipped to [0, 1]; on road is 1 with the car's centre on the road
//	             and 0.2 off it.
//	Start        at a point along the track drawn uniformly, within 0.2 m of the centreline
//	             and 0.1 rad of its direction, at rest.
//	Termination  when all four wheels have been off the road for more than 1 s.
//	Success      a full lap from the start, completed before any termination; the episode
//	             goes on after it, to the time limit.
//	Timing       control step 0.05 s, 10 physics sub-steps; truncated after 900 steps
//	             (45 s). A lap of the training track takes a good driver about 30 s.
//	Camera       with pixel observations, follows the car: an 8 m window centred 2 m ahead
//	             of it, so that the road ahead fills most of the view.
//	Parameters   track, car_mass, max_force, max_brake, max_steer, steer_rate, grip.
type drive struct {
	p    Params
	road *road
	// The seed of the episode's generated track, below 2^53 so that it is exact as a task
	// variable; zero for a shipped track.
	trackSeed uint64
	car       *sim.Body
	near      []int   // scratch space of the range sensors
	dt        float64 // the control step
	last      centre  // the car's last projection, which observe and evaluate share

	// What the car commands: the front wheels' angle it steers towards and the pedal.
	steerTo, pedal float64
	// The episode's state, kept in snapshots (vars).
	steer    float64 // the front wheels' angle
	at       int     // the centreline sample the car was last projected onto
	along    float64 // arc length of that projection
	progress float64 // distance advanced along the road since the start, net of reversing
	offFor   float64 // seconds all four wheels have been off the road
	offRoad  [4]bool // which wheels were off the road at the last control step
}

// centre is a projection of the car's centre onto the road's centreline, from the sample
// hint: where project puts pos on road.
type centre struct {
	road      *road
	pos       sim.Vec2
	hint, i   int
	s, offset float64
}

const driveID = "Drive-v0"

// driveSummary describes the task in one line.
const driveSummary = "drive laps of a closed track, a car with tyres that skid"

// The car: its size, where its wheels touch the road in its own frame (front first), and
// the constants of its tyres and drag.
const (
	carLength, carWidth = 1.0, 0.5
	wheelX, wheelY      = 0.35, 0.2
	gravity             = 9.81
	offGrip             = 0.5   // grip on the grass, as a fraction of grip on the road
	airDrag             = 0.375 // N per (m/s)²
	rollDrag            = 0.5   // N per m/s
	goodPace            = 4     // m/s, a good driver's average speed
	offRoadLimit        = 1     // seconds with all wheels off the road that end the episode
	offRoadReward       = 0.2   // the reward's factor with the car's centre off the road
	driveRays           = 9     // range sensors, over driveFOV radians
	driveFOV            = math.Pi
	driveRange          = 6 // metres a range sensor sees
)

// driveWheels are where the wheels touch the road, in the car's frame: front left, front
// right, rear left, rear right.
var driveWheels = [4]sim.Vec2{{X: wheelX, Y: wheelY}, {X: wheelX, Y: -wheelY}, {X: -wheelX, Y: wheelY}, {X: -wheelX, Y: -wheelY}}

// wheelReach is how far the wheels are from the car's centre.
var wheelReach = math.Hypot(wheelX, wheelY)

// carStyle is how the car is drawn, and its traced ghosts.
var carStyle = sim.Style{Fill: colorActor, Stroke: colorOutline, Outline: 0.02}

// projectWindow is how many road samples either side of the last one a projection of the
// car searches: 3 m, more than the car covers in a control step.
const projectWindow = 12

// curvatureAhead are the distances along the road, in metres, of the curvatures observed.
var curvatureAhead = [4]float64{1, 2, 4, 7}

func init() {
	mustRegister(Registration{
		ID:              driveID,
		Summary:         driveSummary,
		MaxEpisodeSteps: 900,
		Params: Params{
			assetParam("track", "a new track each episode", assets.TrackNames(), 0),
			{Name: "car_mass", Value: 4, Min: 0.5, Max: 50, Unit: "kg", Doc: "mass of the car"},
			{Name: "max_force", Value: 24, Min: 1, Max: 500, Unit: "N", Doc: "engine force on the rear wheels at pedal 1"},
			{Name: "max_brake", Value: 30, Min: 1, Max: 500, Unit: "N", Doc: "braking force on all wheels at pedal −1"},
			{Name: "max_steer", Value: 0.5, Min: 0.05, Max: 1, Unit: "rad", Doc: "front wheels' angle at steer ±1"},
			{Name: "steer_rate", Value: 3, Min: 0.1, Max: 20, Unit: "rad/s", Doc: "fastest the front wheels turn"},
			{Name: "grip", Value: 1, Min: 0.1, Max: 2, Doc: "tyre friction coefficient on the road"},
		},
		New: newDrive,
	})
}

func newDrive(p Params) (Env, error) {
	tracks := assets.TrackNames()
	k, err := assetIndex(p, "track", len(tracks))
	if err != nil {
		return nil, err
	}
	t := &drive{p: p}
	rule := "a full lap of the episode's track from the start"
	if k < 0 {
		err = t.generate(0)
	} else {
		var tr *assets.Track
		if tr, err = assets.LoadTrack(tracks[k]); err == nil {
			t.road, err = newRoad(tr)
		}
		if err == nil {
			rule = fmt.Sprintf("a full lap of the %s track (%.0f m) from the start", tr.Name, t.road.length)
		}
	}
	if err != nil {
		return nil, err
	}
	inf := math.Inf(1)
	lo := []float64{-inf, -inf, -inf, -p.Get("max_steer"), -math.Pi, -inf, -inf, -inf, -inf, -inf}
	hi := []float64{inf, inf, inf, p.Get("max_steer"), math.Pi, inf, inf, inf, inf, inf}
	for range driveRays {
		lo, hi = append(lo, 0), append(hi, driveRange)
	}
	def := taskDef{
		spec: Spec{
			ID:          driveID,
			Summary:     driveSummary,
			SuccessRule: fmt.Sprintf("%s, before the car has had all wheels off the road for more than %g s", rule, float64(offRoadLimit)),
			Params:      p,
		},
		world: standardWorld(0),
		obs:   NewBox(lo, hi),
		act:   UniformBox(-1, 1, 2),
	}
	return newPhysicsEnv(def, t)
}

// build adds the car.
func (t *drive) build(w *sim.World) error {
	m := t.p.Get("car_mass")
	var err error
	t.car, err = w.NewBody(sim.BodyDef{
		Type:      sim.Dynamic,
		NoGravity: true,
		Fixtures:  []sim.FixtureDef{{Geometry: sim.Box{W: carLength, H: carWidth}, Density: m / (carLength * carWidth)}},
		Style:     carStyle,
	})
	if err != nil {
		return err
	}
	t.dt = w.ControlDT()
	w.OnSubstep(t.tyres)
	return nil
}

func (t *drive) reset(rng *rand.Rand) error {
	if t.p.Get("track") < 0 {
		if err := t.generate(rng.Uint64() >> 11); err != nil {
			return err
		}
	}
	s := t.road.length * rng.Float64()
	i := t.road.at(s)
	dir := t.road.tangent[i]
	normal := sim.V(-dir.Y, dir.X)
	pos := t.road.pts[i].Add(normal.Scale(uniform(rng, 0.2)))
	heading := math.Atan2(dir.Y, dir.X) + uniform(rng, 0.1)
	t.steerTo, t.pedal, t.steer, t.progress, t.offFor = 0, 0, 0, 0, 0
	if err := t.car.SetPose(pos, heading, sim.Vec2{}, 0); err != nil {
		return err
	}
	var offset float64
	t.at, t.along, offset = t.road.project(pos, -1, 0)
	t.offRoad = t.wheelsOff(offset)
	return nil
}

func (t *drive) act(a []float64) {
	t.steerTo, t.pedal = -a[0]*t.p.Get("max_steer"), a[1]
}

// tyres applies, for one physics sub-step of h seconds, the steering's turn towards its
// target, the drag, and each wheel's grip, drive and braking, within its friction circle.
// The wheels' impulses are solved together, as Box2D solves contacts: sequential passes over
// the wheels, each cancelling what is left of its sideways slip (and, braking, of its
// rolling), with the sum of each wheel's impulses kept within its circle.
func (t *drive) tyres(h float64) {
	rate := t.p.Get("steer_rate") * h
	t.steer += math.Max(-rate, math.Min(rate, t.steerTo-t.steer))
	m, inertia, heading, com := t.car.Mass(), t.car.Inertia(), t.car.Angle(), t.car.WorldCenter()
	v := t.car.LinearVelocity()
	t.car.ApplyImpulseAt(v.Scale(-airDrag*v.Len()*h), com)
	drive := math.Max(t.pedal, 0) * t.p.Get("max_force") / 2 * h
	brake := math.Max(-t.pedal, 0) * t.p.Get("max_brake") / 4 * h
	var wheels [4]tyre
	for w, local := range driveWheels {
		angle := heading
		if w < 2 {
			angle += ackermann(t.steer, local.Y)
		}
		ty := &wheels[w]
		ty.at = t.car.WorldPoint(local)
		ty.fwd = sim.Polar(1, angle)
		ty.side = sim.V(-ty.fwd.Y, ty.fwd.X)
		r := ty.at.Sub(com)
		cross := func(d sim.Vec2) float64 { c := r.X*d.Y - r.Y*d.X; return 1 / (1/m + c*c/inertia) }
		ty.massFwd, ty.massSide = cross(ty.fwd), cross(ty.side)
		ty.limit = t.p.Get("grip") * m * gravity / 4 * h
		if t.offRoad[w] {
			ty.limit *= offGrip
		}
		ty.push = -t.car.VelocityAt(ty.at).Dot(ty.fwd) * rollDrag / 4 * h
		if w >= 2 {
			ty.push += drive
		}
		t.tyreImpulse(ty, ty.push, 0)
	}
	for range tyrePasses {
		for w := range wheels {
			ty := &wheels[w]
			vel := t.car.VelocityAt(ty.at)
			// The brakes add to the push what stops the wheel rolling, up to their force.
			braked := ty.jAlong - ty.push - vel.Dot(ty.fwd)*ty.massFwd
			braked = math.Max(-brake, math.Min(brake, braked))
			t.tyreImpulse(ty, ty.push+braked, ty.jSide-vel.Dot(ty.side)*ty.massSide)
		}
	}
}

// ackermann returns the angle of the front wheel y metres left of the car's axis when the
// steering is at angle steer: turned so that both front wheels roll about the same centre
// as a wheel on the axis at that angle would (Ackermann's geometry), the inner one more.
func ackermann(steer, y float64) float64 {
	if steer == 0 {
		return 0
	}
	wheelbase := 2 * wheelX
	radius := wheelbase / math.Tan(steer) // of the rear axle's centre, signed: positive turning left
	return math.Atan(wheelbase / (radius - y))
}

// tyrePasses is the number of passes over the wheels that solve their grip.
const tyrePasses = 4

// tyre is one wheel's contact with the ground during a sub-step: where it is, its rolling
// and sideways directions, the car's effective mass at it in each, the most impulse its
// friction gives, the push of the engine and rolling drag, and the impulses applied so far
// along and sideways.
type tyre struct {
	at, fwd, side     sim.Vec2
	massFwd, massSide float64
	limit, push       float64
	jAlong, jSide     float64
}

// tyreImpulse makes ty's impulses along and sideways add up to the totals given, scaled back
// into its friction circle, by applying the difference to the car.
func (t *drive) tyreImpulse(ty *tyre, along, side float64) {
	if n := math.Sqrt(along*along + side*side); n > ty.limit {
		along, side = along*ty.limit/n, side*ty.limit/n
	}
	d := ty.fwd.Scale(along - ty.jAlong).Add(ty.side.Scale(side - ty.jSide))
	ty.jAlong, ty.jSide = along, side
	t.car.ApplyImpulseAt(d, ty.at)
}

// project returns where on the road's centreline the car's centre pos lies, searching near
// the sample of the car's last projection; it computes it once for both observe and
// evaluate.
func (t *drive) project(pos sim.Vec2) (i int, s, offset float64) {
	c := &t.last
	if c.road != t.road || c.pos != pos || c.hint != t.at {
		c.i, c.s, c.offset = t.road.project(pos, t.at, projectWindow)
		c.road, c.pos, c.hint = t.road, pos, t.at
	}
	return c.i, c.s, c.offset
}

// wheelsOff reports which wheels are off the road, the car's centre lying offset from the
// centreline.
func (t *drive) wheelsOff(offset float64) [4]bool {
	var off [4]bool
	if math.Abs(offset)+wheelReach < t.road.width/2-1e-9 {
		return off // no wheel is further from the centreline than the centre plus its reach
	}
	for w, local := range driveWheels {
		_, _, d := t.road.project(t.car.WorldPoint(local), t.at, projectWindow)
		off[w] = math.Abs(d) > t.road.width/2
	}
	return off
}

func (t *drive) observe(dst []float64) {
	pos, heading := t.car.Position(), t.car.Angle()
	i, s, offset := t.project(pos)
	fwd := sim.Polar(1, heading)
	v := t.car.LinearVelocity()
	dir := t.road.tangent[i]
	dst[0], dst[1], dst[2], dst[3] = v.Dot(fwd), v.Dot(sim.V(-fwd.Y, fwd.X)), t.car.AngularVelocity(), t.steer
	dst[4] = wrapAngle(heading - math.Atan2(dir.Y, dir.X))
	dst[5] = offset
	for k, ahead := range curvatureAhead {
		dst[6+k] = t.road.curv[t.road.at(s+ahead)]
	}
	t.near = t.road.rays(pos, heading, driveFOV, driveRange, dst[6+len(curvatureAhead):], t.near)
}

// pose returns ErrNoPose: an observation says where the car is relative to the road near
// it, not where on the track. trace follows it instead.
func (t *drive) pose([]float64) error { return ErrNoPose }

// trace follows the car from where it is along the speeds and yaw rates of future, one
// control step each, and appends its outline at each step to dst.
func (t *drive) trace(dst [][]sim.Shape, future [][]float64) [][]sim.Shape {
	pos, heading := t.car.Position(), t.car.Angle()
	for _, obs := range future {
		v, u, omega := obs[0], obs[1], obs[2]
		heading += omega * t.dt
		pos = pos.Add(sim.V(v, u).Rotate(heading).Scale(t.dt))
		pts := make([]sim.Vec2, 4)
		for k, c := range [4]sim.Vec2{{X: -1, Y: -1}, {X: 1, Y: -1}, {X: 1, Y: 1}, {X: -1, Y: 1}} {
			pts[k] = pos.Add(sim.V(c.X*carLength/2, c.Y*carWidth/2).Rotate(heading))
		}
		dst = append(dst, []sim.Shape{{Kind: sim.Polygon, Layer: sim.LayerBody, Points: pts,
			Fill: carStyle.Fill, Stroke: carStyle.Stroke, Width: carStyle.Outline}})
	}
	return dst
}

// evaluate follows the car along the road: it counts the progress of the step, notes the
// wheels off the road and for how long all four have been, and returns the reward and
// whether the car has driven a lap.
func (t *drive) evaluate([]float64) (float64, bool) {
	pos := t.car.Position()
	i, s, offset := t.project(pos)
	d := s - t.along
	switch {
	case d < -t.road.length/2:
		d += t.road.length
	case d > t.road.length/2:
		d -= t.road.length
	}
	t.progress += d
	t.at, t.along = i, s
	t.offRoad = t.wheelsOff(offset)
	if t.offRoad == [4]bool{true, true, true, true} {
		t.offFor += t.dt
	} else {
		t.offFor = 0
	}
	r := math.Max(0, math.Min(1, d/(goodPace*t.dt)))
	if math.Abs(offset) > t.road.width/2 {
		r *= offRoadReward
	}
	return r, t.progress >= t.road.length
}

// failed reports whether all four wheels have been off the road for too long.
func (t *drive) failed() bool { return t.offFor > offRoadLimit+1e-9 }

// generate lays out the track generated from seed, unless it is the one laid out already.
func (t *drive) generate(seed uint64) error {
	if seed == t.trackSeed && t.road != nil {
		return nil
	}
	rd, err := generatedRoad(rand.New(rand.NewPCG(seed, 0x7472_6163_6b00)))
	if err != nil {
		return err
	}
	t.road, t.trackSeed = rd, seed
	return nil
}

// generatedRoad lays out a track drawn from rng: 12 control points at angles evenly spaced
// around a centre, each turned by up to a third of the spacing, at distances of 8 to 20 m;
// draws whose road would fold over itself are drawn again.
func generatedRoad(rng *rand.Rand) (*road, error) {
	const n = 12
	for range 100 {
		tr := &assets.Track{Name: "generated", Width: 2}
		for k := range n {
			angle := 2 * math.Pi * (float64(k) + uniform(rng, 1.0/3)) / n
			tr.Points = append(tr.Points, sim.Polar(8+12*rng.Float64(), angle))
		}
		if rd, err := newRoad(tr); err == nil {
			return rd, nil
		}
	}
	return nil, fmt.Errorf("no track that does not fold over itself in 100 draws")
}

func (t *drive) vars(dst []float64) []float64 {
	dst = append(dst, float64(t.trackSeed), t.steer, float64(t.at), t.along, t.progress, t.offFor)
	for _, off := range t.offRoad {
		dst = append(dst, b2f(off))
	}
	return dst
}

func (t *drive) setVars(v []float64) error {
	if len(v) != 10 {
		return fmt.Errorf("%d task variables, want 10: track seed, steering, road sample, arc length, progress, time off the road and 4 wheels' states", len(v))
	}
	if seed := v[0]; t.p.Get("track") < 0 {
		if seed < 0 || seed >= 1<<53 || seed != math.Trunc(seed) {
			return fmt.Errorf("track seed %v: want a whole number below 2^53", seed)
		}
		if err := t.generate(uint64(seed)); err != nil {
			return err
		}
	}
	v = v[1:]
	at := int(v[1])
	if at < 0 || at >= len(t.road.pts) || float64(at) != v[1] {
		return fmt.Errorf("road sample %v: want a whole number below %d", v[1], len(t.road.pts))
	}
	t.steer, t.at, t.along, t.progress, t.offFor = v[0], at, v[2], v[3], v[4]
	for w := range t.offRoad {
		t.offRoad[w] = v[5+w] != 0
	}
	return nil
}

// camera shows the whole track in frames as wide as 16:9 or wider.
func (t *drive) camera() sim.Camera {
	lo, hi := t.road.bounds()
	return sim.Camera{Center: lo.Add(hi).Scale(0.5), Width: 1.05 * math.Max(hi.X-lo.X, (hi.Y-lo.Y)*16/9)}
}

// eye follows the car, looking ahead.
func (t *drive) eye() sim.Camera {
	return sim.Camera{Center: t.car.Position().Add(sim.Polar(2, t.car.Angle())), Width: 8}
}

// Colours of the road and its marks.
var (
	colorRoad = color.NRGBA{190, 188, 182, 255}
	colorLine = color.NRGBA{255, 255, 255, 255}
)

// draw adds the road, a band along the centreline, its centre line, and the line across it
// where the episode's lap starts and ends.
func (t *drive) draw(s *sim.Scene) {
	pts := append(t.road.pts[:len(t.road.pts):len(t.road.pts)], t.road.pts[0], t.road.pts[1])
	s.AddLine(sim.LayerBackground, colorRoad, t.road.width, pts...)
	s.AddLine(sim.LayerBackground, colorLine, 0.04, pts...)
	start := t.road.at(t.along - t.progress)
	p, dir := t.road.pts[start], t.road.tangent[start]
	across := sim.V(-dir.Y, dir.X).Scale(t.road.width / 2)
	s.AddLine(sim.LayerTarget, colorTarget, 0.15, p.Add(across), p.Sub(across))
}
