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
# Chapter 02 counted stamps with every weight set to 1, which describes a transposed convolution before it has
# learned anything. Trained layers have other weights, and that raises two questions. Can learned weights undo
# uneven overlap? And does even overlap, such as $k=4$, $s=2$, guarantee a flat result? The answers are yes
# and no, and both follow from one linear condition on the kernel. This chapter writes that condition down,
# measures how small the set of kernels that meet it is, and then watches what gradient descent does when a
# transposed convolution learns to upsample photographs {cite}`odena2016deconvolution`.

# %%
# Setup. In Colab, install the book's helper package from the repository; everywhere, one call applies the
# figure style, seeds everything, picks the device and says which profile runs. Nothing else is downloaded.
import sys

REPO = "https://github.com/checkerboard-book/checkerboard"
if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"tutorial_utils @ git+{REPO}"], check=True)

import torch
from tutorial_utils import balance, data, metrics, plotting, runtime, upsampling

SEED = 0
device = runtime.setup(SEED)  # figure style, seeds, device; prints the profile

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch.nn.functional as F
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
# In 2D (kernels are outer products here) the same ratios are squared.

# %%
kernels = {
    "k=3 [1, 1, 1]": torch.tensor([1.0, 1.0, 1.0]),
    "k=3 [½, 1, ½]": torch.tensor([0.5, 1.0, 0.5]),
    "k=4 [1, 1, 1, 1]": torch.tensor([1.0, 1.0, 1.0, 1.0]),
    "k=4 [1, 1, 2, 1]": torch.tensor([1.0, 1.0, 2.0, 1.0]),
}
n_in = 8
fig, axes = plt.subplots(2, 4, figsize=(8, 3.8), gridspec_kw={"height_ratios": [1, 2]})
ratios = {}
for col, (name, w) in enumerate(kernels.items()):
    k = len(w)
    line = F.conv_transpose1d(torch.ones(1, 1, n_in), w.view(1, 1, k), stride=2)[0, 0]
    image = F.conv_transpose2d(torch.ones(1, 1, n_in, n_in), torch.outer(w, w).view(1, 1, k, k), stride=2)[0, 0]
    inner_1d, inner_2d = line[k:-k], image[k:-k, k:-k]  # away from the borders
    ratios[name] = (float(inner_1d.max() / inner_1d.min()), float(inner_2d.max() / inner_2d.min()))
    axes[0, col].bar(range(len(line)), line, color="0.4", width=0.8)
    axes[0, col].set_title(name)
    axes[0, col].set_xticks([])
    plotting.show_image(axes[1, col], image / image.max(), title=f"2D: max/min {ratios[name][1]:g}")
plt.show()
print({name: r for name, r in ratios.items()})

# %% [markdown]
# Away from the borders, the uniform $k=3$ kernel is 2x uneven along a line and 4x on the image; the
# light-dark-light kernel and the uniform $k=4$ kernel are flat; the heavy-tap $k=4$ kernel is 1.5x uneven
# along a line and $1.5^2 = 2.25$x on the image.

# %%
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

# %%
A3 = balance.balance_constraints(3, 2)
A4 = balance.balance_constraints(4, 2)
print("A for k=3, s=2:", A3.tolist(), "  A for k=4, s=2:", A4.tolist())
for name, w in kernels.items():
    A = balance.balance_constraints(len(w), 2)
    balanced = bool(torch.allclose(A @ w.double(), torch.zeros(1, dtype=torch.float64)))
    sums = balance.phase_sums(w, 2)
    print(f"{name:18s} phase sums {sums.tolist()}  balanced: {balanced}")
    # the condition predicts the 1D picture exactly: flat iff balanced, and max/min is the ratio of phase sums
    assert balanced == (ratios[name][0] == 1.0)
    assert ratios[name][0] == float(sums.max() / sums.min())
    # ... and in 2D, where the phase sums of an outer product are products of 1D phase sums
    sums_2d = balance.phase_sums(torch.outer(w, w), 2)
    assert torch.allclose(sums_2d, torch.outer(sums, sums))
    assert ratios[name][1] == float(sums_2d.max() / sums_2d.min())

