package main

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"

	"github.com/foresight-sim/foresight/agent"
	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/atomicfile"
	"github.com/foresight-sim/foresight/internal/parts"
)

// checkpointFile is the name of the state file in a --checkpoint directory.
const checkpointFile = "train.state"

// checkpointKind names the state of a training run.
const checkpointKind = "foresight train run"

// runHeader identifies a training run in its checkpoint and holds its result so far.
type runHeader struct {
	Env    string             `json:"env"`
	Params map[string]float64 `json:"params"`
	Agent  string             `json:"agent"`
	Result agent.TrainResult  `json:"result"`
}

// checkpoint saves and restores a training run in a directory.
type checkpoint struct {
	path  string
	env   envs.Env
	agent agent.Agent
	name  string
}

// newCheckpoint returns the checkpoint of a run of ag, called name, on env in dir, creating
// dir if needed.
func newCheckpoint(dir string, env envs.Env, ag agent.Agent, name string) (*checkpoint, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint directory: %w", err)
	}
	return &checkpoint{path: filepath.Join(dir, checkpointFile), env: env, agent: ag, name: name}, nil
}

// save writes the run's result so far and the agent's state, atomically.
func (c *checkpoint) save(res agent.TrainResult) error {
	spec := c.env.Spec()
	head, err := json.Marshal(runHeader{Env: spec.ID, Params: paramValues(spec.Params), Agent: c.name, Result: res})
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var state []byte
	if s, ok := c.agent.(encoding.BinaryMarshaler); ok {
		if state, err = s.MarshalBinary(); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	data := parts.Encode(checkpointKind, head, state)
	if err := atomicfile.Write(c.path, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// load restores the agent from the checkpoint, if there is one, and returns the result so
// far; it returns nil if there is no checkpoint yet. It returns an error if the file cannot
// be read, is not a checkpoint, or is of another run (environment, parameters, agent).
func (c *checkpoint) load() (*agent.TrainResult, error) {
	data, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	p, err := parts.Decode(checkpointKind, data, 2)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	var head runHeader
	if err := json.Unmarshal(p[0], &head); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	spec := c.env.Spec()
	params := paramValues(spec.Params)
	if head.Env != spec.ID || head.Agent != c.name || !maps.Equal(head.Params, params) {
		return nil, fmt.Errorf("checkpoint %s is of %s on %s %v, not of %s on %s %v", c.path,
			head.Agent, head.Env, head.Params, c.name, spec.ID, params)
	}
	s, ok := c.agent.(encoding.BinaryUnmarshaler)
	switch {
	case ok:
		err = s.UnmarshalBinary(p[1])
	case len(p[1]) > 0:
		err = fmt.Errorf("the %s agent keeps no state, the checkpoint holds some", c.name)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	return &head.Result, nil
}

// paramValues returns the parameters' values by name.
func paramValues(params envs.Params) map[string]float64 {
	m := make(map[string]float64, len(params))
	for _, p := range params {
		m[p.Name] = p.Value
	}
	return m
}
