package agent

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
)

// The agents that show what they imagine and report their model's training.
var (
	_ Imaginer      = (*Oracle)(nil)
	_ Imaginer      = (*ModelBased)(nil)
	_ ModelReporter = (*ModelBased)(nil)
)

// testSpace mixes a symmetric, an offset and a degenerate component.
var testSpace = envs.NewBox([]float64{-1, 2, 0.5}, []float64{1, 3, 0.5})

func actions(t *testing.T, ag Agent, n int) [][]float64 {
	t.Helper()
	var out [][]float64
	for range n {
		a, err := ag.Act(nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(a))
	}
	return out
}

func TestRandomIsDeterministic(t *testing.T) {
	a := actions(t, NewRandom(testSpace, 7), 50)
	b := actions(t, NewRandom(testSpace, 7), 50)
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Fatal("same seed gave different actions")
	}
	c := actions(t, NewRandom(testSpace, 8), 50)
	if slices.EqualFunc(a, c, slices.Equal) {
		t.Fatal("different seeds gave the same actions")
	}
	ag := NewRandom(testSpace, 1)
	actions(t, ag, 10)
	ag.Reset(7)
	if again := actions(t, ag, 50); !slices.EqualFunc(a, again, slices.Equal) {
		t.Fatal("Reset(7) did not replay the sequence of seed 7")
	}
}

func TestRandomStaysInSpace(t *testing.T) {
	lo, hi := []float64{1, 1, 1}, []float64{0, 0, 0}
	for _, a := range actions(t, NewRandom(testSpace, 3), 2000) {
		if !testSpace.Contains(a) {
			t.Fatalf("action %v outside %v", a, testSpace)
		}
		for i, v := range a {
			lo[i], hi[i] = math.Min(lo[i], v-testSpace.Low[i]), math.Max(hi[i], v-testSpace.Low[i])
		}
	}
	// Uniform draws should come close to both ends of each non-degenerate component.
	for i, width := range []float64{2, 1} {
		if lo[i] > 0.05*width || hi[i] < 0.95*width {
			t.Errorf("component %d spans [%v, %v] above its low bound, want most of [0, %v]", i, lo[i], hi[i], width)
		}
	}
}

func TestZeroIsClippedIntoSpace(t *testing.T) {
	for _, tc := range []struct {
		space envs.Box
		want  []float64
	}{
		{envs.UniformBox(-1, 1, 2), []float64{0, 0}},
		{testSpace, []float64{0, 2, 0.5}},
		{envs.NewBox([]float64{-5, math.Inf(-1)}, []float64{-2, math.Inf(1)}), []float64{-2, 0}},
	} {
		ag := NewZero(tc.space)
		ag.Reset(1)
		for _, a := range actions(t, ag, 3) {
			if !slices.Equal(a, tc.want) {
				t.Errorf("zero action in %v = %v, want %v", tc.space, a, tc.want)
			}
		}
	}
}

func TestNew(t *testing.T) {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		t.Fatal(err)
	}
	obs, _ := env.Reset(1) // the oracle plans from the state of the episode under way
	for _, name := range Names() {
		ag, err := New(name, env, 1)
		if err != nil || ag == nil {
			t.Fatalf("New(%q) = %v, %v", name, ag, err)
		}
		a, err := ag.Act(obs)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !env.ActionSpace().Contains(a) {
			t.Errorf("%s: action %v outside the action space", name, a)
		}
	}
	_, err = New("clever", env, 1)
	if err == nil {
		t.Fatal("New accepted an unknown name")
	}
	msg := err.Error()
	if !strings.Contains(msg, `"clever"`) || !strings.Contains(msg, "random, zero") || strings.Contains(msg, "\n") {
		t.Errorf("unknown-agent error %q should be one line naming the agent and the known ones", msg)
	}
}
