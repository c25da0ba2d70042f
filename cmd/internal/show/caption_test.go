package show

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/foresight-sim/foresight/internal/golden"
)

// TestCaption checks the software-rendered caption against its golden frame: a title in
// blue, two lines in ink, the last cut short with an ellipsis, on a pale band that leaves
// the picture above it alone.
func TestCaption(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 120))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{0, 0, 0, 255}), image.Point{}, draw.Src)
	lines := []string{"Step 2 of 5 · A world model learning", "The ghosts are the future it predicts.",
		"A line far too long to fit in the width of this small frame is cut short"}
	if err := Caption(img, lines, 14); err != nil {
		t.Fatal(err)
	}
	if h := CaptionHeight(3, 14); img.RGBAAt(5, 120-h-1) != (color.RGBA{0, 0, 0, 255}) || img.RGBAAt(5, 120-h) != captionBand {
		t.Errorf("the band does not start %d pixels from the bottom", h)
	}
	golden.Check(t, "caption.png", img)
}
