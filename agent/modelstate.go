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
// state of its random draws of training batches, the states of the model, the critic, the
// termination model, the policy prior, the disagreement ensemble and the coarse model, and
// the replay buffer. It returns an error only if the model's
// state cannot be encoded.
func (a *ModelBased) MarshalBinary() ([]byte, error) {
	p, err := a.stateParts()
	if err != nil {
		return nil, err
	}
	return parts.Marshal(p), nil
}

// stateParts returns what MarshalBinary returns as a part to write, which refers to the
// replay buffer's frames where they are held rather than copying them.
func (a *ModelBased) stateParts() (parts.Part, error) {
	a.wait()
	pretrained := uint64(0)
	if a.pretrained {
		pretrained = 1
	}
	counts, _ := binary.Append(nil, binary.LittleEndian, []uint64{uint64(a.steps), uint64(a.updates), pretrained})
	src, _ := a.trainSrc.MarshalBinary()
	model, err := a.model.MarshalBinary()
	if err != nil {
		return parts.Part{}, fmt.Errorf("agent: %w", err)
	}
	var critic, ends []byte
	if a.critic != nil {
		critic, _ = a.critic.MarshalBinary()
	}
	if a.ends != nil {
		ends, _ = a.ends.MarshalBinary()
	}
	b := parts.Bytes
	ps := []parts.Part{b(counts), b(src), b(model), b(critic), a.replay.stateParts(), b(ends)}
	if a.policy != nil {
		ps = append(ps, b(a.policy.pi.state()))
	}
	if a.dis != nil {
		dis, _ := a.dis.MarshalBinary()
		ps = append(ps, b(dis))
	}
	if a.coarse != nil {
		coarse, _ := a.coarse.MarshalBinary()
		ps = append(ps, b(coarse))
	}
	return parts.Nested(modelBasedKind, ps...), nil
}

// UnmarshalBinary restores a state MarshalBinary returned into an agent built the same way
// (the same environment, model and configuration). It returns an error if data is not such
// a state; the agent is then unusable, as its parts may have been restored in part.
func (a *ModelBased) UnmarshalBinary(data []byte) error {
	n := 6 // then a part for each of the policy prior, the disagreement ensemble and the coarse model
	if a.policy != nil {
		n++
	}
	if a.dis != nil {
		n++
	}
	if a.coarse != nil {
		n++
	}
	p, err := parts.Decode(modelBasedKind, data, n)
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	a.wait() // no updates may run while the state is restored
	steps, updates, pretrained, err := a.checkCounts(p[0])
	if err != nil {
		return fmt.Errorf("agent: %s state: %w", modelBasedKind, err)
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
	if a.replay.Len() > steps {
		return fmt.Errorf("agent: %s state holds %d transitions after %d steps", modelBasedKind, a.replay.Len(), steps)
	}
	if a.ends != nil {
		if err := a.ends.UnmarshalBinary(p[5]); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
	}
	if a.policy != nil {
		if err := a.policy.pi.restore(p[6]); err != nil {
			return err
		}
	}
	next := 6
	if a.policy != nil {
		next++
	}
	if a.dis != nil {
		if err := a.dis.UnmarshalBinary(p[next]); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
		next++
	}
	if a.coarse != nil {
		if err := a.coarse.UnmarshalBinary(p[next]); err != nil {
			return fmt.Errorf("agent: %w", err)
		}
	}
	a.steps, a.updates, a.pretrained = steps, updates, pretrained
	a.failed = nil
	a.sync()
	return nil
}

// checkCounts decodes the agent's step and update counts and its pretraining flag, and
// returns an error unless they are consistent with its configuration: the flag 0 or 1 and
// set only after the seed phase, and no more updates than the steps allow.
func (a *ModelBased) checkCounts(b []byte) (steps, updates int, pretrained bool, err error) {
	if len(b) != 24 {
		return 0, 0, false, fmt.Errorf("bad counts")
	}
	le := binary.LittleEndian
	s, u, flag := le.Uint64(b), le.Uint64(b[8:]), le.Uint64(b[16:])
	const maxSteps = 1 << 40 // more than 300 years of experience at 100 steps a second
	// Every step from the seed phase's end takes at most PretrainUpdates updates (while the
	// pretraining is unfinished) or UpdatesPerStep.
	var limit uint64
	if seed := uint64(max(a.seedSteps, 1)); s >= seed {
		limit = (s - seed + 1) * uint64(max(a.cfg.PretrainUpdates, a.cfg.UpdatesPerStep))
	}
	switch {
	case s > maxSteps:
		return 0, 0, false, fmt.Errorf("%d steps", s)
	case flag > 1 || (flag == 1 && s < uint64(a.seedSteps)):
		return 0, 0, false, fmt.Errorf("pretraining flag %d after %d steps", flag, s)
	case u > limit:
		return 0, 0, false, fmt.Errorf("%d updates after %d steps, more than %d", u, s, limit)
	}
	return int(s), int(u), flag == 1, nil
}
