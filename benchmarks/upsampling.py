"""Speed of x2 upsampling layers, forward + backward: the folded fast ResizeConv2d, the naive one
(nearest resize, then a 3x3 convolution) and a ConvTranspose2d(k=4, s=2, p=1).

Runs are interleaved (one of each layer per round, in a rotating order) so that slow drifts of the machine
hit every layer alike; the table shows medians and ratios. Run: ``python benchmarks/upsampling.py``
(``make bench`` runs every script in this folder). Options: ``--rounds``, ``--warmup``, ``--widths``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from tutorial_utils.upsampling import ResizeConv2d


def layers(channels: int) -> dict[str, nn.Module]:
    return {
        "ResizeConv2d fast": ResizeConv2d(channels, channels, 3, 2, mode="nearest", fast=True),
        "ResizeConv2d slow": ResizeConv2d(channels, channels, 3, 2, mode="nearest", fast=False),
        "ConvTranspose2d k4s2": nn.ConvTranspose2d(channels, channels, 4, stride=2, padding=1),
    }


def step(layer: nn.Module, x: torch.Tensor, grad: torch.Tensor) -> None:
    """One forward + backward pass (gradients w.r.t. the input and the parameters)."""
    layer.zero_grad(set_to_none=True)
    x.grad = None
    layer(x).backward(grad)


def time_layers(
    channels: int, device: torch.device, batch: int, size: int, rounds: int, warmup: int
) -> dict[str, float]:
    """Median seconds per forward + backward of each layer, over ``rounds`` interleaved runs."""
    torch.manual_seed(0)
    zoo = {name: layer.to(device) for name, layer in layers(channels).items()}
    x = torch.randn(batch, channels, size, size, device=device, requires_grad=True)
    grad = torch.randn(batch, channels, 2 * size, 2 * size, device=device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    names = list(zoo)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(warmup + rounds):
        order = names[r % len(names) :] + names[: r % len(names)]  # rotate who goes first
        for name in order:
            sync()
            start = time.perf_counter()
            step(zoo[name], x, grad)
            sync()
            if r >= warmup:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=32, help="input height and width (the output is twice that)")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads; "
        f"input {args.batch}xCx{args.size}x{args.size}, "
        f"forward + backward, median of {args.rounds} interleaved runs after {args.warmup} warm-up rounds\n"
    )
    print("| device | C | fast (ms) | slow (ms) | ConvT k4s2 (ms) | fast / ConvT | slow / fast |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for device in devices:
        rounds = args.rounds if device.type == "cpu" else 10 * args.rounds
        for c in args.widths:
            t = time_layers(c, device, args.batch, args.size, rounds, args.warmup)
            fast, slow, convt = (t["ResizeConv2d fast"], t["ResizeConv2d slow"], t["ConvTranspose2d k4s2"])
            name = device.type if device.type == "cpu" else torch.cuda.get_device_name(device)
            print(
                f"| {name} | {c} | {1e3 * fast:.2f} | {1e3 * slow:.2f} | {1e3 * convt:.2f} | "
                f"{fast / convt:.2f}x | {slow / fast:.2f}x |"
            )
    print(
        "\nfast / ConvT near 1: the folded resize-convolution costs what a k4,s2 transposed convolution costs;"
        "\nslow / fast > 1: what the fold saves over resizing first and convolving the 4x larger image."
    )


if __name__ == "__main__":
    main()
