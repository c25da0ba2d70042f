//go:build js

package live

import "time"

// lastYield is when a session last let the page run.
var lastYield time.Time

// yield lets the browser draw and handle input once a session has worked for 8 ms: in
// WebAssembly the program's goroutines share the page's one thread, and the Go runtime hands
// it back to the page only when every goroutine waits, so a session learning at full speed
// would otherwise freeze the page.
func yield() {
	if time.Since(lastYield) < 8*time.Millisecond {
		return
	}
	time.Sleep(time.Millisecond)
	lastYield = time.Now()
}
