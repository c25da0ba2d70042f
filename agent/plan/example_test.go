package plan_test

import (
	"fmt"

	"github.com/foresight-sim/foresight/agent/plan"
)

// closeTo is an Evaluator that scores a sequence by minus its squared distance from a target
// sequence.
type closeTo struct{ target []float64 }

func (c closeTo) Evaluate(seqs []float64, n, _ int, returns []float64) error {
	size := len(seqs) / n
	for i := range n {
		returns[i] = 0
		for k, a := range seqs[i*size : (i+1)*size] {
			returns[i] -= (a - c.target[k]) * (a - c.target[k])
		}
	}
	return nil
}

func ExampleNewMPPI() {
	// Steer two steps of a one-component action towards 0.3 and then 2 (beyond the bound).
	bounds := plan.Bounds{Low: []float64{-1}, High: []float64{1}}
	p, err := plan.NewMPPI(plan.Config{Bounds: bounds, Horizon: 2, Samples: 64, Elites: 8, Iterations: 30,
		Temperature: 0.5, InitStd: 0.5, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	first, err := p.Plan(closeTo{[]float64{0.3, 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("first action %.2f, plan %.2f\n", first, p.Best())
	// Output: first action [0.30], plan [0.30 1.00]
}

func ExampleNew() {
	bounds := plan.Bounds{Low: []float64{-1}, High: []float64{1}}
	p, err := plan.New("cem", plan.Config{Bounds: bounds, Horizon: 3, Samples: 32, Elites: 4, Iterations: 20,
		InitStd: 0.5, Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	for step := range 3 {
		// A target that moves each step: the warm start carries the rest of the plan over.
		target := 0.1 + 0.2*float64(step)
		a, err := p.Plan(closeTo{[]float64{target, target + 0.2, target + 0.4}})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("step %d: action %.2f\n", step, a)
	}
	// Output:
	// step 0: action [0.10]
	// step 1: action [0.30]
	// step 2: action [0.50]
}
