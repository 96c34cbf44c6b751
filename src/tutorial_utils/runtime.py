"""Where and how big a notebook runs: device choice, seeding, the quick/full profile, and named claims."""

from __future__ import annotations

import csv
import math
import numbers
import operator
import os
import random

import numpy as np
import torch

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


def seed_everything(seed: int, deterministic: bool = True) -> int:
    """Seed Python, NumPy and torch (all devices) so a run repeats on the same machine; returns the seed.

    With ``deterministic=True`` it also asks PyTorch for deterministic algorithms (cuDNN included) and turns
    TensorFloat-32 off (:func:`full_fp32`), so CUDA computes float32 as the CPU does. CPU runs are then
    repeatable; CUDA runs are too, except for the few operations with no deterministic CUDA kernel (for example
    the backward pass of bilinear upsampling), for which PyTorch warns instead of failing.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    if not isinstance(deterministic, bool):
        raise TypeError(f"deterministic must be a bool, got {type(deterministic).__name__} {deterministic!r}")
    global _seed
    seed = _seed = int(seed)
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


def pick(quick, full):
    """Return ``quick`` or ``full`` according to :func:`profile`; keeps notebook size knobs on one line.

    Both must be of one type (ints and floats mix), so switching profiles never changes what a knob is.
    """
    numbers_ = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (quick, full))
    if type(quick) is not type(full) and not numbers_:
        raise TypeError(
            f"quick and full must be of the same type, got {type(quick).__name__} {quick!r} "
            f"and {type(full).__name__} {full!r}"
        )
    return quick if profile() == "quick" else full


REDRAWS = 20  # most redraws of one progress bar


def progress(steps, desc: str | None = None, enabled: bool = True):
    """A progress bar (tqdm's notebook widget in Jupyter) over ``steps``: a sized iterable to wrap, or an int
    for a bar advanced by hand with ``update``. It redraws at most :data:`REDRAWS` times and at most once a
    second. Every redraw is a message on the kernel's output channel, which nbval reads only once a cell
    ends and whose client drops messages past a buffer of 1,000: a long training cell that redrew every
    second could lose the kernel's "idle" message, and nbval would fail a cell that ran fine. Slow steps do not
    change that (no ``maxinterval``)."""
    from tqdm.auto import tqdm

    from ._checks import as_bool, as_int

    if isinstance(steps, int) and not isinstance(steps, bool):
        iterable, total = None, as_int("steps", steps, 0)
    elif hasattr(steps, "__iter__") and hasattr(steps, "__len__") and not isinstance(steps, (str, bytes)):
        iterable, total = steps, len(steps)
    else:
        raise TypeError(f"steps must be an int or a sized iterable (e.g. a range), got {type(steps).__name__}")
    if desc is not None and not isinstance(desc, str):
        raise TypeError(f"desc must be a string or None, got {type(desc).__name__} {desc!r}")
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        disable=not as_bool("enabled", enabled),
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


def claim(name: str, value: float, op: str, bound: float, headroom: float = 0.1) -> None:
    """``assert value op bound`` for a measured quantity, by name. Like ``assert`` it returns nothing, so a
    notebook cell that ends with a claim shows no stray number.

    A claim on anything that training, sampling or random data decides holds only with room to spare across
    seeds and thread counts: ``headroom`` is the share of ``|bound|`` that a sweep (``make sweep``) must
    leave between the bound and the worst value it saw. With ``TUTORIAL_LEDGER=path`` set, each call appends
    a row to that CSV file; with ``TUTORIAL_CLAIMS=record`` as well, a failed claim is recorded, not raised,
    so a sweep sees every claim of a run.
    """
    from ._checks import as_float

    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, got {type(name).__name__} {name!r}")
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):  # NaN may come: the claim then fails
        raise TypeError(f"value must be a real number, got {type(value).__name__} {value!r}")
    if op not in OPS:
        raise ValueError(f"op must be one of {sorted(OPS)}, got {op!r}")
    value, bound, headroom = float(value), as_float("bound", bound), as_float("headroom", headroom, 0)
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
