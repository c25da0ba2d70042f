package envs

import (
	"math"
	"testing"
)

// FuzzStep steps every registered environment with arbitrary actions, NaN, infinities and
// huge values included. It must never panic; a step either returns an error, or a finite
// observation and a reward within the task's range.
func FuzzStep(f *testing.F) {
	f.Add(uint8(0), 0.5, -0.5, uint8(10), uint64(1))
	f.Add(uint8(1), math.NaN(), 1.0, uint8(3), uint64(2))
	f.Add(uint8(2), math.Inf(1), -1e308, uint8(40), uint64(3))
	f.Add(uint8(3), 1e300, 5e-324, uint8(200), uint64(4))
	ids := IDs()
	f.Fuzz(func(t *testing.T, which uint8, a0, a1 float64, steps uint8, seed uint64) {
		env, err := Make(ids[int(which)%len(ids)])
		if err != nil {
			t.Fatal(err)
		}
		spec := env.Spec()
		env.Reset(seed)
		action := make([]float64, env.ActionSpace().Dim())
		for k := range int(steps) {
			for i := range action {
				action[i] = a0
				if (i+k)%2 == 1 {
					action[i] = a1
				}
			}
			obs, reward, term, trunc, _, err := env.Step(action)
			if err != nil {
				return
			}
			for i, v := range obs {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s: step %d: observation %d is %v after action %v", spec.ID, k, i, v, action)
				}
			}
			if reward < spec.RewardRange[0] || reward > spec.RewardRange[1] {
				t.Fatalf("%s: step %d: reward %v outside %v", spec.ID, k, reward, spec.RewardRange)
			}
			if term || trunc {
				env.Reset(seed + 1)
			}
		}
	})
}
