package bench

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden summaries under testdata")

// obsSweep is a sweep of the state and two pixel observations.
var obsSweep = Config{Envs: []string{"Pendulum-v0", "Acrobot-v0"}, Agents: []string{"random", "jepa"},
	Observations: []string{"state", "pixels 64x64", "pixels 64x64 shapes"}, Seeds: 2, Budget: time.Hour}

// trialNames returns the names of trials.
func trialNames(trials []Trial) []string {
	var out []string
	for _, t := range trials {
		out = append(out, t.String())
	}
	return out
}

// TestTrialsObservations checks the order of a sweep's trials with observations: by
// environment, agent, observation and seed, the state written as an empty Observation.
func TestTrialsObservations(t *testing.T) {
	base := Config{Envs: []string{"E", "F"}, Agents: []string{"a", "b"}, Seeds: 2}
	stateOnly := []string{"E/a/0", "E/a/1", "E/b/0", "E/b/1", "F/a/0", "F/a/1", "F/b/0", "F/b/1"}
	tests := []struct {
		name string
		obs  []string
		want []string
	}{
		{"none", nil, stateOnly},
		{"empty", []string{}, stateOnly},
		{"state", []string{"state"}, stateOnly},
		{"state and pixels", []string{"state", "pixels 64x64"}, []string{
			"E/a/0", "E/a/1", "E/a/0 (pixels 64x64)", "E/a/1 (pixels 64x64)", "E/b/0", "E/b/1", "E/b/0 (pixels 64x64)", "E/b/1 (pixels 64x64)",
			"F/a/0", "F/a/1", "F/a/0 (pixels 64x64)", "F/a/1 (pixels 64x64)", "F/b/0", "F/b/1", "F/b/0 (pixels 64x64)", "F/b/1 (pixels 64x64)"}},
		{"pixels first", []string{"pixels 32x32 noise", "state"}, []string{
			"E/a/0 (pixels 32x32 noise)", "E/a/1 (pixels 32x32 noise)", "E/a/0", "E/a/1", "E/b/0 (pixels 32x32 noise)", "E/b/1 (pixels 32x32 noise)", "E/b/0", "E/b/1",
			"F/a/0 (pixels 32x32 noise)", "F/a/1 (pixels 32x32 noise)", "F/a/0", "F/a/1", "F/b/0 (pixels 32x32 noise)", "F/b/1 (pixels 32x32 noise)", "F/b/0", "F/b/1"}},
		{"pixels alone", []string{"pixels 64x64 shapes"}, []string{
			"E/a/0 (pixels 64x64 shapes)", "E/a/1 (pixels 64x64 shapes)", "E/b/0 (pixels 64x64 shapes)", "E/b/1 (pixels 64x64 shapes)",
			"F/a/0 (pixels 64x64 shapes)", "F/a/1 (pixels 64x64 shapes)", "F/b/0 (pixels 64x64 shapes)", "F/b/1 (pixels 64x64 shapes)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.Observations = tt.obs
			trials := cfg.Trials()
			if got := trialNames(trials); !slices.Equal(got, tt.want) {
				t.Errorf("trials %q, want %q", got, tt.want)
			}
			for _, tr := range trials {
				if tr.Observation == "state" {
					t.Errorf("trial %s has Observation %q, want the state as \"\"", tr, tr.Observation)
				}
			}
		})
	}
}

// TestTrialsStateUnchanged checks that a sweep of the state alone, written with no
// observations or with the state, has the trials, order and shards it had before sweeps had
// observations.
func TestTrialsStateUnchanged(t *testing.T) {
	var old []Trial
	for _, e := range testSweep.Envs {
		for _, a := range testSweep.Agents {
			for s := range testSweep.Seeds {
				old = append(old, Trial{Env: e, Agent: a, Seed: uint64(s)})
			}
		}
	}
	for _, obs := range [][]string{nil, {"state"}} {
		cfg := testSweep
		cfg.Observations = obs
		if got := cfg.Trials(); !slices.Equal(got, old) {
			t.Errorf("observations %q: trials %v, want %v", obs, got, old)
		}
		for _, n := range []int{2, 5} {
			for i := range n {
				if got, want := (Shard{i, n}).Select(cfg.Trials()), (Shard{i, n}).Select(old); !slices.Equal(got, want) {
					t.Errorf("observations %q: shard %d/%d holds %v, want %v", obs, i, n, got, want)
				}
			}
		}
	}
}

