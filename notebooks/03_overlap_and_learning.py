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
# # 03 · Overlap and learning
#
# ```{glue:figure} learned_grid
# Four small networks trained identically to upsample photographs. Top: a held-out crop and the four
# reconstructions; middle: their fingerprints (the 2×2 phase means of the fine detail); bottom: the fine detail
# each network paints on a flat red patch. The transposed convolutions paint a grid, the resize-convolutions
# nothing.
# ```
#
# **In this chapter you will learn**
# - the balance condition: a transposed convolution paints a flat input flat exactly when every stride phase
#   of its kernel sums to the same value, whatever its overlap;
# - the checkerboard score, the number this book measures the grid with;
# - what gradient descent does about the grid when a transposed convolution learns to upsample photographs.
#
# Chapter 02 counted stamps with every weight set to 1, which describes a transposed convolution before it has
# learned anything. Trained layers have other weights, and that raises two questions. Can learned weights undo
# uneven overlap? And does even overlap, such as $k=4$, $s=2$, guarantee a flat result? The answers are yes
# and no, and both follow from one linear condition on the kernel. This chapter writes that condition down,
# measures how small the set of kernels that meet it is, and then watches what gradient descent does when a
# transposed convolution learns to upsample photographs {cite}`odena2016deconvolution`.

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
from tutorial_utils import balance, book, data, metrics, plotting, runtime, upsampling

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = book.setup(SEED)  # figure style, seeds, device; prints the profile

import inspect

import matplotlib.pyplot as plt
import numpy as np
import torch.nn.functional as F
from IPython.display import Code
from torch import nn
from tqdm.auto import tqdm

# %% [markdown]
# ## Weights can cancel uneven overlap, and even overlap can fail
#
# Feed a transposed convolution a constant input and look at what comes out. With stride 2 and the kernel
# $[1, 1, 1]$, the outputs covered by two stamps get twice the value of those covered by one, the 2, 1, 2, 1
# of chapter 02. Now lower the outer taps to a half, $[\tfrac12, 1, \tfrac12]$: an output covered once
# receives the centre tap, 1, and an output covered twice receives one outer tap from each neighbouring stamp,
# $\tfrac12 + \tfrac12 = 1$. The light-dark-light kernel paints a flat line although its overlap is uneven.
#
# The converse fails too. With $k=4$ every output is covered by exactly two stamps, but if one tap is heavier,
# as in $[1, 1, 2, 1]$, the outputs that receive the heavy tap get $1 + 2 = 3$ and the others $1 + 1 = 2$.
# In 2D (kernels are outer products here) the same ratios are squared. The 2D outputs are drawn like chapter
# 02's counts: darker where more paint lands.

# %% tags=["pixel-figure"]
kernels = {
    "k=3 [1, 1, 1]": torch.tensor([1.0, 1.0, 1.0]),
    "k=3 [½, 1, ½]": torch.tensor([0.5, 1.0, 0.5]),
    "k=4 [1, 1, 1, 1]": torch.tensor([1.0, 1.0, 1.0, 1.0]),
    "k=4 [1, 1, 2, 1]": torch.tensor([1.0, 1.0, 2.0, 1.0]),
}
n_in = 8
fig, axes = plt.subplots(2, 4, figsize=(7.6, 4.2), gridspec_kw={"height_ratios": [1, 2]})
ratios = {}
for col, (name, w) in enumerate(kernels.items()):
    k = len(w)
    line = F.conv_transpose1d(torch.ones(1, 1, n_in), w.view(1, 1, k), stride=2)[0, 0]
    image = F.conv_transpose2d(
        torch.ones(1, 1, n_in, n_in), torch.outer(w, w).view(1, 1, k, k), stride=2
    )[0, 0]
    inner_1d, inner_2d = line[k:-k], image[k:-k, k:-k]  # away from the borders
    ratios[name] = (float(inner_1d.max() / inner_1d.min()), float(inner_2d.max() / inner_2d.min()))
    axes[0, col].bar(range(len(line)), line, color="0.4", width=0.8)
    axes[0, col].set_title(f"{name}\n1D: max/min {ratios[name][0]:g}")
    axes[0, col].set_xticks([])
    title = f"2D: max/min {ratios[name][1]:g}"
    plotting.show_counts(axes[1, col], image, title=title, vmax=float(image.max()), annotate=False)
plt.show()

# %% [markdown]
# Away from the borders, the uniform $k=3$ kernel is 2x uneven along a line and 4x on the image; the
# light-dark-light kernel and the uniform $k=4$ kernel are flat; the heavy-tap $k=4$ kernel is 1.5x uneven
# along a line and $1.5^2 = 2.25$x on the image.

