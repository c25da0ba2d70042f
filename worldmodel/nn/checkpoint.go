package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/foresight-sim/foresight/internal/safefile"
)

// Checkpoint is a set of networks, and optionally the optimiser that trains them, stored
// together in one file.
//
// The file is little-endian: the magic bytes "FSNNCKPT", a uint16 format version (1), the
// element size in bytes (4 for float32, 8 for float64), a flags byte (bit 0: optimiser state
// follows the networks) and a uint32 count of networks. Each network follows as its LayerNorm
// flag and activation (a byte each), a uint16 count of sizes, the sizes as uint32s, and its
// parameters as a float array: a uint64 count and the values. When flags bit 1 is set, a
// uint32 count of convolutional networks follows, each as its input shape (three uint32s:
// height, width, channels), a uint16 count of layers, each layer as its transpose flag and
// activation (a byte each) and its output channels, kernel, stride and padding (uint32s), and
// its parameters as a float array. The optimiser state is its
// uint64 step count, a uint32 count of networks and, for each, the first and the second
// moments as float arrays. A CRC-32 (Castagnoli) of all the bytes before it ends the file.
type Checkpoint[T Float] struct {
	Nets []*MLP[T]
	// Convs are the convolutional networks, stored after Nets.
	Convs []*Conv[T]
	// Opt is the optimiser whose state is saved and restored, or nil for none.
	Opt *AdamW[T]
}

// The errors Load wraps, to tell apart with errors.Is.
var (
	// ErrNotCheckpoint means the file does not start with the checkpoint magic bytes.
	ErrNotCheckpoint = errors.New("not a Foresight network checkpoint")
	// ErrVersion means the file has a format version this code does not read.
	ErrVersion = errors.New("unsupported checkpoint version")
	// ErrTruncated means the file ends before the data its header describes.
	ErrTruncated = errors.New("checkpoint is truncated")
	// ErrCorrupt means the checksum does not match or bytes follow the checksum.
	ErrCorrupt = errors.New("checkpoint is corrupt")
	// ErrMismatch means the file holds networks or optimiser state of another shape or
	// precision than the checkpoint it is loaded into.
	ErrMismatch = errors.New("checkpoint does not match the networks")
)

const (
	ckptMagic   = "FSNNCKPT"
	ckptVersion = 1
	ckptHasOpt  = 1 // flags bit: optimiser state follows the networks
	ckptHasConv = 2 // flags bit: convolutional networks follow the MLPs
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Save writes the networks and the optimiser state to path, atomically: it writes a temporary
// file in the same directory and renames it over path, so that path holds the old file or the
// complete new one, never a part. It returns an error if the file cannot be written.
func (c Checkpoint[T]) Save(path string) error {
	data, _ := c.MarshalBinary()
	if err := safefile.Write(path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return fmt.Errorf("nn: save %s: %w", path, err)
	}
	return nil
}

// MaxFileSize is the largest checkpoint file Load reads, in bytes.
const MaxFileSize = 1 << 30

// Load reads a file written by Save into the networks and the optimiser, which must have
// the architectures and precision of those saved; the optimiser, when not nil, must have been
// saved too. It changes nothing unless the whole file is valid: the checksum matches and
// every value is finite. Its errors wrap ErrNotCheckpoint, ErrVersion, ErrTruncated,
// ErrCorrupt or ErrMismatch, or come from reading the file, which must be a regular file of
// at most MaxFileSize bytes.
func (c Checkpoint[T]) Load(path string) error {
	data, err := safefile.Read(path, MaxFileSize)
	if err == nil {
		err = c.UnmarshalBinary(data)
	}
	if err != nil {
		return fmt.Errorf("nn: load %s: %w", path, err)
	}
	return nil
}

// MarshalBinary returns the bytes Save writes, for a checkpoint kept inside a larger file.
// It never fails.
func (c Checkpoint[T]) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	b := le.AppendUint16([]byte(ckptMagic), ckptVersion)
	flags := byte(0)
	if c.Opt != nil {
		flags |= ckptHasOpt
	}
	if len(c.Convs) > 0 {
		flags |= ckptHasConv
	}
	b = append(b, byte(elemSize[T]()), flags)
	b = le.AppendUint32(b, uint32(len(c.Nets)))
	for _, n := range c.Nets {
		norm := byte(0)
		if n.spec.LayerNorm {
			norm = 1
		}
		b = append(b, norm, byte(n.spec.Activation))
		b = le.AppendUint16(b, uint16(len(n.spec.Sizes)))
		for _, s := range n.spec.Sizes {
			b = le.AppendUint32(b, uint32(s))
		}
		b = appendFloats(b, n.params)
	}
	if len(c.Convs) > 0 {
		b = le.AppendUint32(b, uint32(len(c.Convs)))
		for _, n := range c.Convs {
			b = appendConvSpec(b, n.spec)
			b = appendFloats(b, n.params)
		}
	}
	if o := c.Opt; o != nil {
		b = le.AppendUint64(b, uint64(o.steps))
		b = le.AppendUint32(b, uint32(len(o.m)))
		for i := range o.m {
			b = appendFloats(appendFloats(b, o.m[i]), o.v[i])
		}
	}
	return le.AppendUint32(b, crc32.Checksum(b, crcTable)), nil
}

