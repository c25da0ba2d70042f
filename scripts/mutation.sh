#!/usr/bin/env bash
# Mutation testing, not run in CI (it takes about an hour per package on two cores): plants
# small bugs one at a time with gremlins (github.com/go-gremlins/gremlins, pinned below) in
# each chosen package, runs that package's tests against each, and reports the mutation
# score with every mutant that survived. The score is gremlins' efficacy, killed / (killed +
# lived); mutants that ran past the time limit are counted apart, as are those no test runs. See
# docs/testing.md for the scores and docs/decisions/testing.md for how to read them.
#
# usage: scripts/mutation.sh [TARGET...]
#   TARGET is envs, agent, nn (worldmodel/nn), stats (the bench statistics) or any package
#   directory; default: envs agent nn stats.
#   MUTATION_TIMEOUT  limit per target (default 90m); a target cut short reports what it did.
#   MUTATION_WORKERS  mutants tested at once (default 1; each runs its tests on every core).
#   MUTATION_OUT      where the logs go (default out/mutation): TARGET.log holds every mutant,
#                     TARGET.lived the survivors, summary.tsv one line per target.
#   MUTATION_MEM_MB   resident memory past which a mutant's test binary is killed (default
#                     6144): a mutant that appends in an endless loop would otherwise exhaust
#                     the machine's memory before its time limit; the kill fails its tests.
set -euo pipefail
cd "$(dirname "$0")/.."
gremlins=github.com/go-gremlins/gremlins/cmd/gremlins@v0.6.0
limit=${MUTATION_TIMEOUT:-90m}
workers=${MUTATION_WORKERS:-1}
out=${MUTATION_OUT:-out/mutation}
mem=${MUTATION_MEM_MB:-6144}
source scripts/setup.sh
foresight_setup
mkdir -p "$out"
out=$(cd "$out" && pwd)
GOBIN="$out/bin" go install "$gremlins"
[ -f "$out/summary.tsv" ] || printf 'target\tkilled\ttimed_out\tlived\tnot_covered\tnot_viable\tscore\tcomplete\twall_s\n' >"$out/summary.tsv"

# package prints the package directory of a target and, after semicolons, a regexp of files
# gremlins must leave alone and the build tags to test it with.
package() {
	case $1 in
	envs) echo './envs;;' ;;
	agent) echo './agent;;' ;;
	# gremlins mutates Go, not C, and with cgo every mutant would recompile kernels.c (about
	# ten seconds each). The Go kernels run float32 too under noopenblas; kernels_test.go
	# holds the C kernels to them.
	nn) echo './worldmodel/nn;;noopenblas' ;;
	# The statistics are one file of the bench package; its storage and plotting are not.
	stats) echo './cmd/foresight/internal/bench;(^|/)(check|lock_other|lock_unix|plot|record|run|store|summary|trial)\.go$;' ;;
	*) echo "./${1#./};;" ;;
	esac
}

# guard kills every test binary (NAME.test) whose resident memory passes mem MiB.
guard() {
	while sleep 2; do
		ps -eo pid=,rss=,comm= | awk -v max=$((mem * 1024)) '$3 ~ /\.test$/ && $2 > max { print $1 }' |
			xargs -r kill -9 2>/dev/null || true
	done
}
guard &
guard_pid=$!
trap 'kill $guard_pid 2>/dev/null' EXIT

[ $# -gt 0 ] || set -- envs agent nn stats
for target in "$@"; do
	IFS=';' read -r dir exclude tags <<<"$(package "$target")"
	[ -d "$dir" ] || { echo "mutation: no package directory $dir for target $target" >&2; exit 2; }
	name=$(tr '/' '_' <<<"${target#./}")
	args=(unleash "$dir" --workers "$workers" --timeout-coefficient 10)
	[ -z "$exclude" ] || args+=(--exclude-files "$exclude")
	[ -z "$tags" ] || args+=(--tags "$tags")
	echo "mutation: $target ($dir), at most $limit"
	start=$(date +%s)
	status=0
	# -count=1: gremlins times each mutant against its first test run, which must not come
	# from Go's test cache.
	GOFLAGS=-count=1 timeout "$limit" "$out/bin/gremlins" "${args[@]}" >"$out/$name.log" 2>&1 || status=$?
	complete=yes
	if [ "$status" = 124 ]; then
		complete=no
	elif [ "$status" != 0 ]; then
		tail -5 "$out/$name.log" >&2
		echo "mutation: gremlins failed on $target (exit $status)" >&2
		exit 1
	fi
	grep -a ' LIVED ' "$out/$name.log" | sed 's/^ *//' >"$out/$name.lived" || true
	awk -v t="$target" -v c="$complete" -v w=$(($(date +%s) - start)) '
		/^ *KILLED /      { k++ }
		/^ *TIMED OUT /   { o++ }
		/^ *LIVED /       { l++ }
		/^ *NOT COVERED / { n++ }
		/^ *NOT VIABLE /  { v++ }
		END {
			score = k + l ? sprintf("%.1f", 100 * k / (k + l)) : "-"
			printf "%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%d\n", t, k, o, l, n, v, score, c, w
			printf "mutation: %s: %s%% of mutants killed (%d killed, %d timed out, %d lived; %d not covered, %d not viable)%s\n",
				t, score, k, o, l, n, v, c == "yes" ? "" : ", cut short by the time limit" > "/dev/stderr"
		}' "$out/$name.log" >>"$out/summary.tsv"
	echo "mutation: survivors of $target in $out/$name.lived"
done
