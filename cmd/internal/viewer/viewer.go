//go:build cgo && !noviewer

package viewer

import (
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
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
}

// Run opens the window on a session of cfg and runs until the person quits or, with
// Options.Screenshot, the frames are done. It returns an error if the session cannot start,
// the window cannot open (no display), or a screenshot cannot be written.
func Run(cfg live.Config, opt Options) error {
	if w, h := ebiten.Monitor().Size(); w > 0 && h > 0 && (opt.Width > w || opt.Height > h) {
		return fmt.Errorf("%w: a %dx%d window on a %dx%d screen; choose a smaller --size", ErrWindowTooLarge, opt.Width, opt.Height, w, h)
	}
	s, err := live.Start(cfg)
	if err != nil {
		return err
	}
	face, err := text.NewGoTextFaceSource(assets.Font())
	if err != nil {
		s.Close()
		return fmt.Errorf("viewer: font: %w", err)
	}
	icon, err := assets.Icon()
	if err != nil {
		s.Close()
		return fmt.Errorf("viewer: %w", err)
	}
	ebiten.SetWindowIcon([]image.Image{icon})
	g := &game{cfg: cfg, session: s, opt: opt, font: face, imagine: true, plots: true}
	defer func() { g.session.Close() }()
	ebiten.SetWindowSize(opt.Width, opt.Height)
	ebiten.SetWindowTitle("Foresight · " + cfg.String())
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	if err := ebiten.RunGame(g); err != nil && !errors.Is(err, ebiten.Termination) {
		return fmt.Errorf("viewer: %w", err)
	}
	if g.err != nil {
		return g.err
	}
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "%d frames; Update+Draw took %.2f ms per frame on average, %.2f ms at most\n",
			g.frames, g.cost.mean(), g.cost.worst)
	}
	return nil
}

// ErrWindowTooLarge is returned, wrapped, by Run for a window larger than the screen, which
// some window systems never show.
var ErrWindowTooLarge = errors.New("the window does not fit the screen")

// game is the ebiten.Game of the viewer.
type game struct {
	cfg     live.Config
	session *live.Session
	opt     Options
	font    *text.GoTextFaceSource

	imagine, plots, help, human bool
	arrows                      []float64     // the last action sent while taking over
	view                        live.Viewport // where the last frame drew the scene
	dragging                    bool
	frames                      int
	shot                        string // a screenshot to write at the next Draw
	err                         error
	cost                        frameCost
	updateTook                  time.Duration
	sight                       *show.Sight   // the sight drawn into sightImage
	sightImage                  *ebiten.Image // the inset of the last frame's sight
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
	if inpututil.IsKeyJustPressed(ebiten.KeyTab) {
		g.switchEnv()
	}
	if g.human {
		g.steer()
	}
	g.mouse()
	return nil
}

// mouse lets the person drag bodies about with the left button.
func (g *game) mouse() {
	x, y := ebiten.CursorPosition()
	p := g.view.ToWorld(float64(x), float64(y))
	a := g.view.Area
	inside := float64(x) >= a.X && float64(x) < a.X+a.W && float64(y) >= a.Y && float64(y) < a.Y+a.H
	switch {
	case inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) && inside:
		g.session.Grab(p)
		g.dragging = true
	case inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft) && g.dragging:
		g.session.Release()
		g.dragging = false
	case g.dragging:
		g.session.Drag(p)
	}
}

// do carries out a key's action.
func (g *game) do(a live.Action) error {
	f := g.session.Frame()
	switch a {
	case live.TogglePause:
		g.session.TogglePause()
	case live.StepOnce:
		g.session.Step()
	case live.Slower:
		g.session.SetSpeed(live.Shift(f.Speed, -1))
	case live.Faster:
		g.session.SetSpeed(live.Shift(f.Speed, 1))
	case live.ResetEpisode:
		g.session.ResetEpisode()
	case live.ToggleImagination:
		g.imagine = !g.imagine
	case live.ToggleCandidates:
		g.session.ToggleCandidates()
	case live.TogglePlots:
		g.plots = !g.plots
	case live.ToggleHelp:
		g.help = !g.help
	case live.ToggleTakeOver:
		g.human = !g.human
		g.arrows = nil
		if !g.human {
			g.session.TakeOver(nil)
		}
	case live.Screenshot:
		g.shot = fmt.Sprintf("foresight-%s-%s.png", g.cfg.Env, time.Now().Format("20060102-150405"))
	case live.Quit:
		return ebiten.Termination
	}
	return nil
}

// steer sends the arrow keys as the action while the person has taken over.
func (g *game) steer() {
	a := live.Arrows(g.session.ActionDim(),
		ebiten.IsKeyPressed(ebiten.KeyArrowLeft), ebiten.IsKeyPressed(ebiten.KeyArrowRight),
		ebiten.IsKeyPressed(ebiten.KeyArrowUp), ebiten.IsKeyPressed(ebiten.KeyArrowDown))
	if g.arrows == nil || !equal(a, g.arrows) {
		g.arrows = a
		g.session.TakeOver(a)
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

// switchEnv starts the same agent, from scratch, on the next environment.
func (g *game) switchEnv() {
	ids := envs.IDs()
	next := ids[0]
	for i, id := range ids {
		if id == g.cfg.Env {
			next = ids[(i+1)%len(ids)]
		}
	}
	cfg := g.cfg
	cfg.Env, cfg.Params = next, nil
	cfg.Speed = g.session.Frame().Speed
	s, err := live.Start(cfg)
	if err != nil {
		g.err = err
		return
	}
	g.session.Close()
	g.session, g.cfg, g.human, g.arrows = s, cfg, false, nil
	ebiten.SetWindowTitle("Foresight · " + cfg.String())
}

// Draw draws the latest frame, and saves a screenshot when one is due.
func (g *game) Draw(screen *ebiten.Image) {
	start := time.Now()
	f := g.session.Frame()
	b := screen.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	screen.Fill(f.Scene.Background)
	scene := live.Rect{W: w, H: h}
	if g.plots {
		scene.W = math.Round(w * 0.64)
	}
	view := live.Viewport{Camera: f.Scene.Camera, Area: scene}
	g.view = view
	drawScene(screen, view, f, g.imagine, g.font)
	g.drawSight(screen, f, scene)
	g.drawHUD(screen, f, scene)
	if g.plots {
		g.drawPlots(screen, f, live.Rect{X: scene.W, W: w - scene.W, H: h})
	}
	if g.help {
		g.drawHelp(screen, w, h)
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
