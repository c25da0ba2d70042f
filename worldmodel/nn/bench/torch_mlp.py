#!/usr/bin/env python3
"""PyTorch side of scripts/bench-nn.sh: times the network that Foresight's nn benchmark times.

The network is 64->256->256->64 with Linear->LayerNorm->SiLU on the hidden layers and a linear
output. A training step is zero_grad, forward, MSE loss, backward and an Adam step on a batch of
256; forward passes are timed without autograd at batch 512 and batch 1. Each figure is the
median of several timed samples after a warm-up, in operations per second, printed one per line
as "torch <measure> <ops/s>" so that the shell wrapper can put it beside Go's.

Run it through scripts/bench-nn.sh, which sets the tuning the figures assume: one thread,
MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ so that glibc keeps freed buffers, and
OMP_WAIT_POLICY=passive.
"""
import argparse
import statistics
import time

import torch


def build(sizes):
    layers = []
    for i in range(len(sizes) - 2):
        layers += [torch.nn.Linear(sizes[i], sizes[i + 1]), torch.nn.LayerNorm(sizes[i + 1]), torch.nn.SiLU()]
    layers.append(torch.nn.Linear(sizes[-2], sizes[-1]))
    return torch.nn.Sequential(*layers)


def rate(fn, seconds, samples):
    """Returns the median rate of fn in calls per second over samples timed windows."""
    fn()
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < 0.2:  # warm-up, and a first estimate of the call time
        fn()
        n += 1
    per_sample = max(1, int(n / 0.2 * seconds / samples))
    rates = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(per_sample):
            fn()
        rates.append(per_sample / (time.perf_counter() - t0))
    return statistics.median(rates)


def setup(doc, samples):
    """Parses the benchmark's options, sets PyTorch's threads and seed, and returns them."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3.0, help="time per measure")
    ap.add_argument("--samples", type=int, default=samples)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    return args


def main():
    args = setup(__doc__, 15)
    sizes = [64, 256, 256, 64]
    net = build(sizes)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    x, y = torch.randn(256, sizes[0]), torch.randn(256, sizes[-1])

    def train():
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    x512, x1 = torch.randn(512, sizes[0]), torch.randn(1, sizes[0])

    def fwd512():
        with torch.no_grad():
            net(x512)

    def fwd1():
        with torch.no_grad():
            net(x1)

    print(f"torch version {torch.__version__}, threads {torch.get_num_threads()}")
    print(f"torch train-b256 {rate(train, args.seconds, args.samples):.1f}")
    print(f"torch forward-b512 {rate(fwd512, args.seconds, args.samples):.1f}")
    print(f"torch forward-b1 {rate(fwd1, args.seconds, args.samples):.1f}")


if __name__ == "__main__":
    main()
