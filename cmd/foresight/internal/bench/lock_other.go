//go:build !(linux || darwin)

package bench

// lock does nothing where POSIX record locks are not available: there, only one foresight
// bench at a time may use a sweep directory, unchecked.
func lock(dir string) error { return nil }
