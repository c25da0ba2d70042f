package nn

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestShiftByHand checks shifts of a 3×4 image of 2 channels, worked by hand: pixel (h, w)
// of the source holds 10h+w and -(10h+w).
func TestShiftByHand(t *testing.T) {
	s := Shape{3, 4, 2}
	src := make([]float64, s.Size())
	for h := range 3 {
		for w := range 4 {
			v := float64(10*h + w)
			src[(h*4+w)*2], src[(h*4+w)*2+1] = v, -v
		}
	}
	for _, c := range []struct {
		dy, dx int
		want   [3][4]float64 // the first channel; the second is its negation
	}{
		{0, 0, [3][4]float64{{0, 1, 2, 3}, {10, 11, 12, 13}, {20, 21, 22, 23}}},
		{1, -2, [3][4]float64{{10, 10, 10, 11}, {20, 20, 20, 21}, {20, 20, 20, 21}}},
		{-1, 1, [3][4]float64{{1, 2, 3, 3}, {1, 2, 3, 3}, {11, 12, 13, 13}}},
		{0, 5, [3][4]float64{{3, 3, 3, 3}, {13, 13, 13, 13}, {23, 23, 23, 23}}},
		{-4, -4, [3][4]float64{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}},
	} {
		dst := make([]float64, s.Size())
		shift(dst, src, s, c.dy, c.dx)
		var want []float64
		for _, row := range c.want {
			for _, v := range row {
				want = append(want, v, -v)
			}
		}
		if !slices.Equal(dst, want) {
			t.Errorf("shift by (%d, %d) = %v, want %v", c.dy, c.dx, dst, want)
		}
	}
}

// TestRandomShift checks that RandomShift moves each image by a shift within the padding,
// found by comparing with every candidate, and that over many images every shift turns up
// about equally often; and that it panics on bad arguments.
func TestRandomShift(t *testing.T) {
	s, pad, n := Shape{9, 9, 1}, 2, 2500
	rng := rand.New(rand.NewPCG(1, 2))
	src := randMatrix[float32](rng, n, s.Size())
	dst := NewMatrix[float32](n, s.Size())
	RandomShift(dst, src, s, pad, rand.New(rand.NewPCG(3, 4)))
	counts := map[[2]int]int{}
	cand := make([]float32, s.Size())
	for i := range n {
		found := false
		for dy := -pad; dy <= pad && !found; dy++ {
			for dx := -pad; dx <= pad && !found; dx++ {
				shift(cand, src.Row(i), s, dy, dx)
				if slices.Equal(cand, dst.Row(i)) {
					counts[[2]int{dy, dx}]++
					found = true
				}
			}
		}
		if !found {
			t.Fatalf("image %d is not its source shifted by at most %d pixels", i, pad)
		}
	}
	// 25 shifts of 100 expected draws each: a chi-square above 52.6 (24 degrees of freedom)
	// has probability 1e-3.
	var chi2 float64
	for dy := -pad; dy <= pad; dy++ {
		for dx := -pad; dx <= pad; dx++ {
			d := float64(counts[[2]int{dy, dx}]) - 100
			chi2 += d * d / 100
		}
	}
	if chi2 > 52.6 {
		t.Errorf("shift counts %v: chi-square %.1f over 24 degrees of freedom", counts, chi2)
	}
	checkPanics(t, []panicCase{
		{"negative pad", func() { RandomShift(dst, src, s, -1, rng) }, "RandomShift by -1 pixels"},
		{"wrong shape", func() { RandomShift(dst, src, Shape{9, 8, 1}, 1, rng) }, "src is 2500×81"},
		{"rows differ", func() { RandomShift(NewMatrix[float32](1, 81), src, s, 1, rng) }, "dst is 1×81"},
	})
}
