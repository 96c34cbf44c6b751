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
# The mean 1D power spectrum of held-out digits and of the trained generators' samples, on log axes. The
# grey lines mark where an upsampler's grid puts its power: period 4 (0.25 and 0.35 cycles per pixel) and
# period 2 (0.5, and 0.71 in the corner of the spectrum).
# ```
#
# **In this chapter you will learn**
# - how small detectors (a threshold on the checkerboard score, logistic regressions on the 1D spectrum and
#   on its high-frequency tail, a small CNN) tell chapter 05's generated digits from real ones, judged only
#   on images they never saw, and how they do on real digits against real digits;
# - that the last upsampling layer, not a transposed convolution anywhere in the generator, decides what
#   the score and the spectrum's tail read once noise covers the page;
# - what hiding the tell costs: a spectral penalty in the generator's loss, and JPEG compression.
#
# After 2016 the checkerboard became best known as evidence. Zhang, Karaman and Chang showed that the
# upsampling in a generator puts peaks into the spectrum of its images, and simulated those peaks without
# any GAN {cite}`zhang2019autogan`. Durall, Keuper and Keuper averaged the power spectrum over rings into a
# 1D curve and reported that a simple classifier on that curve detects generated faces, and they added a
# spectral term to the generator's loss to make the curve match {cite}`durall2020watch`. Dzanic and
# colleagues fitted a decay law to the highest frequencies of that curve and classified the fitted
# parameters, from a handful of examples {cite}`dzanic2020fourier`, and Frank and colleagues read the
# DCT spectrum, with a CNN among their classifiers {cite}`frank2020leveraging`.
# Chandrasegaran and colleagues then argued that the discrepancy is not built into CNN generators: it comes
# from the last upsampling layer, and a generator whose last layer resizes by interpolation gives images
# that spectral detectors no longer catch {cite}`chandrasegaran2021closer`.
#
# The book already has the pieces: chapter 05's three digit generators, the checkerboard score and the 1D
# spectrum of `metrics`, and `data.jpeg`. This chapter puts them together, small enough to rerun on a
# laptop.

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
from tutorial_utils import book, data, forensics, losses, metrics, plotting, runtime, training

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = book.setup(SEED)  # figure style, seeds, device; prints the profile

import inspect
import textwrap

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Code

# %% tags=["hide-input", "setup"]
# Chapter 05's recipe (training.digit_gan) for the profile that runs; the spectral run adds a
# spectral penalty after Durall et al. to the last-layer generator's loss at this weight. The
# quick profile leaves out the two-layer generator and the full profile's two extra runs (the
# paper's form of the penalty, and a discriminator that sees the grid), to train within its budget.
SPECTRAL_WEIGHT = 1.0
N_SAMPLES = 512  # generated digits per generator, against the 500 held-out real ones
# standard deviations of the noise added to every image, real or generated (the first: none)
NOISE = (0.0, 0.05, 0.1, 0.2)
NOISY_SPECTRUM_MISS = runtime.pick(0.1, 0.25)  # strongest noise: spectrum detector's 1 - AUC, below
LAST = training.digit_gan("deconv_last", seed=SEED)
RUNS = {
    "deconv_last": LAST,
    "deconv_early": training.digit_gan("deconv_early", seed=SEED),
    "resize": training.digit_gan("resize", seed=SEED),
    "spectral": LAST.replace(spectral_weight=SPECTRAL_WEIGHT),
}
if runtime.profile() == "full":
    RUNS = {"deconv_last_two": training.digit_gan("deconv_last_two", seed=SEED)} | RUNS
    RUNS["spectral_bce"] = LAST.replace(spectral_weight=SPECTRAL_WEIGHT, spectral_form="bce")
    RUNS["sighted"] = LAST.replace(disc_kinds="conv4")  # chapter 05's strided discriminator
DECONV = [n for n in ("deconv_last_two", "deconv_last") if n in RUNS]  # last layer transposed
RESIZE_LAST = ["deconv_early", "resize"]  # last layer a resize-convolution
LABELS = {
    "deconv_last_two": "deconv in last two layers",
    "deconv_last": "deconv in last layer",
    "deconv_early": "deconv early, resize last",
    "resize": "resize-convolution only",
    "spectral": "last layer, spectral penalty",
    "spectral_bce": "last layer, paper's penalty",
    "sighted": "last layer, sighted critic",
    "real": "held-out digits",
}
COLORS = {"deconv_last_two": "C3", "deconv_last": "C1", "deconv_early": "C4", "resize": "C0"}
COLORS |= {"spectral": "C2", "spectral_bce": "C5", "sighted": "C6", "real": "0.2"}
print(
    f"{len(RUNS)} generators, {RUNS['resize'].steps} steps each,",
    f"{RUNS['resize'].width} channels wide",
)

