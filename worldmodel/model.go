package worldmodel

import (
	"encoding"
	"errors"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// Model is a world model learned from experience: it maps observations to latent states,
// predicts the latent state and reward that follow an action, and reads latents back out as
// estimated observations for display.
//
// Batches are nn matrices with one example per row. Results are the model's own storage,
// valid until the next call of the same method. A Model is not safe for concurrent use.
type Model interface {
	// Dims returns the sizes of the model's observations, actions and latents.
	Dims() Dims
	// Encode returns the latents of a batch of observations.
	Encode(obs nn.Matrix[float32]) nn.Matrix[float32]
	// Predict returns the next latents and the rewards for a batch of latents and the
	// actions taken from them.
	Predict(z, a nn.Matrix[float32]) (next nn.Matrix[float32], reward []float32)
	// Readout returns the observations a batch of latents stands for, as estimated by a
	// probe the model trains on the side. Nothing else uses the probe: it shows what the
	// model imagines.
	Readout(z nn.Matrix[float32]) nn.Matrix[float32]
	// SampleShape returns how many sequences of how many transitions Train wants.
	SampleShape() (sequences, length int)
	// Train takes one gradient step on b, which must have the shape SampleShape asks for.
	// The first call also fixes the scaling of observations from b's. It returns the losses
	// of the step, and an error if b has the wrong shape or the loss is not finite.
	Train(b *Batch) (Stats, error)
	// MarshalBinary returns the model's whole state (parameters, optimiser state,
	// observation scaling), and UnmarshalBinary restores it into a model built with the same
	// configuration, changing nothing and returning an error if the data is not such a state.
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// Dims holds a model's sizes.
type Dims struct {
	Obs, Action, Latent int
	// Pixels describes the observations when they are images; zero for states.
	Pixels Pixels
}

// Stats describes one training step.
type Stats struct {
	// Loss is the total loss minimised.
	Loss float64 `json:"loss"`
	// Prediction is the prediction part of the loss: the latent prediction error of a JEPA,
	// the negative log-likelihood of the next observation for PETS, the reconstruction
	// error of a Recon (weighted over its rollout's steps as its loss weighs them).
	Prediction float64 `json:"prediction"`
	// Reward is the mean squared error of the predicted rewards.
	Reward float64 `json:"reward"`
	// Probe is the mean squared error of the readout, in normalised observation units; for
	// a Recon, whose readout is its decoder, its Prediction.
	Probe float64 `json:"probe"`
	// LatentStd is the standard deviation of each latent component over the batch, averaged
	// over the components, as a fraction of what it would be if the latents used their range
	// fully: near 0 means the representation has collapsed. Zero for models whose latent is
	// the observation.
	LatentStd float64 `json:"latent_std"`
}

// ErrNotFinite is wrapped by Train when the loss or the gradients are not finite.
var ErrNotFinite = errors.New("worldmodel: training diverged (non-finite loss)")

// scaler maps observations to zero mean and unit standard deviation per component, with
// statistics fixed from the first training batch.
type scaler struct {
	mean, std []float32
}

// minStd is the smallest scale the scaler divides by. The first batch comes from the few
// seconds of random actions an agent starts with, which may see a sliver of the states it
// will reach: a hanging Acrobot's cos θ₁ hardly moves from 1, and dividing by its spread
// would turn the later swing to −1 into values in the tens or hundreds, where the networks
// extrapolate and the planner exploits their errors. Observations are laid out in units of
// order 1 (cosines and sines, metres, radians per second), so components that varied less
// than that are centred but not magnified.
const minStd = 1

// fitted reports whether the scaler has been fixed.
func (s *scaler) fitted() bool { return s.mean != nil }

// fit fixes the statistics from the observations of b.
func (s *scaler) fit(b *Batch) {
	d := b.ObsDim
	n := len(b.Obs) / d
	mean, sq := make([]float64, d), make([]float64, d)
	for i, v := range b.Obs {
		mean[i%d] += float64(v)
		sq[i%d] += float64(v) * float64(v)
	}
	s.mean, s.std = make([]float32, d), make([]float32, d)
	for j := range d {
		m := mean[j] / float64(n)
		s.mean[j] = float32(m)
		s.std[j] = float32(max(math.Sqrt(max(sq[j]/float64(n)-m*m, 0)), minStd))
	}
}

// apply writes the scaled observation src into dst; before fit it copies src unchanged.
func (s *scaler) apply(dst, src []float32) {
	if !s.fitted() {
		copy(dst, src)
		return
	}
	for j, v := range src {
		dst[j] = (v - s.mean[j]) / s.std[j]
	}
}

// invert writes the observation whose scaled value is src into dst; before fit it copies
// src unchanged.
func (s *scaler) invert(dst, src []float32) {
	if !s.fitted() {
		copy(dst, src)
		return
	}
	for j, v := range src {
		dst[j] = v*s.std[j] + s.mean[j]
	}
}

// checkBatch returns an error unless b holds sequences of the shape wanted.
func checkBatch(b *Batch, d Dims, sequences, length int) error {
	if b.B != sequences || b.L != length || b.ObsDim != d.Obs || b.ActDim != d.Action {
		return fmt.Errorf("worldmodel: batch of %d sequences of %d steps with %d-d observations and %d-d actions, want %d of %d with %d and %d",
			b.B, b.L, b.ObsDim, b.ActDim, sequences, length, d.Obs, d.Action)
	}
	return nil
}

// finite reports whether every value is finite.
func finite(values ...float64) bool {
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// shape makes m a rows×cols matrix, reusing its storage when it is large enough.
func shape(m *nn.Matrix[float32], rows, cols int) {
	m.Rows, m.Cols = rows, cols
	m.Data = grow(m.Data, rows*cols)
}

// mlp returns a new network from in through hidden to out, with LayerNorm and Mish on the
// hidden layers, the architecture of every network in the package's models.
func mlp(in int, hidden []int, out int, seed uint64) (*nn.MLP[float32], error) {
	sizes := append(append([]int{in}, hidden...), out)
	return nn.NewMLP[float32](nn.Spec{Sizes: sizes, LayerNorm: true, Activation: nn.Mish}, seed)
}
