package agent

import (
	"encoding/binary"
	"fmt"

	"github.com/foresight-sim/foresight/internal/parts"
)

// modelBasedKind names ModelBased states.
const modelBasedKind = "model-based agent"

// MarshalBinary returns what the agent has learnt and experienced, so that a run stopped
// between episodes can continue as if it had not stopped: its step and update counts, the
// state of its random draws of training batches, the states of the model, the critic and
// the termination model, and the replay buffer. It returns an error only if the model's
// state cannot be encoded.
func (a *ModelBased) MarshalBinary() ([]byte, error) {
	pretrained := uint64(0)
	if a.pretrained {
		pretrained = 1
	}
	counts, _ := binary.Append(nil, binary.LittleEndian, []uint64{uint64(a.steps), uint64(a.updates), pretrained})
	src, _ := a.trainSrc.MarshalBinary()
	model, err := a.model.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	var critic, ends []byte
	if a.critic != nil {
		critic, _ = a.critic.MarshalBinary()
	}
	if a.ends != nil {
		ends, _ = a.ends.MarshalBinary()
	}
	replay, _ := a.replay.MarshalBinary()
	return parts.Encode(modelBasedKind, counts, src, model, critic, replay, ends), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into an agent built the same way
// (the same environment, model and configuration). It returns an error if data is not such
// a state; the agent is then unusable, as its parts may have been restored in part.
func (a *ModelBased) UnmarshalBinary(data []byte) error {
	p, err := parts.Decode(modelBasedKind, data, 6)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if len(p[0]) != 24 {
		return fmt.Errorf("agent: %s state has bad counts", modelBasedKind)
	}
	if (a.critic == nil) != (len(p[3]) == 0) {
		return fmt.Errorf("agent: %s state and agent differ in having a critic", modelBasedKind)
	}
	if (a.ends == nil) != (len(p[5]) == 0) {
		return fmt.Errorf("agent: %s state and agent differ in having a termination model", modelBasedKind)
	}
	if err := a.trainSrc.UnmarshalBinary(p[1]); err != nil {
		return fmt.Errorf("agent: training draws: %w", err)
	}
	if err := a.model.UnmarshalBinary(p[2]); err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	if a.critic != nil {
		if err := a.critic.UnmarshalBinary(p[3]); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
	}
	if err := a.replay.UnmarshalBinary(p[4]); err != nil {
		return err
	}
	if a.ends != nil {
		if err := a.ends.UnmarshalBinary(p[5]); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
	}
	a.steps = int(binary.LittleEndian.Uint64(p[0]))
	a.updates = int(binary.LittleEndian.Uint64(p[0][8:]))
	a.pretrained = binary.LittleEndian.Uint64(p[0][16:]) == 1
	return nil
}
