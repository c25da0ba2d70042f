// Package parts is the container format of Foresight's state files: a header naming what
// the state is of, then a list of opaque byte parts, each length-prefixed. World models,
// critics, agents and training runs save their state as parts, each of which may itself be
// such a container or an nn checkpoint with its own checksum.
//
// The layout is little-endian: the magic bytes "FSPARTS1", the kind as a uint16-prefixed
// string, a uint32 count of parts, and each part as a uint64 byte count and its bytes.
package parts

import (
	"encoding/binary"
	"fmt"
)

const magic = "FSPARTS1"

// Encode returns the container of the given kind holding parts.
func Encode(kind string, parts ...[]byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16([]byte(magic), uint16(len(kind)))
	b = append(b, kind...)
	b = le.AppendUint32(b, uint32(len(parts)))
	for _, p := range parts {
		b = le.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	return b
}

// Decode returns the n parts of a container of the given kind, as views into data. It
// returns an error naming the fault if data is not such a container: another format,
// another kind, another number of parts, truncated, or followed by extra bytes.
func Decode(kind string, data []byte, n int) ([][]byte, error) {
	le := binary.LittleEndian
	if len(data) < len(magic)+2 || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("not a Foresight state (want a %s state)", kind)
	}
	k := int(le.Uint16(data[len(magic):]))
	data = data[len(magic)+2:]
	if len(data) < k+4 {
		return nil, fmt.Errorf("%s state is truncated", kind)
	}
	if got := string(data[:k]); got != kind {
		return nil, fmt.Errorf("state of a %s, want a %s", got, kind)
	}
	if count := int(le.Uint32(data[k:])); count != n {
		return nil, fmt.Errorf("%s state has %d parts, want %d", kind, count, n)
	}
	data = data[k+4:]
	out := make([][]byte, n)
	for i := range out {
		if len(data) < 8 || uint64(len(data)-8) < le.Uint64(data) {
			return nil, fmt.Errorf("%s state is truncated", kind)
		}
		size := int(le.Uint64(data))
		out[i], data = data[8:8+size], data[8+size:]
	}
	if len(data) != 0 {
		return nil, fmt.Errorf("%d bytes after the %s state", len(data), kind)
	}
	return out, nil
}
