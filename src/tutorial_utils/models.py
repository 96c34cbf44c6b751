"""Small networks whose up- or down-sampling layers are chosen by name, so variants are one argument apart."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._checks import as_bool, as_choice, as_device, as_int, check_elements
from .downsampling import DOWN_KINDS, make_downsampler
from .upsampling import KINDS, make_upsampler

# The article's three generators: transposed convolutions in the last two layers, in the last one, nowhere.
VARIANTS = {"deconv_last_two": 2, "deconv_last": 1, "resize": 0}
# Chapter 10's control, not the article's: transposed convolutions in every layer but the last, which resizes.
# It tells "the last layer decides" apart from "any transposed convolution decides".
CONTROL_VARIANTS = ("deconv_early",)


def num_layers(image_size: int) -> int:
    """Upsampling layers from the 4×4 seed to image_size (a power of two >= 8)."""
    size = as_int("image_size", image_size, 8)
    layers = size.bit_length() - 3
    if 4 * 2**layers != size:
        raise ValueError(f"image_size must be a power of two >= 8 (e.g. 32 or 64), got {image_size}")
    return layers


def _check_widths(request: str, widths: Sequence[int], inputs: int) -> None:
    """Refuse a network whose weights would not fit: ``inputs`` features feed a 4×4 map of widths[0] channels
    (or leave it), and layer i maps widths[i] to widths[i + 1] channels with up to 4×4 taps."""
    check_elements(request, 16 * inputs * widths[0] + sum(16 * a * b for a, b in zip(widths, widths[1:])))


def _kinds(kinds, layers: int, image_size: int, allowed: tuple[str, ...]) -> list[str]:
    """One kind per layer from ``kinds`` (one kind for every layer, or a sequence of ``layers`` kinds)."""
    if isinstance(kinds, str):
        kinds = [kinds] * layers
    elif not isinstance(kinds, (tuple, list)):
        raise TypeError(f"kinds must be a kind or a sequence of kinds from {allowed}, got {type(kinds).__name__}")
    if len(kinds) != layers:
        raise ValueError(f"kinds must name {layers} layers for image_size={image_size}, got {len(kinds)}: {kinds}")
    for kind in kinds:
        if kind not in allowed:
            raise ValueError(f"kinds must contain kinds from {allowed}, got {kind!r}")
    return list(kinds)


def _check_images(x, channels: int, size: int) -> None:
    """Refuse anything but images (N, channels, size, size): what a discriminator or a classifier was built for."""
    expected = (channels, size, size)
    if not isinstance(x, torch.Tensor) or x.ndim != 4 or tuple(x.shape[1:]) != expected:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"x must be images of shape (N, {', '.join(map(str, expected))}), got {shape}")


class Generator(nn.Module):
    """DCGAN-style generator: a linear map to a 4×4 seed, then ×2 upsampling layers, each followed by
    BatchNorm + ReLU except the last, which ends in tanh (images in [-1, 1]).

    ``kinds`` is one upsampler kind for every layer or a sequence with one kind per layer (first to last).
    Channels halve at every layer, from ``width * 2**(layers-1)`` down to ``width``, then ``channels``.
    """

    def __init__(
        self,
        kinds: str | Sequence[str] = "nearest",
        image_size: int = 64,
        latent_dim: int = 64,
        width: int = 32,
        channels: int = 3,
    ) -> None:
        super().__init__()
        layers = num_layers(image_size)
        kinds = _kinds(kinds, layers, image_size, KINDS)
        self.kinds, self.image_size, self.channels = tuple(kinds), image_size, as_int("channels", channels, 1)
        self.latent_dim = as_int("latent_dim", latent_dim, 1)
        width = as_int("width", width, 1)
        widths = [width * 2 ** (layers - 1 - i) for i in range(layers)] + [self.channels]
        _check_widths(f"image_size={image_size}, width={width}, latent_dim={latent_dim}", widths, latent_dim)
        self.stem = nn.Sequential(
            nn.Linear(latent_dim, widths[0] * 16),
            nn.Unflatten(1, (widths[0], 4, 4)),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(),
        )
        blocks = []
        for i, kind in enumerate(kinds):
            last = i == layers - 1
            out = widths[i + 1] if not last else widths[-1]
            up = make_upsampler.__wrapped__(kind, widths[i], out)
            blocks.append(nn.Sequential(up, nn.Tanh()) if last else nn.Sequential(up, nn.BatchNorm2d(out), nn.ReLU()))
        self.blocks = nn.Sequential(*blocks)

    @classmethod
    def variant(
        cls, name: str, image_size: int = 64, resize_kind: str = "nearest", deconv_kind: str = "deconv3", **kwargs
    ) -> Generator:
        """One of the article's variants (``VARIANTS``): transposed convolutions in the last two layers,
        the last layer, or none; the other layers use ``resize_kind``. ``"deconv_early"``
        (``CONTROL_VARIANTS``) puts them in every layer but the last, which uses ``resize_kind``."""
        if name not in (*VARIANTS, *CONTROL_VARIANTS):
            raise ValueError(f"name must be one of {(*VARIANTS, *CONTROL_VARIANTS)}, got {name!r}")
        for arg, kind in (("resize_kind", resize_kind), ("deconv_kind", deconv_kind)):
            if kind not in KINDS:
                raise ValueError(f"{arg} must be an upsampler kind from {KINDS}, got {kind!r}")
        layers = num_layers(image_size)
        if name == "deconv_early":
            kinds = [deconv_kind] * (layers - 1) + [resize_kind]
        else:
            kinds = [resize_kind] * (layers - VARIANTS[name]) + [deconv_kind] * VARIANTS[name]
        return cls(kinds, image_size=image_size, **kwargs)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if not isinstance(z, torch.Tensor) or z.ndim != 2 or z.shape[1] != self.latent_dim:
            shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"z must be a tensor of shape (N, {self.latent_dim}), got {shape}")
        return self.blocks(self.stem(z))

    def sample_latent(self, n: int, rng: torch.Generator | None = None, device=None) -> torch.Tensor:
        """``n`` standard-normal latent vectors on ``device`` (default: the model's).

        They are drawn on ``rng``'s device (the CPU for ``torch.Generator()``) and then moved, so a seeded CPU
        ``rng`` gives the same latents whichever device the model lives on.
        """
        n = as_int("n", n, 1)
        device = as_device("device", device)
        if rng is not None and not isinstance(rng, torch.Generator):
            raise TypeError(f"rng must be a torch.Generator or None, got {type(rng).__name__}")
        draw_on = rng.device if rng is not None else torch.device("cpu")
        z = torch.randn(n, self.latent_dim, generator=rng, device=draw_on)
        return z.to(device if device is not None else next(self.parameters()).device)


class Discriminator(nn.Module):
    """DCGAN-style discriminator: ÷2 downsampling layers with LeakyReLU(0.2) down to 4×4, then a linear score.

    ``kinds`` is one downsampler kind for every layer or one per layer; channels double from ``width``. With
    ``stem=True`` a regular (stride-1) 3×3 convolution to ``width`` channels comes first, at full resolution:
    the article's control for a strided first layer. With ``spectral_norm=True`` every convolution and the
    linear head divide their weight by its largest singular value (Miyato et al. 2018, one power iteration
    per training-mode forward), which keeps the discriminator 1-Lipschitz per layer and a small GAN from
    collapsing.
    """

    def __init__(
        self,
        kinds: str | Sequence[str] = "conv4",
        image_size: int = 64,
        width: int = 32,
        channels: int = 3,
        stem: bool = False,
        spectral_norm: bool = False,
    ) -> None:
        super().__init__()
        layers = num_layers(image_size)
        kinds = _kinds(kinds, layers, image_size, DOWN_KINDS)
        channels, width = as_int("channels", channels, 1), as_int("width", width, 1)
        self.stem = as_bool("stem", stem)
        widths = [width if stem else channels] + [width * 2**i for i in range(layers)]
        _check_widths(f"image_size={image_size}, width={width}", widths[::-1], 1)
        self.spectral_norm = as_bool("spectral_norm", spectral_norm)
        blocks = [nn.Conv2d(channels, width, 3, padding=1), nn.LeakyReLU(0.2)] if stem else []
        for i, kind in enumerate(kinds):
            blocks += [make_downsampler.__wrapped__(kind, widths[i], widths[i + 1]), nn.LeakyReLU(0.2)]
        self.kinds, self.image_size, self.channels = tuple(kinds), image_size, channels
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(widths[-1] * 16, 1)
        if self.spectral_norm:
            for module in [m for m in self.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]:
                nn.utils.parametrizations.spectral_norm(module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, self.channels, self.image_size)
        return self.head(self.features(x).flatten(1)).squeeze(1)


class Classifier(nn.Module):
    """A small image classifier built like :class:`Discriminator`: ÷2 downsampling layers of one ``kinds`` (or
    one kind per layer) with ReLUs, from ``image_size`` down to 4×4, then a linear layer to ``n_classes``
    logits. Networks that differ only in ``kinds`` have the same depth and widths (chapters 05 and 09)."""

    def __init__(
        self,
        kinds: str | Sequence[str] = "avgpool",
        image_size: int = 32,
        n_classes: int = 10,
        width: int = 16,
        channels: int = 1,
    ) -> None:
        super().__init__()
        layers = num_layers(image_size)
        kinds = _kinds(kinds, layers, image_size, DOWN_KINDS)
        widths = [as_int("channels", channels, 1)] + [as_int("width", width, 1) * 2**i for i in range(layers)]
        self.n_classes = as_int("n_classes", n_classes, 2)
        _check_widths(f"image_size={image_size}, width={width}, n_classes={n_classes}", widths[::-1], n_classes)
        blocks = []
        for i, kind in enumerate(kinds):
            blocks += [make_downsampler.__wrapped__(kind, widths[i], widths[i + 1]), nn.ReLU()]
        self.kinds, self.image_size, self.channels = tuple(kinds), image_size, widths[0]
        self.features = nn.Sequential(*blocks)
        self.head = nn.Linear(widths[-1] * 16, self.n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _check_images(x, self.channels, self.image_size)
        return self.head(self.features(x).flatten(1))


# --- chapter 06: the real-time style-transfer network ----------------------------------------------------------


def _conv_unit(in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, relu: bool = True):
    """Reflection padding, a convolution, instance normalisation and (optionally) a ReLU: Johnson's unit."""
    layers = [
        nn.ReflectionPad2d(kernel_size // 2),
        nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride),
        nn.InstanceNorm2d(out_channels, affine=True),
    ]
    return nn.Sequential(*layers, nn.ReLU()) if relu else nn.Sequential(*layers)


class _ResidualBlock(nn.Module):
    """Two 3×3 units with instance normalisation, added to the input (no ReLU after the sum)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(_conv_unit(channels, channels, 3), _conv_unit(channels, channels, 3, relu=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TransformerNet(nn.Module):
    """Johnson et al.'s (2016) image transformation network, scaled down, with the decoder's upsampler by kind.

    A 9×9 stem, two stride-2 3×3 convolutions (``width`` → 2·``width`` → 4·``width`` channels), ``n_residual``
    residual blocks, two ×2 upsamplers from :func:`~tutorial_utils.upsampling.make_upsampler` (``"deconv3"`` is
    Johnson's transposed convolution, ``"nearest"`` the fast folded resize-convolution), each followed by
    instance normalisation and a ReLU, and a 9×9 output convolution ending in tanh. Reflection padding
    everywhere outside the upsamplers. Maps (N, 3, H, W) in [-1, 1] to the same shape, for H, W multiples of 4.
    """

    def __init__(self, upsample_kind: str = "nearest", width: int = 32, n_residual: int = 3) -> None:
        super().__init__()
        self.upsample_kind = as_choice("upsample_kind", upsample_kind, KINDS)
        w = self.width = as_int("width", width, 1)
        self.n_residual = as_int("n_residual", n_residual, 0)
        # 9×9 stem and head, the encoder's and decoder's 3×3 layers, two 3×3 layers per residual block
        check_elements(f"width={width}, n_residual={n_residual}", 162 * 3 * w + 9 * 14 * w * w * (1 + self.n_residual))
        self.encoder = nn.Sequential(
            _conv_unit(3, w, 9), _conv_unit(w, 2 * w, 3, stride=2), _conv_unit(2 * w, 4 * w, 3, stride=2)
        )
        self.residual = nn.Sequential(*(_ResidualBlock(4 * w) for _ in range(self.n_residual)))
        self.decoder = nn.Sequential(
            make_upsampler(upsample_kind, 4 * w, 2 * w),
            nn.InstanceNorm2d(2 * w, affine=True),
            nn.ReLU(),
            make_upsampler(upsample_kind, 2 * w, w),
            nn.InstanceNorm2d(w, affine=True),
            nn.ReLU(),
        )
        self.head = nn.Sequential(nn.ReflectionPad2d(4), nn.Conv2d(w, 3, 9), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != 3:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be RGB images of shape (N, 3, H, W), got {shape}")
        h, w = x.shape[-2:]
        if h % 4 or w % 4 or min(h, w) < 8:
            raise ValueError(f"x height and width must be multiples of 4 and at least 8 (two ÷2 steps), got {h}x{w}")
        return self.head(self.decoder(self.residual(self.encoder(x))))
