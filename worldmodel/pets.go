package worldmodel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// PETSConfig holds the architecture and the training hyperparameters of a PETS ensemble.
type PETSConfig struct {
	// Members is the number of networks in the ensemble.
	Members int
	// Hidden lists the widths of each member's hidden layers.
	Hidden []int
	// LR, WeightDecay and MaxGradNorm configure the AdamW optimiser that trains all the
	// members together; a MaxGradNorm of 0 turns gradient clipping off.
	LR, WeightDecay, MaxGradNorm float64
	// Batch is the number of transitions each member trains on in a step.
	Batch int
	// MinLogVar and MaxLogVar softly bound the log-variances the members predict.
	MinLogVar, MaxLogVar float64
}

// DefaultPETSConfig returns an ensemble of five members with three hidden layers of 200
// units, close to those of Chua et al., trained on batches of 128 transitions per member
// (as many transitions per step as a JEPA step sees, 128 sequences of 5),
// with log-variances bounded to (−5, 0.5). The lower bound is higher than PETS's usual −10
// because the simulators are deterministic: with −10 the state variances sink to the floor
// and their precise terms swamp the reward's in the shared layers, and the reward was barely
// learned (74% of its variance left unexplained after 1000 steps, against 0.4% with −5).
func DefaultPETSConfig() PETSConfig {
	return PETSConfig{
		Members: 5, Hidden: []int{200, 200, 200},
		LR: 1e-3, WeightDecay: 1e-5, MaxGradNorm: 10,
		Batch: 128, MinLogVar: -5, MaxLogVar: 0.5,
	}
}

// check returns an error describing the first thing wrong with c, or with d for a PETS
// model, or nil. The network widths and the optimiser settings are checked by nn.
func (c PETSConfig) check(d Dims) error {
	switch {
	case d.Obs <= 0 || d.Action <= 0:
		return fmt.Errorf("worldmodel: PETS needs positive observation and action sizes, has %d and %d", d.Obs, d.Action)
	case d.Latent != d.Obs:
		return fmt.Errorf("worldmodel: a PETS latent is the observation, so its size must be %d (or 0), not %d", d.Obs, d.Latent)
	case c.Members < 1 || c.Batch < 1:
		return fmt.Errorf("worldmodel: PETS needs at least one member and a batch of one, has %d and %d", c.Members, c.Batch)
	case !(c.MinLogVar < c.MaxLogVar) || !finite(c.MinLogVar, c.MaxLogVar):
		return fmt.Errorf("worldmodel: PETS log-variance bounds %v and %v, want finite with the first below the second", c.MinLogVar, c.MaxLogVar)
	}
	return nil
}

// boundLogVar returns the log-variance that a member's raw output v stands for, softly
// bounded to (MinLogVar, MaxLogVar) as in Chua et al., and its derivative with respect to v.
func (c PETSConfig) boundLogVar(v float64) (logVar, slope float64) {
	below := c.MaxLogVar - softplus(c.MaxLogVar-v)
	logVar = c.MinLogVar + softplus(below-c.MinLogVar)
	return logVar, sigmoid(c.MaxLogVar-v) * sigmoid(below-c.MinLogVar)
}

