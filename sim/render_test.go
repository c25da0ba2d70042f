package sim

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/foresight-sim/foresight/internal/golden"
)

var (
	colWhite = color.NRGBA{255, 255, 255, 255}
	colBlack = color.NRGBA{0, 0, 0, 255}
	colRed   = color.NRGBA{220, 30, 30, 255}
	colBlue  = color.NRGBA{30, 60, 220, 255}
)

// shapesScene uses every shape kind, several layers (added out of order), translucent
// colours, outlines, a concave and a self-intersecting polygon, a hairline and a dot.
func shapesScene() *Scene {
	s := &Scene{Background: color.NRGBA{235, 240, 245, 255}, Camera: Camera{Center: V(0, 1), Width: 8}}
	s.AddLine(LayerOverlay, color.NRGBA{200, 20, 20, 160}, 0.2,
		V(-3.5, 3.5), V(-2, 2), V(-1, 3.2), V(0.5, 2.4), V(0.6, 3.6))
	s.AddLine(LayerBackground, color.NRGBA{60, 60, 60, 255}, 0.06, V(-5, -1.5), V(5, -1.5))
	s.AddLine(LayerOverlay, colBlack, 0.001, V(-3.8, -1.8), V(3.8, 3.8))
	s.AddLine(LayerOverlay, color.NRGBA{0, 0, 0, 255}, 0.3, V(3.3, 0))
	box := s.AddPolygon(LayerBody, color.NRGBA{70, 130, 200, 255},
		V(-1, -1.4), V(1, -1.4), V(1, -0.4), V(-1, -0.4))
	box.Stroke, box.Width = color.NRGBA{20, 40, 80, 255}, 0.08
	s.AddPolygon(LayerBody, color.NRGBA{230, 160, 40, 255},
		V(-3.5, -1), V(-2, -1), V(-2.75, 1.5), V(-3.0, 0), V(-3.3, 0.8))
	star := s.AddPolygon(LayerBody, color.NRGBA{120, 60, 160, 200}, starPoints(V(2.5, 2), 1)...)
	star.Stroke, star.Width = color.NRGBA{40, 10, 60, 255}, 0.03
	wheel := s.AddCircle(LayerJoint, color.NRGBA{250, 250, 250, 255}, V(0, -0.9), 0.35)
	wheel.Stroke, wheel.Width = color.NRGBA{30, 30, 30, 255}, 0.1
	s.AddCircle(LayerTarget, color.NRGBA{40, 200, 90, 110}, V(0.6, -0.5), 0.9)
	ring := s.AddCircle(LayerOverlay, color.NRGBA{}, V(2.5, -0.8), 0.5)
	ring.Stroke, ring.Width = color.NRGBA{220, 40, 140, 200}, 0.15
	return s
}

// starPoints returns a pentagram drawn in one stroke around c.
func starPoints(c Vec2, r float64) []Vec2 {
	pts := make([]Vec2, 5)
	for i := range pts {
		pts[i] = c.Add(Polar(r, math.Pi/2+float64(i)*4*math.Pi/5))
	}
	return pts
}

// cartPoleScene is a typical environment frame: ground, rail, cart, pole, wheels, pivot and
// a target.
func cartPoleScene() *Scene {
	s := &Scene{Background: color.NRGBA{250, 250, 250, 255}, Camera: Camera{Center: V(0, 0.5), Width: 4.8}}
	s.AddLine(LayerBackground, color.NRGBA{90, 90, 90, 255}, 0.02, V(-10, -0.3), V(10, -0.3))
	s.AddPolygon(LayerBackground, color.NRGBA{160, 160, 160, 255},
		V(-2.4, -0.05), V(2.4, -0.05), V(2.4, 0.05), V(-2.4, 0.05))
	s.AddCircle(LayerTarget, color.NRGBA{60, 200, 80, 120}, V(1.2, 1.3), 0.15)
	cart := s.AddPolygon(LayerBody, color.NRGBA{50, 90, 160, 255},
		V(0.1, 0), V(0.7, 0), V(0.7, 0.3), V(0.1, 0.3))
	cart.Stroke, cart.Width = color.NRGBA{20, 30, 60, 255}, 0.02
	s.AddPolygon(LayerBody, color.NRGBA{200, 120, 60, 255},
		V(0.38, 0.3), V(0.42, 0.3), V(0.92, 1.25), V(0.88, 1.27))
	s.AddCircle(LayerBody, color.NRGBA{30, 30, 30, 255}, V(0.2, -0.05), 0.08)
	s.AddCircle(LayerBody, color.NRGBA{30, 30, 30, 255}, V(0.6, -0.05), 0.08)
	s.AddCircle(LayerJoint, color.NRGBA{230, 230, 230, 255}, V(0.4, 0.3), 0.04)
	return s
}

