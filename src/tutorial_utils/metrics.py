"""Numbers for artifacts: the checkerboard score, the phase-energy ratio and the radial power spectrum.

Inputs may live on any device; the numbers are computed on the CPU in float64 (MPS has no float64, and these
are small reductions), so a score does not depend on where the images were made.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import (
    as_grid,
    as_images,
    as_numbers,
    as_signals,
    checked,
    float_in,
    int_at_least,
    real_numbers,
    sees_arguments,
    tensor_of,
    with_period,
)


def _cpu64(x: torch.Tensor) -> torch.Tensor:
    return x.detach().cpu().double()


@sees_arguments
def _tensor_grid(name: str, x, arguments: dict) -> torch.Tensor:
    """Rule: a non-empty tensor (..., H, W) whose H and W are multiples of the ``period`` argument."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (..., H, W), got {type(x).__name__}")
    if x.ndim < 2 or x.numel() == 0:
        raise ValueError(f"{name} must be a non-empty tensor of shape (..., H, W), got shape {tuple(x.shape)}")
    (h, w), period = x.shape[-2:], arguments["period"]
    if h % period or w % period:
        raise ValueError(f"{name} height and width must be multiples of period={period}, got {h}x{w}")
    return x


@checked(images=as_images)
def high_pass(images: torch.Tensor) -> torch.Tensor:
    """Images minus their 3×3 local mean (edge-replicated): what is left is fine detail and artifacts.

    Computed on the images' own device and dtype (float32 or float64)."""
    n, c, h, w = images.shape
    flat = images.reshape(n * c, 1, h, w)
    local_mean = F.avg_pool2d(F.pad(flat, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return (flat - local_mean).reshape(n, c, h, w)


@checked(period=int_at_least(1), x=_tensor_grid)
def phase_means(x: torch.Tensor, period: int) -> torch.Tensor:
    """Mean of x over each of the period×period output phases: (..., H, W) -> (..., period, period)."""
    h, w = x.shape[-2:]
    return x.reshape(*x.shape[:-2], h // period, period, w // period, period).mean(dim=(-4, -2))


PERIODIC_IMAGES = {"period": int_at_least(2), "images": with_period(as_images)}


def checkerboard_score(images, period: int = 2) -> float:
    """How much of the images' fine detail is a fixed period-``period`` pattern: 0 natural, ~1 pure pattern
    (:func:`channel_scores`, averaged over images and channels)."""
    return float(channel_scores(images, period).mean())


def image_scores(images, period: int = 2) -> torch.Tensor:
    """The checkerboard score of each image on its own (averaged over its channels): (N,) float64, one number per
    image, which is what a one-number detector of generated images thresholds (chapter 10)."""
    return channel_scores(images, period).mean(dim=1)


@checked(**PERIODIC_IMAGES)
def channel_scores(images, period: int = 2) -> torch.Tensor:
    """The checkerboard score of each image and channel, (N, C) float64 on the CPU: high-pass the images, split
    the residual into the period×period phases, and divide the variance of the phase means by the variance of
    the residual."""
    r = high_pass(_cpu64(images))  # fine detail, and any grid
    means = phase_means(r, period).flatten(-2)  # (N, C, period²): detail averages out, a grid does not
    between = means.var(dim=-1, unbiased=False)
    total = r.flatten(-2).var(dim=-1, unbiased=False)
    return between / total.clamp_min(1e-12)


@checked(**PERIODIC_IMAGES)
def fingerprint(images, period: int = 4) -> torch.Tensor:
    """A batch's fixed pattern: the high-passed images averaged over the batch and folded onto one
    period×period tile per channel, (C, period, period). Image content averages away; a grid adds up."""
    return phase_means(high_pass(_cpu64(images)), period).mean(dim=0).float()


@checked(period=int_at_least(2), x=with_period(as_grid))
def phase_energy_ratio(x, period: int = 2) -> float:
    """Max over min of the mean of x² per output phase, for signed data with a random sign (e.g. gradients).

    1.0 means every phase carries the same energy (no pattern). Phases are 2D, over the last two dimensions
    of (..., H, W).
    """
    x = _cpu64(x)
    energy = phase_means(x.square().reshape(-1, *x.shape[-2:]), period).mean(dim=0).flatten()
    if float(energy.min()) <= 0:
        raise ValueError("x has a phase with zero energy; the ratio is undefined")
    return float(energy.max() / energy.min())


@checked(
    x=real_numbers("a tensor or array of shape (..., H, W)", min_ndim=2),
    cutoff=float_in(0, 0.5, lo_open=True, hi_open=True),
)
def high_frequency_share(x, cutoff: float = 0.25) -> float:
    """The share of the energy of x (..., H, W) at spatial frequencies above ``cutoff`` cycles per pixel along
    either axis (max(|fy|, |fx|) > cutoff), from the 2D power spectrum summed over everything else.

    0 for a constant, 1 for a checkerboard, and for white noise the share of such frequencies: 1 - (17/32)² ≈
    0.72 on 32×32 at the default cutoff (periods shorter than 4 pixels). Says how fine a signed signal such as
    a gradient is, whether or not its pattern is periodic (:func:`phase_energy_ratio` says that). Its cutoff
    stays below 0.5: no frequency of a sampled signal is above half a cycle per pixel.
    """
    h, w = x.shape[-2:]
    power = (torch.fft.fft2(x).abs() ** 2).reshape(-1, h, w).sum(dim=0)
    fy = torch.fft.fftfreq(h, dtype=torch.float64).abs()[:, None]
    fx = torch.fft.fftfreq(w, dtype=torch.float64).abs()[None, :]
    high = torch.maximum(fy.expand(h, w), fx.expand(h, w)) > cutoff
    total = float(power.sum())
    if total <= 0:
        raise ValueError("x is all zeros; the share of its energy is undefined")
    return float(power[high].sum()) / total


@checked(images=as_images)
def radial_power_spectrum(images) -> tuple[np.ndarray, np.ndarray]:
    """Azimuthally averaged power spectrum (Durall et al. 2020), averaged over images and channels.

    Returns (frequencies in cycles per pixel, mean power); radii run to the corner of the spectrum, so a
    period-2 checkerboard shows up at about 0.71 and period-2 stripes at 0.5.
    """
    x = _cpu64(images)
    bins, step = radial_bins(*x.shape[-2:])
    power = (torch.fft.fft2(x).abs() ** 2).mean(dim=(0, 1)).numpy()
    total = np.bincount(bins.ravel(), weights=power.ravel())
    count = np.bincount(bins.ravel())
    keep = count > 0
    return np.arange(len(count))[keep] * step, total[keep] / count[keep]


@checked(images=as_images)
def radial_spectra(images) -> tuple[np.ndarray, torch.Tensor]:
    """Each image's azimuthally averaged power spectrum on a log scale, (frequencies, (N, F) log10 power),
    averaged over channels: the 1D spectrum that spectral detectors of generated images read (Durall et al.
    2020, Dzanic et al. 2020), one row per image.

    Conventions (papers differ on each): the power is ``|FFT|**2`` of the unshifted 2D FFT, unnormalised and
    averaged over channels. A bin at frequency (fy, fx) joins ring ``round(hypot(fy, fx) / step)`` with
    ``step = 1 / max(H, W)`` cycles per pixel (:func:`radial_bins`), so ring k holds the bins within half a step
    of ``k * step``. Ring 0 is the DC bin alone, kept as the first column. The rings run past 0.5 into the
    corner of the spectrum, to about 0.71: those outer rings hold only the corner's few bins, and a period-2
    checkerboard's power lands in the last one. A ring's power is the mean over its bins (not the sum), and the
    log10 is taken after that mean, with 1e-12 added; rings with no bins are dropped."""
    x = _cpu64(images)
    bins, step = radial_bins(*x.shape[-2:])
    count = np.bincount(bins.ravel())
    return np.arange(len(count))[count > 0] * step, log_ring_power(x)


@checked(images=tensor_of(4, "(N, C, H, W)"))
def log_ring_power(images: torch.Tensor) -> torch.Tensor:
    """Each image's log10 power per frequency ring, (N, rings): the rows of :func:`radial_spectra`,
    computed in the images' dtype, on their device and differentiably, so that a loss can pull a
    spectrum (:class:`~tutorial_utils.losses.SpectralLoss`)."""
    bins = radial_bins(*images.shape[-2:])[0].ravel()  # each FFT bin's ring
    count = np.bincount(bins)  # bins per ring
    power = (torch.fft.fft2(images).abs() ** 2).mean(dim=1).flatten(1)  # (N, H·W), over channels
    index = torch.from_numpy(bins).to(power.device)
    ring_sums = power.new_zeros(len(power), len(count)).index_add(1, index, power)
    keep = torch.from_numpy(np.flatnonzero(count)).to(power.device)  # the rings that have bins
    ring_means = ring_sums[:, keep] / torch.from_numpy(count[count > 0]).to(power)
    return torch.log10(ring_means + 1e-12)


@checked(height=int_at_least(1), width=int_at_least(1))
def radial_bins(height: int, width: int) -> tuple[np.ndarray, float]:
    """For each bin of an unshifted (height, width) 2D FFT, the index of its ring (radius in steps of one cycle
    per ``max(height, width)`` pixels, rounded), and that step in cycles per pixel."""
    radius = np.hypot(np.fft.fftfreq(height)[:, None], np.fft.fftfreq(width)[None, :])
    step = 1.0 / max(height, width)
    return np.rint(radius / step).astype(np.int64), step


@checked(**PERIODIC_IMAGES)
def checkerboard_amplitude(images, period: int = 2) -> float:
    """Size of the fixed period-``period`` pattern in the images' own units (not relative, unlike the score).

    The standard deviation of the phase means of the high-passed images, root-mean-square over images and
    channels. Scaling the images by c scales it by |c|; a ±a checkerboard has amplitude 8a/9 away from the
    borders (the 3×3 local mean keeps a ninth of it).
    """
    means = phase_means(high_pass(_cpu64(images)), period).flatten(-2)
    return float(means.var(dim=-1, unbiased=False).mean().sqrt())


# --- generated samples: variety and recognisability --------------------------------------------------------


def _pairs(name: str, value) -> torch.Tensor:
    """Rule: images (N, C, H, W) with N >= 2, so that they pair up."""
    x = as_images(name, value)
    if x.shape[0] < 2:
        raise ValueError(f"{name} must hold at least 2 images to pair, got {x.shape[0]}")
    return x


@checked(images=_pairs)
def mean_pairwise_distance(images) -> float:
    """Mean distance between the images of a batch (N >= 2), over all pairs: the root-mean-square pixel
    difference of each pair. A collapsed generator, whose samples are all alike, scores near 0; compare
    with the same number for real images."""
    x = _cpu64(images).flatten(1)
    d = torch.cdist(x, x) / x.shape[1] ** 0.5
    n = x.shape[0]
    return float(d.sum() / (n * (n - 1)))


def _probabilities(name: str, value) -> torch.Tensor:
    """Rule: a classifier's probabilities (N, classes), or some of their columns: non-negative rows that sum to
    at most 1, as float64."""
    p = as_numbers(name, value, "a tensor or array of shape (N, K)", ndim=2)
    if bool((p < 0).any()) or bool((p.sum(dim=1) > 1 + 1e-4).any()):
        raise ValueError(f"{name} must be non-negative rows that sum to at most 1 (training.predict's output)")
    return p


@checked(probabilities=_probabilities, threshold=float_in(0, 1))
def confident_share(probabilities, threshold: float = 0.8) -> float:
    """The share of rows of ``probabilities`` (N, classes), a classifier's output, whose top class has
    probability at least ``threshold``: how many samples the classifier reads as one class without doubt.

    The columns may be a subset of the classes (rows then sum to less than 1): e.g. the ten digits of a
    classifier that also has a "not a digit" class, so a sample counts only if it is confidently a digit."""
    return float((probabilities.max(dim=1).values >= threshold).double().mean())


# --- audio: tonal artifacts ----------------------------------------------------------------------------------


@checked(period=int_at_least(2), signals=with_period(as_signals), width=int_at_least(1))
def tone_strength(signals, period: int, width: int = 32) -> float:
    """How far the spectral lines at k/``period`` cycles per sample stand above their neighbourhood, in dB.

    The tonal artifacts of a stride-``period`` upsampler (Pons et al. 2021) sit exactly at those frequencies.
    The power spectrum (|rfft|², a rectangular window, so a period-``period`` component falls on single bins)
    is averaged over every signal of the batch (any leading dimensions, time last). For each line k = 1 …
    period // 2 (the lines k and period - k are the same bin of a real signal) the line's power is divided by
    the median power of the ``width`` bins on each side, itself divided by the median that a flat (white)
    spectrum would give for this many averaged periodograms (Gamma-distributed bins), so white noise scores
    about 0 dB and not +1.6 dB. The result is 10·log10 of the mean of these ratios over the lines.
    """
    from scipy.special import gammaincinv

    b, t = signals.shape  # float64 on the CPU, every leading dimension flattened into B
    power = (torch.fft.rfft(signals, dim=-1).abs() ** 2).mean(dim=0)
    spacing = t // period  # bins between neighbouring lines
    half = min(width, spacing // 2 - 1)  # >= 1: T >= 4 period
    flat_median = float(gammaincinv(b, 0.5)) / b  # median of the mean of b unit exponentials
    ratios = []
    for k in range(1, period // 2 + 1):
        line = k * spacing
        around = torch.cat([power[max(line - half, 1) : line], power[line + 1 : line + half + 1]])
        floor = float(around.median()) / flat_median
        ratios.append(float(power[line]) / max(floor, 1e-300))
    return float(10.0 * np.log10(max(sum(ratios) / len(ratios), 1e-30)))
