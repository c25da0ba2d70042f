package agent

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/foresight-sim/foresight/worldmodel"
)

// modelPrefix starts the names of the settings of a learner's world model, as against those
// of the agent around it (ModelConfig.Set).
const modelPrefix = "model."

// modelSettings are the settings New was asked to change in a learner's world model, by
// name, the prefix included.
type modelSettings map[string]string

// splitSettings splits settings into the agent's and its model's.
func splitSettings(settings map[string]string) (agentSet map[string]string, modelSet modelSettings) {
	for k, v := range settings {
		if strings.HasPrefix(k, modelPrefix) {
			if modelSet == nil {
				modelSet = modelSettings{}
			}
			modelSet[k] = v
			continue
		}
		if agentSet == nil {
			agentSet = map[string]string{}
		}
		agentSet[k] = v
	}
	return agentSet, modelSet
}

// apply sets the fields of fields, each an *int or a *float64 by its setting's name, to the
// values s gives, in name order. It returns an error naming the first setting that fields
// lacks or whose value does not parse.
func (s modelSettings) apply(fields map[string]any) error {
	for _, key := range slices.Sorted(maps.Keys(s)) {
		field, ok := fields[key]
		if !ok {
			return fmt.Errorf("agent: unknown setting %q (known for this model: %s)", key, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		}
		if err := setField(field, s[key]); err != nil {
			return fmt.Errorf("agent: %s = %q: %w", key, s[key], err)
		}
	}
	return nil
}

// setField sets the *int or *float64 field to the number value writes.
func setField(field any, value string) error {
	switch f := field.(type) {
	case *int:
		return setInt(f, value)
	case *float64:
		v, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("want a finite number")
		}
		*f = v
	}
	return nil
}

// setInt sets *field to the whole number value writes.
func setInt(field *int, value string) error {
	v, err := strconv.Atoi(value)
	if err != nil {
		return errors.New("want a whole number")
	}
	*field = v
	return nil
}

// configure returns the configuration of a latent model of sizes d, states's or, for
// images, pixels's, with set's settings applied through the fields fields names.
func configure[C any](d worldmodel.Dims, states, pixels func() C, fields func(*C) map[string]any, set modelSettings) (C, error) {
	c := states()
	if d.Pixels.Images() {
		c = pixels()
	}
	return c, set.apply(fields(&c))
}

// jepaSettings returns the settings of a JEPA configuration, by name. The model checks the
// values when it is built.
func jepaSettings(c *worldmodel.JEPAConfig) map[string]any {
	return map[string]any{
		"model.latent": &c.Latent, "model.horizon": &c.Horizon, "model.batch": &c.Batch, "model.rho": &c.Rho,
		"model.consistency": &c.Consistency, "model.reward": &c.RewardWeight, "model.target": &c.TargetRate,
		"model.lr": &c.Optimiser.LR,
	}
}

// reconSettings returns the settings of a Recon configuration, by name.
func reconSettings(c *worldmodel.ReconConfig) map[string]any {
	return map[string]any{
		"model.latent": &c.Latent, "model.horizon": &c.Horizon, "model.batch": &c.Batch, "model.rho": &c.Rho,
		"model.reconstruction": &c.Reconstruction, "model.reward": &c.RewardWeight, "model.lr": &c.Optimiser.LR,
	}
}

// petsSettings returns the settings of a PETS configuration, by name.
func petsSettings(c *worldmodel.PETSConfig) map[string]any {
	return map[string]any{"model.members": &c.Members, "model.batch": &c.Batch, "model.lr": &c.LR}
}
