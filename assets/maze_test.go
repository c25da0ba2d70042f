package assets

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// TestShippedMazesLoad checks that every shipped maze loads, with the sizes their comments
// promise: small, medium and large of 3, 5 and 7 rooms a side, each with a held-out twin.
func TestShippedMazesLoad(t *testing.T) {
	want := []string{"large", "large-2", "medium", "medium-2", "small", "small-2"}
	if got := MazeNames(); !slices.Equal(got, want) {
		t.Fatalf("MazeNames() = %v, want %v", got, want)
	}
	sides := map[string]int{"small": 7, "medium": 11, "large": 15}
	for _, name := range want {
		m, err := LoadMaze(name)
		if err != nil {
			t.Fatal(err)
		}
		side := sides[strings.TrimSuffix(name, "-2")]
		if m.Rows() != side || m.Cols() != side || m.Cell != 0.5 {
			t.Errorf("maze %s: %dx%d cells of %v m, want %dx%d of 0.5", name, m.Rows(), m.Cols(), m.Cell, side, side)
		}
	}
}

// TestLoadMazeUnknown checks that an unknown maze's error lists the shipped ones.
func TestLoadMazeUnknown(t *testing.T) {
	if _, err := LoadMaze("nope"); err == nil || !strings.Contains(err.Error(), "medium") {
		t.Errorf("LoadMaze(nope) = %v, want an error listing medium", err)
	}
}

// TestMazeSteps checks the moves from the start on a small maze with a dead end.
func TestMazeSteps(t *testing.T) {
	m, err := ParseMaze("t", strings.NewReader("cell 1\nrow XXXXX\nrow XS..X\nrow XXX.X\nrow XG..X\nrow XXXXX\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := m.Steps()
	if d[1][1] != 0 || d[1][3] != 2 || d[3][1] != 6 || d[0][0] != -1 {
		t.Errorf("Steps = %v, want 0 at the start, 2 at the corner, 6 at the goal, −1 on walls", d)
	}
}

// TestParseMazeErrors checks that broken maze files are refused with one line naming the
// file and, for a bad line, the line.
func TestParseMazeErrors(t *testing.T) {
	const closed = "row XXXXX\nrow XS.GX\nrow XXXXX\n"
	tests := []struct {
		name, src, want string
	}{
		{"no cell", closed, "maze bad: cell 0 m: want 0.2 to 5, once"},
		{"bad cell", "cell 9\n" + closed, "line 1: cell \"9\": want a number of metres from 0.2 to 5"},
		{"two cells", "cell 1\ncell 1\n" + closed, "line 2: a second cell"},
		{"unknown directive", "cell 1\nwall 1 2\n" + closed, `line 2: unknown directive "wall"`},
		{"bad character", "cell 1\nrow XXXXX\nrow XS#GX\nrow XXXXX\n", "line 3: cell '#': want X (wall)"},
		{"row in two words", "cell 1\nrow XX XX\n", "line 2: want the row's cells after row"},
		{"two starts", "cell 1\nrow XXXXX\nrow XSSGX\nrow XXXXX\n", "line 3: a second S"},
		{"walls that do not close", "cell 1\nrow XXXXX\nrow XS.G.\nrow XXXXX\n", "maze bad: the outer wall has a gap at row 2, column 5"},
		{"ragged rows", "cell 1\nrow XXXXX\nrow XS.GXX\nrow XXXXX\n", "maze bad: row 2 has 6 cells, the first 5"},
		{"no goal", "cell 1\nrow XXXXX\nrow XS..X\nrow XXXXX\n", "maze bad: no goal (S or G)"},
		{"unreachable goal", "cell 1\nrow XXXXX\nrow XSXGX\nrow XXXXX\n", "maze bad: the goal cannot be reached from the start"},
		{"a cut-off cell", "cell 1\nrow XXXXXX\nrow XS.GXX\nrow XXXX.X\nrow XXXXXX\n", "maze bad: the free cell at row 3, column 5 cannot be reached from the start"},
		{"too small", "cell 1\nrow XXX\nrow XSG\n", "maze bad: 2 rows of 3 cells: want 3 to 64"},
		{"too long a row", "cell 1\nrow " + strings.Repeat("X", 65) + "\n", "line 2: a row of 65 cells: want at most 64"},
		{"long line", "# " + strings.Repeat("x", 300) + "\n", "line 1: longer than 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMaze("bad", strings.NewReader(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("ParseMaze = %v, want one line containing %q", err, tt.want)
			}
		})
	}
}

// TestMazeCheckGoalInWall checks a maze built in code, whose goal lies inside a wall.
func TestMazeCheckGoalInWall(t *testing.T) {
	m, err := ParseMaze("t", strings.NewReader("cell 1\nrow XXXXX\nrow XS.GX\nrow XXXXX\n"))
	if err != nil {
		t.Fatal(err)
	}
	m.Goal = [2]int{0, 2}
	if err := m.Check(); err == nil || !strings.Contains(err.Error(), "the goal at row 1, column 3 is inside a wall") {
		t.Errorf("Check = %v, want the goal inside a wall", err)
	}
}

// FuzzParseMaze feeds ParseMaze arbitrary files: it must not panic, its errors are one line,
// and a maze it accepts passes Check with its goal reachable.
func FuzzParseMaze(f *testing.F) {
	for _, name := range MazeNames() {
		data, err := files.ReadFile("mazes/" + name + MazeExt)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("cell 1\nrow XXXXX\nrow XS.GX\nrow XXXXX\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMaze("fuzz", bytes.NewReader(data))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			return
		}
		if err := m.Check(); err != nil {
			t.Errorf("accepted a maze that Check refuses: %v", err)
		}
		if m.Steps()[m.Goal[0]][m.Goal[1]] < 1 {
			t.Errorf("accepted a maze whose goal is not reached")
		}
	})
}
