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
# # 05 · GANs: the grid at step 0 and after training
#
# The checkerboard was first noticed in the samples of generative adversarial networks, whose generators grew
# images with transposed convolutions
# {cite}`gauthier2014cgan,radford2015dcgan,salimans2016improved,dumoulin2016ali`. The article's most striking
# observation is that the pattern does not need training to appear {cite}`odena2016deconvolution`: a generator
# fresh out of its initialiser, which has never seen an image, already paints it. Where the transposed
# convolutions sit decides which pattern: one in the last layer gives a period-2 grid, two in the last two
# layers add a coarser period-4 grid on top, and a generator that upsamples by resizing followed by
# convolution gives none.
#
# This chapter rebuilds the three generators, measures their grid at step 0, then trains all three against
# the same kind of discriminator on crops of photographs and measures what is left.

# %%
# Setup. In Colab, install the book's helper package from the repository. Everywhere, one call
# applies the figure style, seeds everything, picks the device and says which profile runs.
import sys

REPO = "https://github.com/checkerboard-book/checkerboard"
if "google.colab" in sys.modules:
    import subprocess

    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"tutorial_utils @ git+{REPO}"], check=True)

import torch
from tutorial_utils import data, metrics, models, plotting, runtime, training, widgets

SEED = 0
device = runtime.setup(SEED)  # figure style, seeds, device; prints the profile

# %%
import matplotlib.pyplot as plt
import numpy as np

# Every setting of a run in one object; the variants below differ only in `variant` (and `seed`).
CONFIG = training.GANConfig(
    image_size=runtime.pick(32, 64),  # the generators' output size
    # channels of the last hidden layer; they double towards the 4×4 seed
    width=runtime.pick(16, 32),
    steps=runtime.pick(300, 4000),  # training steps per generator
    eval_every=runtime.pick(25, 200),  # how often the fixed evaluation batch is scored
    batch_size=64,
    eval_size=64,  # samples behind every score
    seed=SEED,
)
IMAGE_SIZE, STEPS, N_EVAL = CONFIG.image_size, CONFIG.steps, CONFIG.eval_size

VARIANTS = list(models.VARIANTS)  # deconv_last_two, deconv_last, resize
LABELS = {
    "deconv_last_two": "deconv in last two layers",
    "deconv_last": "deconv in last layer",
    "resize": "resize-convolution only",
    "real": "held-out photo crops",
}
COLORS = {"deconv_last_two": "C3", "deconv_last": "C1", "resize": "C0", "real": "0.3"}

# %% [markdown]
# ## Three generators that differ only at the end
#
# All three are the DCGAN recipe {cite}`radford2015dcgan` at a small size: a linear map from a
# 64-dimensional noise vector to a 4×4 block of features, then layers that each double the resolution,
# followed by batch normalisation and a ReLU, except the last, which ends in a tanh. The upsampling layers
# are either a transposed convolution with a 3×3 kernel and stride 2, whose uneven overlap chapter 02
# counted, or a nearest-neighbour resize followed by a 3×3 convolution (chapter 04). The variants put the
# transposed convolutions in the last two layers, in the last layer only, or nowhere; everything else is
# the same. Both kinds of layer have a 3×3 kernel per pair of channels, so the three generators even have
# exactly the same number of parameters.

# %%
n_params = {}
for name in VARIANTS:
    gen, _ = training.make_gan(CONFIG.replace(variant=name))
    n_params[name] = sum(p.numel() for p in gen.parameters())
    print(f"{name:16s} layers {' → '.join(gen.kinds):40s} {n_params[name]:>8,d} parameters")
assert len(set(n_params.values())) == 1, n_params

# %% [markdown]
# ## Step 0: the grid before any learning
#
# A generator is sampled here as it runs at the first training step: batch normalisation uses the statistics
# of the batch in hand. Each column shows sixteen samples of one generator, an 8×8-pixel zoom of the
# outlined corner, and the generator's fingerprint: the high-passed samples (each pixel minus the mean of its
# 3×3 neighbourhood) averaged over the batch and folded onto a 4×4 tile, so that anything fixed to the pixel
# grid adds up while the image content averages away. The tile is repeated 2×2 to make its period visible.

