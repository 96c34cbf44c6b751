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

SEED = 0
device = runtime.setup(SEED)  # figure style, seeds, device; prints the profile

import matplotlib.pyplot as plt
import numpy as np

# %% tags=["hide-input", "setup"]
# Chapter 05's recipe (training.digit_gan) for the profile that runs; the spectral run adds Durall et
# al.'s penalty to the two-layer generator's loss at this weight.
SPECTRAL_WEIGHT = 1.0
N_SAMPLES = 512  # generated digits per generator, against the 500 held-out real ones
RUNS = {
    "deconv_last_two": training.digit_gan("deconv_last_two", seed=SEED),
    "deconv_last": training.digit_gan("deconv_last", seed=SEED),
    "resize": training.digit_gan("resize", seed=SEED),
    "spectral": training.digit_gan("deconv_last_two", seed=SEED).replace(
        spectral_weight=SPECTRAL_WEIGHT
    ),
}
LABELS = {
    "deconv_last_two": "deconv in last two layers",
    "deconv_last": "deconv in last layer",
    "resize": "resize-convolution only",
    "spectral": "last two, spectral penalty",
    "real": "held-out digits",
}
COLORS = {"deconv_last_two": "C3", "deconv_last": "C1", "resize": "C0", "spectral": "C2"}
COLORS["real"] = "0.2"
print(f"{RUNS['resize'].steps} steps each, generators {RUNS['resize'].width} channels wide")

# %% [markdown]
# ## Four generators and the real digits
#
# Chapter 05 trained three generators that differ only in where their transposed convolutions sit: in the
# last two layers, in the last layer only, or nowhere (resize-convolution). They are trained again here with
# the same recipe and the same seed (`training.digit_gan`), against a discriminator that downsamples by
# averaging and so cannot see a period-2 grid. A fourth run trains the two-layer generator once more with
# Durall et al.'s spectral penalty added to its loss: the mean squared difference between the mean 1D log
# spectrum of each generated batch and that of the training digits (`losses.SpectralLoss`), times
# `SPECTRAL_WEIGHT`. The real images the detectors see are the 500 held-out digits, which no generator saw.

# %%
held_out, _ = data.digits("test")
real, _ = data.digits("train")
samples = {}
for name, config in RUNS.items():
    run = training.run_gan(config, real, device=device, desc=name)
    z = run.sampler.sample_latent(N_SAMPLES, rng=torch.Generator().manual_seed(1000 + SEED))
    samples[name] = training.sample(run.sampler, z)

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
# Each image's power spectrum is averaged over rings of equal frequency (`metrics.radial_spectra`), and the
# curves below average those over each set of images. A period-2 grid puts power at 0.5 cycles per pixel
# (stripes) and at 0.71 (a checkerboard, in the corner of the spectrum); a period-4 grid at 0.25 and 0.35.

# %%
freqs, _ = metrics.radial_spectra(held_out[:1])
spectra = {name: metrics.radial_spectra(x)[1] for name, x in samples.items()}
spectra["real"] = metrics.radial_spectra(held_out)[1]
fig, ax = plt.subplots(figsize=(7.4, 3.6))
for name in ("real", "deconv_last_two", "deconv_last", "resize"):
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

# %% [markdown]
# ## Three detectors' worth of evidence
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
# above already leave little to add on three of the four generators, and the budget of a quick run goes to
# training the generators.

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
plotting.table(
    ["generator", "score: AUC", "accuracy", "spectrum: AUC", "accuracy"],
    [
        [LABELS[n], f"{by_score[n].auc:.3f}", f"{by_score[n].accuracy:.0%}"]
        + [f"{by_spectrum[n].auc:.3f}", f"{by_spectrum[n].accuracy:.0%}"]
        for n in samples
    ],
)

# %% [markdown]
# Both detectors catch the two transposed-convolution generators almost every time: an AUC above 0.95 for
# each, on every seed this was run with. The score detector needs only one number per image, because the
# grid these generators paint is locked to the pixel grid and their pages are flat, where a grid has
# nowhere to hide.

# %% tags=["hide-input", "checks"]
auc_a = {n: r.auc for n, r in by_score.items()}
auc_b = {n: r.auc for n, r in by_spectrum.items()}
for n in ("deconv_last_two", "deconv_last"):
    assert auc_a[n] > 0.95 and auc_b[n] > 0.95, (n, auc_a, auc_b)

# %% [markdown]
# ## The last layer decides
#
# Chandrasegaran and colleagues' claim is about the last layer {cite}`chandrasegaran2021closer`, and the
# three generators test it directly. The last-layer generator has exactly one transposed convolution, at
# the end, and is caught as easily as the two-layer one. The resize-convolution generator, the same network
# with that last layer replaced by a nearest resize and a 3×3 convolution, is the hardest of the four to
# catch for the spectrum detector: its AUC lies more than 0.05 below the last-layer generator's on every
# seed. It is not invisible: a small generator's digits differ from real ones in more than their grid, and
# a linear model on 23 numbers finds some of that. What goes with the last transposed convolution is the
# easy tell, the lines of the figure above.

# %% tags=["hide-input", "checks"]
assert auc_b["resize"] < auc_b["deconv_last"] - 0.05, auc_b

