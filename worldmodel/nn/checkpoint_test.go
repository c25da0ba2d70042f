package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// trained returns a trainer on a small LayerNorm-SiLU network after a few steps, so that its
// parameters and optimiser moments are all non-trivial.
func trained[T Float](t testing.TB, seed uint64) *trainer[T] {
	t.Helper()
	tr := newTrainer[T](t, Spec{Sizes: []int{4, 9, 3}, LayerNorm: true, Activation: SiLU}, DefaultAdamW(1e-2), 8, seed)
	for range 5 {
		tr.step()
	}
	return tr
}

// saved writes the trainer's checkpoint to a new file and returns its path and contents.
func saved[T Float](t *testing.T, tr *trainer[T]) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "model.ckpt")
	if err := (Checkpoint[T]{Nets: []*MLP[T]{tr.net}, Opt: tr.opt}).Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

// TestCheckpointRoundTrip saves a network and its optimiser, loads them into a differently
// initialised pair, and checks that parameters, moments and step count come back bit for bit
// and that both pairs then train identically.
func TestCheckpointRoundTrip(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testRoundTrip[float32](t) })
	t.Run("float64", func(t *testing.T) { testRoundTrip[float64](t) })
}

func testRoundTrip[T Float](t *testing.T) {
	src, dst := trained[T](t, 1), trained[T](t, 2)
	path, _ := saved(t, src)
	if err := (Checkpoint[T]{Nets: []*MLP[T]{dst.net}, Opt: dst.opt}).Load(path); err != nil {
		t.Fatal(err)
	}
	same := func(a, b []T) bool {
		return slices.EqualFunc(a, b, func(x, y T) bool { return math.Float64bits(float64(x)) == math.Float64bits(float64(y)) })
	}
	if !same(src.net.Params(), dst.net.Params()) || !same(src.opt.m[0], dst.opt.m[0]) ||
		!same(src.opt.v[0], dst.opt.v[0]) || src.opt.Steps() != dst.opt.Steps() {
		t.Fatal("the loaded state differs from the saved one")
	}
	dst.x, dst.y = src.x, src.y
	src.step()
	dst.step()
	if !same(src.net.Params(), dst.net.Params()) {
		t.Error("a step after loading differs from the same step before saving")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the directory holds %d entries after Save, want only the checkpoint", len(entries))
	}
}

