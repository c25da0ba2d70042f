package nn

import "fmt"

// Activation names the function a layer applies element-wise after its affine map (and after
// LayerNorm when the layer has one).
type Activation uint8

// The activations. Their values are stored in checkpoint files, so they never change.
const (
	// Identity leaves its input unchanged; output layers use it.
	Identity Activation = iota
	// SiLU is x·σ(x), also called swish.
	SiLU
	// ELU is x for x > 0 and e**x - 1 otherwise (α = 1).
	ELU
	// Mish is x·tanh(softplus(x)).
	Mish
	// ReLU is max(x, 0); its derivative at 0 is taken as 0.
	ReLU
	numActivations
)

var activationNames = [numActivations]string{"identity", "silu", "elu", "mish", "relu"}

// String returns the activation's lower-case name, such as "silu".
func (a Activation) String() string {
	if a < numActivations {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", uint8(a))
}

// mishClamp bounds the argument of e**x in Mish: beyond it tanh(softplus(x)) is 1 to within
// float64 precision.
const mishClamp = 20

// activate replaces each y[j] by f(y[j]) and, when d is not nil, stores f'(y[j]) in d[j].
// The forward pass keeps d for the backward pass; inference passes nil and skips it. Identity
// changes nothing: layers keep no derivative for it.
func activate[T Float](f Activation, y, d []T) {
	if d != nil {
		d = d[:len(y)]
	}
	switch f {
	case Identity:
	case SiLU:
		for j, v := range y {
			s := sigmoid(v)
			y[j] = v * s
			if d != nil {
				d[j] = s * (1 + v*(1-s))
			}
		}
	case ELU:
		for j, v := range y {
			if v > 0 {
				if d != nil {
					d[j] = 1
				}
				continue
			}
			e := exp(v)
			y[j] = e - 1
			if d != nil {
				d[j] = e
			}
		}
	case Mish:
		for j, v := range y {
			// With e = e**x: tanh(softplus(x)) = n/(n+2) where n = e(e+2), and σ(x) = e/(1+e).
			e := exp(min(v, mishClamp))
			n := e * (e + 2)
			t := n / (n + 2)
			y[j] = v * t
			if d != nil {
				d[j] = t + v*(e/(1+e))*(1-t*t)
			}
		}
	case ReLU:
		for j, v := range y {
			if d != nil {
				d[j] = 0
				if v > 0 {
					d[j] = 1
				}
			}
			y[j] = max(v, 0)
		}
	default:
		panic(fmt.Sprintf("nn: unknown activation %d", f))
	}
}
