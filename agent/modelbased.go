package agent

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/foresight-sim/foresight/agent/plan"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/pageyield"
	"github.com/foresight-sim/foresight/internal/seed"
	"github.com/foresight-sim/foresight/worldmodel"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// ModelBased learns a world model online from its own experience and chooses every action by
// planning with it. It starts knowing nothing: for its first SeedSeconds of experience it
// acts at random; then it trains the model on that data and from there plans each action in
// the model's imagination, adds exploration noise while training, and updates the model
// UpdatesPerStep times after every step. In evaluation mode it plans without noise and does
// not learn. With ModelConfig.Concurrent it trains on a second goroutine while it acts.
type ModelBased struct {
	cfg    ModelConfig
	space  envs.Box
	model  worldmodel.Model
	critic *worldmodel.Critic       // nil when planning with imagined rewards alone
	ends   *worldmodel.Termination  // nil when rollouts never end
	dis    *worldmodel.Disagreement // nil when planning does not weigh disagreement
	imDis  *worldmodel.Disagreement // the ensemble the planner imagines with
	// The upper level of a two-level learner, nil for one level: the coarse model, its
	// planner and the imagination it plans in, and its training batches.
	coarse        *worldmodel.Coarse
	imCoarse      *worldmodel.Coarse // the coarse model the planners imagine with
	coarsePlanner plan.Planner
	coarseIm      *worldmodel.CoarseImagination
	hbatch        worldmodel.Batch
	subgoal       []float32 // the coarse plan's subgoal
	sinceCoarse   int       // actions since the coarse planner last planned
	im            *worldmodel.Imagination
	planner       plan.Planner
	replay        *Replay
	batch         worldmodel.Batch
	cbatch        worldmodel.Batch    // the critic's
	dbatch        worldmodel.Batch    // the disagreement ensemble's
	tbatch        [2]worldmodel.Batch // the termination model's: random and terminal transitions

	seedSteps  int        // steps of random actions before planning
	steps      int        // training steps observed
	pretrained bool       // the updates that end the seed phase have been made
	eval       bool       // evaluation mode
	planned    bool       // the planner has planned in this episode
	trainSrc   *rand.PCG  // the source of trainRNG, saved with the agent's state
	trainRNG   *rand.Rand // draws training batches, across episodes
	actRNG     *rand.Rand // draws random and exploration actions, reset every episode
	action     []float64
	stats      worldmodel.Stats
	updates    int

	// Learning concurrently (ModelConfig.Concurrent): the planner imagines with replica,
	// synced between steps, while the updates of the last step run on another goroutine.
	replica  *worldmodel.Replica
	imEnds   *worldmodel.Termination // the termination model the planner imagines with
	inFlight bool                    // updates are running; their error comes on done
	done     chan error
	started  struct { // Stats's result when the updates in flight started
		stats   worldmodel.Stats
		updates int
	}
	failed error // the first error of concurrent updates, returned from then on

	settings map[string]string // the settings New changed (Set), for the results
	policy   *policy           // the policy prior, nil without one
}

// proposals is the policy prior as the planner's imagination calls it, drawing with the
// agent's acting draws.
type proposals struct{ a *ModelBased }

// Propose writes the policy prior's actions for the latents z into actions.
func (p proposals) Propose(z, actions nn.Matrix[float32]) { p.a.policy.propose(z, actions, p.a.actRNG) }

// maxSeedSeconds bounds ModelConfig.SeedSeconds, a year of experience.
const maxSeedSeconds = 365 * 24 * 3600

// Streams of the agent's seed.
const (
	trainBatchStream = 0x6261_7463_6800_0000
	exploreStream    = 0x6578_706c_6f72_6500
)