// TestCheckpointWithoutOptimiser checks that networks alone round-trip, and that a file
// without optimiser state cannot fill an optimiser.
func TestCheckpointWithoutOptimiser(t *testing.T) {
	src, dst := trained[float32](t, 1), trained[float32](t, 2)
	path := filepath.Join(t.TempDir(), "nets.ckpt")
	other, err := NewMLP[float32](Spec{Sizes: []int{2, 3}}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := (Checkpoint[float32]{Nets: []*MLP[float32]{src.net, other}}).Save(path); err != nil {
		t.Fatal(err)
	}
	otherCopy := other.Clone()
	if err := (Checkpoint[float32]{Nets: []*MLP[float32]{dst.net, otherCopy}}).Load(path); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(src.net.Params(), dst.net.Params()) || !slices.Equal(other.Params(), otherCopy.Params()) {
		t.Error("networks saved without an optimiser did not round-trip")
	}
	err = (Checkpoint[float32]{Nets: []*MLP[float32]{dst.net, otherCopy}, Opt: dst.opt}).Load(path)
	if !errors.Is(err, ErrMismatch) {
		t.Errorf("loading optimiser state from a file without it: %v, want ErrMismatch", err)
	}
}

// TestCheckpointBadFiles checks that truncated, foreign, corrupt, future and mismatched
// files are refused with the right error and leave the networks untouched.
func TestCheckpointBadFiles(t *testing.T) {
	src := trained[float32](t, 1)
	_, good := saved(t, src)
	version2 := slices.Clone(good)
	version2[len(ckptMagic)] = 2
	flipped := slices.Clone(good)
	flipped[len(good)/2] ^= 0x10
	// Files whose checksums match values no training produces.
	altered := func(change func(tr *trainer[float32])) []byte {
		tr := trained[float32](t, 1)
		change(tr)
		b, _ := Checkpoint[float32]{Nets: []*MLP[float32]{tr.net}, Opt: tr.opt}.MarshalBinary()
		return b
	}
	nanParam := altered(func(tr *trainer[float32]) { tr.net.params[3] = float32(math.NaN()) })
	infMoment := altered(func(tr *trainer[float32]) { tr.opt.m[0][1] = float32(math.Inf(-1)) })
	negMoment := altered(func(tr *trainer[float32]) { tr.opt.v[0][2] = -1e-9 })
	negSteps := altered(func(tr *trainer[float32]) { tr.opt.steps = -5 })
	// Bytes of the header set to values no Save writes, with the checksum made to match.
	setByte := func(i int, v byte) []byte {
		b := slices.Clone(good[:len(good)-4])
		b[i] = v
		return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
	}
	flagsAt, normAt := len(ckptMagic)+2+1, len(ckptMagic)+2+1+1+4
	files := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"inside the magic", good[:5], ErrTruncated},
		{"after the header", good[:16], ErrTruncated},
		{"inside the parameters", good[:len(good)/2], ErrTruncated},
		{"without the checksum", good[:len(good)-4], ErrTruncated},
		{"one byte short", good[:len(good)-1], ErrTruncated},
		{"foreign", []byte("\x89PNG\r\n\x1a\n and so on"), ErrNotCheckpoint},
		{"text", []byte("hello"), ErrNotCheckpoint},
		{"version 2", version2, ErrVersion},
		{"flipped bit", flipped, ErrCorrupt},
		{"trailing byte", append(slices.Clone(good), 0), ErrCorrupt},
		{"NaN parameter", nanParam, ErrCorrupt},
		{"infinite first moment", infMoment, ErrCorrupt},
		{"negative second moment", negMoment, ErrCorrupt},
		{"negative step count", negSteps, ErrCorrupt},
		{"unknown flag", setByte(flagsAt, 0x81), ErrCorrupt},
		{"LayerNorm flag 2", setByte(normAt, 2), ErrCorrupt},
		{"element size 3", setByte(len(ckptMagic)+2, 3), ErrCorrupt},
	}
	dir := t.TempDir()
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			path := filepath.Join(dir, f.name)
			if err := os.WriteFile(path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
			dst := trained[float32](t, 2)
			before := slices.Clone(dst.net.Params())
			err := Checkpoint[float32]{Nets: []*MLP[float32]{dst.net}, Opt: dst.opt}.Load(path)
			if !errors.Is(err, f.want) {
				t.Fatalf("Load: %v, want %v", err, f.want)
			}
			t.Logf("Load: %v", err)
			if !slices.Equal(before, dst.net.Params()) {
				t.Error("a failed Load changed the network")
			}
		})
	}
}

