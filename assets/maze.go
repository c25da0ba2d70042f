package assets

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MazeExt is the extension of maze files.
const MazeExt = ".maze"

// Limits on mazes.
const (
	// MinMazeSide and MaxMazeSide bound a maze's rows and columns, its outer wall included.
	MinMazeSide, MaxMazeSide = 3, 64
	// MinMazeCell and MaxMazeCell bound the side of a cell in metres.
	MinMazeCell, MaxMazeCell = 0.2, 5.0
)

// Maze is a maze on a grid of square cells, Cell metres wide: Wall[r][c] says whether the
// cell in row r (from the top) and column c (from the left) is wall, and Start and Goal are
// the free cells where the robot starts and where it must go, as [row, column].
type Maze struct {
	Name        string
	Cell        float64
	Wall        [][]bool
	Start, Goal [2]int
}

// MazeNames returns the names of the mazes shipped in the package, sorted.
func MazeNames() []string { return names("mazes", MazeExt) }

// LoadMaze returns the shipped maze called name. It returns an error naming the known mazes
// if there is none of that name.
func LoadMaze(name string) (*Maze, error) {
	return load("maze", "mazes", MazeExt, name, ParseMaze)
}

// ParseMaze reads a maze file (README.md describes the format) from r; name is what errors
// and the Maze call it. It returns an error naming the file and the line for a line that is
// not a known directive with a valid value, and one naming the file for a maze that Check
// refuses.
func ParseMaze(name string, r io.Reader) (*Maze, error) {
	m := &Maze{Name: name, Start: [2]int{-1, -1}, Goal: [2]int{-1, -1}}
	err := scanLines("maze", name, r, maxLine, func(_ int, text string) error { return m.directive(strings.Fields(text)) })
	if err != nil {
		return nil, err
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("assets: maze %s: %w", name, err)
	}
	return m, nil
}

// directive applies one line of a maze file.
func (m *Maze) directive(fields []string) error {
	switch fields[0] {
	case "cell":
		if m.Cell != 0 {
			return errors.New("a second cell")
		}
		if len(fields) != 2 {
			return fmt.Errorf("want one value after cell, got %d", len(fields)-1)
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil || !(v >= MinMazeCell && v <= MaxMazeCell) {
			return fmt.Errorf("cell %.20q: want a number of metres from %g to %g", fields[1], MinMazeCell, MaxMazeCell)
		}
		m.Cell = v
	case "row":
		if len(fields) != 2 {
			return errors.New("want the row's cells after row, as one word of X . S G")
		}
		if len(m.Wall) == MaxMazeSide {
			return fmt.Errorf("more than %d rows", MaxMazeSide)
		}
		return m.addRow(fields[1])
	default:
		return fmt.Errorf("unknown directive %.20q (want cell or row)", fields[0])
	}
	return nil
}

// addRow appends a row of cells: X wall, . free, S the start, G the goal.
func (m *Maze) addRow(cells string) error {
	if len(cells) > MaxMazeSide {
		return fmt.Errorf("a row of %d cells: want at most %d", len(cells), MaxMazeSide)
	}
	r := len(m.Wall)
	row := make([]bool, len(cells))
	for c, ch := range []byte(cells) {
		switch ch {
		case 'X':
			row[c] = true
		case '.':
		case 'S', 'G':
			at := &m.Start
			if ch == 'G' {
				at = &m.Goal
			}
			if at[0] >= 0 {
				return fmt.Errorf("a second %c", ch)
			}
			*at = [2]int{r, c}
		default:
			return fmt.Errorf("cell %q: want X (wall), . (free), S (start) or G (goal)", ch)
		}
	}
	m.Wall = append(m.Wall, row)
	return nil
}

// Rows and Cols return the maze's size in cells.
func (m *Maze) Rows() int { return len(m.Wall) }

// Cols returns the number of columns.
func (m *Maze) Cols() int {
	if len(m.Wall) == 0 {
		return 0
	}
	return len(m.Wall[0])
}

// Check returns an error saying what is wrong with a maze that cannot be run: a cell size
// out of range; fewer than MinMazeSide or more than MaxMazeSide rows or columns, or rows of
// different lengths; an outer wall with a gap; no start or no goal, or one on a wall; or a
// goal, or any free cell, that cannot be reached from the start through free cells side by
// side (the reward measures paths through the maze, which a cut-off cell has none of).
func (m *Maze) Check() error {
	switch {
	case !(m.Cell >= MinMazeCell && m.Cell <= MaxMazeCell):
		return fmt.Errorf("cell %v m: want %g to %g, once", m.Cell, MinMazeCell, MaxMazeCell)
	case m.Rows() < MinMazeSide || m.Rows() > MaxMazeSide || m.Cols() < MinMazeSide || m.Cols() > MaxMazeSide:
		return fmt.Errorf("%d rows of %d cells: want %d to %d of each", m.Rows(), m.Cols(), MinMazeSide, MaxMazeSide)
	}
	for r, row := range m.Wall {
		if len(row) != m.Cols() {
			return fmt.Errorf("row %d has %d cells, the first %d", r+1, len(row), m.Cols())
		}
		for c, wall := range row {
			if !wall && (r == 0 || c == 0 || r == m.Rows()-1 || c == m.Cols()-1) {
				return fmt.Errorf("the outer wall has a gap at row %d, column %d", r+1, c+1)
			}
		}
	}
	for _, p := range []struct {
		what string
		at   [2]int
	}{{"start", m.Start}, {"goal", m.Goal}} {
		if p.at[0] < 0 || p.at[0] >= m.Rows() || p.at[1] < 0 || p.at[1] >= m.Cols() {
			return fmt.Errorf("no %s (S or G)", p.what)
		}
		if m.Wall[p.at[0]][p.at[1]] {
			return fmt.Errorf("the %s at row %d, column %d is inside a wall", p.what, p.at[0]+1, p.at[1]+1)
		}
	}
	steps := m.Steps()
	if steps[m.Goal[0]][m.Goal[1]] < 0 {
		return errors.New("the goal cannot be reached from the start")
	}
	for r, row := range m.Wall {
		for c, wall := range row {
			if !wall && steps[r][c] < 0 {
				return fmt.Errorf("the free cell at row %d, column %d cannot be reached from the start", r+1, c+1)
			}
		}
	}
	return nil
}

// Steps returns, for every cell, the fewest moves between free cells side by side that
// lead from the start to it, or −1 for a wall or a cell the start does not reach.
func (m *Maze) Steps() [][]int {
	d := make([][]int, m.Rows())
	for r := range d {
		d[r] = make([]int, m.Cols())
		for c := range d[r] {
			d[r][c] = -1
		}
	}
	d[m.Start[0]][m.Start[1]] = 0
	queue := [][2]int{m.Start}
	for len(queue) > 0 {
		at := queue[0]
		queue = queue[1:]
		for _, step := range [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}} {
			r, c := at[0]+step[0], at[1]+step[1]
			if r >= 0 && c >= 0 && r < m.Rows() && c < m.Cols() && !m.Wall[r][c] && d[r][c] < 0 {
				d[r][c] = d[at[0]][at[1]] + 1
				queue = append(queue, [2]int{r, c})
			}
		}
	}
	return d
}
