package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/parts"
)

// trainSmall trains a fresh small jepa agent, seeded with 3, on a fresh Pendulum-v0 for
// budget, resuming from ck and saving to it after every episode. It returns the result and
// the agent's state at the end.
func trainSmall(t testing.TB, budget time.Duration, dir string) (TrainResult, []byte) {
	t.Helper()
	env := makeEnv(t, "Pendulum-v0")
	a := newMB(t, env, "jepa", 3, mbConfig())
	ck, err := NewCheckpoint(dir, env, a, "jepa")
	if err != nil {
		t.Fatal(err)
	}
	resume, err := ck.Load()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(env, a, "jepa", TrainConfig{Seed: 3, Budget: budget, Resume: resume, Checkpoint: ck.Save})
	if err != nil {
		t.Fatal(err)
	}
	state, _ := a.MarshalBinary()
	return res, state
}

// TestCheckpointResume checks that a run stopped after its first episode and resumed from
// its checkpoint by a fresh agent ends, bit for bit, as a run that was never stopped: the
// same curve and the same agent state, its model, replay buffer and training draws.
func TestCheckpointResume(t *testing.T) {
	whole, wholeState := trainSmall(t, 12*time.Second, t.TempDir())
	dir := t.TempDir()
	first, _ := trainSmall(t, 10*time.Second, dir)
	if first.Episodes != 1 {
		t.Fatalf("the first part played %d episodes, want 1", first.Episodes)
	}
	resumed, resumedState := trainSmall(t, 12*time.Second, dir)
	if !reflect.DeepEqual(resumed.Curve, whole.Curve) || resumed.Experience != whole.Experience {
		t.Errorf("resumed run: %v s, curve %+v\nwant %v s, %+v", resumed.Experience, resumed.Curve, whole.Experience, whole.Curve)
	}
	if !bytes.Equal(resumedState, wholeState) {
		t.Error("the resumed agent ends in another state than the uninterrupted one")
	}
}

// TestCheckpointLoad checks that Load finds nothing in an empty directory, and refuses,
// with an error naming the problem, a checkpoint of another run or one that is damaged.
func TestCheckpointLoad(t *testing.T) {
	dir := t.TempDir()
	trainSmall(t, 2*time.Second, dir)
	good, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	load := func(id, name string, opts ...envs.Option) (*TrainResult, error) {
		env := makeEnv(t, id, opts...)
		var ag Agent = newMB(t, env, "jepa", 3, mbConfig())
		if name == "random" {
			ag = NewRandom(env.ActionSpace(), 3)
		}
		ck, err := NewCheckpoint(dir, env, ag, name)
		if err != nil {
			t.Fatal(err)
		}
		return ck.Load()
	}
	tests := []struct {
		name, id, agent string
		opts            []envs.Option
		data            []byte
		want            string
	}{
		{"other env", "CartPoleSwingup-v0", "jepa", nil, good, "is of jepa on Pendulum-v0"},
		{"other param", "Pendulum-v0", "jepa", []envs.Option{envs.WithParam("length", 1.5)}, good, "is of jepa on Pendulum-v0"},
		{"other agent", "Pendulum-v0", "pets", nil, good, "is of jepa on Pendulum-v0"},
		{"stateless agent", "Pendulum-v0", "random", nil, replaceName(t, good, "jepa", "random"), "the random agent keeps no state"},
		{"truncated", "Pendulum-v0", "jepa", nil, good[:len(good)/2], "truncated"},
		{"foreign", "Pendulum-v0", "jepa", nil, []byte("hello"), "not a Foresight state"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, CheckpointFile), tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := load(tt.id, tt.agent, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || res != nil {
				t.Errorf("Load: %v, %v; want no result and an error containing %q", res, err, tt.want)
			}
		})
	}
	if err := os.Remove(filepath.Join(dir, CheckpointFile)); err != nil {
		t.Fatal(err)
	}
	if res, err := load("Pendulum-v0", "jepa"); res != nil || err != nil {
		t.Errorf("Load without a checkpoint: %v, %v; want nothing", res, err)
	}
}

// replaceName returns the checkpoint data with the agent's name in its header replaced,
// re-encoded so that it is whole.
func replaceName(t testing.TB, data []byte, from, to string) []byte {
	t.Helper()
	p, err := parts.Decode(checkpointKind, data, 2)
	if err != nil {
		t.Fatal(err)
	}
	return parts.Encode(checkpointKind, bytes.Replace(p[0], []byte(`"agent":"`+from+`"`), []byte(`"agent":"`+to+`"`), 1), p[1])
}

// FuzzCheckpointLoad feeds Load arbitrary files in place of a small jepa agent's checkpoint
// on Pendulum-v0. Load must not panic, and must either refuse the file with no result or
// restore a run that saves and loads again to the same result and agent state.
func FuzzCheckpointLoad(f *testing.F) {
	dir := f.TempDir()
	trainSmall(f, 2*time.Second, dir)
	good, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(replaceName(f, good, "jepa", "pets"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, CheckpointFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		env := makeEnv(t, "Pendulum-v0")
		a := newMB(t, env, "jepa", 3, mbConfig())
		ck, err := NewCheckpoint(dir, env, a, "jepa")
		if err != nil {
			t.Fatal(err)
		}
		res, err := ck.Load()
		if err != nil {
			if res != nil {
				t.Errorf("Load returned a result with its error %v", err)
			}
			return
		}
		if res == nil {
			t.Fatal("Load found no checkpoint in a file that exists")
		}
		state, _ := a.MarshalBinary()
		if err := ck.Save(*res); err != nil {
			t.Fatal(err)
		}
		again, err := ck.Load()
		if err != nil {
			t.Fatalf("a checkpoint Load accepted does not load again once saved: %v", err)
		}
		if after, _ := a.MarshalBinary(); !reflect.DeepEqual(again, res) || !bytes.Equal(after, state) {
			t.Error("saving and loading again changed the run or the agent")
		}
	})
}
