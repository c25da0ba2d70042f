// Package golden compares images with golden PNG files under a package's testdata folder,
// for the tests of Foresight's renderers.
//
// A comparison is pixel for pixel. On a mismatch the test fails, saying how many pixels
// differ (or how the sizes differ), and keeps the actual image in a temporary directory,
// naming its path, so that it can be inspected.
//
// Updating the golden files is a deliberate step. Importing this package registers the
// -update test flag: with it, Check writes every golden file that is missing or whose
// pixels differ from the actual image, leaves the others untouched (not even rewritten),
// and reports each file it wrote on standard error, by its absolute path, with the number
// of pixels that changed (or the old and new sizes):
//
//	go test ./envs -run TestFrames -update -v
//
// Given packages to test, go test shows a passing package's output only with -v, hence the
// -v. Review the changed files (git diff --stat, and the images themselves) before
// committing them.
package golden

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files whose pixels differ, reporting each on standard error")

// Check compares img with the PNG file testdata/name, pixel for pixel, or, when the -update
// flag is set, rewrites that file if its pixels differ from img and reports so on standard
// error. Both images are compared as PNG stores them, so an image that PNG cannot hold
// exactly (premultiplied alpha) still matches its own golden. On a mismatch it keeps the
// actual image in a temporary directory, which outlives the test so that the image can be
// inspected, and reports its path.
func Check(t testing.TB, name string, img image.Image) {
	t.Helper()
	checker{dir: "testdata", update: *update, report: os.Stderr}.check(t, name, img)
}

// CheckIn is Check for a PNG file kept in dir rather than testdata, for images that a
// package ships (embedded assets) and its tests draw.
func CheckIn(t testing.TB, dir, name string, img image.Image) {
	t.Helper()
	checker{dir: dir, update: *update, report: os.Stderr}.check(t, name, img)
}

// checker is Check with its settings made explicit, for tests.
type checker struct {
	dir    string    // folder of the golden files
	update bool      // rewrite golden files that differ instead of failing
	report io.Writer // where rewritten files are reported
	keep   string    // parent folder of the folders keeping actual images; "" for the system's
}

func (c checker) check(t testing.TB, name string, img image.Image) {
	t.Helper()
	path := filepath.Join(c.dir, name)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encoding %s: %v", name, err)
	}
	got, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
	want, err := readPNG(path)
	if c.update {
		var change string
		switch {
		case errors.Is(err, fs.ErrNotExist):
			change = fmt.Sprintf("created, %v", sizeOf(got))
		case err != nil:
			change = fmt.Sprintf("replaced an unreadable file (%v)", err)
		case want.Bounds().Size() != got.Bounds().Size():
			change = fmt.Sprintf("size %v, was %v", sizeOf(got), sizeOf(want))
		default:
			n := countDiff(got, want)
			if n == 0 {
				return
			}
			change = fmt.Sprintf("%d of %d pixels changed", n, area(got))
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs // the report names the package
		}
		fmt.Fprintf(c.report, "golden: updated %s: %s\n", path, change)
		return
	}
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if gs, ws := sizeOf(got), sizeOf(want); gs != ws {
		t.Errorf("%s: image is %v, golden image %v; actual image in %s", name, gs, ws, c.keepActual(t, name, buf.Bytes()))
	} else if n := countDiff(got, want); n != 0 {
		t.Errorf("%s: %d pixels differ from the golden image; actual image in %s",
			name, n, c.keepActual(t, name, buf.Bytes()))
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

// sizeOf returns the size of img as WxH.
func sizeOf(img image.Image) string {
	s := img.Bounds().Size()
	return fmt.Sprintf("%dx%d", s.X, s.Y)
}

func area(img image.Image) int { return img.Bounds().Dx() * img.Bounds().Dy() }

// countDiff returns the number of pixels in which a and b differ, counting every pixel as
// different if their bounds differ.
func countDiff(a, b image.Image) int {
	r := a.Bounds()
	if r != b.Bounds() {
		return max(area(a), area(b))
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
func (c checker) keepActual(t testing.TB, name string, data []byte) string {
	t.Helper()
	dir, err := os.MkdirTemp(c.keep, "golden-")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
