// Package displaycheck ends the viewer program with one line and exit status 1 when no
// window can open, as it loads. Ebiten opens the display when its packages initialise and
// panics if it cannot; Go initialises the packages of a program in the order of their import
// paths where dependencies allow, and this package's path sorts before Ebiten's, so its
// check runs first. Import it for its side effect only.
package displaycheck

import (
	"fmt"
	"os"

	"github.com/foresight-sim/foresight/cmd/internal/display"
)

func init() {
	if err := display.Check(); err != nil {
		fmt.Fprintf(os.Stderr, "foresight watch: %v\n", err)
		os.Exit(1)
	}
}
