package live

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/pageyield"
	"github.com/foresight-sim/foresight/sim"
	"github.com/foresight-sim/foresight/worldmodel"
)

// Config describes what a session runs.
type Config struct {
	Env string
	// Params sets the environment's physical parameters by name.
	Params map[string]float64
	Agent  string
	Seed   uint64
	// Observation describes what the agent observes, as envs.ParseObservation reads it;
	// empty for the environment's state.
	Observation string
	// Concurrent asks for a learner that trains on a second goroutine while it acts
	// (agent.Concurrent).
	Concurrent bool
	// Settings changes the learner's settings (agent.Set).
	Settings map[string]string
	// Candidates starts with the planner's candidates in the frames (ToggleCandidates).
	Candidates bool
	// Speed is the starting pace in simulated seconds per second of wall time; +Inf runs as
	// fast as the machine can, and 0 starts paused (at ×1 once resumed).
	Speed float64
}

// budget is the experience a live session may gather: more than anyone will watch.
const budget = 10_000 * time.Hour

// publishEvery is the wall time between two frames published while the agent runs.
const publishEvery = 15 * time.Millisecond

// Session runs an agent learning in an environment on a goroutine of its own, at the pace
// the viewer asks for, and publishes what happens as Frames. The viewer reads the latest
// Frame without waiting (Frame) and sends commands (Pause, SetSpeed, ...) that take effect
// between two steps; the two sides share nothing else, so no lock is held across a frame.
type Session struct {
	cfg     Config
	env     envs.Env
	ghost   envs.Env // a copy of env, posed to draw the imagined futures
	agent   agent.Agent
	trainer *agent.Trainer

	frame atomic.Pointer[Frame]
	cmds  chan func()
	quit  chan struct{}
	close sync.Once
	done  sync.WaitGroup

	// owned by the session goroutine
	paused, stepOnce bool
	speed            float64
	// The pace is kept by comparing the simulated time of every step taken, evaluation
	// episodes included, with the wall time, both since the last command.
	clockWall        time.Time
	clockSim, simNow float64
	human            []float64 // the person's action while they have taken over, or nil
	pulling          bool      // the person holds a body
	candidates       bool      // frames carry the planner's candidates
	pullTo           sim.Vec2  // where they pull it to
	curve            []agent.EpisodePoint
	losses           []LossPoint
	lastPublish      time.Time
	rate             rateMeter
	published        *Frame
}

// LossPoint is the agent's training loss at a moment of experience.
type LossPoint struct {
	Experience, Loss float64
}

// Start builds the environment and the agent and starts the session's goroutine, paused if
// cfg.Speed is 0. It returns an error if the environment or the agent cannot be built.
func Start(cfg Config) (*Session, error) {
	l, err := NewLearner(cfg)
	if err != nil {
		return nil, err
	}
	s := &Session{cfg: cfg, env: l.Env, ghost: l.Pose, agent: l.Agent, trainer: l.Trainer,
		cmds: make(chan func(), 64), quit: make(chan struct{}),
		speed: cfg.Speed, paused: cfg.Speed == 0, candidates: cfg.Candidates}
	if s.paused {
		s.speed = 1
	}
	s.publish(nil)
	s.done.Add(1)
	go s.run()
	return s, nil
}

// Learner is an agent learning in an environment, as a session runs it: Pose is a copy of
// Env to pose the futures it imagines (show.Ghosts).
type Learner struct {
	Env, Pose envs.Env
	Agent     agent.Agent
	Trainer   *agent.Trainer
}