// appendConvSpec appends a convolutional network's spec to b as the file stores it.
func appendConvSpec(b []byte, s ConvSpec) []byte {
	le := binary.LittleEndian
	for _, v := range []int{s.In.H, s.In.W, s.In.C} {
		b = le.AppendUint32(b, uint32(v))
	}
	b = le.AppendUint16(b, uint16(len(s.Layers)))
	for _, l := range s.Layers {
		transpose := byte(0)
		if l.Transpose {
			transpose = 1
		}
		b = append(b, transpose, byte(l.Activation))
		for _, v := range []int{l.Out, l.Kernel, l.Stride, l.Pad} {
			b = le.AppendUint32(b, uint32(v))
		}
	}
	return b
}

// appendFloats appends s to b as a float array: a uint64 count and the little-endian values.
func appendFloats[T Float](b []byte, s []T) []byte {
	le := binary.LittleEndian
	b = le.AppendUint64(b, uint64(len(s)))
	for _, v := range s {
		if is32[T]() {
			b = le.AppendUint32(b, math.Float32bits(float32(v)))
		} else {
			b = le.AppendUint64(b, math.Float64bits(float64(v)))
		}
	}
	return b
}

// UnmarshalBinary checks data, as MarshalBinary returns it, against the checkpoint and, if
// it is valid and matches, copies its values into the networks and the optimiser; otherwise
// it changes nothing and returns an error as Load does.
func (c Checkpoint[T]) UnmarshalBinary(data []byte) error {
	if len(data) < len(ckptMagic) || string(data[:len(ckptMagic)]) != ckptMagic {
		if bytes.HasPrefix([]byte(ckptMagic), data) {
			return fmt.Errorf("%w: %d bytes, shorter than the header", ErrTruncated, len(data))
		}
		return ErrNotCheckpoint
	}
	r := &reader{data: data, off: len(ckptMagic)}
	if v := r.u16(); r.err == nil && v != ckptVersion {
		return fmt.Errorf("%w: the file has version %d, this code reads version %d", ErrVersion, v, ckptVersion)
	}
	f := r.checkpoint()
	sum := r.u32()
	if r.err != nil {
		return r.err
	}
	if r.off != len(data) {
		return fmt.Errorf("%w: %d bytes follow the checksum", ErrCorrupt, len(data)-r.off)
	}
	if want := crc32.Checksum(data[:r.off-4], crcTable); sum != want {
		return fmt.Errorf("%w: the checksum is %#08x but the contents sum to %#08x", ErrCorrupt, sum, want)
	}
	if err := c.match(f); err != nil {
		return fmt.Errorf("%w: %v", ErrMismatch, err)
	}
	if err := f.check(c.Opt != nil); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	for i, n := range c.Nets {
		decodeFloats(n.params, f.nets[i].params)
	}
	for i, n := range c.Convs {
		decodeFloats(n.params, f.convs[i].params)
	}
	if o := c.Opt; o != nil {
		for i := range o.m {
			decodeFloats(o.m[i], f.m[i])
			decodeFloats(o.v[i], f.v[i])
		}
		o.steps = f.steps
	}
	return nil
}

