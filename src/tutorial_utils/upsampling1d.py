"""1D upsamplers for audio: the folded fast nearest resize-convolution, transposed and sub-pixel convolutions,
interpolations, stacks of them, and the ideal (band-limited) upsampler they are trained towards.

Pons et al. (2021) asked the article's closing question for audio: a 1D transposed or sub-pixel convolution
adds *tones* (spectral lines at multiples of the output rate over the stride), interpolation followed by a
convolution *filters* instead. Every layer made by :func:`make_upsampler1d` maps (N, Cin, T) to (N, Cout, s·T).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    as_array,
    as_bool,
    as_int,
    as_tensor,
    checked,
    int_at_least,
    odd_kernels,
    one_of,
    sees_arguments,
    within_memory,
)
from ._fold import fold
from .upsampling import ResizeConvBase

KINDS1D = ("deconv", "deconv_uneven", "subpixel", "nearest", "linear")


RESIZE_MODES1D = ("nearest", "linear")


@checked(weight=odd_kernels(3, "(Cout, Cin, k)"), scale_factor=int_at_least(1))
def fold_kernel1d(weight: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """Fold a conv1d weight (Cout, Cin, k) into the ConvTranspose1d weight (Cin, Cout, k + s - 1) that computes
    nearest-resize-by-``scale_factor`` followed by that convolution (stride s, padding (k - 1) / 2).

    The 1D case of :func:`tutorial_utils.upsampling.fold_kernel`: the same fold matrix F, applied on one side.
    """
    return fold(weight, [scale_factor], 1)


class ResizeConv1d(ResizeConvBase):
    """Resize a signal by ``scale_factor`` (nearest or linear), then a stride-1 "same" convolution of odd size k.

    With ``mode="nearest"`` and ``fast=True`` the layer runs as ONE transposed convolution with the folded
    kernel (:func:`fold_kernel1d`): the parameters stay the k taps per channel pair, the cost is that of a
    ConvTranspose1d with k + s - 1 taps on the short input. Linear resizing clamps at the borders, which no
    transposed convolution reproduces exactly, so ``mode="linear"`` needs ``fast=False``. Input (N, C, T) or
    unbatched (C, T).
    """

    modes = RESIZE_MODES1D
    conv_class = nn.Conv1d
    dims = 1
    conv_transpose = staticmethod(F.conv_transpose1d)


@sees_arguments
def _phase_channels(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: signals (N, C·s, T) whose channels hold the s phases of each output channel."""
    x, s = as_tensor(name, value, 3, "(N, C*s, T)"), arguments["self"].scale_factor
    if x.shape[1] % s:
        raise ValueError(f"{name} must have a multiple of scale_factor={s} channels, got shape {tuple(x.shape)}")
    return x


class PixelShuffle1d(nn.Module):
    """The periodic shuffle of sub-pixel convolution in 1D: (N, C·s, T) -> (N, C, s·T), channel c·s + a of
    the input becoming output phase a of channel c (PixelShuffle's channel order)."""

    @checked(scale_factor=int_at_least(1))
    def __init__(self, scale_factor: int) -> None:
        super().__init__()
        self.scale_factor = scale_factor

    @checked(x=_phase_channels)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.scale_factor
        n, cs, t = x.shape
        return x.view(n, cs // s, s, t).transpose(2, 3).reshape(n, cs // s, t * s)

    def extra_repr(self) -> str:
        return f"scale_factor={self.scale_factor}"


@sees_arguments
def _covering(name: str, value, arguments: dict) -> int:
    """Rule: a kernel size at least the scale factor, so that every output is painted."""
    k, s = as_int(name, value, 1), arguments["scale_factor"]
    if k < s:
        raise ValueError(f"{name} must be >= scale_factor={s} so that every output is painted, got {k}")
    return k


@checked(scale_factor=int_at_least(1), kernel_size=_covering)
def deconv_geometry(kernel_size: int, scale_factor: int) -> tuple[int, int]:
    """(padding, output_padding) that make ConvTranspose1d(kernel_size, stride=scale_factor) map T to s·T.

    The output length is (T - 1)·s + k - 2·padding + output_padding, so 2·padding - output_padding = k - s.
    """
    k, s = kernel_size, scale_factor
    padding = (k - s + 1) // 2
    return padding, 2 * padding - (k - s)


def _weights1d(in_channels: int, out_channels: int, scale_factor: int) -> int:
    """A bound on the weights of any 1D upsampler kind: kernels of 2s taps, or 9 for the resize kinds."""
    return in_channels * out_channels * max(2 * scale_factor, 9)


@checked(
    kind=one_of(KINDS1D),
    in_channels=int_at_least(1),
    out_channels=int_at_least(1),
    scale_factor=within_memory(int_at_least(2), _weights1d),
    bias=as_bool,
)
def make_upsampler1d(
    kind: str, in_channels: int, out_channels: int, scale_factor: int = 2, *, bias: bool = True
) -> nn.Module:
    """One ×s upsampling layer of the given kind (see ``KINDS1D``), mapping (N, Cin, T) to (N, Cout, s·T).

    The layers of Pons et al.'s comparison: ``deconv``: ConvTranspose1d with kernel 2s (even overlap);
    ``deconv_uneven``: kernel 2s - 1, not divisible by s (uneven overlap); ``subpixel``: a k3 convolution to
    s·Cout channels and a periodic shuffle; ``nearest`` and ``linear``: resize, then a k9 convolution (nearest
    through the fast folded path). ``bias=False`` drops every bias.
    """
    cin, cout, s = in_channels, out_channels, scale_factor
    if kind in ("deconv", "deconv_uneven"):
        k = 2 * s if kind == "deconv" else 2 * s - 1
        padding, output_padding = deconv_geometry(k, s)
        return nn.ConvTranspose1d(cin, cout, k, stride=s, padding=padding, output_padding=output_padding, bias=bias)
    if kind == "subpixel":
        return nn.Sequential(nn.Conv1d(cin, cout * s, 3, padding=1, bias=bias), PixelShuffle1d(s))
    return ResizeConv1d(cin, cout, 9, s, mode=kind, fast=kind == "nearest", bias=bias)


def _mono(name: str, value) -> torch.Tensor:
    """Rule: a batch of mono signals (N, 1, T)."""
    if not isinstance(value, torch.Tensor) or value.ndim != 3 or value.shape[1] != 1:
        shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name} must be a tensor of mono signals (N, 1, T), got {shape}")
    return value