// softplus returns log(1 + e**x) without overflow.
func softplus(x float64) float64 { return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// sigmoid returns 1/(1 + e**−x), the derivative of softplus.
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// petsKind names PETS models in their marshalled state.
const petsKind = "pets"

var _ Model = (*PETS)(nil)

// PETS is a probabilistic ensemble of dynamics models, the generative world model of PETS
// (Chua et al., "Deep Reinforcement Learning in a Handful of Trials using Probabilistic
// Dynamics Models", 2018). Each member is an MLP with SiLU activations that maps a latent
// and an action to independent Gaussians, a mean and a log-variance each, over the change
// of the latent and over the reward, trained by maximum likelihood.
//
// The latent is the scaled observation, (obs − mean)/std per component, with the statistics
// fixed by the first Train; before it the scaling is the identity. Readout inverts the
// scaling exactly, so PETS trains no probe.
type PETS struct {
	dims    Dims
	cfg     PETSConfig
	members []*nn.MLP[float32]
	opt     *nn.AdamW[float32]
	scale   scaler

	// Training buffers, which the members use in turn: inputs, targets, the output with
	// bounded log-variances, its gradient, and the slopes of the bounding.
	in, target, bounded, grad nn.Matrix[float32]
	slope                     []float32

	// Results of Encode, Predict and Readout, and Predict's gathered inputs.
	enc, next, obs, block nn.Matrix[float32]
	reward                []float32
}

// NewPETS returns an ensemble for the sizes d, with members initialised from seed. A PETS
// latent is the scaled observation, so d.Latent must be d.Obs, or 0 to mean d.Obs. It returns
// an error if d or c is invalid.
func NewPETS(d Dims, c PETSConfig, seed uint64) (*PETS, error) {
	if d.Latent == 0 {
		d.Latent = d.Obs
	}
	if err := c.check(d); err != nil {
		return nil, err
	}
	out := d.Obs + 1 // the latent's change and the reward
	p := &PETS{
		dims: d, cfg: c,
		in: nn.NewMatrix[float32](c.Batch, d.Obs+d.Action), target: nn.NewMatrix[float32](c.Batch, out),
		bounded: nn.NewMatrix[float32](c.Batch, 2*out), grad: nn.NewMatrix[float32](c.Batch, 2*out),
		slope: make([]float32, c.Batch*out),
	}
	spec := nn.Spec{Sizes: slices.Concat([]int{d.Obs + d.Action}, c.Hidden, []int{2 * out}), Activation: nn.SiLU}
	rng := rand.New(rand.NewPCG(seed, 0x70657473)) // the second word spells "pets"
	var nets []nn.Net[float32]
	for range c.Members {
		m, err := nn.NewMLP[float32](spec, rng.Uint64())
		if err != nil {
			return nil, fmt.Errorf("worldmodel: PETS member: %w", err)
		}
		p.members = append(p.members, m)
		nets = append(nets, m)
	}
	adam := nn.DefaultAdamW(c.LR)
	adam.WeightDecay, adam.MaxGradNorm = c.WeightDecay, c.MaxGradNorm
	opt, err := nn.NewAdamW(adam, nets...)
	if err != nil {
		return nil, fmt.Errorf("worldmodel: PETS optimiser: %w", err)
	}
	p.opt = opt
	return p, nil
}

// Dims returns the sizes of the model's observations, actions and latents; the latent has
// the observation's size.
func (p *PETS) Dims() Dims { return p.dims }

// Encode returns the scaled observations, the model's own storage valid until the next
// Encode. Before the first Train the scaling is the identity. It panics unless obs has a
// column per observation component.
func (p *PETS) Encode(obs nn.Matrix[float32]) nn.Matrix[float32] {
	return p.rescale(&p.enc, obs, p.scale.apply)
}

// Readout returns the observations that the latents z scale to, exactly, as the model's own
// storage valid until the next Readout. It panics unless z has a column per latent component.
func (p *PETS) Readout(z nn.Matrix[float32]) nn.Matrix[float32] {
	return p.rescale(&p.obs, z, p.scale.invert)
}

// rescale copies x into buf and, once the scaling is fitted, applies f to every row in
// place. It returns buf.
func (p *PETS) rescale(buf *nn.Matrix[float32], x nn.Matrix[float32], f func(dst, src []float32)) nn.Matrix[float32] {
	if x.Cols != p.dims.Obs {
		panic(fmt.Sprintf("worldmodel: PETS latents and observations have %d columns, not %d", p.dims.Obs, x.Cols))
	}
	*buf = nn.MatrixOf(x.Rows, x.Cols, grow(buf.Data, x.Rows*x.Cols))
	copy(buf.Data, x.Data)
	if p.scale.fitted() {
		for r := range buf.Rows {
			f(buf.Row(r), buf.Row(r))
		}
	}
	return *buf
}

// Predict returns the next latents and the rewards for the latents z and the actions a, one
// example per row, as the mean predictions of the members: row r goes to member r mod
// Members, so that a planner's candidate keeps its member along a rollout as long as it keeps
// its row (trajectory sampling TS-∞ with one particle per row, propagating means without
// sampling the predicted noise). z may be the next latents of the previous Predict. The
// results are the model's own storage, valid until the next Predict. It panics if z or a has
// the wrong number of columns or they differ in rows.
func (p *PETS) Predict(z, a nn.Matrix[float32]) (next nn.Matrix[float32], reward []float32) {
	if z.Cols != p.dims.Obs || a.Cols != p.dims.Action || a.Rows != z.Rows {
		panic(fmt.Sprintf("worldmodel: PETS.Predict of %d×%d latents and %d×%d actions, want %d and %d columns and as many rows",
			z.Rows, z.Cols, a.Rows, a.Cols, p.dims.Obs, p.dims.Action))
	}
	p.next = nn.MatrixOf(z.Rows, z.Cols, grow(p.next.Data, z.Rows*z.Cols))
	p.reward = grow(p.reward, z.Rows)
	for k, m := range p.members {
		p.predictMember(k, m, z, a)
	}
	return p.next, p.reward
}

// predictMember predicts rows k, k+Members, k+2·Members… of z and a with member m, which is
// member k: it gathers them into one block, runs m on it and scatters the results into
// p.next and p.reward.
func (p *PETS) predictMember(k int, m *nn.MLP[float32], z, a nn.Matrix[float32]) {
	stride, obs := len(p.members), p.dims.Obs
	rows, cols := (z.Rows-k+stride-1)/stride, obs+p.dims.Action
	if rows == 0 {
		return
	}
	p.block = nn.MatrixOf(rows, cols, grow(p.block.Data, rows*cols))
	for i := range rows {
		x := p.block.Row(i)
		copy(x, z.Row(k+i*stride))
		copy(x[obs:], a.Row(k+i*stride))
	}
	out := m.Infer(p.block)
	for i := range rows {
		r, y := k+i*stride, out.Row(i)
		next := p.next.Row(r)
		for j, v := range z.Row(r) {
			next[j] = v + y[j]
		}
		p.reward[r] = y[obs]
	}
}

// SampleShape returns Batch·Members sequences of one transition: member k trains on
// sequences k·Batch to (k+1)·Batch − 1, so that the members learn from different samples.
func (p *PETS) SampleShape() (sequences, length int) { return p.cfg.Batch * p.cfg.Members, 1 }

// Train takes one AdamW step on every member, each minimising the Gaussian negative
// log-likelihood of its share of b: the change of the scaled observation and the reward.
// The first call also fixes the observation scaling from b. Loss and Prediction are the
// likelihood loss (without its constant) averaged over the members, Reward the mean
// squared error of their mean rewards. It returns an error and changes nothing if b has the
// wrong shape, or if the loss or the gradients are not finite, an error that wraps
// ErrNotFinite.
func (p *PETS) Train(b *Batch) (Stats, error) {
	seqs, length := p.SampleShape()
	if err := checkBatch(b, p.dims, seqs, length); err != nil {
		return Stats{}, err
	}
	s := p.scale
	if !s.fitted() {
		s.fit(b)
	}
	var nll, rewardErr float64
	for k, m := range p.members {
		l, r := p.trainMember(k, m, &s, b)
		nll, rewardErr = nll+l, rewardErr+r
	}
	n := float64(len(p.members))
	st := Stats{Loss: nll / n, Prediction: nll / n, Reward: rewardErr / n}
	if !finite(st.Loss, p.opt.GradNorm()) {
		return st, fmt.Errorf("%w: PETS loss %v", ErrNotFinite, st.Loss)
	}
	p.opt.Step()
	p.scale = s
	return st, nil
}

// trainMember sets member m's gradients to those of its loss on its share of b, which is
// member k's, scaled by s. It returns the loss and the mean squared error of the mean
// rewards.
func (p *PETS) trainMember(k int, m *nn.MLP[float32], s *scaler, b *Batch) (nll, rewardErr float64) {
	p.fill(k, s, b)
	m.ZeroGrad()
	out := m.Forward(p.in)
	nll = p.boundedNLL(out)
	m.Backward(p.grad)
	obs := p.dims.Obs
	for r := range out.Rows {
		e := float64(out.Row(r)[obs] - p.target.Row(r)[obs])
		rewardErr += e * e
	}
	return nll, rewardErr / float64(out.Rows)
}

// fill writes member k's inputs, scaled latents and actions, and targets, the changes of the
// latents and the rewards, from b scaled by s into p.in and p.target.
func (p *PETS) fill(k int, s *scaler, b *Batch) {
	obs := p.dims.Obs
	for i := range p.cfg.Batch {
		seq := k*p.cfg.Batch + i
		x, y := p.in.Row(i), p.target.Row(i)
		s.apply(x[:obs], b.ObsAt(seq, 0))
		copy(x[obs:], b.ActionAt(seq, 0))
		s.apply(y[:obs], b.ObsAt(seq, 1))
		for j := range obs {
			y[j] -= x[j]
		}
		y[obs] = b.Reward[seq]
	}
}

// boundedNLL returns the Gaussian negative log-likelihood of p.target under a member's output
// out once its log-variances are bounded, and writes its gradient with respect to out into
// p.grad.
func (p *PETS) boundedNLL(out nn.Matrix[float32]) float64 {
	d := p.target.Cols
	copy(p.bounded.Data, out.Data)
	for r := range out.Rows {
		logVar, slope := p.bounded.Row(r)[d:], p.slope[r*d:(r+1)*d]
		for j, v := range logVar {
			lv, s := p.cfg.boundLogVar(float64(v))
			logVar[j], slope[j] = float32(lv), float32(s)
		}
	}
	loss := nn.GaussianNLL(p.bounded, p.target, p.grad)
	for r := range out.Rows {
		g, slope := p.grad.Row(r)[d:], p.slope[r*d:(r+1)*d]
		for j, s := range slope {
			g[j] *= s
		}
	}
	return loss
}

// checkpoint returns the members and their optimiser as one nn checkpoint.
func (p *PETS) checkpoint() nn.Checkpoint[float32] {
	return nn.Checkpoint[float32]{Nets: p.members, Opt: p.opt}
}

// MarshalBinary returns the model's state: the observation scaling, the members' parameters
// and the optimiser's state. It never fails.
func (p *PETS) MarshalBinary() ([]byte, error) {
	nets, err := p.checkpoint().MarshalBinary()
	return marshalParts(petsKind, p.scale.marshal(), nets), err
}

// UnmarshalBinary restores a state that MarshalBinary returned into a model built with the
// same sizes and configuration. It changes nothing and returns an error if data is not such
// a state.
func (p *PETS) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(petsKind, data, 2)
	if err != nil {
		return err
	}
	var s scaler
	if err := s.unmarshal(parts[0], p.dims.Obs); err != nil {
		return err
	}
	if err := p.checkpoint().UnmarshalBinary(parts[1]); err != nil {
		return fmt.Errorf("worldmodel: PETS networks: %w", err)
	}
	p.scale = s
	return nil
}
