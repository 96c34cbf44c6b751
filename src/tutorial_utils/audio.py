"""Sound for chapter 08: test signals synthesised here (tones, chirps, noise, a vowel-like voice; nothing is
downloaded), training pairs for the upsamplers, and spectrograms to look at them.

The upsamplers themselves are in :mod:`~tutorial_utils.upsampling1d`; the players that let a reader hear them are
in :mod:`~tutorial_utils.players`.
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np
import torch

from ._checks import as_array, as_axes, as_float, as_str, check_elements, checked, int_at_least
from .upsampling1d import bandlimited_upsample

_SIZE = int_at_least(1)  # rule: a count, rate or factor >= 1
SAMPLE_RATE = 16_000  # Hz: wide-band speech, the output rate of the chapter's upsamplers
# The vowel /a/: formant centre frequencies and bandwidths (Hz) of a typical adult voice.
VOWEL_FORMANTS = ((730.0, 90.0), (1090.0, 110.0), (2440.0, 160.0))


# --- signals -------------------------------------------------------------------------------------------------


def _seconds(name: str, value) -> float:
    """Rule: a positive, finite number of seconds (returned as given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return value


@checked(duration=_seconds, sample_rate=_SIZE)
def n_samples(duration: float, sample_rate: int = SAMPLE_RATE) -> int:
    """Number of samples in ``duration`` seconds at ``sample_rate`` Hz (at least one)."""
    check_elements(f"duration={duration} s at sample_rate={sample_rate}", float(duration) * sample_rate)
    return max(1, round(float(duration) * sample_rate))


def _times(duration: float, sample_rate: int) -> np.ndarray:
    return np.arange(n_samples(duration, sample_rate)) / sample_rate


def _check_frequency(name: str, value, sample_rate: int, default: float | None = None) -> float:
    """``value`` as a frequency in [0, Nyquist) Hz; None gives ``default`` where there is one."""
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < sample_rate / 2:
        raise ValueError(f"{name} must be a frequency in [0, {sample_rate / 2:g}) Hz (below Nyquist), got {value!r}")
    return float(value)


def _signal(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))


@checked(sample_rate=_SIZE, amplitude=as_float, phase=as_float)
def tone(
    frequency: float, duration: float, sample_rate: int = SAMPLE_RATE, amplitude: float = 0.5, phase: float = 0.0
) -> torch.Tensor:
    """A sine of ``frequency`` Hz, shape (T,)."""
    f = _check_frequency("frequency", frequency, sample_rate)
    return _signal(amplitude * np.sin(2 * np.pi * f * _times(duration, sample_rate) + phase))


def _check_sweep(f0, f1, sample_rate: int) -> tuple[float, float]:
    """Two positive frequencies below Nyquist, the ends of an exponential sweep."""
    f0, f1 = _check_frequency("f0", f0, sample_rate), _check_frequency("f1", f1, sample_rate)
    if f0 <= 0 or f1 <= 0:
        raise ValueError(f"f0 and f1 must be positive for an exponential sweep, got {f0!r} and {f1!r}")
    return f0, f1


@checked(sample_rate=_SIZE, amplitude=as_float)
def chirp(
    f0: float, f1: float, duration: float, sample_rate: int = SAMPLE_RATE, amplitude: float = 0.5
) -> torch.Tensor:
    """A sine whose frequency sweeps exponentially from ``f0`` to ``f1`` Hz (equal time per octave), shape (T,)."""
    f0, f1 = _check_sweep(f0, f1, sample_rate)
    t = _times(duration, sample_rate)
    if f0 == f1:
        return _signal(amplitude * np.sin(2 * np.pi * f0 * t))
    k = math.log(f1 / f0) / (len(t) / sample_rate)
    return _signal(amplitude * np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k))


@checked(rms=functools.partial(as_float, lo=0), seed=int_at_least(0))
def white_noise(duration: float, sample_rate: int = SAMPLE_RATE, rms: float = 0.1, seed: int = 0) -> torch.Tensor:
    """Gaussian white noise with the given root-mean-square level, seeded, shape (T,)."""
    rng = np.random.default_rng(seed)
    return _signal(rms * rng.standard_normal(n_samples(duration, sample_rate)))


@checked(rms=functools.partial(as_float, lo=0), seed=int_at_least(0))
def pink_noise(duration: float, sample_rate: int = SAMPLE_RATE, rms: float = 0.1, seed: int = 0) -> torch.Tensor:
    """Noise whose power falls as 1/f (equal power per octave, -3 dB per octave), seeded, shape (T,).

    White noise shaped in the frequency domain: amplitude times 1/sqrt(f), the DC bin removed, then scaled to
    ``rms``.
    """
    rng = np.random.default_rng(seed)
    t = n_samples(duration, sample_rate)
    spectrum = np.fft.rfft(rng.standard_normal(t))
    f = np.fft.rfftfreq(t)
    spectrum[1:] /= np.sqrt(f[1:] / f[1])
    spectrum[0] = 0.0
    x = np.fft.irfft(spectrum, n=t)
    return _signal(rms * x / max(float(np.sqrt(np.mean(x**2))), 1e-30))


