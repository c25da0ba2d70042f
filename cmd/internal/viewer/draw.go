//go:build (cgo || js) && !noviewer

package viewer

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"
	"github.com/hajimehoshi/ebiten/v2/vector"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/live"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/sim"
)

// Colours of the viewer's own marks, chosen to read on a projector over the pale scenes.
var (
	colorInk     = color.NRGBA{40, 38, 46, 255}
	colorPanel   = color.NRGBA{255, 255, 255, 210}
	colorGrid    = color.NRGBA{0, 0, 0, 28}
	colorSuccess = color.NRGBA{40, 150, 80, 255}
	colorFailure = color.NRGBA{200, 70, 60, 255}
	colorLine    = color.NRGBA{60, 100, 170, 255}
)

// drawScene draws the frame's scene in view and, when imagine is set, the imagined future
// over it as ghosts that fade with distance into the future, and a two-level agent's coarse
// plan as outlines.
func drawScene(dst *ebiten.Image, view live.Viewport, f *live.Frame, imagine bool, font *text.GoTextFaceSource) {
	shapes := slices.Clone(f.Scene.Shapes)
	slices.SortStableFunc(shapes, func(a, b sim.Shape) int { return a.Layer - b.Layer })
	for _, sh := range shapes {
		if sh.Layer > sim.LayerJoint {
			break
		}
		drawShape(dst, view, sh, 1)
	}
	for _, sh := range f.Candidates {
		drawShape(dst, view, sh, 1)
	}
	if imagine {
		drawGhosts(dst, view, f.Ghosts)
		for _, sh := range f.Subgoals {
			drawShape(dst, view, sh, 1)
		}
	}
	for _, sh := range shapes {
		if sh.Layer > sim.LayerJoint {
			drawShape(dst, view, sh, 1)
		}
	}
	if f.Pulling {
		x, y := view.ToScreen(f.PullTo)
		vector.StrokeCircle(dst, float32(x), float32(y), 7, 2, colorInk, true)
	}
	drawScaleBar(dst, view, font)
}

// drawGhosts draws up to show.MaxGhosts evenly spaced steps of the imagined future, the
// nearest most opaque.
func drawGhosts(dst *ebiten.Image, view live.Viewport, ghosts [][]sim.Shape) {
	for _, i := range show.GhostSteps(len(ghosts)) {
		for _, sh := range ghosts[i] {
			drawShape(dst, view, sh, show.GhostAlpha(i, len(ghosts)))
		}
	}
}

// drawShape draws one shape in view with its colours' alpha scaled by alpha.
func drawShape(dst *ebiten.Image, view live.Viewport, sh sim.Shape, alpha float64) {
	fill, stroke := fade(sh.Fill, alpha), fade(sh.Stroke, alpha)
	width := float32(max(view.Length(sh.Width), 1))
	switch sh.Kind {
	case sim.Circle:
		x, y := view.ToScreen(sh.Center)
		r := float32(view.Length(sh.Radius))
		if fill.A > 0 {
			vector.DrawFilledCircle(dst, float32(x), float32(y), r, fill, true)
		}
		if stroke.A > 0 && sh.Width > 0 {
			vector.StrokeCircle(dst, float32(x), float32(y), r, width, stroke, true)
		}
	case sim.Polygon:
		var p vector.Path
		trace(&p, view, sh.Points, true)
		if fill.A > 0 {
			fillPath(dst, &p, fill)
		}
		if stroke.A > 0 && sh.Width > 0 {
			strokePath(dst, &p, width, stroke)
		}
	case sim.Line:
		var p vector.Path
		trace(&p, view, sh.Points, false)
		strokePath(dst, &p, width, stroke)
	}
}

// fade returns c with its alpha scaled by a.
func fade(c color.NRGBA, a float64) color.NRGBA {
	c.A = uint8(math.Round(float64(c.A) * a))
	return c
}

