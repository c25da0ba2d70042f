package agent

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/parts"
	"github.com/foresight-sim/foresight/worldmodel"
)

// testLayout is the frame layout of the frame replay tests: stacks of 3 frames of 5 values.
var testLayout = FrameLayout{Stack: 3, Size: 5}

// testFrame returns frame j of episode e (j < 0 standing for the first frame), whose values
// are bytes over 255 that name e, j and the position.
func testFrame(e, j int) []float64 {
	f := make([]float64, testLayout.Size)
	for i := range f {
		f[i] = float64((e*37+max(j, 0)*11+i*3)%256) / 255
	}
	return f
}

// testStack returns the observation at step t of episode e, as PixelObservation stacks it.
func testStack(e, t int) []float64 {
	var obs []float64
	for j := t - testLayout.Stack + 1; j <= t; j++ {
		obs = append(obs, testFrame(e, j)...)
	}
	return obs
}

// fillFrames adds episodes of the given lengths to r; the action of step t of episode e is
// [e, t].
func fillFrames(t *testing.T, r *Replay, lengths []int) {
	t.Helper()
	for e, n := range lengths {
		for s := range n {
			err := r.Add(Transition{
				Obs: testStack(e, s), Action: []float64{float64(e), float64(s)}, Next: testStack(e, s+1),
				Reward: float64(s), Terminated: s == n-1 && e%2 == 0,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		r.EndEpisode()
	}
}

// checkFrameSequence checks sequence s of b against the observations fillFrames added and
// returns the step it starts at.
func checkFrameSequence(t *testing.T, b *worldmodel.Batch, s int) stepID {
	t.Helper()
	a := b.ActionAt(s, 0)
	e, step := int(a[0]), int(a[1])
	for k := range b.L + 1 {
		want := testStack(e, step+k)
		for i, v := range b.ObsAt(s, k) {
			if v != float32(want[i]) {
				t.Fatalf("sequence from episode %d step %d: observation %d value %d is %v, want %v", e, step, k, i, v, float32(want[i]))
			}
		}
		if k < b.L && (b.ActionAt(s, k)[1] != float32(step+k) || b.Reward[s*b.L+k] != float32(step+k)) {
			t.Fatalf("sequence from episode %d step %d: action or reward %d out of step", e, step, k)
		}
	}
	return stepID{e, step}
}

// TestValidStartsByHand checks validStarts, which TestFrameReplaySequences trusts, against
// starts worked out by hand. Episodes of 4 and 3 steps in a buffer of 5 hold steps 2 and 3
// of the first, which lost the frames of steps 0 and 1 that their stacks of 3 need, and all
// of the second.
func TestValidStartsByHand(t *testing.T) {
	for _, tc := range []struct {
		l    int
		want []stepID
	}{{1, []stepID{{1, 0}, {1, 1}, {1, 2}}}, {2, []stepID{{1, 0}, {1, 1}}}, {3, []stepID{{1, 0}}}, {4, nil}} {
		got := validStarts([]int{4, 3}, 5, tc.l, 3)
		want := map[stepID]bool{}
		for _, s := range tc.want {
			want[s] = true
		}
		if !maps.Equal(got, want) {
			t.Errorf("runs of %d: starts %v, want %v", tc.l, got, want)
		}
	}
}

func TestFrameReplaySequences(t *testing.T) {
	lengths := episodeLengths(40, 9)
	for _, tc := range []struct{ capacity, l int }{{1000, 1}, {1000, 3}, {50, 1}, {50, 4}, {7, 2}, {3, 1}} {
		r, err := NewFrameReplay(tc.capacity, testLayout, 2)
		if err != nil {
			t.Fatal(err)
		}
		fillFrames(t, r, lengths)
		want := validStarts(lengths, tc.capacity, tc.l, testLayout.Stack)
		rng := rand.New(rand.NewPCG(1, 2))
		var b worldmodel.Batch
		seen := map[stepID]bool{}
		for range 200 {
			err := r.SampleSequences(rng, 16, tc.l, &b)
			if len(want) == 0 {
				if !errors.Is(err, ErrNotEnoughData) {
					t.Fatalf("capacity %d, length %d: no valid start, yet sampling returned %v", tc.capacity, tc.l, err)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			for s := range b.B {
				start := checkFrameSequence(t, &b, s)
				if !want[start] {
					t.Fatalf("capacity %d, length %d: sampled %v, whose frames are not all held", tc.capacity, tc.l, start)
				}
				seen[start] = true
			}
		}
		if len(seen) != len(want) {
			t.Errorf("capacity %d, length %d: sampled %d of the %d valid starts", tc.capacity, tc.l, len(seen), len(want))
		}
	}
}

// TestFrameReplayMatchesReplay checks that a frame replay returns exactly the batches a
// plain replay returns for the same transitions and draws, while every start is valid in both.
func TestFrameReplayMatchesReplay(t *testing.T) {
	lengths := episodeLengths(12, 9)
	plain, err := NewReplay(500, testLayout.Stack*testLayout.Size, 2)
	if err != nil {
		t.Fatal(err)
	}
	framed, err := NewFrameReplay(500, testLayout, 2)
	if err != nil {
		t.Fatal(err)
	}
	fillFrames(t, plain, lengths)
	fillFrames(t, framed, lengths)
	var a, b worldmodel.Batch
	r1, r2 := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
	for range 20 {
		if err := plain.SampleSequences(r1, 8, 3, &a); err != nil {
			t.Fatal(err)
		}
		if err := framed.SampleSequences(r2, 8, 3, &b); err != nil {
			t.Fatal(err)
		}
		if !equalBatches(&a, &b) {
			t.Fatal("the frame replay's batch differs from the plain replay's")
		}
		if err := plain.SampleEnds(r1, 4, &a); err != nil {
			t.Fatal(err)
		}
		if err := framed.SampleEnds(r2, 4, &b); err != nil {
			t.Fatal(err)
		}
		if !equalBatches(&a, &b) {
			t.Fatal("the frame replay's terminal batch differs from the plain replay's")
		}
	}
}

func equalBatches(a, b *worldmodel.Batch) bool {
	return a.B == b.B && a.L == b.L && a.ObsDim == b.ObsDim && slices.Equal(a.Obs, b.Obs) &&
		slices.Equal(a.Action, b.Action) && slices.Equal(a.Reward, b.Reward) && slices.Equal(a.Terminated, b.Terminated)
}

// TestFrameReplayEndsHeld checks that terminal transitions whose frames were overwritten are
// never drawn, and that none held at all is ErrNotEnoughData.
func TestFrameReplayEndsHeld(t *testing.T) {
	r, err := NewFrameReplay(4, testLayout, 2)
	if err != nil {
		t.Fatal(err)
	}
	fillFrames(t, r, []int{6}) // episode 0 terminates at step 5, held at age 3 ≥ 3
	var b worldmodel.Batch
	rng := rand.New(rand.NewPCG(5, 6))
	if err := r.SampleEnds(rng, 3, &b); err != nil {
		t.Fatal(err)
	}
	checkFrameSequence(t, &b, 0)
	r, _ = NewFrameReplay(3, testLayout, 2)
	fillFrames(t, r, []int{6}) // held at age 2 < 3: its oldest frame is gone
	if err := r.SampleEnds(rng, 3, &b); !errors.Is(err, ErrNotEnoughData) {
		t.Fatalf("a terminal transition without its frames: got %v, want ErrNotEnoughData", err)
	}
}

func TestFrameReplayErrors(t *testing.T) {
	if _, err := NewFrameReplay(10, FrameLayout{Stack: 0, Size: 4}, 1); err == nil {
		t.Error("a stack of 0 frames was accepted")
	}
	r, err := NewFrameReplay(10, testLayout, 2)
	if err != nil {
		t.Fatal(err)
	}
	bad, between := testStack(0, 1), testStack(0, 1)
	bad[len(bad)-1] = 1.5
	between[len(between)-1] = 0.5 // between 127/255 and 128/255
	for name, tr := range map[string]Transition{
		"short":      {Obs: testStack(0, 0)[1:], Action: []float64{0, 0}, Next: testStack(0, 1)},
		"next > 1":   {Obs: testStack(0, 0), Action: []float64{0, 0}, Next: bad},
		"first > 1":  {Obs: bad, Action: []float64{0, 0}, Next: testStack(0, 1)},
		"not a byte": {Obs: testStack(0, 0), Action: []float64{0, 0}, Next: between},
		"wrong acts": {Obs: testStack(0, 0), Action: []float64{0}, Next: testStack(0, 1)},
	} {
		if err := r.Add(tr); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: Add returned %v, want a one-line error", name, err)
		}
		if r.Len() != 0 {
			t.Fatalf("%s: a rejected transition was stored", name)
		}
	}
}

func TestFrameReplayStateRoundTrip(t *testing.T) {
	r, err := NewFrameReplay(20, testLayout, 2)
	if err != nil {
		t.Fatal(err)
	}
	fillFrames(t, r, episodeLengths(9, 7))
	state, _ := r.MarshalBinary()
	back, _ := NewFrameReplay(20, testLayout, 2)
	if err := back.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	// Both continue alike: the same adds, then the same samples.
	fillFrames(t, r, []int{4, 5})
	fillFrames(t, back, []int{4, 5})
	var a, b worldmodel.Batch
	r1, r2 := rand.New(rand.NewPCG(9, 9)), rand.New(rand.NewPCG(9, 9))
	if err := r.SampleSequences(r1, 16, 2, &a); err != nil {
		t.Fatal(err)
	}
	if err := back.SampleSequences(r2, 16, 2, &b); err != nil {
		t.Fatal(err)
	}
	if !equalBatches(&a, &b) {
		t.Error("a restored frame replay samples differently")
	}
	plain, _ := NewReplay(20, testLayout.Stack*testLayout.Size, 2)
	if err := plain.UnmarshalBinary(state); err == nil {
		t.Error("a plain replay accepted a frame replay's state")
	}
	other, _ := NewFrameReplay(20, FrameLayout{Stack: 3, Size: 6}, 2)
	if err := other.UnmarshalBinary(state); err == nil {
		t.Error("a frame replay of another layout accepted the state")
	}
}

// TestFrameReplayStateStepBound checks that a state whose oldest, cut episode counts its
// steps from near the int32 limit is refused: counting on from there would overflow.
func TestFrameReplayStateStepBound(t *testing.T) {
	r, err := NewFrameReplay(6, testLayout, 2)
	if err != nil {
		t.Fatal(err)
	}
	fillFrames(t, r, []int{5, 4}) // the first episode loses its first three transitions
	state, _ := r.MarshalBinary()
	p, err := parts.Decode(frameReplayKind, state, 8)
	if err != nil {
		t.Fatal(err)
	}
	step := make([]int32, r.Len())
	if _, err := binary.Decode(p[5], binary.LittleEndian, step); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		offset int32
		ok     bool
	}{{0, true}, {maxStep - 4, true}, {maxStep - 3, false}, {math.MaxInt32 - 10, false}} { // the cut episode's steps are 3 and 4
		offset, ok := tc.offset, tc.ok
		bumped := slices.Clone(step)
		for k := range 2 { // the transitions of the cut episode
			bumped[k] += offset
		}
		q := slices.Clone(p)
		q[5], _ = binary.Append(nil, binary.LittleEndian, bumped)
		back, _ := NewFrameReplay(6, testLayout, 2)
		if err := back.UnmarshalBinary(parts.Encode(frameReplayKind, q...)); (err == nil) != ok {
			t.Errorf("steps %v: error %v, want accepted %v", bumped, err, ok)
		}
	}
}

// FuzzFrameReplayState feeds Replay.UnmarshalBinary of a frame replay states made of
// arbitrary parts behind a matching checksum. It must not panic, a state it accepts must
// be what the buffer then marshals, and sampling from it must not panic.
func FuzzFrameReplayState(f *testing.F) {
	layout := FrameLayout{Stack: 2, Size: 2}
	r, err := NewFrameReplay(6, layout, 1)
	if err != nil {
		f.Fatal(err)
	}
	seed := func() {
		state, _ := r.MarshalBinary()
		p, err := parts.Decode(frameReplayKind, state, 8)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
	}
	seed()
	for e, n := range []int{3, 2, 4} {
		for s := range n {
			x := float64(s) / 10
			r.Add(Transition{Obs: []float64{x, x, x, x}, Action: []float64{float64(e)}, Next: []float64{x, x, x + 0.1, x + 0.1}, Terminated: s == n-1})
		}
		r.EndEpisode()
		seed()
	}
	f.Fuzz(func(t *testing.T, head, act, rew, term, episode, step, next, firsts []byte) {
		data := parts.Encode(frameReplayKind, head, act, rew, term, episode, step, next, firsts)
		r, err := NewFrameReplay(6, layout, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.UnmarshalBinary(data); err != nil {
			return
		}
		if again, _ := r.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
		var b worldmodel.Batch
		rng := rand.New(rand.NewPCG(1, 1))
		for l := 1; l <= r.Len(); l++ {
			if err := r.SampleSequences(rng, 4, l, &b); err != nil && !errors.Is(err, ErrNotEnoughData) {
				t.Fatal(err)
			}
		}
		if err := r.SampleEnds(rng, 2, &b); err != nil && !errors.Is(err, ErrNotEnoughData) {
			t.Fatal(err)
		}
	})
}

// TestFrameReplayLearnerEndsNotHeld checks that a learner whose frame replay still holds a
// terminal transition, but without its observation's frames, goes on learning: its
// termination model skips the step instead of failing the run.
func TestFrameReplayLearnerEndsNotHeld(t *testing.T) {
	jc := worldmodel.DefaultJEPAConfig()
	jc.Batch, jc.Horizon = 4, 1
	m, err := worldmodel.NewJEPA(worldmodel.Dims{Obs: testLayout.Stack * testLayout.Size, Action: 1}, jc, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := DefaultModelConfig()
	c.Critic, c.SeedSeconds, c.PretrainUpdates, c.UpdatesPerStep, c.ReplayCapacity = nil, 0, 1, 1, 8
	a, err := NewModelBased(widened{makeEnv(t, "Pendulum-v0"), testLayout.Stack * testLayout.Size}, m, 1, c)
	if err != nil {
		t.Fatal(err)
	}
	if a.replay, err = NewFrameReplay(8, testLayout, 1); err != nil {
		t.Fatal(err)
	}
	for e, n := range []int{6, 6} {
		for s := range n {
			tr := Transition{Obs: testStack(e, s), Next: testStack(e, s+1), Action: []float64{0}, Terminated: e == 0 && s == n-1}
			if err := a.Observe(tr); err != nil {
				t.Fatalf("episode %d step %d (%d held, %d terminal): %v", e, s, a.replay.Len(), a.replay.Ends(), err)
			}
		}
		a.EndEpisode()
	}
}

// widened is an environment whose observations are said to be dim values in [0, 1].
type widened struct {
	envs.Env
	dim int
}

func (w widened) ObservationSpace() envs.Box { return envs.UniformBox(0, 1, w.dim) }

// TestFrameReplayRefusesOtherStacks checks that a frame replay refuses observations whose
// frames are not the ones it holds for them, such as an action-repeat wrapper's stacks of
// inner steps, instead of sampling them wrong.
func TestFrameReplayRefusesOtherStacks(t *testing.T) {
	r, err := NewFrameReplay(10, testLayout, 2)
	if err != nil {
		t.Fatal(err)
	}
	act := []float64{0, 0}
	if err := r.Add(Transition{Obs: testStack(0, 1), Action: act, Next: testStack(0, 2)}); err == nil {
		t.Error("a first observation that is not a reset's stack of copies was accepted")
	}
	fillFrames(t, r, []int{3})
	next := testStack(1, 1)
	if err := r.Add(Transition{Obs: testStack(1, 0), Action: act, Next: next}); err != nil {
		t.Fatal(err)
	}
	skipped := testStack(1, 2) // as if a wrapper had stepped twice
	if err := r.Add(Transition{Obs: skipped, Action: act, Next: testStack(1, 3)}); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("an observation that skips a frame: %v, want a one-line error", err)
	}
	if err := r.Add(Transition{Obs: next, Action: act, Next: testStack(1, 2)}); err != nil {
		t.Errorf("the observation that follows was refused: %v", err)
	}
}
