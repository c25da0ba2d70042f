package main

import (
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/envs"
)

// trainedFlag is --checkpoint on the commands that play a trained agent without training it
// further.
type trainedFlag string

func (f *trainedFlag) define(fs *flag.FlagSet) {
	pathVar(fs, (*string)(f), "checkpoint", "", "restore the agent from the foresight train checkpoint in `DIR` first; it may have trained under other --param values, such as another track")
}

// restore loads ag, called name, from the checkpoint, if one was named, and returns a line
// that says what it restored; "" without --checkpoint. A checkpoint of another environment,
// agent or observation is a usage error; a directory without one is an error too.
func (f trainedFlag) restore(env envs.Env, ag agent.Agent, name string) (string, error) {
	dir := string(f)
	if dir == "" {
		return "", nil
	}
	ck, err := agent.NewCheckpoint(dir, env, ag, name)
	if err != nil {
		return "", err
	}
	res, params, err := ck.LoadTrained()
	if err != nil {
		return "", checkpointError(err)
	}
	if res == nil {
		return "", fmt.Errorf("no checkpoint in %s (foresight train --checkpoint %s writes one)", dir, dir)
	}
	line := fmt.Sprintf("restored %s from %s: %s of experience, %s", name, dir, show.Clock(res.Experience), competence(*res))
	if other := otherParams(params, env.Spec().Params.Values()); other != "" {
		line += ", trained with " + other
	}
	return line, nil
}

// competence says whether and when a run became competent.
func competence(r agent.TrainResult) string {
	if r.TTC == nil {
		return "not competent"
	}
	return "competent after " + show.Clock(*r.TTC)
}

// otherParams lists the parameters trained under that differ from those of now, as
// name=value, sorted by name.
func otherParams(trained, now map[string]float64) string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(trained)) {
		if v := trained[name]; v != now[name] {
			out = append(out, fmt.Sprintf("%s=%g", name, v))
		}
	}
	return strings.Join(out, " ")
}
