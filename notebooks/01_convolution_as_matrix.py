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
# # 01 · Convolution as a matrix
#
# ```{glue:figure} paint_stamps
# A stride-2 transposed convolution paints: each of the four input pixels stamps a copy of the 3×3 kernel,
# scaled by its value, and where the stamps overlap they add up. The last panel counts the stamps on each
# output pixel.
# ```
#
# **In this chapter you will learn**
# - that a convolution is a matrix $C$, and that the transposed convolution multiplies by $C^\top$, which is
#   also the convolution's backward pass;
# - why the transpose does not undo the convolution;
# - that three common pictures of the transposed convolution (a transposed matrix, a stamp that paints, a
#   convolution over zeros) are one operator, and where its stamps overlap.
#
# The layer at the centre of this book goes by many names: *deconvolution*, *fractionally strided
# convolution*, *up-convolution*, *transposed convolution*. Only the last one says what it is. A convolution is a
# linear map, so it is a matrix $C$; the layer that upsamples in a generator multiplies by $C^\top$
# {cite}`dumoulin2016guide,shi2016deconvolution`. The checkerboard artifacts of
# {cite}`odena2016deconvolution` are already visible in the structure of that matrix.
#
# This chapter builds $C$ by hand, checks it against PyTorch, shows what the transpose does and does not
# undo, and then shows that three descriptions of the transposed convolution that circulate in tutorials (a
# transposed matrix, a stamp that paints the kernel into the output, and an ordinary convolution over an input
# padded with zeros) are the same operator. Every equality is asserted on small examples you can see; the
# checks on random shapes and the shape arithmetic (`output_padding`) are collected in a details section at
# the end, for reference.

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
from tutorial_utils import book, matrices, plotting, runtime

SEED = runtime.seed()  # TUTORIAL_SEED, 0 unless set; every seed below derives from it
device = book.setup(SEED)  # figure style, seeds, device; prints the profile

import inspect
import random

import matplotlib.pyplot as plt
import torch.nn.functional as F
from IPython.display import Code

# Matrices are compared in float64 so that "equal" can mean "equal to 1e-12". They are small: the
# CPU is fine.
DT = torch.float64

# %% [markdown]
# ## A convolution is a matrix
#
# Take a 4×4 single-channel input and a 3×3 kernel, with no padding and stride 1. The kernel fits in four
# places, so the output is 2×2, and each output pixel is the dot product of the kernel with one 3×3 window of
# the input. Flatten the input into a vector of 16 numbers and the output into a vector of 4: each output is
# then one row of a 4×16 matrix $C$ that holds the nine kernel weights in the columns of its window and zeros
# elsewhere,
#
# $$ \operatorname{vec}(\text{conv}(x)) = C \operatorname{vec}(x). $$
#
# `matrices.conv2d_matrix` writes those weights into place by index arithmetic alone; it never calls a
# convolution, so comparing it with `torch.nn.functional.conv2d` is an honest check.

# %% tags=["pixel-figure"]
kernel = torch.randn(1, 1, 3, 3, dtype=DT)  # (Cout, Cin, kH, kW), PyTorch's layout
C = matrices.conv2d_matrix(kernel, (4, 4))
x = torch.randn(1, 4, 4, dtype=DT)  # (Cin, H, W)

fig, axes = plt.subplots(1, 2, figsize=(7, 1.9), gridspec_kw={"width_ratios": [1, 4.5]})
plotting.show_signed(axes[0], kernel[0, 0], title="kernel (3×3)")
plotting.show_signed(axes[1], C, title="C: 4 outputs × 16 inputs")
plt.show()

# %% [markdown]
# Each row of $C$ contains all nine weights and seven zeros; the rows differ only by where the window sits.
# Multiplying by $C$ is exactly what `conv2d` computes.

# %% tags=["hide-input", "checks"]
assert C.shape == (4, 16)
assert ((C != 0).sum(dim=1) == 9).all()
assert torch.allclose(C @ x.flatten(), F.conv2d(x[None], kernel).flatten(), rtol=0, atol=1e-12)

