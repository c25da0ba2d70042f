// Package live runs a learning agent for the live viewer and holds everything about the
// viewer that needs no window: the session that trains on its own goroutine and publishes
// frames, the heads-up display's text, the mapping between the world and the window, plot
// axes, and the key bindings. The viewer itself (package viewer) only draws frames and turns
// input into calls on a Session, so all of this is tested without a display.
package live
