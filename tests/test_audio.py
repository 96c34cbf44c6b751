"""Audio: the folded 1D resize-convolution equals the naive one, every 1D upsampler kind maps T to s·T, the
signal generators make what they say, and ``metrics.tone_strength`` reads 0 dB on white noise and the
predicted level for a line of known power."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_checks import assert_fast_equals_slow, assert_fold_follows_the_weight

from tutorial_utils import audio, balance, metrics, training, upsampling1d
from tutorial_utils.upsampling1d import KINDS1D, ResizeConv1d, fold_kernel1d, make_upsampler1d

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True)


# --- layers --------------------------------------------------------------------------------------------------


@SETTINGS
@given(
    k=st.sampled_from([1, 3, 5, 9]),
    s=st.integers(1, 4),
    t=st.integers(1, 20),
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
    n=st.integers(1, 2),
    bias=st.booleans(),
    dtype=st.sampled_from([torch.float32, torch.float64]),
    seed=st.integers(0, 2**16),
)
def test_fast_resize_conv1d_equals_naive_forward_and_gradients(k, s, t, cin, cout, n, bias, dtype, seed):
    torch.manual_seed(seed)
    fast = ResizeConv1d(cin, cout, k, s, mode="nearest", fast=True, bias=bias).to(dtype)
    slow = ResizeConv1d(cin, cout, k, s, mode="nearest", fast=False, bias=bias).to(dtype)
    slow.load_state_dict(fast.state_dict())
    x = torch.randn(n, cin, t, dtype=dtype)
    assert_fast_equals_slow(fast, slow, x, (n, cout, s * t))


def test_the_1d_fold_is_no_buffer_and_follows_the_weight(monkeypatch):
    torch.manual_seed(0)
    fast, slow = (ResizeConv1d(3, 2, 5, 3, mode="nearest", fast=f) for f in (True, False))
    slow.load_state_dict(fast.state_dict())
    assert_fold_follows_the_weight(fast, slow, torch.randn(2, 3, 11), monkeypatch)


def test_fold_kernel1d_k3_s2_and_balance():
    a, b, c = 0.3, 1.0, 0.6
    w = torch.tensor([[[a, b, c]]], dtype=torch.float64)
    folded = fold_kernel1d(w, 2)
    assert folded.shape == (1, 1, 4)
    assert torch.allclose(folded[0, 0], torch.tensor([c, b + c, a + b, a], dtype=torch.float64))
    # the folded kernel is balanced: every output phase sums to a + b + c, so a constant stays constant
    assert torch.allclose(balance.phase_sums(folded[0, 0], 2), torch.full((2,), a + b + c, dtype=torch.float64))
    with pytest.raises(ValueError, match="weight"):
        fold_kernel1d(torch.randn(2, 2), 2)
    with pytest.raises(TypeError, match="weight"):
        fold_kernel1d([1.0, 2.0], 2)


@pytest.mark.parametrize("kind", KINDS1D)
@pytest.mark.parametrize("s", [2, 3, 4])
@pytest.mark.parametrize("t", [1, 5, 8])
def test_every_kind_maps_t_to_s_t(kind, s, t):
    torch.manual_seed(0)
    layer = make_upsampler1d(kind, 3, 2, s)
    assert layer(torch.randn(2, 3, t)).shape == (2, 2, s * t)


def test_kinds_have_the_documented_kernels_and_biases():
    deconv, uneven = make_upsampler1d("deconv", 4, 5, 3), make_upsampler1d("deconv_uneven", 4, 5, 3)
    assert deconv.kernel_size == (6,) and deconv.stride == (3,) and 6 % 3 == 0
    assert uneven.kernel_size == (5,) and 5 % 3 != 0
    sub = make_upsampler1d("subpixel", 4, 5, 3)
    assert sub[0].out_channels == 15 and sub[0].kernel_size == (3,)
    near, lin = make_upsampler1d("nearest", 4, 5), make_upsampler1d("linear", 4, 5)
    assert near.fast and not lin.fast and near.conv.kernel_size == (9,) == lin.conv.kernel_size
    for kind in KINDS1D:
        params = dict(make_upsampler1d(kind, 4, 5, bias=False).named_parameters())
        assert not any("bias" in name for name in params), kind


@pytest.mark.parametrize("k,s", [(4, 2), (3, 2), (6, 3), (5, 3), (8, 4), (7, 4), (9, 4), (2, 2)])
def test_deconv_geometry_gives_s_times_t(k, s):
    padding, output_padding = upsampling1d.deconv_geometry(k, s)
    assert 0 <= output_padding < s and padding >= 0
    for t in (1, 4, 7):
        y = F.conv_transpose1d(
            torch.ones(1, 1, t), torch.ones(1, 1, k), stride=s, padding=padding, output_padding=output_padding
        )
        assert y.shape[-1] == s * t
    with pytest.raises(ValueError, match="kernel_size"):
        upsampling1d.deconv_geometry(1, 2)


def test_pixel_shuffle1d_reads_channel_c_s_plus_a_into_phase_a():
    x = torch.randn(2, 6, 5)
    y = upsampling1d.PixelShuffle1d(3)(x)
    assert y.shape == (2, 2, 15)
    for c in range(2):
        for a in range(3):
            assert torch.equal(y[:, c, a::3], x[:, c * 3 + a])


def test_a_constant_stays_constant_through_resizing_but_not_through_a_transposed_convolution():
    """The 1D balance condition: the folded kernel's phase sums are equal, a random deconv kernel's are not."""
    torch.manual_seed(0)
    ones = torch.ones(1, 1, 32, dtype=torch.float64)
    for kind in ("nearest", "linear"):
        layer = make_upsampler1d(kind, 1, 1, 2, bias=False).double()
        interior = layer(ones)[0, 0, 8:-8]
        assert torch.allclose(interior, interior[0].expand_as(interior), atol=1e-12), kind
    deconv = make_upsampler1d("deconv", 1, 1, 2, bias=False).double()
    interior = deconv(ones)[0, 0, 8:-8]
    for phase in (0, 1):
        assert torch.allclose(interior[phase::2], interior[phase].expand(interior[phase::2].shape))
    sums = balance.phase_sums(deconv.weight.detach()[0, 0], 2)
    assert sorted(interior[:2].tolist()) == pytest.approx(sorted(sums.tolist()))
    assert abs(float(sums[0] - sums[1])) > 1e-3  # a random kernel is not balanced
    sub = make_upsampler1d("subpixel", 1, 1, 2).double()  # the bias alone paints a period-2 pattern
    with torch.no_grad():
        sub[0].weight.zero_()
    out = sub(torch.zeros(1, 1, 8, dtype=torch.float64))[0, 0]
    assert torch.allclose(out[0::2], sub[0].bias[0].expand(8)) and torch.allclose(out[1::2], sub[0].bias[1].expand(8))


def test_upsampler_stack_shapes_linearity_and_errors():
    torch.manual_seed(0)
    stack = upsampling1d.UpsamplerStack("deconv", n_stages=3, channels=4, relu=False, bias=False).double()
    assert stack.period == 8
    x, y = torch.randn(2, 1, 10, dtype=torch.float64), torch.randn(2, 1, 10, dtype=torch.float64)
    assert stack(x).shape == (2, 1, 80)
    assert torch.allclose(stack(2 * x - 3 * y), 2 * stack(x) - 3 * stack(y), atol=1e-10)  # no bias, no ReLU
    assert sum(isinstance(m, torch.nn.ReLU) for m in upsampling1d.UpsamplerStack("nearest").modules()) == 2
    assert upsampling1d.UpsamplerStack("subpixel", n_stages=2, scale_factor=3).period == 9
    with pytest.raises(ValueError, match=r"\(N, 1, T\)"):
        stack(torch.randn(2, 10, dtype=torch.float64))
    with pytest.raises(ValueError, match="kind.*'deconv9'"):
        upsampling1d.UpsamplerStack("deconv9")


def test_errors_name_the_bad_argument():
    with pytest.raises(ValueError, match="kind.*'bicubic'"):
        make_upsampler1d("bicubic", 1, 1)
    with pytest.raises(ValueError, match="scale_factor"):
        make_upsampler1d("deconv", 1, 1, 1)
    with pytest.raises(TypeError, match="scale_factor"):
        make_upsampler1d("deconv", 1, 1, 2.0)
    with pytest.raises(ValueError, match="in_channels"):
        make_upsampler1d("nearest", 0, 1)
    with pytest.raises(ValueError, match="fast=True.*linear"):
        ResizeConv1d(1, 1, mode="linear", fast=True)
    with pytest.raises(ValueError, match="kernel_size.*4"):
        ResizeConv1d(1, 1, kernel_size=4)
    with pytest.raises(ValueError, match="mode.*'cubic'"):
        ResizeConv1d(1, 1, mode="cubic", fast=False)


# --- the filtering view --------------------------------------------------------------------------------------


def test_interpolation_kernels_and_their_responses():
    assert torch.equal(upsampling1d.interpolation_kernel("nearest", 3), torch.ones(3, dtype=torch.float64))
    assert torch.allclose(
        upsampling1d.interpolation_kernel("linear", 2), torch.tensor([1, 3, 3, 1], dtype=torch.float64) / 4
    )
    f = np.linspace(0, 0.5, 11)
    near = upsampling1d.frequency_response(upsampling1d.interpolation_kernel("nearest", 2), f)
    lin = upsampling1d.frequency_response(upsampling1d.interpolation_kernel("linear", 2), f)
    assert np.allclose(near, np.abs(np.cos(np.pi * f)))  # a box of 2: the discrete sinc
    assert np.allclose(lin, np.abs(np.cos(np.pi * f)) ** 3)  # [1, 3, 3, 1] / 4 = box * box * box / 4
    # nearest by 8 is three nearest-by-2 stages: a box of 8, zero at every k/8
    box8 = upsampling1d.interpolation_kernel("nearest", 8)
    assert np.allclose(upsampling1d.frequency_response(box8, np.arange(1, 5) / 8), 0, atol=1e-12)
    cascade = upsampling1d.interpolation_kernel("linear", 2, n_stages=3)
    assert cascade.shape[0] == 22 and float(cascade.sum()) == pytest.approx(8.0)
    assert np.allclose(upsampling1d.frequency_response(cascade, np.arange(1, 5) / 8), 0, atol=1e-12)
    with pytest.raises(ValueError, match="kernel"):
        upsampling1d.frequency_response([1.0, -1.0], f)


@pytest.mark.parametrize("mode", ["nearest", "linear"])
@pytest.mark.parametrize("s", [2, 3, 4])
def test_interpolation_is_zero_insertion_then_the_kernel(mode, s):
    """Away from the borders, interpolate(x) equals conv_transpose1d(x, h) with h the kernel read off here."""
    torch.manual_seed(0)
    x = torch.randn(1, 1, 20, dtype=torch.float64)
    h = upsampling1d.interpolation_kernel(mode, s)
    kwargs = {} if mode == "nearest" else {"align_corners": False}
    want = F.interpolate(x, scale_factor=s, mode=mode, **kwargs)[0, 0]
    got = F.conv_transpose1d(x, h.view(1, 1, -1), stride=s)[0, 0]  # got[m] = sum_j x[j] h[m - s j]
    inner = slice(3 * s, 15 * s)
    shifts = [d for d in range(h.numel()) if torch.allclose(got[d + 3 * s : d + 15 * s], want[inner])]
    assert len(shifts) == 1


# --- signals -------------------------------------------------------------------------------------------------


def peak_frequency(x: torch.Tensor, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x.numpy().astype(np.float64)))
    return float(np.fft.rfftfreq(x.numel(), 1 / rate)[np.argmax(spectrum)])


def test_tone_and_chirp_frequencies():
    x = audio.tone(440.0, 1.0)
    assert x.shape == (16000,) and x.dtype == torch.float32
    assert peak_frequency(x, 16000) == pytest.approx(440.0, abs=1.0)
    assert float(x.abs().max()) == pytest.approx(0.5, abs=1e-3)
    sweep = audio.chirp(200.0, 3200.0, 1.0)
    assert peak_frequency(sweep[:1600], 16000) == pytest.approx(200 * 2 ** (4 * 0.05), rel=0.15)
    assert peak_frequency(sweep[-1600:], 16000) == pytest.approx(200 * 2 ** (4 * 0.95), rel=0.15)
    with pytest.raises(ValueError, match="frequency"):
        audio.tone(9000.0, 1.0)
    with pytest.raises(ValueError, match="duration"):
        audio.tone(100.0, 0.0)
    with pytest.raises(ValueError, match="f0"):
        audio.chirp(0.0, 100.0, 1.0)


def test_noises_are_seeded_and_shaped():
    a, b = audio.white_noise(1.0, seed=3), audio.white_noise(1.0, seed=3)
    assert torch.equal(a, b) and not torch.equal(a, audio.white_noise(1.0, seed=4))
    assert float(a.pow(2).mean().sqrt()) == pytest.approx(0.1, rel=0.03)
    pink = audio.pink_noise(4.0, seed=1).double()
    assert float(pink.pow(2).mean().sqrt()) == pytest.approx(0.1, rel=1e-4)
    power = np.abs(np.fft.rfft(pink.numpy())) ** 2
    freqs = np.fft.rfftfreq(pink.numel(), 1 / 16000)
    band = (freqs > 20) & (freqs < 7000)
    slope = np.polyfit(np.log10(freqs[band]), np.log10(power[band]), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.1)  # power ∝ 1/f
    assert torch.equal(audio.silence(0.5), torch.zeros(8000))


def test_vowel_is_the_same_band_limited_signal_at_every_rate():
    low = audio.vowel(0.5, 2000, max_frequency=900.0, seed=2)
    high = audio.vowel(0.5, 16000, max_frequency=900.0, seed=2)
    assert low.shape == (1000,) and high.shape == (8000,)
    assert torch.allclose(high[::8], low, atol=1e-6)
    spectrum = np.abs(np.fft.rfft(high.numpy().astype(np.float64) * np.hanning(8000))) ** 2
    freqs = np.fft.rfftfreq(8000, 1 / 16000)
    assert spectrum[freqs > 1000].sum() < 1e-6 * spectrum.sum()
    assert 0.05 < float(high.abs().max()) <= 0.5
    # the pitch glides from 110 to 165 Hz: the fundamental of the first and last 0.15 s
    assert peak_frequency(audio.vowel(1.0, 16000, max_frequency=200.0)[800:3200], 16000) == pytest.approx(118, abs=8)
    assert not torch.equal(audio.vowel(0.5, seed=1), audio.vowel(0.5, seed=2))
    with pytest.raises(ValueError, match="pitch"):
        audio.vowel(0.5, pitch=(0.0, 100.0))


def test_bandlimited_upsample_keeps_samples_and_adds_nothing_above_nyquist():
    torch.manual_seed(0)
    for t in (64, 65):
        x = torch.randn(3, 1, t, dtype=torch.float64)
        y = upsampling1d.bandlimited_upsample(x, 4)
        assert y.shape == (3, 1, 4 * t)
        assert torch.allclose(y[..., ::4], x, atol=1e-12)
        spectrum = torch.fft.rfft(y, dim=-1).abs()
        assert float(spectrum[..., t // 2 + 1 :].max()) < 1e-9 * float(spectrum.max())
    # a tone with a whole number of cycles is upsampled exactly
    tone_low = audio.tone(125.0, 0.064, 2000).double()
    tone_high = audio.tone(125.0, 0.064, 16000).double()
    assert torch.allclose(upsampling1d.bandlimited_upsample(tone_low, 8), tone_high, atol=1e-6)


def test_to_unit_range_uses_one_gain():
    x = torch.tensor([[0.5, -2.0], [0.1, 0.2]])
    y = audio.to_unit_range(x, peak=0.8)
    assert y.dtype == np.float64 and np.abs(y).max() == pytest.approx(0.8)
    assert y[0, 0] / y[1, 0] == pytest.approx(5.0)
    assert np.array_equal(audio.to_unit_range(np.zeros(4)), np.zeros(4))
    with pytest.raises(ValueError, match="peak"):
        audio.to_unit_range(x, peak=1.5)


def test_spectrogram_finds_a_tone():
    freqs, mags = audio.spectrogram(audio.tone(2000.0, 0.5), n_fft=256, hop=64)
    assert mags.shape == (129, (8000 - 256) // 64 + 1)
    assert freqs[np.argmax(mags.mean(axis=1))] == pytest.approx(2000 / 16000)
    with pytest.raises(ValueError, match="n_fft"):
        audio.spectrogram(torch.zeros(100), n_fft=256)


@pytest.mark.parametrize("n_fft", [64, 256, 512])
def test_spectrogram_reads_dbfs(n_fft):
    """A full-scale sine reads 0 dB at its frequency, half scale -6.02 dB, for any n_fft: at a bin centre exactly,
    between two bins within the Hann window's scalloping loss (1.42 dB)."""
    on_bin = 16000 * 8 / n_fft  # bin 8
    for amplitude, level in ((1.0, 0.0), (0.5, 20 * np.log10(0.5))):
        _, mags = audio.spectrogram(audio.tone(on_bin, 0.25, amplitude=amplitude), n_fft=n_fft, hop=n_fft // 4)
        assert np.abs(mags[8] - level).max() < 0.01 and mags.max() == pytest.approx(mags[8].max())
    _, mags = audio.spectrogram(audio.tone(16000 * 8.5 / n_fft, 0.25, amplitude=1.0), n_fft=n_fft)
    assert -1.43 < mags.max() < -1.40  # halfway between bins: the Hann window's scalloping loss, 1.42 dB


def test_synthetic_pairs_and_fitting():
    x, y = audio.synthetic_pairs(6, 64, 2000, 4, seed=0)
    assert x.shape == (6, 1, 64) and y.shape == (6, 1, 256)
    assert torch.allclose(y[..., ::4], x, atol=1e-5)
    x2, _ = audio.synthetic_pairs(6, 64, 2000, 4, seed=0)
    assert torch.equal(x, x2)
    torch.manual_seed(0)
    model = upsampling1d.UpsamplerStack("nearest", n_stages=2, channels=4)
    losses = training.fit_upsampler(model, x, y, steps=60, batch_size=4, margin=8)
    assert len(losses) == 60 and np.mean(losses[-10:]) < 0.5 * np.mean(losses[:5])
    with pytest.raises(ValueError, match="margin"):
        training.fit_upsampler(model, x, y, steps=1, margin=200)
    with pytest.raises(ValueError, match="inputs and targets"):
        training.fit_upsampler(model, x, y[:3], steps=1)


# --- metrics.tone_strength -----------------------------------------------------------------------------------


def white_noise_tolerance_db(n_signals: int, period: int, width: int, sigmas: float = 4.0) -> float:
    """A bound on |tone_strength| for white noise, derived rather than tuned.

    The average of N periodograms of white noise has, at every bin, mean sigma² T and relative variance 1/N
    (2/N at the Nyquist bin, which holds one real number, not two). The score averages L = period // 2 line
    ratios, so the numerator's relative variance is sum(1/N or 2/N) / L². Each denominator is the median of n
    neighbours, each about normal with relative sd 1/sqrt(N); a sample median's sd is sqrt(pi / (2 n)) times
    that. Adding the variances gives the ratio's relative sd; ``sigmas`` of it, in dB, is the tolerance.
    """
    lines = period // 2
    var = 0.0
    for k in range(1, lines + 1):
        nyquist = 2 * k == period
        n = width if nyquist else 2 * width
        var += ((2.0 if nyquist else 1.0) + math.pi / (2 * n)) / n_signals
    sd = math.sqrt(var) / lines
    return 10 * math.log10(1 + sigmas * sd) if sigmas * sd < 1 else float("inf")


def test_white_noise_scores_zero_db_within_the_derived_tolerance():
    n, t, period, width = 64, 1024, 8, 32
    tol = white_noise_tolerance_db(n, period, width)
    assert 0.8 < tol < 1.5  # about 0.28 relative at four sigma
    scores = []
    for seed in range(20):
        x = torch.randn(n, t, generator=torch.Generator().manual_seed(seed))
        scores.append(metrics.tone_strength(x, period, width))
        assert abs(scores[-1]) < tol + 0.4  # the lower side of 1 - 4 sd is a little further in dB
    assert abs(np.mean(scores)) < tol / 2


def test_single_periodograms_are_unbiased_thanks_to_the_median_correction():
    """One periodogram's bins are exponential, whose median is ln 2 of the mean: uncorrected, white noise would
    read +1.6 dB. With the correction the average ratio is 1 (within 3.5 standard errors of 200 draws)."""
    ratios = [
        10 ** (metrics.tone_strength(torch.randn(1024, generator=torch.Generator().manual_seed(s)), 8) / 10)
        for s in range(200)
    ]
    assert 0.87 < float(np.mean(ratios)) < 1.17


def test_a_line_of_known_power_scores_as_predicted():
    """A cosine of amplitude A on bin k·T/period adds (A T / 2)² to that bin, whose noise mean is sigma² T; the
    score is then 10 log10(1 + A² T / (4 sigma² L)) with L = period // 2 lines."""
    n, t, period, amp = 16, 4096, 8, 0.5
    g = torch.Generator().manual_seed(0)
    time = torch.arange(t, dtype=torch.float64)
    line = amp * torch.cos(2 * math.pi * time / period + 0.3)
    x = torch.randn(n, t, generator=g, dtype=torch.float64) + line
    predicted = 10 * math.log10(1 + amp**2 * t / (4 * period // 2))
    assert metrics.tone_strength(x, period) == pytest.approx(predicted, abs=0.5)
    assert predicted > 15
    # scale-free, and the leading dimensions only pool signals
    assert metrics.tone_strength(3 * x, period) == pytest.approx(metrics.tone_strength(x, period), abs=1e-9)
    assert metrics.tone_strength(x.view(4, 4, t), period) == pytest.approx(metrics.tone_strength(x, period), abs=1e-9)
    # a strong tone between the lines, even inside a neighbourhood, barely moves the median
    off = torch.randn(n, t, generator=g, dtype=torch.float64) + 5 * torch.cos(2 * math.pi * 520 * time / t)
    assert abs(metrics.tone_strength(off, period)) < 1.5


def test_a_periodic_pattern_without_noise_scores_very_high():
    tile = torch.randn(8, generator=torch.Generator().manual_seed(1))
    assert metrics.tone_strength(tile.repeat(256) + 1e-3 * torch.randn(2048), 8) > 60


def test_tone_strength_errors():
    with pytest.raises(ValueError, match="period=8"):
        metrics.tone_strength(torch.randn(100), 8)
    with pytest.raises(ValueError, match="period=8"):
        metrics.tone_strength(torch.randn(24), 8)  # shorter than four periods' worth of lines
    with pytest.raises(ValueError, match="period"):
        metrics.tone_strength(torch.randn(64), 1)
    with pytest.raises(TypeError, match="period"):
        metrics.tone_strength(torch.randn(64), 8.0)
    with pytest.raises(ValueError, match="signals"):
        metrics.tone_strength(torch.randn(0, 64), 8)
    with pytest.raises(TypeError, match="signals"):
        metrics.tone_strength(object(), 8)
