package envs

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func nan() float64 { return math.NaN() }

func TestBox(t *testing.T) {
	inf := math.Inf(1)
	b := NewBox([]float64{-1, 0, -inf, -inf}, []float64{1, 2, inf, 3})
	tests := []struct {
		x    []float64
		want bool
	}{
		{[]float64{0, 1, 100, -100}, true},
		{[]float64{-1, 2, -inf, 3}, true},
		{[]float64{1.5, 1, 0, 0}, false},
		{[]float64{0, 1, 0, 4}, false},
		{[]float64{0, 1, nan(), 0}, false},
		{[]float64{0, 1, 0}, false},
	}
	for _, tt := range tests {
		if got := b.Contains(tt.x); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
	clipped := b.Clip(make([]float64, 4), []float64{-5, 5, 7, 9})
	if want := []float64{-1, 2, 7, 3}; !slices.Equal(clipped, want) {
		t.Errorf("Clip = %v, want %v", clipped, want)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 4)
	for range 1000 {
		if b.Sample(rng, x); !b.Contains(x) {
			t.Fatalf("Sample gave %v outside %v", x, b)
		}
	}
}

func TestBoxString(t *testing.T) {
	tests := []struct {
		b    Box
		want string
	}{
		{UniformBox(-1, 1, 2), "Box([-1, 1], shape 2)"},
		{UniformBox(0, 1, 3, 64, 64), "Box([0, 1], shape 3×64×64)"},
		{NewBox([]float64{-1, math.Inf(-1)}, []float64{1, math.Inf(1)}), "Box(low [-1 -Inf], high [1 +Inf], shape 2)"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestNewBoxPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"lengths":  func() { NewBox([]float64{0}, []float64{1, 2}) },
		"inverted": func() { NewBox([]float64{1}, []float64{0}) },
		"NaN":      func() { NewBox([]float64{nan()}, []float64{0}) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestRewardShaping(t *testing.T) {
	tests := []struct {
		name      string
		got, want float64
	}{
		{"inside bounds", tolerance(0.5, 0, 1, 1, 0.1), 1},
		{"at the margin", tolerance(3, 0, 1, 2, 0.1), 0.1},
		{"below, at the margin", tolerance(-2, 0, 1, 2, 0.1), 0.1},
		{"no margin outside", tolerance(2, 0, 1, 0, 0.1), 0},
		{"quadratic at zero", quadraticTolerance(0, 1), 1},
		{"quadratic at the margin", quadraticTolerance(1, 1), 0},
		{"quadratic beyond", quadraticTolerance(-3, 1), 0},
		{"no effort", smallControl([]float64{0, 0}), 1},
		{"full effort", smallControl([]float64{1, -1}), 0.8},
		{"wrap π", wrapAngle(math.Pi), math.Pi},
		{"wrap −π", wrapAngle(-math.Pi), math.Pi},
		{"wrap 3π/2", wrapAngle(1.5 * math.Pi), -0.5 * math.Pi},
		{"wrap −5π/2", wrapAngle(-2.5 * math.Pi), -0.5 * math.Pi},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-12 {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestNewBoxPoint checks that equal bounds make a valid box of one point.
func TestNewBoxPoint(t *testing.T) {
	b := NewBox([]float64{2, -1}, []float64{2, 0})
	if b.Dim() != 2 || b.Low[0] != 2 || b.High[0] != 2 {
		t.Errorf("NewBox with equal bounds = %+v", b)
	}
}