# %% tags=["remove-cell"]
# Sizes, steps and a bound that the text quotes, pasted into it with {glue:text}: it says what runs.
for key, value in {
    "c10_steps": LAST.steps,
    "c10_steps_quick": training.DIGIT_GAN["quick"]["steps"],
    "c10_steps_full": training.DIGIT_GAN["full"]["steps"],
    "c10_generator_parameters": sum(p.numel() for p in training.make_gan(LAST)[0].parameters()),
    "c10_noisy_spectrum_auc": 1 - NOISY_SPECTRUM_MISS,
}.items():
    book.glue(key, value, display=False)

# %% [markdown]
# ## The generators and the real digits
#
# Chapter 05 trained three generators that differ only in where their transposed convolutions sit: in the
# last two layers, in the last layer only, or nowhere (resize-convolution). Two of them are trained again
# here with the same recipe and the same seed (`training.digit_gan`): the one whose only transposed
# convolution is its last layer, and the resize-convolution one, which is the same network with that last
# layer replaced by a nearest resize and a 3×3 convolution. The full profile trains the two-layer generator
# too. One more generator is not the article's: transposed convolutions in its first two layers and a
# resize-convolution last (`"deconv_early"`). It separates two readings of Chandrasegaran and colleagues'
# claim: that the last layer decides, or that any transposed convolution leaves a trace.
#
# One more run trains the last-layer generator again with a spectral penalty added to its loss, a variant
# of Durall et al.'s: the mean squared difference between the mean 1D log spectrum of each generated batch
# and that of the training digits (`losses.SpectralLoss`), times `SPECTRAL_WEIGHT`. The paper's own term
# differs: it min-max normalises each image's 1D spectrum to [0, 1] and takes the binary cross-entropy of
# the batch's mean normalised curve against the real one, and its reference code computes the generated
# curves outside the autograd graph. `losses.SpectralLoss(real, form="bce")` implements the paper's
# formula (differentiably); the full profile trains it too. The real images the detectors see are the 500
# held-out digits, which no generator saw.
#
# Every generator here trains against chapter 05's discriminator, which downsamples by averaging and so
# cannot see a pixel-aligned period-2 grid. Chapter 05 showed that against a discriminator that can see it
# (strided 4×4 convolutions) the two-layer generator takes most of its grid back. So the size of the grid
# measured below is partly a product of that choice of critic, not of the transposed convolution alone.
# The full profile retrains the last-layer generator against the strided discriminator (`"sighted"`) and
# shows its AUCs beside the others, without asserting them.

# %%
held_out, _ = data.digits("test")
real, _ = data.digits("train")
samples = {}
for name, config in RUNS.items():
    run = training.run_gan(config, real, device=device, desc=name)
    z = run.sampler.sample_latent(N_SAMPLES, rng=torch.Generator().manual_seed(1000 + SEED))
    samples[name] = training.sample(run.sampler, z).cpu()

# %% [markdown]
# Six held-out digits and six samples of each generator, three times enlarged. After the quick profile's
# {glue:text}`c10_steps_quick:,d` steps the samples are blotchy; the full profile, which the published book
# shows, trains {glue:text}`c10_steps_full:,d` steps and draws legible digits, as in chapter 05.

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
# grid, which only the two-layer generator paints, at 0.25 and 0.35. The curves of the generators whose
# last layer is a transposed convolution rise far above the real digits' towards the high frequencies,
# more than tenfold at 0.5 and more than a hundredfold in the corner: the claims below held on each of
# seeds 0–4 in the quick profile ({doc}`../book/how_sure`). The resize-convolution generator has no such
# excess: at both frequencies it stays below twice the real digits' power. The generator with two
# transposed convolutions before a resize-convolution last lies in between: below ten times the real
# digits' power at both frequencies (on some seeds close to them, on others several times above). Whatever
# grid its early transposed convolutions paint, the last layer's resize and 3×3 convolution filter most
# of it out of the top frequencies.

# %%
freqs, _ = metrics.radial_spectra(held_out[:1])
spectra = {name: metrics.radial_spectra(x)[1] for name, x in samples.items()}
spectra["real"] = metrics.radial_spectra(held_out)[1]
fig, ax = plt.subplots(figsize=(7.4, 3.6))
for name in ("real", *DECONV, *RESIZE_LAST):
    ax.plot(
        freqs[1:], 10 ** spectra[name].mean(0)[1:].numpy(), color=COLORS[name], label=LABELS[name]
    )
for f0, period in ((0.25, 4), (np.sqrt(2) / 4, 4), (0.5, 2), (np.sqrt(2) / 2, 2)):
    ax.axvline(f0, color="0.7", linewidth=0.8, linestyle="--" if period == 4 else "-", zorder=0)
