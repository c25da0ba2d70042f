package worldmodel

import (
	"errors"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// CriticConfig configures a Critic.
type CriticConfig struct {
	// Hidden lists the value network's hidden widths.
	Hidden []int
	// Discount is the discount of the returns the critic predicts, in (0, 1).
	Discount float64
	// Batch is the number of transitions per training step.
	Batch int
	// TargetRate is the rate at which the target network follows the value network.
	TargetRate float64
	// Optimiser configures the critic's AdamW.
	Optimiser nn.AdamWConfig
	// Members is the number of value networks, each with its target network, trained on
	// the same targets from different initial parameters; planning uses their mean. Zero
	// means one.
	Members int
	// TargetMin is how many members' target values the target takes the minimum of, a
	// pessimistic target as in TD3 and TD-MPC2; the members taken rotate with the training
	// steps. Zero means one; at most Members.
	TargetMin int
}

// DefaultCriticConfig returns the critic of the jepa and pets agents: one value network of
// two hidden layers of 128, discount 0.98 (a horizon of about 50 steps, 2.5 s at 0.05 s),
// batches of 128 transitions, a target network following at rate 0.01, AdamW at 1e-3
// clipped at norm 20.
func DefaultCriticConfig() CriticConfig {
	opt := nn.DefaultAdamW(1e-3)
	opt.WeightDecay, opt.MaxGradNorm = 0, 20
	return CriticConfig{Hidden: []int{128, 128}, Discount: 0.98, Batch: 128, TargetRate: 0.01, Optimiser: opt,
		Members: 1, TargetMin: 1}
}

// Critic learns the value of a model's latents: the discounted return the agent collects
// from there on, as it behaves. Planning adds the value of the latent a candidate sequence
// ends in to the rewards imagined along it, so that a short horizon still sees what lies
// beyond it, as TD-MPC does. It learns by temporal differences on the model's encodings of
// replayed transitions, which it does not train: the target of V(z) is r + γ·V̄(z′), where
// V̄ is a slowly following copy of V. A transition that terminated the episode counts as
// absorbing, earning its reward at every later step: r/(1 − γ) (Acrobot's success state).
//
// A Critic serves any Model, so that the jepa and pets agents plan alike.
type Critic struct {
	cfg              CriticConfig
	v, target        []*nn.MLP[float32] // the members and their targets
	opt              *nn.AdamW[float32]
	obs              []float32
	z, next, returns nn.Matrix[float32]
	grad             nn.Matrix[float32]
	value            []float32 // the mean of the members' values
	ones             nn.Matrix[float32]
}

// NewCritic returns an untrained critic for latents of size latent, with parameters drawn
// from seedValue. It returns an error if c is invalid.
func NewCritic(latent int, c CriticConfig, seedValue uint64) (*Critic, error) {
	switch {
	case !(c.Discount > 0 && c.Discount < 1):
		return nil, fmt.Errorf("worldmodel: critic discount %v: want it in (0, 1)", c.Discount)
	case c.Batch < 1:
		return nil, fmt.Errorf("worldmodel: critic batch %d: want it positive", c.Batch)
	case !(c.TargetRate > 0 && c.TargetRate <= 1):
		return nil, fmt.Errorf("worldmodel: critic target rate %v: want it in (0, 1]", c.TargetRate)
	case c.Members < 0 || c.Members > MaxCriticMembers || c.TargetMin < 0 || c.TargetMin > max(c.Members, 1):
		return nil, fmt.Errorf("worldmodel: critic of %d members taking the minimum of %d: want 0 to %d members and at most as many in the minimum",
			c.Members, c.TargetMin, MaxCriticMembers)
	}
	c.Members, c.TargetMin = max(c.Members, 1), max(c.TargetMin, 1)
	crit := &Critic{cfg: c,
		z: nn.NewMatrix[float32](c.Batch, latent), next: nn.NewMatrix[float32](c.Batch, latent),
		returns: nn.NewMatrix[float32](c.Batch, 1), grad: nn.NewMatrix[float32](c.Batch, 1)}
	var nets []nn.Net[float32]
	for k := range c.Members {
		v, err := mlp(latent, c.Hidden, 1, seed.Derive(seedValue, criticStream+uint64(k)))
		if err != nil {
			return nil, fmt.Errorf("worldmodel: critic: %w", err)
		}
		crit.v, crit.target, nets = append(crit.v, v), append(crit.target, v.Clone()), append(nets, v)
	}
	var err error
	if crit.opt, err = nn.NewAdamW(c.Optimiser, nets...); err != nil {
		return nil, fmt.Errorf("worldmodel: critic: %w", err)
	}
	return crit, nil
}

// MaxCriticMembers bounds CriticConfig.Members.
const MaxCriticMembers = 16

// criticStream selects the seed of a critic's network.
const criticStream = 0x6372_6974_6963_0000

// Discount returns the discount of the returns the critic predicts.
func (c *Critic) Discount() float64 { return c.cfg.Discount }

// Batch returns the number of one-step sequences Train wants.
func (c *Critic) Batch() int { return c.cfg.Batch }

// Value returns the predicted values of a batch of latents, the mean of the members', the
// critic's own storage valid until the next Value or Train.
func (c *Critic) Value(z nn.Matrix[float32]) []float32 {
	if len(c.v) == 1 {
		return c.v[0].Infer(z).Data
	}
	c.value = grow(c.value, z.Rows)
	clear(c.value)
	for _, v := range c.v {
		for i, x := range v.Infer(z).Data {
			c.value[i] += x
		}
	}
	n := float32(len(c.v))
	for i := range c.value {
		c.value[i] /= n
	}
	return c.value
}

// Train takes one temporal-difference step on b, Batch one-step sequences, with latents from
// model, and returns the squared error of the values before the step. It returns an error
// if b has the wrong shape, the model's latents another size than the critic's, or the loss
// is not finite.
func (c *Critic) Train(model Model, b *Batch) (float64, error) {
	if err := checkBatch(b, model.Dims(), c.cfg.Batch, 1); err != nil {
		return 0, err
	}
	if l := model.Dims().Latent; l != c.z.Cols {
		return 0, fmt.Errorf("worldmodel: critic of %d-d latents trained with a model of %d-d latents", c.z.Cols, l)
	}
	c.encode(model, b)
	gamma := float32(c.cfg.Discount)
	next := c.targetValues()
	for i := range b.B {
		r := b.Reward[i]
		if b.Terminated[i] {
			c.returns.Data[i] = r / (1 - gamma)
		} else {
			c.returns.Data[i] = r + gamma*next[i]
		}
	}
	loss, err := fitMembers(c.v, c.z, c.returns, c.grad, "critic")
	if err != nil {
		return loss, err
	}
	c.opt.Step()
	for k, v := range c.v {
		nn.Follow(c.target[k], v, c.cfg.TargetRate)
	}
	return loss, nil
}

// targetValues returns the target values of c.next: the minimum of TargetMin members'
// target networks, starting at the member the training step count picks.
func (c *Critic) targetValues() []float32 {
	first := int(c.opt.Steps() % int64(len(c.target)))
	next := c.target[first].Infer(c.next).Data
	for j := 1; j < c.cfg.TargetMin; j++ {
		for i, x := range c.target[(first+j)%len(c.target)].Infer(c.next).Data {
			next[i] = min(next[i], x)
		}
	}
	return next
}

// encode writes the latents of the batch's observations and next observations into c.z and
// c.next.
func (c *Critic) encode(model Model, b *Batch) {
	for t, dst := range []nn.Matrix[float32]{c.z, c.next} {
		c.obs = encodeStep(model, b, t, dst, c.obs)
	}
}

// encodeStep writes model's latents of observation t of every sequence of b into dst, and
// returns buf, grown if need be, which held the gathered observations.
func encodeStep(model Model, b *Batch, t int, dst nn.Matrix[float32], buf []float32) []float32 {
	buf = grow(buf, b.B*b.ObsDim)
	for s := range b.B {
		copy(buf[s*b.ObsDim:], b.ObsAt(s, t))
	}
	copy(dst.Data, model.Encode(nn.MatrixOf(b.B, b.ObsDim, buf)).Data)
	return buf
}

// criticKind names critic states.
const criticKind = "critic"

// MarshalBinary returns the critic's state: its network, target network and optimiser. It
// never fails.
func (c *Critic) MarshalBinary() ([]byte, error) {
	ck, _ := c.checkpoint().MarshalBinary()
	return marshalParts(criticKind, ck), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into a critic built with the same
// configuration; it changes nothing and returns an error if data is not such a state.
func (c *Critic) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(criticKind, data, 1)
	if err != nil {
		return err
	}
	return c.checkpoint().UnmarshalBinary(parts[0])
}

// checkpoint returns the critic's networks, each member then its target, and optimiser.
func (c *Critic) checkpoint() nn.Checkpoint[float32] {
	var nets []*nn.MLP[float32]
	for k, v := range c.v {
		nets = append(nets, v, c.target[k])
	}
	return nn.Checkpoint[float32]{Nets: nets, Opt: c.opt}
}

// fitMembers computes, for every network of an ensemble, the mean squared error of its
// outputs for in against target and its gradients (grad is scratch space), and returns the
// error averaged over the networks; an error wrapping ErrNotFinite, naming what, if that is
// not finite. The caller steps the optimiser.
func fitMembers(nets []*nn.MLP[float32], in, target, grad nn.Matrix[float32], what string) (float64, error) {
	var loss float64
	for _, n := range nets {
		n.ZeroGrad()
		loss += nn.MSE(n.Forward(in), target, grad)
		n.Backward(grad)
	}
	loss /= float64(len(nets))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, errors.Join(ErrNotFinite, errors.New("worldmodel: "+what))
	}
	return loss, nil
}
