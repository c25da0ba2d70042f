package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foresight-sim/foresight/agent"
)

// storeConfig returns a small sweep of 2×2×3 trials.
func storeConfig() Config {
	return Config{Envs: []string{"Pendulum-v0", "CartPoleSwingup-v0"}, Agents: []string{"random", "jepa"}, Seeds: 3, Budget: time.Hour}
}

// storeRecord returns a record of t that depends on t alone.
func storeRecord(t Trial) Record {
	end := 100 + float64(t.Seed)
	r := Record{Trial: t, Budget: 3600, Experience: end, Wall: 2, RealTime: 50, Episodes: 2,
		Curve: []agent.EpisodePoint{{Episode: 0, Experience: 50, Return: 1, Length: 10, Evaluated: -1},
			{Episode: 1, Experience: end, Return: 9.5, Length: 10, Success: true, Evaluated: 3}},
		Version: "test", Platform: "test/test"}
	if t.Seed%2 == 0 {
		r.Competent, r.TTC, r.Curve[1].Evaluated = true, &end, 4
	}
	return r
}

// longRecord returns a record of t, never competent, whose curve has n episodes.
func longRecord(t Trial, n int) Record {
	r := Record{Trial: t, Budget: 3600, Wall: 2, RealTime: 50, Episodes: n, Version: "test", Platform: "test/test"}
	for i := range n {
		r.Curve = append(r.Curve, agent.EpisodePoint{Episode: i, Experience: float64(i+1) + float64(t.Seed)/10, Return: 3, Length: 20, Evaluated: -1})
	}
	r.Experience = r.Curve[n-1].Experience
	return r
}

// storeLine returns rec's line of a results file.
func storeLine(t *testing.T, rec Record) string {
	t.Helper()
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// storeFiles returns the contents of the files in dir by name, a directory as its name and
// a slash, or nil if dir does not exist.
func storeFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			m[e.Name()+"/"] = ""
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b)
	}
	return m
}

// storeOpen opens dir for cfg, failing the test on error.
func storeOpen(t *testing.T, dir string, cfg Config) *Store {
	t.Helper()
	s, err := Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// storeAppend appends the records of trials to s, failing the test on error.
func storeAppend(t *testing.T, s *Store, trials []Trial) {
	t.Helper()
	for _, tr := range trials {
		if err := s.Append(storeRecord(tr)); err != nil {
			t.Fatal(err)
		}
	}
}

// storeRecords returns the records of trials.
func storeRecords(trials []Trial) []Record {
	var out []Record
	for _, t := range trials {
		out = append(out, storeRecord(t))
	}
	return out
}

func TestStoreReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "sweep")
	cfg := storeConfig()
	s := storeOpen(t, dir, cfg)
	if len(s.Records()) != 0 {
		t.Fatalf("new store holds %d records", len(s.Records()))
	}
	trials := cfg.Trials()
	done := []Trial{trials[5], trials[0], trials[11]}
	storeAppend(t, s, done)

	var head struct {
		Kind   string `json:"kind"`
		Format int    `json:"format"`
	}
	if err := json.Unmarshal([]byte(storeFiles(t, dir)[SweepFile]), &head); err != nil || head.Kind != "foresight bench" || head.Format != 1 {
		t.Errorf("sweep file: %+v, %v", head, err)
	}

	// The same sweep, its environments and agents listed in another order.
	other := cfg
	other.Envs = []string{"CartPoleSwingup-v0", "Pendulum-v0"}
	other.Agents = []string{"jepa", "random"}
	for _, c := range []Config{cfg, other} {
		r := storeOpen(t, dir, c)
		if got, want := r.Records(), storeRecords(done); !reflect.DeepEqual(got, want) {
			t.Errorf("reopened store holds %v, want %v", got, want)
		}
		for _, tr := range trials {
			if got, want := r.Done(tr), slices.Contains(done, tr); got != want {
				t.Errorf("Done(%v) = %v, want %v", tr, got, want)
			}
		}
		if !reflect.DeepEqual(r.Config(), cfg) || r.Dropped() != 0 {
			t.Errorf("reopened store: config %+v, dropped %d; want %+v, 0", r.Config(), r.Dropped(), cfg)
		}
	}
}

