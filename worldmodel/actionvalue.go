package worldmodel

import (
	"fmt"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// ActionValue returns, for each row of a batch of latents z and actions a, the value of
// taking the action there as the model and the critic see it one step ahead, the predicted
// reward plus the critic's discounted value of the predicted next latent,
// r̂(z, a) + γ·V(f(z, a)) (the reward alone when critic is nil), and writes its gradient
// with respect to a into grad, which must be as large as a. It is what a policy trained
// through the model climbs. The result is the model's storage, valid until its next call.
// It returns an error for a model whose predictions it cannot differentiate (PETS), or
// batches of the wrong sizes.
func ActionValue(model Model, critic *Critic, z, a, grad nn.Matrix[float32]) ([]float32, error) {
	m, ok := model.(interface{ latent() *latentModel })
	if !ok {
		return nil, fmt.Errorf("worldmodel: the action value of a %T cannot be differentiated", model)
	}
	d := model.Dims()
	if z.Cols != d.Latent || a.Cols != d.Action || a.Rows != z.Rows || grad.Rows != a.Rows || grad.Cols != a.Cols {
		return nil, fmt.Errorf("worldmodel: action value of %d×%d latents and %d×%d actions into a %d×%d gradient, want %d- and %d-column latents and actions and a gradient like the actions",
			z.Rows, z.Cols, a.Rows, a.Cols, grad.Rows, grad.Cols, d.Latent, d.Action)
	}
	if critic != nil && critic.z.Cols != d.Latent {
		return nil, fmt.Errorf("worldmodel: critic of %d-d latents with a model of %d-d latents", critic.z.Cols, d.Latent)
	}
	return m.latent().actionValue(critic, z, a, grad), nil
}

func (m *latentModel) latent() *latentModel { return m }

// actionValue is ActionValue for a latent model: one recorded pass of the predictor, the
// critic's gradient with respect to the predicted latent, and the predictor's backward to
// its input. It leaves gradients in the predictor and the critic, which their next training
// steps clear.
func (m *latentModel) actionValue(critic *Critic, z, a, grad nn.Matrix[float32]) []float32 {
	n, l := z.Rows, m.dims.Latent
	shape(&m.avIn, n, l+m.dims.Action)
	joinRows(m.avIn, z, a)
	shape(&m.avNext, n, l)
	m.avValue = grow(m.avValue, n)
	m.split(m.pred.Forward(m.avIn), m.avNext, m.avValue)
	shape(&m.avGrad, n, l+1)
	shape(&m.avDNext, n, l)
	clear(m.avDNext.Data)
	if critic != nil {
		for i, v := range critic.valueGrad(m.avNext, m.avDNext) {
			m.avValue[i] += float32(critic.Discount()) * v
		}
		for i := range m.avDNext.Data {
			m.avDNext.Data[i] *= float32(critic.Discount())
		}
		nn.SimNormBackward(m.avNext, m.avDNext, m.group)
	}
	for r := range n {
		row := m.avGrad.Row(r)
		copy(row, m.avDNext.Row(r))
		row[l] = 1
	}
	din := m.pred.BackwardInput(m.avGrad)
	for r := range n {
		copy(grad.Row(r), din.Row(r)[l:])
	}
	return m.avValue
}

// valueGrad returns the critic's values of the latents z, the mean of its members', and
// writes their gradient with respect to z into dz. It leaves gradients in the members, which
// the next Train clears.
func (c *Critic) valueGrad(z, dz nn.Matrix[float32]) []float32 {
	n, k := z.Rows, float32(len(c.v))
	c.value = grow(c.value, n)
	clear(c.value)
	clear(dz.Data)
	shape(&c.ones, n, 1)
	for i := range c.ones.Data {
		c.ones.Data[i] = 1 / k
	}
	for _, v := range c.v {
		for i, x := range v.Forward(z).Data {
			c.value[i] += x / k
		}
		for i, g := range v.BackwardInput(c.ones).Data {
			dz.Data[i] += g
		}
	}
	return c.value
}

// HasActionValue reports whether ActionValue can differentiate model's predictions.
func HasActionValue(model Model) bool {
	_, ok := model.(interface{ latent() *latentModel })
	return ok
}
