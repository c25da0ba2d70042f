package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// dirEntries returns the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// checkPNG fails t unless path holds a PNG of w×h pixels, and returns the image.
func checkPNG(t *testing.T, path string, w, h int) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s is %dx%d, want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
	return img
}

func TestFrame(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "pendulum.png")
	r := invoke("frame", "--env", "Pendulum-v0", "--seed", "3", "--size", "120x90", "--param", "length=2", "--out", out)
	r.check(t, exitOK, "")
	if r.stdout != "wrote "+out+" (Pendulum-v0, seed 3, 120x90)\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	checkPNG(t, out, 120, 90)
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"pendulum.png"}) {
		t.Errorf("directory holds %v, want only the frame", names)
	}
	first, _ := os.ReadFile(out)
	invoke("frame", "--env", "Pendulum-v0", "--seed", "3", "--size", "120x90", "--param", "length=2", "--out", out).check(t, exitOK, "")
	if again, _ := os.ReadFile(out); string(again) != string(first) {
		t.Error("the same frame drawn twice differs")
	}
}

func TestFrameUnwritable(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ out, msg string }{
		{filepath.Join(dir, "missing", "x.png"), "foresight frame: write " + filepath.Join(dir, "missing", "x.png") + ": no such file or directory"},
		{sub, "foresight frame: write " + sub + ": is a directory"},
		{"/nonexistent/dir/x.png", "foresight frame: write /nonexistent/dir/x.png: no such file or directory"},
	} {
		invoke("frame", "--env", "Pendulum-v0", "--out", tc.out).check(t, exitFailure, tc.msg)
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"sub"}) {
		t.Errorf("directory holds %v, want only sub", names)
	}
	if names := dirEntries(t, sub); len(names) != 0 {
		t.Errorf("sub holds %v, want nothing", names)
	}
}
