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

// SACConfig configures a SAC agent.
type SACConfig struct {
	// Hidden lists the hidden widths of the actor and of each Q-network.
	Hidden []int
	// Batch is the number of transitions per update.
	Batch int
	// Discount is the discount of the returns the Q-networks learn, in (0, 1).
	Discount float64
	// TargetRate is the rate at which the target Q-networks follow the Q-networks after
	// every update.
	TargetRate float64
	// ActorLR and CriticLR are the Adam learning rates of the actor and of the Q-networks;
	// the entropy temperature learns at CriticLR.
	ActorLR, CriticLR float64
	// ActorEvery delays the actor: every ActorEvery-th update trains it ActorEvery times.
	ActorEvery int
	// StartSteps is the number of training steps of uniformly random actions before the
	// first update.
	StartSteps int
	// ReplayCapacity is the most transitions the replay buffer keeps.
	ReplayCapacity int
}

// DefaultSACConfig returns CleanRL's continuous SAC defaults: two hidden layers of 256 with
// ReLU, batches of 256, discount 0.99, target rate 0.005, Adam at 3e-4 for the actor and
// 1e-3 for the critics and the temperature (tuned towards an entropy of −|A|), the actor
// trained twice every second update, 5000 random steps first, a buffer of a million.
func DefaultSACConfig() SACConfig {
	return SACConfig{
		Hidden: []int{256, 256}, Batch: 256, Discount: 0.99, TargetRate: 0.005,
		ActorLR: 3e-4, CriticLR: 1e-3, ActorEvery: 2, StartSteps: 5000, ReplayCapacity: 1_000_000,
	}
}

// validate returns an error describing the first invalid setting, or nil.
func (c SACConfig) validate() error {
	switch {
	case len(c.Hidden) == 0:
		return errors.New("agent: sac needs hidden layers")
	case c.Batch < 1 || c.ActorEvery < 1 || c.StartSteps < 0 || c.ReplayCapacity < 1:
		return fmt.Errorf("agent: sac batch %d, actor delay %d, %d random steps, buffer of %d: want them positive, the random steps ≥ 0",
			c.Batch, c.ActorEvery, c.StartSteps, c.ReplayCapacity)
	case !(c.Discount > 0 && c.Discount < 1):
		return fmt.Errorf("agent: sac discount %v: want it in (0, 1)", c.Discount)
	case !(c.TargetRate > 0 && c.TargetRate <= 1):
		return fmt.Errorf("agent: sac target rate %v: want it in (0, 1]", c.TargetRate)
	case !(c.ActorLR > 0) || !(c.CriticLR > 0):
		return fmt.Errorf("agent: sac learning rates %v and %v: want them positive", c.ActorLR, c.CriticLR)
	}
	return nil
}

// Streams of a SAC agent's seed.
const (
	sacActorStream  = 0x7361_6361_6374_0000
	sacCriticStream = 0x7361_6371_0000_0000
	sacDrawStream   = 0x7361_6364_7261_7700
)

// SAC is Soft Actor-Critic (Haarnoja et al. 2018), the model-free reference agent: no world
// model, no planning. A tanh-squashed Gaussian actor chooses actions; two Q-networks, each
// with a slowly following target, learn the soft value of actions; an entropy temperature
// adjusts itself to keep the actor's entropy near a target. It acts at random for its first
// StartSteps training steps, then updates once after every step. In evaluation mode it takes
// the actor's mean action and does not learn. docs/decisions/sac.md says where it departs from
// CleanRL's implementation.
type SAC struct {
	cfg            SACConfig
	space          envs.Box
	obsDim, actDim int

	pi             *actor
	q, target      [2]*nn.MLP[float32]
	qOpt           *nn.AdamW[float32]
	replay         *Replay
	batch          worldmodel.Batch
	obs, next, act nn.Matrix[float32] // the batch's observations and actions in [−1, 1]
	qIn, y, grad   nn.Matrix[float32]
	dAct, dQ       nn.Matrix[float32] // the gradient of the actor's Q term with respect to its actions
	one            nn.Matrix[float32] // the observation acted on
	steps, updates int
	loss           float64 // the Q-networks' in the last update
	eval           bool
	trainSrc       *rand.PCG
	trainRNG       *rand.Rand // draws batches and the actions of updates, across episodes
	actRNG         *rand.Rand // draws exploration, reset every episode
	action         []float64
}