# %%
ZOOM, CORNER = 8, (12, 12)
fig, axes = plt.subplots(3, 3, figsize=(7.5, 7.4), gridspec_kw={"height_ratios": [1.6, 1, 1]})
for col, name in enumerate(VARIANTS):
    x = training.initial_samples(CONFIG.replace(variant=name))
    tile = metrics.phase_means(metrics.high_pass(x), 4).mean(dim=0)[
        0
    ]  # red channel, averaged over the batch
    plotting.show_grid(x[:16], nrow=4, ax=axes[0, col], title=LABELS[name], value_range=(-1, 1))
    plotting.zoom_box(axes[0, col], ZOOM, CORNER)
    r, c = CORNER
    plotting.show_image(
        axes[1, col],
        x[0, :, r : r + ZOOM, c : c + ZOOM],
        title=f"{ZOOM}×{ZOOM} zoom",
        value_range=(-1, 1),
    )
    plotting.show_signed(
        axes[2, col], tile.tile(2, 2), title="fingerprint (red channel)", limit=0.4
    )
fig.suptitle("Three generators at step 0, before any training")
fig.tight_layout()
plotting.glue("step0_generators", fig)  # shown here, and in the introduction's gallery

# %% [markdown]
# The figure shows what the article showed: a fine grid over every sample of the first generator and the
# second, none on the third. The fingerprints say which grid. The last-layer generator's tile repeats every
# two pixels in both directions; the two-layer generator's tile does not, because its last layer paints a
# period-2 pattern on top of the period-2 pattern that its second-to-last layer painted at half the
# resolution, which is a period-4 pattern at the output.
#
# The checkerboard score (`metrics.checkerboard_score`, defined in the introduction) turns this into numbers: at
# period $p$ it is the share of the high-passed images' variance that a fixed $p \times p$ tile explains, 0
# for photographs and 1 for a pure grid. The score at period 4 is never below the score at period 2, for any
# images: each of the four period-2 phase means is the average of four of the sixteen period-4 ones, and
# averaging can only shrink the spread of the means, while the denominator, the residual's variance, is the
# same. So what a period-4 pattern adds is the difference between the two scores.
# On three seeds, both transposed-convolution generators score above 0.1 at period 2, at least thirty times
# the resize-convolution generator, and only the two-layer generator has period-4 content: its score rises by
# more than 0.05 from period 2 to period 4, while the last-layer generator's rises by less than 0.02.

# %%
rows, step0 = [], {}
for seed in (SEED, SEED + 1, SEED + 2):
    for name in VARIANTS:
        x = training.initial_samples(CONFIG.replace(variant=name, seed=seed))
        s2, s4 = metrics.checkerboard_score(x, 2), metrics.checkerboard_score(x, 4)
        step0[name, seed] = (s2, s4)
        rows.append([seed, name, f"{s2:.3f}", f"{s4:.3f}", f"{s4 - s2:+.3f}"])
    s = {name: step0[name, seed] for name in VARIANTS}
    assert s["deconv_last_two"][0] > 0.1 and s["deconv_last"][0] > 0.1, s
    assert min(s["deconv_last_two"][0], s["deconv_last"][0]) > 30 * s["resize"][0], s
    assert s["deconv_last_two"][1] - s["deconv_last_two"][0] > 0.05, s  # period-4 content
    assert s["deconv_last"][1] - s["deconv_last"][0] < 0.02, s  # period 2 only
    assert all(s4 >= s2 for s2, s4 in s.values()), s  # the identity: never below the period-2 score
plotting.table(
    ["seed", "generator", "score, period 2", "score, period 4", "period-4 content"], rows
)

# %% [markdown]
# ## Training on photographs
#
# Each generator now trains against a DCGAN discriminator (strided 4×4 convolutions with leaky ReLUs, each
# halving the resolution down to 4×4, then a linear score) on random crops of scikit-image's bundled
# photographs (the left three quarters of each photograph; the right quarter is held out for comparison). The
# loss is the non-saturating GAN loss and the optimiser is Adam with the DCGAN settings (learning rate
# $2\cdot10^{-4}$, $\beta_1 = 0.5$). The three runs share the seed, so they see the same crops in the same
# order and the same noise. Every few steps `training.train_gan` scores a fixed batch of samples at periods 2
# and 4; step 0 is recorded before the first update. The quick profile trains small generators for a few
# hundred steps, enough for colours and coarse structure but not for convincing photographs; the full profile
# trains larger ones for longer.

# %%
real = data.photo_crops(runtime.pick(4096, 8192), IMAGE_SIZE, seed=SEED, split="train")
held_out = data.photo_crops(256, IMAGE_SIZE, seed=SEED, split="test")

generators, histories = {}, {}
for name in VARIANTS:
    run = CONFIG.replace(variant=name)
    gen, disc = training.make_gan(run)
    histories[name] = training.train_gan(gen, disc, real, run, device=device, desc=name)
    generators[name] = gen
