package worldmodel

import (
	"bytes"
	"encoding"
	"reflect"
	"slices"
	"strings"
	"testing"
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

// stateful is a model or critic whose state travels as bytes.
type stateful interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// checkTrainsAlike trains p and a copy q restored from its state alike with train, and
// fails unless they give the same losses and end in the same state: the optimiser's state
// and everything else training depends on came along.
func checkTrainsAlike[S stateful](t *testing.T, p, q S, train func(S) any) {
	t.Helper()
	if want, got := train(p), train(q); !reflect.DeepEqual(got, want) {
		t.Errorf("training after the round trip gives %v, want %v", got, want)
	}
	pa, _ := p.MarshalBinary()
	qa, _ := q.MarshalBinary()
	if !bytes.Equal(pa, qa) {
		t.Error("the original and the restored copy differ after training on the same data")
	}
}

// rejectCase is a state that UnmarshalBinary must refuse with an error containing want.
type rejectCase struct {
	name string
	data []byte
	want string
}

// checkUnmarshalRejects checks that UnmarshalBinary refuses each case, and the damaged
// forms of the good state that every kind of state refuses, and that a refusal leaves the
// receiver as it was. fresh returns the receiver for one case: best a trained one of
// another seed, so that a partial restore would show.
func checkUnmarshalRejects(t *testing.T, good []byte, fresh func(t *testing.T) stateful, cases ...rejectCase) {
	t.Helper()
	damaged := []rejectCase{
		{"empty", nil, "not a Foresight state"},
		{"truncated", good[:len(good)-1], "truncated"},
		{"header only", good[:20], "truncated"},
		{"foreign", []byte("FSNNCKPT and some bytes"), "not a Foresight state"},
		{"trailing bytes", append(slices.Clone(good), 0), "bytes after the"},
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