// NewLearner builds the environment and the agent cfg describes, and a trainer for them
// with a budget no one will watch to the end. It returns an error if either cannot be built.
func NewLearner(cfg Config) (*Learner, error) {
	env, err := cfg.makeEnv()
	if err != nil {
		return nil, err
	}
	pose, err := cfg.makeEnv()
	if err != nil {
		return nil, err
	}
	ag, err := agent.New(cfg.Agent, env, cfg.Seed, agent.Concurrent(cfg.Concurrent), agent.Set(cfg.Settings))
	if err != nil {
		return nil, err
	}
	tr, err := agent.NewTrainer(env, ag, cfg.Agent, agent.TrainConfig{Seed: cfg.Seed, Budget: budget})
	if err != nil {
		return nil, err
	}
	return &Learner{Env: env, Pose: pose, Agent: ag, Trainer: tr}, nil
}

// makeEnv builds the environment the configuration describes, observed as it says.
func (c Config) makeEnv() (envs.Env, error) {
	obs := c.Observation
	if obs == "" {
		obs = envs.StateObservation
	}
	pix, err := envs.ParseObservation(obs)
	if err != nil {
		return nil, err
	}
	env, err := envs.Make(c.Env, envs.WithParams(c.Params))
	if err != nil {
		return nil, err
	}
	return envs.Observe(env, pix)
}

// Frame returns the latest published frame. It never blocks, and the frame never changes.
func (s *Session) Frame() *Frame { return s.frame.Load() }

// Close stops the session and waits for its goroutine to end. Closing again does nothing.
func (s *Session) Close() {
	s.close.Do(func() { close(s.quit) })
	s.done.Wait()
}

// send queues a command for the session goroutine; it drops the command if the queue is
// full, which only a person pressing keys faster than the session steps could cause.
func (s *Session) send(f func()) {
	select {
	case s.cmds <- f:
	default:
	}
}

// TogglePause pauses a running session and resumes a paused one.
func (s *Session) TogglePause() { s.send(func() { s.paused = !s.paused }) }

// ToggleCandidates turns on or off the candidate plans in the frames.
func (s *Session) ToggleCandidates() { s.send(func() { s.candidates = !s.candidates }) }

// SetCandidates shows the candidate plans in the frames, or not.
func (s *Session) SetCandidates(on bool) { s.send(func() { s.candidates = on }) }

// Step pauses the session and takes a single step.
func (s *Session) Step() { s.send(func() { s.paused, s.stepOnce = true, true }) }

// SetSpeed sets the pace in simulated seconds per wall second; +Inf is as fast as possible.
// A speed that is not positive is ignored: TogglePause pauses.
func (s *Session) SetSpeed(x float64) {
	if x > 0 {
		s.send(func() { s.speed = x })
	}
}

// ResetEpisode ends the episode under way; the next one starts at once.
func (s *Session) ResetEpisode() {
	s.send(func() {
		s.fail(s.trainer.EndEpisode())
		s.curve = s.trainer.Curve()
	})
}

// TakeOver makes the person's action the one taken in training episodes from now on; nil
// hands control back to the agent. unit holds each action component in [-1, 1], mapped
// linearly onto the action space's bounds; components beyond unit's length are 0. The agent
// learns from the person's actions as from its own.
func (s *Session) TakeOver(unit []float64) {
	var a []float64
	if unit != nil {
		space := s.env.ActionSpace()
		a = make([]float64, space.Dim())
		for i := range a {
			v := 0.0
			if i < len(unit) {
				v = max(-1, min(1, unit[i]))
			}
			a[i] = (space.Low[i]+space.High[i])/2 + v*(space.High[i]-space.Low[i])/2
		}
	}
	s.send(func() { s.human = a })
}

// Grab takes hold of the body at world point p, if there is one, by that point; Drag then
// pulls that point about and Release lets go. A new episode lets go too.
func (s *Session) Grab(p sim.Vec2) {
	s.send(func() {
		if g, ok := envs.AsGrabber(s.env); ok {
			s.pulling, s.pullTo = g.Grab(p), p
		}
	})
}

// Drag pulls the held point towards world point p.
func (s *Session) Drag(p sim.Vec2) {
	s.send(func() {
		if g, ok := envs.AsGrabber(s.env); ok && s.pulling {
			g.Pull(p)
			s.pullTo = p
		}
	})
}

