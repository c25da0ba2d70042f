#!/usr/bin/env bash
# Runs the checks CI runs: formatting, go vet, the whole test suite (with the race detector
# when a C compiler is available, then without it the tests too slow for it) and a short run
# of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
foresight_setup

unformatted="$(gofmt -l .)"
if [ -n "$unformatted" ]; then
	echo "test: these files need gofmt -w:" >&2
	echo "$unformatted" >&2
	exit 1
fi

go vet ./...
# The web page's program and what it runs build for WebAssembly alone (scripts/web.sh).
GOOS=js GOARCH=wasm go vet ./cmd/foresight-web ./cmd/internal/viewer ./cmd/internal/live ./internal/pageyield

# gotest runs go test through gotestsum, which prints what go test prints for failures and
# ends with every skipped test and its reason, so that no skip goes unseen.
gotest() { go run gotest.tools/gotestsum@v1.13.0 --format pkgname-and-test-fails -- "$@"; }

if [ "$FORESIGHT_RACE" = 1 ]; then
	gotest -race -count=1 ./...
	# A test too slow for the race detector calls slowtest.SkipUnderRace, which skips it there
	# and fails it unless it is a top-level test whose name ends in Slow: run those here
	# without the detector, in every package that has one.
	mapfile -t slow < <(grep -rl --include='*_test.go' 'slowtest\.SkipUnderRace(' . | xargs -r -n1 dirname | sort -u)
	if [ ${#slow[@]} -gt 0 ]; then
		gotest -count=1 -run 'Slow$' "${slow[@]}"
	fi
	checks="go test -race, the tests too slow for it without"
else
	echo "test: no C compiler for cgo, so the tests run without the race detector (install gcc to enable it)" >&2
	gotest -count=1 ./...
	checks="go test without the race detector"
fi

bash scripts/fuzz.sh 3s
echo "test: all checks passed (gofmt, go vet natively and for WebAssembly, $checks, 3 s of each fuzz target)"
