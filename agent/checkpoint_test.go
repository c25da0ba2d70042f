package agent

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/parts"
)

// trainSmall trains a fresh small jepa agent, seeded with 3 and learning concurrently or
// inline, on a fresh Pendulum-v0 for budget, resuming from ck and saving to it after every
// episode. It returns the result and the agent's state at the end.
func trainSmall(t testing.TB, budget time.Duration, dir string, concurrent bool) (TrainResult, []byte) {
	t.Helper()
	env := makeEnv(t, "Pendulum-v0")
	c := mbConfig()
	c.Concurrent = concurrent
	a := newMB(t, env, "jepa", 3, c)
	res := trainResuming(t, env, a, "jepa", 3, budget, dir)
	state, _ := a.MarshalBinary()
	return res, state
}

// trainResuming trains ag, called name, on env with seed for budget, resuming from the
// checkpoint in dir and saving to it after every episode.
func trainResuming(t testing.TB, env envs.Env, ag Agent, name string, seed uint64, budget time.Duration, dir string) TrainResult {
	t.Helper()
	ck, err := NewCheckpoint(dir, env, ag, name)
	if err != nil {
		t.Fatal(err)
	}
	resume, err := ck.Load()
	if err != nil {
		t.Fatal(err)
	}
	res, err := Train(env, ag, name, TrainConfig{Seed: seed, Budget: budget, Resume: resume, Checkpoint: ck.Save})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCheckpointResume checks, for agents learning inline and concurrently, that a run
// stopped after its first episode and resumed from its checkpoint by a fresh agent ends, bit
// for bit, as a run that was never stopped, and as another run from the same seed: the
// same curve and the same agent state, its model, replay buffer and training draws. The
// two layouts end in different states.
func TestCheckpointResume(t *testing.T) {
	var states [2][]byte
	for i, concurrent := range []bool{false, true} {
		t.Run(layout(concurrent), func(t *testing.T) {
			whole, wholeState := trainSmall(t, 12*time.Second, t.TempDir(), concurrent)
			if again, againState := trainSmall(t, 12*time.Second, t.TempDir(), concurrent); !reflect.DeepEqual(again.Curve, whole.Curve) || !bytes.Equal(againState, wholeState) {
				t.Error("two runs from the same seed differ")
			}
			dir := t.TempDir()
			first, _ := trainSmall(t, 10*time.Second, dir, concurrent)
			if first.Episodes != 1 {
				t.Fatalf("the first part played %d episodes, want 1", first.Episodes)
			}
			resumed, resumedState := trainSmall(t, 12*time.Second, dir, concurrent)
			if !reflect.DeepEqual(resumed.Curve, whole.Curve) || resumed.Experience != whole.Experience || resumed.Concurrent != concurrent {
				t.Errorf("resumed run: %v s, concurrent %v, curve %+v\nwant %v s, %v, %+v", resumed.Experience, resumed.Concurrent, resumed.Curve,
					whole.Experience, concurrent, whole.Curve)
			}
			if !bytes.Equal(resumedState, wholeState) {
				t.Error("the resumed agent ends in another state than the uninterrupted one")
			}
			states[i] = wholeState
		})
	}
	if bytes.Equal(states[0], states[1]) {
		t.Error("learning inline and concurrently end in the same state: the concurrent agent did not lag")
	}
}

// TestCheckpointLoad checks that Load finds nothing in an empty directory, and refuses,
// with an error naming the problem, a checkpoint of another run or one that is damaged.
func TestCheckpointLoad(t *testing.T) {
	dir := t.TempDir()
	trainSmall(t, 2*time.Second, dir, false)
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
		{"truncated", "Pendulum-v0", "jepa", nil, good[:len(good)/2], "is corrupt"},
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

// TestCheckpointLoadTrained checks that LoadTrained restores an agent trained under other
// parameters of the same environment, bit for bit, and reports the parameters it trained
// with, while it still refuses another environment.
func TestCheckpointLoadTrained(t *testing.T) {
	dir := t.TempDir()
	want, state := trainSmall(t, 2*time.Second, dir, false)
	load := func(id string, opts ...envs.Option) (*TrainResult, map[string]float64, *ModelBased, error) {
		env := makeEnv(t, id, opts...)
		a := newMB(t, env, "jepa", 3, mbConfig())
		ck, err := NewCheckpoint(dir, env, a, "jepa")
		if err != nil {
			t.Fatal(err)
		}
		res, params, err := ck.LoadTrained()
		return res, params, a, err
	}
	res, params, a, err := load("Pendulum-v0", envs.WithParam("length", 1.5))
	if err != nil || res == nil || res.Experience != want.Experience || params["length"] != 1 {
		t.Fatalf("LoadTrained under another length: %v, %v, %v; want the run and length 1", res, params, err)
	}
	if got, _ := a.MarshalBinary(); !bytes.Equal(got, state) {
		t.Error("the restored agent's state differs from the trained one's")
	}
	if _, _, _, err := load("CartPoleSwingup-v0"); err == nil || !strings.Contains(err.Error(), "is of jepa on Pendulum-v0") {
		t.Errorf("LoadTrained on another environment: %v", err)
	}
}

// rewrite returns data, a state of the given kind with n parts, with part i replaced by
// what change returns for it, re-encoded whole so that its checksum matches.
func rewrite(t testing.TB, kind string, n, i int, data []byte, change func([]byte) []byte) []byte {
	t.Helper()
	p, err := parts.Decode(kind, data, n)
	if err != nil {
		t.Fatal(err)
	}
	p[i] = change(bytes.Clone(p[i]))
	return parts.Encode(kind, p...)
}

// TestCheckpointRefusesAlteredRuns checks that Load refuses a checkpoint whose checksums
// match but whose values no training run produces, in the run's header and in each part of
// the agent's state, and that flipping a byte anywhere in a checkpoint is caught.
func TestCheckpointRefusesAlteredRuns(t *testing.T) {
	dir := t.TempDir()
	trainSmall(t, 25*time.Second, dir, false)
	path := filepath.Join(dir, CheckpointFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header := func(edit func(h map[string]any)) []byte {
		return rewrite(t, checkpointKind, 3, 0, good, func(b []byte) []byte {
			var h map[string]any
			if err := json.Unmarshal(b, &h); err != nil {
				t.Fatal(err)
			}
			edit(h)
			out, _ := json.Marshal(h)
			return out
		})
	}
	result := func(edit func(r map[string]any)) []byte {
		return header(func(h map[string]any) { edit(h["result"].(map[string]any)) })
	}
	agentPart := func(i int, change func([]byte) []byte) []byte {
		return rewrite(t, checkpointKind, 3, 1, good, func(s []byte) []byte { return rewrite(t, modelBasedKind, 6, i, s, change) })
	}
	replayPart := func(i int, change func([]byte) []byte) []byte {
		return agentPart(4, func(r []byte) []byte { return rewrite(t, replayKind, 7, i, r, change) })
	}
	curvePart := func(change func([]byte) []byte) []byte {
		return rewrite(t, checkpointKind, 3, 2, good, change)
	}
	putU64 := func(off int, v uint64) func([]byte) []byte {
		return func(b []byte) []byte { binary.LittleEndian.PutUint64(b[off:], v); return b }
	}
	putF32 := func(off int, v float32) func([]byte) []byte {
		return func(b []byte) []byte { binary.LittleEndian.PutUint32(b[off:], math.Float32bits(v)); return b }
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"huge negative experience", result(func(r map[string]any) { r["experience_seconds"] = -1e300 }), "experience of -1e+300 s"},
		{"experience beyond the curve", result(func(r map[string]any) { r["experience_seconds"] = 1e6 }), "but the curve ends at"},
		{"negative wall time", result(func(r map[string]any) { r["wall_seconds"] = -3 }), "wall time of -3 s"},
		{"episodes not on the curve", result(func(r map[string]any) { r["episodes"] = 99 }), "99 episodes with"},
		{"competent without a time", result(func(r map[string]any) { r["competent"] = true }), "competent true"},
		{"time to competence not evaluated", result(func(r map[string]any) { r["competent"], r["ttc_seconds"] = true, 10.0 }), "no evaluation on the curve bears out"},
		{"curve in the header", result(func(r map[string]any) { r["curve"] = []any{} }), "bad header"},
		{"curve going back", curvePart(putU64(curvePointSize, math.Float64bits(1))), "curve point 1: experience of 1 s after"},
		{"curve: NaN return", curvePart(putU64(8, math.Float64bits(math.NaN()))), "curve point 0: return of NaN"},
		{"curve: success flag 2", curvePart(func(b []byte) []byte { b[20] = 2; return b }), "success flag 2"},
		{"curve: ragged", curvePart(func(b []byte) []byte { return b[:len(b)-1] }), "not a whole number of points"},
		{"unknown field", header(func(h map[string]any) { h["surprise"] = 1 }), "bad header"},
		{"steps beyond any run", agentPart(0, putU64(0, 1<<63)), "steps"},
		{"more updates than steps allow", agentPart(0, putU64(8, 1<<40)), "updates after"},
		{"pretraining flag 2", agentPart(0, putU64(16, 2)), "pretraining flag 2"},
		{"fewer steps than transitions", agentPart(0, func(b []byte) []byte { return putU64(8, 0)(putU64(0, 300)(b)) }), "500 transitions after 300 steps"},
		{"training draws", agentPart(1, func([]byte) []byte { return []byte("pcg") }), "training draws"},
		{"replay: more transitions than fit", replayPart(0, putU64(16, 1<<62)), "does not fit"},
		{"replay: open flag 7", replayPart(0, putU64(32, 7)), "bad header"},
		{"replay: NaN observation", replayPart(1, putF32(8, float32(math.NaN()))), "the observation of transition 0 is not finite"},
		{"replay: infinite reward", replayPart(4, putF32(4*7, float32(math.Inf(1)))), "the reward of transition 7 is not finite"},
		{"replay: terminal flag 2", replayPart(5, func(b []byte) []byte { b[0] = 2; return b }), "terminal flag 2"},
		{"replay: episode 0", replayPart(6, putU64(0, 0)), "of episode 0"},
		{"scaling: zero deviation", agentPart(2, func(m []byte) []byte {
			return rewrite(t, "jepa", 3, 0, m, func(b []byte) []byte { return putF32(4+4*4, 0)(b) })
		}), "observation scaling of dimension 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			env := makeEnv(t, "Pendulum-v0")
			ck, err := NewCheckpoint(dir, env, newMB(t, env, "jepa", 3, mbConfig()), "jepa")
			if err != nil {
				t.Fatal(err)
			}
			res, err := ck.Load()
			if err == nil || res != nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load: %v, %v; want no result and an error containing %q", res, err, tt.want)
			}
			t.Log(err)
		})
	}
	t.Run("every byte", func(t *testing.T) {
		env := makeEnv(t, "Pendulum-v0")
		a := newMB(t, env, "jepa", 3, mbConfig())
		ck, err := NewCheckpoint(dir, env, a, "jepa")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(good); i += 1 + len(good)/500 {
			bad := bytes.Clone(good)
			bad[i] ^= 0x20
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if res, err := ck.Load(); err == nil || res != nil {
				t.Fatalf("flipping byte %d of %d: accepted", i, len(good))
			}
		}
	})
}

