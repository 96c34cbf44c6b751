"""Style and content losses on fixed random convolutional features: no pretrained network, nothing downloaded.

A single layer of random filters followed by a ReLU already carries enough texture statistics for Gram-matrix
texture synthesis (Ustyuzhaninov et al. 2017; He et al. 2016 for random deep networks). The large filters of
that paper are too slow for a CPU, so the large receptive field comes from an image pyramid instead: the same
small random filter bank looks at the image at full, half and quarter resolution.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from . import pretrained
from ._checks import (
    as_bool,
    as_float,
    as_images,
    as_int,
    as_module,
    as_tensor,
    check_elements,
    checked,
    float_in,
    int_at_least,
    module_of,
    one_of,
    optional,
)
from .metrics import log_ring_power, radial_spectra


def gram_matrix(features: torch.Tensor) -> torch.Tensor:
    """Channel co-activations of feature maps (N, C, H, W) as (N, C, C), normalised by C·H·W (Johnson et al.).

    The Gram matrix forgets where a feature fired and keeps which features fire together: texture, not layout.
    """
    n, c, h, w = as_tensor("features", features, 4, "(N, C, H, W)").shape
    flat = features.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (c * h * w)


class RandomFeatures(nn.Module):
    """A fixed bank of random filters with ReLU, applied to an image pyramid: one feature map per (scale,
    kernel size), finest scale first.

    ``channels`` filters per kernel size, drawn once from ``seed`` (He-normal, no bias) and stored as buffers,
    so they are never trained and move with ``.to(device)``. Scale k is the image average-pooled by
    2**(``first_scale`` + k), for ``n_scales`` scales. ``zero_mean=True`` makes every filter sum to zero over
    each input channel, so it is blind to flat colour and sees only edges and texture. Convolutions are
    "valid" (no padding), so image borders add no features of their own.
    """

    def __init__(
        self,
        kernel_sizes: Sequence[int] = (3, 5),
        channels: int = 32,
        n_scales: int = 3,
        seed: int = 0,
        first_scale: int = 0,
        zero_mean: bool = False,
    ) -> None:
        super().__init__()
        if not isinstance(kernel_sizes, (tuple, list)) or not kernel_sizes:
            raise ValueError(f"kernel_sizes must be a non-empty tuple of odd ints >= 1, got {kernel_sizes!r}")
        sizes = tuple(as_int("kernel_sizes", k, 1) for k in kernel_sizes)
        if any(k % 2 == 0 for k in sizes):
            raise ValueError(f"kernel_sizes must be odd, got {kernel_sizes!r}")
        self.kernel_sizes = sizes
        self.channels = as_int("channels", channels, 1)
        check_elements(
            f"channels={channels}, kernel_sizes={kernel_sizes!r}", 3 * self.channels * sum(k * k for k in sizes)
        )
        self.n_scales = as_int("n_scales", n_scales, 1)
        self.first_scale = as_int("first_scale", first_scale, 0)
        self.zero_mean = as_bool("zero_mean", zero_mean)
        gen = torch.Generator().manual_seed(as_int("seed", seed, 0))
        for i, k in enumerate(sizes):
            weight = torch.randn(self.channels, 3, k, k, generator=gen) * (2.0 / (3 * k * k)) ** 0.5
            if self.zero_mean:
                weight = weight - weight.mean(dim=(2, 3), keepdim=True)
            self.register_buffer(f"weight{i}", weight)

    def min_size(self) -> int:
        """The smallest image side the pyramid accepts: the coarsest level must fit the largest kernel."""
        return max(self.kernel_sizes) * 2 ** (self.first_scale + self.n_scales - 1)

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 3:
            shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
            raise ValueError(f"images must be RGB images of shape (N, 3, H, W), got {shape}")
        if min(images.shape[-2:]) < self.min_size():
            raise ValueError(
                f"images must be at least {self.min_size()} pixels on each side for {self.n_scales} scales and "
                f"kernel sizes {self.kernel_sizes}, got {tuple(images.shape[-2:])}"
            )
        x = F.avg_pool2d(images, 2**self.first_scale) if self.first_scale else images
        out = []
        for scale in range(self.n_scales):
            if scale:
                x = F.avg_pool2d(x, 2)
            out += [F.relu(F.conv2d(x, getattr(self, f"weight{i}"))) for i in range(len(self.kernel_sizes))]
        return out


def total_variation(images: torch.Tensor) -> torch.Tensor:
    """Johnson et al.'s (2016) total-variation regulariser: the mean squared difference between vertically
    neighbouring pixels plus that between horizontally neighbouring ones, over images (N, C, H, W).

    It charges every fine pattern, wanted texture or not: a ±a checkerboard costs 8a², a flat image 0.
    """
    x = as_tensor("images", images, 4, "(N, C, H, W)")
    if min(x.shape[-2:]) < 2:
        raise ValueError(f"images must be at least 2×2 pixels to have neighbours, got {tuple(x.shape[-2:])}")
    return (x[..., 1:, :] - x[..., :-1, :]).pow(2).mean() + (x[..., :, 1:] - x[..., :, :-1]).pow(2).mean()


def _features(name: str, value) -> RandomFeatures:
    return as_module(name, value, RandomFeatures)


def _same_shape(images: torch.Tensor, content: torch.Tensor) -> None:
    if not isinstance(content, torch.Tensor) or content.shape != images.shape:
        shape = tuple(content.shape) if isinstance(content, torch.Tensor) else type(content).__name__
        raise ValueError(f"content must have the shape of images {tuple(images.shape)}, got {shape}")


def _gram_terms(images: torch.Tensor, grams: Sequence[torch.Tensor], features: RandomFeatures) -> torch.Tensor:
    """Per feature map, the squared distance of the images' Gram matrices to ``grams``, mean over the batch."""
    maps = features(images)
    return torch.stack([(gram_matrix(f) - g).pow(2).sum((1, 2)).mean() for f, g in zip(maps, grams, strict=True)])


