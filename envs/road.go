package envs

import (
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/sim"
)

// roadStep is the spacing of a road's centreline samples, and curvatureSpan the distance
// either side of a sample over which its curvature is measured, in metres.
const (
	roadStep      = 0.25
	curvatureSpan = 1
)

// road is a closed track laid out for driving: its centreline, a centripetal Catmull–Rom
// spline through the track's control points, sampled about every roadStep metres, with the
// arc length, direction and curvature at each sample.
type road struct {
	name    string
	width   float64
	pts     []sim.Vec2 // centreline samples; the loop closes from the last to the first
	s       []float64  // arc length from the first sample
	tangent []sim.Vec2 // unit direction of travel
	curv    []float64  // signed curvature in 1/m, positive turning left
	length  float64    // the loop's length
	left    []sim.Vec2 // the left edge, one point per sample
	right   []sim.Vec2 // the right edge
	grid    grid       // the samples by where they lie, for rays
}

// newRoad lays out track t. It returns an error naming the track if the road would fold over
// itself: a bend tighter than half the width, or two stretches of road that come closer than
// a width apart.
func newRoad(t *assets.Track) (*road, error) {
	r := &road{name: t.Name, width: t.Width}
	n := len(t.Points)
	for i := range n {
		p0, p1, p2, p3 := t.Points[(i+n-1)%n], t.Points[i], t.Points[(i+1)%n], t.Points[(i+2)%n]
		k := max(1, int(math.Ceil(p2.Sub(p1).Len()/roadStep)))
		for j := range k {
			r.pts = append(r.pts, catmullRom(p0, p1, p2, p3, float64(j)/float64(k)))
		}
	}
	r.measure()
	h := r.width / 2
	for i, p := range r.pts {
		normal := sim.V(-r.tangent[i].Y, r.tangent[i].X).Scale(h)
		r.left, r.right = append(r.left, p.Add(normal)), append(r.right, p.Sub(normal))
	}
	lo, hi := r.bounds()
	r.grid = newGrid(r.pts, lo, hi, gridCell)
	return r, r.check()
}

// measure fills the arc lengths, directions and curvatures of the samples.
func (r *road) measure() {
	n := len(r.pts)
	r.s, r.tangent, r.curv = make([]float64, n), make([]sim.Vec2, n), make([]float64, n)
	for i, p := range r.pts {
		d := r.pts[(i+1)%n].Sub(p)
		r.tangent[i] = d.Scale(1 / d.Len())
		if i+1 < n {
			r.s[i+1] = r.s[i] + d.Len()
		} else {
			r.length = r.s[i] + d.Len()
		}
	}
	// Curvature is the turn over the metre either side, so that the kinks of the spline's
	// curvature at control points (it is continuous in direction only) are smoothed out.
	w := max(1, int(math.Round(curvatureSpan/roadStep)))
	for i := range n {
		a, b := (i-w+n)%n, (i+w)%n
		prev, next := r.tangent[a], r.tangent[b]
		turn := math.Atan2(prev.X*next.Y-prev.Y*next.X, prev.Dot(next))
		ds := r.s[b] - r.s[a]
		if ds <= 0 {
			ds += r.length
		}
		r.curv[i] = turn / ds
	}
}

// check returns an error if the road folds over itself.
func (r *road) check() error {
	for i, k := range r.curv {
		if math.Abs(k)*r.width/2 > 0.9 {
			return fmt.Errorf("track %s bends with a radius of %.2g m at %.3g m along it, tighter than its half width of %.2g m allows", r.name, 1/math.Abs(k), r.s[i], r.width/2)
		}
	}
	// Samples further apart along the road than half a turn of the tightest allowed bend,
	// yet closer than a width in space, belong to stretches that overlap.
	apart := math.Pi * r.width
	for i, p := range r.pts {
		for j := i + 1; j < len(r.pts); j++ {
			along := r.s[j] - r.s[i]
			if along < apart || r.length-along < apart {
				continue
			}
			if p.Sub(r.pts[j]).Len() < r.width {
				return fmt.Errorf("track %s comes back within %.2g m of itself, less than its width of %.2g m, at %.3g m and %.3g m along it", r.name, p.Sub(r.pts[j]).Len(), r.width, r.s[i], r.s[j])
			}
		}
	}
	return nil
}