// replaceName returns the checkpoint data with the agent's name in its header replaced,
// re-encoded so that it is whole.
func replaceName(t testing.TB, data []byte, from, to string) []byte {
	t.Helper()
	p, err := parts.Decode(checkpointKind, data, 3)
	if err != nil {
		t.Fatal(err)
	}
	return parts.Encode(checkpointKind, bytes.Replace(p[0], []byte(`"agent":"`+from+`"`), []byte(`"agent":"`+to+`"`), 1), p[1], p[2])
}

// FuzzCheckpointLoad feeds Load checkpoints of a small jepa agent on Pendulum-v0 made of
// arbitrary parts (the run's header, the agent's state and the learning curve) behind a matching checksum, so
// that the fuzzer reaches the checks behind it. Load must not panic, and must either refuse
// the file with no result or restore a run that saves and loads again to the same result
// and agent state. The seeds are the parts of a real checkpoint.
func FuzzCheckpointLoad(f *testing.F) {
	dir := f.TempDir()
	trainSmall(f, 2*time.Second, dir, false)
	good, err := os.ReadFile(filepath.Join(dir, CheckpointFile))
	if err != nil {
		f.Fatal(err)
	}
	p, err := parts.Decode(checkpointKind, good, 3)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p[0], p[1], p[2])
	f.Add(p[0][:len(p[0])/2], p[1][:len(p[1])/2], p[2][:len(p[2])/2])
	f.Add([]byte(`{"env":"Pendulum-v0","params":{},"agent":"jepa","result":{"experience_seconds":-1e300}}`), p[1], p[2])
	f.Add([]byte{}, []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, head, state, curve []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, CheckpointFile), parts.Encode(checkpointKind, head, state, curve), 0o644); err != nil {
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
		saved, _ := a.MarshalBinary()
		if err := ck.Save(*res); err != nil {
			t.Fatal(err)
		}
		again, err := ck.Load()
		if err != nil {
			t.Fatalf("a checkpoint Load accepted does not load again once saved: %v", err)
		}
		if after, _ := a.MarshalBinary(); !reflect.DeepEqual(again, res) || !bytes.Equal(after, saved) {
			t.Error("saving and loading again changed the run or the agent")
		}
	})
}

