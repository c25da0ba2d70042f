package nn

import (
	"math"
	"unsafe"
)

// elemSize returns the size of T in bytes.
func elemSize[T Float]() int {
	var zero T
	return int(unsafe.Sizeof(zero))
}

// is32 reports whether T is float32. The compiler resolves it when it instantiates a generic
// function, so a branch on it costs nothing in a loop.
func is32[T Float]() bool { return elemSize[T]() == 4 }

// exp returns e**x: through exp32 for float32 and math.Exp for float64.
func exp[T Float](x T) T {
	if is32[T]() {
		return T(exp32(float32(x)))
	}
	return T(math.Exp(float64(x)))
}

// sqrt returns the square root of x, computed in x's own precision.
func sqrt[T Float](x T) T {
	if is32[T]() {
		return T(float32(math.Sqrt(float64(x)))) // compiled to one single-precision SQRTSS
	}
	return T(math.Sqrt(float64(x)))
}

// sigmoid returns 1/(1+e**-x).
func sigmoid[T Float](x T) T { return 1 / (1 + exp(-x)) }

// Range and constants of exp32. Above expMax e**x overflows float32; below expMin it is under
// 2**-125 and exp32 returns 0.
const (
	expMax   = 88.72283
	expMin   = -86.64
	log2e    = 1.44269504088896341
	ln2Hi    = 0.693359375 // ln 2 split in two so that n*ln2Hi is exact for |n| < 2**9
	ln2Lo    = -2.12194440e-4
	roundMag = 12582912 // 1.5×2**23: adding it rounds a float32 in (-2**22, 2**22) to an integer
)

// exp32 returns e**x in float32 with a relative error of about 1e-7, the accuracy of float32
// itself, at a fraction of the cost of math.Exp; it returns 0 below expMin, where e**x is
// under 2**-125. It splits x into n·ln2 + r with |r| ≤ ln2/2, takes e**r from a degree-6
// polynomial (Cephes' expf coefficients) and scales by 2**n through the exponent bits, in two
// factors so that n = 128 does not overflow the exponent field.
func exp32(x float32) float32 {
	switch {
	case x > expMax:
		return float32(math.Inf(1))
	case x < expMin:
		return 0
	case x != x:
		return x
	}
	t := x*log2e + roundMag
	n := int32(math.Float32bits(t)) - int32(math.Float32bits(roundMag))
	fn := t - roundMag
	r := x - fn*ln2Hi - fn*ln2Lo
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+
		1.6666665459e-1)*r + 5.0000001201e-1
	p = p*r*r + r + 1
	return p * 2 * math.Float32frombits(uint32(n+126)<<23)
}
