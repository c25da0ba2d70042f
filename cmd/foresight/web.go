package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

var webCommand = command{
	name:    "web",
	args:    "[--addr HOST:PORT] [--dir DIR]",
	summary: "serve the live viewer's web page, built by scripts/web.sh, to watch an agent learn in a browser",
	setup: func(fs *flag.FlagSet) action {
		var addr, dir string
		fs.StringVar(&addr, "addr", "127.0.0.1:8080", "the `address` to serve on, HOST:PORT")
		pathVar(fs, &dir, "dir", "web", "the `folder` scripts/web.sh built")
		return func(stdout, _ io.Writer) error {
			h, err := webHandler(dir)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return usagef("--addr: %v", err)
			}
			fmt.Fprintf(stdout, "serving %s at http://%s/ (query: ?env=Pendulum-v0&agents=jepa,pets&seed=0&speed=max); Ctrl-C stops\n", dir, ln.Addr())
			srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
			return srv.Serve(ln)
		}
	},
}

// webFiles are the files of the web page, which scripts/web.sh builds.
var webFiles = []string{"index.html", "wasm_exec.js", "foresight.wasm"}

// webHandler returns a handler serving the web page in dir, or an error naming the first
// of its files dir lacks and how to build them.
func webHandler(dir string) (http.Handler, error) {
	for _, name := range webFiles {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s has no %s: build the page with scripts/web.sh", dir, name)
			}
			return nil, err
		}
	}
	return http.FileServer(http.Dir(dir)), nil
}
