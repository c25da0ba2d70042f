package main

import (
	"bufio"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/foresight-sim/foresight/envs"
)

func TestEnvs(t *testing.T) {
	r := invoke("envs")
	r.check(t, exitOK, "")
	for _, id := range envs.IDs() {
		if !strings.Contains(r.stdout, id+" ") {
			t.Errorf("listing lacks %s", id)
		}
	}
	for _, want := range []string{"observation", "action", "timestep", "episode", "reward", "success", "parameters", "mass=1 [0.05, 20] kg"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("listing lacks %q", want)
		}
	}
}

func TestEnvsJSON(t *testing.T) {
	r := invoke("envs", "--json")
	r.check(t, exitOK, "")
	var ids []string
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var e envInfo
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if e.Action.Text == "" || len(e.Observation.Low) == 0 || e.ControlDT <= 0 || e.MaxEpisodeSteps <= 0 || e.SuccessRule == "" || len(e.Params) == 0 {
			t.Errorf("incomplete description %+v", e)
		}
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, envs.IDs()) {
		t.Errorf("described %v, want %v", ids, envs.IDs())
	}
	// Unbounded observation components are written as null.
	if !strings.Contains(r.stdout, `"high":[1,1,null]`) {
		t.Error("Pendulum-v0's unbounded angular velocity is not written as null")
	}
}

func TestEnvsMarkdown(t *testing.T) {
	r := invoke("envs", "--markdown")
	r.check(t, exitOK, "")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2+len(envs.IDs()) {
		t.Fatalf("%d lines, want a header, a rule and one row per environment:\n%s", len(lines), r.stdout)
	}
	for i, id := range envs.IDs() {
		if row := lines[2+i]; !strings.HasPrefix(row, "| `"+id+"` |") || strings.Count(row, " | ") != 5 {
			t.Errorf("row %q", row)
		}
	}
}
