package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/foresight-sim/foresight/envs"
)

var envsCommand = command{
	name:    "envs",
	args:    "[--json | --markdown]",
	summary: "list the environments: spaces, timing, success rule, parameters",
	setup: func(fs *flag.FlagSet) action {
		var asJSON, asMarkdown bool
		fs.BoolVar(&asJSON, "json", false, "print one JSON object per environment, one per line")
		fs.BoolVar(&asMarkdown, "markdown", false, "print the environment table of README.md")
		return func(stdout, _ io.Writer) error {
			if asJSON && asMarkdown {
				return usagef("--json and --markdown exclude each other")
			}
			infos, err := describeAll()
			switch {
			case err != nil:
				return err
			case asJSON:
				return printEnvsJSON(stdout, infos)
			case asMarkdown:
				return printEnvsMarkdown(stdout, infos)
			}
			return printEnvs(stdout, infos)
		}
	},
}

// envInfo describes a registered environment, as foresight envs --json prints it.
type envInfo struct {
	ID              string      `json:"id"`
	Summary         string      `json:"summary"`
	Observation     spaceInfo   `json:"observation_space"`
	Action          spaceInfo   `json:"action_space"`
	ControlDT       float64     `json:"control_dt"`
	Substeps        int         `json:"substeps"`
	MaxEpisodeSteps int         `json:"max_episode_steps"`
	EpisodeSeconds  float64     `json:"episode_seconds"`
	RewardRange     [2]number   `json:"reward_range"`
	SuccessRule     string      `json:"success_rule"`
	Params          []paramInfo `json:"params"`
}

// spaceInfo describes a Box; infinite bounds appear as null in JSON.
type spaceInfo struct {
	Text  string   `json:"text"`
	Shape []int    `json:"shape"`
	Low   []number `json:"low"`
	High  []number `json:"high"`
}

// paramInfo describes a physical parameter.
type paramInfo struct {
	Name    string  `json:"name"`
	Default float64 `json:"default"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	Unit    string  `json:"unit"`
	Doc     string  `json:"doc"`
}

// number is a float64 that is written to JSON as null when it is not finite.
type number float64

// MarshalJSON writes finite numbers as encoding/json does and others as null.
func (n number) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(n))
}

// newJSONEncoder returns an encoder that writes JSON lines to w, leaving <, > and & as they are.
func newJSONEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// describeAll describes every registered environment, in id order.
func describeAll() ([]envInfo, error) {
	var infos []envInfo
	for _, id := range envs.IDs() {
		info, err := describe(id)
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	return infos, nil
}

// describe builds the environment id with its defaults and describes it.
func describe(id string) (envInfo, error) {
	reg, err := envs.Lookup(id)
	if err != nil {
		return envInfo{}, err
	}
	env, err := envs.Make(id)
	if err != nil {
		return envInfo{}, err
	}
	spec := env.Spec()
	info := envInfo{
		ID: id, Summary: reg.Summary,
		Observation: space(env.ObservationSpace()), Action: space(env.ActionSpace()),
		ControlDT: spec.ControlDT, Substeps: spec.Substeps,
		MaxEpisodeSteps: spec.MaxEpisodeSteps, EpisodeSeconds: spec.EpisodeSeconds(),
		RewardRange: [2]number{number(spec.RewardRange[0]), number(spec.RewardRange[1])},
		SuccessRule: spec.SuccessRule,
		Params:      []paramInfo{},
	}
	for _, p := range reg.Params {
		info.Params = append(info.Params, paramInfo{p.Name, p.Value, p.Min, p.Max, p.Unit, p.Doc})
	}
	return info, nil
}

func space(b envs.Box) spaceInfo {
	s := spaceInfo{Text: b.String(), Shape: b.Shape, Low: make([]number, b.Dim()), High: make([]number, b.Dim())}
	for i := range b.Low {
		s.Low[i], s.High[i] = number(b.Low[i]), number(b.High[i])
	}
	return s
}

func printEnvsJSON(w io.Writer, infos []envInfo) error {
	enc := newJSONEncoder(w)
	for _, info := range infos {
		if err := enc.Encode(info); err != nil {
			return err
		}
	}
	return nil
}

// printEnvs writes a readable listing, one block per environment.
func printEnvs(w io.Writer, infos []envInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, e := range infos {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "%s\t%s\n", e.ID, e.Summary)
		fmt.Fprintf(tw, "  observation\t%s\n", e.Observation.Text)
		fmt.Fprintf(tw, "  action\t%s\n", e.Action.Text)
		fmt.Fprintf(tw, "  timestep\t%s\n", timestep(e))
		fmt.Fprintf(tw, "  episode\t%s\n", episodeLength(e))
		fmt.Fprintf(tw, "  reward\t[%g, %g] per step\n", e.RewardRange[0], e.RewardRange[1])
		fmt.Fprintf(tw, "  success\t%s\n", e.SuccessRule)
		for j, p := range e.Params {
			label := ""
			if j == 0 {
				label = "parameters"
			}
			fmt.Fprintf(tw, "  %s\t%s=%.6g [%.6g, %.6g] %s\t%s\n", label, p.Name, p.Default, p.Min, p.Max, p.Unit, p.Doc)
		}
	}
	return tw.Flush()
}

// printEnvsMarkdown writes the environment table of README.md.
func printEnvsMarkdown(w io.Writer, infos []envInfo) error {
	var b strings.Builder
	b.WriteString("| Environment | Observation | Action | Timestep | Episode | Success |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, e := range infos {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", e.ID, e.Observation.Text, e.Action.Text,
			timestep(e), episodeLength(e), strings.ReplaceAll(e.SuccessRule, "|", `\|`))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func timestep(e envInfo) string {
	return fmt.Sprintf("%s s (%d physics sub-steps)", strconv.FormatFloat(e.ControlDT, 'g', -1, 64), e.Substeps)
}

func episodeLength(e envInfo) string {
	if e.MaxEpisodeSteps == 0 {
		return "no time limit"
	}
	return fmt.Sprintf("%d steps (%s s)", e.MaxEpisodeSteps, strconv.FormatFloat(e.EpisodeSeconds, 'g', 6, 64))
}