print(
    {
        name: f"D loss {h.late_mean('loss_d'):.2f}, G loss {h.late_mean('loss_g'):.2f}"
        for name, h in histories.items()
    }
)

# %% [markdown]
# ## Samples after training
#
# Held-out photo crops come first, then a batch from each trained generator, drawn from the same fresh noise
# and shown with the same zoom as at step 0. In the quick profile the generators have only learnt the
# palette and the coarse blotches of the photographs; what matters here is the fine texture on top.
# The outlined 8×8 window is magnified under each grid; move the pointer over any grid (or select one with
# the Tab key and use the arrow keys) to move the window, on all four grids at once.

# %%
z = torch.randn(
    N_EVAL, generators["resize"].latent_dim, generator=torch.Generator().manual_seed(SEED + 100)
)
after = {name: training.sample(gen, z, mode="train") for name, gen in generators.items()}
panels = {"real": held_out[:N_EVAL], **after}
widgets.magnifier(
    {LABELS[name]: plotting.tile(x[:16], nrow=4) for name, x in panels.items()},
    name="samples-after-training",
    title=f"After {STEPS} training steps",
    window=ZOOM,
    start=CORNER,
    value_range=(-1, 1),
)

# %% [markdown]
# The fingerprints of the same four batches, made as at step 0 (the high-passed images averaged over the
# batch and folded onto a 4×4 tile, red channel, repeated 2×2), now on one colour scale: the photographs'
# tile is noise, the resize generator's nearly so, and both transposed-convolution generators keep a
# visible tile.

# %%
tiles = {
    name: metrics.phase_means(metrics.high_pass(x), 4).mean(dim=0)[0] for name, x in panels.items()
}
limit = max(float(t.abs().max()) for t in tiles.values())
fig, axes = plt.subplots(1, 4, figsize=(8, 2.3))
for ax, (name, t) in zip(axes, tiles.items()):
    plotting.show_signed(ax, t.tile(2, 2), title=LABELS[name], limit=limit)
fig.suptitle(f"Fingerprints after {STEPS} training steps (one colour scale)")
fig.tight_layout()
plt.show()

# %% [markdown]
# One sample, large: the picture that opens this book. It is the sample of the two-layer generator whose
# period-2 score is the highest in the batch above, with its outlined corner magnified. The colours and
# blotches come from the photographs; the fine light-dark weave on top comes from the upsampling.

# %%
per_sample = [metrics.checkerboard_score(img[None], 2) for img in after["deconv_last_two"]]
best = after["deconv_last_two"][int(np.argmax(per_sample))]
r, c = CORNER
fig, axes = plt.subplots(1, 2, figsize=(8, 4))
plotting.show_image(
    axes[0], best, title=f"a generated {IMAGE_SIZE}×{IMAGE_SIZE} sample", value_range=(-1, 1)
)
plotting.zoom_box(axes[0], ZOOM, CORNER)
plotting.show_image(
    axes[1],
    best[:, r : r + ZOOM, c : c + ZOOM],
    title=f"its {ZOOM}×{ZOOM} corner, magnified",
    value_range=(-1, 1),
)
fig.tight_layout()
plotting.glue("opening_grid", fig)  # shown here, and at the top of the introduction

# %% [markdown]
# ## The score over training
#
# The history of each run holds the checkerboard score of the fixed evaluation batch every `CONFIG.eval_every` steps.
# Single evaluations wobble, as GAN training does, so "after training" below means the mean over the last
# quarter of the run (`History.late_mean`). The dashed line is the score of held-out photo crops of the same
# size: the level of a generator with no grid at all. It is not zero, and it is higher at period 4 than at
# period 2, because sixteen phase means estimated from a small image scatter more than four do.

# %%
real2, real4 = metrics.checkerboard_score(held_out, 2), metrics.checkerboard_score(held_out, 4)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.3), sharey=True)
for ax, key, ref, title in zip(
    axes, ("score2", "score4"), (real2, real4), ("period 2", "period 4")
):
    for name, h in histories.items():
        ax.plot(h.eval_step, getattr(h, key), color=COLORS[name], label=LABELS[name])
    ax.axhline(ref, color=COLORS["real"], linestyle="--", label=LABELS["real"])
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_title(f"checkerboard score, {title}")
fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=4, frameon=False)
fig.tight_layout(rect=(0, 0.08, 1, 1))
plt.show()

