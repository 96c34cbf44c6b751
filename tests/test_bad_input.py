"""Bad input over the surface that chapters and users call (issue 13, item 3; issue 27, item 1).

Every parameter of every function and class that a chapter calls (``tests/test_door.py``'s ``chapter_names``) or
that the design fixes (``tests/test_public_api.py``'s ``FIXED``) has at least one bad value in ``CASES``. Calling
with it must raise ValueError or TypeError, raised by the package's own code (not deep inside torch or NumPy),
whose message names the parameter. Each case also has one good call, which must work, so every bad call differs
from a working one in the bad argument alone. Rows for other public callables may stay; they are held to the same
rules. Planted functions show that the checks fail on a value let through, an error from deep inside torch, a
message that does not name the argument, and a parameter of the surface without a row.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import math
import os
import pkgutil
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from test_door import chapter_names
from test_public_api import FIXED
from torch import nn

import tutorial_utils
from tutorial_utils import (
    downsampling,
    forensics,
    losses,
    metrics,
    models,
    players,
    plotting,
    pretrained,
    training,
    upsampling,
    upsampling1d,
)

PACKAGE_DIR = Path(tutorial_utils.__file__).resolve().parent
NAN = float("nan")


# --- helpers ---------------------------------------------------------------------------------------------------


class Lazy:
    """A value built when the test runs (a fresh Axes, a model, a tensor that calls modify in place)."""

    def __init__(self, factory):
        self.factory = factory

    def __call__(self):
        return self.factory()


def shared(factory):
    """A Lazy value built once and then reused (for objects the calls do not modify)."""
    return Lazy(functools.cache(factory))


def resolve(kwargs: dict) -> dict:
    return {k: v() if isinstance(v, Lazy) else v for k, v in kwargs.items()}


def randn(*shape: int) -> torch.Tensor:
    """Seeded noise that leaves the global generator alone."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(0))


def ones(*shape: int) -> torch.Tensor:
    return torch.ones(shape)


def zeros(*shape: int) -> torch.Tensor:
    return torch.zeros(shape)


def with_nan(*shape: int) -> torch.Tensor:
    x = randn(*shape)
    x.view(-1)[0] = NAN
    return x


def call_method(factory, name: str):
    """A function calling method ``name`` of a fresh ``factory()`` object with the row's keyword arguments."""
    return lambda **kwargs: getattr(factory(), name)(**kwargs)


def enter(**kwargs):
    """Enter and leave ``training.bn_mode``, so that the context manager's own checks run."""
    with training.bn_mode(**kwargs):
        pass


@dataclass
class Case:
    """One public callable: a good call (keyword arguments) and bad values per parameter.

    ``call`` calls the callable (default: the object named by ``target``); for a method it builds the object
    first. A bad row calls with ``good`` updated by one bad value.
    """

    target: str
    good: dict
    bad: dict
    call: object = None
    fn: object = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.fn = self.call if self.call is not None else resolve_target(self.target)


def resolve_target(target: str):
    module, *names = target.split(".")
    obj = importlib.import_module(f"tutorial_utils.{module}")
    for name in names:
        obj = getattr(obj, name)
    return obj


AX = Lazy(lambda: plt.subplots()[1])
GEN_ARGS = {"image_size": 8, "latent_dim": 4, "width": 2, "channels": 1}
GEN = shared(lambda: training.seeded(lambda: models.Generator(**GEN_ARGS), 0))
DISC = shared(lambda: training.seeded(lambda: models.Discriminator(image_size=8, width=2, channels=1), 1))
SPECTRAL = shared(lambda: losses.SpectralLoss(randn(2, 1, 8, 8)))
CLASSIFIER = shared(lambda: training.seeded(lambda: models.Classifier(image_size=8, width=2, channels=1), 2))
CONFIG = training.GANConfig(
    image_size=8, width=2, latent_dim=4, steps=1, batch_size=2, eval_every=1, eval_size=2, channels=1
)
NET = shared(lambda: training.seeded(lambda: pretrained.MobileNetV2(num_classes=2).eval(), 0))
LINEAR = shared(lambda: nn.Linear(1, 1))  # a module, but not the kind asked for
WEIGHTS = shared(lambda: pretrained.weights_path(download=False))
TNET = shared(lambda: training.seeded(lambda: models.TransformerNet("nearest", width=2, n_residual=1), 0))
FEATS = shared(lambda: losses.RandomFeatures(kernel_sizes=(3,), channels=2, n_scales=2))
STYLE = randn(1, 3, 8, 8)
SCLOSS = shared(lambda: losses.StyleContentLoss(STYLE, FEATS(), content_features=FEATS()))
MNLOSS = shared(lambda: losses.MobileNetStyleLoss(randn(1, 3, 16, 16), NET(), style_layers=(1, 3), content_layer=3))


def small_figure(a: int = 0):
    fig, ax = plt.subplots(figsize=(1, 0.5))
    ax.axvline(a)
    return fig


def frame_png():
    return players.png_bytes(small_figure(), text={players.FRAME_KEY: json.dumps({"a": 1})})


# --- the table -------------------------------------------------------------------------------------------------

