package nn

import (
	"testing"
)

// TestMatrixSizes checks that empty matrices are made and that negative sizes, data of the
// wrong length and short data behind a right shape panic with a message saying so.
func TestMatrixSizes(t *testing.T) {
	for _, m := range []Matrix[float32]{NewMatrix[float32](0, 3), NewMatrix[float32](2, 0), MatrixOf[float32](0, 3, nil), MatrixOf[float32](2, 0, nil)} {
		if len(m.Data) != 0 {
			t.Errorf("%d×%d matrix holds %d elements", m.Rows, m.Cols, len(m.Data))
		}
	}
	checkPanics(t, []panicCase{
		{"negative rows", func() { NewMatrix[float32](-1, 2) }, "negative size"},
		{"negative columns", func() { NewMatrix[float32](2, -1) }, "negative size"},
		{"short data", func() { MatrixOf(2, 2, make([]float32, 3)) }, "data has 3 elements"},
		{"negative sizes whose product fits", func() { MatrixOf(-1, -1, make([]float32, 1)) }, "data has 1 elements"},
		{"shape right, data short", func() {
			mustShape("op", "m", Matrix[float32]{Rows: 2, Cols: 3, Data: make([]float32, 5)}, 2, 3)
		}, "m is 2×3 (5 elements), want 2×3"},
		{"group 0", func() { SimNorm(NewMatrix[float32](1, 4), 0) }, "group of 0 does not divide 4"},
	})
}

// TestInitBounds checks that NewMLP draws each layer's weights and biases from
// [−1/√in, 1/√in], PyTorch's default: all inside, and spread over both signs.
func TestInitBounds(t *testing.T) {
	net, err := NewMLP[float64](Spec{Sizes: []int{16, 64, 4}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range net.layers {
		bound := 1 / float64([]int{4, 8}[i]) // √16, √64
		var neg, pos, far int
		for _, v := range append(append([]float64(nil), l.w...), l.b...) {
			switch {
			case v < -bound || v > bound:
				t.Fatalf("layer %d: parameter %v outside ±%v", i, v, bound)
			case v < 0:
				neg++
			default:
				pos++
			}
			if v < -bound/2 || v > bound/2 {
				far++
			}
		}
		n := neg + pos
		if neg < n/3 || pos < n/3 || far < n/3 {
			t.Errorf("layer %d: %d negative, %d positive, %d beyond half the bound of %d; want a uniform spread", i, neg, pos, far, n)
		}
	}
}
