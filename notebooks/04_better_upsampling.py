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
# # 04 · Better upsampling
#
# ```{glue:figure} subpixel_init
# One sample of four 64×64 generators with sub-pixel upsampling, before any training (top: a 16×16 corner),
# and the fine detail they all share (bottom). Plain sub-pixel convolution starts with a grid; ICNR with a
# tied bias starts clean; untying the bias brings the grid back.
# ```
#
# **In this chapter you will learn**
# - why nearest resize-convolution cannot paint a grid on a flat input: it is a transposed convolution whose
#   kernel is folded to be balanced, and it costs no more than one;
# - that sub-pixel convolution is a transposed convolution too, and only as good as its initialisation;
# - what each upsampler costs in parameters and multiply-adds, and how much pattern it starts with.
#
# Chapter 03 ended with a diagnosis: a transposed convolution has to *learn* to keep its output phases in
# balance, and in practice it never quite does. The remedy the article proposes is to separate the two jobs
# of the layer: first resize the image (nearest-neighbour or bilinear), then convolve it with a stride of 1
# {cite}`odena2016deconvolution`. Sub-pixel convolution {cite}`shi2016subpixel` is often named as a third
# option; the article notes that it is a transposed convolution in disguise, one whose kernel size is divisible
# by the stride, and with the right initialisation {cite}`aitken2017icnr` it is a good one.
#
# This chapter looks at the three operators as matrices, shows that nearest resize-convolution is itself a
# transposed convolution with a tied kernel (and uses that to make it as cheap as one), shows that sub-pixel
# convolution is a transposed convolution too and takes apart its initialisation, deals with the borders, and
# closes with one table of cost against artifacts for every upsampler in the book, which answers two questions
# practitioners keep asking: is resize-convolution slower, and nearest or bilinear?

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
from tutorial_utils import book, matrices, metrics, models, plotting, runtime, upsampling

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = book.setup(SEED)  # figure style, seeds, device; prints the profile

# %% tags=["hide-input", "setup"]
import inspect
import math
import statistics
import textwrap
import time

import matplotlib.pyplot as plt
import numpy as np
import torch.nn.functional as F
from IPython.display import Code
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

# %% [markdown]
# ## Three upsamplers as matrices
#
# Every upsampler here is linear (before its bias), so it has a matrix: column $i$ is the output for the $i$-th
# unit input (`matrices.operator_matrix`). In 1D, with one channel and 8 inputs, the matrices are 16 × 8 and
# small enough to read. All three use three weights, $w = [a, b, c] = [0.3, 1, 0.6]$:
#
# - **transposed convolution** with $k=3$, stride 2 (the `deconv3` layer of the generators): even outputs
#   read one weight, odd outputs read two;
# - **nearest resize-convolution**: repeat every input twice, then convolve with $w$;
# - **bilinear resize-convolution**: interpolate linearly, then convolve with $w$.

# %%
w = torch.tensor([0.3, 1.0, 0.6], dtype=torch.float64)
kernel = w.view(1, 1, 3)
operators = {
    "transposed conv k3, s2": lambda x: F.conv_transpose1d(
        x, kernel, stride=2, padding=1, output_padding=1
    ),
    "nearest resize-conv": lambda x: F.conv1d(F.interpolate(x, scale_factor=2), kernel, padding=1),
    "bilinear resize-conv": lambda x: F.conv1d(
        F.interpolate(x, scale_factor=2, mode="linear", align_corners=False), kernel, padding=1
    ),
}
mats = {
    name: matrices.operator_matrix(fn, (1, 8), dtype=torch.float64)
    for name, fn in operators.items()
}

fig, axes = plt.subplots(1, 3, figsize=(7.6, 6.4))
for ax, (name, m) in zip(axes, mats.items(), strict=True):
    plotting.show_signed(
        ax, m, title=name.replace(" resize", "\nresize").replace(", s2", ",\ns2"), limit=1.6
    )
    for (r, c), v in np.ndenumerate(m.numpy()):
        if abs(v) > 1e-12:
            colour = "white" if abs(v) > 1 else "black"
            ax.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=7.5, color=colour)
    # the row sums, the operator's response to a flat input, in a column of their own
    ax.text(8.6, -1.0, "sum", ha="left", va="center", fontsize=8, fontweight="bold")
    for r, total in enumerate(m.sum(1).tolist()):
        ax.text(8.6, r, f"{total:.2g}", ha="left", va="center", fontsize=8, fontweight="bold")
    ax.set_xlabel("input")
axes[0].set_ylabel("output")
fig.subplots_adjust(left=0.05, right=0.95, wspace=0.5)
plt.show()

# %% [markdown]
# Read the rows; the bold column beside each matrix is their sums, the output for a flat input of
# ones. All three matrices repeat themselves every two rows, shifted by one column: that is only
# translation equivariance, true of any layer with stride 2, so it cannot be what makes one operator better
# than another (the cell checks it for all three, the transposed convolution included). The difference is in
# the numbers inside the rows. In the transposed convolution, even rows hold the single weight $b = 1$ and odd
# rows the pair $(c, a)$: three free numbers, and the row sums alternate between $b$ and $a + c$, an uneven
# operator unless $b = a + c$ (chapter 03's balance condition). In the nearest resize-convolution the even rows
# hold $(a, b + c)$ and the odd rows $(a + b, c)$: four numbers made from three weights, *tied* so that both
# kinds of rows sum to $a + b + c$ whatever the weights are. That tie is the check that tells the operators
# apart: for 100 random weight vectors the nearest operator's two kinds of rows always have equal sums and
# the transposed convolution's never do. The bilinear operator spreads each row over three inputs with row
# sums $a + b + c$ as well, except at the borders.

# %% tags=["hide-input", "checks"]
deconv, nearest, bilinear = mats.values()
interior = slice(2, 14)
a, b, c = w.tolist()
as_rows = lambda values: torch.tensor(values, dtype=torch.float64)  # noqa: E731
assert torch.allclose(deconv.sum(1)[interior], as_rows([b, a + c] * 6))
for m in (nearest, bilinear):
    assert torch.allclose(m.sum(1)[interior], torch.full((12,), a + b + c, dtype=torch.float64))
