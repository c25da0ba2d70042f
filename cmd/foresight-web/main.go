//go:build js

// Command foresight-web is the live viewer in a web page: built for WebAssembly by
// scripts/web.sh and served with foresight web, it learns in the page from scratch on the
// pure-Go numeric path. The page's query chooses what runs, as foresight watch's flags do:
// ?env=Pendulum-v0&agents=jepa,pets&seed=3&speed=max (defaults: jepa learning
// CartPoleSwingup-v0 from seed 0 at ×1).
package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"syscall/js"
	"time"

	"github.com/foresight-sim/foresight/cmd/internal/live"
	"github.com/foresight-sim/foresight/cmd/internal/show"
	"github.com/foresight-sim/foresight/cmd/internal/viewer"
)

func main() {
	if err := run(); err != nil {
		fail(err.Error())
	}
}

// run starts the viewer on what the page's query asks for.
func run() error {
	l, err := launch(js.Global().Get("location").Get("search").String())
	if err != nil {
		return err
	}
	cfgs, err := l.Configs()
	if err != nil {
		return err
	}
	return viewer.Run(cfgs, viewer.Options{Width: l.Width, Height: l.Height, Drawn: showStatus})
}

// lastStatus is when the page's title last changed.
var lastStatus time.Time

// showStatus writes where the learner stands into the page's title twice a second, for the
// tab and for tests that drive a browser: "Foresight · Pendulum-v0 · jepa · experience
// 0:01:10 · episode 8".
func showStatus(f *live.Frame) {
	if time.Since(lastStatus) < 500*time.Millisecond {
		return
	}
	lastStatus = time.Now()
	js.Global().Get("document").Set("title", fmt.Sprintf("Foresight · %s · %s · experience %s · episode %d",
		f.Env, f.Agent, show.Clock(f.Experience), f.Episodes+1))
}

// launch returns the launch a page query such as "?env=Pendulum-v0&agents=jepa" describes,
// in a window the size of the page, or an error naming what is wrong.
func launch(search string) (live.Launch, error) {
	q, err := url.ParseQuery(strings.TrimPrefix(search, "?"))
	if err != nil {
		return live.Launch{}, err
	}
	get := func(key, def string) string {
		if v := q.Get(key); v != "" {
			return v
		}
		return def
	}
	seed, err := strconv.ParseUint(get("seed", "0"), 10, 64)
	if err != nil {
		return live.Launch{}, err
	}
	win := js.Global()
	return live.Launch{Env: get("env", "CartPoleSwingup-v0"), Agents: strings.Split(get("agents", "jepa"), ","),
		Seed: seed, Speed: get("speed", "1"),
		Width: win.Get("innerWidth").Int(), Height: win.Get("innerHeight").Int()}, nil
}

// fail shows msg in the page, and on the console.
func fail(msg string) {
	js.Global().Get("console").Call("error", "foresight: "+msg)
	doc := js.Global().Get("document")
	p := doc.Call("createElement", "p")
	p.Set("textContent", "Foresight could not start: "+msg)
	doc.Get("body").Call("appendChild", p)
}
