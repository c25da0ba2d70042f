package worldmodel_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/worldmodel"
)

// A JEPA learns a cart on a track from sequences of transitions, and an Imagination over it
// scores candidate action sequences for a planner.
func Example() {
	// The cart's observation is its position and velocity; the action pushes it, and the
	// reward is highest at the origin.
	dims := worldmodel.Dims{Obs: 2, Action: 1}
	model, err := worldmodel.NewJEPA(dims, worldmodel.DefaultJEPAConfig(), 1)
	if err != nil {
		log.Fatal(err)
	}
	d := model.Dims()
	fmt.Printf("%d-d observations, %d-d actions, %d-d latents\n", d.Obs, d.Action, d.Latent)

	// Train on batches of the shape the model asks for, here made up from the cart's
	// dynamics; an agent samples them from its replay buffer.
	n, l := model.SampleShape()
	fmt.Printf("trains on %d sequences of %d transitions\n", n, l)
	rng := rand.New(rand.NewPCG(1, 2))
	var b worldmodel.Batch
	const steps = 5
	for range steps {
		b.Resize(n, l, d.Obs, d.Action)
		for s := range n {
			pos, vel := 2*rng.Float64()-1, 0.0
			for t := range l + 1 {
				obs := b.ObsAt(s, t)
				obs[0], obs[1] = float32(pos), float32(vel)
				if t == l {
					break
				}
				a := 2*rng.Float64() - 1
				b.ActionAt(s, t)[0] = float32(a)
				vel = 0.9*vel + 0.1*a
				pos += 0.1 * vel
				b.Reward[s*l+t] = float32(-pos * pos)
			}
		}
		if _, err := model.Train(&b); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("trained", steps, "steps")

	// Score three candidate sequences of four actions each from the cart at rest at 0.5:
	// push back, do nothing, push on.
	im := worldmodel.NewImagination(model, 0.99)
	if err := im.Observe([]float64{0.5, 0}); err != nil {
		log.Fatal(err)
	}
	const candidates, horizon = 3, 4
	seqs := make([]float64, 0, candidates*horizon*d.Action)
	for _, a := range []float64{-1, 0, 1} {
		for range horizon {
			seqs = append(seqs, a)
		}
	}
	returns := make([]float64, candidates)
	if err := im.Evaluate(seqs, candidates, horizon, returns); err != nil {
		log.Fatal(err)
	}
	finite := true
	for _, r := range returns {
		finite = finite && !math.IsNaN(r) && !math.IsInf(r, 0)
	}
	fmt.Println(len(returns), "imagined returns, all finite:", finite)

	// What the model imagines along the first candidate, read out by its probe.
	imagined, err := im.Imagine(seqs[:horizon], horizon)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("imagined %d observations of %d components\n", len(imagined), len(imagined[0]))
	// Output:
	// 2-d observations, 1-d actions, 64-d latents
	// trains on 128 sequences of 5 transitions
	// trained 5 steps
	// 3 imagined returns, all finite: true
	// imagined 4 observations of 2 components
}
