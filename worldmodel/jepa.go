package worldmodel

import (
	"errors"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// JEPAConfig holds a JEPA's architecture and training hyper-parameters.
type JEPAConfig struct {
	// Latent is the size of the latent state, a multiple of Group.
	Latent int
	// Group is the SimNorm group size: the latent is Latent/Group softmax groups.
	Group int
	// Encoder, Predictor and Probe list the hidden widths of the three networks.
	Encoder, Predictor, Probe []int
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
}

// DefaultJEPAConfig returns the configuration every environment uses: a 64-d latent of 8
// SimNorm groups, a one-hidden-layer encoder of 256, a predictor of two hidden layers of 128
// (small, because planning runs it hundreds of times per action), a 5-step loss with
// weights 0.5^t on batches of 128 sequences, and AdamW at 1e-3 with clipping at norm 20.
func DefaultJEPAConfig() JEPAConfig {
	opt := nn.DefaultAdamW(1e-3)
	opt.WeightDecay, opt.MaxGradNorm = 0, 20
	return JEPAConfig{
		Latent: 64, Group: 8,
		Encoder: []int{256}, Predictor: []int{128, 128}, Probe: []int{128},
		Horizon: 5, Batch: 128, Rho: 0.5,
		Consistency: 20, RewardWeight: 1,
		TargetRate: 0.01,
		Optimiser:  opt,
	}
}

// Validate returns an error describing the first setting out of range, or nil.
func (c JEPAConfig) Validate() error {
	switch {
	case c.Group < 1 || c.Latent < c.Group || c.Latent%c.Group != 0:
		return fmt.Errorf("worldmodel: JEPA latent %d in groups of %d: want a positive multiple of the group", c.Latent, c.Group)
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
// A probe, trained on the side from detached latents to observations, reads latents out for
// the viewer.
type JEPA struct {
	cfg                     JEPAConfig
	dims                    Dims
	enc, target, pred, prob *nn.MLP[float32]
	unrolled                []*nn.MLP[float32] // one sharer of pred per training step
	opt, probeOpt           *nn.AdamW[float32]
	scale                   scaler

	// planning buffers
	obsIn, predIn, next, readout nn.Matrix[float32]
	reward                       []float32

	// training buffers
	all, first, targets nn.Matrix[float32]   // scaled observations, first ones, target latents
	z, in               []nn.Matrix[float32] // latents and predictor inputs per step
	rewards             [][]float32          // predicted rewards per step
	dz, dOut, probeGrad nn.Matrix[float32]
}

// JEPA's networks draw their initial parameters from streams of the seed.
const (
	encoderStream = iota + 1
	predictorStream
	probeStream
)

// NewJEPA returns an untrained JEPA for the given observation and action sizes, with
// parameters drawn from seed; d.Latent is ignored and set from c. It returns an error if
// the sizes are not positive or c is invalid.
func NewJEPA(d Dims, c JEPAConfig, seedValue uint64) (*JEPA, error) {
	if d.Obs < 1 || d.Action < 1 {
		return nil, fmt.Errorf("worldmodel: JEPA for %d-d observations and %d-d actions: want both positive", d.Obs, d.Action)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	d.Latent = c.Latent
	m := &JEPA{cfg: c, dims: d}
	var err error
	build := func(in int, hidden []int, out int, stream uint64) *nn.MLP[float32] {
		var net *nn.MLP[float32]
		if err == nil {
			net, err = mlp(in, hidden, out, seed.Derive(seedValue, stream))
		}
		return net
	}
	m.enc = build(d.Obs, c.Encoder, d.Latent, encoderStream)
	m.pred = build(d.Latent+d.Action, c.Predictor, d.Latent+1, predictorStream)
	m.prob = build(d.Latent, c.Probe, d.Obs, probeStream)
	if err != nil {
		return nil, fmt.Errorf("worldmodel: JEPA: %w", err)
	}
	m.target = m.enc.Clone()
	if m.opt, err = nn.NewAdamW(c.Optimiser, m.enc, m.pred); err == nil {
		m.probeOpt, err = nn.NewAdamW(c.Optimiser, m.prob)
	}
	if err != nil {
		return nil, fmt.Errorf("worldmodel: JEPA: %w", err)
	}
	m.allocTraining()
	return m, nil
}

// allocTraining builds the buffers of a training step, whose shapes never change.
func (m *JEPA) allocTraining() {
	b, h, d := m.cfg.Batch, m.cfg.Horizon, m.dims
	m.all = nn.NewMatrix[float32](b*(h+1), d.Obs)
	m.first = nn.NewMatrix[float32](b, d.Obs)
	m.targets = nn.NewMatrix[float32](b*(h+1), d.Latent)
	m.z = make([]nn.Matrix[float32], h+1)
	m.in = make([]nn.Matrix[float32], h)
	m.rewards = make([][]float32, h)
	m.unrolled = make([]*nn.MLP[float32], h)
	for t := range h + 1 {
		m.z[t] = nn.NewMatrix[float32](b, d.Latent)
	}
	for t := range h {
		m.in[t] = nn.NewMatrix[float32](b, d.Latent+d.Action)
		m.rewards[t] = make([]float32, b)
		m.unrolled[t] = m.pred.Share()
	}
	m.dz = nn.NewMatrix[float32](b, d.Latent)
	m.dOut = nn.NewMatrix[float32](b, d.Latent+1)
	m.probeGrad = nn.NewMatrix[float32](b, d.Obs)
}

// Dims returns the model's sizes.
func (m *JEPA) Dims() Dims { return m.dims }

// SampleShape returns the training batch shape: Batch sequences of Horizon transitions.
func (m *JEPA) SampleShape() (int, int) { return m.cfg.Batch, m.cfg.Horizon }

// Encode returns the latents of a batch of observations. It panics if obs does not have
// Dims().Obs columns.
func (m *JEPA) Encode(obs nn.Matrix[float32]) nn.Matrix[float32] {
	if obs.Cols != m.dims.Obs {
		panic(fmt.Sprintf("worldmodel: JEPA Encode: %d-column observations, want %d", obs.Cols, m.dims.Obs))
	}
	shape(&m.obsIn, obs.Rows, m.dims.Obs)
	for r := range obs.Rows {
		m.scale.apply(m.obsIn.Row(r), obs.Row(r))
	}
	z := m.enc.Infer(m.obsIn)
	nn.SimNorm(z, m.cfg.Group)
	return z
}

// Predict returns the next latents and the rewards for a batch of latents and actions. It
// panics if the shapes do not match the model's sizes or each other.
func (m *JEPA) Predict(z, a nn.Matrix[float32]) (nn.Matrix[float32], []float32) {
	n := z.Rows
	if a.Rows != n || z.Cols != m.dims.Latent || a.Cols != m.dims.Action {
		panic(fmt.Sprintf("worldmodel: JEPA Predict: %d×%d latents and %d×%d actions, want %d and %d columns",
			z.Rows, z.Cols, a.Rows, a.Cols, m.dims.Latent, m.dims.Action))
	}
	shape(&m.predIn, n, m.dims.Latent+m.dims.Action)
	joinRows(m.predIn, z, a)
	shape(&m.next, n, m.dims.Latent)
	m.reward = grow(m.reward, n)
	m.split(m.pred.Infer(m.predIn), m.next, m.reward)
	return m.next, m.reward
}

// Readout returns the observations the probe reads from a batch of latents.
func (m *JEPA) Readout(z nn.Matrix[float32]) nn.Matrix[float32] {
	out := m.prob.Infer(z)
	shape(&m.readout, out.Rows, out.Cols)
	for r := range out.Rows {
		m.scale.invert(m.readout.Row(r), out.Row(r))
	}
	return m.readout
}

// split copies the predictor's output into the SimNorm-ed next latents and the rewards.
func (m *JEPA) split(out, next nn.Matrix[float32], reward []float32) {
	l := m.dims.Latent
	for r := range out.Rows {
		row := out.Row(r)
		copy(next.Row(r), row[:l])
		reward[r] = row[l]
	}
	nn.SimNorm(next, m.cfg.Group)
}

// joinRows writes [a_r, b_r] into each row r of dst.
func joinRows(dst, a, b nn.Matrix[float32]) {
	for r := range dst.Rows {
		row := dst.Row(r)
		copy(row, a.Row(r))
		copy(row[a.Cols:], b.Row(r))
	}
}

// Train takes one gradient step of the multi-step latent prediction and reward losses on
// b, one of the probe, and moves the target encoder towards the encoder.
func (m *JEPA) Train(b *Batch) (Stats, error) {
	if err := checkBatch(b, m.dims, m.cfg.Batch, m.cfg.Horizon); err != nil {
		return Stats{}, err
	}
	fresh := !m.scale.fitted()
	if fresh {
		m.scale.fit(b)
	}
	m.enc.ZeroGrad()
	m.pred.ZeroGrad()
	m.forward(b)
	st := m.backward(b)
	if !finite(st.Loss) || !finite(m.opt.GradNorm()) {
		if fresh {
			m.scale = scaler{} // a failed first step leaves the model as it was
		}
		return st, ErrNotFinite
	}
	m.opt.Step()
	follow(m.target, m.enc, m.cfg.TargetRate)
	st.Probe = m.trainProbe()
	st.LatentStd = m.latentStd()
	return st, nil
}

// forward encodes the batch's observations, the first ones with the encoder and all with
// the target encoder, and rolls the predictor forward, recording every step.
func (m *JEPA) forward(b *Batch) {
	h := m.cfg.Horizon
	for s := range b.B {
		for t := range h + 1 {
			m.scale.apply(m.all.Row(s*(h+1)+t), b.ObsAt(s, t))
		}
		copy(m.first.Row(s), m.all.Row(s*(h+1)))
	}
	targets := m.target.Infer(m.all)
	nn.SimNorm(targets, m.cfg.Group)
	copy(m.targets.Data, targets.Data)
	z0 := m.enc.Forward(m.first)
	nn.SimNorm(z0, m.cfg.Group)
	copy(m.z[0].Data, z0.Data)
	for t := range h {
		for s := range b.B {
			row := m.in[t].Row(s)
			copy(row, m.z[t].Row(s))
			copy(row[m.dims.Latent:], b.ActionAt(s, t))
		}
		m.split(m.unrolled[t].Forward(m.in[t]), m.z[t+1], m.rewards[t])
	}
}

// backward computes the losses of the recorded rollout and sends their gradients back
// through every predictor step into the encoder.
func (m *JEPA) backward(b *Batch) Stats {
	h, l, n := m.cfg.Horizon, m.dims.Latent, b.B
	var st Stats
	var rewardLoss float64 // weighted like the gradient; st.Reward is the plain mean
	clear(m.dz.Data)
	for t := h - 1; t >= 0; t-- {
		w := math.Pow(m.cfg.Rho, float64(t)) / float64(h)
		cw := float32(w * m.cfg.Consistency * 2 / float64(n*l))
		rw := float32(w * m.cfg.RewardWeight * 2 / float64(n))
		for s := range n {
			pred, target := m.z[t+1].Row(s), m.targets.Row(s*(h+1)+t+1)
			dz := m.dz.Row(s)
			for j, p := range pred {
				e := p - target[j]
				st.Prediction += w * float64(e) * float64(e) / float64(n*l)
				dz[j] += cw * e
			}
		}
		nn.SimNormBackward(m.z[t+1], m.dz, m.cfg.Group)
		for s := range n {
			e := m.rewards[t][s] - b.Reward[s*h+t]
			st.Reward += float64(e) * float64(e) / float64(n*h)
			rewardLoss += w * float64(e) * float64(e) / float64(n)
			row := m.dOut.Row(s)
			copy(row, m.dz.Row(s))
			row[l] = rw * e
		}
		din := m.unrolled[t].BackwardInput(m.dOut)
		for s := range n {
			copy(m.dz.Row(s), din.Row(s)[:l])
		}
	}
	nn.SimNormBackward(m.z[0], m.dz, m.cfg.Group)
	m.enc.Backward(m.dz)
	st.Loss = m.cfg.Consistency*st.Prediction + m.cfg.RewardWeight*rewardLoss
	return st
}

// trainProbe takes one step of the probe from the detached first latents to the scaled
// first observations and returns its loss.
func (m *JEPA) trainProbe() float64 {
	m.prob.ZeroGrad()
	loss := nn.MSE(m.prob.Forward(m.z[0]), m.first, m.probeGrad)
	m.prob.Backward(m.probeGrad)
	m.probeOpt.Step()
	return loss
}

// latentStd returns the standard deviation of each component of the first latents over
// the batch, averaged over the components, divided by the standard deviation a component
// has when every group is a uniformly random vertex of its simplex.
func (m *JEPA) latentStd() float64 {
	z := m.z[0]
	var total float64
	for j := range z.Cols {
		var sum, sq float64
		for r := range z.Rows {
			v := float64(z.Data[r*z.Cols+j])
			sum += v
			sq += v * v
		}
		mean := sum / float64(z.Rows)
		total += math.Sqrt(max(sq/float64(z.Rows)-mean*mean, 0))
	}
	p := 1 / float64(m.cfg.Group)
	return total / float64(z.Cols) / math.Sqrt(p*(1-p))
}

// jepaKind names JEPA states.
const jepaKind = "jepa"

// MarshalBinary returns the model's state: observation scaling, the encoder, target
// encoder and predictor with their optimiser, and the probe with its own. It never fails.
func (m *JEPA) MarshalBinary() ([]byte, error) {
	main, _ := m.mainCheckpoint().MarshalBinary()
	probe, _ := m.probeCheckpoint().MarshalBinary()
	return marshalParts(jepaKind, m.scale.marshal(), main, probe), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into a model built with the same
// configuration. It changes nothing and returns an error if data is not such a state.
func (m *JEPA) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(jepaKind, data, 3)
	if err != nil {
		return err
	}
	var scale scaler
	if err := scale.unmarshal(parts[0], m.dims.Obs); err != nil {
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
	m.scale = scale
	return nil
}

func (m *JEPA) mainCheckpoint() nn.Checkpoint[float32] {
	return nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{m.enc, m.pred, m.target}, Opt: m.opt}
}

func (m *JEPA) probeCheckpoint() nn.Checkpoint[float32] {
	return nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{m.prob}, Opt: m.probeOpt}
}
