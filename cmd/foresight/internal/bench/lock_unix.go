//go:build linux || darwin

package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/foresight-sim/foresight/internal/safefile"
)

// lock takes the advisory lock of the sweep directory dir, a POSIX record lock on its lock
// file, which holds the pid of the process that has it; a lock file that is a symbolic link
// or anything but a regular file is refused. The lock is the process's until it
// exits: another process's lock refuses it, and the operating system releases it however
// the process ends. It returns an error naming the process that holds the lock.
func lock(dir string) error {
	path := dir + string(os.PathSeparator) + LockFile
	// Never through a link: the pid written below would replace what the link leads to.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o666)
	if errors.Is(err, syscall.ELOOP) {
		return fmt.Errorf("bench: locking %s: %s is a symbolic link, not a regular file", dir, LockFile)
	}
	if err != nil {
		return fmt.Errorf("bench: locking %s: %s: %w", dir, LockFile, safefile.Cause(err))
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return fmt.Errorf("bench: locking %s: %s is not a regular file", dir, LockFile)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
			b := make([]byte, 20)
			n, _ := f.ReadAt(b, 0)
			return fmt.Errorf("bench: %s is in use by another foresight bench (pid %s): wait for it to finish, or give each run its own --out", dir, strings.TrimSpace(string(b[:n])))
		}
		return fmt.Errorf("bench: locking %s: %w", dir, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	locks = append(locks, f) // kept open: closing it would release the lock
	return nil
}

// locks are the lock files of the sweep directories this process holds.
var locks []*os.File
