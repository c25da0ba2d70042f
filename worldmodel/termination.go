package worldmodel

import (
	"errors"
	"fmt"

	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// TerminationConfig configures a Termination.
type TerminationConfig struct {
	// Hidden lists the classifier's hidden widths.
	Hidden []int
	// Batch is the number of transitions drawn at random per training step, and Ends the
	// number of terminal transitions added to them.
	Batch, Ends int
	// Optimiser configures the classifier's AdamW.
	Optimiser nn.AdamWConfig
}

// DefaultTerminationConfig returns the termination model of the jepa and pets agents: one
// hidden layer of 128, batches of 128 transitions and 32 terminal ones, AdamW at 1e-3
// clipped at norm 20.
func DefaultTerminationConfig() TerminationConfig {
	opt := nn.DefaultAdamW(1e-3)
	opt.WeightDecay, opt.MaxGradNorm = 0, 20
	return TerminationConfig{Hidden: []int{128}, Batch: 128, Ends: 32, Optimiser: opt}
}

// Termination learns the probability that a transition ends the episode, from a model's
// latent of the observation it led to, so that imagination can tell when a rollout has
// reached a state the episode stops in, such as Acrobot's success. World models predict
// the next latent and the reward but not whether the episode goes on; without this, a
// planner sees only a moment's reward in reaching a terminal success instead of the
// absorbing state's worth.
//
// It is a classifier trained by binary cross-entropy on the model's encodings of replayed
// next observations, which it does not train. Terminal transitions are rare, so each step
// adds a batch of them to the transitions drawn at random: the classifier leans towards
// predicting an ending near where one was seen, and real experience corrects it.
//
// A Termination serves any Model, as a Critic does.
type Termination struct {
	cfg          TerminationConfig
	net          *nn.MLP[float32]
	opt          *nn.AdamW[float32]
	obs          []float32
	z, to, grad  nn.Matrix[float32]
	prob         []float32
	randomRows   nn.Matrix[float32] // the rows of z for the random transitions
	terminalRows nn.Matrix[float32] // and for the terminal ones
}

// NewTermination returns an untrained termination model for latents of size latent, with
// parameters drawn from seedValue. It returns an error if c is invalid.
func NewTermination(latent int, c TerminationConfig, seedValue uint64) (*Termination, error) {
	if c.Batch < 1 || c.Ends < 1 {
		return nil, fmt.Errorf("worldmodel: termination batch of %d transitions and %d terminal ones: want both positive", c.Batch, c.Ends)
	}
	net, err := mlp(latent, c.Hidden, 1, seed.Derive(seedValue, terminationStream))
	if err != nil {
		return nil, fmt.Errorf("worldmodel: termination: %w", err)
	}
	opt, err := nn.NewAdamW(c.Optimiser, net)
	if err != nil {
		return nil, fmt.Errorf("worldmodel: termination: %w", err)
	}
	n := c.Batch + c.Ends
	t := &Termination{cfg: c, net: net, opt: opt, z: nn.NewMatrix[float32](n, latent),
		to: nn.NewMatrix[float32](n, 1), grad: nn.NewMatrix[float32](n, 1)}
	t.randomRows = nn.MatrixOf(c.Batch, latent, t.z.Data[:c.Batch*latent])
	t.terminalRows = nn.MatrixOf(c.Ends, latent, t.z.Data[c.Batch*latent:])
	return t, nil
}

// terminationStream selects the seed of a termination model's network.
const terminationStream = 0x656e_6473_0000_0000

// Batch returns the numbers of random and of terminal one-step sequences Train wants.
func (t *Termination) Batch() (random, terminal int) { return t.cfg.Batch, t.cfg.Ends }

// Steps returns how many training steps the model has taken, those of a restored state
// included.
func (t *Termination) Steps() int64 { return t.opt.Steps() }

// Prob returns the predicted probabilities that the transitions into a batch of latents
// ended the episode, the model's own storage valid until the next Prob or Train.
func (t *Termination) Prob(z nn.Matrix[float32]) []float32 {
	logits := t.net.Infer(z).Data
	t.prob = grow(t.prob, len(logits))
	for i, l := range logits {
		t.prob[i] = float32(sigmoid(float64(l)))
	}
	return t.prob
}

// Train takes one step on random, Batch random one-step sequences, and terminal, Ends
// one-step sequences that ended their episodes, labelled by their Terminated flags, with
// latents from model. It returns the cross-entropy before the step. It returns an error if a
// batch has the wrong shape, the model's latents another size than the classifier's, or the
// loss is not finite.
func (t *Termination) Train(model Model, random, terminal *Batch) (float64, error) {
	if err := checkBatch(random, model.Dims(), t.cfg.Batch, 1); err != nil {
		return 0, err
	}
	if err := checkBatch(terminal, model.Dims(), t.cfg.Ends, 1); err != nil {
		return 0, err
	}
	if l := model.Dims().Latent; l != t.z.Cols {
		return 0, fmt.Errorf("worldmodel: termination model of %d-d latents trained with a model of %d-d latents", t.z.Cols, l)
	}
	t.obs = encodeStep(model, random, 1, t.randomRows, t.obs)
	t.obs = encodeStep(model, terminal, 1, t.terminalRows, t.obs)
	labels(t.to.Data, random.Terminated)
	labels(t.to.Data[t.cfg.Batch:], terminal.Terminated)
	t.net.ZeroGrad()
	loss := nn.BCEWithLogits(t.net.Forward(t.z), t.to, t.grad)
	if !finite(loss) {
		return loss, errors.Join(ErrNotFinite, errors.New("worldmodel: termination"))
	}
	t.net.Backward(t.grad)
	t.opt.Step()
	return loss, nil
}

// labels writes 1 for each terminal flag in ends and 0 for the others into dst.
func labels(dst []float32, ends []bool) {
	for i, end := range ends {
		dst[i] = 0
		if end {
			dst[i] = 1
		}
	}
}

// terminationKind names termination model states.
const terminationKind = "termination"

// MarshalBinary returns the termination model's state: its network and optimiser. It never
// fails.
func (t *Termination) MarshalBinary() ([]byte, error) {
	ck, _ := t.checkpoint().MarshalBinary()
	return marshalParts(terminationKind, ck), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into a termination model built
// with the same configuration; it changes nothing and returns an error if data is not such a
// state.
func (t *Termination) UnmarshalBinary(data []byte) error {
	parts, err := unmarshalParts(terminationKind, data, 1)
	if err != nil {
		return err
	}
	return t.checkpoint().UnmarshalBinary(parts[0])
}

func (t *Termination) checkpoint() nn.Checkpoint[float32] {
	return nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{t.net}, Opt: t.opt}
}
