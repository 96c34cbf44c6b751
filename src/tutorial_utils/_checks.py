"""Argument checks shared by the package: every message names the argument, its value and what is allowed.

Entry points declare their rules in one line with :func:`checked` (a decorator), or call one helper; inner
helpers trust their callers. Sizes that set an allocation are bounded by :func:`check_elements`.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np
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
        except Exception as err:
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
    """``value`` as a non-empty tensor with ``ndim`` dims; ``layout`` ("(Cout, Cin, kH, kW)") is quoted on error."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape {layout}, got {type(value).__name__}")
    if value.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}D {layout}, got shape {tuple(value.shape)}")
    if value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}")
    return value


def as_batch(name: str, value) -> torch.Tensor:
    """``value`` if it is a tensor holding at least one example along its first dimension (a training set)."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor with one example per row, got {type(value).__name__}")
    if value.ndim == 0 or len(value) == 0:
        raise ValueError(f"{name} must hold at least one example along its first dimension, got {tuple(value.shape)}")
    return value


def as_shape(name: str, value) -> tuple[int, ...]:
    """A positive int or a non-empty sequence of positive ints, as a tuple (a tensor shape)."""
    items = tuple(value) if isinstance(value, (tuple, list, torch.Size)) else (value,)
    if not items:
        raise ValueError(f"{name} must be a positive int or a non-empty sequence of positive ints, got {value!r}")
    return tuple(as_int(name, v, 1) for v in items)


def as_float(name: str, value, lo: float = -math.inf, hi: float = math.inf, *, lo_open: bool = False) -> float:
    """``value`` as a finite float in [lo, hi] ((lo, hi] with ``lo_open``); bools and non-numbers are refused."""
    if lo_open:
        allowed = f"a finite number > {lo:g}" + (f" and <= {hi:g}" if hi < math.inf else "")
    elif lo > -math.inf or hi < math.inf:
        allowed = f"a finite number in [{lo:g}, {hi:g}]"
    else:
        allowed = "a finite number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return v


def as_choice(name: str, value, choices) -> str:
    """``value`` if it is one of the strings ``choices``."""
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def as_bool(name: str, value) -> bool:
    """``value`` if it is a bool (NumPy's included); 0, 1, None and strings are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool (True or False), got {type(value).__name__} {value!r}")
    return bool(value)


def _instance(name: str, value, kind: type, what: str, optional: bool = False):
    """``value`` if it is an instance of ``kind`` (described as ``what``), or None when ``optional``."""
    if value is None and optional:
        return None
    if not isinstance(value, kind):
        allowed = f"{what} or None" if optional else what
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__} {value!r:.80}")
    return value


def as_str(name: str, value, *, optional: bool = False) -> str | None:
    """``value`` if it is a string (or None when ``optional``), e.g. a figure title."""
    return _instance(name, value, str, "a string", optional)


def as_callable(name: str, value, what: str = "a function") -> Callable:
    """``value`` if it can be called; ``what`` says what it should be (e.g. "a function of the images")."""
    if not callable(value):
        raise TypeError(f"{name} must be callable ({what}), got {type(value).__name__} {value!r}")
    return value


def as_module(name: str, value, kind: type = torch.nn.Module) -> torch.nn.Module:
    """``value`` if it is an instance of ``kind`` (a torch.nn.Module by default)."""
    return _instance(name, value, kind, f"a {kind.__module__}.{kind.__qualname__}")


def as_device(name: str, value) -> torch.device | None:
    """None, or ``value`` as a torch.device ("cpu", "cuda:0", a torch.device)."""
    if value is None:
        return None
    if not isinstance(value, (str, torch.device)):
        raise TypeError(f"{name} must be a torch.device, a device string such as 'cpu', or None, got {value!r}")
    try:
        return torch.device(value)
    except RuntimeError as err:
        raise ValueError(f"{name} must be a valid torch device such as 'cpu' or 'cuda', got {value!r}") from err


def as_ints(name: str, value, minimum: int = 0) -> list[int]:
    """A non-empty sequence (list, tuple, range) of ints >= ``minimum``, as a list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        allowed = f"a non-empty sequence of ints >= {minimum}"
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__} {value!r}")
    if len(value) == 0:
        raise ValueError(f"{name} must be a non-empty sequence of ints >= {minimum}, got {value!r}")
    return [as_int(name, v.item() if isinstance(v, np.generic) else v, minimum) for v in value]


def as_array(name: str, value, layout: str = "an array of numbers") -> np.ndarray:
    """``value`` (a tensor, array or nested sequence of real numbers) as a finite float64 NumPy array."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:
            value = value.float()
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be {layout}, got {type(value).__name__} {value!r:.80}") from err
    if not np.isfinite(a).all():
        raise ValueError(f"{name} must be finite, got {int((~np.isfinite(a)).sum())} NaN or infinite values")
    return a