# %% [markdown]
# Padding and stride only change which windows are used. With padding 1 and stride 2 the same kernel still
# gives a 2×2 output from a 4×4 input, but three of its four windows hang over the border: the weights that
# fall on padding have no column to go to, so those rows hold 4, 6 and 6 weights instead of 9. With padding 1
# and stride 1, $C$ is square (16×16) and its rows are the kernel sliding one pixel at a time.

# %% tags=["pixel-figure"]
C_strided = matrices.conv2d_matrix(kernel, (4, 4), stride=2, padding=1)
C_same = matrices.conv2d_matrix(kernel, (4, 4), stride=1, padding=1)

fig, axes = plt.subplots(1, 2, figsize=(7, 2.6), gridspec_kw={"width_ratios": [1, 1]})
plotting.show_signed(axes[0], C_strided, title="stride 2, padding 1: 4×16")
plotting.show_signed(axes[1], C_same, title="stride 1, padding 1: 16×16")
plt.show()

# %% tags=["hide-input", "checks"]
assert C_strided.shape == (4, 16) and C_same.shape == (16, 16)
assert sorted((C_strided != 0).sum(dim=1).tolist()) == [4, 6, 6, 9]
strided = F.conv2d(x[None], kernel, stride=2, padding=1).flatten()
assert torch.allclose(C_strided @ x.flatten(), strided, atol=1e-12)
same = F.conv2d(x[None], kernel, padding=1).flatten()
assert torch.allclose(C_same @ x.flatten(), same, atol=1e-12)

# %% [markdown]
# With several channels, $C$ is a block matrix: block $(o, i)$ is the single-channel matrix of the kernel
# that connects input channel $i$ to output channel $o$, and output channel $o$ sums over its row of blocks.

# %% tags=["hide-input", "checks"]
weight = torch.randn(3, 2, 3, 3, dtype=DT)  # 2 input channels, 3 output channels
C_multi = matrices.conv2d_matrix(weight, (4, 4), padding=1)
assert C_multi.shape == (3 * 16, 2 * 16)
for o in range(3):
    for i in range(2):
        block = C_multi[16 * o : 16 * (o + 1), 16 * i : 16 * (i + 1)]
        single = weight[o : o + 1, i : i + 1]  # the 3×3 kernel from input i to output o
        assert torch.equal(block, matrices.conv2d_matrix(single, (4, 4), padding=1))

# %% [markdown]
# ## The transpose goes the other way
#
# $C$ maps 16 numbers to 4. Its transpose $C^\top$ maps 4 numbers to 16: a 2×2 image to a 4×4 one. It uses the
# same connections in reverse: in $C$, input pixel $j$ feeds a window of outputs, so in $C^\top$ output pixel $j$
# receives from exactly those. This is the transposed convolution, and three facts tie it to PyTorch:
#
# 1. $C^\top y$ is `conv_transpose2d(y, kernel)`, with the *same* weight tensor. PyTorch stores a transposed
#    convolution's weight as (Cin, Cout, kH, kW) of the transposed layer, which is (Cout, Cin, kH, kW) of the
#    convolution it transposes.
# 2. `matrices.conv_transpose2d_matrix`, built by its own index arithmetic, is exactly $C^\top$.
# 3. $C^\top y$ is the gradient of $\langle \text{conv}(x), y\rangle$ with respect to $x$: the backward pass of a
#    convolution is a transposed convolution, which is why {doc}`chapter 07 <07_gradient_artifacts>` finds
#    checkerboards in gradients.

# %%
y = torch.randn(1, 2, 2, dtype=DT)  # a 2×2 "output" to send back
back = (C.T @ y.flatten()).view(1, 4, 4)

assert torch.allclose(back, F.conv_transpose2d(y[None], kernel)[0], atol=1e-12)  # fact 1
assert torch.equal(matrices.conv_transpose2d_matrix(kernel, (2, 2)), C.T)  # fact 2

x_var = x.clone().requires_grad_()
(grad,) = torch.autograd.grad(F.conv2d(x_var[None], kernel), x_var, grad_outputs=y[None])
assert torch.allclose(grad, back, atol=1e-12)  # fact 3

