"""Overlap: how many input pixels paint each output pixel of a transposed convolution.

A transposed convolution with kernel size k and stride s paints a k-wide copy of its kernel for every input,
s pixels apart. Where k is not a multiple of s, some outputs receive more copies than their neighbours: that
uneven overlap is the origin of checkerboard artifacts (Odena et al., 2016). Everything here counts copies
with all-ones kernels, in exact integer arithmetic (NumPy).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import as_int, as_ints, as_pair, check_elements, is_pair


def _transpose_ones(values: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """1D transposed convolution of ``values`` with an all-ones kernel: insert s-1 zeros, then box-sum k wide."""
    check_elements(f"an input of {len(values)} with kernel_size={kernel_size}, stride={stride}", len(values) * stride)
    spread = np.zeros((len(values) - 1) * stride + 1, dtype=np.int64)
    spread[::stride] = values
    return np.convolve(spread, np.ones(kernel_size, dtype=np.int64))


def overlap_counts(kernel_size, stride, input_size) -> np.ndarray:
    """Inputs contributing to each output of an unpadded transposed convolution (length (n-1)*s + k).

    Ints give a 1D int64 array; a pair in any argument gives the 2D array, the outer product of the two axes.
    """
    k, s, n = _overlap_args(kernel_size, stride, input_size)
    if is_pair(k):
        return np.outer(overlap_counts(k[0], s[0], n[0]), overlap_counts(k[1], s[1], n[1]))
    return _transpose_ones(np.ones(n, dtype=np.int64), k, s)


def _overlap_args(kernel_size, stride, input_size) -> tuple:
    """The arguments of :func:`overlap_counts` as ints, or all as pairs when any is a pair, for a count array
    within the package's memory bound."""
    if any(is_pair(v) for v in (kernel_size, stride, input_size)):
        k, s = as_pair("kernel_size", kernel_size, 1), as_pair("stride", stride, 1)
        n = as_pair("input_size", input_size, 1)
        size = ((n[0] - 1) * s[0] + k[0]) * ((n[1] - 1) * s[1] + k[1])
    else:
        k, s, n = (
            as_int("kernel_size", kernel_size, 1),
            as_int("stride", stride, 1),
            as_int("input_size", input_size, 1),
        )
        size = (n - 1) * s + k
    check_elements(f"input_size={input_size!r} with kernel_size={kernel_size!r}, stride={stride!r}", size)
    return k, s, n


def stamp_counts(kernel_size, stride, input_size, stamps: int) -> np.ndarray:
    """2D counts after only the first ``stamps`` inputs (row by row) have painted: the overlap map being built.

    ``stamps`` = number of inputs gives :func:`overlap_counts`; 0 gives all zeros.
    """
    k, s, n = as_pair("kernel_size", kernel_size, 1), as_pair("stride", stride, 1), as_pair("input_size", input_size, 1)
    stamps = as_int("stamps", stamps, 0)
    if stamps > n[0] * n[1]:
        raise ValueError(f"stamps must be at most the number of inputs {n[0] * n[1]}, got {stamps}")
    check_elements(
        f"input_size={input_size!r}, stride={stride!r}", ((n[0] - 1) * s[0] + k[0]) * ((n[1] - 1) * s[1] + k[1])
    )
    counts = np.zeros(((n[0] - 1) * s[0] + k[0], (n[1] - 1) * s[1] + k[1]), dtype=np.int64)
    for index in range(stamps):
        i, j = divmod(index, n[1])
        counts[i * s[0] : i * s[0] + k[0], j * s[1] : j * s[1] + k[1]] += 1
    return counts


def _layers(kernel_sizes: Sequence[int], strides: Sequence[int]) -> list[tuple[int, int]]:
    """Validate a stack of layers given as two equally long sequences of ints."""
    if not isinstance(kernel_sizes, Sequence) or not isinstance(strides, Sequence):
        raise TypeError(
            f"kernel_sizes and strides must be sequences of ints (one per layer), got {kernel_sizes!r} and {strides!r}"
        )
    if len(kernel_sizes) != len(strides) or not kernel_sizes:
        raise ValueError(
            f"kernel_sizes and strides must be non-empty and of equal length, got {kernel_sizes!r} and {strides!r}"
        )
    return [(as_int("kernel_sizes", k, 1), as_int("strides", s, 1)) for k, s in zip(kernel_sizes, strides)]


