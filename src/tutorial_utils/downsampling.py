"""The downsampler zoo: ÷2 layers chosen by name, and the blurs that anti-alias them (Zhang 2019).

The backward pass of a downsampling layer is an upsampling: a stride-2 convolution sends its gradient back
through the transposed convolution with the same kernel, and inherits its uneven overlap. A 3×3 kernel at
stride 2 gives its input gradient a period-2 pattern; a 4×4 kernel, average pooling and ``BlurPool2d``
(whose 4×4 binomial filter is divisible by its stride) do not on average over random weights (a given trained
kernel can still weigh its phases unevenly). Max pooling routes each gradient to the argmax of its 2×2 window:
high-frequency, but with no phase fixed by the architecture.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import checked, int_at_least, int_in, one_of, sees_arguments, within_memory

DOWN_KINDS = ("conv3", "conv4", "avgpool", "blurpool", "maxpool")


MAX_FILTER_SIZE = 32  # row 31 of Pascal's triangle is exact in float64; wider binomial filters are Gaussians


@checked(size=int_in(1, MAX_FILTER_SIZE, " (a wider binomial filter is a Gaussian)"))
def binomial_filter(size: int) -> torch.Tensor:
    """The normalised 2D binomial low-pass filter (size, size): outer product of a row of Pascal's triangle."""
    taps = _pascal(size)
    kernel = taps[:, None] * taps[None, :]
    return kernel / kernel.sum()


def _pascal(size: int) -> torch.Tensor:
    """Row ``size - 1`` of Pascal's triangle as floats, e.g. [1, 3, 3, 1] for size 4."""
    row = [1.0]
    for _ in range(size - 1):
        row = [a + b for a, b in zip([0.0] + row, row + [0.0])]
    return torch.tensor(row)


@sees_arguments
def _blur_input(name: str, x, arguments: dict) -> torch.Tensor:
    """Rule for a blur's input: (N, channels, H, W) with H and W above its padding (reflect padding needs that
    many pixels)."""
    layer = arguments["self"]
    channels, pad = layer.channels, max(layer.padding)
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != channels:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} must be a tensor of shape (N, {channels}, H, W), got {shape}")
    if min(x.shape[-2:]) <= pad:
        raise ValueError(f"{name} height and width must be at least {pad + 1} (reflect padding), got {tuple(x.shape)}")
    return x


class Blur2d(nn.Module):
    """Depthwise [1, 2, 1]ᵀ[1, 2, 1]/16 low-pass filter with reflect padding (anti-aliasing, Zhang 2019)."""

    padding = (1, 1, 1, 1)  # left, right, top, bottom

    @checked(channels=within_memory(int_at_least(1), lambda channels: 9 * channels))
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.register_buffer("kernel", binomial_filter(3).expand(channels, 1, 3, 3).clone())

    @checked(x=_blur_input)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(F.pad(x, self.padding, mode="reflect"), self.kernel, groups=self.channels)


class BlurPool2d(nn.Module):
    """Blur, then keep every ``stride``-th pixel (Zhang 2019): a depthwise binomial low-pass with reflect
    padding, applied at the stride, so H and W shrink by ``stride`` (for sizes divisible by it).

    The default 4×4 filter ([1, 3, 3, 1] per axis, Zhang's default) has a size divisible by the stride, so the
    transposed filter that carries gradients back spreads them evenly over the stride phases.
    """

    @checked(
        channels=int_at_least(1),
        filter_size=within_memory(int_at_least(1), lambda channels, filter_size: channels * filter_size**2),
        stride=int_at_least(1),
    )
    def __init__(self, channels: int, filter_size: int = 4, stride: int = 2) -> None:
        super().__init__()
        self.channels, self.filter_size, self.stride = channels, filter_size, stride
        k = filter_size
        self.padding = ((k - 1) // 2, k // 2, (k - 1) // 2, k // 2)  # left, right, top, bottom
        self.register_buffer("kernel", binomial_filter(k).expand(channels, 1, k, k).clone())

    @checked(x=_blur_input)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(F.pad(x, self.padding, mode="reflect"), self.kernel, stride=self.stride, groups=self.channels)

    def extra_repr(self) -> str:
        return f"{self.channels}, filter_size={self.filter_size}, stride={self.stride}"


@checked(
    kind=one_of(DOWN_KINDS),
    in_channels=int_at_least(1),
    out_channels=within_memory(int_at_least(1), lambda in_channels, out_channels: 16 * in_channels * out_channels),
)
def make_downsampler(kind: str, in_channels: int, out_channels: int) -> nn.Module:
    """One ÷2 downsampling layer: ``conv3`` (k3 s2 p1), ``conv4`` (k4 s2 p1), ``avgpool`` (3×3 conv then 2×2
    average pooling), ``blurpool`` (3×3 conv then :class:`BlurPool2d`) or ``maxpool`` (3×3 conv then 2×2 max
    pooling)."""
    if kind == "conv3":
        return nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1)
    if kind == "conv4":
        return nn.Conv2d(in_channels, out_channels, 4, stride=2, padding=1)
    conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)
    if kind == "avgpool":
        return nn.Sequential(conv, nn.AvgPool2d(2))
    if kind == "maxpool":
        return nn.Sequential(conv, nn.MaxPool2d(2))
    return nn.Sequential(conv, BlurPool2d(out_channels))