def _content_terms(images: torch.Tensor, content: torch.Tensor, features: RandomFeatures) -> torch.Tensor:
    """Per feature map, the mean squared distance between the features of ``images`` and of ``content``."""
    with torch.no_grad():
        targets = features(content)
    return torch.stack([F.mse_loss(f, t) for f, t in zip(features(images), targets, strict=True)])


def _style_grams(style: torch.Tensor, features: RandomFeatures) -> list[torch.Tensor]:
    style = as_images("style", style)
    if style.shape[:2] != (1, 3):
        raise ValueError(f"style must be one RGB image of shape (1, 3, H, W), got {tuple(style.shape)}")
    with torch.no_grad():
        return [gram_matrix(f) for f in features(style)]


def style_loss(images: torch.Tensor, style: torch.Tensor, features: RandomFeatures) -> torch.Tensor:
    """Summed squared Gram-matrix distances of ``images`` to one ``style`` image (1, 3, H, W), per feature map
    of ``features``: 0 when the images have the style's feature statistics, wherever the features fire."""
    features = _features("features", features)
    grams = _style_grams(style, features)
    return _gram_terms(as_tensor("images", images, 4, "(N, 3, H, W)"), grams, features).sum()


def content_loss(images: torch.Tensor, content: torch.Tensor, features: RandomFeatures) -> torch.Tensor:
    """Summed mean squared distances between the ``features`` of ``images`` and of ``content`` (same shape):
    0 when the images are the content images."""
    features = _features("features", features)
    _same_shape(as_tensor("images", images, 4, "(N, 3, H, W)"), content)
    return _content_terms(images, content, features).sum()


