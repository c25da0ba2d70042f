package envs

import (
	"math"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/sim"
)

// circleTrack returns a track of n control points on a circle of radius r.
func circleTrack(n int, r, width float64) *assets.Track {
	t := &assets.Track{Name: "circle", Width: width}
	for i := range n {
		t.Points = append(t.Points, sim.Polar(r, 2*math.Pi*float64(i)/float64(n)))
	}
	return t
}

// TestRoadCircle lays out a circle of radius 10 m through 36 points: the spline stays within
// millimetres of the circle, so the loop is 2π·10 m long, bends everywhere with a curvature
// of 1/10 m, to the left, and projects points as the circle would.
func TestRoadCircle(t *testing.T) {
	r, err := newRoad(circleTrack(36, 10, 2))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.length-2*math.Pi*10) > 0.01 {
		t.Errorf("length %v, want about %v", r.length, 2*math.Pi*10)
	}
	for i, p := range r.pts {
		if math.Abs(p.Len()-10) > 0.005 || math.Abs(r.curv[i]-0.1) > 0.001 {
			t.Fatalf("sample %d at radius %v, curvature %v; want about 10 and 0.1", i, p.Len(), r.curv[i])
		}
	}
	// A point 0.5 m inside the circle a quarter of the way round: 0.5 m left of the
	// centreline (counter-clockwise travel), a quarter of the length along.
	_, s, off := r.project(sim.Polar(9.5, math.Pi/2), -1, 0)
	if math.Abs(s-r.length/4) > 0.05 || math.Abs(off-0.5) > 0.05 {
		t.Errorf("projection at %v m, offset %v; want about %v and 0.5", s, off, r.length/4)
	}
	// The local search from a hint finds the same sample as the whole search.
	i, _, _ := r.project(sim.Polar(10.3, 1), -1, 0)
	if j, _, _ := r.project(sim.Polar(10.3, 1), i+3, 8); j != i {
		t.Errorf("search near sample %d found %d, the whole search %d", i+3, j, i)
	}
	if k := r.at(r.length / 2); math.Abs(r.s[k]-r.length/2) > roadStep {
		t.Errorf("at(half the length) = sample %d at %v m", k, r.s[k])
	}
	if k := r.at(-1); k != r.at(r.length-1) {
		t.Errorf("at(−1) = %d, want the sample 1 m before the end, %d", k, r.at(r.length-1))
	}
	left, right := r.left, r.right
	if d := left[0].Sub(right[0]).Len(); math.Abs(d-2) > 1e-9 || left[0].Len() > right[0].Len() {
		t.Errorf("edges %v and %v: want 2 m apart, the left one inside", left[0], right[0])
	}
}

// TestShippedTracksLayOut checks that every track in assets makes a road.
func TestShippedTracksLayOut(t *testing.T) {
	for _, name := range assets.TrackNames() {
		tr, err := assets.LoadTrack(name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newRoad(tr)
		if err != nil {
			t.Error(err)
			continue
		}
		t.Logf("%s: %.1f m, tightest radius %.2g m", name, r.length, 1/maxAbs(r.curv))
	}
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// TestRoadRefusesFolds checks that a bend tighter than half the width and a loop that comes
// back across itself are refused, naming the track.
func TestRoadRefusesFolds(t *testing.T) {
	tight := circleTrack(8, 1.5, 4) // radius 1.5 m, half width 2 m
	cross := &assets.Track{Name: "eight", Width: 1, Points: []sim.Vec2{sim.V(0, 0), sim.V(20, 20), sim.V(40, 0), sim.V(20, -20), sim.V(0, 0.5), sim.V(-20, 20), sim.V(-40, 0), sim.V(-20, -20)}}
	near := &assets.Track{Name: "near", Width: 2, Points: []sim.Vec2{sim.V(0, 0), sim.V(20, 0), sim.V(20, 1.5), sim.V(0, 1.5)}} // radius 0.75 at the ends
	for _, tc := range []struct {
		track *assets.Track
		want  string
	}{{tight, "bends"}, {cross, "comes back"}, {near, "track near"}} {
		if _, err := newRoad(tc.track); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.track.Name) {
			t.Errorf("%s: error %v, want one about %q", tc.track.Name, err, tc.want)
		}
	}
}
