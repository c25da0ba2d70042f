//go:build js

package pageyield

import "time"

// last is when the program last let the page run.
var last time.Time

// Yield lets the browser draw and handle input, by sleeping a millisecond, once the program
// has worked for 8 ms since it last did.
func Yield() {
	if time.Since(last) < 8*time.Millisecond {
		return
	}
	time.Sleep(time.Millisecond)
	last = time.Now()
}
