package show

import (
	"fmt"
	"testing"
)

// TestClock checks that experience is shown as h:mm:ss, rounded down to the second, with
// hours that keep counting past a day.
func TestClock(t *testing.T) {
	for _, c := range []struct {
		seconds float64
		want    string
	}{
		{0, "0:00:00"},
		{0.999, "0:00:00"},
		{1, "0:00:01"},
		{59.9, "0:00:59"},
		{60, "0:01:00"},
		{3599.99, "0:59:59"},
		{3600, "1:00:00"},
		{3661, "1:01:01"},
		{36000, "10:00:00"},
		{36000 + 59*60 + 59.5, "10:59:59"},
		{100 * 3600, "100:00:00"},
	} {
		t.Run(fmt.Sprint(c.seconds), func(t *testing.T) {
			if got := Clock(c.seconds); got != c.want {
				t.Errorf("Clock(%v) = %q, want %q", c.seconds, got, c.want)
			}
		})
	}
}
