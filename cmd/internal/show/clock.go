package show

import (
	"fmt"
	"math"
)

// Clock formats seconds of experience as h:mm:ss, the hours-to-competence clock, counting
// whole seconds passed (a microsecond's slack absorbs the rounding of sums of timesteps).
func Clock(seconds float64) string {
	s := int(math.Floor(seconds + 1e-6))
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}
