"""The upsampler zoo: transposed convolutions, resize-convolutions (with an exact fast path) and sub-pixel.

Every layer made by :func:`make_upsampler` maps (N, Cin, H, W) to (N, Cout, 2H, 2W).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    as_bool,
    as_callable,
    as_choice,
    as_int,
    as_pair,
    as_tensor,
    check_elements,
    checked,
    int_at_least,
    odd_int,
    odd_kernels,
    tensor_of,
)

KINDS = ("deconv3", "deconv4", "nearest", "bilinear", "subpixel", "subpixel_icnr")
RESIZE_MODES = ("nearest", "bilinear")


@checked(kernel_size=odd_int, scale_factor=int_at_least(1))
def fold_matrix(kernel_size: int, scale_factor: int) -> torch.Tensor:
    """The 0/1 matrix F (K × k, K = k + s - 1) with ``F @ w`` the 1D transposed-convolution kernel that
    equals nearest upsampling by s followed by a "same" convolution with the odd kernel w.

    Output phase a of the upsampled convolution reads input x[i + j] through tap t exactly when
    j = floor((a + t - p) / s), p = (k - 1) / 2; a transposed convolution with stride s and padding
    P = k - 1 - p reads it through kernel index a - s j + P. Taps t that share (a, j) add up.
    """
    k, s = kernel_size, scale_factor
    p = (k - 1) // 2  # the convolution's padding; the transposed convolution's padding P = k - 1 - p equals it
    fold = torch.zeros(k + s - 1, k)
    for a in range(s):
        for t in range(k):
            j = math.floor((a + t - p) / s)
            fold[a - s * j + p, t] += 1.0
    return fold


def _fold2d(weight: torch.Tensor, fold: torch.Tensor) -> torch.Tensor:
    """The folded ConvTranspose2d weight (Cin, Cout, K, K) = F W F^T of a conv2d weight (Cout, Cin, k, k)."""
    return torch.einsum("yu,oiuv,xv->ioyx", fold, weight, fold)


@checked(weight=odd_kernels(4, "(Cout, Cin, k, k)"), scale_factor=int_at_least(1))
def fold_kernel(weight: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """Fold a conv2d weight (Cout, Cin, k, k) into the ConvTranspose2d weight (Cin, Cout, K, K) that computes
    nearest-resize-by-``scale_factor`` followed by that convolution (stride s, padding (k - 1) / 2)."""
    return _fold2d(weight, fold_matrix(weight.shape[-1], scale_factor).to(weight))


def _resize_conv_args(layer, in_channels, out_channels, kernel_size, scale_factor, mode, fast, bias) -> None:
    """Validate the arguments of a resize-convolution ``layer`` (see :class:`ResizeConvBase`)."""
    as_int("in_channels", in_channels, 1)
    as_int("out_channels", out_channels, 1)
    odd_int("kernel_size", kernel_size)
    as_int("scale_factor", scale_factor, 1)
    as_choice("mode", mode, layer.modes)
    as_bool("fast", fast)
    as_bool("bias", bias)
    if fast and mode != "nearest":
        raise ValueError(
            f"fast=True is exact only for mode='nearest' ({mode} resizing clamps at the borders, which no "
            f"transposed convolution reproduces); got mode={mode!r}: pass fast=False"
        )
    weights = in_channels * out_channels * kernel_size**layer.dims
    check_elements(f"in_channels={in_channels}, out_channels={out_channels}, kernel_size={kernel_size}", weights)


class ResizeConvBase(nn.Module):
    """Resize by ``scale_factor``, then a stride-1 "same" convolution with an odd kernel (zero padding after the
    resize); with ``mode="nearest"`` and ``fast=True``, the same function as ONE transposed convolution whose
    kernel is folded from the small one. Subclasses name the dimension: the convolution class, the fold, the
    transposed convolution and the resize modes (:class:`ResizeConv2d`, ``audio.ResizeConv1d``).

    The fold matrix F depends only on the kernel size and the scale, so it is built once, as a non-persistent
    buffer (``self.fold``: it moves with ``.to()`` and stays out of the state dict); each forward pass folds the
    current weight through it, so the folded kernel follows the weight as it trains. ``forward`` leaves shape
    errors to torch's convolution, which names the channels it expected.
    """

    modes: tuple[str, ...] = ()
    conv_class: type[nn.Module] = nn.Conv2d
    dims = 2  # spatial dimensions

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        scale_factor: int = 2,
        mode: str = "nearest",
        fast: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__()
        _resize_conv_args(self, in_channels, out_channels, kernel_size, scale_factor, mode, fast, bias)
        self.kernel_size, self.scale_factor, self.mode, self.fast = kernel_size, scale_factor, mode, fast
        # The parameters are those of the plain convolution, whichever path computes the layer.
        self.conv = self.conv_class(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=bias)
        fold = fold_matrix(kernel_size, scale_factor).to(self.conv.weight) if mode == "nearest" else None
        self.register_buffer("fold", fold, persistent=False)

    # Set by subclasses: how the fold matrix folds a weight (:func:`_fold2d`), and the transposed convolution.
    apply_fold: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    conv_transpose: Callable[..., torch.Tensor]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.scale_factor
        if self.fast:
            kernel = self.apply_fold(self.conv.weight, self.fold)
            return self.conv_transpose(x, kernel, self.conv.bias, stride=s, padding=self.kernel_size // 2)
        smooth = {} if self.mode == "nearest" else {"align_corners": False}
        return self.conv(F.interpolate(x, scale_factor=s, mode=self.mode, **smooth))

    def extra_repr(self) -> str:
        return f"scale_factor={self.scale_factor}, mode={self.mode!r}, fast={self.fast}"


class ResizeConv2d(ResizeConvBase):
    """Resize by ``scale_factor`` then a stride-1 "same" k×k convolution (zero padding after the resize).

    With ``mode="nearest"`` and ``fast=True`` the same function is computed as ONE transposed convolution
    whose kernel is folded from the k×k kernel (:func:`fold_kernel`, through the cached fold matrix): the
    parameters stay the k×k ones, the cost is that of a ConvTranspose2d with a (k+s-1)² kernel on the small
    input. Bilinear resizing clamps at the borders, which no transposed convolution reproduces exactly, so
    ``mode="bilinear"`` needs ``fast=False``.
    """

    modes = RESIZE_MODES
    conv_class = nn.Conv2d
    apply_fold = staticmethod(_fold2d)
    conv_transpose = staticmethod(F.conv_transpose2d)


def _initialiser(name: str, value) -> Callable:
    return as_callable(name, value, "an in-place initialiser such as nn.init.kaiming_normal_")


@checked(weight=tensor_of(4, "(Cout*s^2, Cin, k, k)"), scale_factor=int_at_least(1), init=_initialiser)
def icnr_(weight: torch.Tensor, scale_factor: int = 2, init=nn.init.kaiming_normal_) -> torch.Tensor:
    """ICNR initialisation (Aitken et al. 2017) of a sub-pixel convolution weight, in place.

    The weight (Cout·s², Cin, k, k) gets s² identical copies of one randomly initialised (Cout, Cin, k, k)
    kernel, ordered as PixelShuffle reads them, so at initialisation the layer equals convolution followed by
    nearest upsampling: no checkerboard.
    """
    phases = _phases("weight", weight, scale_factor)
    sub = torch.empty(weight.shape[0] // phases, *weight.shape[1:], dtype=weight.dtype, device=weight.device)
    init(sub)
    with torch.no_grad():
        weight.copy_(sub.repeat_interleave(phases, dim=0))
    return weight


def _phases(name: str, value: torch.Tensor, scale_factor: int) -> int:
    """s²: the sub-pixel phases per output channel, which must divide the first dimension of ``value``."""
    phases = scale_factor * scale_factor
    if value.shape[0] % phases:
        raise ValueError(
            f"{name}'s first dimension must be a multiple of scale_factor**2={phases}, got shape {tuple(value.shape)}"
        )
    return phases


def tie_bias_(bias: torch.Tensor, scale_factor: int = 2) -> torch.Tensor:
    """Give the s² phases of each output channel of a sub-pixel convolution the same bias, in place.

    Without this, PyTorch's per-channel random bias alone paints a period-s pattern after PixelShuffle.
    """
    as_tensor("bias", bias, 1, "(Cout*s^2,)")
    s = as_int("scale_factor", scale_factor, 1)
    if bias.ndim != 1 or bias.shape[0] % (s * s):
        raise ValueError(f"bias must be 1D with a length that is a multiple of {s * s}, got shape {tuple(bias.shape)}")
    with torch.no_grad():
        bias.copy_(bias.view(-1, s * s)[:, :1].expand(-1, s * s).reshape(-1))
    return bias


class SubPixelConv2d(nn.Sequential):
    """Sub-pixel convolution (Shi et al. 2016): a "same" k×k convolution to Cout·s² channels, then
    PixelShuffle(s). Arguments in the order of :class:`ResizeConv2d`; ``icnr=True`` applies :func:`icnr_` and
    :func:`tie_bias_`."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int = 3, scale_factor: int = 2, icnr: bool = False
    ):
        as_int("in_channels", in_channels, 1)
        as_int("out_channels", out_channels, 1)
        k, s = odd_int("kernel_size", kernel_size), as_int("scale_factor", scale_factor, 1)
        check_elements(
            f"in_channels={in_channels}, out_channels={out_channels}, scale_factor={s}",
            in_channels * out_channels * s * s * k * k,
        )
        conv = nn.Conv2d(in_channels, out_channels * s * s, k, padding=k // 2)
        if as_bool("icnr", icnr):
            icnr_(conv.weight, s)
            tie_bias_(conv.bias, s)
        super().__init__(conv, nn.PixelShuffle(s))


def _subpixel_args(weight, stride) -> tuple[torch.Tensor, int]:
    """Validate a 4D weight and a stride; return them."""
    if not isinstance(weight, torch.Tensor) or weight.ndim != 4:
        shape = tuple(weight.shape) if isinstance(weight, torch.Tensor) else type(weight).__name__
        raise ValueError(f"weight must be a 4D tensor, got {shape}")
    return weight, as_int("stride", stride, 1)


def transposed_to_subpixel(weight: torch.Tensor, stride: int) -> torch.Tensor:
    """The sub-pixel convolution weight that computes a stride-s transposed convolution with kernel size k = s·m.

    ``weight`` is a ConvTranspose2d weight (Cin, Cout, k, k). The result W (Cout·s², Cin, m, m), with
    W[o·s² + a·s + b, i, v, u] = weight[i, o, s(m-1-v) + a, s(m-1-u) + b], satisfies

        pixel_shuffle(conv2d(x, W, padding=m - 1), s) == conv_transpose2d(x, weight, stride=s)

    (crop the transposed convolution's padding P from every side of both). Output phase (a, b) of the
    transposed convolution reads exactly the m×m taps of its kernel that are congruent to (a, b) modulo s.
    """
    weight, s = _subpixel_args(weight, stride)
    cin, cout, kh, kw = weight.shape
    if kh != kw or kh % s:
        raise ValueError(f"weight must have a square kernel whose size is a multiple of stride={s}, got {kh}x{kw}")
    m = kh // s
    # kernel index t = s·(m-1-v) + a: split t into (m-1-v, a), then flip v
    taps = weight.reshape(cin, cout, m, s, m, s).flip(2, 4)  # (i, o, v, a, u, b)
    return taps.permute(1, 3, 5, 0, 2, 4).reshape(cout * s * s, cin, m, m)


def subpixel_to_transposed(weight: torch.Tensor, stride: int) -> torch.Tensor:
    """The inverse of :func:`transposed_to_subpixel`: a sub-pixel weight (Cout·s², Cin, m, m) as the
    ConvTranspose2d weight (Cin, Cout, s·m, s·m) of the same layer. The two maps only move entries around."""
    weight, s = _subpixel_args(weight, stride)
    n, cin, m, mw = weight.shape
    if m != mw or n % (s * s):
        raise ValueError(
            f"weight must be (Cout*{s * s}, Cin, m, m) with a square kernel, got shape {tuple(weight.shape)}"
        )
    taps = weight.reshape(n // (s * s), s, s, cin, m, m).permute(3, 0, 4, 1, 5, 2)  # (i, o, v, a, u, b)
    return taps.flip(2, 4).reshape(cin, n // (s * s), s * m, s * m)


def subpixel_convolutions(model: nn.Module) -> list[nn.Conv2d]:
    """The convolutions of every :class:`SubPixelConv2d` inside ``model``, in order: the layers whose weights
    ICNR initialises, for applying or undoing something to all of them (a re-initialisation, weight norm)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return [layer[0] for layer in model.modules() if isinstance(layer, SubPixelConv2d)]


def make_upsampler(kind: str, in_channels: int, out_channels: int) -> nn.Module:
    """One ×2 upsampling layer of the given kind (see ``KINDS``); all map (N, Cin, H, W) to (N, Cout, 2H, 2W).

    ``deconv3``: ConvTranspose2d k3 s2 p1 output_padding 1; ``deconv4``: k4 s2 p1; ``nearest``/``bilinear``:
    resize then 3×3 convolution; ``subpixel``: 3×3 convolution + PixelShuffle; ``subpixel_icnr``: the same with
    ICNR weights and phase-tied bias.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    as_int("in_channels", in_channels, 1)
    as_int("out_channels", out_channels, 1)
    check_elements(f"in_channels={in_channels}, out_channels={out_channels}", 16 * in_channels * out_channels)
    if kind == "deconv3":
        return nn.ConvTranspose2d(in_channels, out_channels, 3, stride=2, padding=1, output_padding=1)
    if kind == "deconv4":
        return nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1)
    if kind == "nearest":
        return ResizeConv2d(in_channels, out_channels, 3, 2, mode="nearest", fast=True)
    if kind == "bilinear":
        return ResizeConv2d(in_channels, out_channels, 3, 2, mode="bilinear", fast=False)
    return SubPixelConv2d(in_channels, out_channels, 3, 2, icnr=(kind == "subpixel_icnr"))


# --- cost ----------------------------------------------------------------------------------------------------


def multiply_adds(kind: str, in_channels: int, out_channels: int, input_size) -> int:
    """Multiply-accumulate operations of one forward pass of ``make_upsampler(kind, ...)`` on one input of
    ``in_channels`` × ``input_size`` (an int or (H, W), as everywhere in the package; FLOPs are about twice this;
    biases and the tiny kernel fold ignored).

    A transposed convolution multiplies every input pixel by every tap: H·W·k²·Cin·Cout (k = 3 or 4).
    ``nearest`` runs as the folded transposed convolution with a 4×4 kernel: H·W·16·Cin·Cout (the naive
    path would convolve the 4× larger image: 4H·W·9·Cin·Cout). ``bilinear`` resizes (4 taps per output value
    and channel) and then convolves the large image: 4H·W·(4·Cin + 9·Cin·Cout). Sub-pixel convolution is a
    3×3 convolution on the small input to 4·Cout channels: H·W·9·Cin·4·Cout.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    cin, cout = as_int("in_channels", in_channels, 1), as_int("out_channels", out_channels, 1)
    h, w = as_pair("input_size", input_size, 1)
    hw = h * w
    if kind == "deconv3":
        return hw * 9 * cin * cout
    if kind in ("deconv4", "nearest"):
        return hw * 16 * cin * cout
    if kind == "bilinear":
        return 4 * hw * (4 * cin + 9 * cin * cout)
    return hw * 9 * cin * 4 * cout
