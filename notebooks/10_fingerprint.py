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
# # 10 · The grid as a fingerprint
#
# ```{glue:figure} fingerprint_spectra
# The mean 1D power spectrum of held-out digits and of three trained generators' samples, on log axes. The
# grey lines mark where an upsampler's grid puts its power: period 4 (0.25 and 0.35 cycles per pixel) and
# period 2 (0.5, and 0.71 in the corner of the spectrum).
# ```
#
# **In this chapter you will learn**
# - how two small detectors, a threshold on the checkerboard score and a logistic regression on the 1D
#   spectrum, tell chapter 05's generated digits from real ones, judged only on images they never saw;
# - that the last upsampling layer decides what the spectrum detector reads;
# - what hiding the tell costs: a spectral penalty in the generator's loss, and JPEG compression.
#
# After 2016 the checkerboard became best known as evidence. Zhang, Karaman and Chang showed that the
# upsampling in a generator puts peaks into the spectrum of its images, and simulated those peaks without any
# GAN {cite}`zhang2019autogan`. Durall, Keuper and Keuper averaged the power spectrum over rings into a 1D
# curve and reported that a simple classifier on that curve detects generated faces, and they added a
# spectral term to the generator's loss to make the curve match {cite}`durall2020watch`. Dzanic and
# colleagues read the same discrepancy in the highest frequencies from a handful of examples
# {cite}`dzanic2020fourier`, and Frank and colleagues in the DCT spectrum {cite}`frank2020leveraging`.
# Chandrasegaran and colleagues then argued that the discrepancy is not built into CNN generators: it comes
# from the last upsampling layer, and a generator whose last layer resizes by interpolation gives images that
# spectral detectors no longer catch {cite}`chandrasegaran2021closer`.
#
# The book already has the pieces: chapter 05's three digit generators, the checkerboard score and the 1D
# spectrum of `metrics`, and `data.jpeg`. This chapter puts them together, small enough to rerun on a laptop.

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
from tutorial_utils import data, forensics, metrics, plotting, runtime, training

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = runtime.setup(SEED)  # figure style, seeds, device; prints the profile

import matplotlib.pyplot as plt
import numpy as np

# %% tags=["hide-input", "setup"]
# Chapter 05's recipe (training.digit_gan) for the profile that runs; the spectral run adds
# Durall et al.'s penalty to the last-layer generator's loss at this weight. The quick profile
# leaves out the two-layer generator, to train within its time budget.
SPECTRAL_WEIGHT = 1.0
N_SAMPLES = 512  # generated digits per generator, against the 500 held-out real ones
# standard deviations of the noise added to every image, real or generated (the first: none)
NOISE = (0.0, 0.05, 0.1, 0.2)
RUNS = {
    "deconv_last": training.digit_gan("deconv_last", seed=SEED),
    "resize": training.digit_gan("resize", seed=SEED),
    "spectral": training.digit_gan("deconv_last", seed=SEED).replace(
        spectral_weight=SPECTRAL_WEIGHT
    ),
}
if runtime.profile() == "full":
    RUNS = {"deconv_last_two": training.digit_gan("deconv_last_two", seed=SEED)} | RUNS
DECONV = [n for n in ("deconv_last_two", "deconv_last") if n in RUNS]
LABELS = {
    "deconv_last_two": "deconv in last two layers",
    "deconv_last": "deconv in last layer",
    "resize": "resize-convolution only",
    "spectral": "last layer, spectral penalty",
    "real": "held-out digits",
}
COLORS = {"deconv_last_two": "C3", "deconv_last": "C1", "resize": "C0", "spectral": "C2"}
COLORS["real"] = "0.2"
print(
    f"{len(RUNS)} generators, {RUNS['resize'].steps} steps each,",
    f"{RUNS['resize'].width} channels wide",
)

