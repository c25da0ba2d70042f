package worldmodel

import (
	"errors"
	"fmt"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// JEPAConfig holds a JEPA's architecture and training hyper-parameters.
type JEPAConfig struct {
	// Latent is the size of the latent state, a multiple of Group.
	Latent int
	// Group is the SimNorm group size: the latent is Latent/Group softmax groups.
	Group int
	// Encoder, Predictor and Probe list the hidden widths of the three networks' MLPs.
	Encoder, Predictor, Probe []int
	// Conv configures the convolutions before the encoder's MLP, and the transposed ones
	// after the probe's, of a model of images (Dims.Pixels); models of states ignore it.
	Conv ConvConfig
	// Horizon is the number of steps the training loss rolls the predictor forward.
	Horizon int
	// Batch is the number of sequences per training step.
	Batch int
	// Rho weighs the loss of step t by Rho^t, so that nearer predictions count more.
	Rho float64
	// Consistency and RewardWeight weigh the latent prediction and reward losses.
	Consistency, RewardWeight float64
	// TargetRate is the rate at which the target encoder follows the encoder after every
	// step: target ← (1 − TargetRate)·target + TargetRate·encoder.
	TargetRate float64
	// Optimiser configures AdamW for the encoder and predictor; the probe uses the same
	// settings with an optimiser of its own.
	Optimiser nn.AdamWConfig
	// ProbeEvery trains the probe on every ProbeEvery-th training step only (0 means every
	// step). The probe is detached, for display alone, so this changes nothing else.
	ProbeEvery int
}

// DefaultJEPAConfig returns the configuration every environment uses: a 64-d latent of 8
// SimNorm groups, a one-hidden-layer encoder of 256, a predictor of two hidden layers of 128
// (small, because planning runs it hundreds of times per action), a 5-step loss with
// weights 0.5^t on batches of 128 sequences, and AdamW at 1e-3 with clipping at norm 20;
// for images, DefaultConvConfig's convolutions.
func DefaultJEPAConfig() JEPAConfig {
	opt := nn.DefaultAdamW(1e-3)
	opt.WeightDecay, opt.MaxGradNorm = 0, 20
	return JEPAConfig{
		Latent: 64, Group: 8,
		Encoder: []int{256}, Predictor: []int{128, 128}, Probe: []int{128},
		Conv:    DefaultConvConfig(),
		Horizon: 5, Batch: 128, Rho: 0.5,
		Consistency: 20, RewardWeight: 1,
		TargetRate: 0.01,
		Optimiser:  opt,
	}
}

// DefaultPixelJEPAConfig returns the configuration of a JEPA that learns from images:
// DefaultJEPAConfig with batches of 32 sequences of 3 steps, since every image of a batch
// passes through the convolutions, and the probe, which decodes whole frames, trained on
// every fourth step (docs/decisions/pixels.md has the timings).
func DefaultPixelJEPAConfig() JEPAConfig {
	c := DefaultJEPAConfig()
	c.Batch, c.Horizon, c.ProbeEvery = 32, 3, 4
	return c
}

// latent returns the settings a JEPA shares with a Recon.
func (c JEPAConfig) latent() latentConfig {
	return latentConfig{
		latent: c.Latent, group: c.Group, encoder: c.Encoder, predictor: c.Predictor, decode: c.Probe,
		horizon: c.Horizon, batch: c.Batch, rho: c.Rho, rewardWeight: c.RewardWeight, conv: c.Conv,
	}
}

// Validate returns an error describing the first setting out of range, or nil.
func (c JEPAConfig) Validate() error {
	switch {
	case c.Group < 1 || c.Latent < c.Group || c.Latent%c.Group != 0:
		return fmt.Errorf("worldmodel: JEPA latent %d in groups of %d: want a positive multiple of the group", c.Latent, c.Group)
	case c.ProbeEvery < 0:
		return fmt.Errorf("worldmodel: JEPA probe every %d steps: want a whole number ≥ 0", c.ProbeEvery)
	case c.Horizon < 1 || c.Batch < 1:
		return fmt.Errorf("worldmodel: JEPA horizon %d and batch %d: want both positive", c.Horizon, c.Batch)
	case !(c.Rho > 0 && c.Rho <= 1):
		return fmt.Errorf("worldmodel: JEPA rho %v: want it in (0, 1]", c.Rho)
	case !(c.Consistency > 0) || !(c.RewardWeight >= 0) || !finite(c.Consistency, c.RewardWeight):
		return fmt.Errorf("worldmodel: JEPA loss weights %v and %v: want a positive consistency weight and a reward weight ≥ 0", c.Consistency, c.RewardWeight)
	case !(c.TargetRate > 0 && c.TargetRate <= 1):
		return fmt.Errorf("worldmodel: JEPA target rate %v: want it in (0, 1]", c.TargetRate)
	}
	return c.Optimiser.Validate()
}

// JEPA is a joint-embedding predictive world model. An encoder maps each observation to a
// latent of SimNorm groups; a predictor maps a latent and an action to the next latent and
// the reward. Training rolls the predictor Horizon steps forward from the encoding of a
// sequence's first observation and pulls each predicted latent towards the encoding of the
// observation that really followed, computed by a target encoder that trails the encoder
// as an exponential moving average and passes no gradient. Nothing is ever decoded back
// into observations in that training signal: the model learns what is predictable about
// the world, not every detail of it. SimNorm keeps the latents on simplices, so they cannot
// collapse to a point or blow up; Stats.LatentStd measures how much of that room they use.
//
// Observations are states, or images when Dims.Pixels says so: then the encoder begins
// with convolutions (JEPAConfig.Conv). A probe, trained on the side from detached latents
// to observations (for images, to the newest frame), reads latents out for the viewer.
// Recon is the same model trained to reconstruct instead.
type JEPA struct {
	*latentModel
	cfg           JEPAConfig
	target        *chain
	opt, probeOpt *nn.AdamW[float32]

	targets, probeGrad, probeTarget nn.Matrix[float32]
	probeLoss                       float64 // of the probe's last training step
}

// NewJEPA returns an untrained JEPA for the given sizes, with parameters drawn from seed;
// d.Latent is ignored and set from c. It returns an error if the sizes are not positive,
// d.Pixels does not describe d.Obs values or does not fit c.Conv, or c is invalid.
func NewJEPA(d Dims, c JEPAConfig, seedValue uint64) (*JEPA, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	core, err := newLatentModel(d, c.latent(), seedValue)
	if err != nil {
		return nil, fmt.Errorf("worldmodel: JEPA: %w", err)
	}
	m := &JEPA{latentModel: core, cfg: c, target: core.enc.clone()}
	if m.opt, err = nn.NewAdamW(c.Optimiser, append(core.enc.nets(), core.pred)...); err == nil {
		m.probeOpt, err = nn.NewAdamW(c.Optimiser, core.dec.nets()...)
	}
	if err != nil {
		return nil, fmt.Errorf("worldmodel: JEPA: %w", err)
	}
	b, h := c.Batch, c.Horizon
	m.targets = nn.NewMatrix[float32](b*(h+1), c.Latent)
	m.probeTarget = nn.NewMatrix[float32](b, m.obs.decoded(core.dims.Obs))
	m.probeGrad = nn.NewMatrix[float32](b, m.obs.decoded(core.dims.Obs))
	return m, nil
}

// Train takes one gradient step of the multi-step latent prediction and reward losses on
// b, one of the probe when due (ProbeEvery), and moves the target encoder towards the
// encoder.
func (m *JEPA) Train(b *Batch) (Stats, error) {
	st, err := m.trainStep(b, m.opt, m.forward, m.backward)
	if err != nil {
		return st, err
	}
	m.target.follow(m.enc, m.cfg.TargetRate)
	if every := int64(max(m.cfg.ProbeEvery, 1)); m.opt.Steps()%every == 0 {
		m.probeLoss = m.trainProbe()
	}
	st.Probe = m.probeLoss
	return st, nil
}

// forward prepares the batch's observations, encodes them all with the target encoder and
// rolls the predictor forward from the first ones, recording every step. It reports
// whether it fixed the scaling of observations.
func (m *JEPA) forward(b *Batch) (fitted bool) {
	fitted = m.prepare(b)
	targets := m.target.infer(m.all)
	nn.SimNorm(targets, m.cfg.Group)
	copy(m.targets.Data, targets.Data)
	m.rollout(b)
	return fitted
}

// backward computes the losses of the recorded rollout and sends their gradients back
// through every predictor step into the encoder.
func (m *JEPA) backward(b *Batch) Stats {
	h, l, n := m.cfg.Horizon, m.dims.Latent, b.B
	var st Stats
	consistency := func(t int, dz nn.Matrix[float32]) {
		if t == 0 {
			return
		}
		w := m.stepWeight(t - 1)
		cw := float32(w * m.cfg.Consistency * 2 / float64(n*l))
		for s := range n {
			pred, target := m.z[t].Row(s), m.targets.Row(s*(h+1)+t)
			row := dz.Row(s)
			for j, p := range pred {
				e := p - target[j]
				st.Prediction += w * float64(e) * float64(e) / float64(n*l)
				row[j] += cw * e
			}
		}
	}
	var rewardLoss float64 // weighted like the gradient; st.Reward is the plain mean
	st.Reward, rewardLoss = m.latentModel.backward(b, consistency)
	st.Loss = m.cfg.Consistency*st.Prediction + m.cfg.RewardWeight*rewardLoss
	return st
}

// trainProbe takes one step of the probe from the detached first latents to the prepared
// first observations (for images, their newest frames) and returns its loss.
func (m *JEPA) trainProbe() float64 {
	m.dec.zeroGrad()
	for s := range m.first.Rows {
		m.obs.newest(m.probeTarget.Row(s), m.first.Row(s))
	}
	loss := nn.MSE(m.dec.forward(m.z[0]), m.probeTarget, m.probeGrad)
	m.dec.backward(m.probeGrad, false)
	m.probeOpt.Step()
	return loss
}

// jepaKind names JEPA states.
const jepaKind = "jepa"

// MarshalBinary returns the model's state: observation scaling, the encoder, target
// encoder and predictor with their optimiser, and the probe with its own. It never fails.
func (m *JEPA) MarshalBinary() ([]byte, error) {
	main, _ := m.mainCheckpoint().MarshalBinary()
	probe, _ := m.probeCheckpoint().MarshalBinary()
	return marshalParts(jepaKind, m.obs.marshal(), main, probe), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into a model built with the same
// configuration. It changes nothing and returns an error if data is not such a state.
func (m *JEPA) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(jepaKind, data, 3)
	if err != nil {
		return err
	}
	obs, err := m.obs.unmarshal(parts[0], m.dims.Obs)
	if err != nil {
		return err
	}
	// Decode into copies first, so that a bad probe part leaves the model unchanged.
	main := m.mainCheckpoint()
	backup, _ := main.MarshalBinary()
	if err := main.UnmarshalBinary(parts[1]); err != nil {
		return fmt.Errorf("worldmodel: JEPA networks: %w", err)
	}
	if err := m.probeCheckpoint().UnmarshalBinary(parts[2]); err != nil {
		return errors.Join(fmt.Errorf("worldmodel: JEPA probe: %w", err), main.UnmarshalBinary(backup))
	}
	obs()
	return nil
}

func (m *JEPA) mainCheckpoint() nn.Checkpoint[float32] {
	mlps, convs := chainNets(m.enc, m.target)
	return nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{mlps[0], m.pred, mlps[1]}, Convs: convs, Opt: m.opt}
}

func (m *JEPA) probeCheckpoint() nn.Checkpoint[float32] {
	mlps, convs := chainNets(m.dec)
	return nn.Checkpoint[float32]{Nets: mlps, Convs: convs, Opt: m.probeOpt}
}
