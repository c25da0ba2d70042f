package sim

import (
	"cmp"
	"fmt"
	"image"
	"math"
	"slices"

	"golang.org/x/image/vector"
)

const (
	// renderFar bounds, in pixels from the image origin, the geometry the renderer accepts.
	// Shapes reaching further are skipped like non-finite ones: beyond it the clipping
	// arithmetic would lose sub-pixel precision.
	renderFar = 1e12
	// minLineWidth is the narrowest line or outline drawn, in pixels, so that thin lines
	// stay visible at low resolution.
	minLineWidth = 1.0
	// maxArcError is the largest distance, in pixels, between a true circle and the polygon
	// standing in for it.
	maxArcError = 0.1
	// minArcSegments and maxArcSegments bound the number of segments in a full circle.
	minArcSegments = 8
	maxArcSegments = 256
)

// Renderer draws Scenes into images. Its zero value is ready to use. It keeps scratch memory
// between calls, so once it has drawn a scene of a given size and complexity, drawing it
// again does not allocate. A Renderer is not safe for concurrent use; use one per goroutine.
//
// Drawing rules:
//   - The image shows a window Camera.Width metres wide centred on Camera.Center, with
//     square pixels and the world's y axis pointing up the image. Camera.Width must be
//     positive and finite; otherwise only the background is drawn.
//   - The background fills the image, then shapes are drawn in ascending Layer, shapes on
//     one layer in slice order, each composited source-over with its colours' alpha.
//   - Polygons are filled by the non-zero winding rule. Circles are drawn as polygons within
//     0.1 pixel of the true circle; one whose Radius is not positive is not drawn. Shapes of
//     unknown kind are ignored.
//   - Lines and outlines are centred on the path, with round caps and round joins, and at
//     least one pixel wide. An outline is drawn only when Width > 0 and Stroke.A > 0, a line
//     only when Width > 0; a line through a single point is a dot.
//   - A shape with a NaN or infinite coordinate, radius or width is skipped, as is one
//     reaching absurdly far (10¹² pixels) outside the image.
//
// Output is deterministic: on one platform, the same scene drawn at the same size gives the
// same bytes.
type Renderer struct {
	raster vector.Rasterizer
	mask   image.Alpha
	cam    renderCamera
	order  []int
	path   renderPath
	pix    []Vec2 // the current shape's points in pixels
	clipA  []Vec2
	clipB  []Vec2

	// The image being drawn, set for the duration of one Render call.
	rgba *image.RGBA
	gray *image.Gray
	size image.Point
}

// Render draws s into dst, filling all of dst's bounds. dst must be an *image.RGBA or an
// *image.Gray; Render panics with any other type. A Gray image receives the luminance of
// the colours, weighted as color.GrayModel weighs them.
func (r *Renderer) Render(dst image.Image, s *Scene) {
	switch d := dst.(type) {
	case *image.RGBA:
		r.rgba = d
	case *image.Gray:
		r.gray = d
	default:
		panic(fmt.Sprintf("sim: Render draws into *image.RGBA or *image.Gray, not %T", dst))
	}
	defer r.release()
	r.size = dst.Bounds().Size()
	r.fillBackground(s.Background)
	if !r.cam.set(s.Camera, r.size) {
		return
	}
	for _, i := range r.sortShapes(s.Shapes) {
		r.drawShape(&s.Shapes[i])
	}
}

