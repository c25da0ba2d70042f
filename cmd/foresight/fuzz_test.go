package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzFlagValues feeds foresight's flag parsers arbitrary values: sizes, parameters,
// seeds, durations and paths, through the commands that take them. Whatever the values,
// a command must end with exit status 0, 1 or 2, never an internal error, and a failure must
// say what went wrong in one line.
func FuzzFlagValues(f *testing.F) {
	f.Add("64x36", "mass=1.5", "7", "10s", "x.png")
	f.Add("0x480", "mass", "-1", "-3h", "")
	f.Add("4096x4096", "=1", "18446744073709551616", "1000h0m0.000000001s", "/dev/null")
	f.Add("1x1", "mass=1e308", "0x10", "9223372036854775807ns", "dir/")
	f.Fuzz(func(t *testing.T, size, param, seed, budget, out string) {
		// A valid size of up to 4096×4096 renders a frame, which is slow: only small ones.
		if s := new(imageSize); s.Set(size) == nil && s.w*s.h > 256*256 {
			return
		}
		dir := t.TempDir()
		for _, args := range [][]string{
			{"frame", "--env", "Pendulum-v0", "--size", size, "--param", param, "--seed", seed, "--out", filepath.Join(dir, filepath.Base(out))},
			{"train", "--budget", budget, "--seed", seed},
		} {
			r := invoke(args...)
			if r.code == exitInternal || r.code < 0 || r.code > exitUsage {
				t.Fatalf("foresight %q: exit status %d, stderr %q", args, r.code, r.stderr)
			}
			if r.code != exitOK && strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("foresight %q: stderr %q, want one line", args, r.stderr)
			}
		}
	})
}
