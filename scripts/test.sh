#!/usr/bin/env bash
# Runs the checks CI runs: formatting, go vet, the whole test suite (with the race detector
# when a C compiler is available) and a short run of every fuzz target.
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

if [ "$FORESIGHT_RACE" = 1 ]; then
	go test -race -count=1 ./...
	checks="go test -race"
else
	echo "test: no C compiler for cgo, so the tests run without the race detector (install gcc to enable it)" >&2
	go test -count=1 ./...
	checks="go test without the race detector"
fi

bash scripts/fuzz.sh 3s
echo "test: all checks passed (gofmt, go vet, $checks, 3 s of each fuzz target)"
