package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/foresight-sim/foresight/internal/safefile"
)

// The files of a sweep directory.
const (
	// SweepFile holds the sweep's configuration, written once when the directory is created.
	SweepFile = "sweep.json"
	// ResultsFile holds the finished trials' records, one JSON line each, in the order they
	// were appended.
	ResultsFile = "results.jsonl"
	// LockFile is locked by the process that has the directory open to run trials in it,
	// and holds its pid.
	LockFile = ".lock"
)

// Sizes of the files Open and Load read, in bytes.
const (
	MaxSweepFileSize   = 1 << 20
	MaxResultsFileSize = 1 << 30
)

// sweepKind and sweepFormat mark a sweep file as ours, and the version of its layout.
const (
	sweepKind   = "foresight bench"
	sweepFormat = 1
)

// ErrNotSweep is returned, wrapped, for a directory that is not a sweep directory: one that
// holds files but no sweep file, or a sweep file that is not a foresight bench sweep's.
var ErrNotSweep = errors.New("not a foresight bench directory")

// sweepFile is the content of a sweep file.
type sweepFile struct {
	Kind   string `json:"kind"`
	Format int    `json:"format"`
	Config
}

// Store is a sweep directory: the sweep's configuration and the records of its finished
// trials. A Store's methods may be called from several goroutines at once. Only one
// process at a time may run trials in a directory, which Open enforces with a lock; shards
// of a sweep run elsewhere write their own directories, which Merge joins.
type Store struct {
	dir      string
	cfg      Config
	trials   map[Trial]bool // the sweep's trials
	readOnly bool
	dropped  int

	mu      sync.Mutex
	records []Record
	index   map[Trial]int // position in records
	broken  error         // set when a failed append may have left a partial line
}

// Open opens the sweep directory dir for the sweep cfg, creating it if needed, and loads
// the records it holds.
//
// A new or empty directory becomes cfg's sweep directory: Open writes its sweep file. A
// directory that holds a sweep file must hold cfg's sweep: the same environments, agents and
// observations, in any order (no observations and the state alone are the same), the same
// number of seeds and the same budget; the configuration kept, and returned by Config, is
// the one in the directory. Open returns an error wrapping ErrNotSweep for a directory that
// holds files but no sweep file, or a sweep file that is not ours, and an error naming the
// difference for another sweep's directory; either way it changes nothing.
//
// A run killed while appending can leave the results file's last line partly written. Open
// drops such a line (one without its newline) by rewriting the file without it, and reports
// its length with Dropped: its trial is not done and runs again. Any other line that does
// not decode, or holds values its trial could not have produced, is corruption: Open returns
// an error naming the file and the line, and changes nothing. A trial recorded twice keeps
// its first record; Open ignores the others. The sweep file and the results file must be
// regular files of at most MaxSweepFileSize and MaxResultsFileSize bytes.
//
// Open locks the directory for the rest of the process's life, with an advisory lock on its
// LockFile: while one process runs a sweep in it, Open in another returns an error naming
// that process, so that two runs never both train the same trials.
func Open(dir string, cfg Config) (*Store, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	// A sweep file never changes once written, so it is read before the lock is taken, and
	// a directory of another sweep is refused without a lock file left in it.
	have, err := readSweep(dir)
	created := errors.Is(err, fs.ErrNotExist)
	if created {
		have, err = createSweep(dir, cfg) // which locks
	}
	if err != nil {
		return nil, err
	}
	if d := sweepDiff(have, cfg); d != "" {
		return nil, fmt.Errorf("bench: %s holds another sweep: it has %s", dir, d)
	}
	if !created {
		if err := lock(dir); err != nil {
			return nil, err
		}
	}
	// Refused now, not at the first append after a trial's minutes of training.
	if err := safefile.Check(filepath.Join(dir, ResultsFile)); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", filepath.Join(dir, ResultsFile), err)
	}
	s, good, err := loadResults(dir, have)
	if err != nil {
		return nil, err
	}
	if s.dropped > 0 {
		path := filepath.Join(dir, ResultsFile)
		err := safefile.Write(path, func(w io.Writer) error { _, err := w.Write(good); return err })
		if err != nil {
			return nil, fmt.Errorf("bench: dropping the partly written last line of %s: %w", path, err)
		}
	}
	return s, nil
}

