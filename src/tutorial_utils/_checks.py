"""Argument checks shared by the package: every message names the argument, its value and what is allowed."""

from __future__ import annotations

import numbers

import torch


def as_int(name: str, value, minimum: int = 0) -> int:
    """``value`` as an int >= ``minimum``; bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def as_pair(name: str, value, minimum: int = 0) -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum``, as a pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints >= {minimum}, got {value!r}")
        return as_int(name, value[0], minimum), as_int(name, value[1], minimum)
    return (as_int(name, value, minimum),) * 2


def is_pair(value) -> bool:
    return isinstance(value, (tuple, list))


def as_images(name: str, x, period: int | None = None) -> torch.Tensor:
    """A float tensor of shape (N, C, H, W), with H and W multiples of ``period`` when given."""
    if not isinstance(x, torch.Tensor):
        try:
            x = torch.as_tensor(x)
        except Exception as err:  # noqa: BLE001 - re-raised with a clear message
            raise TypeError(f"{name} must be a tensor or array of shape (N, C, H, W), got {type(x).__name__}") from err
    if x.ndim != 4:
        raise ValueError(f"{name} must have shape (N, C, H, W), got shape {tuple(x.shape)}")
    if x.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(x.shape)}")
    if period is not None:
        h, w = x.shape[-2:]
        if h % period or w % period:
            raise ValueError(f"{name} height and width must be multiples of period={period}, got {h}x{w}")
    if not (x.is_floating_point() or x.dtype in (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    x = x.detach().to(torch.float64 if x.dtype == torch.float64 else torch.float32)
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must be finite, got {int((~torch.isfinite(x)).sum())} NaN or infinite values")
    return x


def as_tensor(name: str, value, ndim: int, layout: str) -> torch.Tensor:
    """``value`` as a non-empty tensor with ``ndim`` dims; ``layout`` (e.g. "(Cout, Cin, kH, kW)") is quoted on error."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape {layout}, got {type(value).__name__}")
    if value.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}D {layout}, got shape {tuple(value.shape)}")
    if value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}")
    return value


def as_shape(name: str, value) -> tuple[int, ...]:
    """A positive int or a non-empty sequence of positive ints, as a tuple (a tensor shape)."""
    items = tuple(value) if isinstance(value, (tuple, list, torch.Size)) else (value,)
    if not items:
        raise ValueError(f"{name} must be a positive int or a non-empty sequence of positive ints, got {value!r}")
    return tuple(as_int(name, v, 1) for v in items)
