package plan

// CEM is the cross-entropy method planner: each iteration refits the sampling distribution
// to the mean and standard deviation of the Elites best candidates, all weighing the same.
// Its methods are those of Planner.
type CEM struct{ *search }

// NewCEM returns a CEM planner with configuration c (Temperature is unused). It returns an
// error if c is invalid.
func NewCEM(c Config) (*CEM, error) {
	s, err := newSearch(c, weighEqually)
	if err != nil {
		return nil, err
	}
	return &CEM{s}, nil
}

// weighEqually gives every elite weight 1.
func weighEqually(_ []float64, _ []int, weights []float64) {
	for i := range weights {
		weights[i] = 1
	}
}
