package envs

import (
	"container/heap"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/sim"
)

// Maze-v0: steer a round robot through a maze to its goal, seen from above.
//
// The maze is a grid of square cells, walls or free, from assets (param maze; assets/
// README.md has the format), or with maze −1 a perfect maze of 5 by 5 rooms drawn from the
// param maze_seed; a layout stays for the environment's life (a different maze_seed is a
// held-out layout), because the bodies of a world do not change between episodes. A round
// robot (radius 0.15 m, default 1 kg) rolls on the floor without gravity in the plane and
// touches the walls through Box2D contacts; it follows the action's target velocity, as a
// motor does, with at most max_force of force, so it has inertia and stops when told to. The
// goal is drawn as a green disc. docs/decisions/maze.md says why it is built so.
//
//	Observation  Box(14): [x, y, vx, vy, gx−x, gy−y, r1 … r8]; (x, y) is the robot's
//	             position in m (the maze's centre at 0) and (vx, vy) its velocity in m/s,
//	             (gx−x, gy−y) the goal's position relative to it, and r1 … r8 the
//	             distances to the nearest wall along 8 rays, evenly spaced round the robot
//	             from +x, counter-clockwise, in m, at most 2.
//	Action       Box([-1, 1], 2): the robot's target velocity (x, y) as a fraction of
//	             max_speed in each direction; zero stops it.
//	Reward       1 − d/dmax, in [0, 1]: d is the length of the shortest path through the
//	             maze from the robot to the goal (not the straight line), interpolated
//	             between the cells' centres, and dmax the longest such path from a free
//	             cell; so that a plan that heads straight for the goal runs into walls.
//	Start        the maze's start cell, within 0.1 m of its centre, at rest.
//	Termination  none; truncated after 800 steps (40 s).
//	Success      once within 0.2 m of the goal's centre, moving slower than 0.25 m/s.
//	Timing       control step 0.05 s, 10 physics sub-steps.
//	Camera       with pixel observations, the whole maze, square.
//	Parameters   maze, maze_seed, robot_mass, max_speed, max_force.
type maze struct {
	p     Params
	m     *assets.Maze
	dist  [][]float64 // the shortest path from each cell's centre to the goal's, in m; +Inf for walls
	dmax  float64     // the longest of them
	robot *sim.Body
	goal  sim.Vec2
	// target is the robot's target velocity.
	target sim.Vec2
}

const mazeID = "Maze-v0"

// mazeSummary describes the task in one line.
const mazeSummary = "steer a round robot through a maze to its goal"

// The robot's size, the success rule and the generated mazes' size.
const (
	robotRadius     = 0.15 // m
	mazeGoalRadius  = 0.2  // m, how near the goal's centre success needs
	mazeGoalSpeed   = 0.25 // m/s, how slow
	mazeRayRange    = 2.0  // m
	mazeStartJitter = 0.1  // m
	generatedRooms  = 5    // rooms along each side of a generated maze
	mazeFriction    = 0.2  // friction between the robot and the walls
	mazeRays        = 8    // rays round the robot
)

// defaultMaze is the shipped maze Maze-v0 runs unless told otherwise.
const defaultMaze = "medium"

func init() {
	mazes := assets.MazeNames()
	mustRegister(Registration{
		ID:              mazeID,
		Summary:         mazeSummary,
		MaxEpisodeSteps: 800,
		Params: Params{
			assetParam("maze", "a maze drawn from maze_seed", mazes, slices.Index(mazes, defaultMaze)),
			{Name: "maze_seed", Value: 0, Min: 0, Max: 1e6, Doc: "seed of the maze drawn with maze −1"},
			{Name: "robot_mass", Value: 1, Min: 0.1, Max: 10, Unit: "kg", Doc: "mass of the robot"},
			{Name: "max_speed", Value: 1.5, Min: 0.1, Max: 5, Unit: "m/s", Doc: "robot's target speed in x and y at action ±1"},
			{Name: "max_force", Value: 10, Min: 1, Max: 100, Unit: "N", Doc: "largest force the robot's motor exerts"},
		},
		New: newMaze,
	})
}

