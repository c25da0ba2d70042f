package parts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
)

// TestRoundTrip checks that Decode returns what Encode was given, empty parts included.
func TestRoundTrip(t *testing.T) {
	in := [][]byte{[]byte("one"), nil, bytes.Repeat([]byte{7}, 1000)}
	out, err := Decode("thing", Encode("thing", in...), len(in))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !bytes.Equal(in[i], out[i]) {
			t.Errorf("part %d: got %q, want %q", i, out[i], in[i])
		}
	}
}

// resum returns b, a container less its checksum, with a checksum that matches it, so that
// a test reaches the checks behind the checksum.
// TestNestedMatchesEncode checks that parts written without joining them, chunks and nested
// containers included, are the bytes Encode returns for them joined, and that WriteTo
// reports their size and stops at a writer's error.
func TestNestedMatchesEncode(t *testing.T) {
	inner := Nested("inner", Bytes([]byte("ab")), Chunks([]byte("c"), nil, []byte("def")))
	p := Nested("outer", Bytes(nil), inner, Bytes(bytes.Repeat([]byte{9}, 300)))
	want := Encode("outer", nil, Encode("inner", []byte("ab"), []byte("cdef")), bytes.Repeat([]byte{9}, 300))
	var b bytes.Buffer
	n, err := p.WriteTo(&b)
	if err != nil || n != int64(len(want)) || p.Size() != len(want) {
		t.Fatalf("WriteTo wrote %d bytes, err %v; Size %d; want %d", n, err, p.Size(), len(want))
	}
	if !bytes.Equal(b.Bytes(), want) || !bytes.Equal(Marshal(p), want) {
		t.Fatal("parts written are not the bytes Encode returns")
	}
	for _, limit := range []int{0, 5, 40, len(want) - 2} {
		w := &failingWriter{left: limit}
		if n, err := p.WriteTo(w); err != errFull || n != int64(limit) {
			t.Errorf("writer failing after %d bytes: WriteTo returned %d, %v", limit, n, err)
		}
	}
}

var errFull = errors.New("full")

// failingWriter takes left bytes, then fails.
type failingWriter struct{ left int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if len(b) > w.left {
		n := w.left
		w.left = 0
		return n, errFull
	}
	w.left -= len(b)
	return len(b), nil
}

func resum(b []byte) []byte {
	b = bytes.Clone(b)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// TestDecodeRejects checks that every kind of bad input is refused with a message saying
// what is wrong.
func TestDecodeRejects(t *testing.T) {
	good := Encode("thing", []byte("abc"), []byte("de"))
	body := good[:len(good)-4]
	for _, tc := range []struct {
		name string
		data []byte
		kind string
		n    int
		want string
	}{
		{"empty", nil, "thing", 2, "not a Foresight state"},
		{"foreign", []byte("PNG and more bytes"), "thing", 2, "not a Foresight state"},
		{"older format", []byte("FSPARTS1\x05\x00thing"), "thing", 2, "older format without a checksum"},
		{"bad checksum", append(bytes.Clone(body), 1, 2, 3, 4), "thing", 2, "thing state is corrupt: its checksum is 0x04030201"},
		{"other kind", good, "other", 2, `state of a "thing", want a other`},
		{"other count", good, "thing", 3, "has 2 parts, want 3"},
		{"truncated header", resum(body[:len(magic)+3]), "thing", 2, "truncated"},
		{"truncated part", resum(body[:len(body)-1]), "thing", 2, "truncated"},
		{"huge part", resum(append(bytes.Clone(body[:len(magic)+2+5+4]), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), "thing", 2, "truncated"},
		{"trailing bytes", resum(append(bytes.Clone(body), 0)), "thing", 2, "1 bytes after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.kind, tc.data, tc.n)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestEveryByteChecked flips each byte of a container in turn: every flip is refused.
func TestEveryByteChecked(t *testing.T) {
	good := Encode("thing", []byte("abc"), nil, []byte("de"))
	for i := range good {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(good)
			bad[i] ^= mask
			if _, err := Decode("thing", bad, 3); err == nil {
				t.Errorf("flipping byte %d with %#02x: accepted", i, mask)
			}
		}
	}
}

// FuzzDecode feeds Decode arbitrary bytes: it must never panic, and whatever it accepts
// must be exactly what Encode writes for the parts it returns.
func FuzzDecode(f *testing.F) {
	f.Add(Encode("thing", []byte("abc"), []byte("de")), 2)
	f.Add(Encode("thing"), 0)
	f.Add(Encode("thing", nil, Encode("inner", []byte{1})), 2)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n < 0 || n > 64 {
			return
		}
		p, err := Decode("thing", data, n)
		if err != nil {
			return
		}
		if again := Encode("thing", p...); !bytes.Equal(again, data) {
			t.Fatalf("Decode accepted %x, which Encode writes as %x", data, again)
		}
	})
}
