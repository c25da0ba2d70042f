package nn

import (
	"math"
	"testing"
)

// handLoss is one loss evaluated on hand-picked values, with its value and gradient worked
// out by hand from the definitions in the doc comments.
type handLoss struct {
	name  string
	loss  func(a, b, grad Matrix[float64]) float64
	a, b  Matrix[float64]
	value float64
	grad  []float64
}

// handMatrix returns a rows×cols matrix holding v.
func handMatrix(rows, cols int, v ...float64) Matrix[float64] {
	return Matrix[float64]{Rows: rows, Cols: cols, Data: v}
}

// sigmoid64 is the logistic function, written out for the tests.
func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// TestLossesByHand checks each loss's value and gradient on 2×3 inputs (so that a count of
// rows + columns is told from rows × columns) against values worked by hand, and that a
// gradient matrix without data is left alone.
func TestLossesByHand(t *testing.T) {
	logits := []float64{0, 2, -3, 10, -1, 0.5}
	probs := []float64{1, 0, 0.5, 1, 0, 0}
	bce, bceGrad := 0.0, make([]float64, 6)
	for i, x := range logits {
		// The textbook form, −(y log σ + (1−y) log(1−σ)), not the overflow-safe one.
		y, s := probs[i], sigmoid64(x)
		bce -= (y*math.Log(s) + (1-y)*math.Log(1-s)) / 6
		bceGrad[i] = (s - y) / 6
	}
	// GaussianNLL: rows of 2 targets; output columns are the 2 means, then the 2 log-variances.
	// Errors (1, −2 | 0, 3), variances (1, 4 | e, 1/4); n = 4.
	ln4 := math.Log(4)
	nll := ((0 + 1) + (ln4 + 4.0/4) + (1 + 0) + (-ln4 + 9*4)) / 2 / 4
	// Gradients e/var/n for the means, (1 − e²/var)/2n for the log-variances, in which
	// e²/var is 1, 1, 0 and 36.
	nllGrad := []float64{
		1.0 / 4, -2.0 / 4 / 4, 0, 0,
		0, 3 * 4.0 / 4, 0.5 / 4, 0.5 * (1 - 36) / 4,
	}
	tests := []handLoss{
		{"MSE", MSE[float64], handMatrix(2, 3, 1, 2, 3, 0, -1, 4), handMatrix(2, 3, 0, 2, 5, 1, 1, 4),
			// errors (1, 0, −2, −1, −2, 0): squares sum to 10 over 6; gradient 2e/6.
			10.0 / 6, []float64{1.0 / 3, 0, -2.0 / 3, -1.0 / 3, -2.0 / 3, 0}},
		{"BCEWithLogits", BCEWithLogits[float64], handMatrix(2, 3, logits...), handMatrix(2, 3, probs...), bce, bceGrad},
		{"GaussianNLL", GaussianNLL[float64], handMatrix(2, 4, 1, -1, 0, ln4, 0, 3, 1, -ln4), handMatrix(2, 2, 0, 1, 0, 0), nll, nllGrad},
		{"CosineDistance", CosineDistance[float64], handMatrix(3, 2, 3, 4, 1, 0, 0, 0), handMatrix(3, 2, 4, 3, 0, 2, 1, 1),
			// cos = 24/25, 0, and 0 for the zero row, whose norm counts as 1e-8; gradient
			// −(t/(|p||t|) − cos·p/|p|²)/3.
			(1.0/25 + 1 + 1) / 3, []float64{-28.0 / 625 / 3, 21.0 / 625 / 3, 0, -1.0 / 3,
				-1 / (1e-8 * math.Sqrt2) / 3, -1 / (1e-8 * math.Sqrt2) / 3}},
	}
	for _, tt := range tests {
		grad := NewMatrix[float64](tt.a.Rows, tt.a.Cols)
		if got := tt.loss(tt.a, tt.b, grad); !(math.Abs(got-tt.value) <= 1e-12) {
			t.Errorf("%s = %.15g, want %.15g", tt.name, got, tt.value)
		}
		for i, g := range grad.Data {
			if want := tt.grad[i]; !(math.Abs(g-want) <= 1e-12*max(1, math.Abs(want))) {
				t.Errorf("%s: gradient %d = %.15g, want %.15g", tt.name, i, g, want)
			}
		}
		if got := tt.loss(tt.a, tt.b, Matrix[float64]{}); !(math.Abs(got-tt.value) <= 1e-12) {
			t.Errorf("%s without a gradient = %.15g, want %.15g", tt.name, got, tt.value)
		}
	}
}
