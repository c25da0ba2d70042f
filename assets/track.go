package assets

import (
	"fmt"
	"io"
	"math"

	"github.com/foresight-sim/foresight/sim"
)

// TrackExt is the extension of track files.
const TrackExt = ".track"

// Limits on track files.
const (
	// MaxTrackPoints is the most control points a track may have.
	MaxTrackPoints = 1000
	// MaxTrackCoord bounds the control points' coordinates, in metres either way.
	MaxTrackCoord = 1000
	// MinTrackWidth and MaxTrackWidth bound a track's width in metres.
	MinTrackWidth, MaxTrackWidth float64 = 0.5, 20
)

// Track is a closed track: its centreline passes through Points in order and back to the
// first, and it is Width metres wide.
type Track struct {
	Name   string
	Width  float64
	Points []sim.Vec2
}

// TrackNames returns the names of the tracks shipped in the package, sorted.
func TrackNames() []string { return names("tracks", TrackExt) }

// LoadTrack returns the shipped track called name. It returns an error naming the known
// tracks if there is none of that name.
func LoadTrack(name string) (*Track, error) {
	return load("track", "tracks", TrackExt, name, ParseTrack)
}

// ParseTrack reads a track file (README.md describes the format) from r; name is what
// errors and the Track call it. It returns an error naming the file and the line for a
// line that is not a known directive with valid values, a missing or repeated width, fewer
// than 4 points or more than MaxTrackPoints, values out of range, or a point equal to the
// one before it.
func ParseTrack(name string, r io.Reader) (*Track, error) {
	t := &Track{Name: name}
	err := parseLines("track", name, r, func(directive string, values []float64) error {
		switch directive {
		case "width":
			switch {
			case t.Width != 0:
				return fmt.Errorf("a second width")
			case len(values) != 1:
				return fmt.Errorf("want one value after width, got %d", len(values))
			case !(values[0] >= MinTrackWidth && values[0] <= MaxTrackWidth):
				return fmt.Errorf("width %v m: want %g to %g", values[0], MinTrackWidth, MaxTrackWidth)
			}
			t.Width = values[0]
		case "point":
			if len(values) != 2 {
				return fmt.Errorf("want two values after point, x and y, got %d", len(values))
			}
			p := sim.V(values[0], values[1])
			switch {
			case math.Abs(p.X) > MaxTrackCoord || math.Abs(p.Y) > MaxTrackCoord:
				return fmt.Errorf("point %v: coordinates must be within ±%d m", p, MaxTrackCoord)
			case len(t.Points) == MaxTrackPoints:
				return fmt.Errorf("more than %d points", MaxTrackPoints)
			case len(t.Points) > 0 && t.Points[len(t.Points)-1] == p:
				return fmt.Errorf("point %v repeats the one before", p)
			}
			t.Points = append(t.Points, p)
		default:
			return fmt.Errorf("unknown directive %.20q (want width or point)", directive)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case t.Width == 0:
		return nil, fmt.Errorf("assets: track %s: no width line", name)
	case len(t.Points) < 4:
		return nil, fmt.Errorf("assets: track %s: %d points, want at least 4", name, len(t.Points))
	case t.Points[0] == t.Points[len(t.Points)-1]:
		return nil, fmt.Errorf("assets: track %s: the last point repeats the first (the loop closes by itself)", name)
	}
	return t, nil
}
