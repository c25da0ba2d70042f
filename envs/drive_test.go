package envs

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/sim"
)

// driveAt returns a Drive-v0 environment whose car moves at speed along +x from (5, 0),
// on the training track's first straight, with its wheels already steered to steer.
func driveAt(t *testing.T, speed, steer float64) (*physicsEnv, *drive) {
	t.Helper()
	env := mustMakeEnv(t, driveID)
	env.Reset(0)
	e := env.(*TimeLimit).Env.(*physicsEnv)
	d := e.t.(*drive)
	if err := d.car.SetPose(sim.V(5, 0), 0, sim.V(speed, 0), 0); err != nil {
		t.Fatal(err)
	}
	d.steer = steer * d.p.Get("max_steer") // the wheels' angle, positive to the left
	d.at, d.along, _ = d.road.project(d.car.Position(), -1, 0)
	return e, d
}

// TestDriveTyres checks the car's handling against the tyre model's two regimes. Slow, full
// left lock (0.5 rad) makes it turn as a car whose tyres do not slip: its rear axle, 0.35 m
// behind its centre, about a circle of the wheelbase over tan 0.5, 1.28 m, so that the yaw
// rate is the speed over 1.28 m and the centre slides sideways at 0.35 m times the yaw rate
// (to within 5%: four passes of the tyre solver leave the rear wheels slipping by 2-3%).
// Fast, at 6 m/s, the same lock asks for 28 m/s² sideways; the tyres give at most grip·g,
// 9.81, so the car skids: its sideways speed grows and its yaw rate cannot exceed g/v.
func TestDriveTyres(t *testing.T) {
	e, _ := driveAt(t, 2, 1)
	obs := make([]float64, e.def.obs.Dim())
	for range 10 { // 0.5 s
		e.Step([]float64{-1, 0.12}) // full left lock, about what holds 2 m/s against drag
	}
	copy(obs, e.obs)
	if v, u, w := obs[0], obs[1], obs[2]; math.Abs(w-v/1.28) > 0.01*v/1.28 || math.Abs(u-0.35*w) > 0.05*u {
		t.Errorf("slow, full lock: speed %.3g m/s, sideways %.3g m/s, yaw rate %.3g rad/s; want the yaw rate speed/1.28 m and no slip at the rear axle", v, u, w)
	}
	e, _ = driveAt(t, 6, 1)
	maxSlip := 0.0
	for range 10 {
		e.Step([]float64{-1, 0})
		v, u, w := e.obs[0], e.obs[1], e.obs[2]
		maxSlip = math.Max(maxSlip, math.Abs(u))
		if a := math.Abs(w * math.Hypot(v, u)); a > 1.1*9.81 {
			t.Fatalf("fast, full lock: yaw rate %.3g rad/s at %.3g m/s, a turn of %.3g m/s², beyond the tyres' 9.81", w, math.Hypot(v, u), a)
		}
	}
	if maxSlip < 0.5 {
		t.Errorf("fast, full lock: sideways speed at most %.3g m/s; the car should skid", maxSlip)
	}
}

// TestDriveBrakesToRest checks that full braking stops the car and holds it, without
// reversing: from 5 m/s, brakes of 30 N on 4 kg (and drag) stop it within 0.7 s.
func TestDriveBrakesToRest(t *testing.T) {
	e, _ := driveAt(t, 5, 0)
	for range 16 { // 0.8 s
		e.Step([]float64{0, -1})
	}
	if v := e.obs[0]; math.Abs(v) > 1e-6 {
		t.Errorf("speed %v after braking for 0.8 s, want 0", v)
	}
}

// TestDriveOffRoadEnds checks that an episode ends, without success, once all four wheels
// have been off the road for more than a second, and not before.
func TestDriveOffRoadEnds(t *testing.T) {
	e, d := driveAt(t, 0, 0)
	if err := d.car.SetPose(sim.V(5, 8), 0, sim.Vec2{}, 0); err != nil { // inside the loop, on the grass
		t.Fatal(err)
	}
	for i := 1; i <= 30; i++ {
		_, r, term, _, info, err := e.Step([]float64{0, 0})
		if err != nil {
			t.Fatal(err)
		}
		if r != 0 || info.Success {
			t.Fatalf("step %d off the road: reward %v, success %v", i, r, info.Success)
		}
		if end := float64(i)*0.05 > 1+1e-9; term != end {
			t.Fatalf("step %d (%.2f s off the road): terminated %v", i, float64(i)*0.05, term)
		}
		if term {
			return
		}
	}
}

// TestDriveRays checks the range sensors on a straight road along +x, 2 m wide, with the car
// on its centreline heading along it: the rays 90° right and left meet the edges 1 m away,
// the one straight ahead sees nothing within its range, and the one 45° left meets the left
// edge at √2 m.
func TestDriveRays(t *testing.T) {
	var pts []sim.Vec2
	for x := -40.0; x <= 40; x += 10 { // there along y = 0, back along y = 40
		pts = append(pts, sim.V(x, 0))
	}
	for x := 40.0; x >= -40; x -= 10 {
		pts = append(pts, sim.V(x, 40))
	}
	r, err := newRoad(&assets.Track{Name: "long", Width: 2, Points: pts})
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float64, 5) // −90°, −45°, 0°, 45°, 90°
	r.rays(sim.V(0, 0), 0, math.Pi, driveRange, dst, nil)
	want := []float64{1, math.Sqrt2, driveRange, math.Sqrt2, 1}
	for i := range want {
		if math.Abs(dst[i]-want[i]) > 1e-3 {
			t.Errorf("rays %v, want %v", dst, want)
			break
		}
	}
}