# %% tags=["hide-input", "checks"]
assert ratios["k=3 [1, 1, 1]"] == (2.0, 4.0)
assert ratios["k=3 [½, 1, ½]"] == (1.0, 1.0)
assert ratios["k=4 [1, 1, 1, 1]"] == (1.0, 1.0)
assert ratios["k=4 [1, 1, 2, 1]"] == (1.5, 2.25)

# %% [markdown]
# ## The balance condition
#
# Why these four results? A 1D transposed convolution with stride $s$ and padding $P$ computes
#
# $$ y_m = \sum_i x_i \, w_{m + P - s i}, $$
#
# so output $m$ reads the taps $t = m + P - si$, all congruent to $m + P$ modulo $s$. For a constant input
# $x_i = c$, away from the borders every such tap is used exactly once:
#
# $$ y_m = c \, S_{(m+P) \bmod s}, \qquad S_a = \sum_{t \,\equiv\, a \ (\mathrm{mod}\ s)} w_t . $$
#
# The output is flat exactly when the $s$ **phase sums** $S_0, \dots, S_{s-1}$ are equal. Chapter 02's counts
# are the special case of all weights 1, where $S_a$ is the number of taps in phase $a$. The condition is linear
# in the kernel: $s - 1$ equations $S_a - S_0 = 0$, written as $A w = 0$ with one row of $A$ per phase $a \ne 0$
# (the indicator of phase $a$ minus that of phase 0). In 2D the phases are pairs $(a, b)$ and there are
# $s^2 - 1$ equations. `balance.phase_sums` and `balance.balance_constraints` compute $S$ and $A$. For
# $k=3$, $s=2$ the one equation reads $w_1 = w_0 + w_2$, which $[\tfrac12, 1, \tfrac12]$ satisfies; for $k=4$
# it reads $w_0 + w_2 = w_1 + w_3$, which $[1, 1, 2, 1]$ violates.
#
# Sugawara, Shiota and Kiya reached an equivalent condition for super-resolution networks, and built layers
# that meet it by construction {cite}`sugawara2019checkerboard`: a transposed convolution followed by a
# zero-order hold, the same fold that makes a nearest resize-convolution a transposed convolution (chapter 04).

# %% tags=["hide-input", "checks"]
A3 = balance.balance_constraints(3, 2)
A4 = balance.balance_constraints(4, 2)
print("A for k=3, s=2:", A3.tolist(), "  A for k=4, s=2:", A4.tolist())
for name, w in kernels.items():
    A = balance.balance_constraints(len(w), 2)
    balanced = bool(torch.allclose(A @ w.double(), torch.zeros(1, dtype=torch.float64)))
    sums = balance.phase_sums(w, 2)
    print(f"{name:18s} phase sums {sums.tolist()}  balanced: {balanced}")
    # the condition predicts the 1D picture: flat iff balanced, and max/min = ratio of phase sums
    assert balanced == (ratios[name][0] == 1.0)
    assert ratios[name][0] == float(sums.max() / sums.min())
    # ... and in 2D, where the phase sums of an outer product are products of 1D phase sums
    sums_2d = balance.phase_sums(torch.outer(w, w), 2)
    assert torch.allclose(sums_2d, torch.outer(sums, sums))
    assert ratios[name][1] == float(sums_2d.max() / sums_2d.min())

# %% [markdown]
# ### How much of kernel space is balanced?
#
# The balanced kernels are the null space of $A$: a linear subspace with fewer dimensions than the space of
# all kernels (how many fewer is in the box).
#
# ````{dropdown} The dimension of the balanced subspace
# The balanced kernels form a linear subspace of dimension $\text{numel} - \text{rank}(A)$.
# When $k \ge s$ every phase owns at least one tap, the rows of $A$ are independent, and the subspace has
# dimension $k - (s - 1)$ in 1D and $k^2 - (s^2 - 1)$ for a general $k \times k$ kernel in 2D. For a separable
# kernel $u v^\top$ the 2D phase sums are products of 1D ones, so (with non-zero sums) it is balanced exactly
# when both factors are: $2(k - s + 1) - 1$ free numbers, since a scale moves between the factors. The table
# computes the ranks and lists, for a few common sizes, the dimension of the balanced subspace next to the
# full dimension; the cell asserts the 1D and general 2D formulas for every $k \le 7$, $s \le 4$ with
# $k \ge s$ (the separable count is the formula above, listed, not checked).
#
# ```{glue:any} balanced_dimensions
# ```
# ````

