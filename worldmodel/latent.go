package worldmodel

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// latentModel is what JEPA and Recon share, so that they differ only in what trains the
// latent: an encoder (an MLP, or convolutions and an MLP for images) to SimNorm latents, a
// predictor of the next latent and the reward, and a decoder from latents to observations
// (JEPA's probe, Recon's reconstruction); the rollout of a training sequence, the reward
// loss and the gradient through the predictor steps.
type latentModel struct {
	dims                  Dims
	group, horizon, batch int
	rho, rewardWeight     float64
	obs                   observations
	enc, dec              *chain
	pred                  *nn.MLP[float32]
	unrolled              []*nn.MLP[float32] // one sharer of pred per training step

	// planning buffers
	obsIn, predIn, next, readout nn.Matrix[float32]
	reward                       []float32

	// training buffers
	prepared, shifted, all, first nn.Matrix[float32]   // observations prepared, augmented; first ones
	z, in                         []nn.Matrix[float32] // latents and predictor inputs per step
	rewards                       [][]float32          // predicted rewards per step
	dz, dOut                      nn.Matrix[float32]

	// ActionValue's buffers: the predictor's input and next latents, the values, the
	// gradient at the predictor's output and at the next latents
	avIn, avNext, avGrad, avDNext nn.Matrix[float32]
	avValue                       []float32
}

// The networks of a latent model draw their initial parameters from streams of the seed.
const (
	encoderStream = iota + 1
	predictorStream
	probeStream
	shiftStream
)

// latentConfig holds the settings JEPAConfig and ReconConfig share.
type latentConfig struct {
	latent, group              int
	encoder, predictor, decode []int
	horizon, batch             int
	rho, rewardWeight          float64
	conv                       ConvConfig
}

// newLatentModel returns the shared part of a model with sizes d (d.Latent set from c),
// parameters drawn from seedValue. It returns an error if the sizes are not positive or do
// not fit the images d describes.
func newLatentModel(d Dims, c latentConfig, seedValue uint64) (*latentModel, error) {
	if d.Obs < 1 || d.Action < 1 {
		return nil, fmt.Errorf("model for %d-d observations and %d-d actions: want both positive", d.Obs, d.Action)
	}
	d.Latent = c.latent
	m := &latentModel{dims: d, group: c.group, horizon: c.horizon, batch: c.batch, rho: c.rho, rewardWeight: c.rewardWeight}
	m.obs.pix = d.Pixels
	var enc, dec *nn.ConvSpec
	if d.Pixels.Images() {
		if d.Pixels.size() != d.Obs {
			return nil, fmt.Errorf("%d-d observations are not images of %d frames of %dx%dx%d", d.Obs, d.Pixels.Stack, d.Pixels.Width, d.Pixels.Height, d.Pixels.Channels)
		}
		e, dd, err := c.conv.specs(d.Pixels)
		if err != nil {
			return nil, err
		}
		enc, dec = &e, &dd
		m.obs.shift = c.conv.Shift
		m.obs.src = rand.NewPCG(seedValue, shiftStream)
		m.obs.rng = rand.New(m.obs.src)
	}
	var err error
	if m.enc, err = newChain(d.Obs, c.encoder, d.Latent, enc, false, seed.Derive(seedValue, encoderStream)); err == nil {
		if m.pred, err = mlp(d.Latent+d.Action, c.predictor, d.Latent+1, seed.Derive(seedValue, predictorStream)); err == nil {
			m.dec, err = newChain(d.Latent, c.decode, d.Obs, dec, true, seed.Derive(seedValue, probeStream))
		}
	}
	if err != nil {
		return nil, err
	}
	m.allocTraining()
	return m, nil
}

// allocTraining builds the buffers of a training step, whose shapes never change.
func (m *latentModel) allocTraining() {
	b, h, d := m.batch, m.horizon, m.dims
	m.prepared = nn.NewMatrix[float32](b*(h+1), d.Obs)
	m.first = nn.NewMatrix[float32](b, d.Obs)
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
}