// Load opens the existing sweep directory dir to read it, as for a report, whatever its
// sweep. It reads the directory as Open does, but leaves a partly written last line in the
// file, ignoring it, and returns a Store to which Append returns an error. Load returns an
// error wrapping ErrNotSweep if dir is not a sweep directory.
func Load(dir string) (*Store, error) {
	cfg, err := readSweep(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		return nil, fmt.Errorf("bench: %s: %w (it holds no %s)", dir, ErrNotSweep, SweepFile)
	}
	if err != nil {
		return nil, err
	}
	s, _, err := loadResults(dir, cfg)
	if err != nil {
		return nil, err
	}
	s.readOnly = true
	return s, nil
}

// Merge joins the sweep directories srcs, shards of one sweep, into the sweep directory
// dst, which Open opens or creates for their sweep, and returns it. It appends the records
// of the trials dst does not hold yet, in the order of the sweep's trials, taking each
// from the first source that holds it: merging into a new directory writes the same
// results file whatever the order of the sources and however the sweep was sharded, if
// the records are the same (their wall times differ from run to run). A trial whose line
// a source lost to a partial write is not merged; it runs when the sweep resumes in dst.
// Merge returns an error, having written nothing, if a source cannot be read, the sources
// hold different sweeps, or dst holds another sweep or is not a sweep directory.
func Merge(dst string, srcs ...string) (*Store, error) {
	if len(srcs) == 0 {
		return nil, errors.New("bench: merge: no directories to merge")
	}
	from := make([]*Store, len(srcs))
	for i, src := range srcs {
		s, err := Load(src)
		if err != nil {
			return nil, err
		}
		from[i] = s
	}
	for i, s := range from[1:] {
		if d := sweepDiff(s.cfg, from[0].cfg); d != "" {
			return nil, fmt.Errorf("bench: cannot merge %s and %s, they hold different sweeps: %s has %s", srcs[0], srcs[i+1], srcs[i+1], d)
		}
	}
	out, err := Open(dst, from[0].cfg)
	if err != nil {
		return nil, err
	}
	var add []Record
	for _, t := range out.cfg.Trials() {
		if out.Done(t) {
			continue
		}
		for _, s := range from {
			if r, ok := s.record(t); ok {
				add = append(add, r)
				break
			}
		}
	}
	if err := out.append(add); err != nil {
		return nil, err
	}
	return out, nil
}

// Config returns the sweep's configuration, as the directory holds it.
func (s *Store) Config() Config {
	c := s.cfg
	c.Envs = slices.Clone(c.Envs)
	c.Agents = slices.Clone(c.Agents)
	c.Observations = slices.Clone(c.Observations)
	c.Settings = maps.Clone(c.Settings)
	c.Params = maps.Clone(c.Params)
	return c
}

// Records returns the records of the finished trials, in the order of the results file,
// each trial once. The slice is a copy; its records share their curves with the store and
// must not be modified.
func (s *Store) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.records)
}

// Done reports whether the store holds the record of trial t. An Observation of
// envs.StateObservation is the state, as an empty one is.
func (s *Store) Done(t Trial) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.index[t.key()]
	return ok
}

// Dropped returns the length in bytes, newline included, of the partly written last line
// of the results file that Open dropped or Load ignored, or 0 if there was none.
func (s *Store) Dropped() int { return s.dropped }

// Append appends rec, the record of one of the sweep's trials, to the results file, with a
// single write of one line, and flushes the file to disk. A record of the state is written
// with an empty Observation, which the line leaves out. It does nothing if the store
// already holds a record of the trial, and returns an error if the trial is not the
// sweep's or the store was opened by Load.
func (s *Store) Append(rec Record) error {
	return s.append([]Record{rec})
}

