"""The fixed public API (the design's section 4): notebooks and readers rely on these names and signatures.

Each listed callable must exist with the listed parameters first, in the listed order, under the listed names
and with the listed defaults (compared with ``inspect.signature``), so renaming a parameter or changing a default
breaks this test. A parameter that the design lists without a default may have one (calls written as the design
shows still work); parameters beyond the listed ones must be optional, for the same reason. Each factory builds a
layer of every listed kind that scales by two, and refuses any other kind, naming the listed ones in order.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
import torch

REQUIRED = object()  # the design lists the parameter without a default
ANY = object()  # the design lists the parameter without saying whether it has a default

# (module, name, [(parameter, default), ...]) as section 4 of the design lists them.
FIXED = [
    ("runtime", "get_device", []),
    ("runtime", "seed_everything", [("seed", ANY)]),
    ("runtime", "profile", []),
    (
        "matrices",
        "conv2d_matrix",
        [("weight", REQUIRED), ("input_size", REQUIRED), ("stride", 1), ("padding", 0), ("dilation", 1)],
    ),
    ("matrices", "operator_matrix", [("fn", REQUIRED), ("input_shape", REQUIRED)]),
    # listed as "(...)": the argument order of conv2d_matrix and of torch's conv_transpose2d
    (
        "matrices",
        "conv_transpose2d_matrix",
        [
            ("weight", REQUIRED),
            ("input_size", REQUIRED),
            ("stride", 1),
            ("padding", 0),
            ("output_padding", 0),
            ("dilation", 1),
        ],
    ),
    (
        "matrices",
        "conv_output_size",
        [("input_size", REQUIRED), ("kernel_size", REQUIRED), ("stride", 1), ("padding", 0), ("dilation", 1)],
    ),
    (
        "matrices",
        "conv_transpose_output_size",
        [
            ("input_size", REQUIRED),
            ("kernel_size", REQUIRED),
            ("stride", 1),
            ("padding", 0),
            ("output_padding", 0),
            ("dilation", 1),
        ],
    ),
    ("overlap", "overlap_counts", [("kernel_size", REQUIRED), ("stride", REQUIRED), ("input_size", REQUIRED)]),
    ("upsampling", "make_upsampler", [("kind", REQUIRED), ("in_channels", REQUIRED), ("out_channels", REQUIRED)]),
    (
        "upsampling",
        "ResizeConv2d",
        [
            ("in_channels", REQUIRED),
            ("out_channels", REQUIRED),
            ("kernel_size", 3),
            ("scale_factor", 2),
            ("mode", "nearest"),
            ("fast", True),
        ],
    ),
    ("upsampling", "icnr_", [("weight", REQUIRED), ("scale_factor", ANY)]),
    ("metrics", "checkerboard_score", [("images", REQUIRED), ("period", 2)]),
    ("metrics", "phase_energy_ratio", [("x", REQUIRED), ("period", 2)]),
    ("metrics", "radial_power_spectrum", [("images", REQUIRED)]),
    ("metrics", "tone_strength", [("signals", REQUIRED), ("period", REQUIRED)]),
    ("downsampling", "make_downsampler", [("kind", REQUIRED), ("in_channels", REQUIRED), ("out_channels", REQUIRED)]),
    ("pretrained", "mobilenet_v2", [("device", None)]),
    ("pretrained", "preprocess", [("images", REQUIRED)]),
    (
        "upsampling1d",
        "make_upsampler1d",
        [("kind", REQUIRED), ("in_channels", REQUIRED), ("out_channels", REQUIRED), ("scale_factor", 2)],
    ),
    (
        "upsampling1d",
        "ResizeConv1d",
        [
            ("in_channels", REQUIRED),
            ("out_channels", REQUIRED),
            ("kernel_size", 3),
            ("scale_factor", 2),
            ("mode", "nearest"),
            ("fast", True),
        ],
    ),
    # chapter 06
    ("models", "TransformerNet", [("upsample_kind", "nearest"), ("width", 32), ("n_residual", 3)]),
    ("losses", "gram_matrix", [("features", REQUIRED)]),
]

# Each factory, the kinds it accepts in the design's order, an input, and the output shape every kind must give.
FACTORIES = [
    (
        "upsampling.make_upsampler",
        ("deconv3", "deconv4", "nearest", "bilinear", "subpixel", "subpixel_icnr"),
        (1, 2, 8, 8),
        (1, 3, 16, 16),
    ),
    # the design's four, then max pooling (chapter 09)
    ("downsampling.make_downsampler", ("conv3", "conv4", "avgpool", "blurpool", "maxpool"), (1, 2, 8, 8), (1, 3, 4, 4)),
    (
        "upsampling1d.make_upsampler1d",
        ("deconv", "deconv_uneven", "subpixel", "nearest", "linear"),
        (1, 2, 8),
        (1, 3, 16),
    ),
]


def signature_problems(obj, listed) -> list[str]:
    """How the signature of ``obj`` departs from the listed parameters (empty when it matches)."""
    params = [p for p in inspect.signature(obj).parameters.values() if p.name != "self"]
    problems = []
    names = [p.name for p in params[: len(listed)]]
    if names != [name for name, _ in listed]:
        problems.append(f"parameters {names} instead of {[name for name, _ in listed]}")
    for p, (name, default) in zip(params, listed, strict=False):
        if p.name != name or default is ANY:
            continue
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            problems.append(f"{name} is {p.kind.description}, not a positional-or-keyword parameter")
        same = p.default is not p.empty and p.default == default and type(p.default) is type(default)
        if default is not REQUIRED and not same:
            problems.append(f"{name} defaults to {p.default!r}, not {default!r}")
    for p in params[len(listed) :]:
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            problems.append(f"the extra parameter {p.name} is required, so calls as the design writes them fail")
    return problems


@pytest.mark.parametrize(("module", "name", "listed"), FIXED, ids=[f"{m}.{n}" for m, n, _ in FIXED])
def test_fixed_callable_has_the_listed_signature(module, name, listed):
    obj = getattr(importlib.import_module(f"tutorial_utils.{module}"), name, None)
    assert obj is not None, f"tutorial_utils.{module}.{name} is missing"
    assert callable(obj)
    assert signature_problems(obj, listed) == []


def factory(target: str):
    module, name = target.split(".")
    return getattr(importlib.import_module(f"tutorial_utils.{module}"), name)


@pytest.mark.parametrize(
    ("target", "kind", "shape", "expected"),
    [(target, kind, shape, expected) for target, kinds, shape, expected in FACTORIES for kind in kinds],
    ids=[f"{target}:{kind}" for target, kinds, _, _ in FACTORIES for kind in kinds],
)
def test_every_listed_kind_builds_a_layer_that_scales_by_two(target, kind, shape, expected):
    layer = factory(target)(kind, 2, 3)
    assert tuple(layer(torch.zeros(shape)).shape) == expected


@pytest.mark.parametrize(("target", "kinds"), [(t, k) for t, k, _, _ in FACTORIES], ids=[t for t, *_ in FACTORIES])
def test_an_unlisted_kind_is_refused_with_the_listed_kinds_in_order(target, kinds):
    """The factories accept exactly the listed kinds: anything else is refused, naming them in the design's order."""
    with pytest.raises(ValueError) as info:
        factory(target)("bicubic", 2, 3)
    assert f"kind must be one of {kinds}" in str(info.value)


def test_imagenet_classes_are_the_1000_names_in_index_order():
    from tutorial_utils import pretrained

    classes = pretrained.IMAGENET_CLASSES
    assert isinstance(classes, tuple) and len(classes) == 1000 and all(isinstance(c, str) and c for c in classes)
    assert classes[285] == "Egyptian cat" and classes[967] == "espresso"  # the design's two photographs


def test_the_checker_catches_a_renamed_parameter_and_a_changed_default():
    """The test above can fail: renaming a parameter, changing a default or adding a required one is caught."""

    def renamed(images, step=2): ...

    def other_default(images, period=3): ...

    def required_extra(images, period=2, *, scale): ...

    def extended(images, period=2, *, eps=1e-12): ...

    listed = [("images", REQUIRED), ("period", 2)]
    assert signature_problems(renamed, listed) == ["parameters ['images', 'step'] instead of ['images', 'period']"]
    assert signature_problems(other_default, listed) == ["period defaults to 3, not 2"]
    assert signature_problems(required_extra, listed) == [
        "the extra parameter scale is required, so calls as the design writes them fail"
    ]
    assert signature_problems(extended, listed) == []