// Release lets go of the held body.
func (s *Session) Release() {
	s.send(func() {
		if g, ok := envs.AsGrabber(s.env); ok {
			g.Release()
		}
		s.pulling = false
	})
}

// ActionDim returns the number of action components, for mapping keys onto them.
func (s *Session) ActionDim() int { return s.env.ActionSpace().Dim() }

// run is the session goroutine: it applies commands and steps the trainer at the pace set.
func (s *Session) run() {
	defer s.done.Done()
	s.resetClock()
	for {
		select {
		case <-s.quit:
			return
		case f := <-s.cmds:
			s.apply(f)
			continue
		default:
		}
		switch {
		case s.published.Err != nil:
			s.waitForCommand()
			s.publish(nil)
		case s.paused && !s.stepOnce:
			s.publishMaybe(true)
			s.waitForCommand()
		default:
			if wait := s.due(); wait > 0 && !s.stepOnce {
				s.publishMaybe(false)
				s.sleep(wait)
				continue
			}
			s.stepOnce = false
			s.step()
			pageyield.Yield()
			s.publishMaybe(s.paused)
		}
	}
}

// apply runs a command and restarts the pace from now, so that a change of speed or a
// pause never makes the session rush to catch up.
func (s *Session) apply(f func()) {
	f()
	s.resetClock()
}

// resetClock starts measuring the pace from now.
func (s *Session) resetClock() { s.clockWall, s.clockSim = time.Now(), s.simNow }

// due returns how long to wait before the next step to keep simulated time at speed times
// the wall time since the clock was reset.
func (s *Session) due() time.Duration {
	if math.IsInf(s.speed, 1) {
		return 0
	}
	ahead := (s.simNow - s.clockSim) - s.speed*time.Since(s.clockWall).Seconds()
	return time.Duration(ahead / s.speed * float64(time.Second))
}

// waitForCommand blocks until a command arrives or the session quits, applying the command.
func (s *Session) waitForCommand() {
	select {
	case <-s.quit:
	case f := <-s.cmds:
		s.apply(f)
	}
}

// sleep waits for d, at most a frame's time, or until a command arrives.
func (s *Session) sleep(d time.Duration) {
	t := time.NewTimer(min(d, publishEvery))
	defer t.Stop()
	select {
	case <-s.quit:
	case f := <-s.cmds:
		s.apply(f)
	case <-t.C:
	}
}

// step takes one step of the run, books what it finished, and stops the session on error.
func (s *Session) step() {
	var action []float64
	if evaluating, _ := s.trainer.Evaluating(); !evaluating {
		action = s.human
	}
	if _, err := s.trainer.Step(action); err != nil {
		s.fail(err)
		return
	}
	s.simNow += s.env.Spec().ControlDT
	s.rate.add(time.Now(), s.simNow)
	s.curve = s.trainer.Curve()
	if l, ok := s.agent.(agent.LossReporter); ok {
		if _, loss, updates := l.TrainingLoss(); updates > 0 {
			if n := len(s.losses); n == 0 || s.trainer.Experience()-s.losses[n-1].Experience >= 1 {
				s.losses = append(s.losses, LossPoint{Experience: s.trainer.Experience(), Loss: loss})
			}
		}
	}
}

// fail publishes err as the session's end.
func (s *Session) fail(err error) {
	if err != nil {
		s.publish(err)
	}
}

// modelStats returns the losses of the agent's last model update and the number of updates
// so far; no updates for an agent that reports no model.
func (s *Session) modelStats() (worldmodel.Stats, int) {
	if m, ok := s.agent.(agent.ModelReporter); ok {
		return m.Stats()
	}
	return worldmodel.Stats{}, 0
}

// publishMaybe publishes a frame if a frame's time has passed since the last one, or now.
func (s *Session) publishMaybe(now bool) {
	if now || time.Since(s.lastPublish) >= publishEvery {
		s.publish(nil)
	}
}

