"""Photo crops: shape, range, determinism, and train/test splits that never share a pixel."""

import numpy as np
import pytest
import torch

from tutorial_utils import data


def test_shape_range_dtype():
    x = data.photo_crops(10, size=16, seed=0)
    assert x.shape == (10, 3, 16, 16)
    assert x.dtype == torch.float32
    assert x.min() >= -1 and x.max() <= 1
    assert x.std() > 0.1  # real structure, not flat patches


def test_deterministic_for_a_seed():
    assert torch.equal(data.photo_crops(8, 16, seed=3), data.photo_crops(8, 16, seed=3))
    assert not torch.equal(data.photo_crops(8, 16, seed=3), data.photo_crops(8, 16, seed=4))


def test_splits_differ():
    train = data.photo_crops(64, 16, seed=0, split="train")
    test = data.photo_crops(64, 16, seed=0, split="test")
    flat_train = train.flatten(1)
    for crop in test.flatten(1):
        assert not (flat_train == crop).all(dim=1).any()


def reproduce_columns(n, size, seed, split, context=4, photos=data.PHOTOS):
    """The column range each crop comes from, by replaying photo_crops' random draws."""
    rng = np.random.default_rng(seed)
    images = [data.photo(p, context * size) for p in photos]
    which = rng.integers(len(images), size=n)
    spans = []
    for idx in which:
        h, w = images[idx].shape[:2]
        cut = int(w * (1 - data.HELD_OUT))
        lo, hi = (0, cut - size) if split == "train" else (cut, w - size)
        rng.integers(0, h - size + 1)
        left = int(rng.integers(lo, hi + 1))
        rng.random()
        spans.append((int(idx), left, left + size, cut))
    return spans


def test_splits_use_disjoint_columns():
    size = 16
    for split in data.SPLITS:
        replay = reproduce_columns(32, size, 1, split)
        crops = data.photo_crops(32, size, seed=1, split=split)
        for k, (idx, left, right, cut) in enumerate(replay):
            assert (right <= cut) if split == "train" else (left >= cut)
            # The replay is faithful: the crop is those columns of that photo (possibly mirrored).
            img = torch.from_numpy(data.photo(data.PHOTOS[idx], 4 * size)).permute(2, 0, 1)
            cols = img[:, :, left:right]
            assert any(torch.equal(crop, window) for crop in (crops[k], crops[k].flip(-1))
                       for window in cols.unfold(1, size, 1).permute(1, 0, 3, 2).unbind(0))


def test_photo_is_rescaled():
    img = data.photo("chelsea", 40)
    assert min(img.shape[:2]) == 40 and img.shape[2] == 3
    assert img.min() >= -1 and img.max() <= 1


def test_bad_arguments():
    with pytest.raises(ValueError, match="n"):
        data.photo_crops(0)
    with pytest.raises(TypeError, match="size"):
        data.photo_crops(4, size=16.0)
    with pytest.raises(ValueError, match="size"):
        data.photo_crops(4, size=2)
    with pytest.raises(ValueError, match="split"):
        data.photo_crops(4, split="validation")
    with pytest.raises(ValueError, match="seed"):
        data.photo_crops(4, seed=-1)
    with pytest.raises(ValueError, match="photos"):
        data.photo_crops(4, photos=("moon",))
    with pytest.raises(ValueError, match="photos"):
        data.photo_crops(4, photos=())
    with pytest.raises(ValueError, match="name"):
        data.photo("lena", 32)
