package agent

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
)

// BenchmarkModelBasedAct measures the planning latency per action of the jepa, hjepa and pets
// agents with the configuration each environment gets from ModelConfigFor (untrained: the
// cost does not depend on the weights), from a state a second into an episode. On
// Acrobot-v0, the only environment whose episodes end, the termination model is on, as it
// is from the first success. Run it with -cpu 1: the planner uses one core.
func BenchmarkModelBasedAct(b *testing.B) {
	for _, name := range []string{"jepa", "hjepa", "pets"} {
		for _, id := range envs.IDs() {
			b.Run(name+"/"+id, func(b *testing.B) {
				env := makeEnv(b, id)
				ag, err := New(name, env, 0)
				if err != nil {
					b.Fatal(err)
				}
				learner := ag.(*ModelBased)
				learner.SetEval(true)
				if id == "Acrobot-v0" {
					learner.im.SetTermination(learner.ends)
				}
				obs, _ := env.Reset(0)
				zero := make([]float64, env.ActionSpace().Dim())
				for range 20 {
					obs, _, _, _, _, _ = env.Step(zero)
				}
				for b.Loop() {
					if _, err := learner.Act(obs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkModelBasedUpdate measures one update of the default jepa and pets agents on
// CartPoleSwingup-v0: a model step and a critic step, each on a batch drawn from a replay
// buffer of a minute of random experience.
func BenchmarkModelBasedUpdate(b *testing.B) {
	for _, name := range []string{"jepa", "pets"} {
		b.Run(name, func(b *testing.B) {
			env := makeEnv(b, "CartPoleSwingup-v0")
			ag, err := New(name, env, 0)
			if err != nil {
				b.Fatal(err)
			}
			learner := ag.(*ModelBased)
			learner.seedSteps = math.MaxInt // random actions and no updates while filling the buffer
			if _, err := Train(env, learner, name, TrainConfig{Budget: 60e9}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := learner.update(1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkModelBasedTrainingStep measures one step of online learning of the default jepa
// and pets agents on CartPoleSwingup-v0 and of jepa on its 64×64 RGB images, learning inline
// and concurrently: planning an action, stepping the environment and learning from the
// transition, as training does after the seed phase (reached before timing). It reports
// how many times real time that is (a step lasts 50 ms of experience). Run it with -cpu 2
// (and nothing else running) to see what the second goroutine buys.
func BenchmarkModelBasedTrainingStep(b *testing.B) {
	for _, tc := range []struct {
		name   string
		pixels bool
	}{{"jepa", false}, {"pets", false}, {"jepa", true}} {
		for _, concurrent := range []bool{false, true} {
			name := tc.name
			if tc.pixels {
				name += "-pixels"
			}
			b.Run(name+"/"+layout(concurrent), func(b *testing.B) {
				env := makeEnv(b, "CartPoleSwingup-v0")
				if tc.pixels {
					env = makePixelEnv(b, "CartPoleSwingup-v0")
				}
				ag, err := New(tc.name, env, 0, Concurrent(concurrent))
				if err != nil {
					b.Fatal(err)
				}
				learner := ag.(*ModelBased)
				if _, err := Train(env, learner, tc.name, TrainConfig{Budget: 6e9}); err != nil { // the seed phase and a second after it
					b.Fatal(err)
				}
				ep := startEpisode(env, learner, 1, learner)
				for b.Loop() {
					if _, err := ep.step(nil); err != nil {
						b.Fatal(err)
					}
					if ep.over(math.Inf(1)) {
						if _, err := ep.finish(); err != nil {
							b.Fatal(err)
						}
						ep = startEpisode(env, learner, 1, learner)
					}
				}
				if err := learner.EndEpisode(); err != nil {
					b.Fatal(err)
				}
				perStep := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(env.Spec().ControlDT/perStep, "x-real-time")
			})
		}
	}
}

// makePixelEnv returns the environment id observed in stacks of three 64×64 RGB frames.
func makePixelEnv(t testing.TB, id string) envs.Env {
	t.Helper()
	env, err := envs.NewPixelObservation(makeEnv(t, id), envs.PixelConfig{Width: 64, Height: 64, Stack: 3})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// BenchmarkPixelModelBased measures, for the jepa and recon agents learning from 64×64 RGB
// images of Pendulum-v0, one update (a model step and a critic step on batches from a
// replay buffer of 30 s of random experience) and one planned action. A step of the
// environment lasts 50 ms of experience: an update and an action in under 100 ms keep
// learning within twice real time.
func BenchmarkPixelModelBased(b *testing.B) {
	for _, name := range []string{"jepa", "recon"} {
		env := makePixelEnv(b, "Pendulum-v0")
		ag, err := New(name, env, 0)
		if err != nil {
			b.Fatal(err)
		}
		learner := ag.(*ModelBased)
		learner.seedSteps = math.MaxInt
		if _, err := Train(env, learner, name, TrainConfig{Budget: 30e9}); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/update", func(b *testing.B) {
			for b.Loop() {
				if _, err := learner.update(1); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/act", func(b *testing.B) {
			learner.SetEval(true)
			obs, _ := env.Reset(0)
			for b.Loop() {
				if _, err := learner.Act(obs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPixelReplayHour fills the replay buffer of a default jepa agent learning from
// 64×64 RGB images of Pendulum-v0 with an hour of experience (72 000 steps of random
// actions, rendered as the agent sees them), then takes ten model updates from it, saves the
// run's checkpoint, and reports the process's peak resident memory (VmHWM, Linux only), the
// Go heap in use and the checkpoint's size.
// The target is 1.5 GB for the whole train process. Run it alone, with
// -benchtime 1x: the peak is the process's.
func BenchmarkPixelReplayHour(b *testing.B) {
	const steps = 72_000
	for b.Loop() {
		env := makePixelEnv(b, "Pendulum-v0")
		ag, err := New("jepa", env, 0)
		if err != nil {
			b.Fatal(err)
		}
		learner := ag.(*ModelBased)
		learner.seedSteps = math.MaxInt // no updates while filling the buffer
		if _, err := Train(env, learner, "jepa", TrainConfig{Budget: steps * 50 * time.Millisecond}); err != nil {
			b.Fatal(err)
		}
		if n := learner.replay.Len(); n != steps {
			b.Fatalf("the buffer holds %d transitions, want %d", n, steps)
		}
		if n, err := learner.update(10); n != 10 || err != nil {
			b.Fatalf("%d updates: %v", n, err)
		}
		cp, err := NewCheckpoint(b.TempDir(), env, learner, "jepa")
		if err != nil {
			b.Fatal(err)
		}
		if err := cp.Save(TrainResult{Env: "Pendulum-v0", Agent: "jepa", Observation: envs.ObservationOf(env)}); err != nil {
			b.Fatal(err)
		}
		if fi, err := os.Stat(cp.Path()); err == nil {
			b.ReportMetric(float64(fi.Size())/1e6, "checkpoint-MB")
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/1e6, "heap-MB")
		if peak, ok := peakRSS(); ok {
			b.ReportMetric(peak/1e6, "peak-RSS-MB")
		}
	}
}

// peakRSS returns the process's peak resident set size in bytes, from /proc/self/status.
func peakRSS() (float64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%g kB", &kb); err == nil {
				return kb * 1024, true
			}
		}
	}
	return 0, false
}