// NewModelBased returns an agent that acts in env, learning model and planning with it,
// seeded with seedValue. The model must have env's observation and action sizes, and a
// model of images env's image layout. It returns an error if they differ or the
// configuration is invalid.
func NewModelBased(env envs.Env, model worldmodel.Model, seedValue uint64, c ModelConfig) (*ModelBased, error) {
	space, obs := env.ActionSpace(), env.ObservationSpace()
	d := model.Dims()
	if d.Obs != obs.Dim() || d.Action != space.Dim() {
		return nil, fmt.Errorf("agent: model for %d-d observations and %d-d actions, env %s has %d and %d",
			d.Obs, d.Action, env.Spec().ID, obs.Dim(), space.Dim())
	}
	if p := dimsOf(env).Pixels; d.Pixels.Images() && d.Pixels != p {
		return nil, fmt.Errorf("agent: model of images %+v, env %s observes %+v", d.Pixels, env.Spec().ID, p)
	}
	p, err := newPlanner(c.Planner, c.Plan, space, seedValue)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	switch {
	case !(c.Discount > 0 && c.Discount <= 1):
		return nil, fmt.Errorf("agent: discount %v: want it in (0, 1]", c.Discount)
	case !(c.SeedSeconds >= 0 && c.SeedSeconds <= maxSeedSeconds) || c.PretrainUpdates < 0 || c.UpdatesPerStep < 0:
		return nil, fmt.Errorf("agent: seed phase of %v s, %d pretraining updates, %d updates per step: want none negative, the seed phase at most %v s",
			c.SeedSeconds, c.PretrainUpdates, c.UpdatesPerStep, float64(maxSeedSeconds))
	case !(c.ExploreStd >= 0):
		return nil, fmt.Errorf("agent: exploration std %v: want it ≥ 0", c.ExploreStd)
	case c.Plan.Proposals > 0 && c.Policy == nil:
		return nil, fmt.Errorf("agent: %d proposals per planner iteration without a policy prior to propose them", c.Plan.Proposals)
	case math.IsNaN(c.Subgoal) || math.IsInf(c.Subgoal, 0):
		return nil, fmt.Errorf("agent: subgoal weight %v: want a finite number", c.Subgoal)
	case math.IsNaN(c.Explore) || math.IsInf(c.Explore, 0) || (c.Explore != 0) != (c.Disagreement != nil):
		return nil, fmt.Errorf("agent: exploration weight %v with a disagreement ensemble %v: want a finite weight, and an ensemble exactly when it is not 0", c.Explore, c.Disagreement != nil)
	}
	replay, err := newReplay(c.ReplayCapacity, model.Dims(), space.Dim())
	if err != nil {
		return nil, err
	}
	var critic *worldmodel.Critic
	if c.Critic != nil {
		cc := *c.Critic
		cc.Discount = c.Discount
		if critic, err = worldmodel.NewCritic(model.Dims().Latent, cc, seed.Derive(seedValue, criticStream)); err != nil {
			return nil, fmt.Errorf("agent: %w", err)
		}
	}
	var ends *worldmodel.Termination
	if c.Termination != nil {
		if ends, err = worldmodel.NewTermination(model.Dims().Latent, *c.Termination, seed.Derive(seedValue, terminationStream)); err != nil {
			return nil, fmt.Errorf("agent: %w", err)
		}
	}
	var dis *worldmodel.Disagreement
	if c.Disagreement != nil {
		d := model.Dims()
		if dis, err = worldmodel.NewDisagreement(d.Latent, d.Action, *c.Disagreement, seed.Derive(seedValue, disagreementStream)); err != nil {
			return nil, fmt.Errorf("agent: %w", err)
		}
	}
	src := rand.NewPCG(seedValue, trainBatchStream)
	a := &ModelBased{
		cfg: c, space: space, model: model, critic: critic, ends: ends, dis: dis, imDis: dis, planner: p, replay: replay,
		seedSteps: int(math.Round(c.SeedSeconds / env.Spec().ControlDT)),
		trainSrc:  src,
		trainRNG:  rand.New(src),
		action:    make([]float64, space.Dim()),
		imEnds:    ends,
	}
	if c.Coarse != nil {
		if a.coarse, err = worldmodel.NewCoarse(model.Dims(), *c.Coarse, seed.Derive(seedValue, coarseStream)); err != nil {
			return nil, fmt.Errorf("agent: %w", err)
		}
	}
	imagining, imCritic, imCoarse := model, critic, a.coarse
	if c.Concurrent {
		if a.replica, err = worldmodel.NewReplica(model, worldmodel.Planning{Critic: critic, Ends: ends, Disagreement: dis, Coarse: a.coarse}); err != nil {
			return nil, fmt.Errorf("agent: learning concurrently: %w", err)
		}
		p := a.replica.Planning()
		imagining, imCritic, a.imEnds, a.imDis, imCoarse = a.replica.Model(), p.Critic, p.Ends, p.Disagreement, p.Coarse
		a.done = make(chan error, 1)
	}
	a.im = worldmodel.NewImagination(imagining, c.Discount)
	a.im.SetCritic(imCritic)
	a.SetEval(false)
	if imCoarse != nil {
		if err := a.coarsePlanning(imCoarse, seedValue); err != nil {
			return nil, err
		}
	}
	if c.Policy != nil {
		if a.policy, err = newPolicy(env, model, *c.Policy, seedValue, c.Concurrent); err != nil {
			return nil, err
		}
		a.im.SetPolicy(proposals{a})
	}
	a.Reset(seedValue)
	return a, nil
}