def _pitch(name: str, value) -> tuple[float, float]:
    """Rule: two positive frequencies (start, end) in Hz."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be two positive frequencies (start, end) in Hz, got {value!r}")
    return tuple(as_float(name, p, 0, lo_open=True) for p in value)


def _formants(name: str, value):
    """Rule: a sequence of positive (centre, bandwidth) pairs in Hz (returned as given)."""
    table = as_array(name, value, "a sequence of (centre, bandwidth) pairs in Hz")
    if table.ndim != 2 or table.shape[1] != 2 or not (table > 0).all():
        raise ValueError(f"{name} must be a sequence of positive (centre, bandwidth) pairs in Hz, got {value!r}")
    return value


@checked(sample_rate=_SIZE, pitch=_pitch, amplitude=as_float, formants=_formants, seed=int_at_least(0))
def vowel(
    duration: float,
    sample_rate: int = SAMPLE_RATE,
    pitch: tuple[float, float] = (110.0, 165.0),
    amplitude: float = 0.5,
    max_frequency: float | None = None,
    formants=VOWEL_FORMANTS,
    seed: int = 0,
) -> torch.Tensor:
    """A vowel-like voice, shape (T,): harmonics of a pitch that glides from ``pitch[0]`` to ``pitch[1]`` Hz with
    a seeded 5 Hz vibrato, each weighted by a cascade of resonances at the ``formants`` (centre, bandwidth in Hz)
    and a -6 dB/octave source slope, under a smooth attack and release, scaled so that the harmonic weights at
    the mean pitch sum to ``amplitude`` (about the largest possible peak).

    Only harmonics below ``max_frequency`` (default: 0.45·sample_rate) are summed, so the same call at two
    sample rates with the same ``max_frequency`` samples the same band-limited signal twice.
    """
    top = _check_frequency("max_frequency", max_frequency, sample_rate, default=0.45 * sample_rate)
    (lo, hi), phi = pitch, np.random.default_rng(seed).uniform(0, 2 * np.pi)
    t = _times(duration, sample_rate)
    length = float(duration)
    # f0(t) = (a + b t)(1 + v sin(w t + phi)); its phase 2 pi * integral of f0, in closed form so that every
    # sample rate samples the same signal
    a, b, v, w = lo, (hi - lo) / length, 0.015, 2 * np.pi * 5.0
    f0 = (a + b * t) * (1 + v * np.sin(w * t + phi))
    wobble = -(a + b * t) * np.cos(w * t + phi) / w + b * np.sin(w * t + phi) / w**2
    phase = 2 * np.pi * (a * t + b * t**2 / 2 + v * wobble)
    x = np.zeros_like(t)
    for h in range(1, int(top / (0.98 * min(lo, hi))) + 1):
        fh = h * f0
        weight = _formant_gain(fh, formants) / h
        taper = np.clip((top - fh) / (0.05 * top), 0.0, 1.0)  # fade harmonics out just below max_frequency
        x += weight * taper * np.sin(h * phase)
    ramp = np.clip(np.minimum(t, length - t) / 0.05, 0.0, 1.0)  # 50 ms raised-cosine attack and release
    x *= 0.5 - 0.5 * np.cos(np.pi * ramp)
    # a gain that does not depend on the sample rate: the harmonic weights at the mean pitch, summed
    order = np.arange(1, int(top / ((lo + hi) / 2)) + 1)
    total = float(np.sum(_formant_gain(order * (lo + hi) / 2, formants) / order))
    return _signal(amplitude * x / max(total, 1e-30))


def _formant_gain(frequency: np.ndarray, formants) -> np.ndarray:
    """Magnitude response of a cascade of two-pole resonators (centre, bandwidth in Hz), 1 at DC."""
    gain = np.ones_like(frequency)
    for centre, bandwidth in formants:
        r = frequency / centre
        gain = gain / np.sqrt((1 - r**2) ** 2 + (r * bandwidth / centre) ** 2)
    return gain


def silence(duration: float, sample_rate: int = SAMPLE_RATE) -> torch.Tensor:
    """Zeros, shape (T,): whatever an upsampler outputs for it is its own."""
    return torch.zeros(n_samples(duration, sample_rate))


def _peak(name: str, value) -> float:
    """Rule: a level in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {value!r}")
    return value


@checked(signals=functools.partial(as_array, layout="a tensor or array of samples"), peak=_peak)
def to_unit_range(signals, peak: float = 0.9) -> np.ndarray:
    """Scale a group of signals by ONE common gain so the loudest sample is ``peak``, as a float64 array.

    For ``IPython.display.Audio(..., normalize=False)``, which needs samples in [-1, 1] and otherwise plays
    them as they are: a common gain keeps the loudness of the signals relative to each other audible.
    """
    top = float(np.abs(signals).max()) if signals.size else 0.0
    return signals * (peak / top) if top > 0 else signals


