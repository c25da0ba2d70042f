# Conveniences; the README's commands are the scripts, which work without make.
export PATH := $(PATH):/usr/local/go/bin

.PHONY: run build test bench

# run builds foresight and runs the headless demo (frames go to out/).
run:
	./scripts/demo.sh

# build builds bin/foresight.
build:
	go build -buildvcs=auto -o bin/foresight ./cmd/foresight

# test runs gofmt, go vet and the tests, as CI does.
test:
	./scripts/test.sh

# bench runs the benchmarks without the tests.
bench:
	go test -run '^$$' -bench . -benchmem ./...
