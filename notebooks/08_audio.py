# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 · Beyond images: tonal artifacts in audio
#
# ```{glue:figure} trained_silence
# Five upsampler stacks after a short training, fed a voice (left) and one second of silence (right). The
# transposed and sub-pixel stacks answer silence with horizontal lines, steady tones at multiples of 2 kHz;
# the resize stacks answer it with nothing.
# ```
#
# **In this chapter you will learn**
# - that in audio the article's pattern is heard as a tone, and how to measure it in decibels;
# - why biases make transposed and sub-pixel stacks whistle, why resizing does not, and why ReLUs bring tones
#   to every kind;
# - what a short training changes, and what it does not: silence.
#
# The article closes by wondering whether its fix matters for audio, where a faint periodic pattern is not
# seen but *heard* {cite}`odena2016deconvolution`. Pons et al. took up the question
# {cite}`pons2021upsampling`. In a waveform, a pattern that repeats every $s$ samples is a sum of sines at
# multiples of the sample rate divided by $s$: a buzz of pure tones, a *tonal artifact*. Transposed and
# sub-pixel convolutions paint such patterns for the reasons chapters 02 and 03 found in images. Resizing
# followed by a convolution paints none of its own, but its fixed interpolation filter dulls the top of the
# spectrum: a *filtering artifact* instead.
#
# This chapter rebuilds their experiments in 1D at 16 kHz with a number for every picture: how many
# decibels the artifact lines stand above their spectral neighbourhood, for every upsampler kind, with and
# without biases, with and without ReLUs, before and after a short training. A player under each result lets
# you listen to it.

# %% tags=["hide-input", "setup"]
# Setup. In Colab, install the book's helper package from the repository. Everywhere, one call
# applies the figure style, seeds everything, picks the device and says which profile runs.
import sys

REPO = "https://github.com/checkerboard-book/checkerboard"
if "google.colab" in sys.modules:
    import subprocess

    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"tutorial_utils @ git+{REPO}"], check=True)

import torch
from tutorial_utils import (
    audio,
    balance,
    book,
    metrics,
    overlap,
    players,
    runtime,
    training,
    upsampling1d,
)

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = book.setup(SEED)  # figure style, seeds, device; prints the profile

# %% tags=["hide-input", "setup"]
import math
import statistics

import matplotlib.pyplot as plt
import numpy as np
import torch.nn.functional as F

