package agent

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/slowtest"
	"github.com/foresight-sim/foresight/worldmodel"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// transitionLog is a Learner that keeps copies of the transitions it is handed and learns
// nothing: playing an episode with it as the learner records another agent's transitions.
type transitionLog struct {
	recorder
	got []Transition
}

func (l *transitionLog) Observe(t Transition) error {
	l.got = append(l.got, Transition{Obs: slices.Clone(t.Obs), Action: slices.Clone(t.Action), Next: slices.Clone(t.Next)})
	return nil
}

// playLogged plays one episode of ag on env from seed and returns its return and transitions.
func playLogged(t *testing.T, env envs.Env, ag Agent, seed uint64) (float64, []Transition) {
	t.Helper()
	log := &transitionLog{}
	res, err := play(env, ag, seed, math.Inf(1), log)
	if err != nil {
		t.Fatal(err)
	}
	return res.Return, log.got
}

// row returns v as a one-row matrix of float32.
func row(v []float64) nn.Matrix[float32] {
	m := nn.NewMatrix[float32](1, len(v))
	for j, x := range v {
		m.Data[j] = float32(x)
	}
	return m
}

// predictionErrors returns the squared error of m's predictions 1 to h steps after each
// transition of the episodes that has h−1 after it, rolled out from the encoding of its
// observation with the actions taken, as a fraction of the error of copying that encoding
// instead: one step ahead, and summed over the h steps. Latents are compared as they are, or
// as the observations Readout makes of them when readout is set.
func predictionErrors(t *testing.T, m worldmodel.Model, episodes [][]Transition, h int, readout bool) (one, all float64) {
	t.Helper()
	view := func(z nn.Matrix[float32]) []float32 {
		if readout {
			z = m.Readout(z)
		}
		return slices.Clone(z.Data)
	}
	var model, copyLast [2]float64 // one step ahead, and over h steps
	for _, episode := range episodes {
		for i := range len(episode) - h + 1 {
			z := m.Encode(row(episode[i].Obs))
			last := view(z)
			z = nn.MatrixOf(1, z.Cols, slices.Clone(z.Data))
			for k, tr := range episode[i : i+h] {
				next, _ := m.Predict(z, row(tr.Action))
				copy(z.Data, next.Data)
				got, want := view(z), view(m.Encode(row(tr.Next)))
				for j := range want {
					e, c := float64(got[j]-want[j]), float64(last[j]-want[j])
					model[1], copyLast[1] = model[1]+e*e, copyLast[1]+c*c
					if k == 0 {
						model[0], copyLast[0] = model[0]+e*e, copyLast[0]+c*c
					}
				}
			}
		}
	}
	return model[0] / copyLast[0], model[1] / copyLast[1]
}

// TestModelBasedLearnsPendulumSlow trains the small jepa and pets agents with Train for 150 s
// (3000 steps) of Pendulum, acting on their own after the 1 s seed phase, with 2 updates per
// step, and checks that they learnt. Their models predict held-out transitions, of their own
// evaluation episodes and of random ones, with under half the squared error of copying the
// last observation one step ahead, and under a quarter summed over the 5 steps of the
// planning horizon, rolled out open loop. PETS is judged on observations, which its Readout
// gives exactly; the JEPA in its latent space, against the encoding of what followed, as
// its loss and the planner see it (its probe's read-out is for display and is judged by
// TestJEPAProbe). In evaluation, on episode seeds 1000 to 1002 (training's come from another
// stream), the trained agent's mean return is more than twice both a random agent's and the
// untrained agent's, which plans with whatever its model says and already beats random.
func TestModelBasedLearnsPendulumSlow(t *testing.T) {
	slowtest.SkipUnderRace(t)
	for _, kind := range []string{"jepa", "pets"} {
		t.Run(kind, func(t *testing.T) {
			env := makeEnv(t, "Pendulum-v0")
			c := mbConfig()
			c.UpdatesPerStep = 2
			a, untrained := newMB(t, env, kind, 1, c), newMB(t, env, kind, 1, c)
			if _, err := Train(env, a, kind, TrainConfig{Seed: 1, Budget: 150 * time.Second}); err != nil {
				t.Fatal(err)
			}
			a.SetEval(true)
			untrained.SetEval(true)
			var own, random [][]Transition // held-out episodes of the trained and a random agent
			var trainedReturn, randomReturn, untrainedReturn float64
			const episodes = 3
			for seed := uint64(1000); seed < 1000+episodes; seed++ {
				ret, ep := playLogged(t, env, a, seed)
				own, trainedReturn = append(own, ep), trainedReturn+ret/episodes
				ret, ep = playLogged(t, env, NewRandom(env.ActionSpace(), seed), seed)
				random, randomReturn = append(random, ep), randomReturn+ret/episodes
				ret, _ = playLogged(t, env, untrained, seed)
				untrainedReturn += ret / episodes
			}
			if trainedReturn <= 2*max(randomReturn, untrainedReturn) {
				t.Errorf("mean evaluation return %.1f, want more than twice %.1f of a random agent and %.1f of the agent untrained", trainedReturn, randomReturn, untrainedReturn)
			}
			for _, held := range []struct {
				name     string
				episodes [][]Transition
			}{{"its own evaluation", own}, {"random", random}} {
				h := c.Plan.Horizon
				one, all := predictionErrors(t, a.Model(), held.episodes, h, kind == "pets")
				if one >= 0.5 || all >= 0.25 {
					t.Errorf("on %s episodes, the model's squared error is %.3f of copying the last observation's one step ahead (want < 0.5) and %.3f over %d steps (want < 0.25)", held.name, one, all, h)
				}
				t.Logf("%s episodes: squared error %.3f of copy-last's one step ahead, %.3f over %d steps", held.name, one, all, h)
			}
			t.Logf("mean evaluation return %.1f; random %.1f; untrained %.1f", trainedReturn, randomReturn, untrainedReturn)
		})
	}
}