for r in range(
    2, 12
):  # rows two apart are the same taps shifted by one input, in ALL three operators
    for m in mats.values():
        assert torch.allclose(m[r + 2, 1:], m[r, :-1])
assert torch.allclose(nearest[4, 1:3], as_rows([a, b + c]))
assert torch.allclose(nearest[5, 2:4], as_rows([a + b, c]))
assert ((bilinear[interior].abs() > 1e-12).sum(1) == 3).all()
assert ((nearest[interior].abs() > 1e-12).sum(1) == 2).all()
# The tie: with random weights, nearest's even and odd rows always sum alike; the transposed
# convolution's not.
gen = torch.Generator().manual_seed(SEED)
tied = untied = 0
for _ in range(100):
    v = torch.randn(3, dtype=torch.float64, generator=gen).view(1, 1, 3)
    near = lambda x, v=v: F.conv1d(F.interpolate(x, scale_factor=2), v, padding=1)  # noqa: E731
    trans = lambda x, v=v: F.conv_transpose1d(x, v, None, 2, 1, 1)  # noqa: E731 - s=2, p=1, op=1
    rows_n = matrices.operator_matrix(near, (1, 8), dtype=torch.float64)
    rows_d = matrices.operator_matrix(trans, (1, 8), dtype=torch.float64)
    tied += bool(torch.isclose(rows_n[4].sum(), rows_n[5].sum(), atol=1e-12))
    untied += not bool(torch.isclose(rows_d[4].sum(), rows_d[5].sum(), atol=1e-12))
print(
    f"equal even/odd row sums: nearest {tied} of 100, transposed convolution {100 - untied} of 100"
)
assert tied == 100 and untied == 100

# %% [markdown]
# ## Nearest resize-convolution *is* a transposed convolution
#
# The tied rows suggest that the nearest resize-convolution is a transposed convolution in disguise, and it is.
# Write $u_n = x_{\lfloor n/s \rfloor}$ for the resized signal and $p = (k-1)/2$ for the "same" padding of the
# odd kernel $w$ (whose three taps, for $k = 3$, are the $a, b, c$ above). Output $m = sj + r$, in phase $r$
# ($0 \le r < s$), reads
#
# $$ y_{sj + r} = \sum_{t=0}^{k-1} w_t \, u_{sj + r + t - p}
#    = \sum_{t=0}^{k-1} w_t \, x_{j + \lfloor (r + t - p)/s \rfloor}. $$
#
# Within one phase, the taps $t$ that land on the same input offset $\delta = \lfloor (r + t - p)/s \rfloor$
# simply add up. A transposed convolution with stride $s$ and padding $P$ computes
# $y_{sj+r} = \sum_\delta x_{j+\delta} K_{r - s\delta + P}$, so the two agree when kernel entry
# $r - s\delta + P$ collects the taps $t$ of phase $r$ and offset $\delta$. With $P = p$ the indices run
# from 0 to $k + s - 2$: a kernel of $k + s - 1$ taps, $K = F w$ with a fixed 0/1 **fold matrix** $F$
# (`upsampling.fold_matrix`). For $k = 3$, $s = 2$, $K = [c,\ b + c,\ a + b,\ a]$ — exactly the numbers in the
# rows above. Rows and columns of an image are resized independently, so in 2D the folded kernel is
# $K = F W F^\top$ (`upsampling.fold_kernel`). `ResizeConv2d(fast=True)` folds its current weights at every
# forward pass, as the flipped kernel summed over $s$ shifts per axis (which is $F w$ without building $F$, a
# few additions per weight), before calling `conv_transpose2d`; in inference it keeps the folded kernel while
# the weights are unchanged. The folded kernel is
# balanced by construction: each output phase receives every weight once.
#
# The parameters stay the $k^2$ weights of the small kernel, and gradients flow through the fold to them. The
# cost drops: the transposed convolution touches each input pixel $(k + s - 1)^2$ times per pair of channels,
# the naive layer touches each of the $s^2$ times more output pixels $k^2$ times. For $k = 3$, $s = 2$ that is
# 16 against 36 multiply-adds per input pixel and channel pair, 2.25 times fewer, the same cost as a $k = 4$
# transposed convolution. The figure shows a random 3×3 kernel and its 4×4 fold.

# %%
torch.manual_seed(SEED)
small = torch.randn(1, 1, 3, 3, dtype=torch.float64)
folded = upsampling.fold_kernel(small, 2)
fig, axes = plt.subplots(1, 3, figsize=(6.5, 2.4), gridspec_kw={"width_ratios": [3, 3, 4]})
plotting.show_signed(axes[0], upsampling.fold_matrix(3, 2), title="fold F (4×3)")
plotting.show_signed(axes[1], small[0, 0], title="3×3 kernel W")
plotting.show_signed(axes[2], folded[0, 0], title="folded F W Fᵀ (4×4)")
plt.show()

# %% tags=["hide-input", "checks"]
assert upsampling.fold_matrix(3, 2).tolist() == [[0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]]
# the nearest resize-convolution's whole matrix is that of a transposed convolution with the folded
# kernel F w
K = upsampling.fold_matrix(3, 2).double() @ w
assert torch.allclose(K, as_rows([c, b + c, a + b, a]))
as_transposed = matrices.operator_matrix(
    lambda x: F.conv_transpose1d(x, K.view(1, 1, 4), stride=2, padding=1),
    (1, 8),
    dtype=torch.float64,
)
assert torch.allclose(as_transposed, nearest)
folded_macs, deconv4_macs = (
    upsampling.multiply_adds(kind, 1, 1, 1) for kind in ("nearest", "deconv4")
)
print(
    f"multiply-adds per input pixel and channel pair: naive {4 * 9}, folded {folded_macs},"
    f" deconv4 {deconv4_macs}"
)
assert folded_macs == deconv4_macs == 16 and 4 * 9 / folded_macs == 2.25

