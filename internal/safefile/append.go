package safefile

import (
	"os"
)

// OpenAppend opens the regular file at path for appending, creating it with mode 0666 less
// the umask if there is none. It follows symbolic links and refuses what Write refuses,
// with the same errors: a link to nothing, or a path that leads to anything but a regular
// file. It is for a log of records appended one write at a time, where a crash can leave
// only the last record torn.
func OpenAppend(path string) (*os.File, error) {
	target, _, _, err := destination(path)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_APPEND|os.O_CREATE|nonBlocking, 0o666)
	if err != nil {
		return nil, Cause(err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = notRegular(fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, Cause(err)
	}
	return f, nil
}