RATE = audio.SAMPLE_RATE  # 16 kHz at the output of every upsampler stack
SCALE, STAGES = 2, 3  # three ×2 stages, as in Pons et al.
PERIOD = SCALE**STAGES  # total stride 8: artifact lines at multiples of 16 kHz / 8 = 2 kHz
LOW_RATE = RATE // PERIOD  # the stacks' input rate, 2 kHz
SECONDS = 1.0
CHANNELS = runtime.pick(16, 32)  # channels between the stages
SEEDS = list(range(SEED, SEED + 5))  # initialisations behind every table
N_NOISE = 8  # white-noise signals behind every tone strength
STEPS = runtime.pick(300, 1500)  # training steps per stack
RELU_TONE_DB = runtime.pick(10, 6)  # the trained nearest stack's ReLU tones stay above (dB)
KINDS = upsampling1d.KINDS1D
LABELS = {
    "deconv": "transposed k4",
    "deconv_uneven": "transposed k3",
    "subpixel": "sub-pixel k3",
    "nearest": "nearest + k9",
    "linear": "linear + k9",
}
LINES_HZ = [k * RATE // PERIOD for k in range(1, PERIOD // 2 + 1)]
print(f"input {LOW_RATE} Hz -> output {RATE} Hz; artifact lines at {LINES_HZ} Hz")

# %% tags=["remove-cell"]
# Sizes and steps that the text quotes, pasted into it with {glue:text}: it says what the code runs.
for key, value in {
    "c08_channels": CHANNELS,
    "c08_steps": STEPS,
    "c08_relu_tone_db": RELU_TONE_DB,
}.items():
    book.glue(key, value, display=False)

# %% [markdown]
# ## One layer, a constant input
#
# Pons et al. start with the simplest experiment: feed a transposed convolution a signal of ones and look at
# what comes out. Three layers, one input channel, one output channel, no bias:
#
# - a kernel of 8 ones with stride 6: the kernel copies overlap only partly, so outputs receive one or two
#   copies (chapter 02's uneven overlap, now in 1D);
# - a kernel of 8 ones with stride 4: every output inside the borders receives exactly two copies;
# - a *random* kernel of 8 taps with stride 4: the overlap is still even, but the copies are not flat.
#
# The stems show the outputs. The first repeats every 6 samples and its values are exactly the overlap
# counts of `overlap.overlap_counts`. The second is flat inside the borders. The third repeats every 4
# samples, and its 4 values are the kernel's phase sums, the quantity whose equality chapter 03 called the
# balance condition: even overlap removes the pattern only if the weights cooperate. Every one of these
# patterns, heard at 16 kHz, is a set of tones at multiples of 16 kHz divided by the stride.

# %%
ones = torch.ones(1, 1, 12, dtype=torch.float64)
w_random = torch.randn(8, dtype=torch.float64, generator=torch.Generator().manual_seed(SEED))
cases = {
    "8 ones, stride 6 (partial overlap)": (torch.ones(8, dtype=torch.float64), 6),
    "8 ones, stride 4 (even overlap)": (torch.ones(8, dtype=torch.float64), 4),
    "8 random taps, stride 4 (even overlap)": (w_random, 4),
}
outputs = {
    name: F.conv_transpose1d(ones, w.view(1, 1, -1), stride=s)[0, 0]
    for name, (w, s) in cases.items()
}

fig, axes = plt.subplots(3, 1, figsize=(7.5, 5.2), sharex=True)
for ax, (name, y) in zip(axes, outputs.items()):
    ax.stem(np.arange(len(y)), y.numpy(), basefmt="0.7")
    ax.axvspan(-0.5, 7.5, color="0.92", zorder=-1)
    ax.axvspan(len(y) - 8.5, len(y) - 0.5, color="0.92", zorder=-1)
    ax.set_title(name)
axes[-1].set_xlabel("output sample (grey: borders, where fewer kernel copies reach)")
fig.tight_layout()
plt.show()

# %% tags=["hide-input", "checks"]
partial, even, weights = outputs.values()
# the counts of chapter 02
assert torch.equal(partial, torch.as_tensor(overlap.overlap_counts(8, 6, 12)).to(partial))
interior = partial[8:-8]
assert set(interior.tolist()) == {1.0, 2.0} and torch.equal(interior[6:], interior[:-6])  # period 6
assert torch.equal(even[8:-8], torch.full_like(even[8:-8], 2.0))  # flat: two copies everywhere
interior = weights[8:-8]
assert torch.allclose(interior[4:], interior[:-4])  # period 4 ...
sums = balance.phase_sums(w_random, 4)
assert torch.allclose(interior[:4].sort().values, sums.sort().values)  # ... made of the phase sums
runtime.claim("spread of the random kernel's phase sums", float(sums.max() - sums.min()), ">", 0.1)

# %% [markdown]
# ## Measuring a tone
#
# A pattern with period $P$ samples is, in the spectrum, a set of lines at exactly $k/P$ cycles per sample,
# $k = 1, \dots, P-1$. With a total stride of 8 at 16 kHz those are 2, 4, 6 and 8 kHz (and their mirror
# images). `metrics.tone_strength(signals, period)` turns "is there a line?" into a number: it averages the
# power spectra of a batch of signals, and for each line divides the power in its frequency bin by the
# median power of the 32 bins on each side, in decibels (after a correction that makes white noise read
# 0 dB; the unit tests derive how far from 0 dB white noise may stray). A line that stands out scores high;
# a spectrum that is smooth there scores about 0 dB; a spectrum with a notch exactly at the line scores below
# zero.
#
# Two checks on 64 one-second signals of white noise at 16 kHz: alone they score within 1.5 dB of zero;
# with a random period-8 pattern added whose power is 1% of the noise's (20 dB below it, barely visible in
# the waveform), the score rises above 10 dB, and it agrees within 1 dB with the value predicted from the
# pattern's own spectrum, $10\log_{10}$ of the mean over the lines of $1 + |\hat p_k|^2 / (T\sigma^2)$.

# %%
gen = torch.Generator().manual_seed(SEED)
T = int(RATE * SECONDS)
noise = torch.randn(64, T, generator=gen, dtype=torch.float64)
tile = torch.randn(PERIOD, generator=gen, dtype=torch.float64)
tile = (tile - tile.mean()) / tile.std(unbiased=False) * 0.1  # 1% of the noise power
pattern = tile.repeat(T // PERIOD)
line_power = torch.fft.rfft(pattern).abs() ** 2
lines = [k * T // PERIOD for k in range(1, PERIOD // 2 + 1)]
predicted = 10 * math.log10(float((1 + line_power[lines] / T).mean()))
clean, dirty = metrics.tone_strength(noise, PERIOD), metrics.tone_strength(noise + pattern, PERIOD)
print(
    f"white noise {clean:+.2f} dB; with the pattern {dirty:.1f} dB (predicted {predicted:.1f} dB)"
)

# %% tags=["hide-input", "checks"]
runtime.claim("white noise's tone strength, dB from zero", abs(clean), "<", 1.5)
runtime.claim("tone strength with a pattern 20 dB down (dB)", dirty, ">", 10)
runtime.claim("measured minus predicted tone strength (dB)", abs(dirty - predicted), "<", 1.0)

# %% [markdown]
# ## Three stages at random initialisation
#
# Now the experiment of Pons et al.'s first figures: three ×2 stages of one kind, from 2 kHz to 16 kHz, at
# PyTorch's default initialisation, with no training at all. The kinds (`upsampling1d.make_upsampler1d`) are a
# transposed convolution with kernel 4 (even overlap) and with kernel 3 (uneven overlap), a sub-pixel
# convolution (a 3-tap convolution to twice the channels, then a periodic shuffle), and nearest or linear
# resizing followed by a 9-tap convolution. Channels go 1 → {glue:text}`c08_channels` →
# {glue:text}`c08_channels` → 1, each layer keeps PyTorch's random bias, and, as in their layer-by-layer
# figures, there is no nonlinearity between the stages (`upsampling1d.UpsamplerStack(kind, relu=False)`);
# ReLUs come later.
#
# Two inputs at 2 kHz, one second each: white noise, and a synthetic voice (`audio.vowel`: harmonics of a
# pitch gliding from 110 to 165 Hz with vibrato, shaped by the formants of an /a/), band-limited below 900 Hz.
# The first column shows what an ideal upsampler would output: the same signals, band-limited interpolation
# to 16 kHz (`upsampling1d.bandlimited_upsample`), so nothing above 1 kHz. Every output is scaled to the same
# root-mean-square level, a quarter of full scale, and all spectrograms share one colour scale in dBFS
# (`audio.spectrogram`: decibels relative to a full-scale sine, which reads 0 dB).


# %%
def make_stack(kind, seed, bias=True, relu=False, channels=CHANNELS):
    """One initialisation of a three-stage stack, depending on the seed only."""
    stack = training.seeded(
        lambda: upsampling1d.UpsamplerStack(kind, STAGES, channels, SCALE, bias=bias, relu=relu),
        seed,
    )
    return stack.to(device)


def run(stack, x):
    with torch.no_grad():
        return stack(x.to(device)).cpu().double()


voice_low = audio.vowel(SECONDS, LOW_RATE, max_frequency=900.0, seed=SEED)[None, None]
noise_low = torch.randn(
    N_NOISE, 1, int(LOW_RATE * SECONDS), generator=torch.Generator().manual_seed(SEED)
)
ideal = {
    "noise": upsampling1d.bandlimited_upsample(noise_low[:1].double(), PERIOD),
    "voice": upsampling1d.bandlimited_upsample(voice_low.double(), PERIOD),
}
init_out = {}
for kind in KINDS:
    stack = make_stack(kind, SEED)
    init_out[kind] = {"noise": run(stack, noise_low[:1]), "voice": run(stack, voice_low)}


def quarter_scale(x):
    """``x`` scaled to a root-mean-square level of 0.25 (a quarter of full scale)."""
    return 0.25 * x / x.pow(2).mean().sqrt()


columns = {"band-limited (ideal)": ideal} | {LABELS[k]: v for k, v in init_out.items()}
fig, axes = plt.subplots(len(columns), 2, figsize=(7.6, 9.4), sharex=True, sharey=True)
for row, (name, outs) in enumerate(columns.items()):
    for col, signal in enumerate(("noise", "voice")):
        image = audio.show_spectrogram(
            axes[row, col],
            quarter_scale(outs[signal]),
            RATE,
            vmin=-110,
            vmax=-20,
            title=f"{name}: {signal}",
        )
    axes[row, 0].set_ylabel("kHz")
for ax in axes[-1]:
    ax.set_xlabel("s")
fig.colorbar(image, ax=axes, fraction=0.03, pad=0.02, label="dBFS")
plt.show()

# %% [markdown]
# The transposed and sub-pixel stacks draw horizontal lines at multiples of 2 kHz through both inputs. The
# resize stacks draw none; instead they carve notches at those same frequencies, and linear resizing darkens
# everything above 1 kHz (the filtering artifact, below). All five fill the band above 1 kHz, which the ideal
# upsampler leaves empty: these are spectral replicas, copies of the input spectrum that an untrained
# upsampler does not remove (the voice's harmonics reappear there as many thin lines, which are not tonal
# artifacts). Averaging the power spectra of the eight noise outputs makes lines and notches plain: each
# panel is one kind, the dotted lines mark multiples of 2 kHz.

# %%
fig, axes = plt.subplots(2, 3, figsize=(7.6, 4.6), sharey=True)
axes[1, 2].set_axis_off()  # five kinds, six places
for ax, kind in zip(axes.flat, KINDS):
    y = run(make_stack(kind, SEED), noise_low)[:, 0]
    power = (torch.fft.rfft(y / y.pow(2).mean().sqrt(), dim=-1).abs() ** 2).mean(0) / y.shape[-1]
    freqs = np.fft.rfftfreq(y.shape[-1], 1 / RATE) / 1000
    ax.plot(freqs, 10 * np.log10(power.clamp_min(1e-12).numpy()), lw=0.5)
    for k in range(1, PERIOD // 2 + 1):
        ax.axvline(k * RATE / PERIOD / 1000, color="0.5", ls=":", lw=0.8)
    ax.set_title(LABELS[kind])
    ax.set_xlabel("kHz")
    ax.set_ylim(-60, 50)
for ax in axes[:, 0]:
    ax.set_ylabel("power (dB)")
fig.tight_layout()
plt.show()

# %% [markdown]
# Listen: each row is one stack, the left player its output for white noise, the right for the voice, each
# scaled so that its loudest sample is at 90% of full scale (the players play samples as they are,
# `normalize=False`). The tones of the first three stacks are a steady whistle on top of the input; the
# resize stacks sound duller but carry no whistle.

# %%
rows = [["band-limited (ideal)", [audio.to_unit_range(ideal[s]) for s in ("noise", "voice")]]]
rows += [
    [LABELS[k], [audio.to_unit_range(init_out[k][s]) for s in ("noise", "voice")]] for k in KINDS
]
players.sound_table(rows, ["stack at initialisation", "white noise", "voice"], RATE)

# %% [markdown]
# ### Tone strength per kind, with and without biases
#
# The table measures the lines on the eight noise signals for five initialisations, with PyTorch's default
# biases and with every bias removed, and, as everywhere in this section, no nonlinearity between the stages.
# With biases, every transposed and sub-pixel stack scores more than 20 dB above the nearest resize stack of
# the same seed, in every seed, where 10 dB would already be a plain line. Nearest and linear resize stacks
# score at most 1 dB: no line stands above its neighbourhood. Removing the biases lowers the score of the
# transposed and sub-pixel stacks by more than 20 dB in every seed, down to at most 3 dB for every kind:
# without an offset there is nothing to replicate, and what is left at the lines is only the noise input's
# own (random, small) offset.


# %%
def tone_table(bias, relu):
    """Tone strength (dB) of every kind's stack on the noise signals, one value per seed."""
    return {
        kind: [
            metrics.tone_strength(run(make_stack(kind, seed, bias, relu), noise_low), PERIOD)
            for seed in SEEDS
        ]
        for kind in KINDS
    }


with_bias, without_bias = tone_table(True, False), tone_table(False, False)
header = ["stack", "with biases", "without biases"]
caption = f"Tone strength (dB), {len(SEEDS)} initialisations: mean [min–max]"
book.table(
    header,
    [
        [LABELS[k]] + [book.mean_range(t[k], ".1f") for t in (with_bias, without_bias)]
        for k in KINDS
    ],
    caption=caption,
)

# %% tags=["hide-input", "checks"]
for kind in ("deconv", "deconv_uneven", "subpixel"):
    gaps = [a - b for a, b in zip(with_bias[kind], with_bias["nearest"])]
    print(f"{LABELS[kind]:14s} above nearest, per seed: {', '.join(f'{g:.0f}' for g in gaps)} dB")
    runtime.claim(f"{kind}: tones above nearest's at init (dB)", min(gaps), ">", 20)
for kind in ("nearest", "linear"):
    runtime.claim(f"{kind}: tone strength at init (dB)", max(with_bias[kind]), "<=", 1.0)
for kind in ("deconv", "deconv_uneven", "subpixel"):
    drops = [a - b for a, b in zip(with_bias[kind], without_bias[kind])]
    per_seed = ", ".join(f"{d:.0f}" for d in drops)
    print(f"{LABELS[kind]:14s} drop without biases, per seed: {per_seed} dB")
    runtime.claim(f"{kind}: tone drop without biases (dB)", min(drops), ">", 20)
runtime.claim(
    "strongest tone without biases (dB)", max(max(v) for v in without_bias.values()), "<=", 3.0
)

# %% [markdown]
# ## Why resizing makes no tone: a constant stays a constant
#
# A bias is a constant added to every sample, and so is any other offset. What an upsampling stage does to a
# constant decides whether the offset becomes a tone. A transposed convolution maps a constant $c$ to $c$
# times its kernel's phase sums, repeated: a period-$s$ pattern unless the sums are equal. A sub-pixel
# convolution gives each output phase its own bias: a pattern even from a zero input.
#
# Nearest resizing followed by a $k$-tap convolution is, in 1D as in 2D (chapter 04), exactly one transposed
# convolution whose $k + s - 1$ taps are folded from the $k$ weights by the 0/1 matrix of
# `upsampling.fold_matrix`. `upsampling1d.ResizeConv1d(fast=True)` runs it that way. Every output phase of the
# folded kernel contains each weight once, so the phase sums are all equal and a constant comes out
# constant. The cell checks the fast path against resizing-then-convolving for the 9-tap layers of this
# chapter (outputs and every gradient agree to rounding error; the unit tests check random shapes), and
# checks the phase sums of the fold against those of a transposed convolution's kernel.

# %%
gen = torch.Generator().manual_seed(SEED)
worst = 0.0
for s in (2, 3, 4):
    fast = upsampling1d.ResizeConv1d(3, 4, 9, s, fast=True).double()
    slow = upsampling1d.ResizeConv1d(3, 4, 9, s, fast=False).double()
    slow.load_state_dict(fast.state_dict())
    x = torch.randn(2, 3, 50, dtype=torch.float64, generator=gen)
    upstream = torch.randn(2, 4, 50 * s, dtype=torch.float64, generator=gen)
    results = []
    for layer in (fast, slow):
        xi = x.clone().requires_grad_()
        (layer(xi) * upstream).sum().backward()
        results.append([layer(x).detach(), xi.grad, layer.conv.weight.grad, layer.conv.bias.grad])
    for got, want in zip(*results):
        worst = max(worst, float((got - want).abs().max() / want.abs().max()))
layer = upsampling1d.make_upsampler1d("nearest", 16, 16)
# (16, 16, 10): one 10-tap kernel per channel pair
folded = upsampling1d.fold_kernel1d(layer.conv.weight.detach(), 2)
fold_sums = torch.stack([balance.phase_sums(k, 2) for k in folded.reshape(-1, 10)])
deconv = upsampling1d.make_upsampler1d("deconv", 16, 16)
deconv_sums = torch.stack([balance.phase_sums(k, 2) for k in deconv.weight.detach().reshape(-1, 4)])


def spread(sums):
    """Median over kernels of |phase sum 0 - phase sum 1| relative to the larger sum."""
    return float(((sums[:, 0] - sums[:, 1]).abs() / sums.abs().max(1).values).median())


print(f"fast vs naive, largest relative difference: {worst:.1e}")
print(
    f"median relative gap between the two phase sums: folded {spread(fold_sums):.1e}, "
    f"transposed {spread(deconv_sums):.2f}"
)

# %% tags=["hide-input", "checks"]
assert worst < 1e-12
assert spread(fold_sums) < 1e-6  # exact: the folded kernel's phases sum alike
runtime.claim("transposed kernels' relative phase-sum gap (median)", spread(deconv_sums), ">", 0.3)

# %% [markdown]
# ### The filtering view
#
# Interpolation is itself a fixed filter: insert $s - 1$ zeros between the samples, then convolve with a
# kernel (`upsampling1d.interpolation_kernel` reads it off the response to an impulse). Nearest resizing by 2 uses
# the box $[1, 1]$, whose response is $|\cos \pi f|$, a discrete sinc. PyTorch's linear resizing
# (`align_corners=False`, samples placed half a sample apart) uses $[1, 3, 3, 1]/4$, a sampled triangle whose
# response is $|\cos \pi f|^3$: a triangle's $\mathrm{sinc}^2$ with one more box from the half-sample offset.
# Both vanish at $f = 1/2$, the one frequency where a ×2 stage puts its tone, and three stages in a row
# vanish at every multiple of $1/8$: nearest by 2 three times is the box of 8 ones. That is why the resize
# stacks score at most 1 dB at the lines. The price is the droop: at the input's Nyquist frequency (1 kHz at
# the output rate of 16 kHz, $f = 1/16$) the nearest cascade passes the signal 3.9 dB weaker and the linear
# cascade 11.6 dB weaker than at low frequencies, and the spectral replicas are only partly suppressed. The
# learned convolutions between the resizes have to undo the droop.

# %%
f = np.linspace(0, 0.5, 801)
cascades = {
    mode: upsampling1d.interpolation_kernel(mode, SCALE, STAGES) for mode in ("nearest", "linear")
}
fig, ax = plt.subplots(figsize=(7.5, 3.2))
for mode, h in cascades.items():
    response_db = 20 * np.log10(np.maximum(upsampling1d.frequency_response(h, f), 1e-6))
    ax.plot(f * RATE / 1000, response_db, label=f"{mode}, three ×2 stages")
for k in range(1, PERIOD // 2 + 1):
    ax.axvline(k * RATE / PERIOD / 1000, color="C3", ls=":", lw=1)
ax.axvline(LOW_RATE / 2 / 1000, color="0.5", lw=0.8)
ax.text(LOW_RATE / 2 / 1000 + 0.1, -75, "input Nyquist", fontsize=8, color="0.4")
ax.set_ylim(-80, 3)
ax.set_xlabel("kHz (output rate 16 kHz); dotted: where transposed stacks put their tones")
ax.set_ylabel("response (dB)")
ax.legend()
plt.show()

# %% tags=["hide-input", "checks"]
input_nyquist = 1 / (2 * PERIOD)  # cycles per output sample
droop = {
    mode: -20 * math.log10(float(upsampling1d.frequency_response(h, [input_nyquist])[0]))
    for mode, h in cascades.items()
}
print(
    "droop at the input Nyquist:",
    f"nearest {droop['nearest']:.2f} dB, linear {droop['linear']:.2f} dB",
)
# three ×2 boxes = a box of 8
assert torch.equal(cascades["nearest"], torch.ones(PERIOD, dtype=torch.float64))
nearest_closed = abs(math.sin(math.pi / 2) / (PERIOD * math.sin(math.pi / (2 * PERIOD))))
assert (
    abs(droop["nearest"] + 20 * math.log10(nearest_closed)) < 1e-9
    and round(droop["nearest"], 1) == 3.9
)
linear_closed = np.prod([abs(math.cos(math.pi * 2**j / (2 * PERIOD))) ** 3 for j in range(STAGES)])
assert (
    abs(droop["linear"] + 20 * math.log10(linear_closed)) < 1e-9
    and round(droop["linear"], 1) == 11.6
)
for h in cascades.values():
    assert (
        np.abs(upsampling1d.frequency_response(h, np.arange(1, PERIOD // 2 + 1) / PERIOD)).max()
        < 1e-12
    )
for mode in ("nearest", "linear"):
    assert np.allclose(
        upsampling1d.frequency_response(upsampling1d.interpolation_kernel(mode, 2), f),
        np.abs(np.cos(np.pi * f)) ** (1 if mode == "nearest" else 3),
    )

# %% [markdown]
# ## ReLUs bring tones to every kind
#
# Real networks put a nonlinearity between the stages. The same table with a ReLU after the first and the
# second stage tells a different story: now the resize stacks have lines too, the nearest stack above 10 dB
# and the linear stack above 5 dB in every seed, with or without biases.

# %%
relu_with, relu_without = tone_table(True, True), tone_table(False, True)
book.table(
    header,
    [
        [LABELS[k]] + [book.mean_range(t[k], ".1f") for t in (relu_with, relu_without)]
        for k in KINDS
    ],
    caption=caption + ", with ReLUs",
)

# %% tags=["hide-input", "checks"]
for bias, table in (("with biases", relu_with), ("without biases", relu_without)):
    runtime.claim(f"nearest stack with ReLUs, {bias}: tones (dB)", min(table["nearest"]), ">", 10)
    runtime.claim(f"linear stack with ReLUs, {bias}: tones (dB)", min(table["linear"]), ">", 5)

# %% [markdown]
# Why? The folded kernel balances the *sums* of its phases, not their *energies*, and a ReLU turns the
# difference into an offset that the next stage replicates; the dropdown measures it.
#
# ````{dropdown} How a ReLU turns unequal phase energies into a tone
# The folded kernel balances the *sums* of its phases, not their *energies*: phase 0 and phase 1 of a
# nearest stage read the input through different groupings of the 9 weights, so on a noise input they carry
# noise of different variance. A ReLU turns variance into an offset: a zero-mean Gaussian of standard
# deviation $\sigma$ comes out with mean $\sigma/\sqrt{2\pi}$. The two phases get different offsets, a
# period-2 pattern, which the next stage replicates like any other. The cell runs one nearest stage without
# bias on a long white-noise input and checks, channel by channel, that each phase's mean after the ReLU is
# $\sigma/\sqrt{2\pi}$ of that phase (within 3%), and that the two phases' standard deviations differ by more
# than 5% in most channels. The table shows the first four channels.
#
# ```{glue:any} relu_phases
# ```
# ````

# %% tags=["hide-input", "checks"]
layer = training.seeded(
    lambda: upsampling1d.make_upsampler1d("nearest", 1, CHANNELS, SCALE, bias=False), SEED
).double()
with torch.no_grad():
    long_noise = torch.randn(
        1, 1, 100_000, dtype=torch.float64, generator=torch.Generator().manual_seed(SEED)
    )
    z = layer(long_noise)[0, :, 16:-16]  # (channels, time), borders dropped
sigma = torch.stack([z[:, 0::2].std(1), z[:, 1::2].std(1)], 1)  # (channels, phase)
relu_mean = torch.stack([z[:, 0::2].clamp_min(0).mean(1), z[:, 1::2].clamp_min(0).mean(1)], 1)
relu_predicted = sigma / math.sqrt(2 * math.pi)
relu_table = book.table(
    ["channel", "σ, phase 0 | 1", "ReLU mean, phase 0 | 1", "σ/√(2π), phase 0 | 1"],
    [
        [c] + [f"{v[c, 0]:.4f} | {v[c, 1]:.4f}" for v in (sigma, relu_mean, relu_predicted)]
        for c in range(4)
    ],
)
book.glue("relu_phases", relu_table, display=False)
relu_error = float(((relu_mean - relu_predicted).abs() / relu_predicted).max())
runtime.claim("ReLU phase means off sigma/sqrt(2 pi), relative", relu_error, "<", 0.03)
uneven = (sigma.max(1).values / sigma.min(1).values > 1.05).float().mean()
print(f"channels whose phase variances differ by more than 5%: {uneven:.0%}")
runtime.claim("share of channels with unequal phase variances", uneven, ">", 0.5)

# %% [markdown]
# So with ReLUs the resize stacks lose their guarantee on noise-like signals. What they keep is this: their
# ReLU tones need a signal with variance, and vanish when the input is silent. A transposed or sub-pixel stack
# with biases turns silence into a tone by itself. The last section asks what training does to both.
#
# ## What a short training changes
#
# Each kind's stack, now with ReLUs and biases (the realistic case), is trained for {glue:text}`c08_steps:,d`
# steps, from three initialisations (seeds 0, 1 and 2), to do what the ideal upsampler does: map 2 kHz signals
# to their band-limited interpolation at 16 kHz. The training set (`audio.synthetic_pairs`) holds 240 clips of
# 0.128 s: vowels with random pitch glides and levels, exponential chirps, and pink noise. The loss is the
# mean squared error, ignoring 64 samples at each border; Adam with a learning rate of 0.002 and 16 clips per
# step. Afterwards each stack gets the held-out voice of the figures above (its 1 s version, which no training
# clip is) and one second of silence.
#
# The table reports for seed 0, before and after training, the signal-to-error ratio on the voice (the
# target's power over the error's, in dB), the tone strength on the voice output, and the level of the output on silence
# (its variation around its mean, in dB relative to the power of the same stack's voice output; nearest and
# linear stacks turn silence into an exact constant, printed at the −300 dB floor when the variation is zero
# in floating point).

# %%
train_x, train_y = audio.synthetic_pairs(240, 256, LOW_RATE, PERIOD, seed=SEED)
target = upsampling1d.bandlimited_upsample(voice_low.double(), PERIOD)
silent = audio.silence(SECONDS, LOW_RATE)[None, None]
MARGIN = 64
inner = slice(MARGIN, -MARGIN)


def evaluate(stack):
    """Signal-to-error ratio and tone strength on the voice, level of the output on silence (dB)."""
    y_voice, y_silent = run(stack, voice_low), run(stack, silent)
    snr = 10 * math.log10(
        float(target[..., inner].pow(2).mean() / (y_voice - target)[..., inner].pow(2).mean())
    )
    hum = y_silent[..., inner] - y_silent[..., inner].mean()
    level = 10 * math.log10(
        max(float(hum.pow(2).mean() / y_voice[..., inner].pow(2).mean()), 1e-30)
    )
    return {
        "snr": snr,
        "tone": metrics.tone_strength(y_voice, PERIOD),
        "silence": level,
        "voice_out": y_voice,
        "silence_out": y_silent,
    }


TRAIN_SEEDS = SEEDS[:3]
trained = {kind: [] for kind in KINDS}  # (before, after) for every seed
for seed in TRAIN_SEEDS:
    for kind in KINDS:
        stack = make_stack(kind, seed, bias=True, relu=True)
        start = evaluate(stack)
        training.fit_upsampler(
            stack, train_x, train_y, STEPS, batch_size=16, lr=2e-3, margin=MARGIN, seed=seed
        )
        trained[kind].append((start, evaluate(stack)))
before = {kind: runs[0][0] for kind, runs in trained.items()}  # seed 0: the table, figures, players
after = {kind: runs[0][1] for kind, runs in trained.items()}
book.table(
    [
        "stack",
        "voice SNR before → after (dB)",
        "tone on voice before → after (dB)",
        "silence level before → after (dB)",
    ],
    [
        [LABELS[k]]
        + [f"{before[k][m]:.1f} → {after[k][m]:.1f}" for m in ("snr", "tone", "silence")]
        for k in KINDS
    ],
)

# %% [markdown]
# Every stack learns: the signal-to-error ratio on the held-out voice rises by more than 8 dB, to more than
# 5 dB, for every kind. Silence separates the kinds. The transposed and sub-pixel stacks still answer silence
# with a tone no more than 80 dB below their voice output. Training lowered that tone, by more than 10 dB in
# the median of the three seeds, though not always on every seed (one run of the uneven kernel, in the sweep of
# {doc}`../book/how_sure`, lowered it by 1 dB only): the network learned to cancel the offset pattern at the
# levels it was trained on, not at silence. The nearest
# and linear stacks answer silence with a constant, its variation more than 100 dB down, which is rounding
# error. On the voice itself, the ReLU tones of the previous section survive training: the nearest stack's
# lines still stand more than {glue:text}`c08_relu_tone_db` dB above their neighbourhood (longer training
# lowers them, so the full profile's bound is lower). The cell asserts these margins for each of the three
# seeds (the lowering of the tone in silence on their median) and prints them.

# %% tags=["hide-input", "checks"]
for kind, runs in trained.items():
    for seed, (start, end) in zip(TRAIN_SEEDS, runs):
        case = (kind, seed)
        runtime.claim(
            f"{kind}: voice SNR gain from training (dB)", end["snr"] - start["snr"], ">", 8
        )
        runtime.claim(f"{kind}: voice SNR trained (dB)", end["snr"], ">", 5)
        if kind in ("deconv", "deconv_uneven", "subpixel"):
            hum = (start["silence"], end["silence"])
            runtime.claim(f"{kind}: tone in silence, trained (dB)", hum[1], ">", -80)
        else:  # a constant, whatever the weights
            assert end["silence"] < -100, (case, end["silence"])  # exact: rounding error
    if kind in ("deconv", "deconv_uneven", "subpixel"):
        lowered = statistics.median(start["silence"] - end["silence"] for start, end in runs)
        runtime.claim(f"{kind}: tone in silence lowered by training, median (dB)", lowered, ">", 10)
    per_seed = {
        m: book.mean_range([end[m] for _, end in runs], ".0f") for m in ("snr", "silence", "tone")
    }
    print(
        f"{LABELS[kind]}, trained ({len(runs)} seeds, mean [min–max] dB): "
        f"voice SNR {per_seed['snr']}, "
        f"silence {per_seed['silence']}, tone {per_seed['tone']}"
    )
nearest_tones = [end["tone"] for _, end in trained["nearest"]]
runtime.claim("nearest stack's ReLU tones, trained (dB)", min(nearest_tones), ">", RELU_TONE_DB)

# %% [markdown]
# The spectrograms show the trained stacks on the voice (left) and on silence (right), each stack's two
# outputs scaled by one gain that brings its voice output to a quarter of full scale (root-mean-square), on
# one colour scale in dBFS: horizontal lines remain in the silence of the first three stacks.
# The players scale each stack's voice and silence outputs by one common gain, so the tone in the silence
# plays at its true level next to the voice (turn the volume up to hear it).

# %%
fig, axes = plt.subplots(len(KINDS), 2, figsize=(7.6, 8.6), sharex=True, sharey=True)
fig.subplots_adjust(hspace=0.45)  # room for each panel's title above the axis of the one before
for row, kind in enumerate(KINDS):
    ref = after[kind]["voice_out"].pow(2).mean().sqrt()
    for col, signal in enumerate(("voice_out", "silence_out")):
        y = after[kind][signal]
        y = y - y.mean() if signal == "silence_out" else y
        image = audio.show_spectrogram(
            axes[row, col],
            0.25 * y / ref,
            RATE,
            vmin=-140,
            vmax=-20,
            title=f"{LABELS[kind]}: {'voice' if col == 0 else 'silence'}",
        )
    axes[row, 0].set_ylabel("kHz")
for ax in axes[-1]:
    ax.set_xlabel("s")
fig.colorbar(image, ax=axes, fraction=0.03, pad=0.02, label="dBFS")
book.glue("trained_silence", fig)  # shown here, and at the top of the chapter

# %%
rows = [["target (band-limited)", [audio.to_unit_range(target), np.zeros(int(RATE * SECONDS))]]]
for kind in KINDS:
    voice_out, silence_out = after[kind]["voice_out"][0, 0], after[kind]["silence_out"][0, 0]
    pair = audio.to_unit_range(torch.stack([voice_out, silence_out - silence_out.mean()]))
    rows.append([f"{LABELS[kind]}, trained", list(pair)])
players.sound_table(rows, ["stack", "voice", "silence"], RATE)

# %% tags=["remove-cell"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
book.glue_numbers(
    c08_tone_gap_db=min(
        a - b
        for k in ("deconv", "deconv_uneven", "subpixel")
        for a, b in zip(with_bias[k], with_bias["nearest"])
    ),
    c08_bias_drop_db=min(
        a - b
        for k in ("deconv", "deconv_uneven", "subpixel")
        for a, b in zip(with_bias[k], without_bias[k])
    ),
)

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - In audio the article's pattern is a tone. At initialisation, three stacked ×2 transposed or sub-pixel
#   convolutions with biases put lines more than 20 dB above the nearest resize stack's, in every seed;
#   without biases they drop by more than 20 dB: offsets replicated by unequal phase sums.
# - Nearest resizing followed by a convolution is a transposed convolution with a folded, balanced kernel: a
#   constant stays a constant, and without a nonlinearity the resize stacks score at most 1 dB. ReLUs between
#   the stages bring lines to every kind, because the fold balances the phases' sums, not their energies.
# - After training, transposed and sub-pixel stacks still turn silence into a tone; resize stacks turn it
#   into a constant, its variation more than 100 dB down.
# ```
