package nn

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// affineNet returns a float64 network that is a single affine map from 1 input to n outputs,
// so that its parameters are n weights and n biases that a test can set directly.
func affineNet(t *testing.T, n int) *MLP[float64] {
	t.Helper()
	net, err := NewMLP[float64](Spec{Sizes: []int{1, n}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// TestAdamWQuadratic minimises ½·Σ aᵢ(pᵢ - cᵢ)² with curvatures spread over three orders of
// magnitude and checks that every parameter reaches its minimum.
func TestAdamWQuadratic(t *testing.T) {
	net := affineNet(t, 4)
	p := net.Params()
	a := []float64{0.01, 0.3, 1, 10, 2, 0.05, 5, 0.7}
	c := []float64{3, -2, 0.5, 1, -1, 4, 0, -3}
	opt, err := NewAdamW(AdamWConfig{LR: 0.05, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, net)
	if err != nil {
		t.Fatal(err)
	}
	for range 3000 {
		for i := range p {
			net.Grads()[i] = a[i] * (p[i] - c[i])
		}
		opt.Step()
	}
	for i := range p {
		if !(math.Abs(p[i]-c[i]) <= 1e-3) {
			t.Errorf("parameter %d = %.6f, want %.6f (curvature %v)", i, p[i], c[i], a[i])
		}
	}
}

// TestAdamWFirstSteps checks the first two updates against Adam's formulas worked by hand,
// with weight decay.
func TestAdamWFirstSteps(t *testing.T) {
	net := affineNet(t, 1)
	p, g := net.Params(), net.Grads()
	p[0], p[1] = 1, -2
	cfg := AdamWConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.99, Eps: 1e-8, WeightDecay: 0.5}
	opt, err := NewAdamW(cfg, net)
	if err != nil {
		t.Fatal(err)
	}
	// Step 1 with g = 0.2: m = 0.02, v = 4e-4, m̂ = 0.2, v̂ = 0.04, so the Adam term is
	// 0.2/(0.2 + eps) and p = 1 - 0.1·(0.2/(0.2 + eps) + 0.5·1) ≈ 0.85. With g = 0 the Adam term
	// is 0: p = -2 - 0.1·0.5·(-2) = -1.9.
	g[0], g[1] = 0.2, 0
	opt.Step()
	// Step 2 with g = -0.1: m = 0.018 - 0.01 = 0.008, v = 0.000396 + 0.0001 = 0.000496,
	// m̂ = 0.008/0.19, v̂ = 0.000496/0.0199.
	g[0] = -0.1
	opt.Step()
	p1 := 1 - 0.1*(0.2/(0.2+1e-8)+0.5)
	mHat, vHat := 0.008/0.19, 0.000496/0.0199
	want := p1 - 0.1*(mHat/(math.Sqrt(vHat)+1e-8)+0.5*p1)
	if !(math.Abs(p[0]-want) <= 1e-12) {
		t.Errorf("after two steps p = %.15f, want %.15f", p[0], want)
	}
	if want := -1.9 * (1 - 0.1*0.5); !(math.Abs(p[1]-want) <= 1e-12) {
		t.Errorf("with zero gradients p = %.15f, want %.15f (weight decay only)", p[1], want)
	}
	if opt.Steps() != 2 {
		t.Errorf("Steps() = %d, want 2", opt.Steps())
	}
}

// TestAdamWClipping checks that clipping by global norm across two networks equals stepping
// with gradients scaled down beforehand, and that gradients under the limit are untouched.
func TestAdamWClipping(t *testing.T) {
	run := func(maxNorm, prescale float64, grads [2][]float64) [][]float64 {
		nets := []Net[float64]{affineNet(t, 2), affineNet(t, 1)}
		for i, n := range nets {
			for j, v := range grads[i] {
				n.Grads()[j] = v * prescale
			}
		}
		opt, err := NewAdamW(AdamWConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, MaxGradNorm: maxNorm}, nets...)
		if err != nil {
			t.Fatal(err)
		}
		if want := math.Sqrt(sumSquares(grads[0])+sumSquares(grads[1])) * prescale; !(math.Abs(opt.GradNorm()-want) <= 1e-12) {
			t.Errorf("GradNorm() = %v, want %v", opt.GradNorm(), want)
		}
		opt.Step()
		return [][]float64{nets[0].Params(), nets[1].Params()}
	}
	grads := [2][]float64{{3, 0, -4, 1}, {0, 12}} // global norm 13.038…
	norm := math.Sqrt(sumSquares(grads[0]) + sumSquares(grads[1]))
	clipped, scaled := run(2, 1, grads), run(0, 2/norm, grads)
	for i := range clipped {
		if !slices.Equal(clipped[i], scaled[i]) {
			t.Errorf("network %d: clipped step gave %v, prescaled gradients %v", i, clipped[i], scaled[i])
		}
	}
	loose, plain := run(20, 1, grads), run(0, 1, grads)
	for i := range loose {
		if !slices.Equal(loose[i], plain[i]) {
			t.Errorf("network %d: a norm under the limit was clipped: %v against %v", i, loose[i], plain[i])
		}
	}
}

// TestAdamWConfigErrors checks that invalid hyperparameters are refused by name.
func TestAdamWConfigErrors(t *testing.T) {
	net := affineNet(t, 1)
	for _, c := range []struct {
		edit func(*AdamWConfig)
		want string
	}{
		{func(c *AdamWConfig) { c.LR = 0 }, "LR"},
		{func(c *AdamWConfig) { c.LR = math.NaN() }, "LR"},
		{func(c *AdamWConfig) { c.Beta1 = 1 }, "Beta1"},
		{func(c *AdamWConfig) { c.Beta2 = -0.1 }, "Beta2"},
		{func(c *AdamWConfig) { c.Eps = 0 }, "Eps"},
		{func(c *AdamWConfig) { c.WeightDecay = -1 }, "WeightDecay"},
		{func(c *AdamWConfig) { c.MaxGradNorm = math.NaN() }, "MaxGradNorm"},
	} {
		cfg := DefaultAdamW(1e-3)
		c.edit(&cfg)
		if _, err := NewAdamW(cfg, net); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewAdamW(%+v) = %v, want an error naming %s", cfg, err, c.want)
		}
	}
	if _, err := NewAdamW[float64](DefaultAdamW(1e-3)); err == nil {
		t.Error("NewAdamW with no networks succeeded")
	}
}

// TestGradNorm checks the global gradient norm over networks of odd and even parameter
// counts against the hand-worked √(1+4+4 + 0+16) = 5.
func TestGradNorm(t *testing.T) {
	a, err := NewMLP[float32](Spec{Sizes: []int{2, 1}}, 1) // 3 parameters
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewMLP[float32](Spec{Sizes: []int{1, 1}}, 1) // 2 parameters
	if err != nil {
		t.Fatal(err)
	}
	copy(a.grads, []float32{1, -2, 2})
	copy(b.grads, []float32{0, 4})
	opt, err := NewAdamW(DefaultAdamW(1e-3), a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := opt.GradNorm(); got != 5 {
		t.Errorf("GradNorm = %v, want 5", got)
	}
}
