package sim

import (
	"math"
	"testing"
)

// rayScene is a row of static blocks along the positive x axis: a sensor from 0.5 to 1 m,
// then a block of category 2 from 2 to 3 m, a disc of category 4 centred at 5.5 m, and a
// tilted wall of category 8 crossing the axis at 8 m.
type rayScene struct {
	w                *World
	near, disc, wall *Body
}

func newRayScene(t testing.TB) rayScene {
	t.Helper()
	w := newTestWorld(t, testConfig)
	fixture := func(g Geometry, category uint16) BodyDef {
		return BodyDef{Type: Static, Fixtures: []FixtureDef{{Geometry: g, Filter: Filter{Category: category}}}}
	}
	sensor := fixture(Box{W: 0.5, H: 4, Center: V(0.75, 0)}, 1)
	sensor.Fixtures[0].Sensor = true
	mustBody(t, w, sensor)
	return rayScene{
		w:    w,
		near: mustBody(t, w, fixture(Box{W: 1, H: 1, Center: V(2.5, 0)}, 2)),
		disc: mustBody(t, w, fixture(Disc{Radius: 0.5, Center: V(5.5, 0)}, 4)),
		wall: mustBody(t, w, fixture(Segment{A: V(7, -1), B: V(9, 1)}, 8)),
	}
}

func TestRayCastHits(t *testing.T) {
	s := newRayScene(t)
	tests := []struct {
		name     string
		from, to Vec2
		mask     uint16
		want     RayHit
		body     *Body
	}{
		{"nearest block", V(0, 0), V(10, 0), 0, RayHit{Point: V(2, 0), Normal: V(-1, 0), Fraction: 0.2}, s.near},
		{"from inside the sensor", V(0.8, 0), V(2.8, 0), 0, RayHit{Point: V(2, 0), Normal: V(-1, 0), Fraction: 0.6}, s.near},
		{"block from behind", V(4, 0.25), V(0, 0.25), 0, RayHit{Point: V(3, 0.25), Normal: V(1, 0), Fraction: 0.25}, s.near},
		{"block from above", V(2.5, 3), V(2.5, 0), 0, RayHit{Point: V(2.5, 0.5), Normal: V(0, 1), Fraction: 2.5 / 3}, s.near},
		{"mask skips the block", V(0, 0), V(10, 0), 4, RayHit{Point: V(5, 0), Normal: V(-1, 0), Fraction: 0.5}, s.disc},
		{"mask of two categories", V(0, 0), V(10, 0), 4 | 8, RayHit{Point: V(5, 0), Normal: V(-1, 0), Fraction: 0.5}, s.disc},
		{"segment", V(0, 0), V(10, 0), 8, RayHit{Point: V(8, 0), Normal: V(-math.Sqrt2/2, math.Sqrt2/2), Fraction: 0.8}, s.wall},
		{"segment from its other side", V(10, 0), V(0, 0), 8, RayHit{Point: V(8, 0), Normal: V(math.Sqrt2/2, -math.Sqrt2/2), Fraction: 0.2}, s.wall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hit, ok := s.w.RayCast(tt.from, tt.to, tt.mask)
			if !ok {
				t.Fatal("ray missed")
			}
			const tol = 1e-9
			if hit.Point.Sub(tt.want.Point).Len() > tol || hit.Normal.Sub(tt.want.Normal).Len() > tol ||
				math.Abs(hit.Fraction-tt.want.Fraction) > tol {
				t.Errorf("hit at %v, normal %v, fraction %v; want %v, %v, %v",
					hit.Point, hit.Normal, hit.Fraction, tt.want.Point, tt.want.Normal, tt.want.Fraction)
			}
			if hit.Body != tt.body {
				t.Errorf("hit the wrong body")
			}
		})
	}
}

func TestRayCastMisses(t *testing.T) {
	s := newRayScene(t)
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name     string
		from, to Vec2
		mask     uint16
	}{
		{"pointing away", V(0, 0), V(-10, 0), 0},
		{"passing above", V(0, 3), V(10, 3), 0},
		{"stopping short", V(0, 0), V(1.9, 0), 0},
		{"only the sensor", V(0.6, 0), V(0.9, 0), 0},
		{"mask of no category present", V(0, 0), V(10, 0), 16},
		{"zero length", V(2.5, 0), V(2.5, 0), 0},
		{"far too short to measure", V(0, 0), V(1e-200, 0), 0},
		{"NaN start", V(nan, 0), V(10, 0), 0},
		{"NaN end", V(0, 0), V(10, nan), 0},
		{"infinite end", V(0, 0), V(inf, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if hit, ok := s.w.RayCast(tt.from, tt.to, tt.mask); ok || hit != (RayHit{}) {
				t.Fatalf("RayCast = %+v, %v; want a miss", hit, ok)
			}
		})
	}
}