ax.set(xscale="log", yscale="log", xlabel="frequency (cycles per pixel)", ylabel="power")
ax.set_title("Mean 1D power spectrum (geometric mean over images)")
ax.legend(fontsize=8)
fig.tight_layout()
book.glue("fingerprint_spectra", fig)


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
for n, bound in (("resize", 2), ("deconv_early", 10)):
    runtime.claim(
        f"{n}: excess at 0.5 and in the corner, the larger, as a ratio",
        10 ** max(lines[n]),
        "<",
        bound,
    )

# %% [markdown]
# ## Three detectors
#
# Each detector gets the 500 held-out digits (label 0) and one generator's samples (label 1), is fitted on
# one half of them and judged on the other half (`forensics.evaluate`, a stratified split; a unit test
# checks that no image is judged by a detector that was fitted on it):
#
# - **score**: one number per image, the checkerboard score at period 2 (`metrics.image_scores`), and the
#   threshold that separates the fitting half best (`forensics.ThresholdDetector`);
# - **spectrum**: a logistic regression (`forensics.LinearDetector`) on each image's 24 log ring powers,
#   DC included, as `metrics.radial_spectra` computes them: in the spirit of Durall et al.'s classifier on
#   the 1D spectrum, not their exact features;
# - **tail**: the same logistic regression on two numbers per image, the level and the decay of a power law
#   fitted to the top quarter of its spectrum after dividing by its DC power (`forensics.spectral_tail`),
#   after Dzanic et al.'s method {cite}`dzanic2020fourier`, who classify such fitted parameters with other
#   classifiers and on far larger images.
#
# The table gives the ROC AUC (the chance that a generated image scores above a real one; 0.5 is chance).
# A fourth detector, a small CNN, comes in with the noise below, where the first three disagree.

# %%
labels = {
    n: torch.cat([torch.zeros(len(held_out)), torch.ones(len(x))]).long()
    for n, x in samples.items()
}
scores = {n: metrics.image_scores(torch.cat([held_out, x])) for n, x in samples.items()}
features = {n: torch.cat([spectra["real"], spectra[n]]) for n in samples}
DETECTORS = {  # name: (how to fit it, the features it reads from images)
    "score": (forensics.ThresholdDetector.fit, metrics.image_scores),
    "spectrum": (forensics.LinearDetector.fit, lambda x: metrics.radial_spectra(x)[1]),
    "tail": (
        forensics.LinearDetector.fit,
        lambda x: forensics.spectral_tail(freqs, metrics.radial_spectra(x)[1]),
    ),
}
inputs = {  # what each detector reads from the held-out digits and one generator's samples
    "score": scores,
    "spectrum": features,
    "tail": {n: forensics.spectral_tail(freqs, f) for n, f in features.items()},
}
fitted = {
    (d, n): forensics.evaluate(DETECTORS[d][0], inputs[d][n], labels[n], SEED)
    for d in DETECTORS
    for n in samples
}
auc = {key: r.auc for key, r in fitted.items()}
by_score = {n: fitted["score", n] for n in samples}
by_spectrum = {n: fitted["spectrum", n] for n in samples}
auc_a = {n: auc["score", n] for n in samples}
auc_b = {n: auc["spectrum", n] for n in samples}
print({d: {n: round(auc[d, n], 3) for n in samples} for d in DETECTORS})
book.table(
    ["generator", *(f"{d}: AUC" for d in DETECTORS)],
    [[LABELS[n], *(f"{auc[d, n]:.3f}" for d in DETECTORS)] for n in samples],
)

# %% [markdown]
# All three detectors catch the generators whose last layer is a transposed convolution, with an AUC
# above 0.99 (the tail detector above 0.97). The spectrum detector catches every generator compared here,
# with an AUC above 0.8. The tail detector's two numbers catch the resize-last ones less surely (above
# {glue:text}`c10_tail_floor:.2f`). The score detector's AUC on the resize-convolution generator depends on
# the seed: above 0.5 on each of seeds 0–4 after the quick profile's {glue:text}`c10_steps_quick:,d`
# training steps, but by very different amounts; after the full profile's {glue:text}`c10_steps_full:,d`
# steps it was about 0.5 on two of seeds 0–2 and 0.91 on the third ({glue:text}`c10_resize_score_auc:.2f`
# in this build), so only the quick profile asserts it. The quick profile's claims held on seeds 0–4, the
# full profile's on seeds 0–2 ({doc}`../book/how_sure` lists every run).
#
# That a resize-convolution generator is caught at all is not the grid's doing alone. The real digits lie
# on a flat page, and the generators' pages are not flat: the pixel spread in the top four rows, which no
# digit reaches, is printed below: over {glue:text}`c10_page_ratio` times the real digits' for each
# generator checked. The next section asks whether a detector can read a page that wanders this little.