// coarsePlanning builds the planning of a two-level learner's upper level over imagining,
// the coarse model or its replica: a planner over macro-actions in (−1, 1), and the
// imagination it plans in, which discounts a coarse step as its control steps.
func (a *ModelBased) coarsePlanning(imagining *worldmodel.Coarse, seedValue uint64) error {
	c := a.cfg
	macro := envs.UniformBox(-1, 1, c.Coarse.Macro)
	var err error
	if a.coarsePlanner, err = newPlanner(c.Planner, c.CoarsePlan, macro, seed.Derive(seedValue, coarsePlanStream)); err != nil {
		return fmt.Errorf("agent: coarse planner: %w", err)
	}
	a.imCoarse = imagining
	a.coarseIm = worldmodel.NewCoarseImagination(imagining, math.Pow(c.Discount, float64(c.Coarse.Steps)))
	return nil
}

// Model returns the agent's world model, once the updates in flight have finished.
func (a *ModelBased) Model() worldmodel.Model {
	a.wait()
	return a.model
}

// Stats returns the losses of the last model update and the number of updates so far; while
// updates are in flight (learning concurrently), those of the updates before them, without
// waiting.
func (a *ModelBased) Stats() (worldmodel.Stats, int) {
	if a.inFlight {
		return a.started.stats, a.started.updates
	}
	return a.stats, a.updates
}

// Reset starts an episode: it forgets the planner's warm start and restarts the random
// draws of actions from seed.
func (a *ModelBased) Reset(s uint64) {
	a.planner.Reset(s)
	if a.coarsePlanner != nil {
		a.coarsePlanner.Reset(seed.Derive(s, coarsePlanStream))
		a.sinceCoarse = 0
	}
	a.actRNG = rand.New(rand.NewPCG(s, exploreStream))
	a.planned = false
}

// SetEval switches evaluation mode on or off. Evaluation plans without the bonus of
// disagreement that explores (a positive ModelConfig.Explore), but keeps its penalty.
func (a *ModelBased) SetEval(on bool) {
	a.eval = on
	weight := a.cfg.Explore
	if on {
		weight = min(weight, 0)
	}
	a.im.SetDisagreement(a.imDis, weight)
}

// Act returns a random action during the seed phase of training, and otherwise the first
// action of the best plan in the model's imagination, with exploration noise in training.
// It returns an error if obs has the wrong size or planning fails.
func (a *ModelBased) Act(obs []float64) ([]float64, error) {
	if want := a.model.Dims().Obs; len(obs) != want {
		return nil, fmt.Errorf("agent: observation of %d components, want %d", len(obs), want)
	}
	if !a.eval && a.steps < a.seedSteps {
		return a.space.Sample(a.actRNG, a.action), nil
	}
	if a.endsSeen() {
		a.im.SetTermination(a.imEnds)
	}
	if err := a.im.Observe(obs); err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	if err := a.planSubgoal(); err != nil {
		return nil, err
	}
	best, err := a.planner.Plan(a.im)
	a.planned = err == nil
	if err != nil {
		return nil, fmt.Errorf("agent: planning: %w", err)
	}
	copy(a.action, best)
	if !a.eval && a.cfg.ExploreStd > 0 {
		for i := range a.action {
			half := (a.space.High[i] - a.space.Low[i]) / 2
			a.action[i] += a.cfg.ExploreStd * half * a.actRNG.NormFloat64()
		}
		a.space.Clip(a.action, a.action)
	}
	return a.action, nil
}