# %% [markdown]
# ### How much of kernel space is balanced?
#
# The balanced kernels are the null space of $A$, a linear subspace of dimension $\text{numel} - \text{rank}(A)$.
# When $k \ge s$ every phase owns at least one tap, the rows of $A$ are independent, and the subspace has
# dimension $k - (s - 1)$ in 1D and $k^2 - (s^2 - 1)$ for a general $k \times k$ kernel in 2D. For a separable
# kernel $u v^\top$ the 2D phase sums are products of 1D ones, so (with non-zero sums) it is balanced exactly
# when both factors are: $2(k - s + 1) - 1$ free numbers, since a scale moves between the factors. The table
# computes the ranks and lists, for a few common sizes, the dimension of the balanced subspace next to the
# full dimension; the cell asserts the formulas for every $k \le 7$, $s \le 4$ with $k \ge s$.

# %%
rows = []
for s in range(1, 5):
    for k in range(s, 8):
        rank_1d = int(torch.linalg.matrix_rank(balance.balance_constraints(k, s))) if s > 1 else 0
        rank_2d = int(torch.linalg.matrix_rank(balance.balance_constraints((k, k), s))) if s > 1 else 0
        assert k - rank_1d == k - (s - 1)
        assert k * k - rank_2d == k * k - (s * s - 1)
        if (k, s) in {(3, 2), (4, 2), (5, 2), (3, 3), (4, 3), (6, 3), (5, 4)}:
            rows.append([k, s, f"{k - rank_1d} of {k}", f"{k * k - rank_2d} of {k * k}", 2 * (k - s + 1) - 1])
plotting.table(["k", "s", "balanced, 1D", "balanced, 2D general", "balanced separable (free numbers)"], rows)

# %% [markdown]
# A subspace of lower dimension has zero volume: a kernel drawn at random is balanced with probability zero,
# however large $k$ is. How far from balanced is it? For a kernel with independent, identically distributed
# entries (PyTorch's default initialisation), the expected share of its energy that lies outside the
# subspace is the codimension over the dimension, $(s^2 - 1)/k^2$: a third for a $3 \times 3$ kernel with
# stride 2, $3/16$ for $4 \times 4$. The cell measures it (`balance.unbalanced_share`) on the kernels of
# freshly initialised layers with 64 input and 64 output channels.

# %%
for name, k in (("deconv3", 3), ("deconv4", 4)):
    layer = upsampling.make_upsampler(name, 64, 64)
    share = balance.unbalanced_share(layer.weight, 2)
    print(f"{name}: mean share of kernel energy outside the balanced subspace {share.mean():.3f}"
          f" (expected {3 / k**2:.3f}); smallest of {share.numel()} kernels {share.min():.1e}")
    assert abs(float(share.mean()) - 3 / k**2) < 0.02
    assert float(share.min()) > 1e-6  # no random kernel is balanced

# %% [markdown]
# There is another way into the subspace than luck: build the constraint into the layer. Chapter 04 shows
# that nearest-neighbour upsampling followed by a $k$-tap convolution *is* a transposed convolution with
# $k + s - 1$ taps whose kernel is $F w$, a fixed 0/1 "fold" matrix $F$ applied to the $k$ free weights.
# Every output phase of that kernel contains each of the $k$ weights exactly once, so all phase sums equal
# $\sum_t w_t$: $A F = 0$. In 1D, $F$ has rank $k$ and the balanced subspace of $(k+s-1)$-tap kernels has
# dimension $(k + s - 1) - (s - 1) = k$, so the folded kernels are *all* the balanced kernels. In 2D the fold
# gives $k^2$ of the $(k+s-1)^2 - s^2 + 1$ dimensions: 9 of 13 for $k=3$, $s=2$.