// fileCheckpoint is a checkpoint as read from a file, before it is matched to networks; its
// float arrays are still the file's bytes.
type fileCheckpoint struct {
	elemSize int
	hasOpt   bool
	nets     []fileNet
	convs    []fileConv
	steps    int64
	m, v     [][]byte
}

// fileNet is one network of a fileCheckpoint.
type fileNet struct {
	spec   Spec
	params []byte
}

// fileConv is one convolutional network of a fileCheckpoint.
type fileConv struct {
	spec   ConvSpec
	params []byte
}

// match returns an error describing the first difference between what f holds and what the
// checkpoint c needs, or nil.
func (c Checkpoint[T]) match(f *fileCheckpoint) error {
	if size := elemSize[T](); f.elemSize != size {
		return fmt.Errorf("the file holds float%d values, the networks are float%d", 8*f.elemSize, 8*size)
	}
	if len(f.nets) != len(c.Nets) {
		return fmt.Errorf("the file holds %d networks, the checkpoint has %d", len(f.nets), len(c.Nets))
	}
	for i, n := range c.Nets {
		fn := f.nets[i]
		if !fn.spec.equal(n.spec) {
			return fmt.Errorf("network %d is %v in the file and %v here", i, fn.spec, n.spec)
		}
		if got := len(fn.params) / f.elemSize; got != len(n.params) {
			return fmt.Errorf("network %d has %d parameters in the file and %d here", i, got, len(n.params))
		}
	}
	if len(f.convs) != len(c.Convs) {
		return fmt.Errorf("the file holds %d convolutional networks, the checkpoint has %d", len(f.convs), len(c.Convs))
	}
	for i, n := range c.Convs {
		fn := f.convs[i]
		if !fn.spec.equal(n.spec) {
			return fmt.Errorf("convolutional network %d is %v in the file and %v here", i, fn.spec, n.spec)
		}
		if got := len(fn.params) / f.elemSize; got != len(n.params) {
			return fmt.Errorf("convolutional network %d has %d parameters in the file and %d here", i, got, len(n.params))
		}
	}
	o := c.Opt
	switch {
	case o == nil:
		return nil
	case !f.hasOpt:
		return errors.New("the file holds no optimiser state")
	case len(f.m) != len(o.m):
		return fmt.Errorf("the file's optimiser trains %d networks, this one %d", len(f.m), len(o.m))
	}
	for i := range o.m {
		if len(f.m[i]) != len(o.m[i])*f.elemSize || len(f.v[i]) != len(o.v[i])*f.elemSize {
			return fmt.Errorf("the optimiser's network %d has %d parameters in the file and %d here",
				i, len(f.m[i])/f.elemSize, len(o.m[i]))
		}
	}
	return nil
}

// check returns an error describing the first value of f that no training could have
// produced: a parameter or moment that is not finite, a negative second moment or step
// count. It checks the optimiser's state only if withOpt.
func (f *fileCheckpoint) check(withOpt bool) error {
	for i, n := range f.nets {
		if j := badFloat(n.params, f.elemSize, false); j >= 0 {
			return fmt.Errorf("network %d: parameter %d is not finite", i, j)
		}
	}
	for i, n := range f.convs {
		if j := badFloat(n.params, f.elemSize, false); j >= 0 {
			return fmt.Errorf("convolutional network %d: parameter %d is not finite", i, j)
		}
	}
	if !withOpt {
		return nil
	}
	if f.steps < 0 {
		return fmt.Errorf("the optimiser has taken %d steps", f.steps)
	}
	for i := range f.m {
		if j := badFloat(f.m[i], f.elemSize, false); j >= 0 {
			return fmt.Errorf("network %d: first moment %d is not finite", i, j)
		}
		if j := badFloat(f.v[i], f.elemSize, true); j >= 0 {
			return fmt.Errorf("network %d: second moment %d is negative or not finite", i, j)
		}
	}
	return nil
}