// pixelScene returns a scene whose world coordinates are pixel coordinates of a w×h image
// with y flipped: world (x, y) is image point (x, h−y).
func pixelScene(w, h int) *Scene {
	return &Scene{Background: colWhite, Camera: Camera{Center: V(float64(w)/2, float64(h)/2), Width: float64(w)}}
}

// worldRect returns the corners of the world rectangle [x0, x1]×[y0, y1].
func worldRect(x0, y0, x1, y1 float64) []Vec2 {
	return []Vec2{V(x0, y0), V(x1, y0), V(x1, y1), V(x0, y1)}
}

func renderGray(s *Scene, w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	var r Renderer
	r.Render(img, s)
	return img
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name   string
		render func() image.Image
	}{
		{"render_shapes.png", func() image.Image { return RenderImage(shapesScene(), 160, 120) }},
		{"render_shapes_gray.png", func() image.Image { return renderGray(shapesScene(), 160, 120) }},
		{"render_cartpole.png", func() image.Image { return RenderImage(cartPoleScene(), 64, 64) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			golden.Check(t, tt.name, tt.render())
		})
	}
}

func TestRenderFilledSquare(t *testing.T) {
	s := pixelScene(8, 8)
	s.AddPolygon(LayerBody, colRed, worldRect(2, 3, 6, 6)...) // image x in [2, 6), y in [2, 5)
	img := RenderImage(s, 8, 8)
	for y := range 8 {
		for x := range 8 {
			want := color.RGBA{255, 255, 255, 255}
			if x >= 2 && x < 6 && y >= 2 && y < 5 {
				want = color.RGBA{colRed.R, colRed.G, colRed.B, 255}
			}
			if got := img.RGBAAt(x, y); got != want {
				t.Errorf("pixel (%d, %d) = %v, want %v", x, y, got, want)
			}
		}
	}
}

func TestRenderAntiAliasing(t *testing.T) {
	tests := []struct {
		name string
		add  func(s *Scene)
	}{
		{"polygon edge", func(s *Scene) { s.AddPolygon(LayerBody, colBlack, worldRect(0, 0, 4.5, 8)...) }},
		{"circle edge", func(s *Scene) { s.AddCircle(LayerBody, colBlack, V(1.5, 4.5), 3) }},
		{"line edge", func(s *Scene) { s.AddLine(LayerBody, colBlack, 1, V(4, 0), V(4, 8)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pixelScene(8, 8)
			tt.add(s)
			img := renderGray(s, 8, 8)
			if v := img.GrayAt(4, 3).Y; v < 96 || v > 160 {
				t.Errorf("half-covered pixel (4, 3) = %d, want about 128", v)
			}
			if v := img.GrayAt(3, 3).Y; tt.name != "line edge" && v != 0 {
				t.Errorf("covered pixel (3, 3) = %d, want 0", v)
			}
		})
	}
}

func TestRenderLargeShapeCoverage(t *testing.T) {
	// Shapes over 512 pixels across take the rasteriser's floating-point path.
	tests := []struct {
		name string
		w, h int
	}{
		{"small", 40, 30},
		{"wide", 1100, 30},
		{"tall", 40, 700},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h := float64(tt.w), float64(tt.h)
			s := pixelScene(tt.w, tt.h)
			s.AddPolygon(LayerBody, colBlack, worldRect(1.5, 0.75, w-2, h-2)...)
			img := renderGray(s, tt.w, tt.h)
			want := []struct {
				x, y int
				v    int // 255 less 255 times the covered fraction
			}{
				{0, 0, 255}, {tt.w - 2, 0, 255}, {1, 2, 128}, {2, tt.h - 1, 191}, {1, tt.h - 1, 223},
				{2, 2, 0}, {tt.w - 3, tt.h - 2, 0}, {tt.w / 2, tt.h / 2, 0},
			}
			for _, p := range want {
				if got := int(img.GrayAt(p.x, p.y).Y); got < p.v-2 || got > p.v+2 {
					t.Errorf("pixel (%d, %d) = %d, want %d ± 2", p.x, p.y, got, p.v)
				}
			}
		})
	}
}

