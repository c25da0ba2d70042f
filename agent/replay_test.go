package agent

import (
	"errors"
	"math/rand/v2"
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

func TestReplaySequencesStayInOneEpisode(t *testing.T) {
	r, err := NewReplay(50, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	fillEpisodes(t, r, 7, 3, 12, 40, 5) // 67 transitions: the first 17 are overwritten
	if r.Len() != 50 {
		t.Fatalf("Len %d, want 50", r.Len())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var b worldmodel.Batch
	for range 200 {
		if err := r.SampleSequences(rng, 8, 4, &b); err != nil {
			t.Fatal(err)
		}
		for s := range b.B {
			obs := b.Obs[s*(b.L+1)*2 : (s+1)*(b.L+1)*2]
			for k := range b.L + 1 {
				ep, step := obs[2*k], obs[2*k+1]
				if ep != obs[0] || step != obs[1]+float32(k) {
					t.Fatalf("sequence %v crosses episodes or skips steps", obs)
				}
				if k < b.L && (b.Action[s*b.L+k] != step || b.Reward[s*b.L+k] != step) {
					t.Fatalf("action/reward out of step with observation %v", obs)
				}
			}
			if ep := obs[0]; ep < 2 {
				t.Fatalf("sampled episode %v, which was overwritten", ep)
			}
		}
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