class StyleContentLoss(nn.Module):
    """``style_weight`` · mean(style terms / their initial values) + ``content_weight`` · the same for content
    + ``tv_weight`` · :func:`total_variation` / its initial value.

    The style terms compare Gram matrices of ``features`` (default :class:`RandomFeatures` with ``seed=0``: 3×3
    and 5×5 filters at full, half and quarter resolution) with those of the one ``style`` image; the content
    terms compare the feature maps of ``content_features`` (default: zero-mean filters at half and quarter
    resolution, ``seed=1``). Like the content layer of Johnson et al. (2016), which sits after pooling, the
    default content features look at structure and leave the finest detail, and colour, to the style. Every
    term is divided by its value on the batch given to :meth:`calibrate` (typically the untrained network's
    output), so all terms start at 1 and the weights are comparable whatever the feature scale. Until then
    the normalisers are 1. ``tv_weight`` (default 0: off) adds Johnson et al.'s total-variation regulariser,
    normalised the same way. Call it as ``loss(images, content)``.
    """

    def __init__(
        self,
        style: torch.Tensor,
        features: RandomFeatures | None = None,
        style_weight: float = 1.0,
        content_weight: float = 1.0,
        content_features: RandomFeatures | None = None,
        tv_weight: float = 0.0,
    ) -> None:
        super().__init__()
        if features is None:
            features = RandomFeatures()
        if content_features is None:
            content_features = RandomFeatures(n_scales=2, first_scale=1, zero_mean=True, seed=1)
        self.features = _features("features", features)
        self.content_features = _features("content_features", content_features)
        self.style_weight = as_float("style_weight", style_weight, 0)
        self.content_weight = as_float("content_weight", content_weight, 0)
        self.tv_weight = as_float("tv_weight", tv_weight, 0)
        grams = _style_grams(style, self.features)
        self.register_buffer("grams", torch.stack([g[0] for g in grams]))
        n_content = len(self.content_features.kernel_sizes) * self.content_features.n_scales
        self.register_buffer("style_norm", self.grams.new_ones(len(grams)))  # on the style's device
        self.register_buffer("content_norm", self.grams.new_ones(n_content))
        self.register_buffer("tv_norm", self.grams.new_ones(()))

    def _raw(self, images: torch.Tensor, content: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        as_tensor("images", images, 4, "(N, 3, H, W)")
        _same_shape(images, content)
        grams = [g[None] for g in self.grams]
        return _gram_terms(images, grams, self.features), _content_terms(images, content, self.content_features)

    @torch.no_grad()
    def calibrate(self, images: torch.Tensor, content: torch.Tensor) -> StyleContentLoss:
        """Divide every later term by its value for these ``images`` and ``content``; returns the loss itself."""
        style, content_terms = self._raw(images, content)
        self.style_norm.copy_(style.clamp_min(1e-12))
        self.content_norm.copy_(content_terms.clamp_min(1e-12))
        self.tv_norm.copy_(total_variation(images).clamp_min(1e-12))
        return self

    def parts(self, images: torch.Tensor, content: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The normalised (style, content) losses of ``images`` for the ``content`` images, before weighting."""
        style, content_terms = self._raw(images, content)
        return (style / self.style_norm).mean(), (content_terms / self.content_norm).mean()

    def forward(self, images: torch.Tensor, content: torch.Tensor) -> torch.Tensor:
        style, content_part = self.parts(images, content)
        value = self.style_weight * style + self.content_weight * content_part
        if self.tv_weight:
            value = value + self.tv_weight * total_variation(images) / self.tv_norm
        return value


# --- chapter 10: a spectral regulariser -------------------------------------------------------------------------


SPECTRAL_FORMS = ("mse", "bce")  # this book's variant, the paper's form (SpectralLoss)


class SpectralLoss(nn.Module):
    """A spectral regulariser after Durall et al. (2020): how far the 1D log power spectra of generated images lie
    from those of the ``real`` images (N, C, H, W). Two forms:

    - ``"mse"`` (the default, this book's variant): the mean squared difference, over frequency rings, between
      the batch's mean log10 ring power and the real images' mean;
    - ``"bce"`` (the paper's form): each image's log10 ring powers min-max normalised to [0, 1], averaged over
      the batch, and the binary cross-entropy of that mean profile against the real images' mean normalised
      profile (Durall et al.'s reference code computes the generated profiles outside the autograd graph; here
      both forms are differentiable in the images).

    Either is smallest when the two spectra agree, so adding it to a generator's loss pushes the generator's
    spectrum, lines included, towards the real one. Both act on a batch mean, not on each image. The rings are
    those of :func:`~tutorial_utils.metrics.radial_spectra` (:func:`~tutorial_utils.metrics.log_ring_power`
    computes them differentiably); the target is a buffer and moves with ``.to()``.
    """

    FORMS = SPECTRAL_FORMS

    @checked(real=as_images, form=one_of(SPECTRAL_FORMS))
    def __init__(self, real: torch.Tensor, form: str = "mse") -> None:
        super().__init__()
        self.form, self.shape = form, tuple(real.shape[1:])
        rows = radial_spectra(real)[1]  # float64, on the CPU
        target = rows.mean(dim=0) if form == "mse" else _min_max(rows).mean(dim=0)
        self.register_buffer("target", target.float().to(real.device))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """The penalty for a batch of generated ``images``: 0 when their spectrum is the real one."""
        _check_like(images, self.shape)
        profiles = log_ring_power(images)  # each image's log10 power per frequency ring, (N, rings)
        if self.form == "mse":
            return (profiles.mean(dim=0) - self.target).pow(2).mean()
        mean = _min_max(profiles).mean(dim=0).clamp(1e-6, 1 - 1e-6)
        return F.binary_cross_entropy(mean, self.target.clamp(0, 1))


def _check_like(images, shape: tuple[int, ...]) -> None:
    """Refuse anything but a batch of images of ``shape`` (C, H, W), the real images' shape."""
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or tuple(images.shape[1:]) != shape:
        got = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must have shape (N, {', '.join(map(str, shape))}) like real, got {got}")


def _min_max(rows: torch.Tensor) -> torch.Tensor:
    """Each row rescaled to run from 0 (its minimum) to 1 (its maximum)."""
    low, high = rows.min(dim=1, keepdim=True).values, rows.max(dim=1, keepdim=True).values
    return (rows - low) / (high - low).clamp_min(1e-12)


# --- chapter 06: a perceptual loss on a pretrained network ------------------------------------------------------


def _one_style(name: str, value) -> torch.Tensor:
    """Rule: one RGB image (1, 3, H, W) of finite values."""
    style = as_images(name, value)
    if style.shape[:2] != (1, 3):
        raise ValueError(f"{name} must be one RGB image of shape (1, 3, H, W), got {tuple(style.shape)}")
    return style


def _layer(name: str, value) -> int:
    """Rule: one index into ``MobileNetV2.features``."""
    index = as_int(name, value, 0)
    if index >= pretrained.N_FEATURES:
        raise ValueError(f"{name} must be an index in [0, {pretrained.N_FEATURES - 1}], got {value!r}")
    return index


def smoothed(features: torch.Tensor) -> torch.Tensor:
    """Wang et al.'s (2021) activation smoothing: each image's feature map (N, C, H, W) through a softmax over all
    its C·H·W activations, times C·H·W so that the mean stays 1. It lifts the many small activations and flattens
    the few peaks that residual connections leave, which they found to make Gram matrices of non-VGG networks
    stylise better."""
    flat = as_tensor("features", features, 4, "(N, C, H, W)").flatten(1)
    return (flat.softmax(dim=1) * flat.shape[1]).view_as(features)


class MobileNetStyleLoss(StyleContentLoss):
    """Johnson et al.'s (2016) perceptual loss on the ImageNet MobileNetV2 instead of VGG: Gram matrices of
    ``model.features[i]`` for i in ``style_layers`` against those of the one ``style`` image, and the feature maps
    of ``features[content_layer]`` against those of the content images.

    Called, calibrated and weighted like :class:`StyleContentLoss` (``loss(images, content)``, every term divided
    by its value on the :meth:`calibrate` batch). ``model`` defaults to :func:`~tutorial_utils.pretrained.mobilenet_v2`
    on the style's device; it stays frozen and in eval mode. Two options fight the loss network's own gradient
    pattern: ``jitter=j`` shifts images and content together by a random 0 to 2j - 1 pixels in each direction
    (reflect-padded, drawn from ``seed``) at every call of the loss, so that the stride-2 phases of the network do
    not sit on the same output pixels every step; ``smooth=True`` applies :func:`smoothed` to every feature map
    (Wang et al. 2021).
    """

    @checked(
        style=_one_style,
        model=optional(module_of(pretrained.MobileNetV2)),
        style_layers=pretrained._feature_layers,
        content_layer=_layer,
        style_weight=float_in(0),
        content_weight=float_in(0),
        tv_weight=float_in(0),
        jitter=int_at_least(0),
        smooth=as_bool,
        seed=int_at_least(0),
    )
    def __init__(
        self,
        style: torch.Tensor,
        model: nn.Module | None = None,
        style_layers: Sequence[int] = (1, 3, 6, 10),
        content_layer: int = 6,
        style_weight: float = 1.0,
        content_weight: float = 1.0,
        tv_weight: float = 0.0,
        jitter: int = 0,
        smooth: bool = False,
        seed: int = 0,
    ) -> None:
        nn.Module.__init__(self)  # StyleContentLoss's calibrate, parts and forward; not its random feature banks
        self.model = model if model is not None else pretrained.mobilenet_v2(device=style.device)
        self.style_layers, self.content_layer = tuple(style_layers), content_layer
        self.layers = sorted({*self.style_layers, content_layer})
        self.style_weight, self.content_weight, self.tv_weight = style_weight, content_weight, tv_weight
        self.jitter, self.smooth = jitter, smooth
        self.shifts = torch.Generator().manual_seed(seed)  # on the CPU: the same shifts on every device
        with torch.no_grad():
            maps = self._maps(style.to(next(self.model.parameters()).device))
        for i, layer in enumerate(self.style_layers):
            self.register_buffer(f"gram{i}", gram_matrix(maps[layer]))
        self.register_buffer("style_norm", maps[self.content_layer].new_ones(len(self.style_layers)))
        self.register_buffer("content_norm", maps[self.content_layer].new_ones(1))
        self.register_buffer("tv_norm", maps[self.content_layer].new_ones(()))

    def train(self, mode: bool = True) -> MobileNetStyleLoss:
        """Switch the module's mode, but keep the loss network in eval mode (its BatchNorm statistics fixed)."""
        super().train(as_bool("mode", mode))
        self.model.eval()
        return self

    def _maps(self, images: torch.Tensor) -> dict[int, torch.Tensor]:
        maps = pretrained._feature_maps(self.model, images, self.layers)
        return {layer: smoothed(m) if self.smooth else m for layer, m in zip(self.layers, maps)}

    def _raw(self, images: torch.Tensor, content: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        _same_shape(pretrained._rgb("images", images), content)
        maps = self._maps(images)
        with torch.no_grad():
            target = self._maps(content)[self.content_layer]
        grams = [getattr(self, f"gram{i}") for i in range(len(self.style_layers))]
        style = torch.stack(
            [(gram_matrix(maps[k]) - g).pow(2).sum((1, 2)).mean() for k, g in zip(self.style_layers, grams)]
        )
        return style, F.mse_loss(maps[self.content_layer], target)[None]

    def forward(self, images: torch.Tensor, content: torch.Tensor) -> torch.Tensor:
        """The weighted loss of ``images`` for the ``content`` images, both jittered first if ``jitter``."""
        _same_shape(pretrained._rgb("images", images), content)
        if self.jitter:
            images, content = self._shifted(images, content)
        return super().forward(images, content)

    def _shifted(self, images: torch.Tensor, content: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Both batches reflect-padded by ``jitter`` and cropped back to their size at one random offset."""
        j, (h, w) = self.jitter, images.shape[-2:]
        top, left = (int(v) for v in torch.randint(0, 2 * j, (2,), generator=self.shifts))
        pad = [F.pad(x, (j, j, j, j), mode="reflect")[..., top : top + h, left : left + w] for x in (images, content)]
        return pad[0], pad[1]