# %% tags=["hide-input", "checks"]
rows = []
for s in range(1, 5):
    for k in range(s, 8):
        rank_1d = int(torch.linalg.matrix_rank(balance.balance_constraints(k, s))) if s > 1 else 0
        rank_2d = (
            int(torch.linalg.matrix_rank(balance.balance_constraints((k, k), s))) if s > 1 else 0
        )
        assert k - rank_1d == k - (s - 1)
        assert k * k - rank_2d == k * k - (s * s - 1)
        if (k, s) in {(3, 2), (4, 2), (5, 2), (3, 3), (4, 3), (6, 3), (5, 4)}:
            free = 2 * (k - s + 1) - 1
            rows.append([k, s, f"{k - rank_1d} of {k}", f"{k * k - rank_2d} of {k * k}", free])
header = ["k", "s", "balanced, 1D", "balanced, 2D general", "balanced separable (free numbers)"]
book.glue("balanced_dimensions", book.table(header, rows), display=False)

# %% [markdown]
# A subspace of lower dimension has zero volume: a kernel drawn at random is balanced with probability zero,
# however large $k$ is. How far from balanced is it? Let $P$ be the orthogonal projection onto the
# unbalanced directions (the row space of $A$, of dimension $s^2 - 1$). If the $k^2$ entries of a kernel $w$
# are independent, identically distributed and symmetric about zero, as PyTorch's default uniform
# initialisation is, then flipping the sign of one entry or swapping two entries does not change the
# distribution, so $E[w_i w_j / \lVert w \rVert^2]$ is $1/k^2$ for $i = j$ and 0 otherwise. The expected share
# of the energy outside the subspace is therefore exactly
#
# $$ E\left[\frac{\lVert P w \rVert^2}{\lVert w \rVert^2}\right] = \frac{\operatorname{tr} P}{k^2}
#    = \frac{s^2 - 1}{k^2}, $$
#
# a third for a $3 \times 3$ kernel with stride 2, $3/16$ for $4 \times 4$, whatever the distribution's shape
# (the entries need not be Gaussian). The cell measures the share (`balance.unbalanced_share`) on the 4,096
# kernels of a freshly initialised layer with 64 input and 64 output channels: the mean is within 0.015 of
# the expectation (the standard error of a mean of 4,096 shares is at most 0.004).

# %% tags=["hide-input", "checks"]
for name, k in (("deconv3", 3), ("deconv4", 4)):
    layer = upsampling.make_upsampler(name, 64, 64)
    share = balance.unbalanced_share(layer.weight, 2)
    stderr = float(share.std() / share.numel() ** 0.5)
    print(
        f"{name}: unbalanced share {share.mean():.3f} (expected {3 / k**2:.3f}, standard error"
        f" {stderr:.4f}); smallest of {share.numel()}: {share.min():.1e}"
    )
    gap = abs(float(share.mean()) - 3 / k**2)
    runtime.claim(f"{name}: mean unbalanced share off the expectation", gap, "<", 0.015)
    runtime.claim(f"{name}: standard error of the mean share", stderr, "<", 0.004)
    runtime.claim(
        f"{name}: smallest unbalanced share", float(share.min()), ">", 1e-6
    )  # none balanced

# %% [markdown]
# There is another way into the subspace than luck: build the constraint into the layer. Chapter 04 shows
# that nearest-neighbour upsampling followed by a $k$-tap convolution *is* a transposed convolution with
# $k + s - 1$ taps whose kernel is $F w$, a fixed 0/1 "fold" matrix $F$ applied to the $k$ free weights.
# Every output phase of that kernel contains each of the $k$ weights exactly once, so all phase sums equal
# $\sum_t w_t$: $A F = 0$. In 1D, $F$ has rank $k$ and the balanced subspace of $(k+s-1)$-tap kernels has
# dimension $(k + s - 1) - (s - 1) = k$, so the folded kernels are *all* the balanced kernels. In 2D the fold
# gives $k^2$ of the $(k+s-1)^2 - s^2 + 1$ dimensions: 9 of 13 for $k=3$, $s=2$.

# %% tags=["hide-input", "checks"]
for k, s in [(3, 2), (5, 2), (3, 3)]:
    fold = upsampling.fold_matrix(k, s).double()
    A = balance.balance_constraints(k + s - 1, s)
    assert torch.count_nonzero(A @ fold) == 0  # every folded kernel is balanced
    assert (
        int(torch.linalg.matrix_rank(fold)) == k == (k + s - 1) - int(torch.linalg.matrix_rank(A))
    )
fold_2d = torch.kron(
    upsampling.fold_matrix(3, 2), upsampling.fold_matrix(3, 2)
).double()  # on flat 3x3
A_2d = balance.balance_constraints((4, 4), 2)
assert torch.count_nonzero(A_2d @ fold_2d) == 0
assert (
    int(torch.linalg.matrix_rank(fold_2d)) == 9 and 16 - int(torch.linalg.matrix_rank(A_2d)) == 13
)
print("1D: folded kernels = balanced kernels; 2D (k=3, s=2): folded 9 of 13 balanced dimensions")