// catmullRom returns the point a fraction u of the way from p1 to p2 along the centripetal
// Catmull–Rom spline through p0, p1, p2 and p3 (Barry and Goldman's form).
func catmullRom(p0, p1, p2, p3 sim.Vec2, u float64) sim.Vec2 {
	knot := func(a, b sim.Vec2) float64 { return math.Max(math.Sqrt(b.Sub(a).Len()), 1e-9) }
	t0 := 0.0
	t1 := t0 + knot(p0, p1)
	t2 := t1 + knot(p1, p2)
	t3 := t2 + knot(p2, p3)
	t := t1 + u*(t2-t1)
	lerp := func(a, b sim.Vec2, ta, tb float64) sim.Vec2 {
		return a.Scale((tb - t) / (tb - ta)).Add(b.Scale((t - ta) / (tb - ta)))
	}
	a1, a2, a3 := lerp(p0, p1, t0, t1), lerp(p1, p2, t1, t2), lerp(p2, p3, t2, t3)
	b1, b2 := lerp(a1, a2, t0, t2), lerp(a2, a3, t1, t3)
	return lerp(b1, b2, t1, t2)
}

// project returns where on the centreline p lies: the sample i it follows, the arc length
// s of its projection and its signed offset from the centreline, positive to the left. It
// searches the samples within window of hint, or all of them if hint is negative.
func (r *road) project(p sim.Vec2, hint, window int) (i int, s, offset float64) {
	n := len(r.pts)
	lo, hi := 0, n-1
	if hint >= 0 && 2*window+1 < n {
		lo, hi = hint-window, hint+window
	}
	best := math.Inf(1)
	for k := lo; k <= hi; k++ {
		j := (k%n + n) % n
		a, b := r.pts[j], r.pts[(j+1)%n]
		seg := b.Sub(a)
		u := math.Max(0, math.Min(1, p.Sub(a).Dot(seg)/seg.Dot(seg)))
		q := a.Add(seg.Scale(u))
		if d := p.Sub(q); d.Dot(d) < best {
			best, i = d.Dot(d), j
			s = r.s[j] + u*r.segLen(j)
			t := r.tangent[j]
			offset = t.X*(p.Y-q.Y) - t.Y*(p.X-q.X)
		}
	}
	return i, s, offset
}

// segLen returns the length of the centreline from sample j to the next.
func (r *road) segLen(j int) float64 {
	if j+1 < len(r.s) {
		return r.s[j+1] - r.s[j]
	}
	return r.length - r.s[j]
}