func newMaze(p Params) (Env, error) {
	m, err := chooseMaze(p)
	if err != nil {
		return nil, err
	}
	t := &maze{p: p, m: m}
	t.dist, t.dmax = pathLengths(m)
	t.goal = t.centre(m.Goal)
	w, h := t.size()
	inf := math.Inf(1)
	lo := []float64{-w / 2, -h / 2, -inf, -inf, -w, -h}
	hi := []float64{w / 2, h / 2, inf, inf, w, h}
	for range mazeRays {
		lo, hi = append(lo, 0), append(hi, mazeRayRange)
	}
	def := taskDef{
		spec: Spec{
			ID:          mazeID,
			Summary:     mazeSummary,
			SuccessRule: fmt.Sprintf("within %g m of the goal, slower than %g m/s, once", mazeGoalRadius, mazeGoalSpeed),
			Params:      p,
		},
		world: standardWorld(0),
		obs:   NewBox(lo, hi),
		act:   UniformBox(-1, 1, 2),
	}
	return newPhysicsEnv(def, t)
}

// chooseMaze returns the maze the parameters ask for: a shipped one by index, or one drawn
// from maze_seed.
func chooseMaze(p Params) (*assets.Maze, error) {
	mazes := assets.MazeNames()
	k, err := assetIndex(p, "maze", len(mazes))
	if err != nil {
		return nil, err
	}
	if k >= 0 {
		return assets.LoadMaze(mazes[k])
	}
	s := p.Get("maze_seed")
	if s != math.Trunc(s) {
		return nil, fmt.Errorf("maze_seed %v: want a whole number", s)
	}
	return generateMaze(uint64(s), generatedRooms), nil
}

// generateMaze draws a perfect maze of rooms by rooms from seed by a depth-first walk that
// knocks down the wall to a room not yet visited, starting at the top left, which is the
// start; the goal is the bottom right room.
func generateMaze(seed uint64, rooms int) *assets.Maze {
	rng := rand.New(rand.NewPCG(seed, 0x6d617a65))
	n := 2*rooms + 1
	m := &assets.Maze{Name: fmt.Sprintf("generated-%d", seed), Cell: 0.5, Start: [2]int{1, 1}, Goal: [2]int{n - 2, n - 2}}
	m.Wall = make([][]bool, n)
	for r := range m.Wall {
		m.Wall[r] = make([]bool, n)
		for c := range m.Wall[r] {
			m.Wall[r][c] = r%2 == 0 || c%2 == 0
		}
	}
	seen := make([]bool, rooms*rooms)
	seen[0] = true
	stack := [][2]int{{0, 0}}
	for len(stack) > 0 {
		at := stack[len(stack)-1]
		var next [][2]int
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			r, c := at[0]+d[0], at[1]+d[1]
			if r >= 0 && c >= 0 && r < rooms && c < rooms && !seen[r*rooms+c] {
				next = append(next, [2]int{r, c})
			}
		}
		if len(next) == 0 {
			stack = stack[:len(stack)-1]
			continue
		}
		to := next[rng.IntN(len(next))]
		m.Wall[at[0]+to[0]+1][at[1]+to[1]+1] = false
		seen[to[0]*rooms+to[1]] = true
		stack = append(stack, to)
	}
	return m
}

// size returns the maze's width and height in metres.
func (t *maze) size() (w, h float64) {
	return float64(t.m.Cols()) * t.m.Cell, float64(t.m.Rows()) * t.m.Cell
}

// centre returns the centre of the cell at [row, column], the maze's centre at the origin
// and its first row at the top.
func (t *maze) centre(at [2]int) sim.Vec2 {
	w, h := t.size()
	return sim.V(-w/2+(float64(at[1])+0.5)*t.m.Cell, h/2-(float64(at[0])+0.5)*t.m.Cell)
}

// cellOf returns the cell's [row, column] as fractions: the cell whose centre is at p has
// whole values.
func (t *maze) cellOf(p sim.Vec2) (r, c float64) {
	w, h := t.size()
	return (h/2-p.Y)/t.m.Cell - 0.5, (p.X+w/2)/t.m.Cell - 0.5
}

// free reports whether [r, c] is a free cell inside the maze.
func (t *maze) free(r, c int) bool {
	return r >= 0 && c >= 0 && r < t.m.Rows() && c < t.m.Cols() && !t.m.Wall[r][c]
}

