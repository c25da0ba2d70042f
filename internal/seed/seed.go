// Package seed derives the many seeds of a run from the one a user gives, so that the
// episodes, copies and agents of a run draw from unrelated random streams.
package seed

// Mix is SplitMix64's output function: a bijection of 64-bit words that scatters nearby
// inputs across the whole range.
func Mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Derive returns the k-th seed of the stream named by base: Mix(Mix(base) + k). Different
// bases give sequences that do not overlap except by a 64-bit coincidence.
func Derive(base, k uint64) uint64 { return Mix(Mix(base) + k) }
