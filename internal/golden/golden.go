// Package golden compares images with golden PNG files under a package's testdata folder,
// for the tests of Foresight's renderers. Importing it registers the -update test flag,
// which rewrites the golden files instead of comparing.
package golden

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Check compares img with the PNG file testdata/name, pixel for pixel, or rewrites that
// file when the -update flag is set. Both images are compared as PNG stores them, so
// an image that PNG cannot hold exactly (premultiplied alpha) still matches its own golden.
// On a mismatch it keeps the actual image in a temporary directory, which outlives the test
// so that the image can be inspected, and reports its path.
func Check(t testing.TB, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encoding %s: %v", name, err)
	}
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := readPNG(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	got, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	if n := countDiff(got, want); n != 0 {
		t.Errorf("%s: %d pixels differ from the golden image; actual image in %s",
			name, n, keepActual(t, name, buf.Bytes()))
	}
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return png.Decode(f)
}

// countDiff returns the number of pixels in which a and b differ, counting every pixel as
// different if their bounds differ.
func countDiff(a, b image.Image) int {
	r := a.Bounds()
	if r != b.Bounds() {
		return max(r.Dx()*r.Dy(), b.Bounds().Dx()*b.Bounds().Dy())
	}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ar, ag, ab, aa := a.At(x, y).RGBA()
			br, bg, bb, ba := b.At(x, y).RGBA()
			if ar != br || ag != bg || ab != bb || aa != ba {
				n++
			}
		}
	}
	return n
}

// keepActual writes the PNG data of a failed golden comparison to a new temporary
// directory and returns its path.
func keepActual(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "golden-")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
