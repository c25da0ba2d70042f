#!/usr/bin/env bash
# Runs every fuzz target (func FuzzX in a _test.go file) for a while each: 3 seconds unless
# told otherwise, as the test script does, or longer to hunt, e.g. scripts/fuzz.sh 10m.
# A failing input is written under the package's testdata/fuzz/, where go test replays it
# from then on; commit it with the fix.
#
# usage: scripts/fuzz.sh [DURATION] [PATTERN]   (PATTERN selects targets by name, a regexp)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-3s}
pattern=${2:-.}
source scripts/setup.sh
foresight_setup
targets=$(grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
	grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | sed "s|^func |$(dirname "$file") |"
done)
count=0
while read -r pkg name; do
	[[ $name =~ $pattern ]] || continue
	echo "fuzz: $pkg $name for $fuzztime"
	go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime 2s 2>&1 | grep -v '^fuzz: elapsed' || {
		echo "fuzz: $name failed; the input is under $pkg/testdata/fuzz/$name/" >&2
		exit 1
	}
	count=$((count + 1))
done <<<"$targets"
echo "fuzz: $count targets passed, $fuzztime each"
