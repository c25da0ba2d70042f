package plan

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Evaluator predicts how well candidate action sequences would do from the current state.
type Evaluator interface {
	// Evaluate writes into returns[i] the predicted return of sequence i, for i < n. The
	// sequences lie in seqs row-major, n × horizon × d with d = len(seqs)/(n·horizon) action
	// components: component j of step t of sequence i is seqs[(i·horizon+t)·d+j]. The
	// evaluator must not keep seqs or returns. It returns an error if it cannot predict, and
	// then the planner gives up on this step.
	Evaluate(seqs []float64, n, horizon int, returns []float64) error
}

// Proposer is an Evaluator that also proposes candidate sequences of its own, as a learned
// policy rolled out in a model does (the policy prior of TD-MPC2).
type Proposer interface {
	Evaluator
	// Propose writes n sequences, laid out as Evaluate reads them, into seqs, and reports
	// whether it did: false while it has none to propose. It returns an error if it cannot,
	// and then the planner gives up on this step.
	Propose(seqs []float64, n, horizon int) (bool, error)
}

// Planner chooses actions by searching over action sequences scored by an Evaluator.
type Planner interface {
	// Plan searches for the best action sequence from the state ev predicts from and returns
	// its first action, which belongs to the planner and is overwritten by the next call. It
	// returns an error if ev does, or if ev reports a non-finite return; the next call then
	// starts without a warm start.
	Plan(ev Evaluator) ([]float64, error)
	// Best returns the sequence the last Plan chose, horizon × d row-major: the best
	// candidate found or, with Config.ActOnMean, the final mean (the sequence of zero
	// actions before the first Plan). It belongs to the planner.
	Best() []float64
	// Reset forgets the warm start, as at the start of an episode, and restarts the random
	// draws from seed.
	Reset(seed uint64)
	// Considered returns the candidates the last iteration of the last Plan call scored,
	// laid out as Evaluate reads them, and their returns: what the planner weighed before it
	// chose. Both belong to the planner; they are empty before the first Plan.
	Considered() (seqs, returns []float64)
}

// Bounds are the lowest and the highest value of each action component.
type Bounds struct {
	Low, High []float64
}

// Dim returns the number of action components.
func (b Bounds) Dim() int { return len(b.Low) }

// Config holds a planner's hyper-parameters. Standard deviations are fractions of each
// action component's half-range, (high − low)/2, so that they mean the same whatever the
// action bounds.
type Config struct {
	// Bounds are the action bounds; every sample is clipped to them. They must be finite.
	Bounds Bounds
	// Horizon is the number of steps each candidate sequence looks ahead.
	Horizon int
	// Samples is the number of candidate sequences scored per iteration, the three fixed
	// ones (mean, best so far, zero) included; at least 4.
	Samples int
	// Elites is the number of best candidates the sampling distribution is refitted to, at
	// most Samples.
	Elites int
	// Iterations is the number of sample-score-refit rounds per Plan call.
	Iterations int
	// Temperature (MPPI only, positive) sets how sharply MPPI favours better elites, as a
	// fraction of the spread of the elites' returns: an elite whose return is Temperature ×
	// (best − worst elite) below the best one weighs 1/e as much.
	Temperature float64
	// Momentum, in [0, 1), keeps that fraction of the old mean and standard deviation at
	// each refit, smoothing the search.
	Momentum float64
	// InitStd is the standard deviation at the start of each Plan call (positive).
	InitStd float64
	// MinStd, in [0, InitStd], is the floor the standard deviation never shrinks below.
	MinStd float64
	// Correlation, in [0, 1), is the correlation between the noise of consecutive steps of
	// a candidate: each step's noise is Correlation times the previous step's plus fresh
	// noise, scaled to keep unit variance (an AR(1) process). Higher values draw smoother,
	// slower-changing sequences, which explore swings better than white noise, as the
	// coloured noise of iCEM (Pinneri et al., 2020) does.
	Correlation float64
	// Proposals is the number of candidates of every iteration that an Evaluator that is a
	// Proposer proposes, once per Plan call, in place of random draws; other evaluators
	// leave them to random draws. At most Samples − 3.
	Proposals int
	// Seed seeds the planner's random draws until its first Reset.
	Seed uint64
	// ActOnMean makes Plan return the first action of the final sampling mean, the
	// weighted average of the elites, rather than of the best candidate found. With a
	// learned model the best of many candidates is largely the one whose return the model
	// overrates most, and acting on it jitters between extremes; the mean averages those
	// errors out. With the true simulator the best candidate is best.
	ActOnMean bool
}

// fixed is the number of candidates each iteration scores besides random draws: the mean,
// the best sequence so far, and the zero sequence.
const fixed = 3

// planStream selects the planners' PCG stream, so that their draws are independent of an
// environment's or another agent's draws from the same seed.
const planStream = 0xbb67ae8584caa73b

