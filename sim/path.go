package sim

import (
	"image"
	"math"
	"slices"
)

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
