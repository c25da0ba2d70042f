package envs

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/sim"
)

// scriptedTask is a task without bodies whose success condition holds or not, step by step,
// as its script says: '1' holds, '0' does not.
type scriptedTask struct {
	noVars
	script string
	next   int
}

func (s *scriptedTask) build(*sim.World) error { return nil }
func (s *scriptedTask) reset(*rand.Rand) error { s.next = 0; return nil }
func (s *scriptedTask) act([]float64)          {}
func (s *scriptedTask) observe(dst []float64)  { dst[0] = float64(s.next) }
func (s *scriptedTask) pose([]float64) error   { return nil }
func (s *scriptedTask) draw(*sim.Scene)        {}
func (s *scriptedTask) camera() sim.Camera     { return sim.Camera{Width: 1} }
func (s *scriptedTask) evaluate([]float64) (float64, bool) {
	ok := s.script[s.next] == '1'
	s.next++
	return 0, ok
}

// TestSuccessBookkeeping checks how physicsEnv turns the task's condition, step by step, into
// Info.Success and termination: a hold task succeeds once the condition has held for the
// last hold/dt steps in a row, and any step without it starts the count again; a reach-once
// task succeeds from the first step with it on; either terminates on success only if the
// task is stopped there.
func TestSuccessBookkeeping(t *testing.T) {
	cases := []struct {
		name    string
		hold    float64 // seconds; the control step is 0.05 s
		stopped bool
		script  string // the condition at each step
		success string // the wanted Info.Success after each step
		end     int    // the step (from 1) that terminates the episode; 0: none
	}{
		{"hold 4 steps", 0.2, false, "1111111", "0001111", 0},
		{"hold 4 steps, broken", 0.2, false, "1110111101111", "0000000100001", 0},
		{"hold 2 s", 2, false, strings.Repeat("1", 41), strings.Repeat("0", 39) + "11", 0},
		{"hold 2 s, one step short", 2, false, "0" + strings.Repeat("1", 39), strings.Repeat("0", 40), 0},
		{"hold 4 steps, stopped", 0.2, true, "101111", "000001", 6},
		{"reach once", 0, false, "001000", "001111", 0},
		{"reach once, stopped", 0, true, "001", "001", 3},
		{"never", 0, true, "0000", "0000", 0},
	}
	for _, c := range cases {
		def := taskDef{
			spec:    Spec{ID: "Scripted-v0"},
			world:   standardWorld(0),
			obs:     UniformBox(0, 100, 1),
			act:     UniformBox(-1, 1, 1),
			hold:    c.hold,
			stopped: c.stopped,
		}
		e, err := newPhysicsEnv(def, &scriptedTask{script: c.script})
		if err != nil {
			t.Fatal(err)
		}
		if _, info := e.Reset(0); info.Success {
			t.Errorf("%s: success at reset", c.name)
		}
		for i := range c.script {
			_, _, term, trunc, info, err := e.Step([]float64{0})
			if err != nil {
				t.Fatalf("%s: step %d: %v", c.name, i+1, err)
			}
			if info.Steps != i+1 || !(math.Abs(info.Time-float64(i+1)*0.05) <= 1e-12) {
				t.Errorf("%s: step %d: Info.Steps %d, Time %v; want %d, %v s", c.name, i+1, info.Steps, info.Time, i+1, float64(i+1)*0.05)
			}
			if want := c.success[i] == '1'; info.Success != want || term != (i+1 == c.end) || trunc {
				t.Errorf("%s: step %d: success %v, terminated %v, truncated %v; want %v, %v, false",
					c.name, i+1, info.Success, term, trunc, want, i+1 == c.end)
			}
			if term {
				if _, _, _, _, _, err := e.Step([]float64{0}); !errors.Is(err, ErrEpisodeOver) {
					t.Errorf("%s: step after termination: %v, want ErrEpisodeOver", c.name, err)
				}
				break
			}
		}
	}
}
