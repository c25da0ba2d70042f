package bench

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
)

// Progress describes a sweep under way, for a progress display.
type Progress struct {
	// Done and Total count this run's trials: finished, and to run (those finished by an
	// earlier run excluded).
	Done, Total int
	// Running lists the trials in flight with the experience each has gathered, in seconds.
	Running []Running
	// Elapsed is the wall time since the run began.
	Elapsed time.Duration
}

// Running is a trial in flight.
type Running struct {
	Trial
	Experience float64
}

// ETA estimates the wall time left from the pace of the finished trials, or returns false
// before any has finished.
func (p Progress) ETA(workers int) (time.Duration, bool) {
	if p.Done == 0 {
		return 0, false
	}
	per := p.Elapsed / time.Duration(p.Done)
	left := (p.Total - p.Done + workers - 1) / max(workers, 1)
	return per * time.Duration(left), true
}

// Run trains the shard's trials that the store does not hold yet, on workers goroutines,
// and appends each one's record to the store as it finishes. Each trial is deterministic
// given its seed, so the records do not depend on workers. progress, when not nil, is called
// from one goroutine at a time whenever a trial starts, finishes or ends an episode. Run
// returns the first error of a trial, after the trials in flight have finished.
func Run(store *Store, shard Shard, workers int, progress func(Progress)) error {
	cfg := store.Config()
	var todo []Trial
	for _, t := range shard.Select(cfg.Trials()) {
		if !store.Done(t) {
			todo = append(todo, t)
		}
	}
	r := &runner{store: store, cfg: cfg, progress: progress, start: time.Now(),
		state: Progress{Total: len(todo)}, running: map[Trial]float64{}}
	jobs := make(chan Trial)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				r.fail(r.trial(t))
			}
		}()
	}
	for _, t := range todo {
		if r.failed() {
			break
		}
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	return r.err
}

// runner is the shared state of a Run's workers.
type runner struct {
	store    *Store
	cfg      Config
	progress func(Progress)
	start    time.Time

	mu      sync.Mutex
	state   Progress
	running map[Trial]float64
	err     error
}

// trial trains one trial, on its environment observed as the trial says, and appends its
// record.
func (r *runner) trial(t Trial) error {
	env, err := makeEnv(t, r.cfg.Params)
	if err != nil {
		return fmt.Errorf("bench: %s: %w", t, err)
	}
	ag, err := agent.New(t.Agent, env, t.Seed,
		agent.Concurrent(r.cfg.learnsConcurrently(t.Agent)), agent.Set(r.cfg.settingsOf(t.Agent)))
	if err != nil {
		return fmt.Errorf("bench: %s: %w", t, err)
	}
	r.update(t, 0, false)
	res, err := agent.Train(env, ag, t.Agent, agent.TrainConfig{
		Seed: t.Seed, Budget: r.cfg.Budget, StopWhenCompetent: true,
		Progress: func(p agent.EpisodePoint) { r.update(t, p.Experience, false) },
	})
	if err != nil {
		return fmt.Errorf("bench: %s: %w", t, err)
	}
	if err := r.store.Append(newRecord(t, r.cfg, res)); err != nil {
		return err
	}
	r.update(t, res.Experience, true)
	return nil
}

// CheckAgents builds each agent of the sweep once for each shape of image its pixel
// observations have, on the sweep's first environment, and returns an error naming the first
// agent and observation it cannot build, so that such a sweep is refused before it trains
// rather than failing at that pair's first trial. Agents of the state are not built: every
// agent learns from states. Nor is an agent built again for observations that differ only
// in their distractor, which changes what the images show but not their shape.
func CheckAgents(cfg Config) error {
	if len(cfg.Envs) == 0 {
		return nil
	}
	type built struct {
		agent string
		shape envs.PixelConfig
	}
	done := map[built]bool{}
	for _, a := range cfg.Agents {
		for _, o := range cfg.observations() {
			pix, err := envs.ParseObservation(o)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			if pix == nil {
				continue
			}
			shape := *pix
			shape.Distract = envs.NoDistractor
			if done[built{a, shape}] {
				continue
			}
			done[built{a, shape}] = true
			env, err := makeEnv(Trial{Env: cfg.Envs[0], Agent: a, Observation: o}, cfg.Params)
			if err == nil {
				// Built one at a time: a learner of images allocates its training buffers whole.
				_, err = agent.New(a, env, 0)
			}
			if err != nil {
				return fmt.Errorf("bench: agent %s cannot learn from %s on %s: %w", a, o, cfg.Envs[0], err)
			}
		}
	}
	return nil
}

// makeEnv returns the environment of trial t with the given parameters, observed as t
// says.
func makeEnv(t Trial, params map[string]float64) (envs.Env, error) {
	pix, err := envs.ParseObservation(t.Observed())
	if err != nil {
		return nil, err
	}
	env, err := envs.Make(t.Env, envs.WithParams(params))
	if err != nil {
		return nil, err
	}
	return envs.Observe(env, pix)
}

// newRecord returns the record of a finished trial.
func newRecord(t Trial, cfg Config, res agent.TrainResult) Record {
	rt := 0.0
	if res.Wall > 0 {
		rt = res.Experience / res.Wall
	}
	return Record{Trial: t, Budget: cfg.Budget.Seconds(), Competent: res.Competent, TTC: res.TTC,
		Concurrent: res.Concurrent, Settings: res.Settings, Experience: res.Experience, Wall: res.Wall, RealTime: rt, Episodes: res.Episodes,
		Curve: res.Curve, Version: version(), Platform: platform()}
}

// update records a trial's progress and reports it.
func (r *runner) update(t Trial, experience float64, finished bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if finished {
		delete(r.running, t)
		r.state.Done++
	} else {
		r.running[t] = experience
	}
	if r.progress == nil {
		return
	}
	p := r.state
	p.Elapsed = time.Since(r.start)
	for tr, x := range r.running {
		p.Running = append(p.Running, Running{Trial: tr, Experience: x})
	}
	slices.SortFunc(p.Running, func(a, b Running) int { return compareTrials(r.cfg, a.Trial, b.Trial) })
	r.progress(p)
}

// fail keeps the first error.
func (r *runner) fail(err error) {
	if err == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

// failed reports whether a trial has failed.
func (r *runner) failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err != nil
}

// compareTrials orders trials as the sweep lists them.
func compareTrials(cfg Config, a, b Trial) int {
	obs := cfg.observations()
	key := func(t Trial) [4]int {
		return [4]int{slices.Index(cfg.Envs, t.Env), slices.Index(cfg.Agents, t.Agent), slices.Index(obs, t.Observed()), int(t.Seed)}
	}
	ka, kb := key(a), key(b)
	for i := range ka {
		if ka[i] != kb[i] {
			return ka[i] - kb[i]
		}
	}
	return 0
}

// version returns the module version that built the binary, or its VCS revision.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
			v = s.Value
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v
}

// platform describes the machine a record was made on.
func platform() string {
	return fmt.Sprintf("%s/%s %s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.Version(), runtime.NumCPU())
}
