package agent

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/foresight-sim/foresight/internal/parts"
)

// FrameLayout describes observations that are stacks of image frames, as
// envs.PixelObservation returns them: Stack frames of Size values each, oldest first, every
// value a byte over 255.
type FrameLayout struct {
	Stack, Size int
}

// frames is what a frame replay holds instead of whole observations: each frame once, as
// bytes. Frame j of an episode is its first (reset) frame for j ≤ 0 and the newest frame of
// the next observation of its transition j − 1 otherwise, so the observation at step t is
// frames t−Stack+1 … t. docs/decisions/pixels.md has the reasoning.
type frames struct {
	FrameLayout
	blocks [][]byte     // per slot, in blocks of frameBlock: the newest frame of its next observation
	step   []int32      // per slot: the transition's step within its episode
	firsts []firstFrame // first frames of the episodes whose first transition is held, oldest first
	cur    int32        // step of the last transition added
}

// firstFrame is the first frame of an episode.
type firstFrame struct {
	episode uint64
	pix     []byte
}

// NewFrameReplay returns an empty buffer for capacity transitions whose observations are
// frame stacks of layout f, storing each frame once as bytes: about Size bytes per
// transition instead of 8·Stack·Size. Sampling returns the same float32 observations a
// buffer from NewReplay would. It returns an error unless all sizes are positive.
func NewFrameReplay(capacity int, f FrameLayout, actDim int) (*Replay, error) {
	if capacity < 1 || f.Stack < 1 || f.Size < 1 || actDim < 1 {
		return nil, fmt.Errorf("agent: frame replay of %d transitions of %d frames of %d values and %d-d actions: all must be positive",
			capacity, f.Stack, f.Size, actDim)
	}
	return &Replay{
		obsDim: f.Stack * f.Size, actDim: actDim, cap: capacity,
		act: make([]float32, capacity*actDim), rew: make([]float32, capacity),
		term: make([]bool, capacity), episode: make([]uint64, capacity),
		frames: &frames{FrameLayout: f, step: make([]int32, capacity)},
	}, nil
}

// frameBlock is the number of slots' frames allocated at once, so that a buffer takes
// memory as it fills rather than all it may ever hold at the start.
const frameBlock = 1024

// next returns the storage of slot i's frame, allocating its block if need be.
func (f *frames) next(i int) []byte {
	b := i / frameBlock
	for len(f.blocks) <= b {
		f.blocks = append(f.blocks, make([]byte, frameBlock*f.Size))
	}
	j := i % frameBlock
	return f.blocks[b][j*f.Size : (j+1)*f.Size]
}

// newest returns the last frame of a stacked observation.
func (f *frames) newest(obs []float64) []float64 { return obs[len(obs)-f.Size:] }

// checkFrame returns an error unless every value of frame is a byte over 255, as
// envs.PixelObservation's are (to within rounding).
func checkFrame(name string, frame []float64) error {
	for i, v := range frame {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("agent: frame replay: %s value %d is %v, not in [0, 1]", name, i, v)
		}
		if b := v * 255; math.Abs(b-math.Round(b)) > 1e-6 {
			return fmt.Errorf("agent: frame replay: %s value %d is %v, not a byte over 255", name, i, v)
		}
	}
	return nil
}

// checkFrames returns an error if t's frames cannot be stored: values that are not bytes
// over 255, or an observation whose frames are not those the buffer holds for it (see
// checkContinues). newEpisode says whether t starts an episode.
func (r *Replay) checkFrames(t Transition, newEpisode bool) error {
	f := r.frames
	if err := checkFrame("next observation", f.newest(t.Next)); err != nil {
		return err
	}
	if newEpisode {
		if err := checkFrame("first observation", f.newest(t.Obs)); err != nil {
			return err
		}
	}
	return r.checkContinues(t.Obs, newEpisode)
}

// checkContinues returns an error unless the frames of obs, the observation of a transition
// about to be added, are what the buffer would rebuild for it: copies of its newest frame
// when it starts an episode, and otherwise the frames that came before it in the episode,
// where they are still held. Stacks of anything but consecutive frames (those of an
// action-repeat wrapper's inner steps, say) would be sampled wrong.
func (r *Replay) checkContinues(obs []float64, newEpisode bool) error {
	f := r.frames
	newest := f.newest(obs)
	for k := range f.Stack {
		frame := obs[k*f.Size : (k+1)*f.Size]
		if newEpisode {
			if !slices.Equal(frame, newest) {
				return fmt.Errorf("agent: frame replay: frame %d of an episode's first observation is not a copy of its newest, as a reset's stack is", k)
			}
			continue
		}
		if want := r.heldFrame(int(f.cur) + 2 - f.Stack + k); want != nil && !sameBytes(frame, want) {
			return fmt.Errorf("agent: frame replay: frame %d of the observation is not the frame of %d steps before: observations must be stacks of consecutive frames, as envs.PixelObservation returns them", k, f.Stack-1-k)
		}
	}
	return nil
}

