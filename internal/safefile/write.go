package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// ErrNotRegular is returned, wrapped, for a path that leads to something other than a
// regular file, or to nothing through a symbolic link.
var ErrNotRegular = errors.New("not a regular file")

// Write creates or replaces the regular file at path with what write produces. It writes
// into a temporary file in the same directory, flushes it to disk and renames it over the
// file, so that the file holds either its old contents or the complete new ones. A new file
// gets mode 0666 less the umask; a replaced one keeps its permission bits. A symbolic link
// at path is followed (see the package documentation). On error the temporary file is
// removed and the file is untouched; the error is the one that stopped the write, stripped
// of the temporary file's name (see Cause), for the caller to put in context with path.
func Write(path string, write func(io.Writer) error) (err error) {
	target, perm, exists, err := destination(path)
	if err != nil {
		return err
	}
	f, err := createTemp(target, exists)
	if err != nil {
		return Cause(err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = Cause(err)
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if exists {
		if err := f.Chmod(perm); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), target)
}

// Check returns the error Write would return for path before writing anything, if path
// leads to something Write refuses, for a command to refuse at once rather than after a
// long computation. It does not check that the directory is writable.
func Check(path string) error {
	_, _, _, err := destination(path)
	return err
}

// destination returns the file Write replaces for path (path, or where its symbolic links
// lead), whether it exists and, if it does, its permission bits. It returns an error
// wrapping ErrNotRegular if path leads to anything but a regular file or nothing.
func destination(path string) (target string, perm fs.FileMode, exists bool, err error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return path, 0, false, nil
	}
	if err != nil {
		return "", 0, false, Cause(err)
	}
	target = path
	if fi.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); errors.Is(err, fs.ErrNotExist) {
			return "", 0, false, fmt.Errorf("is a symbolic link to a missing file, %w", ErrNotRegular)
		}
		if err != nil {
			return "", 0, false, Cause(err)
		}
		if fi, err = os.Stat(target); err != nil {
			return "", 0, false, Cause(err)
		}
	}
	if !fi.Mode().IsRegular() {
		return "", 0, false, notRegular(fi.Mode())
	}
	return target, fi.Mode().Perm(), true, nil
}

// createTemp creates a new temporary file next to path, hidden and named after it: with
// mode 0600 if it is to replace an existing file, whose bits Write then gives it, else
// with mode 0666 less the umask.
func createTemp(path string, replacing bool) (*os.File, error) {
	mode := fs.FileMode(0o666)
	if replacing {
		mode = 0o600
	}
	dir, base := filepath.Split(path)
	for {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64()%1e12, 10)+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// notRegular returns the error for a file of mode m, which is not a regular file.
func notRegular(m fs.FileMode) error {
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a block device"
	}
	return fmt.Errorf("is %s, %w", what, ErrNotRegular)
}

// Cause returns the error beneath a file-system error that names a path, or err itself.
func Cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
