package envs

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/foresight-sim/foresight/sim"
)

// assetParam returns a parameter that picks a shipped asset of a kind ("track", "maze") by
// its index among names, sorted as the assets package lists them, or with −1 one drawn
// afresh, as drawn says; def is the default index.
func assetParam(kind, drawn string, names []string, def int) Param {
	doc := fmt.Sprintf("−1 %s; a shipped %s by index:", drawn, kind)
	for i, name := range names {
		doc += fmt.Sprintf(" %d %s", i, name)
	}
	return Param{Name: kind, Value: float64(def), Min: -1, Max: float64(len(names) - 1), Doc: doc}
}

// assetIndex returns the index the parameter of assetParam holds, −1 for an asset drawn
// afresh, or an error for a value that is not a whole number.
func assetIndex(p Params, kind string, n int) (int, error) {
	k := p.Get(kind)
	if k != math.Trunc(k) {
		return 0, fmt.Errorf("%s %v: want a whole number, −1 to %d", kind, k, n-1)
	}
	return int(k), nil
}

// newDisc adds a round body of the given radius and mass that moves in the plane without
// gravity or turning, as a robot on a table does, drawn as the body the agent moves.
func newDisc(w *sim.World, radius, mass, friction float64) (*sim.Body, error) {
	return w.NewBody(sim.BodyDef{Type: sim.Dynamic, NoGravity: true, FixedRotation: true,
		Fixtures: []sim.FixtureDef{{Geometry: sim.Disc{Radius: radius},
			Density: mass / (math.Pi * radius * radius), Friction: friction}},
		Style: sim.Style{Fill: colorActor, Stroke: colorOutline, Outline: 0.01}})
}

// driveVelocity pushes b towards the velocity target for a sub-step of h seconds, as a
// motor that exerts at most maxForce does: with an impulse of at most maxForce·h.
func driveVelocity(b *sim.Body, target sim.Vec2, maxForce, h float64) {
	j := target.Sub(b.LinearVelocity()).Scale(b.Mass())
	if n, most := j.Len(), maxForce*h; n > most {
		j = j.Scale(most / n)
	}
	b.ApplyImpulseAt(j, b.WorldCenter())
}

// jitter returns p moved by up to r in x and y, drawn uniformly from rng.
func jitter(rng *rand.Rand, p sim.Vec2, r float64) sim.Vec2 {
	return p.Add(sim.V(uniform(rng, r), uniform(rng, r)))
}