// Dims returns the model's sizes.
func (m *latentModel) Dims() Dims { return m.dims }

// SampleShape returns the training batch shape: Batch sequences of Horizon transitions.
func (m *latentModel) SampleShape() (int, int) { return m.batch, m.horizon }

// Encode returns the latents of a batch of observations. It panics if obs does not have
// Dims().Obs columns.
func (m *latentModel) Encode(obs nn.Matrix[float32]) nn.Matrix[float32] {
	if obs.Cols != m.dims.Obs {
		panic(fmt.Sprintf("worldmodel: Encode: %d-column observations, want %d", obs.Cols, m.dims.Obs))
	}
	shape(&m.obsIn, obs.Rows, m.dims.Obs)
	for r := range obs.Rows {
		m.obs.prepare(m.obsIn.Row(r), obs.Row(r))
	}
	z := m.enc.infer(m.obsIn)
	nn.SimNorm(z, m.group)
	return z
}

// Predict returns the next latents and the rewards for a batch of latents and actions. It
// panics if the shapes do not match the model's sizes or each other.
func (m *latentModel) Predict(z, a nn.Matrix[float32]) (nn.Matrix[float32], []float32) {
	n := z.Rows
	if a.Rows != n || z.Cols != m.dims.Latent || a.Cols != m.dims.Action {
		panic(fmt.Sprintf("worldmodel: Predict: %d×%d latents and %d×%d actions, want %d and %d columns",
			z.Rows, z.Cols, a.Rows, a.Cols, m.dims.Latent, m.dims.Action))
	}
	shape(&m.predIn, n, m.dims.Latent+m.dims.Action)
	joinRows(m.predIn, z, a)
	shape(&m.next, n, m.dims.Latent)
	m.reward = grow(m.reward, n)
	m.split(m.pred.Infer(m.predIn), m.next, m.reward)
	return m.next, m.reward
}

// Readout returns what the decoder reads from a batch of latents: observations for a model
// of states, the newest frame, [Height][Width][Channels] in [0, 1], for a model of images.
func (m *latentModel) Readout(z nn.Matrix[float32]) nn.Matrix[float32] {
	out := m.dec.infer(z)
	shape(&m.readout, out.Rows, out.Cols)
	for r := range out.Rows {
		m.obs.restore(m.readout.Row(r), out.Row(r))
	}
	return m.readout
}

// split copies the predictor's output into the SimNorm-ed next latents and the rewards.
func (m *latentModel) split(out, next nn.Matrix[float32], reward []float32) {
	l := m.dims.Latent
	for r := range out.Rows {
		row := out.Row(r)
		copy(next.Row(r), row[:l])
		reward[r] = row[l]
	}
	nn.SimNorm(next, m.group)
}

// joinRows writes [a_r, b_r] into each row r of dst.
func joinRows(dst, a, b nn.Matrix[float32]) {
	for r := range dst.Rows {
		row := dst.Row(r)
		copy(row, a.Row(r))
		copy(row[a.Cols:], b.Row(r))
	}
}

// prepare fills m.all with the batch's observations prepared for the encoder (and shifted,
// for images), sequence by sequence, and m.first with the first of each sequence. The first
// call also fixes the scaling of state observations; it reports whether it did.
func (m *latentModel) prepare(b *Batch) (fitted bool) {
	if !m.obs.pix.Images() && !m.obs.scale.fitted() {
		m.obs.scale.fit(b)
		fitted = true
	}
	h := m.horizon
	for s := range b.B {
		for t := range h + 1 {
			m.obs.prepare(m.prepared.Row(s*(h+1)+t), b.ObsAt(s, t))
		}
	}
	m.all = m.obs.augment(&m.shifted, m.prepared)
	for s := range b.B {
		copy(m.first.Row(s), m.all.Row(s*(h+1)))
	}
	return fitted
}