// TestCheckpointMismatch checks that a valid file is refused for networks of another shape,
// activation, count or precision, or an optimiser over other networks.
func TestCheckpointMismatch(t *testing.T) {
	src := trained[float32](t, 1)
	path, _ := saved(t, src)
	net := func(spec Spec) *MLP[float32] {
		n, err := NewMLP[float32](spec, 1)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	spec := src.net.Spec()
	wider := Spec{Sizes: []int{4, 10, 3}, LayerNorm: true, Activation: SiLU}
	otherAct := Spec{Sizes: spec.Sizes, LayerNorm: true, Activation: Mish}
	noNorm := Spec{Sizes: spec.Sizes, Activation: SiLU}
	same := net(spec)
	otherOpt, err := NewAdamW(DefaultAdamW(1e-3), net(wider))
	if err != nil {
		t.Fatal(err)
	}
	wide := net(wider)
	tests := []struct {
		name string
		c    Checkpoint[float32]
		want string // in the error
	}{
		{"wider", Checkpoint[float32]{Nets: []*MLP[float32]{wide}}, "network 0 is"},
		{"activation", Checkpoint[float32]{Nets: []*MLP[float32]{net(otherAct)}}, "network 0 is"},
		{"no layernorm", Checkpoint[float32]{Nets: []*MLP[float32]{net(noNorm)}}, "network 0 is"},
		{"two networks", Checkpoint[float32]{Nets: []*MLP[float32]{same, net(spec)}}, "the file holds 1 networks, the checkpoint has 2"},
		{"other optimiser", Checkpoint[float32]{Nets: []*MLP[float32]{same}, Opt: otherOpt},
			fmt.Sprintf("the optimiser's network 0 has %d parameters in the file and %d here", len(same.params), len(wide.params))},
	}
	for _, tt := range tests {
		if err := tt.c.Load(path); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Load: %v, want ErrMismatch saying %q", tt.name, err, tt.want)
		}
	}
	n64, err := NewMLP[float64](spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	const want = "the file holds float32 values, the networks are float64"
	if err := (Checkpoint[float64]{Nets: []*MLP[float64]{n64}}).Load(path); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), want) {
		t.Errorf("float64 networks from a float32 file: %v, want ErrMismatch saying %q", err, want)
	}
}

// TestCheckpointSaveAtomic checks that Save replaces an existing file whole, and that a
// failed Save leaves no temporary file behind.
func TestCheckpointSaveAtomic(t *testing.T) {
	a, b := trained[float32](t, 1), trained[float32](t, 2)
	path, _ := saved(t, a)
	c := Checkpoint[float32]{Nets: []*MLP[float32]{b.net}}
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	dst := trained[float32](t, 3)
	if err := (Checkpoint[float32]{Nets: []*MLP[float32]{dst.net}}).Load(path); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(dst.net.Params(), b.net.Params()) {
		t.Error("the second Save did not replace the first")
	}
	dir := t.TempDir()
	if err := c.Save(filepath.Join(dir, "missing", "model.ckpt")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	if err := c.Save(dir); err == nil {
		t.Error("Save over a directory succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed saves left %d entries behind", len(entries))
	}
}

// convModel is a small convolutional network with a linear head and their optimiser, after
// a few training steps.
type convModel struct {
	enc  *Conv[float32]
	head *MLP[float32]
	opt  *AdamW[float32]
}

func trainedConv(t testing.TB, seed uint64) convModel {
	t.Helper()
	spec := convCases[6]
	enc, x := newConvCase(t, spec, &backend32, 4, seed)
	head, err := NewMLP[float32](Spec{Sizes: []int{spec.Out().Size(), 3}}, seed)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := NewAdamW(DefaultAdamW(1e-2), enc, head)
	if err != nil {
		t.Fatal(err)
	}
	y, grad := NewMatrix[float32](4, 3), NewMatrix[float32](4, 3)
	for range 3 {
		enc.ZeroGrad()
		head.ZeroGrad()
		MSE(head.Forward(enc.Forward(x)), y, grad)
		enc.Backward(head.BackwardInput(grad))
		opt.Step()
	}
	return convModel{enc, head, opt}
}

func (m convModel) checkpoint() Checkpoint[float32] {
	return Checkpoint[float32]{Nets: []*MLP[float32]{m.head}, Convs: []*Conv[float32]{m.enc}, Opt: m.opt}
}

// TestCheckpointConv checks that a convolutional network and its optimiser state
// round-trip bit for bit beside an MLP, and that files of other convolutional networks or
// with corrupt ones are refused, changing nothing.
func TestCheckpointConv(t *testing.T) {
	src, dst := trainedConv(t, 1), trainedConv(t, 2)
	data, _ := src.checkpoint().MarshalBinary()
	if err := dst.checkpoint().UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(src.enc.Params(), dst.enc.Params()) || !slices.Equal(src.opt.m[0], dst.opt.m[0]) ||
		!slices.Equal(src.opt.v[0], dst.opt.v[0]) || !slices.Equal(src.head.Params(), dst.head.Params()) {
		t.Fatal("the loaded state differs from the saved one")
	}
	other := convCases[6]
	other.Layers = slices.Clone(other.Layers)
	other.Layers[1].Pad = 0
	otherEnc, err := NewConv[float32](other, 1)
	if err != nil {
		t.Fatal(err)
	}
	nan := trainedConv(t, 1)
	nan.enc.params[5] = float32(math.NaN())
	nanData, _ := nan.checkpoint().MarshalBinary()
	// The first layer's transpose flag, after the MLP and the conv count and input shape.
	headBytes := 1 + 1 + 2 + 2*4 + 8 + 4*len(src.head.params) // flags, sizes, parameters
	transposeAt := len(ckptMagic) + 2 + 2 + 4 + headBytes + 4 + 12 + 2
	flag2 := slices.Clone(data[:len(data)-4])
	flag2[transposeAt] = 2
	flag2 = binary.LittleEndian.AppendUint32(flag2, crc32.Checksum(flag2, crcTable))
	for _, c := range []struct {
		name string
		data []byte
		ck   Checkpoint[float32]
		want error
		msg  string
	}{
		{"other spec", data, Checkpoint[float32]{Nets: []*MLP[float32]{dst.head}, Convs: []*Conv[float32]{otherEnc}}, ErrMismatch, "convolutional network 0 is"},
		{"no conv here", data, Checkpoint[float32]{Nets: []*MLP[float32]{dst.head}}, ErrMismatch, "1 convolutional networks, the checkpoint has 0"},
		{"NaN parameter", nanData, dst.checkpoint(), ErrCorrupt, "convolutional network 0: parameter 5"},
		{"transpose flag 2", flag2, dst.checkpoint(), ErrCorrupt, "transpose flag 2"},
	} {
		before, _ := dst.checkpoint().MarshalBinary()
		if err := c.ck.UnmarshalBinary(c.data); !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.want, c.msg)
		}
		if after, _ := dst.checkpoint().MarshalBinary(); !bytes.Equal(after, before) {
			t.Errorf("%s: a refused checkpoint changed the networks", c.name)
		}
	}
}