# %% [markdown]
# ## What learning does: upsampling photographs
#
# Balanced kernels exist, but does gradient descent find them? The experiment gives a small network a task
# where the right answer is free of any pattern: undo a 2×2 average pooling of natural photographs. The
# targets are 32×32 crops of scikit-image's bundled photographs, the inputs their 16×16 average-pooled
# versions, and the loss is the mean squared error. Each network is a 3×3 convolution to 32 channels, a ReLU,
# and a ×2 upsampling layer back to three colour channels, which is the last layer of a generator in
# miniature. The upsampling layer is a transposed convolution ($k=3$ or $k=4$, stride 2) or a
# resize-convolution (`ResizeConv2d`: nearest or bilinear resize, then a 3×3 convolution, the order in which
# SRCNN enlarged its inputs {cite}`dong2015srcnn`). Everything else is
# identical: initialisation seed, Adam with learning rate $3 \cdot 10^{-3}$, batches of 16, the same number
# of steps. The held-out crops come from the right quarter of every photograph, which no training crop
# touches. The cell also keeps each untrained network's output, to compare before and after.

# %%
steps = runtime.pick(600, 1200)
train = data.photo_crops(runtime.pick(1024, 4096), 32, seed=SEED, split="train").to(device)
test = data.photo_crops(runtime.pick(256, 1024), 32, seed=SEED + 1, split="test").to(device)
test_in = F.avg_pool2d(test, 2)
kinds = ("deconv3", "deconv4", "nearest", "bilinear")
nets, at_init = {}, {}
for kind in tqdm(kinds, desc="training"):
    torch.manual_seed(SEED)
    first = nn.Conv2d(3, 32, 3, padding=1)
    net = nn.Sequential(first, nn.ReLU(), upsampling.make_upsampler(kind, 32, 3)).to(device)
    with torch.no_grad():
        at_init[kind] = net(test_in)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    batches = torch.Generator().manual_seed(SEED)
    for _ in range(steps):
        crops = train[torch.randint(0, len(train), (16,), generator=batches)]
        loss = F.mse_loss(net(F.avg_pool2d(crops, 2)), crops)
        opt.zero_grad()
        loss.backward()
        opt.step()
    nets[kind] = net.eval()
with torch.no_grad():
    preds = {kind: nets[kind](test_in) for kind in kinds}

# %% [markdown]
# ### Measuring the grid: the checkerboard score
#
# To compare the networks we need a number for "how much of a period-2 grid is in these images". The book
# uses one throughout (`metrics.checkerboard_score`), built in three steps, which the figure follows for one
# held-out crop of typical contrast and its reconstruction by the $k=3$ transposed convolution *before*
# training, whose output is mostly grid (top: the photograph; bottom: the untrained network's output; red
# channel; both high-pass panels on one colour scale, and both tiles of phase means on another, with their
# values written in):
#
# 1. **high-pass**: subtract from each pixel the mean of its 3×3 neighbourhood (`metrics.high_pass`), which
#    removes the smooth content and keeps fine detail, and any grid;
# 2. **phase means**: split the residual into the four phases of the 2×2 grid (even or odd row, even or
#    odd column) and average each phase (`metrics.phase_means`): real detail has no preferred phase and
#    averages out, a grid does not;
# 3. **score**: the variance of the four phase means over the variance of the residual, averaged over
#    images and colour channels.
#
# In the package the three steps are the body of `metrics.channel_scores`, one score per image and channel,
# and `metrics.checkerboard_score` averages them:

# %%
Code(
    inspect.getsource(metrics.channel_scores)
    + "\n\n"
    + inspect.getsource(metrics.checkerboard_score),
    language="python",
)

# %% [markdown]
# A photograph scores near 0 and a pure ±1 checkerboard near 1. In the figure, the photograph's phase means
# are too small to see on the shared scale and it scores below 0.01; the untrained network paints a grid
# that the phase means catch, and scores above 0.15 (0.29 to 0.84 over the seeds swept). The 2×2 tile of
# phase means is the image's **fingerprint**; `metrics.checkerboard_amplitude` is the spread of that tile
# in pixel units, without the division by the detail, for when the size of the grid matters rather than its
# share.

