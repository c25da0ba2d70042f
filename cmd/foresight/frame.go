package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/foresight-sim/foresight/envs"
	"github.com/foresight-sim/foresight/internal/safefile"
	"github.com/foresight-sim/foresight/sim"
)

// defaultFrameSize is the size of rendered frames unless --size says otherwise.
var defaultFrameSize = imageSize{640, 480}

var frameCommand = command{
	name:    "frame",
	args:    "--env ID --out FILE.png [--seed S] [--size WxH] [--obs pixels [--pixels WxH] [--distract KIND]] [--param name=value ...]",
	summary: "render one frame of an environment to a PNG file",
	setup: func(fs *flag.FlagSet) action {
		var (
			env  envFlags
			out  string
			size = defaultFrameSize
		)
		env.define(fs, "reset the environment with this `seed` before drawing")
		pathVar(fs, &out, "out", "", "write the PNG to `file`")
		fs.Var(&size, "size", "image size in pixels, as `WxH`")
		return func(stdout, _ io.Writer) error {
			if out == "" {
				return usagef("--out is required")
			}
			e, err := env.make()
			if err != nil {
				return err
			}
			b, err := writeFrame(out, e, env.seed, size)
			if err != nil {
				return err
			}
			what := ""
			if envs.PixelsOf(e) != nil {
				what = ", the agent's view"
			}
			_, err = fmt.Fprintf(stdout, "wrote %s (%s, seed %d, %dx%d%s)\n", out, e.Spec().ID, env.seed, b.Dx(), b.Dy(), what)
			return err
		}
	},
}

// writeFrame resets env with seed and writes a PNG of its scene at size to path, or, for
// an environment observed in pixels, of the frame the agent sees, at its own size. It
// returns the image's bounds.
func writeFrame(path string, env envs.Env, seed uint64, size imageSize) (image.Rectangle, error) {
	env.Reset(seed)
	var img image.Image
	if p := envs.PixelsOf(env); p != nil {
		img = p.Newest()
	} else {
		img = sim.RenderImage(env.Scene(), size.w, size.h)
	}
	if err := safefile.Write(path, func(w io.Writer) error { return png.Encode(w, img) }); err != nil {
		return img.Bounds(), fmt.Errorf("write %s: %w", path, err)
	}
	return img.Bounds(), nil
}
