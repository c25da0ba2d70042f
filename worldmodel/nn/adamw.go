package nn

import (
	"fmt"
	"math"
	"slices"
)

// Net is a network an optimiser can train: its parameters and their gradients, each one flat
// slice that keeps its length. MLP and Conv are Nets.
type Net[T Float] interface {
	Params() []T
	Grads() []T
}

// Follow moves dst's parameters towards src's at the given rate, in [0, 1]: each becomes
// p + rate·(q − p), as a target network follows the network it tracks (Polyak averaging). It
// panics if the networks differ in size.
func Follow[T Float](dst, src Net[T], rate float64) {
	to, from := dst.Params(), src.Params()
	if len(to) != len(from) {
		panic(fmt.Sprintf("nn: Follow: %d parameters towards %d", len(to), len(from)))
	}
	r := T(rate)
	for i, p := range to {
		to[i] = p + r*(from[i]-p)
	}
}

// AdamWConfig holds AdamW's hyperparameters.
type AdamWConfig struct {
	// LR is the learning rate.
	LR float64
	// Beta1 and Beta2 are the decay rates of the moment estimates, in [0, 1).
	Beta1, Beta2 float64
	// Eps is added to the root of the second moment before dividing by it.
	Eps float64
	// WeightDecay shrinks every parameter by LR·WeightDecay times itself per step, decoupled
	// from the gradient (Loshchilov and Hutter). Zero makes the optimiser plain Adam.
	WeightDecay float64
	// MaxGradNorm, when positive, scales the gradients of all the optimiser's networks
	// together so that their global L2 norm is at most MaxGradNorm before each step.
	MaxGradNorm float64
}

// DefaultAdamW returns PyTorch's AdamW defaults with the given learning rate: betas 0.9 and
// 0.999, eps 1e-8, weight decay 0.01, no gradient clipping.
func DefaultAdamW(lr float64) AdamWConfig {
	return AdamWConfig{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01}
}

// Validate returns an error describing the first invalid hyperparameter, or nil.
func (c AdamWConfig) Validate() error {
	bad := func(name string, v float64, want string) error {
		return fmt.Errorf("nn: AdamW %s = %v, want %s", name, v, want)
	}
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 1):
		return bad("LR", c.LR, "a positive finite number")
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return bad("Beta1", c.Beta1, "[0, 1)")
	case !(c.Beta2 >= 0 && c.Beta2 < 1):
		return bad("Beta2", c.Beta2, "[0, 1)")
	case !(c.Eps > 0):
		return bad("Eps", c.Eps, "a positive number")
	case !(c.WeightDecay >= 0):
		return bad("WeightDecay", c.WeightDecay, "≥ 0")
	case !(c.MaxGradNorm >= 0):
		return bad("MaxGradNorm", c.MaxGradNorm, "≥ 0 (0 turns clipping off)")
	}
	return nil
}

// AdamW trains the parameters of one or more networks with Adam and decoupled weight decay,
// optionally clipping their gradients by global norm first. Its state, the two moment
// estimates per parameter and the step count, is saved and loaded with the networks by
// Checkpoint.
type AdamW[T Float] struct {
	// Config may be changed between steps, for a learning-rate schedule for instance.
	Config AdamWConfig
	nets   []Net[T]
	m, v   [][]T // per network, in the order of nets
	steps  int64
	h      adamStep[T] // the coefficients of the current step, kept here so as not to allocate
}

// NewAdamW returns an optimiser for the parameters of nets, with zero moments. It returns an
// error if the configuration is invalid or there are no networks.
func NewAdamW[T Float](cfg AdamWConfig, nets ...Net[T]) (*AdamW[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(nets) == 0 {
		return nil, fmt.Errorf("nn: NewAdamW needs at least one network")
	}
	o := &AdamW[T]{Config: cfg, nets: slices.Clone(nets)}
	for _, n := range nets {
		o.m = append(o.m, make([]T, len(n.Params())))
		o.v = append(o.v, make([]T, len(n.Params())))
	}
	return o, nil
}

// Steps returns how many updates the optimiser has applied.
func (o *AdamW[T]) Steps() int64 { return o.steps }

// GradNorm returns the global L2 norm of the gradients of all the optimiser's networks.
func (o *AdamW[T]) GradNorm() float64 {
	var ss float64
	for _, n := range o.nets {
		ss += sumSquares(n.Grads())
	}
	return math.Sqrt(ss)
}

// adamStep is one update's coefficients, in the parameters' precision.
type adamStep[T Float] struct {
	lr, beta1, beta2, eps, decay T
	gradScale                    T // clipping factor, 1 when not clipping
	mScale, vScale               T // bias corrections 1/(1-beta1^t) and 1/(1-beta2^t)
}

// Step applies one AdamW update to every network's parameters from their current gradients,
// clipping first when Config.MaxGradNorm is set. It leaves the gradients as they are; call
// ZeroGrad on the networks before the next Backward. It panics if Config is invalid.
func (o *AdamW[T]) Step() {
	c := o.Config
	if err := c.Validate(); err != nil {
		panic(err)
	}
	o.steps++
	t := float64(o.steps)
	o.h = adamStep[T]{
		lr: T(c.LR), beta1: T(c.Beta1), beta2: T(c.Beta2), eps: T(c.Eps), decay: T(c.WeightDecay),
		gradScale: 1,
		mScale:    T(1 / (1 - math.Pow(c.Beta1, t))),
		vScale:    T(1 / (1 - math.Pow(c.Beta2, t))),
	}
	if c.MaxGradNorm > 0 {
		if norm := o.GradNorm(); norm > c.MaxGradNorm {
			o.h.gradScale = T(c.MaxGradNorm / norm)
		}
	}
	for i, n := range o.nets {
		backendFor[T]().adamw(n.Params(), n.Grads(), o.m[i], o.v[i], &o.h)
	}
}

// adamwGo is the AdamW update of one flat run of parameters p with gradients g and moments m
// and v, in one pass.
func adamwGo[T Float](p, g, m, v []T, h *adamStep[T]) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	b1, b2 := h.beta1, h.beta2
	for i := range p {
		gi := g[i] * h.gradScale
		mi := b1*m[i] + (1-b1)*gi
		vi := b2*v[i] + (1-b2)*gi*gi
		m[i], v[i] = mi, vi
		p[i] -= h.lr * (mi*h.mScale/(sqrt(vi*h.vScale)+h.eps) + h.decay*p[i])
	}
}

// sumSquares returns the sum of the squares of s, in float64.
func sumSquares[T Float](s []T) float64 {
	var a0, a1 float64
	j := 0
	for ; j+1 < len(s); j += 2 {
		a0 += float64(s[j]) * float64(s[j])
		a1 += float64(s[j+1]) * float64(s[j+1])
	}
	if j < len(s) {
		a0 += float64(s[j]) * float64(s[j])
	}
	return a0 + a1
}
