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
# # 02 · Overlap
#
# ```{glue:figure} overlap_2d
# How many kernel copies a stride-2 transposed convolution paints onto each output pixel, away from the
# borders: with a 3×3 kernel the counts repeat 4, 2, 2, 1 (a checkerboard), with a 4×4 kernel they are 4
# everywhere.
# ```
#
# **In this chapter you will learn**
# - the exact rule for when a transposed convolution's overlap is even: the stride divides the kernel size;
# - why the unevenness squares in 2D, and how stacked layers turn it into patterns of period 4 and 8;
# - which periods a final stride-1 layer removes, and which it only shrinks.
#
# Chapter 01 ended with the paint view of a transposed convolution: every input pixel stamps a copy of the
# kernel onto the output, and consecutive stamps sit $s$ pixels apart. When the kernel is wider than the
# stride the stamps overlap, and when the kernel size is not a multiple of the stride they overlap *unevenly*:
# some output pixels receive more stamps than their neighbours. That regular imbalance is the structural
# origin of the checkerboard {cite}`odena2016deconvolution`.
#
# This chapter counts it. The counts are what a transposed convolution does when every input and every
# kernel weight is 1, so they measure the layer's geometry before any learning: learned weights can fight
# the imbalance (chapter 03), but they start from it.

# %% tags=["hide-input", "setup"]
# Setup. In Colab, install the book's helper package from the repository. Everywhere, one call
# applies the figure style, seeds everything, picks the device and says which profile runs.
import sys