// trace adds the points, mapped to the screen, to p as one subpath.
func trace(p *vector.Path, view live.Viewport, pts []sim.Vec2, closed bool) {
	for i, pt := range pts {
		x, y := view.ToScreen(pt)
		if i == 0 {
			p.MoveTo(float32(x), float32(y))
		} else {
			p.LineTo(float32(x), float32(y))
		}
	}
	if closed {
		p.Close()
	}
}

// whitePixel is the source image of the triangles that fill and stroke paths.
var whitePixel = func() *ebiten.Image {
	img := ebiten.NewImage(1, 1)
	img.Fill(color.White)
	return img
}()

// fillPath fills p with c, anti-aliased, by the non-zero rule.
func fillPath(dst *ebiten.Image, p *vector.Path, c color.Color) {
	vs, is := p.AppendVerticesAndIndicesForFilling(nil, nil)
	drawTriangles(dst, vs, is, c, ebiten.FillRuleNonZero)
}

// strokePath strokes p with c, width pixels wide, with round caps and joins.
func strokePath(dst *ebiten.Image, p *vector.Path, width float32, c color.Color) {
	op := &vector.StrokeOptions{Width: width, LineCap: vector.LineCapRound, LineJoin: vector.LineJoinRound}
	vs, is := p.AppendVerticesAndIndicesForStroke(nil, nil, op)
	drawTriangles(dst, vs, is, c, ebiten.FillRuleFillAll)
}

// drawTriangles draws the triangles in the solid colour c.
func drawTriangles(dst *ebiten.Image, vs []ebiten.Vertex, is []uint16, c color.Color, rule ebiten.FillRule) {
	r, g, b, a := c.RGBA()
	for i := range vs {
		vs[i].SrcX, vs[i].SrcY = 0.5, 0.5
		vs[i].ColorR, vs[i].ColorG = float32(r)/0xffff, float32(g)/0xffff
		vs[i].ColorB, vs[i].ColorA = float32(b)/0xffff, float32(a)/0xffff
	}
	op := &ebiten.DrawTrianglesOptions{AntiAlias: true, FillRule: rule,
		ColorScaleMode: ebiten.ColorScaleModePremultipliedAlpha}
	dst.DrawTriangles(vs, is, whitePixel, op)
}

// drawScaleBar draws a bar of a round number of metres in the scene's lower left corner.
func drawScaleBar(dst *ebiten.Image, view live.Viewport, font *text.GoTextFaceSource) {
	metres := view.ScaleBar(view.Area.W / 5)
	if metres <= 0 {
		return
	}
	px := float32(view.Length(metres))
	x, y := float32(view.Area.X+16), float32(view.Area.Y+view.Area.H-20)
	vector.StrokeLine(dst, x, y, x+px, y, 3, colorInk, true)
	vector.StrokeLine(dst, x, y-5, x, y+5, 2, colorInk, true)
	vector.StrokeLine(dst, x+px, y-5, x+px, y+5, 2, colorInk, true)
	drawText(dst, fmt.Sprintf("%g m", metres), x+px+8, y-9, 14, colorInk, font)
}

// drawText draws s with its top left at (x, y), size pixels high.
func drawText(dst *ebiten.Image, s string, x, y float32, size float64, c color.Color, src *text.GoTextFaceSource) {
	op := &text.DrawOptions{}
	op.GeoM.Translate(float64(x), float64(y))
	op.ColorScale.ScaleWithColor(c)
	op.LineSpacing = size * 1.35
	text.Draw(dst, s, &text.GoTextFace{Source: src, Size: size}, op)
}

