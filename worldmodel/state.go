package worldmodel

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/internal/parts"
)

// marshalParts returns a state of the given kind made of parts (see internal/parts).
func marshalParts(kind string, p ...[]byte) []byte { return parts.Encode(kind, p...) }

// unmarshalParts returns the n parts of a state of the given kind, or an error saying what
// is wrong with data.
func unmarshalParts(kind string, data []byte, n int) ([][]byte, error) {
	p, err := parts.Decode(kind, data, n)
	if err != nil {
		return nil, fmt.Errorf("worldmodel: %w", err)
	}
	return p, nil
}

// marshal encodes the scaler: a uint32 size and the means and standard deviations as
// float32s; an unfitted scaler has size 0.
func (s *scaler) marshal() []byte {
	le := binary.LittleEndian
	b := le.AppendUint32(nil, uint32(len(s.mean)))
	for _, v := range append(append([]float32(nil), s.mean...), s.std...) {
		b = le.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// unmarshal decodes what marshal wrote for observations of size d. It returns an error,
// changing nothing, unless every mean is finite and every deviation finite and at least minStd.
func (s *scaler) unmarshal(b []byte, d int) error {
	le := binary.LittleEndian
	if len(b) < 4 {
		return fmt.Errorf("worldmodel: observation scaling is truncated")
	}
	n := int(le.Uint32(b))
	if (n != 0 && n != d) || len(b) != 4+8*n {
		return fmt.Errorf("worldmodel: observation scaling for %d-d observations, want %d", n, d)
	}
	if n == 0 {
		s.mean, s.std = nil, nil
		return nil
	}
	mean, std := make([]float32, n), make([]float32, n)
	for i := range n {
		mean[i] = math.Float32frombits(le.Uint32(b[4+4*i:]))
		std[i] = math.Float32frombits(le.Uint32(b[4+4*(n+i):]))
		if m := float64(mean[i]); math.IsNaN(m) || math.IsInf(m, 0) || !(std[i] >= minStd) || math.IsInf(float64(std[i]), 0) {
			return fmt.Errorf("worldmodel: observation scaling of dimension %d has mean %v and deviation %v", i, mean[i], std[i])
		}
	}
	s.mean, s.std = mean, std
	return nil
}
