package bench

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWritePlots checks that a sweep's plots are written as valid PNG and SVG files, three
// per environment, also for an agent with no finished trial.
func TestWritePlots(t *testing.T) {
	s := runSweep(t, t.TempDir(), quickSweep, Shard{0, 2}, 2)
	dir := t.TempDir()
	names, err := WritePlots(dir, quickSweep, s.Records(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, env := range quickSweep.Envs {
		for _, kind := range []string{"success", "return", "ttc"} {
			want = append(want, kind+"-"+env+".png", kind+"-"+env+".svg")
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(names)), slices.Sorted(slices.Values(want))) {
		t.Fatalf("wrote %v, want %v", names, want)
	}
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(n) {
		case ".png":
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("%s: %v", n, err)
			}
		case ".svg":
			if !bytes.Contains(data, []byte("<svg")) {
				t.Errorf("%s is not SVG", n)
			}
		}
	}
}