# %% [markdown]
# In code, the fold matrix is one comparison of indices, and the layer's forward pass is the transposed
# convolution with the folded kernel (or, with `fast=False`, the resize and the convolution):

# %%
Code(
    inspect.getsource(upsampling.fold_matrix)
    + "\n\n"
    + textwrap.dedent(inspect.getsource(upsampling.ResizeConv2d.forward)),
    language="python",
)

# %% [markdown]
# The fold is exact, not an approximation. The cell compares `ResizeConv2d(fast=True)` with the naive
# `fast=False` layer (resize, then convolve) in double precision, for kernel sizes 1, 3, 5, scale factors 1, 2,
# 3, odd and even image sizes and several channel counts: outputs and the gradients with respect to the input,
# the weight and the bias agree to rounding error (the test suite checks many more random shapes).

# %% tags=["hide-input", "checks"]
worst = 0.0
gen = torch.Generator().manual_seed(SEED)
for k in (1, 3, 5):
    for s in (1, 2, 3):
        for (h, w_), (cin, cout) in [((5, 7), (2, 3)), ((6, 4), (3, 1)), ((1, 3), (1, 2))]:
            fast = upsampling.ResizeConv2d(cin, cout, k, s, fast=True).double()
            slow = upsampling.ResizeConv2d(cin, cout, k, s, fast=False).double()
            slow.load_state_dict(fast.state_dict())
            x = torch.randn(2, cin, h, w_, dtype=torch.float64, generator=gen)
            upstream = torch.randn(2, cout, s * h, s * w_, dtype=torch.float64, generator=gen)
            results = []
            for layer in (fast, slow):
                xi = x.clone().requires_grad_()
                y = layer(xi)
                (y * upstream).sum().backward()
                results.append([y, xi.grad, layer.conv.weight.grad, layer.conv.bias.grad])
            for got, want in zip(*results, strict=True):
                worst = max(
                    worst, float((got - want).detach().abs().max() / want.detach().abs().max())
                )
print(f"largest relative difference, fast vs naive (outputs and gradients): {worst:.1e}")
assert worst < 1e-12

# %% [markdown]
# Bilinear resizing has no such fold: at the borders it repeats the edge pixel (it clamps), which no
# transposed convolution reproduces exactly, so `ResizeConv2d(mode="bilinear")` insists on the naive path and
# says so.

# %% tags=["hide-input", "checks"]
try:
    upsampling.ResizeConv2d(8, 8, mode="bilinear", fast=True)
    raise AssertionError("bilinear with fast=True should be refused")
except ValueError as err:
    refusal = str(err)
assert "mode='bilinear'" in refusal and "fast=False" in refusal, refusal
print("ResizeConv2d(mode='bilinear', fast=True) is refused, as it should be. It says:")
print(textwrap.fill(refusal, 96, initial_indent="  ", subsequent_indent="  "))

# %% [markdown]
# ## Sub-pixel convolution is a transposed convolution
#
# Sub-pixel convolution {cite}`shi2016subpixel` computes $s^2$ output channels per image channel with an
# ordinary convolution on the small image and then interleaves them (`PixelShuffle`): channel $(c, r, q)$
# becomes the pixels of phase $(r, q)$ of image channel $c$. The article remarks that this is a transposed
# convolution whose kernel size is divisible by the stride {cite}`odena2016deconvolution,shi2016deconvolution`,
# and the reason is the phase picture of chapter 03. In a transposed convolution with stride $s$ and a kernel
# of $k = sm$ taps per axis, the outputs of phase $(r, q)$ receive exactly the $m \times m$ taps congruent to
# $(r, q)$ modulo $s$, each from an $m \times m$ window of inputs: $s^2$ small ordinary convolutions, one per
# phase, whose results are interleaved. For $k = 4$, $s = 2$ these are four 2×2 convolutions.
#
# `upsampling.transposed_to_subpixel` writes the mapping out: the sub-pixel kernel of phase $(r, q)$ holds
# the taps $K_{s(m-1-v) + r,\ s(m-1-u) + q}$ at position $(v, u)$, the phase's taps in reverse order (the
# transposed convolution scatters, the ordinary one gathers), and the small convolution pads by $m - 1$ so
# that every output is produced; the transposed convolution's own padding $P$ then crops $P$ pixels from each
# side. `upsampling.subpixel_to_transposed` goes back. The figure numbers the 16 taps of a 4×4 kernel,
# coloured by phase, and shows where each lands.

