package worldmodel

import (
	"fmt"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// ReconConfig holds a Recon's architecture and training hyper-parameters.
type ReconConfig struct {
	// Latent is the size of the latent state, a multiple of Group.
	Latent int
	// Group is the SimNorm group size: the latent is Latent/Group softmax groups.
	Group int
	// Encoder, Predictor and Decoder list the hidden widths of the three networks' MLPs.
	Encoder, Predictor, Decoder []int
	// Conv configures the convolutions before the encoder's MLP, and the transposed ones
	// after the decoder's, of a model of images (Dims.Pixels); models of states ignore it.
	Conv ConvConfig
	// Horizon is the number of steps the training loss rolls the predictor forward.
	Horizon int
	// Batch is the number of sequences per training step.
	Batch int
	// Rho weighs the losses of predictor step t by Rho^t.
	Rho float64
	// Reconstruction and RewardWeight weigh the reconstruction and reward losses.
	Reconstruction, RewardWeight float64
	// Optimiser configures AdamW for the three networks.
	Optimiser nn.AdamWConfig
}

// DefaultReconConfig returns DefaultJEPAConfig's settings for a Recon: the same networks
// (the probe's become the decoder's), horizon, batch, step weights and optimiser, and the
// reconstruction loss weighed as JEPA weighs its latent prediction loss. The two models
// then differ only in their objective.
func DefaultReconConfig() ReconConfig { return reconLike(DefaultJEPAConfig()) }

// DefaultPixelReconConfig returns DefaultPixelJEPAConfig's settings for a Recon, as
// DefaultReconConfig does DefaultJEPAConfig's.
func DefaultPixelReconConfig() ReconConfig { return reconLike(DefaultPixelJEPAConfig()) }

// reconLike returns the Recon that differs from a JEPA of configuration j only in its
// objective.
func reconLike(j JEPAConfig) ReconConfig {
	return ReconConfig{
		Latent: j.Latent, Group: j.Group,
		Encoder: j.Encoder, Predictor: j.Predictor, Decoder: j.Probe, Conv: j.Conv,
		Horizon: j.Horizon, Batch: j.Batch, Rho: j.Rho,
		Reconstruction: j.Consistency, RewardWeight: j.RewardWeight,
		Optimiser: j.Optimiser,
	}
}

// Validate returns an error describing the first setting out of range, or nil.
func (c ReconConfig) Validate() error {
	j := DefaultJEPAConfig()
	j.Latent, j.Group, j.Horizon, j.Batch, j.Rho = c.Latent, c.Group, c.Horizon, c.Batch, c.Rho
	j.Consistency, j.RewardWeight, j.Optimiser = c.Reconstruction, c.RewardWeight, c.Optimiser
	if err := j.Validate(); err != nil {
		return fmt.Errorf("%w (as a Recon's: the consistency weight is the reconstruction weight)", err)
	}
	return nil
}

// latent returns the settings a Recon shares with a JEPA.
func (c ReconConfig) latent() latentConfig {
	return latentConfig{
		latent: c.Latent, group: c.Group, encoder: c.Encoder, predictor: c.Predictor, decode: c.Decoder,
		horizon: c.Horizon, batch: c.Batch, rho: c.Rho, rewardWeight: c.RewardWeight, conv: c.Conv,
	}
}

// Recon is a generative world model in the family of PlaNet and Dreamer, built as JEPA is
// (the same encoder, SimNorm latents, predictor and decoder) but trained to reconstruct
// what it observes: the decoder maps the encoding of a sequence's first observation, and
// each latent the predictor rolls forward from it, back to the observation at that step
// (for images, its newest frame as observed, without the random shift the encoder's input
// has, which no latent rolled forward could predict), and the squared error of every value
// counts in the loss with the reward's. It is deterministic, with no stochastic latent. Its
// decoder's readout is what the viewer shows.
type Recon struct {
	*latentModel
	cfg ReconConfig
	opt *nn.AdamW[float32]

	zs, out, frames, grad nn.Matrix[float32] // every step's latents, their decoding, the frames to reconstruct, its gradient
}

// NewRecon returns an untrained Recon for the given sizes, with parameters drawn from
// seed; d.Latent is ignored and set from c. It returns an error if the sizes are not
// positive, d.Pixels does not describe d.Obs values or does not fit c.Conv, or c is invalid.
func NewRecon(d Dims, c ReconConfig, seedValue uint64) (*Recon, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	core, err := newLatentModel(d, c.latent(), seedValue)
	if err != nil {
		return nil, fmt.Errorf("worldmodel: Recon: %w", err)
	}
	m := &Recon{latentModel: core, cfg: c}
	nets := append(append(core.enc.nets(), core.pred), core.dec.nets()...)
	if m.opt, err = nn.NewAdamW(c.Optimiser, nets...); err != nil {
		return nil, fmt.Errorf("worldmodel: Recon: %w", err)
	}
	rows, out := c.Batch*(c.Horizon+1), core.obs.decoded(core.dims.Obs)
	m.zs = nn.NewMatrix[float32](rows, c.Latent)
	m.frames = nn.NewMatrix[float32](rows, out)
	m.grad = nn.NewMatrix[float32](rows, out)
	return m, nil
}

// Train takes one gradient step of the multi-step reconstruction and reward losses on b.
func (m *Recon) Train(b *Batch) (Stats, error) {
	st, err := m.trainStep(b, m.opt, m.forward, m.backward)
	st.Probe = st.Prediction
	return st, err
}

// forward prepares the batch's observations, rolls the predictor forward from the first
// ones and decodes every step's latents, recording it all. Row t·B + s of the decoded
// matrix stands for step t of sequence s. It reports whether it fixed the scaling of
// observations.
func (m *Recon) forward(b *Batch) (fitted bool) {
	fitted = m.prepare(b)
	m.rollout(b)
	h, n := m.cfg.Horizon, b.B
	for t := range h + 1 {
		copy(m.zs.Data[t*n*m.dims.Latent:], m.z[t].Data)
		for s := range n {
			m.obs.newest(m.frames.Row(t*n+s), m.prepared.Row(s*(h+1)+t))
		}
	}
	m.out = m.dec.forward(m.zs)
	return fitted
}

// backward computes the losses of the recorded rollout and sends their gradients back
// through the decoder, every predictor step and the encoder. The reconstruction of step
// t > 0 weighs Rho^(t−1)/Horizon, as JEPA's prediction of that step does, and that of the
// observed step 0 weighs 1/Horizon.
func (m *Recon) backward(b *Batch) Stats {
	h, n, cols := m.cfg.Horizon, b.B, m.frames.Cols
	var st Stats
	for t := range h + 1 {
		w := m.stepWeight(max(t-1, 0))
		g := float32(w * m.cfg.Reconstruction * 2 / float64(n*cols))
		rows := m.out.Data[t*n*cols : (t+1)*n*cols]
		for i, p := range rows {
			e := p - m.frames.Data[t*n*cols+i]
			st.Prediction += w * float64(e) * float64(e) / float64(n*cols)
			m.grad.Data[t*n*cols+i] = g * e
		}
	}
	dzs := m.dec.backward(m.grad, true)
	l := m.dims.Latent
	reconstruction := func(t int, dz nn.Matrix[float32]) {
		for i, g := range dzs.Data[t*n*l : (t+1)*n*l] {
			dz.Data[i] += g
		}
	}
	var rewardLoss float64
	st.Reward, rewardLoss = m.latentModel.backward(b, reconstruction)
	st.Loss = m.cfg.Reconstruction*st.Prediction + m.cfg.RewardWeight*rewardLoss
	return st
}

// reconKind names Recon states.
const reconKind = "recon"

// MarshalBinary returns the model's state: the observation scaling (or the random shifts'
// position), and the networks with their optimiser. It never fails.
func (m *Recon) MarshalBinary() ([]byte, error) {
	nets, _ := m.checkpoint().MarshalBinary()
	return marshalParts(reconKind, m.obs.marshal(), nets), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into a model built with the same
// configuration. It changes nothing and returns an error if data is not such a state.
func (m *Recon) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(reconKind, data, 2)
	if err != nil {
		return err
	}
	obs, err := m.obs.unmarshal(parts[0], m.dims.Obs)
	if err != nil {
		return err
	}
	if err := m.checkpoint().UnmarshalBinary(parts[1]); err != nil {
		return fmt.Errorf("worldmodel: Recon networks: %w", err)
	}
	obs()
	return nil
}

func (m *Recon) checkpoint() nn.Checkpoint[float32] {
	mlps, convs := chainNets(m.enc, m.dec)
	return nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{mlps[0], m.pred, mlps[1]}, Convs: convs, Opt: m.opt}
}
