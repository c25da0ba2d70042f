package live

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/internal/slowtest"
	"github.com/foresight-sim/foresight/sim"
)

const (
	pendulum = "Pendulum-v0"
	// controlDT is Pendulum-v0's control step in seconds.
	controlDT = 0.05
	// patience is how long a test waits for a session to get somewhere before failing.
	patience = 10 * time.Second
)

// start starts a session and closes it when the test ends.
func start(t *testing.T, cfg Config) *Session {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start(%v): %v", cfg, err)
	}
	t.Cleanup(s.Close)
	return s
}

// waitFor polls the session's frames until cond holds for one, and returns that frame; it
// fails the test, naming what it waited for, if none does within timeout.
func waitFor(t *testing.T, s *Session, timeout time.Duration, what string, cond func(f *Frame) bool) *Frame {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		f := s.Frame()
		if f.Err != nil {
			t.Fatalf("waiting for %s: session stopped: %v", what, f.Err)
		}
		if cond(f) {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("no frame with %s within %v; last frame: experience %.2f s, %d episodes, episode length %d, paused %v",
				what, timeout, f.Experience, f.Episodes, f.Episode.Length, f.Paused)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stepAndWait asks a paused session for one step and waits until the episode under way has
// grown by it (or a new one has begun).
func stepAndWait(t *testing.T, s *Session) *Frame {
	t.Helper()
	before := s.Frame()
	s.Step()
	return waitFor(t, s, patience, "the step taken", func(f *Frame) bool {
		return f.Experience != before.Experience || f.Episodes != before.Episodes || f.Episode.Length != before.Episode.Length
	})
}

// layerShapes returns the shapes on layer.
func layerShapes(shapes []sim.Shape, layer int) []sim.Shape {
	var out []sim.Shape
	for _, sh := range shapes {
		if sh.Layer == layer {
			out = append(out, sh)
		}
	}
	return out
}

// TestStartErrors checks that a session that cannot be built is an error, not a session.
func TestStartErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"unknown env", Config{Env: "NoSuchEnv-v0", Agent: "random", Seed: 1, Speed: 1}},
		{"empty env", Config{Env: "", Agent: "random", Seed: 1, Speed: 1}},
		{"unknown agent", Config{Env: pendulum, Agent: "nobody", Seed: 1, Speed: 1}},
		{"empty agent", Config{Env: pendulum, Agent: "", Seed: 1, Speed: 1}},
		{"bad observation", Config{Env: pendulum, Agent: "random", Observation: "pixels 0x0", Seed: 1, Speed: 1}},
		{"pets on pixels", Config{Env: pendulum, Agent: "pets", Observation: "pixels 48x48", Seed: 1, Speed: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Start(c.cfg)
			if err == nil {
				s.Close()
				t.Fatalf("Start(%v) = nil error, want one", c.cfg)
			}
			if s != nil {
				t.Errorf("Start(%v) returned a session with error %v", c.cfg, err)
			}
		})
	}
}

// TestSessionPixels checks that a session of an agent observing pixels publishes what it
// sees, and names the observation in its frames and its description.
func TestSessionPixels(t *testing.T) {
	cfg := Config{Env: pendulum, Agent: "random", Observation: "pixels 48x48 shapes", Seed: 1, Speed: math.Inf(1)}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	f := waitFor(t, s, patience, "a second of experience", func(f *Frame) bool { return f.Experience >= 1 })
	if f.Sight == nil || len(f.Sight.Frames) != 1 || f.Sight.Frames[0].Bounds().Dx() != 48 {
		t.Fatalf("sight %+v, want the 48×48 frame the agent sees", f.Sight)
	}
	if f.Observation != cfg.Observation || !strings.Contains(HUD(f)[0], "pixels 48x48 shapes") || !strings.Contains(cfg.String(), "pixels 48x48 shapes") {
		t.Errorf("observation %q, HUD %q, description %q", f.Observation, HUD(f)[0], cfg.String())
	}
}

