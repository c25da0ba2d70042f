package show

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/foresight-sim/foresight/assets"
)

// Caption colours: dark ink on a pale band, like the viewer's panels.
var (
	captionBand  = color.RGBA{250, 249, 245, 255}
	captionInk   = color.RGBA{40, 38, 46, 255}
	captionTitle = color.RGBA{60, 100, 170, 255}
)

// captionFont is the viewer's font, parsed once.
var captionFont = sync.OnceValues(func() (*opentype.Font, error) {
	data, err := io.ReadAll(assets.Font())
	if err != nil {
		return nil, err
	}
	return opentype.Parse(data)
})

// CaptionHeight returns the height in pixels of a caption of n lines, text size pixels
// high, that Caption draws.
func CaptionHeight(n int, size float64) int { return int(float64(n)*size*1.35 + size) }

// Caption draws lines of text size pixels high on a pale band across the bottom of dst,
// CaptionHeight(len(lines), size) pixels tall: the first line, a title, in blue, the others
// in ink, each cut to the width. It returns an error only if the embedded font is corrupt.
func Caption(dst draw.Image, lines []string, size float64) error {
	f, err := captionFont()
	if err != nil {
		return fmt.Errorf("show: caption font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return fmt.Errorf("show: caption font: %w", err)
	}
	defer face.Close()
	b := dst.Bounds()
	top := b.Max.Y - CaptionHeight(len(lines), size)
	draw.Draw(dst, image.Rect(b.Min.X, top, b.Max.X, b.Max.Y), image.NewUniform(captionBand), image.Point{}, draw.Src)
	margin := int(size)
	for i, line := range lines {
		ink := captionInk
		if i == 0 {
			ink = captionTitle
		}
		d := font.Drawer{Dst: dst, Src: image.NewUniform(ink), Face: face,
			Dot: fixed.P(b.Min.X+margin, top+int(size*0.5+float64(i+1)*size*1.35-size*0.35))}
		d.DrawString(fit(line, face, fixed.I(b.Dx()-2*margin)))
	}
	return nil
}

// fit returns s, cut short with an ellipsis if it is wider than width in face.
func fit(s string, face font.Face, width fixed.Int26_6) string {
	if font.MeasureString(face, s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && font.MeasureString(face, string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
