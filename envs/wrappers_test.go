package envs

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestWrappersCheck runs Check on each wrapper around the pendulum, which among other
// things tests that their snapshots carry their state.
func TestWrappersCheck(t *testing.T) {
	tests := []struct {
		name string
		wrap func(Env) (Env, error)
	}{
		{"ActionRepeat", func(e Env) (Env, error) { return NewActionRepeat(e, 3), nil }},
		{"RescaleAction", func(e Env) (Env, error) { return NewRescaleAction(e, []float64{0}, []float64{2}) }},
		{"ClipAction", func(e Env) (Env, error) { return NewClipAction(e), nil }},
		{"RecordEpisodeStatistics", func(e Env) (Env, error) { return NewRecordEpisodeStatistics(e), nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			newEnv := func() (Env, error) {
				env, err := Make(pendulumID)
				if err != nil {
					return nil, err
				}
				return tc.wrap(env)
			}
			if err := Check(newEnv, CheckSteps(3000)); err != nil {
				t.Error(err)
			}
		})
	}
}

// recorder remembers the last action its environment was stepped with.
type recorder struct {
	Env
	last []float64
}

func (r *recorder) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	r.last = slices.Clone(a)
	return r.Env.Step(a)
}

func TestActionRepeat(t *testing.T) {
	for _, k := range []int{1, 3, 7} {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			inner, outer := newFake(faultNone), NewActionRepeat(newFake(faultNone), k)
			checkRepeatSpec(t, inner.Spec(), outer.Spec(), k)
			inner.Reset(4)
			outer.Reset(4)
			a := []float64{0.6}
			for step := 1; ; step++ {
				var sum float64
				var wantObs []float64
				var done bool
				for range k {
					obs, r, _, trunc, _, _ := inner.Step(a)
					sum += r
					wantObs, done = obs, trunc
					if done {
						break
					}
				}
				obs, r, _, trunc, info, err := outer.Step(a)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(obs, wantObs) || r != sum || trunc != done || info.Steps != step {
					t.Fatalf("step %d: obs %v, reward %v, truncated %v, steps %d; want %v, %v, %v, %d",
						step, obs, r, trunc, info.Steps, wantObs, sum, done, step)
				}
				if done {
					if step != outer.Spec().MaxEpisodeSteps {
						t.Errorf("episode ended after %d steps, spec says %d", step, outer.Spec().MaxEpisodeSteps)
					}
					return
				}
			}
		})
	}
}

// checkRepeatSpec checks the spec of an ActionRepeat with k repeats against the wrapped one.
func checkRepeatSpec(t *testing.T, inner, outer Spec, k int) {
	t.Helper()
	kf := float64(k)
	if outer.ControlDT != kf*inner.ControlDT || outer.Substeps != k*inner.Substeps {
		t.Errorf("timing %v s, %d substeps; want %v s, %d", outer.ControlDT, outer.Substeps, kf*inner.ControlDT, k*inner.Substeps)
	}
	if want := int(math.Ceil(float64(inner.MaxEpisodeSteps) / kf)); outer.MaxEpisodeSteps != want {
		t.Errorf("time limit %d steps, want %d", outer.MaxEpisodeSteps, want)
	}
	if want := [2]float64{0, kf}; outer.RewardRange != want {
		t.Errorf("reward range %v, want %v", outer.RewardRange, want)
	}
}

// rangeEnv is an environment whose spec states another reward range.
type rangeEnv struct {
	Env
	lo, hi float64
}

func (e rangeEnv) Spec() Spec {
	s := e.Env.Spec()
	s.RewardRange = [2]float64{e.lo, e.hi}
	return s
}

// TestActionRepeatRewardRange checks that k repeats widen a reward range that crosses zero
// at both ends: k rewards of −2 to 4 sum to −2k to 4k.
func TestActionRepeatRewardRange(t *testing.T) {
	env := NewActionRepeat(rangeEnv{newFake(faultNone), -2, 4}, 3)
	if got, want := env.Spec().RewardRange, [2]float64{-6, 12}; got != want {
		t.Errorf("reward range %v, want %v", got, want)
	}
}

func TestActionRepeatPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewActionRepeat(env, 0) did not panic")
		}
	}()
	NewActionRepeat(newFake(faultNone), 0)
}

func TestRescaleAction(t *testing.T) {
	rec := &recorder{Env: newFake(faultNone)}
	r, err := NewRescaleAction(rec, []float64{0}, []float64{10})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ActionSpace(); !slices.Equal(got.Low, []float64{0}) || !slices.Equal(got.High, []float64{10}) {
		t.Errorf("action space %v, want [0, 10]", got)
	}
	r.Reset(1)
	for _, tc := range []struct{ a, want float64 }{{0, -1}, {10, 1}, {5, 0}, {7.5, 0.5}, {20, 3}} {
		if _, _, _, _, _, err := r.Step([]float64{tc.a}); err != nil {
			t.Fatal(err)
		}
		if math.Abs(rec.last[0]-tc.want) > 1e-15 {
			t.Errorf("action %v became %v, want %v", tc.a, rec.last[0], tc.want)
		}
	}
	// A box that does not start at 0: [2, 6] onto [−1, 1] is a ↦ (a − 4)/2.
	off, err := NewRescaleAction(rec, []float64{2}, []float64{6})
	if err != nil {
		t.Fatal(err)
	}
	off.Reset(1)
	for _, tc := range []struct{ a, want float64 }{{2, -1}, {6, 1}, {3, -0.5}, {5.5, 0.75}} {
		if _, _, _, _, _, err := off.Step([]float64{tc.a}); err != nil {
			t.Fatal(err)
		}
		if math.Abs(rec.last[0]-tc.want) > 1e-15 {
			t.Errorf("[2, 6]: action %v became %v, want %v", tc.a, rec.last[0], tc.want)
		}
	}
	if _, _, _, _, _, err := r.Step([]float64{math.NaN()}); err == nil {
		t.Error("a NaN action was accepted")
	}
}