def stacked_overlap(kernel_sizes: Sequence[int], strides: Sequence[int], input_size) -> np.ndarray:
    """Overlap counts of several unpadded transposed convolutions in turn (all-ones kernels), first layer first.

    An int ``input_size`` gives 1D; a pair gives the 2D pattern (the same layers on both axes, outer product).
    """
    layers = _layers(kernel_sizes, strides)
    if is_pair(input_size):
        n = as_pair("input_size", input_size, 1)
        rows, cols = (stacked_overlap(kernel_sizes, strides, m) for m in n)
        check_elements(f"input_size={input_size!r} through {len(layers)} layers", rows.size * cols.size)
        return np.outer(rows, cols)
    values = np.ones(check_elements("input_size", as_int("input_size", input_size, 1)), dtype=np.int64)
    for k, s in layers:
        values = _transpose_ones(values, k, s)
    return values


def torch_overlap(kernel_sizes: Sequence[int], strides: Sequence[int], input_size) -> np.ndarray:
    """The counts of :func:`stacked_overlap` computed by torch's transposed convolutions of ones: a cross-check."""
    layers = _layers(kernel_sizes, strides)
    n = as_pair("input_size", input_size, 1) if is_pair(input_size) else (as_int("input_size", input_size, 1),)
    sizes = list(n)
    for k, s in layers:
        sizes = [(m - 1) * s + k for m in sizes]
    check_elements(f"input_size={input_size!r} through {len(layers)} layers", math.prod(sizes))
    conv = F.conv_transpose2d if len(n) == 2 else F.conv_transpose1d
    x = torch.ones((1, 1, *n), dtype=torch.float64)
    for k, s in layers:
        x = conv(x, torch.ones((1, 1) + (k,) * len(n), dtype=torch.float64), stride=s)
    return x[0, 0].round().long().numpy()


def effective_kernel(kernel_sizes: Sequence[int], strides: Sequence[int]) -> tuple[np.ndarray, int]:
    """The single transposed convolution equal to the stack: its kernel (of counts) and its stride (the product)."""
    layers = _layers(kernel_sizes, strides)
    return stacked_overlap(kernel_sizes, strides, 1), math.prod(s for _, s in layers)


def stacked_steady_state(kernel_sizes: Sequence[int], strides: Sequence[int], periods: int = 1) -> np.ndarray:
    """The interior of a stack's overlap pattern, away from the borders: ``periods`` total strides long."""
    periods = as_int("periods", periods, 1)
    kernel, stride = effective_kernel(kernel_sizes, strides)
    margin = len(kernel) - 1  # outputs closer to a border than this miss some contributions
    n = margin // stride + periods + 2
    return stacked_overlap(kernel_sizes, strides, n)[margin : margin + periods * stride]


def steady_state(kernel_size, stride, periods: int = 1) -> np.ndarray:
    """The interior overlap counts of one layer, ``periods`` strides long; a pair in either argument gives 2D."""
    if is_pair(kernel_size) or is_pair(stride):
        k, s = as_pair("kernel_size", kernel_size, 1), as_pair("stride", stride, 1)
        return np.outer(steady_state(k[0], s[0], periods), steady_state(k[1], s[1], periods))
    k, s = as_int("kernel_size", kernel_size, 1), as_int("stride", stride, 1)
    return stacked_steady_state([k], [s], periods)


def unevenness(kernel_size, stride) -> float:
    """Max over min of the interior overlap counts (1.0 = even; inf when some outputs get nothing, k < s)."""
    counts = steady_state(kernel_size, stride)
    return float(counts.max() / counts.min()) if counts.min() > 0 else math.inf


def is_even_overlap(kernel_size, stride) -> bool:
    """True iff the overlap is even: the kernel size is divisible by the stride (on both axes for pairs)."""
    k, s = as_pair("kernel_size", kernel_size, 1), as_pair("stride", stride, 1)
    return k[0] % s[0] == 0 and k[1] % s[1] == 0


def unevenness_table(kernel_sizes: Sequence[int] = range(1, 7), strides: Sequence[int] = range(1, 7)) -> np.ndarray:
    """``unevenness(k, s)`` for every kernel size (rows) and stride (columns)."""
    kernel_sizes, strides = as_ints("kernel_sizes", kernel_sizes, 1), as_ints("strides", strides, 1)
    return np.array([[unevenness(k, s) for s in strides] for k in kernel_sizes])


def smallest_period(values) -> int:
    """The smallest p with values[i] == values[i + p] for every i: the period of a 1D pattern (its length if none)."""
    a = np.asarray(values)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"values must be a non-empty 1D sequence, got shape {a.shape}")
    return next(p for p in range(1, a.size + 1) if np.array_equal(a[p:], a[: a.size - p]))


def spectrum(values) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (cycles per pixel, 0 to 0.5) and DFT magnitudes of a 1D pattern, normalised by its length."""
    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"values must be a non-empty 1D sequence, got shape {a.shape}")
    return np.fft.rfftfreq(a.size), np.abs(np.fft.rfft(a)) / a.size
