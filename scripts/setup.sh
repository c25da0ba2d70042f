#!/usr/bin/env bash
# Prepares a Debian or Ubuntu machine to build and test Foresight: finds Go, installs the
# system packages the project needs and downloads the Go modules. It is quiet when everything
# is already in place, and safe to run again.
#
# demo.sh and test.sh source it; it can also be run on its own. After it, `go` is on PATH and
# FORESIGHT_RACE is 1 when `go test -race` can run (it needs cgo and a C compiler), else 0.

# System packages, in one place: gcc and libc6-dev let `go test -race` use cgo; git and
# ca-certificates let Go fetch modules and toolchains; libopenblas-dev gives worldmodel/nn its
# fast matrix products when cgo is on (CGO_ENABLED=0 or -tags noopenblas build without it);
# the GL and X11 headers are what Ebiten's window (foresight watch) builds against, Xvfb
# with xauth runs that window headless in the tests, and Chromium runs the web page
# (foresight web) headless in them.
FORESIGHT_APT_PACKAGES="ca-certificates git gcc libc6-dev libopenblas-dev
	libgl1-mesa-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev
	xvfb xauth chromium"

foresight_note() { echo "setup: $*" >&2; }

# foresight_go_version prints the `go` line of go.mod, such as 1.26.8.
foresight_go_version() { awk '$1 == "go" { print $2; exit }' go.mod; }

# foresight_find_go puts a Go toolchain able to build the module on PATH, or explains how to
# get one and fails.
foresight_find_go() {
	if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
		export PATH="$PATH:/usr/local/go/bin"
	fi
	local want minor have
	want="$(foresight_go_version)"
	minor="$(echo "$want" | cut -d. -f1,2)"
	have="$(go env GOVERSION 2>/dev/null | sed 's/^go//')"
	if [ -n "$have" ] && foresight_version_at_least "$have" "$minor"; then
		return 0
	fi
	if [ -n "$have" ] && foresight_version_at_least "$have" 1.21; then
		# Go 1.21 and later download the toolchain go.mod asks for through the module proxy.
		foresight_note "Go $have found; Go will fetch go$want through the module proxy (GOTOOLCHAIN=auto)"
		export GOTOOLCHAIN=auto
		return 0
	fi
	local arch found="no Go was found" sudo=""
	arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
	[ -n "$have" ] && found="only Go $have was found"
	[ "$(id -u)" -ne 0 ] && sudo="sudo "
	cat >&2 <<MSG
setup: Foresight needs Go $minor or newer, and $found.
Install it from https://go.dev/dl/ (Debian's and Ubuntu's golang-go packages are too old):

    ${sudo}rm -rf /usr/local/go
    curl -fsSL https://go.dev/dl/go$want.linux-$arch.tar.gz | ${sudo}tar -C /usr/local -xz
    export PATH="\$PATH:/usr/local/go/bin"

then run this command again.
MSG
	return 1
}

# foresight_version_at_least reports whether version $1 (like 1.26.8) is at least $2 (like 1.26).
foresight_version_at_least() {
	[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# foresight_apt installs the missing packages of FORESIGHT_APT_PACKAGES when root, and
# otherwise says how to install them.
foresight_apt() {
	command -v dpkg >/dev/null 2>&1 || return 0 # not Debian or Ubuntu: nothing to check
	local missing=() pkg
	for pkg in $FORESIGHT_APT_PACKAGES; do
		dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		foresight_note "missing packages; install them with:"
		echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
		return 0
	fi
	foresight_note "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	local log
	if ! log="$({ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } 2>&1)"; then
		echo "$log" >&2
		foresight_note "apt-get failed; continuing with what is installed"
	fi
}

# foresight_race sets FORESIGHT_RACE to 1 when the race detector can run.
foresight_race() {
	FORESIGHT_RACE=0
	if [ "$(go env CGO_ENABLED)" = 1 ] && command -v "$(go env CC)" >/dev/null 2>&1; then
		FORESIGHT_RACE=1
	fi
	export FORESIGHT_RACE
}

# foresight_tags turns off, with build tags, the parts whose C headers are missing when cgo
# is on, so that the build still works: OpenBLAS (-tags noopenblas: pure-Go networks, slower)
# and the viewer's window (-tags noviewer: foresight watch then says it cannot open one).
foresight_tags() {
	[ "$(go env CGO_ENABLED)" = 1 ] || return 0
	local tags=() cc
	cc="$(go env CC)"
	if ! echo '#include <cblas.h>' | "$cc" -E -x c - >/dev/null 2>&1; then
		foresight_note "OpenBLAS headers not found: building the pure-Go networks (-tags noopenblas)"
		tags+=(noopenblas)
	fi
	if ! echo '#include <X11/extensions/Xrandr.h>' | "$cc" -E -x c - >/dev/null 2>&1; then
		foresight_note "X11 headers not found: building without the viewer's window (-tags noviewer)"
		tags+=(noviewer)
	fi
	[ ${#tags[@]} -eq 0 ] && return 0
	local IFS=,
	export GOFLAGS="${GOFLAGS:+$GOFLAGS }-tags=${tags[*]}"
}

foresight_setup() {
	cd "$(dirname "${BASH_SOURCE[0]}")/.." || return 1
	foresight_find_go || return 1
	foresight_apt
	foresight_race
	foresight_tags
	local log
	if ! log="$(go mod download 2>&1)"; then
		echo "$log" >&2
		foresight_note "go mod download failed: is the network or a module proxy (GOPROXY) reachable?"
		return 1
	fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	foresight_setup
fi
