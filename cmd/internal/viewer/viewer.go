//go:build (cgo || js) && !noviewer

package viewer

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/cmd/internal/live"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/safefile"
)

// Options configures the window.
type Options struct {
	// Width and Height are the window's starting size in pixels.
	Width, Height int
	// Screenshot, when not empty, makes the viewer run Frames frames, write the last one to
	// this PNG file, and quit.
	Screenshot string
	Frames     int
	// Log receives one line per screenshot saved and the frame-time summary at the end.
	Log io.Writer
	// Drawn, when not nil, receives the frame of the leftmost pane after every Draw, as a
	// web page shows where the learner stands in its title.
	Drawn func(f *live.Frame)
}

// Run opens the window on a session of each configuration, side by side (a race when there
// are several), and runs until the person quits or, with Options.Screenshot, the frames are
// done. It returns an error if a session cannot start, the window cannot open (no display),
// or a screenshot cannot be written.
func Run(cfgs []live.Config, opt Options) error {
	g, err := newGame(opt)
	if err != nil {
		return err
	}
	if err := g.start(cfgs); err != nil {
		return err
	}
	return g.run()
}

// RunLesson is Run for a lesson, opened at its step k (counted from 0): the keys of
// NextStep and PreviousStep move through its steps, each shown with its caption.
func RunLesson(l *assets.Lesson, k int, opt Options) error {
	g, err := newGame(opt)
	if err != nil {
		return err
	}
	g.lesson = l
	if g.showStep(k); g.err != nil {
		g.closePanes()
		return g.err
	}
	return g.run()
}

// newGame checks that a window of the size asked for fits the screen and loads the font.
func newGame(opt Options) (*game, error) {
	if w, h := ebiten.Monitor().Size(); runtime.GOOS != "js" && w > 0 && h > 0 && (opt.Width > w || opt.Height > h) { // a page's canvas fits it
		return nil, fmt.Errorf("%w: a %dx%d window on a %dx%d screen; choose a smaller --size", ErrWindowTooLarge, opt.Width, opt.Height, w, h)
	}
	face, err := text.NewGoTextFaceSource(assets.Font())
	if err != nil {
		return nil, fmt.Errorf("viewer: font: %w", err)
	}
	return &game{opt: opt, font: face, imagine: true, plots: true}, nil
}

// run opens the window on the game's panes and runs it until it ends, closing the panes.
func (g *game) run() error {
	defer g.closePanes()
	icon, err := assets.Icon()
	if err != nil {
		return fmt.Errorf("viewer: %w", err)
	}
	ebiten.SetWindowIcon([]image.Image{icon})
	ebiten.SetWindowSize(g.opt.Width, g.opt.Height)
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	if err := ebiten.RunGame(g); err != nil && !errors.Is(err, ebiten.Termination) {
		return fmt.Errorf("viewer: %w", err)
	}
	if g.err != nil {
		return g.err
	}
	if g.opt.Log != nil {
		fmt.Fprintf(g.opt.Log, "%d frames; Update+Draw took %.2f ms per frame on average, %.2f ms at most\n",
			g.frames, g.cost.mean(), g.cost.worst)
	}
	return nil
}

// ErrWindowTooLarge is returned, wrapped, by Run for a window larger than the screen, which
// some window systems never show.
var ErrWindowTooLarge = errors.New("the window does not fit the screen")

// game is the ebiten.Game of the viewer.
type game struct {
	panes []*pane // one per agent, left to right
	opt   Options
	font  *text.GoTextFaceSource

	imagine, plots, help, human bool
	arrows                      []float64 // the last action sent while taking over
	dragging                    *pane     // the pane whose body the mouse holds, or nil
	frames                      int
	shot                        string // a screenshot to write at the next Draw
	err                         error
	cost                        frameCost
	updateTook                  time.Duration

	lesson *assets.Lesson // the lesson shown, or nil
	step   int            // its step shown
	// learnUntil is the experience in seconds the step's learners gather at full speed
	// before it runs at its own speed, or 0 once they have.
	learnUntil float64
}

// pane is one agent's session and where the window shows it.
type pane struct {
	cfg        live.Config
	session    *live.Session
	view       live.Viewport // where the last frame drew the scene
	sight      *show.Sight   // the sight drawn into sightImage
	sightImage *ebiten.Image // the inset of the last frame's sight
}

// start replaces the panes with a session of each configuration, and titles the window.
// It returns an error, keeping the panes there were, if a session cannot start.
func (g *game) start(cfgs []live.Config) error {
	panes := make([]*pane, 0, len(cfgs))
	for _, cfg := range cfgs {
		s, err := live.Start(cfg)
		if err != nil {
			for _, p := range panes {
				p.session.Close()
			}
			return err
		}
		panes = append(panes, &pane{cfg: cfg, session: s})
	}
	g.closePanes()
	g.panes, g.human, g.arrows, g.dragging = panes, false, nil, nil
	ebiten.SetWindowTitle("Foresight · " + live.RaceTitle(cfgs))
	return nil
}

