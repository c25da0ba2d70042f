package worldmodel

import (
	"fmt"
	"slices"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// Replica is a copy of a model and of the critic, termination model and disagreement
// ensemble that plan with it,
// for imagining on one goroutine while the originals train on another. It holds what
// Encode, Predict, Readout, Value and Prob use (parameters and observation scaling) and is
// brought up to date by Sync; training state such as optimisers is not copied.
type Replica struct {
	model            Model
	critic           *Critic
	ends             *Termination
	dis, disSource   *Disagreement
	nets, copies     []nn.Net[float32] // the imagining networks of the originals and of the copies, in order
	scale, copyScale *scaler
}

// replicable is what the package's models give a Replica: a new model of the same
// configuration, and the networks and observation scaling that imagining uses, in an order
// that a model of the same configuration repeats.
type replicable interface {
	Model
	blank() (Model, error)
	imagining() ([]nn.Net[float32], *scaler)
}

// NewReplica returns a replica of model, critic, ends and dis (any of the last three may be
// nil), already in sync with them. It returns an error if model is not one of this
// package's models.
func NewReplica(model Model, critic *Critic, ends *Termination, dis *Disagreement) (*Replica, error) {
	src, ok := model.(replicable)
	if !ok {
		return nil, fmt.Errorf("worldmodel: a model of type %T cannot be replicated", model)
	}
	dst, err := src.blank()
	if err != nil {
		return nil, fmt.Errorf("worldmodel: replica: %w", err)
	}
	r := &Replica{model: dst}
	r.nets, r.scale = src.imagining()
	r.copies, r.copyScale = dst.(replicable).imagining()
	if critic != nil {
		if r.critic, err = NewCritic(critic.z.Cols, critic.cfg, 0); err != nil {
			return nil, fmt.Errorf("worldmodel: replica: %w", err)
		}
		for k, v := range critic.v {
			r.nets, r.copies = append(r.nets, v), append(r.copies, r.critic.v[k])
		}
	}
	if ends != nil {
		if r.ends, err = NewTermination(ends.z.Cols, ends.cfg, 0); err != nil {
			return nil, fmt.Errorf("worldmodel: replica: %w", err)
		}
		r.nets, r.copies = append(r.nets, ends.net), append(r.copies, r.ends.net)
	}
	if dis != nil {
		if r.dis, err = NewDisagreement(dis.latent, dis.in.Cols-dis.latent, dis.cfg, 0); err != nil {
			return nil, fmt.Errorf("worldmodel: replica: %w", err)
		}
		r.disSource = dis
		for k, h := range dis.heads {
			r.nets, r.copies = append(r.nets, h), append(r.copies, r.dis.heads[k])
		}
	}
	r.Sync()
	return r, nil
}

// Sync copies the originals' parameters and observation scaling into the replica. It must
// not run while the originals train or the replica imagines.
func (r *Replica) Sync() {
	for i, n := range r.nets {
		copy(r.copies[i].Params(), n.Params())
	}
	r.copyScale.set(r.scale)
	if r.dis != nil {
		r.dis.reference = r.disSource.reference
	}
}

// Model returns the replica of the model.
func (r *Replica) Model() Model { return r.model }

// Critic returns the replica of the critic, nil if there is none.
func (r *Replica) Critic() *Critic { return r.critic }

// Termination returns the replica of the termination model, nil if there is none.
func (r *Replica) Termination() *Termination { return r.ends }

// Disagreement returns the replica of the disagreement ensemble, nil if there is none.
func (r *Replica) Disagreement() *Disagreement { return r.dis }

// set makes s the scaling src is: unfitted, or fitted with the same statistics.
func (s *scaler) set(src *scaler) {
	if !src.fitted() {
		s.mean, s.std = nil, nil
		return
	}
	s.mean = append(s.mean[:0], src.mean...)
	s.std = append(s.std[:0], src.std...)
}

// blank returns an untrained model of the same sizes and configuration.
func (m *JEPA) blank() (Model, error) { return NewJEPA(m.dims, m.cfg, 0) }

// blank returns an untrained model of the same sizes and configuration.
func (m *Recon) blank() (Model, error) { return NewRecon(m.dims, m.cfg, 0) }

// blank returns an untrained model of the same sizes and configuration.
func (p *PETS) blank() (Model, error) { return NewPETS(p.dims, p.cfg, 0) }

// imagining returns the encoder, predictor and decoder networks, and the scaling.
func (m *latentModel) imagining() ([]nn.Net[float32], *scaler) {
	nets := slices.Concat(m.enc.nets(), []nn.Net[float32]{m.pred}, m.dec.nets())
	return nets, &m.obs.scale
}

// imagining returns the members and the scaling.
func (p *PETS) imagining() ([]nn.Net[float32], *scaler) {
	nets := make([]nn.Net[float32], len(p.members))
	for i, m := range p.members {
		nets[i] = m
	}
	return nets, &p.scale
}
