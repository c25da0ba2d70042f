//go:build cgo && !noopenblas

// The C kernels exist because Go does not vectorise loops: the compiler turns each of these
// loops into SIMD code (AVX2 and FMA where the processor has them, picked at load time), which
// makes the element-wise work of a training step several times cheaper than the same Go.
// They compute what the Go kernels compute, sometimes by other formulas that vectorise
// better; TestGradientsFloat32 checks them against the float64 Go kernels.

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"

// These kernels never read floating-point exception flags, so the compiler may ignore them,
// which it must do to vectorise selects such as those of fs_exp. (cgo refuses the option
// -fno-trapping-math on the command line.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

// FS_CLONES compiles a function twice on x86-64 with GCC, for AVX2+FMA processors and for
// the rest, and lets the dynamic loader pick one.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FS_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define FS_CLONES
#endif

#define FS_INLINE static inline __attribute__((always_inline))

// Constants of the Go kernels: exp32's (scalar.go), lnEps (kernels.go), mishClamp
// (activation.go).
#define EXP_MIN -86.64f
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO -2.12194440e-4f
#define ROUND_MAG 12582912.0f
#define LN_EPS 1e-5f
#define MISH_CLAMP 20.0f

FS_INLINE uint32_t bits(float f) {
	uint32_t u;
	memcpy(&u, &f, sizeof u);
	return u;
}