func TestTrialString(t *testing.T) {
	tests := []struct {
		trial    Trial
		want     string
		observed string
	}{
		{Trial{Env: "Pendulum-v0", Agent: "jepa", Seed: 3}, "Pendulum-v0/jepa/3", "state"},
		{Trial{Env: "Pendulum-v0", Agent: "jepa", Observation: "state", Seed: 3}, "Pendulum-v0/jepa/3", "state"},
		{Trial{Env: "Pendulum-v0", Agent: "jepa", Observation: "pixels 64x64", Seed: 0}, "Pendulum-v0/jepa/0 (pixels 64x64)", "pixels 64x64"},
		{Trial{Env: "Reacher-v0", Agent: "random", Observation: "pixels 96x64 noise", Seed: 12}, "Reacher-v0/random/12 (pixels 96x64 noise)", "pixels 96x64 noise"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.trial.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := tt.trial.Observed(); got != tt.observed {
				t.Errorf("Observed() = %q, want %q", got, tt.observed)
			}
		})
	}
}

// TestConfigObservationsInvalid checks that Open refuses observations that are not the state
// or a canonical pixel description, named once each, and creates nothing.
func TestConfigObservationsInvalid(t *testing.T) {
	many := make([]string, MaxObservations+1)
	for i := range many {
		many[i] = "pixels " + string(rune('1'+i%9)) + "x" + string(rune('1'+i/9)) // distinct sizes
	}
	tests := []struct {
		name string
		obs  []string
		want string
	}{
		{"empty", []string{""}, "invalid observation"},
		{"unknown", []string{"camera"}, "invalid observation"},
		{"pixels without size", []string{"pixels"}, "invalid observation"},
		{"zero size", []string{"pixels 0x0"}, "width and height must be 1 to"},
		{"unknown distractor", []string{"pixels 64x64 smoke"}, "unknown distractor"},
		{"none spelt out", []string{"pixels 64x64 none"}, "invalid observation"},
		{"spaces", []string{" pixels 64x64"}, "invalid observation"},
		{"twice", []string{"state", "pixels 64x64", "pixels 64x64"}, "observation pixels 64x64 twice"},
		{"state twice", []string{"state", "state"}, "observation state twice"},
		{"too many", many, "more than 16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sweep")
			cfg := storeConfig()
			cfg.Observations = tt.obs
			_, err := Open(dir, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Open: %v, want one line about %q", err, tt.want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Error("Open created the directory of an invalid sweep")
			}
		})
	}
}

// TestConfigRoundTrip checks that a sweep's configuration comes back from its sweep file as
// it went in, and that a sweep of the state alone writes the sweep file it wrote before
// sweeps had observations.
func TestConfigRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		obs     []string
		written bool // the sweep file lists observations
	}{
		{"none", nil, false},
		{"state", []string{"state"}, true},
		{"state and pixels", []string{"state", "pixels 64x64", "pixels 64x64 noise"}, true},
		{"pixels options", []string{"pixels 32x48 gray stack 4 shapes"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := storeConfig()
			cfg.Observations = tt.obs
			storeOpen(t, dir, cfg)
			s, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Config(), cfg) {
				t.Errorf("loaded config %+v, want %+v", s.Config(), cfg)
			}
			data := storeFiles(t, dir)[SweepFile]
			if got := strings.Contains(data, `"observations"`); got != tt.written {
				t.Errorf("sweep file lists observations: %v, want %v:\n%s", got, tt.written, data)
			}
			var back Config
			if err := json.Unmarshal([]byte(data), &back); err != nil || !reflect.DeepEqual(back, cfg) {
				t.Errorf("sweep file decodes to %+v (%v), want %+v", back, err, cfg)
			}
		})
	}
	// The sweep file of the state alone is the one the sweep's Config wrote before.
	dir := t.TempDir()
	storeOpen(t, dir, storeConfig())
	want := "{\n\t\"kind\": \"foresight bench\",\n\t\"format\": 1,\n\t\"envs\": [\n\t\t\"Pendulum-v0\",\n\t\t\"CartPoleSwingup-v0\"\n\t],\n" +
		"\t\"agents\": [\n\t\t\"random\",\n\t\t\"jepa\"\n\t],\n\t\"seeds\": 3,\n\t\"budget\": 3600000000000\n}\n"
	if got := storeFiles(t, dir)[SweepFile]; got != want {
		t.Errorf("sweep file of the state alone:\n%s\nwant\n%s", got, want)
	}
}

