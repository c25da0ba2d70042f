package sim

import (
	"cmp"
	"fmt"
	"image"
	"image/color"
	"image/draw"
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

// paint rasterises r.path and composites it in colour c over the image, touching only the
// pixels within the path's bounding box.
func (r *Renderer) paint(c color.NRGBA) {
	box := r.path.bounds().Intersect(image.Rectangle{Max: r.size})
	if box.Empty() {
		return
	}
	r.rasterise(box)
	if r.rgba != nil {
		blendRGBA(r.rgba, box, &r.mask, c)
	} else {
		blendGray(r.gray, box, &r.mask, c)
	}
}

// rasterise renders the coverage of r.path within box into r.mask, whose pixel (0, 0)
// stands for box.Min.
func (r *Renderer) rasterise(box image.Rectangle) {
	w, h := box.Dx(), box.Dy()
	r.raster.Reset(w, h)
	r.raster.DrawOp = draw.Src
	origin := Vec2{float64(box.Min.X), float64(box.Min.Y)}
	limit := Vec2{float64(w), float64(h)}
	start := 0
	for _, end := range r.path.ends {
		r.addSubpath(r.clip(r.path.pts[start:end], origin, limit))
		start = end
	}
	if n := w * h; cap(r.mask.Pix) < n {
		r.mask.Pix = make([]uint8, n)
	} else {
		r.mask.Pix = r.mask.Pix[:n]
	}
	r.mask.Stride = w
	r.mask.Rect = image.Rect(0, 0, w, h)
	r.raster.Draw(&r.mask, r.mask.Rect, image.Opaque, image.Point{})
}

func (r *Renderer) addSubpath(pts []Vec2) {
	if len(pts) < 3 {
		return
	}
	r.raster.MoveTo(float32(pts[0].X), float32(pts[0].Y))
	for _, q := range pts[1:] {
		r.raster.LineTo(float32(q.X), float32(q.Y))
	}
	r.raster.ClosePath()
}

// clip returns the closed polygon pts, shifted by −origin and cut to the rectangle from
// (0, 0) to limit. The rasteriser needs its input near its bounds: far coordinates overflow
// its fixed-point arithmetic and far rows cost time.
func (r *Renderer) clip(pts []Vec2, origin, limit Vec2) []Vec2 {
	a := r.clipA[:0]
	inside := true
	for _, q := range pts {
		q = q.Sub(origin)
		inside = inside && q.X >= 0 && q.Y >= 0 && q.X <= limit.X && q.Y <= limit.Y
		a = append(a, q)
	}
	if !inside {
		b := clipHalfPlane(r.clipB[:0], a, 0, 0, -1)
		a = clipHalfPlane(a[:0], b, 0, limit.X, 1)
		b = clipHalfPlane(b[:0], a, 1, 0, -1)
		a = clipHalfPlane(a[:0], b, 1, limit.Y, 1)
		r.clipB = b
	}
	r.clipA = a
	return a
}

// clipHalfPlane appends to dst the closed polygon src cut to the half-plane where
// side·(coordinate − limit) ≤ 0, the coordinate being x for axis 0 and y for axis 1
// (Sutherland–Hodgman).
func clipHalfPlane(dst, src []Vec2, axis int, limit, side float64) []Vec2 {
	inside := func(q Vec2) bool { return side*(axisCoord(q, axis)-limit) <= 0 }
	for i, q := range src {
		p := src[(i+len(src)-1)%len(src)]
		if inside(p) != inside(q) {
			dst = append(dst, cutEdge(p, q, axis, limit))
		}
		if inside(q) {
			dst = append(dst, q)
		}
	}
	return dst
}

func axisCoord(q Vec2, axis int) float64 {
	if axis == 0 {
		return q.X
	}
	return q.Y
}

// cutEdge returns where the edge pq crosses the line where the axis coordinate equals
// limit. The endpoints are put in a fixed order first so that two shapes sharing an edge,
// traversed in opposite directions, get bit-identical crossings and still meet seamlessly.
func cutEdge(p, q Vec2, axis int, limit float64) Vec2 {
	if q.X < p.X || (q.X == p.X && q.Y < p.Y) {
		p, q = q, p
	}
	if axis == 0 {
		t := (limit - p.X) / (q.X - p.X)
		return Vec2{limit, p.Y + t*(q.Y-p.Y)}
	}
	t := (limit - p.Y) / (q.Y - p.Y)
	return Vec2{p.X + t*(q.X-p.X), limit}
}

// fillBackground sets every pixel of the image to c.
func (r *Renderer) fillBackground(c color.NRGBA) {
	cr, cg, cb, ca := c.RGBA()
	if r.rgba != nil {
		fillPix(r.rgba.Pix, r.rgba.Stride, r.rgba.PixOffset(r.rgba.Rect.Min.X, r.rgba.Rect.Min.Y),
			r.size, []uint8{uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8), uint8(ca >> 8)})
		return
	}
	fillPix(r.gray.Pix, r.gray.Stride, r.gray.PixOffset(r.gray.Rect.Min.X, r.gray.Rect.Min.Y),
		r.size, []uint8{uint8(luminance(cr, cg, cb) >> 8)})
}