class UpsamplerStack(nn.Module):
    """Stages of one upsampler kind, Pons et al.'s random-initialisation experiment: (N, 1, T) -> (N, 1, s^n·T).

    The first stage maps one channel to ``channels``, the last back to one; a ReLU follows every stage but the
    last when ``relu`` is true. ``bias=False`` removes every bias, ``relu=False`` makes the stack linear.
    """

    @checked(
        kind=one_of(KINDS1D),
        n_stages=int_at_least(1),
        channels=int_at_least(1),
        scale_factor=within_memory(
            int_at_least(2), lambda channels, scale_factor: _weights1d(channels, channels, scale_factor)
        ),
        bias=as_bool,
        relu=as_bool,
    )
    def __init__(
        self,
        kind: str,
        n_stages: int = 3,
        channels: int = 32,
        scale_factor: int = 2,
        bias: bool = True,
        relu: bool = True,
    ) -> None:
        super().__init__()
        self.kind, self.scale_factor, self.n_stages = kind, scale_factor, n_stages
        widths = [1] + [channels] * (n_stages - 1) + [1]
        layers: list[nn.Module] = []
        for i in range(n_stages):
            layers.append(make_upsampler1d.__wrapped__(kind, widths[i], widths[i + 1], scale_factor, bias=bias))
            if relu and i < n_stages - 1:
                layers.append(nn.ReLU())
        self.layers = nn.Sequential(*layers)

    @property
    def period(self) -> int:
        """The total stride s^n: the output's tonal artifacts sit at multiples of 1/period cycles per sample."""
        return self.scale_factor**self.n_stages

    @checked(x=_mono)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


@checked(mode=one_of(RESIZE_MODES1D), scale_factor=int_at_least(1), n_stages=int_at_least(1))
def interpolation_kernel(mode: str, scale_factor: int = 2, n_stages: int = 1) -> torch.Tensor:
    """The filter h with interpolate(x)[m] = sum_j x[j] h[m - S·j + offset] (S = scale_factor^n_stages) for
    ``n_stages`` resizes in a row: what resizing does to a signal stretched by inserting S - 1 zeros between its
    samples, read off the response to an impulse.

    ``nearest`` gives a box of S ones; ``linear`` (PyTorch's half-sample alignment) a sampled triangle.
    """
    response = torch.zeros(1, 1, 17, dtype=torch.float64)
    response[..., 8] = 1.0
    kwargs = {} if mode == "nearest" else {"align_corners": False}
    for _ in range(n_stages):
        response = F.interpolate(response, scale_factor=scale_factor, mode=mode, **kwargs)
    nonzero = torch.nonzero(response[0, 0].abs() > 1e-12).flatten()
    return response[0, 0, int(nonzero[0]) : int(nonzero[-1]) + 1]


def _filter(name: str, value) -> np.ndarray:
    """Rule: a non-empty 1D filter with a non-zero sum (its DC gain), as float64."""
    h = np.asarray(value.detach().cpu() if isinstance(value, torch.Tensor) else value, dtype=np.float64)
    if h.ndim != 1 or h.size == 0 or h.sum() == 0:
        raise ValueError(f"{name} must be a non-empty 1D filter with a non-zero sum, got shape {h.shape}")
    return h


@checked(
    kernel=_filter,
    frequencies=lambda name, value: as_array(name, value, "frequencies in cycles per sample (a number or an array)"),
)
def frequency_response(kernel, frequencies) -> np.ndarray:
    """|H(f)| of a filter at ``frequencies`` in cycles per sample, divided by its DC gain (so H(0) = 1)."""
    taps = np.arange(kernel.size)
    return np.abs(np.exp(-2j * np.pi * np.multiply.outer(frequencies, taps)) @ kernel) / abs(kernel.sum())


def _signals(name: str, value) -> torch.Tensor:
    """Rule: a tensor of signals (..., T) with T >= 2."""
    if not isinstance(value, torch.Tensor) or value.ndim < 1 or value.shape[-1] < 2:
        raise ValueError(f"{name} must be a tensor (..., T) with T >= 2, got {getattr(value, 'shape', value)!r}")
    return value


@checked(signals=_signals, scale_factor=int_at_least(1))
def bandlimited_upsample(signals: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """The ideal (periodic sinc) interpolation of (..., T) signals to (..., s·T): zero-pad the spectrum.

    Every s-th output sample is the input sample; nothing is added above the input's Nyquist frequency.
    """
    s, t = scale_factor, signals.shape[-1]
    spectrum = torch.fft.rfft(signals, dim=-1)
    if t % 2 == 0:  # the Nyquist bin becomes an ordinary bin, counted twice by irfft: halve it
        spectrum[..., -1] = spectrum[..., -1] / 2
    return torch.fft.irfft(spectrum * s, n=s * t, dim=-1)
