package agent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/foresight-sim/foresight/internal/parts"
	"github.com/foresight-sim/foresight/worldmodel"
)

// Transition is one step of experience: the observation the agent acted on, the action, the
// reward, the observation that followed, and whether the episode terminated there (a task end,
// not a time limit: a truncated episode's last transition is not terminal).
type Transition struct {
	Obs, Action, Next []float64
	Reward            float64
	Terminated        bool
}

// Replay is a replay buffer of fixed memory: a ring that keeps the most recent Cap
// transitions, stored as float32, the precision the world models train in, or, from
// NewFrameReplay, as image frames of bytes. Transitions are added in the order they happen,
// episode by episode; SampleSequences draws runs of consecutive transitions from one
// episode, for multi-step model losses.
type Replay struct {
	obsDim, actDim int
	obs, next, act []float32
	rew            []float32
	term           []bool
	episode        []uint64 // episode number of each slot
	cap, len, head int      // head is the slot the next transition goes to
	episodes       uint64   // episodes begun
	open           bool     // the current episode has transitions and has not ended
	ends           []int    // slots of the terminal transitions held, oldest first
	frames         *frames  // a frame replay's frames, which replace obs and next
}

// ErrNotEnoughData is returned by SampleSequences when the buffer holds no run of consecutive
// transitions as long as asked for.
var ErrNotEnoughData = errors.New("agent: replay buffer holds no sequence that long yet")

// NewReplay returns an empty buffer for capacity transitions with the given observation and
// action sizes. It returns an error unless all three are positive.
func NewReplay(capacity, obsDim, actDim int) (*Replay, error) {
	if capacity < 1 || obsDim < 1 || actDim < 1 {
		return nil, fmt.Errorf("agent: replay buffer of %d transitions of %d-d observations and %d-d actions: all must be positive", capacity, obsDim, actDim)
	}
	return &Replay{
		obsDim: obsDim, actDim: actDim, cap: capacity,
		obs: make([]float32, capacity*obsDim), next: make([]float32, capacity*obsDim),
		act: make([]float32, capacity*actDim), rew: make([]float32, capacity),
		term: make([]bool, capacity), episode: make([]uint64, capacity),
	}, nil
}

// Len returns the number of transitions held.
func (r *Replay) Len() int { return r.len }

// Cap returns the most transitions the buffer holds.
func (r *Replay) Cap() int { return r.cap }

// Add appends a transition to the current episode, overwriting the oldest one when the buffer
// is full. It returns an error, adding nothing, if the sizes do not match the buffer's.
func (r *Replay) Add(t Transition) error {
	if len(t.Obs) != r.obsDim || len(t.Next) != r.obsDim || len(t.Action) != r.actDim {
		return fmt.Errorf("agent: replay: transition with %d-d, %d-d observations and %d-d action, want %d and %d",
			len(t.Obs), len(t.Next), len(t.Action), r.obsDim, r.actDim)
	}
	newEpisode := !r.open
	if r.frames != nil {
		if err := r.checkFrames(t, newEpisode); err != nil {
			return err
		}
	}
	if newEpisode {
		r.episodes++
		r.open = true
	}
	i, full := r.head, r.len == r.cap
	if full && len(r.ends) > 0 && r.ends[0] == i {
		r.ends = r.ends[1:]
	}
	if t.Terminated {
		r.ends = append(r.ends, i)
	}
	if r.frames != nil {
		r.frames.add(i, t, r.episodes, newEpisode, full)
	} else {
		copy32(r.obs[i*r.obsDim:(i+1)*r.obsDim], t.Obs)
		copy32(r.next[i*r.obsDim:(i+1)*r.obsDim], t.Next)
	}
	copy32(r.act[i*r.actDim:(i+1)*r.actDim], t.Action)
	r.rew[i], r.term[i], r.episode[i] = float32(t.Reward), t.Terminated, r.episodes
	r.head = (r.head + 1) % r.cap
	r.len = min(r.len+1, r.cap)
	return nil
}

// EndEpisode marks the end of the current episode (whether it terminated or was truncated),
// so the next transition starts a new one and no sampled sequence spans the two.
func (r *Replay) EndEpisode() { r.open = false }

// Ends returns the number of terminal transitions held.
func (r *Replay) Ends() int { return len(r.ends) }

// SampleEnds fills dst with n one-transition sequences drawn uniformly with rng from the
// terminal transitions held, so that what ends an episode, rare as it may be, can be learnt
// from as often as it is wanted. It returns ErrNotEnoughData if none is held, and an error
// if n is not positive.
func (r *Replay) SampleEnds(rng *rand.Rand, n int, dst *worldmodel.Batch) error {
	if n < 1 {
		return fmt.Errorf("agent: replay: sample %d terminal transitions: want a positive number", n)
	}
	if len(r.ends) == 0 {
		return ErrNotEnoughData
	}
	age := func(j int) int { return (r.ends[j] - r.head + r.len + r.cap) % r.cap }
	dst.Resize(n, 1, r.obsDim, r.actDim)
	for s := range n {
		j, ok := drawValid(rng, len(r.ends), func(j int) bool { return r.framesHeld(age(j)) })
		if !ok {
			return ErrNotEnoughData
		}
		r.copySequence(dst, s, age(j))
	}
	return nil
}