// fillPix repeats px across a size.X×size.Y block of pix starting at off.
func fillPix(pix []uint8, stride, off int, size image.Point, px []uint8) {
	if size.X < 1 || size.Y < 1 {
		return
	}
	row := pix[off : off+size.X*len(px)]
	n := copy(row, px)
	for n < len(row) {
		n += copy(row[n:], row[:n])
	}
	for y := 1; y < size.Y; y++ {
		copy(pix[off+y*stride:], row)
	}
}

// luminance returns the 16-bit luminance of 16-bit red, green and blue, weighted as
// color.GrayModel weighs them.
func luminance(r, g, b uint32) uint32 {
	return (19595*r + 38470*g + 7471*b + 1<<15) >> 16
}

// premultiplied returns c's 16-bit alpha-premultiplied red, green, blue and alpha.
func premultiplied(c color.NRGBA) (r, g, b, a uint32) {
	a = uint32(c.A) * 0x101
	r = uint32(c.R) * 0x101 * a / 0xffff
	g = uint32(c.G) * 0x101 * a / 0xffff
	b = uint32(c.B) * 0x101 * a / 0xffff
	return r, g, b, a
}

// over returns the 8-bit channel d with the 16-bit premultiplied channel s composited over
// it, where s has already been scaled by the coverage and the composite's inverse alpha is
// ia (both 16-bit).
func over(d uint8, s, ia uint32) uint8 {
	return uint8((uint32(d)*0x101*ia/0xffff + s) >> 8)
}

// blendRGBA composites colour c over dst within box (relative to dst's top-left corner),
// with coverage from mask.
func blendRGBA(dst *image.RGBA, box image.Rectangle, mask *image.Alpha, c color.NRGBA) {
	sr, sg, sb, sa := premultiplied(c)
	w := box.Dx()
	for y := box.Min.Y; y < box.Max.Y; y++ {
		off := dst.PixOffset(dst.Rect.Min.X+box.Min.X, dst.Rect.Min.Y+y)
		row := dst.Pix[off : off+4*w]
		cover := mask.Pix[(y-box.Min.Y)*mask.Stride:][:w]
		for i, m := range cover {
			px := row[4*i : 4*i+4 : 4*i+4]
			switch {
			case m == 0:
			case m == 0xff && c.A == 0xff:
				px[0], px[1], px[2], px[3] = c.R, c.G, c.B, 0xff
			default:
				ma := uint32(m) * 0x101
				ia := 0xffff - sa*ma/0xffff
				px[0] = over(px[0], sr*ma/0xffff, ia)
				px[1] = over(px[1], sg*ma/0xffff, ia)
				px[2] = over(px[2], sb*ma/0xffff, ia)
				px[3] = over(px[3], sa*ma/0xffff, ia)
			}
		}
	}
}