// badFloat returns the index of the first little-endian value of size bytes in b that is
// not finite, or negative when nonNeg is set; −1 if there is none.
func badFloat(b []byte, size int, nonNeg bool) int {
	le := binary.LittleEndian
	for i := 0; i+size <= len(b); i += size {
		var v float64
		if size == 4 {
			v = float64(math.Float32frombits(le.Uint32(b[i:])))
		} else {
			v = math.Float64frombits(le.Uint64(b[i:]))
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || (nonNeg && v < 0) {
			return i / size
		}
	}
	return -1
}

// decodeFloats decodes the little-endian values in b, which has exactly enough, into dst.
func decodeFloats[T Float](dst []T, b []byte) {
	le := binary.LittleEndian
	for i := range dst {
		if is32[T]() {
			dst[i] = T(math.Float32frombits(le.Uint32(b[4*i:])))
		} else {
			dst[i] = T(math.Float64frombits(le.Uint64(b[8*i:])))
		}
	}
}

// reader reads a checkpoint's fields in order. Reading past the end sets err to an
// ErrTruncated error, after which every read returns zero.
type reader struct {
	data []byte
	off  int
	err  error
}

// take returns the next n bytes, or nil once the data has run out.
func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.data)-r.off {
		r.err = fmt.Errorf("%w: %d bytes, but its contents need more", ErrTruncated, len(r.data))
		return nil
	}
	b := r.data[r.off : r.off+n]
	r.off += n
	return b
}

// u8, u16, u32 and u64 read the next unsigned integer of their size.
func (r *reader) u8() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) u16() uint16 {
	if b := r.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// floats returns the bytes of a float array whose elements are size bytes long.
func (r *reader) floats(size int) []byte {
	n := r.u64()
	if n > uint64(len(r.data)/size) {
		return r.take(-1)
	}
	return r.take(int(n) * size)
}

// convSpec reads a convolutional network's spec as appendConvSpec writes it.
func (r *reader) convSpec() ConvSpec {
	s := ConvSpec{In: Shape{int(r.u32()), int(r.u32()), int(r.u32())}}
	for k := r.u16(); k > 0 && r.err == nil; k-- {
		var l ConvLayer
		switch t := r.u8(); {
		case t > 1 && r.err == nil:
			r.err = fmt.Errorf("%w: transpose flag %d", ErrCorrupt, t)
		case t == 1:
			l.Transpose = true
		}
		l.Activation = Activation(r.u8())
		l.Out, l.Kernel, l.Stride, l.Pad = int(r.u32()), int(r.u32()), int(r.u32()), int(r.u32())
		s.Layers = append(s.Layers, l)
	}
	return s
}

// checkpoint reads everything between the version and the checksum.
func (r *reader) checkpoint() *fileCheckpoint {
	f := &fileCheckpoint{elemSize: int(r.u8())}
	flags := r.u8()
	f.hasOpt = flags&ckptHasOpt != 0
	if r.err == nil && f.elemSize != 4 && f.elemSize != 8 {
		r.err = fmt.Errorf("%w: element size %d", ErrCorrupt, f.elemSize)
	}
	if r.err == nil && flags&^(ckptHasOpt|ckptHasConv) != 0 {
		r.err = fmt.Errorf("%w: unknown flags %#02x", ErrCorrupt, flags)
	}
	for k := r.u32(); k > 0 && r.err == nil; k-- {
		var n fileNet
		switch norm := r.u8(); {
		case norm > 1 && r.err == nil:
			r.err = fmt.Errorf("%w: LayerNorm flag %d", ErrCorrupt, norm)
		case norm == 1:
			n.spec.LayerNorm = true
		}
		n.spec.Activation = Activation(r.u8())
		for k := r.u16(); k > 0 && r.err == nil; k-- {
			n.spec.Sizes = append(n.spec.Sizes, int(r.u32()))
		}
		n.params = r.floats(f.elemSize)
		f.nets = append(f.nets, n)
	}
	if flags&ckptHasConv != 0 {
		for k := r.u32(); k > 0 && r.err == nil; k-- {
			f.convs = append(f.convs, fileConv{spec: r.convSpec(), params: r.floats(f.elemSize)})
		}
	}
	if f.hasOpt {
		f.steps = int64(r.u64())
		for k := r.u32(); k > 0 && r.err == nil; k-- {
			f.m = append(f.m, r.floats(f.elemSize))
			f.v = append(f.v, r.floats(f.elemSize))
		}
	}
	return f
}