# %% [markdown]
# ## The generators and the real digits
#
# Chapter 05 trained three generators that differ only in where their transposed convolutions sit: in the
# last two layers, in the last layer only, or nowhere (resize-convolution). Two of them are trained again
# here with the same recipe and the same seed (`training.digit_gan`): the one whose only transposed
# convolution is its last layer, and the resize-convolution one, which is the same network with that last
# layer replaced by a nearest resize and a 3×3 convolution. The full profile trains the two-layer generator
# too. Each trains against a discriminator that downsamples by averaging and so cannot see a period-2 grid.
# One more run trains the last-layer generator again with Durall et al.'s spectral penalty added to its
# loss: the mean squared difference between the mean 1D log spectrum of each generated batch and that of
# the training digits (`losses.SpectralLoss`), times `SPECTRAL_WEIGHT`. The real images the detectors see
# are the 500 held-out digits, which no generator saw.

# %%
held_out, _ = data.digits("test")
real, _ = data.digits("train")
samples = {}
for name, config in RUNS.items():
    run = training.run_gan(config, real, device=device, desc=name)
    z = run.sampler.sample_latent(N_SAMPLES, rng=torch.Generator().manual_seed(1000 + SEED))
    samples[name] = training.sample(run.sampler, z).cpu()

# %% tags=["pixel-figure"]
fig, _ = plotting.pixel_figure(
    {LABELS["real"]: held_out[:6]} | {LABELS[n]: x[:6] for n, x in samples.items()},
    scale=3,
    ncols=2,
    nrow=3,
    value_range=(-1, 1),
)
plt.show()

# %% [markdown]
# ## The spectra
#
# Each image's power spectrum is averaged over rings of equal frequency (`metrics.radial_spectra`, in
# $\log_{10}$), and the curves below average those over each set of images. A period-2 grid puts power at
# 0.5 cycles per pixel (stripes) and at 0.71 (a checkerboard, in the corner of the spectrum); a period-4
# grid, which only the two-layer generator paints, at 0.25 and 0.35. The transposed-convolution
# generators' curves rise far above the real digits' towards the high frequencies, more than tenfold at
# 0.5 and more than a hundredfold in the corner, on every seed this was run with. The resize-convolution
# generator's curve has no such excess: at both frequencies it stays below twice the real digits' power.

# %%
freqs, _ = metrics.radial_spectra(held_out[:1])
spectra = {name: metrics.radial_spectra(x)[1] for name, x in samples.items()}
spectra["real"] = metrics.radial_spectra(held_out)[1]
fig, ax = plt.subplots(figsize=(7.4, 3.6))
for name in ("real", *DECONV, "resize"):
    ax.plot(
        freqs[1:], 10 ** spectra[name].mean(0)[1:].numpy(), color=COLORS[name], label=LABELS[name]
    )
for f0, period in ((0.25, 4), (np.sqrt(2) / 4, 4), (0.5, 2), (np.sqrt(2) / 2, 2)):
    ax.axvline(f0, color="0.7", linewidth=0.8, linestyle="--" if period == 4 else "-", zorder=0)
ax.set(xscale="log", yscale="log", xlabel="frequency (cycles per pixel)", ylabel="power")
ax.set_title("Mean 1D power spectrum (geometric mean over images)")
ax.legend(fontsize=8)
fig.tight_layout()
plotting.glue("fingerprint_spectra", fig)


def excess(name: str, f0: float) -> float:
    """How far a generator's mean log10 spectrum lies above the real digits', at the ring
    nearest ``f0``."""
    k = int(np.abs(freqs - f0).argmin())
    return float(spectra[name][:, k].mean() - spectra["real"][:, k].mean())


CORNER = float(freqs[-1])  # the outermost ring, around the checkerboard's frequency
lines = {n: (excess(n, 0.5), excess(n, CORNER)) for n in samples}
print({n: f"{a:+.2f} at 0.5, {b:+.2f} in the corner (log10)" for n, (a, b) in lines.items()})

