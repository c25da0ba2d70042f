package agent

import (
	"encoding/binary"
	"fmt"

	"github.com/foresight-sim/foresight/internal/parts"
	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// sacKind names SAC states.
const sacKind = "sac agent"

// MarshalBinary returns what the agent has learnt and experienced, so that a run stopped
// between episodes can continue as if it had not stopped: its step and update counts, the
// state of its random draws for training, its networks, optimisers and temperature, and the
// replay buffer. It never fails.
func (a *SAC) MarshalBinary() ([]byte, error) {
	p, _ := a.stateParts()
	return parts.Marshal(p), nil
}

// stateParts returns what MarshalBinary returns as a part to write.
func (a *SAC) stateParts() (parts.Part, error) {
	le := binary.LittleEndian
	counts, _ := binary.Append(nil, le, []uint64{uint64(a.steps), uint64(a.updates)})
	src, _ := a.trainSrc.MarshalBinary()
	b := parts.Bytes
	ps := []parts.Part{b(counts), b(src), b(a.pi.temperature()), a.replay.stateParts()}
	for _, c := range a.checkpoints() {
		net, _ := c.MarshalBinary()
		ps = append(ps, b(net))
	}
	return parts.Nested(sacKind, ps...), nil
}

// checkpoints returns the agent's networks with the optimiser of each group: the
// Q-networks and their targets, the actor, and the temperature's optimiser alone (the
// temperature is a part of its own).
func (a *SAC) checkpoints() []nn.Checkpoint[float32] {
	qs := nn.Checkpoint[float32]{Nets: []*nn.MLP[float32]{a.q[0], a.q[1], a.target[0], a.target[1]}, Opt: a.qOpt}
	return append([]nn.Checkpoint[float32]{qs}, a.pi.checkpoints()...)
}

// UnmarshalBinary restores a state MarshalBinary returned into an agent built the same way
// (the same environment and configuration). It returns an error if data is not such a
// state; the agent is then unusable, as its parts may have been restored in part.
func (a *SAC) UnmarshalBinary(data []byte) error {
	cks := a.checkpoints()
	p, err := parts.Decode(sacKind, data, 4+len(cks))
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	steps, updates, err := a.checkCounts(p[0])
	if err != nil {
		return fmt.Errorf("agent: %s state: %w", sacKind, err)
	}
	logAlpha, err := decodeTemperature(p[2])
	if err != nil {
		return fmt.Errorf("agent: %s state: %w", sacKind, err)
	}
	if err := a.trainSrc.UnmarshalBinary(p[1]); err != nil {
		return fmt.Errorf("agent: training draws: %w", err)
	}
	for i, c := range cks {
		if err := c.UnmarshalBinary(p[4+i]); err != nil {
			return fmt.Errorf("agent: %s state, network group %d: %w", sacKind, i+1, err)
		}
	}
	if err := a.replay.UnmarshalBinary(p[3]); err != nil {
		return err
	}
	if a.replay.Len() > steps {
		return fmt.Errorf("agent: %s state holds %d transitions after %d steps", sacKind, a.replay.Len(), steps)
	}
	a.steps, a.updates, a.pi.logAlpha.p[0] = steps, updates, logAlpha
	return nil
}

// checkCounts decodes the agent's step and update counts and returns an error unless they
// are consistent: at most one update per step after the random steps.
func (a *SAC) checkCounts(b []byte) (steps, updates int, err error) {
	if len(b) != 16 {
		return 0, 0, fmt.Errorf("bad counts")
	}
	s, u := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
	const maxSteps = 1 << 40
	var limit uint64
	if start := uint64(a.cfg.StartSteps); s >= start {
		limit = s - start + 1
	}
	switch {
	case s > maxSteps:
		return 0, 0, fmt.Errorf("%d steps", s)
	case u > limit:
		return 0, 0, fmt.Errorf("%d updates after %d steps, more than %d", u, s, limit)
	}
	return int(s), int(u), nil
}