# %% [markdown]
# ### Transposing is not inverting
#
# The transpose reverses the shapes and the connections, not the values. Some tutorials call the transposed
# convolution a way to "reverse" a convolution; it is not one. Take the strided convolution from above
# ($k=3$, $s=2$, $p=1$, 4×4 to 2×2): its $C$ is 4×16, so $C^\top C$ is a 16×16 matrix of rank 4, far from the
# identity, and $C^\top C x$ misses $x$ by more than half of $x$'s norm in this example. No map can undo the
# convolution, because it keeps only the 4 directions of $x$ spanned by the rows of $C$ and discards the other
# 12 (here more than half of $x$'s norm is lost for good). What can be recovered is exactly the part it keeps:
# the pseudo-inverse $C^+ = C^\top (C C^\top)^{-1}$ (a 4×4 correction, then $C^\top$, so it equals $C^\top$ only
# when $C C^\top = I$) maps every $y$ to an image that the convolution sends back to $y$ ($C C^+ = I$), and $C^+ C x$
# is the projection of $x$ onto the row space of $C$. The figure shows $x$, $C^\top C x$, $C^+ C x$ and what
# is lost, all on the colour scale of $x$ except $C^\top C x$, which is drawn on its own.

# %% tags=["pixel-figure"]
x16 = torch.randn(16, dtype=DT)
C_plus = torch.linalg.pinv(C_strided)
images = {
    "x": x16,
    "Cᵀ C x": C_strided.T @ C_strided @ x16,
    "C⁺ C x": C_plus @ C_strided @ x16,
    "lost: x − C⁺ C x": x16 - C_plus @ C_strided @ x16,
}
fig, axes = plt.subplots(1, 4, figsize=(7.5, 2.1))
for ax, (name, v) in zip(axes, images.items(), strict=True):
    own = name.startswith("Cᵀ")  # on x's colour scale it would saturate: drawn on its own
    limit = float((v if own else x16).abs().max())
    plotting.show_signed(
        ax, v.view(4, 4), title=name + (" (own scale)" if own else ""), limit=limit
    )
plt.show()

# %% tags=["hide-input", "checks"]
gram = C_strided.T @ C_strided
rank = int(torch.linalg.matrix_rank(gram))
miss = float((images["Cᵀ C x"] - x16).norm() / x16.norm())
lost = float(images["lost: x − C⁺ C x"].norm() / x16.norm())
print(f"rank of CᵀC: {rank} of 16; |CᵀCx − x| / |x| = {miss:.2f}; lost by C: {lost:.2f} of |x|")
assert rank == 4 and not torch.allclose(gram, torch.eye(16, dtype=DT))
# Cᵀ C x is never closer to x than the projection C⁺ C x is
assert miss >= lost  # exact: C⁺ C x is the closest point of the row space to x
runtime.claim("share of x lost by the strided C", lost, ">", 0.5)
assert torch.allclose(C_strided @ C_plus, torch.eye(4, dtype=DT), atol=1e-12)  # C C⁺ = I
assert torch.allclose(C_plus, C_strided.T @ torch.linalg.inv(C_strided @ C_strided.T), atol=1e-10)
projection = C_plus @ C_strided
assert torch.allclose(projection @ projection, projection, atol=1e-12)  # a projection, of rank 4
assert (
    torch.allclose(projection, projection.T, atol=1e-12)
    and int(torch.linalg.matrix_rank(projection)) == 4
)

# %% [markdown]
# Read $C^\top$ column by column. Column $j$ is what a single 1 at position $j$ of the 2×2 input becomes: a copy
# of the kernel pasted into the 4×4 output where window $j$ used to be. The transposed convolution of any input
# is a weighted sum of these pasted kernels.

# %% tags=["pixel-figure"]
fig, axes = plt.subplots(1, 5, figsize=(7.6, 1.9), gridspec_kw={"width_ratios": [1.3, 1, 1, 1, 1]})
plotting.show_signed(axes[0], C.T, title="Cᵀ (16×4)")
for j in range(4):
    plotting.show_signed(axes[j + 1], C.T[:, j].view(4, 4), title=f"column {j}")
plt.show()