// planSubgoal gives the fine planner of a two-level learner the subgoal it heads for: once
// a coarse step, the coarse planner plans from the observation, and the coarse latent its
// best macro-action leads to becomes the subgoal, due when that coarse step ends.
func (a *ModelBased) planSubgoal() error {
	if a.coarse == nil {
		return nil
	}
	k := a.coarse.Steps()
	if a.sinceCoarse%k == 0 {
		if err := a.coarseIm.Observe(a.im.Start()); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
		if _, err := a.coarsePlanner.Plan(a.coarseIm); err != nil {
			return fmt.Errorf("agent: coarse planning: %w", err)
		}
		goal, err := a.coarseIm.Subgoal(a.coarsePlanner.Best(), a.cfg.CoarsePlan.Horizon)
		if err != nil {
			return fmt.Errorf("agent: %w", err)
		}
		a.subgoal = append(a.subgoal[:0], goal...)
		a.sinceCoarse = 0
	}
	a.im.SetSubgoal(a.imCoarse, a.subgoal, a.cfg.Subgoal, k-a.sinceCoarse)
	a.sinceCoarse++
	return nil
}

// Observe stores a training transition and updates the model: PretrainUpdates times once
// the seed phase is over (as soon as the buffer holds a sequence as long as the model trains
// on), UpdatesPerStep times after every later step. Learning concurrently, it first waits
// for the updates of the previous step, syncs the planner's replica with them and starts
// this step's on another goroutine. In evaluation mode it does nothing. It returns an error
// if the transition has the wrong sizes or the model's training diverges.
func (a *ModelBased) Observe(t Transition) error {
	if a.eval {
		return nil
	}
	if err := a.wait(); err != nil {
		return err
	}
	if err := a.replay.Add(t); err != nil {
		return err
	}
	a.steps++
	switch {
	case a.steps < a.seedSteps:
		return nil
	case !a.pretrained:
		n, err := a.update(a.cfg.PretrainUpdates)
		a.pretrained = n == a.cfg.PretrainUpdates
		a.sync()
		return err
	}
	if t.Terminated && a.replay.Ends() == 1 && a.ends != nil {
		if err := a.pretrainTermination(); err != nil {
			return err
		}
	}
	if a.replica == nil {
		_, err := a.update(a.cfg.UpdatesPerStep)
		return err
	}
	a.sync()
	a.started.stats, a.started.updates = a.stats, a.updates
	a.inFlight = true
	go func() {
		_, err := a.update(a.cfg.UpdatesPerStep)
		a.done <- err
	}()
	return nil
}

// EndEpisode closes the current episode in the replay buffer, once the updates in flight
// have finished, and brings the planner's replica up to date with them. It returns the
// error of those updates.
func (a *ModelBased) EndEpisode() error {
	err := a.wait()
	a.sync()
	a.replay.EndEpisode()
	return err
}

// TrainingLoss returns the world model's loss after the last update, as Stats does, and the
// updates so far.
func (a *ModelBased) TrainingLoss() (string, float64, int) {
	st, n := a.Stats()
	return "world-model loss", st.Loss, n
}

// changed returns the settings New changed from the agent's defaults for its task (Set).
func (a *ModelBased) changed() map[string]string { return a.settings }

// learnsConcurrently reports whether the agent trains on a second goroutine while it acts.
func (a *ModelBased) learnsConcurrently() bool { return a.replica != nil }

// wait waits for the updates in flight, if any, and returns the first error concurrent
// updates have met.
func (a *ModelBased) wait() error {
	if a.inFlight {
		a.inFlight = false
		if err := <-a.done; err != nil && a.failed == nil {
			a.failed = err
		}
	}
	return a.failed
}

// sync brings the planner's replicas of the networks, if the agent learns concurrently, up
// to date.
func (a *ModelBased) sync() {
	if a.replica != nil {
		a.replica.Sync()
	}
	if a.policy != nil {
		a.policy.sync()
	}
}

// update takes up to n model updates on batches drawn from the replay buffer, and returns
// how many it took: none while the buffer holds no sequence long enough.
func (a *ModelBased) update(n int) (int, error) {
	b, l := a.model.SampleShape()
	for i := range n {
		err := a.replay.SampleSequences(a.trainRNG, b, l, &a.batch)
		if errors.Is(err, ErrNotEnoughData) {
			return i, nil
		}
		if err != nil {
			return i, err
		}
		if a.stats, err = a.model.Train(&a.batch); err != nil {
			return i, fmt.Errorf("agent: model update %d: %w", a.updates, err)
		}
		if err := a.trainCritic(); err != nil {
			return i, fmt.Errorf("agent: critic update %d: %w", a.updates, err)
		}
		if err := a.trainDisagreement(); err != nil {
			return i, fmt.Errorf("agent: disagreement update %d: %w", a.updates, err)
		}
		if err := a.trainCoarse(); err != nil {
			return i, fmt.Errorf("agent: coarse model update %d: %w", a.updates, err)
		}
		if err := a.trainTermination(); err != nil {
			return i, fmt.Errorf("agent: termination update %d: %w", a.updates, err)
		}
		if a.policy != nil {
			if err := a.policy.train(a.replay, a.trainRNG, a.model, a.critic); err != nil {
				return i, fmt.Errorf("agent: policy update %d: %w", a.updates, err)
			}
		}
		a.updates++
		pageyield.Yield() // pretraining's 200 updates would freeze a web page
	}
	return n, nil
}

