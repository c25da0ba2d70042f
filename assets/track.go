package assets

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/foresight-sim/foresight/sim"
)

//go:embed tracks/*.track
var trackFiles embed.FS

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
	// maxTrackLine is the longest line a track file may have, in bytes.
	maxTrackLine = 256
)

// Track is a closed track: its centreline passes through Points in order and back to the
// first, and it is Width metres wide.
type Track struct {
	Name   string
	Width  float64
	Points []sim.Vec2
}

// TrackNames returns the names of the tracks shipped in the package, sorted.
func TrackNames() []string {
	entries, _ := trackFiles.ReadDir("tracks")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), TrackExt))
	}
	slices.Sort(names)
	return names
}

// LoadTrack returns the shipped track called name. It returns an error naming the known
// tracks if there is none of that name.
func LoadTrack(name string) (*Track, error) {
	var f fs.File
	err := fs.ErrNotExist
	if !strings.ContainsAny(name, "/\\") {
		f, err = trackFiles.Open(path.Join("tracks", name+TrackExt))
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("assets: no track %.40q (known: %s)", name, strings.Join(TrackNames(), ", "))
	}
	if err != nil {
		return nil, fmt.Errorf("assets: track %s: %w", name, err)
	}
	defer f.Close()
	return ParseTrack(name, f)
}

// ParseTrack reads a track file (README.md describes the format) from r; name is what
// errors and the Track call it. It returns an error naming the file and the line for a
// line that is not a known directive with valid values, a missing or repeated width, fewer
// than 4 points or more than MaxTrackPoints, values out of range, or a point equal to the
// one before it.
func ParseTrack(name string, r io.Reader) (*Track, error) {
	t := &Track{Name: name}
	fail := func(line int, format string, args ...any) (*Track, error) {
		return nil, fmt.Errorf("assets: track %s line %d: %s", name, line, fmt.Sprintf(format, args...))
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, maxTrackLine), maxTrackLine)
	line := 0
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		values, err := parseNumbers(fields[1:])
		if err != nil {
			return fail(line, "%v", err)
		}
		switch fields[0] {
		case "width":
			switch {
			case t.Width != 0:
				return fail(line, "a second width")
			case len(values) != 1:
				return fail(line, "want one value after width, got %d", len(values))
			case !(values[0] >= MinTrackWidth && values[0] <= MaxTrackWidth):
				return fail(line, "width %v m: want %g to %g", values[0], MinTrackWidth, MaxTrackWidth)
			}
			t.Width = values[0]
		case "point":
			if len(values) != 2 {
				return fail(line, "want two values after point, x and y, got %d", len(values))
			}
			p := sim.V(values[0], values[1])
			switch {
			case math.Abs(p.X) > MaxTrackCoord || math.Abs(p.Y) > MaxTrackCoord:
				return fail(line, "point %v: coordinates must be within ±%d m", p, MaxTrackCoord)
			case len(t.Points) == MaxTrackPoints:
				return fail(line, "more than %d points", MaxTrackPoints)
			case len(t.Points) > 0 && t.Points[len(t.Points)-1] == p:
				return fail(line, "point %v repeats the one before", p)
			}
			t.Points = append(t.Points, p)
		default:
			return fail(line, "unknown directive %.20q (want width or point)", fields[0])
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fail(line+1, "longer than %d bytes", maxTrackLine)
		}
		return nil, fmt.Errorf("assets: track %s: %w", name, err)
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

// parseNumbers returns the finite numbers fields hold, or an error naming the first that is
// not one.
func parseNumbers(fields []string) ([]float64, error) {
	out := make([]float64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("%.20q is not a finite number", f)
		}
		out[i] = v
	}
	return out, nil
}