late = {name: (h.late_mean("score2"), h.late_mean("score4")) for name, h in histories.items()}
start = {name: (h.score2[0], h.score4[0]) for name, h in histories.items()}
rows = [[LABELS["real"], "", "", f"{real2:.4f}", f"{real4:.4f}"]]
rows += [
    [
        LABELS[n],
        f"{start[n][0]:.3f}",
        f"{start[n][1]:.3f}",
        f"{late[n][0]:.4f}",
        f"{late[n][1]:.4f}",
    ]
    for n in VARIANTS
]
plotting.table(
    [
        "images",
        "step 0, period 2",
        "step 0, period 4",
        "after training, period 2",
        "after training, period 4",
    ],
    rows,
)

# %% [markdown]
# Three things happen; the cell after the list checks each of them.
#
# - **Training pushes the grid down.** Both transposed-convolution generators end below their step-0 score
#   at period 2. The discriminator can see the grid: its first layer is a stride-2 convolution, which folds a
#   period-2 pattern onto a constant offset of its feature maps, an easy cue for "fake".
# - **It does not push it away.** Both still score at least ten times the photographs at period 2, and the
#   two-layer generator keeps its period-4 content: its score rises from period 2 to period 4 by at least
#   twice as much as the last-layer generator's does, and by more than the photographs' does.
# - **Resize-convolution is not immune, but it stays well below.** The resize generator starts close to the
#   photographs and picks up a weak grid as it trains (its period-2 score ends above where it started), yet
#   it ends at less than half the score of either transposed-convolution generator. Nothing in its
#   architecture forbids a period-2 pattern: as chapter 04 showed, resize-convolution is a transposed
#   convolution whose four output phases apply different sums of the same 3×3 taps. The phases agree on
#   flat input only, so a generator that learns sharp features can still paint a faint phase-locked
#   pattern. {doc}`Chapter 07 <07_gradient_artifacts>` examines one suspected source of such patterns, the
#   gradient of a strided discriminator.

# %% tags=["hide-input"]
gap = {n: late[n][1] - late[n][0] for n in VARIANTS}  # period-4 content after training
real_gap = real4 - real2
for name in ("deconv_last_two", "deconv_last"):
    assert late[name][0] < start[name][0], (name, start[name], late[name])
    assert late[name][0] > 10 * real2, (name, late[name], real2)
assert gap["deconv_last_two"] > 2 * gap["deconv_last"] and gap["deconv_last_two"] > real_gap, (
    gap,
    real_gap,
)
assert late["resize"][0] > start["resize"][0], (start["resize"], late["resize"])
assert late["resize"][0] < 0.5 * min(late["deconv_last_two"][0], late["deconv_last"][0]), late
# the period-4 identity again
assert all(late[n][1] >= late[n][0] for n in VARIANTS) and real4 >= real2
print(
    "after training, period 2, as multiples of the photographs' score: "
    + ", ".join(f"{n} {late[n][0] / real2:.0f}x" for n in VARIANTS)
)

# %% [markdown]
# ## Power spectra
#
# The score asks one question, how much of the fine detail is locked to the pixel grid. The radially
# averaged power spectrum {cite}`durall2020watch` asks a broader one: how much power the images carry at
# each spatial frequency, whatever its phase. Photographs follow a smooth decay. A period-2 grid puts power at
# 0.5 cycles per pixel (stripes) and at about 0.71 (a checkerboard, in the corner of the spectrum), a period-4
# grid at 0.25 and about 0.35. The spectra below are of the same batches as the samples above.

# %%
spectra = {name: metrics.radial_power_spectrum(x) for name, x in panels.items()}
fig, ax = plt.subplots(figsize=(6, 3.4))
for name, (f, p) in spectra.items():
    ax.plot(
        f[1:],
        p[1:],
        color=COLORS[name],
        label=LABELS[name],
        linestyle="--" if name == "real" else "-",
    )
for f0 in (0.25, 0.5, 1 / np.sqrt(2)):
    ax.axvline(f0, color="0.85", linewidth=0.8, zorder=0)
ax.set_yscale("log")
ax.set_xlabel("frequency (cycles per pixel)")
ax.set_ylabel("mean power")
ax.set_title(f"Radially averaged power spectrum after {STEPS} steps")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# At the highest frequencies, from 0.6 cycles per pixel to the corner, both transposed-convolution
# generators carry more than a hundred times the power of the photographs after the quick profile's short
# run; the full profile's longer run fades the grid but does not remove it, leaving more than three times.
# Either way they carry more than twenty times the power of the resize-convolution generator, which carries
# less than the photographs do: its samples are still a little smoother than real ones. Around 0.25 cycles
# per pixel, the period-4 frequency, the two-layer generator carries at least twice the power of the
# last-layer one after the quick run, and still a quarter more after the full one.