func TestRenderOrientation(t *testing.T) {
	s := &Scene{Background: colWhite, Camera: Camera{Center: V(10, -5), Width: 2}}
	s.AddPolygon(LayerBody, colBlack, worldRect(9, -4.5, 9.5, -4)...) // top-left quarter of the view
	img := renderGray(s, 4, 4)
	want := [4][4]uint8{
		{0, 255, 255, 255},
		{255, 255, 255, 255},
		{255, 255, 255, 255},
		{255, 255, 255, 255},
	}
	for y := range 4 {
		for x := range 4 {
			if got := img.GrayAt(x, y).Y; got != want[y][x] {
				t.Errorf("pixel (%d, %d) = %d, want %d", x, y, got, want[y][x])
			}
		}
	}
}

func TestRenderLayers(t *testing.T) {
	tests := []struct {
		name            string
		first, second   color.NRGBA
		firstL, secondL int
		want            color.NRGBA
	}{
		{"higher layer added first", colRed, colBlue, 1, 0, colRed},
		{"higher layer added last", colBlue, colRed, 0, 1, colRed},
		{"negative layers", colRed, colBlue, LayerTarget, LayerBackground, colRed},
		{"same layer keeps slice order", colBlue, colRed, 3, 3, colRed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pixelScene(4, 4)
			for range 20 { // enough shapes for the sort to go beyond its simplest cases
				s.AddCircle(LayerOverlay+1, colWhite, V(-10, -10), 1)
			}
			s.AddPolygon(tt.firstL, tt.first, worldRect(0, 0, 4, 4)...)
			s.AddCircle(tt.secondL, tt.second, V(2, 2), 2)
			got := RenderImage(s, 4, 4).RGBAAt(2, 2)
			if want := (color.RGBA{tt.want.R, tt.want.G, tt.want.B, 255}); got != want {
				t.Errorf("centre = %v, want %v", got, want)
			}
		})
	}
}

func TestRenderGrayIsLuminance(t *testing.T) {
	const w, h = 160, 120
	for _, bg := range []color.NRGBA{{235, 240, 245, 255}, {10, 200, 90, 128}} {
		s := shapesScene()
		s.Background = bg
		rgba, gray := RenderImage(s, w, h), renderGray(s, w, h)
		for y := range h {
			for x := range w {
				want := int(color.GrayModel.Convert(rgba.At(x, y)).(color.Gray).Y)
				if got := int(gray.GrayAt(x, y).Y); got < want-1 || got > want+1 {
					t.Fatalf("background %v: pixel (%d, %d) = %d, want luminance %d ± 1", bg, x, y, got, want)
				}
			}
		}
	}
	s := pixelScene(4, 4)
	s.AddPolygon(LayerBody, colRed, worldRect(0, 0, 2, 4)...)
	want := color.GrayModel.Convert(colRed).(color.Gray).Y
	if got := renderGray(s, 4, 4).GrayAt(0, 0).Y; got != want {
		t.Errorf("opaque fill = %d, want exactly %d", got, want)
	}
}

