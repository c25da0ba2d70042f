package sim

import (
	"math"
	"reflect"
	"testing"
)

// Replay experiments snapshot a scene after snapshotStep control steps, run replaySteps more,
// restore and run them again.
const snapshotStep, replaySteps = 50, 300

// recordAfterSnapshot runs s in w up to snapshotStep, snapshots it, and records the next
// replaySteps steps.
func recordAfterSnapshot(tb testing.TB, w *World, s testScene) (*Snapshot, []float64) {
	tb.Helper()
	runScene(w, s, 0, snapshotStep)
	snap := w.Snapshot()
	return snap, runScene(w, s, snapshotStep, replaySteps)
}

func mustRestore(tb testing.TB, w *World, s *Snapshot) {
	tb.Helper()
	if err := w.Restore(s); err != nil {
		tb.Fatal(err)
	}
}

func TestRestoreReplaysJointsExactly(t *testing.T) {
	for _, s := range []testScene{cartPole, twoLinkArm, slidingBox} {
		t.Run(s.name, func(t *testing.T) {
			w := newScene(t, s)
			snap, want := recordAfterSnapshot(t, w, s)
			t.Run("same world", func(t *testing.T) {
				mustRestore(t, w, snap)
				checkReplay(t, w, s, snap, want)
			})
			t.Run("second world", func(t *testing.T) {
				w2 := newScene(t, s)
				runScene(w2, s, 1000, 17) // give it a different history first
				mustRestore(t, w2, snap)
				checkReplay(t, w2, s, snap, want)
			})
		})
	}
}

// checkReplay runs s in w, just restored from snap, and requires every body state to equal
// want bit for bit.
func checkReplay(t *testing.T, w *World, s testScene, snap *Snapshot, want []float64) {
	t.Helper()
	if w.Time() != snap.time {
		t.Errorf("restored time %v, want %v", w.Time(), snap.time)
	}
	got := runScene(w, s, snapshotStep, replaySteps)
	if d := firstDifference(want, got); d >= 0 {
		step, value := snapshotStep+d/(len(got)/replaySteps), d%6
		t.Fatalf("replay differs at step %d (value %d of a body): %v, want %v", step, value, got[d], want[d])
	}
}

// contactDriftBound is the largest distance a box of the pyramid may end from its original
// trajectory after a restore and replaySteps steps. Contact warm starts are not part of a
// snapshot; the measured drift is 2.0e-4 m.
const contactDriftBound = 1e-3

func TestRestoreWithContactsStaysClose(t *testing.T) {
	w := newScene(t, boxPyramid)
	snap, want := recordAfterSnapshot(t, w, boxPyramid)
	mustRestore(t, w, snap)
	got := runScene(w, boxPyramid, snapshotStep, replaySteps)
	drift := 0.0
	for i := 0; i < len(got); i += 6 {
		drift = math.Max(drift, math.Hypot(got[i]-want[i], got[i+1]-want[i+1]))
	}
	t.Logf("largest position drift after restore: %.3g m over %d steps", drift, replaySteps)
	if drift > contactDriftBound {
		t.Fatalf("drift %.3g m exceeds %g m", drift, contactDriftBound)
	}
}

func TestRestoreRejectsMismatch(t *testing.T) {
	armSnap := newScene(t, twoLinkArm).Snapshot()
	tests := []struct {
		name  string
		build func(tb testing.TB, w *World)
		snap  *Snapshot
	}{
		{"nil snapshot", buildArm, nil},
		{"empty snapshot", buildArm, new(Snapshot)},
		{"extra body", func(tb testing.TB, w *World) {
			buildArm(tb, w)
			mustBody(tb, w, boxBody(V(5, 5), 1, 1))
		}, armSnap},
		{"fewer joints", func(tb testing.TB, w *World) {
			base := mustBody(tb, w, BodyDef{Type: Static})
			upper := mustBody(tb, w, boxBody(V(0, 0.5), 0.1, 1))
			mustBody(tb, w, boxBody(V(0, 1.4), 0.08, 0.8))
			mustRevolute(tb, w, RevoluteDef{A: base, B: upper})
		}, armSnap},
		{"different joint type", func(tb testing.TB, w *World) {
			base := mustBody(tb, w, BodyDef{Type: Static})
			upper := mustBody(tb, w, boxBody(V(0, 0.5), 0.1, 1))
			fore := mustBody(tb, w, boxBody(V(0, 1.4), 0.08, 0.8))
			mustRevolute(tb, w, RevoluteDef{A: base, B: upper})
			mustPrismatic(tb, w, PrismaticDef{A: upper, B: fore, Axis: V(0, 1)})
		}, armSnap},
		{"cart-pole snapshot", buildArm, newScene(t, cartPole).Snapshot()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestWorld(t, testConfig)
			tt.build(t, w)
			for range 10 {
				w.Step()
			}
			before := w.Snapshot()
			if err := w.Restore(tt.snap); err == nil {
				t.Fatal("Restore accepted a snapshot of another layout")
			}
			if after := w.Snapshot(); !reflect.DeepEqual(before, after) {
				t.Fatal("a failed Restore changed the world")
			}
		})
	}
}

func TestSnapshotAllocations(t *testing.T) {
	for _, s := range []testScene{cartPole, twoLinkArm, boxPyramid} {
		t.Run(s.name, func(t *testing.T) {
			w := newScene(t, s)
			var snap Snapshot
			w.SnapshotInto(&snap)
			if n := testing.AllocsPerRun(100, func() { w.SnapshotInto(&snap) }); n != 0 {
				t.Errorf("SnapshotInto into a sized snapshot: %v allocations, want 0", n)
			}
			// Restore has the port update each fixture's broad-phase box, and the port's
			// shape interface makes it allocate the two boxes it computes.
			limit := 2.0 * float64(fixtureCount(w))
			if n := testing.AllocsPerRun(100, func() { _ = w.Restore(&snap) }); n > limit {
				t.Errorf("Restore: %v allocations, want at most %v (the port's own)", n, limit)
			}
		})
	}
}

func fixtureCount(w *World) int {
	n := 0
	for _, b := range w.Bodies() {
		for f := b.b.M_fixtureList; f != nil; f = f.M_next {
			n++
		}
	}
	return n
}
