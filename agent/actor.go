package agent

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/parts"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// The bounds of an actor's log standard deviation, as CleanRL's SAC.
const (
	sacLogStdMin = -5
	sacLogStdMax = 2
)

// actor is a tanh-squashed Gaussian policy with a self-tuning entropy temperature, SAC's
// actor: a network from its inputs to d means and d raw log standard deviations, drawing
// actions in [−1, 1]^d. SAC trains it on its Q-networks, a model-based agent's policy prior
// on the model's action value (worldmodel.ActionValue).
type actor struct {
	net           *nn.MLP[float32]
	opt, alphaOpt *nn.AdamW[float32]
	logAlpha      scalar
	targetEntropy float64
	d             int
	scale, bias   []float64          // an action in the environment's units is bias + scale·u for u in [−1, 1]
	out           nn.Matrix[float32] // the network's output for the last sample
	draw          policyDraw
	grad          nn.Matrix[float32] // the gradient at the network's output
}

// newActor returns an actor over net, whose output must have twice as many columns as space
// has components, acting in space, with Adam at lr for the network and alphaLR for the
// temperature, which aims at an entropy of −1 per component. It returns an error if space is
// unbounded in a component.
func newActor(net *nn.MLP[float32], space envs.Box, lr, alphaLR float64) (*actor, error) {
	d := space.Dim()
	p := &actor{net: net, d: d, targetEntropy: -float64(d)}
	for i := range space.Low {
		lo, hi := space.Low[i], space.High[i]
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(hi > lo) {
			return nil, fmt.Errorf("needs a bounded action space, not [%v, %v] in dimension %d", lo, hi, i)
		}
		p.scale, p.bias = append(p.scale, (hi-lo)/2), append(p.bias, (hi+lo)/2)
	}
	p.opt, _ = nn.NewAdamW(adam(lr), nn.Net[float32](net))
	p.alphaOpt, _ = nn.NewAdamW(adam(alphaLR), nn.Net[float32](&p.logAlpha))
	return p, nil
}

// adam returns Adam at learning rate lr: AdamW's defaults without weight decay.
func adam(lr float64) nn.AdamWConfig {
	c := nn.DefaultAdamW(lr)
	c.WeightDecay = 0
	return c
}

// action returns component j of the action the network's output row stands for, in the
// environment's units: its mean, squashed, or with rng a draw around it.
func (p *actor) action(row []float32, j int, rng *rand.Rand) float64 {
	u := float64(row[j])
	if rng != nil {
		u += math.Exp(logStd(row[p.d+j])) * rng.NormFloat64()
	}
	return p.bias[j] + p.scale[j]*math.Tanh(u)
}

// alpha returns the entropy temperature.
func (p *actor) alpha() float64 { return math.Exp(float64(p.logAlpha.p[0])) }

// sample runs the network on in, recording the pass, and draws one action per row with rng,
// returning them: p.draw holds them with their log-probabilities.
func (p *actor) sample(in nn.Matrix[float32], rng *rand.Rand) nn.Matrix[float32] {
	p.out = p.net.Forward(in)
	p.draw.sample(p.out, p.d, rng)
	return p.draw.act
}

// backward sets the network's gradients to those of the loss mean(α log π(a|s)) + L, given
// dAct, the gradient of L with respect to the actions of the last sample, and returns the
// mean of log π(a|s) plus the target entropy, the temperature's gradient over −α.
func (p *actor) backward(dAct nn.Matrix[float32]) (entropyGap float64) {
	n, d, alpha := p.out.Rows, p.d, p.alpha()
	raw := p.out.Data
	p.grad.Reshape(n, 2*d)
	for i := range n {
		entropyGap += (float64(p.draw.logp.Data[i]) + p.targetEntropy) / float64(n)
		for j := range d {
			k := i*d + j
			act, eps, std := float64(p.draw.act.Data[k]), float64(p.draw.eps.Data[k]), float64(p.draw.std.Data[k])
			slope := 1 - act*act
			squash := 2 * act * slope / (slope + 1e-6) // ∂/∂u of −log(1 − tanh²u + 1e-6)
			dMean := alpha*squash/float64(n) + float64(dAct.Data[k])*slope
			dLogStd := -alpha/float64(n) + std*eps*dMean
			t := math.Tanh(float64(raw[i*2*d+d+j]))
			p.grad.Data[i*2*d+j] = float32(dMean)
			p.grad.Data[i*2*d+d+j] = float32(dLogStd * 0.5 * (sacLogStdMax - sacLogStdMin) * (1 - t*t))
		}
	}
	p.net.ZeroGrad()
	p.net.Backward(p.grad)
	return entropyGap
}

