package worldmodel

import (
	"bytes"
	"testing"

	"github.com/foresight-sim/foresight/internal/parts"
)

// tinyJEPA returns a JEPA small enough for its states to be fuzzed quickly.
func tinyJEPA(t testing.TB, seed uint64) *JEPA {
	t.Helper()
	c := jepaTestConfig()
	c.Latent, c.Group = 4, 2
	c.Encoder, c.Predictor, c.Probe = []int{4}, []int{4}, []int{4}
	m, err := NewJEPA(jepaTestDims, c, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tinyPETS returns a PETS small enough for its states to be fuzzed quickly.
func tinyPETS(t testing.TB, seed uint64) *PETS {
	t.Helper()
	c := petsTestConfig()
	c.Members, c.Hidden = 2, []int{4}
	m, err := NewPETS(petsTestDims, c, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// FuzzJEPAState feeds JEPA.UnmarshalBinary states made of arbitrary parts (the observation
// scaling, the networks, the probe) behind a matching checksum, so that the fuzzer reaches
// the checks behind it. It must not panic, and a state it accepts must be what the model
// then marshals. The seeds are the parts of a trained model's state.
func FuzzJEPAState(f *testing.F) {
	m := tinyJEPA(f, 1)
	trainJEPA(f, m, 3, 1)
	state, _ := m.MarshalBinary()
	p, err := parts.Decode(jepaKind, state, 3)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p[0], p[1], p[2])
	f.Fuzz(func(t *testing.T, scale, main, probe []byte) {
		data := parts.Encode(jepaKind, scale, main, probe)
		m := tinyJEPA(t, 2)
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		if again, _ := m.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
	})
}

// FuzzPETSState is FuzzJEPAState for PETS: the observation scaling and the ensemble's
// networks.
func FuzzPETSState(f *testing.F) {
	m := tinyPETS(f, 1)
	trainPETS(f, m, 3, 1)
	state, _ := m.MarshalBinary()
	p, err := parts.Decode(petsKind, state, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p[0], p[1])
	f.Fuzz(func(t *testing.T, scale, nets []byte) {
		data := parts.Encode(petsKind, scale, nets)
		m := tinyPETS(t, 2)
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		if again, _ := m.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
	})
}

// tinyRecon returns a Recon of images small enough for its states to be fuzzed quickly:
// its state holds convolutional networks and the random shifts' position.
func tinyRecon(t testing.TB, seed uint64) *Recon {
	t.Helper()
	c := jepaTestConfig()
	c.Latent, c.Group = 4, 2
	c.Encoder, c.Predictor, c.Probe = []int{4}, []int{4}, []int{4}
	c.Conv, c.Batch = tinyConv(1), 4
	c.Conv.Layers[0].Out, c.Conv.Layers[1].Out = 2, 2
	m, err := NewRecon(tinyDims, reconLike(c), seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// FuzzReconState is FuzzJEPAState for a Recon of images: the random shifts' position and
// the networks, convolutions included.
func FuzzReconState(f *testing.F) {
	m := tinyRecon(f, 1)
	trainModel(f, m, blobBatch, 3, 1)
	state, _ := m.MarshalBinary()
	p, err := parts.Decode(reconKind, state, 2)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p[0], p[1])
	f.Fuzz(func(t *testing.T, shifts, nets []byte) {
		data := parts.Encode(reconKind, shifts, nets)
		m := tinyRecon(t, 2)
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		if again, _ := m.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
	})
}
