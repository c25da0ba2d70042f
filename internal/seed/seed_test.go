package seed

import "testing"

func TestDeriveDistinct(t *testing.T) {
	seen := map[uint64]bool{}
	for base := range uint64(50) {
		for k := range uint64(50) {
			s := Derive(base, k)
			if seen[s] {
				t.Fatalf("Derive(%d, %d) = %d repeats an earlier seed", base, k, s)
			}
			seen[s] = true
		}
	}
}

func TestMixKnownValue(t *testing.T) {
	// SplitMix64 seeded with 0 yields 0xe220a8397b1dcdaf as its first output.
	if got := Mix(0); got != 0xe220a8397b1dcdaf {
		t.Errorf("Mix(0) = %#x, want 0xe220a8397b1dcdaf", got)
	}
}
