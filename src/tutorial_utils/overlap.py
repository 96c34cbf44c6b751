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

from ._checks import (
    as_int,
    as_pair,
    check_elements,
    checked,
    int_at_least,
    int_or_pair,
    ints_at_least,
    is_pair,
    pair_at_least,
    sees_arguments,
    within_memory,
)


def _transpose_ones(values: np.ndarray, kernel_size: int, stride: int) -> np.ndarray:
    """1D transposed convolution of ``values`` with an all-ones kernel: insert s-1 zeros, then box-sum k wide."""
    check_elements(f"an input of {len(values)} with kernel_size={kernel_size}, stride={stride}", len(values) * stride)
    spread = np.zeros((len(values) - 1) * stride + 1, dtype=np.int64)
    spread[::stride] = values
    return np.convolve(spread, np.ones(kernel_size, dtype=np.int64))


SIZES = int_or_pair("kernel_size", "stride", "input_size")  # ints give 1D, a pair in any of them 2D


def _canvas(input_size, kernel_size, stride) -> tuple[int, ...]:
    """The shape of an unpadded transposed convolution's output: (n - 1)·s + k per axis (ints: one axis)."""
    n, k, s = (v if is_pair(v) else (v,) for v in (input_size, kernel_size, stride))
    return tuple((n[a] - 1) * s[a] + k[a] for a in range(len(n)))


def _canvas_values(input_size, kernel_size, stride) -> int:
    return math.prod(_canvas(input_size, kernel_size, stride))


CANVAS = within_memory(SIZES, _canvas_values)


@checked(kernel_size=SIZES, stride=SIZES, input_size=CANVAS)
def overlap_counts(kernel_size, stride, input_size) -> np.ndarray:
    """Inputs contributing to each output of an unpadded transposed convolution (length (n-1)*s + k).

    Ints give a 1D int64 array; a pair in any argument gives the 2D array, the outer product of the two axes.
    """
    if is_pair(kernel_size):
        rows, cols = (_counts(k, s, n) for k, s, n in zip(kernel_size, stride, input_size))
        return np.outer(rows, cols)
    return _counts(kernel_size, stride, input_size)


def _counts(kernel_size: int, stride: int, input_size: int) -> np.ndarray:
    return _transpose_ones(np.ones(input_size, dtype=np.int64), kernel_size, stride)


@sees_arguments
def _stamps(name: str, value, arguments: dict) -> int:
    """Rule: how many of the inputs have painted, from 0 to all of them."""
    stamps, (rows, cols) = as_int(name, value, 0), arguments["input_size"]
    if stamps > rows * cols:
        raise ValueError(f"{name} must be at most the number of inputs {rows * cols}, got {stamps}")
    return stamps


@checked(
    kernel_size=pair_at_least(1),
    stride=pair_at_least(1),
    input_size=within_memory(pair_at_least(1), _canvas_values),
    stamps=_stamps,
)
def stamp_counts(kernel_size, stride, input_size, stamps: int) -> np.ndarray:
    """2D counts after only the first ``stamps`` inputs (row by row) have painted: the overlap map being built.

    ``stamps`` = number of inputs gives :func:`overlap_counts`; 0 gives all zeros.
    """
    (kh, kw), (sh, sw) = kernel_size, stride
    counts = np.zeros(_canvas(input_size, kernel_size, stride), dtype=np.int64)
    for index in range(stamps):
        i, j = divmod(index, input_size[1])  # row by row
        counts[i * sh : i * sh + kh, j * sw : j * sw + kw] += 1
    return counts


def _per_layer(name: str, value) -> list[int]:
    """Rule: a non-empty sequence of positive ints, one per layer of a stack."""
    if not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a sequence of ints (one per layer), got {value!r}")
    if not value:
        raise ValueError(f"{name} must be a non-empty sequence of ints (one per layer), got {value!r}")
    return [as_int(name, v, 1) for v in value]


@sees_arguments
def _one_per_layer(name: str, value, arguments: dict) -> list[int]:
    """Rule: one positive int per kernel size of the stack."""
    strides, layers = _per_layer(name, value), len(arguments["kernel_sizes"])
    if len(strides) != layers:
        raise ValueError(f"{name} must hold one stride per kernel size ({layers}), got {value!r}")
    return strides


def _stacked_values(input_size, kernel_sizes, strides) -> int:
    """How many counts a stack's pattern holds for ``input_size`` (an int, or a pair for 2D)."""
    sizes = list(input_size) if is_pair(input_size) else [input_size]
    for k, s in zip(kernel_sizes, strides):
        sizes = [(m - 1) * s + k for m in sizes]
    return math.prod(sizes)


def _size_or_pair(name: str, value) -> int | tuple[int, int]:
    return as_pair(name, value, 1) if is_pair(value) else as_int(name, value, 1)


LAYERS = {"kernel_sizes": _per_layer, "strides": _one_per_layer}
STACKED = within_memory(_size_or_pair, _stacked_values)