# %% tags=["hide-input", "checks"]
# excesses are log10 ratios of mean spectra: above 1 is more than ten times the real digits' power
for n in DECONV:
    runtime.claim(f"{n}: excess at 0.5 (log10)", lines[n][0], ">", 1)
    runtime.claim(f"{n}: excess in the corner (log10)", lines[n][1], ">", 2)
runtime.claim(
    "resize: excess at 0.5 and in the corner, the larger, as a ratio",
    10 ** max(lines["resize"]),
    "<",
    2,
)

# %% [markdown]
# ## Two detectors
#
# Each detector gets the 500 held-out digits (label 0) and one generator's samples (label 1), is fitted on
# one half of them and judged on the other half (`forensics.evaluate`, a stratified split; a unit test
# checks that no image is judged by a detector that was fitted on it):
#
# - **score**: one number per image, the checkerboard score at period 2 (`metrics.image_scores`), and the
#   threshold that separates the fitting half best (`forensics.ThresholdDetector`);
# - **spectrum**: a logistic regression on each image's 1D log spectrum, Durall's and Dzanic's recipe
#   (`forensics.LinearDetector`).
#
# The table gives the ROC AUC (the chance that a generated image scores above a real one; 0.5 is chance)
# and the accuracy on the held-out half. A third detector, a small CNN on the images, was left out: the two
# above already catch every generator, and the budget of a quick run goes to training the generators.

# %%
labels = {
    n: torch.cat([torch.zeros(len(held_out)), torch.ones(len(x))]).long()
    for n, x in samples.items()
}
scores = {n: metrics.image_scores(torch.cat([held_out, x])) for n, x in samples.items()}
features = {n: torch.cat([spectra["real"], spectra[n]]) for n in samples}
by_score = {
    n: forensics.evaluate(forensics.ThresholdDetector.fit, scores[n], labels[n], SEED)
    for n in samples
}
by_spectrum = {
    n: forensics.evaluate(forensics.LinearDetector.fit, features[n], labels[n], SEED)
    for n in samples
}
auc_a = {n: r.auc for n, r in by_score.items()}
auc_b = {n: r.auc for n, r in by_spectrum.items()}
print("score:", {n: round(v, 3) for n, v in auc_a.items()})
print("spectrum:", {n: round(v, 3) for n, v in auc_b.items()})
plotting.table(
    ["generator", "score: AUC", "accuracy", "spectrum: AUC", "accuracy"],
    [
        [LABELS[n], f"{by_score[n].auc:.3f}", f"{by_score[n].accuracy:.0%}"]
        + [f"{by_spectrum[n].auc:.3f}", f"{by_spectrum[n].accuracy:.0%}"]
        for n in samples
    ],
)

# %% [markdown]
# Both detectors catch the transposed-convolution generators with an AUC above 0.99, on every seed this
# was run with. The spectrum detector catches the resize-convolution generator too (above 0.8), and so does
# the score detector after the quick profile's 400 training steps (above 0.8). After the full profile's
# 1,500 steps the score detector no longer does (below 0.8; 0.55 and 0.65 in two runs, near chance).
# That the short-trained one is caught at all is not the grid's doing alone. The real digits lie on a
# perfectly flat page, and no generator this small paints a perfectly flat page: its pixels wander a little
# everywhere, and both detectors read that too.

# %% tags=["hide-input", "checks"]
# AUCs are claimed as 1 - AUC, the shortfall from a perfect detector, so headroom means something
runtime.claim(
    "spectrum detector: 1 - AUC, the worst generator's", 1 - min(auc_b.values()), "<", 0.2
)
if runtime.profile() == "quick":
    runtime.claim("resize: score detector's 1 - AUC", 1 - auc_a["resize"], "<", 0.2)
else:  # AUC 0.552 and 0.648 measured on two machines
    runtime.claim("resize: score detector's 1 - AUC", 1 - auc_a["resize"], ">", 0.2)
