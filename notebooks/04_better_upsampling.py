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
# Chapter 03 ended with a diagnosis: a transposed convolution has to *learn* to keep its output phases in
# balance, and in practice it never quite does. The remedy the article proposes is to separate the two jobs
# of the layer: first resize the image (nearest-neighbour or bilinear), then convolve it with a stride of 1
# {cite}`odena2016deconvolution`. Sub-pixel convolution {cite}`shi2016subpixel` is a third option, and with
# the right initialisation {cite}`aitken2017icnr` a good one.
#
# This chapter looks at the three operators as matrices, shows that nearest resize-convolution is itself a
# transposed convolution with a tied kernel (and uses that to make it as cheap as one), takes apart the
# initialisation of sub-pixel convolution, deals with the borders, and closes with one table of cost against
# artifacts for every upsampler in the book.

# %%
# Setup. In Colab, install the book's helper package from the repository; everywhere, one call applies the
# figure style, seeds everything, picks the device and says which profile runs. Nothing else is downloaded.
import sys

REPO = "https://github.com/checkerboard-book/checkerboard"
if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"tutorial_utils @ git+{REPO}"], check=True)

import torch
from tutorial_utils import matrices, metrics, models, plotting, runtime, upsampling

SEED = 0
device = runtime.setup(SEED)  # figure style, seeds, device; prints the profile

# %%
import math
import statistics
import time

import matplotlib.pyplot as plt
import numpy as np
import torch.nn.functional as F
from torch import nn

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
operators = {
    "transposed conv k3, s2": lambda x: F.conv_transpose1d(x, w.view(1, 1, 3), stride=2, padding=1, output_padding=1),
    "nearest resize-conv": lambda x: F.conv1d(F.interpolate(x, scale_factor=2, mode="nearest"), w.view(1, 1, 3), padding=1),
    "bilinear resize-conv": lambda x: F.conv1d(F.interpolate(x, scale_factor=2, mode="linear", align_corners=False),
                                               w.view(1, 1, 3), padding=1),
}
mats = {name: matrices.operator_matrix(fn, (1, 8), dtype=torch.float64) for name, fn in operators.items()}

fig, axes = plt.subplots(1, 3, figsize=(9, 5))
for ax, (name, m) in zip(axes, mats.items()):
    plotting.show_signed(ax, m, title=name, limit=1.6)
    for (r, c), v in np.ndenumerate(m.numpy()):
        if abs(v) > 1e-12:
            ax.text(c, r, f"{v:.2g}", ha="center", va="center", fontsize=6, color="white" if abs(v) > 1 else "black")
    ax.set_xlabel("input")
axes[0].set_ylabel("output")
plt.show()

# %% [markdown]
# Read the rows. In the transposed convolution, even rows hold the single weight $b = 1$ and odd rows the pair
# $(c, a)$, so the row sums alternate between $b$ and $a + c$: an uneven operator unless $b = a + c$ (chapter
# 03's balance condition). In the nearest resize-convolution every even row holds the same two numbers
# $(a, b + c)$ and every odd row $(a + b, c)$, shifted by one column per pair of rows: the weights are *tied*,
# and every row sums to $a + b + c$. The bilinear operator spreads each row over three inputs with row sums
# $a + b + c$ as well, except at the borders. The cell asserts all of this on the interior rows.

# %%
deconv, nearest, bilinear = mats.values()
interior = slice(2, 14)
a, b, c = w.tolist()
assert torch.allclose(deconv.sum(1)[interior], torch.tensor([b, a + c] * 6, dtype=torch.float64))
for m in (nearest, bilinear):
    assert torch.allclose(m.sum(1)[interior], torch.full((12,), a + b + c, dtype=torch.float64))
for r in range(2, 12):  # rows two apart are the same taps shifted by one input: weight tying
    for m in mats.values():
        assert torch.allclose(m[r + 2, 1:], m[r, :-1])
