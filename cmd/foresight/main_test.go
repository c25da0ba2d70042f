package main

import (
	"bytes"
	"flag"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// result is what one invocation of run produced.
type result struct {
	code           int
	stdout, stderr string
}

func invoke(args ...string) result {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// invokeWithin runs foresight as invoke does and fails t if it has not returned within
// limit, as a command that waits on a FIFO or reads /dev/zero would not.
func invokeWithin(t *testing.T, limit time.Duration, args ...string) result {
	t.Helper()
	done := make(chan result, 1)
	go func() { done <- invoke(args...) }()
	select {
	case r := <-done:
		return r
	case <-time.After(limit):
		t.Fatalf("foresight %v did not return within %v", args, limit)
		return result{}
	}
}

// check fails t unless r has the exit code want and, on failure, exactly one line on
// stderr containing msg and nothing on stdout.
func (r result) check(t *testing.T, want int, msg string) {
	t.Helper()
	if r.code != want {
		t.Errorf("exit code %d, want %d (stderr %q)", r.code, want, r.stderr)
	}
	if want == exitOK {
		if r.stderr != "" {
			t.Errorf("stderr %q, want nothing", r.stderr)
		}
		return
	}
	if strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Errorf("stderr %q, want exactly one line", r.stderr)
	}
	if !strings.HasPrefix(r.stderr, "foresight") || !strings.Contains(r.stderr, msg) {
		t.Errorf("stderr %q, want a foresight error containing %q", r.stderr, msg)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q, want nothing on failure", r.stdout)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{nil, {"help"}, {"-h"}, {"--help"}} {
		r := invoke(args...)
		r.check(t, exitOK, "")
		for _, c := range commands {
			if !strings.Contains(r.stdout, c.name+" ") || !strings.Contains(r.stdout, c.summary) {
				t.Errorf("%q: help does not list %s", args, c.name)
			}
		}
	}
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "--help"}, {"help", c.name}} {
			r := invoke(args...)
			r.check(t, exitOK, "")
			if !strings.HasPrefix(r.stdout, "usage: foresight "+c.name) || !strings.Contains(r.stdout, "flags:") {
				t.Errorf("%q printed %q, want the command's usage", args, r.stdout)
			}
		}
	}
}