func TestRenderSkipsBadShapes(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name  string
		shape Shape
	}{
		{"NaN polygon point", Shape{Kind: Polygon, Points: []Vec2{{0, 0}, {4, 0}, {nan, 4}}, Fill: colRed}},
		{"infinite polygon point", Shape{Kind: Polygon, Points: []Vec2{{0, 0}, {4, 0}, {4, -inf}}, Fill: colRed}},
		{"huge polygon point", Shape{Kind: Polygon, Points: []Vec2{{0, 0}, {4, 0}, {1e300, 4}}, Fill: colRed}},
		{"NaN circle centre", Shape{Kind: Circle, Center: V(nan, 1), Radius: 1, Fill: colRed}},
		{"infinite radius", Shape{Kind: Circle, Center: V(2, 2), Radius: inf, Fill: colRed}},
		{"NaN radius", Shape{Kind: Circle, Center: V(2, 2), Radius: nan, Fill: colRed}},
		{"NaN width", Shape{Kind: Polygon, Points: worldRect(0, 0, 2, 2), Width: nan, Fill: colRed, Stroke: colRed}},
		{"infinite line width", Shape{Kind: Line, Points: []Vec2{{0, 0}, {4, 4}}, Width: inf, Stroke: colRed}},
		{"NaN line point", Shape{Kind: Line, Points: []Vec2{{0, 0}, {nan, nan}, {4, 4}}, Width: 1, Stroke: colRed}},
		{"unknown kind", Shape{Kind: Line + 7, Points: worldRect(0, 0, 4, 4), Width: 1, Fill: colRed, Stroke: colRed}},
	}
	plain := pixelScene(4, 4)
	plain.AddPolygon(LayerBody, colBlue, worldRect(3, 3, 4, 4)...)
	want := RenderImage(plain, 4, 4)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pixelScene(4, 4)
			s.Shapes = append(s.Shapes, tt.shape, plain.Shapes[0])
			if got := RenderImage(s, 4, 4); !bytes.Equal(got.Pix, want.Pix) {
				t.Errorf("got %v, want only the valid shape drawn: %v", got.Pix, want.Pix)
			}
		})
	}
}

func TestRenderBadCamera(t *testing.T) {
	for _, c := range []Camera{{Width: 0}, {Width: -2}, {Width: math.NaN()}, {Width: math.Inf(1)},
		{Center: V(math.NaN(), 0), Width: 2}, {Width: 1e-320}} {
		s := shapesScene()
		s.Camera = c
		img := RenderImage(s, 6, 5)
		for i := 0; i < len(img.Pix); i += 4 {
			if got := (color.NRGBA{img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3]}); got != s.Background {
				t.Fatalf("camera %+v: pixel %d = %v, want background %v", c, i/4, got, s.Background)
			}
		}
	}
}

func TestRenderDeterministic(t *testing.T) {
	var r Renderer
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	r.Render(img, cartPoleScene())
	r.Render(img, shapesScene())
	if first := RenderImage(shapesScene(), 160, 120); !bytes.Equal(first.Pix, img.Pix) {
		t.Error("a reused Renderer and a fresh one drew different bytes")
	}
}

func TestRenderAllocations(t *testing.T) {
	s := cartPoleScene()
	tests := []struct {
		name string
		dst  image.Image
	}{
		{"RGBA", image.NewRGBA(image.Rect(0, 0, 64, 64))},
		{"Gray", image.NewGray(image.Rect(0, 0, 64, 64))},
		{"RGBA shapes", image.NewRGBA(image.Rect(0, 0, 160, 120))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Renderer
			r.Render(tt.dst, shapesScene())
			if n := testing.AllocsPerRun(20, func() { r.Render(tt.dst, s) }); n != 0 {
				t.Errorf("Render allocates %v times per call, want 0", n)
			}
		})
	}
}

func TestRenderSubImage(t *testing.T) {
	whole := image.NewRGBA(image.Rect(0, 0, 100, 80))
	sub := whole.SubImage(image.Rect(20, 10, 84, 74)).(*image.RGBA)
	var r Renderer
	r.Render(sub, cartPoleScene())
	want := RenderImage(cartPoleScene(), 64, 64)
	for y := range 80 {
		for x := range 100 {
			got := whole.RGBAAt(x, y)
			if !(image.Point{x, y}).In(sub.Rect) {
				if got != (color.RGBA{}) {
					t.Fatalf("pixel (%d, %d) outside the sub-image changed to %v", x, y, got)
				}
			} else if w := want.RGBAAt(x-20, y-10); got != w {
				t.Fatalf("pixel (%d, %d) = %v, want %v", x, y, got, w)
			}
		}
	}
}

