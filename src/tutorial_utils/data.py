"""Offline data: random crops of scikit-image's bundled colour photographs (nothing is downloaded)."""

from __future__ import annotations

import functools

import numpy as np
import torch

from ._checks import as_int

# Bundled with scikit-image (no network): natural, strongly coloured photographs.
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina")
SPLITS = ("train", "test")
HELD_OUT = 0.25  # the right-most quarter of every photograph is reserved for the test split


@functools.lru_cache(maxsize=None)
def photo(name: str, shorter_side: int) -> np.ndarray:
    """One bundled photograph as float32 (H, W, 3) in [-1, 1], rescaled so its shorter side is ``shorter_side``."""
    import skimage.data
    from skimage.transform import resize

    if name not in PHOTOS:
        raise ValueError(f"name must be one of {PHOTOS}, got {name!r}")
    img = getattr(skimage.data, name)()[..., :3].astype(np.float32) / 255.0
    h, w = img.shape[:2]
    scale = shorter_side / min(h, w)
    img = resize(img, (round(h * scale), round(w * scale)), anti_aliasing=scale < 1, preserve_range=True)
    return (img * 2 - 1).astype(np.float32)


def photo_crops(n: int, size: int = 32, seed: int = 0, split: str = "train", context: int = 4,
                photos: tuple[str, ...] = PHOTOS) -> torch.Tensor:
    """``n`` random ``size``×``size`` RGB crops in [-1, 1] as (n, 3, size, size), deterministic for ``seed``.

    Photographs are first rescaled so their shorter side is ``context * size`` pixels (so a crop shows
    structure, not one flat patch of sky). ``split="train"`` crops the left three quarters of every photograph,
    ``"test"`` the right quarter, so the two never share a pixel. Half of the crops are mirrored.
    """
    n = as_int("n", n, 1)
    size = as_int("size", size, 4)
    context = as_int("context", context, 2)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if not photos or any(p not in PHOTOS for p in photos):
        raise ValueError(f"photos must be a non-empty tuple of names from {PHOTOS}, got {photos!r}")
    rng = np.random.default_rng(as_int("seed", seed, 0))
    images = [photo(p, context * size) for p in photos]
    out = np.empty((n, size, size, 3), dtype=np.float32)
    which = rng.integers(len(images), size=n)
    for k, idx in enumerate(which):
        img = images[idx]
        h, w = img.shape[:2]
        cut = int(w * (1 - HELD_OUT))
        lo, hi = (0, cut - size) if split == "train" else (cut, w - size)
        top = rng.integers(0, h - size + 1)
        left = rng.integers(lo, hi + 1)
        crop = img[top : top + size, left : left + size]
        out[k] = crop[:, ::-1] if rng.random() < 0.5 else crop
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()