# %%
for k, s in [(3, 2), (5, 2), (3, 3)]:
    fold = upsampling.fold_matrix(k, s).double()
    A = balance.balance_constraints(k + s - 1, s)
    assert torch.count_nonzero(A @ fold) == 0  # every folded kernel is balanced
    assert int(torch.linalg.matrix_rank(fold)) == k == (k + s - 1) - int(torch.linalg.matrix_rank(A))
fold_2d = torch.kron(upsampling.fold_matrix(3, 2), upsampling.fold_matrix(3, 2)).double()  # acts on flattened 3x3
A_2d = balance.balance_constraints((4, 4), 2)
assert torch.count_nonzero(A_2d @ fold_2d) == 0
assert int(torch.linalg.matrix_rank(fold_2d)) == 9 and 16 - int(torch.linalg.matrix_rank(A_2d)) == 13
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
# resize-convolution (`ResizeConv2d`: nearest or bilinear resize, then a 3×3 convolution). Everything else is
# identical: initialisation seed, Adam with learning rate $3 \cdot 10^{-3}$, batches of 16, the same number
# of steps. The held-out crops come from the right quarter of every photograph, which no training crop
# touches.
#
# The same cell also trains the $k=3$ transposed convolution on targets multiplied by a gain (0.25, 0.5
# and 2, inputs unchanged) for the last section.

# %%
steps = runtime.pick(600, 1200)
train = data.photo_crops(runtime.pick(1024, 4096), 32, seed=SEED, split="train").to(device)
test = data.photo_crops(runtime.pick(256, 1024), 32, seed=SEED + 1, split="test").to(device)
test_in = F.avg_pool2d(test, 2)
kinds = ("deconv3", "deconv4", "nearest", "bilinear")
runs = [(kind, 1.0) for kind in kinds] + [("deconv3", g) for g in (0.25, 0.5, 2.0)]
nets = {}
for kind, gain in tqdm(runs, desc="training"):
    torch.manual_seed(SEED)
    net = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), upsampling.make_upsampler(kind, 32, 3)).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    batches = torch.Generator().manual_seed(SEED)
    for step in range(steps):
        crops = train[torch.randint(0, len(train), (16,), generator=batches)]
        loss = F.mse_loss(net(F.avg_pool2d(crops, 2)), gain * crops)
        opt.zero_grad()
        loss.backward()
        opt.step()
    nets[kind, gain] = net.eval()

with torch.no_grad():
    preds = {kind: nets[kind, 1.0](test_in) for kind in kinds}
scores = {kind: metrics.checkerboard_score(p) for kind, p in preds.items()}
scores["target"] = metrics.checkerboard_score(test)
mse = {kind: F.mse_loss(p, test).item() for kind, p in preds.items()}
plotting.table(["upsampler", "held-out MSE", "checkerboard score"],
               [[k, f"{mse[k]:.4f}" if k in mse else "", f"{scores[k]:.4f}"] for k in (*kinds, "target")])

# %% [markdown]
# Every network learns the task: its held-out error is at least 15% below that of simply repeating each
# input pixel, and the four errors are within 25% of each other. But the transposed convolutions leave a pattern
# behind. On held-out crops the $k=3$ transposed convolution scores several times higher than the nearest
# resize-convolution (the cell asserts a factor of 3), and the $k=4$ one, whose overlap is even, still at
# least twice as high. Both resize-convolutions stay below 10 times the score of the photographs themselves.

# %%
repeat_mse = F.mse_loss(F.interpolate(test_in, scale_factor=2, mode="nearest"), test).item()
print(f"MSE of plain pixel repetition {repeat_mse:.4f}; scores {({k: round(v, 4) for k, v in scores.items()})}")
assert all(m < 0.85 * repeat_mse for m in mse.values())
assert max(mse.values()) < 1.25 * min(mse.values())
assert scores["deconv3"] > 3 * scores["nearest"]
assert scores["deconv4"] > 2 * scores["nearest"]
assert max(scores["nearest"], scores["bilinear"]) < 10 * scores["target"]

