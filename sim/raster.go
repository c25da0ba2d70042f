package sim

import (
	"image"
	"image/color"
	"image/draw"
)

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
// side·(coordinate − limit) ≤ 0, the coordinate being x for axis 0 and y for axis 1.
func clipHalfPlane(dst, src []Vec2, axis int, limit, side float64) []Vec2 {
	return clipPolygon(dst, src,
		func(q Vec2) bool { return side*(axisCoord(q, axis)-limit) <= 0 },
		func(p, q Vec2) Vec2 { return cutEdge(p, q, axis, limit) })
}

// clipPolygon appends to dst the closed polygon src cut to the region where in holds, a
// half-plane, crossing its border at cut(p, q) on each edge pq that leaves or enters it
// (Sutherland–Hodgman), and returns dst.
func clipPolygon(dst, src []Vec2, in func(Vec2) bool, cut func(p, q Vec2) Vec2) []Vec2 {
	for i, q := range src {
		p := src[(i+len(src)-1)%len(src)]
		if in(p) != in(q) {
			dst = append(dst, cut(p, q))
		}
		if in(q) {
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
