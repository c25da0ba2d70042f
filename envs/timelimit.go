package envs

// TimeLimit ends episodes after a fixed number of steps by reporting truncated, as
// Gymnasium's TimeLimit wrapper does. Make applies it with each environment's default limit.
type TimeLimit struct {
	Env
	max   int
	steps int
}

// NewTimeLimit wraps env so that episodes are truncated after max steps. It panics if max is
// not positive.
func NewTimeLimit(env Env, max int) *TimeLimit {
	if max <= 0 {
		panic("envs: NewTimeLimit: max steps must be positive")
	}
	return &TimeLimit{Env: env, max: max}
}

// Spec returns the wrapped spec with MaxEpisodeSteps set to the limit.
func (t *TimeLimit) Spec() Spec {
	s := t.Env.Spec()
	s.MaxEpisodeSteps = t.max
	return s
}

// Reset starts an episode and restarts the step count.
func (t *TimeLimit) Reset(seed uint64) ([]float64, Info) {
	t.steps = 0
	return t.Env.Reset(seed)
}

// Step steps the wrapped environment and reports truncated once the limit is reached.
// Stepping past the limit returns ErrEpisodeOver.
func (t *TimeLimit) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	if t.steps >= t.max {
		return nil, 0, false, false, Info{}, ErrEpisodeOver
	}
	obs, r, term, trunc, info, err := t.Env.Step(a)
	if err != nil {
		return obs, r, term, trunc, info, err
	}
	t.steps++
	return obs, r, term, trunc || t.steps >= t.max, info, nil
}

// Snapshot saves the wrapped state and the step count.
func (t *TimeLimit) Snapshot(dst *Snapshot) {
	t.Env.Snapshot(dst)
	dst.pushVars(float64(t.steps))
}

// Restore restores the wrapped state and the step count.
func (t *TimeLimit) Restore(s *Snapshot) error {
	inner, v, err := s.popVars(1)
	if err != nil {
		return err
	}
	if err := t.Env.Restore(inner); err != nil {
		return err
	}
	t.steps = int(v[0])
	return nil
}

// Unwrap returns the wrapped environment.
func (t *TimeLimit) Unwrap() Env { return t.Env }