// build adds the walls, one static box per run of wall cells along a row, and the robot
// with its motor.
func (t *maze) build(w *sim.World) error {
	var boxes []sim.FixtureDef
	for r, row := range t.m.Wall {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			end := c
			for end < len(row) && row[end] {
				end++
			}
			a, b := t.centre([2]int{r, c}), t.centre([2]int{r, end - 1})
			h := t.m.Cell / 2
			boxes = append(boxes, sim.FixtureDef{Friction: mazeFriction, Geometry: sim.Poly{Vertices: []sim.Vec2{
				{X: a.X - h, Y: a.Y - h}, {X: b.X + h, Y: b.Y - h}, {X: b.X + h, Y: b.Y + h}, {X: a.X - h, Y: a.Y + h}}}})
			c = end
		}
	}
	if _, err := w.NewBody(sim.BodyDef{Type: sim.Static, Fixtures: boxes, Style: sim.Style{Fill: colorWall, Stroke: colorWall}}); err != nil {
		return err
	}
	var err error
	t.robot, err = newDisc(w, robotRadius, t.p.Get("robot_mass"), mazeFriction)
	if err != nil {
		return err
	}
	w.OnSubstep(t.motor)
	return nil
}

// motor drives the robot towards its target velocity for a sub-step of h seconds, with an
// impulse of at most max_force·h.
func (t *maze) motor(h float64) { driveVelocity(t.robot, t.target, t.p.Get("max_force"), h) }

func (t *maze) reset(rng *rand.Rand) error {
	t.target = sim.Vec2{}
	return t.robot.SetPose(jitter(rng, t.centre(t.m.Start), mazeStartJitter), 0, sim.Vec2{}, 0)
}

func (t *maze) act(a []float64) {
	v := t.p.Get("max_speed")
	t.target = sim.V(a[0]*v, a[1]*v)
}

func (t *maze) observe(dst []float64) {
	p, v := t.robot.Position(), t.robot.LinearVelocity()
	d := t.goal.Sub(p)
	dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = p.X, p.Y, v.X, v.Y, d.X, d.Y
	for i := range mazeRays {
		dst[6+i] = t.ray(p, 2*math.Pi*float64(i)/mazeRays)
	}
}

// ray returns the distance from p to the first wall along the direction angle (radians,
// counter-clockwise from +x), at most mazeRayRange: it walks the grid cell by cell, as
// Amanatides and Woo's traversal does, so that it needs no ray cast through the engine.
func (t *maze) ray(p sim.Vec2, angle float64) float64 {
	r, c := t.cellOf(p)
	y, x := r+0.5, c+0.5 // in cells, from the top left corner, y down
	dx, dy := math.Cos(angle), -math.Sin(angle)
	cx, cy := int(math.Floor(x)), int(math.Floor(y))
	reach := mazeRayRange / t.m.Cell
	stepX, nextX, deltaX := axisWalk(x, dx)
	stepY, nextY, deltaY := axisWalk(y, dy)
	for dist := 0.0; dist < reach; {
		if !t.free(cy, cx) {
			return dist * t.m.Cell
		}
		if nextX < nextY {
			dist, nextX, cx = nextX, nextX+deltaX, cx+stepX
		} else {
			dist, nextY, cy = nextY, nextY+deltaY, cy+stepY
		}
	}
	return mazeRayRange
}

// axisWalk returns, for a ray at coordinate x moving d per unit length along one axis of
// the grid, the step between cells, the distance to the first cell boundary and the
// distance between boundaries.
func axisWalk(x, d float64) (step int, next, delta float64) {
	switch {
	case d > 1e-12:
		return 1, (math.Floor(x) + 1 - x) / d, 1 / d
	case d < -1e-12:
		return -1, (x - math.Floor(x)) / -d, -1 / d
	}
	return 0, math.Inf(1), math.Inf(1)
}

func (t *maze) pose(obs []float64) error {
	return t.robot.SetPose(sim.V(obs[0], obs[1]), 0, sim.Vec2{}, 0)
}

func (t *maze) evaluate([]float64) (float64, bool) {
	p := t.robot.Position()
	ok := p.Sub(t.goal).Len() < mazeGoalRadius && t.robot.LinearVelocity().Len() < mazeGoalSpeed
	return math.Max(0, 1-t.pathLength(p)/t.dmax), ok
}

// pathLength returns the length of the shortest path through the maze from p to the goal:
// the cells' path lengths interpolated bilinearly between the four cell centres around p,
// counting only the cells that the cell holding p opens onto (itself, a free neighbour, a
// free diagonal neighbour whose two shared neighbours are free), so that no value leaks
// through a wall.
func (t *maze) pathLength(p sim.Vec2) float64 {
	r, c := t.cellOf(p)
	hr, hc := int(math.Round(r)), int(math.Round(c))
	if !t.free(hr, hc) {
		return t.dmax
	}
	r0, c0 := int(math.Floor(r)), int(math.Floor(c))
	fr, fc := r-float64(r0), c-float64(c0)
	sum, weight := 0.0, 0.0
	for _, q := range [4][2]int{{r0, c0}, {r0, c0 + 1}, {r0 + 1, c0}, {r0 + 1, c0 + 1}} {
		if !t.opens(hr, hc, q[0], q[1]) {
			continue
		}
		wr, wc := 1-fr, 1-fc
		if q[0] > r0 {
			wr = fr
		}
		if q[1] > c0 {
			wc = fc
		}
		sum += wr * wc * t.dist[q[0]][q[1]]
		weight += wr * wc
	}
	if weight < 1e-9 {
		return t.dist[hr][hc]
	}
	return sum / weight
}

