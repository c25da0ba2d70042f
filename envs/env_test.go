package envs

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

func TestBadActionsRejected(t *testing.T) {
	tests := []struct {
		name   string
		action []float64
		want   string
	}{
		{"too short", []float64{}, "has 0 components, want 1"},
		{"too long", []float64{0, 0}, "has 2 components, want 1"},
		{"NaN", []float64{math.NaN()}, "is NaN"},
		{"+Inf", []float64{math.Inf(1)}, "is +Inf"},
		{"-Inf", []float64{math.Inf(-1)}, "is -Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Make(pendulumID)
			if err != nil {
				t.Fatal(err)
			}
			env.Reset(3)
			var before, after Snapshot
			env.Snapshot(&before)
			_, _, _, _, _, err = env.Step(tt.action)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Step(%v) error %v, want one containing %q", tt.action, err, tt.want)
			}
			env.Snapshot(&after)
			if !snapshotsEqual(&before, &after) {
				t.Error("a rejected action changed the state")
			}
		})
	}
}

// snapshotsEqual compares two snapshots through the environment state they restore.
func snapshotsEqual(a, b *Snapshot) bool {
	ea, _ := Make(pendulumID)
	eb, _ := Make(pendulumID)
	if ea.Restore(a) != nil || eb.Restore(b) != nil {
		return false
	}
	oa, ra, _, _, _, _ := ea.Step([]float64{0.3})
	ob, rb, _, _, _, _ := eb.Step([]float64{0.3})
	return ra == rb && oa[0] == ob[0] && oa[1] == ob[1] && oa[2] == ob[2]
}

func TestOutOfRangeActionsAreClipped(t *testing.T) {
	step := func(a float64) []float64 {
		env, err := Make(pendulumID)
		if err != nil {
			t.Fatal(err)
		}
		env.Reset(5)
		obs, _, _, _, _, err := env.Step([]float64{a})
		if err != nil {
			t.Fatal(err)
		}
		return append([]float64(nil), obs...)
	}
	if got, want := step(7), step(1); got[2] != want[2] {
		t.Errorf("action 7 gave ω %v, action 1 gave %v: want the same after clipping", got[2], want[2])
	}
}

func TestStepOutsideEpisode(t *testing.T) {
	env, err := Make(pendulumID, WithMaxEpisodeSteps(3))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, _, _, err := env.Step([]float64{0}); !errors.Is(err, ErrEpisodeOver) {
		t.Fatalf("Step before Reset: error %v, want ErrEpisodeOver", err)
	}
	env.Reset(0)
	for i := range 3 {
		_, _, _, trunc, info, err := env.Step([]float64{0})
		if err != nil {
			t.Fatal(err)
		}
		if trunc != (i == 2) || info.Steps != i+1 {
			t.Fatalf("step %d: truncated %v, info.Steps %d", i+1, trunc, info.Steps)
		}
	}
	if _, _, _, _, _, err := env.Step([]float64{0}); !errors.Is(err, ErrEpisodeOver) {
		t.Fatalf("Step after the time limit: error %v, want ErrEpisodeOver", err)
	}
}

// TestBlowUpRecovery makes the physics non-finite and checks that the episode is truncated
// with Info.BlowUp, the observation is finite, and Reset brings back a working environment.
func TestBlowUpRecovery(t *testing.T) {
	for _, id := range builtinIDs() {
		t.Run(id, func(t *testing.T) {
			env, err := Make(id)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := env.Reset(1)
			first = append([]float64(nil), first...)
			body := env.(*TimeLimit).Env.(*physicsEnv).world.Bodies()
			body[len(body)-1].ApplyForce(sim.V(math.Inf(1), 0))
			zero := make([]float64, env.ActionSpace().Dim())
			obs, _, term, trunc, info, err := env.Step(zero)
			if err != nil || term || !trunc || !info.BlowUp || info.Success {
				t.Fatalf("after a blow-up: err %v, terminated %v, truncated %v, info %+v", err, term, trunc, info)
			}
			if slices.ContainsFunc(obs, func(x float64) bool { return !isFinite(x) }) {
				t.Errorf("observation after a blow-up is not finite: %v", obs)
			}
			if _, _, _, _, _, err := env.Step(zero); !errors.Is(err, ErrEpisodeOver) {
				t.Errorf("Step after a blow-up: error %v, want ErrEpisodeOver", err)
			}
			again, _ := env.Reset(1)
			if !slices.Equal(again, first) {
				t.Errorf("Reset after a blow-up gave %v, first episode started at %v", again, first)
			}
			if _, _, _, _, info, err := env.Step(zero); err != nil || info.BlowUp {
				t.Errorf("step after recovery: err %v, blow-up %v", err, info.BlowUp)
			}
		})
	}
}

// TestPopVars checks that a wrapper's variables come off the end of a snapshot, also when
// they are all it holds, and that a snapshot too short for them is refused.
func TestPopVars(t *testing.T) {
	s := &Snapshot{vars: []float64{1, 2, 3}}
	for _, tt := range []struct {
		n         int
		inner, v  []float64
		wantError bool
	}{
		{1, []float64{1, 2}, []float64{3}, false},
		{3, []float64{}, []float64{1, 2, 3}, false},
		{4, nil, nil, true},
	} {
		in, v, err := s.popVars(tt.n)
		if tt.wantError {
			if !errors.Is(err, ErrSnapshot) {
				t.Errorf("popVars(%d) of 3: error %v, want ErrSnapshot", tt.n, err)
			}
			continue
		}
		if err != nil || !slices.Equal(in.vars, tt.inner) || !slices.Equal(v, tt.v) {
			t.Errorf("popVars(%d) = %v, %v, %v; want %v, %v", tt.n, in, v, err, tt.inner, tt.v)
		}
	}
}