// roomHalf is the half-width of the square room newRoom builds around the origin.
const roomHalf = 2.0

// newRoom returns a world holding a square room of segment walls centred on the origin.
func newRoom(t testing.TB) *World {
	t.Helper()
	w := newTestWorld(t, testConfig)
	c := [4]Vec2{{-roomHalf, -roomHalf}, {roomHalf, -roomHalf}, {roomHalf, roomHalf}, {-roomHalf, roomHalf}}
	var walls []FixtureDef
	for i, a := range c {
		walls = append(walls, FixtureDef{Geometry: Segment{A: a, B: c[(i+1)%4]}})
	}
	mustBody(t, w, BodyDef{Type: Static, Fixtures: walls})
	return w
}

// roomDistance returns how far a ray from o at angle a travels to the room's walls.
func roomDistance(o Vec2, a float64) float64 {
	d := Polar(1, a)
	best := math.Inf(1)
	for _, axis := range [2]struct{ p, v float64 }{{o.X, d.X}, {o.Y, d.Y}} {
		for _, wall := range [2]float64{-roomHalf, roomHalf} {
			if t := (wall - axis.p) / axis.v; t > 0 {
				best = math.Min(best, t)
			}
		}
	}
	return best
}

func TestLidarRead(t *testing.T) {
	w := newRoom(t)
	tests := []struct {
		name    string
		lidar   Lidar
		origin  Vec2
		heading float64
	}{
		{"full circle from the centre", Lidar{Rays: 16, FOV: 2 * math.Pi * 15 / 16, Range: 10}, V(0, 0), 0},
		{"narrow fan off centre", Lidar{Rays: 5, FOV: 1, Range: 10}, V(0.7, -1.1), 2.5},
		{"short range sees little", Lidar{Rays: 9, FOV: math.Pi, Range: 1.5}, V(0.5, 0.4), 0.3},
		{"single ray", Lidar{Rays: 1, FOV: 2, Range: 10}, V(-1, 1), -0.7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.lidar.Read(w, tt.origin, tt.heading, nil)
			if len(got) != tt.lidar.Rays {
				t.Fatalf("%d readings for %d rays", len(got), tt.lidar.Rays)
			}
			for i, d := range got {
				want := math.Min(roomDistance(tt.origin, tt.heading+tt.lidar.Angle(i)), tt.lidar.Range)
				if math.Abs(d-want) > 1e-9 {
					t.Errorf("ray %d: %v m, want %v", i, d, want)
				}
			}
		})
	}
}

func TestLidarRangeWhenNothingIsHit(t *testing.T) {
	w := newTestWorld(t, testConfig)
	l := Lidar{Rays: 7, FOV: 3, Range: 4.5}
	for i, d := range l.Read(w, V(1, 1), 0, make([]float64, 3)) {
		if d != l.Range {
			t.Errorf("ray %d in an empty world: %v, want the range %v", i, d, l.Range)
		}
	}
}

func TestLidarAngle(t *testing.T) {
	tests := []struct {
		name  string
		lidar Lidar
		want  []float64
	}{
		{"half circle", Lidar{Rays: 5, FOV: math.Pi}, []float64{-math.Pi / 2, -math.Pi / 4, 0, math.Pi / 4, math.Pi / 2}},
		{"two rays", Lidar{Rays: 2, FOV: 1}, []float64{-0.5, 0.5}},
		{"one ray looks ahead", Lidar{Rays: 1, FOV: 2}, []float64{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, want := range tt.want {
				if got := tt.lidar.Angle(i); math.Abs(got-want) > 1e-15 {
					t.Errorf("Angle(%d) = %v, want %v", i, got, want)
				}
			}
		})
	}
}

// TestLidarReadAllocations checks that Read allocates nothing of its own once dst has room:
// the port's ray cast allocates on every call (its callback closure and its tree-walk
// stack), so Read is held to the allocations of the bare port ray casts it makes.
func TestLidarReadAllocations(t *testing.T) {
	w := newRoom(t)
	l := Lidar{Rays: 16, FOV: 2 * math.Pi, Range: 10}
	origin, heading := V(0.3, 0.2), 1.0
	dst := make([]float64, 0, l.Rays)
	read := testing.AllocsPerRun(100, func() { dst = l.Read(w, origin, heading, dst) })
	bare := testing.AllocsPerRun(100, func() {
		for i := range l.Rays {
			to := origin.Add(Polar(l.Range, heading+l.Angle(i)))
			w.b2.RayCast(w.rayFn, toB2(origin), toB2(to))
		}
	})
	t.Logf("allocations for %d rays: Read %v, bare port ray casts %v", l.Rays, read, bare)
	if read > bare {
		t.Errorf("Read made %v allocations, the port's ray casts alone %v", read, bare)
	}
}
