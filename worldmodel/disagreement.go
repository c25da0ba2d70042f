package worldmodel

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// DisagreementConfig configures a Disagreement.
type DisagreementConfig struct {
	// Members is the number of predictors, at least 2.
	Members int
	// Hidden lists each predictor's hidden widths.
	Hidden []int
	// Batch is the number of transitions per training step.
	Batch int
	// Optimiser configures the predictors' AdamW.
	Optimiser nn.AdamWConfig
}

// DefaultDisagreementConfig returns five predictors of one hidden layer of 128, trained on
// batches of 128 transitions with AdamW at 1e-3 clipped at norm 20.
func DefaultDisagreementConfig() DisagreementConfig {
	opt := nn.DefaultAdamW(1e-3)
	opt.WeightDecay, opt.MaxGradNorm = 0, 20
	return DisagreementConfig{Members: 5, Hidden: []int{128}, Batch: 128, Optimiser: opt}
}

// MaxDisagreementMembers bounds DisagreementConfig.Members.
const MaxDisagreementMembers = 16

// Disagreement measures how little a model knows of a transition: an ensemble of small
// predictors of the next latent from a latent and an action, each from its own initial
// parameters, trained on the model's encodings of replayed transitions, which they do not
// train. Where the model has seen much, the predictors agree; where it has seen little,
// they disagree, as in Plan2Explore. Planning may count the disagreement as a bonus to
// explore or a penalty to stay where the model is sure (Imagination.SetDisagreement).
type Disagreement struct {
	cfg       DisagreementConfig
	latent    int
	heads     []*nn.MLP[float32]
	opt       *nn.AdamW[float32]
	obs       []float32
	z, next   nn.Matrix[float32] // a training batch's latents and next latents
	in, grad  nn.Matrix[float32] // the heads' input, and the gradient at their output
	query     nn.Matrix[float32] // Spread's input
	spread    []float32
	mean, sq  []float32
	reference float64 // a running mean of the spread over replayed transitions
}

// disagreementStream selects the seed of a disagreement ensemble's predictors.
const disagreementStream = 0x6469_7361_6700_0000

// NewDisagreement returns an untrained ensemble for latents of size latent and actions of
// size action, with parameters drawn from seedValue. It returns an error if a size is not
// positive or c is invalid.
func NewDisagreement(latent, action int, c DisagreementConfig, seedValue uint64) (*Disagreement, error) {
	switch {
	case latent < 1 || action < 1:
		return nil, fmt.Errorf("worldmodel: disagreement over %d-d latents and %d-d actions: want both positive", latent, action)
	case c.Members < 2 || c.Members > MaxDisagreementMembers:
		return nil, fmt.Errorf("worldmodel: disagreement of %d predictors: want 2 to %d", c.Members, MaxDisagreementMembers)
	case c.Batch < 1:
		return nil, fmt.Errorf("worldmodel: disagreement batch %d: want it positive", c.Batch)
	}
	d := &Disagreement{cfg: c, latent: latent,
		z: nn.NewMatrix[float32](c.Batch, latent), next: nn.NewMatrix[float32](c.Batch, latent),
		in: nn.NewMatrix[float32](c.Batch, latent+action), grad: nn.NewMatrix[float32](c.Batch, latent)}
	nets := make([]nn.Net[float32], c.Members)
	for k := range c.Members {
		h, err := mlp(latent+action, c.Hidden, latent, seed.Derive(seedValue, disagreementStream+uint64(k)))
		if err != nil {
			return nil, fmt.Errorf("worldmodel: disagreement: %w", err)
		}
		d.heads, nets[k] = append(d.heads, h), h
	}
	var err error
	if d.opt, err = nn.NewAdamW(c.Optimiser, nets...); err != nil {
		return nil, fmt.Errorf("worldmodel: disagreement: %w", err)
	}
	return d, nil
}

// Batch returns the number of one-step sequences Train wants.
func (d *Disagreement) Batch() int { return d.cfg.Batch }