func TestOpenOtherSweep(t *testing.T) {
	dir := t.TempDir()
	s := storeOpen(t, dir, storeConfig())
	storeAppend(t, s, storeConfig().Trials()[:2])
	before := storeFiles(t, dir)
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"envs", func(c *Config) { c.Envs = []string{"Pendulum-v0", "Acrobot-v0"} }, "environments"},
		{"fewer envs", func(c *Config) { c.Envs = c.Envs[:1] }, "environments"},
		{"agents", func(c *Config) { c.Agents = append(c.Agents, "pets") }, "agents"},
		{"seeds", func(c *Config) { c.Seeds = 5 }, "seeds"},
		{"budget", func(c *Config) { c.Budget = 2 * time.Hour }, "budget"},
		{"invalid", func(c *Config) { c.Envs = []string{"Pendulum-v0", "Pendulum-v0"} }, "twice"},
		{"parameters", func(c *Config) { c.Params = map[string]float64{"gravity": 5} }, "it has parameters map[], not map[gravity:5]"},
		{"parameters that do not fit", func(c *Config) { c.Params = map[string]float64{"maze": 1} }, `the sweep's parameters do not fit Pendulum-v0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := storeConfig()
			tc.edit(&cfg)
			_, err := Open(dir, cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bench: ") {
				t.Errorf("Open: %v, want an error about %s", err, tc.want)
			}
			if after := storeFiles(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("Open changed the directory: %q, was %q", after, before)
			}
		})
	}
}

func TestOpenNotSweep(t *testing.T) {
	sweep := func(s string) map[string]string { return map[string]string{SweepFile: s} }
	for _, tc := range []struct {
		name  string
		files map[string]string
		other bool // another error than ErrNotSweep
	}{
		{"foreign file", map[string]string{"notes.txt": "hello"}, false},
		{"results only", map[string]string{ResultsFile: ""}, false},
		{"foreign json", sweep(`{"name": "my project", "envs": ["pendulum"]}`), false},
		{"not json", sweep("envs = pendulum\n"), false},
		{"empty sweep file", sweep(""), false},
		{"newer format", sweep(`{"kind": "foresight bench", "format": 2}`), true},
		{"sweep file is a directory", map[string]string{SweepFile + "/x": ""}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				path := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			before := storeFiles(t, dir)
			_, err := Open(dir, storeConfig())
			_, lerr := Load(dir)
			for _, err := range []error{err, lerr} {
				if err == nil || errors.Is(err, ErrNotSweep) == tc.other || !strings.HasPrefix(err.Error(), "bench: ") {
					t.Errorf("got %v, want an error (ErrNotSweep: %v)", err, !tc.other)
				}
			}
			if after := storeFiles(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("the directory changed: %q, was %q", after, before)
			}
		})
	}
}

func TestOpenStaleTemporary(t *testing.T) {
	// A run killed while creating the directory leaves the sweep file's temporary.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "."+SweepFile+".123.tmp"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	storeOpen(t, dir, storeConfig())
	if _, err := Load(dir); err != nil {
		t.Fatal(err)
	}
}

func TestOpenTornLastLine(t *testing.T) {
	trials := storeConfig().Trials()
	good := storeLine(t, storeRecord(trials[0])) + storeLine(t, storeRecord(trials[1]))
	whole := storeLine(t, storeRecord(trials[2]))
	for _, tc := range []struct {
		name, torn string
	}{
		{"truncated", whole[:len(whole)/2]},
		{"one byte", whole[:1]},
		{"without newline", whole[:len(whole)-1]},
		{"zeros", "\x00\x00\x00\x00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			storeOpen(t, dir, storeConfig())
			path := filepath.Join(dir, ResultsFile)
			if err := os.WriteFile(path, []byte(good+tc.torn), 0o644); err != nil {
				t.Fatal(err)
			}

			l, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if l.Dropped() != len(tc.torn) || len(l.Records()) != 2 || l.Done(trials[2]) {
				t.Errorf("Load: dropped %d, %d records; want %d, 2", l.Dropped(), len(l.Records()), len(tc.torn))
			}
			if b, _ := os.ReadFile(path); string(b) != good+tc.torn {
				t.Errorf("Load changed the results file")
			}
			if l.Append(storeRecord(trials[2])) == nil {
				t.Errorf("Append to a loaded store succeeded")
			}

			s := storeOpen(t, dir, storeConfig())
			if got, want := s.Records(), storeRecords(trials[:2]); s.Dropped() != len(tc.torn) || !reflect.DeepEqual(got, want) {
				t.Errorf("Open: dropped %d, records %v; want %d, %v", s.Dropped(), got, len(tc.torn), want)
			}
			if b, _ := os.ReadFile(path); string(b) != good {
				t.Errorf("Open left results file %q, want %q", b, good)
			}
			storeAppend(t, s, trials[2:3])
			r := storeOpen(t, dir, storeConfig())
			if got, want := r.Records(), storeRecords(trials[:3]); r.Dropped() != 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("reopened: dropped %d, records %v; want 0, %v", r.Dropped(), got, want)
			}
		})
	}
}

func TestOpenCorrupt(t *testing.T) {
	trials := storeConfig().Trials()
	line := storeLine(t, storeRecord(trials[0]))
	stranger := storeRecord(trials[1])
	stranger.Env = "Acrobot-v0"
	// altered returns the line of trials[1]'s record changed by edit.
	altered := func(edit func(r *Record)) string {
		r := storeRecord(trials[1])
		edit(&r)
		return storeLine(t, r)
	}
	huge, negative := 1e308, -5.0
	for _, tc := range []struct {
		name, results, want string
	}{
		{"torn middle line", line[:20] + "\n" + line, "line 1: unexpected EOF"},
		{"empty middle line", "\n" + line, "line 1: EOF"},
		{"glued lines", line[:20] + line + storeLine(t, storeRecord(trials[2])), "line 1: invalid character"},
		{"trial of another sweep", line + storeLine(t, stranger), "line 2: trial Acrobot-v0/random/1 is not of the sweep"},
		{"null", "null\n" + line, "line 1: trial //0 is not of the sweep"},
		{"zeros as the last line", line + "\x00\x00\x00\x00\n", "line 2: invalid character"},
		{"torn last line with its newline", line + line[:len(line)/2] + "\n", "line 2: unexpected EOF"},
		{"empty last line", line + "\n", "line 2: EOF"},
		{"unknown field", line + strings.Replace(storeLine(t, storeRecord(trials[1])), "{", `{"extra":1,`, 1), `line 2: json: unknown field "extra"`},
		{"two records on a line", strings.TrimSuffix(line, "\n") + line, "line 1: data after the record"},
		{"return near the largest float", line + altered(func(r *Record) { r.Curve[0].Return = huge }), "line 2: trial Pendulum-v0/random/1: episode 0: a return of 1e+308 in 10 steps, outside"},
		{"returns at both ends", line + altered(func(r *Record) { r.Curve[0].Return, r.Curve[1].Return = huge, -huge }), "outside what Pendulum-v0 allows"},
		{"episode beyond the time limit", line + altered(func(r *Record) { r.Curve[0].Length = 201 }), "in 201 steps, outside"},
		{"negative experience", line + altered(func(r *Record) { r.Experience, r.Curve[1].Experience = -1e300, -1e300 }), "experience of -1e+300 s"},
		{"experience beyond the budget", line + altered(func(r *Record) { r.Experience, r.Curve[1].Experience = 1e308, 1e308 }), "more than the budget"},
		{"negative time to competence", line + altered(func(r *Record) { r.Competent, r.TTC = true, &negative }), "time to competence of -5 s"},
		{"other budget", line + altered(func(r *Record) { r.Budget = huge }), "a budget of 1e+308 s"},
		{"negative wall time", line + altered(func(r *Record) { r.Wall = -1 }), "wall time of -1 s"},
		{"negative episodes", line + altered(func(r *Record) { r.Episodes = -3 }), "-3 episodes"},
		{"negative real-time factor", line + altered(func(r *Record) { r.RealTime = -huge }), "real-time factor of -1e+308"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			storeOpen(t, dir, storeConfig())
			if err := os.WriteFile(filepath.Join(dir, ResultsFile), []byte(tc.results), 0o644); err != nil {
				t.Fatal(err)
			}
			before := storeFiles(t, dir)
			_, err := Open(dir, storeConfig())
			if err == nil || !strings.Contains(err.Error(), ResultsFile+" line ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open: %v, want an error naming the file and containing %q", err, tc.want)
			}
			if _, err := Load(dir); err == nil {
				t.Errorf("Load succeeded")
			}
			if after := storeFiles(t, dir); !reflect.DeepEqual(after, before) {
				t.Errorf("the directory changed: %q, was %q", after, before)
			}
		})
	}
}

func TestStoreDuplicates(t *testing.T) {
	dir := t.TempDir()
	storeOpen(t, dir, storeConfig())
	trials := storeConfig().Trials()
	first, later := storeRecord(trials[3]), storeRecord(trials[3])
	later.Wall = 99
	results := storeLine(t, first) + storeLine(t, storeRecord(trials[1])) + storeLine(t, later)
	path := filepath.Join(dir, ResultsFile)
	if err := os.WriteFile(path, []byte(results), 0o644); err != nil {
		t.Fatal(err)
	}
	s := storeOpen(t, dir, storeConfig())
	if got, want := s.Records(), []Record{first, storeRecord(trials[1])}; !reflect.DeepEqual(got, want) {
		t.Errorf("records %v, want %v", got, want)
	}
	if err := s.Append(later); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != results || len(s.Records()) != 2 {
		t.Errorf("Append of a done trial changed the store")
	}
}

func TestAppendErrors(t *testing.T) {
	dir := t.TempDir()
	s := storeOpen(t, dir, storeConfig())
	stranger := storeRecord(Trial{Env: "Acrobot-v0", Agent: "random", Seed: 3})
	if err := s.Append(stranger); err == nil {
		t.Errorf("Append of a trial outside the sweep succeeded")
	}
	bad := storeRecord(storeConfig().Trials()[0])
	bad.RealTime = math.NaN()
	if err := s.Append(bad); err == nil {
		t.Errorf("Append of an unencodable record succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, ResultsFile)); !errors.Is(err, fs.ErrNotExist) || len(s.Records()) != 0 {
		t.Errorf("failed Appends wrote the results file (%v) or kept records", err)
	}
}

func TestAppendConcurrent(t *testing.T) {
	cfg := storeConfig()
	cfg.Seeds = 10
	dir := t.TempDir()
	s := storeOpen(t, dir, cfg)
	trials := cfg.Trials()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range trials {
				tr := trials[(k*(g+1)+g)%len(trials)]
				rec := longRecord(tr, 400) // lines of tens of kilobytes
				if err := s.Append(rec); err != nil {
					t.Error(err)
				}
				s.Done(tr)
				s.Records()
			}
		})
	}
	wg.Wait()
	b, err := os.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	seen := map[Trial]bool{}
	for i, l := range lines {
		var r Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if seen[r.Trial] {
			t.Errorf("line %d: %v again", i+1, r.Trial)
		}
		seen[r.Trial] = true
	}
	if !strings.HasSuffix(string(b), "\n") || len(seen) != len(trials) || len(s.Records()) != len(trials) {
		t.Errorf("%d lines of %d trials, %d records; want %d", len(lines), len(seen), len(s.Records()), len(trials))
	}
	if r := storeOpen(t, dir, cfg); !reflect.DeepEqual(r.Records(), s.Records()) {
		t.Errorf("reopened store holds other records")
	}
}

func TestMergeShards(t *testing.T) {
	cfg := storeConfig()
	trials := cfg.Trials()
	root := t.TempDir()
	whole := storeOpen(t, filepath.Join(root, "whole"), cfg)
	storeAppend(t, whole, trials)
	var shards []string
	for i := range 2 {
		dir := filepath.Join(root, fmt.Sprint("shard", i))
		part := Shard{I: i, N: 2}.Select(trials)
		slices.Reverse(part) // finished in another order
		storeAppend(t, storeOpen(t, dir, cfg), part)
		shards = append(shards, dir)
	}
	want := storeFiles(t, filepath.Join(root, "whole"))
	for _, tc := range []struct {
		name string
		srcs []string
	}{
		{"in order", shards},
		{"reversed", []string{shards[1], shards[0]}},
		{"one shard twice", []string{shards[1], shards[0], shards[1]}},
		{"whole", []string{filepath.Join(root, "whole")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "merged")
			s, err := Merge(dst, tc.srcs...)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Records(); !reflect.DeepEqual(got, whole.Records()) {
				t.Errorf("merged records %v, want %v", got, whole.Records())
			}
			if got := storeFiles(t, dst); !reflect.DeepEqual(got, want) {
				t.Errorf("merged directory differs from the unsharded one:\n%q\nwant\n%q", got, want)
			}
			// Merging again adds nothing.
			if _, err := Merge(dst, tc.srcs...); err != nil {
				t.Fatal(err)
			}
			if got := storeFiles(t, dst); !reflect.DeepEqual(got, want) {
				t.Errorf("merging again changed the directory")
			}
		})
	}

	// Merging into a directory that already holds some of the trials adds the others.
	dst := filepath.Join(root, "partial")
	storeAppend(t, storeOpen(t, dst, cfg), trials[7:8])
	s, err := Merge(dst, shards...)
	if err != nil {
		t.Fatal(err)
	}
	wantRecs := storeRecords(append(trials[7:8:8], slices.Delete(slices.Clone(trials), 7, 8)...))
	if !reflect.DeepEqual(s.Records(), wantRecs) {
		t.Errorf("merged records %v, want %v", s.Records(), wantRecs)
	}
}

func TestMergeErrors(t *testing.T) {
	root := t.TempDir()
	mk := func(name string, cfg Config, n int) string {
		dir := filepath.Join(root, name)
		storeAppend(t, storeOpen(t, dir, cfg), cfg.Trials()[:n])
		return dir
	}
	other := storeConfig()
	other.Budget = 2 * time.Hour
	a, b, c := mk("a", storeConfig(), 3), mk("b", storeConfig(), 5), mk("c", other, 2)
	foreign := filepath.Join(root, "foreign")
	if err := os.MkdirAll(foreign, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(foreign, "x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dst  string
		srcs []string
		want string
	}{
		{"no sources", "new", nil, "no directories"},
		{"other sweeps", "new", []string{a, c}, "budget"},
		{"other sweeps reversed", "new", []string{c, b, a}, "budget"},
		{"missing source", "new", []string{a, filepath.Join(root, "missing")}, "missing"},
		{"foreign source", "new", []string{a, foreign}, "not a foresight bench directory"},
		{"dst of another sweep", c, []string{a, b}, "another sweep"},
		{"foreign dst", foreign, []string{a, b}, "not a foresight bench directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := tc.dst
			if dst == "new" {
				dst = filepath.Join(t.TempDir(), "merged")
			}
			before := storeFiles(t, dst)
			_, err := Merge(dst, tc.srcs...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "bench: ") {
				t.Errorf("Merge: %v, want an error about %q", err, tc.want)
			}
			if after := storeFiles(t, dst); !reflect.DeepEqual(after, before) {
				t.Errorf("Merge changed %s: %q, was %q", dst, after, before)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); !errors.Is(err, ErrNotSweep) {
		t.Errorf("Load of an empty directory: %v, want ErrNotSweep", err)
	}
	if _, err := Load(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing directory: %v, want ErrNotExist", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Load wrote %v", entries)
	}
	cfg := storeConfig()
	storeAppend(t, storeOpen(t, dir, cfg), cfg.Trials()[2:4])
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Config(), cfg) || !reflect.DeepEqual(s.Records(), storeRecords(cfg.Trials()[2:4])) {
		t.Errorf("Load: %+v %v", s.Config(), s.Records())
	}
	if err := s.Append(storeRecord(cfg.Trials()[0])); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("Append to a loaded store: %v, want an error", err)
	}
}

// TestOpenLocked checks that a sweep directory another process has open is refused at
// once, naming that process, and that Load still reads it.
func TestOpenLocked(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("directories are locked only on Linux and macOS")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolder$")
	cmd.Env = append(os.Environ(), "BENCH_LOCK_HOLDER="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("the holder said %q, %v", line, err)
	}
	_, err = Open(dir, storeConfig())
	want := fmt.Sprintf("is in use by another foresight bench (pid %d)", cmd.Process.Pid)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Open of a locked directory: %v, want an error containing %q", err, want)
	}
	if _, err := Load(dir); err != nil {
		t.Errorf("Load of a locked directory: %v", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	storeOpen(t, dir, storeConfig()) // the lock went with its process
}

// TestLockHolder is TestOpenLocked's other process: it opens the sweep directory named by
// BENCH_LOCK_HOLDER, says so, and keeps it open until its standard input closes.
func TestLockHolder(t *testing.T) {
	dir := os.Getenv("BENCH_LOCK_HOLDER")
	if dir == "" {
		t.Skip("run by TestOpenLocked")
	}
	if _, err := Open(dir, storeConfig()); err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
}

// TestOpenHostileFiles checks that Open refuses a sweep directory whose lock file or results
// file is a symbolic link that would redirect a write, and writes nothing through it.
func TestOpenHostileFiles(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		link       func(outside string) string // the link's target
		want       string
	}{
		{"lock file linked to a file", LockFile, func(outside string) string { return outside }, ".lock is a symbolic link, not a regular file"},
		{"results linked to nothing", ResultsFile, func(outside string) string { return outside + ".missing" }, "is a symbolic link to a missing file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			outside := filepath.Join(t.TempDir(), "precious")
			if err := os.WriteFile(outside, []byte("precious"), 0o644); err != nil {
				t.Fatal(err)
			}
			storeOpen(t, dir, storeConfig())
			os.Remove(filepath.Join(dir, tc.file))
			if err := os.Symlink(tc.link(outside), filepath.Join(dir, tc.file)); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, storeConfig())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open: %v, want an error containing %q", err, tc.want)
			}
			if b, err := os.ReadFile(outside); err != nil || string(b) != "precious" {
				t.Errorf("the file outside holds %q (%v)", b, err)
			}
			if _, err := os.Stat(outside + ".missing"); err == nil {
				t.Error("a file was made at the end of the link")
			}
		})
	}
}
