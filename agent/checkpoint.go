package agent

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/parts"
	"github.com/foresight-sim/foresight/internal/safefile"
)

// MaxCheckpointSize is the largest checkpoint file Load reads, in bytes.
const MaxCheckpointSize = 1 << 30

// ErrOtherRun is returned, wrapped, by Checkpoint.Load for a checkpoint of another run: of
// another environment, parameters or agent.
var ErrOtherRun = errors.New("another run's checkpoint")

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

// NewCheckpoint returns the checkpoint of a run of ag, called name, on env, kept in dir. It
// creates nothing: Save creates dir if needed. It returns an error if dir is empty.
func NewCheckpoint(dir string, env envs.Env, ag Agent, name string) (*Checkpoint, error) {
	if dir == "" {
		return nil, errors.New("checkpoint: no directory")
	}
	return &Checkpoint{path: filepath.Join(dir, CheckpointFile), env: env, agent: ag, name: name}, nil
}

// Path returns the path of the checkpoint's file.
func (c *Checkpoint) Path() string { return c.path }

// Save writes the run's result so far and the agent's state, replacing the checkpoint
// atomically: a crash leaves the previous one whole. It creates the checkpoint's directory
// if needed. It returns an error if the agent's state cannot be encoded or is larger than
// MaxCheckpointSize, or the file cannot be written, as when the checkpoint's path leads to
// anything but a regular file. A model-based agent's frames go to the file from its replay
// buffer, without a copy of the whole state in memory.
func (c *Checkpoint) Save(res TrainResult) error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o777); err != nil {
		return fmt.Errorf("checkpoint directory: %w", err)
	}
	spec := c.env.Spec()
	curve := encodeCurve(res.Curve)
	res.Curve = nil // kept apart, compactly
	head, err := json.Marshal(runHeader{Env: spec.ID, Params: spec.Params.Values(), Agent: c.name, Result: res})
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	state, err := agentState(c.agent)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	file := parts.Nested(checkpointKind, parts.Bytes(head), state, parts.Bytes(curve))
	if file.Size() > MaxCheckpointSize {
		return fmt.Errorf("checkpoint %s: the run's state takes %d bytes, more than the %d a checkpoint may hold", c.path, file.Size(), MaxCheckpointSize)
	}
	err = safefile.Write(c.path, func(w io.Writer) error {
		buf := bufio.NewWriterSize(w, 1<<20)
		if _, err := file.WriteTo(buf); err != nil {
			return err
		}
		return buf.Flush()
	})
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	return nil
}

// stateWriter is an agent whose state can be written out without first being joined into
// one slice, as a model-based agent's replay of frames is.
type stateWriter interface {
	stateParts() (parts.Part, error)
}

// agentState returns ag's state as a part, empty if ag keeps none.
func agentState(ag Agent) (parts.Part, error) {
	switch s := ag.(type) {
	case stateWriter:
		return s.stateParts()
	case encoding.BinaryMarshaler:
		b, err := s.MarshalBinary()
		return parts.Bytes(b), err
	}
	return parts.Bytes(nil), nil
}

// Load restores the agent from the checkpoint, if there is one, and returns the run's result
// so far; it returns nil if there is no checkpoint yet. It returns an error if the path is
// a symbolic link to nothing, the file is not a regular file of at most MaxCheckpointSize
// bytes, is not a checkpoint, fails its
// checksums, holds values no run produces, or is of another run (environment, parameters,
// agent, observation); the agent may then have been restored in part.
func (c *Checkpoint) Load() (*TrainResult, error) {
	head, err := c.load(true)
	if head == nil {
		return nil, err
	}
	return &head.Result, nil
}

// LoadTrained restores the agent from the checkpoint for evaluation, as Load does, but also
// accepts a run trained under other parameters of the same environment (such as another of
// Drive-v0's tracks): evaluating there measures how far what the agent learnt generalises.
// It returns the run's result and the parameters it was trained under, or nil if there is
// no checkpoint, and the errors of Load otherwise.
func (c *Checkpoint) LoadTrained() (*TrainResult, map[string]float64, error) {
	head, err := c.load(false)
	if head == nil {
		return nil, nil, err
	}
	return &head.Result, head.Params, nil
}