assert torch.allclose(nearest[4, 1:3], torch.tensor([a, b + c], dtype=torch.float64))
assert torch.allclose(nearest[5, 2:4], torch.tensor([a + b, c], dtype=torch.float64))
assert ((bilinear[interior].abs() > 1e-12).sum(1) == 3).all() and ((nearest[interior].abs() > 1e-12).sum(1) == 2).all()

# %% [markdown]
# ## Nearest resize-convolution *is* a transposed convolution
#
# The tied rows suggest that the nearest resize-convolution is a transposed convolution in disguise, and it is.
# Write $u_n = x_{\lfloor n/s \rfloor}$ for the resized signal and $p = (k-1)/2$ for the "same" padding of the
# odd kernel $w$. Output $m = sj + a$ (phase $a$) reads
#
# $$ y_{sj + a} = \sum_{t=0}^{k-1} w_t \, u_{sj + a + t - p} = \sum_{t=0}^{k-1} w_t \, x_{j + \lfloor (a + t - p)/s \rfloor}. $$
#
# Within one phase, the taps $t$ that land on the same input offset $\delta = \lfloor (a + t - p)/s \rfloor$
# simply add up. A transposed convolution with stride $s$ and padding $P$ computes
# $y_{sj+a} = \sum_\delta x_{j+\delta} K_{a - s\delta + P}$, so the two agree when kernel entry
# $a - s\delta + P$ collects the taps $t$ of phase $a$ and offset $\delta$. With $P = p$ the indices run
# from 0 to $k + s - 2$: a kernel of $k + s - 1$ taps, $K = F w$ with a fixed 0/1 **fold matrix** $F$
# (`upsampling.fold_matrix`). For $k = 3$, $s = 2$, $K = [c,\ b + c,\ a + b,\ a]$ — exactly the numbers in the
# rows above. Rows and columns of an image are resized independently, so in 2D the folded kernel is
# $K = F W F^\top$ (`upsampling.fold_kernel`), which is what `ResizeConv2d(fast=True)` computes at every
# forward pass before calling `conv_transpose2d`. The folded kernel is balanced by construction: each output
# phase receives every weight once.
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

assert upsampling.fold_matrix(3, 2).tolist() == [[0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]]
# the nearest resize-convolution's whole matrix is that of a transposed convolution with the folded kernel F w
K = upsampling.fold_matrix(3, 2).double() @ w
assert torch.allclose(K, torch.tensor([c, b + c, a + b, a], dtype=torch.float64))
as_transposed = matrices.operator_matrix(lambda x: F.conv_transpose1d(x, K.view(1, 1, 4), stride=2, padding=1), (1, 8),
                                         dtype=torch.float64)
assert torch.allclose(as_transposed, nearest)
print(f"multiply-adds per input pixel and channel pair: naive {4 * 9}, folded "
      f"{upsampling.multiply_adds('nearest', 1, 1, 1)}, same as deconv4: {upsampling.multiply_adds('deconv4', 1, 1, 1)}")
assert upsampling.multiply_adds("nearest", 1, 1, 1) == upsampling.multiply_adds("deconv4", 1, 1, 1) == 16
assert 4 * 9 / 16 == 2.25

# %% [markdown]
# The fold is exact, not an approximation. The cell compares `ResizeConv2d(fast=True)` with the naive
# `fast=False` layer (resize, then convolve) in double precision, for kernel sizes 1, 3, 5, scale factors 1, 2,
# 3, odd and even image sizes and several channel counts: outputs and the gradients with respect to the input,
# the weight and the bias agree to rounding error (the test suite checks many more random shapes).

# %%
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
            for got, want in zip(*results):
                worst = max(worst, float((got - want).detach().abs().max() / want.detach().abs().max()))
print(f"largest relative difference, fast vs naive (outputs and gradients): {worst:.1e}")
assert worst < 1e-12