// drawPane draws a pane's frame in its area: the scene, the inset of what an agent of
// images sees, and the heads-up display, which marks the first agent of a race to be
// competent when first is set. Panes after the first are set off by a rule on their left.
func (g *game) drawPane(dst *ebiten.Image, p *pane, f *live.Frame, first bool) {
	drawScene(dst, p.view, f, g.imagine, g.font)
	g.drawSight(dst, p, f)
	g.drawHUD(dst, f, p.view.Area, first)
	if a := p.view.Area; a.X > 0 {
		vector.StrokeLine(dst, float32(a.X), 0, float32(a.X), float32(a.H), 2, colorInk, false)
	}
}

// hudSize returns the HUD's text size for panes as wide as width: smaller in the narrow
// panes of a race, so that the lines fit.
func hudSize(width float64) float64 { return max(11, min(16, width/30)) }

// drawHUD draws the heads-up display in the scene's upper left corner, the frame-rate line
// in the leftmost pane only, and "first" after the competence line of a race's winner.
func (g *game) drawHUD(dst *ebiten.Image, f *live.Frame, area live.Rect, first bool) {
	lines := live.HUD(f)
	if first {
		lines[3] += " · first"
	}
	if area.X == 0 {
		lines = append(lines, fmt.Sprintf("%.0f FPS · %.0f TPS · frame %.1f ms · ? for help",
			ebiten.ActualFPS(), ebiten.ActualTPS(), g.cost.mean()))
	}
	size, pad := hudSize(area.W), 10.0
	w := 0.0
	for _, l := range lines {
		w = max(w, text.Advance(l, &text.GoTextFace{Source: g.font, Size: size}))
	}
	h := float64(len(lines))*size*1.35 + 2*pad
	vector.DrawFilledRect(dst, float32(area.X+8), float32(area.Y+8), float32(w+2*pad), float32(h), colorPanel, true)
	for i, l := range lines {
		c := colorInk
		if i == 3 && f.Competent != nil {
			c = colorSuccess
		}
		drawText(dst, l, float32(area.X+8+pad), float32(area.Y+8+pad+float64(i)*size*1.35), size, c, g.font)
	}
}

// drawPlots draws the learning plots in area: return per training episode (green for a
// success, red otherwise) and the agent's training loss (the world model's, SAC's critics'),
// both over experience.
func (g *game) drawPlots(dst *ebiten.Image, f *live.Frame, area live.Rect) {
	vector.DrawFilledRect(dst, float32(area.X), float32(area.Y), float32(area.W), float32(area.H), color.NRGBA{252, 251, 248, 255}, false)
	half := live.Rect{X: area.X + 56, Y: area.Y + 36, W: area.W - 76, H: area.H/2 - 72}
	returns := make([]point, len(f.Curve))
	for i, p := range f.Curve {
		returns[i] = point{p.Experience, p.Return, successColor(p)}
	}
	g.plot(dst, half, "return per episode (green: success)", returns, false)
	losses := make([]point, len(f.Losses))
	for i, p := range f.Losses {
		losses[i] = point{p.Experience, p.Loss, colorLine}
	}
	half.Y += area.H / 2
	title := f.LossName
	if title == "" {
		title = "training loss (this agent learns nothing)"
	}
	g.plot(dst, half, title, losses, true)
}

// point is one plotted value.
type point struct {
	x, y float64
	c    color.Color
}

func successColor(p agent.EpisodePoint) color.Color {
	if p.Success {
		return colorSuccess
	}
	return colorFailure
}

