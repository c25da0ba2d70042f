#!/usr/bin/env bash
# Builds the live viewer for the web into web/: foresight.wasm (cmd/foresight-web, built for
# WebAssembly on the pure-Go numeric path), Go's own wasm_exec.js from the toolchain, and
# index.html. Any static host serves the folder as it is; `bin/foresight web` serves it
# locally, at http://127.0.0.1:8080/ unless told otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
foresight_setup
mkdir -p web
GOOS=js GOARCH=wasm go build -o web/foresight.wasm ./cmd/foresight-web
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" web/
cp cmd/foresight-web/index.html web/
go build -buildvcs=auto -o bin/foresight ./cmd/foresight
echo "web/ holds the page ($(du -h web/foresight.wasm | cut -f1) of WebAssembly); serve it with: bin/foresight web"
