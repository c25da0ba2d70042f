package envs

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// pixelProbe is a world point and the colour a frame must have there.
type pixelProbe struct {
	what string
	at   sim.Vec2
	want color.NRGBA
}

// framePose is a pose of an environment's bodies, as an observation, and what must be seen
// at points of the frame: the bodies where the pose puts them, the background where their
// mirror images would be (so that a frame flipped in x or y fails), and the scenery.
type framePose struct {
	obs    []float64
	place  func(e *physicsEnv) error // places the bodies instead, where obs cannot (unposable)
	probes []pixelProbe
}

// alongLink returns the point a fraction f of the way along a link of length l from p in
// direction dir (radians from the x axis).
func alongLink(p sim.Vec2, dir, l, f float64) sim.Vec2 {
	return sim.V(p.X+f*l*math.Cos(dir), p.Y+f*l*math.Sin(dir))
}

// framePoses holds a pose of every built-in environment, at its default parameters, worked
// out from the environments' documentation rather than their code.
var framePoses = map[string]framePose{
	pendulumID: pendulumPose(1),
	// The 0.5 by 0.25 m cart centred at x = 0.8 m on the rail (y = 0), the 1 m pole at
	// θ = −π/3 from upright: pointing at π/6 from the x axis.
	cartpoleID: {
		obs: []float64{0.8, math.Cos(-math.Pi / 3), math.Sin(-math.Pi / 3), 0, 0},
		probes: []pixelProbe{
			{"cart, lower left", sim.V(0.65, -0.06), colorActor},
			{"pole", alongLink(sim.V(0.8, 0), math.Pi/6, 1, 0.6), colorPassive},
			{"cart mirrored in x", sim.V(-0.65, -0.06), Background},
			{"pole mirrored in y", sim.V(0.8+0.6*math.Cos(math.Pi/6), -0.3), Background},
			{"rail", sim.V(-1.25, 0), colorGuide},
			{"mark at the rail's centre", sim.V(0, -0.3), colorMark},
			{"mark 1.5 m left", sim.V(-1.5, -0.08), colorMark},
		},
	},
	// θ1 = π/2 from hanging down: the upper link points along +x; θ2 = π/2 more: the lower
	// link points up from the elbow at (1, 0). The tip's reach ring has radius 2 m.
	acrobotID: {
		obs: []float64{0, 1, 0, 1, 0, 0},
		probes: []pixelProbe{
			{"upper link", alongLink(sim.Vec2{}, 0, 1, 0.5), colorPassive},
			{"lower link", alongLink(sim.V(1, 0), math.Pi/2, 1, 0.5), colorActor},
			{"upper link mirrored in x", sim.V(-0.5, 0), Background},
			{"lower link mirrored in y", sim.V(1, -0.5), Background},
			{"reach ring", sim.V(-2, 0), colorGuide},
		},
	},
	reacherID: reacherPose(0.5, 0.5),
	pushID:    pushPose,
	// The medium maze's 11 by 11 cells of 0.5 m centred at 0: the robot at rest in the
	// centre of row 5, column 1 (from 0, top left), (−2, 0), on a corridor.
	mazeID: {
		obs: []float64{-2, 0, 0, 0, 4, -2, 0, 0, 0, 0, 0, 0, 0, 0},
		probes: []pixelProbe{
			{"robot", sim.V(-2, 0.05), colorActor},
			{"robot mirrored in x, on the floor", sim.V(2, 0), colorFloor},
			{"top wall", sim.V(0, 2.62), colorWall},
			{"wall at row 4, column 3", sim.V(-1, 0.5), colorWall},
			{"floor at row 5, column 3", sim.V(-1, 0), colorFloor},
		},
	},
	// The car at rest at (5, 0), on the training track's first straight, which runs along
	// +x from (0, 0) to (15, 0), sagging to y ≈ −0.3 between, turned 0.3 rad left of it.
	driveID: {
		place: func(e *physicsEnv) error {
			d := e.t.(*drive)
			if err := d.car.SetPose(sim.V(5, 0), 0.3, sim.Vec2{}, 0); err != nil {
				return err
			}
			d.at, d.along, _ = d.road.project(d.car.Position(), -1, 0)
			d.progress = 0
			return nil
		},
		probes: []pixelProbe{
			{"car, front left", sim.V(5.35, 0.2), colorActor},
			{"car, rear right", sim.V(4.65, -0.2), colorActor},
			{"car mirrored in y, beside the centre line", sim.V(5.2, -0.45), colorRoad},
			{"road, left of the centre line", sim.V(9, 0.3), colorRoad},
			{"grass beside it", sim.V(9, 2.5), Background},
		},
	},
}

