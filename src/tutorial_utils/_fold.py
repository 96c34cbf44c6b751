"""The fold that the resize-convolutions of ``upsampling`` (2D) and ``upsampling1d`` (1D) share.

Nearest upsampling by s followed by a "same" convolution with a small kernel is one transposed convolution whose
kernel is the small one folded: summed over s shifts along every axis (``upsampling.fold_matrix`` writes the fold
as a matrix). Every forward pass of the fast layers folds the current weight, so this trusts its callers.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def fold(weight: torch.Tensor, scale: list[int], groups: int) -> torch.Tensor:
    """The folded transposed-convolution weight (Cin, Cout/groups, *K) of a convolution weight (Cout,
    Cin/groups, *k), K = k + s - 1 per axis: ``F w`` along every axis (``upsampling.fold_matrix``) without building
    F, as the flipped kernel summed over s shifts (a few tensor operations, cheap enough for every forward pass)."""
    n = len(scale)
    kernel = weight.flip(list(range(2, 2 + n)))
    for axis in range(n):
        s = scale[axis]
        last = 2 * (n - 1 - axis)  # F.pad lists the last axis first
        folded = kernel
        for a in range(s):
            pad = [0] * (2 * n)
            pad[last], pad[last + 1] = a, s - 1 - a
            part = F.pad(kernel, pad)
            folded = part if a == 0 else folded + part
        kernel = folded
    if groups == 1:
        return kernel.transpose(0, 1)
    cout, cin_g = kernel.shape[0], kernel.shape[1]
    sizes = list(kernel.shape[2:])
    grouped = kernel.reshape([groups, cout // groups, cin_g] + sizes).transpose(1, 2)
    return grouped.reshape([groups * cin_g, cout // groups] + sizes)