// RenderImage returns a new w×h RGBA image of s, drawn as a Renderer draws it. It panics if
// w or h is less than 1.
func RenderImage(s *Scene, w, h int) *image.RGBA {
	if w < 1 || h < 1 {
		panic(fmt.Sprintf("sim: RenderImage size %d×%d, want at least 1×1", w, h))
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	var r Renderer
	r.Render(img, s)
	return img
}

// release drops the references to the caller's image.
func (r *Renderer) release() {
	r.rgba, r.gray = nil, nil
}

// sortShapes returns the indices of shapes in drawing order.
func (r *Renderer) sortShapes(shapes []Shape) []int {
	r.order = r.order[:0]
	for i := range shapes {
		r.order = append(r.order, i)
	}
	slices.SortStableFunc(r.order, func(a, b int) int {
		return cmp.Compare(shapes[a].Layer, shapes[b].Layer)
	})
	return r.order
}

func (r *Renderer) drawShape(sh *Shape) {
	switch sh.Kind {
	case Polygon:
		r.drawPolygon(sh)
	case Circle:
		r.drawCircle(sh)
	case Line:
		r.drawLine(sh)
	}
}

func (r *Renderer) drawPolygon(sh *Shape) {
	hw, ok := r.halfWidth(sh.Width)
	if !ok || !r.project(sh.Points, true) {
		return
	}
	if sh.Fill.A > 0 && len(r.pix) >= 3 {
		r.path.reset()
		r.path.polygon(r.pix)
		r.paint(sh.Fill)
	}
	if hasOutline(sh) && len(r.pix) > 0 {
		r.path.reset()
		r.path.stroke(r.pix, true, hw)
		r.paint(sh.Stroke)
	}
}

func (r *Renderer) drawCircle(sh *Shape) {
	hw, ok := r.halfWidth(sh.Width)
	c := r.cam.toPixel(sh.Center)
	rad := sh.Radius * r.cam.scale
	if !ok || !withinFar(c) || !(rad > 0 && rad <= renderFar) {
		return
	}
	if sh.Fill.A > 0 {
		r.path.reset()
		r.path.disc(c, rad, arcSegments(rad), false)
		r.paint(sh.Fill)
	}
	if hasOutline(sh) {
		r.path.reset()
		r.path.ring(c, rad-hw, rad+hw)
		r.paint(sh.Stroke)
	}
}

func (r *Renderer) drawLine(sh *Shape) {
	hw, ok := r.halfWidth(sh.Width)
	if !ok || !hasOutline(sh) || !r.project(sh.Points, false) || len(r.pix) == 0 {
		return
	}
	r.path.reset()
	r.path.stroke(r.pix, false, hw)
	r.paint(sh.Stroke)
}

// hasOutline reports whether sh's stroke is visible.
func hasOutline(sh *Shape) bool {
	return sh.Width > 0 && sh.Stroke.A > 0
}

// halfWidth returns half the drawn width, in pixels, of a line w metres wide, and whether w
// is usable (finite and not absurdly large).
func (r *Renderer) halfWidth(w float64) (float64, bool) {
	px := w * r.cam.scale
	if !(math.Abs(px) <= renderFar) {
		return 0, false
	}
	return max(px, minLineWidth) / 2, true
}

// project maps pts into pixels in r.pix, dropping repeated points (and, for a closed path,
// a last point equal to the first). It reports false if any point is non-finite or too far.
func (r *Renderer) project(pts []Vec2, closed bool) bool {
	r.pix = r.pix[:0]
	for _, v := range pts {
		q := r.cam.toPixel(v)
		if !withinFar(q) {
			return false
		}
		if n := len(r.pix); n > 0 && r.pix[n-1] == q {
			continue
		}
		r.pix = append(r.pix, q)
	}
	if n := len(r.pix); closed && n > 1 && r.pix[0] == r.pix[n-1] {
		r.pix = r.pix[:n-1]
	}
	return true
}

// withinFar reports whether q is finite and within renderFar pixels of the origin.
func withinFar(q Vec2) bool {
	return math.Abs(q.X) <= renderFar && math.Abs(q.Y) <= renderFar
}

// arcSegments returns how many segments a circle of the given pixel radius needs to stay
// within maxArcError of the true circle. The error of n segments is about r·π²/(2n²).
func arcSegments(radius float64) int {
	n := math.Ceil(math.Pi * math.Sqrt(radius/(2*maxArcError)))
	return int(min(max(n, minArcSegments), maxArcSegments))
}

// renderCamera maps world coordinates to pixel coordinates relative to the image's top-left
// corner.
type renderCamera struct {
	center       Vec2
	scale        float64 // pixels per metre
	halfW, halfH float64 // image centre in pixels
}

// set points the camera at c for an image of the given size and reports whether anything
// can be seen through it.
func (k *renderCamera) set(c Camera, size image.Point) bool {
	if size.X < 1 || size.Y < 1 || !(c.Width > 0) || !withinFar(c.Center) {
		return false
	}
	k.center = c.Center
	k.scale = float64(size.X) / c.Width
	k.halfW, k.halfH = float64(size.X)/2, float64(size.Y)/2
	return k.scale > 0 && k.scale <= renderFar
}

func (k *renderCamera) toPixel(v Vec2) Vec2 {
	return Vec2{
		X: (v.X-k.center.X)*k.scale + k.halfW,
		Y: k.halfH - (v.Y-k.center.Y)*k.scale,
	}
}
