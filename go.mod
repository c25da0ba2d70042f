module github.com/foresight-sim/foresight

go 1.26.0

require (
	github.com/ByteArena/box2d v1.0.2
	golang.org/x/image v0.48.0
	gonum.org/v1/gonum v0.17.0
)

require golang.org/x/sys v0.50.0 // indirect