# %%
# tap (y, x) of a 4×4 transposed-convolution kernel holds 4y + x
taps = torch.arange(16.0).view(1, 1, 4, 4)
sub = upsampling.transposed_to_subpixel(taps, 2)  # (4 phases, 1, 2, 2): one 2×2 kernel per phase
fig, axes = plt.subplots(1, 5, figsize=(7.6, 2.2), gridspec_kw={"width_ratios": [2, 1, 1, 1, 1]})
phase_colour = plt.get_cmap("Pastel1")
for ax, values, title in [(axes[0], taps[0, 0], "4×4 kernel, stride 2")] + [
    (axes[1 + i], sub[i, 0], f"phase ({i // 2}, {i % 2})") for i in range(4)
]:
    phases = (values // 4 % 2) * 2 + values % 2  # each tap's phase: (row mod 2, column mod 2)
    ax.imshow(phase_colour(phases.numpy() / 8), interpolation="nearest")
    for (y, x), v in np.ndenumerate(values.numpy()):
        ax.text(x, y, f"{v:.0f}", ha="center", va="center", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
plt.show()

# %% [markdown]
# The cell checks the equivalence in both directions on random layers, in double precision: a `deconv4`
# layer ($k=4$, $s=2$, $p=1$) equals a sub-pixel convolution with 2×2 kernels (padding 1) followed by
# `PixelShuffle` and a one-pixel crop; and the book's `subpixel` upsampler (3×3 kernels, "same" padding)
# equals a transposed convolution with a 6×6 kernel, stride 2 and padding 2. The mapping only moves weights
# around: both layers have the same numbers. The one difference is the bias: sub-pixel convolution may give
# each phase its own bias, a transposed convolution has one per channel (the cell ties the sub-pixel bias for
# the comparison), and a separate bias per phase is a period-2 pattern by itself, as the next section shows.
#
# So the plain sub-pixel convolution of this book has *even* overlap (6 is divisible by 2), and chapter 03
# says what that is worth: nothing, for a random kernel, which is no more balanced for it. Each phase has its
# own, independently initialised kernel, so at initialisation the four phases of every 2×2 block respond
# differently to the same input: a checkerboard before any training {cite}`shi2016deconvolution`.

# %% tags=["hide-input", "checks"]
torch.manual_seed(SEED)
x = torch.randn(2, 8, 6, 7, dtype=torch.float64)
deconv4 = upsampling.make_upsampler("deconv4", 8, 3).double()
sub_weight = upsampling.transposed_to_subpixel(deconv4.weight, 2)  # (3·4, 8, 2, 2)
shuffled = F.pixel_shuffle(F.conv2d(x, sub_weight, deconv4.bias.repeat_interleave(4), padding=1), 2)
error_deconv4 = float((shuffled[..., 1:-1, 1:-1] - deconv4(x)).detach().abs().max())
subpixel = upsampling.make_upsampler("subpixel", 8, 3).double()
conv = subpixel[0]
with torch.no_grad():
    upsampling.tie_bias_(conv.bias, 2)  # one bias per channel, as a transposed convolution has
as_transposed = F.conv_transpose2d(
    x, upsampling.subpixel_to_transposed(conv.weight, 2), conv.bias[::4], stride=2, padding=2
)
error_subpixel = float((as_transposed - subpixel(x)).detach().abs().max())
print(f"largest difference, deconv4 as a 2×2 sub-pixel convolution: {error_deconv4:.1e}")
print(f"largest difference, 3×3 sub-pixel as a 6×6 transposed convolution: {error_subpixel:.1e}")
assert error_deconv4 < 1e-12 and error_subpixel < 1e-12
assert sub_weight.shape == (12, 8, 2, 2)
assert torch.equal(sub_weight.flatten().sort().values, deconv4.weight.flatten().sort().values)
assert torch.equal(upsampling.subpixel_to_transposed(sub_weight, 2), deconv4.weight)

# %% [markdown]
# ## ICNR: an initialisation that balances sub-pixel convolution
#
# ICNR {cite}`aitken2017icnr` initialises the $s^2$ kernels of each output channel as copies of one kernel,
# `upsampling.icnr_`. The layer then equals a convolution followed by nearest-neighbour upsampling, which has
# no preferred phase. The cell checks that identity exactly.

# %% tags=["hide-input", "checks"]
torch.manual_seed(SEED)
icnr_layer = upsampling.make_upsampler("subpixel_icnr", 4, 3)
x = torch.randn(2, 4, 8, 8)
conv = icnr_layer[0]
# the first of each channel's 4 copies
one_copy = F.conv2d(x, conv.weight[::4], conv.bias[::4], padding=1)
assert torch.allclose(icnr_layer(x), F.interpolate(one_copy, scale_factor=2), atol=1e-6)

# %% [markdown]
# The weights are only half of it. PyTorch gives each of the $s^2 C$ convolution channels its own random bias,
# and after the shuffle those biases are per-phase offsets: a pure period-2 pattern added to every image,
# whatever the input. BatchNorm does not remove it, since it normalises whole channels, not phases. So ICNR
# also needs the bias tied across the $s^2$ phases (`upsampling.tie_bias_`, which the `subpixel_icnr` kind
# applies).
#
# The measurement uses the generator of chapter 05 at 64×64 (`models.Generator`: a linear layer to a 4×4 seed
# and four ×2 upsampling layers with BatchNorm and ReLU, tanh at the end) at step 0: BatchNorm in training mode
# with batch statistics, as in the first training step, 16 latent vectors, no gradients. The checkerboard score
# is averaged over 5 initialisation seeds, for all six upsampler kinds and two broken ICNR variants whose
# biases are left untied: one with the package's ICNR weights (He-normal scale), one with ICNR copies drawn at
# PyTorch's default convolution scale, whose weights are smaller relative to the bias.
#
# Three more rows answer a question that comes up whenever ICNR meets other code: does it survive weight
# normalisation (`torch.nn.utils.parametrizations.weight_norm`), or a re-initialisation such as
# `reset_parameters()`, which some training scripts call on every layer? Each is applied to every sub-pixel
# convolution of the ICNR generator (`upsampling.subpixel_convolutions`).

# %%
pytorch_scale = lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5))  # noqa: E731 - torch default
variants = {  # name: (upsampler kind, what is then done to each sub-pixel convolution)
    **{kind: (kind, None) for kind in upsampling.KINDS},
    "ICNR, untied bias": ("subpixel", lambda conv: upsampling.icnr_(conv.weight, 2)),
    "ICNR (PyTorch scale), untied bias": (
        "subpixel",
        lambda conv: upsampling.icnr_(conv.weight, 2, init=pytorch_scale),
    ),
    "ICNR, then weight_norm": ("subpixel_icnr", weight_norm),
    "ICNR, then reset_parameters()": ("subpixel_icnr", lambda conv: conv.reset_parameters()),
    "ICNR, weight_norm, then reset_parameters()": (
        "subpixel_icnr",
        lambda conv: weight_norm(conv).reset_parameters(),
    ),
}
seeds = range(SEED, SEED + 5)
init_scores, samples = {}, {}
for name, (kind, change) in variants.items():
    init_scores[name] = []
    for seed in seeds:
        torch.manual_seed(seed)
        gen = models.Generator(kind, 64).to(device)
        for conv in upsampling.subpixel_convolutions(gen) if change else []:
            change(conv)
        gen.train()  # BatchNorm on batch statistics, as in the first training step
        with torch.no_grad():
            images = gen(gen.sample_latent(16))
        init_scores[name].append(metrics.checkerboard_score(images))
        samples.setdefault(name, images.cpu())  # the first seed's batch, for the figure
