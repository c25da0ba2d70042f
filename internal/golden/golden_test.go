package golden

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing the test it wraps.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper()                         {}
func (r *recorder) Log(args ...any)                 {}
func (r *recorder) Logf(format string, args ...any) {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatal(args ...any) { r.stop(fmt.Sprint(args...)) }
func (r *recorder) Fatalf(format string, args ...any) {
	r.stop(fmt.Sprintf(format, args...))
}

// stop records a fatal failure and ends the goroutine, as testing's Fatal does.
func (r *recorder) stop(msg string) {
	r.errors = append(r.errors, msg)
	r.fatal = true
	runtime.Goexit()
}

// run calls c.check on its own goroutine, so that a fatal failure ends only that, and
// returns what it reported.
func run(t *testing.T, c checker, name string, img image.Image) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.check(r, name, img)
	}()
	<-done
	return r
}

// testImage returns a w×h opaque image with every pixel different, pixel (0, 0) black.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(20 * x), uint8(30 * y), uint8(x + y), 255})
		}
	}
	return img
}

// changed returns a copy of img with the given pixels' colours changed by f.
func changed(img *image.NRGBA, f func(color.NRGBA) color.NRGBA, pts ...image.Point) *image.NRGBA {
	c := image.NewNRGBA(img.Rect)
	copy(c.Pix, img.Pix)
	for _, p := range pts {
		c.SetNRGBA(p.X, p.Y, f(c.NRGBAAt(p.X, p.Y)))
	}
	return c
}

// writeGolden writes img as the golden file name in dir, compressed harder than Check
// compresses, so that a rewrite by Check would change the file's bytes.
func writeGolden(t *testing.T, dir, name string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decodeFile reads the PNG file at path.
func decodeFile(t *testing.T, path string) image.Image {
	t.Helper()
	img, err := readPNG(path)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestCheckMatches checks that an image matches its own golden file, also one with
// translucent pixels, which PNG stores unpremultiplied.
func TestCheckMatches(t *testing.T) {
	translucent := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for i := range translucent.Pix {
		translucent.Pix[i] = uint8(i * 7 % 200) // premultiplied: colour at most alpha
		if i%4 == 3 {
			translucent.Pix[i] = 200
		}
	}
	for name, img := range map[string]image.Image{"opaque.png": testImage(8, 6), "translucent.png": translucent} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var report bytes.Buffer
			run(t, checker{dir: dir, update: true, report: &report}, name, img)
			if r := run(t, checker{dir: dir, report: &report, keep: t.TempDir()}, name, img); len(r.errors) != 0 {
				t.Errorf("an image against its own golden file: %q", r.errors)
			}
		})
	}
}

// TestCheckDetects checks that a comparison fails on a single changed pixel, in any
// channel, and on a changed size, saying how, and keeps the actual image where it says.
func TestCheckDetects(t *testing.T) {
	golden := testImage(8, 6)
	plus := func(c color.NRGBA, i int) color.NRGBA {
		v := [4]uint8{c.R, c.G, c.B, c.A}
		v[i] ^= 1
		return color.NRGBA{v[0], v[1], v[2], v[3]}
	}
	channel := func(i int) func(color.NRGBA) color.NRGBA {
		return func(c color.NRGBA) color.NRGBA { return plus(c, i) }
	}
	tests := []struct {
		name string
		img  *image.NRGBA
		msg  string
	}{
		{"red", changed(golden, channel(0), image.Pt(3, 2)), "1 pixels differ"},
		{"green", changed(golden, channel(1), image.Pt(7, 0)), "1 pixels differ"},
		{"blue", changed(golden, channel(2), image.Pt(7, 5)), "1 pixels differ"},
		{"alpha", changed(golden, channel(3), image.Pt(0, 0)), "1 pixels differ"}, // black: only alpha differs
		{"three", changed(golden, channel(0), image.Pt(1, 1), image.Pt(2, 1), image.Pt(1, 2)), "3 pixels differ"},
		{"wider", testImage(9, 6), "image is 9x6, golden image 8x6"},
		{"shorter", testImage(8, 5), "image is 8x5, golden image 8x6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, keep := t.TempDir(), t.TempDir()
			writeGolden(t, dir, "x.png", golden)
			r := run(t, checker{dir: dir, report: new(bytes.Buffer), keep: keep}, "x.png", tt.img)
			if len(r.errors) != 1 || !strings.Contains(r.errors[0], tt.msg) {
				t.Fatalf("errors %q, want one saying %q", r.errors, tt.msg)
			}
			_, kept, ok := strings.Cut(r.errors[0], "actual image in ")
			if !ok || !strings.HasPrefix(kept, keep) || filepath.Base(kept) != "x.png" {
				t.Fatalf("error %q does not name the actual image x.png under %s", r.errors[0], keep)
			}
			if n := countDiff(decodeFile(t, kept), tt.img); n != 0 {
				t.Errorf("the kept image differs from the actual one in %d pixels", n)
			}
		})
	}
}

