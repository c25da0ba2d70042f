package envs

import (
	"fmt"
	"math"
	"slices"
)

// ActionRepeat applies each action for k consecutive steps of the wrapped environment (frame
// skipping), summing the rewards. It stops early, within one of its steps, when the wrapped
// episode ends, so the last step of an episode may cover fewer than k wrapped steps.
//
// Timing changes accordingly: Spec().ControlDT and Spec().Substeps are k times the wrapped
// ones, MaxEpisodeSteps is the wrapped limit divided by k and rounded up, and RewardRange is
// widened to hold the sum of one to k rewards. Info comes from the last wrapped step, with
// Steps counted in this wrapper's steps; Time stays the simulated time since Reset.
//
// ActionRepeat keeps no state of its own, so its snapshots are the wrapped environment's.
// Apply RecordEpisodeStatistics outside ActionRepeat so that episode lengths count agent
// steps.
type ActionRepeat struct {
	Env
	k int
}

// NewActionRepeat returns env wrapped so that every action is repeated k times. It panics
// if k < 1.
func NewActionRepeat(env Env, k int) *ActionRepeat {
	if k < 1 {
		panic(fmt.Sprintf("envs: NewActionRepeat: k = %d, want at least 1", k))
	}
	return &ActionRepeat{Env: env, k: k}
}

// Spec returns the wrapped spec with its timing, time limit and reward range scaled by k.
func (r *ActionRepeat) Spec() Spec {
	s := r.Env.Spec()
	k := float64(r.k)
	s.ControlDT *= k
	s.Substeps *= r.k
	s.MaxEpisodeSteps = ceilDiv(s.MaxEpisodeSteps, r.k)
	lo, hi := s.RewardRange[0], s.RewardRange[1]
	s.RewardRange = [2]float64{math.Min(lo, k*lo), math.Max(hi, k*hi)}
	return s
}

// Step applies a for up to k wrapped steps and returns the last observation, the summed
// reward and the last flags and info. It returns the wrapped environment's error, having
// stepped nothing, for a rejected action or a finished episode.
func (r *ActionRepeat) Step(a []float64) (obs []float64, sum float64, term, trunc bool, info Info, err error) {
	for range r.k {
		var rew float64
		obs, rew, term, trunc, info, err = r.Env.Step(a)
		if err != nil {
			return nil, 0, false, false, Info{}, err
		}
		sum += rew
		if term || trunc {
			break
		}
	}
	info.Steps = ceilDiv(info.Steps, r.k)
	return obs, sum, term, trunc, info, nil
}

// ceilDiv returns a/b rounded up, for non-negative a and positive b.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// RescaleAction lets the agent act in a box of its choosing, such as [-1, 1] in every
// component, mapped affinely onto the wrapped environment's action space: low goes to the
// wrapped lower bounds and high to the upper ones. Actions outside [low, high] map outside
// the wrapped space, which clips them.
type RescaleAction struct {
	Env
	space        Box
	scale, shift []float64 // wrapped action = scale·a + shift
	buf          []float64
}

// NewRescaleAction returns env wrapped to take actions in the box [low, high]. It returns an
// error if low and high do not match the wrapped action space's dimension, are not finite,
// or have low ≥ high in some component, or if the wrapped action space has an infinite
// bound, or if either box is so wide (such as ±1e308) that its width overflows.
func NewRescaleAction(env Env, low, high []float64) (*RescaleAction, error) {
	inner := env.ActionSpace()
	if len(low) != inner.Dim() || len(high) != inner.Dim() {
		return nil, fmt.Errorf("envs: RescaleAction: %d lower and %d upper bounds for a %d-dimensional action space", len(low), len(high), inner.Dim())
	}
	r := &RescaleAction{Env: env, scale: make([]float64, len(low)), shift: make([]float64, len(low)), buf: make([]float64, len(low))}
	for i := range low {
		if !isFinite(low[i]) || !isFinite(high[i]) || !(low[i] < high[i]) {
			return nil, fmt.Errorf("envs: RescaleAction: bounds [%v, %v] of component %d: want finite low < high", low[i], high[i], i)
		}
		if !isFinite(inner.Low[i]) || !isFinite(inner.High[i]) {
			return nil, fmt.Errorf("envs: RescaleAction: wrapped action space %v has an infinite bound in component %d", inner, i)
		}
		if !isFinite(high[i]-low[i]) || !isFinite(inner.High[i]-inner.Low[i]) {
			return nil, fmt.Errorf("envs: RescaleAction: bounds [%v, %v] of component %d, onto [%v, %v]: too far apart for their width to be a float64",
				low[i], high[i], i, inner.Low[i], inner.High[i])
		}
		r.scale[i] = (inner.High[i] - inner.Low[i]) / (high[i] - low[i])
		r.shift[i] = inner.Low[i] - r.scale[i]*low[i]
	}
	r.space = NewBox(slices.Clone(low), slices.Clone(high))
	r.space.Shape = slices.Clone(inner.Shape)
	return r, nil
}