// FuzzCheckpoint feeds Checkpoint.UnmarshalBinary arbitrary bytes followed by their
// checksum, so that the fuzzer reaches the checks behind it. It must not panic, must change
// nothing when it refuses, and what it accepts must be what the checkpoint then marshals.
// The seeds are real checkpoints, with and without an optimiser, of an MLP and of a
// convolutional network with an MLP head, which the fuzzer loads into.
func FuzzCheckpoint(f *testing.F) {
	tr := trained[float32](f, 1)
	with, _ := Checkpoint[float32]{Nets: []*MLP[float32]{tr.net}, Opt: tr.opt}.MarshalBinary()
	without, _ := Checkpoint[float32]{Nets: []*MLP[float32]{tr.net}}.MarshalBinary()
	conv := trainedConv(f, 1)
	convWith, _ := conv.checkpoint().MarshalBinary()
	ck := conv.checkpoint()
	ck.Opt = nil
	convWithout, _ := ck.MarshalBinary()
	for _, seed := range [][]byte{with, without, convWith, convWithout} {
		f.Add(seed[:len(seed)-4])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		data := binary.LittleEndian.AppendUint32(slices.Clone(body), crc32.Checksum(body, crcTable))
		ck := trainedConv(t, 2).checkpoint()
		before, _ := ck.MarshalBinary()
		if err := ck.UnmarshalBinary(data); err != nil {
			if after, _ := ck.MarshalBinary(); !bytes.Equal(after, before) {
				t.Error("a refused checkpoint changed the networks")
			}
			return
		}
		if again, _ := ck.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted checkpoint marshals differently")
		}
	})
}