// TestCountDiff checks the pixel count directly: every channel counts, and differing
// bounds count every pixel of the larger image.
func TestCountDiff(t *testing.T) {
	a := testImage(5, 4)
	all := []image.Point{}
	for y := range 4 {
		for x := range 5 {
			all = append(all, image.Pt(x, y))
		}
	}
	flip := func(i int) func(color.NRGBA) color.NRGBA {
		return func(c color.NRGBA) color.NRGBA {
			v := []*uint8{&c.R, &c.G, &c.B, &c.A}
			*v[i] ^= 1
			return c
		}
	}
	tests := []struct {
		name string
		b    image.Image
		want int
	}{
		{"same", a, 0},
		{"red", changed(a, flip(0), all[5]), 1},
		{"green", changed(a, flip(1), all[1], all[2]), 2},
		{"blue", changed(a, flip(2), all...), 20},
		{"alpha", changed(a, flip(3), all[0]), 1}, // black, so premultiplying leaves only alpha
		{"larger", testImage(6, 4), 24},
		{"smaller", testImage(2, 2), 20},
		{"moved", image.NewNRGBA(image.Rect(1, 0, 6, 4)), 20},
	}
	for _, tt := range tests {
		if got := countDiff(a, tt.b); got != tt.want {
			t.Errorf("%s: countDiff = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestCheckMissing checks that a missing golden file fails the test, saying how to create it.
func TestCheckMissing(t *testing.T) {
	r := run(t, checker{dir: t.TempDir(), report: new(bytes.Buffer)}, "none.png", testImage(2, 2))
	if !r.fatal || len(r.errors) != 1 || !strings.Contains(r.errors[0], "-update") {
		t.Errorf("errors %q (fatal %v), want one fatal error pointing to -update", r.errors, r.fatal)
	}
}

// TestCheckUpdate checks -update: it writes missing and changed golden files and reports
// each with the number of pixels changed, and leaves unchanged ones alone, byte for byte.
func TestCheckUpdate(t *testing.T) {
	old := testImage(8, 6)
	tests := []struct {
		name   string
		golden image.Image // nil: no golden file
		img    image.Image
		report string // "": none, and the file is left as it was
	}{
		{"unchanged", old, old, ""},
		{"one pixel", old, changed(old, func(c color.NRGBA) color.NRGBA { c.B++; return c }, image.Pt(4, 4)), "x.png: 1 of 48 pixels changed"},
		{"resized", old, testImage(4, 6), "x.png: size 4x6, was 8x6"},
		{"missing", nil, old, "x.png: created, 8x6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.png")
			var before []byte
			if tt.golden != nil {
				before = writeGolden(t, dir, "x.png", tt.golden)
			}
			var report bytes.Buffer
			r := run(t, checker{dir: dir, update: true, report: &report}, "x.png", tt.img)
			if len(r.errors) != 0 {
				t.Fatalf("update failed: %q", r.errors)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.report == "" {
				if report.Len() != 0 || !bytes.Equal(after, before) {
					t.Errorf("unchanged golden file rewritten (report %q)", report.String())
				}
				return
			}
			want := "golden: updated " + filepath.Join(dir, tt.report) + "\n"
			if report.String() != want {
				t.Errorf("report %q, want %q", report.String(), want)
			}
			if n := countDiff(decodeFile(t, path), tt.img); n != 0 {
				t.Errorf("the updated golden file differs from the image in %d pixels", n)
			}
		})
	}
}
