// The element-wise kernels of float32 networks in C, for the cgo build: the counterparts of
// rowsForward, rowsBackward and adamwGo in kernels.go and adamw.go, which say what they
// compute. Matrices are row-major, rows×n; pointers the Go side may pass as NULL say so.

#ifndef FORESIGHT_NN_KERNELS_H
#define FORESIGHT_NN_KERNELS_H

#include <stddef.h>

// Activation codes.
enum { FS_IDENTITY, FS_SILU, FS_ELU, FS_MISH, FS_RELU };

// fs_rows_forward adds bias to each row of z, normalises it when gain is not NULL (keeping
// the normalised values in z, 1/std in rstd and the output in a) and applies the activation to
// a, which is z itself without LayerNorm. It stores the activation's derivative in d unless d
// is NULL.
void fs_rows_forward(int rows, int n, int act, float *z, float *a, float *d, float *rstd,
                     const float *bias, const float *gain, const float *shift);

// fs_rows_backward turns da into dLoss/dz in place (in d after an activation, then in z under
// LayerNorm) and adds the bias and LayerNorm gradients into db, dgain and dshift. d is NULL
// for Identity, gain for no LayerNorm; with both NULL, dz is da itself.
void fs_rows_backward(int rows, int n, int act, const float *da, float *d, float *z,
                      const float *gain, const float *rstd, float *db, float *dgain, float *dshift);

// fs_adamw applies one AdamW update to n parameters.
void fs_adamw(size_t n, float *p, const float *g, float *m, float *v, float lr, float beta1,
              float beta2, float eps, float decay, float grad_scale, float m_scale, float v_scale);

// fs_simnorm replaces each of the n/group consecutive groups of x by its softmax; group
// divides n.
void fs_simnorm(size_t n, int group, float *x);

// fs_conv32 sets out, n images of oh×ow×32, to the convolution without padding of the n
// images of x, h×iw×c each, with k×k windows at stride s and weights w, (k·k·c)×32
// row-major, plus the bias b, then ReLU when relu is set, storing its derivative in d unless
// d is NULL: convLayer's forward pass without its window matrix.
void fs_conv32(int n, int h, int iw, int c, int k, int s, int oh, int ow, const float *x,
               const float *w, const float *b, int relu, float *out, float *d);

// fs_conv32_dw adds to dw, (k·k·c)×32, the weight gradient of fs_conv32's convolution of
// the n images x with output gradient dz, n images of oh×ow×32.
void fs_conv32_dw(int n, int h, int iw, int c, int k, int s, int oh, int ow, const float *x,
                  const float *dz, float *dw);

#endif
