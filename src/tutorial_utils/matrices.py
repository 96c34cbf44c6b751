"""Convolutions as matrices: the matrix C of a 2D convolution, its transpose, and the shape arithmetic.

A convolution is linear, so it has a matrix C with ``C @ x.flatten() == conv2d(x).flatten()``. Its transpose
is what PyTorch calls ``conv_transpose2d`` (and the backward pass of ``conv2d``). The matrices here are built
by index arithmetic alone, never by calling the convolution, so comparing them with torch is a real check.
Sizes, strides, paddings and dilations are an int (both axes) or a pair (height, width).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F

from ._checks import (
    as_device,
    as_dtype,
    as_int,
    as_pair,
    as_shape,
    as_tensor,
    callable_as,
    checked,
    int_at_least,
    is_pair,
    pair_at_least,
    sees_arguments,
    tensor_of,
)

Size = int | tuple[int, int]

CONV_LAYOUT = "(Cout, Cin, kH, kW)"
TRANSPOSE_LAYOUT = "(Cin, Cout, kH, kW)"
# Argument rules (see _checks.checked): sizes, strides and dilations are positive, paddings may be zero; each
# becomes a pair (height, width).
PAIR0, PAIR1 = pair_at_least(0), pair_at_least(1)
CONV = {"stride": PAIR1, "padding": PAIR0, "dilation": PAIR1}
TRANSPOSE = {**CONV, "output_padding": PAIR0}


# --- shape arithmetic (Dumoulin & Visin, 2016) -------------------------------------------------------------


def _conv_out(n: int, k: int, s: int, p: int, d: int) -> int:
    """Output length of a convolution along one axis."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _transpose_out(n: int, k: int, s: int, p: int, op: int, d: int) -> int:
    """Output length of a transposed convolution along one axis."""
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def _same_form(result: tuple[int, int], *args) -> Size:
    """A pair when any argument was a pair, else an int (the results then agree on both axes)."""
    return result if any(is_pair(a) for a in args) else result[0]


def _geometry(input_size, kernel_size, stride, padding, dilation) -> tuple[tuple[int, int], ...]:
    """Validate the common arguments and return them as pairs."""
    return (
        as_pair("input_size", input_size, 1),
        as_pair("kernel_size", kernel_size, 1),
        as_pair("stride", stride, 1),
        as_pair("padding", padding, 0),
        as_pair("dilation", dilation, 1),
    )


def conv_output_size(
    input_size: Size, kernel_size: Size, stride: Size = 1, padding: Size = 0, dilation: Size = 1
) -> Size:
    """Spatial output size of ``conv2d``: floor((n + 2p - d(k-1) - 1) / s) + 1 per axis."""
    n, k, s, p, d = _geometry(input_size, kernel_size, stride, padding, dilation)
    out = tuple(_conv_out(n[a], k[a], s[a], p[a], d[a]) for a in (0, 1))
    if min(out) < 1:
        raise ValueError(
            f"conv output size would be {out[0]}x{out[1]} (< 1) for input_size={input_size!r}, "
            f"kernel_size={kernel_size!r}, padding={padding!r}, dilation={dilation!r}: input_size + 2*padding "
            f"must be at least dilation*(kernel_size-1) + 1"
        )
    return _same_form(out, input_size, kernel_size, stride, padding, dilation)


