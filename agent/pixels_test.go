package agent

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/slowtest"
	"github.com/foresight-sim/foresight/worldmodel"
)

// pixelEnv returns Pendulum-v0 observed in images of c.
func pixelEnv(t testing.TB, c envs.PixelConfig) envs.Env {
	t.Helper()
	env, err := envs.NewPixelObservation(makeEnv(t, "Pendulum-v0"), c)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestPixelAgentsFromNew checks that New builds the jepa and recon agents of images with
// the pixel configuration: models told the image layout, a frame replay, and
// PixelModelConfig's settings; and that pets refuses images with a one-line error.
func TestPixelAgentsFromNew(t *testing.T) {
	env := pixelEnv(t, envs.PixelConfig{Width: 64, Height: 64, Stack: 3})
	for _, name := range []string{"jepa", "recon"} {
		ag, err := New(name, env, 1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		a := ag.(*ModelBased)
		want := worldmodel.Pixels{Stack: 3, Height: 64, Width: 64, Channels: 3}
		if got := a.Model().Dims().Pixels; got != want {
			t.Errorf("%s: model of images %+v, want %+v", name, got, want)
		}
		if a.replay.frames == nil || a.replay.frames.Size != 64*64*3 || a.replay.frames.Stack != 3 {
			t.Errorf("%s: the replay buffer does not store frames once", name)
		}
		c, err := ModelConfigFor(name, env.Spec())
		if err != nil {
			t.Fatal(err)
		}
		if want := PixelModelConfig(c, 64*64*3); !reflect.DeepEqual(a.cfg, want) {
			t.Errorf("%s: configuration %+v, want %+v", name, a.cfg, want)
		}
		if a.cfg.UpdatesPerStep != 1 || a.cfg.Critic.Batch != 32 || a.cfg.ReplayCapacity != 76_800 {
			t.Errorf("%s: %d updates per step, critic batches of %d, replay of %d", name, a.cfg.UpdatesPerStep, a.cfg.Critic.Batch, a.cfg.ReplayCapacity)
		}
	}
	if _, err := New("recon", makeEnv(t, "Pendulum-v0"), 1); err != nil {
		t.Errorf("recon of states: %v", err)
	}
	for _, name := range []string{"pets", "oracle"} {
		_, err := New(name, env, 1)
		if err == nil || !strings.Contains(err.Error(), "images") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s of images: %v, want a one-line error about images", name, err)
		}
	}
}

// trainPixels trains a fresh small agent of the given kind, seeded with 3, on Pendulum-v0
// in mbPixels images for budget, resuming from and saving to dir.
func trainPixels(t testing.TB, kind string, budget time.Duration, dir string) (TrainResult, []byte) {
	t.Helper()
	env := pixelEnv(t, mbPixels)
	a := newMB(t, env, kind, 3, mbConfig())
	res := trainResuming(t, env, a, kind, 3, budget, dir)
	state, _ := a.MarshalBinary()
	return res, state
}

// TestPixelCheckpointResumeSlow checks that learning from images is deterministic across a
// checkpoint: a run stopped after its first episode and resumed by a fresh agent ends, bit
// for bit, as one never stopped, frame replay and random shifts included.
func TestPixelCheckpointResumeSlow(t *testing.T) {
	slowtest.SkipUnderRace(t)
	for _, kind := range []string{"jepa", "recon"} {
		t.Run(kind, func(t *testing.T) {
			whole, wholeState := trainPixels(t, kind, 12*time.Second, t.TempDir())
			if whole.Observation != "pixels 24x24 stack 2" {
				t.Errorf("the result records the observation %q", whole.Observation)
			}
			dir := t.TempDir()
			if first, _ := trainPixels(t, kind, 10*time.Second, dir); first.Episodes != 1 {
				t.Fatalf("the first part played %d episodes, want 1", first.Episodes)
			}
			resumed, resumedState := trainPixels(t, kind, 12*time.Second, dir)
			if !reflect.DeepEqual(resumed.Curve, whole.Curve) {
				t.Errorf("resumed curve %+v, want %+v", resumed.Curve, whole.Curve)
			}
			if !bytes.Equal(resumedState, wholeState) {
				t.Error("the resumed agent ends in another state than the uninterrupted one")
			}
		})
	}
}

// TestPixelAgentShows checks what a pixel agent shows a viewer: nothing before its first
// plan, then frames of the image size, values in [0, 1], for the present and every step
// of its plan.
func TestPixelAgentShows(t *testing.T) {
	env := pixelEnv(t, mbPixels)
	a := newMB(t, env, "recon", 1, mbConfig())
	first, _ := env.Reset(1)
	obs := slices.Clone(first) // Step overwrites the environment's own
	if seen, err := a.Perceived(); seen != nil || err != nil {
		t.Fatalf("before any plan: %v, %v", seen, err)
	}
	for range 30 { // through the 1 s seed phase into planning
		_, next, _ := mbStep(t, env, a, obs)
		obs = next
	}
	frame := mbPixels.Width * mbPixels.Height * 3
	seen, err := a.Perceived()
	if err != nil || len(seen) != frame {
		t.Fatalf("Perceived: %d values, %v; want a frame of %d", len(seen), err, frame)
	}
	future, err := a.Imagined()
	if err != nil || len(future) != mbConfig().Plan.Horizon {
		t.Fatalf("Imagined: %d steps, %v", len(future), err)
	}
	for _, f := range append(future, seen) {
		if len(f) != frame || slices.ContainsFunc(f, func(v float64) bool { return !(v >= 0 && v <= 1) }) {
			t.Fatalf("a read-out of %d values, or outside [0, 1]", len(f))
		}
	}
}

// TestPixelCheckpointOfOtherObservationSlow checks that a checkpoint of a run observing one
// kind of image is refused, as a checkpoint of another run, by a run observing another.
func TestPixelCheckpointOfOtherObservationSlow(t *testing.T) {
	slowtest.SkipUnderRace(t)
	dir := t.TempDir()
	trainPixels(t, "jepa", 10*time.Second, dir)
	for _, c := range []envs.PixelConfig{
		{Width: mbPixels.Width, Height: mbPixels.Height, Stack: mbPixels.Stack, Distract: envs.ShapesDistractor},
		{Width: mbPixels.Width, Height: mbPixels.Height, Stack: mbPixels.Stack, Gray: true},
	} {
		env := pixelEnv(t, c)
		ck, err := NewCheckpoint(dir, env, newMB(t, env, "jepa", 3, mbConfig()), "jepa")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ck.Load(); !errors.Is(err, ErrOtherRun) {
			t.Errorf("%s: Load = %v, want ErrOtherRun", c, err)
		}
	}
}
