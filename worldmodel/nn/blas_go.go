//go:build !cgo || noopenblas

package nn

// backend32 runs float32 networks in portable Go when cgo is off or the noopenblas tag is set.
var backend32 = goBackend32