// TestGridNear checks that a road's grid finds exactly the samples within a radius that a
// look at every sample finds, from places on, beside and far off every shipped track, and
// none from a place that is not one.
func TestGridNear(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range assets.TrackNames() {
		track, err := assets.LoadTrack(name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newRoad(track)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := r.bounds()
		for range 500 {
			o := sim.V(lo.X-10+rng.Float64()*(hi.X-lo.X+20), lo.Y-10+rng.Float64()*(hi.Y-lo.Y+20))
			radius := rng.Float64() * 12
			var want []int
			for i, p := range r.pts {
				if d := p.Sub(o); d.Dot(d) <= radius*radius {
					want = append(want, i)
				}
			}
			got := r.grid.near(o, radius, r.pts, nil)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: near %v within %.3g m: %v, want %v", name, o, radius, got, want)
			}
		}
		if got := r.grid.near(sim.V(math.NaN(), 0), 5, r.pts, nil); len(got) != 0 {
			t.Errorf("%s: near NaN: %v", name, got)
		}
	}
}

// TestDriveHeldOutTracks drives the scripted driver of TestDriveSolvable round every track:
// each must be drivable in the time limit.
func TestDriveHeldOutTracks(t *testing.T) {
	for i, name := range assets.TrackNames() {
		env, err := Make(driveID, WithParam("track", float64(i)))
		if err != nil {
			t.Fatal(err)
		}
		ep := runEpisode(t, env, 1, driveController)
		t.Logf("%s: lap at %.2f s", name, ep.first)
		if !ep.info.Success {
			t.Errorf("%s: the scripted driver did not finish a lap", name)
		}
	}
}

// TestDriveGeneratedTracks checks that track −1 lays out a new track from each episode's
// seed, the same for the same seed, that the scripted driver can lap, and that a snapshot
// taken on one episode's track restores it in an episode on another.
func TestDriveGeneratedTracks(t *testing.T) {
	env, err := Make(driveID, WithParam("track", -1))
	if err != nil {
		t.Fatal(err)
	}
	road := func() *road { return env.(*TimeLimit).Env.(*physicsEnv).t.(*drive).road }
	env.Reset(1)
	first := road()
	env.Reset(2)
	if road().length == first.length {
		t.Fatalf("seeds 1 and 2 gave tracks of the same length, %v m", first.length)
	}
	for seed := range uint64(4) {
		ep := runEpisode(t, env, seed, driveController)
		t.Logf("seed %d: a track of %.0f m, lapped at %.2f s", seed, road().length, ep.first)
		if !ep.info.Success {
			t.Errorf("seed %d: the scripted driver did not lap the generated track", seed)
		}
	}
	env.Reset(1)
	if road().length != first.length {
		t.Fatalf("seed 1 again gave a track of %v m, first %v", road().length, first.length)
	}
	var snap Snapshot
	env.Snapshot(&snap)
	obs, _, _, _, _, _ := env.Step([]float64{0, 1})
	want := append([]float64(nil), obs...)
	env.Reset(2)
	if err := env.Restore(&snap); err != nil {
		t.Fatal(err)
	}
	if road().length != first.length {
		t.Fatalf("restored onto a track of %v m, want seed 1's %v", road().length, first.length)
	}
	if got, _, _, _, _, _ := env.Step([]float64{0, 1}); !slices.Equal(got, want) {
		t.Errorf("the step after the restore observed %v, want %v", got, want)
	}
}

// TestDriveTrace checks that Trace follows the car from where it is, along the imagined
// speeds and yaw rates, without moving it: a quarter turn at 1 rad/s over π/2 s, at 1 m/s,
// ends a metre left of and a metre ahead of the start, facing left, as the arc of radius
// 1 m does; environments that cannot trace say so with ErrNoPose.
func TestDriveTrace(t *testing.T) {
	env := mustMakeEnv(t, driveID)
	env.Reset(2)
	d := env.(*TimeLimit).Env.(*physicsEnv).t.(*drive)
	start, heading := d.car.Position(), d.car.Angle()
	const steps = 2000
	obs := make([]float64, env.ObservationSpace().Dim())
	obs[0], obs[2] = 1, 1
	future := make([][]float64, steps)
	for k := range future {
		future[k] = obs
	}
	d.dt = math.Pi / 2 / steps // finer steps than the env's, to follow the arc closely
	shapes, err := Trace(env, future)
	d.dt = 0.05
	if err != nil {
		t.Fatal(err)
	}
	last := shapes[steps-1][0].Points
	centre := last[0].Add(last[2]).Scale(0.5)
	want := start.Add(sim.V(1, 1).Rotate(heading))
	if centre.Sub(want).Len() > 2e-3 {
		t.Errorf("after a quarter turn the car is traced at %v, want %v", centre, want)
	}
	if d.car.Position() != start || d.car.Angle() != heading {
		t.Error("Trace moved the car")
	}
	if _, err := Trace(env, [][]float64{{1}}); err == nil {
		t.Error("Trace accepted an observation of the wrong size")
	}
	if _, err := Trace(mustMakeEnv(t, pendulumID), [][]float64{{1, 0, 0}}); !errors.Is(err, ErrNoPose) {
		t.Errorf("Pendulum-v0's Trace: %v, want ErrNoPose", err)
	}
}
