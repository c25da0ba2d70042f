package nn

import "fmt"

// SimNorm applies simplicial normalisation to every row of x in place: it splits the row
// into consecutive groups of group columns and replaces each group by its softmax, so that
// each group is a point on a simplex. Latents normalised this way cannot grow without bound
// or collapse to one point, which keeps a latent world model's training stable (Hansen et
// al., TD-MPC2, 2024). It panics unless group is positive and divides the columns of x.
func SimNorm[T Float](x Matrix[T], group int) {
	checkGroup("SimNorm", x.Cols, group)
	backendFor[T]().simnorm(x.Data[:x.Rows*x.Cols], group)
}

// simnormGo replaces each consecutive group of group elements of x by its softmax.
func simnormGo[T Float](x []T, group int) {
	for g := 0; g < len(x); g += group {
		softmax(x[g : g+group])
	}
}

// SimNormBackward turns dy = dLoss/dy into dLoss/dx in place, for y = SimNorm(x): within
// each group, dx = y ⊙ (dy − Σ y·dy). It panics unless y and dy have the same shape and
// group is positive and divides their columns.
func SimNormBackward[T Float](y, dy Matrix[T], group int) {
	checkGroup("SimNormBackward", y.Cols, group)
	mustShape("SimNormBackward", "dy", dy, y.Rows, y.Cols)
	n := y.Rows * y.Cols
	for g := 0; g < n; g += group {
		ys, ds := y.Data[g:g+group], dy.Data[g:g+group]
		var dot T
		for i, v := range ys {
			dot += v * ds[i]
		}
		for i, v := range ys {
			ds[i] = v * (ds[i] - dot)
		}
	}
}

// checkGroup panics unless group is positive and divides cols.
func checkGroup(op string, cols, group int) {
	if group <= 0 || cols%group != 0 {
		panic(fmt.Sprintf("nn: %s: group of %d does not divide %d columns", op, group, cols))
	}
}

// softmax replaces s by its softmax.
func softmax[T Float](s []T) {
	top := s[0]
	for _, v := range s[1:] {
		top = max(top, v)
	}
	var total T
	for i, v := range s {
		s[i] = exp(v - top)
		total += s[i]
	}
	for i := range s {
		s[i] /= total
	}
}
