package slowtest

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB that records what SkipUnderRace asks of it.
type recorder struct {
	testing.TB
	name           string
	fatal, skipped string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Name() string                   { return r.name }
func (r *recorder) Fatalf(format string, a ...any) { r.fatal = fmt.Sprintf(format, a...) }
func (r *recorder) Skipf(format string, a ...any)  { r.skipped = fmt.Sprintf(format, a...) }

// TestSkipUnderRace checks that only top-level tests named ...Slow may skip, and that they
// skip exactly when the race detector is on.
func TestSkipUnderRace(t *testing.T) {
	tests := []struct {
		name    string
		refused bool
	}{
		{"TestLearnsSlow", false},
		{"TestLearns", true},
		{"TestLearnsSlow/jepa", true},
		{"TestSlowLearns", true},
	}
	for _, tt := range tests {
		r := &recorder{TB: t, name: tt.name}
		SkipUnderRace(r)
		if got := r.fatal != ""; got != tt.refused {
			t.Errorf("%s: refused = %v (%q), want %v", tt.name, got, r.fatal, tt.refused)
		}
		if !tt.refused && (r.skipped != "") != raceEnabled {
			t.Errorf("%s: skipped = %q with the race detector %v", tt.name, r.skipped, raceEnabled)
		}
	}
}