// trainStep takes one step of opt on b: it clears the gradients, runs forward, which records
// a pass and reports whether it fixed the scaling of observations, and backward, which
// computes the loss and its gradients. A loss or gradient that is not finite leaves the
// parameters as they were and returns ErrNotFinite.
func (m *latentModel) trainStep(b *Batch, opt *nn.AdamW[float32], forward func(*Batch) bool, backward func(*Batch) Stats) (Stats, error) {
	if err := checkBatch(b, m.dims, m.batch, m.horizon); err != nil {
		return Stats{}, err
	}
	m.enc.zeroGrad()
	m.pred.ZeroGrad()
	m.dec.zeroGrad()
	fresh := forward(b)
	st := backward(b)
	if !finite(st.Loss) || !finite(opt.GradNorm()) {
		if fresh {
			m.obs.scale = scaler{} // a failed first step leaves the model as it was
		}
		return st, ErrNotFinite
	}
	opt.Step()
	st.LatentStd = m.latentStd()
	return st, nil
}

// rollout encodes the first observations and rolls the predictor forward through the
// batch's actions, recording every step for backward.
func (m *latentModel) rollout(b *Batch) {
	z0 := m.enc.forward(m.first)
	nn.SimNorm(z0, m.group)
	copy(m.z[0].Data, z0.Data)
	for t := range m.horizon {
		for s := range b.B {
			row := m.in[t].Row(s)
			copy(row, m.z[t].Row(s))
			copy(row[m.dims.Latent:], b.ActionAt(s, t))
		}
		m.split(m.unrolled[t].Forward(m.in[t]), m.z[t+1], m.rewards[t])
	}
}

// backward sends the gradients of the recorded rollout back through every predictor step
// into the encoder: latentGrad(t, dz) adds the objective's gradient with respect to latent
// t into dz, and the reward loss, step t weighted by Rho^t, is added here. It returns the
// plain mean squared reward error and the weighted reward loss.
func (m *latentModel) backward(b *Batch, latentGrad func(t int, dz nn.Matrix[float32])) (rewardMSE, rewardLoss float64) {
	h, l, n := m.horizon, m.dims.Latent, b.B
	clear(m.dz.Data)
	for t := h - 1; t >= 0; t-- {
		w := m.stepWeight(t)
		rw := float32(w * m.rewardWeight * 2 / float64(n))
		latentGrad(t+1, m.dz)
		nn.SimNormBackward(m.z[t+1], m.dz, m.group)
		for s := range n {
			e := m.rewards[t][s] - b.Reward[s*h+t]
			rewardMSE += float64(e) * float64(e) / float64(n*h)
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
	latentGrad(0, m.dz)
	nn.SimNormBackward(m.z[0], m.dz, m.group)
	m.enc.backward(m.dz, false)
	return rewardMSE, rewardLoss
}

// stepWeight returns the weight of the losses of predictor step t (predicting latent t+1):
// Rho^t over the horizon.
func (m *latentModel) stepWeight(t int) float64 {
	return math.Pow(m.rho, float64(t)) / float64(m.horizon)
}

// latentStd returns the standard deviation of each component of the first latents over
// the batch, averaged over the components, divided by the standard deviation a component
// has when every group is a uniformly random vertex of its simplex.
func (m *latentModel) latentStd() float64 {
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
	p := 1 / float64(m.group)
	return total / float64(z.Cols) / math.Sqrt(p*(1-p))
}

// chainNets returns the MLPs and convolutional networks of chains, for a checkpoint.
func chainNets(chains ...*chain) (mlps []*nn.MLP[float32], convs []*nn.Conv[float32]) {
	for _, c := range chains {
		mlps = append(mlps, c.mlp)
		if c.conv != nil {
			convs = append(convs, c.conv)
		}
	}
	return mlps, convs
}