CASES = [
    # runtime
    Case("runtime.seed_everything", {"seed": 0}, {"seed": [-1, 1.5, "0", 2**32], "deterministic": [1, "yes"]}),
    Case("runtime.pick", {"quick": 1, "full": 2}, {"quick": ["1", [1]], "full": ["2", None]}),
    Case("book.setup", {"seed": 0}, {"seed": [-1, "0"]}),
    Case(
        "runtime.claim",
        {"name": "x", "value": 2.0, "op": ">", "bound": 1.0},
        {
            "name": [3, ""],
            "value": ["2", None, True, torch.ones(2)],
            "op": ["==", ">>", None],
            "bound": ["1", math.nan, None],
            "headroom": [-0.1, "0.1"],
        },
    ),
    Case(
        "runtime.progress",
        {"steps": 10},
        {"steps": [-1, 1.5, "10", iter(range(3))], "desc": [1, b"x"], "enabled": [1, "yes"]},
    ),
    # matrices
    Case(
        "matrices.conv_output_size",
        {"input_size": 8, "kernel_size": 3},
        {
            "input_size": [0, 2.5, (1, 2, 3), 1],
            "kernel_size": [0, "3"],
            "stride": [0],
            "padding": [-1],
            "dilation": [0],
        },
    ),
    Case(
        "matrices.conv_transpose_output_size",
        {"input_size": 8, "kernel_size": 3},
        {
            "input_size": [0, None],
            "kernel_size": [0],
            "stride": [0],
            "padding": [-1, 9],
            "output_padding": [-1, 1],
            "dilation": [0],
        },
    ),
    Case(
        "matrices.conv_input_sizes",
        {"output_size": 4, "kernel_size": 3},
        {"output_size": [0], "kernel_size": [0], "stride": [0], "padding": [-1], "dilation": [0]},
    ),
    Case(
        "matrices.conv2d_matrix",
        {"weight": ones(1, 1, 3, 3), "input_size": 4},
        {
            "weight": [ones(3, 3), "w", np.ones((1, 1, 3, 3))],
            "input_size": [0, (4, 4, 4)],
            "stride": [0],
            "padding": [-1],
            "dilation": [0],
            "max_entries": [0, 10],
        },
    ),
    Case(
        "matrices.conv_transpose2d_matrix",
        {"weight": ones(1, 1, 3, 3), "input_size": 4},
        {
            "weight": [ones(3, 3)],
            "input_size": [0],
            "stride": [0],
            "padding": [-1],
            "output_padding": [5],
            "dilation": [0],
            "max_entries": [10],
        },
    ),
    Case(
        "matrices.operator_matrix",
        {"fn": lambda x: 2 * x, "input_shape": (1, 2, 2)},
        {
            "fn": [5],
            "input_shape": [0, (), "2"],
            "dtype": [torch.int64, "float64"],
            "device": ["gpu7", 5],
            "chunk_size": [0],
            "max_entries": [1],
        },
    ),
    *[
        Case(
            f"matrices.{name}",
            {"x": ones(1, 1, 3, 3), "weight": ones(1, 1, 3, 3)},
            {
                "x": [ones(3, 3), ones(1, 2, 3, 3), "x"],
                "weight": [ones(3, 3), ones(2, 1, 3, 3)],
                "stride": [0],
                "padding": [-1, 5],
                "output_padding": [3],
                "dilation": [0],
            },
        )
        for name in ("transpose_by_scatter", "transpose_by_zero_insertion")
    ],
    Case(
        "matrices.zero_insert",
        {"x": ones(1, 1, 3, 3), "kernel_size": 3, "stride": 2},
        {
            "x": [ones(3, 3), "x"],
            "kernel_size": [0, "3"],
            "stride": [0],
            "padding": [-1, 5],
            "output_padding": [3],
            "dilation": [0],
        },
    ),
    # overlap
    Case(
        "overlap.overlap_counts",
        {"kernel_size": 3, "stride": 2, "input_size": 4},
        {"kernel_size": [0, 2.0], "stride": [0, (2, 2, 2)], "input_size": [0, "4"]},
    ),
    Case(
        "overlap.stamp_counts",
        {"kernel_size": 3, "stride": 2, "input_size": 2, "stamps": 1},
        {"kernel_size": [0], "stride": [0], "input_size": [0], "stamps": [-1, 5]},
    ),
    *[
        Case(
            f"overlap.{name}",
            {"kernel_sizes": [3, 3], "strides": [2, 2], "input_size": 2},
            {"kernel_sizes": [3, [0, 3], []], "strides": [[2], [2, 0]], "input_size": [0, (2, 0)]},
        )
        for name in ("stacked_overlap", "torch_overlap")
    ],
    Case(
        "overlap.effective_kernel",
        {"kernel_sizes": [3], "strides": [2]},
        {"kernel_sizes": [3, [0]], "strides": [[2, 2], "2"]},
    ),
    Case(
        "overlap.stacked_steady_state",
        {"kernel_sizes": [3], "strides": [2]},
        {"kernel_sizes": [[0]], "strides": [[0]], "periods": [0]},
    ),
    Case(
        "overlap.steady_state",
        {"kernel_size": 3, "stride": 2},
        {"kernel_size": [0, (3, 0)], "stride": [0], "periods": [0]},
    ),
    Case("overlap.unevenness", {"kernel_size": 3, "stride": 2}, {"kernel_size": [0], "stride": [0, None]}),
    Case("overlap.is_even_overlap", {"kernel_size": 3, "stride": 2}, {"kernel_size": [0], "stride": [0]}),
    Case(
        "overlap.unevenness_table",
        {"kernel_sizes": [3], "strides": [2]},
        {"kernel_sizes": [3, [0], []], "strides": [[0], "2"]},
    ),
    Case("overlap.smallest_period", {"values": [1, 2, 1, 2]}, {"values": [[[1]], [], 5]}),
    Case("overlap.spectrum", {"values": [1.0, 2.0]}, {"values": [[[1.0]], []]}),
    # balance
    Case(
        "balance.phase_sums",
        {"kernel": ones(3), "stride": 2},
        {"kernel": [ones(2, 2, 2), torch.ones(0), {"a": 1}], "stride": [0]},
    ),
    Case("balance.balance_constraints", {"kernel_size": 3, "stride": 2}, {"kernel_size": [0], "stride": [0]}),
    Case("balance.unbalanced_share", {"weight": ones(1, 1, 3, 3)}, {"weight": [ones(3), [1.0, 2.0]], "stride": [0]}),
    # upsampling
    Case("upsampling.fold_matrix", {"kernel_size": 3, "scale_factor": 2}, {"kernel_size": [0, 2], "scale_factor": [0]}),
    Case(
        "upsampling.fold_kernel",
        {"weight": ones(1, 1, 3, 3), "scale_factor": 2},
        {"weight": [ones(1, 1, 3, 4), "w", ones(1, 1, 2, 2)], "scale_factor": [0]},
    ),
    *[
        # ResizeConvBase is abstract (no resize modes of its own): its __init__ runs through ResizeConv2d.
        Case(
            f"upsampling.{name}",
            {"in_channels": 1, "out_channels": 1},
            {
                "in_channels": [0, 1.0],
                "out_channels": [0],
                "kernel_size": [2, 0, (3, 4), (3, 3, 3)],
                "scale_factor": [0, (2, 0), (2, 2, 2), 1.5],
                "mode": ["bicubic", 3, "linear"],
                "fast": [1, "yes"],
                "bias": ["no", None],
                "groups": [0, 2.0, 3],
                "device": [5, "gpu0"],
                "dtype": [torch.int64, "float32"],
            },
            call=upsampling.ResizeConv2d,
        )
        for name in ("ResizeConvBase", "ResizeConv2d")
    ],
    Case(
        "upsampling.icnr_",
        {"weight": Lazy(lambda: torch.empty(4, 1, 3, 3))},
        {"weight": [torch.empty(3, 1, 3, 3), torch.empty(4, 3)], "scale_factor": [0], "init": [5]},
    ),
    Case(
        "upsampling.tie_bias_",
        {"bias": Lazy(lambda: torch.zeros(4))},
        {"bias": [torch.zeros(3), [0.0] * 4, torch.zeros(2, 2)], "scale_factor": [0]},
    ),
    Case(
        "upsampling.transposed_to_subpixel",
        {"weight": ones(1, 1, 4, 4), "stride": 2},
        {"weight": [ones(1, 1, 3, 3), ones(1, 1, 4, 2), ones(4, 4), "w"], "stride": [0, 2.0]},
    ),
    Case(
        "upsampling.subpixel_to_transposed",
        {"weight": ones(4, 1, 2, 2), "stride": 2},
        {"weight": [ones(3, 1, 2, 2), ones(4, 1, 2, 3), ones(2, 2), "w"], "stride": [0, "2"]},
    ),
    Case("upsampling.subpixel_convolutions", {"model": nn.Sequential()}, {"model": ["net", None, lambda x: x]}),
    Case(
        "upsampling.SubPixelConv2d",
        {"in_channels": 1, "out_channels": 1},
        {
            "in_channels": [0],
            "out_channels": [0],
            "kernel_size": [2],
            "scale_factor": [0],
            "icnr": [1, "yes"],
            "bias": [None],
        },
    ),
    Case(
        "upsampling.make_upsampler",
        {"kind": "nearest", "in_channels": 1, "out_channels": 1},
        {
            "kind": ["deconv5", 3],
            "in_channels": [0],
            "out_channels": [0, "1"],
            "scale_factor": [0, 2.0, (2, 2)],
            "kernel_size": [4, (3, 3)],
            "bias": [1],
        },
    ),
    Case(
        "upsampling.multiply_adds",
        {"kind": "deconv3", "in_channels": 1, "out_channels": 1, "input_size": 4},
        {
            "kind": ["x"],
            "in_channels": [0],
            "out_channels": [0],
            "input_size": [0, (4, 4, 4)],
            "scale_factor": [3, 0],
            "kernel_size": [5, 2],
        },
    ),
    Case(
        "upsampling.ResizeConvBase.forward",
        {"x": zeros(1, 1, 4, 4)},
        {"x": [zeros(1, 2, 4, 4), zeros(4, 4), zeros(1, 1, 1, 4, 4)]},
        call=lambda **kw: upsampling.ResizeConv2d(1, 1)(**kw),
    ),
    # downsampling
    Case("downsampling.binomial_filter", {"size": 3}, {"size": [0, 1.5]}),
    Case("downsampling.Blur2d", {"channels": 1}, {"channels": [0, "1"]}),
    Case(
        "downsampling.Blur2d.forward",
        {"x": ones(1, 1, 4, 4)},
        {"x": [ones(1, 2, 4, 4), ones(1, 1, 1, 4), "x"]},
        call=lambda **kw: downsampling.Blur2d(1)(**kw),
    ),
    Case("downsampling.BlurPool2d", {"channels": 1}, {"channels": [0], "filter_size": [0], "stride": [0]}),
    Case(
        "downsampling.BlurPool2d.forward",
        {"x": ones(1, 1, 4, 4)},
        {"x": [ones(1, 2, 4, 4), ones(1, 1, 2, 2)]},
        call=lambda **kw: downsampling.BlurPool2d(1)(**kw),
    ),
    Case(
        "downsampling.make_downsampler",
        {"kind": "conv3", "in_channels": 1, "out_channels": 1},
        {"kind": ["conv5"], "in_channels": [0], "out_channels": [0]},
    ),
    # metrics
    Case("metrics.high_pass", {"images": zeros(1, 1, 4, 4)}, {"images": [zeros(4, 4), with_nan(1, 1, 4, 4), "x"]}),
    Case(
        "metrics.phase_means",
        {"x": zeros(1, 1, 4, 4), "period": 2},
        {"x": [zeros(1, 1, 3, 3), [[1.0]], zeros(4)], "period": [0, 3]},
    ),
    *[
        Case(
            f"metrics.{name}",
            {"images": randn(1, 1, 4, 4)},
            {"images": [with_nan(1, 1, 4, 4), zeros(4, 4), zeros(1, 1, 3, 3)], "period": [1, 3, 2.0]},
        )
        for name in ("checkerboard_score", "checkerboard_amplitude", "image_scores", "channel_scores")
    ],
    Case("metrics.radial_spectra", {"images": randn(1, 1, 4, 4)}, {"images": [randn(4, 4), with_nan(1, 1, 4, 4), "x"]}),
    Case("metrics.log_ring_power", {"images": randn(1, 1, 4, 4)}, {"images": [randn(4, 4), zeros(0, 1, 4, 4), "x"]}),
    Case("metrics.radial_bins", {"height": 4, "width": 6}, {"height": [0, 2.0], "width": [-1, "6"]}),
    Case(
        "metrics.phase_energy_ratio",
        {"x": randn(4, 4)},
        {"x": [randn(4), with_nan(4, 4), zeros(4, 4), "x"], "period": [1, 3]},
    ),
    Case(
        "metrics.high_frequency_share",
        {"x": randn(4, 4)},
        {"x": [randn(4), with_nan(4, 4), zeros(4, 4), "x"], "cutoff": [0, 0.5, "a", NAN]},
    ),
    Case(
        "metrics.mean_pairwise_distance",
        {"images": randn(2, 1, 4, 4)},
        {"images": [randn(1, 1, 4, 4), randn(2, 4, 4), with_nan(2, 1, 4, 4), "x"]},
    ),
    Case(
        "metrics.confident_share",
        {"probabilities": torch.tensor([[0.9, 0.1]])},
        {
            "probabilities": [torch.tensor([[0.9, 0.3]]), torch.ones(2), torch.zeros(0, 2), "p", [[NAN, 1.0]]],
            "threshold": [1.5, -0.1, "a"],
        },
    ),
    Case(
        "metrics.radial_power_spectrum", {"images": randn(1, 1, 4, 4)}, {"images": [randn(4, 4), with_nan(1, 1, 4, 4)]}
    ),
    Case(
        "metrics.tone_strength",
        {"signals": randn(64), "period": 2},
        {"signals": [with_nan(64), randn(6), torch.zeros(0), "x"], "period": [1, 3], "width": [0]},
    ),
    Case(
        "metrics.fingerprint",
        {"images": randn(2, 3, 8, 8)},
        {"images": [randn(3, 8, 8), randn(2, 3, 6, 6), with_nan(2, 3, 8, 8)], "period": [1, 2.0]},
    ),
    # data
    Case(
        "data.imagenet_photos",
        {"size": 32, "names": ("coffee",)},
        {"size": [16, 5000, 32.0], "names": [("lena",), (), "coffee"]},
    ),
    Case("data.photo", {"name": "astronaut", "shorter_side": 16}, {"name": ["lena"], "shorter_side": [0, 5000]}),
    Case(
        "data.jpeg",
        {"images": zeros(1, 3, 8, 8)},
        {"images": [zeros(1, 2, 8, 8), ones(1, 3, 8, 8) * 2, zeros(3, 8, 8), "x"], "quality": [0, 96, 9.5]},
    ),
    Case(
        "data.crop_grid",
        {},
        {"size": [2, 33.0], "split": ["val"], "context": [0, 1, 5000], "photos": ["astronaut", ("nope",), 5, ()]},
    ),
    *[
        Case(
            f"data.{name}",
            {"n": 2, "size": 8},
            {
                "n": [0, 2.0],
                "size": [2, 5000],
                "seed": [-1],
                "split": ["val"],
                "context": [0, 1],
                "photos": [(), "astronaut"],
            },
        )
        for name in ("crop_positions", "photo_crops")
    ],
    Case("data.texture", {"name": "brick"}, {"name": ["wood"]}),
    Case(
        "data.scramble",
        {"images": zeros(1, 1, 4, 4)},
        {"images": [zeros(4, 4), with_nan(1, 1, 4, 4), "x"], "block": [0, 3, 2.0], "seed": [-1]},
    ),
    Case(
        "data.digits",
        {"split": "test", "test_per_class": 1},
        {
            "split": ["val", 5],
            "size": [27, 300, 32.0],
            "page": [1.5, "a", NAN],
            "ink": [-0.5, -2],
            "test_per_class": [0, 500, 1.0],
        },
    ),
    Case(
        "data.stylising_filter",
        {"images": zeros(1, 3, 4, 4)},
        {
            "images": [zeros(1, 1, 4, 4), zeros(3, 4, 4), with_nan(1, 3, 4, 4)],
            "hue_shift": [1.5, "a"],
            "levels": [1, 2.0],
            "amount": [-1, NAN],
            "autolevel": [1],
        },
    ),
    Case(
        "data.digits_on_textures", {"n": 1}, {"n": [0], "size": [27], "seed": [-1], "textures": ["brick", ("wood",), 5]}
    ),
    # models
    Case("models.num_layers", {"image_size": 32}, {"image_size": [4, 24, 32.0]}),
    Case(
        "models.Generator",
        dict(GEN_ARGS),
        {
            "kinds": ["deconv5", 5, ("nearest", "nearest")],
            "image_size": [12, 4],
            "latent_dim": [0],
            "width": [0],
            "channels": [0],
        },
    ),
    Case(
        "models.Generator.variant",
        {"name": "resize", "image_size": 8, "width": 2, "latent_dim": 4},
        {"name": ["nope"], "image_size": [12, 4], "resize_kind": ["deconv5"], "deconv_kind": ["conv3"]},
    ),
    Case(
        "models.Generator.forward",
        {"z": zeros(2, 4)},
        {"z": [zeros(2, 3), "z", zeros(4)]},
        call=lambda **kw: GEN()(**kw),
    ),
    Case(
        "models.Generator.sample_latent",
        {"n": 2},
        {"n": [0], "rng": [5], "device": ["gpu7", 5]},
        call=call_method(GEN, "sample_latent"),
    ),
    Case(
        "models.Discriminator",
        {"image_size": 8, "width": 2, "channels": 1},
        {
            "kinds": ["conv5", 5, ["conv4", "conv4"]],
            "image_size": [12],
            "width": [0],
            "channels": [0],
            "stem": [1, "yes"],
            "spectral_norm": [1, "yes"],
        },
    ),
    Case(
        "models.Discriminator.forward",
        {"x": zeros(2, 1, 8, 8)},
        {"x": [zeros(2, 1, 16, 16), zeros(2, 3, 8, 8)]},
        call=lambda **kw: DISC()(**kw),
    ),
    Case(
        "models.Classifier",
        {"image_size": 8, "width": 2, "channels": 1},
        {
            "kinds": ["conv5", 5, ["conv4", "conv4"]],
            "image_size": [12],
            "n_classes": [1, 2.0],
            "width": [0],
            "channels": [0],
        },
    ),
    Case(
        "models.Classifier.forward",
        {"x": zeros(2, 1, 8, 8)},
        {"x": [zeros(2, 1, 16, 16), zeros(2, 3, 8, 8), "x"]},
        call=lambda **kw: CLASSIFIER()(**kw),
    ),
    Case(
        "models.TransformerNet",
        {"width": 2, "n_residual": 1},
        {"upsample_kind": ["pixelshuffle", 5], "width": [0, 2.0], "n_residual": [-1, 1.5]},
    ),
    Case(
        "models.TransformerNet.forward",
        {"x": zeros(1, 3, 8, 8)},
        {"x": [zeros(1, 3, 10, 8), zeros(1, 3, 4, 4), zeros(1, 1, 8, 8), zeros(3, 8, 8), "x"]},
        call=lambda **kw: TNET()(**kw),
    ),
    # losses
    Case("losses.gram_matrix", {"features": zeros(1, 2, 3, 3)}, {"features": [zeros(2, 3, 3), zeros(0, 2, 3, 3), "f"]}),
    Case(
        "losses.RandomFeatures",
        {},
        {
            "kernel_sizes": [(3, 4), (), 3, (0,)],
            "channels": [0],
            "n_scales": [0, 1.0],
            "seed": [-1],
            "first_scale": [-1],
            "zero_mean": [0],
        },
    ),
    Case(
        "losses.RandomFeatures.forward",
        {"images": zeros(1, 3, 8, 8)},
        {"images": [zeros(1, 3, 5, 8), zeros(1, 1, 8, 8), "x"]},
        call=lambda **kw: FEATS()(**kw),
    ),
    Case(
        "losses.style_loss",
        {"images": zeros(1, 3, 8, 8), "style": STYLE, "features": FEATS},
        {
            "images": [zeros(3, 8, 8), zeros(1, 3, 4, 4)],
            "style": [randn(2, 3, 8, 8), zeros(3, 8, 8)],
            "features": [LINEAR],
        },
    ),
    Case(
        "losses.content_loss",
        {"images": zeros(1, 3, 8, 8), "content": zeros(1, 3, 8, 8), "features": FEATS},
        {"images": [zeros(3, 8, 8)], "content": [zeros(2, 3, 8, 8), "c"], "features": [5]},
    ),
    Case(
        "losses.StyleContentLoss",
        {"style": STYLE, "features": FEATS, "content_features": FEATS},
        {
            "style": [randn(2, 3, 8, 8), with_nan(1, 3, 8, 8)],
            "features": [LINEAR],
            "style_weight": [-1, "a"],
            "content_weight": [NAN],
            "content_features": [5],
            "tv_weight": [-1, "a"],
        },
    ),
    Case(
        "losses.total_variation",
        {"images": zeros(1, 3, 8, 8)},
        {"images": [zeros(3, 8, 8), zeros(1, 3, 1, 8), "x"]},
    ),
    *[
        Case(
            f"losses.StyleContentLoss.{name}",
            {"images": zeros(1, 3, 8, 8), "content": zeros(1, 3, 8, 8)},
            {"images": [zeros(3, 8, 8), zeros(1, 3, 4, 4)], "content": [zeros(2, 3, 8, 8), "c"]},
            call=call_method(SCLOSS, name),
        )
        for name in ("calibrate", "parts", "forward")
    ],
    Case("losses.smoothed", {"features": zeros(1, 2, 3, 3)}, {"features": [zeros(2, 3, 3), "f"]}),
    Case(
        "losses.MobileNetStyleLoss",
        {"style": randn(1, 3, 16, 16), "model": NET, "style_layers": (1, 3), "content_layer": 3},
        {
            "style": [randn(2, 3, 16, 16), with_nan(1, 3, 16, 16), "s"],
            "model": [LINEAR, 5],
            "style_layers": [(3, 1), (1, 19), (), "1", (1.0,)],
            "content_layer": [-1, 19, 1.0],
            "style_weight": [-1],
            "content_weight": [NAN, "a"],
            "tv_weight": [-1],
            "jitter": [-1, 1.5],
            "smooth": [1],
            "seed": [-1],
        },
    ),
    Case(
        "losses.MobileNetStyleLoss.forward",
        {"images": zeros(1, 3, 16, 16), "content": zeros(1, 3, 16, 16)},
        {"images": [zeros(3, 16, 16), "x"], "content": [zeros(2, 3, 16, 16), "c"]},
        call=call_method(MNLOSS, "forward"),
    ),
    Case("losses.MobileNetStyleLoss.train", {"mode": True}, {"mode": [1, "yes"]}, call=call_method(MNLOSS, "train")),
    Case(
        "losses.SpectralLoss",
        {"real": randn(2, 1, 8, 8)},
        {"real": [randn(8, 8), with_nan(2, 1, 8, 8), "x"], "form": ["l1", 5]},
    ),
    Case(
        "losses.SpectralLoss.forward",
        {"images": randn(2, 1, 8, 8)},
        {"images": [randn(2, 1, 4, 4), randn(8, 8), "x"]},
        call=call_method(SPECTRAL, "forward"),
    ),
    # forensics
    Case(
        "forensics.roc_auc",
        {"scores": [0.1, 0.9], "labels": [0, 1]},
        {"scores": [[NAN, 1.0], [[0.1, 0.9]], "ab"], "labels": [[1, 1], [0, 2], [0]]},
    ),
    Case(
        "forensics.accuracy",
        {"decision": [-1.0, 1.0], "labels": [0, 1]},
        {"decision": [[], [1.0, NAN]], "labels": [[0, 0], [0, 1, 1], "x"]},
    ),
    Case(
        "forensics.evaluate",
        {"fit_detector": forensics.ThresholdDetector.fit, "features": randn(8), "labels": [0, 1] * 4},
        {"fit_detector": [5], "features": [randn(2, 2, 2), "x"], "labels": [[0] * 8, [0, 1]], "seed": [-1]},
    ),
    Case(
        "forensics.spectral_tail",
        {"freqs": torch.arange(6) / 8, "spectra": randn(2, 6)},
        {
            "freqs": [torch.arange(1, 7) / 8, torch.arange(5) / 8, "x"],
            "spectra": [randn(6), with_nan(2, 6)],
            "start": [1.5, "a"],
        },
    ),
    Case(
        "forensics.CNNDetector.fit",
        {"images": randn(4, 1, 8, 8), "labels": [0, 1, 0, 1], "steps": 1},
        {
            "images": [randn(4, 8, 8), with_nan(4, 1, 8, 8), "x"],
            "labels": [[0, 0, 0, 0], [0, 1]],
            "steps": [0],
            "batch_size": [0],
            "lr": [-1.0],
            "seed": [-1],
        },
    ),
    Case("forensics.CNNDetector", {}, {"channels": [0, 1.5], "width": [0]}),
    Case(
        "forensics.CNNDetector.forward",
        {"x": randn(2, 1, 8, 8)},
        {"x": [randn(8, 8), randn(2, 3, 8, 8), "x"]},
        call=call_method(lambda: forensics.CNNDetector(), "forward"),
    ),
    Case(
        "forensics.CNNDetector.decision",
        {"images": randn(2, 1, 8, 8)},
        {"images": [randn(8, 8), with_nan(2, 1, 8, 8), "x"]},
        call=call_method(lambda: forensics.CNNDetector(), "decision"),
    ),
    Case("forensics.split_halves", {"labels": [0, 1, 0, 1]}, {"labels": [[0, 0], [[0, 1]], [0, 3]], "seed": [-1, 0.5]}),
    Case("forensics.ThresholdDetector", {"threshold": 0.5, "sign": 1.0}, {"threshold": [NAN, "a"], "sign": [2.0, 0.0]}),
    Case(
        "forensics.ThresholdDetector.fit",
        {"scores": [0.1, 0.9], "labels": [0, 1]},
        {"scores": [[0.1, NAN], "x"], "labels": [[0, 0], [0, 1, 1]]},
    ),
    Case(
        "forensics.ThresholdDetector.decision",
        {"scores": [0.1]},
        {"scores": [[[0.1]], [NAN], "x"]},
        call=call_method(lambda: forensics.ThresholdDetector(0.5, 1.0), "decision"),
    ),
    Case(
        "forensics.LinearDetector",
        {"mean": zeros(2), "std": ones(2), "weight": zeros(2), "bias": 0.0},
        {"mean": [zeros(3), "m"], "std": [zeros(2), ones(1)], "weight": [zeros(2, 2), with_nan(2)], "bias": [NAN]},
    ),
    Case(
        "forensics.LinearDetector.fit",
        {"features": randn(4, 2), "labels": [0, 1, 0, 1]},
        {"features": [randn(4), with_nan(4, 2)], "labels": [[0, 1], [1, 1, 1, 1]], "l2": [-1.0], "steps": [0]},
    ),
    Case(
        "forensics.LinearDetector.decision",
        {"features": randn(3, 2)},
        {"features": [randn(3, 3), randn(2), "x"]},
        call=call_method(lambda: forensics.LinearDetector(zeros(2), ones(2), zeros(2), 0.0), "decision"),
    ),
    # training
    Case("training.seeded", {"build": lambda: 1, "seed": 0}, {"build": [5], "seed": [-1]}),
    Case(
        "training.GANConfig",
        {},
        {
            "variant": ["nope", 5],
            "image_size": [12],
            "width": [0],
            "latent_dim": [0],
            "disc_kinds": ["conv5", 5, ()],
            "steps": [-1],
            "batch_size": [0],
            "lr": [0, "fast", -1.0],
            "eval_every": [0],
            "eval_size": [1],
            "seed": [-1],
            "channels": [0],
            "loss": ["wgan", 5],
            "spectral_norm": [1, "yes"],
            "lr_d": [0, "fast"],
            "betas": [(0.5,), (0.5, 1.0), (-0.1, 0.9), "ab", 0.5],
            "ema": [1.0, -0.1, "a"],
            "disc_width": [0, 8.0],
            "spectral_weight": [-1.0, "a", NAN],
            "spectral_form": ["l1", 5],
        },
    ),
    Case("training.make_gan", {"config": CONFIG}, {"config": [{}, None]}),
    Case("training.bn_mode", {"model": GEN}, {"model": [5], "mode": ["test", None]}, call=enter),
    Case(
        "training.sample",
        {"generator": GEN, "z": zeros(2, 4)},
        {"generator": [LINEAR], "z": ["z", zeros(4)], "mode": ["test"]},
    ),
    Case("training.initial_samples", {"config": CONFIG}, {"config": [5], "mode": ["test"]}),
    Case(
        "training.History.late_mean",
        {"name": "score2"},
        {"name": ["score3"], "fraction": [0, "a", 1.5]},
        call=call_method(lambda: training.History(score2=[1.0]), "late_mean"),
    ),
    *[
        Case(
            f"training.{name}",
            {"discriminator": DISC, "fake": zeros(2, 1, 8, 8)},
            {"discriminator": [5], "fake": ["f", zeros(8, 8)], "loss": ["wgan", None]},
        )
        for name in ("generator_loss", "generator_gradient")
    ],
    Case(
        "training.discriminator_loss",
        {"real_logits": zeros(2), "fake_logits": zeros(2)},
        {"real_logits": [zeros(2, 1), [0.0]], "fake_logits": [zeros(0), "f"], "loss": ["wgan"]},
    ),
    Case(
        "training.ema_update",
        {"average": Lazy(lambda: nn.Linear(2, 1)), "model": Lazy(lambda: nn.Linear(2, 1)), "decay": 0.9},
        {"average": [5, Lazy(lambda: nn.Linear(3, 1))], "model": [None], "decay": [1.5, -0.1, "a"]},
    ),
    Case(
        "training.run_gan",
        {"config": CONFIG, "real": randn(4, 1, 8, 8), "progress": False},
        {
            "config": [5],
            "real": [randn(4, 1, 16, 16), "r"],
            "device": ["gpu7"],
            "progress": [1],
            "desc": [5],
        },
    ),
    Case(
        "training.digit_gan",
        {"variant": "resize", "seed": 0, "profile": "quick"},
        {"variant": ["deconv", 5], "seed": [-1, 1.5], "profile": ["long", 5]},
    ),
    Case(
        "training.train_gan",
        {
            "generator": Lazy(lambda: models.Generator(**GEN_ARGS)),
            "discriminator": Lazy(lambda: models.Discriminator(image_size=8, width=2, channels=1)),
            "real": randn(4, 1, 8, 8),
            "config": CONFIG,
            "progress": False,
        },
        {
            "generator": [LINEAR],
            "discriminator": [5, Lazy(lambda: models.Discriminator(image_size=16, width=2))],
            "real": [randn(4, 1, 16, 16), randn(4, 3, 8, 8), with_nan(4, 1, 8, 8)],
            "config": [5],
            "device": ["gpu7"],
            "progress": [1],
            "desc": [5],
            "average": [LINEAR, GEN],
        },
    ),
    Case(
        "training.train_classifier",
        {
            "model": Lazy(lambda: models.Classifier(image_size=8, width=2, channels=1)),
            "images": zeros(4, 1, 8, 8),
            "labels": torch.arange(4),
            "steps": 1,
            "progress": False,
        },
        {
            "model": [5],
            "images": ["x", zeros(4, 8, 8), with_nan(4, 1, 8, 8)],
            "labels": [torch.arange(3), torch.zeros(4), -torch.ones(4, dtype=torch.long), "abc"],
            "steps": [-1, 1.0],
            "batch_size": [0],
            "lr": [0, "a"],
            "seed": [-1],
            "device": ["gpu7"],
            "progress": [1],
            "desc": [5],
        },
    ),
    Case(
        "training.apply",
        {"model": TNET, "images": zeros(1, 3, 8, 8)},
        {"model": [5], "images": [zeros(3, 8, 8), "x", with_nan(1, 3, 8, 8)], "batch_size": [0, 1.0]},
    ),
    Case(
        "training.fit",
        {
            "model": Lazy(lambda: nn.Linear(2, 1)),
            "inputs": zeros(4, 2),
            "targets": zeros(4, 1),
            "loss_fn": torch.nn.functional.mse_loss,
            "steps": 1,
            "lr": 0.1,
            "batch_size": 2,
            "progress": False,
        },
        {
            "model": [5],
            "inputs": [zeros(3, 2), zeros(0, 2), "x"],
            "targets": [zeros(5, 1), torch.tensor(0.0), [0.0]],
            "loss_fn": [5],
            "steps": [-1, 1.0],
            "lr": [0, -1.0, "a", NAN],
            "batch_size": [0],
            "seed": [-1],
            "device": ["gpu7", 5],
            "progress": [1],
            "desc": [5],
            "callback": [5],
        },
    ),
    Case(
        "training.train_transformer",
        {
            "net": Lazy(lambda: models.TransformerNet("nearest", width=2, n_residual=0)),
            "inputs": randn(2, 3, 8, 8),
            "targets": randn(2, 3, 8, 8),
            "loss": torch.nn.functional.mse_loss,
            "steps": 1,
            "batch_size": 1,
            "progress": False,
        },
        {
            "net": [5],
            "inputs": [randn(3, 8, 8), with_nan(2, 3, 8, 8)],
            "targets": [randn(1, 3, 8, 8), "t"],
            "loss": [5],
            "steps": [-1, 1.5],
            "batch_size": [0],
            "lr": [0, "a"],
            "seed": [-1],
            "eval_inputs": [randn(3, 8, 8)],
            "eval_every": [0],
            "device": ["gpu7"],
            "progress": [1],
            "desc": [5],
        },
    ),
    # plotting
    Case(
        "plotting.comparison_figure",
        {"panels": {"a": randn(2, 3, 8, 8)}, "fingerprint": metrics.fingerprint, "zoom": 4, "corner": (0, 0)},
        {"panels": [{}, 5], "fingerprint": [5], "zoom": [0, 2.5], "corner": [(8, 8), (1, 2, 3), -1], "title": [5]},
    ),
    Case(
        "plotting.magnified_corner",
        {"img": zeros(3, 8, 8), "corner": (0, 0), "size": 4, "zoom": 2, "value_range": (-1, 1)},
        {
            "img": [zeros(2, 2, 2, 2), "x"],
            "corner": [(6, 0), (-1, 0), 5],
            "size": [0, 9],
            "zoom": [0, 1.5],
            "title": [5],
            "value_range": [None, (1, 0)],
        },
    ),
    Case(
        "plotting.image_hwc",
        {"img": zeros(3, 4, 4), "value_range": (-1, 1)},
        {
            "img": [zeros(2, 2, 2, 2), "abc", zeros(4, 4, 2), zeros(0, 4)],
            "value_range": [None, (1, 1), (0, NAN), (0, 1, 2), "ab"],
        },
    ),
    Case(
        "plotting.show_image",
        {"ax": AX, "img": zeros(4, 4), "value_range": (0, 1)},
        {"ax": [5, None], "img": [zeros(2, 2, 2, 2)], "title": [5], "cmap": ["nocmap", 5], "value_range": [(1, 0)]},
    ),
    Case(
        "plotting.show_signed",
        {"ax": AX, "data": zeros(4, 4)},
        {"ax": [None], "data": [zeros(4), "x"], "title": [5], "colorbar": [1], "limit": [0, "a"]},
    ),
    Case("plotting.tile", {"images": zeros(2, 1, 4, 4)}, {"images": [zeros(4, 4)], "nrow": [0], "pad": [-1]}),
    Case(
        "plotting.pixel_figure",
        {"panels": {"a": zeros(1, 4, 4)}, "value_range": (-1, 1)},
        {
            "panels": [{}, 5, {"a": zeros(4, 4)}],
            "scale": [0, 2.5, [1, 2]],
            "ncols": [0],
            "nrow": [0, "4"],
            "value_range": [(1, -1), 5],
        },
    ),
    Case("plotting.Signed", {"data": zeros(2, 2), "limit": 1.0}, {"data": [zeros(2), "x"], "limit": [0, NAN, "a"]}),
    Case(
        "plotting.show_grid",
        {"images": zeros(2, 1, 4, 4), "value_range": (-1, 1)},
        {"images": [zeros(4, 4)], "nrow": [0], "title": [5], "ax": [5], "pad": [-1], "value_range": [(0,)]},
    ),
    Case(
        "plotting.pixel_axes",
        {"rows": 1, "cols": 1, "size": 4, "scale": 1},
        {
            "rows": [0],
            "cols": [1.0],
            "size": [0, (4, 4, 4)],
            "scale": [0, 2.5],
            "gap": [-1],
            "title": ["a"],
            "margin": [-1],
        },
    ),
    Case(
        "plotting.zoom_box",
        {"ax": AX, "size": 2},
        {"ax": [5], "size": [0], "corner": [(-1, 0), (1, 2, 3)], "color": ["notacolour", 5]},
    ),
    Case(
        "book.glue",
        {"name": "bad-input-test", "obj": 1, "display": False},
        {"name": [5, ""], "obj": [None], "display": [1]},
    ),
    Case(
        "plotting.annotated_heatmap",
        {"ax": AX, "values": [[1.0, 2.0]], "row_labels": [1], "col_labels": [1, 2]},
        {
            "ax": [5],
            "values": [[1.0], "abc"],
            "row_labels": [[1, 2], 5],
            "col_labels": [[1]],
            "fmt": [5],
            "cmap": ["nocmap"],
            "vmax": ["a"],
        },
    ),
    Case(
        "book.table",
        {"header": ["a"], "rows": [[1]]},
        {"header": ["a", 5, []], "rows": [[[1, 2]], 5], "caption": [5]},
    ),
    Case("plotting.ink_for", {"colour": "0.3"}, {"colour": ["notacolour", 5]}),
    Case("book.mean_range", {"values": [1.0, 2.0]}, {"values": [[], "abc", [NAN]], "fmt": [5, "q"]}),
    Case(
        "plotting.show_counts",
        {"ax": AX, "counts": [[0, 1], [2, 4]]},
        {
            "ax": [5],
            "counts": [[1, 2], [[-1.0]], "abc"],
            "title": [5],
            "vmax": [0, "a"],
            "annotate": [1],
            "fmt": [5],
            "fontsize": [0],
        },
    ),
    # widgets
    Case(
        "overlap_figures.draw_overlap_1d",
        {"ax": AX, "kernel_size": 3, "stride": 2},
        {
            "ax": [5],
            "kernel_size": [0],
            "stride": [0],
            "input_size": [0],
            "annotate": [1],
            "square": ["yes"],
            "span": [0],
        },
    ),
    Case(
        "overlap_figures.overlap_figure",
        {"kernel_size": 3, "stride": 2},
        {"kernel_size": [0, "3"], "stride": [0], "input_size": [0], "span": [0]},
    ),
    Case("overlap_figures.overlap_explorer", {}, {"input_size": [0]}),
    Case(
        "overlap_figures.overlap_grid",
        {"kernel_sizes": [3], "strides": [2]},
        {"kernel_sizes": [3, []], "strides": [[0]], "input_size": [0]},
    ),
    Case(
        "players.png_bytes",
        {"fig": Lazy(small_figure)},
        {"fig": [5], "dpi": [0, "a"], "colors": [1, 300], "text": [{"a": 1}, 5]},
    ),
    Case("players.frame_text", {"png": Lazy(frame_png)}, {"png": ["x", b"not a png"]}),
    Case(
        "players.frame_player",
        {"draw": small_figure, "grid": {"a": [1]}, "name": "t", "title": "T"},
        {
            "draw": [5],
            "grid": [{}, 5],
            "name": ["Bad"],
            "title": ["", 5],
            "labels": [5, {"zz": "x"}],
            "initial": [5, {"a": 9}],
            "play": ["b"],
            "interval": [10],
            "fallback": [5],
            "dpi": [0],
            "colors": [1],
        },
    ),
    Case(
        "players.magnifier",
        {"images": {"a": zeros(3, 8, 8)}, "name": "m", "title": "T", "value_range": (-1, 1)},
        {
            "images": [{}, 5],
            "name": ["_m"],
            "title": [5],
            "window": [0, 20],
            "zoom": [0],
            "start": [(7, 0), -1],
            "value_range": [(2, -2)],
        },
    ),
    Case(
        "overlap_figures.overlap_player",
        {"kernel_sizes": [3], "strides": [2]},
        {"kernel_sizes": [[0], 3], "strides": [[]], "input_sizes": [[0], 4]},
    ),
    Case(
        "overlap_figures.draw_stacked_1d",
        {"ax": AX, "kernel_sizes": [3], "strides": [2]},
        {"ax": [5], "kernel_sizes": [[0]], "strides": [[2, 2]], "input_size": [0], "span": [0]},
    ),
    Case(
        "overlap_figures.stacked_figure",
        {"kernel_sizes": [3], "strides": [2]},
        {"kernel_sizes": [[0], 3], "strides": [[2, 2]], "input_size": [0], "span": [0]},
    ),
    Case(
        "overlap_figures.stacking_player",
        {"kernel_sizes": [3], "strides": [2], "input_size": 1},
        {"kernel_sizes": [5], "strides": [[0]], "input_size": [0]},
    ),
    Case(
        "overlap_figures.stamping_figure",
        {"stamps": 1, "input_size": 2},
        {"stamps": [-1, 5], "kernel_sizes": [[0], 3], "stride": [0], "input_size": [0]},
    ),
    Case(
        "overlap_figures.stamping_player",
        {"input_size": 1},
        {"kernel_sizes": [[0], 3], "stride": [0, "2"], "input_size": [0]},
    ),
    # gradients
    Case(
        "gradients.input_gradient",
        {"fn": lambda x: 2 * x, "x": randn(1, 1, 4, 4)},
        {"fn": [5], "x": [randn(4, 4), with_nan(1, 1, 4, 4)]},
    ),
    Case("gradients.fourier_scale", {"height": 4, "width": 4}, {"height": [0], "width": [0], "decay": ["a", math.inf]}),
    Case(
        "gradients.visualise",
        {"objective": lambda images: images.mean(dim=(1, 2, 3)), "size": 8, "steps": 1, "progress": False},
        {
            "objective": [5],
            "size": [4],
            "steps": [-1],
            "lr": [0, "a"],
            "jitter": [-1, 8],
            "parametrisation": ["wavelet"],
            "blur_gradient": [1],
            "batch": [0],
            "seed": [-1],
            "device": ["gpu7"],
            "progress": [1],
            "desc": [5],
            "channels": [0, 1.0],
            "octaves": [0, 2.0, 3],
        },
    ),
    Case("gradients.octave_sizes", {"size": 32, "octaves": 2}, {"size": [0], "octaves": [0], "scale": [1, "a"]}),
    Case(
        "gradients.phase_mask",
        {"size": 8, "period": 2, "phase": (1, 0)},
        {"size": [0, (8, 8, 8)], "period": [0, 2.0], "phase": [(2, 0), (0, -1), "a"]},
    ),
    *[
        Case(
            f"gradients.{name}",
            {"model": CLASSIFIER, "images": zeros(2, 1, 8, 8), "labels": torch.tensor([0, 1]), "epsilon": 0.1},
            {
                "model": [5],
                "images": [zeros(2, 8, 8), ones(2, 1, 8, 8) * 2, with_nan(2, 1, 8, 8)],
                "labels": [torch.tensor([0]), torch.tensor([0.0, 1.0]), [0, 1]],
                "epsilon": [-0.1, "a"],
                "mask": [torch.ones(8, 8), torch.ones(3, 8, dtype=torch.bool), "all"],
                **(
                    {"steps": [0, 2.0], "step_size": [0, "a"], "random_start": [1], "seed": [-1, 1.5]}
                    if name == "pgd"
                    else {}
                ),
            },
        )
        for name in ("fgsm", "pgd")
    ],
    Case(
        "gradients.margin_gradient",
        {"model": CLASSIFIER, "images": zeros(2, 1, 8, 8), "labels": torch.tensor([0, 1])},
        {
            "model": [5],
            "images": [zeros(2, 8, 8), ones(2, 1, 8, 8) * 2, with_nan(2, 1, 8, 8)],
            "labels": [torch.tensor([0]), torch.tensor([0.0, 1.0]), [0, 1]],
        },
    ),
    Case(
        "gradients.flip_epsilon",
        {
            "model": CLASSIFIER,
            "images": zeros(2, 1, 8, 8),
            "labels": torch.tensor([0, 1]),
            "min_epsilon": 0.1,
            "max_epsilon": 0.2,
        },
        {
            "model": [5],
            "images": [zeros(2, 8, 8), ones(2, 1, 8, 8) * 2],
            "labels": [torch.tensor([0]), torch.tensor([0.0, 1.0])],
            "min_epsilon": [0, "a"],
            "max_epsilon": [0.1, NAN],
            "steps": [0, 1.5],
            "mask": [torch.ones(8, 8), torch.ones(2, 1, 8, 8, dtype=torch.bool)],
            "tolerance": [1, "a"],
            "random_start": ["yes"],
            "seed": [-1],
        },
    ),
    # pretrained
    Case("pretrained.MobileNetV2", {"num_classes": 2}, {"num_classes": [0, 2.0]}),
    Case(
        "pretrained.MobileNetV2.forward",
        {"x": zeros(1, 3, 32, 32)},
        {"x": [zeros(1, 1, 32, 32), zeros(3, 32, 32), torch.zeros(1, 3, 32, 32, dtype=torch.long)]},
        call=lambda **kw: NET()(**kw),
    ),
    Case("pretrained.sha256", {"path": __file__}, {"path": [5, None]}),
    Case("pretrained.check_weights", {"path": WEIGHTS}, {"path": [5]}),
    Case(
        "pretrained.weights_path",
        {"candidates": Lazy(lambda: [WEIGHTS()]), "download": False},
        {"candidates": ["weights.pth", 5, [5]], "download": [1]},
    ),
    Case("pretrained.mobilenet_v2", {}, {"device": ["gpu7", 5], "weights": [5]}),
    Case(
        "pretrained.preprocess",
        {"images": zeros(1, 3, 4, 4)},
        {"images": [zeros(1, 1, 4, 4), "x", torch.zeros(1, 3, 4, 4, dtype=torch.uint8)]},
    ),
    Case(
        "pretrained.channel_objective",
        {"model": NET, "layer": 0, "channel": 0},
        {"model": [LINEAR], "layer": [-1, 19], "channel": [-1, 32]},
    ),
    Case("pretrained.layer_objective", {"model": NET, "layer": 0}, {"model": [LINEAR], "layer": [-1, 19, 1.0]}),
    Case("pretrained.class_objective", {"model": NET, "index": 0}, {"model": [5], "index": [-1, 1000]}),
    Case(
        "pretrained.feature_maps",
        {"model": NET, "images": zeros(1, 3, 16, 16), "layers": [1, 3]},
        {"model": [LINEAR], "images": [zeros(1, 1, 16, 16), "x"], "layers": [[], [3, 1], [19], "1", [1.5]]},
    ),
    # audio
    Case(
        "upsampling1d.fold_kernel1d",
        {"weight": ones(1, 1, 3), "scale_factor": 2},
        {"weight": [ones(1, 3), "w", ones(1, 1, 2)], "scale_factor": [0]},
    ),
    Case(
        "upsampling1d.ResizeConv1d",
        {"in_channels": 1, "out_channels": 1},
        {
            "in_channels": [0],
            "out_channels": [0],
            "kernel_size": [2],
            "scale_factor": [0],
            "mode": ["bilinear"],
            "fast": [1],
            "bias": [1],
            "groups": [0, 2],
            "device": [1.0],
            "dtype": [torch.bool],
        },
    ),
    Case("upsampling1d.PixelShuffle1d", {"scale_factor": 2}, {"scale_factor": [0]}),
    Case(
        "upsampling1d.PixelShuffle1d.forward",
        {"x": zeros(1, 2, 4)},
        {"x": [zeros(1, 3, 4), zeros(2, 4)]},
        call=lambda **kw: upsampling1d.PixelShuffle1d(2)(**kw),
    ),
    Case(
        "upsampling1d.deconv_geometry", {"kernel_size": 4, "scale_factor": 2}, {"kernel_size": [1], "scale_factor": [0]}
    ),
    Case(
        "upsampling1d.make_upsampler1d",
        {"kind": "deconv", "in_channels": 1, "out_channels": 1},
        {"kind": ["x"], "in_channels": [0], "out_channels": [0], "scale_factor": [1], "bias": [1]},
    ),
    Case(
        "upsampling1d.UpsamplerStack",
        {"kind": "deconv", "n_stages": 1, "channels": 2},
        {"kind": ["x"], "n_stages": [0], "channels": [0], "scale_factor": [1], "bias": [1], "relu": [1]},
    ),
    Case(
        "upsampling1d.UpsamplerStack.forward",
        {"x": zeros(1, 1, 8)},
        {"x": [zeros(1, 2, 8), zeros(8)]},
        call=lambda **kw: upsampling1d.UpsamplerStack("deconv", n_stages=1, channels=2)(**kw),
    ),
    Case(
        "upsampling1d.interpolation_kernel",
        {"mode": "linear"},
        {"mode": ["cubic"], "scale_factor": [0], "n_stages": [0]},
    ),
    Case(
        "upsampling1d.frequency_response",
        {"kernel": [1.0, 1.0], "frequencies": [0.0, 0.25]},
        {"kernel": [[[1.0]], [1.0, -1.0]], "frequencies": ["abc", [NAN]]},
    ),
    Case("audio.n_samples", {"duration": 0.01}, {"duration": [0, "1"], "sample_rate": [0]}),
    Case(
        "audio.tone",
        {"frequency": 100, "duration": 0.01},
        {"frequency": [9000, "100"], "duration": [0], "sample_rate": [0], "amplitude": ["a"], "phase": [NAN]},
    ),
    Case(
        "audio.chirp",
        {"f0": 100, "f1": 200, "duration": 0.01},
        {"f0": [0, 9000], "f1": [-1], "duration": [0], "sample_rate": [0], "amplitude": [math.inf]},
    ),
    *[
        Case(f"audio.{name}", {"duration": 0.01}, {"duration": [0], "sample_rate": [0], "rms": [-1, "a"], "seed": [-1]})
        for name in ("white_noise", "pink_noise")
    ],
    Case(
        "audio.vowel",
        {"duration": 0.05, "sample_rate": 4000},
        {
            "duration": [0],
            "sample_rate": [0],
            "pitch": [(0, 100), 5, ("a", "b")],
            "amplitude": ["a"],
            "max_frequency": [3000],
            "formants": [[(1.0,)], 5, [(700.0, -1.0)]],
            "seed": [-1],
        },
    ),
    Case("audio.silence", {"duration": 0.01}, {"duration": [0], "sample_rate": [0]}),
    Case(
        "upsampling1d.bandlimited_upsample",
        {"signals": zeros(8), "scale_factor": 2},
        {"signals": [zeros(1), "x"], "scale_factor": [0]},
    ),
    Case("audio.to_unit_range", {"signals": [0.5, -1.0]}, {"signals": ["abc", [NAN]], "peak": [0, 2]}),
    Case(
        "audio.spectrogram",
        {"signal": zeros(64), "n_fft": 16, "hop": 8},
        {"signal": ["abc", zeros(4)], "n_fft": [1], "hop": [0]},
    ),
    Case(
        "audio.show_spectrogram",
        {"ax": AX, "signal": zeros(64), "n_fft": 16, "hop": 8},
        {
            "ax": [5],
            "signal": ["abc"],
            "sample_rate": [0],
            "vmin": ["a", 10],
            "vmax": [-100],
            "title": [5],
            "n_fft": [1],
            "hop": [0],
        },
    ),
    Case(
        "players.sound_table",
        {"rows": [["a", [zeros(8)]]], "header": ["h", "x"]},
        {"rows": [5, [["a"]]], "header": ["h", 5], "sample_rate": [0]},
    ),
    Case(
        "audio.synthetic_pairs",
        {"n": 1, "n_samples_low": 16},
        {"n": [0], "n_samples_low": [1], "sample_rate": [1], "scale_factor": [0], "seed": [-1]},
    ),
    Case(
        "training.fit_upsampler",
        {
            "model": Lazy(lambda: nn.Conv1d(1, 1, 1)),
            "inputs": zeros(2, 1, 8),
            "targets": zeros(2, 1, 8),
            "steps": 1,
            "margin": 1,
        },
        {
            "model": [5],
            "inputs": [zeros(8), zeros(3, 1, 8)],
            "targets": [zeros(8)],
            "steps": [0],
            "batch_size": [0],
            "lr": [0],
            "margin": [-1, 4],
            "seed": [-1],
        },
    ),
]

