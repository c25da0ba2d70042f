package worldmodel

// Batch holds B sequences of L consecutive transitions from one episode each, the data a
// world model trains on, flattened row-major in float32: Obs is B×(L+1)×ObsDim (the L+1
// observations of each sequence, the last being the final transition's next observation),
// Action is B×L×ActDim, Reward and Terminated are B×L.
type Batch struct {
	B, L           int
	ObsDim, ActDim int
	Obs            []float32
	Action         []float32
	Reward         []float32
	Terminated     []bool
}

// Resize shapes b for n sequences of l transitions, reusing its memory where it can. The
// contents are left as they were, to be overwritten.
func (b *Batch) Resize(n, l, obsDim, actDim int) {
	b.B, b.L, b.ObsDim, b.ActDim = n, l, obsDim, actDim
	b.Obs = grow(b.Obs, n*(l+1)*obsDim)
	b.Action = grow(b.Action, n*l*actDim)
	b.Reward = grow(b.Reward, n*l)
	if cap(b.Terminated) < n*l {
		b.Terminated = make([]bool, n*l)
	}
	b.Terminated = b.Terminated[:n*l]
}

// ObsAt returns observation t (0 to L) of sequence s, b's own storage.
func (b *Batch) ObsAt(s, t int) []float32 {
	i := (s*(b.L+1) + t) * b.ObsDim
	return b.Obs[i : i+b.ObsDim]
}

// ActionAt returns action t (0 to L−1) of sequence s, b's own storage.
func (b *Batch) ActionAt(s, t int) []float32 {
	i := (s*b.L + t) * b.ActDim
	return b.Action[i : i+b.ActDim]
}

// grow returns s resliced to length n, or a new slice if s is too small.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
