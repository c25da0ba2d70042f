package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzConfig is the sweep the fuzz targets' directories hold: 2 seeds of 2 agents on
// Pendulum-v0 for 10 minutes, observing the state and pixels 64x64. Its trials of the state
// are part of the reference sweep in docs/sweep, whose records, written before sweeps had
// observations, are among the seeds under testdata/fuzz, as are those records said to be of
// either observation (testdata/fuzz/FuzzResults/observations).
func fuzzConfig() Config {
	return Config{Envs: []string{"Pendulum-v0"}, Agents: []string{"random", "jepa"},
		Observations: []string{"state", "pixels 64x64"}, Seeds: 2, Budget: 10 * time.Minute}
}

// FuzzResults feeds Load arbitrary results files in a sweep directory. It must not panic,
// and the records of a file it accepts must pass their checks again and summarise without
// panicking. The seeds are real records, torn and whole.
func FuzzResults(f *testing.F) {
	cfg := fuzzConfig()
	var lines []string
	for _, t := range cfg.Trials() {
		r := storeRecord(t)
		r.Budget = cfg.Budget.Seconds()
		b, err := json.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		lines = append(lines, string(b)+"\n")
	}
	all := strings.Join(lines, "")
	f.Add([]byte(all))
	f.Add([]byte(all[:len(all)-10]))
	f.Add([]byte(lines[0] + lines[0]))
	f.Add([]byte(strings.Replace(lines[1], `"return":1,`, `"return":1e308,`, 1)))
	f.Add([]byte(strings.Replace(lines[0], `"agent":"random",`, `"agent":"random","observation":"state",`, 1) + lines[2]))
	f.Add([]byte(strings.Replace(lines[2], `"pixels 64x64"`, `"pixels 64x64 noise"`, 1)))
	f.Fuzz(func(t *testing.T, results []byte) {
		dir := t.TempDir()
		data, _ := json.Marshal(sweepFile{Kind: sweepKind, Format: sweepFormat, Config: cfg})
		if err := os.WriteFile(filepath.Join(dir, SweepFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ResultsFile), results, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(dir)
		if err != nil {
			return
		}
		lim, err := envLimits("Pendulum-v0", nil)
		if err != nil {
			t.Fatal(err)
		}
		recs := s.Records()
		trials := map[Trial]bool{}
		for _, tr := range cfg.Trials() {
			trials[tr] = true
		}
		for _, r := range recs {
			if err := r.check(cfg, lim); err != nil {
				t.Fatalf("an accepted record fails its check: %v", err)
			}
			if !trials[r.Trial] {
				t.Fatalf("an accepted record's trial %+v is not one of the sweep's as it lists them", r.Trial)
			}
		}
		Summary(cfg, recs, 1)
	})
}

// FuzzSweepFile feeds Load arbitrary sweep files. It must not panic, and a sweep file it
// accepts must describe a sweep within the command line's bounds.
func FuzzSweepFile(f *testing.F) {
	good, _ := json.Marshal(sweepFile{Kind: sweepKind, Format: sweepFormat, Config: fuzzConfig()})
	f.Add(good)
	f.Add([]byte(strings.Replace(string(good), `"seeds":2`, `"seeds":1000000000000`, 1)))
	f.Add([]byte(`{"kind":"foresight bench","format":1,"envs":["Pendulum-v0"],"agents":["random"],"seeds":1,"budget":-1}`))
	f.Add([]byte(`{"kind":"foresight bench","format":1,"envs":["Pendulum-v0"],"agents":["random"],"observations":["state","pixels 8x8 gray stack 2 noise"],"seeds":1,"budget":1}`))
	f.Add([]byte(`{"kind":"foresight bench","format":1,"envs":["Pendulum-v0"],"agents":["random"],"observations":["pixels 64x64 none","state","state"],"seeds":1,"budget":1}`))
	f.Fuzz(func(t *testing.T, sweep []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, SweepFile), sweep, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := Load(dir)
		if err != nil {
			return
		}
		if err := s.Config().validate(); err != nil {
			t.Fatalf("accepted a sweep that does not validate: %v", err)
		}
	})
}
