// Package show is how every Foresight front end shows a learning agent alike: the future it
// imagines, as fading ghosts of its bodies over the scene, and its experience, on the
// hours-to-competence clock. The live viewer, the GIF recorder, the training progress line
// and the benchmark's summary all draw on it, so that none depends on another.
package show
