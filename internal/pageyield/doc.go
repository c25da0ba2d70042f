// Package pageyield lets a web page draw while Foresight computes: in WebAssembly every
// goroutine runs on the page's one thread, which Go hands back to the browser only when all
// of them wait. Long loops call Yield; it does nothing outside WebAssembly.
package pageyield