// append appends the records of trials the store does not hold yet with a single write,
// and flushes the file to disk.
func (s *Store) append(recs []Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readOnly {
		return fmt.Errorf("bench: %s was opened read-only", s.dir)
	}
	if s.broken != nil {
		return s.broken
	}
	var buf bytes.Buffer
	var added []Record
	seen := map[Trial]bool{}
	for _, r := range recs {
		r.Trial = r.Trial.key()
		if !s.trials[r.Trial] {
			return fmt.Errorf("bench: trial %s is not of the sweep in %s", r.Trial, s.dir)
		}
		if _, ok := s.index[r.Trial]; ok || seen[r.Trial] {
			continue
		}
		line, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("bench: record of %s: %w", r.Trial, err)
		}
		buf.Write(append(line, '\n'))
		seen[r.Trial] = true
		added = append(added, r)
	}
	if len(added) == 0 {
		return nil
	}
	if err := s.write(buf.Bytes()); err != nil {
		return err
	}
	for _, r := range added {
		s.index[r.Trial] = len(s.records)
		s.records = append(s.records, r)
	}
	return nil
}

// write appends data to the results file with a single write and flushes it to disk. If
// the write fails it cuts the file back to its former length, so that no partial line is
// left for later lines to follow; if that fails too, the store refuses further appends.
func (s *Store) write(data []byte) (err error) {
	path := filepath.Join(s.dir, ResultsFile)
	defer func() {
		if err != nil {
			err = fmt.Errorf("bench: appending to %s: %w", path, safefile.Cause(err))
		}
	}()
	f, err := safefile.OpenAppend(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if n, err := f.Write(data); err != nil {
		if n > 0 {
			if terr := f.Truncate(fi.Size()); terr != nil {
				s.broken = fmt.Errorf("bench: %s may end in a partial line after a failed append (%v): reopen it", path, terr)
			}
		}
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// record returns the record of trial t, if the store holds it.
func (s *Store) record(t Trial) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.index[t.key()]
	if !ok {
		return Record{}, false
	}
	return s.records[i], true
}

// readSweep reads the configuration in dir's sweep file. The error wraps fs.ErrNotExist if
// there is none, and ErrNotSweep if it is not ours.
func readSweep(dir string) (Config, error) {
	path := filepath.Join(dir, SweepFile)
	data, err := safefile.Read(path, MaxSweepFileSize)
	if err != nil {
		return Config{}, fmt.Errorf("bench: %s: %w", path, err)
	}
	var f sweepFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil || dec.More() || f.Kind != sweepKind {
		return Config{}, fmt.Errorf("bench: %s: %w (%s is not a sweep file)", dir, ErrNotSweep, SweepFile)
	}
	if f.Format != sweepFormat {
		return Config{}, fmt.Errorf("bench: %s is of format %d; this foresight reads format %d", path, f.Format, sweepFormat)
	}
	if err := f.Config.validate(); err != nil {
		return Config{}, fmt.Errorf("bench: %s: %w", path, err)
	}
	return f.Config, nil
}

// createSweep makes dir cfg's sweep directory, creating it if needed, locks it and returns
// the sweep it holds: cfg, or the sweep another process wrote there before the lock was
// taken. It returns an error wrapping ErrNotSweep, having written nothing, if dir already
// holds files.
func createSweep(dir string, cfg Config) (Config, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return Config{}, fmt.Errorf("bench: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Config{}, fmt.Errorf("bench: %w", err)
	}
	for _, e := range entries {
		// A sweep file's temporary, left by a run killed while creating the directory.
		temporary := strings.HasPrefix(e.Name(), "."+SweepFile+".") && strings.HasSuffix(e.Name(), ".tmp")
		if !temporary && e.Name() != LockFile && e.Name() != SweepFile {
			return Config{}, fmt.Errorf("bench: %s: %w (it holds %s but no %s)", dir, ErrNotSweep, e.Name(), SweepFile)
		}
	}
	if err := lock(dir); err != nil {
		return Config{}, err
	}
	if have, err := readSweep(dir); !errors.Is(err, fs.ErrNotExist) {
		return have, err
	}
	data, err := json.MarshalIndent(sweepFile{Kind: sweepKind, Format: sweepFormat, Config: cfg}, "", "\t")
	if err != nil {
		return Config{}, fmt.Errorf("bench: %w", err)
	}
	path := filepath.Join(dir, SweepFile)
	err = safefile.Write(path, func(w io.Writer) error { _, err := w.Write(append(data, '\n')); return err })
	if err != nil {
		return Config{}, fmt.Errorf("bench: writing %s: %w", path, err)
	}
	return cfg, nil
}

// loadResults reads the results file of the sweep cfg in dir, if there is one, and returns
// its store and the file's content less a partly written last line.
func loadResults(dir string, cfg Config) (*Store, []byte, error) {
	s := &Store{dir: dir, cfg: cfg, trials: map[Trial]bool{}, index: map[Trial]int{}}
	for _, t := range cfg.Trials() {
		s.trials[t] = true
	}
	path := filepath.Join(dir, ResultsFile)
	data, err := safefile.Read(path, MaxResultsFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	lims := map[string]limits{}
	for _, id := range cfg.Envs {
		if lims[id], err = envLimits(id, cfg.Params); err != nil {
			return nil, nil, fmt.Errorf("bench: %w", err)
		}
	}
	for rest, n := data, 1; len(rest) > 0; n++ {
		line, next, ok := bytes.Cut(rest, []byte{'\n'})
		if !ok {
			s.dropped = len(rest)
			break
		}
		r, err := decodeRecord(line)
		if err != nil {
			return nil, nil, fmt.Errorf("bench: %s line %d: %w", path, n, err)
		}
		if !s.trials[r.Trial] {
			return nil, nil, fmt.Errorf("bench: %s line %d: trial %s is not of the sweep", path, n, r.Trial)
		}
		if err := r.check(cfg, lims[r.Env]); err != nil {
			return nil, nil, fmt.Errorf("bench: %s line %d: trial %s: %w", path, n, r.Trial, err)
		}
		if _, dup := s.index[r.Trial]; !dup {
			s.index[r.Trial] = len(s.records)
			s.records = append(s.records, r)
		}
		rest = next
	}
	return s, data[:len(data)-s.dropped], nil
}

// decodeRecord decodes a line of a results file, refusing unknown fields and trailing data.
// A line without an observation, as every line was before agents learned from pixels, is
// a trial of the state, as is one whose observation is envs.StateObservation.
func decodeRecord(line []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, err
	}
	if dec.More() {
		return Record{}, errors.New("data after the record")
	}
	r.Trial = r.Trial.key()
	return r, nil
}

// sweepDiff describes how the sweep have differs from want, or returns "" if they are the
// same sweep: the same environments, agents and observations, in any order, seeds and
// budget. A sweep that lists no observations observes the state alone.
func sweepDiff(have, want Config) string {
	var d []string
	if !sameSet(have.Envs, want.Envs) {
		d = append(d, fmt.Sprintf("environments %v, not %v", have.Envs, want.Envs))
	}
	if !sameSet(have.Agents, want.Agents) {
		d = append(d, fmt.Sprintf("agents %v, not %v", have.Agents, want.Agents))
	}
	if ho, wo := have.observations(), want.observations(); !sameSet(ho, wo) {
		d = append(d, fmt.Sprintf("observations %q, not %q", ho, wo))
	}
	if have.Seeds != want.Seeds {
		d = append(d, fmt.Sprintf("%d seeds, not %d", have.Seeds, want.Seeds))
	}
	if have.Budget != want.Budget {
		d = append(d, fmt.Sprintf("a budget of %v, not %v", have.Budget, want.Budget))
	}
	if !maps.Equal(have.Settings, want.Settings) {
		d = append(d, fmt.Sprintf("settings %v, not %v", have.Settings, want.Settings))
	}
	if !maps.Equal(have.Params, want.Params) {
		d = append(d, fmt.Sprintf("parameters %v, not %v", have.Params, want.Params))
	}
	if have.Concurrent != want.Concurrent {
		d = append(d, fmt.Sprintf("agents learning %s, not %s", learning(have.Concurrent), learning(want.Concurrent)))
	}
	return strings.Join(d, "; ")
}

// learning names how a sweep's learners learn.
func learning(concurrent bool) string {
	if concurrent {
		return "concurrently"
	}
	return "inline"
}

// sameSet reports whether a and b, each without repeats, hold the same strings.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}