# %% [markdown]
# Bilinear resizing has no such fold: at the borders it repeats the edge pixel (it clamps), which no
# transposed convolution reproduces exactly, so `ResizeConv2d(mode="bilinear")` insists on the naive path and
# says so.

# %%
try:
    upsampling.ResizeConv2d(8, 8, mode="bilinear", fast=True)
    raise AssertionError("bilinear with fast=True should be refused")
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## Sub-pixel convolution and ICNR
#
# Sub-pixel convolution {cite}`shi2016subpixel` computes $s^2$ output channels per image channel with an
# ordinary convolution on the small image and then interleaves them (`PixelShuffle`): channel $(c, i, j)$
# becomes the pixels of phase $(i, j)$. Each phase has its own, independently initialised kernel, so at
# initialisation the four phases of every 2×2 block respond differently to the same input: a checkerboard
# before any training {cite}`shi2016deconvolution`.
#
# ICNR {cite}`aitken2017icnr` initialises the $s^2$ kernels of each output channel as copies of one kernel,
# `upsampling.icnr_`. The layer then equals a convolution followed by nearest-neighbour upsampling, which has
# no preferred phase. The cell checks that identity exactly.

# %%
torch.manual_seed(SEED)
icnr_layer = upsampling.make_upsampler("subpixel_icnr", 4, 3)
x = torch.randn(2, 4, 8, 8)
conv = icnr_layer[0]
as_conv_then_nearest = F.interpolate(F.conv2d(x, conv.weight[::4], conv.bias[::4], padding=1), scale_factor=2)
assert torch.allclose(icnr_layer(x), as_conv_then_nearest, atol=1e-6)

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

# %%
seeds = range(SEED, SEED + 5)
configs = list(upsampling.KINDS) + ["ICNR, untied bias", "ICNR (PyTorch scale), untied bias"]
init_scores, samples = {}, {}
for name in configs:
    init_scores[name] = []
    for seed in seeds:
        torch.manual_seed(seed)
        gen = models.Generator(name if name in upsampling.KINDS else "subpixel", 64).to(device)
        if name not in upsampling.KINDS:  # ICNR weights, but the bias keeps PyTorch's per-channel init
            for layer in gen.modules():
                if isinstance(layer, upsampling.SubPixelConv2d):
                    conv = layer[0]
                    if "PyTorch scale" in name:
                        upsampling.icnr_(conv.weight, 2, init=lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)))
                    else:
                        upsampling.icnr_(conv.weight, 2)
        gen.train()
        with torch.no_grad():
            images = gen(gen.sample_latent(16))
        init_scores[name].append(metrics.checkerboard_score(images))
        samples.setdefault(name, images.cpu())  # the first seed's batch, for the figure
mean_score = {name: statistics.fmean(v) for name, v in init_scores.items()}
plotting.table(["upsampler", "score at init (mean of 5 seeds)", "range"],
               [[n, f"{mean_score[n]:.4f}", f"{min(v):.4f} – {max(v):.4f}"] for n, v in init_scores.items()])

# %% [markdown]
# Plain sub-pixel convolution starts with a strong pattern, about as strong as the transposed convolutions
# (the cell asserts a score of at least 0.1). ICNR with a tied bias is as clean as nearest resize-convolution
# (at most 0.01). Untying the bias brings the pattern back, at least five times stronger than with the tied
# bias in both variants, and much stronger when the weights are small next to the bias. The figure shows a
# 16×16 corner of one sample of each sub-pixel generator (top) and, below, the fine detail (high-pass)
# averaged over the 16 samples and the colour channels, in units of the detail's own standard deviation (as
# the score measures it): a pattern that every image shares survives the average, everything else fades.

# %%
subpixel_variants = ["subpixel", "subpixel_icnr", "ICNR, untied bias", "ICNR (PyTorch scale), untied bias"]
shared = {}
for name in subpixel_variants:
    detail = metrics.high_pass(samples[name])
    shared[name] = detail.mean(dim=(0, 1))[24:40, 24:40] / detail.std()  # a 16x16 window in the middle