# %%
f, p_real = spectra["real"]
high, quarter = f >= 0.6, np.abs(f - 0.25) < 0.04
excess = {n: spectra[n][1][high].mean() / p_real[high].mean() for n in VARIANTS}
period4 = spectra["deconv_last_two"][1][quarter].mean() / spectra["deconv_last"][1][quarter].mean()
print(
    {n: f"{v:.1f}x the photographs' power at f >= 0.6" for n, v in excess.items()},
    f"\ntwo-layer / last-layer power near f = 0.25: {period4:.1f}x",
)
min_excess, min_period4 = {"quick": (100, 2), "full": (3, 1.25)}[runtime.profile()]
for name in ("deconv_last_two", "deconv_last"):
    assert excess[name] > min_excess and excess[name] > 20 * excess["resize"], excess
assert excess["resize"] < 1, excess
assert period4 > min_period4, period4

# %% [markdown]
# ## What training fixes, and what it does not
#
# Adversarial training treats the grid like any other flaw the discriminator can spot, and it does spot it:
# over the run both transposed-convolution generators lose part of their step-0 pattern. But a
# generator built from uneven overlaps has to spend capacity cancelling them, layer by layer and phase by
# phase (chapter 03 wrote the balance condition down), and the discriminator only asks for that cancellation
# to be good enough to stop being the easiest cue. The result is a grid that fades but persists: at least ten
# times stronger than in photographs by the score, several times their power at the highest frequencies, and
# with the period-4 component of the two-layer generator still present.
#
# Does longer training remove the grid? Not in this book's runs. The quick profile trains for 300 steps and
# the full profile for 4,000 steps with larger generators on larger images, and the same assert holds in
# both: each transposed-convolution generator ends at more than ten times the photographs' period-2 score.
# A longer run or a larger generator makes better pictures, not a different conclusion.

# %% [markdown]
# ## What is not a checkerboard
#
# Not every visible flaw of a generated image is this artifact, and the score is built to tell them apart.
# Two common impostors, next to a real checkerboard (a sample of the last-layer generator at step 0):
# heavy JPEG compression, which leaves 8×8 blocks and smeared colour, and a wrong value range (images in
# $[0, 1]$ shown as if they were in $[-1, 1]$), which washes the picture out. JPEG at quality 10 damages the
# picture visibly, yet its period-2 score stays below a twentieth of the checkerboard's; the wrong value
# range does not change the score at all, since the score is unchanged by any scaling and shift of the
# pixel values.

# %%
crops = held_out[:N_EVAL]
impostors = {
    "photo crops": crops,
    "JPEG, quality 10": data.jpeg(crops, 10),
    "wrong value range": crops * 0.5 + 0.5,
    "checkerboard (step 0)": training.initial_samples(CONFIG.replace(variant="deconv_last")),
}
scores = {name: metrics.checkerboard_score(x, 2) for name, x in impostors.items()}
fig, axes = plt.subplots(1, 4, figsize=(8, 2.6))
for ax, (name, x) in zip(axes, impostors.items()):
    # displayed as if it were in [-1, 1]
    shown = x[0] * 2 - 1 if name == "wrong value range" else x[0]
    plotting.show_image(
        ax, shown.clamp(-1, 1), title=f"{name}\nscore {scores[name]:.4f}", value_range=(-1, 1)
    )
fig.tight_layout()
plt.show()

# %% tags=["hide-input"]
assert scores["JPEG, quality 10"] < scores["checkerboard (step 0)"] / 20, scores
assert abs(scores["wrong value range"] - scores["photo crops"]) < 1e-9, scores

# %% [markdown]
# ## The cure
#
# Swapping the upsampler removes the problem at its source: the resize-convolution generator starts clean
# and ends with less than half the score of either transposed-convolution generator trained on the same
# data, with the same discriminator, for the same number of steps. It is not perfectly clean.
# {doc}`Chapter 07 <07_gradient_artifacts>` follows one suspected source of its faint grid, the gradient a
# strided discriminator sends back, and finds that the gradient is patterned but that the discriminator which
# sends it is also the one that can see, and so discourage, a checkerboard.

# %% tags=["hide-input"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
deconv_late = min(late[n][0] for n in ("deconv_last_two", "deconv_last"))
plotting.glue_numbers(
    c05_deconv_after_over_photos=deconv_late / real2,
    c05_resize_after_over_deconv=late["resize"][0] / deconv_late,
)
