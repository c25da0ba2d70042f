package main

import (
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/sim"
)

// defaultFrameSize is the size of rendered frames unless --size says otherwise.
var defaultFrameSize = imageSize{640, 480}

var frameCommand = command{
	name:    "frame",
	args:    "--env ID --out FILE.png [--seed S] [--size WxH] [--param name=value ...]",
	summary: "render one frame of an environment to a PNG file",
	setup: func(fs *flag.FlagSet) action {
		var (
			env  envFlags
			out  string
			size = defaultFrameSize
		)
		env.define(fs, "reset the environment with this `seed` before drawing")
		fs.StringVar(&out, "out", "", "write the PNG to `file`")
		fs.Var(&size, "size", "image size in pixels, as `WxH`")
		return func(stdout, _ io.Writer) error {
			if out == "" {
				return usagef("--out is required")
			}
			e, err := env.make()
			if err != nil {
				return err
			}
			if err := writeFrame(out, e, env.seed, size); err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "wrote %s (%s, seed %d, %dx%d)\n", out, e.Spec().ID, env.seed, size.w, size.h)
			return err
		}
	},
}

// writeFrame resets env with seed and writes a PNG of its scene to path.
func writeFrame(path string, env envs.Env, seed uint64, size imageSize) error {
	env.Reset(seed)
	img := sim.RenderImage(env.Scene(), size.w, size.h)
	return writeFileAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
}

// writeFileAtomic writes a file through write: into a temporary file in the same directory,
// renamed to path once complete, so that path never holds a partial file. On error nothing is
// left behind.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("write %s: is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, cause(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("write %s: %w", path, cause(err))
		}
	}()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// cause strips the path from a file-system error, whose path may be a temporary file's.
func cause(err error) error {
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