// at returns the sample at or just before arc length s, taken around the loop.
func (r *road) at(s float64) int {
	s = math.Mod(s, r.length)
	if s < 0 {
		s += r.length
	}
	lo, hi := 0, len(r.s)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if r.s[mid] <= s {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// bounds returns the corners of the smallest axis-aligned box holding the road.
func (r *road) bounds() (lo, hi sim.Vec2) {
	h := sim.V(r.width/2, r.width/2)
	lo, hi = sim.Bounds(r.pts...)
	return lo.Sub(h), hi.Add(h)
}

// rays writes into dst the distances from origin to the road's nearest edge along len(dst)
// rays spread evenly over fov radians around heading, from right to left, each reaching
// reach metres (reach where it meets no edge). near is scratch space, returned for reuse.
func (r *road) rays(origin sim.Vec2, heading, fov, reach float64, dst []float64, near []int) []int {
	// The edges' points within reach (and a sample's length) of the origin: the only ones
	// whose segments a ray can meet.
	near = r.grid.near(origin, reach+r.width/2+roadStep, r.pts, near[:0])
	var buf [16]sim.Vec2
	dirs := buf[:0]
	for k := range dst {
		angle := heading
		if len(dst) > 1 {
			angle += -fov/2 + fov*float64(k)/float64(len(dst)-1)
		}
		dirs = append(dirs, sim.Polar(1, angle))
		dst[k] = reach
	}
	// Rays spread over at most half a turn never go backwards: an edge wholly behind the
	// origin (by more than rounding) is out of their way.
	fwd, cull := sim.Polar(1, heading), fov <= math.Pi
	n := len(r.pts)
	for _, i := range near {
		j := (i + 1) % n
		for _, edge := range [2][]sim.Vec2{r.left, r.right} {
			w, wb := edge[i].Sub(origin), edge[j].Sub(origin)
			if cull && w.Dot(fwd) < -1e-9 && wb.Dot(fwd) < -1e-9 {
				continue
			}
			rayHits(w, edge[j].Sub(edge[i]), dirs, dst)
		}
	}
	return near
}

// rayHits lowers each dst[k] to how far along the unit direction dirs[k] from the origin
// the ray meets the segment from w to w+e, positions relative to the origin, if it does
// and that is nearer.
func rayHits(w, e sim.Vec2, dirs []sim.Vec2, dst []float64) {
	cross := w.X*e.Y - w.Y*e.X
	for k, dir := range dirs {
		den := dir.X*e.Y - dir.Y*e.X
		if den == 0 {
			continue
		}
		t := cross / den                   // along the ray
		u := (w.X*dir.Y - w.Y*dir.X) / den // along the segment
		if t >= 0 && u >= 0 && u <= 1 && t < dst[k] {
			dst[k] = t
		}
	}
}

// gridCell is the side of a grid's cells, in metres: a range sensor's reach spans a few.
const gridCell = 2.0

// grid files points by the square cell they lie in, so that those near a place are found
// without looking at every one.
type grid struct {
	lo     sim.Vec2
	nx, ny int
	cell   float64
	start  []int32 // cell c holds idx[start[c]:start[c+1]]
	idx    []int32 // point indices, cell by cell, ascending within each
}

// newGrid files pts, which lie in the box from lo to hi, in cells of side cell.
func newGrid(pts []sim.Vec2, lo, hi sim.Vec2, cell float64) grid {
	g := grid{lo: lo, cell: cell, nx: int((hi.X-lo.X)/cell) + 1, ny: int((hi.Y-lo.Y)/cell) + 1}
	g.start = make([]int32, g.nx*g.ny+1)
	for _, p := range pts {
		g.start[g.cellOf(p)+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.idx = make([]int32, len(pts))
	fill := append([]int32(nil), g.start[:len(g.start)-1]...)
	for i, p := range pts {
		c := g.cellOf(p)
		g.idx[fill[c]] = int32(i)
		fill[c]++
	}
	return g
}

// cellOf returns the index of the cell p lies in; p must lie within the grid.
func (g *grid) cellOf(p sim.Vec2) int {
	return int((p.Y-g.lo.Y)/g.cell)*g.nx + int((p.X-g.lo.X)/g.cell)
}

// near appends to dst the indices of the points of pts, the points the grid was built
// from, within radius of o, and returns it.
func (g *grid) near(o sim.Vec2, radius float64, pts []sim.Vec2, dst []int) []int {
	x0 := max(0, int(math.Floor((o.X-radius-g.lo.X)/g.cell)))
	x1 := min(g.nx-1, int(math.Floor((o.X+radius-g.lo.X)/g.cell)))
	y0 := max(0, int(math.Floor((o.Y-radius-g.lo.Y)/g.cell)))
	y1 := min(g.ny-1, int(math.Floor((o.Y+radius-g.lo.Y)/g.cell)))
	if x0 > x1 || y0 > y1 { // far outside the grid, or not a place at all (NaN)
		return dst
	}
	r2 := radius * radius
	for y := y0; y <= y1; y++ {
		row := y * g.nx
		for _, i := range g.idx[g.start[row+x0]:g.start[row+x1+1]] {
			if d := pts[i].Sub(o); d.Dot(d) <= r2 {
				dst = append(dst, int(i))
			}
		}
	}
	return dst
}
