package envs_test

import (
	"fmt"
	"log"

	"github.com/foresight-sim/foresight/envs"
)

func ExampleMake() {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		log.Fatal(err)
	}
	obs, _ := env.Reset(1)
	fmt.Println("observation:", len(obs), "values")
	_, reward, terminated, truncated, _, err := env.Step([]float64{0})
	if err != nil {
		log.Fatal(err)
	}
	lo, hi := env.Spec().RewardRange[0], env.Spec().RewardRange[1]
	fmt.Println("reward in range:", reward >= lo && reward <= hi)
	fmt.Println("episode over:", terminated || truncated)
	// Output:
	// observation: 3 values
	// reward in range: true
	// episode over: false
}

func ExampleNewVector() {
	// Four pendulums with 5-step episodes, each recording its episode statistics.
	v, err := envs.NewVector(4, func(i int) (envs.Env, error) {
		env, err := envs.Make("Pendulum-v0", envs.WithMaxEpisodeSteps(5))
		if err != nil {
			return nil, err
		}
		return envs.NewRecordEpisodeStatistics(env), nil
	})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	v.Reset(7)
	actions := [][]float64{{-1}, {-0.5}, {0.5}, {1}}
	for range 5 {
		res, err := v.Step(actions)
		if err != nil {
			log.Fatal(err)
		}
		for i, final := range res.FinalObs {
			if final != nil {
				ep := res.Infos[i].Episode
				fmt.Printf("copy %d: %d-step episode ended, truncated %v; Obs[%d] starts the next\n",
					i, ep.Length, res.Truncated[i], i)
			}
		}
	}
	// Output:
	// copy 0: 5-step episode ended, truncated true; Obs[0] starts the next
	// copy 1: 5-step episode ended, truncated true; Obs[1] starts the next
	// copy 2: 5-step episode ended, truncated true; Obs[2] starts the next
	// copy 3: 5-step episode ended, truncated true; Obs[3] starts the next
}

func ExampleNewPixelObservation() {
	env, err := envs.Make("Pendulum-v0")
	if err != nil {
		log.Fatal(err)
	}
	pix, err := envs.NewPixelObservation(env, envs.PixelConfig{Width: 64, Height: 48, Gray: true, Stack: 2})
	if err != nil {
		log.Fatal(err)
	}
	obs, _ := pix.Reset(1)
	fmt.Println(pix.ObservationSpace())
	fmt.Println(len(obs), "values")
	// Output:
	// Box([0, 1], shape 2×48×64×1)
	// 6144 values
}

func ExampleCheck() {
	newEnv := func() (envs.Env, error) {
		env, err := envs.Make("Pendulum-v0")
		if err != nil {
			return nil, err
		}
		return envs.NewActionRepeat(env, 2), nil
	}
	if err := envs.Check(newEnv, envs.CheckSteps(1000)); err != nil {
		fmt.Println("broken:", err)
		return
	}
	fmt.Println("Pendulum-v0 with action repeat keeps the Env contract")
	// Output:
	// Pendulum-v0 with action repeat keeps the Env contract
}
