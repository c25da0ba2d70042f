package assets

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	"image/png"
	"io"
	"strings"
)

// The viewer's resources: its font and its window icon.
var (
	//go:embed fonts/Go-Regular.ttf
	font string
	//go:embed icon.png
	icon []byte
)

// Font returns a reader of the viewer's font, Go Regular, a TrueType file (its licence is
// fonts/LICENSE).
func Font() io.Reader { return strings.NewReader(font) }

// Icon returns the window icon, 64 by 64 pixels: a pendulum swinging up, with the futures
// it imagines as fading ghosts. It returns an error only if the embedded file is corrupt.
func Icon() (image.Image, error) {
	img, err := png.Decode(bytes.NewReader(icon))
	if err != nil {
		return nil, fmt.Errorf("assets: icon: %w", err)
	}
	return img, nil
}