// blendGray composites the luminance of colour c over dst within box (relative to dst's
// top-left corner), with coverage from mask.
func blendGray(dst *image.Gray, box image.Rectangle, mask *image.Alpha, c color.NRGBA) {
	_, _, _, sa := premultiplied(c)
	lum := luminance(uint32(c.R)*0x101, uint32(c.G)*0x101, uint32(c.B)*0x101)
	sy := lum * sa / 0xffff
	w := box.Dx()
	for y := box.Min.Y; y < box.Max.Y; y++ {
		off := dst.PixOffset(dst.Rect.Min.X+box.Min.X, dst.Rect.Min.Y+y)
		row := dst.Pix[off : off+w]
		cover := mask.Pix[(y-box.Min.Y)*mask.Stride:][:w]
		for i, m := range cover {
			switch {
			case m == 0:
			case m == 0xff && c.A == 0xff:
				row[i] = uint8(lum >> 8)
			default:
				ma := uint32(m) * 0x101
				row[i] = over(row[i], sy*ma/0xffff, 0xffff-sa*ma/0xffff)
			}
		}
	}
}

// renderPath is a set of closed subpaths in pixel coordinates.
type renderPath struct {
	pts  []Vec2
	ends []int // subpath i ends just before pts[ends[i]]
}

func (p *renderPath) reset() {
	p.pts = p.pts[:0]
	p.ends = p.ends[:0]
}

// start returns the index in p.pts of the subpath being built.
func (p *renderPath) start() int {
	if len(p.ends) == 0 {
		return 0
	}
	return p.ends[len(p.ends)-1]
}

// close ends the subpath being built.
func (p *renderPath) close() {
	p.ends = append(p.ends, len(p.pts))
}

// closeOriented ends the subpath being built, reversing it if needed so that its signed
// area is positive, and drops it if it has no area. Stroke pieces that all turn the same
// way add up where they overlap, so their union has no holes; the rasteriser clamps the
// total coverage to one.
func (p *renderPath) closeOriented() {
	sub := p.pts[p.start():]
	area := 0.0
	for i, q := range sub {
		n := sub[(i+1)%len(sub)]
		area += q.X*n.Y - n.X*q.Y
	}
	switch {
	case area < 0:
		slices.Reverse(sub)
	case area == 0:
		p.pts = p.pts[:p.start()]
		return
	}
	p.close()
}

// bounds returns the smallest pixel rectangle containing every point of p.
func (p *renderPath) bounds() image.Rectangle {
	if len(p.pts) == 0 {
		return image.Rectangle{}
	}
	lo, hi := p.pts[0], p.pts[0]
	for _, q := range p.pts[1:] {
		lo = Vec2{min(lo.X, q.X), min(lo.Y, q.Y)}
		hi = Vec2{max(hi.X, q.X), max(hi.Y, q.Y)}
	}
	return image.Rect(int(math.Floor(lo.X)), int(math.Floor(lo.Y)),
		int(math.Ceil(hi.X)), int(math.Ceil(hi.Y)))
}

// polygon adds the closed polygon through pts.
func (p *renderPath) polygon(pts []Vec2) {
	p.pts = append(p.pts, pts...)
	p.close()
}

// disc adds a regular n-gon inscribed in the circle of radius rad around c, turning
// clockwise instead of counter-clockwise when reverse is set.
func (p *renderPath) disc(c Vec2, rad float64, n int, reverse bool) {
	step := 2 * math.Pi / float64(n)
	if reverse {
		step = -step
	}
	for k := range n {
		p.pts = append(p.pts, c.Add(Polar(rad, step*float64(k))))
	}
	p.close()
}

// ring adds the band between the circles of radius inner and outer around c; if inner is
// not positive, the band is a disc.
func (p *renderPath) ring(c Vec2, inner, outer float64) {
	n := arcSegments(outer)
	p.disc(c, outer, n, false)
	if inner > 0 {
		p.disc(c, inner, n, true)
	}
}