# %%
page = {n: float(x[:, :, :4].std()) for n, x in samples.items()}
page["real"] = float(held_out[:, :, :4].std())
print("pixel spread in the top four rows:", {n: round(v, 3) for n, v in page.items()})

# %% tags=["hide-input", "checks"]
# AUC claims are stated on 1 - AUC, the shortfall from perfect, so that headroom means something
CLAIMED = [n for n in samples if n not in ("spectral_bce", "sighted")]  # full-only runs: shown only
TAIL_MISS = runtime.pick(0.4, 0.45)  # full: 0.37 at the most on seeds 0-2
book.glue("c10_tail_floor", 1 - TAIL_MISS, display=False)
for d, bound in (("spectrum", 0.2), ("tail", TAIL_MISS)):
    worst = max(1 - auc[d, n] for n in CLAIMED)
    runtime.claim(f"{d} detector: 1 - AUC, the worst generator's", worst, "<", bound)
if (
    runtime.profile() == "quick"
):  # 1 - AUC 0.05 to 0.43 over seeds 0-4; full: 0.09 to 0.51, not asserted
    runtime.claim("resize: score detector's 1 - AUC", 1 - auc_a["resize"], "<", 0.5)
book.glue("c10_resize_score_auc", auc_a["resize"], display=False)
for n in DECONV:
    for d in DETECTORS:
        bound = 0.03 if d == "tail" else 0.01
        runtime.claim(f"{n}: {d} detector's 1 - AUC", 1 - auc[d, n], "<", bound)
PAGE_RATIO = runtime.pick(3, 2.5)  # full: 2.97 at the least (deconv_early, seed 2)
PAGE_FLOOR = runtime.pick(
    0.04, 0.03
)  # quick: 0.068 at the least over seeds 0-4; full: 0.035 (seed 2)
book.glue("c10_page_ratio", PAGE_RATIO, display=False)
book.glue("c10_page_floor", PAGE_FLOOR, display=False)
for n in RESIZE_LAST + ["deconv_last"]:
    runtime.claim(
        f"{n}: page spread over the real digits'", page[n] / page["real"], ">", PAGE_RATIO
    )
runtime.claim(
    "page spread, the least of these generators'",
    min(page[n] for n in RESIZE_LAST),
    ">",
    PAGE_FLOOR,
)

# %% [markdown]
# ## Real against real
#
# A detector that separates real digits from other real digits reads something other than generation. The
# same three detectors are fitted and judged on the held-out digits (label 0) against 500 training digits
# (label 1), first as they are, then with the training digits processed in ways a real photograph often is:
# rounded to 8-bit grey levels, resized to 48 pixels and back (nearest, then bilinear), or given a page that
# wanders by adding Gaussian noise of standard deviation 0.05 to them alone. The last row adds noise of
# standard deviation 0.2 to both sets, as the next section does to real and generated digits alike; the
# small CNN of that section is judged on this row too.

# %%
other = real[: len(held_out)]
y_real = torch.cat([torch.zeros(len(held_out)), torch.ones(len(other))]).long()
wander = torch.Generator().manual_seed(SEED)


def resized(x: torch.Tensor, mode: str) -> torch.Tensor:
    """``x`` resized to 48 pixels and back to 32 with ``mode``."""
    up = torch.nn.functional.interpolate(x, size=48, mode=mode)
    return torch.nn.functional.interpolate(up, size=32, mode=mode)


PROCESSED = {
    "as they are": torch.cat([held_out, other]),
    "8-bit rounding": torch.cat([held_out, ((other + 1) * 127.5).round() / 127.5 - 1]),
    "nearest resize": torch.cat([held_out, resized(other, "nearest")]),
    "bilinear resize": torch.cat([held_out, resized(other, "bilinear")]),
    "page noise 0.05": torch.cat(
        [held_out, other + 0.05 * torch.randn(other.shape, generator=wander)]
    ),
}
both = torch.cat([held_out, other])
PROCESSED["both, noise 0.2"] = both + 0.2 * torch.randn(both.shape, generator=wander)
real_auc = {
    (d, p): forensics.evaluate(fit, read(x), y_real, SEED).auc
    for p, x in PROCESSED.items()
    for d, (fit, read) in DETECTORS.items()
}
real_auc["cnn", "both, noise 0.2"] = forensics.evaluate(
    forensics.CNNDetector.fit, PROCESSED["both, noise 0.2"], y_real, SEED
).auc
book.table(
    ["training digits", *(f"{d}: AUC" for d in DETECTORS), "cnn: AUC"],
    [
        [p, *(f"{real_auc[d, p]:.3f}" for d in DETECTORS)]
        + [f"{real_auc['cnn', p]:.3f}" if ("cnn", p) in real_auc else ""]
        for p in PROCESSED
    ],
    caption="Held-out digits against training digits, judged on the held-out half",
)

