"""Speed of x2 upsampling layers relative to ConvTranspose2d(k=4, s=2, p=1), written to a committed CSV.

Layers: the fold (ResizeConv2d, nearest, fast), the naive nearest resize-convolution (resize, then a 3x3
convolution), sub-pixel + ICNR as fastai builds it (a 3x3 convolution to 4C channels, then PixelShuffle) and
bilinear resize-convolution. Rows:

- ``sweep``: channels {8, 32, 64, 128, 256} x input sizes {16, 32, 64}, batch 2, forward + backward;
- ``small``: C=8, 16x16, batch 1, forward only, in inference (eval, no_grad), the per-call overhead;
- ``training``: C=64 and C=128, 32x32, batch 16, forward + backward.

Runs are interleaved (one of each layer per round, in a rotating order), so slow drifts of the machine hit every
layer alike; each time is a median over rounds, and the number of rounds shrinks for large layers so that the
whole run takes a few minutes on 2 cores. The CSV records the CPU model, torch version and thread count; chapter
04 draws its speed figure from it and never re-times. Run: ``python benchmarks/upsampling.py`` (``make bench``).
"""

from __future__ import annotations

import argparse
import csv
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from tutorial_utils.upsampling import ResizeConv2d, SubPixelConv2d

OUT = Path(__file__).resolve().parents[1] / "src" / "tutorial_utils" / "assets" / "upsampling_speed.csv"
BASELINE = "ConvTranspose2d k4s2"
FIELDS = ["rows", "device", "channels", "size", "batch", "pass", "layer", "ms", "over_convt"]


def layers(channels: int) -> dict[str, nn.Module]:
    """The compared x2 upsamplers, channels -> channels."""
    c = channels
    return {
        BASELINE: nn.ConvTranspose2d(c, c, 4, stride=2, padding=1),
        "fold (fast nearest resize-conv)": ResizeConv2d(c, c, 3, 2, mode="nearest", fast=True),
        "naive nearest resize-conv": ResizeConv2d(c, c, 3, 2, mode="nearest", fast=False),
        "sub-pixel + ICNR": SubPixelConv2d(c, c, 3, 2, icnr=True),
        "bilinear resize-conv": ResizeConv2d(c, c, 3, 2, mode="bilinear", fast=False),
    }


def training_step(layer: nn.Module, x: torch.Tensor, grad: torch.Tensor) -> Callable[[], None]:
    """One forward + backward pass (gradients w.r.t. the input and the parameters)."""

    def run() -> None:
        layer.zero_grad(set_to_none=True)
        x.grad = None
        layer(x).backward(grad)

    return run


def inference_calls(layer: nn.Module, x: torch.Tensor, calls: int = 20) -> Callable[[], None]:
    """``calls`` forward passes in eval mode without gradients (one timing covers them all)."""
    layer.eval()

    def run() -> None:
        with torch.no_grad():
            for _ in range(calls):
                layer(x)

    return run


def interleaved(runs: dict[str, Callable[[], None]], budget_s: float, sync: Callable[[], None]) -> dict[str, float]:
    """Median seconds per run of each callable: one warm-up round, then as many rounds (3 to 200) as fit the
    budget, interleaved in a rotating order."""
    names = list(runs)
    start = time.perf_counter()
    for name in names:
        runs[name]()
    rounds = int(min(200, max(3, budget_s / max(time.perf_counter() - start, 1e-9))))
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            sync()
            t0 = time.perf_counter()
            runs[name]()
            sync()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def measure(device, channels: int, size: int, batch: int, forward_only: bool, budget_s: float) -> dict[str, float]:
    """Milliseconds per call (per forward pass when ``forward_only``) of every layer at one shape."""
    torch.manual_seed(0)
    zoo = {name: layer.to(device) for name, layer in layers(channels).items()}
    x = torch.randn(batch, channels, size, size, device=device, requires_grad=not forward_only)
    grad = torch.randn(batch, channels, 2 * size, 2 * size, device=device)
    if forward_only:
        runs = {name: inference_calls(layer, x) for name, layer in zoo.items()}
    else:
        runs = {name: training_step(layer, x, grad) for name, layer in zoo.items()}
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    per_call = 20 if forward_only else 1
    return {name: 1e3 * t / per_call for name, t in interleaved(runs, budget_s, sync).items()}


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def plan(sizes: list[int], widths: list[int]) -> list[tuple[str, int, int, int, bool]]:
    """(rows, channels, size, batch, forward_only) of every measurement."""
    rows = [("small", 8, 16, 1, True)]
    rows += [("training", c, 32, 16, False) for c in (64, 128)]
    return rows + [("sweep", c, s, 2, False) for c in widths for s in sizes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[8, 32, 64, 128, 256])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--budget", type=float, default=4.0, help="seconds of timed rounds per shape and device")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    header = {
        "cpu": cpu_model(),
        "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else "none",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "date": time.strftime("%Y-%m-%d"),
    }
    print(", ".join(f"{k}: {v}" for k, v in header.items()))
    others = " | ".join(f"{name} / ConvT" for name in layers(1) if name != BASELINE)
    print(f"| rows | device | C | size | batch | pass | ConvT (ms) | {others} |")
    results = []
    for device in devices:
        for rows, c, size, batch, forward_only in plan(args.sizes, args.widths):
            ms = measure(device, c, size, batch, forward_only, args.budget)
            kind = "forward" if forward_only else "forward+backward"
            for name, value in ms.items():
                ratio = value / ms[BASELINE]
                results.append([rows, device.type, c, size, batch, kind, name, f"{value:.4f}", f"{ratio:.3f}"])
            ratios = " | ".join(f"{ms[name] / ms[BASELINE]:.2f}x" for name in ms if name != BASELINE)
            print(f"| {rows} | {device.type} | {c} | {size} | {batch} | {kind} | {ms[BASELINE]:.2f} | {ratios} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as f:
        f.writelines(f"# {k}: {v}\n" for k, v in header.items())
        writer = csv.writer(f)
        writer.writerow(FIELDS)
        writer.writerows(results)
    print(f"\nwritten to {args.out}; ratios are time over {BASELINE} at the same shape")


if __name__ == "__main__":
    main()
