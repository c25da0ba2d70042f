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

// Exit statuses: foresight watch reads usageStatus (EX_USAGE) as a bad command line, since
// a Go program that crashes exits with 2.
const (
	failureStatus  = 1
	internalStatus = 3
	usageStatus    = 64
)

func main() {
	defer func() {
		if r := recover(); r != nil {
			fail(fmt.Errorf("internal error: %v", r), internalStatus)
		}
	}()
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, viewer.ErrWindowTooLarge) {
			fail(err, usageStatus)
		}
		fail(err, failureStatus)
	}
}

// fail reports err in one line and exits with status code.
func fail(err error, code int) {
	fmt.Fprintf(os.Stderr, "foresight watch: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
	os.Exit(code)
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("%s is started by foresight watch; run that instead", os.Args[0])
	}
	l, err := live.DecodeLaunch([]byte(args[0]))
	if err != nil {
		return err
	}
	cfgs, err := l.Configs()
	if err != nil {
		return err
	}
	opt := viewer.Options{Width: l.Width, Height: l.Height, Screenshot: l.Screenshot, Frames: l.Frames, Log: os.Stderr}
	if l.Lesson != nil {
		return viewer.RunLesson(l.Lesson, l.Step, opt)
	}
	return viewer.Run(cfgs, opt)
}
