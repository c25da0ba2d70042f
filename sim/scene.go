package sim

import (
	"image/color"
	"slices"
)

// ShapeKind says how a Shape is drawn.
type ShapeKind uint8

// The kinds of drawable shape.
const (
	// Polygon is a closed, filled polygon through Points (any winding, convex or not).
	Polygon ShapeKind = iota
	// Circle is a filled disc of Radius around Center.
	Circle
	// Line is an open polyline through Points, Width metres wide.
	Line
)

// Layers order the drawing: lower layers are drawn first. Shapes on one layer keep the order
// in which they were added.
const (
	LayerBackground = -10 // ground, rails, grids
	LayerTarget     = -5  // goals and markers under the bodies
	LayerBody       = 0   // rigid bodies
	LayerJoint      = 5   // joint pins drawn on top of bodies
	LayerOverlay    = 10  // annotations, rays, imagined futures
)

// Shape is one drawable primitive in world coordinates (metres, y up).
//
// A Polygon or Circle is filled with Fill and, when Stroke has non-zero alpha and Width > 0,
// outlined with a Width-metre line of colour Stroke. A Line is drawn with colour Stroke and
// width Width; its Fill is ignored. Renderers draw lines and outlines with round caps and
// joins, at least one pixel wide.
type Shape struct {
	Kind   ShapeKind
	Layer  int
	Points []Vec2  // polygon vertices or polyline points
	Center Vec2    // circle centre
	Radius float64 // circle radius
	Width  float64 // line or outline width in metres
	Fill   color.NRGBA
	Stroke color.NRGBA
}

// Camera maps world coordinates to an image: the image shows a window Width metres wide centred
// on Center, and as tall as the image's aspect ratio makes it. Width must be positive; with
// any other value only the background is drawn.
type Camera struct {
	Center Vec2
	Width  float64
}

// Scene is a drawable description of a world at one instant: what to draw, in what colours,
// seen through which camera. The software rasteriser (Render) and the live viewer both draw
// from it. A Scene is rebuilt every frame; Reset keeps its memory so rebuilding does not
// allocate once it has grown to size.
type Scene struct {
	Background color.NRGBA
	Camera     Camera
	// Eye is the camera of an agent that sees the scene in pixels where it differs from
	// Camera, the overview a person watches (one that follows a body, say); zero means
	// Camera. The renderers draw through Camera; see AgentCamera.
	Eye    Camera
	Shapes []Shape

	points []Vec2 // backing store for Shapes[i].Points
}

// AgentCamera returns the camera an agent's pixels are drawn through: Eye, or Camera if Eye
// is zero.
func (s *Scene) AgentCamera() Camera {
	if s.Eye == (Camera{}) {
		return s.Camera
	}
	return s.Eye
}

// Reset empties the scene, keeping its background, camera and memory.
func (s *Scene) Reset() {
	s.Shapes = s.Shapes[:0]
	s.points = s.points[:0]
}

// Clone returns a deep copy of s that shares no memory with it, for keeping a scene beyond
// the next rebuild of the original.
func (s *Scene) Clone() *Scene {
	c := &Scene{Background: s.Background, Camera: s.Camera, Eye: s.Eye, Shapes: slices.Clone(s.Shapes)}
	n := 0
	for _, sh := range s.Shapes {
		n += len(sh.Points)
	}
	c.points = make([]Vec2, 0, n)
	for i := range c.Shapes {
		if c.Shapes[i].Points != nil {
			c.Shapes[i].Points = c.store(c.Shapes[i].Points)
		}
	}
	return c
}

// AddPolygon adds a filled polygon on layer with the given world-space vertices and returns
// it so the caller can set an outline.
func (s *Scene) AddPolygon(layer int, fill color.NRGBA, pts ...Vec2) *Shape {
	return s.add(Shape{Kind: Polygon, Layer: layer, Points: s.store(pts), Fill: fill})
}

// AddCircle adds a filled disc on layer and returns it so the caller can set an outline.
func (s *Scene) AddCircle(layer int, fill color.NRGBA, center Vec2, radius float64) *Shape {
	return s.add(Shape{Kind: Circle, Layer: layer, Center: center, Radius: radius, Fill: fill})
}

// AddLine adds an open polyline width metres wide on layer.
func (s *Scene) AddLine(layer int, stroke color.NRGBA, width float64, pts ...Vec2) *Shape {
	return s.add(Shape{Kind: Line, Layer: layer, Points: s.store(pts), Width: width, Stroke: stroke})
}

func (s *Scene) add(sh Shape) *Shape {
	s.Shapes = append(s.Shapes, sh)
	return &s.Shapes[len(s.Shapes)-1]
}

// store copies pts into the scene's own memory so callers may reuse their slices.
func (s *Scene) store(pts []Vec2) []Vec2 {
	start := len(s.points)
	s.points = append(s.points, pts...)
	return s.points[start:len(s.points):len(s.points)]
}
