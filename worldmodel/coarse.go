package worldmodel

import (
	"errors"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// CoarseConfig configures a Coarse model.
type CoarseConfig struct {
	// Steps is the number of control steps one coarse step spans.
	Steps int
	// Horizon is the number of coarse steps the training loss rolls the predictor forward.
	Horizon int
	// Latent is the size of the coarse latent, a multiple of Group, the SimNorm group size.
	Latent, Group int
	// Macro is the size of a macro-action: the latent, in (−1, 1) in every component, that
	// stands for the Steps actions of a coarse step.
	Macro int
	// Encoder, Actions and Predictor list the hidden widths of the coarse encoder (from a
	// fine latent), the macro-action encoder (from Steps actions) and the predictor.
	// Probe lists the hidden widths of the probe that reads a coarse latent out as the fine
	// model reads its latents out (Model.Readout), for display alone.
	Encoder, Actions, Predictor, Probe []int
	// Batch is the number of sequences per training step.
	Batch int
	// Rho weighs the losses of coarse step h by Rho^h.
	Rho float64
	// Consistency and RewardWeight weigh the latent prediction and reward losses.
	Consistency, RewardWeight float64
	// TargetRate is the rate at which the target encoder follows the encoder.
	TargetRate float64
	// Optimiser configures AdamW for the three networks.
	Optimiser nn.AdamWConfig
}

// DefaultCoarseConfig returns coarse steps of 10 control steps (0.5 s at 0.05 s), a loss
// rolled over 3 of them, a 32-d latent of 4 SimNorm groups, 4-d macro-actions, networks of
// one or two hidden layers of 128 (64 for the macro-actions), batches of 64 sequences, and
// JEPAConfig's weights, target rate and optimiser.
func DefaultCoarseConfig() CoarseConfig {
	j := DefaultJEPAConfig()
	return CoarseConfig{
		Steps: 10, Horizon: 3, Latent: 32, Group: 8, Macro: 4,
		Encoder: []int{128}, Actions: []int{64}, Predictor: []int{128, 128}, Probe: []int{64},
		Batch: 64, Rho: j.Rho, Consistency: j.Consistency, RewardWeight: j.RewardWeight,
		TargetRate: j.TargetRate, Optimiser: j.Optimiser,
	}
}

// Validate returns an error describing the first setting out of range, or nil.
func (c CoarseConfig) Validate() error {
	switch {
	case c.Steps < 1 || c.Horizon < 1 || c.Batch < 1 || c.Macro < 1:
		return fmt.Errorf("worldmodel: coarse steps of %d, horizon %d, batch %d, macro-actions of %d: want all positive", c.Steps, c.Horizon, c.Batch, c.Macro)
	case c.Group < 1 || c.Latent < c.Group || c.Latent%c.Group != 0:
		return fmt.Errorf("worldmodel: coarse latent %d in groups of %d: want a positive multiple of the group", c.Latent, c.Group)
	case !(c.Rho > 0 && c.Rho <= 1):
		return fmt.Errorf("worldmodel: coarse rho %v: want it in (0, 1]", c.Rho)
	case !(c.Consistency > 0) || !(c.RewardWeight >= 0) || !finite(c.Consistency, c.RewardWeight):
		return fmt.Errorf("worldmodel: coarse loss weights %v and %v: want a positive consistency weight and a reward weight ≥ 0", c.Consistency, c.RewardWeight)
	case !(c.TargetRate > 0 && c.TargetRate <= 1):
		return fmt.Errorf("worldmodel: coarse target rate %v: want it in (0, 1]", c.TargetRate)
	}
	return c.Optimiser.Validate()
}

// Coarse is the upper level of a hierarchical world model: it predicts a fine model's
// world Steps control steps at a time, in a latent of its own. An encoder maps a fine
// model's latent to a coarse latent of SimNorm groups; a macro-action encoder maps the
// Steps actions of a coarse step to a macro-action; a predictor maps a coarse latent and a
// macro-action to the coarse latent Steps steps later and the rewards summed over them.
// Training rolls the predictor Horizon coarse steps forward and pulls each prediction
// towards a target encoder's latent of what followed, as JEPA does one level down; it reads
// the fine model's latents, detached, and never trains the fine model. A coarse planner
// searches over macro-actions, which are bounded, far fewer and far longer than actions.
// docs/decisions/hierarchy.md has the design.
type Coarse struct {
	cfg            CoarseConfig
	dims           Dims // the fine model's sizes
	fine, action   int  // the fine latent's and the action's sizes
	enc, target    *nn.MLP[float32]
	act, pred      *nn.MLP[float32]
	acts, preds    []*nn.MLP[float32] // one sharer per coarse step of the training rollout
	opt            *nn.AdamW[float32]
	probe          *nn.MLP[float32] // nil over a fine model of images
	probeOpt       *nn.AdamW[float32]
	probeGrad      nn.Matrix[float32]
	obs            []float32
	fineZ, targets nn.Matrix[float32] // fine latents and target coarse latents of the batch, B×(H+1) rows
	first          nn.Matrix[float32]
	z              []nn.Matrix[float32] // coarse latents per coarse step
	u, in          []nn.Matrix[float32] // macro-actions and predictor inputs per coarse step
	acted          []nn.Matrix[float32] // the macro-action encoders' inputs per coarse step
	rewards        [][]float32
	dz, dOut, du   nn.Matrix[float32]
	next, predIn   nn.Matrix[float32] // Predict's output and input
	reward         []float32
}

// Streams of a coarse model's seed.
const (
	coarseEncoderStream = 0x636f_6172_7365_0001 + iota
	coarseActionStream
	coarsePredictorStream
	coarseProbeStream
)

// NewCoarse returns an untrained coarse model over a fine model of sizes d, with parameters
// drawn from seedValue; over a fine model of states, with a probe to its observations. It
// returns an error if a size is not positive or c is invalid.
func NewCoarse(d Dims, c CoarseConfig, seedValue uint64) (*Coarse, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	fineLatent, action := d.Latent, d.Action
	if fineLatent < 1 || action < 1 || d.Obs < 1 {
		return nil, fmt.Errorf("worldmodel: coarse model over %d-d latents, %d-d actions and %d-d observations: want all positive", fineLatent, action, d.Obs)
	}
	m := &Coarse{cfg: c, dims: d, fine: fineLatent, action: action}
	var err error
	if !d.Pixels.Images() {
		if m.probe, err = mlp(c.Latent, c.Probe, d.Obs, seed.Derive(seedValue, coarseProbeStream)); err == nil {
			m.probeOpt, err = nn.NewAdamW(c.Optimiser, m.probe)
		}
		if err != nil {
			return nil, fmt.Errorf("worldmodel: coarse probe: %w", err)
		}
		m.probeGrad = nn.NewMatrix[float32](c.Batch, d.Obs)
	}
	if m.enc, err = mlp(fineLatent, c.Encoder, c.Latent, seed.Derive(seedValue, coarseEncoderStream)); err == nil {
		if m.act, err = mlp(c.Steps*action, c.Actions, c.Macro, seed.Derive(seedValue, coarseActionStream)); err == nil {
			m.pred, err = mlp(c.Latent+c.Macro, c.Predictor, c.Latent+1, seed.Derive(seedValue, coarsePredictorStream))
		}
	}
	if err == nil {
		m.opt, err = nn.NewAdamW(c.Optimiser, m.enc, m.act, m.pred)
	}
	if err != nil {
		return nil, fmt.Errorf("worldmodel: coarse: %w", err)
	}
	m.target = m.enc.Clone()
	b, h := c.Batch, c.Horizon
	m.fineZ = nn.NewMatrix[float32](b*(h+1), fineLatent)
	m.targets = nn.NewMatrix[float32](b*(h+1), c.Latent)
	m.first = nn.NewMatrix[float32](b, fineLatent)
	m.z = make([]nn.Matrix[float32], h+1)
	for k := range h + 1 {
		m.z[k] = nn.NewMatrix[float32](b, c.Latent)
	}
	for range h {
		m.acts, m.preds = append(m.acts, m.act.Share()), append(m.preds, m.pred.Share())
		m.u = append(m.u, nn.NewMatrix[float32](b, c.Macro))
		m.in = append(m.in, nn.NewMatrix[float32](b, c.Latent+c.Macro))
		m.acted = append(m.acted, nn.NewMatrix[float32](b, c.Steps*action))
		m.rewards = append(m.rewards, make([]float32, b))
	}
	m.dz, m.du = nn.NewMatrix[float32](b, c.Latent), nn.NewMatrix[float32](b, c.Macro)
	m.dOut = nn.NewMatrix[float32](b, c.Latent+1)
	return m, nil
}

// SampleShape returns the training batch shape: Batch sequences of Steps·Horizon
// transitions.
func (m *Coarse) SampleShape() (int, int) { return m.cfg.Batch, m.cfg.Steps * m.cfg.Horizon }

// Steps returns the number of control steps a coarse step spans.
func (m *Coarse) Steps() int { return m.cfg.Steps }

// Encode returns the coarse latents of a batch of fine latents, the model's own storage
// valid until the next Encode. It panics if z has the wrong number of columns.
func (m *Coarse) Encode(z nn.Matrix[float32]) nn.Matrix[float32] {
	if z.Cols != m.fine {
		panic(fmt.Sprintf("worldmodel: coarse Encode: %d-column latents, want %d", z.Cols, m.fine))
	}
	out := m.enc.Infer(z)
	nn.SimNorm(out, m.cfg.Group)
	return out
}

// Predict returns the coarse latents one coarse step after a batch of coarse latents by
// macro-actions, and the rewards predicted over that step: the model's own storage, valid
// until the next Predict. It panics if the shapes do not match.
func (m *Coarse) Predict(z, u nn.Matrix[float32]) (nn.Matrix[float32], []float32) {
	if z.Cols != m.cfg.Latent || u.Cols != m.cfg.Macro || z.Rows != u.Rows {
		panic(fmt.Sprintf("worldmodel: coarse Predict: %d×%d latents and %d×%d macro-actions, want %d and %d columns", z.Rows, z.Cols, u.Rows, u.Cols, m.cfg.Latent, m.cfg.Macro))
	}
	shape(&m.predIn, z.Rows, z.Cols+u.Cols)
	joinRows(m.predIn, z, u)
	shape(&m.next, z.Rows, m.cfg.Latent)
	m.reward = grow(m.reward, z.Rows)
	m.split(m.pred.Infer(m.predIn), m.next, m.reward)
	return m.next, m.reward
}

// split copies the predictor's output into SimNorm-ed latents and rewards.
func (m *Coarse) split(out, next nn.Matrix[float32], reward []float32) {
	l := m.cfg.Latent
	for r := range out.Rows {
		copy(next.Row(r), out.Row(r)[:l])
		reward[r] = out.Row(r)[l]
	}
	nn.SimNorm(next, m.cfg.Group)
}

// squash maps every value into (−1, 1) by tanh, in place.
func squash(u nn.Matrix[float32]) {
	for i, v := range u.Data[:u.Rows*u.Cols] {
		u.Data[i] = float32(math.Tanh(float64(v)))
	}
}

// CoarseStats holds the losses of a coarse training step, or of Loss.
type CoarseStats struct {
	// Loss is the weighted objective; Prediction the mean squared error of the predicted
	// coarse latents against the target encoder's, weighted by step; Reward the plain mean
	// squared error of the rewards summed over coarse steps.
	Loss, Prediction, Reward float64
}

// Train takes one gradient step on b, sequences of the shape SampleShape asks for, with
// latents from the fine model, and moves the target encoder towards the encoder. It returns
// the losses before the step, and an error if b has the wrong shape, the model's latents
// another size, or the loss is not finite (the parameters are then left as they were).
func (m *Coarse) Train(model Model, b *Batch) (CoarseStats, error) {
	st, err := m.forward(model, b)
	if err != nil {
		return st, err
	}
	m.enc.ZeroGrad()
	m.act.ZeroGrad()
	m.pred.ZeroGrad()
	m.backward(b)
	if !finite(st.Loss) || !finite(m.opt.GradNorm()) {
		return st, errors.Join(ErrNotFinite, errors.New("worldmodel: coarse"))
	}
	m.opt.Step()
	nn.Follow(m.target, m.enc, m.cfg.TargetRate)
	m.trainProbe(model)
	return st, nil
}

// trainProbe takes one step of the probe, if there is one, from the detached coarse latents
// of the batch's first observations towards what the fine model reads out of its latents of
// them: for display alone, so that coarse latents can be drawn as bodies.
func (m *Coarse) trainProbe(model Model) {
	if m.probe == nil {
		return
	}
	m.probe.ZeroGrad()
	nn.MSE(m.probe.Forward(m.z[0]), model.Readout(m.first), m.probeGrad)
	m.probe.Backward(m.probeGrad)
	m.probeOpt.Step()
}

// Readout returns what the probe reads out of a batch of coarse latents, as the fine model
// reads out its latents, the model's own storage valid until the next Readout; and false,
// with nothing, over a fine model of images, which has no probe.
func (m *Coarse) Readout(z nn.Matrix[float32]) (nn.Matrix[float32], bool) {
	if m.probe == nil {
		return nn.Matrix[float32]{}, false
	}
	return m.probe.Infer(z), true
}

// Loss returns the losses of the model on b, as Train would before its step, without
// training: for held-out data.
func (m *Coarse) Loss(model Model, b *Batch) (CoarseStats, error) { return m.forward(model, b) }

// forward encodes the batch's observations at every coarse step with the fine model, their
// targets with the target encoder, and rolls the predictor forward from the first, recording
// every step; it returns the losses.
func (m *Coarse) forward(model Model, b *Batch) (CoarseStats, error) {
	bs, l := m.SampleShape()
	if err := checkBatch(b, model.Dims(), bs, l); err != nil {
		return CoarseStats{}, err
	}
	if d := model.Dims().Latent; d != m.fine {
		return CoarseStats{}, fmt.Errorf("worldmodel: coarse model over %d-d latents trained with a model of %d-d latents", m.fine, d)
	}
	h, k := m.cfg.Horizon, m.cfg.Steps
	m.obs = grow(m.obs, bs*(h+1)*b.ObsDim)
	for s := range bs {
		for c := range h + 1 {
			copy(m.obs[(s*(h+1)+c)*b.ObsDim:], b.ObsAt(s, c*k))
		}
	}
	copy(m.fineZ.Data, model.Encode(nn.MatrixOf(bs*(h+1), b.ObsDim, m.obs)).Data)
	targets := m.target.Infer(m.fineZ)
	nn.SimNorm(targets, m.cfg.Group)
	copy(m.targets.Data, targets.Data)
	for s := range bs {
		copy(m.first.Row(s), m.fineZ.Row(s*(h+1)))
	}
	z0 := m.enc.Forward(m.first)
	nn.SimNorm(z0, m.cfg.Group)
	copy(m.z[0].Data, z0.Data)
	var st CoarseStats
	var rewardLoss float64 // weighted like the gradient; st.Reward is the plain mean
	for c := range h {
		for s := range bs {
			row := m.acted[c].Row(s)
			for j := range k {
				copy(row[j*m.action:], b.ActionAt(s, c*k+j))
			}
		}
		copy(m.u[c].Data, m.acts[c].Forward(m.acted[c]).Data)
		squash(m.u[c])
		joinRows(m.in[c], m.z[c], m.u[c])
		m.split(m.preds[c].Forward(m.in[c]), m.z[c+1], m.rewards[c])
		w := m.stepWeight(c)
		for s := range bs {
			for j, p := range m.z[c+1].Row(s) {
				e := float64(p - m.targets.Row(s*(h+1) + c + 1)[j])
				st.Prediction += w * e * e / float64(bs*m.cfg.Latent)
			}
			e := float64(m.rewards[c][s] - m.rewardSum(b, s, c))
			st.Reward += e * e / float64(bs*h)
			rewardLoss += w * e * e / float64(bs)
		}
	}
	st.Loss = m.cfg.Consistency*st.Prediction + m.cfg.RewardWeight*rewardLoss
	return st, nil
}

// rewardSum returns the rewards of sequence s summed over coarse step c.
func (m *Coarse) rewardSum(b *Batch, s, c int) float32 {
	var sum float32
	for j := range m.cfg.Steps {
		sum += b.Reward[s*b.L+c*m.cfg.Steps+j]
	}
	return sum
}

// stepWeight returns the weight of the losses of coarse step c: Rho^c over the horizon.
func (m *Coarse) stepWeight(c int) float64 {
	return math.Pow(m.cfg.Rho, float64(c)) / float64(m.cfg.Horizon)
}

// backward sends the gradients of the recorded rollout's losses back through every coarse
// step into the predictor, the macro-action encoder and the encoder.
func (m *Coarse) backward(b *Batch) {
	bs, h, l := m.cfg.Batch, m.cfg.Horizon, m.cfg.Latent
	clear(m.dz.Data)
	for c := h - 1; c >= 0; c-- {
		w := m.stepWeight(c)
		cw := float32(w * m.cfg.Consistency * 2 / float64(bs*l))
		rw := float32(w * m.cfg.RewardWeight * 2 / float64(bs))
		for s := range bs {
			row := m.dz.Row(s)
			for j, p := range m.z[c+1].Row(s) {
				row[j] += cw * (p - m.targets.Row(s*(h+1) + c + 1)[j])
			}
		}
		nn.SimNormBackward(m.z[c+1], m.dz, m.cfg.Group)
		for s := range bs {
			out := m.dOut.Row(s)
			copy(out, m.dz.Row(s))
			out[l] = rw * (m.rewards[c][s] - m.rewardSum(b, s, c))
		}
		din := m.preds[c].BackwardInput(m.dOut)
		for s := range bs {
			copy(m.dz.Row(s), din.Row(s)[:l])
			for j, u := range m.u[c].Row(s) {
				m.du.Row(s)[j] = din.Row(s)[l+j] * (1 - u*u)
			}
		}
		m.acts[c].Backward(m.du)
	}
	nn.SimNormBackward(m.z[0], m.dz, m.cfg.Group)
	m.enc.Backward(m.dz)
}

// coarseKind names coarse model states.
const coarseKind = "coarse"

// MarshalBinary returns the model's state: its networks, target encoder and optimiser, and
// its probe with its own optimiser, if it has one. It never fails.
func (m *Coarse) MarshalBinary() ([]byte, error) {
	main, _ := m.checkpoint().MarshalBinary()
	var probe []byte
	if m.probe != nil {
		probe, _ = m.probeCheckpoint().MarshalBinary()
	}
	return marshalParts(coarseKind, main, probe), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into a model built with the same
// configuration; it changes nothing and returns an error if data is not such a state.
func (m *Coarse) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(coarseKind, data, 2)
	if err != nil {
		return err
	}
	if (m.probe == nil) != (len(parts[1]) == 0) {
		return errors.New("worldmodel: coarse state and model differ in having a probe")
	}
	main := m.checkpoint()
	backup, _ := main.MarshalBinary()
	if err := main.UnmarshalBinary(parts[0]); err != nil {
		return fmt.Errorf("worldmodel: coarse networks: %w", err)
	}
	if m.probe != nil {
		if err := m.probeCheckpoint().UnmarshalBinary(parts[1]); err != nil {
			return errors.Join(fmt.Errorf("worldmodel: coarse probe: %w", err), main.UnmarshalBinary(backup))
		}
	}
	return nil
}

// checkpoint returns the model's networks and optimiser.
func (m *Coarse) checkpoint() nn.Checkpoint[float32] {
	return nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{m.enc, m.target, m.act, m.pred}, Opt: m.opt}
}

