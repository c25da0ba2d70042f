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
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

const (
	magic = "FSPARTS2"
	// oldMagic marks the first format, which had no checksum and is no longer read.
	oldMagic = "FSPARTS1"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the container of the given kind holding parts.
func Encode(kind string, parts ...[]byte) []byte {
	ps := make([]Part, len(parts))
	for i, p := range parts {
		ps[i] = Bytes(p)
	}
	return Marshal(Nested(kind, ps...))
}

// Part is a part of a container not yet encoded: its length and how to write it, so that a
// large state can be written to a file without first being joined into one slice. Bytes,
// Chunks and Nested make parts.
type Part struct {
	size  int
	write func(w io.Writer) error
}

// Bytes returns the part holding b, which must not change until the part is written.
func Bytes(b []byte) Part { return Chunks(b) }

// Chunks returns the part holding bs one after another, written without joining them; they
// must not change until the part is written.
func Chunks(bs ...[]byte) Part {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	return Part{size: n, write: func(w io.Writer) error {
		for _, b := range bs {
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
		return nil
	}}
}

// Nested returns the part holding the container of the given kind holding ps, the bytes
// Encode would return for them.
func Nested(kind string, ps ...Part) Part {
	size := len(magic) + 2 + len(kind) + 4 + 4
	for _, p := range ps {
		size += 8 + p.size
	}
	return Part{size: size, write: func(w io.Writer) error { return writeContainer(w, kind, ps) }}
}

// Size returns the part's length in bytes.
func (p Part) Size() int { return p.size }

// WriteTo writes the part to w and returns the number of bytes written, the part's size
// unless w returned an error.
func (p Part) WriteTo(w io.Writer) (int64, error) {
	c := &countingWriter{w: w}
	err := p.write(c)
	return c.n, err
}

// Marshal returns the bytes of p.
func Marshal(p Part) []byte {
	b := bytes.NewBuffer(make([]byte, 0, p.size))
	p.write(b) // a bytes.Buffer does not fail
	return b.Bytes()
}

// writeContainer writes the container of kind holding ps to w.
func writeContainer(w io.Writer, kind string, ps []Part) error {
	le := binary.LittleEndian
	sum := crc32.New(crcTable)
	body := io.MultiWriter(w, sum)
	head := le.AppendUint16([]byte(magic), uint16(len(kind)))
	head = le.AppendUint32(append(head, kind...), uint32(len(ps)))
	if _, err := body.Write(head); err != nil {
		return err
	}
	for _, p := range ps {
		if _, err := body.Write(le.AppendUint64(nil, uint64(p.size))); err != nil {
			return err
		}
		if err := p.write(body); err != nil {
			return err
		}
	}
	_, err := w.Write(le.AppendUint32(nil, sum.Sum32()))
	return err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
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