REPO = "https://github.com/checkerboard-book/checkerboard"
if "google.colab" in sys.modules:
    import subprocess

    pip = [sys.executable, "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"tutorial_utils @ git+{REPO}"], check=True)

from tutorial_utils import book, overlap, overlap_figures, plotting, runtime

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = book.setup(SEED)  # figure style, seeds, device; prints the profile

import itertools
import math

import matplotlib.pyplot as plt
import numpy as np

# %% [markdown]
# ## Counting stamps in one dimension
#
# With kernel size $k=3$ and stride $s=2$, each input covers three outputs and the next input starts two
# outputs further on, so the last output of one stamp is the first of the next. Away from the borders every
# other output is covered twice and the ones in between once: the counts alternate 2, 1, 2, 1. Eight inputs
# give $(8-1)\cdot 2 + 3 = 17$ outputs. `overlap.overlap_counts` computes the counts with integer arithmetic;
# the cell checks them against PyTorch's `conv_transpose1d` of ones (`overlap.torch_overlap`).

# %%
counts = overlap.overlap_counts(3, 2, 8)
print(counts)
assert len(counts) == 17
assert counts[2:-2].tolist() == [2, 1] * 6 + [2]
assert np.array_equal(counts, overlap.torch_overlap([3], [2], 8))

# %% [markdown]
# Four layers carry the whole argument, drawn large below: the inputs on top, each painting its $k$-wide
# footprint onto the output row, and every output cell numbered with how many footprints cover it. With
# $k=3$, $s=2$ the interior alternates 2, 1 (2x uneven); with $k=4$, $s=2$ every interior output is covered
# twice (even); with $k=5$, $s=2$ the counts alternate 3, 2 (1.5x: a wider kernel dilutes the imbalance but
# does not remove it); with $k=2$, $s=3$ the footprints do not even touch, and every third output receives
# nothing.

# %%
CASES = ((3, 2), (4, 2), (5, 2), (2, 3))
fig, axes = plt.subplots(len(CASES), 1, figsize=(7.5, 1.45 * len(CASES)))
for ax, (k, s) in zip(axes, CASES):
    overlap_figures.draw_overlap_1d(ax, k, s, input_size=5, span=(5 - 1) * 3 + 5)
    ax.set_title(
        f"kernel size {k}, stride {s}: "
        + {2.0: "2x uneven", 1.0: "even", 1.5: "1.5x uneven"}.get(overlap.unevenness(k, s), "gaps"),
        fontsize=10,
        loc="left",
    )
fig.tight_layout()
plt.show()

# %% tags=["hide-input", "checks"]
assert overlap.steady_state(3, 2, periods=2).tolist() == [2, 1, 2, 1]
assert overlap.steady_state(4, 2, periods=2).tolist() == [2, 2, 2, 2]
assert overlap.steady_state(5, 2, periods=2).tolist() == [3, 2, 3, 2]
assert sorted(overlap.steady_state(2, 3).tolist()) == [0, 1, 1]  # one output in three gets nothing
assert [overlap.unevenness(k, s) for k, s in CASES] == [2.0, 1.0, 1.5, math.inf]

# %% [markdown]
# The player below draws the same picture for any kernel size and stride from 1 to 6: the inputs on top,
# each painting its footprint onto the output row, and the output cells shaded by how many footprints cover
# them (the numbers). It holds all 36 diagrams, drawn in advance; its sliders (or the arrow keys) pick one.
# Printed, or without JavaScript, it shows them all at once as a grid whose rows are kernel sizes and whose
# columns are strides. Each title gives the ratio of the largest to the smallest count away from the
# borders: *even* when it is 1, *gaps* when some outputs receive nothing at all, which happens exactly when
# the kernel is smaller than the stride. (Run as a notebook, the chapter also offers the same diagram with
# live ipywidgets sliders.)

# %% tags=["static-equivalent"]
overlap_figures.overlap_player(kernel_sizes=range(1, 7), strides=range(1, 7))

# %% tags=["remove-cell"]
# Interactive: needs a running kernel (Jupyter, Binder, Colab). The book shows the player above.
overlap_figures.overlap_explorer()

# %% tags=["hide-input", "checks"]
for k in range(1, 7):
    for s in range(1, 7):
        assert (overlap.steady_state(k, s).min() == 0) == (k < s)  # exact: gaps iff k < s

# %% [markdown]
# ## Two dimensions: the outer product
#
# A 2D transposed convolution with a $k\times k$ kernel and stride $s$ in both directions paints $k\times k$
# squares on a grid of spacing $s$. A stamp covers output $(i, j)$ exactly when its rows cover $i$ and its
# columns cover $j$, and rows and columns are chosen independently, so the 2D count is the product of two 1D
# counts: the overlap map is the outer product of the 1D one with itself. For $k=3$, $s=2$ the interior repeats
# the 2×2 block $\begin{smallmatrix}4 & 2\\ 2 & 1\end{smallmatrix}$: a checkerboard. With $k=4$, $s=2$ the
# interior is flat. The maps show an 8×8 crop of the interior of each (an 8×8 input makes a 17×17 and an
# 18×18 output; the crop starts two pixels in, past the borders, where fewer stamps reach), with every count
# written in its cell, on one grey scale: darker for more stamps, as every count in this book is drawn.

# %% tags=["pixel-figure"]
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.3))
for ax, k in zip(axes, (3, 4)):
    interior = overlap.overlap_counts(k, 2, (8, 8))[2:10, 2:10]  # away from the borders
    plotting.show_counts(ax, interior, title=f"k={k}, s=2: stamps per pixel", vmax=4, fontsize=9)
fig.tight_layout()
book.glue("overlap_2d", fig)  # shown here, at the top of the chapter, and in the introduction

counts_2d = overlap.overlap_counts(3, 2, (8, 8))
assert counts_2d[2:10, 2:10][:2, :2].tolist() == [[4, 2], [2, 1]]  # the block the text names
assert np.array_equal(counts_2d, np.outer(counts, counts))
assert np.array_equal(counts_2d, overlap.torch_overlap([3], [2], (8, 8)))
assert overlap.steady_state(3, (2, 2)).tolist() == [[4, 2], [2, 1]]
assert overlap.steady_state(4, (2, 2)).tolist() == [[4, 4], [4, 4]]

# %% [markdown]
# The animation below paints both maps one stamp at a time, for a 4×4 input read row by row: press Play,
# step through it, or drag the slider. Every stamp adds one to a $k\times k$ square of the map, and the
# squares sit two pixels apart. With $k=3$ neighbouring squares share one row or column, so the pixels where
# four squares meet end up darker than their neighbours; with $k=4$ they share two, and the interior fills
# evenly. The last frame is the whole of each map, borders included, on a 4×4 input.

# %% tags=["static-equivalent"]
overlap_figures.stamping_player(kernel_sizes=(3, 4), stride=2, input_size=4)

