"""Argument checks shared by the package: every message names the argument, its value and what is allowed.

Entry points declare their rules in one line with :func:`checked` (a decorator), or call one helper; inner
helpers trust their callers. Sizes that set an allocation are bounded by :func:`check_elements`.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence

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


def as_float(
    name: str, value, lo: float = -math.inf, hi: float = math.inf, *, lo_open: bool = False, hi_open: bool = False
) -> float:
    """``value`` as a finite float in [lo, hi] (an end left out with ``lo_open`` or ``hi_open``); bools and
    non-numbers are refused."""
    if lo_open and hi_open:
        allowed = f"a finite number in ({lo:g}, {hi:g})"
    elif lo_open:
        allowed = f"a finite number > {lo:g}" + (f" and <= {hi:g}" if hi < math.inf else "")
    elif lo > -math.inf or hi < math.inf:
        allowed = f"a finite number in [{lo:g}, {hi:g}]"
    else:
        allowed = "a finite number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {allowed}, got {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < lo or v > hi or (lo_open and v == lo) or (hi_open and v == hi):
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


def as_text(name: str, value) -> str:
    """``value`` if it is a non-empty string (a key, a name or a title)."""
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string, got {type(value).__name__} {value!r:.80}")
    return value


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


def as_cpu_tensor(name: str, value, layout: str) -> torch.Tensor:
    """``value`` (a tensor, array or nested list) as a CPU tensor of its own dtype (NumPy's for a list, so Python
    floats stay float64); ``layout`` is quoted on error."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    try:
        return torch.as_tensor(np.asarray(value))
    except Exception as err:  # re-raised with the argument's name
        raise TypeError(f"{name} must be {layout}, got {type(value).__name__}") from err


def as_numbers(name: str, value, layout: str, ndim: int | None = None, min_ndim: int = 1) -> torch.Tensor:
    """``value`` as a non-empty, finite float64 CPU tensor of real numbers with ``ndim`` dimensions (at least
    ``min_ndim`` when ``ndim`` is None); ``layout`` ("an (N, F) matrix of numbers") is quoted on error."""
    x = as_cpu_tensor(name, value, layout)
    shaped = x.ndim == ndim if ndim is not None else x.ndim >= min_ndim
    if not shaped or x.numel() == 0 or x.dtype == torch.bool or x.is_complex():
        raise ValueError(f"{name} must be {layout}, got dtype {x.dtype} shape {tuple(x.shape)}")
    x = x.double()
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return x


def as_labels(name: str, value, n: int | None = None) -> torch.Tensor:
    """``value`` as int64 0/1 labels (1 = generated, 0 = real), ``n`` of them when given, both classes present."""
    y = as_cpu_tensor(name, value, "a 1D array of 0 (real) and 1 (generated)")
    if y.ndim != 1 or (n is not None and y.shape[0] != n):
        raise ValueError(f"{name} must be {n or 'N'} values (one per image), got shape {tuple(y.shape)}")
    if y.dtype == torch.bool or y.is_complex() or not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"{name} must be 0 (real) or 1 (generated)")
    y = y.long()
    if int(y.sum()) in (0, len(y)):
        raise ValueError(f"{name} must hold both classes, real (0) and generated (1)")
    return y


def as_dtype(name: str, value) -> torch.dtype | None:
    """None, or a floating-point torch.dtype (e.g. the dtype of a layer's parameters)."""
    if value is not None and not (isinstance(value, torch.dtype) and value.is_floating_point):
        raise TypeError(f"{name} must be a floating-point torch.dtype such as torch.float32, or None, got {value!r}")
    return value


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


