package agent_test

import (
	"fmt"
	"os"
	"time"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
)

// trainWithCheckpoint trains a random agent on Pendulum-v0 for budget, resuming the run kept
// in dir if there is one and saving it there after every episode. It prints the episodes it
// plays.
func trainWithCheckpoint(dir string, budget time.Duration) (agent.TrainResult, error) {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		return agent.TrainResult{}, err
	}
	ag, err := agent.New("random", env, 1)
	if err != nil {
		return agent.TrainResult{}, err
	}
	ck, err := agent.NewCheckpoint(dir, env, ag, "random")
	if err != nil {
		return agent.TrainResult{}, err
	}
	resume, err := ck.Load() // nil the first time
	if err != nil {
		return agent.TrainResult{}, err
	}
	return agent.Train(env, ag, "random", agent.TrainConfig{
		Seed: 1, Budget: budget, Resume: resume, Checkpoint: ck.Save,
		Progress: func(p agent.EpisodePoint) { fmt.Printf("episode %d played\n", p.Episode) },
	})
}

// A run stopped between episodes, here after its budget of one episode, goes on from its
// checkpoint as if it had not stopped. A learning agent's checkpoint holds what it has
// learnt as well.
func ExampleCheckpoint() {
	dir, err := os.MkdirTemp("", "checkpoint")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	for _, budget := range []time.Duration{10 * time.Second, 20 * time.Second} {
		res, err := trainWithCheckpoint(dir, budget)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("run of %.0f s: %d episodes\n", res.Experience, res.Episodes)
	}
	// Output:
	// episode 0 played
	// run of 10 s: 1 episodes
	// episode 1 played
	// run of 20 s: 2 episodes
}