def _output_padding(output_padding, stride: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    """Validate ``output_padding`` with torch's rule: smaller than max(stride, dilation) on each axis."""
    op = as_pair("output_padding", output_padding, 0)
    for a in (0, 1):
        limit = max(stride[a], dilation[a])
        if op[a] >= limit:
            raise ValueError(
                f"output_padding must be smaller than max(stride, dilation) = {limit} on each axis, "
                f"got output_padding={output_padding!r} (stride={stride}, dilation={dilation})"
            )
    return op


def conv_transpose_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> Size:
    """Spatial output size of ``conv_transpose2d``: (n-1)s - 2p + d(k-1) + output_padding + 1 per axis."""
    n, k, s, p, d = _geometry(input_size, kernel_size, stride, padding, dilation)
    op = _output_padding(output_padding, s, d)
    out = tuple(_transpose_out(n[a], k[a], s[a], p[a], op[a], d[a]) for a in (0, 1))
    if min(out) < 1:
        raise ValueError(
            f"conv_transpose output size would be {out[0]}x{out[1]} (< 1) for input_size={input_size!r}, "
            f"kernel_size={kernel_size!r}, stride={stride!r}, dilation={dilation!r}: padding={padding!r} is too large"
        )
    return _same_form(out, input_size, kernel_size, stride, padding, output_padding, dilation)


@checked(
    output_size=int_at_least(1),
    kernel_size=int_at_least(1),
    stride=int_at_least(1),
    padding=int_at_least(0),
    dilation=int_at_least(1),
)
def conv_input_sizes(
    output_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> list[int]:
    """Every input length that a 1D convolution maps to ``output_size``: the many-to-one shape map."""
    o, k, s, p, d = output_size, kernel_size, stride, padding, dilation
    smallest = max(1, (o - 1) * s - 2 * p + d * (k - 1) + 1)
    return [n for n in range(smallest, smallest + s) if _conv_out(n, k, s, p, d) == o]


# --- matrices by index arithmetic ----------------------------------------------------------------------------

# Dense matrices are for looking at small layers: refuse more entries than this (2**26 float32 entries is
# 256 MiB) unless the caller raises ``max_entries`` on purpose.
MAX_ENTRIES = 2**26


def _check_entries(rows: int, cols: int, max_entries: int) -> None:
    if rows * cols > max_entries:
        raise ValueError(
            f"the matrix would be {rows} x {cols} = {rows * cols:,} entries, more than max_entries={max_entries:,}; "
            f"use a smaller layer or input_size, or pass a larger max_entries if you have the memory"
        )


def _entries(weight: torch.Tensor, small: tuple[int, int], big: tuple[int, int], s, p, d):
    """Index pairs and values of the sparse matrix linking a strided grid (``small``) to a dense one (``big``).

    ``weight`` is (A, B, kH, kW): channel a at small position (y, x) meets channel b at big position
    (y*s - p + ky*d, x*s - p + kx*d) with weight[a, b, ky, kx]. Returns flat small indices, flat big indices and
    values, keeping only the taps that land inside the big grid.
    """
    A, B, kh, kw = weight.shape
    dev = weight.device
    a = torch.arange(A, device=dev).view(A, 1, 1, 1, 1, 1)
    b = torch.arange(B, device=dev).view(1, B, 1, 1, 1, 1)
    y = torch.arange(small[0], device=dev).view(1, 1, -1, 1, 1, 1)
    x = torch.arange(small[1], device=dev).view(1, 1, 1, -1, 1, 1)
    ky = torch.arange(kh, device=dev).view(1, 1, 1, 1, kh, 1)
    kx = torch.arange(kw, device=dev).view(1, 1, 1, 1, 1, kw)
    Y = y * s[0] - p[0] + ky * d[0]
    X = x * s[1] - p[1] + kx * d[1]
    small_idx = (a * small[0] + y) * small[1] + x
    big_idx = (b * big[0] + Y) * big[1] + X
    inside = (Y >= 0) & (Y < big[0]) & (X >= 0) & (X < big[1])
    values = weight.view(A, B, 1, 1, kh, kw)
    small_idx, big_idx, inside, values = torch.broadcast_tensors(small_idx, big_idx, inside, values)
    return small_idx[inside], big_idx[inside], values[inside]


@checked(weight=tensor_of(4, CONV_LAYOUT), input_size=PAIR1, **CONV, max_entries=int_at_least(1))
def conv2d_matrix(
    weight: torch.Tensor,
    input_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    dilation: Size = 1,
    *,
    max_entries: int = MAX_ENTRIES,
) -> torch.Tensor:
    """The matrix M of ``F.conv2d(·, weight)`` on (Cin, H, W) inputs: shape (Cout·Ho·Wo, Cin·H·W).

    Dense, so refused above ``max_entries`` entries (see ``MAX_ENTRIES``) instead of exhausting memory.
    """
    cout, cin, kh, kw = weight.shape
    (h, w), (ho, wo) = input_size, conv_output_size(input_size, (kh, kw), stride, padding, dilation)
    _check_entries(cout * ho * wo, cin * h * w, max_entries)
    rows, cols, values = _entries(weight, (ho, wo), (h, w), stride, padding, dilation)
    m = weight.new_zeros(cout * ho * wo, cin * h * w)
    return m.index_put((rows, cols), values, accumulate=True)


@checked(weight=tensor_of(4, TRANSPOSE_LAYOUT), input_size=PAIR1, **TRANSPOSE, max_entries=int_at_least(1))
def conv_transpose2d_matrix(
    weight: torch.Tensor,
    input_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
    *,
    max_entries: int = MAX_ENTRIES,
) -> torch.Tensor:
    """The matrix of ``F.conv_transpose2d(·, weight)`` (weight (Cin, Cout, kH, kW)): shape (Cout·Ho·Wo, Cin·H·W).

    It is ``conv2d_matrix(weight, (Ho, Wo), ...).T``, the transpose of the convolution that maps the output size
    back to the input size (when output_padding >= stride, only the rows of that transpose inside the input).
    """
    cin, cout, kh, kw = weight.shape
    (h, w), (ho, wo) = (
        input_size,
        conv_transpose_output_size(input_size, (kh, kw), stride, padding, output_padding, dilation),
    )
    _check_entries(cout * ho * wo, cin * h * w, max_entries)
    cols, rows, values = _entries(weight, (h, w), (ho, wo), stride, padding, dilation)
    m = weight.new_zeros(cout * ho * wo, cin * h * w)
    return m.index_put((rows, cols), values, accumulate=True)


# --- the matrix of any linear map ------------------------------------------------------------------------------


def _dtype_device(fn, dtype, device) -> tuple[torch.dtype, torch.device]:
    """The dtype and device to probe ``fn`` with: given ones, else those of a module's parameters, else defaults."""
    tensors = []
    if isinstance(fn, torch.nn.Module):
        tensors = [t for t in list(fn.parameters()) + list(fn.buffers()) if t.is_floating_point()]
    if dtype is None:
        dtype = tensors[0].dtype if tensors else torch.get_default_dtype()
    if device is None:
        device = tensors[0].device if tensors else torch.device("cpu")
    return dtype, torch.device(device)


def _apply(fn: Callable, batch: torch.Tensor) -> torch.Tensor:
    """``fn(batch)`` flattened to (N, -1), with a clear error when fn does not keep the batch dimension."""
    out = fn(batch)
    if not isinstance(out, torch.Tensor):
        raise TypeError(f"fn must return a tensor, got {type(out).__name__}")
    if out.ndim == 0 or out.shape[0] != batch.shape[0]:
        raise ValueError(
            f"fn must map a batch (N, *input_shape) to (N, ...), "
            f"but a batch of {batch.shape[0]} gave shape {tuple(out.shape)}"
        )
    return out.reshape(batch.shape[0], -1)


@sees_arguments
def _max_entries(name: str, value, arguments: dict) -> int:
    """Rule: a positive bound on a matrix's entries that leaves room for at least one row of the input's size."""
    limit = as_int(name, value, 1)
    _check_entries(1, math.prod(arguments["input_shape"]), limit)
    return limit


@checked(
    fn=callable_as("a function or module"),
    input_shape=as_shape,
    dtype=as_dtype,
    device=as_device,
    chunk_size=int_at_least(1),
    max_entries=_max_entries,
)
def operator_matrix(
    fn: Callable[[torch.Tensor], torch.Tensor],
    input_shape,
    *,
    dtype: torch.dtype | None = None,
    device=None,
    chunk_size: int = 1024,
    max_entries: int = MAX_ENTRIES,
) -> torch.Tensor:
    """The matrix of a linear map ``fn`` (batch (N, *input_shape) -> (N, ...)); column i is fn(e_i) flattened.

    Raises ValueError when fn is visibly not linear: fn(0) != 0 (a bias left on), or fn(x) differs from the
    matrix times x for a random x (a ReLU, batch statistics, ...). The dtype and device default to those of
    a module's parameters. Refused when the input alone would make the matrix exceed ``max_entries``.
    """
    shape, n = input_shape, math.prod(input_shape)
    dtype, device = _dtype_device(fn, dtype, device)
    with torch.no_grad():
        at_zero = _apply(fn, torch.zeros((1, *shape), dtype=dtype, device=device))
        _check_entries(at_zero.shape[1], n, max_entries)
        if at_zero.abs().max() > 0:
            raise ValueError(
                f"fn is not linear: fn(0) is not 0 (max |fn(0)| = {at_zero.abs().max().item():.3g}); "
                "is a bias left on? Build the matrix of the map without its bias"
            )
        columns = []
        for start in range(0, n, chunk_size):
            stop = min(n, start + chunk_size)
            basis = torch.zeros(stop - start, n, dtype=dtype, device=device)
            basis[torch.arange(stop - start), torch.arange(start, stop)] = 1
            columns.append(_apply(fn, basis.view(-1, *shape)))
        matrix = torch.cat(columns).T.contiguous()
        _check_linear(fn, matrix, shape)
    return matrix


def _check_linear(fn: Callable, matrix: torch.Tensor, shape: tuple[int, ...]) -> None:
    """Compare fn(x) with matrix @ x for one random x (a private generator, so global RNG state is untouched)."""
    gen = torch.Generator().manual_seed(12345)
    x = torch.randn(shape, generator=gen, dtype=torch.float64).to(matrix.dtype).to(matrix.device)
    direct = _apply(fn, x[None])[0]
    via_matrix = matrix @ x.flatten()
    scale = direct.abs().max() + via_matrix.abs().max() + torch.finfo(matrix.dtype).tiny
    error = (direct - via_matrix).abs().max()
    if error > math.sqrt(torch.finfo(matrix.dtype).eps) * scale:
        raise ValueError(
            f"fn is not linear: fn(x) differs from the matrix built from basis vectors by {error.item():.3g} "
            f"(relative to {scale.item():.3g}); a non-linearity such as ReLU, or batch statistics (call .eval())?"
        )


# --- three views of a transposed convolution -------------------------------------------------------------------


@sees_arguments
def _inputs_for_weight(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: inputs (N, Cin, H, W) with the Cin channels that the transposed-convolution weight expects."""
    x, cin = as_tensor(name, value, 4, "(N, Cin, H, W)"), arguments["weight"].shape[0]
    if x.shape[1] != cin:
        raise ValueError(f"{name} has {x.shape[1]} channels but weight {TRANSPOSE_LAYOUT} expects Cin={cin}")
    return x


@checked(weight=tensor_of(4, TRANSPOSE_LAYOUT), x=_inputs_for_weight, **TRANSPOSE)
def transpose_by_scatter(
    x: torch.Tensor,
    weight: torch.Tensor,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> torch.Tensor:
    """Transposed convolution as painting: each input pixel adds a scaled copy of the kernel."""
    n, cin, h, w = x.shape
    _, cout, kh, kw = weight.shape
    ho, wo = conv_transpose_output_size((h, w), (kh, kw), stride, padding, output_padding, dilation)
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    reach_h, reach_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1  # extent of the (dilated) kernel
    # The uncropped canvas; padding then trims ph rows (pw columns) from each side.
    canvas = x.new_zeros(n, cout, (h - 1) * sh + reach_h + oph, (w - 1) * sw + reach_w + opw)
    for i in range(h):
        for j in range(w):
            # the kernel, scaled by input pixel (i, j) and summed over input channels
            stamp = torch.einsum("nc,cokl->nokl", x[:, :, i, j], weight)
            rows = slice(i * sh, i * sh + reach_h, dh)
            cols = slice(j * sw, j * sw + reach_w, dw)
            canvas[:, :, rows, cols] += stamp
    return canvas[:, :, ph : ph + ho, pw : pw + wo]


@checked(weight=tensor_of(4, TRANSPOSE_LAYOUT), x=_inputs_for_weight, **TRANSPOSE)
def transpose_by_zero_insertion(
    x: torch.Tensor,
    weight: torch.Tensor,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> torch.Tensor:
    """Transposed convolution as an ordinary one: spread the input with zeros, pad, convolve."""
    padded = zero_insert(x, tuple(weight.shape[-2:]), stride, padding, output_padding, dilation)
    flipped = weight.transpose(0, 1).flip(-2, -1)  # (Cout, Cin, kH, kW), rotated by 180 degrees
    return F.conv2d(padded, flipped, dilation=dilation)


@sees_arguments
def _grid_with_output(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: inputs (N, C, H, W) whose transposed convolution, with the other arguments, has an output (and an
    output_padding that torch accepts)."""
    x = as_tensor(name, value, 4, "(N, C, H, W)")
    sizes = {k: arguments[k] for k in ("kernel_size", "stride", "padding", "output_padding", "dilation")}
    conv_transpose_output_size(tuple(x.shape[-2:]), **sizes)
    return x


@checked(kernel_size=PAIR1, **TRANSPOSE, x=_grid_with_output)
def zero_insert(
    x: torch.Tensor,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> torch.Tensor:
    """The grid a transposed convolution's zero-insertion view convolves: x spread out, then padded.

    ``x`` (N, C, H, W) gets s-1 zeros between neighbouring pixels, then d(k-1) - p zeros on each side (a
    negative amount crops) and ``output_padding`` more at the far end; a stride-1 convolution of this grid
    with the rotated kernel is ``conv_transpose2d(x, ...)`` with these arguments.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    (ph, pw), (oph, opw) = padding, output_padding
    n, c, h, w = x.shape
    spread = x.new_zeros(n, c, (h - 1) * sh + 1, (w - 1) * sw + 1)
    spread[:, :, ::sh, ::sw] = x  # s-1 zeros between neighbouring inputs
    qh, qw = dh * (kh - 1) - ph, dw * (kw - 1) - pw
    return F.pad(spread, (qw, qw + opw, qh, qh + oph))
