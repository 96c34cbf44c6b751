"""Shared checks for the tests of the folded (fast) resize-convolutions, 1D and 2D."""

from __future__ import annotations

import torch


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    """Largest absolute difference relative to the largest entry of ``b``."""
    a, b = a.detach(), b.detach()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


def assert_fast_equals_slow(fast, slow, x: torch.Tensor, shape: tuple[int, ...], tol: float = 1e-5) -> None:
    """``fast`` and ``slow`` (same weights) agree on ``x``: outputs of ``shape``, input, weight and bias gradients.

    A bias is first redrawn as large as the weights' effect, so that a wrong bias path would show.
    """
    bias = fast.conv.bias is not None
    if bias:
        with torch.no_grad():
            fast.conv.bias.normal_()
            slow.conv.bias.copy_(fast.conv.bias)
    x_fast, x_slow = x.clone().requires_grad_(), x.clone().requires_grad_()
    y_fast, y_slow = fast(x_fast), slow(x_slow)
    assert y_fast.shape == y_slow.shape == shape
    assert rel_err(y_fast, y_slow) < tol
    upstream = torch.randn_like(y_slow)
    (y_fast * upstream).sum().backward()
    (y_slow * upstream).sum().backward()
    assert rel_err(x_fast.grad, x_slow.grad) < tol
    assert rel_err(fast.conv.weight.grad, slow.conv.weight.grad) < tol
    if bias:
        assert rel_err(fast.conv.bias.grad, slow.conv.bias.grad) < tol
