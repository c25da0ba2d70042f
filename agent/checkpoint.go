package agent

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

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/atomicfile"
	"github.com/foresight-sim/foresight/internal/parts"
)

// CheckpointFile is the name of the file a Checkpoint keeps in its directory.
const CheckpointFile = "train.state"

// checkpointKind names the state of a training run.
const checkpointKind = "foresight train run"

// runHeader identifies a training run in its checkpoint and holds its result so far.
type runHeader struct {
	Env    string             `json:"env"`
	Params map[string]float64 `json:"params"`
	Agent  string             `json:"agent"`
	Result TrainResult        `json:"result"`
}

// Checkpoint keeps a training run in a directory: its result so far and its agent's state,
// saved after every episode (Save, as TrainConfig.Checkpoint), and restored (Load, for
// TrainConfig.Resume) so that a run stopped between episodes goes on as if it had not
// stopped. The agent's state is what its encoding.BinaryMarshaler writes, if it has one.
type Checkpoint struct {
	path  string
	env   envs.Env
	agent Agent
	name  string
}

// NewCheckpoint returns the checkpoint of a run of ag, called name, on env, kept in dir,
// which it creates if needed. It returns an error if dir cannot be created.
func NewCheckpoint(dir string, env envs.Env, ag Agent, name string) (*Checkpoint, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint directory: %w", err)
	}
	return &Checkpoint{path: filepath.Join(dir, CheckpointFile), env: env, agent: ag, name: name}, nil
}

// Path returns the path of the checkpoint's file.
func (c *Checkpoint) Path() string { return c.path }

// Save writes the run's result so far and the agent's state, replacing the checkpoint
// atomically: a crash leaves the previous one whole. It returns an error if the agent's
// state cannot be encoded or the file cannot be written.
func (c *Checkpoint) Save(res TrainResult) error {
	spec := c.env.Spec()
	head, err := json.Marshal(runHeader{Env: spec.ID, Params: spec.Params.Values(), Agent: c.name, Result: res})
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

// Load restores the agent from the checkpoint, if there is one, and returns the run's result
// so far; it returns nil if there is no checkpoint yet. It returns an error if the file
// cannot be read, is not a checkpoint, or is of another run (environment, parameters,
// agent); the agent may then have been restored in part.
func (c *Checkpoint) Load() (*TrainResult, error) {
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
	params := spec.Params.Values()
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