def as_axes(name: str, value):
    """``value`` if it is a matplotlib Axes (what ``plt.subplots()`` returns)."""
    from matplotlib.axes import Axes

    return _instance(name, value, Axes, "a matplotlib Axes (e.g. from plt.subplots())")


def as_figure(name: str, value, *, optional: bool = False):
    """``value`` if it is a matplotlib Figure (or None when ``optional``)."""
    from matplotlib.figure import Figure

    return _instance(name, value, Figure, "a matplotlib Figure", optional)


def as_color(name: str, value):
    """``value`` if matplotlib understands it as a colour ("yellow", "#d95f02", (1, 0, 0), ...)."""
    from matplotlib.colors import is_color_like

    if isinstance(value, bool) or not is_color_like(value):
        raise ValueError(f"{name} must be a matplotlib colour such as 'yellow' or '#d95f02', got {value!r}")
    return value


def as_cmap(name: str, value):
    """``value`` if it is a matplotlib colormap or the name of a registered one ("gray", "RdBu_r", ...)."""
    import matplotlib as mpl

    if isinstance(value, mpl.colors.Colormap):
        return value
    if not isinstance(value, str) or value not in mpl.colormaps:
        raise ValueError(f"{name} must be a matplotlib colormap or its name (e.g. 'gray', 'viridis'), got {value!r}")
    return value


def as_path(name: str, value):
    """``value`` as a pathlib.Path; it must be a str or os.PathLike (an int would open a file descriptor)."""
    import os
    from pathlib import Path

    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(value).__name__} {value!r}")
    return Path(value)


# --- declared rules ---------------------------------------------------------------------------------------------


