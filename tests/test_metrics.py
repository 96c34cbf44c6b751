"""Artifact metrics: the checkerboard score separates periodic patterns from natural images, the phase-energy
ratio reads per-phase energy of random-sign signals, the radial spectrum puts patterns where they belong."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_utils import data, metrics

SETTINGS = settings(deadline=None, max_examples=25, derandomize=True)


def checkerboard(size: int = 16) -> torch.Tensor:
    i = torch.arange(size)
    return ((i[:, None] + i[None, :]) % 2 * 2 - 1.0).expand(1, 1, size, size)


def stripes(size: int = 16) -> torch.Tensor:
    i = torch.arange(size)
    return (i % 2 * 2 - 1.0)[None, :].expand(size, size).expand(1, 1, size, size)


@SETTINGS
@given(
    period=st.sampled_from([2, 3, 4]),
    reps=st.integers(3, 8),
    n=st.integers(1, 3),
    c=st.integers(1, 3),
    seed=st.integers(0, 2**16),
)
def test_pure_periodic_pattern_scores_near_one(period, reps, n, c, seed):
    g = torch.Generator().manual_seed(seed)
    tile = torch.randn(n, c, period, period, generator=g)
    tile = tile - tile.mean(dim=(-2, -1), keepdim=True)
    tile = tile + 0.3 * torch.sign(tile)  # keep every tile clearly non-flat
    images = tile.repeat(1, 1, reps, reps)
    assert metrics.checkerboard_score(images, period) > 0.9


@SETTINGS
@given(fy=st.floats(0.0, 3.0), fx=st.floats(0.5, 3.0), phase=st.floats(0, 6.3), size=st.sampled_from([16, 32, 64]))
def test_smooth_images_score_near_zero(fy, fx, phase, size):
    yy, xx = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size), indexing="ij")
    img = torch.sin(2 * math.pi * (fy * yy + fx * xx) + phase)
    assert metrics.checkerboard_score(img[None, None]) < 0.1


def test_natural_photo_crops_score_below_one_percent():
    crops = data.photo_crops(64, 64, seed=0, split="test")
    assert metrics.checkerboard_score(crops) < 0.01
    crops = data.photo_crops(64, 64, seed=1, split="train")
    assert metrics.checkerboard_score(crops) < 0.01


def test_checkerboard_scores_near_one_and_pattern_added_to_photo_raises_score():
    assert metrics.checkerboard_score(checkerboard()) > 0.95
    crops = data.photo_crops(16, 32, seed=0)
    board = checkerboard(32).expand_as(crops)
    clean = metrics.checkerboard_score(crops)
    dirty = metrics.checkerboard_score(crops + 0.1 * board)
    assert dirty > 10 * clean


def test_period_four_pattern_scores_high_at_period_four():
    torch.manual_seed(0)
    tile = torch.randn(4, 3, 4, 4)
    images = tile.repeat(1, 1, 8, 8)
    assert metrics.checkerboard_score(images, period=4) > 0.9
    # at period 2 only the part of the pattern that repeats every 2 pixels counts
    assert metrics.checkerboard_score(images, period=2) < metrics.checkerboard_score(images, period=4)


def test_phase_energy_ratio_of_weighted_random_signs():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(512, 512, generator=g)
    std = torch.tensor([[2.0, 1.0], [1.0, 1.0]]).repeat(256, 256)
    assert metrics.phase_energy_ratio(x * std) == pytest.approx(4.0, rel=0.1)
    assert metrics.phase_energy_ratio(x) == pytest.approx(1.0, rel=0.05)
    # batches (N, C, H, W) are pooled
    batch = (x * std).reshape(4, 1, 128, 512)
    assert metrics.phase_energy_ratio(batch) == pytest.approx(4.0, rel=0.1)


def test_phase_energy_ratio_errors():
    with pytest.raises(ValueError, match="period=2"):
        metrics.phase_energy_ratio(torch.randn(5, 5))
    with pytest.raises(ValueError, match=r"x must be .*\(\.\.\., H, W\)"):
        metrics.phase_energy_ratio(torch.randn(8))  # a 1D signal has no 2D phases
    with pytest.raises(ValueError, match="x"):
        metrics.phase_energy_ratio(torch.tensor(1.0))
    with pytest.raises(ValueError, match="zero energy"):
        metrics.phase_energy_ratio(torch.tensor([[1.0, 0.0], [0.0, 0.0]]).repeat(2, 2))
    with pytest.raises(ValueError, match="finite"):
        metrics.phase_energy_ratio(torch.full((4, 4), float("nan")))


def test_scores_refuse_nan_instead_of_returning_nan():
    x = torch.randn(2, 3, 8, 8)
    x[0, 0, 0, 0] = float("nan")
    for fn in (metrics.checkerboard_score, metrics.checkerboard_amplitude, metrics.radial_power_spectrum):
        with pytest.raises(ValueError, match="images must be finite"):
            fn(x)


def test_phase_means_checks_its_input():
    x = torch.arange(16.0).reshape(4, 4)
    assert torch.equal(metrics.phase_means(x, 2), torch.tensor([[5.0, 6.0], [9.0, 10.0]]))
    with pytest.raises(ValueError, match="period=3"):
        metrics.phase_means(x, 3)
    with pytest.raises(ValueError, match="period"):
        metrics.phase_means(x, 0)
    with pytest.raises(ValueError, match="x must"):
        metrics.phase_means(torch.ones(4), 2)
    with pytest.raises(TypeError, match="x must"):
        metrics.phase_means([[1.0, 2.0], [3.0, 4.0]], 2)


@pytest.mark.parametrize("size", [16, 32, 64])
def test_radial_power_spectrum_peaks(size):
    freqs, power = metrics.radial_power_spectrum(checkerboard(size))
    assert abs(freqs[np.argmax(power)] - math.sqrt(0.5)) <= 1.0 / size
    freqs, power = metrics.radial_power_spectrum(stripes(size))
    assert freqs[np.argmax(power)] == pytest.approx(0.5)
    assert freqs.shape == power.shape and freqs[0] == 0


def test_high_pass_removes_constants_and_phase_means_shape():
    x = torch.full((2, 3, 8, 8), 0.7)
    assert torch.allclose(metrics.high_pass(x), torch.zeros_like(x), atol=1e-6)
    assert metrics.phase_means(torch.randn(2, 3, 8, 12), 4).shape == (2, 3, 4, 4)


def test_errors_for_bad_images():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        metrics.checkerboard_score(torch.randn(8, 8))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        metrics.radial_power_spectrum(torch.randn(3, 8, 8))
    with pytest.raises(ValueError, match="period=2"):
        metrics.checkerboard_score(torch.randn(1, 1, 7, 8))
    with pytest.raises(ValueError, match="period=4"):
        metrics.checkerboard_score(torch.randn(1, 1, 8, 10), period=4)
    with pytest.raises(ValueError, match="period"):
        metrics.checkerboard_score(torch.randn(1, 1, 8, 8), period=1)
    with pytest.raises(TypeError, match="period"):
        metrics.checkerboard_score(torch.randn(1, 1, 8, 8), period=2.0)


def test_checkerboard_amplitude_is_absolute():
    board = checkerboard(64)
    assert metrics.checkerboard_amplitude(board) == pytest.approx(8 / 9, rel=0.03)
    assert metrics.checkerboard_amplitude(3 * board) == pytest.approx(3 * metrics.checkerboard_amplitude(board))
    assert metrics.checkerboard_amplitude(torch.full((2, 3, 8, 8), 0.5)) == pytest.approx(0.0, abs=1e-7)
    crops = data.photo_crops(16, 32, seed=0)
    # the score is scale-free, the amplitude is not
    assert metrics.checkerboard_score(2 * crops) == pytest.approx(metrics.checkerboard_score(crops), rel=1e-4)
    assert metrics.checkerboard_amplitude(2 * crops) == pytest.approx(
        2 * metrics.checkerboard_amplitude(crops), rel=1e-4
    )
    with pytest.raises(ValueError, match="period=2"):
        metrics.checkerboard_amplitude(torch.randn(1, 1, 5, 6))


@settings(deadline=None, max_examples=50, derandomize=True)
@given(seed=st.integers(0, 2**16), size=st.sampled_from([4, 8, 12, 16]), n=st.integers(1, 3))
def test_period_4_score_is_never_below_period_2(seed, size, n):
    """The four period-2 phase means average the sixteen period-4 ones, and averaging never spreads them out."""
    x = torch.randn(n, 2, size, size, generator=torch.Generator().manual_seed(seed))
    assert metrics.checkerboard_score(x, 4) >= metrics.checkerboard_score(x, 2) - 1e-12


def test_fingerprint_keeps_a_fixed_pattern_and_averages_content_away():
    photos = data.photo_crops(64, 16, seed=0)
    tile = torch.tensor([[1.0, -1.0, 0.5, -0.5], [0.0, 0.25, -0.25, 0.0]] * 2)  # a 4x4 pattern
    grid = tile.repeat(4, 4).expand(64, 3, 16, 16)
    fp = metrics.fingerprint(photos + 0.3 * grid)
    assert fp.shape == (3, 4, 4)
    # the fixed pattern adds up to its high-passed phase means, the photographs' own detail nearly cancels
    expected = metrics.phase_means(metrics.high_pass(0.3 * grid[:1]), 4)[0]
    assert torch.allclose(fp, expected.float(), atol=0.02)
    assert metrics.fingerprint(photos).abs().max() < 0.02
    assert metrics.fingerprint(photos, period=2).shape == (3, 2, 2)


# --- variety and recognisability of samples --------------------------------------------------------------------


def test_mean_pairwise_distance_by_hand():
    a, b, c = torch.zeros(1, 1, 2, 2), torch.ones(1, 1, 2, 2), torch.full((1, 1, 2, 2), 3.0)
    x = torch.cat([a, b, c])
    # RMS pixel differences: |a-b| = 1, |a-c| = 3, |b-c| = 2, mean 2
    assert metrics.mean_pairwise_distance(x) == pytest.approx(2.0)
    assert metrics.mean_pairwise_distance(torch.cat([a, a, a])) == 0.0  # a collapsed batch
    noise = torch.randn(64, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    # independent standard normals differ by sqrt(2) RMS, and the measure ignores the order of the batch
    assert metrics.mean_pairwise_distance(noise) == pytest.approx(2**0.5, rel=0.05)
    assert metrics.mean_pairwise_distance(noise.flip(0)) == pytest.approx(metrics.mean_pairwise_distance(noise))


def test_mean_pairwise_distance_needs_two_images():
    with pytest.raises(ValueError, match="images"):
        metrics.mean_pairwise_distance(torch.zeros(1, 1, 4, 4))


def test_confident_share():
    p = torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.5, 0.5], [0.1, 0.9]])
    assert metrics.confident_share(p) == 0.75  # 0.8 counts as confident
    assert metrics.confident_share(p, threshold=0.85) == 0.5
    assert metrics.confident_share(p.numpy(), threshold=0.0) == 1.0
    with pytest.raises(ValueError, match="probabilities"):
        metrics.confident_share(torch.tensor([[0.9, 0.3]]))
    with pytest.raises(ValueError, match="probabilities"):
        metrics.confident_share(torch.ones(3))
    with pytest.raises(ValueError, match="threshold"):
        metrics.confident_share(p, threshold=1.5)


def test_high_frequency_share():
    size = 32
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    assert metrics.high_frequency_share(torch.ones(size, size)) == 0.0
    assert metrics.high_frequency_share((-1.0) ** (yy + xx)) == pytest.approx(1.0)
    # a period-4 stripe sits at exactly 0.25 cycles per pixel: not above the cutoff, above a lower one
    stripes = torch.cos(torch.pi * xx / 2)
    assert metrics.high_frequency_share(stripes) == pytest.approx(0.0, abs=1e-12)
    assert metrics.high_frequency_share(stripes, cutoff=0.2) == pytest.approx(1.0)
    # a single pixel has a flat spectrum: the share is the share of frequencies above the cutoff
    delta = torch.zeros(2, size, size)
    delta[:, 5, 9] = 1
    assert metrics.high_frequency_share(delta) == pytest.approx(1 - (17 / 32) ** 2)
    with pytest.raises(ValueError, match="cutoff"):
        metrics.high_frequency_share(delta, cutoff=0.5)
    with pytest.raises(ValueError, match="zeros"):
        metrics.high_frequency_share(torch.zeros(4, 4))
