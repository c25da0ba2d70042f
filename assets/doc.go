// Package assets holds the data files that describe Foresight's scenes and what the viewer
// loads, embedded in the binary with go:embed: the tracks Drive-v0 races on, the shapes of
// bodies such as Push-v0's T, and the viewer's font and window icon. README.md in this
// directory describes the file formats, so that a new track or shape is a file to drop in,
// not code to write.
package assets
