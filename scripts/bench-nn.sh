#!/usr/bin/env bash
# Measures the training and inference speed of worldmodel/nn against PyTorch on one thread,
# side by side on this machine, and prints a Markdown table per network.
#
# The MLP is 64-256-256-64 with LayerNorm and SiLU on the hidden layers: a training step is
# forward, MSE, backward and Adam on a batch of 256; inference is timed at batches of 512 and
# 1. The convolutional network is TD-MPC2's pixel encoder on 9x64x64 inputs with a linear
# head to 64 values (worldmodel/nn/bench/torch_conv.py): training steps (MSE, AdamW) and
# forward passes at batches of 64 and 256. Go runs twice, with its default OpenBLAS backend
# and with the pure-Go one (the noopenblas tag); PyTorch runs the scripts in
# worldmodel/nn/bench with Debian's python3-torch, which this script installs when run as
# root (it is not part of scripts/setup.sh).
#
# The three take turns, round after round, so that a change in the machine's load affects
# them alike; each figure is the median over the rounds, in operations per second.
#
# PyTorch is tuned as worldmodel/nn/bench/torch_mlp.py explains: glibc keeps freed buffers
# (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_), OpenMP threads sleep when idle and
# OpenBLAS uses one thread. Go runs in the same environment.
#
# Usage: scripts/bench-nn.sh [--rounds N]   (default 5 rounds, about a minute each)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
foresight_setup

rounds=5
if [ "${1:-}" = --rounds ] && [[ "${2:-}" =~ ^[1-9][0-9]*$ ]]; then
	rounds=$2
elif [ $# -gt 0 ]; then
	echo "usage: scripts/bench-nn.sh [--rounds N]" >&2
	exit 2
fi

export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=4294967296
export OMP_WAIT_POLICY=passive OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

# torch_python prints a Python interpreter that can import torch, installing Debian's
# python3-torch first when that is possible.
torch_python() {
	local py
	for py in /usr/bin/python3 python3; do
		if "$py" -c 'import torch' >/dev/null 2>&1; then
			echo "$py"
			return 0
		fi
	done
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		foresight_note "installing python3-torch for the comparison (about 1 GB)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch >&2 &&
			/usr/bin/python3 -c 'import torch' >/dev/null 2>&1 && echo /usr/bin/python3 && return 0
	fi
	foresight_note "PyTorch is missing, so only Go is measured; install it with: sudo apt-get install python3-torch"
	return 1
}

# go_bench runs the Go benchmarks once with extra go test flags and prints a
# "<measure> <ops/s>" line for each, the measures named as torch_mlp.py names them.
go_bench() {
	go test "$@" ./worldmodel/nn -run '^$' -bench '^Benchmark(TrainStep|Infer|ConvTrainStep|ConvInfer)$' -cpu 1 -count 1 |
		awk '$1 ~ /^Benchmark/ {
			name = $1
			sub(/^BenchmarkTrainStep$/, "train-b256", name)
			sub(/^BenchmarkInfer\/b/, "forward-b", name)
			sub(/^BenchmarkConvTrainStep\/b/, "conv-train-b", name)
			sub(/^BenchmarkConvInfer\/b/, "conv-forward-b", name)
			for (i = 2; i < NF; i++) if ($(i + 1) == "ops/s") print name, $i
		}'
}

load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)"
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
	foresight_note "the load average is $load: other processes are running, so all figures will be low"
fi
py="$(torch_python)" || py=""
torch_version=""
[ -n "$py" ] && torch_version="$("$py" -c 'import torch; print(torch.__version__)')"

# Every measurement goes to raw as "<path> <measure> <ops/s>".
raw="$(mktemp)"
trap 'rm -f "$raw"' EXIT
for round in $(seq "$rounds"); do
	foresight_note "round $round of $rounds"
	go_bench | sed 's/^/openblas /' >>"$raw"
	go_bench -tags noopenblas | sed 's/^/go /' >>"$raw"
	if [ -n "$py" ]; then
		"$py" worldmodel/nn/bench/torch_mlp.py --threads 1 --seconds 1 --samples 5 |
			awk '$1 == "torch" && $2 != "version"' >>"$raw"
		"$py" worldmodel/nn/bench/torch_conv.py --threads 1 --seconds 2 --samples 3 |
			awk '$1 == "torch" && $2 != "version"' >>"$raw"
	fi
done

# median prints the median of the measurements of a path and measure, or "-" without any.
median() {
	awk -v p="$1" -v m="$2" '$1 == p && $2 == m { print $3 }' "$raw" | sort -g |
		awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}

# label prints the name of a path in the tables.
label() {
	case $1 in
	openblas) echo "Go, OpenBLAS + C kernels (default)" ;;
	go) echo "Go, pure (\`CGO_ENABLED=0\` or \`-tags noopenblas\`)" ;;
	torch) echo "PyTorch ${torch_version:-(not installed)}, tuned" ;;
	esac
}

cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
echo
echo "64-256-256-64 LayerNorm+SiLU MLP, one thread, ${cpu:-this machine}, median of $rounds rounds (ops/s):"
echo
echo "| Path | Train steps/s (batch 256, Adam) | Forward/s, batch 512 | Forward/s, batch 1 |"
echo "|---|---|---|---|"
for path in openblas go torch; do
	printf '| %s | %s | %s | %s |\n' "$(label $path)" "$(median $path train-b256)" \
		"$(median $path forward-b512)" "$(median $path forward-b1)"
done
echo
echo "TD-MPC2 pixel encoder (9x64x64; conv 7/2, 5/2, 3/2, 3/1, 32 channels, ReLU) + linear head to 64, one thread, median of $rounds rounds (ops/s):"
echo
echo "| Path | Train steps/s, batch 64 (AdamW) | batch 256 | Forward/s, batch 64 | batch 256 |"
echo "|---|---|---|---|---|"
for path in openblas go torch; do
	printf '| %s | %s | %s | %s | %s |\n' "$(label $path)" "$(median $path conv-train-b64)" \
		"$(median $path conv-train-b256)" "$(median $path conv-forward-b64)" "$(median $path conv-forward-b256)"
done