// ActionSpace returns the box [low, high] the wrapper was made with.
func (r *RescaleAction) ActionSpace() Box { return r.space }

// Step maps a onto the wrapped action space and steps the wrapped environment. It returns an
// error, stepping nothing, if a has the wrong length or a non-finite component.
func (r *RescaleAction) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := checkAction(r.space, a); err != nil {
		return nil, 0, false, false, Info{}, err
	}
	for i, v := range a {
		r.buf[i] = r.scale[i]*v + r.shift[i]
	}
	return r.Env.Step(r.buf)
}

// ClipAction clips actions to the wrapped action space before passing them on, and reports
// an unbounded action space of the same shape, so that any finite action is valid. The
// built-in environments clip already; this wrapper serves environments that do not, and
// agents that want to see an unbounded space.
type ClipAction struct {
	Env
	inner, space Box
	buf          []float64
}

// NewClipAction returns env wrapped so that its actions are clipped to its action space.
func NewClipAction(env Env) *ClipAction {
	inner := env.ActionSpace()
	return &ClipAction{Env: env, inner: inner, buf: make([]float64, inner.Dim()),
		space: UniformBox(math.Inf(-1), math.Inf(1), inner.Shape...)}
}

// ActionSpace returns an unbounded box shaped like the wrapped action space.
func (c *ClipAction) ActionSpace() Box { return c.space }

// Step clips a to the wrapped action space and steps the wrapped environment. It returns an
// error, stepping nothing, if a has the wrong length or a non-finite component.
func (c *ClipAction) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	if err := checkAction(c.space, a); err != nil {
		return nil, 0, false, false, Info{}, err
	}
	return c.Env.Step(c.inner.Clip(c.buf, a))
}

// RecordEpisodeStatistics adds a summary of each episode to the Info of the step that ends
// it: Info.Episode gets Done = true, the undiscounted Return, the Length in steps, the
// simulated Seconds (Info.Time at that step) and the Success verdict. At other steps
// Info.Episode is left as the wrapped environment reports it.
type RecordEpisodeStatistics struct {
	Env
	ret    float64
	length int
}

// NewRecordEpisodeStatistics returns env wrapped to report episode statistics.
func NewRecordEpisodeStatistics(env Env) *RecordEpisodeStatistics {
	return &RecordEpisodeStatistics{Env: env}
}

// Reset starts an episode and restarts the statistics.
func (r *RecordEpisodeStatistics) Reset(seed uint64) ([]float64, Info) {
	r.ret, r.length = 0, 0
	return r.Env.Reset(seed)
}

// Step steps the wrapped environment and, when the episode ends, fills info.Episode. A
// rejected step returns the wrapped error and is not counted.
func (r *RecordEpisodeStatistics) Step(a []float64) ([]float64, float64, bool, bool, Info, error) {
	obs, rew, term, trunc, info, err := r.Env.Step(a)
	if err != nil {
		return obs, rew, term, trunc, info, err
	}
	r.ret += rew
	r.length++
	if term || trunc {
		info.Episode = EpisodeStats{Done: true, Return: r.ret, Length: r.length, Seconds: info.Time, Success: info.Success}
	}
	return obs, rew, term, trunc, info, nil
}

// Snapshot saves the wrapped state and the episode's running statistics.
func (r *RecordEpisodeStatistics) Snapshot(dst *Snapshot) {
	r.Env.Snapshot(dst)
	dst.pushVars(r.ret, float64(r.length))
}

// Restore restores the wrapped state and the episode's running statistics.
func (r *RecordEpisodeStatistics) Restore(s *Snapshot) error {
	inner, v, err := s.popVars(2)
	if err != nil {
		return err
	}
	if err := r.Env.Restore(inner); err != nil {
		return err
	}
	r.ret, r.length = v[0], int(v[1])
	return nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Unwrap returns the wrapped environment.
func (r *ActionRepeat) Unwrap() Env { return r.Env }

// Unwrap returns the wrapped environment.
func (r *RescaleAction) Unwrap() Env { return r.Env }

// Unwrap returns the wrapped environment.
func (c *ClipAction) Unwrap() Env { return c.Env }

// Unwrap returns the wrapped environment.
func (r *RecordEpisodeStatistics) Unwrap() Env { return r.Env }
