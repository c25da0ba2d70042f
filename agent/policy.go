package agent

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// PolicyConfig configures a learner's policy prior: an actor on the model's latents, trained
// to climb the value one imagined step ahead (worldmodel.ActionValue) with an entropy bonus
// as SAC's actor climbs its Q-networks, whose rollouts in the model the planner takes among
// its candidates (Plan.Proposals of them), as TD-MPC2 does.
type PolicyConfig struct {
	// Hidden lists the actor network's hidden widths.
	Hidden []int
	// LR is the Adam learning rate of the actor and of its entropy temperature.
	LR float64
	// Temperature is the entropy temperature to start from, which then tunes itself
	// towards an entropy of −1 per action component. The action values it weighs reach tens
	// (a critic's values of discounted returns), so it starts far below SAC's 1.
	Temperature float64
	// Batch is the number of replayed observations per training step.
	Batch int
}

// DefaultPolicyConfig returns a policy prior of two hidden layers of 128 with LayerNorm and
// Mish, as the models' networks, trained at 3e-4 on batches of 128, from a temperature of
// 0.01.
func DefaultPolicyConfig() PolicyConfig {
	return PolicyConfig{Hidden: []int{128, 128}, LR: 3e-4, Temperature: 0.01, Batch: 128}
}

// policyStream selects the seed of a learner's actor network.
const policyStream = 0x706f_6c69_6379_0000

// policy is a learner's policy prior: the actor it trains, the network the planner's
// proposals come from (the actor's, or a replica of it when learning concurrently), and
// the buffers of a training step.
type policy struct {
	cfg         PolicyConfig
	pi          *actor
	proposing   *nn.MLP[float32]
	batch       worldmodel.Batch
	obs, z, act nn.Matrix[float32] // the batch's observations, their latents, actions in the environment's units
	grad, dAct  nn.Matrix[float32]
}

// newPolicy returns the policy prior of a learner of model in env, seeded with seedValue,
// with its own network for proposals if concurrent.
func newPolicy(env envs.Env, model worldmodel.Model, c PolicyConfig, seedValue uint64, concurrent bool) (*policy, error) {
	if !worldmodel.HasActionValue(model) {
		return nil, fmt.Errorf("agent: a policy prior trains through the model's predictions, which a %T cannot differentiate", model)
	}
	if c.Batch < 1 || !(c.LR > 0) || !(c.Temperature > 0) || math.IsInf(c.Temperature, 0) {
		return nil, fmt.Errorf("agent: policy prior of batch %d, learning rate %v and temperature %v: want all positive", c.Batch, c.LR, c.Temperature)
	}
	space := env.ActionSpace()
	p := &policy{cfg: c}
	sizes := append(append([]int{model.Dims().Latent}, c.Hidden...), 2*space.Dim())
	net, err := nn.NewMLP[float32](nn.Spec{Sizes: sizes, LayerNorm: true, Activation: nn.Mish}, seed.Derive(seedValue, policyStream))
	if err != nil {
		return nil, fmt.Errorf("agent: policy prior: %w", err)
	}
	if p.pi, err = newActor(net, space, c.LR, c.LR); err != nil {
		return nil, fmt.Errorf("agent: a policy prior on %s %w", env.Spec().ID, err)
	}
	p.pi.logAlpha.p[0] = float32(math.Log(c.Temperature))
	p.proposing = net
	if concurrent {
		p.proposing = net.Clone()
	}
	return p, nil
}

// sync copies the actor's parameters into the network proposals come from.
func (p *policy) sync() {
	if p.proposing != p.pi.net {
		copy(p.proposing.Params(), p.pi.net.Params())
	}
}

// train takes one step of the actor on a batch drawn from replay with rng: it encodes the
// observations with model, draws actions, and climbs their action value under model and
// critic (nil for none) with the entropy bonus.
func (p *policy) train(replay *Replay, rng *rand.Rand, model worldmodel.Model, critic *worldmodel.Critic) error {
	if err := replay.SampleSequences(rng, p.cfg.Batch, 1, &p.batch); err != nil {
		return err
	}
	z := p.encode(model)
	u := p.pi.sample(z, rng)
	n, d := u.Rows, u.Cols
	p.act.Reshape(n, d)
	p.grad.Reshape(n, d)
	p.dAct.Reshape(n, d)
	for k, v := range u.Data {
		p.act.Data[k] = float32(p.pi.bias[k%d] + p.pi.scale[k%d]*float64(v))
	}
	if _, err := worldmodel.ActionValue(model, critic, z, p.act, p.grad); err != nil {
		return err
	}
	for k, g := range p.grad.Data {
		p.dAct.Data[k] = float32(-float64(g) * p.pi.scale[k%d] / float64(n))
	}
	gap := p.pi.backward(p.dAct)
	if math.IsNaN(gap) || math.IsInf(gap, 0) {
		return errors.New("agent: policy prior: the entropy is not finite")
	}
	p.pi.step(gap)
	return nil
}

// encode returns the latents of the first observations of the batch's sequences, a copy.
func (p *policy) encode(model worldmodel.Model) nn.Matrix[float32] {
	b := &p.batch
	p.obs.Reshape(b.B, b.ObsDim)
	for s := range b.B {
		copy(p.obs.Row(s), b.ObsAt(s, 0))
	}
	z := model.Encode(p.obs)
	p.z.Reshape(z.Rows, z.Cols)
	copy(p.z.Data, z.Data)
	return p.z
}

// propose writes into each row of actions an action drawn with rng from the proposing
// network for the same row of z, in the environment's units.
func (p *policy) propose(z, actions nn.Matrix[float32], rng *rand.Rand) {
	out := p.proposing.Infer(z)
	for i := range z.Rows {
		for j := range p.pi.d {
			actions.Row(i)[j] = float32(p.pi.action(out.Row(i), j, rng))
		}
	}
}
