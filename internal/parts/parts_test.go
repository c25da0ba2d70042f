package parts

import (
	"bytes"
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

// TestDecodeRejects checks that every kind of bad input is refused with a message saying
// what is wrong.
func TestDecodeRejects(t *testing.T) {
	good := Encode("thing", []byte("abc"), []byte("de"))
	for _, tc := range []struct {
		name string
		data []byte
		kind string
		n    int
		want string
	}{
		{"empty", nil, "thing", 2, "not a Foresight state"},
		{"foreign", []byte("PNG and more bytes"), "thing", 2, "not a Foresight state"},
		{"other kind", good, "other", 2, "state of a thing, want a other"},
		{"other count", good, "thing", 3, "has 2 parts, want 3"},
		{"truncated header", good[:len(magic)+3], "thing", 2, "truncated"},
		{"truncated part", good[:len(good)-1], "thing", 2, "truncated"},
		{"trailing bytes", append(bytes.Clone(good), 0), "thing", 2, "1 bytes after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.kind, tc.data, tc.n)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