// plot draws pts in area with round axes over experience time, joined by a line when line
// is set and as dots otherwise. It returns where a point of the plot falls on the screen.
func (g *game) plot(dst *ebiten.Image, area live.Rect, title string, pts []point, line bool) func(x, y float64) (float32, float32) {
	drawText(dst, title, float32(area.X), float32(area.Y-26), 15, colorInk, g.font)
	xs, ys := []float64{0, 10}, []float64{}
	for _, p := range pts {
		xs, ys = append(xs, p.x), append(ys, p.y)
	}
	if len(ys) == 0 {
		ys = []float64{0, 1}
	}
	ax := live.NiceAxis(slices.Min(xs), slices.Max(xs), 5)
	ay := live.NiceAxis(slices.Min(ys), slices.Max(ys), 5)
	toScreen := func(x, y float64) (float32, float32) {
		return float32(area.X + ax.Map(x)*area.W), float32(area.Y + (1-ay.Map(y))*area.H)
	}
	for _, t := range ay.Ticks {
		_, y := toScreen(ax.Min, t)
		vector.StrokeLine(dst, float32(area.X), y, float32(area.X+area.W), y, 1, colorGrid, false)
		drawText(dst, fmt.Sprintf("%g", t), float32(area.X-50), y-8, 12, colorInk, g.font)
	}
	for _, t := range ax.Ticks {
		x, _ := toScreen(t, ay.Min)
		vector.StrokeLine(dst, x, float32(area.Y), x, float32(area.Y+area.H), 1, colorGrid, false)
		drawText(dst, show.Clock(t), x-22, float32(area.Y+area.H+4), 12, colorInk, g.font)
	}
	vector.StrokeRect(dst, float32(area.X), float32(area.Y), float32(area.W), float32(area.H), 1, colorInk, false)
	for i, p := range pts {
		x, y := toScreen(p.x, p.y)
		if line && i > 0 {
			x0, y0 := toScreen(pts[i-1].x, pts[i-1].y)
			vector.StrokeLine(dst, x0, y0, x, y, 2, p.c, true)
		} else if !line {
			vector.DrawFilledCircle(dst, x, y, 3.5, p.c, true)
		}
	}
	return toScreen
}

// racerColors are the colours of a race's agents, in the order of their panes.
var racerColors = [live.MaxRacers]color.NRGBA{colorLine, {220, 120, 40, 255}, {140, 80, 170, 255}}

// drawRace draws the plots of a race in area: every agent's return per training episode in
// its colour, with a mark where each became competent (the first one's labelled), and below
// a bar per agent of the experience it has gathered so far, marked where it became competent.
// first marks the agents that were competent after the least experience.
func (g *game) drawRace(dst *ebiten.Image, frames []*live.Frame, first []bool, area live.Rect) {
	vector.DrawFilledRect(dst, float32(area.X), float32(area.Y), float32(area.W), float32(area.H), color.NRGBA{252, 251, 248, 255}, false)
	top := live.Rect{X: area.X + 56, Y: area.Y + 36, W: area.W - 76, H: area.H*0.62 - 72}
	var pts []point
	for i, f := range frames {
		for _, p := range f.Curve {
			pts = append(pts, point{p.Experience, p.Return, racerColors[i]})
		}
	}
	toScreen := g.plot(dst, top, "return per episode", pts, false)
	for i, f := range frames {
		if f.Competent == nil {
			continue
		}
		x, _ := toScreen(*f.Competent, 0)
		vector.StrokeLine(dst, x, float32(top.Y), x, float32(top.Y+top.H), 2, racerColors[i], false)
		if first[i] {
			drawText(dst, fmt.Sprintf("%s first: %s", f.Agent, show.Clock(*f.Competent)), x+4, float32(top.Y+4+16*float64(i)), 13, racerColors[i], g.font)
		}
	}
	y := top.Y + top.H + 48
	drawText(dst, "experience so far (mark: competent)", float32(top.X), float32(y), 15, colorInk, g.font)
	most := 10.0
	for _, f := range frames {
		most = max(most, f.Experience)
	}
	for i, f := range frames {
		y += 34
		drawText(dst, f.Agent, float32(area.X+8), float32(y-2), 14, racerColors[i], g.font)
		w := (top.W - 60) * f.Experience / most
		vector.DrawFilledRect(dst, float32(top.X), float32(y), float32(w), 14, racerColors[i], false)
		drawText(dst, show.Clock(f.Experience), float32(top.X+w+6), float32(y-1), 12, colorInk, g.font)
		if f.Competent != nil {
			x := float32(top.X + (top.W-60)**f.Competent/most)
			vector.StrokeLine(dst, x, float32(y-4), x, float32(y+18), 3, colorSuccess, false)
		}
	}
}