// closePanes stops every pane's session.
func (g *game) closePanes() {
	for _, p := range g.panes {
		p.session.Close()
	}
}

// configs returns the panes' configurations.
func (g *game) configs() []live.Config {
	cfgs := make([]live.Config, len(g.panes))
	for i, p := range g.panes {
		cfgs[i] = p.cfg
	}
	return cfgs
}

// frameCost accumulates the time Update and Draw take per frame, measured on the wall
// clock: a frame whose thread is preempted counts the wait.
type frameCost struct {
	total, worst float64 // milliseconds
	n            int
}

func (c *frameCost) add(d time.Duration) {
	ms := float64(d) / float64(time.Millisecond)
	c.total += ms
	c.worst = max(c.worst, ms)
	c.n++
}

func (c *frameCost) mean() float64 {
	if c.n == 0 {
		return 0
	}
	return c.total / float64(c.n)
}

// Layout draws at the window's size in device pixels.
func (g *game) Layout(w, h int) (int, int) { return w, h }

// Update handles input; the session learns on its own goroutine.
func (g *game) Update() error {
	start := time.Now()
	defer func() { g.updateTook = time.Since(start) }()
	if g.err != nil || (g.opt.Screenshot != "" && g.frames > g.opt.Frames) {
		return ebiten.Termination
	}
	for _, k := range inpututil.AppendJustPressedKeys(nil) {
		if err := g.do(live.KeyAction(k.String())); err != nil {
			return err
		}
	}
	if inpututil.IsKeyJustPressed(ebiten.KeyTab) && g.lesson == nil { // a lesson's steps say what runs
		g.switchEnv()
	}
	if g.human {
		g.steer()
	}
	g.mouse()
	g.learnDone()
	return nil
}

// showStep shows step k of the lesson: the sessions it runs, started afresh unless they
// are the ones already running, and its settings. It sets g.err if a session cannot start.
func (g *game) showStep(k int) {
	cfgs, err := live.StepConfigs(g.lesson, k)
	if err != nil {
		g.err = err
		return
	}
	if !live.SameRun(g.configs(), cfgs) {
		if err := g.start(cfgs); err != nil {
			g.err = err
			return
		}
	}
	s := g.lesson.Steps[k]
	g.step, g.imagine, g.plots = k, s.Imagine, s.Plots
	g.learnUntil = s.Learn.Seconds()
	speed := cfgs[0].Speed
	if g.learnUntil > 0 {
		speed = math.Inf(1)
	}
	g.each(func(ss *live.Session) {
		ss.SetCandidates(s.Candidates)
		ss.SetSpeed(speed)
	})
	ebiten.SetWindowTitle("Foresight · " + g.lesson.Title)
}

// learnDone sets the lesson's step to its own speed once every learner has gathered the
// experience the step asks for, or stopped.
func (g *game) learnDone() {
	if g.learnUntil == 0 {
		return
	}
	for _, p := range g.panes {
		if f := p.session.Frame(); f.Experience < g.learnUntil && f.Err == nil {
			return
		}
	}
	g.learnUntil = 0
	cfgs, _ := live.StepConfigs(g.lesson, g.step)
	g.each(func(s *live.Session) { s.SetSpeed(cfgs[0].Speed) })
}

// mouse lets the person drag bodies about with the left button, in the pane pressed on.
func (g *game) mouse() {
	cx, cy := ebiten.CursorPosition()
	x, y := float64(cx), float64(cy)
	switch {
	case inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft):
		for _, p := range g.panes {
			if a := p.view.Area; x >= a.X && x < a.X+a.W && y >= a.Y && y < a.Y+a.H {
				p.session.Grab(p.view.ToWorld(x, y))
				g.dragging = p
			}
		}
	case inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft) && g.dragging != nil:
		g.dragging.session.Release()
		g.dragging = nil
	case g.dragging != nil:
		g.dragging.session.Drag(g.dragging.view.ToWorld(x, y))
	}
}

// each applies f to every pane's session.
func (g *game) each(f func(*live.Session)) {
	for _, p := range g.panes {
		f(p.session)
	}
}