mean_score = {name: statistics.fmean(v) for name, v in init_scores.items()}

# %% tags=["hide-input"]
rows = [[n, book.mean_range(v, ".4f")] for n, v in init_scores.items()]
book.table(["upsampler", "score at init"], rows, caption="5 seeds: mean [min–max]")

# %% [markdown]
# Plain sub-pixel convolution starts with a strong pattern: the cell asserts a score of at least 0.1,
# where nearest resize-convolution stays at 0.01 or less. ICNR with a tied bias is as clean as nearest
# resize-convolution (at most 0.01). Untying the bias brings the pattern back, at least five times
# stronger than with the tied bias in both variants, and much stronger when the weights are small next
# to the bias. The figure shows a
# 16×16 corner of one sample of each sub-pixel generator (top) and, below, the fine detail (high-pass)
# averaged over the 16 samples and the colour channels, in units of the detail's own standard deviation (as
# the score measures it): a pattern that every image shares survives the average, everything else fades.

# %%
subpixel_variants = [
    "subpixel",
    "subpixel_icnr",
    "ICNR, untied bias",
    "ICNR (PyTorch scale), untied bias",
]
shared = {}
for name in subpixel_variants:
    detail = metrics.high_pass(samples[name])
    # a 16x16 window in the middle
    shared[name] = detail.mean(dim=(0, 1))[24:40, 24:40] / detail.std()
fig, axes = plt.subplots(2, 4, figsize=(7.6, 4.4))
for col, name in enumerate(subpixel_variants):
    title = name.replace(", untied", ",\nuntied")
    plotting.show_image(
        axes[0, col], samples[name][0, :, :16, :16], title=title, value_range=(-1, 1)
    )
    plotting.show_signed(
        axes[1, col], shared[name], limit=1.0, title=f"score {mean_score[name]:.3f}"
    )
book.glue("subpixel_init", fig)  # shown here, and at the top of the chapter

# %% [markdown]
# ````{dropdown} ICNR meets weight normalisation and reset_parameters()
# ICNR survives weight normalisation: applying it leaves the weight as it was (the $s^2$ copies have equal
# norms, so they get equal gains), and the scores agree with plain ICNR to within $10^{-4}$. It does not
# survive a re-initialisation: `reset_parameters()` draws the $s^2$ kernels and biases independently again,
# and the score returns to the level of plain sub-pixel convolution (at least 0.1, more than 20 times ICNR's).
# The two together hold a trap: under weight normalisation `reset_parameters()` initialises a temporary copy
# of the weight and leaves the real parameters alone (the checks below verify that the weight is unchanged),
# but it does redraw the bias, one per phase, and that alone brings the pattern back at more than 5 times
# ICNR's score. The table above has a row for each of the three cases.
# ````

# %% tags=["hide-input", "checks"]
tied = mean_score["subpixel_icnr"]
untied, untied_pt = mean_score["ICNR, untied bias"], mean_score["ICNR (PyTorch scale), untied bias"]
runtime.claim("subpixel: score at init", mean_score["subpixel"], ">=", 0.1)
runtime.claim("ICNR, tied bias: score at init", tied, "<=", 0.01)
runtime.claim("ICNR, untied bias: score at init over tied bias", untied / tied, ">", 5)
runtime.claim(
    "ICNR (PyTorch scale), untied bias: score at init over tied bias", untied_pt / tied, ">", 20
)
runtime.claim(
    "untied bias: PyTorch scale's score at init over ICNR's own", untied_pt / untied, ">", 1
)
# weight norm keeps ICNR; a re-initialisation destroys it; under weight norm it reaches only the
# bias
assert abs(mean_score["ICNR, then weight_norm"] - tied) < 1e-4
reset = mean_score["ICNR, then reset_parameters()"]
runtime.claim("ICNR, then reset_parameters(): score at init", reset, ">=", 0.1)
runtime.claim("ICNR, then reset_parameters(): score at init over ICNR's", reset / tied, ">", 20)
runtime.claim(
    "ICNR, weight_norm, then reset_parameters(): score at init over ICNR's",
    mean_score["ICNR, weight_norm, then reset_parameters()"] / tied,
    ">",
    5,
)
conv = upsampling.make_upsampler("subpixel_icnr", 4, 3)[0]
before = conv.weight.detach().clone()
weight_norm(conv).reset_parameters()
assert torch.allclose(conv.weight, before, atol=1e-6)  # the weight survived the "reset"

# %% [markdown]
# ## Borders
#
# Resizing fixes the interior, but not the edges: the convolution after the resize pads the large image with
# zeros, so a one-pixel frame of the output comes out darker or brighter than the rest. Padding the *input*
# by replication before the layer removes it and keeps the fast path; the details are in the dropdown.
#
# `````{dropdown} Borders: pad before you convolve
# The convolution after the resize pads the large image with zeros, so the outputs along the border mix in
# pixels that are not there: on a flat input, a frame one pixel wide (for a 3×3 kernel) comes out darker or
# brighter than the rest. A transposed convolution has the same problem for the reason of chapter 02: the
# border outputs receive fewer stamps.
#
# The remedy is to pad the *input* with copies of its edge (replicate padding) and to keep only the valid part
# of the convolution. For nearest resizing, replicating the small input's edge by one pixel and then resizing
# is the same as resizing and then replicating the edge by $s$ pixels, so the folded fast path keeps working:
# run the layer on the padded input and crop $s$ pixels from every side. This holds for replicate padding
# only. Reflect padding mirrors about the edge pixel, so padding the small input brings in its second pixel,
# while padding the resized image mirrors about the last of the edge pixel's $s$ copies and brings in the
# others first: the two differ, and the padded fast path then handles the border its own (still reasonable)
# way rather than as resize-then-reflect would. The checks below verify both.
#
# The figure feeds a constant image to a transposed convolution ($k=4$), to a resize-convolution with zero
# padding and to the same resize-convolution with replicate padding, all with the same positive kernel (so
# that a missing neighbour always darkens). With zero padding the border pixels differ from the interior by
# more than 5% while everything one pixel in is exactly flat; with replicate padding the whole output is
# flat; the transposed convolution, whose kernel is not balanced here, is uneven everywhere (by more than
# 2%). Away from the frame the padded and unpadded resize-convolutions agree, and for a non-constant input
# too.
#
# ```{glue:figure} c04_borders
# ```
# `````