def checked(**rules: Callable[..., object]):
    """Decorator: before each call, replace argument ``name`` by ``rules[name](name, value)``.

    A rule raises a clear ValueError or TypeError for a bad value and returns the value to use (e.g. an int or a
    pair), so the function body starts with valid arguments and shows only its algorithm. Rules run in the order
    given; a rule marked with :func:`sees_arguments` also gets the arguments (those before it already checked), for
    a condition over several of them, such as a phase below the period. The unchecked body stays at
    ``fn.__wrapped__``: package code that calls ``fn`` over and over, with arguments it has checked once, calls that
    (``tests/test_loops.py`` finds a checked call inside a loop).
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
                bound.arguments[name] = _apply(rule, name, bound.arguments)
            return fn(*bound.args, **bound.kwargs)

        return call

    return wrap


def check_fields(record, **rules: Callable[..., object]) -> None:
    """:func:`checked` for a dataclass: ``__post_init__`` calls it to replace each field by its rule's value (frozen
    records included)."""
    fields = dict(vars(record))
    for name, rule in rules.items():
        fields[name] = _apply(rule, name, fields)
        object.__setattr__(record, name, fields[name])


def sees_arguments(rule: Callable[[str, object, dict], object]) -> Callable[[str, object, dict], object]:
    """Mark a rule that reads other arguments: it is called as ``rule(name, value, arguments)``."""
    rule.sees_arguments = True
    return rule


def _apply(rule: Callable[..., object], name: str, arguments: dict) -> object:
    if getattr(rule, "sees_arguments", False):
        return rule(name, arguments[name], arguments)
    return rule(name, arguments[name])


def int_at_least(minimum: int) -> Callable[[str, object], int]:
    """Rule: an int >= ``minimum`` (see :func:`as_int`)."""
    return lambda name, value: as_int(name, value, minimum)


def pair_at_least(minimum: int) -> Callable[[str, object], tuple[int, int]]:
    """Rule: an int or a pair of ints >= ``minimum``, as a pair (see :func:`as_pair`)."""
    return lambda name, value: as_pair(name, value, minimum)


def ints_at_least(minimum: int) -> Callable[[str, object], list[int]]:
    """Rule: a non-empty sequence of ints >= ``minimum``, as a list (see :func:`as_ints`)."""
    return lambda name, value: as_ints(name, value, minimum)


def int_or_pair(*sizes: str) -> Callable[[str, object, dict], int | tuple[int, int]]:
    """Rule: a positive int (1D), or a pair of them (2D) when any of the arguments ``sizes`` is a pair."""

    def rule(name: str, value, arguments: dict) -> int | tuple[int, int]:
        two_d = any(is_pair(arguments.get(n)) for n in sizes)
        return as_pair(name, value, 1) if two_d else as_int(name, value, 1)

    return sees_arguments(rule)


def int_in(lo: int, hi: int, why: str = "") -> Callable[[str, object], int]:
    """Rule: an int in [lo, hi]; ``why`` (" (the textures' side)") explains the upper bound."""

    def rule(name: str, value) -> int:
        if as_int(name, value, lo) > hi:
            raise ValueError(f"{name} must be at most {hi}{why}, got {value!r}")
        return int(value)

    return rule


def float_in(
    lo: float = -math.inf, hi: float = math.inf, *, lo_open: bool = False, hi_open: bool = False
) -> Callable[[str, object], float]:
    """Rule: a finite float in [lo, hi], an end left out with ``lo_open`` or ``hi_open`` (see :func:`as_float`)."""
    return lambda name, value: as_float(name, value, lo, hi, lo_open=lo_open, hi_open=hi_open)


def one_of(choices: Sequence[str]) -> Callable[[str, object], str]:
    """Rule: one of the strings ``choices`` (see :func:`as_choice`)."""
    return lambda name, value: as_choice(name, value, choices)


def names_from(choices: Sequence[str]) -> Callable[[str, object], tuple[str, ...]]:
    """Rule: a non-empty tuple or list of names, each one of ``choices``."""

    def rule(name: str, value) -> tuple[str, ...]:
        if not isinstance(value, (tuple, list)) or not value or any(v not in choices for v in value):
            raise ValueError(f"{name} must be a non-empty tuple of names from {tuple(choices)}, got {value!r}")
        return tuple(value)

    return rule


def optional(rule: Callable[[str, object], object]) -> Callable[[str, object], object]:
    """Rule: None, or a value that ``rule`` accepts."""
    return lambda name, value: None if value is None else rule(name, value)


def callable_as(what: str) -> Callable[[str, object], Callable]:
    """Rule: something callable; ``what`` says what it should be ("a function of the images")."""
    return lambda name, value: as_callable(name, value, what)


def module_of(kind: type = torch.nn.Module) -> Callable[[str, object], torch.nn.Module]:
    """Rule: an instance of the module class ``kind`` (see :func:`as_module`)."""
    return lambda name, value: as_module(name, value, kind)


def real_numbers(layout: str, ndim: int | None = None, min_ndim: int = 1) -> Callable[[str, object], torch.Tensor]:
    """Rule: finite real numbers as a float64 CPU tensor (see :func:`as_numbers`)."""
    return lambda name, value: as_numbers(name, value, layout, ndim, min_ndim)


def labels_for(other: str) -> Callable[[str, object, dict], torch.Tensor]:
    """Rule: 0/1 labels (see :func:`as_labels`), one per row of the (checked) argument ``other``."""
    return sees_arguments(lambda name, value, arguments: as_labels(name, value, arguments[other].shape[0]))


def with_period(check: Callable[[str, object, int], object]) -> Callable[[str, object, dict], object]:
    """Rule: ``check(name, value, period)`` with the function's (checked) ``period`` argument, e.g.
    ``with_period(as_images)`` for images whose height and width are multiples of the period."""
    return sees_arguments(lambda name, value, arguments: check(name, value, arguments["period"]))


def within_memory(rule: Callable[[str, object], object], count: Callable[..., int]) -> Callable:
    """Rule: ``rule``, then refuse an allocation of ``count(...)`` values above the bound (see
    :func:`check_elements`). ``count``'s parameters name the (checked) arguments it reads, e.g.
    ``lambda n, size: n * size * size``; the message quotes them."""
    names = list(inspect.signature(count).parameters)

    def check(name: str, value, arguments: dict):
        arguments = {**arguments, name: value}
        arguments[name] = _apply(rule, name, arguments)
        sizes = {n: arguments[n] for n in names}
        check_elements(", ".join(f"{n}={v!r}" for n, v in sizes.items()), count(**sizes))
        return arguments[name]

    return sees_arguments(check)


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


# --- rules for pictures ------------------------------------------------------------------------------------------


def as_range(name: str, value) -> tuple[float, float]:
    """``value`` as (low, high), two finite numbers with low < high: the values an image spans, e.g. (-1, 1)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high) such as (-1, 1) or (0, 1), got {value!r}")
    low, high = (as_float(name, v) for v in value)
    if not low < high:
        raise ValueError(f"{name} must have low < high, got {value!r}")
    return low, high