// TestSessionRuns runs a random agent as fast as possible and checks the frames it
// publishes: experience gathered, finished episodes on the curve, a scene to draw, no
// imagined future, and the configuration echoed.
func TestSessionRuns(t *testing.T) {
	cfg := Config{Env: pendulum, Agent: "random", Seed: 1, Speed: math.Inf(1)}
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closeOnce := func() { once.Do(s.Close) }
	t.Cleanup(closeOnce)
	if s.ActionDim() != 1 {
		t.Errorf("ActionDim = %d, want 1 for the pendulum", s.ActionDim())
	}
	f := waitFor(t, s, patience, "20 s of experience", func(f *Frame) bool { return f.Experience >= 20 })
	if f.Env != cfg.Env || f.Agent != cfg.Agent || f.Seed != cfg.Seed {
		t.Errorf("frame of %s · %s · %d, want %v", f.Env, f.Agent, f.Seed, cfg)
	}
	if f.Paused || !math.IsInf(f.Speed, 1) || f.Human {
		t.Errorf("frame paused %v, speed %v, human %v: want running as fast as possible, by the agent", f.Paused, f.Speed, f.Human)
	}
	if f.Episodes < 2 {
		t.Errorf("%d episodes after %.1f s of 10 s episodes, want at least 2", f.Episodes, f.Experience)
	}
	if len(f.Curve) != f.Episodes {
		t.Errorf("%d points on the curve for %d episodes", len(f.Curve), f.Episodes)
	}
	for i, p := range f.Curve {
		if p.Episode != i || p.Length != 200 || !near(p.Experience, float64(i+1)*10) {
			t.Errorf("curve point %d = %+v, want episode %d of 200 steps ending at %d s", i, p, i, (i+1)*10)
		}
	}
	if n := len(f.Curve); n > 0 && (!f.HasLast || f.LastReturn != f.Curve[n-1].Return) {
		t.Errorf("last return %v (has %v), want the curve's last %v", f.LastReturn, f.HasLast, f.Curve[n-1].Return)
	}
	if want := f.Experience - float64(f.Episodes)*10; !near(f.Episode.Seconds, want) {
		t.Errorf("episode under way lasted %v s, want %v s (experience less finished episodes)", f.Episode.Seconds, want)
	}
	if len(f.Scene.Shapes) == 0 || len(layerShapes(f.Scene.Shapes, sim.LayerBody)) == 0 {
		t.Errorf("scene of %d shapes, none of them a body", len(f.Scene.Shapes))
	}
	if f.Scene.Camera.Width <= 0 {
		t.Errorf("scene camera %+v: want a positive width", f.Scene.Camera)
	}
	if f.Ghosts != nil {
		t.Errorf("%d ghosts of a random agent, want nil", len(f.Ghosts))
	}
	if f.HasModel || f.Losses != nil {
		t.Errorf("random agent with a model (%v) or losses (%d)", f.HasModel, len(f.Losses))
	}
	if f.Competent != nil || f.Evaluating {
		t.Errorf("random agent competent (%v) or evaluating (%v) on the pendulum", f.Competent, f.Evaluating)
	}
	if !(f.RealTime > 0) {
		t.Errorf("real-time factor %v while running, want positive", f.RealTime)
	}
	closed := make(chan struct{})
	go func() { closeOnce(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(patience):
		t.Fatal("Close did not return")
	}
	if s.Frame() == nil {
		t.Error("no frame after Close")
	}
}

// TestSessionClose checks that Close returns promptly whatever the session is doing:
// paused, waiting to keep pace, or running flat out.
func TestSessionClose(t *testing.T) {
	for _, c := range []struct {
		name  string
		speed float64
	}{
		{"paused", 0},
		{"slow", 0.5},
		{"max", math.Inf(1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Start(Config{Env: pendulum, Agent: "random", Seed: 2, Speed: c.speed})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(20 * time.Millisecond)
			begin := time.Now()
			closed := make(chan struct{})
			go func() { s.Close(); close(closed) }()
			select {
			case <-closed:
			case <-time.After(patience):
				t.Fatal("Close did not return")
			}
			if d := time.Since(begin); d > time.Second {
				t.Errorf("Close took %v", d)
			}
		})
	}
}

// TestSessionPauseStep checks the controls of a paused session: it stays put, Step takes
// exactly one control step and keeps it paused, and TogglePause resumes it.
func TestSessionPauseStep(t *testing.T) {
	s := start(t, Config{Env: pendulum, Agent: "random", Seed: 1, Speed: 0})
	f := s.Frame()
	if !f.Paused || f.Experience != 0 {
		t.Fatalf("first frame paused %v with %v s of experience: want paused at 0", f.Paused, f.Experience)
	}
	time.Sleep(50 * time.Millisecond)
	if f := s.Frame(); !f.Paused || f.Experience != 0 || f.Episode.Length != 0 {
		t.Fatalf("paused session moved: experience %v s, episode length %d", f.Experience, f.Episode.Length)
	}
	for i := 1; i <= 3; i++ {
		f := stepAndWait(t, s)
		if want := float64(i) * controlDT; !near(f.Experience, want) || f.Episode.Length != i {
			t.Errorf("after step %d: experience %v s, episode length %d; want %v s, %d", i, f.Experience, f.Episode.Length, want, i)
		}
		if !f.Paused {
			t.Errorf("after step %d: not paused", i)
		}
	}
	time.Sleep(30 * time.Millisecond)
	if f := s.Frame(); !near(f.Experience, 3*controlDT) {
		t.Errorf("paused session moved after stepping: experience %v s", f.Experience)
	}
	s.SetSpeed(math.Inf(1))
	s.TogglePause()
	f = waitFor(t, s, patience, "a resumed session's experience growing", func(f *Frame) bool { return !f.Paused && f.Experience > 1 })
	if !math.IsInf(f.Speed, 1) {
		t.Errorf("speed %v after SetSpeed(+Inf)", f.Speed)
	}
	s.TogglePause()
	f = waitFor(t, s, patience, "a paused frame", func(f *Frame) bool { return f.Paused })
	time.Sleep(30 * time.Millisecond)
	if g := s.Frame(); g.Experience != f.Experience {
		t.Errorf("experience went from %v to %v s after pausing", f.Experience, g.Experience)
	}
}

// TestSessionStepWhileRunning checks that Step pauses a running session.
func TestSessionStepWhileRunning(t *testing.T) {
	s := start(t, Config{Env: pendulum, Agent: "random", Seed: 1, Speed: math.Inf(1)})
	waitFor(t, s, patience, "some experience", func(f *Frame) bool { return f.Experience > 0.5 })
	s.Step()
	f := waitFor(t, s, patience, "a paused frame", func(f *Frame) bool { return f.Paused })
	time.Sleep(30 * time.Millisecond)
	if g := s.Frame(); g.Experience != f.Experience {
		t.Errorf("experience went from %v to %v s after Step paused the session", f.Experience, g.Experience)
	}
}

// TestSessionPace checks that a session at a finite speed never runs ahead of it, also after
// the speed changes and after a pause: simulated time may lag the wall clock times the speed
// but never lead it by more than a step.
func TestSessionPace(t *testing.T) {
	const slack = 2 * controlDT
	t.Run("steady", func(t *testing.T) {
		begin := time.Now()
		s := start(t, Config{Env: pendulum, Agent: "random", Seed: 1, Speed: 4})
		for range 100 {
			f := s.Frame()
			if limit := 4*time.Since(begin).Seconds() + slack; f.Experience > limit {
				t.Fatalf("experience %.2f s after %v at ×4", f.Experience, time.Since(begin))
			}
			time.Sleep(2 * time.Millisecond)
		}
		if f := s.Frame(); f.Experience == 0 || f.Paused {
			t.Errorf("experience %v s, paused %v after 200 ms at ×4", f.Experience, f.Paused)
		}
	})
	t.Run("faster", func(t *testing.T) {
		begin := time.Now()
		s := start(t, Config{Env: pendulum, Agent: "random", Seed: 1, Speed: 1})
		time.Sleep(300 * time.Millisecond)
		changed := time.Now()
		s.SetSpeed(16)
		for range 25 {
			f := s.Frame()
			limit := changed.Sub(begin).Seconds() + 16*time.Since(changed).Seconds() + slack
			if f.Experience > limit {
				t.Fatalf("experience %.2f s %v after going from ×1 to ×16 at %v, want at most %.2f s",
					f.Experience, time.Since(changed), changed.Sub(begin), limit)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	t.Run("resume", func(t *testing.T) {
		s := start(t, Config{Env: pendulum, Agent: "random", Seed: 1, Speed: 0})
		s.SetSpeed(8)
		time.Sleep(300 * time.Millisecond)
		resumed := time.Now()
		s.TogglePause()
		for range 25 {
			f := s.Frame()
			if limit := 8*time.Since(resumed).Seconds() + slack; f.Experience > limit {
				t.Fatalf("experience %.2f s %v after resuming at ×8 (after 300 ms paused), want at most %.2f s",
					f.Experience, time.Since(resumed), limit)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
}

// TestSessionResetEpisode checks that ResetEpisode ends the episode under way early and
// puts it on the curve, its experience counted.
func TestSessionResetEpisode(t *testing.T) {
	s := start(t, Config{Env: pendulum, Agent: "random", Seed: 3, Speed: math.Inf(1)})
	waitFor(t, s, patience, "an episode finished", func(f *Frame) bool { return f.Episodes >= 1 })
	s.TogglePause()
	f := waitFor(t, s, patience, "a paused frame", func(f *Frame) bool { return f.Paused })
	for f.Episode.Length == 0 { // between episodes: begin the next
		f = stepAndWait(t, s)
	}
	for range 3 {
		f = stepAndWait(t, s)
	}
	before := f
	s.ResetEpisode()
	f = waitFor(t, s, patience, "the episode ended", func(f *Frame) bool { return f.Episodes == before.Episodes+1 })
	if !f.Paused {
		t.Error("ResetEpisode resumed the session")
	}
	if f.Experience != before.Experience {
		t.Errorf("experience %v s after ending the episode, was %v s: want it kept", f.Experience, before.Experience)
	}
	if f.Episode.Length != 0 {
		t.Errorf("episode under way of %d steps right after ending one, want none", f.Episode.Length)
	}
	t.Run("curve at once", func(t *testing.T) {
		if len(f.Curve) != f.Episodes {
			t.Fatalf("the frame counts %d episodes but its curve holds %d", f.Episodes, len(f.Curve))
		}
		checkLast(t, f, before)
	})
	// The next step refreshes the curve in any case.
	f = stepAndWait(t, s)
	if len(f.Curve) != f.Episodes {
		t.Fatalf("%d points on the curve for %d episodes", len(f.Curve), f.Episodes)
	}
	checkLast(t, f, before)
}

// checkLast checks that the last point of f's curve is the episode that before shows under
// way, cut short.
func checkLast(t *testing.T, f, before *Frame) {
	t.Helper()
	last := f.Curve[len(f.Curve)-1]
	if last.Length != before.Episode.Length || last.Length >= 200 {
		t.Errorf("last episode of %d steps, want the %d taken before the reset", last.Length, before.Episode.Length)
	}
	if last.Return != before.Episode.Return || !near(last.Experience, before.Experience) || last.Episode != before.Episodes {
		t.Errorf("last curve point %+v; the episode ended had return %v, ended at %v s, index %d",
			last, before.Episode.Return, before.Experience, before.Episodes)
	}
	if !f.HasLast || f.LastReturn != last.Return {
		t.Errorf("last return %v (has %v), want %v", f.LastReturn, f.HasLast, last.Return)
	}
}

// TestSessionTakeOver checks that a person's action replaces the agent's: two paused
// sessions of the zero agent on the same seed, one taken over with full torque, part ways;
// and that handing back shows in the frame.
func TestSessionTakeOver(t *testing.T) {
	cfg := Config{Env: pendulum, Agent: "zero", Seed: 4, Speed: 0}
	agentRun, human := start(t, cfg), start(t, cfg)
	human.TakeOver([]float64{1})
	waitFor(t, human, patience, "a person in control", func(f *Frame) bool { return f.Human })
	if agentRun.Frame().Human {
		t.Error("a session nobody took over says a person has control")
	}
	const steps = 10
	var fa, fh *Frame
	for range steps {
		fa, fh = stepAndWait(t, agentRun), stepAndWait(t, human)
	}
	if fa.Episode.Length != steps || fh.Episode.Length != steps {
		t.Fatalf("episodes of %d and %d steps, want %d", fa.Episode.Length, fh.Episode.Length, steps)
	}
	ba, bh := layerShapes(fa.Scene.Shapes, sim.LayerBody), layerShapes(fh.Scene.Shapes, sim.LayerBody)
	if len(ba) == 0 || len(ba) != len(bh) {
		t.Fatalf("%d and %d bodies drawn", len(ba), len(bh))
	}
	if sameShapes(ba, bh) {
		t.Error("full torque from the person left the pendulum where the zero agent left it")
	}
	if fa.Episode.Return == fh.Episode.Return {
		t.Errorf("same return %v with and without the person's torque", fa.Episode.Return)
	}
	human.TakeOver(nil)
	waitFor(t, human, patience, "the agent back in control", func(f *Frame) bool { return !f.Human })
}

// sameShapes reports whether a and b draw the same.
func sameShapes(a, b []sim.Shape) bool {
	return slices.EqualFunc(a, b, func(x, y sim.Shape) bool {
		return x.Kind == y.Kind && x.Center == y.Center && x.Radius == y.Radius && slices.Equal(x.Points, y.Points)
	})
}

// TestSessionControlsConcurrently presses every control from several goroutines while the
// session runs flat out and frames are read, for the race detector, and checks the session
// survives it.
func TestSessionControlsConcurrently(t *testing.T) {
	s := start(t, Config{Env: pendulum, Agent: "random", Seed: 5, Speed: math.Inf(1)})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	controls := []func(i int){
		func(int) { s.TogglePause() },
		func(int) { s.Step() },
		func(i int) { s.SetSpeed(Speeds[i%len(Speeds)]) },
		func(i int) {
			if i%3 == 0 {
				s.TakeOver(nil)
			} else {
				s.TakeOver(Arrows(s.ActionDim(), i%2 == 0, i%2 == 1, false, false))
			}
		},
		func(i int) {
			if i%20 == 0 {
				s.ResetEpisode()
			}
		},
		func(int) {
			f := s.Frame()
			_ = HUD(f)
			for _, sh := range f.Scene.Shapes {
				_ = slices.Clone(sh.Points)
			}
			_ = slices.Clone(f.Curve)
			_ = slices.Clone(f.Losses)
		},
	}
	for _, c := range controls {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c(i)
				time.Sleep(time.Millisecond)
			}
		})
	}
	time.Sleep(150 * time.Millisecond)
	close(stop)
	wg.Wait()
	// Let the session drain its queue, which drops commands when full, then give commands
	// that take effect in order: whatever came before, they leave it running flat out, by
	// the agent.
	time.Sleep(20 * time.Millisecond)
	s.Step()
	s.SetSpeed(math.Inf(1))
	s.TakeOver(nil)
	s.TogglePause()
	before := s.Frame().Experience
	waitFor(t, s, patience, "the session running again", func(f *Frame) bool {
		return f.Experience > before+1 && !f.Paused && !f.Human && math.IsInf(f.Speed, 1)
	})
}

// TestSessionOracleImagines checks that the oracle's plan shows as ghosts: bodies drawn at
// each step ahead.
func TestSessionOracleImagines(t *testing.T) {
	s := start(t, Config{Env: pendulum, Agent: "oracle", Seed: 1, Speed: 0})
	if g := s.Frame().Ghosts; g != nil {
		t.Errorf("%d ghosts before the oracle planned, want nil", len(g))
	}
	s.Step()
	f := waitFor(t, s, patience, "ghosts", func(f *Frame) bool { return len(f.Ghosts) > 0 })
	if f.Episode.Length != 1 {
		t.Errorf("ghosts shown with an episode of %d steps, want 1", f.Episode.Length)
	}
	checkGhosts(t, f)
}

// checkGhosts checks that every ghost step draws bodies, and only bodies and joints.
func checkGhosts(t *testing.T, f *Frame) {
	t.Helper()
	for i, step := range f.Ghosts {
		if len(layerShapes(step, sim.LayerBody)) == 0 {
			t.Errorf("ghost step %d of %d has no body", i, len(f.Ghosts))
		}
		for _, sh := range step {
			if sh.Layer != sim.LayerBody && sh.Layer != sim.LayerJoint {
				t.Errorf("ghost step %d has a shape on layer %d", i, sh.Layer)
			}
		}
	}
	if len(f.Ghosts) > 1 && sameShapes(f.Ghosts[0], f.Ghosts[len(f.Ghosts)-1]) {
		t.Errorf("the pendulum stands still over %d imagined steps", len(f.Ghosts))
	}
}

// TestSessionJEPASlow checks that a learning agent shows what it learns: after the seed
// phase it trains its model, whose losses the frames carry, imagines its plans as ghosts,
// and shows the candidate plans it weighed, coloured by value. It trains for several seconds, several times longer under the race detector,
// where the oracle's test covers the ghosts.
func TestSessionJEPASlow(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a world model for several seconds")
	}
	slowtest.SkipUnderRace(t)
	s := start(t, Config{Env: pendulum, Agent: "jepa", Seed: 1, Speed: math.Inf(1), Candidates: true})
	seed := agent.DefaultModelConfig().SeedSeconds
	f := waitFor(t, s, 30*time.Second, "a trained model, ghosts and the planner's candidates", func(f *Frame) bool {
		return f.HasModel && len(f.Ghosts) > 0 && len(f.Candidates) > 0
	})
	if worst, best := f.Candidates[0], f.Candidates[len(f.Candidates)-1]; worst.Stroke == best.Stroke {
		t.Errorf("the worst and best candidates are drawn alike (%v): want them coloured by value", worst.Stroke)
	}
	if f.Experience < seed {
		t.Errorf("model trained after %v s of experience, before the %v s seed phase ended", f.Experience, seed)
	}
	if math.IsNaN(f.Model.Loss) || math.IsInf(f.Model.Loss, 0) {
		t.Errorf("model loss %v, want finite", f.Model.Loss)
	}
	checkGhosts(t, f)
	f = waitFor(t, s, 30*time.Second, "a loss on the plot", func(f *Frame) bool { return len(f.Losses) > 0 })
	for _, p := range f.Losses {
		if math.IsNaN(p.Loss) || math.IsInf(p.Loss, 0) || p.Experience < seed {
			t.Errorf("loss point %+v: want finite, after the seed phase", p)
		}
	}
}

// TestSessionHJEPASlow checks that a two-level learner's frames carry its coarse plan, as
// outlines one coarse step apart, once its coarse level has trained.
func TestSessionHJEPASlow(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a world model for several seconds")
	}
	slowtest.SkipUnderRace(t)
	s := start(t, Config{Env: pendulum, Agent: "hjepa", Seed: 1, Speed: math.Inf(1)})
	f := waitFor(t, s, 30*time.Second, "the coarse plan", func(f *Frame) bool { return len(f.Subgoals) > 0 })
	for _, sh := range f.Subgoals {
		if sh.Fill.A != 0 || sh.Stroke.A == 0 {
			t.Fatalf("a coarse plan's shape filled %v, stroked %v: want outlines", sh.Fill, sh.Stroke)
		}
	}
}

// TestFramesImmutable keeps a frame while the session runs on, and checks that nothing in
// it changes; the race detector checks that nothing it holds is written.
func TestFramesImmutable(t *testing.T) {
	s := start(t, Config{Env: pendulum, Agent: "random", Seed: 6, Speed: math.Inf(1)})
	kept := waitFor(t, s, patience, "a finished episode and an episode under way", func(f *Frame) bool {
		return f.Episodes >= 1 && f.Episode.Length > 0
	})
	want := *kept
	want.Curve = slices.Clone(kept.Curve)
	want.Scene.Shapes = slices.Clone(kept.Scene.Shapes)
	for i := range want.Scene.Shapes {
		want.Scene.Shapes[i].Points = slices.Clone(want.Scene.Shapes[i].Points)
	}
	later := waitFor(t, s, patience, "two more episodes", func(f *Frame) bool { return f.Episodes >= kept.Episodes+2 })
	if later == kept {
		t.Fatal("the session published no new frame")
	}
	if kept.Experience != want.Experience || kept.Episodes != want.Episodes || kept.Episode != want.Episode {
		t.Errorf("kept frame changed: experience %v → %v, episodes %d → %d, episode %+v → %+v",
			want.Experience, kept.Experience, want.Episodes, kept.Episodes, want.Episode, kept.Episode)
	}
	if !slices.Equal(kept.Curve, want.Curve) {
		t.Errorf("kept frame's curve changed from %v to %v", want.Curve, kept.Curve)
	}
	if !sameShapes(kept.Scene.Shapes, want.Scene.Shapes) {
		t.Error("kept frame's scene changed")
	}
	if sameShapes(later.Scene.Shapes, kept.Scene.Shapes) {
		t.Error("the scene is the same two episodes later")
	}
}

// TestSessionGrab checks that dragging the cart of a paused cart-pole pulls it along, that
// the frame shows the pull, and that Release lets go.
func TestSessionGrab(t *testing.T) {
	s := start(t, Config{Env: "CartPoleSwingup-v0", Agent: "zero", Seed: 1, Speed: 0})
	f := stepAndWait(t, s)
	cart := layerShapes(f.Scene.Shapes, sim.LayerBody)[0]
	var x float64
	for _, p := range cart.Points {
		x += p.X / float64(len(cart.Points))
	}
	s.Grab(sim.V(x, 0))
	s.Drag(sim.V(x+0.6, 0))
	for range 20 {
		f = stepAndWait(t, s)
	}
	if !f.Pulling || f.PullTo != sim.V(x+0.6, 0) {
		t.Errorf("frame shows pulling %v towards %v, want towards %v", f.Pulling, f.PullTo, sim.V(x+0.6, 0))
	}
	moved := layerShapes(f.Scene.Shapes, sim.LayerBody)[0].Points[0].X - cart.Points[0].X
	if moved < 0.3 {
		t.Errorf("the cart moved %.3f m in 1 s towards a pull 0.6 m away, want at least 0.3", moved)
	}
	s.Release()
	f = stepAndWait(t, s)
	if f.Pulling {
		t.Error("still pulling after Release")
	}
}
