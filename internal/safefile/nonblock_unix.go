//go:build unix || windows

package safefile

import "syscall"

// nonBlocking opens a file without waiting, as a FIFO with no writer would have Read wait.
const nonBlocking = syscall.O_NONBLOCK