// Validate returns an error describing the first hyper-parameter that is out of range.
func (c Config) Validate() error {
	d := c.Bounds.Dim()
	switch {
	case d == 0 || len(c.Bounds.High) != d:
		return errors.New("plan: the action bounds have no components")
	case c.Horizon < 1:
		return fmt.Errorf("plan: horizon %d: want at least 1 step", c.Horizon)
	case c.Samples <= fixed:
		return fmt.Errorf("plan: %d samples: want at least %d", c.Samples, fixed+1)
	case c.Elites < 1 || c.Elites > c.Samples:
		return fmt.Errorf("plan: %d elites: want 1 to %d (the samples)", c.Elites, c.Samples)
	case c.Iterations < 1:
		return fmt.Errorf("plan: %d iterations: want at least 1", c.Iterations)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("plan: momentum %v: want it in [0, 1)", c.Momentum)
	case !(c.InitStd > 0) || math.IsInf(c.InitStd, 0):
		return fmt.Errorf("plan: initial std %v: want a positive number", c.InitStd)
	case !(c.MinStd >= 0 && c.MinStd <= c.InitStd):
		return fmt.Errorf("plan: min std %v: want it in [0, %v] (the initial std)", c.MinStd, c.InitStd)
	case !(c.Correlation >= 0 && c.Correlation < 1):
		return fmt.Errorf("plan: correlation %v: want it in [0, 1)", c.Correlation)
	case c.Proposals < 0 || c.Proposals > c.Samples-fixed:
		return fmt.Errorf("plan: %d proposals: want 0 to %d (the samples less the %d fixed candidates)", c.Proposals, c.Samples-fixed, fixed)
	}
	for i := range d {
		if math.IsInf(c.Bounds.Low[i], 0) || math.IsInf(c.Bounds.High[i], 0) {
			return fmt.Errorf("plan: action component %d has unbounded range [%v, %v]", i, c.Bounds.Low[i], c.Bounds.High[i])
		}
	}
	return nil
}

// Names returns the names New accepts.
func Names() []string { return []string{"cem", "mppi"} }

// New returns the planner called name ("cem" or "mppi") with the given configuration. It
// returns an error for an unknown name or an invalid configuration.
func New(name string, c Config) (Planner, error) {
	switch name {
	case "cem":
		return NewCEM(c)
	case "mppi":
		return NewMPPI(c)
	}
	return nil, fmt.Errorf("plan: unknown planner %q (known: %s)", name, strings.Join(Names(), ", "))
}

// search is the sampling, scoring, ranking and refitting that CEM and MPPI share. They
// differ only in weigh, which sets the weights of the elites (given best first) from their
// returns.
type search struct {
	c     Config
	d     int // action components
	size  int // horizon × d: the length of one sequence
	half  []float64
	weigh func(returns []float64, elites []int, weights []float64)

	pcg *rand.PCG
	rng *rand.Rand

	mean, std []float64 // the sampling distribution, one entry per step and component
	best      []float64 // the best sequence scored, kept across calls for the warm start
	bestRet   float64
	zero      []float64 // the zero sequence, clipped to the bounds
	warm      bool      // best and mean hold the previous call's plan
	scored    bool      // seqs and returns hold a scored batch

	seqs     []float64 // samples × size
	proposed []float64 // Proposals × size, the proposer's sequences of this Plan call
	nProp    int       // how many of them there are: 0 without a proposer's
	returns  []float64
	order    []int // candidates by return, best first
	weights  []float64
	noise    []float64          // the previous step's noise, per component
	byRet    func(a, b int) int // orders candidates by return, best first, then by index
}

// newSearch validates c and allocates everything Plan needs.
func newSearch(c Config, weigh func([]float64, []int, []float64)) (*search, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c.Bounds = Bounds{Low: slices.Clone(c.Bounds.Low), High: slices.Clone(c.Bounds.High)}
	d := c.Bounds.Dim()
	s := &search{c: c, d: d, size: c.Horizon * d, half: make([]float64, d), weigh: weigh,
		seqs: make([]float64, c.Samples*c.Horizon*d), proposed: make([]float64, c.Proposals*c.Horizon*d), returns: make([]float64, c.Samples),
		order: make([]int, c.Samples), noise: make([]float64, d), weights: make([]float64, c.Elites)}
	for j := range d {
		s.half[j] = (c.Bounds.High[j] - c.Bounds.Low[j]) / 2
	}
	for _, seq := range []*[]float64{&s.mean, &s.std, &s.best, &s.zero} {
		*seq = make([]float64, s.size)
	}
	for k := range s.zero {
		s.zero[k] = min(c.Bounds.High[k%d], max(c.Bounds.Low[k%d], 0))
	}
	s.byRet = func(a, b int) int {
		if by := cmp.Compare(s.returns[b], s.returns[a]); by != 0 {
			return by
		}
		return cmp.Compare(a, b)
	}
	s.pcg = rand.NewPCG(0, 0)
	s.rng = rand.New(s.pcg)
	s.Reset(c.Seed)
	return s, nil
}

// Reset forgets the warm start and restarts the random draws from seed.
func (s *search) Reset(seed uint64) {
	s.pcg.Seed(seed, planStream)
	s.forget()
}

// forget drops the warm start: the next Plan starts from the zero sequence.
func (s *search) forget() {
	s.warm = false
	copy(s.best, s.zero)
	copy(s.mean, s.zero)
}