# %% tags=["hide-input", "checks"]
torch.manual_seed(SEED)
weight = torch.rand(1, 1, 3, 3) + 0.5
rc = upsampling.ResizeConv2d(1, 1, 3, 2, bias=False)
with torch.no_grad():
    rc.conv.weight.copy_(weight / weight.sum())
deconv4 = nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1, bias=False)
with torch.no_grad():
    # perturb the balanced fold, as training would leave it
    uneven = 1 + 0.3 * torch.rand(1, 1, 4, 4)
    deconv4.weight.copy_(upsampling.fold_kernel(rc.conv.weight, 2) * uneven)
flat = torch.ones(1, 1, 8, 8)
with torch.no_grad():
    outputs = {
        "transposed conv k4": deconv4(flat)[0, 0],
        "resize-conv, zero padding": rc(flat)[0, 0],
        "resize-conv, replicate padding": rc(F.pad(flat, (1,) * 4, mode="replicate"))[
            0, 0, 2:-2, 2:-2
        ],
    }
fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.7))
for ax, (name, out) in zip(axes, outputs.items(), strict=True):
    plotting.show_image(ax, out / (2 * out[6:-6, 6:-6].mean()), title=name, value_range=(0, 1))
book.glue("c04_borders", fig, display=False)
zero, replicate = outputs["resize-conv, zero padding"], outputs["resize-conv, replicate padding"]
centre = zero[6:-6, 6:-6].mean()
frame = torch.cat([zero[0], zero[-1], zero[:, 0], zero[:, -1]])
print(
    f"zero padding: border pixels {frame.min():.3f}–{frame.max():.3f} vs interior {centre:.3f}; "
    f"replicate padding: spread {replicate.max() - replicate.min():.1e}"
)
runtime.claim(
    "zero padding: border pixels off the interior, share",
    (frame - centre).abs().max() / centre,
    ">",
    0.05,
)
assert torch.allclose(zero[1:-1, 1:-1], centre.expand(14, 14), atol=1e-6)
assert torch.allclose(replicate, torch.ones_like(replicate), atol=1e-6)
d4 = outputs["transposed conv k4"]
runtime.claim(
    "perturbed k=4 fold on a flat input: interior max / min - 1",
    d4[2:-2, 2:-2].max() / d4[2:-2, 2:-2].min() - 1,
    ">",
    0.02,  # 0.054 at the least over seeds 0-4, one perturbed kernel each: room below it
)
x = torch.randn(1, 1, 8, 8)
with torch.no_grad():
    padded_path = rc(F.pad(x, (1, 1, 1, 1), mode="replicate"))[0, 0, 3:-3, 3:-3]
    assert torch.allclose(rc(x)[0, 0, 1:-1, 1:-1], padded_path, atol=1e-6)
# pad-then-resize equals resize-then-pad for replicate padding, not for reflect padding
resize = lambda t: F.interpolate(t, scale_factor=2, mode="nearest")  # noqa: E731
for mode, commutes in (("replicate", True), ("reflect", False)):
    small_first = resize(F.pad(x, (1, 1, 1, 1), mode=mode))
    large_first = F.pad(resize(x), (2, 2, 2, 2), mode=mode)
    assert torch.equal(small_first, large_first) == commutes, mode

# %% [markdown]
# ## Cost against artifacts
#
# One table for every upsampler kind in the book (`upsampling.KINDS`), each mapping $C$ channels at
# $H \times W$ to $C$ channels at $2H \times 2W$ ($C = 32$, $H = W = 32$ here):
#
# - **parameters**: $9C^2 + C$ for the 3×3 layers (`deconv3`, both resize-convolutions), $16C^2 + C$ for
#   `deconv4`, and $36C^2 + 4C$ for sub-pixel convolution, which needs $s^2 = 4$ times the output channels;
# - **multiply-adds** of one forward pass (`upsampling.multiply_adds`, FLOPs are twice as many): a transposed
#   convolution multiplies every input pixel by every tap, $HW k^2 C^2$; nearest resize-convolution runs as
#   the folded 4×4 transposed convolution, $16 HW C^2$; bilinear resize-convolution resizes (four taps per
#   output value) and convolves the large image, $4HW(4C + 9C^2)$; sub-pixel convolution is a 3×3
#   convolution on the small image to $4C$ channels, $36 HW C^2$;
# - **time** of a forward and backward pass on a batch of 8 on the CPU (and on the GPU when there is one):
#   the median of interleaved runs, measured on the machine that built this page and never asserted, since
#   it depends on the machine and on what else runs on it;
# - **checkerboard score** of the 64×64 generator at initialisation from the section above.

# %% tags=["hide-input"]
C, H, batch = 32, 32, 8
runs = runtime.pick(5, 20)
timing_devices = [torch.device("cpu")] + ([device] if device.type == "cuda" else [])
layers = {kind: upsampling.make_upsampler(kind, C, C) for kind in upsampling.KINDS}
layers["nearest (naive path)"] = upsampling.ResizeConv2d(C, C, 3, 2, fast=False)
times = {(name, dev.type): [] for name in layers for dev in timing_devices}
for dev in timing_devices:
    x = torch.randn(batch, C, H, H, device=dev, requires_grad=True)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    for r in range(runs + 1):  # the first round warms up and is dropped
        for name, layer in layers.items():
            layer.to(dev)
            sync()
            start = time.perf_counter()
            layer(x).square().mean().backward()
            sync()
            if r:
                times[name, dev.type].append(1e3 * (time.perf_counter() - start))