// step takes a step of the network's optimiser, and one of the temperature's towards the
// target entropy, given backward's entropyGap.
func (p *actor) step(entropyGap float64) {
	p.opt.Step()
	p.logAlpha.g[0] = float32(-p.alpha() * entropyGap)
	p.alphaOpt.Step()
}

// checkpoints returns the actor's network with its optimiser, and the temperature's
// optimiser alone (the temperature itself is temperature's).
func (p *actor) checkpoints() []nn.Checkpoint[float32] {
	return []nn.Checkpoint[float32]{{Nets: []*nn.MLP[float32]{p.net}, Opt: p.opt}, {Opt: p.alphaOpt}}
}

// temperature returns the log temperature as 4 bytes.
func (p *actor) temperature() []byte {
	return binary.LittleEndian.AppendUint32(nil, math.Float32bits(p.logAlpha.p[0]))
}

// decodeTemperature returns the log temperature temperature wrote, or an error if b is not
// one.
func decodeTemperature(b []byte) (float32, error) {
	if len(b) != 4 {
		return 0, fmt.Errorf("temperature of %d bytes", len(b))
	}
	v := math.Float32frombits(binary.LittleEndian.Uint32(b))
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return 0, fmt.Errorf("log temperature %v", v)
	}
	return v, nil
}

// actorKind names the state of an actor kept on its own (a policy prior's).
const actorKind = "actor"

// state returns the actor's state as one container: its temperature, then its networks
// with their optimisers.
func (p *actor) state() []byte {
	ps := [][]byte{p.temperature()}
	for _, c := range p.checkpoints() {
		b, _ := c.MarshalBinary()
		ps = append(ps, b)
	}
	return parts.Encode(actorKind, ps...)
}

// restore restores a state that state returned into an actor built the same way. It
// returns an error if data is not such a state; the actor may then be restored in part.
func (p *actor) restore(data []byte) error {
	cks := p.checkpoints()
	ps, err := parts.Decode(actorKind, data, 1+len(cks))
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	logAlpha, err := decodeTemperature(ps[0])
	if err != nil {
		return fmt.Errorf("agent: %s state: %w", actorKind, err)
	}
	for i, c := range cks {
		if err := c.UnmarshalBinary(ps[1+i]); err != nil {
			return fmt.Errorf("agent: %s state: %w", actorKind, err)
		}
	}
	p.logAlpha.p[0] = logAlpha
	return nil
}

// scalar is one trainable parameter, for an optimiser: the log of an actor's temperature.
type scalar struct{ p, g [1]float32 }

// Params returns the parameter.
func (s *scalar) Params() []float32 { return s.p[:] }

// Grads returns its gradient.
func (s *scalar) Grads() []float32 { return s.g[:] }

// logStd maps an actor's raw output into [sacLogStdMin, sacLogStdMax].
func logStd(raw float32) float64 {
	return sacLogStdMin + 0.5*(sacLogStdMax-sacLogStdMin)*(math.Tanh(float64(raw))+1)
}

// policyDraw is a batch of actions drawn from an actor, one per row, kept for the gradient:
// the noise, the standard deviations, the squashed actions and their log-probabilities.
type policyDraw struct {
	eps, std, act, logp nn.Matrix[float32]
}

// sample draws one action per row of an actor's output out (d means, then d raw log
// standard deviations) with rng.
func (p *policyDraw) sample(out nn.Matrix[float32], d int, rng *rand.Rand) {
	n := out.Rows
	p.eps.Reshape(n, d)
	p.std.Reshape(n, d)
	p.act.Reshape(n, d)
	p.logp.Reshape(n, 1)
	const halfLog2Pi = 0.9189385332046727
	for i := range n {
		row := out.Row(i)
		var logp float64
		for j := range d {
			ls := logStd(row[d+j])
			std, eps := math.Exp(ls), rng.NormFloat64()
			act := math.Tanh(float64(row[j]) + std*eps)
			logp += -0.5*eps*eps - ls - halfLog2Pi - math.Log(1-act*act+1e-6)
			k := i*d + j
			p.eps.Data[k], p.std.Data[k], p.act.Data[k] = float32(eps), float32(std), float32(act)
		}
		p.logp.Data[i] = float32(logp)
	}
}
