// Package slowtest marks the tests too slow to run under the race detector. They skip there,
// and scripts/test.sh runs them in a second pass without it, selected by their name.
package slowtest

import (
	"strings"
	"testing"
)

// Suffix ends the name of every test that calls SkipUnderRace; scripts/test.sh selects them
// with go test -run 'Slow$'.
const Suffix = "Slow"

// SkipUnderRace skips t when the test binary has the race detector. It fails t unless t is a
// top-level test whose name ends in Suffix, which the second pass would otherwise miss.
func SkipUnderRace(t testing.TB) {
	t.Helper()
	if strings.Contains(t.Name(), "/") || !strings.HasSuffix(t.Name(), Suffix) {
		t.Fatalf("%s skips under the race detector, so it must be a top-level test named TestX%s for scripts/test.sh to run it without", t.Name(), Suffix)
	}
	if raceEnabled {
		t.Skipf("too slow under the race detector; scripts/test.sh runs it without (go test -run '%s$')", Suffix)
	}
}