// TestOpenObservations checks that reopening a sweep, resuming it and merging its shards
// treat no observations and the state alone as the same, and other observations as another
// sweep.
func TestOpenObservations(t *testing.T) {
	with := func(obs ...string) Config {
		c := storeConfig()
		c.Observations = obs
		return c
	}
	tests := []struct {
		name       string
		have, want Config
		err        string
	}{
		{"none, then state", with(), with("state"), ""},
		{"state, then none", with("state"), with(), ""},
		{"in another order", with("state", "pixels 64x64"), with("pixels 64x64", "state"), ""},
		{"none, then pixels", with(), with("state", "pixels 64x64"), `observations ["state"], not ["state" "pixels 64x64"]`},
		{"pixels, then none", with("state", "pixels 64x64"), with(), `observations ["state" "pixels 64x64"], not ["state"]`},
		{"another distractor", with("pixels 64x64"), with("pixels 64x64 noise"), "observations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "sweep")
			storeAppend(t, storeOpen(t, dir, tt.have), tt.have.Trials()[:3])
			before := storeFiles(t, dir)
			s, err := Open(dir, tt.want)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("Open: %v, want an error about %q", err, tt.err)
				}
				if after := storeFiles(t, dir); !reflect.DeepEqual(after, before) {
					t.Errorf("Open changed the directory")
				}
				other := filepath.Join(root, "other")
				storeOpen(t, other, tt.want)
				if _, err := Merge(filepath.Join(root, "merged"), dir, other); err == nil || !strings.Contains(err.Error(), "different sweeps") {
					t.Errorf("Merge of different sweeps: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Config(), tt.have) || len(s.Records()) != 3 {
				t.Errorf("reopened: config %+v with %d records, want the directory's %+v with 3", s.Config(), len(s.Records()), tt.have)
			}
			// The other shard, made with the other spelling, merges with this one.
			other := filepath.Join(root, "other")
			storeAppend(t, storeOpen(t, other, tt.want), tt.want.Trials()[6:8])
			m, err := Merge(filepath.Join(root, "merged"), dir, other)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Records()) != 5 {
				t.Errorf("merged %d records, want 5", len(m.Records()))
			}
		})
	}
}