// load restores the agent and returns the checkpoint's header, nil if there is no
// checkpoint; sameParams refuses a run trained under other parameters.
func (c *Checkpoint) load(sameParams bool) (*runHeader, error) {
	data, err := safefile.Read(c.path, MaxCheckpointSize)
	if errors.Is(err, fs.ErrNotExist) {
		err = safefile.Check(c.path) // a link to nothing is refused, not taken for no checkpoint
		if err == nil {
			return nil, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	p, err := parts.Decode(checkpointKind, data, 3)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	var head runHeader
	dec := json.NewDecoder(bytes.NewReader(p[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&head); err != nil || dec.More() || head.Result.Curve != nil {
		return nil, fmt.Errorf("checkpoint %s: bad header", c.path)
	}
	if head.Result.Curve, err = decodeCurve(p[2]); err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.path, err)
	}
	if err := head.Result.Check(Competence{}); err != nil {
		return nil, fmt.Errorf("checkpoint %s: the run in it is not one training produces: %w", c.path, err)
	}
	spec := c.env.Spec()
	params := spec.Params.Values()
	if head.Result.Observation == "" { // written before results named the observation
		head.Result.Observation = envs.StateObservation
	}
	if head.Env != spec.ID || head.Agent != c.name || (sameParams && !maps.Equal(head.Params, params)) {
		return nil, fmt.Errorf("%w: checkpoint %s is of %s on %s %v, not of %s on %s %v", ErrOtherRun, c.path,
			head.Agent, head.Env, head.Params, c.name, spec.ID, params)
	}
	if obs := envs.ObservationOf(c.env); head.Result.Observation != obs {
		return nil, fmt.Errorf("%w: checkpoint %s is of an agent observing %s, not %s", ErrOtherRun, c.path, head.Result.Observation, obs)
	}
	if was, is := head.Result.Concurrent, concurrent(c.agent); was != is {
		return nil, fmt.Errorf("%w: checkpoint %s is of an agent learning %s, not %s", ErrOtherRun, c.path, layout(was), layout(is))
	}
	if was, is := head.Result.Settings, settingsOf(c.agent); !maps.Equal(was, is) {
		return nil, fmt.Errorf("%w: checkpoint %s is of an agent with settings %v, not %v", ErrOtherRun, c.path, was, is)
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
	return &head, nil
}

// curvePointSize is the size of a point of a learning curve in a checkpoint.
const curvePointSize = 8 + 8 + 4 + 1 + 4

// encodeCurve encodes a learning curve in about a fifth of its JSON's bytes, so that the
// checkpoint of a long run stays small: each point's experience and return as float64s,
// its length as a uint32, its success as a byte and its evaluation successes as an int32;
// the episode number is the point's index.
func encodeCurve(curve []EpisodePoint) []byte {
	le := binary.LittleEndian
	b := make([]byte, 0, len(curve)*curvePointSize)
	for _, p := range curve {
		b = le.AppendUint64(b, math.Float64bits(p.Experience))
		b = le.AppendUint64(b, math.Float64bits(p.Return))
		b = le.AppendUint32(b, uint32(p.Length))
		success := byte(0)
		if p.Success {
			success = 1
		}
		b = le.AppendUint32(append(b, success), uint32(int32(p.Evaluated)))
	}
	return b
}

// decodeCurve decodes what encodeCurve wrote. It returns an error if b is not a whole
// number of points or a success flag is neither 0 nor 1; TrainResult's checks do the rest.
func decodeCurve(b []byte) ([]EpisodePoint, error) {
	if len(b)%curvePointSize != 0 {
		return nil, fmt.Errorf("the learning curve is not a whole number of points")
	}
	le := binary.LittleEndian
	curve := make([]EpisodePoint, len(b)/curvePointSize)
	for i := range curve {
		q := b[i*curvePointSize:]
		if q[20] > 1 {
			return nil, fmt.Errorf("curve point %d has success flag %d", i, q[20])
		}
		curve[i] = EpisodePoint{
			Episode: i, Experience: math.Float64frombits(le.Uint64(q)), Return: math.Float64frombits(le.Uint64(q[8:])),
			Length: int(le.Uint32(q[16:])), Success: q[20] == 1, Evaluated: int(int32(le.Uint32(q[21:]))),
		}
	}
	return curve, nil
}