// opens reports whether the free cell [r, c] opens onto [qr, qc]: the same cell, a free
// cell beside it, or a free diagonal neighbour whose two shared neighbours are free.
func (t *maze) opens(r, c, qr, qc int) bool {
	if !t.free(qr, qc) {
		return false
	}
	if qr == r || qc == c {
		return true
	}
	return t.free(r, qc) && t.free(qr, c)
}

func (t *maze) vars(dst []float64) []float64 { return append(dst, t.target.X, t.target.Y) }

func (t *maze) setVars(v []float64) error {
	if len(v) != 2 {
		return fmt.Errorf("%d task variables, want 2: the robot's target velocity", len(v))
	}
	t.target = sim.V(v[0], v[1])
	return nil
}

// camera shows the whole maze in frames as wide as 16:9 or wider.
func (t *maze) camera() sim.Camera {
	w, h := t.size()
	return sim.Camera{Width: 1.05 * math.Max(w, h*16/9)}
}

// eye shows the maze alone, for square pixel observations.
func (t *maze) eye() sim.Camera {
	w, h := t.size()
	return sim.Camera{Width: 1.05 * math.Max(w, h)}
}

// Colours of the maze: dark walls on a pale floor.
var (
	colorWall  = color.NRGBA{90, 84, 96, 255}
	colorFloor = color.NRGBA{236, 232, 222, 255}
)

// draw adds the floor and the goal.
func (t *maze) draw(s *sim.Scene) {
	w, h := t.size()
	s.AddPolygon(sim.LayerBackground, colorFloor, sim.V(-w/2, -h/2), sim.V(w/2, -h/2), sim.V(w/2, h/2), sim.V(-w/2, h/2))
	s.AddCircle(sim.LayerTarget, colorTarget, t.goal, mazeGoalRadius)
}

// pathLengths returns the length of the shortest path from each cell's centre to the
// goal's, moving between free cells side by side (one cell) or diagonally across a corner
// whose two cells are free (√2 cells), +Inf for walls and cells cut off; and the longest
// finite one.
func pathLengths(m *assets.Maze) ([][]float64, float64) {
	d := make([][]float64, m.Rows())
	for r := range d {
		d[r] = make([]float64, m.Cols())
		for c := range d[r] {
			d[r][c] = math.Inf(1)
		}
	}
	free := func(r, c int) bool { return r >= 0 && c >= 0 && r < m.Rows() && c < m.Cols() && !m.Wall[r][c] }
	d[m.Goal[0]][m.Goal[1]] = 0
	q := &cellQueue{{at: m.Goal}}
	longest := 0.0
	for q.Len() > 0 {
		e := heap.Pop(q).(cellDist)
		r, c := e.at[0], e.at[1]
		if e.d > d[r][c] {
			continue
		}
		longest = math.Max(longest, e.d)
		for dr := -1; dr <= 1; dr++ {
			for dc := -1; dc <= 1; dc++ {
				nr, nc := r+dr, c+dc
				if (dr == 0 && dc == 0) || !free(nr, nc) || (dr != 0 && dc != 0 && !(free(r, nc) && free(nr, c))) {
					continue
				}
				step := m.Cell * math.Hypot(float64(dr), float64(dc))
				if nd := e.d + step; nd < d[nr][nc] {
					d[nr][nc] = nd
					heap.Push(q, cellDist{at: [2]int{nr, nc}, d: nd})
				}
			}
		}
	}
	return d, longest + m.Cell
}

// cellDist is a cell and a path length to it, for Dijkstra's queue.
type cellDist struct {
	at [2]int
	d  float64
}

// cellQueue is a min-heap of cells by path length.
type cellQueue []cellDist

func (q cellQueue) Len() int           { return len(q) }
func (q cellQueue) Less(i, j int) bool { return q[i].d < q[j].d }
func (q cellQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *cellQueue) Push(x any)        { *q = append(*q, x.(cellDist)) }
func (q *cellQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
