package worldmodel

import (
	"bytes"
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
