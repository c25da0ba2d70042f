// Package atomicfile writes files whole or not at all, so that a crash or an error mid-write
// never leaves a saved frame, result or checkpoint half written.
package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrIsDir is returned by Write when path names a directory.
var ErrIsDir = errors.New("is a directory")

// Write creates or replaces the file at path with what write produces. It writes into a
// temporary file in the same directory, flushes it to disk and renames it over path, so that
// path holds either its old contents or the complete new ones. On error the temporary file
// is removed and path is untouched; the error returned is the one that stopped the write,
// stripped of the temporary file's name (see Cause), for the caller to put in context.
func Write(path string, write func(io.Writer) error) (err error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return ErrIsDir
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
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
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
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
