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


def count_folds(monkeypatch) -> list[int]:
    """Count the calls of the fold (``_fold.fold``, as ``upsampling`` calls it) that the layers make: a list holding
    the count."""
    from tutorial_utils import upsampling

    calls = [0]
    fold = upsampling.fold

    def counted(*args):
        calls[0] += 1
        return fold(*args)

    monkeypatch.setattr(upsampling, "fold", counted)
    return calls


def assert_fold_follows_the_weight(fast, slow, x: torch.Tensor, monkeypatch) -> None:
    """The fast layer keeps no buffer (its state dict is the plain convolution's), folds afresh whenever a gradient
    may reach the weight, and reuses the folded kernel in inference only while the weight is unchanged: after
    training steps, in-place edits, ``load_state_dict`` (copying or assigning) and dtype changes its output
    still equals the slow layer's. ``fast`` and ``slow`` start with the same parameters."""
    assert set(fast.state_dict()) == {"conv.weight", "conv.bias"} and not list(fast.buffers())
    calls = count_folds(monkeypatch)
    optimiser = torch.optim.SGD(fast.parameters(), lr=0.5)
    for step in range(2):  # training: one fold per forward pass, and the output follows the weight
        optimiser.zero_grad()
        fast(x).square().mean().backward()
        optimiser.step()
        assert calls[0] == step + 1
    fast.eval()
    slow.load_state_dict(fast.state_dict())
    with torch.no_grad():
        for _ in range(3):
            assert rel_err(fast(x), slow(x)) < 1e-5
        assert calls[0] == 3  # inference: folded once, then reused
        fast.conv.weight.mul_(-2.0)  # an in-place edit bumps the version counter
        slow.conv.weight.mul_(-2.0)
        assert rel_err(fast(x), slow(x)) < 1e-5 and calls[0] == 4
    state = {name: torch.randn_like(value) for name, value in fast.state_dict().items()}
    for assign in (False, True):
        fast.load_state_dict(state, assign=assign)
        slow.load_state_dict(state)
        with torch.no_grad():
            assert rel_err(fast(x), slow(x)) < 1e-5
    with torch.no_grad():
        assert rel_err(fast.double()(x.double()), slow.double()(x.double())) < 1e-12
    assert fast(x.double()).requires_grad  # with gradients enabled, the kernel is folded in the graph again