# %% [markdown]
# In a single photograph the grid is faint: it hides among the real details (top row of the figure: one held-out
# crop with the most contrast, its top-left 16×16 pixels, and the four reconstructions with their scores). A
# flat patch of colour is a cleaner probe. Away from the borders the hidden features of a flat input are flat
# too, so whatever period-2 structure comes out is painted by the upsampling layer itself. The bottom row shows
# the fine detail (high-pass of the red channel) that each network paints on the same flat red patch, on one
# colour scale: the transposed convolutions paint a grid, the resize-convolutions nothing at all (below
# $10^{-5}$, rounding error). A resize-convolution cannot paint one, whatever its weights, because its folded
# kernel is balanced by construction. The transposed convolutions have to learn their balance, and the share of
# their kernels' energy outside the balanced subspace tells how far they got: training shrinks it (from about a
# third for $k=3$), but does not bring it to zero.

# %%
flat = torch.tensor([0.8, -0.6, -0.6], device=device).view(1, 3, 1, 1).expand(1, 3, 16, 16)  # a flat red
with torch.no_grad():
    on_flat = {kind: nets[kind, 1.0](flat)[..., 4:-4, 4:-4] for kind in kinds}  # away from the borders
flat_amp = {kind: metrics.checkerboard_amplitude(out) for kind, out in on_flat.items()}
flat_detail = {kind: metrics.high_pass(out)[0, 0, 2:10, 2:10] for kind, out in on_flat.items()}
limit = max(float(d.abs().max()) for d in flat_detail.values())

fig, axes = plt.subplots(2, 5, figsize=(9, 3.9))
busy = int(test.std(dim=(1, 2, 3)).argmax())  # the held-out crop with the most contrast
plotting.show_image(axes[0, 0], test[busy, :, :16, :16], title="target")
plotting.show_image(axes[1, 0], flat[0, :, :8, :8], title="flat red input")
for col, kind in enumerate(kinds, start=1):
    plotting.show_image(axes[0, col], preds[kind][busy, :, :16, :16], title=f"{kind}\nscore {scores[kind]:.3f}")
    plotting.show_signed(axes[1, col], flat_detail[kind], limit=limit, title="detail on flat red")
plotting.glue("learned_grid", fig)  # shown here, and in the introduction's gallery

print("pattern amplitude on the flat patch:", {k: f"{v:.1e}" for k, v in flat_amp.items()})
assert flat_amp["nearest"] < 1e-5 and flat_amp["bilinear"] < 1e-5
assert min(flat_amp["deconv3"], flat_amp["deconv4"]) > 100 * max(flat_amp["nearest"], flat_amp["bilinear"], 1e-7)

for kind, k in (("deconv3", 3), ("deconv4", 4)):
    torch.manual_seed(SEED)
    init_share = balance.unbalanced_share(upsampling.make_upsampler(kind, 32, 3).weight).mean()
    trained_share = balance.unbalanced_share(nets[kind, 1.0][2].weight).mean()
    print(f"{kind}: unbalanced share of kernel energy {init_share:.3f} at init -> {trained_share:.3f} trained")
    assert 0.01 < trained_share < init_share

# %% [markdown]
# ## Strong colours need large contributions
#
# A transposed convolution paints each output as a sum of kernel-weighted stamps. To paint a bright,
# saturated value it needs large stamps, so large weights; and an imbalance between the phase sums is a
# *fraction* of those weights, so it grows with them. The experiment isolates this: the same network, the same
# inputs, but targets multiplied by a gain $g$ between 0.25 (washed-out, low-contrast colours) and 2 (colours
# beyond the photographs' range). To reach them the network must contribute $g$ times more, and part of
# that falls to the transposed convolution's weights.
#
# The left panel shows the norm of the trained transposed-convolution kernel and the *amplitude* of the period-2
# pattern in the held-out outputs, in pixel units (`metrics.checkerboard_amplitude`: the spread of the four
# phase means of the high-passed images). Both grow with the gain: the kernel norm with every doubling, the
# pattern amplitude overall (training noise can swap two neighbouring gains), by more than three times from
# $g = 0.25$ to $g = 2$. The relative score does not grow (it falls), because the image content grows by the
# full factor $g$ and the pattern by less: in busy regions the content still hides the grid. Flat regions have
# nothing to hide it: the right panels feed the same flat red patch to the four networks (trained at $g$ = 0.25,
# 0.5, 1 and 2) and show the fine detail of the red channel, on one colour scale. The network that learned to
# produce the strongest colours paints the strongest grid.