// probeCheckpoint returns the probe and its optimiser.
func (m *Coarse) probeCheckpoint() nn.Checkpoint[float32] {
	return nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{m.probe}, Opt: m.probeOpt}
}

// CoarseImagination scores sequences of macro-actions by rolling them out in a Coarse model
// from the coarse latent of the current observation, summing the predicted rewards of each
// coarse step, the step k discounted by discount^k: the evaluator a coarse planner searches
// with (a plan.Evaluator). Subgoal names the coarse latent a plan aims at first. It is not
// safe for concurrent use.
type CoarseImagination struct {
	m        *Coarse
	discount float64
	start    []float32
	observed bool
	z, u     nn.Matrix[float32]
	goal     []float32
	imagined [][]float64
}

// NewCoarseImagination returns a CoarseImagination over m that discounts coarse step k by
// discount^k. It panics unless discount is in (0, 1].
func NewCoarseImagination(m *Coarse, discount float64) *CoarseImagination {
	if !(discount > 0 && discount <= 1) {
		panic(fmt.Sprintf("worldmodel: coarse discount %v, want it in (0, 1]", discount))
	}
	return &CoarseImagination{m: m, discount: discount, start: make([]float32, m.cfg.Latent)}
}

// Observe makes the coarse latent of the fine latent z the start of imagined rollouts. It
// returns an error if z has the wrong size.
func (ci *CoarseImagination) Observe(z []float32) error {
	if len(z) != ci.m.fine {
		return fmt.Errorf("worldmodel: a fine latent of %d components, want %d", len(z), ci.m.fine)
	}
	copy(ci.start, ci.m.Encode(nn.MatrixOf(1, len(z), z)).Data)
	ci.observed = true
	return nil
}