// TestRecordsObservation checks how records' observations are read: a line without one, as
// every line was before sweeps had observations, is of the state, and so is one that says
// state; a pixel record belongs to a sweep of its observation only.
func TestRecordsObservation(t *testing.T) {
	state, pixels := storeConfig(), storeConfig()
	pixels.Observations = []string{"state", "pixels 64x64"}
	old := storeRecord(Trial{Env: "Pendulum-v0", Agent: "random", Seed: 1})
	oldLine := storeLine(t, old)
	if strings.Contains(oldLine, "observation") {
		t.Fatalf("a record of the state is written with its observation: %s", oldLine)
	}
	saysState := strings.Replace(oldLine, `"agent":"random",`, `"agent":"random","observation":"state",`, 1)
	pix := storeRecord(Trial{Env: "Pendulum-v0", Agent: "random", Observation: "pixels 64x64", Seed: 1})
	pixLine := storeLine(t, pix)
	if !strings.Contains(pixLine, `"agent":"random","observation":"pixels 64x64","seed":1,`) {
		t.Fatalf("a record of pixels is written without its observation: %s", pixLine)
	}
	tests := []struct {
		name    string
		cfg     Config
		results string
		want    []Trial // the records' trials, or nil for an error
		err     string
	}{
		{"old line, state sweep", state, oldLine, []Trial{old.Trial}, ""},
		{"old line, mixed sweep", pixels, oldLine, []Trial{old.Trial}, ""},
		{"says state", state, saysState, []Trial{old.Trial}, ""},
		{"says state, then the old line", pixels, saysState + oldLine, []Trial{old.Trial}, ""},
		{"pixels, mixed sweep", pixels, oldLine + pixLine, []Trial{old.Trial, pix.Trial}, ""},
		{"pixels, state sweep", state, oldLine + pixLine, nil, "line 2: trial Pendulum-v0/random/1 (pixels 64x64) is not of the sweep"},
		{"another observation", pixels, strings.Replace(pixLine, "64x64", "32x32", 1), nil, "(pixels 32x32) is not of the sweep"},
		{"empty observation", pixels, strings.Replace(pixLine, "pixels 64x64", "", 1), []Trial{old.Trial}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			storeOpen(t, dir, tt.cfg)
			if err := os.WriteFile(filepath.Join(dir, ResultsFile), []byte(tt.results), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := Load(dir)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("Load: %v, want an error about %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []Trial
			for _, r := range s.Records() {
				got = append(got, r.Trial)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("records of %v, want %v", got, tt.want)
			}
			for _, tr := range tt.want {
				saying := tr
				if saying.Observation == "" {
					saying.Observation = "state"
				}
				if !s.Done(tr) || !s.Done(saying) {
					t.Errorf("Done(%v) or Done(%v) is false", tr, saying)
				}
			}
		})
	}
}

// TestDocsSweepLoads checks that the reference sweep in docs/sweep, written before sweeps
// had observations, still loads, every record of the state.
func TestDocsSweepLoads(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "docs", "sweep")
	if _, err := os.Stat(filepath.Join(dir, ResultsFile)); err != nil {
		t.Skipf("no reference sweep: %v", err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Config().Observations) != 0 || len(s.Records()) == 0 {
		t.Errorf("reference sweep: observations %q, %d records", s.Config().Observations, len(s.Records()))
	}
	for _, r := range s.Records() {
		if r.Observation != "" || r.Observed() != "state" {
			t.Errorf("record %s has observation %q", r.Trial, r.Observation)
		}
	}
}

// TestAppendObservations checks that a sweep's store keeps its trials of each observation
// apart, takes the state spelt out as the state, and writes records that reopen the same.
func TestAppendObservations(t *testing.T) {
	dir := t.TempDir()
	cfg := storeConfig()
	cfg.Observations = []string{"state", "pixels 64x64", "pixels 64x64 shapes"}
	s := storeOpen(t, dir, cfg)
	trials := cfg.Trials()
	spelt := trials[0]
	spelt.Observation = "state"
	if err := s.Append(storeRecord(spelt)); err != nil {
		t.Fatal(err)
	}
	storeAppend(t, s, trials[3:9])
	if !s.Done(trials[0]) || s.Records()[0].Trial != trials[0] {
		t.Errorf("the state spelt out was not kept as the state: %v", s.Records()[0].Trial)
	}
	if err := s.Append(storeRecord(Trial{Env: "Pendulum-v0", Agent: "random", Observation: "pixels 64x64 noise", Seed: 0})); err == nil {
		t.Error("Append of an observation outside the sweep succeeded")
	}
	r := storeOpen(t, dir, cfg)
	if !reflect.DeepEqual(r.Records(), s.Records()) || len(r.Records()) != 7 {
		t.Errorf("reopened records %v, want %v", r.Records(), s.Records())
	}
	seen := map[string]int{}
	for _, rec := range r.Records() {
		seen[rec.Observed()]++
	}
	if want := map[string]int{"state": 1, "pixels 64x64": 3, "pixels 64x64 shapes": 3}; !reflect.DeepEqual(seen, want) {
		t.Errorf("records by observation %v, want %v", seen, want)
	}
}

// TestCheckAgents checks that a sweep whose agents cannot learn from its pixel observations
// is refused, naming the agent and the observation, and that the state is never checked.
func TestCheckAgents(t *testing.T) {
	tests := []struct {
		name   string
		agents []string
		obs    []string
		err    string
	}{
		{"state alone", []string{"random", "pets", "oracle"}, nil, ""},
		{"random on pixels", []string{"random", "zero"}, []string{"state", "pixels 64x64", "pixels 64x64 noise"}, ""},
		{"pets on pixels", []string{"random", "pets"}, []string{"state", "pixels 64x64 shapes"}, "agent pets cannot learn from pixels 64x64 shapes on Pendulum-v0"},
		{"oracle on pixels", []string{"oracle"}, []string{"pixels 64x64"}, "agent oracle cannot learn from pixels 64x64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Envs: []string{"Pendulum-v0"}, Agents: tt.agents, Observations: tt.obs, Seeds: 1, Budget: time.Minute}
			err := CheckAgents(cfg)
			if tt.err == "" {
				if err != nil {
					t.Errorf("CheckAgents: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "bench: ") {
				t.Errorf("CheckAgents: %v, want an error about %q", err, tt.err)
			}
		})
	}
}

// obsSummaryRecords returns records of obsSweep: on Pendulum-v0, random competent on the
// state and never on pixels 64x64, and jepa competent on both pixel observations but one
// seed; on Acrobot-v0 nothing done.
func obsSummaryRecords() []Record {
	rec := func(agent, obs string, seed uint64, ttc, realTime float64) Record {
		r := summaryRec("Pendulum-v0", agent, seed, ttc, realTime)
		r.Observation, r.Budget = obs, 3600
		return r
	}
	return []Record{
		rec("random", "", 0, 600, 500), rec("random", "", 1, 900, 520),
		rec("random", "pixels 64x64", 0, -1, 40), rec("random", "pixels 64x64", 1, -1, 42),
		rec("jepa", "pixels 64x64", 0, 1200, 3.1), rec("jepa", "pixels 64x64", 1, 1500, 3.3),
		rec("jepa", "pixels 64x64 shapes", 0, 2400, 2.9), rec("jepa", "pixels 64x64 shapes", 1, -1, 2.7),
	}
}

// TestSummaryObservations checks that a sweep's summary has a row per environment, agent
// and observation, in the sweep's order, names the observations, and gives a row of the
// state what the summary of the state alone gives it.
func TestSummaryObservations(t *testing.T) {
	recs := obsSummaryRecords()
	out := Summary(obsSweep, recs, 1)
	for _, want := range []string{
		"2 environments (Pendulum-v0, Acrobot-v0) × 2 agents (random, jepa) × 3 observations (state, pixels 64x64, pixels 64x64 shapes) × 2 seeds",
		"8 of 24 trials done.",
		"| Environment | Agent | Observation | Trials | Competent |",
		"|---|---|---|--:|--:|---|---|--:|",
		"| Pendulum-v0 | random | pixels 64x64 | 2/2 | 0/2 | > 1:00:00 | > 1:00:00 | 41.0× |",
		"| Pendulum-v0 | jepa | state | 0/2 | 0/0 | — | — | — |",
		"| Pendulum-v0 | jepa | pixels 64x64 shapes | 2/2 | 1/2 | ≥ 0:50:00 [0:40:00, > 1:00:00] | ≥ 0:50:00 [0:40:00, > 1:00:00] | 2.80× |",
		"| Acrobot-v0 | jepa | pixels 64x64 shapes | 0/2 | 0/0 | — | — | — |",
		"| **all** | jepa | pixels 64x64 | 2/4 | 2/2 | 0:22:30 ",
		"Observation is what the agent learned from",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	var rows []string
	for l := range strings.Lines(out) {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "| Environment") {
			f := strings.Split(l, " | ")
			rows = append(rows, f[0][2:]+"/"+f[1]+"/"+f[2])
		}
	}
	var want []string
	for _, e := range append(slices.Clone(obsSweep.Envs), "**all**") {
		for _, a := range obsSweep.Agents {
			for _, o := range obsSweep.Observations {
				want = append(want, e+"/"+a+"/"+o)
			}
		}
	}
	if !slices.Equal(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}

	// The state's rows, less the Observation cell, are those of the state alone.
	state := obsSweep
	state.Observations = nil
	alone := Summary(state, recs, 1)
	for _, prefix := range []string{"| Pendulum-v0 | random |", "| **all** | random |"} {
		got := strings.Replace(rowLine(out, prefix+" state |"), " state |", "", 1)
		if want := rowLine(alone, prefix); got == "" || got != want {
			t.Errorf("row of the state %q, alone %q", got, want)
		}
	}
	if !strings.Contains(alone, "2 of 8 trials done. 6 records of trials outside the sweep left out.") {
		t.Errorf("the summary of the state alone counts no pixel records outside it:\n%s", alone)
	}
}

// TestSummaryStateLayout checks that the summary of a sweep of the state alone, however its
// observations are written, has no Observation column or note.
func TestSummaryStateLayout(t *testing.T) {
	recs := summaryRecords()
	want := Summary(summaryConfig, recs, 1)
	stated := summaryConfig
	stated.Observations = []string{"state"}
	spelt := slices.Clone(recs)
	for i := range spelt {
		spelt[i].Observation = "state"
	}
	if got := Summary(stated, spelt, 1); got != want {
		t.Errorf("the state spelt out changes the summary:\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(want, "Observation") || strings.Contains(want, "observation") {
		t.Errorf("the summary of the state alone names observations:\n%s", want)
	}
}

// TestSummaryGolden compares summaries, with their tables of trials, with the golden files
// under testdata; go test -update rewrites them.
func TestSummaryGolden(t *testing.T) {
	tests := []struct {
		file string
		cfg  Config
		recs []Record
	}{
		{"summary-state.md", summaryConfig, withRuns(summaryRecords())},
		{"summary-observations.md", obsSweep, withRuns(obsSummaryRecords())},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := Summary(tt.cfg, tt.recs, 1) + Trials(tt.cfg, tt.recs)
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("summary differs from %s (go test -update rewrites it):\n%s", path, got)
			}
		})
	}
}