FS_INLINE float from_bits(uint32_t u) {
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

// fs_exp is exp32 without branches, so that it vectorises, and without the upper bound: x
// must stay below 88.7, where e**x overflows, and the callers pass at most 20 (SiLU passes
// -|v|, ELU min(v, 0) and Mish min(v, 20)). Below EXP_MIN it returns about 2e-38, not 0.
FS_INLINE float fs_exp(float x) {
	x = x < EXP_MIN ? EXP_MIN : x;
	float t = x * LOG2E + ROUND_MAG;
	int32_t n = (int32_t)(bits(t) - bits(ROUND_MAG));
	float fn = t - ROUND_MAG;
	float r = x - fn * LN2_HI - fn * LN2_LO;
	float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r +
	            4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f;
	p = p * r * r + r + 1;
	return p * 2 * from_bits((uint32_t)(n + 126) << 23);
}

// fs_sqrt returns the square root of x ≥ 0 to float precision, as x·(1/√x) with 1/√x from
// the classic bit-level estimate refined by three Newton steps (relative errors 3e-2, 2e-3,
// 5e-6, then float rounding). sqrtf does not vectorise, because it may set errno and cgo
// refuses -fno-math-errno; this does. It returns 0 for 0.
FS_INLINE float fs_sqrt(float x) {
	float y = from_bits(0x5f3759df - (bits(x) >> 1));
	for (int i = 0; i < 3; i++) y = y * (1.5f - 0.5f * x * y * y);
	return x * y;
}

// activate is activate in activation.go. want_d is a constant at every call, so each call
// compiles to a loop with or without the derivative.
FS_INLINE void activate(int act, float *y, float *d, int n, const int want_d) {
	switch (act) {
	case FS_SILU:
#pragma omp simd
		for (int j = 0; j < n; j++) {
			// σ(v) from e = e**-|v| ≤ 1: 1/(1+e) for v ≥ 0, e/(1+e) below. It is the same
			// number as 1/(1+e**-v) and needs no upper clamp in fs_exp, which makes the
			// loop about twice as fast.
			float v = y[j], e = fs_exp(-fabsf(v)), q = 1 / (1 + e), s = v >= 0 ? q : e * q;
			y[j] = v * s;
			if (want_d) d[j] = s * (1 + v * (1 - s));
		}
		break;
	case FS_ELU:
#pragma omp simd
		for (int j = 0; j < n; j++) {
			float v = y[j], e = fs_exp(v < 0 ? v : 0);
			y[j] = v > 0 ? v : e - 1;
			if (want_d) d[j] = v > 0 ? 1 : e;
		}
		break;
	case FS_MISH:
#pragma omp simd
		for (int j = 0; j < n; j++) {
			float v = y[j], e = fs_exp(v < MISH_CLAMP ? v : MISH_CLAMP);
			float q = e * (e + 2), t = q / (q + 2);
			y[j] = v * t;
			if (want_d) d[j] = t + v * (e / (1 + e)) * (1 - t * t);
		}
		break;
	case FS_RELU:
#pragma omp simd
		for (int j = 0; j < n; j++) {
			float v = y[j];
			y[j] = v > 0 ? v : 0;
			if (want_d) d[j] = v > 0 ? 1 : 0;
		}
		break;
	}
}

// normalize is normalize in kernels.go on a row that still lacks its bias: it adds bias,
// normalises, and writes gain·x̂ + shift to a.
FS_INLINE float normalize(float *z, float *a, int n, const float *bias, const float *gain,
                          const float *shift) {
	float sum = 0, var = 0;
#pragma omp simd reduction(+ : sum)
	for (int j = 0; j < n; j++) {
		z[j] += bias[j];
		sum += z[j];
	}
	float mean = sum / n;
#pragma omp simd reduction(+ : var)
	for (int j = 0; j < n; j++) {
		float c = z[j] - mean;
		z[j] = c;
		var += c * c;
	}
	float rstd = 1 / sqrtf(var / n + LN_EPS); // once a row: not worth vectorising
#pragma omp simd
	for (int j = 0; j < n; j++) {
		float x = z[j] * rstd;
		z[j] = x;
		a[j] = gain[j] * x + shift[j];
	}
	return rstd;
}

FS_CLONES void fs_rows_forward(int rows, int n, int act, float *z, float *a, float *d, float *rstd,
                               const float *bias, const float *gain, const float *shift) {
	for (int r = 0; r < rows; r++) {
		size_t off = (size_t)r * n;
		float *zr = z + off, *ar = a + off;
		if (gain) {
			rstd[r] = normalize(zr, ar, n, bias, gain, shift);
		} else {
#pragma omp simd
			for (int j = 0; j < n; j++) zr[j] += bias[j];
		}
		if (d) {
			activate(act, ar, d + off, n, 1);
		} else {
			activate(act, ar, NULL, n, 0);
		}
	}
}

// norm_backward is normBackward in kernels.go.
FS_INLINE void norm_backward(float *x, const float *g, const float *gain, float rstd, int n,
                             float *dgain, float *dshift) {
	float s = 0, t = 0;
#pragma omp simd reduction(+ : s, t)
	for (int j = 0; j < n; j++) {
		float gj = g[j], xj = x[j], h = gj * gain[j];
		dgain[j] += gj * xj;
		dshift[j] += gj;
		s += h;
		t += h * xj;
	}
	s /= n;
	t /= n;
#pragma omp simd
	for (int j = 0; j < n; j++) x[j] = rstd * (g[j] * gain[j] - s - x[j] * t);
}

FS_CLONES void fs_rows_backward(int rows, int n, int act, const float *da, float *d, float *z,
                                const float *gain, const float *rstd, float *db, float *dgain,
                                float *dshift) {
	for (int r = 0; r < rows; r++) {
		size_t off = (size_t)r * n;
		const float *g = da + off, *dz = g;
		if (d) {
			float *dr = d + off;
#pragma omp simd
			for (int j = 0; j < n; j++) dr[j] *= g[j];
			g = dz = dr;
		}
		if (gain) {
			norm_backward(z + off, g, gain, rstd[r], n, dgain, dshift);
			dz = z + off;
		}
#pragma omp simd
		for (int j = 0; j < n; j++) db[j] += dz[j];
	}
}

FS_CLONES void fs_adamw(size_t n, float *p, const float *g, float *m, float *v, float lr,
                        float beta1, float beta2, float eps, float decay, float grad_scale,
                        float m_scale, float v_scale) {
#pragma omp simd
	for (size_t i = 0; i < n; i++) {
		float gi = g[i] * grad_scale;
		float mi = beta1 * m[i] + (1 - beta1) * gi;
		float vi = beta2 * v[i] + (1 - beta2) * gi * gi;
		m[i] = mi;
		v[i] = vi;
		p[i] -= lr * (mi * m_scale / (fs_sqrt(vi * v_scale) + eps) + decay * p[i]);
	}
}

// fs_simnorm subtracts each group's maximum, exponentiates the whole array in one loop, which
// vectorises whatever the group size, and then divides each group by its sum. The exponents
// are at most 0, within fs_exp's range.
FS_CLONES void fs_simnorm(size_t n, int group, float *x) {
	for (size_t g = 0; g < n; g += group) {
		float top = x[g];
		for (int j = 1; j < group; j++) top = x[g + j] > top ? x[g + j] : top;
		for (int j = 0; j < group; j++) x[g + j] -= top;
	}
#pragma omp simd
	for (size_t i = 0; i < n; i++) x[i] = fs_exp(x[i]);
	for (size_t g = 0; g < n; g += group) {
		float sum = 0;
		for (int j = 0; j < group; j++) sum += x[g + j];
		float inv = 1 / sum;
		for (int j = 0; j < group; j++) x[g + j] *= inv;
	}
}

// FS_CONV_PIXELS is how many output pixels fs_conv32 computes at once: their 32 sums each
// stay in vector registers while the window is read.
#define FS_CONV_PIXELS 4

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define FS_CONV_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FS_CONV_CLONES
#endif

// fs_conv32 is declared in kernels.h. Each window row is contiguous in x and pairs with k·c
// consecutive rows of w; the sums start from the bias.
// fs_conv32_store writes the 32 sums acc of one output pixel to o, through ReLU when relu
// is set, with ReLU's derivative to d unless d is NULL.
FS_INLINE void fs_conv32_store(const float *acc, int relu, float *o, float *d) {
	if (!relu) {
		for (int j = 0; j < 32; j++) o[j] = acc[j];
		return;
	}
	for (int j = 0; j < 32; j++) o[j] = acc[j] > 0 ? acc[j] : 0;
	if (d)
		for (int j = 0; j < 32; j++) d[j] = acc[j] > 0 ? 1 : 0;
}

FS_CONV_CLONES void fs_conv32(int n, int h, int iw, int c, int k, int s, int oh, int ow,
                              const float *x, const float *w, const float *b, int relu, float *out,
                              float *d) {
	const int kc = k * c;
	for (int i = 0; i < n; i++) {
		const float *xi = x + (size_t)i * h * iw * c;
		for (int y = 0; y < oh; y++) {
			int px = 0;
			for (; px + FS_CONV_PIXELS <= ow; px += FS_CONV_PIXELS) {
				float acc[FS_CONV_PIXELS][32];
				for (int p = 0; p < FS_CONV_PIXELS; p++)
					for (int j = 0; j < 32; j++) acc[p][j] = b[j];
				for (int kh = 0; kh < k; kh++) {
					const float *xr = xi + ((size_t)(y * s + kh) * iw + (size_t)px * s) * c;
					const float *wr = w + (size_t)kh * kc * 32;
					for (int q = 0; q < kc; q++) {
						const float *wv = wr + (size_t)q * 32;
#pragma GCC unroll 8
						for (int p = 0; p < FS_CONV_PIXELS; p++) {
							const float xv = xr[p * s * c + q];
#pragma omp simd
							for (int j = 0; j < 32; j++) acc[p][j] += xv * wv[j];
						}
					}
				}
				for (int p = 0; p < FS_CONV_PIXELS; p++) {
					size_t at = (size_t)i * oh * ow * 32 + ((size_t)y * ow + px + p) * 32;
					fs_conv32_store(acc[p], relu, out + at, d ? d + at : NULL);
				}
			}
			for (; px < ow; px++) {
				float acc[32];
				for (int j = 0; j < 32; j++) acc[j] = b[j];
				for (int kh = 0; kh < k; kh++) {
					const float *xr = xi + ((size_t)(y * s + kh) * iw + (size_t)px * s) * c;
					const float *wr = w + (size_t)kh * kc * 32;
					for (int q = 0; q < kc; q++) {
						const float xv = xr[q], *wv = wr + (size_t)q * 32;
#pragma omp simd
						for (int j = 0; j < 32; j++) acc[j] += xv * wv[j];
					}
				}
				size_t at = (size_t)i * oh * ow * 32 + ((size_t)y * ow + px) * 32;
				fs_conv32_store(acc, relu, out + at, d ? d + at : NULL);
			}
		}
	}
}

// FS_CONV_ROWS is how many rows of the weight gradient fs_conv32_dw sums at once, in vector
// registers, over every window of an image.
#define FS_CONV_ROWS 4

// fs_conv32_dw is declared in kernels.h. For each window row of each image it sums
// FS_CONV_ROWS weight rows' products over all the output pixels before adding them to dw.
FS_CONV_CLONES void fs_conv32_dw(int n, int h, int iw, int c, int k, int s, int oh, int ow,
                                 const float *x, const float *dz, float *dw) {
	const int kc = k * c;
	for (int i = 0; i < n; i++) {
		const float *xi = x + (size_t)i * h * iw * c;
		const float *di = dz + (size_t)i * oh * ow * 32;
		for (int kh = 0; kh < k; kh++) {
			float *dwr = dw + (size_t)kh * kc * 32;
			int q = 0;
			for (; q + FS_CONV_ROWS <= kc; q += FS_CONV_ROWS) {
				float acc[FS_CONV_ROWS][32] = {{0}};
				for (int y = 0; y < oh; y++) {
					const float *xr = xi + (size_t)(y * s + kh) * iw * c + q;
					const float *dr = di + (size_t)y * ow * 32;
					for (int px = 0; px < ow; px++) {
						const float *xv = xr + (size_t)px * s * c, *dv = dr + (size_t)px * 32;
#pragma GCC unroll 8
						for (int r = 0; r < FS_CONV_ROWS; r++) {
							const float v = xv[r];
#pragma omp simd
							for (int j = 0; j < 32; j++) acc[r][j] += v * dv[j];
						}
					}
				}
				for (int r = 0; r < FS_CONV_ROWS; r++)
					for (int j = 0; j < 32; j++) dwr[(size_t)(q + r) * 32 + j] += acc[r][j];
			}
			for (; q < kc; q++) {
				float acc[32] = {0};
				for (int y = 0; y < oh; y++) {
					const float *xr = xi + (size_t)(y * s + kh) * iw * c + q;
					const float *dr = di + (size_t)y * ow * 32;
					for (int px = 0; px < ow; px++) {
						const float v = xr[(size_t)px * s * c], *dv = dr + (size_t)px * 32;
#pragma omp simd
						for (int j = 0; j < 32; j++) acc[j] += v * dv[j];
					}
				}
				for (int j = 0; j < 32; j++) dwr[(size_t)q * 32 + j] += acc[j];
			}
		}
	}
}
