package worldmodel

import (
	"bytes"
	"encoding"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// TestModelsDeterministic checks, for each model, that the same seed and data give the same
// state, bit for bit, and that another seed gives another.
func TestModelsDeterministic(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state func(seed uint64) []byte
	}{
		{"jepa", func(seed uint64) []byte {
			m := newTestJEPA(t, seed)
			trainJEPA(t, m, 5, 13)
			data, _ := m.MarshalBinary()
			return data
		}},
		{"pets", func(seed uint64) []byte {
			p := newTestPETS(t, seed)
			trainPETS(t, p, 5, 11)
			data, _ := p.MarshalBinary()
			return data
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, c := tc.state(13), tc.state(13), tc.state(14)
			if !bytes.Equal(a, b) {
				t.Error("the same seed and data give different models")
			}
			if bytes.Equal(a, c) {
				t.Error("different seeds give the same model")
			}
		})
	}
}

// TestStateRoundTrip checks, for each model, the critic and the termination model, that
// one restored from the state of another, trained on other data from another seed, marshals
// to the same bytes, computes the same outputs, and goes on training identically: the
// optimiser's state and the target networks came along.
func TestStateRoundTrip(t *testing.T) {
	fake := newFakeModel(4)
	chain := ring(1, 0, -1, 0.5)
	for _, tc := range []struct {
		name string
		// trained returns one trained on data drawn from seed.
		trained func(t *testing.T, seed uint64) stateful
		// outputs returns copies of what s computes from fixed inputs.
		outputs func(s stateful) any
		// train trains s further on fixed data and returns its losses.
		train func(t *testing.T, s stateful) any
	}{
		{"jepa",
			func(t *testing.T, seed uint64) stateful {
				m := newTestJEPA(t, seed)
				trainJEPA(t, m, 5, seed)
				return m
			},
			func(s stateful) any {
				m := s.(*JEPA)
				var b Batch
				rotationBatch(rand.New(rand.NewPCG(7, 7)), &b, 10, 1)
				obs, act := stepInputs(&b, 0)
				next, reward := m.Predict(m.Encode(obs), act)
				return [][]float32{slices.Clone(m.Encode(obs).Data), slices.Concat(next.Data, reward),
					slices.Clone(m.Readout(m.Encode(obs)).Data)}
			},
			func(t *testing.T, s stateful) any { return trainJEPA(t, s.(*JEPA), 3, 8) },
		},
		{"pets",
			func(t *testing.T, seed uint64) stateful {
				p := newTestPETS(t, seed)
				trainPETS(t, p, 5, seed)
				return p
			},
			func(s stateful) any {
				p := s.(*PETS)
				var b Batch
				petsLinear(rand.New(rand.NewPCG(7, 7)), &b, 10)
				obs, act := petsInputs(&b)
				next, reward := p.Predict(p.Encode(obs), act)
				return slices.Concat(next.Data, reward)
			},
			func(t *testing.T, s stateful) any { return trainPETS(t, s.(*PETS), 2, 8) },
		},
		{"critic", // an ensemble: a single network is the same path with one member
			func(t *testing.T, seed uint64) stateful {
				c := newTestCritic(t, 4, ensembleTestConfig(), seed)
				trainCritic(t, c, fake, chain, 4, 20, seed)
				return c
			},
			func(s stateful) any {
				latents := identity(4)
				latents.Data[1], latents.Data[14] = 0.5, -2 // off the one-hot points too
				return slices.Clone(s.(*Critic).Value(latents))
			},
			func(t *testing.T, s stateful) any {
				var losses []float64
				for i := range 5 {
					losses = append(losses, trainCritic(t, s.(*Critic), fake, chain, 4, 1, uint64(10+i)))
				}
				return losses
			},
		},
		{"termination",
			func(t *testing.T, seed uint64) stateful {
				e := newTestTermination(t, 2, seed)
				trainTermination(t, e, 20, seed)
				return e
			},
			func(s stateful) any {
				return slices.Clone(s.(*Termination).Prob(nn.MatrixOf(3, 2, []float32{0.9, 0.9, -1, 0.2, 0.5, 0.5})))
			},
			func(t *testing.T, s stateful) any { return trainTermination(t, s.(*Termination), 5, 9) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, q := tc.trained(t, 4), tc.trained(t, 5)
			if reflect.DeepEqual(tc.outputs(q), tc.outputs(p)) {
				t.Fatal("different seeds give the same outputs: the test would prove nothing")
			}
			data, err := p.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			if err := q.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			if again, _ := q.MarshalBinary(); !bytes.Equal(again, data) {
				t.Error("the restored copy marshals differently")
			}
			if got, want := tc.outputs(q), tc.outputs(p); !reflect.DeepEqual(got, want) {
				t.Errorf("the restored copy computes %v, want %v", got, want)
			}
			if want, got := tc.train(t, p), tc.train(t, q); !reflect.DeepEqual(got, want) {
				t.Errorf("training after the round trip gives %v, want %v", got, want)
			}
			pa, _ := p.MarshalBinary()
			qa, _ := q.MarshalBinary()
			if !bytes.Equal(pa, qa) {
				t.Error("the original and the restored copy differ after training on the same data")
			}
		})
	}
}

// ensembleTestConfig is criticTestConfig(0.9) with three members, the target the minimum
// of two.
func ensembleTestConfig() CriticConfig {
	c := criticTestConfig(0.9)
	c.Members, c.TargetMin = 3, 2
	return c
}

// stateful is a model or critic whose state travels as bytes.
type stateful interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// rejectCase is a state that UnmarshalBinary must refuse with an error containing want.
type rejectCase struct {
	name string
	data []byte
	want string
}

// flipByte returns a copy of b with the bits of byte i inverted.
func flipByte(b []byte, i int) []byte {
	b = slices.Clone(b)
	b[i] ^= 0xff
	return b
}

// checkUnmarshalRejects checks that UnmarshalBinary refuses each case, and the damaged
// forms of the good state that every kind of state refuses, and that a refusal leaves the
// receiver as it was. fresh returns the receiver for one case: best a trained one of
// another seed, so that a partial restore would show.
func checkUnmarshalRejects(t *testing.T, good []byte, fresh func(t *testing.T) stateful, cases ...rejectCase) {
	t.Helper()
	damaged := []rejectCase{
		{"empty", nil, "not a Foresight state"},
		{"truncated", good[:len(good)-1], "is corrupt"},
		{"header only", good[:20], "is corrupt"},
		{"foreign", []byte("FSNNCKPT and some bytes"), "not a Foresight state"},
		{"trailing bytes", append(slices.Clone(good), 0), "is corrupt"},
		{"flipped byte", flipByte(good, len(good)/2), "is corrupt"},
	}
	for _, tc := range append(damaged, cases...) {
		t.Run(tc.name, func(t *testing.T) {
			q := fresh(t)
			before, _ := q.MarshalBinary()
			err := q.UnmarshalBinary(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("UnmarshalBinary: %v, want an error about %q", err, tc.want)
			}
			if after, _ := q.MarshalBinary(); !bytes.Equal(after, before) {
				t.Error("a failed UnmarshalBinary changed the receiver")
			}
		})
	}
}
