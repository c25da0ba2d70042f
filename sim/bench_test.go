package sim

import (
	"math"
	"testing"
)

// BenchmarkWorldStep measures one control step (4 physics sub-steps) of each test scene,
// with its actions.
func BenchmarkWorldStep(b *testing.B) {
	for _, s := range []testScene{cartPole, twoLinkArm, boxPyramid} {
		b.Run(s.name, func(b *testing.B) {
			w := newScene(b, s)
			b.ReportAllocs()
			step := 0
			for b.Loop() {
				s.drive(w, step)
				w.Step()
				step++
			}
		})
	}
}

// BenchmarkSnapshotRestore measures saving a world's state into a sized snapshot and
// restoring it, the cost a planner pays per imagined rollout.
func BenchmarkSnapshotRestore(b *testing.B) {
	for _, s := range []testScene{cartPole, twoLinkArm, boxPyramid} {
		b.Run(s.name, func(b *testing.B) {
			w := newScene(b, s)
			runScene(w, s, 0, 10)
			var snap Snapshot
			w.SnapshotInto(&snap)
			b.ReportAllocs()
			for b.Loop() {
				w.SnapshotInto(&snap)
				if err := w.Restore(&snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRayCast measures single rays in the ray-test layout: one that hits the block,
// one filtered past it to the disc, one that misses everything.
func BenchmarkRayCast(b *testing.B) {
	rays := []struct {
		name     string
		from, to Vec2
		mask     uint16
	}{
		{"hit", V(0, 0), V(10, 0), 0},
		{"masked", V(0, 0), V(10, 0), 4},
		{"miss", V(0, 3), V(10, 3), 0},
	}
	s := newRayScene(b)
	for _, r := range rays {
		b.Run(r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s.w.RayCast(r.from, r.to, r.mask)
			}
		})
	}
}

// BenchmarkLidar16 measures a full-circle 16-ray lidar reading inside the square room.
func BenchmarkLidar16(b *testing.B) {
	w := newRoom(b)
	l := Lidar{Rays: 16, FOV: 2 * math.Pi * 15 / 16, Range: 10}
	dst := make([]float64, 0, l.Rays)
	b.ReportAllocs()
	for b.Loop() {
		dst = l.Read(w, V(0.3, 0.2), 1, dst)
	}
}
