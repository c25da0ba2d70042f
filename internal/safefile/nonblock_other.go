//go:build !(unix || windows)

package safefile

// nonBlocking is 0 where the platform has no such flag: Read's check before opening stands.
const nonBlocking = 0
