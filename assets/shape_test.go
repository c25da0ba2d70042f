package assets

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// TestShippedShapesLoad loads every shipped shape and checks the T's area.
func TestShippedShapesLoad(t *testing.T) {
	names := ShapeNames()
	if len(names) == 0 {
		t.Fatal("no shapes shipped")
	}
	for _, name := range names {
		s, err := LoadShape(name)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != name || len(s.Parts) == 0 {
			t.Errorf("%s: %+v", name, s)
		}
	}
	tee, err := LoadShape("tee")
	if err != nil {
		t.Fatal(err)
	}
	if a := tee.Area(); math.Abs(a-(0.48*0.12+0.12*0.36)) > 1e-12 {
		t.Errorf("T's area %v m², want a bar 0.48 by 0.12 and a stem 0.12 by 0.36", a)
	}
}

func TestLoadShapeUnknown(t *testing.T) {
	_, err := LoadShape("../tracks/circuit")
	if err == nil || !strings.Contains(err.Error(), "no shape") || !strings.Contains(err.Error(), "tee") {
		t.Errorf("error %v, want one naming the known shapes", err)
	}
}

// TestParseShapeWinding checks that a part given clockwise is turned counter-clockwise.
func TestParseShapeWinding(t *testing.T) {
	s, err := ParseShape("t", strings.NewReader("part 0 0  0 1  1 1  1 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a := sim.PolygonArea(s.Parts[0]); a != 1 {
		t.Errorf("signed area %v, want 1 (counter-clockwise)", a)
	}
}

// TestParseShapeErrors checks that each fault gives one line naming the file and, where
// there is one, the line.
func TestParseShapeErrors(t *testing.T) {
	const unit = "part 0 0  1 0  1 1  0 1\n"
	for _, tc := range []struct {
		name, text, want string
	}{
		{"unknown directive", unit + "box 1 1\n", "line 2: unknown directive"},
		{"odd values", "part 0 0 1 0 1\n", "line 1: 5 values"},
		{"two corners", "part 0 0 1 0\n", "line 1: 2 corners"},
		{"nine corners", "part" + strings.Repeat(" 0 0", 9) + "\n", "line 1: 9 corners"},
		{"far corner", "part 0 0 100 0 0 1\n", "line 1: corner"},
		{"flat", "part 0 0 1 0 2 0\n", "line 1: area 0"},
		{"concave", "part 0 0 2 0 2 2 1 0.5 0 2\n", "line 1: not convex"},
		{"overlap", unit + "part 0.5 0.5 2 0.5 2 2 0.5 2\n", "line 2: part overlaps part 1"},
		{"NaN", "part NaN 0 1 0 0 1\n", "line 1: \"NaN\" is not a finite number"},
		{"empty", "# nothing\n", "no parts"},
		{"too many", triangles(MaxShapeParts + 1), "line 9: more than 8 parts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseShape("bad.shape", strings.NewReader(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.shape") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line naming bad.shape and %q", err, tc.want)
			}
		})
	}
}

// triangles returns a shape file of n triangles side by side.
func triangles(n int) string {
	var b strings.Builder
	for k := range n {
		fmt.Fprintf(&b, "part %d 0  %d.5 0  %d 0.5\n", k, k, k)
	}
	return b.String()
}

// FuzzParseShape feeds ParseShape arbitrary files: it must not panic, and a shape it
// accepts must satisfy the limits it documents.
func FuzzParseShape(f *testing.F) {
	for _, name := range ShapeNames() {
		data, err := files.ReadFile("shapes/" + name + ShapeExt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("part 0 0 1 0 0 1\npart 1 1 0 1 1 0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseShape("fuzz", bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		if len(s.Parts) == 0 || len(s.Parts) > MaxShapeParts {
			t.Errorf("accepted %d parts", len(s.Parts))
		}
		for i, p := range s.Parts {
			if len(p) < 3 || len(p) > MaxPartCorners || sim.PolygonArea(p) < MinPartArea {
				t.Errorf("accepted part %d %v", i, p)
			}
			for _, q := range s.Parts[:i] {
				if sim.ConvexOverlap(p, q) > 1e-9 {
					t.Errorf("accepted overlapping parts %v and %v", p, q)
				}
			}
		}
	})
}