# %% tags=["hide-input", "checks"]
for j in range(4):
    r, c = divmod(j, 2)
    pasted = torch.zeros(4, 4, dtype=DT)
    pasted[r : r + 3, c : c + 3] = kernel[0, 0]
    assert torch.equal(C.T[:, j].view(4, 4), pasted)

# %% [markdown]
# ## Three views of one operator
#
# The transposed convolution is explained in three ways, and it pays to see all three agree, because each
# makes a different property obvious. The pictures use stride 2, the upsampling case, where a 2×2 input
# becomes a 5×5 output with a 3×3 kernel.
#
# **The paint (scatter) view.** Each input pixel stamps a copy of the kernel, scaled by the pixel's value, onto
# the output, and the stamps of neighbouring pixels are placed $s$ apart. Where stamps overlap they add up.
# Padding $p$ then trims $p$ rows and columns from each side of the canvas, and `output_padding` adds rows and
# columns at the far end. The package writes this as an explicit loop:

# %%
Code(inspect.getsource(matrices.transpose_by_scatter), language="python")

# %% [markdown]
# Drawn out for a 2×2 input with the values written in it, the four stamps are the kernel scaled by $+1$,
# $+\tfrac12$, $-\tfrac12$ and $-1$ (a fixed input, so that every stamp shows), placed two pixels apart on the
# 5×5 output, all on one colour scale. Their sum is the output. The last panel counts the stamps that paint
# each pixel (darker for more, the colours every count in this book uses): the middle row and column receive
# paint from two stamps, and the centre pixel from all four. That overlap is the subject of the next chapter.

# %% tags=["pixel-figure"]
y = torch.tensor([[1.0, 0.5], [-0.5, -1.0]], dtype=DT).view(1, 1, 2, 2)
stamps = []
for i in range(2):
    for j in range(2):
        alone = torch.zeros_like(y)
        alone[0, 0, i, j] = y[0, 0, i, j]
        stamps.append(matrices.transpose_by_scatter(alone, kernel, stride=2)[0, 0])
painted = matrices.transpose_by_scatter(y, kernel, stride=2)[0, 0]
covered = sum((s != 0).long() for s in stamps)  # how many stamps paint each output pixel

fig = plt.figure(figsize=(7.6, 3.9))
top, bottom = fig.subfigures(2, 1)
axes = top.subplots(1, 5)
limit = max(t.abs().max().item() for t in [*stamps, painted])  # one scale for stamps and sum
plotting.show_signed(axes[0], y[0, 0], title="input\n(2×2)")
for (i, j), v in zip([(0, 0), (0, 1), (1, 0), (1, 1)], y.flatten().tolist()):
    axes[0].text(j, i, f"{v:+g}", ha="center", va="center", color="white" if abs(v) > 0.6 else "k")
for j, (stamp, v) in enumerate(zip(stamps, y.flatten().tolist())):
    plotting.show_signed(axes[j + 1], stamp, title=f"stamp {j}\n{v:+g} × kernel", limit=limit)
axes = bottom.subplots(1, 3)
plotting.show_signed(axes[0], kernel[0, 0], title="kernel (3×3)", limit=limit)
plotting.show_signed(axes[1], painted, title="sum of the stamps (5×5)", limit=limit)
plotting.show_counts(axes[2], covered, title="stamps per pixel", fontsize=9)
for ax in [*top.axes, *bottom.axes]:
    ax.title.set_fontsize(9)
book.glue("paint_stamps", fig)  # shown here, and at the top of the chapter

# %% tags=["hide-input", "checks"]
assert painted.shape == (5, 5)
assert torch.allclose(sum(stamps), painted, atol=1e-12)
# every stamp shows on the shared scale, at least a fifth of it (0.23 at the least over seeds 0-9)
faintest = min(float(t.abs().max()) for t in stamps) / limit
runtime.claim("faintest stamp over the shared scale", faintest, ">=", 0.2)
assert covered[2, 2] == 4 and covered[2, 0] == 2 and covered[0, 2] == 2 and covered[0, 0] == 1