for n in DECONV:
    runtime.claim(f"{n}: score detector's 1 - AUC", 1 - auc_a[n], "<", 0.01)
    runtime.claim(f"{n}: spectrum detector's 1 - AUC", 1 - auc_b[n], "<", 0.01)

# %% [markdown]
# ## The last layer decides
#
# Chandrasegaran and colleagues' claim is about the last layer {cite}`chandrasegaran2021closer`. To see what
# each detector reads once the flat page no longer gives a generator away, the same Gaussian noise is added
# to every image, real or generated (a camera's sensor would do the same to a photograph), and both
# detectors are fitted and judged again at each noise level. With noise of standard deviation 0.2 (a tenth
# of the pixel range), the one-number detector still catches the transposed-convolution generators with an
# AUC above 0.95, but the resize-convolution generator's falls below 0.8: the last layer's grid is what the
# score reads. The spectrum detector still catches the resize-convolution generator, with an AUC above
# 0.9 in the quick profile (above 0.75 in the full one, whose generators trained longer): a small
# generator's digits differ from real ones in more than their grid, and a linear model on 24 numbers finds
# some of that.

# %%
noise_rng = torch.Generator().manual_seed(SEED)
noisy_auc = {}
for n, x in samples.items():
    noisy_auc[n, "score", 0.0], noisy_auc[n, "spectrum", 0.0] = (
        auc_a[n],
        auc_b[n],
    )  # no noise: as above
    for sigma in NOISE[1:]:
        images = torch.cat([held_out, x])
        images = images + sigma * torch.randn(images.shape, generator=noise_rng)
        scored = forensics.evaluate(
            forensics.ThresholdDetector.fit, metrics.image_scores(images), labels[n], SEED
        )
        noisy_auc[n, "score", sigma] = scored.auc
        if (
            sigma == NOISE[-1]
        ):  # the spectrum detector at the strongest noise only (its fit takes longer)
            noisy_auc[n, "spectrum", sigma] = forensics.evaluate(
                forensics.LinearDetector.fit, metrics.radial_spectra(images)[1], labels[n], SEED
            ).auc
fig, ax = plt.subplots(figsize=(6.4, 3.2))
for n in samples:
    ax.plot(
        NOISE, [noisy_auc[n, "score", s] for s in NOISE], "o-", color=COLORS[n], label=LABELS[n]
    )
ax.axhline(0.5, color="0.6", linewidth=0.8, linestyle=":")
ax.set(xlabel="noise added to every image (standard deviation)", ylabel="ROC AUC, held-out half")
ax.set_title("The score detector under noise")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
top = NOISE[-1]
plotting.table(
    ["generator", f"score: AUC, noise {top}", f"spectrum: AUC, noise {top}"],
    [
        [LABELS[n], f"{noisy_auc[n, 'score', top]:.3f}", f"{noisy_auc[n, 'spectrum', top]:.3f}"]
        for n in samples
    ],
)

# %% tags=["hide-input", "checks"]
for n in DECONV:
    runtime.claim(
        f"{n}, strongest noise: score detector's 1 - AUC", 1 - noisy_auc[n, "score", top], "<", 0.05
    )
runtime.claim(
    "resize, strongest noise: score detector's 1 - AUC",
    1 - noisy_auc["resize", "score", top],
    ">",
    0.2,
)
runtime.claim(
    "resize, strongest noise: spectrum detector's 1 - AUC",
    1 - noisy_auc["resize", "spectrum", top],
    "<",
    runtime.pick(0.1, 0.25),
)