def _samples(name: str, value) -> torch.Tensor:
    """Rule: a tensor or array of finite samples, as a flat float64 tensor."""
    return torch.from_numpy(as_array(name, value, "a 1D tensor or array of samples")).flatten()


def _check_length(signal: torch.Tensor, n_fft: int) -> None:
    """At least one window of ``n_fft`` samples."""
    if signal.numel() < n_fft:
        raise ValueError(f"signal must have at least n_fft={n_fft} samples, got {signal.numel()}")


@checked(signal=_samples, n_fft=int_at_least(2), hop=_SIZE)
def spectrogram(signal, n_fft: int = 512, hop: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Log-magnitude spectrogram in dBFS of a 1D signal with a Hann window: (frequencies in cycles per sample
    (F,), levels (F, frames)).

    Magnitudes are divided by half the window's sum, the peak a sine of amplitude 1 gives, so a full-scale sine
    reads 0 dB (dBFS) at its frequency, one of amplitude 0.5 about -6 dB, whatever ``n_fft``.
    """
    _check_length(signal, n_fft)
    window = torch.hann_window(n_fft, dtype=torch.float64)
    spec = torch.stft(signal, n_fft, hop, window=window, center=False, return_complex=True).abs() / (window.sum() / 2)
    return np.fft.rfftfreq(n_fft), (20 * torch.log10(spec.clamp_min(1e-12))).numpy()


def _check_below(vmin: float, vmax: float) -> None:
    """A colour scale [vmin, vmax] that is not empty."""
    if vmin >= vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin:g} and vmax={vmax:g}")


@checked(ax=as_axes, sample_rate=_SIZE, vmin=as_float, vmax=as_float, title=functools.partial(as_str, optional=True))
def show_spectrogram(
    ax,
    signal,
    sample_rate: int = SAMPLE_RATE,
    vmin: float = -80.0,
    vmax: float = 0.0,
    title: str | None = None,
    n_fft: int = 512,
    hop: int = 128,
):
    """Draw a log-magnitude spectrogram (dBFS, :func:`spectrogram`: a full-scale sine is 0 dB) with time in
    seconds and frequency in kHz on a fixed colour scale [vmin, vmax], so that panels drawn with the same limits
    compare."""
    _check_below(vmin, vmax)
    freqs, mags = spectrogram(signal, n_fft, hop)
    seconds = (mags.shape[1] * hop + n_fft - hop) / sample_rate
    image = ax.imshow(
        mags,
        origin="lower",
        aspect="auto",
        cmap="magma",
        vmin=vmin,
        vmax=vmax,
        extent=(0.0, seconds, 0.0, freqs[-1] * sample_rate / 1000),
        interpolation="nearest",
    )
    if title:
        ax.set_title(title)
    return image


# --- learning to upsample ------------------------------------------------------------------------------------


def _check_size(n: int, t: int, s: int) -> None:
    """Refuse a set of pairs too large to allocate."""
    check_elements(f"n={n} pairs of n_samples_low={t} upsampled by scale_factor={s}", n * t * (s + 1))


@checked(n=_SIZE, n_samples_low=int_at_least(2), sample_rate=int_at_least(2), scale_factor=_SIZE, seed=int_at_least(0))
def synthetic_pairs(
    n: int, n_samples_low: int, sample_rate: int = SAMPLE_RATE // 8, scale_factor: int = 8, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` training pairs (x (n, 1, T) at ``sample_rate``, y (n, 1, s·T) its band-limited upsampling), seeded.

    A third each (in turn) of vowels with a random pitch glide and level, exponential chirps, and pink noise,
    all generated at the low rate; the targets are :func:`bandlimited_upsample` of the inputs.
    """
    _check_size(n, n_samples_low, scale_factor)
    rng, rate = np.random.default_rng(seed), sample_rate
    duration, nyquist = n_samples_low / rate, rate / 2
    signals = []
    for i in range(n):
        child = int(rng.integers(2**31))
        if i % 3 == 0:
            start = rng.uniform(90.0, 250.0)
            pitch = (start, start * rng.uniform(0.7, 1.4))
            x = vowel.__wrapped__(duration, rate, pitch, rng.uniform(0.2, 0.8), 0.9 * nyquist, seed=child)
        elif i % 3 == 1:
            x = chirp.__wrapped__(
                rng.uniform(0.05, 0.2) * nyquist, rng.uniform(0.3, 0.9) * nyquist, duration, rate, rng.uniform(0.1, 0.5)
            )
        else:
            x = pink_noise.__wrapped__(duration, rate, rng.uniform(0.03, 0.2), seed=child)
        signals.append(x[:n_samples_low])
    x = torch.stack(signals)[:, None]
    return x, bandlimited_upsample(x, scale_factor)