def checked(**rules: Callable[[str, object], object]):
    """Decorator: before each call, replace argument ``name`` by ``rules[name](name, value)``.

    A rule raises a clear ValueError or TypeError for a bad value and returns the value to use (e.g. an int or a
    pair), so the function body starts with valid arguments and shows only its algorithm.
    """

    def wrap(fn):
        signature = inspect.signature(fn)
        unknown = set(rules) - set(signature.parameters)
        if unknown:
            raise TypeError(f"checked: {fn.__qualname__} has no parameters {sorted(unknown)}")

        @functools.wraps(fn)
        def call(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, rule in rules.items():
                bound.arguments[name] = rule(name, bound.arguments[name])
            return fn(*bound.args, **bound.kwargs)

        return call

    return wrap


def int_at_least(minimum: int) -> Callable[[str, object], int]:
    """Rule: an int >= ``minimum`` (see :func:`as_int`)."""
    return lambda name, value: as_int(name, value, minimum)


def pair_at_least(minimum: int) -> Callable[[str, object], tuple[int, int]]:
    """Rule: an int or a pair of ints >= ``minimum``, as a pair (see :func:`as_pair`)."""
    return lambda name, value: as_pair(name, value, minimum)


def odd_int(name: str, value) -> int:
    """Rule: a positive odd int, the kernel size of a "same" convolution."""
    k = as_int(name, value, 1)
    if k % 2 == 0:
        raise ValueError(f"{name} must be odd (a 'same' convolution keeps the size), got {value!r}")
    return k


def odd_kernels(ndim: int, layout: str) -> Callable[[str, object], torch.Tensor]:
    """Rule: an ``ndim``-D weight whose kernel sizes (the dims after the two channel dims) are all odd, the weight
    of a "same" convolution."""

    def rule(name: str, value) -> torch.Tensor:
        w = as_tensor(name, value, ndim, layout)
        if any(n % 2 == 0 for n in w.shape[2:]):
            raise ValueError(f"{name} must be {layout} with kernel sizes that are odd, got shape {tuple(w.shape)}")
        return w

    return rule


def odd_ints(name: str, value, dims: int) -> tuple[int, ...]:
    """An odd positive int, or ``dims`` of them (one per spatial axis), as a tuple of ``dims`` kernel sizes."""
    sizes = _per_axis(name, value, dims, "an odd int")
    if any(k % 2 == 0 for k in sizes):
        raise ValueError(f"{name} must be odd on every axis (a 'same' convolution keeps the size), got {value!r}")
    return sizes


def ints_per_axis(name: str, value, dims: int, minimum: int) -> tuple[int, ...]:
    """An int >= ``minimum``, or ``dims`` of them (one per spatial axis), as a tuple of ``dims`` ints."""
    sizes = _per_axis(name, value, dims, f"an int >= {minimum}")
    for n in sizes:
        as_int(name, n, minimum)
    return sizes


def _per_axis(name: str, value, dims: int, what: str) -> tuple[int, ...]:
    """``value`` repeated over ``dims`` axes, or a sequence of ``dims`` ints, each at least 1."""
    allowed = f"{what}" + (f" or a tuple of {dims} of them (one per axis)" if dims > 1 else "")
    if isinstance(value, (tuple, list)):
        if dims == 1 or len(value) != dims:
            raise ValueError(f"{name} must be {allowed}, got {value!r}")
        return tuple(as_int(name, v, 1) for v in value)
    return (as_int(name, value, 1),) * dims


def tensor_of(ndim: int, layout: str) -> Callable[[str, object], torch.Tensor]:
    """Rule: a non-empty tensor with ``ndim`` dims (see :func:`as_tensor`)."""
    return lambda name, value: as_tensor(name, value, ndim, layout)


def float_above(lo: float) -> Callable[[str, object], float]:
    """Rule: a finite number > ``lo``, as a float (a learning rate: ``float_above(0)``)."""
    return lambda name, value: as_float(name, value, lo, lo_open=True)


def one_of(choices) -> Callable[[str, object], str]:
    """Rule: one of the strings ``choices`` (see :func:`as_choice`)."""
    return lambda name, value: as_choice(name, value, choices)


def module_of(kind: type) -> Callable[[str, object], torch.nn.Module]:
    """Rule: an instance of the torch.nn.Module subclass ``kind`` (see :func:`as_module`)."""
    return lambda name, value: as_module(name, value, kind)


def optional(rule: Callable[[str, object], object]) -> Callable[[str, object], object]:
    """Rule: None, or a value that passes ``rule``."""
    return lambda name, value: None if value is None else rule(name, value)


def as_grid(name: str, value, period: int) -> torch.Tensor:
    """``value`` (a tensor, or an array of real numbers) as a non-empty finite tensor (..., H, W) with H and W
    multiples of ``period``; a tensor stays on its device."""
    if not isinstance(value, torch.Tensor):
        value = torch.from_numpy(as_array(name, value, "a tensor or array of shape (..., H, W)"))
    if value.ndim < 2 or value.numel() == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (..., H, W), got shape {tuple(value.shape)}")
    h, w = value.shape[-2:]
    if h % period or w % period:
        raise ValueError(f"{name} height and width must be multiples of period={period}, got {h}x{w}")
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return value


def as_signals(name: str, value, period: int) -> torch.Tensor:
    """``value`` (a tensor or array (..., T) of finite real numbers, T a multiple of ``period`` and at least
    4·period) as a float64 CPU tensor (B, T), every leading dimension flattened into B."""
    if not isinstance(value, torch.Tensor):
        value = torch.from_numpy(as_array(name, value, "a tensor or array (..., T)"))
    if value.ndim == 0 or value.numel() == 0:
        raise ValueError(f"{name} must be a non-empty tensor (..., T), got shape {tuple(value.shape)}")
    t = value.shape[-1]
    if t % period or t < 4 * period:
        raise ValueError(f"{name} length T must be a multiple of period={period} and >= {4 * period}, got {t}")
    x = value.detach().cpu().double().reshape(-1, t)
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must be finite, got {int((~torch.isfinite(x)).sum())} NaN or infinite values")
    return x


# --- memory ------------------------------------------------------------------------------------------------------

# The most values one tensor or array that the package allocates from a caller's sizes may hold: 2**28 (1 GiB of
# float32). A larger request is refused with a message instead of exhausting the machine's memory.
MAX_ELEMENTS = 2**28


def check_elements(request: str, count: int, limit: int = MAX_ELEMENTS) -> int:
    """Refuse an allocation of ``count`` values above ``limit``; ``request`` names the arguments that set it."""
    if count > limit:
        raise ValueError(
            f"{request} would allocate {count:,} values, more than the {limit:,} (1 GiB of float32) that "
            f"tutorial_utils allocates at once: ask for less"
        )
    return count