# %% [markdown]
# ## Hiding the tell, 1: a spectral penalty
#
# Durall et al. proposed to train the tell away: add to the generator's loss how far its batch's mean 1D
# spectrum lies from the real one {cite}`durall2020watch`. The spectral run does this for the last-layer
# generator (`training.GANConfig(spectral_weight=...)`, which adds `losses.SpectralLoss` to the generator's
# loss; at weight 0 the loop is unchanged, bit for bit). The penalty pulls the mean curve down where it
# lies furthest from the real one: the excess in the corner of the spectrum shrinks by more than a factor
# of five, on every seed this was run with, while the excess at 0.5 grows a little. It does not hide the
# generator from either detector, whose AUCs stay above 0.95. The
# penalty acts on the mean spectrum of a batch, and a detector judges one image at a time. The last column
# gives chapter 05's variety measure, the mean distance between two samples relative to that between two
# held-out digits: the penalised generator's stays above 0.7, chapter 05's bar, on every seed, so the
# penalty did not collapse it. Values above 1 mean the samples lie further apart than
# real digits do, which a mean distance cannot tell from noise. Chapter 05's other measure, the share a
# digit reader recognises, needs a trained reader and is left out of this chapter's budget.

# %%
spread = metrics.mean_pairwise_distance(held_out[:64])
variety = {n: metrics.mean_pairwise_distance(samples[n][:64]) / spread for n in samples}
print("variety:", {n: round(v, 2) for n, v in variety.items()})
plotting.table(
    ["generator", "excess at 0.5", "in the corner", "score: AUC", "spectrum: AUC", "variety"],
    [
        [LABELS[n], f"{10 ** lines[n][0]:.0f}x", f"{10 ** lines[n][1]:.0f}x"]
        + [f"{auc_a[n]:.3f}", f"{auc_b[n]:.3f}", f"{variety[n]:.2f}"]
        for n in ("deconv_last", "spectral")
    ],
    caption="Excess: the generator's mean spectrum over the real digits' (geometric means)",
)

# %% tags=["hide-input", "checks"]
shrink = 10 ** (lines["deconv_last"][1] - lines["spectral"][1])
runtime.claim("spectral penalty: corner excess shrinks, by a factor", shrink, ">", 5)
grow = 10 ** (lines["spectral"][0] - lines["deconv_last"][0])
runtime.claim("spectral penalty: excess at 0.5 grows, by a factor", grow, ">", 1)
runtime.claim("spectral: score detector's 1 - AUC", 1 - auc_a["spectral"], "<", 0.05)
runtime.claim("spectral: spectrum detector's 1 - AUC", 1 - auc_b["spectral"], "<", 0.05)
runtime.claim("spectral: variety", variety["spectral"], ">=", 0.7)

# %% [markdown]
# ## Hiding the tell, 2: JPEG
#
# Real images are rarely published as raw pixels. JPEG compression (`data.jpeg`, Pillow's encoder)
# quantises each 8×8 block's cosine coefficients, which removes fine detail, the grid included, and adds a
# block grid of its own at period 8. The detectors below were fitted on uncompressed images of the
# last-layer generator and the real digits, and are judged on the same held-out half after compression at
# three qualities, real and generated images alike. Two questions: do they still catch the generator, and
# do they now flag real digits, fooled by JPEG's own grid?

# %%
QUALITIES = (90, 50, 20)
name = "deconv_last"
images, y = torch.cat([held_out, samples[name]]), labels[name]
held = by_score[name].held
rows, jpeg_auc, flagged = [], {}, {}
for q in (None, *QUALITIES):
    x = images if q is None else data.jpeg(images, q)
    a = by_score[name].detector.decision(metrics.image_scores(x[held]))
    b = by_spectrum[name].detector.decision(metrics.radial_spectra(x[held])[1])
    real_half = y[held] == 0
    jpeg_auc[q] = (forensics.roc_auc(a, y[held]), forensics.roc_auc(b, y[held]))
    flagged[q] = (
        float((a[real_half] > 0).double().mean()),
        float((b[real_half] > 0).double().mean()),
    )
    rows.append(
        ["none" if q is None else q, *(f"{v:.3f}" for v in jpeg_auc[q])]
        + [f"{v:.0%}" for v in flagged[q]]
    )
