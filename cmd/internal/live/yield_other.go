//go:build !js

package live

// yield does nothing where goroutines have threads of their own to run on (yield_js.go).
func yield() {}
