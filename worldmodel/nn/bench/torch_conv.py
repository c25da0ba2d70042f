#!/usr/bin/env python3
"""PyTorch side of scripts/bench-nn.sh for convolutional networks: TD-MPC2's pixel encoder.

The network takes three stacked 64x64 RGB frames (9x64x64) through Conv2d 7/2, 5/2, 3/2 and
3/1 with 32 channels and ReLU between them, flattens the 32x4x4 result and maps it to 64
values with a Linear layer. A training step is zero_grad, forward, MSE loss, backward and an
AdamW step (lr 3e-4, weight decay 0.01) at batches of 64 and 256; forward passes are timed
without autograd at the same batches. Each figure is the median of several timed samples
after a warm-up, in operations per second, printed as "torch <measure> <ops/s>" lines.

Run it through scripts/bench-nn.sh, which sets the tuning the figures assume (see
torch_mlp.py).
"""
import torch

from torch_mlp import rate, setup


def encoder():
    ch = 32
    return torch.nn.Sequential(
        torch.nn.Conv2d(9, ch, 7, stride=2), torch.nn.ReLU(),
        torch.nn.Conv2d(ch, ch, 5, stride=2), torch.nn.ReLU(),
        torch.nn.Conv2d(ch, ch, 3, stride=2), torch.nn.ReLU(),
        torch.nn.Conv2d(ch, ch, 3, stride=1), torch.nn.Flatten(),
        torch.nn.Linear(ch * 4 * 4, 64))


def main():
    args = setup(__doc__, 5)
    print(f"torch version {torch.__version__}, threads {torch.get_num_threads()}")
    for batch in (64, 256):
        net = encoder()
        opt = torch.optim.AdamW(net.parameters(), lr=3e-4, weight_decay=0.01)
        x, y = torch.rand(batch, 9, 64, 64), torch.randn(batch, 64)

        def train():
            opt.zero_grad(set_to_none=False)
            loss = ((net(x) - y) ** 2).mean()
            loss.backward()
            opt.step()

        def forward():
            with torch.no_grad():
                net(x)

        print(f"torch conv-train-b{batch} {rate(train, args.seconds, args.samples):.2f}")
        print(f"torch conv-forward-b{batch} {rate(forward, args.seconds, args.samples):.2f}")


if __name__ == "__main__":
    main()