// do carries out a key's action, on every pane's session alike.
func (g *game) do(a live.Action) error {
	f := g.panes[0].session.Frame()
	switch a {
	case live.TogglePause:
		g.each((*live.Session).TogglePause)
	case live.StepOnce:
		g.each((*live.Session).Step)
	case live.Slower:
		g.each(func(s *live.Session) { s.SetSpeed(live.Shift(f.Speed, -1)) })
	case live.Faster:
		g.each(func(s *live.Session) { s.SetSpeed(live.Shift(f.Speed, 1)) })
	case live.ResetEpisode:
		g.each((*live.Session).ResetEpisode)
	case live.ToggleImagination:
		g.imagine = !g.imagine
	case live.ToggleCandidates:
		g.each((*live.Session).ToggleCandidates)
	case live.TogglePlots:
		g.plots = !g.plots
	case live.ToggleHelp:
		g.help = !g.help
	case live.ToggleTakeOver:
		g.human = !g.human
		g.arrows = nil
		if !g.human {
			g.each(func(s *live.Session) { s.TakeOver(nil) })
		}
	case live.Screenshot:
		if runtime.GOOS == "js" {
			return nil // a web page has no files to write; the browser takes screenshots
		}
		g.shot = fmt.Sprintf("foresight-%s-%s.png", f.Env, time.Now().Format("20060102-150405"))
	case live.NextStep:
		if g.lesson != nil && g.step+1 < len(g.lesson.Steps) {
			g.showStep(g.step + 1)
		}
	case live.PreviousStep:
		if g.lesson != nil && g.step > 0 {
			g.showStep(g.step - 1)
		}
	case live.Quit:
		return ebiten.Termination
	}
	return nil
}

// steer sends the arrow keys as the action, to every pane alike, while the person has
// taken over.
func (g *game) steer() {
	a := live.Arrows(g.panes[0].session.ActionDim(),
		ebiten.IsKeyPressed(ebiten.KeyArrowLeft), ebiten.IsKeyPressed(ebiten.KeyArrowRight),
		ebiten.IsKeyPressed(ebiten.KeyArrowUp), ebiten.IsKeyPressed(ebiten.KeyArrowDown))
	if g.arrows == nil || !equal(a, g.arrows) {
		g.arrows = a
		g.each(func(s *live.Session) { s.TakeOver(a) })
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// switchEnv starts the same agents, from scratch, on the next environment.
func (g *game) switchEnv() {
	cfgs := g.configs()
	ids := envs.IDs()
	next := ids[0]
	for i, id := range ids {
		if id == cfgs[0].Env {
			next = ids[(i+1)%len(ids)]
		}
	}
	speed := g.panes[0].session.Frame().Speed
	for i := range cfgs {
		cfgs[i].Env, cfgs[i].Params, cfgs[i].Speed = next, nil, speed
	}
	if err := g.start(cfgs); err != nil {
		g.err = err
	}
}

// Draw draws the latest frames, and saves a screenshot when one is due.
func (g *game) Draw(screen *ebiten.Image) {
	start := time.Now()
	frames := make([]*live.Frame, len(g.panes))
	for i, p := range g.panes {
		frames[i] = p.session.Frame()
	}
	b := screen.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	screen.Fill(frames[0].Scene.Background)
	scene := live.Rect{W: w, H: h}
	if g.plots {
		scene.W = math.Round(w * 0.64)
	}
	var caption []string
	if g.lesson != nil {
		caption = g.captionLines()
		scene.H -= captionHeight(len(caption), scene.W)
	}
	first := live.FirstCompetent(frames)
	for i, p := range g.panes {
		area := live.Rect{X: scene.W * float64(i) / float64(len(g.panes)), W: scene.W / float64(len(g.panes)), H: scene.H}
		p.view = live.Viewport{Camera: frames[i].Scene.Camera, Area: area}
		g.drawPane(screen, p, frames[i], first[i] && len(g.panes) > 1)
	}
	if g.plots {
		plots := live.Rect{X: scene.W, W: w - scene.W, H: h}
		if len(g.panes) == 1 {
			g.drawPlots(screen, frames[0], plots)
		} else {
			g.drawRace(screen, frames, first, plots)
		}
	}
	if g.lesson != nil {
		g.drawCaption(screen, caption, live.Rect{Y: scene.H, W: scene.W, H: h - scene.H})
	}
	if g.help {
		g.drawHelp(screen, w, h)
	}
	if g.opt.Drawn != nil {
		g.opt.Drawn(frames[0])
	}
	g.frames++
	if g.frames > 2 { // the first frames include start-up work
		g.cost.add(time.Since(start) + g.updateTook)
	}
	if g.opt.Screenshot != "" && g.frames == g.opt.Frames {
		g.shot = g.opt.Screenshot
	}
	if g.shot != "" {
		g.save(screen, g.shot)
		g.shot = ""
	}
}

// save writes the screen to path as a PNG, atomically.
func (g *game) save(screen *ebiten.Image, path string) {
	b := screen.Bounds()
	img := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	screen.ReadPixels(img.Pix)
	err := safefile.Write(path, func(w io.Writer) error { return png.Encode(w, img) })
	if err != nil {
		g.err = fmt.Errorf("viewer: screenshot %s: %w", path, err)
		return
	}
	if g.opt.Log != nil {
		fmt.Fprintf(g.opt.Log, "wrote %s (%dx%d)\n", path, b.Dx(), b.Dy())
	}
}