ms = {key: statistics.median(v) for key, v in times.items()}

params = {name: sum(p.numel() for p in layer.parameters()) for name, layer in layers.items()}
macs = {kind: upsampling.multiply_adds(kind, C, C, H) for kind in upsampling.KINDS}
macs["nearest (naive path)"] = 4 * H * H * 9 * C * C  # a 3×3 convolution of the 4× larger image
header = ["upsampler", "parameters", "multiply-adds (M)"]
header += [f"{d.type.upper()} ms (fwd+bwd)" for d in timing_devices] + ["score at init"]
rows = []
for name in layers:
    row = [name, params[name], f"{macs[name] / 1e6:.1f}"]
    row += [f"{ms[name, d.type]:.1f}" for d in timing_devices]
    rows.append(row + [f"{mean_score[name.split(' ')[0]]:.4f}"])
book.table(header, rows)

# %% [markdown]
# The asserts pin down the parameter formulas and the artifact side of the table: averaged over 5 seeds,
# the transposed convolutions and plain sub-pixel convolution start at a score of 0.1 or more, nearest
# resize-convolution and ICNR sub-pixel convolution at 0.01 or less, bilinear resize-convolution below 0.05,
# and the $k=3$ transposed convolution scores at least 20 times higher than nearest resize-convolution. The
# two transposed convolutions start alike (their mean scores within 30% of each other; chapter 03 finds 25%):
# even overlap does not make a random $k=4$ kernel balanced.
#
# *Is resize-convolution slower than a transposed convolution?* Not with the fold: the folded nearest
# resize-convolution does exactly the multiply-adds of a $k=4$ transposed convolution, 2.25 times fewer than
# its naive path and 16/9 those of the $k=3$ transposed convolution. The blog post that seeded the article
# calls resize-convolution less computationally efficient than a transposed convolution; for nearest
# resizing the fold refutes that, since the two are the same operation at the same cost. The cell prints the
# measured time ratios next to those counts, without asserting them: at the size of this table the times are
# dominated by fixed overheads and by whatever else the machine is doing, so they can stray far from the
# counts; `benchmarks/upsampling.py` measures them on larger layers.
#
# *Nearest or bilinear?* Bilinear resize-convolution costs more than twice the multiply-adds of the folded
# nearest one (it has no fold, so it convolves the large image) and starts with a faint pattern that nearest
# does not have (a score more than 3 times nearest's, though below 0.05); chapter 03 found that the two learn
# equally well and that bilinear's outputs are smoother. Nearest is the better default, as the article found
# {cite}`odena2016deconvolution`; bilinear is a choice for when smoothness is wanted.

# %% tags=["hide-input", "checks"]
expected_params = {
    "deconv3": 9 * C * C + C,
    "deconv4": 16 * C * C + C,
    "nearest": 9 * C * C + C,
    "bilinear": 9 * C * C + C,
    "subpixel": 36 * C * C + 4 * C,
    "subpixel_icnr": 36 * C * C + 4 * C,
}
for kind in upsampling.KINDS:
    assert params[kind] == expected_params[kind], kind
for kind in ("deconv3", "deconv4"):  # subpixel's and ICNR's: above
    runtime.claim(f"{kind}: score at init", mean_score[kind], ">=", 0.1)
runtime.claim("nearest: score at init", mean_score["nearest"], "<=", 0.01)
runtime.claim("bilinear: score at init", mean_score["bilinear"], "<", 0.05)
runtime.claim(
    "score at init, deconv3 over nearest", mean_score["deconv3"] / mean_score["nearest"], ">=", 20
)
# "within 30% of each other" is a claim on the distance from 1 (0.22 at the most over seeds 0-4)
runtime.claim(
    "score at init deconv4 / deconv3, distance from 1",
    abs(mean_score["deconv4"] / mean_score["deconv3"] - 1),
    "<",
    0.3,
)
# cost: deterministic counts only
assert macs["nearest"] == macs["deconv4"] and macs["nearest (naive path)"] / macs["nearest"] == 2.25
assert macs["nearest"] / macs["deconv3"] == 16 / 9
assert macs["bilinear"] > 2 * macs["nearest"]  # exact: counts of multiply-adds
runtime.claim(
    "score at init, bilinear over nearest", mean_score["bilinear"] / mean_score["nearest"], ">", 3
)
cpu = {name: ms[name, "cpu"] for name in layers}
print(
    f"deconv3 / nearest score at init: {mean_score['deconv3'] / mean_score['nearest']:.0f}x; "
    f"deconv4 / deconv3: {mean_score['deconv4'] / mean_score['deconv3']:.2f}"
)
print(
    "measured CPU time ratios (not asserted):\n"
    f"  folded nearest / deconv4 {cpu['nearest'] / cpu['deconv4']:.2f}, "
    f"naive / folded nearest {cpu['nearest (naive path)'] / cpu['nearest']:.2f}, "
    f"bilinear / folded nearest {cpu['bilinear'] / cpu['nearest']:.2f}"
)

# %% [markdown]
# ### Speed, measured once
#
# The table above times one small layer in this build. `make bench` (`benchmarks/upsampling.py`) times the
# layers properly, once, on one machine, and commits what it measured; the figure below is drawn from that file
# and is not re-timed when the book is built. Each point is the median time of a forward and backward pass
# (batch 2) over the time of `ConvTranspose2d(k=4, s=2)` at the same shape, for $C \to C$ channels: the fold
# (the fast nearest resize-convolution), the naive nearest resize-convolution, sub-pixel convolution with ICNR
# as fastai builds it (a 3×3 convolution to $4C$ channels, then `PixelShuffle`) and bilinear
# resize-convolution. The fold sits on the transposed convolution's line, as its multiply-adds say it should;
# the naive path, sub-pixel convolution and bilinear resizing do about twice the work. (At $C = 8$ PyTorch's
# CPU transposed convolution takes a slow path, which the fold shares and sub-pixel convolution avoids.)
#
# ```{glue:figure} c04_speed
# Time of a forward and backward pass relative to `ConvTranspose2d(k=4, s=2)`, by channel count and input size.
# Measured by `make bench` on {glue:text}`c04_speed_machine`; CUDA untested.
# ```