# %% [markdown]
# Real against real, as they are, after 8-bit rounding, and with the same strong noise on both sets, every
# detector stays within 0.15 of chance. The resizes are another matter. A nearest resize to 48 pixels and
# back keeps every other row and column and doubles it, a period-2 pattern of its own, and all three
# detectors flag it almost perfectly (AUC above 0.9); the bilinear one blurs, and the spectrum detector
# flags that (above 0.9). So these detectors read processing as readily as generation: an image that went
# through a resize is not "real" to them. And a page that wanders by 0.05, about as much as the
# resize-last generators' pages spread above (more than {glue:text}`c10_page_floor` each), is enough for
# the spectrum detector to tell real digits from real digits (above 0.9). So the flat page is a likely reason
# why the spectrum detector catches every generator above, grid or no grid, and the noise below, which
# covers every page alike, is the fairer test of what the last layer leaves.

# %% tags=["hide-input", "checks"]
# chance is 0.5: these claims bound how far from it an AUC lies, in either direction
for p in ("as they are", "8-bit rounding", "both, noise 0.2"):
    off = max(abs(v - 0.5) for (d, q), v in real_auc.items() if q == p)
    runtime.claim(f"real against real, {p}: the farthest AUC from 0.5", off, "<", 0.15)
nearest_worst = min(real_auc[d, "nearest resize"] for d in DETECTORS)
runtime.claim(
    "real against real, nearest resize: 1 - AUC, the worst detector's", 1 - nearest_worst, "<", 0.1
)
runtime.claim(
    "real against real, bilinear resize: spectrum detector's 1 - AUC",
    1 - real_auc["spectrum", "bilinear resize"],
    "<",
    0.1,
)
runtime.claim(
    "real against real, page noise 0.05: spectrum detector's 1 - AUC",
    1 - real_auc["spectrum", "page noise 0.05"],
    "<",
    0.1,
)

# %% [markdown]
# ## The last layer, or any transposed convolution?
#
# Chandrasegaran and colleagues' claim is about the last layer {cite}`chandrasegaran2021closer`. To see what
# each detector reads once the flat page no longer gives a generator away, the same Gaussian noise is added
# to every image, real or generated (a camera's sensor would do the same to a photograph), and the
# detectors are fitted and judged again. The score detector is judged at each noise level, the others at
# the strongest only. On the two resize-last generators a fourth detector is judged there too: a small CNN
# on the high-passed image, two 3×3 convolutions of 8 channels, a mean over positions and a logit, trained
# for 60 Adam steps (`forensics.CNNDetector`).

# %%
noise_rng = torch.Generator().manual_seed(SEED)
noisy_auc = {}
top = NOISE[-1]
for n, x in samples.items():
    for d in DETECTORS:
        noisy_auc[n, d, 0.0] = auc[d, n]  # no noise: as above
    for sigma in NOISE[1:]:
        images = torch.cat([held_out, x])
        images = images + sigma * torch.randn(images.shape, generator=noise_rng)
        for d, (fit, read) in DETECTORS.items():
            if d == "score" or sigma == top:  # the others at the strongest noise only
                noisy_auc[n, d, sigma] = forensics.evaluate(fit, read(images), labels[n], SEED).auc
        if sigma == top and n in RESIZE_LAST:  # where the detectors above disagree
            noisy_auc[n, "cnn", sigma] = forensics.evaluate(
                forensics.CNNDetector.fit, images, labels[n], SEED
            ).auc
fig, ax = plt.subplots(figsize=(6.4, 3.2))
for n in (*DECONV, *RESIZE_LAST):
    ax.plot(
        NOISE, [noisy_auc[n, "score", s] for s in NOISE], "o-", color=COLORS[n], label=LABELS[n]
    )
ax.axhline(0.5, color="0.6", linewidth=0.8, linestyle=":")
ax.set(xlabel="noise added to every image (standard deviation)", ylabel="ROC AUC, held-out half")
ax.set_title("The score detector under noise")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
NOISY = (*DETECTORS, "cnn")
book.table(
    ["generator", *(f"{d}: AUC" for d in NOISY)],
    [
        [
            LABELS[n],
            *(f"{noisy_auc[n, d, top]:.3f}" if (n, d, top) in noisy_auc else "" for d in NOISY),
        ]
        for n in samples
    ],
    caption=f"Noise of standard deviation {top} on every image, real and generated",
)