// TestSortRecordsObservations checks that records sort by observation between agent and
// seed, those outside the sweep last.
func TestSortRecordsObservations(t *testing.T) {
	rec := func(env, agent, obs string, seed uint64) Record {
		r := summaryRec(env, agent, seed, 1, 1)
		r.Observation = obs
		return r
	}
	recs := []Record{
		rec("Pendulum-v0", "jepa", "pixels 64x64", 0), rec("Pendulum-v0", "random", "pixels 64x64 shapes", 1),
		rec("Pendulum-v0", "random", "", 1), rec("Pendulum-v0", "random", "pixels 64x64 noise", 0),
		rec("Pendulum-v0", "random", "state", 0), rec("Acrobot-v0", "random", "", 0),
	}
	SortRecords(obsSweep, recs)
	want := []string{"Pendulum-v0/random/0", "Pendulum-v0/random/1", "Pendulum-v0/random/1 (pixels 64x64 shapes)",
		"Pendulum-v0/jepa/0 (pixels 64x64)", "Acrobot-v0/random/0", "Pendulum-v0/random/0 (pixels 64x64 noise)"}
	var got []string
	for _, r := range recs {
		got = append(got, r.Trial.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// TestRunObservations runs a small sweep of the state and pixels with cheap agents and
// checks that each trial trains on its observation, and that the plots are written.
func TestRunObservations(t *testing.T) {
	cfg := Config{Envs: []string{"Pendulum-v0"}, Agents: []string{"random", "zero"},
		Observations: []string{"state", "pixels 32x32", "pixels 32x32 noise"}, Seeds: 2, Budget: 10 * time.Second}
	dir := t.TempDir()
	var order []Trial
	s, err := Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(s, Shard{0, 1}, 1, func(p Progress) {
		for _, r := range p.Running {
			if len(order) == 0 || order[len(order)-1] != r.Trial {
				order = append(order, r.Trial)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, cfg.Trials()) {
		t.Errorf("trials ran in the order %v, want %v", order, cfg.Trials())
	}
	recs := s.Records()
	if len(recs) != len(cfg.Trials()) {
		t.Fatalf("%d records, want %d", len(recs), len(cfg.Trials()))
	}
	lines := storeFiles(t, dir)[ResultsFile]
	if n := strings.Count(lines, `"observation":"pixels 32x32"`); n != 4 {
		t.Errorf("%d lines of pixels 32x32, want 4", n)
	}
	if n := strings.Count(lines, `"observation":"pixels 32x32 noise"`); n != 4 {
		t.Errorf("%d lines of pixels 32x32 noise, want 4", n)
	}
	// The random agent draws the same actions whatever it observes.
	byObs := map[string][]float64{}
	for _, r := range recs {
		if r.Agent == "random" && r.Seed == 0 {
			for _, p := range r.Curve {
				byObs[r.Observed()] = append(byObs[r.Observed()], p.Return)
			}
		}
	}
	if len(byObs) != 3 || !slices.Equal(byObs["state"], byObs["pixels 32x32"]) {
		t.Errorf("returns of random/0 by observation %v, want the same for each", byObs)
	}
	names, err := WritePlots(t.TempDir(), cfg, recs, 1)
	if err != nil || len(names) != 6 {
		t.Errorf("WritePlots wrote %v: %v", names, err)
	}
	out := Summary(cfg, recs, 1)
	for _, want := range []string{"| Pendulum-v0 | random | state | 2/2 |", "| Pendulum-v0 | zero | pixels 32x32 noise | 2/2 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}