// The pusher at (0.5, −0.5); the T's origin, where its stem meets its bar, at (−0.3, 0.2)
// with θ = 0: the bar spans x −0.54…−0.06, y 0.2…0.32, the stem x −0.36…−0.24, y
// −0.16…0.2. The table is 2 m square, walled, centred at the origin.
var pushPose = framePose{
	obs: []float64{0.5, -0.5, 0, 0, -0.3, 0.2, 1, 0, 0, 0, 0, 0, 0, 1, 0},
	probes: []pixelProbe{
		{"pusher", sim.V(0.52, -0.48), colorActor},
		{"bar, left end", sim.V(-0.52, 0.3), colorPassive},
		{"stem, bottom", sim.V(-0.3, -0.14), colorPassive},
		{"bar mirrored in y", sim.V(-0.52, -0.3), colorTable},
		{"pusher mirrored in x", sim.V(-0.5, -0.5), colorTable},
		{"right wall", sim.V(1, 0.5), colorOutline},
		{"table, bottom left", sim.V(-0.9, -0.9), colorTable},
	},
}

// pixelOf returns the pixel of a w×h frame seen through cam that holds world point p, by
// sim's documented rule: the frame is cam.Width metres wide, centred on cam.Center, with
// square pixels and y up.
func pixelOf(cam sim.Camera, w, h int, p sim.Vec2) image.Point {
	k := float64(w) / cam.Width
	x := float64(w)/2 + (p.X-cam.Center.X)*k
	y := float64(h)/2 - (p.Y-cam.Center.Y)*k
	return image.Pt(int(math.Floor(x)), int(math.Floor(y)))
}

// overview picks the scene's overview camera.
func overview(s *sim.Scene) sim.Camera { return s.Camera }

// TestFramePixels poses every built-in environment and checks, independently of the golden
// files, that its frame shows each body where the pose puts it, in its colour, and the
// background in the corners and where a mirrored frame would show a body.
func TestFramePixels(t *testing.T) {
	for _, id := range builtinIDs() {
		t.Run(id, func(t *testing.T) {
			pose, ok := framePoses[id]
			if !ok {
				t.Fatalf("no pose for %s in framePoses: add one", id)
			}
			checkFramePixels(t, id, pose, overview)
		})
	}
}

// TestFramePixelsScale checks a pendulum twice the default length and a Reacher arm of
// 1.8 m: the view widens with them, so that the whole guide ring stays in the frame, and
// the bodies are drawn to their size.
func TestFramePixelsScale(t *testing.T) {
	checkFramePixels(t, pendulumID, pendulumPose(2), overview, WithParam("length", 2))
	checkFramePixels(t, reacherID, reacherPose(1, 0.8), overview, WithParams(map[string]float64{"upper_length": 1, "lower_length": 0.8}))
}

// reacherPose poses an arm of the given link lengths, reach r, with the upper link at
// q1 = π/6 and the lower bent q2 = π/2 further. The target annulus starts 0.26 r out, so the
// disc of radius 0.18 r around the shoulder shows the background wherever the arm is not;
// the ring of the reach passes left and right of the shoulder.
func reacherPose(upper, lower float64) framePose {
	r := upper + lower
	elbow := alongLink(sim.Vec2{}, math.Pi/6, upper, 1)
	return framePose{
		obs: []float64{math.Cos(math.Pi / 6), math.Sin(math.Pi / 6), math.Pi / 2, 0, 0, 0, 0},
		probes: []pixelProbe{
			{"upper link", alongLink(sim.Vec2{}, math.Pi/6, upper, 0.5), colorActor},
			{"lower link", alongLink(elbow, 2*math.Pi/3, lower, 0.5), colorActor},
			{"near the shoulder, away from the arm", sim.V(-0.1*r, -0.1*r), Background},
			{"reach ring, left", sim.V(-r, 0), colorGuide},
			{"reach ring, right", sim.V(r, 0), colorGuide},
		},
	}
}

