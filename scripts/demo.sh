#!/usr/bin/env bash
# Builds foresight and runs the headless demo: a random agent on every environment, with its
# success rate and mean return, and a PNG frame of each environment in out/. Extra arguments
# go to `foresight demo`, for example --episodes 50.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
foresight_setup
go build -o bin/foresight ./cmd/foresight
exec bin/foresight demo --out out "$@"
