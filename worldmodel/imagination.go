package worldmodel

import (
	"errors"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// Imagination scores candidate action sequences by rolling them out in a model's latent
// space from the latent of the current observation, summing the discounted predicted
// rewards. It is the evaluator a planner searches with (a plan.Evaluator), and Imagine
// shows what the model expects a plan to lead to. It is not safe for concurrent use.
type Imagination struct {
	model    Model
	critic   *Critic
	ends     *Termination
	discount float64
	start    []float32 // the latent of the current observation
	observed bool      // Observe has set start
	obs      nn.Matrix[float32]
	z, a     nn.Matrix[float32]
	imagined [][]float64
	read     []float64
	// Per candidate while Evaluate runs with a termination model: the probability that
	// its episode has not ended, and the reward per step its ended part earns.
	alive, absorbed []float64
	policy          Policy
	// Evaluate adds explore times dis's bonus to each imagined step's reward.
	dis     *Disagreement
	explore float64
	// Evaluate takes reach times the distance from the subgoal, in coarse's latent, of the
	// latent imagined when the subgoal is due, from that step's reward.
	coarse  *Coarse
	subgoal []float32
	reach   float64
	due     int // the step ahead at which the subgoal is due
	far     []float32
}

// A Policy proposes an action for each of a batch of latents, as a learned policy prior
// does for a planner.
type Policy interface {
	// Propose writes an action for each row of z into the same row of actions, in the
	// environment's units.
	Propose(z, actions nn.Matrix[float32])
}

// SetDisagreement makes Evaluate add weight times d's bonus of each imagined transition
// (Disagreement.Bonus) to its predicted reward: a positive weight seeks what the model
// knows little of, to explore, a negative one avoids it. nil or a zero weight turns that
// off.
func (im *Imagination) SetDisagreement(d *Disagreement, weight float64) {
	im.dis, im.explore = d, weight
	if weight == 0 {
		im.dis = nil
	}
}

// SetSubgoal makes Evaluate take weight times the distance between the latent imagined due
// steps ahead (or at the horizon, if sooner) and goal, measured in c's coarse latent
// (Coarse.Distance), from that step's predicted reward, so that the plans that reach the
// subgoal a coarse planner chose when it is due score best. nil c turns that off; goal is
// copied. It panics if due is not positive.
func (im *Imagination) SetSubgoal(c *Coarse, goal []float32, weight float64, due int) {
	if due < 1 {
		panic(fmt.Sprintf("worldmodel: a subgoal due %d steps ahead, want at least 1", due))
	}
	im.coarse, im.reach, im.due = c, weight, due
	im.subgoal = append(im.subgoal[:0], goal...)
}

// Start returns the latent of the observation last observed, the Imagination's own storage.
func (im *Imagination) Start() []float32 { return im.start }

// SetPolicy makes Propose roll p out in the model; nil turns proposals off.
func (im *Imagination) SetPolicy(p Policy) { im.policy = p }

// Propose writes n sequences of horizon actions into seqs, laid out as in Evaluate, each
// the policy's actions along its own rollout in the model from the latent of the current
// observation, as plan.Proposer asks. It reports false, proposing nothing, without a policy
// or before the first Observe.
func (im *Imagination) Propose(seqs []float64, n, horizon int) (bool, error) {
	if im.policy == nil || !im.observed {
		return false, nil
	}
	err := im.rollout(seqs, n, horizon, im.policy.Propose, nil, func(int, nn.Matrix[float32], []float32) error { return nil })
	return err == nil, err
}

// NewImagination returns an Imagination over model that discounts the reward of step t by
// discount^t. It panics unless discount is in (0, 1].
func NewImagination(model Model, discount float64) *Imagination {
	if !(discount > 0 && discount <= 1) {
		panic(fmt.Sprintf("worldmodel: discount %v, want it in (0, 1]", discount))
	}
	d := model.Dims()
	return &Imagination{model: model, discount: discount, start: make([]float32, d.Latent), obs: nn.NewMatrix[float32](1, d.Obs)}
}

// SetCritic makes Evaluate add discount^horizon times the critic's value of the latent each
// sequence ends in to its imagined rewards; nil turns that off. The critic should predict
// returns of the same discount.
func (im *Imagination) SetCritic(c *Critic) { im.critic = c }

// Observe makes obs the observation that imagined rollouts start from. It returns an error
// if obs has the wrong size.
func (im *Imagination) Observe(obs []float64) error {
	if len(obs) != im.obs.Cols {
		return fmt.Errorf("worldmodel: observation of %d components, want %d", len(obs), im.obs.Cols)
	}
	for i, v := range obs {
		im.obs.Data[i] = float32(v)
	}
	copy(im.start, im.model.Encode(im.obs).Data)
	im.observed = true
	return nil
}

// SetTermination makes Evaluate weigh each imagined step by the probability, as ends
// predicts it, that the episode has not ended before it, and count a rollout that ends as
// earning the reward of its last step at every later step: an absorbing state, the worth of
// Acrobot's success. nil turns that off, and every rollout runs to the horizon.
func (im *Imagination) SetTermination(ends *Termination) { im.ends = ends }

// Evaluate writes the discounted predicted return of each of the n candidate sequences into
// returns, with the layout plan.Evaluator documents. It returns an error before the first
// Observe, or if the model predicts a non-finite return.
func (im *Imagination) Evaluate(seqs []float64, n, horizon int, returns []float64) error {
	clear(returns[:n])
	im.alive, im.absorbed = grow(im.alive, n), grow(im.absorbed, n)
	for i := range n {
		im.alive[i], im.absorbed[i] = 1, 0
	}
	err := im.rollout(seqs, n, horizon, nil, im.shape, func(t int, z nn.Matrix[float32], reward []float32) error {
		w := math.Pow(im.discount, float64(t))
		var ended []float32
		if im.ends != nil {
			ended = im.ends.Prob(z)
		}
		for i := range n {
			r := float64(reward[i])
			returns[i] += w * (im.alive[i]*r + im.absorbed[i])
			if ended != nil {
				p := im.alive[i] * float64(ended[i])
				im.absorbed[i] += p * r
				im.alive[i] -= p
			}
		}
		return im.checkFinite(t, returns[:n])
	})
	if err != nil || im.critic == nil {
		return err
	}
	w, value := math.Pow(im.discount, float64(horizon)), im.critic.Value(im.z)
	for i := range n {
		returns[i] += w * im.alive[i] * float64(value[i])
		if im.absorbed[i] != 0 {
			returns[i] += w * im.absorbed[i] / (1 - im.discount)
		}
	}
	return im.checkFinite(horizon, returns[:n])
}

// shape changes the predicted reward of each transition of step t from latents z by actions
// a to next: it adds the disagreement bonus when Evaluate explores (SetDisagreement), and
// takes the distance from the subgoal when there is one (SetSubgoal) at the step the
// subgoal is due, or the horizon's last step if that comes sooner.
func (im *Imagination) shape(t, horizon int, z, a, next nn.Matrix[float32], reward []float32) {
	if im.dis != nil {
		for i, b := range im.dis.Bonus(z, a) {
			reward[i] += float32(im.explore) * b
		}
	}
	if im.coarse != nil && t == min(im.due, horizon)-1 {
		im.far = im.coarse.Distance(next, im.subgoal, im.far)
		for i, d := range im.far {
			reward[i] -= float32(im.reach) * d
		}
	}
}

// checkFinite returns an error if a return is not finite after step t.
func (im *Imagination) checkFinite(t int, returns []float64) error {
	if !finite(returns...) {
		return fmt.Errorf("worldmodel: imagined return is not finite at step %d", t)
	}
	return nil
}

// Imagine returns the observations the model's probe reads from the latents it predicts
// after each action of seq, horizon actions laid out as in Evaluate. The result belongs to
// the Imagination and is overwritten by the next call. It returns an error if a read-out is
// not finite.
func (im *Imagination) Imagine(seq []float64, horizon int) ([][]float64, error) {
	if len(im.imagined) < horizon {
		im.imagined = make([][]float64, horizon)
	}
	out := im.imagined[:horizon]
	err := im.rollout(seq, 1, horizon, nil, nil, func(t int, z nn.Matrix[float32], _ []float32) error {
		out[t] = readInto(out[t], im.model.Readout(z).Row(0))
		if !finite(out[t]...) {
			return fmt.Errorf("worldmodel: imagined observation is not finite at step %d", t)
		}
		return nil
	})
	return out, err
}

// Read returns what the model's readout (a JEPA's probe, a Recon's decoder) makes of the
// latent of the observation last observed: the observation as the model sees it (for a model of images, the newest frame).
// The result belongs to the Imagination and is overwritten by the next call. It returns an
// error before the first Observe, or if the read-out is not finite.
func (im *Imagination) Read() ([]float64, error) {
	if !im.observed {
		return nil, errors.New("worldmodel: reading before any observation")
	}
	im.read = readInto(im.read, im.model.Readout(nn.MatrixOf(1, len(im.start), im.start)).Row(0))
	if !finite(im.read...) {
		return nil, errors.New("worldmodel: the read-out of the observation is not finite")
	}
	return im.read, nil
}

// readInto returns dst, resized to src's length, holding src's values.
func readInto(dst []float64, src []float32) []float64 {
	if len(dst) != len(src) {
		dst = make([]float64, len(src))
	}
	for j, v := range src {
		dst[j] = float64(v)
	}
	return dst
}

// rollout runs n action sequences of horizon steps through the model from the start latent,
// calling see with each step's predicted latents and rewards, the rewards changed by
// adjust, when not nil, given the step, the horizon, the latents and actions they come from
// and the next latents. The actions come from
// seqs, or, when choose is not nil, from choose, given each step's latents, and go into
// seqs.
func (im *Imagination) rollout(seqs []float64, n, horizon int, choose func(z, a nn.Matrix[float32]), adjust func(t, horizon int, z, a, next nn.Matrix[float32], reward []float32), see func(t int, z nn.Matrix[float32], reward []float32) error) error {
	d := im.model.Dims()
	if !im.observed {
		return errors.New("worldmodel: imagining before any observation")
	}
	if len(seqs) != n*horizon*d.Action {
		return fmt.Errorf("worldmodel: %d action values for %d sequences of %d steps of %d-d actions", len(seqs), n, horizon, d.Action)
	}
	shape(&im.z, n, d.Latent)
	shape(&im.a, n, d.Action)
	for i := range n {
		copy(im.z.Row(i), im.start)
	}
	for t := range horizon {
		if choose != nil {
			choose(im.z, im.a)
		}
		for i := range n {
			row, seq := im.a.Row(i), seqs[(i*horizon+t)*d.Action:]
			for j := range row {
				if choose != nil {
					seq[j] = float64(row[j])
				} else {
					row[j] = float32(seq[j])
				}
			}
		}
		next, reward := im.model.Predict(im.z, im.a)
		if adjust != nil {
			adjust(t, horizon, im.z, im.a, next, reward)
		}
		copy(im.z.Data, next.Data[:n*d.Latent])
		if err := see(t, im.z, reward); err != nil {
			return err
		}
	}
	return nil
}