func TestRenderStrokeCoverage(t *testing.T) {
	const w, h, width = 64, 48, 7.0
	tests := []struct {
		name   string
		kind   ShapeKind
		points []Vec2
	}{
		{"zigzag", Line, []Vec2{{6, 6}, {20, 40}, {30, 10}, {31, 30}, {58, 28}, {40, 27}}},
		{"straight through a middle point", Line, []Vec2{{5, 24}, {30, 24}, {59, 24}}},
		{"single point", Line, []Vec2{{30, 20}}},
		{"outline", Polygon, []Vec2{{8, 8}, {56, 12}, {30, 20}, {40, 40}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pixelScene(w, h)
			sh := &Shape{Kind: tt.kind, Points: tt.points, Width: width, Stroke: colBlack}
			s.Shapes = append(s.Shapes, *sh)
			img := renderGray(s, w, h)
			checkBand(t, img, func(p Vec2) float64 {
				return polylineDistance(p, tt.points, tt.kind == Polygon)
			}, width/2)
		})
	}
	t.Run("circle outline", func(t *testing.T) {
		s := pixelScene(w, h)
		c := s.AddCircle(LayerBody, color.NRGBA{}, V(30, 24), 15)
		c.Stroke, c.Width = colBlack, width
		checkBand(t, renderGray(s, w, h), func(p Vec2) float64 {
			return math.Abs(p.Sub(V(30, 24)).Len() - 15)
		}, width/2)
	})
}

// checkBand checks that a colBlack stroke drawn on colWhite covers every pixel whose centre lies
// more than a pixel inside the band dist ≤ hw fully, and leaves every pixel more than a
// pixel outside it untouched: the pieces of a stroke must meet without seams or gaps.
func checkBand(t *testing.T, img *image.Gray, dist func(Vec2) float64, hw float64) {
	t.Helper()
	b := img.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			d := dist(V(float64(x)+0.5, float64(b.Dy()-y)-0.5))
			got := img.GrayAt(x, y).Y
			if d < hw-1 && got != 0 || d > hw+1 && got != 255 {
				t.Errorf("pixel (%d, %d) at distance %.2f from the path = %d", x, y, d, got)
			}
		}
	}
}

// polylineDistance returns the distance from p to the polyline through pts.
func polylineDistance(p Vec2, pts []Vec2, closed bool) float64 {
	d := p.Sub(pts[0]).Len()
	for i := 1; i < len(pts); i++ {
		d = min(d, segmentDistance(p, pts[i-1], pts[i]))
	}
	if closed {
		d = min(d, segmentDistance(p, pts[len(pts)-1], pts[0]))
	}
	return d
}

func segmentDistance(p, a, b Vec2) float64 {
	ab := b.Sub(a)
	t := min(max(p.Sub(a).Dot(ab)/ab.Dot(ab), 0), 1)
	return p.Sub(a.Add(ab.Scale(t))).Len()
}

func TestRenderFarGeometry(t *testing.T) {
	s := pixelScene(16, 16)
	s.AddLine(LayerBody, colBlack, 2, V(-1e9, 8), V(1e9, 8))
	s.AddPolygon(LayerBody, colBlack, worldRect(-1e10, -1e10, 1e10, 2)...)
	img := renderGray(s, 16, 16)
	for x := range 16 {
		for _, y := range []int{7, 8, 14, 15} {
			if v := img.GrayAt(x, y).Y; v != 0 {
				t.Errorf("pixel (%d, %d) = %d, want 0", x, y, v)
			}
		}
		if v := img.GrayAt(x, 3).Y; v != 255 {
			t.Errorf("pixel (%d, 3) = %d, want 255", x, v)
		}
	}
}

func TestRenderPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"NRGBA destination", func() { new(Renderer).Render(image.NewNRGBA(image.Rect(0, 0, 2, 2)), &Scene{}) }},
		{"zero width", func() { RenderImage(&Scene{}, 0, 4) }},
		{"negative height", func() { RenderImage(&Scene{}, 4, -1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tt.f()
		})
	}
}

func benchmarkRender(b *testing.B, dst image.Image) {
	s := cartPoleScene()
	var r Renderer
	r.Render(dst, s)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r.Render(dst, s)
	}
}

func BenchmarkRender64RGBA(b *testing.B) {
	benchmarkRender(b, image.NewRGBA(image.Rect(0, 0, 64, 64)))
}

func BenchmarkRender64Gray(b *testing.B) {
	benchmarkRender(b, image.NewGray(image.Rect(0, 0, 64, 64)))
}

func BenchmarkRender256RGBA(b *testing.B) {
	benchmarkRender(b, image.NewRGBA(image.Rect(0, 0, 256, 256)))
}
