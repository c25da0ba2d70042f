package bench

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// quickSweep trains cheap agents briefly: two environments, random and zero, two seeds.
var quickSweep = Config{Envs: []string{"Pendulum-v0", "Reacher-v0"}, Agents: []string{"random", "zero"}, Seeds: 2, Budget: 12 * time.Second}

// runSweep runs cfg's shard into a fresh directory with the given workers and returns the
// store.
func runSweep(t *testing.T, dir string, cfg Config, shard Shard, workers int) *Store {
	t.Helper()
	s, err := Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(s, shard, workers, nil); err != nil {
		t.Fatal(err)
	}
	return s
}

// comparable returns the records without what depends on the machine and the moment: wall
// times, real-time factors, version and platform.
func comparable(recs []Record) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Wall, r.RealTime, r.Version, r.Platform = 0, 0, "", ""
		out[i] = r
	}
	SortRecords(quickSweep, out)
	return out
}

// TestRunDeterministic checks that a sweep's records do not depend on the number of
// workers, and that every trial is recorded once.
func TestRunDeterministic(t *testing.T) {
	one := runSweep(t, t.TempDir(), quickSweep, Shard{0, 1}, 1).Records()
	four := runSweep(t, t.TempDir(), quickSweep, Shard{0, 1}, 4).Records()
	if len(one) != len(quickSweep.Trials()) {
		t.Fatalf("%d records, want %d", len(one), len(quickSweep.Trials()))
	}
	if !reflect.DeepEqual(comparable(one), comparable(four)) {
		t.Error("records with 1 worker differ from those with 4")
	}
	for _, r := range one {
		if r.Competent || r.TTC != nil || r.Experience != 12 || r.Version == "" || r.Platform == "" {
			t.Errorf("record %s: competent %v, TTC %v, experience %v, version %q, platform %q", r.Trial, r.Competent, r.TTC, r.Experience, r.Version, r.Platform)
		}
	}
}

// TestRunResumes checks that running a sweep again trains nothing more, and that a sweep
// interrupted after some trials finishes the rest.
func TestRunResumes(t *testing.T) {
	dir := t.TempDir()
	runSweep(t, dir, quickSweep, Shard{0, 3}, 2)
	s := runSweep(t, dir, quickSweep, Shard{0, 1}, 2)
	if got, want := len(s.Records()), len(quickSweep.Trials()); got != want {
		t.Fatalf("%d records after resuming, want %d", got, want)
	}
	var progressed int
	s2, err := Open(dir, quickSweep)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(s2, Shard{0, 1}, 2, func(Progress) { progressed++ }); err != nil {
		t.Fatal(err)
	}
	if progressed != 0 || len(s2.Records()) != len(quickSweep.Trials()) {
		t.Errorf("a finished sweep run again reported progress %d times and holds %d records", progressed, len(s2.Records()))
	}
}

// TestShardsMergeToWholeSweep checks that merging the directories of a sweep's shards gives
// the records of the unsharded sweep.
func TestShardsMergeToWholeSweep(t *testing.T) {
	base := t.TempDir()
	whole := runSweep(t, filepath.Join(base, "whole"), quickSweep, Shard{0, 1}, 2).Records()
	var dirs []string
	for i := range 3 {
		d := filepath.Join(base, "shard", string(rune('a'+i)))
		runSweep(t, d, quickSweep, Shard{i, 3}, 1)
		dirs = append(dirs, d)
	}
	merged, err := Merge(filepath.Join(base, "merged"), dirs[2], dirs[0], dirs[1])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(comparable(merged.Records()), comparable(whole)) {
		t.Error("merged shards differ from the whole sweep")
	}
}

// TestProgressETA checks the estimate of the time left.
func TestProgressETA(t *testing.T) {
	if _, ok := (Progress{Total: 4}).ETA(2); ok {
		t.Error("an ETA before any trial finished")
	}
	if eta, ok := (Progress{Done: 2, Total: 6, Elapsed: 10 * time.Second}).ETA(2); !ok || eta != 10*time.Second {
		t.Errorf("ETA %v, want 10s: 4 trials left at 5 s each on 2 workers", eta)
	}
}