# %% [markdown]
# **The zero-insertion view.** Spread the input out by inserting $s-1$ zeros between neighbouring pixels, pad
# the result by $d(k-1) - p$ on each side (a negative amount crops), and run an ordinary stride-1 convolution
# with the kernel rotated by 180° and its two channel axes swapped. This is how the operation is usually drawn
# {cite}`dumoulin2016guide`, and it shows why the layer is called *fractionally strided*: the kernel moves
# by $1/s$ of an input pixel per output pixel. `matrices.zero_insert` builds the spread and padded grid, and
# `transpose_by_zero_insertion` convolves it:

# %%
Code(
    inspect.getsource(matrices.zero_insert)
    + "\n\n"
    + inspect.getsource(matrices.transpose_by_zero_insertion),
    language="python",
)

# %% tags=["pixel-figure"]
padded = matrices.zero_insert(y, 3, stride=2)[0, 0]  # pad by d(k-1) - p = 2 on each side

fig, axes = plt.subplots(1, 3, figsize=(6, 2.2))
plotting.show_signed(axes[0], padded, title="spread and padded (7×7)")
plotting.show_signed(axes[1], kernel[0, 0].flip(-2, -1), title="kernel, rotated")
output = matrices.transpose_by_zero_insertion(y, kernel, stride=2)[0, 0]
plotting.show_signed(axes[2], output, title="output (5×5)")
plt.show()

# %% [markdown]
# Most of what this convolution reads is zeros, which makes the view easy to draw and wasteful to compute. A
# blog post on checkerboards counts only 4 of 36 cells that carry information; that is the grid of the
# `deconv3` layer of later chapters ($k=3$, $s=2$, $p=1$, `output_padding` 1) on a 2×2 input: the spread
# input is 3×3, padded by $d(k-1) - p = 1$ on each side and once more at the far end for `output_padding`, so
# the convolution scans a 6×6 grid of which 4 cells hold input values and 32 are zeros, and it produces the
# 4×4 output.

# %% tags=["hide-input", "checks"]
grid = matrices.zero_insert(y, 3, stride=2, padding=1, output_padding=1)[0, 0]
nonzero = int(torch.count_nonzero(grid))
print(
    f"deconv3, 2×2 input: a {tuple(grid.shape)} grid, {nonzero} of {grid.numel()} cells hold inputs"
)
assert grid.shape == (6, 6) and nonzero == 4
deconv3_args = dict(stride=2, padding=1, output_padding=1)
assert matrices.conv_transpose_output_size(2, 3, **deconv3_args) == 4
assert torch.allclose(
    F.conv2d(grid[None, None], kernel.flip(-2, -1)), F.conv_transpose2d(y, kernel, **deconv3_args)
)

# %% [markdown]
# **The matrix view** is $C^\top$ of the stride-2 convolution that maps 5×5 back to 2×2. On this example the
# three views and PyTorch's `conv_transpose2d` agree. The overlap is visible in the matrix too: the number of
# nonzeros in each row of $C^\top$ (how many inputs reach that output) is exactly the number of stamps that
# cover the pixel.

# %%
reference = F.conv_transpose2d(y, kernel, stride=2)
C_down = matrices.conv2d_matrix(kernel, (5, 5), stride=2)  # 5×5 -> 2×2
views = {
    "paint": matrices.transpose_by_scatter(y, kernel, stride=2),
    "zero insertion": matrices.transpose_by_zero_insertion(y, kernel, stride=2),
    "matrix transpose": (C_down.T @ y.flatten()).view(1, 1, 5, 5),
}
for name, out in views.items():
    assert torch.allclose(out, reference, rtol=0, atol=1e-12), name
print("all three views equal conv_transpose2d:", list(views))
assert torch.equal((C_down.T != 0).sum(dim=1).view(5, 5), covered)

# %% [markdown]
# ## Details
#
# Reference material that the rest of the book does not need: the same equalities checked on random shapes,
# and the shape arithmetic behind `output_padding`. Open a box to read it; the collapsed cell under each box
# runs its checks.
#
# ````{dropdown} Every view, on random shapes
# One example can hide a coincidence, so the cell below draws random configurations (1 to 3 channels in and
# out, non-square sizes, kernels up to 4, strides up to 3, paddings up to 2, dilations up to 2, and every
# allowed `output_padding`) and checks, for each, that all of the following agree with `conv_transpose2d` to
# 1e-12: the paint loop, zero insertion, the matrix from `conv_transpose2d_matrix`, and, whenever the
# convolution of the output size gives back the input size, the transpose of `conv2d_matrix` and the autograd
# gradient of `conv2d` (the column "Cᵀ, grad"). The table abbreviates padding, dilation and output padding.
#
# ```{glue:any} random_views
# ```
# ````