// heldFrame returns frame j of the episode under way, j at most one past the step of the
// last transition added, or nil if the buffer no longer holds it.
func (r *Replay) heldFrame(j int) []byte {
	f := r.frames
	if j <= 0 {
		if n := len(f.firsts); n > 0 && f.firsts[n-1].episode == r.episodes {
			return f.firsts[n-1].pix
		}
		return nil
	}
	if r.len-1-(int(f.cur)-(j-1)) < 0 {
		return nil
	}
	return r.frameAt(r.len-1, j)
}

// sameBytes reports whether the values of frame are the bytes of b over 255.
func sameBytes(frame []float64, b []byte) bool {
	for i, v := range frame {
		if byte(math.Round(v*255)) != b[i] {
			return false
		}
	}
	return true
}

// add stores t's frames in slot i, which held a transition if full; episode is t's.
func (f *frames) add(i int, t Transition, episode uint64, newEpisode, full bool) {
	if full && f.step[i] == 0 {
		f.firsts = f.firsts[1:] // that episode's first transition is overwritten
	}
	if newEpisode {
		pix := make([]byte, f.Size)
		toBytes(pix, f.newest(t.Obs))
		f.firsts = append(f.firsts, firstFrame{episode, pix})
		f.cur = 0
	} else {
		f.cur++
	}
	toBytes(f.next(i), f.newest(t.Next))
	f.step[i] = f.cur
}

// toBytes writes the bytes whose value over 255 each of src is.
func toBytes(dst []byte, src []float64) {
	for i, v := range src {
		dst[i] = byte(math.Round(v * 255))
	}
}

// unit32 maps a byte b to float32(b/255), as copy32 converts PixelObservation's values.
var unit32 = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(float64(i) / 255)
	}
	return t
}()

// framesHeld reports whether the frames of the observation of the transition at age k are held:
// those of the Stack transitions before it, or as many as its episode has.
func (r *Replay) framesHeld(k int) bool {
	f := r.frames
	return f == nil || k >= min(int(f.step[r.slot(k)]), f.Stack)
}

// frameAt returns frame j of the episode of the transition at age k, j at most one past
// that transition's step.
func (r *Replay) frameAt(k, j int) []byte {
	f := r.frames
	i := r.slot(k)
	if j <= 0 {
		return f.firsts[r.episode[i]-f.firsts[0].episode].pix
	}
	i = r.slot(k - int(f.step[i]) + j - 1)
	return f.next(i)
}

// fillObs writes into dst the observation of the transition at age k, or with next its next
// observation, as float32 values.
func (r *Replay) fillObs(dst []float32, k int, next bool) {
	f := r.frames
	newest := int(f.step[r.slot(k)])
	if next {
		newest++
	}
	for s := range f.Stack {
		frame := r.frameAt(k, newest-f.Stack+1+s)
		d := dst[s*f.Size : (s+1)*f.Size]
		for i, b := range frame {
			d[i] = unit32[b]
		}
	}
}

// frameReplayKind names frame replay states.
const frameReplayKind = "frame replay"

// frameParts returns a frame replay's contents and position, oldest transition first, as
// the parts of a container that refers to the frames where they are held.
func (r *Replay) frameParts() parts.Part {
	f := r.frames
	le := binary.LittleEndian
	head := []uint64{uint64(f.Stack), uint64(f.Size), uint64(r.actDim), uint64(r.len), r.episodes, 0, uint64(len(f.firsts))}
	if r.open {
		head[5] = 1
	}
	next := make([][]byte, r.len)
	act := make([]float32, 0, r.len*r.actDim)
	rew, term, episode, step := make([]float32, r.len), make([]bool, r.len), make([]uint64, r.len), make([]int32, r.len)
	for k := range r.len {
		i := r.slot(k)
		next[k] = f.next(i)
		act = append(act, r.act[i*r.actDim:(i+1)*r.actDim]...)
		rew[k], term[k], episode[k], step[k] = r.rew[i], r.term[i], r.episode[i], f.step[i]
	}
	firsts := make([][]byte, len(f.firsts))
	for j, p := range f.firsts {
		firsts[j] = p.pix
	}
	fields := []any{head, act, rew, term, episode, step}
	out := make([]parts.Part, 0, len(fields)+2)
	for _, v := range fields {
		b, _ := binary.Append(nil, le, v)
		out = append(out, parts.Bytes(b))
	}
	out = append(out, parts.Chunks(next...), parts.Chunks(firsts...))
	return parts.Nested(frameReplayKind, out...)
}