// trainCritic takes one step of the critic, if the agent has one.
func (a *ModelBased) trainCritic() error {
	if a.critic == nil {
		return nil
	}
	if err := a.replay.SampleSequences(a.trainRNG, a.critic.Batch(), 1, &a.cbatch); err != nil {
		return err
	}
	_, err := a.critic.Train(a.model, &a.cbatch)
	return err
}

// trainCoarse takes one step of the coarse model of a two-level learner, once the replay
// buffer holds a sequence as long as it trains on.
func (a *ModelBased) trainCoarse() error {
	if a.coarse == nil {
		return nil
	}
	b, l := a.coarse.SampleShape()
	err := a.replay.SampleSequences(a.trainRNG, b, l, &a.hbatch)
	if errors.Is(err, ErrNotEnoughData) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = a.coarse.Train(a.model, &a.hbatch)
	return err
}

// trainDisagreement takes one step of the disagreement ensemble, if the agent has one.
func (a *ModelBased) trainDisagreement() error {
	if a.dis == nil {
		return nil
	}
	if err := a.replay.SampleSequences(a.trainRNG, a.dis.Batch(), 1, &a.dbatch); err != nil {
		return err
	}
	_, err := a.dis.Train(a.model, &a.dbatch)
	return err
}

// endsSeen reports whether the agent models the ends of episodes and has seen one, so
// that its termination model has something to learn from.
func (a *ModelBased) endsSeen() bool { return a.ends != nil && a.replay.Ends() > 0 }

// trainTermination takes one step of the termination model, once the agent has seen an
// episode end.
func (a *ModelBased) trainTermination() error {
	if !a.endsSeen() {
		return nil
	}
	random, terminal := a.ends.Batch()
	if err := a.replay.SampleSequences(a.trainRNG, random, 1, &a.tbatch[0]); err != nil {
		return err
	}
	err := a.replay.SampleEnds(a.trainRNG, terminal, &a.tbatch[1])
	if errors.Is(err, ErrNotEnoughData) {
		return nil // a frame replay may hold terminal transitions whose frames it does not
	}
	if err != nil {
		return err
	}
	_, err = a.ends.Train(a.model, &a.tbatch[0], &a.tbatch[1])
	return err
}

// pretrainTermination takes PretrainUpdates steps of the termination model when the first
// episode ends after the seed phase, so that it has learnt something before the planner
// first imagines with it.
func (a *ModelBased) pretrainTermination() error {
	for range a.cfg.PretrainUpdates {
		if err := a.trainTermination(); err != nil {
			return fmt.Errorf("agent: termination pretraining: %w", err)
		}
	}
	return nil
}

// Imagined returns the observations the model expects the best plan to lead to from the
// observation the agent last planned from, one per step, or nil before the agent's first
// plan of the episode, as Imaginer asks. The result belongs to the agent and is overwritten
// by the next call.
func (a *ModelBased) Imagined() ([][]float64, error) {
	if !a.planned {
		return nil, nil
	}
	best := a.planner.Best()
	return a.im.Imagine(best, len(best)/a.space.Dim())
}

// Subgoals returns what the coarse probe reads out of the coarse latents the coarse plan
// leads to from the observation the coarse planner last planned from (up to a coarse step
// ago), one per coarse step, as SubgoalImaginer asks; nil for an agent of one level or
// before its first plan.
func (a *ModelBased) Subgoals() ([][]float64, error) {
	if a.coarse == nil || !a.planned {
		return nil, nil
	}
	return a.coarseIm.Imagine(a.coarsePlanner.Best(), a.cfg.CoarsePlan.Horizon)
}