// NewSAC returns a SAC agent for env, seeded with seedValue. It returns an error if the
// configuration is invalid, env observes images, or its action space is unbounded.
func NewSAC(env envs.Env, seedValue uint64, c SACConfig) (*SAC, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	if dimsOf(env).Pixels.Images() {
		return nil, errors.New("agent: sac learns from states, not images: use jepa or recon with pixel observations")
	}
	space := env.ActionSpace()
	a := &SAC{cfg: c, space: space, obsDim: env.ObservationSpace().Dim(), actDim: space.Dim()}
	var err error
	mlp := func(in, out int, s uint64) *nn.MLP[float32] {
		var m *nn.MLP[float32]
		if err == nil {
			sizes := append(append([]int{in}, c.Hidden...), out)
			m, err = nn.NewMLP[float32](nn.Spec{Sizes: sizes, Activation: nn.ReLU}, s)
		}
		return m
	}
	net := mlp(a.obsDim, 2*a.actDim, seed.Derive(seedValue, sacActorStream))
	for k := range a.q {
		a.q[k] = mlp(a.obsDim+a.actDim, 1, seed.Derive(seedValue, sacCriticStream+uint64(k)))
	}
	if err != nil {
		return nil, fmt.Errorf("agent: sac: %w", err)
	}
	for k, q := range a.q {
		a.target[k] = q.Clone()
	}
	if a.pi, err = newActor(net, space, c.ActorLR, c.CriticLR); err != nil {
		return nil, fmt.Errorf("agent: sac on %s %w", env.Spec().ID, err)
	}
	a.qOpt, _ = nn.NewAdamW(adam(c.CriticLR), nn.Net[float32](a.q[0]), a.q[1])
	if a.replay, err = NewReplay(c.ReplayCapacity, a.obsDim, a.actDim); err != nil {
		return nil, err
	}
	a.trainSrc = rand.NewPCG(seedValue, trainBatchStream)
	a.trainRNG = rand.New(a.trainSrc)
	a.action = make([]float64, a.actDim)
	a.one = nn.NewMatrix[float32](1, a.obsDim)
	a.Reset(seedValue)
	return a, nil
}

// Reset starts an episode, restarting the draws of exploration from s.
func (a *SAC) Reset(s uint64) { a.actRNG = rand.New(rand.NewPCG(s, exploreStream)) }

// SetEval switches evaluation mode on or off.
func (a *SAC) SetEval(on bool) { a.eval = on }

// EndEpisode closes the current episode in the replay buffer. It never fails.
func (a *SAC) EndEpisode() error {
	a.replay.EndEpisode()
	return nil
}

// TrainingLoss returns the Q-networks' summed loss in the last update and the updates so far.
func (a *SAC) TrainingLoss() (string, float64, int) { return "critic loss", a.loss, a.updates }

// Alpha returns the entropy temperature.
func (a *SAC) Alpha() float64 { return a.pi.alpha() }

// Act returns a uniformly random action for the first StartSteps training steps, then an
// action drawn from the actor, or in evaluation mode the actor's mean action. It returns an
// error if obs has the wrong size or is not finite.
func (a *SAC) Act(obs []float64) ([]float64, error) {
	if len(obs) != a.obsDim {
		return nil, fmt.Errorf("agent: observation of %d components, want %d", len(obs), a.obsDim)
	}
	if !a.eval && a.steps < a.cfg.StartSteps {
		return a.space.Sample(a.actRNG, a.action), nil
	}
	for i, v := range obs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("agent: observation component %d is %v", i, v)
		}
		a.one.Data[i] = float32(v)
	}
	out, rng := a.pi.net.Infer(a.one), a.actRNG
	if a.eval {
		rng = nil
	}
	for j := range a.actDim {
		a.action[j] = a.pi.action(out.Data, j, rng)
	}
	return a.space.Clip(a.action, a.action), nil
}

// Observe stores a training transition and, once StartSteps have been taken, updates the
// actor and the critics once. In evaluation mode it does nothing. It returns an error if the
// transition has the wrong sizes or training diverges.
func (a *SAC) Observe(t Transition) error {
	if a.eval {
		return nil
	}
	if err := a.replay.Add(t); err != nil {
		return err
	}
	a.steps++
	if a.steps < a.cfg.StartSteps {
		return nil
	}
	return a.update()
}

// update takes one update of the critics, the actor's ActorEvery when due, and the targets'.
func (a *SAC) update() error {
	err := a.replay.SampleSequences(a.trainRNG, a.cfg.Batch, 1, &a.batch)
	if errors.Is(err, ErrNotEnoughData) {
		return nil
	}
	if err != nil {
		return err
	}
	a.loadBatch()
	a.loss = a.trainCritics()
	if math.IsNaN(a.loss) || math.IsInf(a.loss, 0) {
		return fmt.Errorf("agent: sac update %d: critic loss %v", a.updates, a.loss)
	}
	if a.updates%a.cfg.ActorEvery == 0 {
		for range a.cfg.ActorEvery {
			a.trainActor()
		}
	}
	for k := range a.q {
		nn.Follow(a.target[k], a.q[k], a.cfg.TargetRate)
	}
	a.updates++
	return nil
}