// stroke adds the outline, hw pixels to either side, of the polyline through pts, which
// must not repeat a point twice in a row. The outline is built from one rectangle per
// segment, a pie slice on the outer side of each join and a half disc at each end of an
// open polyline. Neighbouring pieces share exact edges, so the rasteriser's coverage sums
// along them without seams. A segment shorter than hw does not reach round its ends' discs,
// so full discs replace the slices and half discs there.
func (p *renderPath) stroke(pts []Vec2, closed bool, hw float64) {
	n := len(pts)
	steps := arcSegments(hw)
	if n == 1 {
		p.disc(pts[0], hw, steps, false)
		return
	}
	for i := 0; i+1 < n; i++ {
		p.segment(pts[i], pts[i+1], hw)
	}
	for i := 1; i+1 < n; i++ {
		p.join(pts[i-1], pts[i], pts[i+1], hw, steps)
	}
	if closed {
		p.segment(pts[n-1], pts[0], hw)
		p.join(pts[n-2], pts[n-1], pts[0], hw, steps)
		p.join(pts[n-1], pts[0], pts[1], hw, steps)
		return
	}
	p.capEnd(pts[1], pts[0], hw, steps)
	p.capEnd(pts[n-2], pts[n-1], hw, steps)
}

// capEnd adds the round cap at b, the end of the segment ab: the half disc beyond b.
func (p *renderPath) capEnd(a, b Vec2, hw float64, steps int) {
	if b.Sub(a).Len() < hw {
		p.disc(b, hw, steps, false)
		return
	}
	n := strokeNormal(a, b, hw)
	p.arc(b, b.Add(n), b.Sub(n), -math.Pi, hw, steps)
}

// strokeNormal returns the normal of the segment ab, hw long, pointing to its left.
func strokeNormal(a, b Vec2, hw float64) Vec2 {
	d := b.Sub(a)
	return Vec2{-d.Y, d.X}.Scale(hw / d.Len())
}

// segment adds the rectangle 2·hw wide around the segment ab. Its ends pass through a and b
// so that the join and cap pieces built on those points share its edges exactly.
func (p *renderPath) segment(a, b Vec2, hw float64) {
	n := strokeNormal(a, b, hw)
	p.pts = append(p.pts, a.Add(n), a, a.Sub(n), b.Sub(n), b, b.Add(n))
	p.closeOriented()
}

// join adds the round join at v between the segments av and vb: a pie slice filling the
// gap between their rectangles on the outside of the turn.
func (p *renderPath) join(a, v, b Vec2, hw float64, steps int) {
	da, db := v.Sub(a), b.Sub(v)
	if da.Len() < hw || db.Len() < hw {
		p.disc(v, hw, steps, false)
		return
	}
	cross := da.X*db.Y - da.Y*db.X
	dot := da.Dot(db)
	if cross == 0 && dot > 0 {
		return
	}
	side := 1.0 // outside of a turn towards the left normal lies to the right
	if cross < 0 {
		side = -1
	}
	from := v.Sub(strokeNormal(a, v, hw).Scale(side))
	to := v.Sub(strokeNormal(v, b, hw).Scale(side))
	p.arc(v, from, to, side*math.Atan2(math.Abs(cross), dot), hw, steps)
}

// arc adds the pie slice around c from the point from to the point to, both hw from c,
// sweeping the signed angle sweep; full is the number of segments of a whole circle.
func (p *renderPath) arc(c, from, to Vec2, sweep, hw float64, full int) {
	n := max(1, int(math.Ceil(math.Abs(sweep)/(2*math.Pi)*float64(full))))
	d := from.Sub(c)
	start := math.Atan2(d.Y, d.X)
	p.pts = append(p.pts, c, from)
	for k := 1; k < n; k++ {
		p.pts = append(p.pts, c.Add(Polar(hw, start+sweep*float64(k)/float64(n))))
	}
	p.pts = append(p.pts, to)
	p.closeOriented()
}