fig, axes = plt.subplots(2, 4, figsize=(8, 4.4))
for col, name in enumerate(subpixel_variants):
    plotting.show_image(axes[0, col], samples[name][0, :, :16, :16], title=name.replace(", untied", ",\nuntied"))
    plotting.show_signed(axes[1, col], shared[name], limit=1.0, title=f"score {mean_score[name]:.3f}")
plt.show()

tied = mean_score["subpixel_icnr"]
assert mean_score["subpixel"] >= 0.1
assert tied <= 0.01
assert mean_score["ICNR, untied bias"] > 5 * tied
assert mean_score["ICNR (PyTorch scale), untied bias"] > 20 * tied
assert mean_score["ICNR (PyTorch scale), untied bias"] > mean_score["ICNR, untied bias"]

# %% [markdown]
# ## Borders: pad before you convolve
#
# Resizing fixes the interior, but not the edges. The convolution after the resize pads the large image with
# zeros, so the outputs along the border mix in pixels that are not there: on a flat input, a frame one pixel
# wide (for a 3×3 kernel) comes out darker or brighter than the rest. A transposed convolution has the same
# problem for the reason of chapter 02: the border outputs receive fewer stamps.
#
# The remedy is to pad the *input* with copies of its edge (replicate or reflect padding) and to keep only the
# valid part of the convolution. For nearest resizing, padding the small input by one pixel and then resizing
# is the same as resizing and then padding by $s$ pixels, so the folded fast path keeps working: run the layer
# on the padded input and crop $s$ pixels from every side. The figure feeds a constant image to a transposed
# convolution ($k=4$), to a resize-convolution with zero padding and to the same resize-convolution with
# replicate padding, all with the same positive kernel (so that a missing neighbour always darkens).

# %%
torch.manual_seed(SEED)
weight = torch.rand(1, 1, 3, 3) + 0.5
rc = upsampling.ResizeConv2d(1, 1, 3, 2, bias=False)
with torch.no_grad():
    rc.conv.weight.copy_(weight / weight.sum())
deconv4 = nn.ConvTranspose2d(1, 1, 4, stride=2, padding=1, bias=False)
with torch.no_grad():
    deconv4.weight.copy_(upsampling.fold_kernel(rc.conv.weight, 2) * (1 + 0.3 * torch.rand(1, 1, 4, 4)))
flat = torch.ones(1, 1, 8, 8)
with torch.no_grad():
    outputs = {
        "transposed conv k4": deconv4(flat)[0, 0],
        "resize-conv, zero padding": rc(flat)[0, 0],
        "resize-conv, replicate padding": rc(F.pad(flat, (1, 1, 1, 1), mode="replicate"))[0, 0, 2:-2, 2:-2],
    }
fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.7))
for ax, (name, out) in zip(axes, outputs.items()):
    plotting.show_image(ax, out / (2 * out[6:-6, 6:-6].mean()), title=name)
plt.show()

# %% [markdown]
# With zero padding the border pixels differ from the interior by several percent while everything one pixel
# in is exactly flat; with replicate padding the whole output is flat; the transposed convolution, whose
# kernel is not balanced here, is uneven everywhere. Away from the frame the padded and unpadded
# resize-convolutions agree, and for a non-constant input too.

# %%
zero, replicate = outputs["resize-conv, zero padding"], outputs["resize-conv, replicate padding"]
centre = zero[6:-6, 6:-6].mean()
frame = torch.cat([zero[0], zero[-1], zero[:, 0], zero[:, -1]])
print(f"zero padding: border pixels {frame.min():.3f}–{frame.max():.3f} vs interior {centre:.3f}; "
      f"replicate padding: spread {replicate.max() - replicate.min():.1e}")
