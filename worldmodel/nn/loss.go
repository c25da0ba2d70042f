package nn

import "math"

// The losses return their value in float64, summed in float64 whatever T is, and write the
// gradient with respect to their first argument into grad, which must have that argument's
// shape; a grad with nil Data skips the gradient. They panic on mismatched shapes.

// MSE returns the mean over all elements of (pred - target)², as PyTorch's MSELoss does, and
// its gradient with respect to pred.
func MSE[T Float](pred, target, grad Matrix[T]) float64 {
	mustShape("MSE", "target", target, pred.Rows, pred.Cols)
	withGrad := gradShape("MSE", grad, pred.Rows, pred.Cols)
	n := pred.Rows * pred.Cols
	if n == 0 {
		return 0
	}
	scale := T(2 / float64(n))
	var total float64
	for i, p := range pred.Data[:n] {
		e := p - target.Data[i]
		total += float64(e) * float64(e)
		if withGrad {
			grad.Data[i] = scale * e
		}
	}
	return total / float64(n)
}

// BCEWithLogits returns the mean over all elements of the binary cross-entropy between
// the probabilities sigmoid(logits) and target, whose elements are probabilities in [0, 1],
// computed without overflow for logits of any size, as PyTorch's BCEWithLogitsLoss does; its
// gradient with respect to the logits is (sigmoid(logits) − target)/n.
func BCEWithLogits[T Float](logits, target, grad Matrix[T]) float64 {
	mustShape("BCEWithLogits", "target", target, logits.Rows, logits.Cols)
	withGrad := gradShape("BCEWithLogits", grad, logits.Rows, logits.Cols)
	n := logits.Rows * logits.Cols
	if n == 0 {
		return 0
	}
	inv := 1 / float64(n)
	var total float64
	for i, l := range logits.Data[:n] {
		x, y := float64(l), float64(target.Data[i])
		total += max(x, 0) - x*y + math.Log1p(math.Exp(-math.Abs(x)))
		if withGrad {
			grad.Data[i] = T(inv * (1/(1+math.Exp(-x)) - y))
		}
	}
	return total * inv
}

// GaussianNLL returns the mean negative log-likelihood of target under independent Gaussians,
// without the constant log(2π)/2: the mean over all elements of (logVar + (target-mean)²/var)/2.
// out holds the means in its first target.Cols columns and the log-variances in the next
// target.Cols, the layout of a network with twice as many outputs as targets, as in a PETS
// ensemble member. It writes the gradient with respect to out.
func GaussianNLL[T Float](out, target, grad Matrix[T]) float64 {
	d := target.Cols
	mustShape("GaussianNLL", "output", out, target.Rows, 2*d)
	withGrad := gradShape("GaussianNLL", grad, out.Rows, out.Cols)
	n := target.Rows * d
	if n == 0 {
		return 0
	}
	inv := 1 / float64(n)
	var total float64
	for r := range target.Rows {
		o, y := out.Row(r), target.Row(r)
		for j, t := range y {
			e := float64(o[j]) - float64(t)
			logVar := float64(o[d+j])
			prec := math.Exp(-logVar)
			total += logVar + e*e*prec
			if withGrad {
				g := grad.Row(r)
				g[j] = T(inv * e * prec)
				g[d+j] = T(inv * 0.5 * (1 - e*e*prec))
			}
		}
	}
	return 0.5 * total * inv
}

// cosineEps keeps CosineDistance finite for a zero row.
const cosineEps = 1e-8

// CosineDistance returns the mean over rows of 1 - cos(pred_i, target_i), the angle-only
// distance JEPA predictors are trained with, and its gradient with respect to pred (target
// is treated as a constant, as behind a stop-gradient). A zero row counts as orthogonal.
func CosineDistance[T Float](pred, target, grad Matrix[T]) float64 {
	mustShape("CosineDistance", "target", target, pred.Rows, pred.Cols)
	withGrad := gradShape("CosineDistance", grad, pred.Rows, pred.Cols)
	if pred.Rows == 0 {
		return 0
	}
	inv := 1 / float64(pred.Rows)
	var total float64
	for r := range pred.Rows {
		p, t := pred.Row(r), target.Row(r)
		var pp, tt, pt float64
		for j := range p {
			a, b := float64(p[j]), float64(t[j])
			pp, tt, pt = pp+a*a, tt+b*b, pt+a*b
		}
		np, nt := max(math.Sqrt(pp), cosineEps), max(math.Sqrt(tt), cosineEps)
		cos := pt / (np * nt)
		total += 1 - cos
		if withGrad {
			// d cos/d p = t/(|p||t|) - cos·p/|p|².
			g := grad.Row(r)
			for j := range g {
				g[j] = T(-inv * (float64(t[j])/(np*nt) - cos*float64(p[j])/(np*np)))
			}
		}
	}
	return total * inv
}

// gradShape reports whether a loss should write its gradient, and panics if grad has data of
// the wrong shape.
func gradShape[T Float](op string, grad Matrix[T], rows, cols int) bool {
	if grad.Data == nil {
		return false
	}
	mustShape(op, "grad", grad, rows, cols)
	return true
}
