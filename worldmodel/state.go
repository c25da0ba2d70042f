package worldmodel

import (
	"encoding/binary"
	"fmt"
	"math"
)

// A model's state (MarshalBinary) is the magic bytes "FSWMODEL", a uint16 version (1), the
// model's kind as a uint16-prefixed string, a uint32 count of parts, and each part as a
// uint64 byte count and its bytes: the observation scaling first, then nn checkpoints. The
// parts carry their own checksums.
const (
	stateMagic   = "FSWMODEL"
	stateVersion = 1
)

// marshalParts encodes the parts of a model of the given kind.
func marshalParts(kind string, parts ...[]byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16([]byte(stateMagic), stateVersion)
	b = le.AppendUint16(b, uint16(len(kind)))
	b = append(b, kind...)
	b = le.AppendUint32(b, uint32(len(parts)))
	for _, p := range parts {
		b = le.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// unmarshalParts decodes the n parts of a model of the given kind, or returns an error
// naming what is wrong with data.
func unmarshalParts(kind string, data []byte, n int) ([][]byte, error) {
	le := binary.LittleEndian
	head := len(stateMagic) + 4
	if len(data) < head || string(data[:len(stateMagic)]) != stateMagic {
		return nil, fmt.Errorf("worldmodel: not a world model's state")
	}
	if v := le.Uint16(data[len(stateMagic):]); v != stateVersion {
		return nil, fmt.Errorf("worldmodel: state version %d, want %d", v, stateVersion)
	}
	k := int(le.Uint16(data[len(stateMagic)+2:]))
	data = data[head:]
	if len(data) < k+4 {
		return nil, fmt.Errorf("worldmodel: state is truncated")
	}
	if got := string(data[:k]); got != kind {
		return nil, fmt.Errorf("worldmodel: state of a %s model, want %s", got, kind)
	}
	if count := int(le.Uint32(data[k:])); count != n {
		return nil, fmt.Errorf("worldmodel: state has %d parts, want %d", count, n)
	}
	data = data[k+4:]
	parts := make([][]byte, n)
	for i := range parts {
		if len(data) < 8 || uint64(len(data)-8) < le.Uint64(data) {
			return nil, fmt.Errorf("worldmodel: state is truncated")
		}
		size := int(le.Uint64(data))
		parts[i], data = data[8:8+size], data[8+size:]
	}
	if len(data) != 0 {
		return nil, fmt.Errorf("worldmodel: %d bytes after the state", len(data))
	}
	return parts, nil
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

// unmarshal decodes what marshal wrote for observations of size d.
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
	s.mean, s.std = make([]float32, n), make([]float32, n)
	for i := range 2 * n {
		v := math.Float32frombits(le.Uint32(b[4+4*i:]))
		if i < n {
			s.mean[i] = v
		} else {
			s.std[i-n] = v
		}
	}
	return nil
}