# %% tags=["pixel-figure"]
typical = int(test.std(dim=(1, 2, 3)).argsort()[len(test) // 2])  # the crop of median contrast
examples = {
    "photograph": test[typical : typical + 1],
    "deconv3, untrained": at_init["deconv3"][typical : typical + 1],
}
# 1. the high-pass of the red channel; 2. its four phase means (one colour scale each, for both)
details = {name: metrics.high_pass(x[:, :1])[0, 0] for name, x in examples.items()}
tiles = {name: metrics.phase_means(d, 2) for name, d in details.items()}
detail_limit = max(float(d.abs().max()) for d in details.values())
tile_limit = max(float(t.abs().max()) for t in tiles.values())
demo_scores = {}
fig, axes = plt.subplots(2, 3, figsize=(6.6, 4.6))
for row, (name, x) in enumerate(examples.items()):
    demo_scores[name] = metrics.checkerboard_score(x[:, :1])  # 3. var(phase means) / var(high-pass)
    plotting.show_image(axes[row, 0], x[0], title=name, value_range=(-1, 1))
    plotting.show_signed(
        axes[row, 1], details[name], title="1. high-pass (red)", limit=detail_limit
    )
    title = f"2. phase means\n3. score {demo_scores[name]:.3f}"
    plotting.show_signed(axes[row, 2], tiles[name], limit=tile_limit, title=title)
    for (i, j), v in np.ndenumerate(tiles[name].cpu().numpy()):
        ink = "white" if abs(v) > 0.6 * tile_limit else "black"
        axes[row, 2].text(j, i, f"{v:+.3f}", ha="center", va="center", fontsize=9, color=ink)
plt.show()

# %% tags=["hide-input", "checks"]
runtime.claim("score of the example photograph", demo_scores["photograph"], "<", 0.01)
runtime.claim(
    "score of the untrained deconv3's output", demo_scores["deconv3, untrained"], ">", 0.15
)
for x in examples.values():  # the three steps by hand give the package's score
    detail = metrics.high_pass(x[:, :1].cpu().double())[0, 0]
    by_hand = metrics.phase_means(detail, 2).var(unbiased=False) / detail.var(unbiased=False)
    assert abs(float(by_hand) - metrics.checkerboard_score(x[:, :1])) < 1e-9
checkers = (torch.arange(32)[:, None] + torch.arange(32)) % 2 * 2.0 - 1  # a pure ±1 checkerboard
print(
    f"score of a ±1 checkerboard {metrics.checkerboard_score(checkers[None, None]):.3f}, "
    f"of the held-out photographs {metrics.checkerboard_score(test):.4f}"
)
assert metrics.checkerboard_score(checkers[None, None]) > 0.95  # exact: a fixed pattern
runtime.claim("score of the held-out photographs", metrics.checkerboard_score(test), "<", 0.01)

# %% [markdown]
# ### Scores before and after training
#
# The table scores all held-out crops. Every network learns the task: its held-out error is at least 15%
# below that of simply repeating each input pixel, and the four errors are within 25% of each other.
#
# At initialisation both transposed convolutions produce mostly pattern (scores above 0.5, against below 0.1
# for the resize-convolutions), and in this one-layer network the even overlap of $k=4$ does not make it
# clearly milder: the two scores are within 25% of each other. The difference appears with training, and it
# is the one the article reports for $k=4$ {cite}`odena2016deconvolution,dumoulin2016ali`: milder, not free of
# artifacts. On held-out crops the trained $k=3$ transposed convolution scores more than 3 times as high as
# the nearest resize-convolution; the $k=4$ one paints a weaker pattern than $k=3$ (a smaller amplitude, on
# every seed of the sweep), but still scores more than 2.5 times as high as the nearest resize-convolution.
# Its score relative to $k=3$'s is not asserted: from one seed to the next it ranged from less than half to
# about equal ({doc}`../book/how_sure` lists every claim's range). Both resize-convolutions stay below 10
# times the score of the photographs themselves.
#
# *Nearest or bilinear?* The article found nearest-neighbour resizing to work best and bilinear resizing to
# resist high frequencies. Here the two reach the same held-out error (within 10% of each other), and
# bilinear's outputs are smoother: they keep less fine detail (the energy of the high-pass, relative to that
# of the photographs, is at least {glue:text}`c03_detail_gap:.0%` below nearest's; longer training narrows the
# gap, so the full profile asserts less than the quick one). Nearest's score is more than twice
# bilinear's, a faint period-2 trace (likely of the 2×2 blocks that nearest resizing makes), yet still below
# 10 times the photographs' own, as above.

# %% tags=["hide-input"]
init_scores = {kind: metrics.checkerboard_score(out) for kind, out in at_init.items()}
scores = {kind: metrics.checkerboard_score(p) for kind, p in preds.items()}
amp = {kind: metrics.checkerboard_amplitude(p) for kind, p in preds.items()}
mse = {kind: F.mse_loss(p, test).item() for kind, p in preds.items()}
detail_energy = metrics.high_pass(test).square().mean()
kept = {
    kind: float(metrics.high_pass(p).square().mean() / detail_energy) for kind, p in preds.items()
}
repeat_mse = F.mse_loss(F.interpolate(test_in, scale_factor=2, mode="nearest"), test).item()
target = metrics.checkerboard_score(test)
rows = [
    [
        k,
        f"{mse[k]:.5f}",
        f"{init_scores[k]:.3f}",
        f"{scores[k]:.4f}",
        f"{amp[k]:.4f}",
        f"{kept[k]:.2f}",
    ]
    for k in kinds
]
rows.append(
    ["photographs", "", "", f"{target:.4f}", f"{metrics.checkerboard_amplitude(test):.4f}", "1.00"]
)
rows.append(["pixel repetition", f"{repeat_mse:.5f}", "", "", "", ""])
header = [
    "upsampler",
    "held-out MSE",
    "score at init",
    "score trained",
    "amplitude trained",
    "detail kept",
]
book.table(header, rows)

# %% tags=["hide-input", "checks"]
claim = runtime.claim
# "within x%" claims are claims on the distance from 1, so that their headroom means something
claim("best held-out MSE below pixel repetition's", 1 - max(mse.values()) / repeat_mse, ">", 0.15)
claim("worst over best held-out MSE, above 1", max(mse.values()) / min(mse.values()) - 1, "<", 0.25)
# at initialisation: both transposed convolutions mostly pattern, neither clearly milder
weaker = min(init_scores["deconv3"], init_scores["deconv4"])
claim("init score, weaker transposed convolution", weaker, ">", 0.5)
stronger = max(init_scores["nearest"], init_scores["bilinear"])
claim("init score, stronger resize-convolution", stronger, "<", 0.1)
init_ratio = init_scores["deconv4"] / init_scores["deconv3"]
claim("init score deconv4 / deconv3, distance from 1", abs(init_ratio - 1), "<", 0.25)
# trained: k=4 paints a weaker pattern than k=3, but is not free of it
claim("trained score deconv3 / nearest", scores["deconv3"] / scores["nearest"], ">", 3)
claim("trained amplitude deconv4 / deconv3", amp["deconv4"] / amp["deconv3"], "<", 1)
claim("trained score deconv4 / nearest", scores["deconv4"] / scores["nearest"], ">", 2.5)
resize = max(scores["nearest"], scores["bilinear"])
claim("trained resize score / photographs'", resize / target, "<", 10)
# nearest or bilinear: the same error, bilinear smoother, nearest a faint block trace
claim(
    "held-out MSE nearest / bilinear, distance from 1",
    abs(mse["nearest"] / mse["bilinear"] - 1),
    "<",
    0.1,  # 0.065 on one of seeds 0-6
)
smoother = 1 - kept["bilinear"] / kept["nearest"]
detail_gap = runtime.pick(0.15, 0.05)  # the full profile's longer training narrows the gap
book.glue("c03_detail_gap", detail_gap, display=False)  # the sentence above quotes it
claim("detail bilinear keeps less than nearest, share", smoother, ">", detail_gap)
claim("trained score nearest / bilinear", scores["nearest"] / scores["bilinear"], ">", 2)
print(
    "deconv4 / deconv3 score: at init",
    round(init_scores["deconv4"] / init_scores["deconv3"], 2),
    "trained",
    round(scores["deconv4"] / scores["deconv3"], 2),
)

# %% [markdown]
# ### Where the grid shows
#
# In a single photograph the grid is faint: it hides among the real details. The figure shows one held-out
# crop with the most contrast (its top-left 16×16 pixels) and the four reconstructions with their scores
# (top row), and under each its fingerprint, the 2×2 phase means of its high-passed red channel on one colour
# scale (middle row; the photograph's own, first, is what chance leaves on real detail). A flat patch of
# colour is a cleaner probe. Away from the borders the hidden features of a flat input are flat too, so
# whatever period-2 structure comes out is painted by the upsampling layer itself. The bottom row shows the
# fine detail (high-pass of the red channel) that each network paints on the same flat red patch, on one
# colour scale: the transposed convolutions paint a grid, the resize-convolutions nothing at all (below
# $10^{-5}$, rounding error).
#
# A resize-convolution cannot paint one, whatever its weights: resizing a flat image gives a flat image
# (nearest copies pixels; bilinear averages neighbours with weights that sum to one in every phase), and a
# stride-1 convolution of a flat image is flat. For nearest resizing this is the balanced folded kernel of
# the previous section; bilinear resizing has no fold (chapter 04), but its interpolation weights are
# balanced in the same sense. The transposed convolutions have to learn their balance, and the share of their
# kernels' energy outside the balanced subspace tells how far they got: training shrinks it (from about a
# third for $k=3$, and from $3/16$ for $k=4$, which stays the more balanced of the two), but does not bring
# it to zero.

# %% tags=["pixel-figure"]
# a flat red
flat = torch.tensor([0.8, -0.6, -0.6], device=device).view(1, 3, 1, 1).expand(1, 3, 16, 16)
with torch.no_grad():
    on_flat = {kind: nets[kind](flat)[..., 4:-4, 4:-4] for kind in kinds}  # away from the borders
flat_amp = {kind: metrics.checkerboard_amplitude(out) for kind, out in on_flat.items()}
flat_detail = {kind: metrics.high_pass(out)[0, 0, 2:10, 2:10] for kind, out in on_flat.items()}
limit = max(float(d.abs().max()) for d in flat_detail.values())
busy = int(test.std(dim=(1, 2, 3)).argmax())  # the held-out crop with the most contrast
shown = {"target": test[busy]} | {kind: preds[kind][busy] for kind in kinds}
tiles = {
    name: metrics.phase_means(metrics.high_pass(x[None, :1]), 2)[0, 0] for name, x in shown.items()
}
tile_limit = max(float(t.abs().max()) for t in tiles.values())

fig, axes = plt.subplots(3, 5, figsize=(7.6, 5.5))
for col, (name, x) in enumerate(shown.items()):
    title = name if name == "target" else f"{name}\nscore {scores[name]:.3f}"
    plotting.show_image(axes[0, col], x[:, :16, :16], title=title, value_range=(-1, 1))
    plotting.show_signed(axes[1, col], tiles[name], limit=tile_limit, title="fingerprint")
plotting.show_image(axes[2, 0], flat[0, :, :8, :8], title="flat red input", value_range=(-1, 1))
for col, kind in enumerate(kinds, start=1):
    plotting.show_signed(axes[2, col], flat_detail[kind], limit=limit, title="detail on flat red")
fig.tight_layout()
book.glue("learned_grid", fig)  # shown here, at the top of the chapter, and in the introduction

# %% tags=["hide-input", "checks"]
print("grid amplitude on flat red:", ", ".join(f"{k} {v:.0e}" for k, v in flat_amp.items()))
assert flat_amp["nearest"] < 1e-5 and flat_amp["bilinear"] < 1e-5
runtime.claim(
    "grid on flat red, transposed / resize (floor 1e-7)",
    min(flat_amp["deconv3"], flat_amp["deconv4"])
    / max(flat_amp["nearest"], flat_amp["bilinear"], 1e-7),
    ">",
    100,
)
shares = {}
for kind in ("deconv3", "deconv4"):
    torch.manual_seed(SEED)
    # draw the first layer, as in training, so the upsampler is the same
    nn.Conv2d(3, 32, 3, padding=1)
    init_share = balance.unbalanced_share(upsampling.make_upsampler(kind, 32, 3).weight).mean()
    shares[kind] = float(balance.unbalanced_share(nets[kind][2].weight).mean())
    print(
        f"{kind}: unbalanced share of kernel energy {init_share:.3f} at init,"
        f" {shares[kind]:.3f} trained"
    )
    runtime.claim(f"{kind}: trained unbalanced share", shares[kind], ">", 0.01)
    runtime.claim(f"{kind}: trained unbalanced share / at init", shares[kind] / init_share, "<", 1)
runtime.claim(
    "trained unbalanced share deconv4 / deconv3", shares["deconv4"] / shares["deconv3"], "<", 1
)

# %% [markdown]
# ## Strong colours
#
# The article observes that the pattern is worst in images with strong colours, and explains it with the
# bias: a layer can produce the average colour through its bias, so the further a colour lies from it, the
# more the transposed convolution's kernel has to contribute, and any imbalance in the kernel grows with
# that contribution {cite}`odena2016deconvolution`. The trained networks test this directly. The input is a
# flat patch of one colour; the colours start at the mean colour of the training crops and move away from it
# in equal steps towards each of the eight corners of the colour cube (black, white, and the six saturated
# colours red, green, blue and their mixtures), up to the distance of the nearest corner. For each patch the
# figure plots the amplitude of the grid that the network paints (`metrics.checkerboard_amplitude`, away from
# the borders) against the colour's distance from the mean, one line per direction, drawn in that direction's
# colour (white drawn light grey); the thick dashed line is the mean over the six saturated directions.
#
# The claim holds for colour, not for brightness. Towards the six saturated colours the grid grows with the
# distance, for both transposed convolutions: at the farthest step it is more than 3 times its size at the
# mean colour, and more than 4 times the size it reaches towards black and white at the same distance, where
# it grows little or not at all. A likely reason: the photographs vary in brightness far more than in colour
# (more than 70% of the training pixels' variance lies along the grey axis), so brightness is what the network
# has had most practice keeping balanced. The resize-convolutions paint no grid on any of the patches (below
# $10^{-5}$).

# %%
mean_colour = train.mean(dim=(0, 2, 3)).cpu()
corners = torch.cartesian_prod(*[torch.tensor([-1.0, 1.0])] * 3)  # the 8 corners of the colour cube
distances = torch.linspace(0, float((corners - mean_colour).norm(dim=1).min()), 8)
# (step, corner, 3)
colours = mean_colour + distances[:, None, None] * F.normalize(corners - mean_colour, dim=1)
patches = colours.reshape(-1, 3, 1, 1).expand(-1, 3, 16, 16).to(device)
grid_amp = {}
with torch.no_grad():
    for kind in kinds:
        out = nets[kind](patches)[..., 4:-4, 4:-4]  # away from the borders
        grid_amp[kind] = torch.tensor([metrics.checkerboard_amplitude(o[None]) for o in out]).view(
            8, 8
        )
saturated = [i for i, c in enumerate(corners) if c.min() < c.max()]  # all but black and white
grey = [i for i in range(8) if i not in saturated]

fig, axes = plt.subplots(1, 2, figsize=(7.6, 3), sharey=True)
for ax, kind in zip(axes, ("deconv3", "deconv4"), strict=True):
    for i, corner in enumerate(corners):
        colour = (
            ((corner + 1) / 2).clamp(max=0.8).tolist() if i in grey else ((corner + 1) / 2).tolist()
        )
        ax.plot(distances, grid_amp[kind][:, i], "o-", color=colour, markersize=3, linewidth=1)
    mean_line = grid_amp[kind][:, saturated].mean(1)
    ax.plot(
        distances, mean_line, "--", color="0.45", linewidth=2.5, label="mean of the six saturated"
    )
    ax.set_title(kind)
    ax.set_xlabel("colour distance from the training mean")
axes[0].set_ylabel("grid amplitude")
axes[0].legend()
plt.show()

# %% tags=["hide-input", "checks"]
for kind in ("deconv3", "deconv4"):
    towards_colour = grid_amp[kind][:, saturated].mean(1)
    towards_grey = grid_amp[kind][:, grey].mean(1)
    growth, versus_grey = (
        float(towards_colour[-1] / towards_colour[0]),
        float(towards_colour[-1] / towards_grey[-1]),
    )
    print(
        f"{kind}: grid amplitude {towards_colour[0]:.3f} at the mean colour,"
        f" {towards_colour[-1]:.3f} ({growth:.1f}x) towards saturated,"
        f" {versus_grey:.1f}x that towards grey"
    )
    runtime.claim(f"{kind}: grid growth towards saturated colours", growth, ">", 3)
    runtime.claim(f"{kind}: grid towards saturated / towards grey", versus_grey, ">", 4)
for kind in ("nearest", "bilinear"):
    assert float(grid_amp[kind].max()) < 1e-5
pixels = (train - train.mean(dim=(0, 2, 3), keepdim=True)).transpose(0, 1).flatten(1)  # (3, pixels)
# variance along (1, 1, 1) / √3
grey_share = float(pixels.sum(0).var() / 3 / pixels.var(dim=1).sum())
print(f"share of the training pixels' variance along the grey axis: {grey_share:.2f}")
runtime.claim("share of the pixels' variance along the grey axis", grey_share, ">", 0.7)

# %% tags=["remove-cell"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
book.glue_numbers(
    c03_trained_deconv3_over_nearest=scores["deconv3"] / scores["nearest"],
    c03_trained_deconv4_over_nearest=scores["deconv4"] / scores["nearest"],
    # the conclusion's decision table: held-out scores after training, over the photographs'
    c03_trained_deconv3_over_photos=scores["deconv3"] / target,
    c03_trained_deconv4_over_photos=scores["deconv4"] / target,
    c03_trained_nearest_over_photos=scores["nearest"] / target,
    c03_trained_bilinear_over_photos=scores["bilinear"] / target,
)

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - A transposed convolution paints a flat input flat exactly when its kernel is **balanced**: every stride
#   phase sums to the same value. Weights can cancel uneven overlap ($[\tfrac12, 1, \tfrac12]$), and even
#   overlap does not protect against a heavy tap ($[1, 1, 2, 1]$).
# - A random kernel is never balanced: on average $(s^2 - 1)/k^2$ of its energy, a third for a 3×3 kernel
#   with stride 2, lies outside the balanced subspace.
# - Trained to upsample photographs, transposed convolutions shrink their imbalance but keep a grid: more than
#   2.5 times the checkerboard score of a resize-convolution trained the same way, for $k=4$ as for $k=3$, and
#   stronger on saturated colours. A resize-convolution cannot paint a grid on a flat patch at all; chapter 04
#   builds it as a fast layer.
# ```
