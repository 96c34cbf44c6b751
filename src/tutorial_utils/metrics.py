"""Numbers for artifacts: the checkerboard score, the phase-energy ratio and the radial power spectrum.

Inputs may live on any device; the numbers are computed on the CPU in float64 (MPS has no float64, and these
are small reductions), so a score does not depend on where the images were made.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import as_float, as_grid, as_images, as_int, as_signals, checked, int_at_least, tensor_of


def _cpu64(x: torch.Tensor) -> torch.Tensor:
    return x.detach().cpu().double()


def _as_matrix(name: str, value) -> torch.Tensor:
    """``value`` (a tensor or array) as a finite, non-empty float64 CPU tensor of shape (N, K)."""
    if not isinstance(value, torch.Tensor):
        try:
            value = torch.as_tensor(np.asarray(value, dtype=np.float64))
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be a tensor or array of shape (N, K), got {type(value).__name__}") from err
    if value.ndim != 2 or value.numel() == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (N, K), got shape {tuple(value.shape)}")
    value = _cpu64(value)
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return value


def high_pass(images: torch.Tensor) -> torch.Tensor:
    """Images minus their 3×3 local mean (edge-replicated): what is left is fine detail and artifacts.

    Computed on the images' own device and dtype (float32 or float64)."""
    x = as_images("images", images)
    n, c, h, w = x.shape
    flat = x.reshape(n * c, 1, h, w)
    local_mean = F.avg_pool2d(F.pad(flat, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return (flat - local_mean).reshape(n, c, h, w)


def phase_means(x: torch.Tensor, period: int) -> torch.Tensor:
    """Mean of x over each of the period×period output phases: (..., H, W) -> (..., period, period)."""
    period = as_int("period", period, 1)
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape (..., H, W), got {type(x).__name__}")
    if x.ndim < 2 or x.numel() == 0:
        raise ValueError(f"x must be a non-empty tensor of shape (..., H, W), got shape {tuple(x.shape)}")
    h, w = x.shape[-2:]
    if h % period or w % period:
        raise ValueError(f"x height and width must be multiples of period={period}, got {h}x{w}")
    return x.reshape(*x.shape[:-2], h // period, period, w // period, period).mean(dim=(-4, -2))


@checked(period=int_at_least(2))
def checkerboard_score(images, period: int = 2) -> float:
    """How much of the images' fine detail is a fixed period-``period`` pattern: 0 natural, ~1 pure pattern.

    High-pass the images, split the residual into the period×period phases, and divide the variance of the
    phase means by the variance of the residual; averaged over images and channels.
    """
    return float(_scores(images, period).mean())


def image_scores(images, period: int = 2) -> torch.Tensor:
    """The checkerboard score of each image on its own (averaged over its channels): (N,) float64, one number per
    image, which is what a one-number detector of generated images thresholds (chapter 10)."""
    return _scores(images, period).mean(dim=1)


def _scores(images, period: int) -> torch.Tensor:
    """Checkerboard scores per image and channel, (N, C) float64 on the CPU."""
    period = as_int("period", period, 2)
    x = _cpu64(as_images("images", images, period))
    r = high_pass(x)
    means = phase_means(r, period).flatten(-2)  # (N, C, period²)
    between = means.var(dim=-1, unbiased=False)
    total = r.flatten(-2).var(dim=-1, unbiased=False)
    return between / total.clamp_min(1e-12)


def fingerprint(images, period: int = 4) -> torch.Tensor:
    """A batch's fixed pattern: the high-passed images averaged over the batch and folded onto one
    period×period tile per channel, (C, period, period). Image content averages away; a grid adds up."""
    period = as_int("period", period, 2)
    x = _cpu64(as_images("images", images, period))
    return phase_means(high_pass(x), period).mean(dim=0).float()


def _as_signal(name: str, x) -> torch.Tensor:
    """A finite, non-empty float64 CPU tensor of shape (..., H, W) from a tensor or an array."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(np.asarray(x, dtype=np.float64))
        except (TypeError, ValueError) as err:
            raise TypeError(f"{name} must be a tensor or array of shape (..., H, W), got {type(x).__name__}") from err
    if x.ndim < 2 or x.numel() == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (..., H, W), got shape {tuple(x.shape)}")
    x = _cpu64(x)
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return x


@checked(period=int_at_least(2))
def phase_energy_ratio(x, period: int = 2) -> float:
    """Max over min of the mean of x² per output phase, for signed data with a random sign (e.g. gradients).

    1.0 means every phase carries the same energy (no pattern). Phases are 2D, over the last two dimensions
    of (..., H, W).
    """
    x = _cpu64(as_grid("x", x, period))
    energy = phase_means(x.square().reshape(-1, *x.shape[-2:]), period).mean(dim=0).flatten()
    _check_every_phase_has_energy("x", energy)
    return float(energy.max() / energy.min())


def _check_every_phase_has_energy(name: str, energy: torch.Tensor) -> None:
    if float(energy.min()) <= 0:
        raise ValueError(f"{name} has a phase with zero energy; the ratio is undefined")


def high_frequency_share(x, cutoff: float = 0.25) -> float:
    """The share of the energy of x (..., H, W) at spatial frequencies above ``cutoff`` cycles per pixel along
    either axis (max(|fy|, |fx|) > cutoff), from the 2D power spectrum summed over everything else.

    0 for a constant, 1 for a checkerboard, and for white noise the share of such frequencies: 1 - (17/32)² ≈
    0.72 on 32×32 at the default cutoff (periods shorter than 4 pixels). Says how fine a signed signal such as
    a gradient is, whether or not its pattern is periodic (:func:`phase_energy_ratio` says that).
    """
    cutoff = as_float("cutoff", cutoff, 0, 0.5, lo_open=True)
    if cutoff == 0.5:  # no frequency of a sampled signal is above half a cycle per pixel
        raise ValueError(f"cutoff must be a number in (0, 0.5) cycles per pixel, got {cutoff!r}")
    x = _as_signal("x", x)
    h, w = x.shape[-2:]
    power = (torch.fft.fft2(x).abs() ** 2).reshape(-1, h, w).sum(dim=0)
    fy = torch.fft.fftfreq(h, dtype=torch.float64).abs()[:, None]
    fx = torch.fft.fftfreq(w, dtype=torch.float64).abs()[None, :]
    high = torch.maximum(fy.expand(h, w), fx.expand(h, w)) > cutoff
    total = float(power.sum())
    if total <= 0:
        raise ValueError("x is all zeros; the share of its energy is undefined")
    return float(power[high].sum()) / total


def radial_power_spectrum(images) -> tuple[np.ndarray, np.ndarray]:
    """Azimuthally averaged power spectrum (Durall et al. 2020), averaged over images and channels.

    Returns (frequencies in cycles per pixel, mean power); radii run to the corner of the spectrum, so a
    period-2 checkerboard shows up at about 0.71 and period-2 stripes at 0.5.
    """
    x = _cpu64(as_images("images", images))
    bins, step = radial_bins(*x.shape[-2:])
    power = (torch.fft.fft2(x).abs() ** 2).mean(dim=(0, 1)).numpy()
    total = np.bincount(bins.ravel(), weights=power.ravel())
    count = np.bincount(bins.ravel())
    keep = count > 0
    return np.arange(len(count))[keep] * step, total[keep] / count[keep]


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
    x = _cpu64(as_images("images", images))
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


def radial_bins(height: int, width: int) -> tuple[np.ndarray, float]:
    """For each bin of an unshifted (height, width) 2D FFT, the index of its ring (radius in steps of one cycle
    per ``max(height, width)`` pixels, rounded), and that step in cycles per pixel."""
    height, width = as_int("height", height, 1), as_int("width", width, 1)
    radius = np.hypot(np.fft.fftfreq(height)[:, None], np.fft.fftfreq(width)[None, :])
    step = 1.0 / max(height, width)
    return np.rint(radius / step).astype(np.int64), step


def checkerboard_amplitude(images, period: int = 2) -> float:
    """Size of the fixed period-``period`` pattern in the images' own units (not relative, unlike the score).

    The standard deviation of the phase means of the high-passed images, root-mean-square over images and
    channels. Scaling the images by c scales it by |c|; a ±a checkerboard has amplitude 8a/9 away from the
    borders (the 3×3 local mean keeps a ninth of it).
    """
    period = as_int("period", period, 2)
    x = _cpu64(as_images("images", images, period))
    means = phase_means(high_pass(x), period).flatten(-2)
    return float(means.var(dim=-1, unbiased=False).mean().sqrt())


# --- generated samples: variety and recognisability --------------------------------------------------------


def mean_pairwise_distance(images) -> float:
    """Mean distance between the images of a batch (N >= 2), over all pairs: the root-mean-square pixel
    difference of each pair. A collapsed generator, whose samples are all alike, scores near 0; compare
    with the same number for real images."""
    x = _cpu64(as_images("images", images)).flatten(1)
    if x.shape[0] < 2:
        raise ValueError(f"images must hold at least 2 images to pair, got {x.shape[0]}")
    d = torch.cdist(x, x) / x.shape[1] ** 0.5
    n = x.shape[0]
    return float(d.sum() / (n * (n - 1)))


def confident_share(probabilities, threshold: float = 0.8) -> float:
    """The share of rows of ``probabilities`` (N, classes), a classifier's output, whose top class has
    probability at least ``threshold``: how many samples the classifier reads as one class without doubt.

    The columns may be a subset of the classes (rows then sum to less than 1): e.g. the ten digits of a
    classifier that also has a "not a digit" class, so a sample counts only if it is confidently a digit."""
    p = _as_matrix("probabilities", probabilities)
    threshold = as_float("threshold", threshold, 0, 1)
    if bool((p < 0).any()) or bool((p.sum(dim=1) > 1 + 1e-4).any()):
        raise ValueError(
            "probabilities must be non-negative rows that sum to at most 1 (a classifier's softmax output)"
        )
    return float((p.max(dim=1).values >= threshold).double().mean())


# --- audio: tonal artifacts ----------------------------------------------------------------------------------


@checked(period=int_at_least(2), width=int_at_least(1))
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

    x = as_signals("signals", signals, period)  # float64 on the CPU, (B, T)
    t = x.shape[-1]
    power = (torch.fft.rfft(x, dim=-1).abs() ** 2).mean(dim=0)
    spacing = t // period  # bins between neighbouring lines
    half = min(width, spacing // 2 - 1)  # >= 1: T >= 4 period
    flat_median = float(gammaincinv(x.shape[0], 0.5)) / x.shape[0]  # median of the mean of N unit exponentials
    ratios = []
    for k in range(1, period // 2 + 1):
        line = k * spacing
        around = torch.cat([power[max(line - half, 1) : line], power[line + 1 : line + half + 1]])
        floor = float(around.median()) / flat_median
        ratios.append(float(power[line]) / max(floor, 1e-300))
    return float(10.0 * np.log10(max(sum(ratios) / len(ratios), 1e-30)))
