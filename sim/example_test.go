package sim_test

import (
	"fmt"
	"math"

	"github.com/foresight-sim/foresight/sim"
)

// newPendulum builds a 1 m rod hanging from a hinge at the origin in a world stepped at
// 20 Hz with 10 physics sub-steps, and returns the world and the rod.
func newPendulum() (*sim.World, *sim.Body) {
	w, err := sim.NewWorld(sim.WorldConfig{Gravity: sim.V(0, -9.81), ControlDT: 0.05, Substeps: 10})
	if err != nil {
		panic(err)
	}
	pivot, err := w.NewBody(sim.BodyDef{Type: sim.Static})
	if err != nil {
		panic(err)
	}
	rod, err := w.NewBody(sim.BodyDef{
		Type:     sim.Dynamic,
		Position: sim.V(0, -0.5), // the rod's centre; it spans y from 0 down to −1
		Fixtures: []sim.FixtureDef{{Geometry: sim.Box{W: 0.05, H: 1}, Density: 20}},
	})
	if err != nil {
		panic(err)
	}
	if _, err := w.NewRevolute(sim.RevoluteDef{A: pivot, B: rod, Anchor: sim.V(0, 0)}); err != nil {
		panic(err)
	}
	return w, rod
}

func ExampleNewWorld() {
	w, rod := newPendulum()
	fmt.Printf("rod mass %.2f kg\n", rod.Mass())

	// Push the tip sideways; forces last for one control step, then the rod swings freely.
	rod.ApplyForceAt(sim.V(20, 0), sim.V(0, -1))
	for range 10 {
		w.Step()
	}
	fmt.Printf("after %.1f s the rod is at %.2f rad\n", w.Time(), rod.Angle())
	// Output:
	// rod mass 1.00 kg
	// after 0.5 s the rod is at 0.79 rad
}

func ExampleWorld_Restore() {
	w, rod := newPendulum()
	rod.ApplyTorque(5)
	w.Step()

	// Remember this instant, look 20 steps ahead, then come back and look again.
	snap := w.Snapshot()
	var ahead [2]float64
	for i := range ahead {
		for range 20 {
			w.Step()
		}
		ahead[i] = rod.Angle()
		if err := w.Restore(snap); err != nil {
			panic(err)
		}
	}
	fmt.Printf("back at %.2f s; both looks ahead agree: %v\n", w.Time(), ahead[0] == ahead[1])
	// Output:
	// back at 0.05 s; both looks ahead agree: true
}

func ExampleLidar_Read() {
	w, err := sim.NewWorld(sim.WorldConfig{ControlDT: 0.05, Substeps: 1})
	if err != nil {
		panic(err)
	}
	// A wall along x = 2 and a post of radius 0.5 centred 3 m up the y axis.
	_, err = w.NewBody(sim.BodyDef{Type: sim.Static, Fixtures: []sim.FixtureDef{
		{Geometry: sim.Segment{A: sim.V(2, -5), B: sim.V(2, 5)}},
		{Geometry: sim.Disc{Radius: 0.5, Center: sim.V(0, 3)}},
	}})
	if err != nil {
		panic(err)
	}

	// Five rays from the origin, fanned over a right angle centred on the heading 45°.
	lidar := sim.Lidar{Rays: 5, FOV: math.Pi / 2, Range: 4}
	for i, d := range lidar.Read(w, sim.V(0, 0), math.Pi/4, nil) {
		fmt.Printf("%3.0f°: %.2f m\n", (math.Pi/4+lidar.Angle(i))*180/math.Pi, d)
	}
	// Output:
	//   0°: 2.00 m
	//  22°: 2.16 m
	//  45°: 2.83 m
	//  68°: 4.00 m
	//  90°: 2.50 m
}
