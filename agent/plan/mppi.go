package plan

import (
	"fmt"
	"math"
)

// MPPI is the model predictive path integral planner (Williams et al., 2017) in the form
// TD-MPC2 uses: each iteration refits the sampling distribution to the Elites best
// candidates, each weighing exp((R − R_best)/λ) for its return R. TD-MPC2 fixes λ in units
// of return; here λ is Config.Temperature times the spread of the elites' returns, so that
// one temperature suits tasks whose returns differ in scale, and the weighting stays as
// selective when the candidates' returns draw close together. Its methods are those of
// Planner.
type MPPI struct{ *search }

// NewMPPI returns an MPPI planner with configuration c. It returns an error if c is invalid
// or its Temperature is not a positive number.
func NewMPPI(c Config) (*MPPI, error) {
	if !(c.Temperature > 0) || math.IsInf(c.Temperature, 0) {
		return nil, fmt.Errorf("plan: temperature %v: want a positive number", c.Temperature)
	}
	s, err := newSearch(c, func(returns []float64, elites []int, weights []float64) {
		weighExp(c.Temperature, returns, elites, weights)
	})
	if err != nil {
		return nil, err
	}
	return &MPPI{s}, nil
}

// weighExp sets the elites' exponential weights for the relative temperature temp; the
// elites are given best first. Elites that all score the same weigh the same.
func weighExp(temp float64, returns []float64, elites []int, weights []float64) {
	best, worst := returns[elites[0]], returns[elites[len(elites)-1]]
	lambda := temp * (best - worst)
	for e, i := range elites {
		weights[e] = 1
		if lambda > 0 {
			weights[e] = math.Exp((returns[i] - best) / lambda)
		}
	}
}