# %%
gains = (0.25, 0.5, 1.0, 2.0)
amplitude, weight_norm, gain_score = [], [], []
painted = []
with torch.no_grad():
    for g in gains:
        out = nets["deconv3", g](test_in)
        amplitude.append(metrics.checkerboard_amplitude(out))
        gain_score.append(metrics.checkerboard_score(out))
        weight_norm.append(float(nets["deconv3", g][2].weight.norm()))
        painted.append(nets["deconv3", g](flat)[..., 4:-4, 4:-4])
flat_amp_by_gain = [metrics.checkerboard_amplitude(p) for p in painted]

detail = torch.cat([metrics.high_pass(p)[:, 0, :8, :8] for p in painted])  # red channel's fine detail, 8x8
fig = plt.figure(figsize=(9, 2.4))
grid = fig.add_gridspec(1, 6)
ax = fig.add_subplot(grid[0, :2])
ax.plot(gains, np.array(amplitude) / amplitude[0], "o-", label="pattern amplitude")
ax.plot(gains, np.array(weight_norm) / weight_norm[0], "s--", label="kernel norm")
ax.set_xscale("log", base=2)
ax.set_xlabel("target gain g")
ax.set_ylabel("relative to g = 0.25")
ax.legend()
for i, (g, d) in enumerate(zip(gains, detail)):
    plotting.show_signed(fig.add_subplot(grid[0, 2 + i]), d, limit=float(detail.abs().max()), title=f"g = {g:g}")
plt.show()
print("gain", gains, "\namplitude", np.round(amplitude, 4), "\nkernel norm", np.round(weight_norm, 2),
      "\nscore", np.round(gain_score, 3), "\npattern amplitude on the flat red patch", np.round(flat_amp_by_gain, 4))

# %% [markdown]
# The cell checks each statement: the kernel norm grows with every doubling of the gain, the pattern amplitude
# is largest at $g = 2$ and more than 3x its value at $g = 0.25$, the relative score at $g = 2$ is no higher
# than at $g = 0.25$ (with a 20% margin), and on the flat patch the $g = 2$ network paints a grid more than
# twice as strong as the $g = 0.25$ one.

# %%
assert all(b > a for a, b in zip(weight_norm, weight_norm[1:]))
assert amplitude[-1] == max(amplitude)
assert amplitude[-1] > 3 * amplitude[0]
assert gain_score[-1] < 1.2 * gain_score[0]
assert flat_amp_by_gain[-1] > 2 * flat_amp_by_gain[0]

# %% [markdown]
# ## Summary
#
# - A transposed convolution paints a constant input flat exactly when its kernel is **balanced**: every
#   stride phase of the kernel sums to the same value. Uneven overlap can be cancelled by weights
#   ($[\tfrac12, 1, \tfrac12]$), and even overlap does not protect against a heavy tap ($[1, 1, 2, 1]$).
# - The balanced kernels form a linear subspace of codimension $s - 1$ per dimension ($s^2 - 1$ for a 2D
#   kernel): zero volume, so a random kernel is never balanced, and a third of a random $3 \times 3$ kernel's
#   energy points away from it.
# - Trained to upsample photographs, transposed convolutions reduce their imbalance but keep a measurable
#   grid, several times stronger than a resize-convolution trained the same way. Resize-convolutions are
#   balanced by construction (their folded kernels lie in the subspace), which chapter 04 turns into a fast
#   layer.
# - The grid's amplitude scales with the contributions the layer has to make: strong, saturated colours
#   bring out a stronger pattern.
