"""The balance condition of a transposed convolution: when its kernel paints a flat input flat.

A transposed convolution with stride s maps a constant input to a period-s pattern whose values are the sums of
the kernel's taps in each stride phase (:func:`phase_sums`). The output is flat exactly when those sums agree,
a set of linear constraints on the kernel (:func:`balance_constraints`); :func:`unbalanced_share` measures how far
a kernel is from satisfying them. Everything here returns torch tensors.
"""

from __future__ import annotations

import torch

from ._checks import as_int, as_pair, checked, int_or_pair, is_pair, pair_at_least, sees_arguments


def _kernel(name: str, value) -> torch.Tensor:
    """Rule: a non-empty 1D (k,) or 2D (kh, kw) kernel, as a tensor."""
    try:
        w = torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} must be a 1D (k,) or 2D (kh, kw) tensor, got {type(value).__name__}") from err
    if w.ndim not in (1, 2) or w.numel() == 0:
        raise ValueError(f"{name} must be a non-empty 1D (k,) or 2D (kh, kw) tensor, got shape {tuple(w.shape)}")
    return w


@sees_arguments
def _stride_for_kernel(name: str, value, arguments: dict) -> int | tuple[int, int]:
    """Rule: an int stride for a 1D kernel, a pair for a 2D one."""
    return as_int(name, value, 1) if arguments["kernel"].ndim == 1 else as_pair(name, value, 1)


@checked(kernel=_kernel, stride=_stride_for_kernel)
def phase_sums(kernel, stride) -> torch.Tensor:
    """Sum of the taps of a 1D (k,) or 2D (kh, kw) kernel in each stride phase: entry a is the sum of w[t] over
    t ≡ a (mod s), shape (s,) or (s, s).

    A transposed convolution with this kernel and stride s maps a constant input c to c times these sums, one
    per output phase (away from the borders; the padding only permutes the phases). Equal sums ("balanced"):
    a flat output; unequal sums: a period-s pattern, whatever the input.
    """
    w, s = kernel, stride
    if w.ndim == 1:
        return torch.stack([w[a::s].sum() for a in range(s)])
    sy, sx = s
    return torch.stack([torch.stack([w[a::sy, b::sx].sum() for b in range(sx)]) for a in range(sy)])


SIZES = int_or_pair("kernel_size", "stride")  # ints for 1D kernels, a pair in either for 2D


@checked(kernel_size=SIZES, stride=SIZES)
def balance_constraints(kernel_size, stride) -> torch.Tensor:
    """The linear constraints "every stride phase of the kernel sums to the same value" as a matrix A.

    ``kernel_size`` and ``stride`` are ints (1D kernels, A of shape (s - 1, k)) or pairs (2D kernels, A of
    shape (sy·sx - 1, kh·kw), acting on the kernel flattened row-major). Row a is the indicator of phase a
    minus the indicator of phase 0, so ``A @ w.flatten() == 0`` exactly when ``phase_sums(w, s)`` are all
    equal. Balanced kernels form the null space of A: a linear subspace of dimension numel - rank(A), which is
    k - (s - 1) in 1D whenever k >= s.
    """
    if is_pair(kernel_size):
        (kh, kw), (sy, sx) = kernel_size, stride
        rows, cols = torch.meshgrid(torch.arange(kh), torch.arange(kw), indexing="ij")
        phase = ((rows % sy) * sx + cols % sx).flatten()
        s = sy * sx
    else:
        phase, s = torch.arange(kernel_size) % stride, stride
    indicator = (phase[None, :] == torch.arange(s)[:, None]).double()  # (phases, numel)
    return indicator[1:] - indicator[:1]


def _kernels(name: str, value) -> torch.Tensor:
    """Rule: a non-empty tensor of kernels (..., kh, kw)."""
    if not isinstance(value, torch.Tensor) or value.ndim < 2 or value.numel() == 0:
        shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name} must be a non-empty tensor (..., kh, kw), got {shape}")
    return value


@checked(weight=_kernels, stride=pair_at_least(1))
def unbalanced_share(weight: torch.Tensor, stride=2) -> torch.Tensor:
    """Share of each kernel's energy that lies outside the balanced subspace (see :func:`balance_constraints`).

    ``weight`` is (..., kh, kw), e.g. a ConvTranspose2d weight (Cin, Cout, kh, kw); the result has shape
    (...): 0 for a balanced kernel, and on average (s² - 1) / (kh·kw) for kernels whose entries are i.i.d. and
    symmetric about zero, with kh, kw ≥ s.
    """
    kh, kw = weight.shape[-2:]
    a = balance_constraints((kh, kw), stride)
    row_space = torch.linalg.pinv(a) @ a  # projector onto the unbalanced directions
    flat = weight.detach().cpu().double().reshape(-1, kh * kw)  # to the CPU first: MPS has no float64
    off = flat @ row_space.T
    share = (off**2).sum(1) / (flat**2).sum(1).clamp_min(1e-300)
    return share.reshape(weight.shape[:-2])
