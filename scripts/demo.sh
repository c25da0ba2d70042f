#!/usr/bin/env bash
# The main command: builds foresight and its viewer, and opens the live viewer on an agent
# learning cart-pole swing-up from scratch (keys: ? for help). Extra arguments go to
# `foresight watch`, for example --env Pendulum-v0 --agent pets. With --demo first, it runs
# the headless demo below before the viewer opens, even where there is a display.
#
# With no display (DISPLAY unset: the viewer opens its window through X11, or XWayland), or
# where the viewer cannot be built, it says so in one line and runs the headless demo
# instead: jepa learns Pendulum-v0 and then CartPoleSwingup-v0 from scratch, about two
# minutes in all, and out/ receives a GIF of each before and after learning, with what the
# agent imagines, and its learning curve.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
foresight_setup
# -buildvcs=auto stamps the commit into the binary, for the records foresight bench writes,
# even where GOFLAGS turns stamping off.
go build -buildvcs=auto -o bin/foresight ./cmd/foresight

headless() {
	echo "demo: $1; running the headless demo instead" >&2
	exec bin/foresight demo --out out
}

demo_first=
if [ "${1:-}" = "--demo" ]; then
	demo_first=1
	shift
fi
if [ -z "${DISPLAY:-}" ]; then
	headless "no display to open the viewer on"
fi
rm -f bin/foresight-watch
go build -o bin/foresight-watch ./cmd/foresight-watch 2>/dev/null || true
if [ ! -x bin/foresight-watch ]; then
	headless "the viewer could not be built here (it needs cgo and the X11 and GL headers)"
fi
if [ -n "$demo_first" ]; then
	bin/foresight demo --out out
fi
exec bin/foresight watch "$@"