// slot returns the ring slot of the k-th oldest transition held.
func (r *Replay) slot(k int) int { return (r.head - r.len + k + r.cap) % r.cap }

// SampleSequences fills dst with b runs of l consecutive transitions, each within one
// episode, drawn uniformly over their start positions with rng. It reuses dst's memory, so
// sampling the same shape again does not allocate. It returns ErrNotEnoughData if no run of
// l transitions is held, and an error if b or l is not positive.
func (r *Replay) SampleSequences(rng *rand.Rand, b, l int, dst *worldmodel.Batch) error {
	if b < 1 || l < 1 {
		return fmt.Errorf("agent: replay: sample %d sequences of length %d: both must be positive", b, l)
	}
	if r.len < l {
		return ErrNotEnoughData
	}
	dst.Resize(b, l, r.obsDim, r.actDim)
	for s := range b {
		start, ok := r.drawStart(rng, l)
		if !ok {
			return ErrNotEnoughData
		}
		r.copySequence(dst, s, start)
	}
	return nil
}

// maxDraws bounds the random attempts to find a valid choice before drawValid counts the
// valid choices instead.
const maxDraws = 1000

// drawStart draws, uniformly, the age index of a sequence start whose l transitions share an
// episode and whose observations are held; it reports false only when there is none.
func (r *Replay) drawStart(rng *rand.Rand, l int) (int, bool) {
	return drawValid(rng, r.len-l+1, func(k int) bool { return r.oneEpisode(k, l) && r.framesHeld(k) })
}

// drawValid draws, uniformly, one of the numbers 0 to n−1 that valid accepts; it reports
// false only when there is none. Rejection finds one in a few draws unless valid ones are
// rare; after maxDraws misses it counts them and picks one.
func drawValid(rng *rand.Rand, n int, valid func(int) bool) (int, bool) {
	for range maxDraws {
		if k := rng.IntN(n); valid(k) {
			return k, true
		}
	}
	count := 0
	for k := range n {
		if valid(k) {
			count++
		}
	}
	if count == 0 {
		return 0, false
	}
	j := rng.IntN(count)
	for k := range n {
		if valid(k) {
			if j == 0 {
				return k, true
			}
			j--
		}
	}
	panic("unreachable")
}

// oneEpisode reports whether the l transitions from age index k belong to one episode.
func (r *Replay) oneEpisode(k, l int) bool {
	return r.episode[r.slot(k)] == r.episode[r.slot(k+l-1)]
}

func (r *Replay) copySequence(dst *worldmodel.Batch, s, start int) {
	od, ad, l := r.obsDim, r.actDim, dst.L
	obs := dst.Obs[s*(l+1)*od : (s+1)*(l+1)*od]
	for t := range l {
		i := r.slot(start + t)
		copy(dst.Action[(s*l+t)*ad:(s*l+t+1)*ad], r.act[i*ad:(i+1)*ad])
		dst.Reward[s*l+t], dst.Terminated[s*l+t] = r.rew[i], r.term[i]
		if r.frames != nil {
			r.fillObs(obs[t*od:(t+1)*od], start+t, false)
			if t == l-1 {
				r.fillObs(obs[l*od:(l+1)*od], start+t, true)
			}
			continue
		}
		copy(obs[t*od:(t+1)*od], r.obs[i*od:(i+1)*od])
		if t == l-1 {
			copy(obs[l*od:(l+1)*od], r.next[i*od:(i+1)*od])
		}
	}
}

func copy32(dst []float32, src []float64) {
	for i, v := range src {
		dst[i] = float32(v)
	}
}

// replayKind names replay buffer states.
const replayKind = "replay"

// MarshalBinary returns the buffer's contents and position, oldest transition first. It
// never fails.
func (r *Replay) MarshalBinary() ([]byte, error) {
	return parts.Marshal(r.stateParts()), nil
}