# %% [markdown]
# With noise of standard deviation 0.2 (a tenth of the [-1, 1] pixel range), the score and tail detectors
# still catch the generators whose last layer is a transposed convolution, with an AUC above
# {glue:text}`c10_noisy_caught:.2f` (the tail above 0.9). They lose both generators whose last layer resizes
# (below {glue:text}`c10_noisy_lost:.2f`), and that includes the one with two transposed convolutions before
# it. So for what these two read, the last layer decides, not the presence of a transposed convolution
# anywhere in the network. Real against real under the same noise stayed within 0.15 of chance: the floor to
# read these AUCs against.
#
# The full spectrum tells a different story: it still catches both resize-last generators, and those with a
# transposed convolution last, with an AUC above {glue:text}`c10_noisy_spectrum_auc:.2g` (a bound of this
# profile: the full profile's generators are caught less surely). A small generator's digits differ from
# real ones in more than their grid, and 24 numbers find some of that through the noise.
# The small CNN, trained for only 60 steps, is less steady: in the sweep it caught both resize-last
# generators on most seeds, but on one of seeds 0–4 its AUC on one of them was near chance, so nothing
# about it is asserted here beyond real against real.
# This is where the chapter parts from Chandrasegaran and colleagues, whose resize-last generators passed
# spectral detectors. The likely reason: their generators are large and their images natural, while these
# are tiny generators of digits whose strokes and page they render imperfectly, a difference that has
# nothing to do with upsampling.

# %% tags=["hide-input", "checks"]
NOISY_SCORE_MISS = runtime.pick(0.05, 0.1)  # full: 0.051 at the most (deconv_last, seed 2)
NOISY_LOST = runtime.pick(0.2, 0.15)  # 1 - AUC at least; full: 0.178 (deconv_early, score, seed 1)
book.glue("c10_noisy_caught", 1 - NOISY_SCORE_MISS, display=False)
book.glue("c10_noisy_lost", 1 - NOISY_LOST, display=False)
for n in DECONV:
    for d, bound in (("score", NOISY_SCORE_MISS), ("tail", 0.1)):
        runtime.claim(
            f"{n}, strongest noise: {d} detector's 1 - AUC", 1 - noisy_auc[n, d, top], "<", bound
        )
for n in RESIZE_LAST:
    for d in ("score", "tail"):
        runtime.claim(
            f"{n}, strongest noise: {d} detector's 1 - AUC",
            1 - noisy_auc[n, d, top],
            ">",
            NOISY_LOST,
        )
worst = max(1 - noisy_auc[n, "spectrum", top] for n in (*DECONV, *RESIZE_LAST))
runtime.claim(
    "strongest noise: spectrum detector's 1 - AUC, the worst generator's",
    worst,
    "<",
    NOISY_SPECTRUM_MISS,
)

# %% [markdown]
# ## Across generators
#
# A detector in the wild meets generators it was not fitted on. Each detector below is fitted on one
# generator's fitting half and judged on another generator's held-out half, against the same held-out real
# digits, on clean images. Because the split depends only on the labels and the seed, the real digits it
# is judged on are the same for every pair, and never the ones it was fitted on.

# %%
split = by_score["resize"]
cross = {}
for d, (_, read) in DETECTORS.items():
    for a in (*DECONV, *RESIZE_LAST):
        detector = fitted[d, a].detector
        for b in (*DECONV, *RESIZE_LAST):
            x = read(torch.cat([held_out, samples[b]])[split.held])
            cross[d, a, b] = forensics.roc_auc(detector.decision(x), labels[b][split.held])
book.table(
    ["detector", "fitted on", *(f"judged on: {LABELS[b]}" for b in (*DECONV, *RESIZE_LAST))],
    [
        [d, LABELS[a], *(f"{cross[d, a, b]:.3f}" for b in (*DECONV, *RESIZE_LAST))]
        for d in ("spectrum", "tail")
        for a in (*DECONV, *RESIZE_LAST)
    ],
    caption="ROC AUC on another generator's held-out half (the diagonal: as above)",
)

# %% [markdown]
# The two kinds of last layer leave different traces, and a spectrum detector fitted on one kind falls
# short on the other. Fitted on the resize-convolution generator, it ranks the last-layer generator's
# images as more real than real digits (AUC below 0.5); fitted on the last-layer generator, it does not
# catch the resize-convolution one reliably (below 0.8). Within a kind it transfers, mostly: fitted on
# either resize-last generator, it catches the other with an AUC above 0.9 on every seed of the quick profile
# and on two of the full profile's three, while on the third (seed 2) it stayed near chance both ways, so
# only the quick profile asserts it. A detector is fitted to a generator, not to "generated".

# %% tags=["hide-input", "checks"]
runtime.claim(
    "spectrum detector fitted on resize, judged on deconv_last: AUC",
    cross["spectrum", "resize", "deconv_last"],
    "<",
    0.5,
)
runtime.claim(
    "spectrum detector fitted on deconv_last, judged on resize: AUC",
    cross["spectrum", "deconv_last", "resize"],
    "<",
    0.8,
)
for a, b in (("resize", "deconv_early"), ("deconv_early", "resize")):
    if runtime.profile() == "quick":  # full: 0.002 to 0.03 on seeds 0-1, 0.56 and 0.59 on seed 2
        runtime.claim(
            f"spectrum detector fitted on {a}, judged on {b}: 1 - AUC",
            1 - cross["spectrum", a, b],
            "<",
            0.1,
        )