// pendulumPose poses a rod of length l at θ = −π/4 from upright, counter-clockwise: pointing
// up and to the right, at π/4 from the x axis. The guide ring runs 0.98–1.02 l out, with
// Background inside.
func pendulumPose(l float64) framePose {
	return framePose{
		obs: []float64{math.Cos(-math.Pi / 4), math.Sin(-math.Pi / 4), 0},
		probes: []pixelProbe{
			{"rod's midpoint", alongLink(sim.Vec2{}, math.Pi/4, l, 0.5), colorActor},
			{"rod near its tip", alongLink(sim.Vec2{}, math.Pi/4, l, 0.85), colorActor},
			{"rod mirrored in y", sim.V(0.35*l, -0.35*l), Background},
			{"rod mirrored in x", sim.V(-0.35*l, 0.35*l), Background},
			{"guide ring, left", sim.V(-l, 0), colorGuide},
			{"guide ring, right", sim.V(l, 0), colorGuide},
		},
	}
}

// TestAgentCameraFollowsCart poses CartPoleSwingup-v0 as TestFramePixels does and checks the
// frame through the agent's camera, the 3.5 m window centred on the cart: the cart at the
// frame's centre, the pole, the marks along the rail at their places, and the background
// where the overview would show the cart.
func TestAgentCameraFollowsCart(t *testing.T) {
	pose := framePoses[cartpoleID]
	pose.probes = []pixelProbe{
		{"cart, lower left", sim.V(0.65, -0.06), colorActor},
		{"pole", alongLink(sim.V(0.8, 0), math.Pi/6, 1, 0.6), colorPassive},
		{"mark at the rail's centre", sim.V(0, -0.3), colorMark},
		{"mark 0.5 m right", sim.V(0.5, -0.08), colorMark},
		{"mark 2 m right", sim.V(2, -0.08), colorMark},
		{"between marks", sim.V(1.75, -0.08), Background},
	}
	s := checkFramePixels(t, cartpoleID, pose, (*sim.Scene).AgentCamera)
	if want := (sim.Camera{Center: sim.V(0.8, 0), Width: 3.5}); math.Abs(s.Eye.Center.X-0.8) > 1e-3 || s.Eye.Width != want.Width {
		t.Errorf("agent's camera %+v, want %+v", s.Eye, want)
	}
}

// checkFramePixels renders environment id, made with opts and posed as pose says, through
// the camera cam picks, at 640×400, checks pose's probes and the four corners, and returns
// the scene.
func checkFramePixels(t *testing.T, id string, pose framePose, cam func(*sim.Scene) sim.Camera, opts ...Option) *sim.Scene {
	t.Helper()
	const w, h = 640, 400 // not 4:3, so that a frame scaled by its height shows
	env, err := Make(id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if pose.place != nil {
		env.Reset(0)
		err = pose.place(env.(*TimeLimit).Env.(*physicsEnv))
	} else {
		err = Pose(env, pose.obs)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := env.Scene()
	s.Camera = cam(s)
	img := sim.RenderImage(s, w, h)
	check := func(what string, px image.Point, want color.NRGBA) {
		t.Helper()
		if !px.In(img.Rect) {
			t.Errorf("%s: pixel %v outside the %dx%d frame", what, px, w, h)
		} else if got := img.RGBAAt(px.X, px.Y); got != color.RGBA(want) {
			t.Errorf("%s: pixel %v is %v, want %v", what, px, got, want)
		}
	}
	for _, p := range pose.probes {
		check(p.what, pixelOf(s.Camera, w, h, p.at), p.want)
	}
	for _, px := range []image.Point{{0, 0}, {w - 1, 0}, {0, h - 1}, {w - 1, h - 1}} {
		check("corner", px, Background)
	}
	return s
}
