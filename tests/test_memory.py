"""Sizes past the package's allocation bound are refused with a message, never attempted (issue 17, item 5).

Each request below would need far more memory than any machine has (hundreds of GiB to petabytes). Without
the bound it fails deep inside NumPy or torch (MemoryError, or a RuntimeError from the allocator) or runs for
hours; with it, the package's own check raises a ValueError that names the arguments and the bound, before
allocating anything. The largest request the book itself makes stays far below the bound (last test).
"""

from __future__ import annotations

import time

import pytest

from tutorial_utils import (
    audio,
    data,
    downsampling,
    gradients,
    losses,
    models,
    overlap,
    pretrained,
    upsampling,
    upsampling1d,
)
from tutorial_utils._checks import MAX_ELEMENTS, check_elements

HUGE = [
    ("data.digits_on_textures(10**8)", lambda: data.digits_on_textures(10**8), "n=100000000"),
    ("data.photo_crops(10**8, 64)", lambda: data.photo_crops(10**8, 64), "n=100000000"),
    ("models.Generator(image_size=65536)", lambda: models.Generator(image_size=65536), "image_size=65536"),
    ("models.Generator(width=10**6)", lambda: models.Generator(width=10**6), "width=1000000"),
    ("models.Discriminator(image_size=65536)", lambda: models.Discriminator(image_size=65536), "image_size=65536"),
    ("models.Classifier(n_classes=10**9)", lambda: models.Classifier(n_classes=10**9), "n_classes=1000000000"),
    ("models.TransformerNet(width=10**5)", lambda: models.TransformerNet(width=10**5), "width=100000"),
    ("upsampling.make_upsampler", lambda: upsampling.make_upsampler("deconv4", 10**5, 10**5), "in_channels=100000"),
    ("upsampling.ResizeConv2d", lambda: upsampling.ResizeConv2d(10**5, 10**5), "in_channels=100000"),
    ("upsampling.SubPixelConv2d", lambda: upsampling.SubPixelConv2d(10**5, 10**4), "in_channels=100000"),
    ("downsampling.make_downsampler", lambda: downsampling.make_downsampler("conv3", 10**5, 10**5), "in_channels"),
    ("downsampling.BlurPool2d", lambda: downsampling.BlurPool2d(10**9), "channels=1000000000"),
    ("downsampling.Blur2d", lambda: downsampling.Blur2d(10**9), "channels=1000000000"),
    ("pretrained.MobileNetV2(num_classes=10**9)", lambda: pretrained.MobileNetV2(num_classes=10**9), "num_classes"),
    ("losses.RandomFeatures(channels=10**9)", lambda: losses.RandomFeatures(channels=10**9), "channels=1000000000"),
    ("gradients.visualise(size=10**6)", lambda: gradients.visualise(lambda x: x.sum(), size=10**6), "size=1000000"),
    ("audio.tone(100, 10**6 s)", lambda: audio.tone(100.0, 10**6), "duration=1000000"),
    ("audio.white_noise(10**6 s)", lambda: audio.white_noise(10**6), "duration=1000000"),
    ("audio.synthetic_pairs(10**6, 10**6)", lambda: audio.synthetic_pairs(10**6, 10**6), "n=1000000"),
    (
        "upsampling1d.make_upsampler1d",
        lambda: upsampling1d.make_upsampler1d("deconv", 10**5, 10**5),
        "in_channels=100000",
    ),
    (
        "upsampling1d.UpsamplerStack(channels=10**6)",
        lambda: upsampling1d.UpsamplerStack("deconv", channels=10**6),
        "channels=1000000",
    ),
    ("upsampling1d.ResizeConv1d", lambda: upsampling1d.ResizeConv1d(10**5, 10**5, 9), "in_channels=100000"),
    ("overlap.overlap_counts 1D", lambda: overlap.overlap_counts(3, 2, 10**12), "stride=2"),
    ("overlap.overlap_counts 2D", lambda: overlap.overlap_counts(3, 2, (10**6, 10**6)), "input_size"),
    ("overlap.stamp_counts", lambda: overlap.stamp_counts(3, 2, 10**6, 1), "input_size"),
    ("overlap.stacked_overlap 2D", lambda: overlap.stacked_overlap([3, 3], [2, 2], (10**5, 10**5)), "input_size"),
    ("overlap.torch_overlap", lambda: overlap.torch_overlap([3], [2], (10**6, 10**6)), "input_size"),
]


@pytest.mark.parametrize(("call", "named"), [(fn, named) for _, fn, named in HUGE], ids=[name for name, _, _ in HUGE])
def test_a_request_past_the_bound_is_refused_before_allocating(call, named):
    start = time.perf_counter()
    with pytest.raises(ValueError, match=f"{MAX_ELEMENTS:,}") as info:
        call()
    assert named in str(info.value), str(info.value)  # the message names the argument that asked for too much
    assert time.perf_counter() - start < 5, "the request was refused only after a long computation"


def test_a_binomial_filter_wider_than_32_is_refused_before_summing_pascals_triangle():
    start = time.perf_counter()
    with pytest.raises(ValueError, match="size must be at most 32"):
        downsampling.binomial_filter(10**6)  # a Python loop over 10**12 additions without the bound
    assert time.perf_counter() - start < 1 and downsampling.binomial_filter(32).shape == (32, 32)


def test_check_elements_names_the_request_and_the_bound():
    assert check_elements("n=2", 2) == 2 and check_elements("n=limit", MAX_ELEMENTS) == MAX_ELEMENTS
    with pytest.raises(ValueError, match=r"n=3 would allocate 3 values, more than the 2"):
        check_elements("n=3", 3, limit=2)


def test_the_books_largest_requests_stay_below_the_bound():
    """The bound refuses nothing the book does: its largest networks are 10x or more below it."""
    sizes = {
        "a 128 px generator of width 64": sum(
            p.numel() for p in models.Generator(image_size=128, width=64).parameters()
        ),
        "MobileNetV2": sum(p.numel() for p in pretrained.MobileNetV2().parameters()),
        "one minute of audio at 48 kHz": audio.n_samples(60.0, 48_000),
    }
    assert max(sizes.values()) * 10 < MAX_ELEMENTS, sizes
