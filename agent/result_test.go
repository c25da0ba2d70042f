package agent

import (
	"fmt"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/envs"
)

// TestCheckAcceptsRealRuns checks that what training produces passes TrainResult.Check:
// evaluations that pass and fail, competence, training on after it (--keep-going), a last
// episode cut at the budget, and every checkpoint of each run, saved, loaded and resumed.
func TestCheckAcceptsRealRuns(t *testing.T) {
	evals := [][]float64{{1}, {-1, 1, 1, 1, 1}, {-1}, {1, 1, 1, -1, -1}, {1, -1, 1, -1, 1, 1, 1, 1, 1, 1, 1}}
	budgets := []time.Duration{3 * time.Second, 3300 * time.Millisecond, 17*time.Second + 700*time.Millisecond}
	for _, actions := range evals {
		for _, keepGoing := range []bool{false, true} {
			for _, budget := range budgets {
				t.Run(fmt.Sprint(actions, keepGoing, budget), func(t *testing.T) {
					ag := &tosser{recorder: recorder{Agent: NewZero(envs.UniformBox(-1, 1, 1))}, evalActions: actions}
					ck, err := NewCheckpoint(t.TempDir(), &coinEnv{}, ag, "tosser")
					if err != nil {
						t.Fatal(err)
					}
					saves := 0
					save := func(r TrainResult) error {
						saves++
						if err := ck.Save(r); err != nil {
							return err
						}
						got, err := ck.Load()
						if err != nil {
							return fmt.Errorf("checkpoint %d: %w", saves, err)
						}
						_, err = NewTrainer(&coinEnv{}, ag, "tosser", TrainConfig{Seed: 1, Budget: budget, Resume: got})
						return err
					}
					res, err := Train(&coinEnv{}, ag, "tosser", TrainConfig{Seed: 1, Budget: budget, StopWhenCompetent: !keepGoing, Checkpoint: save})
					if err != nil {
						t.Fatal(err)
					}
					if err := res.Check(DefaultCompetence); err != nil || saves == 0 {
						t.Errorf("the final result fails its check (%v) or no checkpoint was saved (%d)", err, saves)
					}
				})
			}
		}
	}
}
