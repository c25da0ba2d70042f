// Package worldmodel holds the world models Foresight's model-based agents learn from their
// own experience, and the imagination their planners search in.
//
// # Models
//
// A [Model] maps observations to latent states ([Model.Encode]), predicts the latent and the
// reward that follow an action ([Model.Predict]), and maps latents back to estimated
// observations ([Model.Readout]). Everything works on batches, nn matrices with one example
// per row, in float32, and returns the model's own storage, so that planning and training
// allocate nothing once warm. Three models implement it, and they differ in where they
// predict or in what trains their latent:
//
//   - [JEPA], a joint-embedding predictive architecture, predicts in a latent space it
//     learns. An encoder maps observations to latents made of SimNorm groups; a predictor
//     rolls them forward several steps and is trained to land on the latents a slowly
//     trailing target encoder gives the observations that really followed. Nothing is
//     decoded in that loss, so the model spends its capacity on what is predictable and
//     useful for the reward rather than on every detail of the observation.
//   - [PETS], an ensemble of probabilistic networks after Chua et al. (2018), predicts
//     observations: its latent is the observation itself, scaled, and each member predicts a
//     Gaussian over the change of the observation and over the reward. It is the generative
//     baseline the JEPA is measured against on states.
//   - [Recon] is the JEPA's encoder, latent, predictor and decoder trained to reconstruct the
//     observation at every step of the rollout instead, so that every value (every pixel)
//     counts in its loss: the generative baseline on images, differing from the JEPA in its
//     objective alone.
//
// Observations are states, or stacks of image frames when [Dims.Pixels] says so: then the
// JEPA and Recon encode them with convolutions first ([ConvConfig]) and decode, through the
// transposed convolutions, the newest frame.
//
// A JEPA's latents mean nothing to a person, so it also trains a probe, a small network from
// detached latents to observations that the rest of the model never sees. Readout runs it,
// which lets the viewer show what the model imagines. PETS needs no probe: its Readout undoes
// the scaling exactly.
//
// # Training
//
// A model trains on a [Batch] of sequences of consecutive transitions, each from a single
// episode, of the shape [Model.SampleShape] asks for: one step for PETS, several for the
// JEPA's multi-step loss. [Model.Train] takes one gradient step and returns its losses as
// [Stats], including [Stats.LatentStd], which falls towards 0 if a JEPA's representation
// collapses. The first batch fixes the scaling of the observations. Train returns an error
// wrapping [ErrNotFinite] if the loss diverges.
//
// # Imagination
//
// An [Imagination] is what a planner from agent/plan searches with. [Imagination.Observe]
// encodes the current observation; [Imagination.Evaluate] rolls many candidate action
// sequences forward from its latent at once and scores each by its discounted sum of
// predicted rewards (plus, once [Imagination.SetCritic] has given it a [Critic], the
// discounted value of the latent the sequence ends in; and once
// [Imagination.SetTermination] has given it a [Termination], weighing each step by the
// chance that the episode has not ended before it), never touching the simulator;
// [Imagination.Imagine] reads out the observations the model predicts along one sequence,
// for display.
//
// # State
//
// A model's whole state (parameters, optimiser moments and observation scaling) is
// [encoding.BinaryMarshaler] bytes: a small header naming the kind of model, then parts
// with checksums of their own, written with the checkpoint format of the nn package. A
// [Critic] and a [Termination] save their states the same way.
// UnmarshalBinary restores it into a model built with the same configuration, and changes
// nothing if the bytes are truncated, corrupt, from another kind of model or from another
// architecture.
package worldmodel