# %% [markdown]
# ## Hiding the tell, 1: a spectral penalty
#
# Durall et al. proposed to train the tell away: add to the generator's loss how far its images' 1D
# spectra lie from the real ones {cite}`durall2020watch`. The spectral run does this, in this book's variant
# (the mean squared difference of mean log spectra, described above), for the last-layer generator
# (`training.GANConfig(spectral_weight=...)`; at weight 0 the loop is unchanged, bit for bit). The whole
# penalty is a few lines: `metrics.log_ring_power` measures each image's log power per frequency ring, the
# same rings as the detectors' spectra but differentiably, and `losses.SpectralLoss` compares the batch's
# mean curve with the real digits' mean (`target`, measured once):

# %%
Code(
    inspect.getsource(metrics.log_ring_power)
    + "\n\n"
    + textwrap.dedent(inspect.getsource(losses.SpectralLoss.forward)),
    language="python",
)

# %% [markdown]
# The penalty pulls the mean curve down where it lies furthest from the real one: the excess in the corner of
# the spectrum shrinks, by a factor above 1.2 on each of seeds 0–4 and by far more on most of them. The excess
# at 0.5 is not asserted: it grew on some seeds and shrank on another. It does not hide the generator from any
# of the three detectors, whose AUCs stay above 0.95 after the quick profile's short run and above 0.75 after
# the full one's. The penalty constrains the mean spectrum of a batch, and a detector judges one image at a
# time: a batch can, in principle, match the real mean while each image still carries the grid. The paper's
# own form (a cross-entropy of min-max normalised curves) also acts on the batch's mean curve; the full
# profile trains it too, and the table shows its row beside ours, with the last-layer generator trained
# against the strided discriminator (the sighted critic), neither asserted. The last column gives chapter 05's
# variety measure, the mean distance between two samples relative to that between two held-out digits: after
# the quick profile's run the penalised generator's stays above 0.7, chapter 05's bar, on seeds 0–4, so the
# penalty did not collapse it; after the full profile's longer run it did on one of seeds 0–2 (0.43), so the
# full profile shows the variety without asserting it. Values above 1 mean the samples lie further apart than
# real digits do, which a mean distance cannot tell from noise. Chapter 05's other measure, the share a digit
# reader recognises, needs a trained reader and is left out of this chapter's budget.

# %%
spread = metrics.mean_pairwise_distance(held_out[:64])
variety = {n: metrics.mean_pairwise_distance(samples[n][:64]) / spread for n in samples}
print("variety:", {n: round(v, 2) for n, v in variety.items()})
book.table(
    ["generator", "excess at 0.5", "in the corner", *(f"{d}: AUC" for d in DETECTORS), "variety"],
    [
        [LABELS[n], f"{10 ** lines[n][0]:.0f}x", f"{10 ** lines[n][1]:.0f}x"]
        + [f"{auc[d, n]:.3f}" for d in DETECTORS]
        + [f"{variety[n]:.2f}"]
        for n in ("deconv_last", "spectral", "spectral_bce", "sighted")
        if n in samples
    ],
    caption="Excess: the generator's mean spectrum over the real digits' (geometric means)",
)

# %% tags=["hide-input", "checks"]
shrink = 10 ** (lines["deconv_last"][1] - lines["spectral"][1])
runtime.claim("spectral penalty: corner excess shrinks, by a factor", shrink, ">", 1.2)
PENALISED_MISS = runtime.pick(0.05, 0.25)  # full, seed 0, tail: 0.099 and 0.154 (1, 2 threads)
book.glue("c10_penalised_auc", 1 - PENALISED_MISS, display=False)  # the closing section's floor
for d in DETECTORS:
    runtime.claim(f"spectral: {d} detector's 1 - AUC", 1 - auc[d, "spectral"], "<", PENALISED_MISS)
if runtime.profile() == "quick":  # full: 0.97, 1.03 and 0.43 on seeds 0-2
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
book.table(
    ["JPEG quality", "score: AUC", "spectrum: AUC", "real flagged, score", "by spectrum"],
    rows,
    caption=f"Fitted on uncompressed images ({LABELS[name]}), judged on the held-out half",
)

# %% tags=["hide-input", "checks"]
JPEG_MISS = runtime.pick(
    0.05, 0.1
)  # full, seed 2: score detector's 1 - AUC 0.078, real flagged 0.052
book.glue("c10_jpeg_floor", 1 - JPEG_MISS, display=False)
for k, detector in enumerate(("score", "spectrum")):  # the detectors survive JPEG at quality 20
    runtime.claim(
        f"JPEG quality 20: {detector} detector's 1 - AUC", 1 - jpeg_auc[20][k], "<", JPEG_MISS
    )
    runtime.claim(
        f"JPEG quality 20: real digits flagged by the {detector} detector",
        flagged[20][k],
        "<",
        JPEG_MISS,
    )