// Weighed returns up to n of the candidates the planner scored last, with the observations
// the model expects each to lead to, as Weigher asks.
func (a *ModelBased) Weighed(n int) ([]Candidate, error) {
	seqs, returns := a.planner.Considered()
	if !a.planned || n < 1 || len(returns) == 0 {
		return nil, nil
	}
	size := len(seqs) / len(returns)
	out := make([]Candidate, 0, n)
	for _, i := range spreadRanks(returns, n) {
		future, err := a.im.Imagine(seqs[i*size:(i+1)*size], size/a.space.Dim())
		if err != nil {
			return nil, err
		}
		c := Candidate{Return: returns[i], Future: make([][]float64, len(future))}
		for t, obs := range future {
			c.Future[t] = slices.Clone(obs)
		}
		out = append(out, c)
	}
	return out, nil
}

// spreadRanks returns the indices of up to n of values, spread over their ranks from the
// largest down: the largest, the smallest and evenly spaced ranks between.
func spreadRanks(values []float64, n int) []int {
	order := make([]int, len(values))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(values[b], values[a]) })
	n = min(n, len(order))
	if n == 1 {
		return order[:1]
	}
	picked := make([]int, n)
	for k := range n {
		picked[k] = order[k*(len(order)-1)/(n-1)]
	}
	return picked
}

// Perceived returns what the model's decoder or probe reads out of its latent of the
// observation the agent last planned from, or nil before the agent's first plan of the
// episode, as Perceiver asks. The result belongs to the agent and is overwritten by the
// next call.
func (a *ModelBased) Perceived() ([]float64, error) {
	if !a.planned {
		return nil, nil
	}
	return a.im.Read()
}

// Streams of a learning agent's seed for its world model, its critic, its termination
// model, its disagreement ensemble, its coarse model and its coarse planner.
const (
	modelStream        = 0x6d6f_6465_6c00_0000
	criticStream       = 0x6372_6974_6963_0000
	terminationStream  = 0x656e_6473_0000_0000
	disagreementStream = 0x6469_7361_6772_6565
	coarseStream       = 0x636f_6172_7365_0000
	coarsePlanStream   = 0x636f_6172_7365_706c
)

// newReplay returns a replay buffer for a model of sizes d: one that stores each frame once
// for a model of images.
func newReplay(capacity int, d worldmodel.Dims, actDim int) (*Replay, error) {
	if p := d.Pixels; p.Images() {
		return NewFrameReplay(capacity, FrameLayout{Stack: p.Stack, Size: p.Height * p.Width * p.Channels}, actDim)
	}
	return NewReplay(capacity, d.Obs, actDim)
}

// dimsOf returns the sizes of a model of env, with Pixels set when its observations are
// stacks of images (a space of shape Stack×Height×Width×Channels, as
// envs.PixelObservation's).
func dimsOf(env envs.Env) worldmodel.Dims {
	obs := env.ObservationSpace()
	d := worldmodel.Dims{Obs: obs.Dim(), Action: env.ActionSpace().Dim()}
	if s := obs.Shape; len(s) == 4 {
		d.Pixels = worldmodel.Pixels{Stack: s[0], Height: s[1], Width: s[2], Channels: s[3]}
	}
	return d
}

// newLearning returns the ModelBased agent called name with its configuration for env
// (ModelConfigFor, then PixelModelConfig for images, then o's settings, learning
// concurrently if o says), learning the model that build makes from the derived seed and
// o's settings of the model.
func newLearning(name string, env envs.Env, s uint64, o options, build func(worldmodel.Dims, uint64, modelSettings) (worldmodel.Model, error)) (Agent, error) {
	c, err := ModelConfigFor(name, env.Spec())
	if err != nil {
		return nil, err
	}
	c.Concurrent = o.concurrent
	d := dimsOf(env)
	if p := d.Pixels; p.Images() {
		c = PixelModelConfig(c, p.Height*p.Width*p.Channels)
	}
	agentSet, modelSet := splitSettings(o.settings)
	if err := c.Set(agentSet); err != nil {
		return nil, err
	}
	if d.Pixels.Images() {
		pixelBatches(&c) // of the parts the settings added
	}
	m, err := build(d, seed.Derive(s, modelStream), modelSet)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	a, err := NewModelBased(env, m, s, c)
	if err != nil {
		return nil, err
	}
	a.settings = o.settings
	return a, nil
}
