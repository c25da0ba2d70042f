package assets

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/foresight-sim/foresight/sim"
)

// ShapeExt is the extension of shape files.
const ShapeExt = ".shape"

// Limits on shape files.
const (
	// MaxShapeParts is the most convex parts a shape may have.
	MaxShapeParts = 8
	// MaxPartCorners is the most corners a part may have, Box2D's limit on a polygon.
	MaxPartCorners = 8
	// MaxShapeCoord bounds the corners' coordinates, in metres either way.
	MaxShapeCoord = 10
	// MinPartArea is the smallest area a part may have, in m².
	MinPartArea = 1e-4
)

// Shape is a rigid body's outline in its own frame: the union of convex Parts that do not
// overlap, each a polygon with its corners counter-clockwise.
type Shape struct {
	Name  string
	Parts [][]sim.Vec2
}

// Area returns the shape's area in m².
func (s *Shape) Area() float64 {
	a := 0.0
	for _, p := range s.Parts {
		a += sim.PolygonArea(p)
	}
	return a
}

// ShapeNames returns the names of the shapes shipped in the package, sorted.
func ShapeNames() []string { return names("shapes", ShapeExt) }

// LoadShape returns the shipped shape called name. It returns an error naming the known
// shapes if there is none of that name.
func LoadShape(name string) (*Shape, error) {
	return load("shape", "shapes", ShapeExt, name, ParseShape)
}

// ParseShape reads a shape file (README.md describes the format) from r; name is what
// errors and the Shape call it. It returns an error naming the file and the line for a part
// that is not a convex polygon of 3 to MaxPartCorners corners within range, with an area of
// at least MinPartArea, or that overlaps an earlier part; and an error naming the file for
// a file with no parts or more than MaxShapeParts.
func ParseShape(name string, r io.Reader) (*Shape, error) {
	s := &Shape{Name: name}
	err := parseLines("shape", name, r, func(directive string, values []float64) error {
		if directive != "part" {
			return fmt.Errorf("unknown directive %.20q (want part)", directive)
		}
		part, err := parsePart(values)
		if err != nil {
			return err
		}
		if len(s.Parts) == MaxShapeParts {
			return fmt.Errorf("more than %d parts", MaxShapeParts)
		}
		for k, q := range s.Parts {
			if o := sim.ConvexOverlap(part, q); o > 1e-9 {
				return fmt.Errorf("part overlaps part %d by %.3g m²", k+1, o)
			}
		}
		s.Parts = append(s.Parts, part)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(s.Parts) == 0 {
		return nil, fmt.Errorf("assets: shape %s: no parts", name)
	}
	return s, nil
}

// parsePart returns the convex polygon whose corners' coordinates values lists, x then y,
// counter-clockwise.
func parsePart(values []float64) ([]sim.Vec2, error) {
	n := len(values) / 2
	switch {
	case len(values)%2 != 0:
		return nil, fmt.Errorf("%d values after part, want pairs x y", len(values))
	case n < 3 || n > MaxPartCorners:
		return nil, fmt.Errorf("%d corners, want 3 to %d", n, MaxPartCorners)
	}
	part := make([]sim.Vec2, n)
	for i := range part {
		part[i] = sim.V(values[2*i], values[2*i+1])
		if math.Abs(part[i].X) > MaxShapeCoord || math.Abs(part[i].Y) > MaxShapeCoord {
			return nil, fmt.Errorf("corner %v: coordinates must be within ±%d m", part[i], MaxShapeCoord)
		}
	}
	if sim.PolygonArea(part) < 0 {
		slices.Reverse(part)
	}
	if a := sim.PolygonArea(part); a < MinPartArea {
		return nil, fmt.Errorf("area %.3g m², want at least %g", a, MinPartArea)
	}
	for i, p := range part {
		q, r := part[(i+1)%n], part[(i+2)%n]
		if d := q.Sub(p); d.X*(r.Y-q.Y)-d.Y*(r.X-q.X) <= 0 {
			return nil, fmt.Errorf("not convex at corner %v", q)
		}
	}
	return part, nil
}
