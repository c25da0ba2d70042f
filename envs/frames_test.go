package envs

import (
	"testing"

	"github.com/foresight-sim/foresight/internal/golden"
	"github.com/foresight-sim/foresight/sim"
)

// TestFrames draws every built-in environment's first state after Reset(1) at 160×120 and
// compares it, pixel for pixel, with testdata/<id>.png; -update rewrites those that differ
// and reports them (see package golden). TestFramePixels checks frames without goldens.
func TestFrames(t *testing.T) {
	for _, id := range builtinIDs() {
		t.Run(id, func(t *testing.T) {
			env, err := Make(id)
			if err != nil {
				t.Fatal(err)
			}
			env.Reset(1)
			golden.Check(t, id+".png", sim.RenderImage(env.Scene(), 160, 120))
		})
	}
}
