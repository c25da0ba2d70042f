package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is returned, wrapped, by Read for a file larger than its limit.
var ErrTooLarge = errors.New("file is too large")

// Read returns the contents of the regular file at path, or of the regular file its
// symbolic links lead to. It returns an error wrapping ErrNotRegular, without reading, for
// anything else (a FIFO or a device cannot hang or flood it), one wrapping ErrTooLarge for
// a file of more than limit bytes, and one wrapping fs.ErrNotExist if there is no file. Its
// errors do not name path, for the caller to put in context.
func Read(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, Cause(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	if fi.Size() > limit {
		return nil, tooLarge(fi.Size(), limit)
	}
	// Opening without blocking, and checking the open file, guards against path being
	// replaced by a FIFO or a device after the check above.
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		return nil, Cause(err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, Cause(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, Cause(err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(int64(len(data)), limit)
	}
	return data, nil
}

func tooLarge(size, limit int64) error {
	return fmt.Errorf("%w: %d bytes, more than the %d allowed", ErrTooLarge, size, limit)
}
