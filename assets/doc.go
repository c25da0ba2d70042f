// Package assets holds the data files that describe Foresight's scenes, embedded in the
// binary with go:embed: the tracks Drive-v0 races on. README.md in this directory describes
// the file formats, so that a new track is a file to drop in, not code to write.
package assets