# %% tags=["hide-input", "checks"]
for k in (3, 4):
    assert np.array_equal(overlap.stamp_counts(k, 2, 4, 16), overlap.overlap_counts(k, 2, (4, 4)))
    assert overlap.stamp_counts(k, 2, 4, 0).sum() == 0

# %% [markdown]
# Since the 2D counts are products, the ratio of the largest to the smallest interior count is squared: the
# $k=3$, $s=2$ layer that is 2x uneven along a line is 4x uneven on the image. The same holds for every
# kernel size and stride.

# %% tags=["hide-input", "checks"]
assert overlap.unevenness(3, 2) == 2.0
assert overlap.unevenness((3, 3), (2, 2)) == 4.0
for k in range(1, 7):
    for s in range(1, 7):  # with gaps (k < s) both sides are infinite
        assert overlap.unevenness((k, k), (s, s)) == overlap.unevenness(k, s) ** 2

# %% [markdown]
# ## When is overlap even?
#
# In the interior, output $j$ receives one stamp for every kernel tap $t \in \{0, \dots, k-1\}$ with
# $t \equiv j \pmod s$. So the count depends only on the output's phase $r = j \bmod s$, and phase $r$ collects
# $\lceil (k - r)/s \rceil$ taps. The phases get $\lceil k/s\rceil$ or $\lfloor k/s\rfloor$ taps, and these are
# equal exactly when $s$ divides $k$:
#
# $$ \frac{\max}{\min} = \frac{\lceil k/s \rceil}{\lfloor k/s \rfloor} = 1 \iff k \bmod s = 0. $$
#
# The table computes the ratio from the counts themselves, for every $k$ and $s$ from 1 to 6.

# %%
K, S = range(1, 7), range(1, 7)
table = overlap.unevenness_table(K, S)

fig, ax = plt.subplots(figsize=(3.6, 3.2))
label = lambda v: "gap" if math.isinf(v) else f"{v:g}"  # noqa: E731
plotting.annotated_heatmap(ax, table, K, S, fmt=label, vmax=2.5)
ax.set_xlabel("stride s")
ax.set_ylabel("kernel size k")
ax.set_title("max / min overlap (interior)")
plt.show()

# %% [markdown]
# The cell asserts the rule in every cell of the table: the ratio is 1 exactly when $k$ is divisible by $s$,
# and it always equals $\lceil k/s\rceil / \lfloor k/s\rfloor$. Whenever $s < k < 2s$ the ratio is exactly 2,
# and longer kernels dilute it ($k=5$, $s=2$ gives 1.5), without ever reaching 1 unless $s$ divides $k$. So
# $k=4$, $s=2$ is even and $k=3$, $s=2$, the size found in many generators, is not.

