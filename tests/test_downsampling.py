"""The downsampler zoo: shapes, normalised blur filters, and which layers leave a pattern in their input gradient."""

import pytest
import torch

from tutorial_utils import downsampling, metrics


def white_gradient_ratio(layer, channels=4, size=64, seed=0, crop=8):
    """Period-2 phase-energy ratio of ``layer``'s input gradient for a white upstream gradient, away from borders."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(8, channels, size, size, generator=gen, requires_grad=True)
    out = layer(x)
    out.backward(torch.randn(out.shape, generator=gen))
    return metrics.phase_energy_ratio(x.grad[..., crop:-crop, crop:-crop], 2)


@pytest.mark.parametrize("size, row", [(1, [1]), (3, [1, 2, 1]), (4, [1, 3, 3, 1]), (5, [1, 4, 6, 4, 1])])
def test_binomial_filter(size, row):
    taps = torch.tensor(row, dtype=torch.float32)
    expected = torch.outer(taps, taps) / taps.sum() ** 2
    kernel = downsampling.binomial_filter(size)
    assert torch.allclose(kernel, expected)
    assert kernel.sum().item() == pytest.approx(1.0)


@pytest.mark.parametrize("kind", downsampling.DOWN_KINDS)
def test_every_kind_halves(kind):
    layer = downsampling.make_downsampler(kind, 3, 5)
    assert layer(torch.randn(2, 3, 12, 8)).shape == (2, 5, 6, 4)


@pytest.mark.parametrize("filter_size", [2, 3, 4, 5])
@pytest.mark.parametrize("size", [8, 14])
def test_blurpool_shape_and_flat_input(filter_size, size):
    pool = downsampling.BlurPool2d(3, filter_size=filter_size)
    flat = torch.full((2, 3, size, size), -0.3)
    out = pool(flat)
    assert out.shape == (2, 3, size // 2, size // 2)
    assert torch.allclose(out, torch.full_like(out, -0.3))  # a normalised filter keeps constants, borders too


def test_blurpool_removes_the_checkerboard():
    checker = (-1.0) ** (torch.arange(16)[:, None] + torch.arange(16)[None, :])
    out = downsampling.BlurPool2d(1)(checker.expand(1, 1, 16, 16).clone())
    assert out.abs().max() < 1e-6
    plain = checker[::2, ::2]  # subsampling without the blur folds the checkerboard onto a constant
    assert torch.equal(plain, torch.ones(8, 8))


def test_blurpool_matches_a_direct_computation():
    x = torch.randn(1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0]) / 8
    padded = torch.nn.functional.pad(x, (1, 2, 1, 2), mode="reflect")[0, 0]
    expected = torch.empty(4, 4)
    for i in range(4):
        for j in range(4):
            expected[i, j] = (torch.outer(taps, taps) * padded[2 * i : 2 * i + 4, 2 * j : 2 * j + 4]).sum()
    assert torch.allclose(downsampling.BlurPool2d(1)(x)[0, 0], expected, atol=1e-6)


def test_blurpool_input_gradient_has_no_period_pattern():
    # The 4-tap filter is divisible by the stride: every input phase gets the same share of the gradient.
    assert white_gradient_ratio(downsampling.BlurPool2d(4)) < 1.05
    # A 3-tap filter at stride 2 has the uneven overlap of a k3,s2 transposed convolution: (2/1)² = 4x.
    assert white_gradient_ratio(downsampling.BlurPool2d(4, filter_size=3)) > 3.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_which_downsamplers_pattern_their_input_gradient(seed):
    ratios = {}
    for kind in downsampling.DOWN_KINDS:
        layer = _seeded_layer(kind, seed)
        ratios[kind] = white_gradient_ratio(layer, channels=8, seed=seed)
    assert ratios["conv3"] > 2.5, ratios
    for kind in ("conv4", "avgpool", "blurpool"):
        assert ratios[kind] < 1.4, ratios


def test_maxpool_routes_the_gradient_to_one_pixel_per_window():
    """Max pooling's backward pass sends each window's gradient to its argmax alone: exactly one pixel of
    every 2×2 window of the pooled feature map gets a non-zero gradient, at no fixed phase."""
    torch.manual_seed(0)
    layer = downsampling.make_downsampler("maxpool", 2, 3)
    conv, pool = layer[0], layer[1]
    assert isinstance(pool, torch.nn.MaxPool2d)
    x = torch.randn(1, 2, 8, 8)
    features = conv(x).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(pool(features).sum(), features)
    windows = (grad != 0).reshape(1, 3, 4, 2, 4, 2).sum(dim=(3, 5))
    assert bool((windows == 1).all())
    phases = (grad != 0).reshape(1, 3, 4, 2, 4, 2).sum(dim=(0, 1, 2, 4)).flatten()
    assert int(phases.min()) > 0  # every phase holds some argmax: none is fixed by the layer


def _seeded_layer(kind, seed):
    torch.manual_seed(seed)
    return downsampling.make_downsampler(kind, 8, 32)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        downsampling.make_downsampler("stridedpool", 3, 3)
    with pytest.raises(ValueError, match="in_channels"):
        downsampling.make_downsampler("conv3", 0, 3)
    with pytest.raises(ValueError, match="channels"):
        downsampling.BlurPool2d(0)
    with pytest.raises(ValueError, match="filter_size"):
        downsampling.BlurPool2d(3, filter_size=0)
    with pytest.raises(TypeError, match="stride"):
        downsampling.BlurPool2d(3, stride=2.0)
    with pytest.raises(ValueError, match="x"):
        downsampling.BlurPool2d(3)(torch.zeros(1, 4, 8, 8))
    with pytest.raises(ValueError, match="x"):
        downsampling.Blur2d(3)(torch.zeros(3, 8, 8))
    with pytest.raises(ValueError, match="size"):
        downsampling.binomial_filter(0)