# %% [markdown]
# ## Hiding the tell, 1: a spectral penalty
#
# Durall et al. proposed to train the tell away: add to the generator's loss how far its batch's mean 1D
# spectrum lies from the real one {cite}`durall2020watch`. The fourth run does this for the two-layer
# generator (`training.GANConfig(spectral_weight=...)`, which adds `losses.SpectralLoss` to the generator's
# loss; at weight 0 the loop is unchanged, bit for bit). The penalty pulls the mean curve towards the real
# one, so the spectrum detector's AUC falls, on every seed this was run with. What it costs is in the last
# column: the variety of the samples, the mean distance between two of them relative to the held-out digits'
# (chapter 05's measure; 1 is as varied as real digits). Chapter 05's other measure, the share a digit
# reader recognises, needs a trained reader and is left out of this chapter's budget.

# %%
spread = metrics.mean_pairwise_distance(held_out[:64])
variety = {n: metrics.mean_pairwise_distance(samples[n][:64]) / spread for n in samples}
plotting.table(
    ["generator", "score: AUC", "spectrum: AUC", "variety"],
    [
        [LABELS[n], f"{auc_a[n]:.3f}", f"{auc_b[n]:.3f}", f"{variety[n]:.2f}"]
        for n in ("deconv_last_two", "spectral")
    ],
)

# %% tags=["hide-input", "checks"]
assert auc_b["spectral"] < auc_b["deconv_last_two"], auc_b

# %% [markdown]
# ## Hiding the tell, 2: JPEG
#
# Real images are rarely published as raw pixels. JPEG compression (`data.jpeg`, Pillow's encoder)
# quantises each 8×8 block's cosine coefficients, which removes fine detail, the grid included, and adds a
# block grid of its own at period 8. The detectors below were fitted on uncompressed images and are judged
# on the same held-out half after compression at three qualities, real and generated images alike. Two
# questions: do they still catch the generator, and do they now flag real photographs, fooled by JPEG's own
# grid?

# %%
QUALITIES = (90, 50, 20)
name = "deconv_last_two"
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
plotting.table(
    ["JPEG quality", "score: AUC", "spectrum: AUC", "real flagged, score", "by spectrum"],
    rows,
    caption=f"Detectors fitted on uncompressed images ({LABELS[name]}), judged on the held-out half",
)

# %% tags=["hide-input", "checks"]
for k in (0, 1):  # neither detector does better on compressed images than on the originals
    assert jpeg_auc[20][k] <= jpeg_auc[None][k] + 0.02, jpeg_auc
for key, value in {
    "q20_score": jpeg_auc[20][0],
    "q20_spectrum": jpeg_auc[20][1],
    "clean_score": jpeg_auc[None][0],
    "clean_spectrum": jpeg_auc[None][1],
    "flag_clean": flagged[None][1],
    "flag_q20": flagged[20][1],
}.items():
    plotting.glue(f"jpeg_{key}", value, display=False)

# %% [markdown]
# At quality 20 the score detector's AUC is {glue:text}`jpeg_q20_score:.2f` (uncompressed:
# {glue:text}`jpeg_clean_score:.2f`) and the spectrum detector's {glue:text}`jpeg_q20_spectrum:.2f`
# (uncompressed: {glue:text}`jpeg_clean_spectrum:.2f`); neither does better than on the uncompressed
# images. JPEG's block grid has its harmonics at multiples of 1/8 cycle per pixel, 0.25 and 0.5 among them,
# where the upsampler's lines are; of the real digits, the spectrum detector flags
# {glue:text}`jpeg_flag_q20:.0%` after compression at quality 20, against
# {glue:text}`jpeg_flag_clean:.0%` uncompressed.

# %% [markdown]
# ## What this shows, and what it does not
#
# The direction of each effect is measured here, on one dataset of small grey digits and generators of a
# few thousand parameters trained for a few hundred steps. That is a long way from a deepfake detector:
# real generators are larger, trained far longer, on faces and scenes, and published after resizing and
# recompression that a detector has to survive. The numbers say that the tell of this chapter is the last
# transposed convolution, that a one-number detector reads it as well as a spectral one when it is there,
# that a spectral penalty buys a lower AUC with variety, and what JPEG does to both. They do not say how
# well any detector works in the wild, nor that a generator which passes these two detectors is
# undetectable: a CNN detector, left out here for time, reads more than a 1D spectrum
# {cite}`frank2020leveraging`.

# %% tags=["remove-cell"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
plotting.glue_numbers(
    c10_deconv_auc_spectrum=min(auc_b["deconv_last_two"], auc_b["deconv_last"]),
    c10_resize_auc_spectrum=auc_b["resize"],
    c10_spectral_auc_spectrum=auc_b["spectral"],
)

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - A threshold on one number, the checkerboard score, and a logistic regression on the 1D spectrum both
#   tell chapter 05's transposed-convolution generators from real digits with an AUC above 0.95, on images
#   they were not fitted on.
# - The last layer decides: replace the last transposed convolution by resize-convolution and the spectrum
#   detector's AUC drops by more than 0.05. A spectral penalty in the generator's loss lowers it too.
# - JPEG at quality 20 helps neither detector; what it does to real digits' spectra is in the table.
# ```