# %% [markdown]
# JPEG hides nothing here. At quality 20 the score detector's AUC is {glue:text}`jpeg_q20_score:.2f`
# (uncompressed: {glue:text}`jpeg_clean_score:.2f`) and the spectrum detector's
# {glue:text}`jpeg_q20_spectrum:.2f` (uncompressed: {glue:text}`jpeg_clean_spectrum:.2f`): both stay above
# {glue:text}`c10_jpeg_floor:.2f`. Nor does JPEG's block grid fool them into flagging real digits: of the real
# half, the spectrum detector flags {glue:text}`jpeg_flag_q20:.0%` after compression at quality 20. A grid as
# strong as a transposed convolution's survives a quantisation that was designed to keep what the eye sees.
# Dzanic and colleagues report that compression, at qualities as mild as 95 and 85, costs their high-frequency
# detector accuracy on large generators' faces {cite}`dzanic2020fourier`. The likely reason for the
# difference: their generators' trace is a subtle change in how the spectrum's tail decays, which quantisation
# easily masks, while the grid here puts more than a hundred times the real digits' power into the corner of
# the spectrum. Noise and JPEG were each tried alone here; an image with both was not.

# %% tags=["remove-cell"]
for key, value in {
    "q20_score": jpeg_auc[20][0],
    "q20_spectrum": jpeg_auc[20][1],
    "clean_score": jpeg_auc[None][0],
    "clean_spectrum": jpeg_auc[None][1],
    "flag_q20": flagged[20][1],
}.items():
    book.glue(f"jpeg_{key}", value, display=False)

# %% [markdown]
# ## What this shows, and what it does not
#
# The direction of each effect is measured here, on one dataset of small grey digits and generators of
# {glue:text}`c10_generator_parameters:,d` parameters trained for {glue:text}`c10_steps:,d` steps. That is a
# long way from a deepfake detector: real generators are larger, trained far longer, on faces and scenes, and
# published after resizing and recompression that a detector has to survive. The numbers say that a transposed
# convolution in the last layer signs its images loudly enough for one number to read the signature through
# noise, and, in a separate test, through JPEG; that with a resize-convolution last the one-number and the
# tail detectors lose the trail once noise covers the page, even when transposed convolutions sit earlier in
# the generator, while the full spectrum still finds other differences; that a spectrum detector fitted on one
# kind of last layer falls short on the other; and that the penalised generator, at the weight tried here, has
# a smaller corner excess in its mean spectrum and is still caught by each of the three detectors with an AUC
# above {glue:text}`c10_penalised_auc:.2f`. Two things temper them. Every generator trained against a
# discriminator that cannot see a period-2 grid, so the grids measured here are as large as such a critic
# allows; chapter 05 showed a critic that sees the grid making a generator take most of it back, and the full
# profile's sighted run shows the AUCs that follow. And the real against real controls show every detector
# flagging a nearest resize, and the spectrum detector a bilinear one or a wandering page, as readily as a
# generator. They do not say how well any detector works in the wild, nor that a generator which passes these
# detectors is undetectable.

# %% tags=["remove-cell"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
book.glue_numbers(
    c10_deconv_auc_score_noisy=min(noisy_auc[n, "score", top] for n in DECONV),
    c10_resize_auc_score_noisy=noisy_auc["resize", "score", top],
    c10_early_auc_score_noisy=noisy_auc["deconv_early", "score", top],
    c10_resize_auc_spectrum_noisy=noisy_auc["resize", "spectrum", top],
    c10_spectral_auc_spectrum=auc_b["spectral"],
    c10_cross_auc=cross["spectrum", "resize", "deconv_last"],
    c10_noise=top,
)

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - On clean images a logistic regression on the 1D spectrum catches every generator compared here, on
#   images it was not fitted on. Real digits against real digits stay within 0.15 of chance, but a
#   resize, or a page that wanders by 0.05, is flagged too: the real digits' flat page likely gives a
#   small generator away.
# - Under noise the last layer decides what the score and the spectrum's tail read: they still catch a
#   transposed convolution there (AUC above 0.9) and lose a resize-convolution there (below 0.8), even
#   with transposed convolutions earlier in the generator. The full spectrum still catches both kinds,
#   but a spectrum detector fitted on one kind of last layer falls short on the other.
# - The spectral penalty shrinks the mean spectrum's excess in the corner (by a factor above 1.2) without
#   hiding the generator from any detector, and JPEG at quality 20 hides nothing.
# ```
