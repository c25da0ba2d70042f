//go:build !js

package pageyield

// Yield does nothing where goroutines have threads of their own to run on.
func Yield() {}
