//go:build !amd64 || noasm

package sgemm

// kernel is the micro-kernel: kernelGo, where no assembly one exists.
var kernel = kernelGo
