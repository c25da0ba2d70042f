package agent

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/worldmodel"
)

// fillEpisodes adds episodes of the given lengths; the observation of step t of episode e is
// [e, t], the action [t], the reward t and the next observation [e, t+1].
func fillEpisodes(t *testing.T, r *Replay, lengths ...int) {
	t.Helper()
	for e, n := range lengths {
		for s := range n {
			err := r.Add(Transition{
				Obs: []float64{float64(e), float64(s)}, Action: []float64{float64(s)},
				Next: []float64{float64(e), float64(s + 1)}, Reward: float64(s), Terminated: s == n-1,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		r.EndEpisode()
	}
}

// stepID names a transition of fillEpisodes' data by its episode and step.
type stepID struct{ episode, step int }

// episodeLengths returns n episode lengths drawn uniformly from 1 to longest with a fixed seed.
func episodeLengths(n, longest int) []int {
	rng := rand.New(rand.NewPCG(7, 8))
	lengths := make([]int, n)
	for i := range lengths {
		lengths[i] = 1 + rng.IntN(longest)
	}
	return lengths
}

// validStarts returns the steps that begin a run of l steps of one episode among the last
// capacity transitions of episodes of the given lengths, added in order, and, for a frame
// replay of stacks of stack frames (0 for a plain replay), whose observation's frames are
// held: those of the stack steps before it, or of all of its episode's earlier steps.
func validStarts(lengths []int, capacity, l, stack int) map[stepID]bool {
	var all []stepID
	for e, n := range lengths {
		for s := range n {
			all = append(all, stepID{e, s})
		}
	}
	held := all[max(0, len(all)-capacity):]
	starts := map[stepID]bool{}
	for i := 0; i+l <= len(held); i++ {
		if held[i+l-1].episode == held[i].episode && i >= min(held[i].step, stack) {
			starts[held[i]] = true
		}
	}
	return starts
}

// sequenceStart returns the step that sequence s of b starts at, having checked that the
// sequence is consecutive steps of one episode with their actions and rewards, as
// fillEpisodes wrote them.
func sequenceStart(t *testing.T, b *worldmodel.Batch, s int) stepID {
	t.Helper()
	first := b.ObsAt(s, 0)
	for k := range b.L + 1 {
		obs, step := b.ObsAt(s, k), first[1]+float32(k)
		if obs[0] != first[0] || obs[1] != step {
			t.Fatalf("sequence from %v has observation %d %v: it crosses episodes or skips steps", first, k, obs)
		}
		if k < b.L && (b.ActionAt(s, k)[0] != step || b.Reward[s*b.L+k] != step) {
			t.Fatalf("sequence from %v: action or reward %d out of step with its observation", first, k)
		}
	}
	return stepID{int(first[0]), int(first[1])}
}

// TestReplaySequencesStayInOneEpisode checks that every sequence drawn from many short
// episodes of varying lengths, in a buffer that has wrapped, is consecutive held steps of
// one episode.
func TestReplaySequencesStayInOneEpisode(t *testing.T) {
	const capacity, l = 500, 4
	lengths := episodeLengths(200, 12) // 1364 transitions: the oldest 864 are overwritten
	r, err := NewReplay(capacity, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	fillEpisodes(t, r, lengths...)
	if r.Len() != capacity {
		t.Fatalf("Len %d, want %d", r.Len(), capacity)
	}
	valid := validStarts(lengths, capacity, l, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	var b worldmodel.Batch
	for range 200 {
		if err := r.SampleSequences(rng, 8, l, &b); err != nil {
			t.Fatal(err)
		}
		for s := range b.B {
			if start := sequenceStart(t, &b, s); !valid[start] {
				t.Fatalf("drew a sequence from episode %d step %d, which is not a run of %d held steps of one episode", start.episode, start.step, l)
			}
		}
	}
}

// chiSquare999 returns the value a chi-square variable of df degrees of freedom exceeds with
// probability 0.001, by the Wilson–Hilferty approximation: within 0.1% of the exact value
// from 50 degrees of freedom up (148.29 against 148.23 at 99).
func chiSquare999(df int) float64 {
	const z = 3.090232 // the standard normal's 0.999 quantile
	k := float64(df)
	return k * math.Pow(1-2/(9*k)+z*math.Sqrt(2/(9*k)), 3)
}

// TestReplayStartsUniform checks that SampleSequences draws starts uniformly over every valid
// one, among many short episodes in a buffer that has wrapped: a chi-square goodness-of-fit
// test of 200 draws per valid start, at significance 0.001.
func TestReplayStartsUniform(t *testing.T) {
	const capacity, l, perStart = 300, 3, 200
	lengths := episodeLengths(70, 10)
	r, err := NewReplay(capacity, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	fillEpisodes(t, r, lengths...)
	valid := validStarts(lengths, capacity, l, 0)
	if len(valid) < 51 {
		t.Fatalf("%d valid starts: too few for the approximation of the critical value", len(valid))
	}
	counts := map[stepID]int{}
	rng := rand.New(rand.NewPCG(5, 6))
	var b worldmodel.Batch
	for range len(valid) {
		if err := r.SampleSequences(rng, perStart, l, &b); err != nil {
			t.Fatal(err)
		}
		for s := range b.B {
			start := sequenceStart(t, &b, s)
			if !valid[start] {
				t.Fatalf("drew a sequence from episode %d step %d, which is not a run of %d held steps of one episode", start.episode, start.step, l)
			}
			counts[start]++
		}
	}
	var chi2 float64
	for start := range valid {
		d := float64(counts[start] - perStart)
		chi2 += d * d / perStart
	}
	df := len(valid) - 1
	if chi2 > chiSquare999(df) {
		t.Errorf("chi-square %.1f over %d valid starts exceeds %.1f, its 0.001 critical value: the starts are not uniform", chi2, len(valid), chiSquare999(df))
	}
	t.Logf("chi-square %.1f with %d degrees of freedom; 0.001 critical value %.1f", chi2, df, chiSquare999(df))
}

// TestReplayOneValidSequence checks the boundary of SampleSequences: a buffer holding
// exactly one run of the length asked for returns it every time, and one holding none,
// however many transitions it holds, returns ErrNotEnoughData.
func TestReplayOneValidSequence(t *testing.T) {
	const l = 4
	tests := []struct {
		name     string
		capacity int
		lengths  []int
		want     *stepID // the only sequence, or nil for ErrNotEnoughData
	}{
		{"one episode of exactly l", l, []int{l}, &stepID{0, 0}},
		{"one episode of l among shorter ones", 20, []int{3, 2, l, 1, 3}, &stepID{2, 0}},
		{"the newest episode", 20, []int{3, 2, 3, l}, &stepID{3, 0}},
		{"the oldest episode, just held", 7, []int{l, 3}, &stepID{0, 0}},
		// Valid starts too rare for rejection sampling alone (1 in 901).
		{"one run among 300 shorter episodes", 2000, append(slices.Repeat([]int{3}, 300), l), &stepID{300, 0}},
		{"one transition short", 10, []int{l - 1}, nil},
		{"only shorter episodes", 20, []int{3, 2, 3, 1, 3}, nil},
		{"only shorter episodes, many", 2000, slices.Repeat([]int{3}, 500), nil},
		{"the oldest transition of the only run overwritten", 6, []int{l, 3}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReplay(tt.capacity, 2, 1)
			if err != nil {
				t.Fatal(err)
			}
			fillEpisodes(t, r, tt.lengths...)
			var b worldmodel.Batch
			err = r.SampleSequences(rand.New(rand.NewPCG(3, 4)), 16, l, &b)
			if tt.want == nil {
				if !errors.Is(err, ErrNotEnoughData) {
					t.Fatalf("error %v, want ErrNotEnoughData", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for s := range b.B {
				if got := sequenceStart(t, &b, s); got != *tt.want {
					t.Fatalf("drew the sequence from episode %d step %d, want the only one, from %d step %d", got.episode, got.step, tt.want.episode, tt.want.step)
				}
			}
		})
	}
}

// TestReplayRareStartsUniform checks that starts too rare for rejection sampling alone are
// still drawn uniformly: two valid runs among 600 short episodes are drawn equally often.
func TestReplayRareStartsUniform(t *testing.T) {
	const l, draws = 4, 2000
	r, err := NewReplay(3000, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	lengths := append(slices.Repeat([]int{3}, 300), l)
	lengths = append(lengths, slices.Repeat([]int{3}, 300)...)
	fillEpisodes(t, r, append(lengths, l)...)
	var b worldmodel.Batch
	if err := r.SampleSequences(rand.New(rand.NewPCG(7, 8)), draws, l, &b); err != nil {
		t.Fatal(err)
	}
	first := 0
	for s := range b.B {
		switch got := sequenceStart(t, &b, s); got {
		case stepID{300, 0}:
			first++
		case stepID{601, 0}:
		default:
			t.Fatalf("drew a sequence from episode %d step %d, not one of the two valid runs", got.episode, got.step)
		}
	}
	// Binomial(2000, 1/2): standard deviation 22.4; 5 of them is 112.
	if first < draws/2-112 || first > draws/2+112 {
		t.Errorf("drew the first of two valid runs %d times in %d, want about %d", first, draws, draws/2)
	}
}

func TestReplayErrors(t *testing.T) {
	if _, err := NewReplay(0, 2, 1); err == nil {
		t.Error("NewReplay accepted capacity 0")
	}
	r, _ := NewReplay(10, 2, 1)
	if err := r.Add(Transition{Obs: []float64{1}, Next: []float64{1, 2}, Action: []float64{0}}); err == nil {
		t.Error("Add accepted a 1-d observation")
	}
	fillEpisodes(t, r, 3, 3)
	rng := rand.New(rand.NewPCG(1, 2))
	var b worldmodel.Batch
	if err := r.SampleSequences(rng, 4, 4, &b); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("sequences of 4 from episodes of 3: error %v, want ErrNotEnoughData", err)
	}
	if err := r.SampleSequences(rng, 0, 2, &b); err == nil {
		t.Error("SampleSequences accepted a batch of 0")
	}
}

func TestReplaySamplingDoesNotAllocate(t *testing.T) {
	r, _ := NewReplay(100, 2, 1)
	fillEpisodes(t, r, 60, 40)
	rng := rand.New(rand.NewPCG(3, 4))
	var b worldmodel.Batch
	if err := r.SampleSequences(rng, 16, 5, &b); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		if err := r.SampleSequences(rng, 16, 5, &b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per sample, want 0", allocs)
	}
}

// TestReplayEnds checks that the buffer keeps track of the terminal transitions it holds,
// through overwriting and a save and restore, and that SampleEnds draws only from them.
func TestReplayEnds(t *testing.T) {
	r, err := NewReplay(50, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	var b worldmodel.Batch
	rng := rand.New(rand.NewPCG(1, 2))
	if err := r.SampleEnds(rng, 4, &b); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("SampleEnds from an empty buffer: error %v, want ErrNotEnoughData", err)
	}
	fillEpisodes(t, r, 7, 3, 12, 40, 5) // the first 17 are overwritten: episodes 0 and 1 end there
	state, _ := r.MarshalBinary()
	restored, _ := NewReplay(50, 2, 1)
	if err := restored.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	lengths := map[float32]float32{2: 12, 3: 40, 4: 5}
	for name, buf := range map[string]*Replay{"filled": r, "restored": restored} {
		t.Run(name, func(t *testing.T) {
			if buf.Ends() != 3 {
				t.Errorf("Ends %d, want 3 (episodes 2, 3 and 4)", buf.Ends())
			}
			if err := buf.SampleEnds(rng, 0, &b); err == nil {
				t.Error("SampleEnds accepted a batch of 0")
			}
			seen := map[float32]bool{}
			for range 20 {
				if err := buf.SampleEnds(rng, 8, &b); err != nil {
					t.Fatal(err)
				}
				for s := range b.B {
					ep, step := b.ObsAt(s, 0)[0], b.ObsAt(s, 0)[1]
					if !b.Terminated[s] || lengths[ep] != step+1 || b.ObsAt(s, 1)[1] != step+1 {
						t.Fatalf("drew episode %v step %v (terminated %v), not the end of a held episode", ep, step, b.Terminated[s])
					}
					seen[ep] = true
				}
			}
			if len(seen) != 3 {
				t.Errorf("160 draws reached the ends of episodes %v, want all three", seen)
			}
		})
	}
}

// wide returns the transition of step s of episode e, of an episode of n steps, with 3-d
// observations and 2-d actions whose every component tells it apart.
func wide(e, s, n int) Transition {
	f, g := float64(e), float64(s)
	return Transition{Obs: []float64{f, g, 10 + g}, Action: []float64{g, -g - 0.5},
		Next: []float64{f, g + 1, 11 + g}, Reward: 100*f + g, Terminated: s == n-1}
}

// fillWide adds wide's episodes of the given lengths to r.
func fillWide(t *testing.T, r *Replay, lengths []int) {
	t.Helper()
	for e, n := range lengths {
		for s := range n {
			if err := r.Add(wide(e, s, n)); err != nil {
				t.Fatal(err)
			}
		}
		r.EndEpisode()
	}
}

// checkWide fails unless sequence q of b is steps from of episode e of wide's data.
func checkWide(t *testing.T, b *worldmodel.Batch, q, e, from, n int) {
	t.Helper()
	for k := range b.L {
		w := wide(e, from+k, n)
		obs, act := b.ObsAt(q, k), b.ActionAt(q, k)
		for i := range w.Obs {
			if float64(obs[i]) != w.Obs[i] {
				t.Fatalf("sequence %d step %d: observation %v, want %v", q, k, obs, w.Obs)
			}
		}
		if float64(act[0]) != w.Action[0] || float64(act[1]) != w.Action[1] {
			t.Fatalf("sequence %d step %d: action %v, want %v", q, k, act, w.Action)
		}
		if r, term := b.Reward[q*b.L+k], b.Terminated[q*b.L+k]; float64(r) != w.Reward || term != w.Terminated {
			t.Fatalf("sequence %d step %d: reward %v terminated %v, want %v %v", q, k, r, term, w.Reward, w.Terminated)
		}
		if k == b.L-1 {
			if next := b.ObsAt(q, b.L); float64(next[1]) != w.Next[1] || float64(next[2]) != w.Next[2] {
				t.Fatalf("sequence %d: last next observation %v, want %v", q, next, w.Next)
			}
		}
	}
}

// TestReplayWideTransitions checks every field of sampled sequences and terminal
// transitions with observations and actions of more than one component, in a buffer that
// has wrapped and in one that has not, before and after a round trip through its binary
// state, and that an overwritten terminal transition leaves the terminal set.
func TestReplayWideTransitions(t *testing.T) {
	lengths := []int{4, 3} // 7 transitions: in 5 slots, episode 0's steps 2 and 3 and all of episode 1
	for _, capacity := range []int{5, 20} {
		r, err := NewReplay(capacity, 3, 2)
		if err != nil {
			t.Fatal(err)
		}
		fillWide(t, r, lengths)
		state, _ := r.MarshalBinary()
		restored, _ := NewReplay(capacity, 3, 2)
		if err := restored.UnmarshalBinary(state); err != nil {
			t.Fatal(err)
		}
		for _, buf := range []*Replay{r, restored} {
			checkWideSamples(t, buf, lengths)
		}
	}
	r, _ := NewReplay(5, 3, 2)
	fillWide(t, r, lengths)
	// Two more transitions overwrite episode 0's last two steps, its terminal one last.
	for s := range 2 {
		if err := r.Add(wide(2, s, 5)); err != nil {
			t.Fatal(err)
		}
		if want := 2 - s; r.Ends() != want {
			t.Errorf("after overwriting episode 0's step %d: %d terminal transitions, want %d", 2+s, r.Ends(), want)
		}
	}
}

// checkWideSamples checks sequences of 2 and terminal transitions sampled from a buffer of
// wide's data for episodes of the given lengths, and that both terminal ones are held.
func checkWideSamples(t *testing.T, r *Replay, lengths []int) {
	t.Helper()
	var b worldmodel.Batch
	if err := r.SampleSequences(rand.New(rand.NewPCG(1, 2)), 40, 2, &b); err != nil {
		t.Fatal(err)
	}
	for q := range b.B {
		e, from := int(b.ObsAt(q, 0)[0]), int(b.ObsAt(q, 0)[1])
		checkWide(t, &b, q, e, from, lengths[e])
	}
	if err := r.SampleEnds(rand.New(rand.NewPCG(1, 2)), 20, &b); err != nil {
		t.Fatal(err)
	}
	for q := range b.B {
		e := int(b.ObsAt(q, 0)[0])
		checkWide(t, &b, q, e, lengths[e]-1, lengths[e])
	}
	if r.Ends() != 2 {
		t.Errorf("the buffer of %d holds %d terminal transitions, want 2", r.Cap(), r.Ends())
	}
}

// TestReplayEdges checks the smallest valid calls and the state checks at their edges: a
// buffer of one transition, one sequence of one step, one terminal transition; a state saved
// with its episode still open comes back open; and a value that is not finite is refused in
// the first transition as in the last; a state claiming an open episode that holds no
// transition is refused.
func TestReplayEdges(t *testing.T) {
	r, err := NewReplay(1, 1, 1)
	if err != nil {
		t.Fatalf("NewReplay(1, 1, 1): %v", err)
	}
	if err := r.Add(Transition{Obs: []float64{1}, Action: []float64{2}, Next: []float64{3}, Reward: 4, Terminated: true}); err != nil {
		t.Fatal(err)
	}
	var b worldmodel.Batch
	rng := rand.New(rand.NewPCG(1, 2))
	if err := r.SampleSequences(rng, 1, 1, &b); err != nil || b.Obs[0] != 1 || b.Obs[1] != 3 {
		t.Errorf("one sequence of one step: %v, observations %v, want 1 then 3", err, b.Obs)
	}
	if err := r.SampleEnds(rng, 1, &b); err != nil || b.Reward[0] != 4 {
		t.Errorf("one terminal transition: %v, reward %v, want 4", err, b.Reward)
	}

	// An episode left open: the next transition continues it, in the restored buffer too.
	open, _ := NewReplay(10, 3, 2)
	open.Add(wide(0, 0, 3))
	state, _ := open.MarshalBinary()
	restored, _ := NewReplay(10, 3, 2)
	if err := restored.UnmarshalBinary(state); err != nil {
		t.Fatalf("restoring a buffer with an open episode: %v", err)
	}
	for _, buf := range []*Replay{open, restored} {
		buf.Add(wide(0, 1, 3))
		if err := buf.SampleSequences(rng, 4, 2, &b); err != nil {
			t.Fatalf("the open episode's two steps are not one sequence: %v", err)
		}
	}

	// An open episode must hold the last transition: a state claiming one that holds none
	// would let the next transition join an episode that never was.
	for _, tt := range []struct {
		name     string
		episodes []int // lengths of the closed episodes held
	}{{"empty buffer", nil}, {"after a closed episode", []int{3}}} {
		forged, _ := NewReplay(10, 3, 2)
		fillWide(t, forged, tt.episodes)
		forged.open, forged.episodes = true, forged.episodes+1
		state, _ := forged.MarshalBinary()
		fresh, _ := NewReplay(10, 3, 2)
		want := fmt.Sprintf("open episode %d holds no transition", forged.episodes)
		if err := fresh.UnmarshalBinary(state); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s, an open episode without transitions: error %v, want %q", tt.name, err, want)
		}
	}

	for _, at := range []int{0, 2} {
		bad, _ := NewReplay(10, 3, 2)
		fillWide(t, bad, []int{3})
		bad.obs[3*at] = float32(math.NaN()) // the first value of the transition
		state, _ := bad.MarshalBinary()
		fresh, _ := NewReplay(10, 3, 2)
		if err := fresh.UnmarshalBinary(state); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("transition %d is not finite", at)) {
			t.Errorf("NaN observation in transition %d: error %v, want one naming it", at, err)
		}
	}
}