# %% tags=["hide-input", "checks"]
rng = random.Random(SEED)
hw = lambda pair: f"{pair[0]}×{pair[1]}"  # noqa: E731 - formats (h, w) for the table
rows, worst, checked = [], 0.0, 0
while checked < 16:
    cin, cout = rng.randint(1, 3), rng.randint(1, 3)
    size = (rng.randint(1, 6), rng.randint(1, 6))
    k = (rng.randint(1, 4), rng.randint(1, 4))
    s = (rng.randint(1, 3), rng.randint(1, 3))
    p = (rng.randint(0, 2), rng.randint(0, 2))
    d = (rng.randint(1, 2), rng.randint(1, 2))
    op = (rng.randrange(max(s[0], d[0])), rng.randrange(max(s[1], d[1])))
    try:
        out_size = matrices.conv_transpose_output_size(size, k, s, p, op, d)
    except ValueError:  # padding too large for this size: not a valid layer, draw again
        continue
    w = torch.randn(cin, cout, *k, dtype=DT)
    y = torch.randn(2, cin, *size, dtype=DT)
    args = dict(stride=s, padding=p, output_padding=op, dilation=d)
    reference = F.conv_transpose2d(y, w, **args)
    M = matrices.conv_transpose2d_matrix(w, size, **args)
    outs = [
        matrices.transpose_by_scatter(y, w, **args),
        matrices.transpose_by_zero_insertion(y, w, **args),
        (M @ y.flatten(1).T).T.reshape(reference.shape),
    ]
    adjoint = "no"
    if matrices.conv_output_size(out_size, k, s, p, d) == size:
        down = dict(stride=s, padding=p, dilation=d)  # the convolution this layer transposes
        assert torch.equal(M, matrices.conv2d_matrix(w, out_size, **down).T)
        x_var = torch.randn(2, cout, *out_size, dtype=DT, requires_grad=True)
        (g,) = torch.autograd.grad(F.conv2d(x_var, w, **down), x_var, grad_outputs=y)
        outs.append(g)
        adjoint = "yes"
    error = max((o - reference).abs().max().item() for o in outs)
    assert error < 1e-12, (size, k, args, error)
    worst = max(worst, error)
    shapes = [hw(v) for v in (size, k, s, p, d, op, out_size)]
    rows.append((f"{cin}→{cout}", *shapes, adjoint, f"{error:.0e}"))
    checked += 1

header = [
    "channels",
    "input",
    "kernel",
    "stride",
    "pad",
    "dil.",
    "out pad",
    "output",
    "Cᵀ, grad",
    "error",
]
caption = f"{checked} random configurations; largest difference from conv_transpose2d {worst:.1e}"
book.glue("random_views", book.table(header, rows, caption=caption), display=False)

# %% [markdown]
# ````{dropdown} Shape arithmetic, and why output_padding exists
# Along each axis, a convolution with input size $n$, kernel size $k$, stride $s$, padding $p$ and dilation
# $d$ has output size {cite}`dumoulin2016guide`
#
# $$ o = \left\lfloor \frac{n + 2p - d(k-1) - 1}{s} \right\rfloor + 1, $$
#
# and the transposed convolution with the same parameters maps $n$ to
#
# $$ o' = (n-1)s - 2p + d(k-1) + a + 1, $$
#
# where $a$ is the layer's `output_padding`. `matrices.conv_output_size` and
# `matrices.conv_transpose_output_size` implement these formulas; the cell below checks them against the
# shapes PyTorch actually produces, on all {glue:text}`shape_configs` transposed configurations of small sizes
# (and every valid direct one).
#
# The floor in the first formula throws information away. A convolution with stride $s$ maps $s$ consecutive
# input sizes to the same output size, so the shape map is many-to-one, and its transpose cannot know which
# of them to return. Take the layer used throughout this book's generators, $k=3$, $s=2$, $p=1$: inputs of
# size 7 and 8 both give 4. Without help, the transposed convolution maps 4 to 7. `output_padding` (an
# integer from 0 to $s-1$ when there is no dilation) adds the missing rows at the far end and selects the
# other preimage:
#
# ```{glue:any} output_padding_table
# ```
#
# PyTorch's layer can also work out `output_padding` itself when told the size it should produce
# (`layer(x, output_size=...)`), which is the safest way to invert a given downsampling. And the combination
# $k=3$, $s=2$, $p=1$, `output_padding=1` is the one that exactly doubles every size: the "deconv3" upsampler
# of later chapters.
# ````