# %% tags=["hide-input"]
import csv
from importlib import resources

speed_text = (resources.files("tutorial_utils") / "assets" / "upsampling_speed.csv").read_text()
machine = dict(line[2:].split(": ", 1) for line in speed_text.splitlines() if line.startswith("# "))
speed = list(csv.DictReader(line for line in speed_text.splitlines() if not line.startswith("#")))
sweep = [r for r in speed if r["rows"] == "sweep" and r["device"] == "cpu"]
compared = list(dict.fromkeys(r["layer"] for r in sweep))[1:]  # the first is the baseline
widths = sorted({int(r["channels"]) for r in sweep})
sizes = sorted({int(r["size"]) for r in sweep})
ratio = {(r["layer"], int(r["channels"]), int(r["size"])): float(r["over_convt"]) for r in sweep}
fig, axes = plt.subplots(1, len(sizes), figsize=(8.4, 3.2), sharey=True)  # within the page column
for ax, size in zip(axes, sizes, strict=True):
    ax.axhline(1.0, color="0.4", lw=1, ls="--", label="ConvTranspose2d k4 s2")
    for name in compared:
        ax.plot(widths, [ratio[name, c, size] for c in widths], marker="o", label=name)
    ax.set(xscale="log", yscale="log", title=f"{size}×{size} input", xlabel="channels C")
    ax.set_xticks(widths, [str(c) for c in widths])
    ax.minorticks_off()
axes[0].set_yticks([0.25, 0.5, 1, 2, 4], ["0.25", "0.5", "1", "2", "4"])
axes[0].set_ylabel("time / ConvTranspose2d")
axes[-1].legend(fontsize=7, loc="lower right")
machine_text = (
    f"{machine['cpu']} ({machine['threads']} threads, torch {machine['torch']}, {machine['date']})"
)
book.glue("c04_speed_machine", machine_text, display=False)
book.glue("c04_speed", fig, display=False)  # the glue:figure above shows it

# %% [markdown]
# Two more rows of the same run look at the fold's own overhead. A small layer ($C = 8$, 16×16, batch 1) in
# inference pays for the fold only once, since the folded kernel is kept while the weight is unchanged; two
# training-sized layers ($C = 64$ and $128$, 32×32, batch 16, forward and backward) fold at every step, a
# cost too small to see beside the convolution.

# %% tags=["hide-input"]
overhead = [r for r in speed if r["rows"] in ("small", "training") and r["device"] == "cpu"]
book.table(
    ["rows", "C", "size", "batch", "pass", "layer", "ms", "time / ConvT"],
    [
        [
            r[key]
            for key in ("rows", "channels", "size", "batch", "pass", "layer", "ms", "over_convt")
        ]
        for r in overhead
        if r["layer"].startswith(("fold", "sub-pixel")) or r["layer"] == "ConvTranspose2d k4s2"
    ],
    caption=f"measured by make bench on {machine_text}",
)

# %% tags=["remove-cell"]
# Numbers that the book's conclusion quotes (book/conclusion.md), stored for it without being shown.
book.glue_numbers(
    c04_init_deconv3_over_nearest=mean_score["deconv3"] / mean_score["nearest"],
    c04_init_subpixel=mean_score["subpixel"],
    c04_icnr_tied=mean_score["subpixel_icnr"],
    c04_icnr_untied=mean_score["ICNR (PyTorch scale), untied bias"],
    c04_naive_over_folded_macs=macs["nearest (naive path)"] / macs["nearest"],
    c04_bilinear_over_folded_macs=macs["bilinear"] / macs["nearest"],
    c04_folded_over_deconv4_time=cpu["nearest"] / cpu["deconv4"],
    # the conclusion's decision table, one row per upsampler (32 → 32 channels, 32×32 input)
    c04_params_deconv3=params["deconv3"],
    c04_macs_deconv3=macs["deconv3"] / 1e6,
    c04_init_deconv3=mean_score["deconv3"],
    c04_params_deconv4=params["deconv4"],
    c04_macs_deconv4=macs["deconv4"] / 1e6,
    c04_init_deconv4=mean_score["deconv4"],
    c04_params_nearest=params["nearest"],
    c04_macs_nearest=macs["nearest"] / 1e6,
    c04_init_nearest=mean_score["nearest"],
    c04_params_bilinear=params["bilinear"],
    c04_macs_bilinear=macs["bilinear"] / 1e6,
    c04_init_bilinear=mean_score["bilinear"],
    c04_params_subpixel=params["subpixel"],
    c04_macs_subpixel=macs["subpixel"] / 1e6,
    c04_params_subpixel_icnr=params["subpixel_icnr"],
    c04_macs_subpixel_icnr=macs["subpixel_icnr"] / 1e6,
)

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - Nearest resize-convolution is a transposed convolution with a folded kernel $F W F^\top$ that is balanced
#   by construction: `ResizeConv2d(fast=True)` keeps the $k^2$ weights and does the multiply-adds of a $k=4$
#   transposed convolution, 2.25 times fewer than resizing first.
# - Sub-pixel convolution is a transposed convolution whose kernel size is divisible by the stride, and it is
#   only as good as its initialisation: plain, it starts with a score of 0.1 or more; ICNR brings that to
#   0.01 or less, but only with the bias tied across the phases too.
# - At initialisation, nearest resize-convolution and ICNR start clean, transposed convolutions do not; bilinear
#   costs more than twice nearest's multiply-adds and starts with a faint pattern, so nearest is the default.
#   Chapter 05 trains GANs with them.
# ```