// publish builds a frame of the present state and makes it the latest.
func (s *Session) publish(err error) {
	s.lastPublish = time.Now()
	f := &Frame{
		Env: s.cfg.Env, Agent: s.cfg.Agent, Seed: s.cfg.Seed, Observation: envs.ObservationOf(s.env),
		Scene:      *s.env.Scene().Clone(),
		Experience: s.trainer.Experience(),
		Episodes:   s.trainer.Episodes(),
		Episode:    s.trainer.Episode(),
		Curve:      s.curve,
		Losses:     s.losses,
		Competent:  s.trainer.TTC(),
		Paused:     s.paused,
		Speed:      s.speed,
		Human:      s.human != nil,
		Pulling:    s.pulling,
		PullTo:     s.pullTo,
		RealTime:   s.rate.factor(),
		Err:        err,
	}
	f.Evaluating, f.EvalLeft = s.trainer.Evaluating()
	if n := len(s.curve); n > 0 {
		f.LastReturn, f.HasLast = s.curve[n-1].Return, true
	}
	f.Streak = streak(s.curve)
	st, updates := s.modelStats()
	f.Model, f.HasModel = st, updates > 0
	if l, ok := s.agent.(agent.LossReporter); ok {
		f.LossName, f.Loss, _ = l.TrainingLoss()
	}
	f.Ghosts = show.Ghosts(s.agent, s.env, s.ghost)
	f.Subgoals = show.Subgoals(s.agent, s.env, s.ghost)
	if s.candidates {
		f.Candidates = show.Candidates(s.agent, s.env, s.ghost)
	}
	f.Sight = show.SightOf(s.env, s.agent, true)
	f.Scene.Shapes = append(f.Scene.Shapes, show.EyeOutline(s.env)...)
	if s.published != nil && s.published.Err != nil && err == nil {
		f.Err = s.published.Err
	}
	s.published = f
	s.frame.Store(f)
}

// streak returns how many training episodes in a row, up to the last, succeeded.
func streak(curve []agent.EpisodePoint) int {
	n := 0
	for i := len(curve) - 1; i >= 0 && curve[i].Success; i-- {
		n++
	}
	return n
}

// rateMeter measures the real-time factor: simulated seconds per wall second over the last
// second or so.
type rateMeter struct {
	wall []time.Time
	sim  []float64
}

// add records that the experience was sim at time now.
func (r *rateMeter) add(now time.Time, sim float64) {
	r.wall, r.sim = append(r.wall, now), append(r.sim, sim)
	for len(r.wall) > 2 && now.Sub(r.wall[0]) > time.Second {
		r.wall, r.sim = r.wall[1:], r.sim[1:]
	}
}

// factor returns the real-time factor, or 0 before two samples.
func (r *rateMeter) factor() float64 {
	n := len(r.wall)
	if n < 2 {
		return 0
	}
	dt := r.wall[n-1].Sub(r.wall[0]).Seconds()
	if dt <= 0 {
		return 0
	}
	return (r.sim[n-1] - r.sim[0]) / dt
}

// RaceTitle describes the sessions of a race, which differ only in their agents, as
// "jepa vs pets on Pendulum-v0, seed 0"; for one session it is that session's String.
func RaceTitle(cfgs []Config) string {
	if len(cfgs) == 0 {
		return ""
	}
	names := make([]string, len(cfgs))
	for i, c := range cfgs {
		names[i] = c.Agent
	}
	c := cfgs[0]
	c.Agent = strings.Join(names, " vs ")
	return c.String()
}

// String describes the configuration, for errors and titles.
func (c Config) String() string {
	s := fmt.Sprintf("%s on %s, seed %d", c.Agent, c.Env, c.Seed)
	if c.Observation != "" && c.Observation != envs.StateObservation {
		s += ", " + c.Observation
	}
	return s
}
