package main

import (
	"bytes"
	"flag"
	"io"
	"strings"
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
		{[]string{"fly"}, `foresight: unknown command "fly" (known: watch, demo, envs, run, train, record, bench, bench merge, bench report, frame`},
		{[]string{"help", "fly"}, `foresight help: unknown command "fly"`},
		{[]string{"run", "-x"}, "foresight run: flag provided but not defined: -x (see foresight run -h)"},
		{[]string{"run"}, "foresight run: --env is required (known: "},
		{[]string{"run", "--env", "Nope-v0"}, `foresight run: envs: unknown environment "Nope-v0" (known: `},
		{[]string{"run", "--env", p, "--agent", "smart"}, `unknown agent "smart" (known: random, zero, oracle, jepa, pets)`},
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
		{[]string{"demo", "--episodes", "-1"}, "foresight demo: --episodes must be between 1 and 100000"},
	} {
		invoke(tc.args...).check(t, exitUsage, tc.msg)
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