// stateParts returns what MarshalBinary returns as a part to write, referring to the frames
// of a frame replay where they are held.
func (r *Replay) stateParts() parts.Part {
	if r.frames != nil {
		return r.frameParts()
	}
	le := binary.LittleEndian
	head := []uint64{uint64(r.obsDim), uint64(r.actDim), uint64(r.len), r.episodes, 0}
	if r.open {
		head[4] = 1
	}
	obs := make([]float32, 0, r.len*r.obsDim)
	next := make([]float32, 0, r.len*r.obsDim)
	act := make([]float32, 0, r.len*r.actDim)
	rew, term, episode := make([]float32, r.len), make([]bool, r.len), make([]uint64, r.len)
	for k := range r.len {
		i := r.slot(k)
		obs = append(obs, r.obs[i*r.obsDim:(i+1)*r.obsDim]...)
		next = append(next, r.next[i*r.obsDim:(i+1)*r.obsDim]...)
		act = append(act, r.act[i*r.actDim:(i+1)*r.actDim]...)
		rew[k], term[k], episode[k] = r.rew[i], r.term[i], r.episode[i]
	}
	fields := []any{head, obs, next, act, rew, term, episode}
	out := make([][]byte, len(fields))
	for i, f := range fields {
		out[i], _ = binary.Append(nil, le, f)
	}
	return parts.Bytes(parts.Encode(replayKind, out...))
}

// UnmarshalBinary restores contents MarshalBinary returned into a buffer of the same sizes;
// a buffer of at least as many transitions as were held. It changes nothing and returns an
// error if data is not such a state: other sizes, values that are not finite, or episode
// numbers out of order or beyond the count of episodes begun. A frame replay restores only
// what a frame replay of the same layout returned.
func (r *Replay) UnmarshalBinary(data []byte) error {
	if r.frames != nil {
		if err := r.unmarshalFrames(data); err != nil {
			return fmt.Errorf("agent: frame replay: %w", err)
		}
		return nil
	}
	p, err := parts.Decode(replayKind, data, 7)
	if err != nil {
		return fmt.Errorf("agent: replay: %w", err)
	}
	le := binary.LittleEndian
	head := make([]uint64, 5)
	if _, err := binary.Decode(p[0], le, head); err != nil || len(p[0]) != 40 || head[4] > 1 {
		return fmt.Errorf("agent: replay: bad header")
	}
	if head[0] != uint64(r.obsDim) || head[1] != uint64(r.actDim) || head[2] > uint64(r.cap) {
		return fmt.Errorf("agent: replay: state of %d transitions of %d-d observations and %d-d actions does not fit a buffer of %d, %d and %d",
			head[2], head[0], head[1], r.cap, r.obsDim, r.actDim)
	}
	n := int(head[2])
	obs, next := make([]float32, n*r.obsDim), make([]float32, n*r.obsDim)
	act, rew := make([]float32, n*r.actDim), make([]float32, n)
	term, episode := make([]bool, n), make([]uint64, n)
	for i, f := range []any{obs, next, act, rew, term, episode} {
		// The length is checked first: binary.Decode of a []bool panics on longer input.
		if len(p[i+1]) != binary.Size(f) {
			return fmt.Errorf("agent: replay: part %d does not hold %d transitions", i+1, n)
		}
		if _, err := binary.Decode(p[i+1], le, f); err != nil {
			return fmt.Errorf("agent: replay: part %d does not hold %d transitions", i+1, n)
		}
	}
	values := []namedValues{{"observation", obs}, {"next observation", next}, {"action", act}, {"reward", rew}}
	if err := checkTransitions(p[5], episode, head[3], head[4] == 1, values); err != nil {
		return fmt.Errorf("agent: replay: %w", err)
	}
	copy(r.obs, obs)
	copy(r.next, next)
	copy(r.act, act)
	copy(r.rew, rew)
	copy(r.term, term)
	copy(r.episode, episode)
	r.len, r.head, r.episodes, r.open = n, n%r.cap, head[3], head[4] == 1
	r.setEnds(term)
	return nil
}

// setEnds lists the terminal transitions of a buffer restored oldest first into slots 0 on.
func (r *Replay) setEnds(term []bool) {
	r.ends = r.ends[:0]
	for k, end := range term {
		if end {
			r.ends = append(r.ends, k)
		}
	}
}

// namedValues are the values of one field of n transitions, len(values)/n each.
type namedValues struct {
	name   string
	values []float32
}

// checkTransitions returns an error describing the first impossible value of decoded
// transitions: a terminal flag other than 0 or 1, episode numbers that decrease, are 0 or
// exceed the episodes begun (or, with an episode open, do not end at the last one), or
// values that are not finite.
func checkTransitions(term []byte, episode []uint64, episodes uint64, open bool, fields []namedValues) error {
	for k, b := range term {
		if b > 1 {
			return fmt.Errorf("transition %d has terminal flag %d", k, b)
		}
	}
	for k, e := range episode {
		if e == 0 || e > episodes || (k > 0 && e < episode[k-1]) {
			return fmt.Errorf("transition %d is of episode %d, out of order among %d episodes", k, e, episodes)
		}
	}
	n := len(episode)
	if open && (n == 0 || episode[n-1] != episodes) {
		return fmt.Errorf("the open episode %d holds no transition", episodes)
	}
	for _, f := range fields {
		k := slices.IndexFunc(f.values, func(v float32) bool { return math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) })
		if k >= 0 {
			return fmt.Errorf("the %s of transition %d is not finite", f.name, k/(len(f.values)/n))
		}
	}
	return nil
}
