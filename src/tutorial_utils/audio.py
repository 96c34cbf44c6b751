"""Audio: 1D upsamplers (with the folded fast nearest resize-convolution), stacks of them, and test signals.

Pons et al. (2021) asked the article's closing question for audio: a 1D transposed or sub-pixel convolution
adds *tones* (spectral lines at multiples of the output rate over the stride), interpolation followed by a
convolution *filters* instead. Every layer made by :func:`make_upsampler1d` maps (N, Cin, T) to
(N, Cout, s·T). The signals are synthesised here (tones, chirps, noise, a vowel-like voice): nothing is
downloaded.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import runtime
from ._checks import (
    as_array,
    as_axes,
    as_bool,
    as_float,
    as_int,
    as_module,
    as_str,
    as_tensor,
    check_elements,
    checked,
    int_at_least,
    odd_kernels,
)
from .upsampling import ResizeConvBase, _fold

SAMPLE_RATE = 16_000  # Hz: wide-band speech, the output rate of the chapter's upsamplers
KINDS1D = ("deconv", "deconv_uneven", "subpixel", "nearest", "linear")
RESIZE_MODES1D = ("nearest", "linear")
# The vowel /a/: formant centre frequencies and bandwidths (Hz) of a typical adult voice.
VOWEL_FORMANTS = ((730.0, 90.0), (1090.0, 110.0), (2440.0, 160.0))


# --- layers --------------------------------------------------------------------------------------------------


@checked(weight=odd_kernels(3, "(Cout, Cin, k)"), scale_factor=int_at_least(1))
def fold_kernel1d(weight: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """Fold a conv1d weight (Cout, Cin, k) into the ConvTranspose1d weight (Cin, Cout, k + s - 1) that computes
    nearest-resize-by-``scale_factor`` followed by that convolution (stride s, padding (k - 1) / 2).

    The 1D case of :func:`tutorial_utils.upsampling.fold_kernel`: the same fold matrix F, applied on one side.
    """
    return _fold(weight, [scale_factor], 1)


class ResizeConv1d(ResizeConvBase):
    """Resize a signal by ``scale_factor`` (nearest or linear), then a stride-1 "same" convolution of odd size k.

    With ``mode="nearest"`` and ``fast=True`` the layer runs as ONE transposed convolution with the folded
    kernel (:func:`fold_kernel1d`): the parameters stay the k taps per channel pair, the cost is that of a
    ConvTranspose1d with k + s - 1 taps on the short input. Linear resizing clamps at the borders, which no
    transposed convolution reproduces exactly, so ``mode="linear"`` needs ``fast=False``. Input (N, C, T) or
    unbatched (C, T).
    """

    modes = RESIZE_MODES1D
    conv_class = nn.Conv1d
    dims = 1
    conv_transpose = staticmethod(F.conv_transpose1d)


class PixelShuffle1d(nn.Module):
    """The periodic shuffle of sub-pixel convolution in 1D: (N, C·s, T) -> (N, C, s·T), channel c·s + a of
    the input becoming output phase a of channel c (PixelShuffle's channel order)."""

    def __init__(self, scale_factor: int) -> None:
        super().__init__()
        self.scale_factor = as_int("scale_factor", scale_factor, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.scale_factor
        as_tensor("x", x, 3, "(N, C*s, T)")
        if x.shape[1] % s:
            raise ValueError(f"x must have a multiple of scale_factor={s} channels, got shape {tuple(x.shape)}")
        n, cs, t = x.shape
        return x.view(n, cs // s, s, t).transpose(2, 3).reshape(n, cs // s, t * s)

    def extra_repr(self) -> str:
        return f"scale_factor={self.scale_factor}"


def deconv_geometry(kernel_size: int, scale_factor: int) -> tuple[int, int]:
    """(padding, output_padding) that make ConvTranspose1d(kernel_size, stride=scale_factor) map T to s·T.

    The output length is (T - 1)·s + k - 2·padding + output_padding, so 2·padding - output_padding = k - s.
    """
    k, s = as_int("kernel_size", kernel_size, 1), as_int("scale_factor", scale_factor, 1)
    if k < s:
        raise ValueError(f"kernel_size must be >= scale_factor={s} so that every output is painted, got {k}")
    padding = (k - s + 1) // 2
    return padding, 2 * padding - (k - s)


def make_upsampler1d(
    kind: str, in_channels: int, out_channels: int, scale_factor: int = 2, *, bias: bool = True
) -> nn.Module:
    """One ×s upsampling layer of the given kind (see ``KINDS1D``), mapping (N, Cin, T) to (N, Cout, s·T).

    The layers of Pons et al.'s comparison: ``deconv``: ConvTranspose1d with kernel 2s (even overlap);
    ``deconv_uneven``: kernel 2s - 1, not divisible by s (uneven overlap); ``subpixel``: a k3 convolution to
    s·Cout channels and a periodic shuffle; ``nearest`` and ``linear``: resize, then a k9 convolution (nearest
    through the fast folded path). ``bias=False`` drops every bias.
    """
    if kind not in KINDS1D:
        raise ValueError(f"kind must be one of {KINDS1D}, got {kind!r}")
    cin, cout = as_int("in_channels", in_channels, 1), as_int("out_channels", out_channels, 1)
    s = as_int("scale_factor", scale_factor, 2)
    bias = as_bool("bias", bias)
    check_elements(f"in_channels={cin}, out_channels={cout}, scale_factor={s}", cin * cout * max(2 * s, 9))
    if kind in ("deconv", "deconv_uneven"):
        k = 2 * s if kind == "deconv" else 2 * s - 1
        padding, output_padding = deconv_geometry(k, s)
        return nn.ConvTranspose1d(cin, cout, k, stride=s, padding=padding, output_padding=output_padding, bias=bias)
    if kind == "subpixel":
        return nn.Sequential(nn.Conv1d(cin, cout * s, 3, padding=1, bias=bias), PixelShuffle1d(s))
    return ResizeConv1d(cin, cout, 9, s, mode=kind, fast=kind == "nearest", bias=bias)


class UpsamplerStack(nn.Module):
    """Stages of one upsampler kind, Pons et al.'s random-initialisation experiment: (N, 1, T) -> (N, 1, s^n·T).

    The first stage maps one channel to ``channels``, the last back to one; a ReLU follows every stage but the
    last when ``relu`` is true. ``bias=False`` removes every bias, ``relu=False`` makes the stack linear.
    """

    def __init__(
        self,
        kind: str,
        n_stages: int = 3,
        channels: int = 32,
        scale_factor: int = 2,
        bias: bool = True,
        relu: bool = True,
    ) -> None:
        super().__init__()
        n = as_int("n_stages", n_stages, 1)
        width = as_int("channels", channels, 1)
        relu = as_bool("relu", relu)
        self.kind, self.scale_factor, self.n_stages = kind, as_int("scale_factor", scale_factor, 2), n
        widths = [1] + [width] * (n - 1) + [1]
        layers: list[nn.Module] = []
        for i in range(n):
            layers.append(make_upsampler1d(kind, widths[i], widths[i + 1], scale_factor, bias=bias))
            if relu and i < n - 1:
                layers.append(nn.ReLU())
        self.layers = nn.Sequential(*layers)

    @property
    def period(self) -> int:
        """The total stride s^n: the output's tonal artifacts sit at multiples of 1/period cycles per sample."""
        return self.scale_factor**self.n_stages

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[1] != 1:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of mono signals (N, 1, T), got {shape}")
        return self.layers(x)


# --- the filtering view of interpolation ---------------------------------------------------------------------


def interpolation_kernel(mode: str, scale_factor: int = 2, n_stages: int = 1) -> torch.Tensor:
    """The filter h with interpolate(x)[m] = sum_j x[j] h[m - S·j + offset] (S = scale_factor^n_stages) for
    ``n_stages`` resizes in a row: what resizing does to a signal stretched by inserting S - 1 zeros between its
    samples, read off the response to an impulse.

    ``nearest`` gives a box of S ones; ``linear`` (PyTorch's half-sample alignment) a sampled triangle.
    """
    if mode not in RESIZE_MODES1D:
        raise ValueError(f"mode must be one of {RESIZE_MODES1D}, got {mode!r}")
    s, n = as_int("scale_factor", scale_factor, 1), as_int("n_stages", n_stages, 1)
    response = torch.zeros(1, 1, 17, dtype=torch.float64)
    response[..., 8] = 1.0
    kwargs = {} if mode == "nearest" else {"align_corners": False}
    for _ in range(n):
        response = F.interpolate(response, scale_factor=s, mode=mode, **kwargs)
    nonzero = torch.nonzero(response[0, 0].abs() > 1e-12).flatten()
    return response[0, 0, int(nonzero[0]) : int(nonzero[-1]) + 1]


def frequency_response(kernel, frequencies) -> np.ndarray:
    """|H(f)| of a filter at ``frequencies`` in cycles per sample, divided by its DC gain (so H(0) = 1)."""
    h = np.asarray(kernel.detach().cpu() if isinstance(kernel, torch.Tensor) else kernel, dtype=np.float64)
    if h.ndim != 1 or h.size == 0 or h.sum() == 0:
        raise ValueError(f"kernel must be a non-empty 1D filter with a non-zero sum, got shape {h.shape}")
    f = as_array("frequencies", frequencies, "frequencies in cycles per sample (a number or an array)")
    taps = np.arange(h.size)
    return np.abs(np.exp(-2j * np.pi * np.multiply.outer(f, taps)) @ h) / abs(h.sum())


# --- signals -------------------------------------------------------------------------------------------------


def n_samples(duration: float, sample_rate: int = SAMPLE_RATE) -> int:
    """Number of samples in ``duration`` seconds at ``sample_rate`` Hz (at least one)."""
    rate = as_int("sample_rate", sample_rate, 1)
    if isinstance(duration, bool) or not isinstance(duration, numbers.Real) or not duration > 0:
        raise ValueError(f"duration must be a positive number of seconds, got {duration!r}")
    n = float(duration) * rate
    check_elements(f"duration={duration} s at sample_rate={rate}", n if math.isfinite(n) else math.inf)
    return max(1, round(n))


def _times(duration: float, sample_rate: int) -> np.ndarray:
    return np.arange(n_samples(duration, sample_rate)) / sample_rate


def _check_frequency(name: str, value, sample_rate: int) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < sample_rate / 2:
        raise ValueError(f"{name} must be a frequency in [0, {sample_rate / 2:g}) Hz (below Nyquist), got {value!r}")
    return float(value)


def _signal(values: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))


def tone(
    frequency: float, duration: float, sample_rate: int = SAMPLE_RATE, amplitude: float = 0.5, phase: float = 0.0
) -> torch.Tensor:
    """A sine of ``frequency`` Hz, shape (T,)."""
    f = _check_frequency("frequency", frequency, as_int("sample_rate", sample_rate, 1))
    amplitude, phase = as_float("amplitude", amplitude), as_float("phase", phase)
    return _signal(amplitude * np.sin(2 * np.pi * f * _times(duration, sample_rate) + phase))


def chirp(
    f0: float, f1: float, duration: float, sample_rate: int = SAMPLE_RATE, amplitude: float = 0.5
) -> torch.Tensor:
    """A sine whose frequency sweeps exponentially from ``f0`` to ``f1`` Hz (equal time per octave), shape (T,)."""
    rate = as_int("sample_rate", sample_rate, 1)
    f0, f1 = _check_frequency("f0", f0, rate), _check_frequency("f1", f1, rate)
    amplitude = as_float("amplitude", amplitude)
    if f0 <= 0 or f1 <= 0:
        raise ValueError(f"f0 and f1 must be positive for an exponential sweep, got {f0!r} and {f1!r}")
    t = _times(duration, rate)
    length = n_samples(duration, rate) / rate
    if f0 == f1:
        return _signal(amplitude * np.sin(2 * np.pi * f0 * t))
    k = math.log(f1 / f0) / length
    return _signal(amplitude * np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k))


def white_noise(duration: float, sample_rate: int = SAMPLE_RATE, rms: float = 0.1, seed: int = 0) -> torch.Tensor:
    """Gaussian white noise with the given root-mean-square level, seeded, shape (T,)."""
    rms = as_float("rms", rms, 0)
    rng = np.random.default_rng(as_int("seed", seed, 0))
    return _signal(rms * rng.standard_normal(n_samples(duration, sample_rate)))


def pink_noise(duration: float, sample_rate: int = SAMPLE_RATE, rms: float = 0.1, seed: int = 0) -> torch.Tensor:
    """Noise whose power falls as 1/f (equal power per octave, -3 dB per octave), seeded, shape (T,).

    White noise shaped in the frequency domain: amplitude times 1/sqrt(f), the DC bin removed, then scaled to
    ``rms``.
    """
    rms = as_float("rms", rms, 0)
    rng = np.random.default_rng(as_int("seed", seed, 0))
    t = n_samples(duration, sample_rate)
    spectrum = np.fft.rfft(rng.standard_normal(t))
    f = np.fft.rfftfreq(t)
    spectrum[1:] /= np.sqrt(f[1:] / f[1])
    spectrum[0] = 0.0
    x = np.fft.irfft(spectrum, n=t)
    return _signal(rms * x / max(float(np.sqrt(np.mean(x**2))), 1e-30))


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
    rate = as_int("sample_rate", sample_rate, 1)
    top = 0.45 * rate if max_frequency is None else _check_frequency("max_frequency", max_frequency, rate)
    if not isinstance(pitch, (tuple, list)) or len(pitch) != 2:
        raise ValueError(f"pitch must be two positive frequencies (start, end) in Hz, got {pitch!r}")
    lo, hi = (as_float("pitch", p, 0, lo_open=True) for p in pitch)
    amplitude = as_float("amplitude", amplitude)
    table = as_array("formants", formants, "a sequence of (centre, bandwidth) pairs in Hz")
    if table.ndim != 2 or table.shape[1] != 2 or not (table > 0).all():
        raise ValueError(f"formants must be a sequence of positive (centre, bandwidth) pairs in Hz, got {formants!r}")
    rng = np.random.default_rng(as_int("seed", seed, 0))
    phi = rng.uniform(0, 2 * np.pi)
    t = _times(duration, rate)
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


def bandlimited_upsample(signals: torch.Tensor, scale_factor: int) -> torch.Tensor:
    """The ideal (periodic sinc) interpolation of (..., T) signals to (..., s·T): zero-pad the spectrum.

    Every s-th output sample is the input sample; nothing is added above the input's Nyquist frequency.
    """
    s = as_int("scale_factor", scale_factor, 1)
    if not isinstance(signals, torch.Tensor) or signals.ndim < 1 or signals.shape[-1] < 2:
        raise ValueError(f"signals must be a tensor (..., T) with T >= 2, got {getattr(signals, 'shape', signals)!r}")
    t = signals.shape[-1]
    spectrum = torch.fft.rfft(signals, dim=-1)
    if t % 2 == 0:  # the Nyquist bin becomes an ordinary bin, counted twice by irfft: halve it
        spectrum[..., -1] = spectrum[..., -1] / 2
    return torch.fft.irfft(spectrum * s, n=s * t, dim=-1)


def to_unit_range(signals, peak: float = 0.9) -> np.ndarray:
    """Scale a group of signals by ONE common gain so the loudest sample is ``peak``, as a float64 array.

    For ``IPython.display.Audio(..., normalize=False)``, which needs samples in [-1, 1] and otherwise plays
    them as they are: a common gain keeps the loudness of the signals relative to each other audible.
    """
    if isinstance(peak, bool) or not isinstance(peak, numbers.Real) or not 0 < peak <= 1:
        raise ValueError(f"peak must be in (0, 1], got {peak!r}")
    x = as_array("signals", signals, "a tensor or array of samples")
    top = float(np.abs(x).max()) if x.size else 0.0
    return x * (peak / top) if top > 0 else x


def spectrogram(signal, n_fft: int = 512, hop: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Log-magnitude spectrogram in dBFS of a 1D signal with a Hann window: (frequencies in cycles per sample
    (F,), levels (F, frames)).

    Magnitudes are divided by half the window's sum, the peak a sine of amplitude 1 gives, so a full-scale sine
    reads 0 dB (dBFS) at its frequency, one of amplitude 0.5 about -6 dB, whatever ``n_fft``.
    """
    x = torch.from_numpy(as_array("signal", signal, "a 1D tensor or array of samples")).flatten()
    n_fft, hop = as_int("n_fft", n_fft, 2), as_int("hop", hop, 1)
    if x.numel() < n_fft:
        raise ValueError(f"signal must have at least n_fft={n_fft} samples, got {x.numel()}")
    window = torch.hann_window(n_fft, dtype=torch.float64)
    spec = torch.stft(x, n_fft, hop, window=window, center=False, return_complex=True).abs() / (window.sum() / 2)
    return np.fft.rfftfreq(n_fft), (20 * torch.log10(spec.clamp_min(1e-12))).numpy()


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
    as_axes("ax", ax)
    vmin, vmax = as_float("vmin", vmin), as_float("vmax", vmax)
    if vmin >= vmax:
        raise ValueError(f"vmin must be below vmax, got vmin={vmin:g} and vmax={vmax:g}")
    as_str("title", title, optional=True)
    freqs, mags = spectrogram(signal, n_fft, hop)
    rate = as_int("sample_rate", sample_rate, 1)
    seconds = (mags.shape[1] * hop + n_fft - hop) / rate
    image = ax.imshow(
        mags,
        origin="lower",
        aspect="auto",
        cmap="magma",
        vmin=vmin,
        vmax=vmax,
        extent=(0.0, seconds, 0.0, freqs[-1] * rate / 1000),
        interpolation="nearest",
    )
    if title:
        ax.set_title(title)
    return image


def players(rows, header, sample_rate: int = SAMPLE_RATE):
    """A table of audio players, one row per label: ``rows`` is a list of (label, [signal, ...]).

    Each signal becomes ``IPython.display.Audio(signal, rate=sample_rate, normalize=False)``: played at the
    level it has, so every sample must already lie in [-1, 1] (scale with :func:`to_unit_range`).
    """
    from html import escape

    from IPython.display import HTML, Audio

    rate = as_int("sample_rate", sample_rate, 1)
    if isinstance(header, str) or not isinstance(header, (tuple, list)):
        raise TypeError(f"header must be a list of column names, got {type(header).__name__} {header!r}")
    if not isinstance(rows, (tuple, list)) or not all(isinstance(r, (tuple, list)) and len(r) == 2 for r in rows):
        raise TypeError(f"rows must be a list of (label, [signal, ...]) pairs, got {rows!r:.80}")
    body = []
    for label, signals in rows:
        cells = [f"<td>{escape(str(label))}</td>"]
        for signal in signals:
            x = np.asarray(signal.detach().cpu() if isinstance(signal, torch.Tensor) else signal, dtype=np.float64)
            x = x.ravel()
            if x.size == 0 or not np.isfinite(x).all() or np.abs(x).max() > 1:
                top = float(np.abs(x).max()) if x.size else float("nan")
                raise ValueError(
                    f"signals must be non-empty and lie in [-1, 1] (normalize=False), got {label!r} "
                    f"with peak {top:.3g}: scale it with to_unit_range"
                )
            cells.append(f"<td>{Audio(x, rate=rate, normalize=False)._repr_html_()}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


# --- learning to upsample ------------------------------------------------------------------------------------


def synthetic_pairs(
    n: int, n_samples_low: int, sample_rate: int = SAMPLE_RATE // 8, scale_factor: int = 8, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` training pairs (x (n, 1, T) at ``sample_rate``, y (n, 1, s·T) its band-limited upsampling), seeded.

    A third each (in turn) of vowels with a random pitch glide and level, exponential chirps, and pink noise,
    all generated at the low rate; the targets are :func:`bandlimited_upsample` of the inputs.
    """
    n, t = as_int("n", n, 1), as_int("n_samples_low", n_samples_low, 2)
    rate, s = as_int("sample_rate", sample_rate, 2), as_int("scale_factor", scale_factor, 1)
    check_elements(f"n={n} pairs of n_samples_low={t} upsampled by scale_factor={s}", n * t * (s + 1))
    rng = np.random.default_rng(as_int("seed", seed, 0))
    duration, nyquist = t / rate, rate / 2
    signals = []
    for i in range(n):
        child = int(rng.integers(2**31))
        if i % 3 == 0:
            start = rng.uniform(90.0, 250.0)
            pitch = (start, start * rng.uniform(0.7, 1.4))
            x = vowel(duration, rate, pitch, rng.uniform(0.2, 0.8), 0.9 * nyquist, seed=child)
        elif i % 3 == 1:
            x = chirp(
                rng.uniform(0.05, 0.2) * nyquist, rng.uniform(0.3, 0.9) * nyquist, duration, rate, rng.uniform(0.1, 0.5)
            )
        else:
            x = pink_noise(duration, rate, rng.uniform(0.03, 0.2), seed=child)
        signals.append(x[:t])
    x = torch.stack(signals)[:, None]
    return x, bandlimited_upsample(x, s)


def fit_upsampler(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    steps: int,
    batch_size: int = 16,
    lr: float = 2e-3,
    margin: int = 64,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` to map ``inputs`` to ``targets`` (mean squared error, ``margin`` output samples at each
    border left out, Adam) on random minibatches; returns the loss of every step. Shows a progress bar."""

    steps, batch_size = as_int("steps", steps, 1), as_int("batch_size", batch_size, 1)
    margin = as_int("margin", margin, 0)
    as_module("model", model)
    as_tensor("inputs", inputs, 3, "(N, C, T)")
    as_tensor("targets", targets, 3, "(N, C, s*T)")
    lr = as_float("lr", lr, 0, lo_open=True)
    if inputs.ndim != 3 or targets.ndim != 3 or inputs.shape[0] != targets.shape[0]:
        raise ValueError(
            f"inputs and targets must be (N, C, T) batches of equal N, got shapes "
            f"{tuple(inputs.shape)} and {tuple(targets.shape)}"
        )
    if targets.shape[-1] <= 2 * margin:
        raise ValueError(f"margin must leave samples: 2 * margin < {targets.shape[-1]}, got margin={margin}")
    device = next(model.parameters()).device
    inputs, targets = inputs.to(device), targets.to(device)
    gen = torch.Generator().manual_seed(as_int("seed", seed, 0))
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    keep = slice(margin, targets.shape[-1] - margin)
    losses = []
    for _ in runtime.progress(range(steps), f"fitting {getattr(model, 'kind', type(model).__name__)}"):
        idx = torch.randint(0, inputs.shape[0], (batch_size,), generator=gen).to(device)
        loss = (model(inputs[idx]) - targets[idx])[..., keep].pow(2).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    return losses