func TestBadCommandLines(t *testing.T) {
	const p = "Pendulum-v0"
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"fly"}, `foresight: unknown command "fly" (known: watch, demo, lesson, web, envs, run, train, record, bench, bench merge, bench report, frame`},
		{[]string{"help", "fly"}, `foresight help: unknown command "fly"`},
		{[]string{"run", "-x"}, "foresight run: flag provided but not defined: -x (see foresight run -h)"},
		{[]string{"run"}, "foresight run: --env is required (known: "},
		{[]string{"run", "--env", "Nope-v0"}, `foresight run: envs: unknown environment "Nope-v0" (known: `},
		{[]string{"run", "--env", p, "--agent", "smart"}, `unknown agent "smart" (known: random, zero, oracle, jepa, hjepa, pets, recon, sac)`},
		{[]string{"run", "--env", p, "--obs", "pixels", "--pixels", "0x0"}, `invalid value "0x0" for flag -pixels: want WxH`},
		{[]string{"train", "--env", p, "--agent", "jepa", "--budget", "1s", "--obs", "pixels", "--pixels", "2000x2000"}, "--pixels 2000x2000: want sides of at most 1024"},
		{[]string{"run", "--env", p, "--obs", "pixels", "--distract", "nope"}, `--distract "nope": want none, shapes, noise, jitter`},
		{[]string{"run", "--env", p, "--distract", "shapes"}, "--distract shapes needs --obs pixels"},
		{[]string{"watch", "--env", p, "--pixels", "64x64"}, "--pixels needs --obs pixels"},
		{[]string{"record", "--env", p, "--agent", "random", "--out", "x.gif", "--obs", "camera"}, `--obs "camera": want state or pixels`},
		{[]string{"train", "--env", p, "--agent", "pets", "--budget", "1s", "--obs", "pixels"}, "pets learns from states, not images"},
		{[]string{"train", "--env", p, "--agent", "jepa", "--budget", "1s", "--obs", "pixels", "--pixels", "50x50"}, "the decoder of 50x50 images gives 48x48"},
		{[]string{"train", "--env", p, "--agent", "sac", "--budget", "1s", "--concurrent"}, "sac does not learn concurrently: only jepa, hjepa, pets, recon do"},
		{[]string{"watch", "--env", p, "--agent", "oracle", "--concurrent"}, "oracle does not learn concurrently"},
		{[]string{"train", "--env", p, "--agent", "sac", "--budget", "1s", "--set", "updates=2"}, "sac takes no settings: only jepa, hjepa, pets, recon do"},
		{[]string{"train", "--env", p, "--agent", "jepa", "--budget", "1s", "--set", "updates=many"}, `updates = "many": want a whole number`},
		{[]string{"train", "--env", p, "--agent", "jepa", "--budget", "1s", "--set", "updates=-1"}, "-1 updates per step: want none negative"},
		{[]string{"watch", "--env", p, "--set", "=1"}, `invalid value "=1" for flag -set: want name=value`},
		{[]string{"run", "--env", p, "--episodes", "0"}, "--episodes must be between 1 and 100000, not 0"},
		{[]string{"run", "--env", p, "--episodes", "100001"}, "--episodes must be between 1 and 100000"},
		{[]string{"run", "--env", p, "--episodes", "many"}, `invalid value "many" for flag -episodes`},
		{[]string{"run", "--env", p, "--param", "mass"}, `invalid value "mass" for flag -param: want name=value`},
		{[]string{"run", "--env", p, "--param", "=1"}, `invalid value "=1" for flag -param: want name=value`},
		{[]string{"run", "--env", p, "--param", "mass=heavy"}, `"heavy" is not a finite number`},
		{[]string{"run", "--env", p, "--param", "mass=NaN"}, `"NaN" is not a finite number`},
		{[]string{"run", "--env", p, "--param", "mass=100"}, "parameter mass = 100 is outside [0.05, 20]"},
		{[]string{"run", "--env", p, "--param", "colour=1"}, `unknown parameter "colour" (known: mass, `},
		{[]string{"run", "--env", p, "stray"}, `foresight run: unexpected argument "stray"`},
		{[]string{"frame", "--env", p}, "foresight frame: --out is required"},
		{[]string{"frame", "--out", "x.png"}, "foresight frame: --env is required"},
		{[]string{"frame", "--env", p, "--out", "x.png", "--size", "640"}, `invalid value "640" for flag -size: want WxH`},
		{[]string{"frame", "--env", p, "--out", "x.png", "--size", "0x480"}, `invalid value "0x480" for flag -size`},
		{[]string{"frame", "--env", p, "--out", "x.png", "--size", "5000x10"}, `invalid value "5000x10" for flag -size`},
		{[]string{"frame", "--env", p, "--out", "x.png", "--size", "-3x-3"}, `invalid value "-3x-3" for flag -size`},
		{[]string{"envs", "--json", "--markdown"}, "foresight envs: --json and --markdown exclude each other"},
		{[]string{"demo", "--random", "--episodes", "-1"}, "foresight demo: --episodes must be between 1 and 100000"},
		{[]string{"demo", "--episodes", "3"}, "foresight demo: --episodes goes with --random"},
		{[]string{"demo", "--envs", "Pendulum-v0,Nope-v0"}, `foresight demo: unknown environment "Nope-v0"`},
		{[]string{"demo", "--agent", "oracle"}, "foresight demo: --agent oracle does not learn"},
		{[]string{"demo", "--budget", "0s"}, "foresight demo: --budget must be a duration between 0 and"},
		{[]string{"demo", "--out", ""}, `invalid value "" for flag -out: want a path, not an empty string`},
		{[]string{"train", "--env", p, "--agent", "random", "--budget", "1s", "--checkpoint", ""}, "flag -checkpoint: want a path"},
		{[]string{"record", "--env", p, "--agent", "random", "--out", "x.gif", "--checkpoint", ""}, "flag -checkpoint: want a path"},
		{[]string{"bench", "--envs", p + "," + p, "--agents", "random", "--seeds", "1", "--budget", "1s", "--out", "x"}, "--envs names Pendulum-v0 twice"},
		{[]string{"bench", "--envs", p, "--agents", "random,random", "--seeds", "1", "--budget", "1s", "--out", "x"}, "--agents names random twice"},
		{[]string{"run", "--env", p, "--seed", "18446744073709551615", "--episodes", "2"}, "which would wrap past 18446744073709551615; use a seed of at most 18446744073709551614"},
		{[]string{"demo", "--random", "--seed", "18446744073709551610", "--episodes", "10"}, "use a seed of at most 18446744073709551606"},
		{[]string{"record", "--env", p, "--agent", "random", "--out", "x.gif", "--every", "100000"}, "--every must be from 1 to 200"},
		{[]string{"record", "--env", p, "--agent", "random", "--out", "x.gif", "--seed", "18446744073709551615", "--episodes", "2"}, "would wrap"},
	} {
		invoke(tc.args...).check(t, exitUsage, tc.msg)
	}
}

