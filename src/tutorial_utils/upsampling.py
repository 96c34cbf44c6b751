"""The upsampler zoo: transposed convolutions, resize-convolutions (with an exact fast path) and sub-pixel.

Every layer made by :func:`make_upsampler` maps (N, Cin, H, W) to (N, Cout, sH, sW), by default s = 2.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    as_bool,
    as_choice,
    as_device,
    as_dtype,
    as_int,
    as_tensor,
    callable_as,
    check_elements,
    checked,
    int_at_least,
    ints_per_axis,
    module_of,
    odd_int,
    odd_ints,
    odd_kernels,
    one_of,
    pair_at_least,
    sees_arguments,
    within_memory,
)
from ._fold import fold

KINDS = ("deconv3", "deconv4", "nearest", "bilinear", "subpixel", "subpixel_icnr")
RESIZE_MODES = ("nearest", "bilinear")


@checked(kernel_size=odd_int, scale_factor=int_at_least(1))
def fold_matrix(kernel_size: int, scale_factor: int) -> torch.Tensor:
    """The 0/1 matrix F (K × k, K = k + s - 1) with ``F @ w`` the 1D transposed-convolution kernel that
    equals nearest upsampling by s followed by a "same" convolution with the odd kernel w.

    Nearest upsampling by s is a transposed convolution with a box of s ones; convolving after it gives a
    transposed convolution whose kernel is that box convolved with w. Tap t of w lands on kernel entry n when
    0 <= n + t - (k - 1) < s (the transposed convolution's kernel reads flipped), with padding (k - 1) / 2.
    """
    k, s = kernel_size, scale_factor
    offset = torch.arange(k + s - 1)[:, None] + torch.arange(k)[None, :] - (k - 1)
    return ((offset >= 0) & (offset < s)).float()


@checked(weight=odd_kernels(4, "(Cout, Cin, kh, kw)"), scale_factor=pair_at_least(1))
def fold_kernel(weight: torch.Tensor, scale_factor: int | tuple[int, int]) -> torch.Tensor:
    """Fold a conv2d weight (Cout, Cin, kh, kw) into the ConvTranspose2d weight (Cin, Cout, kh + sh - 1,
    kw + sw - 1) that computes nearest-resize-by-``scale_factor`` (an int or (sh, sw)) followed by that
    convolution (stride (sh, sw), padding ((kh - 1) / 2, (kw - 1) / 2)): ``F W F^T`` per axis."""
    return fold(weight, list(scale_factor), 1)


def _fixed(name: str, doc: str) -> property:
    """A layer's attribute, as given when it was built; setting it is refused, since the layer's parameters or
    fold were built for it."""

    def refuse(layer: nn.Module, value) -> None:
        raise AttributeError(
            f"{name} of a {type(layer).__name__} is fixed when it is built (its parameters and fold depend on it): "
            f"build a new layer with the {name} you want"
        )

    return property(lambda layer: getattr(layer, f"_{name}"), refuse, doc=doc)


def _check_fast(fast, mode: str) -> None:
    """``fast`` must be a bool, and True only where the fold is exact (mode nearest)."""
    if as_bool("fast", fast) and mode != "nearest":
        raise ValueError(
            f"fast=True is exact only for mode='nearest' ({mode} resizing clamps at the borders, which no "
            f"transposed convolution reproduces); got mode={mode!r}: pass fast=False"
        )


def _check_resize_conv(
    layer, in_channels, out_channels, kernel_size, scale_factor, mode, fast, bias, groups, device, dtype
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Validate every argument of a resize-convolution ``layer``; return its kernel sizes and scales per axis."""
    cin, cout = as_int("in_channels", in_channels, 1), as_int("out_channels", out_channels, 1)
    kernel = odd_ints("kernel_size", kernel_size, layer.dims)
    scale = ints_per_axis("scale_factor", scale_factor, layer.dims, 1)
    _check_fast(fast, as_choice("mode", mode, layer.modes))
    g = as_int("groups", groups, 1)
    if cin % g or cout % g:
        raise ValueError(f"groups must divide in_channels={cin} and out_channels={cout}, got {g}")
    as_bool("bias", bias)
    as_device("device", device)
    as_dtype("dtype", dtype)
    check_elements(
        f"in_channels={cin}, out_channels={cout}, kernel_size={kernel_size}", cin * cout // g * math.prod(kernel)
    )
    return kernel, scale


class ResizeConvBase(nn.Module):
    """Resize by ``scale_factor``, then a stride-1 "same" convolution with odd kernel sizes (zero padding after
    the resize); with ``mode="nearest"`` and ``fast=True``, the same function as ONE transposed convolution whose
    kernel is folded from the small one. Subclasses name the dimension: the convolution class, the transposed
    convolution and the resize modes (:class:`ResizeConv2d`, ``upsampling1d.ResizeConv1d``).

    The parameters are those of the plain convolution (``self.conv``), so state dicts move between the fast and
    the slow path, and the layer holds no buffer: the fold is recomputed from the current weight at each forward
    pass (so meta-device initialisation and ``load_state_dict(assign=True)`` need nothing more), except in
    inference (no gradient to the weight), where the folded kernel is kept while the weight's version counter,
    storage, dtype and device are unchanged. ``kernel_size``, ``scale_factor`` and ``mode`` are fixed when the
    layer is built; ``fast`` can be switched, and is checked again.
    """

    modes: tuple[str, ...] = ()
    conv_class: type[nn.Module] = nn.Conv2d
    conv_transpose: Callable[..., torch.Tensor]
    dims = 2  # spatial dimensions
    # TorchScript compiles forward and the private attributes it reads, not the checked properties or the cache.
    __jit_unused_properties__ = ["kernel_size", "scale_factor", "mode", "fast"]
    __jit_ignored_attributes__ = ["_cache"]

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, ...] = 3,
        scale_factor: int | tuple[int, ...] = 2,
        mode: str = "nearest",
        fast: bool = True,
        bias: bool = True,
        groups: int = 1,
        device: torch.device | str | None = None,
        dtype: torch.dtype | None = None,
    ) -> None:
        super().__init__()
        kernel, scale = _check_resize_conv(
            self, in_channels, out_channels, kernel_size, scale_factor, mode, fast, bias, groups, device, dtype
        )
        self._kernel_size, self._scale_factor, self._mode, self._fast = kernel_size, scale_factor, mode, bool(fast)
        self._stride, self._padding, self._in_channels = list(scale), [k // 2 for k in kernel], in_channels
        self._dims = self.dims
        self._cache: tuple | None = None
        self._shown = f"{type(self).__name__} with a {'x'.join(map(str, kernel))} kernel and in_channels={in_channels}"
        self.conv = self.conv_class(
            in_channels,
            out_channels,
            kernel,
            padding=self._padding,
            bias=bias,
            groups=groups,
            device=device,
            dtype=dtype,
        )

    # --- fixed and checked attributes

    kernel_size = _fixed("kernel_size", "The kernel size as given (fixed: the parameters have its shape).")
    scale_factor = _fixed("scale_factor", "The scale factor as given (fixed: the fold and the output shape use it).")
    mode = _fixed("mode", "The resize mode (fixed: whether the fold is exact depends on it).")

    @property
    def fast(self) -> bool:
        """Whether the folded transposed convolution computes the layer; switchable where it is exact."""
        return self._fast

    @fast.setter
    def fast(self, value) -> None:
        _check_fast(value, self._mode)
        self._fast = bool(value)

    def reset_parameters(self) -> None:
        """Draw the convolution's parameters afresh (after ``to_empty``, for instance), as at construction."""
        self.conv.reset_parameters()
        self._cache = None

    # --- the computation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Resize, then convolve; on the fast path both at once, as one transposed convolution with the kernel
        folded from the convolution's (stride s, padding (k - 1) / 2)."""
        batched = self._check_input(x)  # (N, C, *size), or unbatched (C, *size)
        if not batched:
            x = x.unsqueeze(0)
        if self._fast:
            kernel = self._folded_kernel()
            y = self.conv_transpose(x, kernel, self.conv.bias, self._stride, self._padding, 0, self.conv.groups)
        else:
            y = self.conv(self._resize(x))
        return y if batched else y.squeeze(0)

    def _check_input(self, x: torch.Tensor) -> bool:
        """Whether ``x`` is batched; a wrong rank or channel count is refused in the words of the layer's own
        arguments (a few integer comparisons, cheap beside any convolution)."""
        d = self._dims
        if x.dim() != d + 1 and x.dim() != d + 2:
            raise ValueError(
                f"x must be batched (N, C, *size) or unbatched (C, *size) with {d} spatial axes for "
                f"{self._shown}, got shape {list(x.shape)}"
            )
        if x.shape[-d - 1] != self._in_channels:
            raise ValueError(f"x must have {self._in_channels} channels for {self._shown}, got shape {list(x.shape)}")
        return x.dim() == d + 2

    def _resize(self, x: torch.Tensor) -> torch.Tensor:
        """The resized input of the slow path (nearest or (bi)linear, corners not aligned)."""
        scale = [float(s) for s in self._stride]
        if self._mode == "nearest":
            return F.interpolate(x, scale_factor=scale, mode="nearest")
        return F.interpolate(x, scale_factor=scale, mode=self._mode, align_corners=False)

    def _folded_kernel(self) -> torch.Tensor:
        """The transposed convolution's kernel folded from the current weight (kept between calls in inference)."""
        if torch.jit.is_scripting():
            return fold(self.conv.weight, self._stride, self.conv.groups)
        return self._cached_fold()

    @torch.jit.unused
    def _cached_fold(self) -> torch.Tensor:
        """The folded kernel, reused while the same weight tensor is unchanged (version counter, storage, dtype,
        device) and no gradient has to reach it; folded afresh otherwise (training, tracing, compiling)."""
        weight = self.conv.weight
        if not _may_cache(weight):
            return fold(weight, self._stride, self.conv.groups)
        key = (weight._version, weight.data_ptr(), weight.dtype, weight.device)
        cache = self._cache
        if cache is not None and cache[0] is weight and cache[1] == key:
            return cache[2]
        kernel = fold(weight, self._stride, self.conv.groups)
        self._cache = (weight, key, kernel)
        return kernel

    def extra_repr(self) -> str:
        return f"scale_factor={self.scale_factor}, mode={self.mode!r}, fast={self.fast}"


def _may_cache(weight: torch.Tensor) -> bool:
    """Whether a folded kernel may be kept: a plain parameter (not one computed by a parametrisation or
    swapped in by functional_call), no gradient wanted for it, and no tracer or compiler recording the call."""
    return (
        not torch.compiler.is_compiling()  # first: a compiler cannot trace the checks below
        and not torch.jit.is_tracing()
        and isinstance(weight, nn.Parameter)
        and not (weight.requires_grad and torch.is_grad_enabled())
        and not weight.is_inference()
    )


class ResizeConv2d(ResizeConvBase):
    """Resize by ``scale_factor`` (an int or (sh, sw)) then a stride-1 "same" convolution with an odd kernel
    (an int or (kh, kw), zero padding after the resize), with ``groups`` as in nn.Conv2d.

    With ``mode="nearest"`` and ``fast=True`` the same function is computed as ONE transposed convolution
    whose kernel is folded from the small one (:func:`fold_kernel`): the parameters stay the kh×kw ones, the
    cost is that of a ConvTranspose2d with a (kh+sh-1)×(kw+sw-1) kernel on the small input. Bilinear resizing
    clamps at the borders, which no transposed convolution reproduces exactly, so ``mode="bilinear"`` needs
    ``fast=False``. Input (N, C, H, W) or unbatched (C, H, W).
    """

    modes = RESIZE_MODES
    conv_class = nn.Conv2d
    conv_transpose = staticmethod(F.conv_transpose2d)


def _phased(ndim: int, layout: str) -> Callable[[str, object, dict], torch.Tensor]:
    """Rule: a sub-pixel convolution's ``ndim``-D weight or bias, whose first dimension holds the s² phases of
    each output channel (s the ``scale_factor`` argument)."""

    def rule(name: str, value, arguments: dict) -> torch.Tensor:
        x, phases = as_tensor(name, value, ndim, layout), arguments["scale_factor"] ** 2
        if x.shape[0] % phases:
            raise ValueError(
                f"{name}'s first dimension must be a multiple of scale_factor**2={phases}, got shape {tuple(x.shape)}"
            )
        return x

    return sees_arguments(rule)


@checked(
    scale_factor=int_at_least(1),
    weight=_phased(4, "(Cout*s^2, Cin, k, k)"),
    init=callable_as("an in-place initialiser such as nn.init.kaiming_normal_"),
)
def icnr_(weight: torch.Tensor, scale_factor: int = 2, init=nn.init.kaiming_normal_) -> torch.Tensor:
    """ICNR initialisation (Aitken et al. 2017) of a sub-pixel convolution weight, in place.

    The weight (Cout·s², Cin, k, k) gets s² identical copies of one randomly initialised (Cout, Cin, k, k)
    kernel, ordered as PixelShuffle reads them, so at initialisation the layer equals convolution followed by
    nearest upsampling: no checkerboard.
    """
    phases = scale_factor * scale_factor
    sub = torch.empty(weight.shape[0] // phases, *weight.shape[1:], dtype=weight.dtype, device=weight.device)
    init(sub)
    with torch.no_grad():
        weight.copy_(sub.repeat_interleave(phases, dim=0))
    return weight


@checked(scale_factor=int_at_least(1), bias=_phased(1, "(Cout*s^2,)"))
def tie_bias_(bias: torch.Tensor, scale_factor: int = 2) -> torch.Tensor:
    """Give the s² phases of each output channel of a sub-pixel convolution the same bias, in place.

    Without this, PyTorch's per-channel random bias alone paints a period-s pattern after PixelShuffle.
    """
    phases = scale_factor * scale_factor
    with torch.no_grad():
        bias.copy_(bias.view(-1, phases)[:, :1].expand(-1, phases).reshape(-1))
    return bias


def _subpixel_weights(in_channels: int, out_channels: int, scale_factor: int, kernel_size: int) -> int:
    return in_channels * out_channels * scale_factor**2 * kernel_size**2


class SubPixelConv2d(nn.Sequential):
    """Sub-pixel convolution (Shi et al. 2016): a "same" k×k convolution to Cout·s² channels, then
    PixelShuffle(s). Arguments in the order of :class:`ResizeConv2d`; ``icnr=True`` applies :func:`icnr_` and
    :func:`tie_bias_`."""

    @checked(
        in_channels=int_at_least(1),
        out_channels=int_at_least(1),
        kernel_size=odd_int,
        scale_factor=within_memory(int_at_least(1), _subpixel_weights),
        icnr=as_bool,
        bias=as_bool,
    )
    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        scale_factor: int = 2,
        icnr: bool = False,
        bias: bool = True,
    ):
        k, s = kernel_size, scale_factor
        conv = nn.Conv2d(in_channels, out_channels * s * s, k, padding=k // 2, bias=bias)
        if icnr:
            icnr_(conv.weight, s)
            if bias:
                tie_bias_(conv.bias, s)
        super().__init__(conv, nn.PixelShuffle(s))


@sees_arguments
def _transposed_weight(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: a ConvTranspose2d weight (Cin, Cout, k, k) whose square kernel's size is a multiple of the stride."""
    w, s = as_tensor(name, value, 4, "(Cin, Cout, k, k)"), arguments["stride"]
    kh, kw = w.shape[-2:]
    if kh != kw or kh % s:
        raise ValueError(f"{name} must have a square kernel whose size is a multiple of stride={s}, got {kh}x{kw}")
    return w


@sees_arguments
def _subpixel_weight(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: a sub-pixel convolution weight (Cout·s², Cin, m, m) for the stride s, with a square kernel."""
    w, s = as_tensor(name, value, 4, "(Cout*s^2, Cin, m, m)"), arguments["stride"]
    n, _, m, mw = w.shape
    if m != mw or n % (s * s):
        raise ValueError(f"{name} must be (Cout*{s * s}, Cin, m, m) with a square kernel, got shape {tuple(w.shape)}")
    return w


@checked(stride=int_at_least(1), weight=_transposed_weight)
def transposed_to_subpixel(weight: torch.Tensor, stride: int) -> torch.Tensor:
    """The sub-pixel convolution weight that computes a stride-s transposed convolution with kernel size k = s·m.

    ``weight`` is a ConvTranspose2d weight (Cin, Cout, k, k). The result W (Cout·s², Cin, m, m), with
    W[o·s² + a·s + b, i, v, u] = weight[i, o, s(m-1-v) + a, s(m-1-u) + b], satisfies

        pixel_shuffle(conv2d(x, W, padding=m - 1), s) == conv_transpose2d(x, weight, stride=s)

    (crop the transposed convolution's padding P from every side of both). Output phase (a, b) of the
    transposed convolution reads exactly the m×m taps of its kernel that are congruent to (a, b) modulo s.
    """
    (cin, cout, k, _), s = weight.shape, stride
    m = k // s
    # kernel index t = s·(m-1-v) + a: split t into (m-1-v, a), then flip v
    taps = weight.reshape(cin, cout, m, s, m, s).flip(2, 4)  # (i, o, v, a, u, b)
    return taps.permute(1, 3, 5, 0, 2, 4).reshape(cout * s * s, cin, m, m)


@checked(stride=int_at_least(1), weight=_subpixel_weight)
def subpixel_to_transposed(weight: torch.Tensor, stride: int) -> torch.Tensor:
    """The inverse of :func:`transposed_to_subpixel`: a sub-pixel weight (Cout·s², Cin, m, m) as the
    ConvTranspose2d weight (Cin, Cout, s·m, s·m) of the same layer. The two maps only move entries around."""
    (n, cin, m, _), s = weight.shape, stride
    taps = weight.reshape(n // (s * s), s, s, cin, m, m).permute(3, 0, 4, 1, 5, 2)  # (i, o, v, a, u, b)
    return taps.flip(2, 4).reshape(cin, n // (s * s), s * m, s * m)


@checked(model=module_of())
def subpixel_convolutions(model: nn.Module) -> list[nn.Conv2d]:
    """The convolutions of every :class:`SubPixelConv2d` inside ``model``, in order: the layers whose weights
    ICNR initialises, for applying or undoing something to all of them (a re-initialisation, weight norm)."""
    return [layer[0] for layer in model.modules() if isinstance(layer, SubPixelConv2d)]


def _fixed_for_deconv(fixed: int, rule: Callable[[str, object], int]) -> Callable[[str, object, dict], int]:
    """Rule: ``rule``'s value, which must be ``fixed`` for the deconv kinds (fixed k3 or k4, s2 layers)."""

    def check(name: str, value, arguments: dict) -> int:
        v, kind = rule(name, value), arguments["kind"]
        if kind.startswith("deconv") and v != fixed:
            raise ValueError(
                f"{name} must be {fixed} for kind={kind!r} (a fixed k{kind[-1]}, s2 transposed convolution; "
                f"use a resize or sub-pixel kind for other sizes), got {v}"
            )
        return v

    return sees_arguments(check)


KIND = {
    "kind": one_of(KINDS),
    "scale_factor": _fixed_for_deconv(2, int_at_least(1)),
    "kernel_size": _fixed_for_deconv(3, odd_int),
    "in_channels": int_at_least(1),
}


def _parameters(in_channels: int, out_channels: int, scale_factor: int, kernel_size: int) -> int:
    """A bound on the weights of any upsampler kind with these sizes (a deconv4 kernel has 16 taps)."""
    return max(16, scale_factor**2 * kernel_size**2) * in_channels * out_channels


@checked(**KIND, out_channels=within_memory(int_at_least(1), _parameters), bias=as_bool)
def make_upsampler(
    kind: str, in_channels: int, out_channels: int, *, scale_factor: int = 2, kernel_size: int = 3, bias: bool = True
) -> nn.Module:
    """One ×s upsampling layer of the given kind (see ``KINDS``); all map (N, Cin, H, W) to (N, Cout, sH, sW).

    ``deconv3``: ConvTranspose2d k3 s2 p1 output_padding 1; ``deconv4``: k4 s2 p1 (both only ×2);
    ``nearest``/``bilinear``: resize then a k×k convolution (nearest through the fold); ``subpixel``: k×k
    convolution + PixelShuffle; ``subpixel_icnr``: the same with ICNR weights and phase-tied bias. ``bias=False``
    drops the bias. The defaults, ×2 and 3×3, are the layers the chapters compare.
    """
    cin, cout, s, k = in_channels, out_channels, scale_factor, kernel_size
    if kind == "deconv3":
        return nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1, bias=bias)
    if kind == "deconv4":
        return nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1, bias=bias)
    if kind in RESIZE_MODES:
        return ResizeConv2d(cin, cout, k, s, mode=kind, fast=kind == "nearest", bias=bias)
    return SubPixelConv2d(cin, cout, k, s, icnr=(kind == "subpixel_icnr"), bias=bias)


# --- cost ----------------------------------------------------------------------------------------------------


@checked(**KIND, out_channels=int_at_least(1), input_size=pair_at_least(1))
def multiply_adds(
    kind: str, in_channels: int, out_channels: int, input_size, *, scale_factor: int = 2, kernel_size: int = 3
) -> int:
    """Multiply-accumulate operations of one forward pass of ``make_upsampler(kind, ..., scale_factor=s,
    kernel_size=k)`` on one input of ``in_channels`` × ``input_size`` (an int or (H, W), as everywhere in the
    package; FLOPs are about twice this; biases and the tiny kernel fold ignored).

    A transposed convolution multiplies every input pixel by every tap: H·W·k²·Cin·Cout (k = 3 or 4).
    ``nearest`` runs as the folded transposed convolution with a (k + s - 1)² kernel: H·W·(k + s - 1)²·Cin·Cout
    (the naive path would convolve the s² times larger image: s²H·W·k²·Cin·Cout). ``bilinear`` resizes (4 taps
    per output value and channel) and then convolves the large image: s²H·W·(4·Cin + k²·Cin·Cout). Sub-pixel
    convolution is a k×k convolution on the small input to s²·Cout channels: H·W·k²·Cin·s²·Cout.
    """
    cin, cout, s, k = in_channels, out_channels, scale_factor, kernel_size
    hw = input_size[0] * input_size[1]
    if kind == "deconv3":
        return hw * 9 * cin * cout
    if kind == "deconv4":
        return hw * 16 * cin * cout
    if kind == "nearest":
        return hw * (k + s - 1) ** 2 * cin * cout
    if kind == "bilinear":
        return s * s * hw * (4 * cin + k * k * cin * cout)
    return hw * k * k * cin * s * s * cout