# %% tags=["hide-input", "checks"]
for i, k in enumerate(K):
    for j, s in enumerate(S):
        ratio = table[i, j]
        assert (ratio == 1.0) == (k % s == 0) == overlap.is_even_overlap(k, s)
        assert ratio == (math.ceil(k / s) / (k // s) if k >= s else math.inf)  # exact
        if s < k < 2 * s:
            assert ratio == 2.0
assert table[4, 1] == 1.5 and overlap.is_even_overlap(4, 2) and not overlap.is_even_overlap(3, 2)

# %% [markdown]
# Even overlap is a property of the geometry only. It means that a layer whose weights are all equal paints
# a flat output; a kernel with one heavy tap still paints a pattern, as chapter 03 shows.
#
# ## Stacked layers
#
# A generator upsamples several times in a row, and each transposed convolution paints on the already uneven
# canvas of the previous one. Two $k=3$, $s=2$ layers compose into one transposed convolution with stride 4
# and a 7-tap kernel $[1, 1, 2, 1, 2, 1, 1]$; its interior pattern repeats every 4 pixels rather than every 2,
# and the imbalance compounds. The cell computes the pattern with `overlap.stacked_overlap` and checks it
# against PyTorch.

# %%
kernel, stride = overlap.effective_kernel([3, 3], [2, 2])
print("equivalent single layer:", kernel.tolist(), "stride", stride)
assert kernel.tolist() == [1, 1, 2, 1, 2, 1, 1] and stride == 4
two_layers = overlap.stacked_overlap([3, 3], [2, 2], 10)
assert np.array_equal(two_layers, overlap.torch_overlap([3, 3], [2, 2], 10))

# %% [markdown]
# The figure shows the interior of the overlap map after one, two and three $k=3$, $s=2$ layers (a 16×16 crop
# away from the borders). One layer gives the period-2 checkerboard; the second adds a period-4 structure on
# top of it, and the third a period-8 one.

# %% tags=["pixel-figure"]
depths = (1, 2, 3)
fig, axes = plt.subplots(1, 3, figsize=(7.5, 2.7))
for ax, depth in zip(axes, depths):
    line = overlap.stacked_steady_state([3] * depth, [2] * depth, periods=16 // 2**depth)
    layers = "1 layer" if depth == 1 else f"{depth} layers"
    title = f"{layers}: period {overlap.smallest_period(line)}"
    plotting.show_counts(ax, np.outer(line, line), title=title, annotate=False)
plt.show()

# %% [markdown]
# The periods are 2, 4 and 8, the total stride of each stack, and the max/min ratio of the 1D counts grows
# from 2 to 3 to 5 (so 4, 9 and 25 in 2D).

# %% tags=["hide-input", "checks"]
periods, ratios = [], []
for depth in depths:
    line = overlap.stacked_steady_state([3] * depth, [2] * depth, periods=4)
    periods.append(overlap.smallest_period(line))
    ratios.append(float(line.max() / line.min()))
print("periods", periods, "max/min", ratios)
assert periods == [2, 4, 8]
assert ratios == [2, 3, 5]
for depth, ratio in zip(depths, ratios):
    square = np.outer(*[overlap.stacked_steady_state([3] * depth, [2] * depth, periods=2)] * 2)
    assert square.max() / square.min() == ratio**2

# %% [markdown]
# The player below stacks two layers of your choice, kernel sizes 2 to 4 and strides 1 to 3: the input on
# top, the counts after each layer below it, and in the title the period and the max/min ratio of the
# interior of the result. Of its 81 combinations, the 36 in which both layers are even all come out flat,
# and five more do although their first layer is uneven: the second layer averages the first one's pattern
# away. Two $k=3$, $s=2$ layers give period 4, but $k=3$, $s=2$ followed by $k=4$, $s=2$ is flat, because
# the second layer sums the interior 2, 1, 2, 1 in pairs. No stack comes out flat unless its last layer is
# even, and every pattern repeats with the total stride $s_1 s_2$ (its smallest period divides it).

# %% tags=["static-equivalent"]
overlap_figures.stacking_player(kernel_sizes=range(2, 5), strides=range(1, 4))

# %% tags=["hide-input", "checks"]
# (k1, s1, k2, s2)
stacks = list(itertools.product(range(2, 5), range(1, 4), range(2, 5), range(1, 4)))
period = {
    (k1, s1, k2, s2): overlap.smallest_period(
        overlap.stacked_steady_state([k1, k2], [s1, s2], periods=2)
    )
    for k1, s1, k2, s2 in stacks
}
flat = {c for c, p in period.items() if p == 1}
both_even = {
    c for c in stacks if overlap.is_even_overlap(c[0], c[1]) and overlap.is_even_overlap(c[2], c[3])
}
assert len(stacks) == 81 and len(both_even) == 36 and len(flat - both_even) == 5
assert both_even <= flat  # exact: a subset
assert all(not overlap.is_even_overlap(k1, s1) for k1, s1, _, _ in flat - both_even)
assert all(overlap.is_even_overlap(k2, s2) for _, _, k2, s2 in flat)
assert period[3, 2, 3, 2] == 4 and (3, 2, 4, 2) in flat
assert all((s1 * s2) % p == 0 for (_, s1, _, s2), p in period.items())

# %% [markdown]
# ## A final stride-1 layer
#
# Many generators end with a stride-1 convolution. It cannot add new periods, but it filters the ones that are
# there, and the article notes both effects: it removes the artifact periods that its size divides, and it
# reduces the others {cite}`odena2016deconvolution`. With an all-ones kernel of width $m$ the final layer is a
# box filter. Take the interior of two stacked $k=3$, $s=2$ layers, which repeats $[3, 2, 3, 1]$ (3x uneven),
# and add up $m$ neighbours: a width-2 box gives $[5, 5, 4, 4]$, a width-3 box $[8, 6, 7, 6]$, a width-4 box
# the flat $[9, 9, 9, 9]$. The maps below show the same in 2D (a 16×16 crop of the interior), before and after
# each final layer. Each map is divided by its own mean and all five share one grey scale, so what they
# compare is the pattern's size relative to the picture: a flat map is one even grey.

# %% tags=["pixel-figure"]
FINALS = {
    "two k3,s2 layers": [],
    "+ box of width 2": [2],
    "+ box of width 3": [3],
    "+ box of width 4": [4],
    "+ box of width 5": [5],
}
lines = {
    name: overlap.stacked_steady_state([3, 3] + extra, [2, 2] + [1] * len(extra), periods=4)
    for name, extra in FINALS.items()
}
relative = {
    name: np.outer(line, line) / np.outer(line, line).mean() for name, line in lines.items()
}
top = max(m.max() for m in relative.values())  # one scale for all five
fig, axes = plt.subplots(1, len(FINALS), figsize=(7.6, 2.0))
for ax, (name, line) in zip(axes, lines.items()):
    title = f"{name}\nmax/min {line.max() / line.min():.2f}"
    plotting.show_counts(ax, relative[name], title=title, vmax=top, annotate=False)
    ax.title.set_fontsize(8)
plt.show()

# %% tags=["hide-input", "checks"]
period_of = {name: line[:4].tolist() for name, line in lines.items()}
assert period_of["two k3,s2 layers"] in ([3, 2, 3, 1], [2, 3, 1, 3], [3, 1, 3, 2], [1, 3, 2, 3])
assert sorted(period_of["+ box of width 2"]) == [4, 4, 5, 5]
assert sorted(period_of["+ box of width 3"]) == [6, 6, 7, 8]
assert set(period_of["+ box of width 4"]) == {9}
# the flat map is one even grey, in the middle of the shared scale (neither white nor black)
assert np.allclose(relative["+ box of width 4"], 1) and 0.3 < 1 / top < 0.7  # exact

# %% [markdown]
# Measured relative to the mean, every box shrinks the pattern, and the ones whose width the period divides
# flatten it. The ratio of the largest to the smallest count falls from 3 to 1.25 (width 2), 1.33 (width 3),
# 1 (width 4) and 1.2 (width 5); the spread $(\max-\min)/\text{mean}$ falls from 0.89 to at most 0.3. The
# maps are outer products of these lines, so in 2D the max/min ratio is the square of the 1D one: 9 before
# the final layer, at most 1.8 after it.

# %%
spread = {name: float((line.max() - line.min()) / line.mean()) for name, line in lines.items()}
rows = [
    [name, str(line[:4].tolist()), f"{line.max() / line.min():.2f}", f"{spread[name]:.2f}"]
    for name, line in lines.items()
]
book.table(["final layer", "one period", "max/min", "(max - min) / mean"], rows)

# %% tags=["hide-input", "checks"]
ratio = {name: float(line.max() / line.min()) for name, line in lines.items()}
assert ratio["two k3,s2 layers"] == 3
assert ratio["+ box of width 2"] == 1.25 and np.isclose(ratio["+ box of width 3"], 4 / 3)
assert ratio["+ box of width 4"] == 1 and ratio["+ box of width 5"] == 1.2
assert np.isclose(spread["two k3,s2 layers"], 0.89, atol=0.005)
assert all(spread[name] <= 0.3 for name in FINALS if name != "two k3,s2 layers")  # exact
square = {name: np.outer(line, line) for name, line in lines.items()}
assert all(np.isclose(m.max() / m.min(), ratio[name] ** 2) for name, m in square.items())
assert square["two k3,s2 layers"].max() / square["two k3,s2 layers"].min() == 9
assert max(m.max() / m.min() for n, m in square.items() if n != "two k3,s2 layers") <= 1.8  # exact

# %% [markdown]
# The frequency view says which periods survive. A box of width $m$ has the frequency response
# $\left|\sin(\pi f m) / \sin(\pi f)\right|$, which vanishes at $f = 1/m, 2/m, \dots$ (in cycles per pixel).
# The two-layer pattern has components at $f = 1/4$ (period 4) and $f = 1/2$ (period 2, the Nyquist
# frequency). The stems below are the magnitudes of the discrete Fourier transform of the interior pattern
# (its mean removed) before and after each final layer.

# %%
spectra = {name: overlap.spectrum(line - line.mean()) for name, line in lines.items()}
fig, axes = plt.subplots(1, len(FINALS), figsize=(7.6, 2.2), sharey=True)
for ax, (name, (freqs, mags)) in zip(axes, spectra.items()):
    ax.stem(freqs, mags, basefmt=" ")
    ax.set_title(name, fontsize=8)
    ax.set_xticks([0, 0.25, 0.5], ["0", "¼", "½"])
    ax.set_xlabel("cycles per pixel")
axes[0].set_ylabel("|DFT| / length")
plt.show()

# %% [markdown]
# A width-2 box removes the period-2 component and leaves the period-4 one; a width-4 box removes both. A
# width-3 box nulls neither: its response has magnitude exactly 1 at both frequencies, so the absolute size
# of the pattern is unchanged, and the pattern shrinks only relative to the mean, which the box multiplies by
# 3. A width-5 box nulls neither either, but its response at both frequencies is 1, against 5 at zero
# frequency. So a final layer removes exactly the periods its kernel nulls, and otherwise makes the pattern
# smaller relative to the picture without removing it.

# %% tags=["hide-input", "checks"]
# The magnitude at period 4 (f = 1/4) and period 2 (f = 1/2) for each case.
at = {}
for name, (freqs, mags) in spectra.items():
    at[name] = {f: mags[np.isclose(freqs, f)].item() for f in (0.25, 0.5)}
before = at["two k3,s2 layers"]
# exact: the spectra of fixed integer patterns
assert before[0.25] > 0.1 and before[0.5] > 0.1
assert at["+ box of width 2"][0.5] < 1e-12 and at["+ box of width 2"][0.25] > 0.1  # exact
for m in (3, 5):
    assert np.isclose(at[f"+ box of width {m}"][0.25], before[0.25])
    assert np.isclose(at[f"+ box of width {m}"][0.5], before[0.5])
    assert lines[f"+ box of width {m}"].mean() == m * lines["two k3,s2 layers"].mean()
assert at["+ box of width 4"][0.25] < 1e-12 and at["+ box of width 4"][0.5] < 1e-12
assert overlap.smallest_period(overlap.stacked_steady_state([3, 3, 4], [2, 2, 1], periods=4)) == 1

# %% [markdown]
# For a single $k=3$, $s=2$ layer the same trick works: a width-2 box after it gives the same overlap as one
# $k=4$, $s=2$ layer with kernel $[1, 2, 2, 1]$, which is even. But the filter acts on the whole image, not
# only on the pattern: it also removes the legitimate detail at those frequencies, and with learned rather
# than all-ones weights the cancellation is no longer exact. The article's conclusion follows: rather than
# repairing uneven overlap after the fact, use an upsampling operator that does not create it (chapter 04).

# %% tags=["hide-input", "checks"]
kernel, stride = overlap.effective_kernel([3, 2], [2, 1])
assert kernel.tolist() == [1, 2, 2, 1] and stride == 2
assert overlap.smallest_period(overlap.stacked_steady_state([3, 2], [2, 1], periods=4)) == 1

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - A transposed convolution's overlap is even exactly when the stride divides the kernel size; otherwise the
#   interior counts alternate, with max/min $\lceil k/s\rceil / \lfloor k/s\rfloor$: 2 for $k=3$, $s=2$.
# - In 2D the counts are an outer product, so the unevenness is squared (4x for $k=3$, $s=2$), and stacked
#   layers compound it into patterns whose period is their total stride: 2, 4 and 8 for one, two and three
#   $k=3$, $s=2$ layers.
# - A final stride-1 layer removes exactly the periods its kernel nulls (a width-2 box removes period 2, a
#   width-4 box both); any other width only shrinks the pattern relative to the picture. Better not to create
#   the pattern at all: chapter 03 asks whether learning avoids it, chapter 04 builds layers that do.
# ```
