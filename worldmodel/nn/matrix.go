package nn

import "fmt"

// Float is the element type of matrices and networks: float32 for speed, float64 where
// precision matters more, as in the gradient checks.
type Float interface{ float32 | float64 }

// Matrix is a dense row-major matrix: row i is Data[i*Cols : (i+1)*Cols]. A batch is a
// matrix with one example per row.
type Matrix[T Float] struct {
	Rows, Cols int
	Data       []T
}

// NewMatrix returns a zeroed rows×cols matrix. It panics if either size is negative.
func NewMatrix[T Float](rows, cols int) Matrix[T] {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("nn: NewMatrix(%d, %d): negative size", rows, cols))
	}
	return Matrix[T]{Rows: rows, Cols: cols, Data: make([]T, rows*cols)}
}

// MatrixOf returns a rows×cols matrix that uses data as its storage, without copying. It
// panics unless len(data) is rows*cols.
func MatrixOf[T Float](rows, cols int, data []T) Matrix[T] {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic(fmt.Sprintf("nn: MatrixOf(%d, %d): data has %d elements", rows, cols, len(data)))
	}
	return Matrix[T]{Rows: rows, Cols: cols, Data: data}
}

// Row returns row i as a slice of the matrix's storage.
func (m Matrix[T]) Row(i int) []T { return m.Data[i*m.Cols : (i+1)*m.Cols] }

// Reshape makes m a rows×cols matrix, reusing its storage when it is large enough and
// growing it otherwise, so that a buffer stops allocating once it has held the largest batch.
// The contents are not preserved.
func (m *Matrix[T]) Reshape(rows, cols int) {
	m.Rows, m.Cols = rows, cols
	m.Data = grow(m.Data, rows*cols)
}

// grow returns s resliced to length n, reallocating only when its capacity is too small.
func grow[T Float](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// mustShape panics with a message naming op unless m is rows×cols with enough data.
func mustShape[T Float](op, name string, m Matrix[T], rows, cols int) {
	if m.Rows != rows || m.Cols != cols || len(m.Data) < rows*cols {
		panic(fmt.Sprintf("nn: %s: %s is %d×%d (%d elements), want %d×%d",
			op, name, m.Rows, m.Cols, len(m.Data), rows, cols))
	}
}