print("JPEG:", jpeg_auc, "flagged:", flagged)
plotting.table(
    ["JPEG quality", "score: AUC", "spectrum: AUC", "real flagged, score", "by spectrum"],
    rows,
    caption=f"Fitted on uncompressed images ({LABELS[name]}), judged on the held-out half",
)

# %% tags=["hide-input", "checks"]
for k in (
    0,
    1,
):  # the detectors survive: AUC at quality 20 above 0.95, real digits flagged under 5%
    detector = ("score", "spectrum")[k]
    runtime.claim(f"JPEG quality 20: {detector} detector's 1 - AUC", 1 - jpeg_auc[20][k], "<", 0.05)
    runtime.claim(
        f"JPEG quality 20: real digits flagged by the {detector} detector",
        flagged[20][k],
        "<",
        0.05,
    )

# %% [markdown]
# JPEG hides nothing here. At quality 20 the score detector's AUC is {glue:text}`jpeg_q20_score:.2f`
# (uncompressed: {glue:text}`jpeg_clean_score:.2f`) and the spectrum detector's
# {glue:text}`jpeg_q20_spectrum:.2f` (uncompressed: {glue:text}`jpeg_clean_spectrum:.2f`): both stay above
# 0.95. Nor does JPEG's block grid fool them into flagging real digits: of the real half, the spectrum
# detector flags {glue:text}`jpeg_flag_q20:.0%` after compression at quality 20. A grid as strong as a
# transposed convolution's survives a quantisation that was designed to keep what the eye sees.

# %% tags=["remove-cell"]
for key, value in {
    "q20_score": jpeg_auc[20][0],
    "q20_spectrum": jpeg_auc[20][1],
    "clean_score": jpeg_auc[None][0],
    "clean_spectrum": jpeg_auc[None][1],
    "flag_q20": flagged[20][1],
}.items():
    plotting.glue(f"jpeg_{key}", value, display=False)

# %% [markdown]
# ## What this shows, and what it does not
#
# The direction of each effect is measured here, on one dataset of small grey digits and generators of a
# few thousand parameters trained for a few hundred steps. That is a long way from a deepfake detector:
# real generators are larger, trained far longer, on faces and scenes, and published after resizing and
# recompression that a detector has to survive. The numbers say that a transposed convolution in the last
# layer signs its images loudly enough for one number to read the signature through noise and JPEG; that
# with resize-convolution there the one-number detector loses the trail once noise covers the page, while
# a spectrum detector still finds other differences; and that Durall's penalty, at the weight tried here,
# shrinks the mean spectrum's excess without hiding a single image. They do not say how well any detector
# works in the wild, nor that a generator which passes these two detectors is undetectable: a CNN
# detector, left out here for time, reads more than a 1D spectrum {cite}`frank2020leveraging`.

# %% tags=["remove-cell"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
plotting.glue_numbers(
    c10_deconv_auc_score_noisy=min(noisy_auc[n, "score", top] for n in DECONV),
    c10_resize_auc_score_noisy=noisy_auc["resize", "score", top],
    c10_resize_auc_spectrum_noisy=noisy_auc["resize", "spectrum", top],
    c10_spectral_auc_spectrum=auc_b["spectral"],
    c10_noise=top,
)

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - On clean images a logistic regression on the 1D spectrum catches every one of chapter 05's generators,
#   on images it was not fitted on, and a threshold on one number, the checkerboard score, catches the
#   transposed-convolution ones: the real digits' flat page gives a small generator away.
# - The last layer decides what the one number reads: under noise it still catches the transposed
#   convolution (AUC above 0.95) and loses the resize-convolution generator (below 0.8).
# - Durall's spectral penalty shrinks the mean spectrum's excess in the corner more than fivefold without
#   hiding the generator from either detector, and JPEG at quality 20 hides nothing.
# ```
