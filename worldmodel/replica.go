package worldmodel

import (
	"fmt"
	"slices"

	"github.com/foresight-sim/foresight/worldmodel/nn"
)

// Planning holds what plans with a model besides the model itself: the critic, the
// termination model, the disagreement ensemble and the coarse level. Any may be nil.
type Planning struct {
	Critic       *Critic
	Ends         *Termination
	Disagreement *Disagreement
	Coarse       *Coarse
}

// Replica is a copy of a model and of what plans with it, for imagining on one goroutine
// while the originals train on another. It holds what Encode, Predict, Readout, Value,
// Prob, Bonus and the coarse level's Encode, Predict, Readout and Distance use (parameters,
// observation scaling, the disagreement's reference spread) and is brought up to date by
// Sync; training state such as optimisers is not copied.
type Replica struct {
	model            Model
	planning, source Planning
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

// NewReplica returns a replica of model and of what plans with it, already in sync with
// them. It returns an error if model is not one of this package's models.
func NewReplica(model Model, p Planning) (*Replica, error) {
	src, ok := model.(replicable)
	if !ok {
		return nil, fmt.Errorf("worldmodel: a model of type %T cannot be replicated", model)
	}
	dst, err := src.blank()
	if err != nil {
		return nil, fmt.Errorf("worldmodel: replica: %w", err)
	}
	r := &Replica{model: dst, source: p}
	r.nets, r.scale = src.imagining()
	r.copies, r.copyScale = dst.(replicable).imagining()
	add := func(from, to []nn.Net[float32]) {
		r.nets, r.copies = append(r.nets, from...), append(r.copies, to...)
	}
	if c := p.Critic; c != nil {
		if r.planning.Critic, err = NewCritic(c.z.Cols, c.cfg, 0); err != nil {
			return nil, fmt.Errorf("worldmodel: replica: %w", err)
		}
		add(netsOf(c.v), netsOf(r.planning.Critic.v))
	}
	if e := p.Ends; e != nil {
		if r.planning.Ends, err = NewTermination(e.z.Cols, e.cfg, 0); err != nil {
			return nil, fmt.Errorf("worldmodel: replica: %w", err)
		}
		add([]nn.Net[float32]{e.net}, []nn.Net[float32]{r.planning.Ends.net})
	}
	if d := p.Disagreement; d != nil {
		if r.planning.Disagreement, err = NewDisagreement(d.latent, d.in.Cols-d.latent, d.cfg, 0); err != nil {
			return nil, fmt.Errorf("worldmodel: replica: %w", err)
		}
		add(netsOf(d.heads), netsOf(r.planning.Disagreement.heads))
	}
	if c := p.Coarse; c != nil {
		if r.planning.Coarse, err = NewCoarse(c.dims, c.cfg, 0); err != nil {
			return nil, fmt.Errorf("worldmodel: replica: %w", err)
		}
		add(c.imagining(), r.planning.Coarse.imagining())
	}
	r.Sync()
	return r, nil
}

// netsOf returns the networks as nn.Nets.
func netsOf(mlps []*nn.MLP[float32]) []nn.Net[float32] {
	out := make([]nn.Net[float32], len(mlps))
	for i, m := range mlps {
		out[i] = m
	}
	return out
}

// imagining returns the coarse networks that planning and drawing use: the encoder, the
// predictor and the probe, if there is one.
func (m *Coarse) imagining() []nn.Net[float32] {
	nets := []nn.Net[float32]{m.enc, m.pred}
	if m.probe != nil {
		nets = append(nets, m.probe)
	}
	return nets
}

// Sync copies the originals' parameters and observation scaling into the replica. It must
// not run while the originals train or the replica imagines.
func (r *Replica) Sync() {
	for i, n := range r.nets {
		copy(r.copies[i].Params(), n.Params())
	}
	r.copyScale.set(r.scale)
	if d := r.planning.Disagreement; d != nil {
		d.reference = r.source.Disagreement.reference
	}
}

// Model returns the replica of the model.
func (r *Replica) Model() Model { return r.model }

// Planning returns the replicas of what plans with the model, nil where the originals are.
func (r *Replica) Planning() Planning { return r.planning }

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
	return netsOf(p.members), &p.scale
}