BY_TARGET = {case.target: case for case in CASES}
ROWS = [(case.target, param, value) for case in CASES for param, values in case.bad.items() for value in values]


@pytest.fixture(autouse=True)
def isolated():
    """Leave no trace: close figures and restore RNGs, determinism flags and matplotlib settings."""
    py_state, np_state = random.getstate(), np.random.get_state()
    deterministic = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    cudnn = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
    environ = dict(os.environ)
    with torch.random.fork_rng(devices=[]), mpl.rc_context():
        yield
    plt.close("all")
    random.setstate(py_state)
    np.random.set_state(np_state)
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn
    os.environ.clear()
    os.environ.update(environ)


# --- the tests -------------------------------------------------------------------------------------------------


def _names(message: str, param: str) -> bool:
    """Whether ``message`` names ``param`` as a word (``kernel_size`` is not named by ``kernel_sizes``)."""
    return re.search(rf"(?<![\w.]){re.escape(param)}(?!\w)", message) is not None


def bad_value_problem(fn, kwargs: dict, param: str) -> str | None:
    """What is wrong with how ``fn(**kwargs)`` treats its bad ``param`` (None: a clear error from the package)."""
    try:
        fn(**kwargs)
    except (ValueError, TypeError) as err:
        tb = err.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        raised_in = Path(tb.tb_frame.f_code.co_filename).resolve()
        if not raised_in.is_relative_to(PACKAGE_DIR):
            return f"failed in {raised_in}, not in the package's own checks: {err}"
        if not _names(str(err), param):
            return f"the message does not name {param!r}: {err}"
        return None
    return "accepted"