def as_image(name: str, value) -> np.ndarray:
    """A (C, H, W) tensor or an (H, W[, C]) array of finite numbers as an (H, W) or (H, W, C) float64 array."""
    a = as_array(name, value, "an image: a (C, H, W) tensor or an (H, W[, C]) array")
    shape = a.shape
    if a.ndim == 3 and a.shape[0] in (1, 3) and a.shape[-1] not in (1, 3):
        a = np.moveaxis(a, 0, -1)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.size == 0 or a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise ValueError(
            f"{name} must be a (C, H, W) image with C in (1, 3) or an (H, W[, C]) one with C in (1, 3, 4), "
            f"got shape {shape}"
        )
    return a


def as_matrix(name: str, value) -> np.ndarray:
    """``value`` as a non-empty 2D float64 array (H, W) of finite numbers (signed data, counts)."""
    a = as_array(name, value, "a 2D array of numbers (H, W)")
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 2D array (H, W), got shape {a.shape}")
    return a


def labelled(what: str) -> Callable[[str, object], Mapping]:
    """Rule: a non-empty mapping of label -> ``what`` (the panels of a figure)."""

    def rule(name: str, value) -> Mapping:
        if not isinstance(value, Mapping) or not value:
            raise ValueError(f"{name} must be a non-empty mapping of label -> {what}, got {type(value).__name__}")
        return value

    return rule