// Evaluate writes the discounted predicted return of each of the n macro-action sequences
// into returns, with the layout plan.Evaluator documents. It returns an error before the
// first Observe, for sequences of the wrong size, or if a return is not finite.
func (ci *CoarseImagination) Evaluate(seqs []float64, n, horizon int, returns []float64) error {
	clear(returns[:n])
	return ci.rollout(seqs, n, horizon, func(k int, reward []float32) {
		w := math.Pow(ci.discount, float64(k))
		for i := range n {
			returns[i] += w * float64(reward[i])
		}
	}, returns[:n])
}

// Subgoal returns the coarse latent the model expects the first macro-action of seq, a
// sequence of horizon macro-actions, to lead to: the Imagination's own storage, valid until
// the next Subgoal. It returns an error as Evaluate does.
func (ci *CoarseImagination) Subgoal(seq []float64, horizon int) ([]float32, error) {
	if err := ci.rollout(seq[:len(seq)/horizon], 1, 1, func(int, []float32) {}, nil); err != nil {
		return nil, err
	}
	ci.goal = append(ci.goal[:0], ci.z.Row(0)...)
	return ci.goal, nil
}

// rollout runs n macro-action sequences of horizon steps from the start latent, calling see
// with each coarse step's rewards, and checks that check, when not nil, stays finite.
func (ci *CoarseImagination) rollout(seqs []float64, n, horizon int, see func(k int, reward []float32), check []float64) error {
	d := ci.m.cfg.Macro
	switch {
	case !ci.observed:
		return errors.New("worldmodel: imagining macro-actions before any observation")
	case len(seqs) != n*horizon*d:
		return fmt.Errorf("worldmodel: %d macro-action values for %d sequences of %d steps of %d-d macro-actions", len(seqs), n, horizon, d)
	}
	shape(&ci.z, n, ci.m.cfg.Latent)
	shape(&ci.u, n, d)
	for i := range n {
		copy(ci.z.Row(i), ci.start)
	}
	for k := range horizon {
		for i := range n {
			for j, v := range seqs[(i*horizon+k)*d : (i*horizon+k+1)*d] {
				ci.u.Row(i)[j] = float32(v)
			}
		}
		next, reward := ci.m.Predict(ci.z, ci.u)
		copy(ci.z.Data, next.Data[:n*ci.m.cfg.Latent])
		see(k, reward)
		if check != nil && !finite(check...) {
			return fmt.Errorf("worldmodel: imagined coarse return is not finite at coarse step %d", k)
		}
	}
	return nil
}

