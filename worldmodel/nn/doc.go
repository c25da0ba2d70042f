// Package nn is a small neural-network library for Foresight's world models: multilayer
// perceptrons and convolutional networks with hand-written backward passes, the losses the
// models train with, AdamW, and checkpoint files. It has no framework underneath, only gonum and, when cgo is enabled,
// OpenBLAS.
//
// # Networks
//
// An [MLP] is built from a [Spec]: layer widths, LayerNorm on the hidden layers or not, and
// a hidden activation ([SiLU], [ELU], [Mish], [ReLU] or [Identity]); the output layer is affine. It
// works on [Matrix] batches, one example per row, of any size: [MLP.Forward] records what
// [MLP.Backward] needs, [MLP.Infer] is the cheaper pass for planning. Backward adds the
// parameter gradients into [MLP.Grads]; [MLP.BackwardInput] also returns the gradient with
// respect to the input, for a network fed by another. The losses [MSE], [GaussianNLL] and
// [CosineDistance] return their value and write their gradient, and [AdamW] updates the
// parameters of one or more networks, optionally clipping their gradients by global norm.
// A training step is:
//
//	net.ZeroGrad()
//	loss := nn.MSE(net.Forward(x), y, grad)
//	net.Backward(grad)
//	opt.Step()
//
// A [Conv] is built from a [ConvSpec]: the [Shape] of its input images and a list of
// convolutions and transposed convolutions (kernel, stride, padding, activation). It works
// like an MLP on batches of images, one per row, stored channels last, so that an encoder's
// output feeds an MLP head as it is; [RandomShift] is the image augmentation pixel models
// train with.
//
// Every network keeps its parameters in one flat slice ([MLP.Params]) and its gradients in
// another of the same layout, which is how the optimiser and [Checkpoint] treat all networks
// alike. Buffers grow to the largest batch a network has seen and are reused, so that training
// and inference allocate nothing in steady state. A network is not safe for concurrent use:
// a planner running beside a trainer works on a [MLP.Clone].
//
// # Precision and kernels
//
// Networks are generic over [Float]. float32 is the one to train and plan with; float64
// runs the same code in portable Go and serves to check gradients (the tests compare float64
// backward passes with finite differences to 1e-6, and float32 ones with float64 to 1e-4).
//
// A float32 network spends its time in matrix products and in element-wise work (bias,
// LayerNorm, activation, AdamW). With cgo enabled, the default, the products go to
// OpenBLAS (cblas_sgemm, or cblas_sgemv for a single row) and the element-wise work to C
// kernels that the C compiler vectorises; convolutions of 32 output channels without
// padding run their forward pass and weight gradient in direct C kernels that need no
// window matrix. [Backend] then reports "openblas". Building needs
// Debian's libopenblas-dev, which scripts/setup.sh installs. With CGO_ENABLED=0, or the
// noopenblas build tag, everything runs in Go: packed matrix products with an AVX2 and FMA
// assembly micro-kernel on amd64 (a Go one elsewhere, and with the noasm tag), and the
// generic Go kernels. That build is about 2.3 times slower to train; scripts/bench-nn.sh
// measures both against PyTorch, and docs/performance.md has the figures.
//
// OpenBLAS is limited to one thread when the package loads, unless OPENBLAS_NUM_THREADS is
// set: an agent trains on one core and plans on the other, and on networks this small a
// second BLAS thread gains little and slows single-row products.
//
// # Checkpoints
//
// [Checkpoint.Save] writes networks (MLPs and Convs) and optimiser state to a versioned binary file with a
// checksum, atomically; [Checkpoint.Load] refuses truncated, foreign, corrupt, newer or
// mismatched files with errors that wrap [ErrTruncated], [ErrNotCheckpoint], [ErrCorrupt],
// [ErrVersion] and [ErrMismatch].
package nn
