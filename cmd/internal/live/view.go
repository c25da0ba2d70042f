package live

import (
	"math"

	"github.com/foresight-sim/foresight/sim"
)

// Rect is a rectangle of the window in pixels, x to the right and y down.
type Rect struct {
	X, Y, W, H float64
}

// Viewport maps the world seen by a camera onto a rectangle of the window, keeping the
// aspect ratio as sim.Camera does: the camera's Width fills the rectangle's width, and the
// rectangle's height shows as much of the world as that scale allows.
type Viewport struct {
	Camera sim.Camera
	Area   Rect
}

// scale returns the pixels per metre.
func (v Viewport) scale() float64 {
	if v.Camera.Width <= 0 {
		return 0
	}
	return v.Area.W / v.Camera.Width
}

// ToScreen returns the pixel where world point p is drawn.
func (v Viewport) ToScreen(p sim.Vec2) (x, y float64) {
	k := v.scale()
	cx, cy := v.Area.X+v.Area.W/2, v.Area.Y+v.Area.H/2
	return cx + k*(p.X-v.Camera.Center.X), cy - k*(p.Y-v.Camera.Center.Y)
}

// ToWorld returns the world point drawn at pixel (x, y), for mouse input.
func (v Viewport) ToWorld(x, y float64) sim.Vec2 {
	k := v.scale()
	if k == 0 {
		return v.Camera.Center
	}
	cx, cy := v.Area.X+v.Area.W/2, v.Area.Y+v.Area.H/2
	return sim.V(v.Camera.Center.X+(x-cx)/k, v.Camera.Center.Y-(y-cy)/k)
}

// Length returns a world length in pixels.
func (v Viewport) Length(metres float64) float64 { return metres * v.scale() }

// ScaleBar returns a round length in metres (1, 2 or 5 times a power of ten) whose bar is
// closest to, without exceeding, maxPixels long.
func (v Viewport) ScaleBar(maxPixels float64) float64 {
	k := v.scale()
	if k <= 0 || maxPixels <= 0 {
		return 0
	}
	limit := maxPixels / k
	p := math.Pow(10, math.Floor(math.Log10(limit)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= limit {
			return m * p
		}
	}
	return p
}
