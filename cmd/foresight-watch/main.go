//go:build cgo && !noviewer

// Command foresight-watch is the live viewer's window. foresight watch starts it with the
// session and window to open as one JSON argument (live.Launch); run foresight watch rather
// than this. It is a program of its own because Ebiten opens the display as it loads.
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	// Checks the display before Ebiten opens it: imported first, and initialised first.
	_ "github.com/foresight-sim/foresight/cmd/foresight-watch/internal/displaycheck"
	"github.com/foresight-sim/foresight/cmd/internal/live"
	"github.com/foresight-sim/foresight/cmd/internal/viewer"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "foresight watch: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
		if errors.Is(err, viewer.ErrWindowTooLarge) {
			os.Exit(2) // a bad command line, as foresight's other commands report it
		}
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("%s is started by foresight watch; run that instead", os.Args[0])
	}
	l, err := live.DecodeLaunch([]byte(args[0]))
	if err != nil {
		return err
	}
	cfg, err := l.Config()
	if err != nil {
		return err
	}
	return viewer.Run(cfg, viewer.Options{Width: l.Width, Height: l.Height,
		Screenshot: l.Screenshot, Frames: l.Frames, Log: os.Stderr})
}