assert (frame - centre).abs().max() > 0.05 * centre
assert torch.allclose(zero[1:-1, 1:-1], centre.expand(14, 14), atol=1e-6)
assert torch.allclose(replicate, torch.ones_like(replicate), atol=1e-6)
d4 = outputs["transposed conv k4"]
assert d4[2:-2, 2:-2].max() / d4[2:-2, 2:-2].min() > 1.05
x = torch.randn(1, 1, 8, 8)
with torch.no_grad():
    assert torch.allclose(rc(x)[0, 0, 1:-1, 1:-1], rc(F.pad(x, (1, 1, 1, 1), mode="replicate"))[0, 0, 3:-3, 3:-3], atol=1e-6)

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
#   the median of interleaved runs, printed for orientation and never asserted, since it depends on the
#   machine;
# - **checkerboard score** of the 64×64 generator at initialisation from the section above.

# %%
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

params = {name: sum(p.numel() for p in layer.parameters()) for name, layer in layers.items()}
expected_params = {"deconv3": 9 * C * C + C, "deconv4": 16 * C * C + C, "nearest": 9 * C * C + C,
                   "bilinear": 9 * C * C + C, "subpixel": 36 * C * C + 4 * C, "subpixel_icnr": 36 * C * C + 4 * C}
header = ["upsampler", "parameters", "multiply-adds (M)"] + [f"{d.type.upper()} ms (fwd+bwd)" for d in timing_devices]
header.append("score at init")
rows = []
for name in layers:
    kind = name.split(" ")[0]
    macs = upsampling.multiply_adds(kind, C, C, H) if name in upsampling.KINDS else 4 * H * H * 9 * C * C
    row = [name, params[name], f"{macs / 1e6:.1f}"]
    row += [f"{statistics.median(times[name, d.type]):.1f}" for d in timing_devices]
    row.append(f"{mean_score[kind]:.4f}")
    rows.append(row)
plotting.table(header, rows)

# %% [markdown]
# The asserts pin down the parameter formulas and the artifact side of the table: averaged over 5 seeds,
# the transposed convolutions and plain sub-pixel convolution start at a score of 0.1 or more, nearest
# resize-convolution and ICNR sub-pixel convolution at 0.01 or less, bilinear resize-convolution below 0.05,
# and the $k=3$ transposed convolution scores at least 20 times higher than nearest resize-convolution. On
# cost, the folded nearest resize-convolution does the multiply-adds of a $k=4$ transposed convolution, 2.25
# times fewer than its naive path; `benchmarks/upsampling.py` measures the speed ratios on a larger problem.

# %%
for kind in upsampling.KINDS:
    assert params[kind] == expected_params[kind], kind
for kind in ("deconv3", "deconv4", "subpixel"):
    assert mean_score[kind] >= 0.1, kind
for kind in ("nearest", "subpixel_icnr"):
    assert mean_score[kind] <= 0.01, kind
assert mean_score["bilinear"] < 0.05
assert mean_score["deconv3"] >= 20 * mean_score["nearest"]
print(f"deconv3 / nearest at init: {mean_score['deconv3'] / mean_score['nearest']:.0f}x")

# %% [markdown]
# ## Summary
#
# - As matrices, the three upsamplers differ in how their rows are tied: the transposed convolution
#   alternates between two kinds of rows with different sums, the resize-convolutions repeat rows with equal
#   sums.
# - Nearest resize-convolution is exactly a transposed convolution with a folded, balanced kernel
#   $F W F^\top$: `ResizeConv2d(fast=True)` keeps the $k^2$ parameters and costs what a $k+s-1$ transposed
#   convolution costs, 2.25 times fewer multiply-adds than resizing first for $k=3$, $s=2$.
# - Sub-pixel convolution is only as good as its initialisation: ICNR removes the pattern, but only with the
#   bias tied across phases as well.
# - Zero padding after the resize leaves a one-pixel frame; padding the input by replication removes it and
#   keeps the fast path.
# - At initialisation, nearest resize-convolution and ICNR sub-pixel convolution generate clean images;
#   transposed convolutions and plain sub-pixel convolution do not.
