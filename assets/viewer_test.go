package assets_test

import (
	"image/color"
	"io"
	"testing"

	"github.com/foresight-sim/foresight/assets"
	"github.com/foresight-sim/foresight/internal/golden"
	"github.com/foresight-sim/foresight/sim"
)

// iconScene draws the window icon: a pendulum's rod swinging up from its pivot towards the
// goal above, with two ghosts of where it will be, fading with time.
func iconScene() *sim.Scene {
	s := &sim.Scene{Camera: sim.Camera{Center: sim.V(0.3, 0.45), Width: 1.6}, Background: color.NRGBA{246, 244, 238, 255}}
	rod := func(angle float64, alpha uint8) {
		tip := sim.Polar(1, angle)
		s.AddLine(sim.LayerBody, color.NRGBA{226, 112, 48, alpha}, 0.16, sim.Vec2{}, tip)
	}
	s.AddCircle(sim.LayerTarget, color.NRGBA{60, 170, 90, 255}, sim.V(0, 1), 0.16)
	rod(1.15, 60)
	rod(0.75, 130)
	rod(0.35, 255)
	s.AddCircle(sim.LayerJoint, color.NRGBA{60, 50, 45, 255}, sim.Vec2{}, 0.13)
	return s
}

// TestIcon checks that the shipped icon is the drawing of iconScene; go test -update
// redraws it.
func TestIcon(t *testing.T) {
	golden.CheckIn(t, ".", "icon.png", sim.RenderImage(iconScene(), 64, 64))
	img, err := assets.Icon()
	if err != nil {
		t.Fatal(err)
	}
	if size := img.Bounds().Size(); size.X != 64 || size.Y != 64 {
		t.Errorf("icon is %v, want 64x64", size)
	}
}

// TestFont checks that the font is a TrueType file.
func TestFont(t *testing.T) {
	data, err := io.ReadAll(assets.Font())
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 1000 || string(data[:4]) != "\x00\x01\x00\x00" {
		t.Errorf("font of %d bytes starting %q, want a TrueType file", len(data), data[:min(4, len(data))])
	}
}