func TestRescaleActionErrors(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name      string
		env       Env
		low, high []float64
		want      string
	}{
		{"too many bounds", newFake(faultNone), []float64{0, 0}, []float64{1, 1}, "2 lower and 2 upper bounds"},
		{"lengths differ", newFake(faultNone), []float64{0}, []float64{}, "1 lower and 0 upper"},
		{"empty box", newFake(faultNone), []float64{1}, []float64{1}, "want finite low < high"},
		{"infinite bound", newFake(faultNone), []float64{0}, []float64{inf}, "want finite low < high"},
		{"NaN bound", newFake(faultNone), []float64{math.NaN()}, []float64{1}, "want finite low < high"},
		{"unbounded env", NewClipAction(newFake(faultNone)), []float64{0}, []float64{1}, "infinite bound"},
		{"width overflows", newFake(faultNone), []float64{-1e308}, []float64{1e308}, "too far apart"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRescaleAction(tc.env, tc.low, tc.high)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestClipAction(t *testing.T) {
	rec := &recorder{Env: newFake(faultNone)}
	c := NewClipAction(rec)
	if s := c.ActionSpace(); !math.IsInf(s.Low[0], -1) || !math.IsInf(s.High[0], 1) || !slices.Equal(s.Shape, []int{1}) {
		t.Errorf("action space %v, want unbounded of shape 1", s)
	}
	c.Reset(1)
	for _, tc := range []struct{ a, want float64 }{{5, 1}, {-3, -1}, {0.25, 0.25}} {
		if _, _, _, _, _, err := c.Step([]float64{tc.a}); err != nil {
			t.Fatal(err)
		}
		if rec.last[0] != tc.want {
			t.Errorf("action %v passed on as %v, want %v", tc.a, rec.last[0], tc.want)
		}
	}
	for _, bad := range [][]float64{{math.Inf(1)}, {0, 0}} {
		if _, _, _, _, _, err := c.Step(bad); err == nil {
			t.Errorf("action %v was accepted", bad)
		}
	}
}

func TestRecordEpisodeStatistics(t *testing.T) {
	r := NewRecordEpisodeStatistics(newFake(faultNone))
	r.Reset(2)
	a := []float64{-0.4}
	var (
		ret  float64
		snap Snapshot
		last Info
	)
	for step := 1; step <= fakeEpisode; step++ {
		if step == 10 {
			r.Snapshot(&snap)
			if _, _, _, _, _, err := r.Step([]float64{math.NaN()}); err == nil {
				t.Fatal("a NaN action was accepted")
			}
		}
		_, rew, _, trunc, info, err := r.Step(a)
		if err != nil {
			t.Fatal(err)
		}
		ret += rew
		if info.Episode.Done != trunc {
			t.Fatalf("step %d: episode done %v, truncated %v", step, info.Episode.Done, trunc)
		}
		last = info
	}
	want := EpisodeStats{Done: true, Return: ret, Length: fakeEpisode, Seconds: last.Time, Success: last.Success}
	if last.Episode != want {
		t.Errorf("episode %+v, want %+v", last.Episode, want)
	}
	// Replaying from a snapshot taken at step 10 must give the same statistics.
	if err := r.Restore(&snap); err != nil {
		t.Fatal(err)
	}
	var info Info
	for range fakeEpisode - 9 {
		_, _, _, _, info, _ = r.Step(a)
	}
	if info.Episode != want {
		t.Errorf("after Restore, episode %+v, want %+v", info.Episode, want)
	}
}

// TestTimeLimitOne checks the shortest limit: one step, then truncation; and that a limit
// of no steps is refused.
func TestTimeLimitOne(t *testing.T) {
	for _, max := range []int{0, -1} {
		func() {
			defer func() {
				if msg := fmt.Sprint(recover()); !strings.Contains(msg, "max steps must be positive") {
					t.Errorf("NewTimeLimit(%d): panic %q, want one saying the limit must be positive", max, msg)
				}
			}()
			NewTimeLimit(newFake(faultNone), max)
		}()
	}
	env := NewTimeLimit(newFake(faultNone), 1)
	env.Reset(1)
	if _, _, term, trunc, _, err := env.Step([]float64{0}); err != nil || term || !trunc {
		t.Errorf("first step of a 1-step limit: terminated %v, truncated %v, error %v; want truncated", term, trunc, err)
	}
}
