#!/usr/bin/env bash
# Soak test, not run in CI: trains jepa online on CartPoleSwingup-v0 for a long budget of
# simulated experience (24h unless told otherwise), saving a checkpoint after every episode,
# and samples the process's resident memory, the experience so far and the checkpoint's
# size once a minute into OUT/soak.tsv. At the end it prints those figures at 1, 6 and 24
# simulated hours (those reached), the wall time, and whether any return was not finite.
#
# usage: scripts/soak.sh [BUDGET] [OUT]      (defaults: 24h out/soak; SOAK_EVERY=60 seconds)
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-24h}
out=${2:-out/soak}
every=${SOAK_EVERY:-60}
source scripts/setup.sh
foresight_setup
mkdir -p "$out"
go build -o "$out/foresight" ./cmd/foresight
rm -rf "$out/run"
OPENBLAS_NUM_THREADS=1 "$out/foresight" train --env CartPoleSwingup-v0 --agent jepa --seed 0 \
	--budget "$budget" --keep-going --checkpoint "$out/run" --json >"$out/result.json" 2>"$out/train.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' INT TERM
start=$(date +%s)
printf 'wall_s\texperience_s\trss_kib\tcheckpoint_bytes\n' >"$out/soak.tsv"
# seconds converts the h:mm:ss of a progress line to seconds.
seconds() { awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }' <<<"${1:-0:00:00}"; }
while kill -0 "$pid" 2>/dev/null; do
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
	clock=$(awk '/^episode/ { c = $4 } END { print c }' "$out/train.log")
	size=$(stat -c %s "$out/run/train.state" 2>/dev/null || echo 0)
	printf '%d\t%d\t%s\t%s\n' $(($(date +%s) - start)) "$(seconds "$clock")" "${rss:-0}" "$size" >>"$out/soak.tsv"
	sleep "$every"
done
status=0
wait "$pid" || status=$?
echo "soak: foresight train exited with status $status after $(($(date +%s) - start)) s of wall time"
for hours in 1 6 24; do
	awk -F'\t' -v mark=$((hours * 3600)) -v h=$hours 'NR > 1 && $2 >= mark && !done {
		printf "soak: at %d h of experience (%d s): resident memory %.1f MiB, checkpoint %.2f MiB, wall %d s\n", h, $2, $3 / 1024, $4 / 1048576, $1; done = 1 }' "$out/soak.tsv"
done
awk -F'\t' 'NR > 1 { if ($3 > max) max = $3 } END { printf "soak: peak resident memory %.1f MiB\n", max / 1024 }' "$out/soak.tsv"
if grep -aqiE 'return +(nan|[+-]?inf)' "$out/train.log"; then
	echo "soak: a return was not finite (see $out/train.log)"
	exit 1
fi
echo "soak: every return finite; samples in $out/soak.tsv"
exit "$status"
