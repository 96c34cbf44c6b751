"""Where and how big a notebook runs: device choice, seeding, the quick/full profile, and named claims."""

from __future__ import annotations

import csv
import functools
import math
import numbers
import operator
import os
import random

import numpy as np
import torch

from ._checks import as_bool, as_float, as_int, as_str, as_text, checked

PROFILES = ("quick", "full")
_seed: int | None = None  # the seed of the last seed_everything() (a chapter's setup), recorded beside each claim


def get_device() -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU.

    ``TUTORIAL_DEVICE`` (e.g. ``cpu``) overrides the choice, which is handy to compare runs.
    """
    forced = os.environ.get("TUTORIAL_DEVICE", "").strip()
    if forced:
        try:
            return torch.device(forced)
        except RuntimeError as err:
            raise ValueError(f"TUTORIAL_DEVICE={forced!r} is not a valid torch device (e.g. 'cpu', 'cuda')") from err
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _seed_value(name: str, value) -> int:
    """Rule: an int in [0, 2**32), what NumPy's global generator accepts."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not 0 <= int(value) < 2**32:
        raise ValueError(f"{name} must be in [0, 2**32), got {value}")
    return int(value)


def _flag(name: str, value) -> bool:
    """Rule: True or False."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return value


@checked(seed=_seed_value, deterministic=_flag)
def seed_everything(seed: int, deterministic: bool = True) -> int:
    """Seed Python, NumPy and torch (all devices) so a run repeats on the same machine; returns the seed.

    With ``deterministic=True`` it also asks PyTorch for deterministic algorithms (cuDNN included) and turns
    TensorFloat-32 off (:func:`full_fp32`), so CUDA computes float32 as the CPU does. CPU runs are then
    repeatable; CUDA runs are too, except for the few operations with no deterministic CUDA kernel (for example
    the backward pass of bilinear upsampling), for which PyTorch warns instead of failing.
    """
    global _seed
    _seed = seed
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if deterministic:
        # cuBLAS needs a fixed workspace to be deterministic; it reads this when CUDA starts.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    if deterministic:
        full_fp32()
    torch.backends.cudnn.deterministic = deterministic
    torch.backends.cudnn.benchmark = not deterministic
    return seed


def full_fp32() -> None:
    """Compute float32 convolutions and matrix products in full float32 on CUDA, not in TensorFloat-32.

    On Ampere and newer GPUs PyTorch may round the inputs of cuDNN convolutions (and, if asked, of matrix
    products) to TF32's 10-bit mantissa. That rounding alone gives the folded nearest-resize kernel a period-2
    spread of about 3e-4, where float32 leaves 5e-7, so the book's "exactly flat" checks would fail on such a
    GPU. Uses the ``fp32_precision`` flags where torch has them (2.9 and newer; mixing them with the legacy
    ``allow_tf32`` flags is an error there), the legacy flags otherwise.
    """
    backends = torch.backends
    if hasattr(backends.cuda.matmul, "fp32_precision") and hasattr(backends.cudnn, "conv"):
        backends.cuda.matmul.fp32_precision = "ieee"
        backends.cudnn.conv.fp32_precision = "ieee"
        backends.cudnn.rnn.fp32_precision = "ieee"
    else:  # torch < 2.9
        backends.cuda.matmul.allow_tf32 = False
        backends.cudnn.allow_tf32 = False


def profile() -> str:
    """``"quick"`` (CPU default: CI, Binder, laptops) or ``"full"`` (CUDA default).

    The environment variable ``TUTORIAL_PROFILE`` overrides the default; ``make book`` and ``make test`` set it to
    ``quick`` unless it is set already, so only a notebook run outside make on a GPU (Colab, say) picks ``full``
    by itself. Both profiles show the same effects and pass every assert; ``full`` makes the pictures better, and
    where a longer run changes a measured margin, a chapter states and asserts the margin of each profile (chosen
    with :func:`pick`).
    """
    value = os.environ.get("TUTORIAL_PROFILE", "").strip().lower()
    if not value:
        return "full" if torch.cuda.is_available() else "quick"
    if value not in PROFILES:
        raise ValueError(f"TUTORIAL_PROFILE must be one of {PROFILES}, got {value!r}")
    return value


def _check_same_kind(quick, full) -> None:
    """Both values of one type (ints and floats mix)."""
    numbers_ = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (quick, full))
    if type(quick) is not type(full) and not numbers_:
        raise TypeError(
            f"quick and full must be of the same type, got {type(quick).__name__} {quick!r} "
            f"and {type(full).__name__} {full!r}"
        )


def pick(quick, full):
    """Return ``quick`` or ``full`` according to :func:`profile`; keeps notebook size knobs on one line.

    Both must be of one type (ints and floats mix), so switching profiles never changes what a knob is.
    """
    _check_same_kind(quick, full)
    return quick if profile() == "quick" else full


REDRAWS = 20  # most redraws of one progress bar


def _steps(name: str, value):
    """Rule: an int >= 0 (a bar advanced by hand) or a sized iterable to wrap."""
    if isinstance(value, int) and not isinstance(value, bool):
        return as_int(name, value, 0)
    if hasattr(value, "__iter__") and hasattr(value, "__len__") and not isinstance(value, (str, bytes)):
        return value
    raise TypeError(f"{name} must be an int or a sized iterable (e.g. a range), got {type(value).__name__}")


@checked(steps=_steps, desc=functools.partial(as_str, optional=True), enabled=as_bool)
def progress(steps, desc: str | None = None, enabled: bool = True):
    """A progress bar (tqdm's notebook widget in Jupyter) over ``steps``: a sized iterable to wrap, or an int
    for a bar advanced by hand with ``update``. It redraws at most :data:`REDRAWS` times and at most once a
    second. Every redraw is a message on the kernel's output channel, which nbval reads only once a cell
    ends and whose client drops messages past a buffer of 1,000: a long training cell that redrew every
    second could lose the kernel's "idle" message, and nbval would fail a cell that ran fine. Slow steps do not
    change that (no ``maxinterval``)."""
    from tqdm.auto import tqdm

    iterable, total = (None, steps) if isinstance(steps, int) else (steps, len(steps))
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        disable=not enabled,
        leave=False,
        mininterval=1.0,
        miniters=max(1, -(-total // REDRAWS)),
        # tqdm's monitor thread sets miniters to 1 for good once a bar has not redrawn for maxinterval (10 s):
        # a full-profile run, 16 s per twentieth, then redrew every second and flooded the channel again
        maxinterval=math.inf,
    )


def seed() -> int:
    """The chapter's seed: ``TUTORIAL_SEED`` (default 0). Every other seed in a chapter derives from it."""
    value = os.environ.get("TUTORIAL_SEED", "").strip() or "0"
    if not value.isdigit() or int(value) >= 2**32:
        raise ValueError(f"TUTORIAL_SEED must be an int in [0, 2**32), got {value!r}")
    return int(value)


def describe() -> str:
    """One line saying what runs where, printed by every notebook's setup cell."""
    dev = get_device()
    return (
        f"tutorial_utils: profile={profile()!r}, seed={_seed}, device={dev.type}, torch {torch.__version__}, "
        f"threads={torch.get_num_threads()}"
    )


OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
LEDGER_FIELDS = (
    "chapter", "claim", "profile", "seed", "threads", "device", "torch", "value", "op", "bound", "headroom", "held"
)  # fmt: skip


def _measured(name: str, value) -> float:
    """Rule: a real number or a one-element tensor, as a float (NaN passes: the claim then fails)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def _comparison(name: str, value) -> str:
    """Rule: one of the comparisons in :data:`OPS`."""
    if value not in OPS:
        raise ValueError(f"{name} must be one of {sorted(OPS)}, got {value!r}")
    return value


@checked(
    name=as_text,
    value=_measured,
    op=_comparison,
    bound=as_float,
    headroom=functools.partial(as_float, lo=0),
)
def claim(name: str, value: float, op: str, bound: float, headroom: float = 0.1) -> None:
    """``assert value op bound`` for a measured quantity, by name. Like ``assert`` it returns nothing, so a
    notebook cell that ends with a claim shows no stray number.

    A claim on anything that training, sampling or random data decides holds only with room to spare across
    seeds and thread counts: ``headroom`` is the share of ``|bound|`` that a sweep (``make sweep``) must
    leave between the bound and the worst value it saw. With ``TUTORIAL_LEDGER=path`` set, each call appends
    a row to that CSV file; with ``TUTORIAL_CLAIMS=record`` as well, a failed claim is recorded, not raised,
    so a sweep sees every claim of a run.
    """
    held = OPS[op](value, bound)
    path = os.environ.get("TUTORIAL_LEDGER", "").strip()
    if path:
        row = {
            "chapter": os.environ.get("TUTORIAL_CHAPTER", ""),
            "claim": name,
            "profile": profile(),
            "seed": _seed,
            "threads": torch.get_num_threads(),
            "device": get_device().type,
            "torch": torch.__version__.split("+")[0],
            "value": f"{value:.6g}",
            "op": op,
            "bound": f"{bound:.6g}",
            "headroom": headroom,
            "held": int(held),
        }
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        with open(path, "a", newline="") as f:
            writer = csv.DictWriter(f, LEDGER_FIELDS)
            if new:
                writer.writeheader()
            writer.writerow(row)
        if os.environ.get("TUTORIAL_CLAIMS", "") == "record":
            return
    if not held:
        raise AssertionError(f"claim {name!r} failed: measured {value:.4g}, needs {op} {bound:.4g}")