// Distance returns, for each row of fine latents z, the squared distance between its coarse
// latent and goal, averaged over the coarse latent's components, in dst, grown if need be.
// It panics if goal is not a coarse latent.
func (m *Coarse) Distance(z nn.Matrix[float32], goal []float32, dst []float32) []float32 {
	if len(goal) != m.cfg.Latent {
		panic(fmt.Sprintf("worldmodel: a subgoal of %d components, want %d", len(goal), m.cfg.Latent))
	}
	c := m.Encode(z)
	dst = grow(dst, z.Rows)
	for r := range z.Rows {
		var sum float32
		for j, v := range c.Row(r) {
			d := v - goal[j]
			sum += d * d
		}
		dst[r] = sum / float32(m.cfg.Latent)
	}
	return dst
}

// Imagine returns what the coarse probe reads out of the coarse latents seq, a sequence of
// horizon macro-actions, leads to, one per coarse step: the first is the subgoal. The result
// belongs to the Imagination and is overwritten by the next call. It returns nil over a fine
// model of images, which has no probe, and an error as Evaluate does.
func (ci *CoarseImagination) Imagine(seq []float64, horizon int) ([][]float64, error) {
	if ci.m.probe == nil {
		return nil, nil
	}
	if len(ci.imagined) < horizon {
		ci.imagined = make([][]float64, horizon)
	}
	out := ci.imagined[:horizon]
	err := ci.rollout(seq, 1, horizon, func(k int, _ []float32) {
		read, _ := ci.m.Readout(ci.z)
		out[k] = readInto(out[k], read.Row(0))
	}, nil)
	return out, err
}
