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


def assert_fold_is_cached(fast, slow, x: torch.Tensor, monkeypatch) -> None:
    """The fast layer's fold matrix is built once, as a non-persistent buffer that moves with the module, and each
    forward pass folds the current weight through it (so the output follows the weight as it trains).

    ``fast`` and ``slow`` share their parameters; ``monkeypatch`` is pytest's fixture.
    """
    from tutorial_utils import audio, upsampling

    assert set(fast.state_dict()) == {"conv.weight", "conv.bias"}  # the state dict is the plain convolution's
    assert dict(fast.named_buffers())["fold"] is fast.fold
    fresh = type(fast)(fast.conv.in_channels, fast.conv.out_channels, fast.kernel_size, fast.scale_factor)
    fresh.load_state_dict(slow.state_dict(), strict=True)  # a state dict without the buffer loads strictly
    fold = fast.fold

    def rebuilt(*args, **kwargs):
        raise AssertionError("the fold matrix was rebuilt during a forward pass")

    # No rebuild per forward: building a fold matrix now fails, and the forward pass keeps using the same buffer.
    for module in (upsampling, audio):
        monkeypatch.setattr(module, "fold_matrix", rebuilt)
    optimiser = torch.optim.SGD(fast.parameters(), lr=0.5)
    for _ in range(2):
        optimiser.zero_grad()
        fast(x).square().mean().backward()
        optimiser.step()
        assert fast.fold is fold
        slow.load_state_dict(fast.state_dict())  # the slow layer takes the trained weights
        assert rel_err(fast(x), slow(x)) < 1e-5  # the fast output followed the weight
    # It moves with the module: dtype and device.
    assert fast.double().fold.dtype == torch.float64
    assert fast.to("meta").fold.device.type == "meta"