// FuzzModelBasedState feeds a small jepa agent's UnmarshalBinary states made of arbitrary
// parts behind a matching checksum. It must not panic, and a state it accepts must be what
// the agent then marshals. The seeds are the parts of a real state.
func FuzzModelBasedState(f *testing.F) {
	_, state := trainSmall(f, 3*time.Second, f.TempDir(), false)
	p, err := parts.Decode(modelBasedKind, state, 6)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p[0], p[1], p[2], p[3], p[4], p[5])
	f.Fuzz(func(t *testing.T, counts, src, model, critic, replay, ends []byte) {
		data := parts.Encode(modelBasedKind, counts, src, model, critic, replay, ends)
		env := makeEnv(t, "Pendulum-v0")
		a := newMB(t, env, "jepa", 3, mbConfig())
		if err := a.UnmarshalBinary(data); err != nil {
			return
		}
		if again, _ := a.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
	})
}

// FuzzReplayState feeds Replay.UnmarshalBinary states made of arbitrary parts behind a
// matching checksum. It must not panic, and a state it accepts must be what the buffer then
// marshals. The seeds are the parts of real states.
func FuzzReplayState(f *testing.F) {
	r, err := NewReplay(8, 2, 1)
	if err != nil {
		f.Fatal(err)
	}
	add := func(i int, term bool) {
		x := float64(i)
		r.Add(Transition{Obs: []float64{x, -x}, Action: []float64{x / 10}, Next: []float64{x + 1, -x - 1}, Reward: x, Terminated: term})
	}
	seed := func() {
		state, _ := r.MarshalBinary()
		p, err := parts.Decode(replayKind, state, 7)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p[0], p[1], p[2], p[3], p[4], p[5], p[6])
	}
	seed()
	for i := range 5 {
		add(i, i == 4)
	}
	r.EndEpisode()
	seed()
	for i := range 6 {
		add(10+i, false)
	}
	seed()
	f.Fuzz(func(t *testing.T, head, obs, next, act, rew, term, episode []byte) {
		data := parts.Encode(replayKind, head, obs, next, act, rew, term, episode)
		r, err := NewReplay(8, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.UnmarshalBinary(data); err != nil {
			return
		}
		if again, _ := r.MarshalBinary(); !bytes.Equal(again, data) {
			t.Error("an accepted state marshals differently")
		}
	})
}
