package sim_test

import (
	"fmt"
	"image/color"

	"github.com/foresight-sim/foresight/sim"
)

func ExampleRenderImage() {
	s := &sim.Scene{
		Background: color.NRGBA{255, 255, 255, 255},
		Camera:     sim.Camera{Center: sim.V(0, 0), Width: 4},
	}
	// A red unit square in the upper-left quadrant of the view.
	s.AddPolygon(sim.LayerBody, color.NRGBA{200, 0, 0, 255},
		sim.V(-1, 0), sim.V(0, 0), sim.V(0, 1), sim.V(-1, 1))

	img := sim.RenderImage(s, 8, 8)
	fmt.Println("size:", img.Bounds().Size())
	fmt.Println("inside the square:", img.RGBAAt(2, 2))
	fmt.Println("outside it:", img.RGBAAt(6, 6))
	// Output:
	// size: (8,8)
	// inside the square: {200 0 0 255}
	// outside it: {255 255 255 255}
}