@pytest.mark.parametrize(("target", "param", "value"), ROWS, ids=[f"{t}:{p}-{i}" for i, (t, p, _) in enumerate(ROWS)])
def test_a_bad_value_raises_an_error_that_names_the_argument(target, param, value):
    case = BY_TARGET[target]
    problem = bad_value_problem(case.fn, resolve({**case.good, param: value}), param)
    assert problem is None, f"{target}({param}={value!r}): {problem}"


@pytest.mark.parametrize("target", list(BY_TARGET))
def test_the_good_call_of_every_case_works(target):
    """Every bad row differs from this call in one argument, so its error comes from that argument."""
    case = BY_TARGET[target]
    case.fn(**resolve(case.good))


def public_callables():
    """(target, object) for every public function, class and method of every public module of the package.

    Public: the name has no leading underscore and the object is defined in that module (imports excluded);
    for classes, also the methods written in the class body (not inherited, not aliases of functions).
    Exception classes take free-form messages and are left out.
    """
    for info in pkgutil.iter_modules(tutorial_utils.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"tutorial_utils.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj) or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                continue
            yield f"{info.name}.{name}", obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                    if attr.startswith("_") or not inspect.isfunction(func):
                        continue
                    if func.__qualname__.startswith(f"{obj.__qualname__}."):
                        yield f"{info.name}.{name}.{attr}", getattr(obj, attr)


def surface() -> dict[str, object]:
    """target -> callable for every function and class that a chapter calls or the design fixes."""
    public = dict(public_callables())
    # what a chapter only shows (inspect.getsource), such as PGD's step, its callers check once before their loop
    called = chapter_names(shown=False)
    named = {f"{module}.{name}" for module, name in called} | {f"{module}.{name}" for module, name, _ in FIXED}
    return {target: public[target] for target in sorted(named) if target in public}


def parameters(obj) -> list[str]:
    """Named parameters of a callable (self, cls, *args and **kwargs excluded)."""
    skip = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [
        p.name
        for p in inspect.signature(obj).parameters.values()
        if p.name not in ("self", "cls") and p.kind not in skip
    ]


def missing_rows(callables: dict, rows) -> list[tuple[str, str]]:
    """The (target, parameter) pairs of ``callables`` that no row of ``rows`` gives a bad value."""
    covered = {(target, param) for target, param, _ in rows}
    return sorted({(t, p) for t, obj in callables.items() for p in parameters(obj)} - covered)


def test_every_parameter_of_the_surface_has_a_row():
    missing = missing_rows(surface(), ROWS)
    assert not missing, f"{len(missing)} parameters that chapters or the design use have no bad-input row: {missing}"


def test_every_row_names_a_public_parameter():
    public = {(target, p) for target, obj in public_callables() for p in parameters(obj)}
    stale = sorted({(target, param) for target, param, _ in ROWS} - public)
    assert not stale, f"rows for parameters that are not public (renamed or removed?): {stale}"


def test_the_surface_is_what_chapters_and_the_design_use():
    """The surface is not empty by accident: it holds the design's fixed names and what the chapters call."""
    targets = set(surface())
    assert {
        "matrices.conv2d_matrix",
        "upsampling.ResizeConv2d",
        "metrics.checkerboard_score",
        "training.GANConfig",
        "book.table",
        "plotting.show_signed",
        "players.magnifier",
        "audio.vowel",
        "runtime.claim",
    } <= targets
    assert "ledger.read" not in targets and "players.FramePlayer" not in targets  # no chapter calls them
    assert len(targets) > 60
    assert len(ROWS) >= len({(t, p) for t, p, _ in ROWS}) >= 300


# --- planted failures: the checks above can fail ---------------------------------------------------------------


def lets_it_through(steps=1):
    return steps


def fails_inside_torch(steps=1):
    return torch.zeros(steps)


def test_a_bad_value_that_is_let_through_or_fails_unclearly_is_caught():
    assert bad_value_problem(lets_it_through, {"steps": "3"}, "steps") == "accepted"
    assert bad_value_problem(fails_inside_torch, {"steps": "3"}, "steps").startswith("failed in")
    # an error from the package whose message names another argument than the bad one
    vague = bad_value_problem(plotting.tile, {"images": zeros(1, 1, 2, 2), "nrow": 0}, "pad")
    assert vague.startswith("the message does not name 'pad'")
    assert bad_value_problem(plotting.tile, {"images": zeros(1, 1, 2, 2), "nrow": "3"}, "nrow") is None  # a real check


def test_a_surface_parameter_without_a_row_is_caught():
    def planted(images, period=2): ...

    rows = [("metrics.planted", "images", None)]
    assert missing_rows({"metrics.planted": planted}, rows) == [("metrics.planted", "period")]
    assert missing_rows({"metrics.planted": planted}, rows + [("metrics.planted", "period", 0)]) == []