// Train takes one step of every predictor on b, Batch one-step sequences, towards model's
// latents of the next observations from its latents of the observations and the actions,
// and returns the predictors' mean squared error before the step. It also moves the
// reference spread, which Bonus divides by, towards the spread on b. It returns an error if
// b has the wrong shape, the model's latents another size, or the loss is not finite.
func (d *Disagreement) Train(model Model, b *Batch) (float64, error) {
	if err := checkBatch(b, model.Dims(), d.cfg.Batch, 1); err != nil {
		return 0, err
	}
	if l := model.Dims().Latent; l != d.latent {
		return 0, fmt.Errorf("worldmodel: disagreement over %d-d latents trained with a model of %d-d latents", d.latent, l)
	}
	for t, dst := range []nn.Matrix[float32]{d.z, d.next} {
		d.obs = encodeStep(model, b, t, dst, d.obs)
	}
	for s := range b.B {
		row := d.in.Row(s)
		copy(row, d.z.Row(s))
		copy(row[d.latent:], b.ActionAt(s, 0))
	}
	spread := d.spreadOf(d.in)
	loss, err := fitMembers(d.heads, d.in, d.next, d.grad, "disagreement")
	if err != nil {
		return loss, err
	}
	d.opt.Step()
	d.follow(spread)
	return loss, nil
}

// referenceRate is the rate at which the reference spread follows the spread on each
// training batch.
const referenceRate = 0.01

// follow moves the reference spread towards the mean of spread; the first batch sets it.
func (d *Disagreement) follow(spread []float32) {
	var mean float64
	for _, s := range spread {
		mean += float64(s) / float64(len(spread))
	}
	if d.reference == 0 {
		d.reference = mean
		return
	}
	d.reference += referenceRate * (mean - d.reference)
}

// Spread returns, for each row of latents z and actions a, the variance of the predictors'
// next latents, averaged over the latent's components: the ensemble's own storage, valid
// until the next Spread, Bonus or Train. It panics if the shapes do not match.
func (d *Disagreement) Spread(z, a nn.Matrix[float32]) []float32 {
	n := z.Rows
	if a.Rows != n || z.Cols != d.latent {
		panic(fmt.Sprintf("worldmodel: Spread: %d×%d latents and %d actions, want %d columns", z.Rows, z.Cols, a.Rows, d.latent))
	}
	shape(&d.query, n, z.Cols+a.Cols)
	joinRows(d.query, z, a)
	return d.spreadOf(d.query)
}

// spreadOf returns Spread of the predictors' inputs in, latents and actions side by side.
func (d *Disagreement) spreadOf(in nn.Matrix[float32]) []float32 {
	n := in.Rows
	d.mean, d.sq = grow(d.mean, n*d.latent), grow(d.sq, n*d.latent)
	clear(d.mean)
	clear(d.sq)
	for _, h := range d.heads {
		for i, v := range h.Infer(in).Data {
			d.mean[i] += v
			d.sq[i] += v * v
		}
	}
	k := float32(len(d.heads))
	d.spread = grow(d.spread, n)
	for r := range n {
		var v float32
		for j := range d.latent {
			m := d.mean[r*d.latent+j] / k
			v += max(d.sq[r*d.latent+j]/k-m*m, 0)
		}
		d.spread[r] = v / float32(d.latent)
	}
	return d.spread
}

// Bonus returns Spread divided by the reference spread of replayed transitions, so that
// 1 is as unsure as the model is on average of what it has seen; zeros before training.
func (d *Disagreement) Bonus(z, a nn.Matrix[float32]) []float32 {
	s := d.Spread(z, a)
	if d.reference <= 0 {
		clear(s)
		return s
	}
	for i := range s {
		s[i] = float32(float64(s[i]) / d.reference)
	}
	return s
}

// disagreementKind names disagreement states.
const disagreementKind = "disagreement"

// MarshalBinary returns the ensemble's state: its predictors, optimiser and reference
// spread. It never fails.
func (d *Disagreement) MarshalBinary() ([]byte, error) {
	ck, _ := d.checkpoint().MarshalBinary()
	ref, _ := binary.Append(nil, binary.LittleEndian, d.reference)
	return marshalParts(disagreementKind, ck, ref), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into an ensemble built with the
// same configuration; it changes nothing and returns an error if data is not such a state.
func (d *Disagreement) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(disagreementKind, data, 2)
	if err != nil {
		return err
	}
	if len(parts[1]) != 8 {
		return fmt.Errorf("worldmodel: disagreement: a reference spread of %d bytes, want 8", len(parts[1]))
	}
	ref := math.Float64frombits(binary.LittleEndian.Uint64(parts[1]))
	if !(ref >= 0) || math.IsInf(ref, 0) {
		return fmt.Errorf("worldmodel: disagreement: reference spread %v, want a finite number ≥ 0", ref)
	}
	if err := d.checkpoint().UnmarshalBinary(parts[0]); err != nil {
		return err
	}
	d.reference = ref
	return nil
}

// checkpoint returns the ensemble's networks and optimiser.
func (d *Disagreement) checkpoint() nn.Checkpoint[float32] {
	return nn.Checkpoint[float32]{Nets: d.heads, Opt: d.opt}
}
