// Package viewer is Foresight's live window, on Ebiten: it draws the frames a live.Session
// publishes (the scene, the imagined future as fading ghosts, the heads-up display and the
// learning plots) and turns keys and mouse drags into calls on the session. Everything that
// can be decided without a window lives in package live, so that it is tested without one.
//
// The package needs cgo and, on Linux, the X11 and GL headers; the noviewer build tag
// leaves it empty. Only the foresight-watch program (cmd/foresight-watch) imports it:
// Ebiten opens the display as it loads, which a headless foresight must not do.
package viewer