@checked(**LAYERS, input_size=STACKED)
def stacked_overlap(kernel_sizes: Sequence[int], strides: Sequence[int], input_size) -> np.ndarray:
    """Overlap counts of several unpadded transposed convolutions in turn (all-ones kernels), first layer first.

    An int ``input_size`` gives 1D; a pair gives the 2D pattern (the same layers on both axes, outer product).
    """
    if is_pair(input_size):
        return np.outer(*(_stack(kernel_sizes, strides, n) for n in input_size))
    return _stack(kernel_sizes, strides, input_size)


def _stack(kernel_sizes: list[int], strides: list[int], input_size: int) -> np.ndarray:
    values = np.ones(input_size, dtype=np.int64)
    for k, s in zip(kernel_sizes, strides):
        values = _transpose_ones(values, k, s)
    return values


@checked(**LAYERS, input_size=STACKED)
def torch_overlap(kernel_sizes: Sequence[int], strides: Sequence[int], input_size) -> np.ndarray:
    """The counts of :func:`stacked_overlap` computed by torch's transposed convolutions of ones: a cross-check."""
    n = input_size if is_pair(input_size) else (input_size,)
    conv = F.conv_transpose2d if len(n) == 2 else F.conv_transpose1d
    x = torch.ones((1, 1, *n), dtype=torch.float64)
    for k, s in zip(kernel_sizes, strides):
        x = conv(x, torch.ones((1, 1) + (k,) * len(n), dtype=torch.float64), stride=s)
    return x[0, 0].round().long().numpy()


@checked(**LAYERS)
def effective_kernel(kernel_sizes: Sequence[int], strides: Sequence[int]) -> tuple[np.ndarray, int]:
    """The single transposed convolution equal to the stack: its kernel (of counts) and its stride (the product)."""
    return _stack(kernel_sizes, strides, 1), math.prod(strides)


@checked(**LAYERS, periods=int_at_least(1))
def stacked_steady_state(kernel_sizes: Sequence[int], strides: Sequence[int], periods: int = 1) -> np.ndarray:
    """The interior of a stack's overlap pattern, away from the borders: ``periods`` total strides long."""
    return _interior(kernel_sizes, strides, periods)


def _interior(kernel_sizes: list[int], strides: list[int], periods: int) -> np.ndarray:
    kernel, stride = _stack(kernel_sizes, strides, 1), math.prod(strides)
    margin = len(kernel) - 1  # outputs closer to a border than this miss some contributions
    n = margin // stride + periods + 2
    return _stack(kernel_sizes, strides, n)[margin : margin + periods * stride]


@checked(kernel_size=SIZES, stride=SIZES, periods=int_at_least(1))
def steady_state(kernel_size, stride, periods: int = 1) -> np.ndarray:
    """The interior overlap counts of one layer, ``periods`` strides long; a pair in either argument gives 2D."""
    return _steady(kernel_size, stride, periods)


def _steady(kernel_size, stride, periods: int) -> np.ndarray:
    if is_pair(kernel_size):
        return np.outer(*(_interior([k], [s], periods) for k, s in zip(kernel_size, stride)))
    return _interior([kernel_size], [stride], periods)


@checked(kernel_size=SIZES, stride=SIZES)
def unevenness(kernel_size, stride) -> float:
    """Max over min of the interior overlap counts (1.0 = even; inf when some outputs get nothing, k < s)."""
    return _unevenness(kernel_size, stride)


def _unevenness(kernel_size, stride) -> float:
    counts = _steady(kernel_size, stride, 1)
    return float(counts.max() / counts.min()) if counts.min() > 0 else math.inf


@checked(kernel_size=pair_at_least(1), stride=pair_at_least(1))
def is_even_overlap(kernel_size, stride) -> bool:
    """True iff the overlap is even: the kernel size is divisible by the stride (on both axes for pairs)."""
    (kh, kw), (sh, sw) = kernel_size, stride
    return kh % sh == 0 and kw % sw == 0


@checked(kernel_sizes=ints_at_least(1), strides=ints_at_least(1))
def unevenness_table(kernel_sizes: Sequence[int] = range(1, 7), strides: Sequence[int] = range(1, 7)) -> np.ndarray:
    """``unevenness(k, s)`` for every kernel size (rows) and stride (columns)."""
    return np.array([[_unevenness(k, s) for s in strides] for k in kernel_sizes])


def _pattern(name: str, value) -> np.ndarray:
    """Rule: a non-empty 1D sequence, as a NumPy array."""
    a = np.asarray(value)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1D sequence, got shape {a.shape}")
    return a


@checked(values=_pattern)
def smallest_period(values) -> int:
    """The smallest p with values[i] == values[i + p] for every i: the period of a 1D pattern (its length if none)."""
    n = values.size
    return next(p for p in range(1, n + 1) if np.array_equal(values[p:], values[: n - p]))


@checked(values=_pattern)
def spectrum(values) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (cycles per pixel, 0 to 0.5) and DFT magnitudes of a 1D pattern, normalised by its length."""
    a = values.astype(np.float64)
    return np.fft.rfftfreq(a.size), np.abs(np.fft.rfft(a)) / a.size
