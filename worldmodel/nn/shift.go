package nn

import (
	"fmt"
	"math/rand/v2"
)

// RandomShift sets each row of dst to the image in the same row of src, of shape s, moved by
// a whole number of pixels drawn uniformly from [-pad, pad] with rng along each axis, the
// pixels that come in from outside copying the nearest edge pixel: the augmentation of DrQ
// and TD-MPC2 (pad by repeating the edges, then crop at random). dst and src must not
// overlap. It panics if their shapes differ from each other or from s, or pad is negative.
func RandomShift[T Float](dst, src Matrix[T], s Shape, pad int, rng *rand.Rand) {
	mustShape("RandomShift", "src", src, src.Rows, s.Size())
	mustShape("RandomShift", "dst", dst, src.Rows, s.Size())
	if pad < 0 {
		panic(fmt.Sprintf("nn: RandomShift by %d pixels", pad))
	}
	for i := range src.Rows {
		dy, dx := rng.IntN(2*pad+1)-pad, rng.IntN(2*pad+1)-pad
		shift(dst.Row(i), src.Row(i), s, dy, dx)
	}
}

// shift sets dst[h, w] to src[h+dy, w+dx], each index clamped to the image, for images of
// shape s.
func shift[T Float](dst, src []T, s Shape, dy, dx int) {
	c, row := s.C, s.W*s.C
	// The pixels w whose source w+dx lies inside the row are [lo, hi).
	lo, hi := min(s.W, max(0, -dx)), max(0, min(s.W, s.W-dx))
	for h := range s.H {
		from := src[min(s.H-1, max(0, h+dy))*row:][:row]
		to := dst[h*row:][:row]
		if lo < hi {
			copy(to[lo*c:hi*c], from[(lo+dx)*c:(hi+dx)*c])
		}
		for w := range lo {
			copy(to[w*c:(w+1)*c], from[:c])
		}
		for w := hi; w < s.W; w++ {
			copy(to[w*c:(w+1)*c], from[row-c:])
		}
	}
}
