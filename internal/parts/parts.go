// Package parts is the container format of Foresight's state files: a header naming what
// the state is of, then a list of opaque byte parts, each length-prefixed, then a checksum
// of everything before it. World models, critics, agents and training runs save their state
// as parts, each of which may itself be such a container or an nn checkpoint with its own
// checksum, so that every byte of a state file is covered by at least one checksum.
//
// The layout is little-endian: the magic bytes "FSPARTS2", the kind as a uint16-prefixed
// string, a uint32 count of parts, each part as a uint64 byte count and its bytes, and a
// CRC-32 (Castagnoli) of all the bytes before it.
package parts

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

const (
	magic = "FSPARTS2"
	// oldMagic marks the first format, which had no checksum and is no longer read.
	oldMagic = "FSPARTS1"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the container of the given kind holding parts.
func Encode(kind string, parts ...[]byte) []byte {
	le := binary.LittleEndian
	size := len(magic) + 2 + len(kind) + 4 + 4
	for _, p := range parts {
		size += 8 + len(p)
	}
	b := le.AppendUint16(append(make([]byte, 0, size), magic...), uint16(len(kind)))
	b = append(b, kind...)
	b = le.AppendUint32(b, uint32(len(parts)))
	for _, p := range parts {
		b = le.AppendUint64(b, uint64(len(p)))
		b = append(b, p...)
	}
	return le.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// Decode returns the n parts of a container of the given kind, as views into data. It
// returns an error naming the fault if data is not such a container: another format, a
// checksum that does not match, another kind, another number of parts, truncated, or
// followed by extra bytes.
func Decode(kind string, data []byte, n int) ([][]byte, error) {
	le := binary.LittleEndian
	if len(data) >= len(oldMagic) && string(data[:len(oldMagic)]) == oldMagic {
		return nil, fmt.Errorf("%s state of an older format without a checksum, which this version does not read", kind)
	}
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, fmt.Errorf("not a Foresight state (want a %s state)", kind)
	}
	body := data[:len(data)-4]
	if sum, want := le.Uint32(data[len(body):]), crc32.Checksum(body, crcTable); sum != want {
		return nil, fmt.Errorf("%s state is corrupt: its checksum is %#08x but its contents sum to %#08x", kind, sum, want)
	}
	if len(body) < len(magic)+2 {
		return nil, fmt.Errorf("%s state is truncated", kind)
	}
	k := int(le.Uint16(body[len(magic):]))
	body = body[len(magic)+2:]
	if len(body) < k+4 {
		return nil, fmt.Errorf("%s state is truncated", kind)
	}
	if got := string(body[:k]); got != kind {
		return nil, fmt.Errorf("state of a %q, want a %s", got, kind)
	}
	if count := int(le.Uint32(body[k:])); count != n {
		return nil, fmt.Errorf("%s state has %d parts, want %d", kind, count, n)
	}
	body = body[k+4:]
	out := make([][]byte, n)
	for i := range out {
		if len(body) < 8 || uint64(len(body)-8) < le.Uint64(body) {
			return nil, fmt.Errorf("%s state is truncated", kind)
		}
		size := int(le.Uint64(body))
		out[i], body = body[8:8+size:8+size], body[8+size:]
	}
	if len(body) != 0 {
		return nil, fmt.Errorf("%d bytes after the parts of the %s state", len(body), kind)
	}
	return out, nil
}