// Considered returns the last iteration's candidates and returns, empty before the first
// Plan.
func (s *search) Considered() (seqs, returns []float64) {
	if !s.scored {
		return nil, nil
	}
	return s.seqs, s.returns
}

// Best returns the sequence the last Plan chose (the zero sequence before the first).
func (s *search) Best() []float64 {
	if s.c.ActOnMean {
		return s.mean
	}
	return s.best
}

// Plan runs the iterations and returns the first action of the best candidate scored.
func (s *search) Plan(ev Evaluator) ([]float64, error) {
	s.start()
	if err := s.propose(ev); err != nil {
		s.forget()
		return nil, err
	}
	for it := range s.c.Iterations {
		if err := s.iterate(ev, it == 0); err != nil {
			s.forget()
			return nil, err
		}
	}
	s.warm = true
	return s.Best()[:s.d], nil
}

// iterate samples a batch, scores it with ev and refits the sampling distribution.
func (s *search) iterate(ev Evaluator, first bool) error {
	s.sample()
	if err := ev.Evaluate(s.seqs, s.c.Samples, s.c.Horizon, s.returns); err != nil {
		s.scored = false
		return err
	}
	s.scored = true
	if err := s.rank(first); err != nil {
		return err
	}
	s.refit()
	return nil
}

// propose asks ev, if it is a Proposer and the configuration wants proposals, for this
// call's proposed sequences, clipped to the bounds.
func (s *search) propose(ev Evaluator) error {
	s.nProp = 0
	p, ok := ev.(Proposer)
	if !ok || s.c.Proposals == 0 {
		return nil
	}
	did, err := p.Propose(s.proposed, s.c.Proposals, s.c.Horizon)
	if err != nil || !did {
		return err
	}
	for k, v := range s.proposed {
		j := k % s.d
		s.proposed[k] = min(s.c.Bounds.High[j], max(s.c.Bounds.Low[j], v))
	}
	s.nProp = s.c.Proposals
	return nil
}

// candidate returns sequence i of the batch.
func (s *search) candidate(i int) []float64 { return s.seqs[i*s.size : (i+1)*s.size] }

// start sets up the sampling distribution: the previous plan shifted one step (or the zero
// sequence), with the initial spread.
func (s *search) start() {
	if s.warm {
		s.shift(s.mean)
		s.shift(s.best)
	} else {
		copy(s.mean, s.zero)
	}
	for i := range s.std {
		s.std[i] = s.c.InitStd * s.half[i%s.d]
	}
}

// shift moves seq one step earlier, repeating its last step.
func (s *search) shift(seq []float64) { copy(seq, seq[s.d:]) }

// sample fills the batch: the fixed candidates first, then the proposed ones, then draws
// around the mean clipped to the bounds.
func (s *search) sample() {
	copy(s.candidate(0), s.mean)
	copy(s.candidate(1), s.best)
	copy(s.candidate(2), s.zero)
	copy(s.seqs[fixed*s.size:], s.proposed[:s.nProp*s.size])
	low, high := s.c.Bounds.Low, s.c.Bounds.High
	rho := s.c.Correlation
	fresh := math.Sqrt(1 - rho*rho) // keeps the noise's variance at 1
	for i := fixed + s.nProp; i < s.c.Samples; i++ {
		seq := s.candidate(i)
		for k := range seq {
			j := k % s.d
			e := s.rng.NormFloat64()
			if k >= s.d {
				e = rho*s.noise[j] + fresh*e
			}
			s.noise[j] = e
			seq[k] = min(high[j], max(low[j], s.mean[k]+s.std[k]*e))
		}
	}
}

// rank orders the candidates by return and keeps the best one if it beats the best so far
// (on the first iteration, it replaces the previous call's). It returns an error for a
// non-finite return.
func (s *search) rank(first bool) error {
	for i, r := range s.returns {
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return fmt.Errorf("plan: the evaluator returned %v for candidate %d", r, i)
		}
		s.order[i] = i
	}
	slices.SortFunc(s.order, s.byRet)
	if top := s.order[0]; first || s.returns[top] > s.bestRet {
		copy(s.best, s.candidate(top))
		s.bestRet = s.returns[top]
	}
	return nil
}

// refit moves the mean and standard deviation towards the weighted elites.
func (s *search) refit() {
	elites := s.order[:s.c.Elites]
	s.weigh(s.returns, elites, s.weights)
	total := 0.0
	for _, w := range s.weights {
		total += w
	}
	m := s.c.Momentum
	for k := range s.mean {
		mu := 0.0
		for e, i := range elites {
			mu += s.weights[e] * s.seqs[i*s.size+k]
		}
		mu /= total
		v := 0.0
		for e, i := range elites {
			dev := s.seqs[i*s.size+k] - mu
			v += s.weights[e] * dev * dev
		}
		sd := math.Sqrt(v / total)
		s.mean[k] = m*s.mean[k] + (1-m)*mu
		s.std[k] = max(m*s.std[k]+(1-m)*sd, s.c.MinStd*s.half[k%s.d])
	}
}