// loadBatch copies the sampled transitions into the update's matrices, with actions mapped
// to [−1, 1].
func (a *SAC) loadBatch() {
	b := &a.batch
	a.obs.Reshape(b.B, a.obsDim)
	a.next.Reshape(b.B, a.obsDim)
	a.act.Reshape(b.B, a.actDim)
	for i := range b.B {
		copy(a.obs.Row(i), b.ObsAt(i, 0))
		copy(a.next.Row(i), b.ObsAt(i, 1))
		for j, v := range b.ActionAt(i, 0) {
			a.act.Row(i)[j] = float32((float64(v) - a.pi.bias[j]) / a.pi.scale[j])
		}
	}
}

// trainCritics takes one step of both Q-networks towards the soft Bellman target
// r + γ(1 − done)(min_k Q̄_k(s′, a′) − α log π(a′|s′)), a′ drawn from the actor, and
// returns the sum of their losses.
func (a *SAC) trainCritics() float64 {
	b, alpha := &a.batch, float32(a.Alpha())
	a.pi.draw.sample(a.pi.net.Infer(a.next), a.actDim, a.trainRNG)
	a.fillQIn(a.next, a.pi.draw.act)
	a.y.Reshape(b.B, 1)
	q0, q1 := a.target[0].Infer(a.qIn).Data, a.target[1].Infer(a.qIn).Data
	for i := range b.B {
		soft := min(q0[i], q1[i]) - alpha*a.pi.draw.logp.Data[i]
		if b.Terminated[i] {
			soft = 0
		}
		a.y.Data[i] = b.Reward[i] + float32(a.cfg.Discount)*soft
	}
	a.fillQIn(a.obs, a.act)
	a.grad.Reshape(b.B, 1)
	var loss float64
	for _, q := range a.q {
		q.ZeroGrad()
		loss += nn.MSE(q.Forward(a.qIn), a.y, a.grad)
		q.Backward(a.grad)
	}
	a.qOpt.Step()
	return loss
}

// trainActor takes one step of the actor towards maximising min_k Q_k(s, a) − α log π(a|s),
// a drawn from it by reparameterisation, and one step of the temperature towards the target
// entropy.
func (a *SAC) trainActor() {
	_, entropyGap := a.actorGradient(a.trainRNG)
	a.pi.step(entropyGap)
}

// actorGradient sets the actor's gradients to those of its loss on the batch's observations,
// mean(α log π(a|s) − min_k Q_k(s, a)) with a drawn with rng, and returns the loss and the
// mean of log π(a|s) + the target entropy, the temperature's gradient over −α. It leaves
// gradients in the Q-networks, which their next update clears.
func (a *SAC) actorGradient(rng *rand.Rand) (loss, entropyGap float64) {
	n, d, alpha := a.obs.Rows, a.actDim, a.Alpha()
	act := a.pi.sample(a.obs, rng)
	a.fillQIn(a.obs, act)
	qs := [2][]float32{}
	for k, q := range a.q {
		qs[k] = q.Forward(a.qIn).Data
	}
	// The gradient of −mean(min_k Q_k) reaches the action through the smaller Q only.
	a.dAct.Reshape(n, d)
	clear(a.dAct.Data)
	a.dQ.Reshape(n, 1)
	for k, q := range a.q {
		for i := range n {
			a.dQ.Data[i] = 0
			if smaller := btoi(qs[1][i] < qs[0][i]); k == smaller {
				a.dQ.Data[i] = float32(-1 / float64(n))
			}
		}
		dIn := q.BackwardInput(a.dQ)
		for i := range n {
			for j := range d {
				a.dAct.Data[i*d+j] += dIn.Data[i*(a.obsDim+d)+a.obsDim+j]
			}
		}
	}
	for i := range n {
		loss += (alpha*float64(a.pi.draw.logp.Data[i]) - float64(min(qs[0][i], qs[1][i]))) / float64(n)
	}
	return loss, a.pi.backward(a.dAct)
}

// fillQIn sets the Q-networks' input to the rows of obs beside the rows of act.
func (a *SAC) fillQIn(obs, act nn.Matrix[float32]) {
	a.qIn.Reshape(obs.Rows, a.obsDim+a.actDim)
	for i := range obs.Rows {
		row := a.qIn.Row(i)
		copy(row, obs.Row(i))
		copy(row[a.obsDim:], act.Row(i))
	}
}

// btoi returns 1 for true and 0 for false.
func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
