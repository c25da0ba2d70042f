package agent

import (
	"fmt"
	"math"
)

// Check returns an error describing the first thing in r that no training run produces:
// counts that are negative or disagree with the curve, times that are not finite, a curve
// whose episodes are out of order or whose experience decreases, or a competence verdict
// that the curve does not bear out. With a rule (not the zero value), the evaluations on
// the curve must fit it too. NewTrainer checks a run to resume with it, and Checkpoint.Load
// a run it reads.
func (r *TrainResult) Check(rule Competence) error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case r.Episodes < 0 || r.Episodes != len(r.Curve):
		return fmt.Errorf("%d episodes with %d points on the curve", r.Episodes, len(r.Curve))
	case !finite(r.Experience) || r.Experience < 0:
		return fmt.Errorf("experience of %v s", r.Experience)
	case !finite(r.Wall) || r.Wall < 0:
		return fmt.Errorf("wall time of %v s", r.Wall)
	case r.Competent != (r.TTC != nil):
		return fmt.Errorf("competent %v with a time to competence of %v", r.Competent, r.TTC)
	}
	last, ttcAt := 0.0, -1
	for i, p := range r.Curve {
		if err := p.check(i, last, rule); err != nil {
			return fmt.Errorf("curve point %d: %w", i, err)
		}
		last = p.Experience
		switch {
		case r.TTC != nil && ttcAt < 0 && p.Evaluated >= max(rule.Needed, 1) && p.Experience == *r.TTC:
			ttcAt = i
		case ttcAt >= 0 && p.Evaluated >= 0:
			return fmt.Errorf("curve point %d: evaluated after competence", i)
		case rule.Needed > 0 && ttcAt < 0 && p.Evaluated >= rule.Needed:
			return fmt.Errorf("curve point %d passed its evaluation, but competence is not there", i)
		}
	}
	if last != r.Experience {
		return fmt.Errorf("experience of %v s, but the curve ends at %v s", r.Experience, last)
	}
	if r.TTC != nil && ttcAt < 0 {
		return fmt.Errorf("time to competence of %v s, which no evaluation on the curve bears out", *r.TTC)
	}
	return nil
}

// check returns an error describing what is impossible about p as the i-th point of a
// curve whose previous point ended at last seconds of experience.
func (p EpisodePoint) check(i int, last float64, rule Competence) error {
	switch {
	case p.Episode != i:
		return fmt.Errorf("numbered %d", p.Episode)
	case math.IsNaN(p.Experience) || math.IsInf(p.Experience, 0) || p.Experience < last:
		return fmt.Errorf("experience of %v s after %v s", p.Experience, last)
	case math.IsNaN(p.Return) || math.IsInf(p.Return, 0):
		return fmt.Errorf("return of %v", p.Return)
	case p.Length < 0:
		return fmt.Errorf("length of %d steps", p.Length)
	case p.Evaluated < -1 || (p.Evaluated >= 0 && !p.Success) || (rule.Trials > 0 && p.Evaluated > rule.Trials):
		return fmt.Errorf("%d evaluation successes after a training episode whose success was %v", p.Evaluated, p.Success)
	}
	return nil
}
