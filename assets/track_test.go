package assets

import (
	"bytes"
	"strings"
	"testing"
)

// TestShippedTracksLoad loads every shipped track.
func TestShippedTracksLoad(t *testing.T) {
	names := TrackNames()
	if len(names) < 4 {
		t.Fatalf("tracks %v: want a training track and at least three held out", names)
	}
	for _, name := range names {
		tr, err := LoadTrack(name)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Name != name || tr.Width <= 0 || len(tr.Points) < 4 {
			t.Errorf("%s: %+v", name, tr)
		}
	}
}

func TestLoadTrackUnknown(t *testing.T) {
	for _, name := range []string{"nope", "../doc", "tracks/circuit", ""} {
		_, err := LoadTrack(name)
		if err == nil || !strings.Contains(err.Error(), "no track") || !strings.Contains(err.Error(), "circuit") {
			t.Errorf("%q: error %v, want one naming the known tracks", name, err)
		}
	}
}

func TestParseTrack(t *testing.T) {
	tr, err := ParseTrack("t", strings.NewReader("# a square\n\nwidth 1.5\npoint 0 0\npoint 4 0  # trailing words are not comments\n"))
	if err == nil {
		t.Fatalf("accepted trailing words: %+v", tr)
	}
	tr, err = ParseTrack("t", strings.NewReader("# a square\n\n  width 1.5\npoint 0 0\npoint 4 0\n\tpoint 4 4\npoint 0 4"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Width != 1.5 || len(tr.Points) != 4 || tr.Points[2].X != 4 || tr.Points[2].Y != 4 {
		t.Errorf("parsed %+v", tr)
	}
}

// TestParseTrackErrors checks that each fault gives one line naming the file and, where
// there is one, the line.
func TestParseTrackErrors(t *testing.T) {
	const square = "point 0 0\npoint 4 0\npoint 4 4\npoint 0 4\n"
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown directive", "width 2\npoint 0 0\ncurve 1 2\n", "line 3: unknown directive"},
		{"not a number", "width two\n", "line 1: \"two\" is not a finite number"},
		{"NaN", "width 2\npoint NaN 0\n", "line 2: \"NaN\" is not a finite number"},
		{"infinite", "width 2\npoint 0 +Inf\n", "line 2: \"+Inf\" is not a finite number"},
		{"narrow", "width 0.1\n" + square, "line 1: width 0.1 m"},
		{"two widths", "width 2\nwidth 3\n" + square, "line 2: a second width"},
		{"width of two values", "width 2 3\n", "line 1: want one value"},
		{"point of one value", "width 2\npoint 1\n", "line 2: want two values"},
		{"far point", "width 2\npoint 0 5000\n", "line 2: point"},
		{"repeated point", "width 2\npoint 1 1\npoint 1 1\n", "line 3: point {1 1} repeats"},
		{"no width", square, "no width line"},
		{"three points", "width 2\npoint 0 0\npoint 1 0\npoint 0 1\n", "3 points, want at least 4"},
		{"closed by hand", "width 2\n" + square + "point 0 0\n", "the last point repeats the first"},
		{"long line", "width 2\n# " + strings.Repeat("x", 300) + "\n", "line 2: longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTrack("bad.track", strings.NewReader(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.track") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line naming bad.track and %q", err, tc.want)
			}
		})
	}
}

// FuzzParseTrack feeds ParseTrack arbitrary files: it must not panic, and a track it
// accepts must satisfy the limits it documents.
func FuzzParseTrack(f *testing.F) {
	for _, name := range TrackNames() {
		data, err := files.ReadFile("tracks/" + name + TrackExt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("width 2\npoint 0 0\npoint 1e3 0\npoint 0 -1e3\npoint 1 1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ParseTrack("fuzz", bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		if tr.Width < MinTrackWidth || tr.Width > MaxTrackWidth || len(tr.Points) < 4 || len(tr.Points) > MaxTrackPoints {
			t.Errorf("accepted %+v", tr)
		}
		for i, p := range tr.Points {
			if p.X != p.X || p.Y != p.Y || p.X < -MaxTrackCoord || p.X > MaxTrackCoord || p.Y < -MaxTrackCoord || p.Y > MaxTrackCoord {
				t.Errorf("accepted point %d %v", i, p)
			}
			if p == tr.Points[(i+1)%len(tr.Points)] {
				t.Errorf("accepted point %d equal to the next", i)
			}
		}
	})
}