// TestHugeArgumentsAreCut checks that a huge value echoed in an error is cut, not printed
// whole.
func TestHugeArgumentsAreCut(t *testing.T) {
	huge := strings.Repeat("x", 100_000)
	for _, args := range [][]string{
		{"run", "--env", huge},
		{"run", "--env", "Pendulum-v0", "--agent", huge},
		{"frame", "--env", "Pendulum-v0", "--out", "x.png", "--size", huge},
		{huge},
	} {
		r := invoke(args...)
		r.check(t, exitUsage, "xxxxxxxx")
		if len(r.stderr) > maxMessage+100 {
			t.Errorf("%.20q...: %d bytes of error, want at most about %d", args, len(r.stderr), maxMessage)
		}
	}
}

func TestPanicIsOneLine(t *testing.T) {
	saved := commands
	defer func() { commands = saved }()
	commands = append(commands, command{name: "boom", setup: func(*flag.FlagSet) action {
		return func(io.Writer, io.Writer) error { panic("bad\nthing") }
	}})
	invoke("boom").check(t, exitInternal, "foresight: internal error: bad; thing")
}

// TestOutputPaths checks that every command that writes a file refuses, in one line with
// exit status 1 and without hanging, an output path that leads to something other than a
// regular file, and leaves it as it was; and that a 0600 file it replaces stays 0600.
func TestOutputPaths(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	dangling := filepath.Join(dir, "dangling")
	if err := os.Symlink(filepath.Join(dir, "missing"), dangling); err != nil {
		t.Fatal(err)
	}
	sweep := filepath.Join(dir, "sweep")
	if r := invoke("bench", "--envs", "Pendulum-v0", "--agents", "random", "--seeds", "1", "--budget", "10s", "--out", sweep); r.code != exitOK {
		t.Fatalf("bench: %d %q", r.code, r.stderr)
	}
	summary := filepath.Join(sweep, "summary.md")
	os.Remove(summary)
	if err := syscall.Mkfifo(summary, 0o644); err != nil {
		t.Fatal(err)
	}
	frame := func(out string) []string { return []string{"frame", "--env", "Pendulum-v0", "--out", out} }
	record := func(out string) []string {
		return []string{"record", "--env", "Pendulum-v0", "--agent", "random", "--out", out, "--every", "50", "--size", "64x36"}
	}
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"frame to a FIFO", frame(fifo), "write " + fifo + ": is a FIFO, not a regular file"},
		{"frame to a directory", frame(dir), "is a directory, not a regular file"},
		{"frame through a dangling link", frame(dangling), "is a symbolic link to a missing file"},
		{"record to a FIFO", record(fifo), "is a FIFO, not a regular file"},
		{"bench report onto a FIFO", []string{"bench", "report", sweep}, "summary.md: is a FIFO, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			invokeWithin(t, 30*time.Second, tt.args...).check(t, exitFailure, tt.msg)
			for _, p := range []string{fifo, summary} {
				if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
					t.Errorf("%s is no longer a FIFO", p)
				}
			}
			if _, err := os.Lstat(filepath.Join(dir, "missing")); err == nil {
				t.Error("a file was made at the end of the dangling link")
			}
		})
	}
	t.Run("record with a missing checkpoint directory", func(t *testing.T) {
		missing := filepath.Join(dir, "no-such-dir")
		invoke(append(record(filepath.Join(dir, "r.gif")), "--checkpoint", missing)...).check(t, exitFailure, "no checkpoint in "+missing)
		if _, err := os.Stat(missing); err == nil {
			t.Error("record made the checkpoint directory")
		}
	})
	t.Run("a private file stays private", func(t *testing.T) {
		private := filepath.Join(dir, "private.png")
		if err := os.WriteFile(private, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		invoke(frame(private)...).check(t, exitOK, "")
		if fi, err := os.Stat(private); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("the frame's file has mode %v, want 0600", fi.Mode())
		}
	})
}
