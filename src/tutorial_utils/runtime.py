"""Where and how big a notebook runs: device choice, seeding, and the quick/full profile."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

PROFILES = ("quick", "full")


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


def seed_everything(seed: int) -> int:
    """Seed Python, NumPy and torch (all devices) so a run repeats on the same machine; returns the seed."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return seed


def profile() -> str:
    """``"quick"`` (CPU default: CI, Binder, laptops) or ``"full"`` (CUDA default).

    The environment variable ``TUTORIAL_PROFILE`` overrides the default. Both profiles show the same effects
    and pass the same asserts; ``full`` only makes the pictures better.
    """
    value = os.environ.get("TUTORIAL_PROFILE", "").strip().lower()
    if not value:
        return "full" if torch.cuda.is_available() else "quick"
    if value not in PROFILES:
        raise ValueError(f"TUTORIAL_PROFILE must be one of {PROFILES}, got {value!r}")
    return value


def pick(quick, full):
    """Return ``quick`` or ``full`` according to :func:`profile`; keeps notebook size knobs on one line."""
    return quick if profile() == "quick" else full


def describe() -> str:
    """One line saying what runs where, printed by every notebook's setup cell."""
    dev = get_device()
    return f"tutorial_utils: profile={profile()!r}, device={dev.type}, torch {torch.__version__}, threads={torch.get_num_threads()}"