// drawHelp draws the key bindings over the window.
func (g *game) drawHelp(dst *ebiten.Image, w, h float64) {
	vector.DrawFilledRect(dst, 0, 0, float32(w), float32(h), color.NRGBA{20, 20, 28, 190}, false)
	y := float32(h/2 - float64(len(live.Bindings))*12)
	drawText(dst, "Keys", float32(w/2-220), y-40, 22, color.White, g.font)
	for _, b := range live.Bindings {
		if b.Help == "" {
			continue
		}
		drawText(dst, b.Label, float32(w/2-220), y, 17, color.NRGBA{250, 210, 120, 255}, g.font)
		drawText(dst, b.Help, float32(w/2-90), y, 17, color.White, g.font)
		y += 26
	}
	for _, extra := range [][2]string{
		{"Tab", "switch to the next environment (the agent starts from scratch)"},
		{"Mouse", "drag a body to push the agent off course"},
	} {
		drawText(dst, extra[0], float32(w/2-220), y, 17, color.NRGBA{250, 210, 120, 255}, g.font)
		drawText(dst, extra[1], float32(w/2-90), y, 17, color.White, g.font)
		y += 26
	}
}

// drawSight draws the inset of what an agent of images sees, perceives and imagines at the
// bottom left of the pane, rebuilding its image only when the frame brings a new sight.
func (g *game) drawSight(dst *ebiten.Image, p *pane, f *live.Frame) {
	if f.Sight == nil {
		return
	}
	area := p.view.Area
	if f.Sight != p.sight {
		scale := f.Sight.FitScale(int(area.W), int(area.H))
		img := image.NewRGBA(image.Rectangle{Max: f.Sight.Size(scale)})
		f.Sight.Draw(img, image.Point{}, scale)
		if p.sightImage != nil {
			p.sightImage.Deallocate()
		}
		p.sight, p.sightImage = f.Sight, ebiten.NewImageFromImage(img)
	}
	op := &ebiten.DrawImageOptions{}
	op.GeoM.Translate(area.X+8, area.Y+area.H-float64(p.sightImage.Bounds().Dy())-32) // above the scale bar
	dst.DrawImage(p.sightImage, op)
}

// captionLines returns the lines of the lesson step's caption, with a note while its
// learners gather experience at full speed and how to move on.
func (g *game) captionLines() []string {
	lines := live.StepCaption(g.lesson, g.step)
	if g.learnUntil > 0 {
		lines = append(lines, "Learning at full speed until "+show.Clock(g.learnUntil)+" of experience…")
	}
	return append(lines, "N or Page Down: next step · B or Page Up: back · ? for help")
}

// captionSize returns the text size of a caption across width pixels.
func captionSize(width float64) float64 { return hudSize(width / 1.6) }

// captionHeight returns the height of a caption of n lines across width pixels.
func captionHeight(n int, width float64) float64 {
	return float64(n)*captionSize(width)*1.35 + 20
}

// drawCaption draws the caption's lines on a pale band filling area, the first as a title.
func (g *game) drawCaption(dst *ebiten.Image, lines []string, area live.Rect) {
	size := captionSize(area.W)
	vector.DrawFilledRect(dst, float32(area.X), float32(area.Y), float32(area.W), float32(area.H), color.NRGBA{252, 251, 248, 255}, false)
	vector.StrokeLine(dst, float32(area.X), float32(area.Y), float32(area.X+area.W), float32(area.Y), 2, colorInk, false)
	for i, l := range lines {
		c := colorInk
		if i == 0 {
			c = colorLine
		}
		drawText(dst, l, float32(area.X+16), float32(area.Y+10+float64(i)*size*1.35), size, c, g.font)
	}
}
