package envs

import (
	"math"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/sim"
)

// newMazeTask returns Maze-v0's task on the maze the parameters name.
func newMazeTask(t *testing.T, params map[string]float64) (*physicsEnv, *maze) {
	t.Helper()
	env, err := Make(mazeID, WithParams(params))
	if err != nil {
		t.Fatal(err)
	}
	e := env.(*TimeLimit).Env.(*physicsEnv)
	e.Reset(0)
	return e, e.t.(*maze)
}

// TestMazeRays checks the rays against the medium maze drawn in its file: from the centre
// of the start cell (row 1, column 1), walls lie half a cell away to the right, above and to
// the left, and the corridor runs 4.5 cells down to the wall of row 6, beyond the rays'
// range; from the centre of row 3, that wall is 2.5 cells away, and so is the top wall.
func TestMazeRays(t *testing.T) {
	_, m := newMazeTask(t, nil)
	p := m.centre(m.m.Start)
	tests := []struct {
		name  string
		angle float64
		want  float64
	}{
		{"right", 0, 0.25},
		{"up", math.Pi / 2, 0.25},
		{"left", math.Pi, 0.25},
		{"down, out of range", -math.Pi / 2, mazeRayRange},
		{"down and right", -math.Pi / 4, 0.25 * math.Sqrt2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.ray(p, tt.angle); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("ray %s from the start = %v m, want %v", tt.name, got, tt.want)
			}
		})
	}
	for _, angle := range []float64{-math.Pi / 2, math.Pi / 2} {
		if got := m.ray(p.Add(sim.V(0, -1)), angle); math.Abs(got-1.25) > 1e-9 {
			t.Errorf("ray at %v rad from the centre of row 3 = %v, want 1.25", angle, got)
		}
	}
	if got := m.ray(sim.V(-2, 0), 0); got != mazeRayRange {
		t.Errorf("ray along the long corridor of row 5 = %v, want the range %v", got, mazeRayRange)
	}
}

// TestMazePathLength checks the shortest path through the maze: zero at the goal, the
// path's length from the start's centre (36 moves of a cell in the medium maze, some cut
// across corners), continuous along it and falling towards the goal, and never less than the
// straight line.
func TestMazePathLength(t *testing.T) {
	_, m := newMazeTask(t, nil)
	if d := m.pathLength(m.goal); d != 0 {
		t.Errorf("path length at the goal = %v, want 0", d)
	}
	start := m.pathLength(m.centre(m.m.Start))
	if start > 36*0.5+1e-9 || start < 14 {
		t.Errorf("path length from the start = %v m, want at most 18 (36 cells) and well above the straight line", start)
	}
	// Walk down the start's corridor: the path leads down it, so the length falls
	// smoothly, by about the distance walked.
	prev := start
	for k := 1; k <= 40; k++ {
		p := m.centre(m.m.Start).Add(sim.V(0, -0.05*float64(k)))
		d := m.pathLength(p)
		if step := prev - d; step < 0.03 || step > 0.07 {
			t.Fatalf("%.2f m down the corridor: the path length fell by %v over 0.05 m", 0.05*float64(k), step)
		}
		prev = d
	}
	for _, p := range []sim.Vec2{m.centre(m.m.Start), sim.V(-2, 0), sim.V(1.2, -1.3)} {
		if d := m.pathLength(p); d < p.Sub(m.goal).Len()-1e-9 {
			t.Errorf("path length from %v = %v, shorter than the straight line %v", p, d, p.Sub(m.goal).Len())
		}
	}
}

// TestMazeNoLeaks checks that the path length does not leak through a wall: on either side
// of the wall between rows 5 and 7 at column 5 (row 6 is wall there), the two corridors lie
// a long way apart through the maze.
func TestMazeNoLeaks(t *testing.T) {
	_, m := newMazeTask(t, nil)
	above := m.centre([2]int{5, 5}).Add(sim.V(0, -0.2))
	below := m.centre([2]int{7, 5}).Add(sim.V(0, 0.2))
	if a, b := m.pathLength(above), m.pathLength(below); math.Abs(a-b) < 2 {
		t.Errorf("path lengths on either side of a wall %v and %v: want them far apart", a, b)
	}
}

// TestMazeSuccess checks the success rule: at rest at the goal succeeds, moving through it
// or resting just outside its radius does not.
func TestMazeSuccess(t *testing.T) {
	_, m := newMazeTask(t, nil)
	tests := []struct {
		name string
		at   sim.Vec2
		v    sim.Vec2
		want bool
	}{
		{"at rest on the goal", m.goal, sim.Vec2{}, true},
		{"slowly near it", m.goal.Add(sim.V(0.15, 0)), sim.V(0.1, 0.1), true},
		{"fast through it", m.goal, sim.V(0.5, 0), false},
		{"at rest outside", m.goal.Add(sim.V(0, 0.22)), sim.Vec2{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := m.robot.SetPose(tt.at, 0, tt.v, 0); err != nil {
				t.Fatal(err)
			}
			r, ok := m.evaluate(nil)
			if ok != tt.want || r < 0 || r > 1 {
				t.Errorf("evaluate = %v, %v; want success %v and a reward in [0, 1]", r, ok, tt.want)
			}
		})
	}
}

// TestGeneratedMaze checks that maze −1 draws a valid perfect maze from maze_seed, the
// same for the same seed and another for another seed.
func TestGeneratedMaze(t *testing.T) {
	grid := func(seed float64) *assets.Maze {
		_, m := newMazeTask(t, map[string]float64{"maze": -1, "maze_seed": seed})
		if err := m.m.Check(); err != nil {
			t.Fatalf("maze_seed %v: %v", seed, err)
		}
		return m.m
	}
	a, b, c := grid(3), grid(3), grid(4)
	same := func(x, y *assets.Maze) bool {
		for r := range x.Wall {
			for k := range x.Wall[r] {
				if x.Wall[r][k] != y.Wall[r][k] {
					return false
				}
			}
		}
		return true
	}
	if !same(a, b) || same(a, c) {
		t.Error("want the same maze for maze_seed 3 twice, and another for 4")
	}
	// A perfect maze of n by n rooms has n² rooms and n²−1 openings between them.
	free := 0
	for _, row := range a.Wall {
		for _, w := range row {
			if !w {
				free++
			}
		}
	}
	if want := generatedRooms*generatedRooms*2 - 1; free != want {
		t.Errorf("%d free cells, want %d (rooms and the openings of a perfect maze)", free, want)
	}
	if _, err := Make(mazeID, WithParams(map[string]float64{"maze": 0.5})); err == nil {
		t.Error("maze 0.5: no error")
	}
}

// TestMazeCornerLeak checks that the path length does not leak across a corner where two
// free cells touch diagonally between two walls: near that corner of the start cell, the
// goal, diagonally beyond it, is still the whole way round.
func TestMazeCornerLeak(t *testing.T) {
	src := "cell 0.5\nrow XXXXXX\nrow XXG..X\nrow XSX..X\nrow X....X\nrow XXXXXX\n"
	am, err := assets.ParseMaze("corner", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	m := &maze{m: am}
	m.dist, m.dmax = pathLengths(am)
	m.goal = m.centre(am.Goal)
	start := m.dist[am.Start[0]][am.Start[1]]
	if start < 2.5 {
		t.Fatalf("path length from the start %v m, want the way round (about 3)", start)
	}
	near := m.centre(am.Start).Add(sim.V(0.2, 0.2))
	if d := m.pathLength(near); math.Abs(d-start) > 1e-9 {
		t.Errorf("path length near the corner = %v, want the start cell's %v: nothing leaks from the goal across it", d, start)
	}
}