// unmarshalFrames restores what frameParts holds, changing nothing and returning an
// error if data is not such a state for r's layout and capacity.
func (r *Replay) unmarshalFrames(data []byte) error {
	p, err := parts.Decode(frameReplayKind, data, 8)
	if err != nil {
		return err
	}
	f, le := r.frames, binary.LittleEndian
	head := make([]uint64, 7)
	if _, err := binary.Decode(p[0], le, head); err != nil || len(p[0]) != 56 || head[5] > 1 {
		return fmt.Errorf("bad header")
	}
	if head[0] != uint64(f.Stack) || head[1] != uint64(f.Size) || head[2] != uint64(r.actDim) || head[3] > uint64(r.cap) || head[6] > head[3] {
		return fmt.Errorf("state of %d transitions of %d frames of %d values and %d-d actions does not fit a buffer of %d, %d, %d and %d",
			head[3], head[0], head[1], head[2], r.cap, f.Stack, f.Size, r.actDim)
	}
	n, nf := int(head[3]), int(head[6])
	act, rew := make([]float32, n*r.actDim), make([]float32, n)
	term, episode, step := make([]bool, n), make([]uint64, n), make([]int32, n)
	for i, v := range []any{act, rew, term, episode, step} {
		if len(p[i+1]) != binary.Size(v) {
			return fmt.Errorf("part %d does not hold %d transitions", i+1, n)
		}
		if _, err := binary.Decode(p[i+1], le, v); err != nil {
			return fmt.Errorf("part %d does not hold %d transitions", i+1, n)
		}
	}
	if len(p[6]) != n*f.Size || len(p[7]) != nf*f.Size {
		return fmt.Errorf("frames of %d and %d bytes, want %d transitions and %d first frames of %d", len(p[6]), len(p[7]), n, nf, f.Size)
	}
	values := []namedValues{{"action", act}, {"reward", rew}}
	if err := checkTransitions(p[3], episode, head[4], head[5] == 1, values); err != nil {
		return err
	}
	firstEpisodes, err := checkSteps(episode, step, head[4])
	if err != nil {
		return err
	}
	if len(firstEpisodes) != nf {
		return fmt.Errorf("%d first frames for %d episodes that begin", nf, len(firstEpisodes))
	}
	copy(r.act, act)
	copy(r.rew, rew)
	copy(r.term, term)
	copy(r.episode, episode)
	for k := range n {
		copy(f.next(k), p[6][k*f.Size:(k+1)*f.Size])
	}
	copy(f.step, step)
	f.firsts = f.firsts[:0]
	for j, e := range firstEpisodes {
		f.firsts = append(f.firsts, firstFrame{e, slices.Clone(p[7][j*f.Size : (j+1)*f.Size])})
	}
	if n > 0 {
		f.cur = step[n-1]
	}
	r.len, r.head, r.episodes, r.open = n, n%r.cap, head[4], head[5] == 1
	r.setEnds(term)
	return nil
}

// maxStep bounds the steps a restored frame replay may hold, far beyond any episode, so that
// counting on from them cannot overflow.
const maxStep = math.MaxInt32 / 2

// checkSteps returns the episodes whose first transition is held, or an error unless the
// episodes held are consecutive up to the last of those begun, and steps count up by one
// within each from 0 (or, for the oldest, from where it was cut) and stay below maxStep.
func checkSteps(episode []uint64, step []int32, episodes uint64) ([]uint64, error) {
	var begin []uint64
	if n := len(episode); n > 0 && episode[n-1] != episodes {
		return nil, fmt.Errorf("the last transition is of episode %d of %d", episode[n-1], episodes)
	}
	for k, s := range step {
		switch {
		case s < 0 || s > maxStep:
			return nil, fmt.Errorf("transition %d has step %d", k, s)
		case k > 0 && episode[k] > episode[k-1]+1:
			return nil, fmt.Errorf("transition %d is of episode %d after %d", k, episode[k], episode[k-1])
		case k > 0 && episode[k] == episode[k-1] && s != step[k-1]+1:
			return nil, fmt.Errorf("transition %d has step %d after %d in one episode", k, s, step[k-1])
		case k > 0 && episode[k] != episode[k-1] && s != 0:
			return nil, fmt.Errorf("transition %d begins episode %d at step %d", k, episode[k], s)
		}
		if s == 0 {
			begin = append(begin, episode[k])
		}
	}
	return begin, nil
}