# %% tags=["hide-input", "checks"]
signal = lambda length: torch.zeros(1, 1, length)  # noqa: E731 - only its shape matters
combinations = 0
for n in range(1, 11):
    for k in range(1, 5):
        for s in range(1, 4):
            for p in range(3):
                for d in (1, 2):
                    if n + 2 * p >= d * (k - 1) + 1:  # the kernel fits in the padded input
                        o = F.conv1d(signal(n), signal(k), stride=s, padding=p, dilation=d).shape[
                            -1
                        ]
                        assert matrices.conv_output_size(n, k, s, p, d) == o
                    for op in range(max(s, d)):
                        if (n - 1) * s - 2 * p + d * (k - 1) + op + 1 >= 1:
                            args = dict(stride=s, padding=p, output_padding=op, dilation=d)
                            o = F.conv_transpose1d(signal(n), signal(k), **args).shape[-1]
                            assert matrices.conv_transpose_output_size(n, k, **args) == o
                            combinations += 1
book.glue("shape_configs", combinations, display=False)

k, s, p = 3, 2, 1
rows = []
for n in range(1, 11):
    o = matrices.conv_output_size(n, k, s, p)
    back0 = matrices.conv_transpose_output_size(o, k, s, p, output_padding=0)
    needed = n - back0
    assert 0 <= needed < s  # exact: output_padding is always enough to recover n
    assert matrices.conv_transpose_output_size(o, k, s, p, output_padding=needed) == n
    rows.append((n, o, back0, needed))
header = ["input n", "conv output o", "transposed, output_padding=0", "output_padding for n"]
book.glue("output_padding_table", book.table(header, rows), display=False)
assert matrices.conv_output_size(7, k, s, p) == matrices.conv_output_size(8, k, s, p) == 4
assert matrices.conv_input_sizes(4, k, s, p) == [7, 8]
# Every stride s maps exactly s input sizes onto each output size, and output_padding = 0..s-1
# reaches each one.
for s_ in range(1, 5):
    for o in range(2, 12):
        preimages = matrices.conv_input_sizes(o, 3, s_, 1)
        assert len(preimages) == s_
        reached = [
            matrices.conv_transpose_output_size(o, 3, s_, 1, output_padding=j) for j in range(s_)
        ]
        assert preimages == reached

layer = torch.nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, padding=1, bias=False)
small = torch.randn(1, 1, 4, 4)
assert layer(small).shape[-2:] == (7, 7)
assert layer(small, output_size=[8, 8]).shape[-2:] == (8, 8)
for n in range(1, 129):
    assert matrices.conv_transpose_output_size(n, 3, 2, 1, output_padding=1) == 2 * n

# %% [markdown]
# ```{admonition} Takeaways
# :class: tip takeaways
# - A convolution is a matrix $C$, built here by index arithmetic and equal to `conv2d`. The transposed
#   convolution multiplies by $C^\top$: it equals `conv_transpose2d` with the same weight tensor, and the
#   backward pass of the convolution.
# - Transposing is not inverting: for the strided 3×3 convolution, $C^\top C$ has rank 4 of 16, and
#   $C^\top C x$ misses $x$ by more than half its norm.
# - The paint, zero-insertion and matrix views are one operator. In the paint view the stamps overlap: with
#   $k=3$, $s=2$ the centre pixel receives four stamps and its neighbours two. Chapter 02 counts that overlap.
# ```
