"""Generators and discriminators: shapes, ranges, the article's variants, and clear errors for bad input."""

import pytest
import torch

from tutorial_utils import models
from tutorial_utils.upsampling import KINDS


def latent(n, dim, seed=0):
    return torch.randn(n, dim, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", list(models.VARIANTS))
@pytest.mark.parametrize("size", [16, 32])
def test_variant_shape_and_range(name, size):
    torch.manual_seed(0)
    gen = models.Generator.variant(name, size, width=4, latent_dim=8)
    x = gen(latent(5, 8))
    assert x.shape == (5, 3, size, size)
    assert x.abs().max() <= 1  # tanh output
    assert x.std() > 0


def test_variants_put_deconvolutions_last():
    layers = 3  # 32 = 4 * 2**3
    for name, n_deconv in models.VARIANTS.items():
        kinds = models.Generator.variant(name, 32).kinds
        assert kinds == ("nearest",) * (layers - n_deconv) + ("deconv3",) * n_deconv


@pytest.mark.parametrize("kind", KINDS)
def test_every_upsampler_kind(kind):
    torch.manual_seed(0)
    gen = models.Generator(kind, image_size=16, width=4, latent_dim=8, channels=1)
    x = gen(latent(3, 8))
    assert x.shape == (3, 1, 16, 16)
    assert x.abs().max() <= 1


def test_per_layer_kinds_and_widths():
    gen = models.Generator(["nearest", "deconv4", "subpixel"], image_size=32, width=4)
    assert gen.kinds == ("nearest", "deconv4", "subpixel")
    assert gen.stem[0].out_features == 4 * 4 * 16  # width * 2**(layers-1) channels at 4x4


def test_sample_latent_is_seeded():
    gen = models.Generator("nearest", image_size=16, latent_dim=8)
    a = gen.sample_latent(4, rng=torch.Generator().manual_seed(1))
    b = gen.sample_latent(4, rng=torch.Generator().manual_seed(1))
    assert a.shape == (4, 8) and torch.equal(a, b)
    assert torch.equal(a, torch.randn(4, 8, generator=torch.Generator().manual_seed(1)))
    # drawn on the rng's device, returned on the requested one
    assert gen.sample_latent(2, rng=torch.Generator(), device="meta").device.type == "meta"
    with pytest.raises(TypeError, match="rng"):
        gen.sample_latent(2, rng=1)


@pytest.mark.parametrize("size", [0, 4, 12, 24, 48, 100])
def test_image_size_not_a_power_of_two(size):
    with pytest.raises(ValueError, match="image_size"):
        models.Generator("nearest", image_size=size)
    with pytest.raises(ValueError, match="image_size"):
        models.Discriminator("conv4", image_size=size)


def test_image_size_not_an_int():
    with pytest.raises(TypeError, match="image_size"):
        models.Generator("nearest", image_size=32.0)


def test_unknown_kind_and_variant():
    with pytest.raises(ValueError, match="kinds"):
        models.Generator("transposed", image_size=16)
    with pytest.raises(ValueError, match="kinds"):
        models.Generator(["nearest", "deconv5"], image_size=16)
    with pytest.raises(ValueError, match="name"):
        models.Generator.variant("deconv_first", 32)
    with pytest.raises(ValueError, match="kind"):
        models.Discriminator("maxpool", image_size=16)


def test_wrong_number_of_kinds():
    with pytest.raises(ValueError, match="kinds"):
        models.Generator(["nearest"] * 2, image_size=32)
    with pytest.raises(ValueError, match="kinds"):
        models.Discriminator(["conv4"] * 4, image_size=32)
    with pytest.raises(ValueError, match="kinds"):  # two deconvolution layers need two layers
        models.Generator.variant("deconv_last_two", 8)


def test_bad_widths_and_latent():
    with pytest.raises(ValueError, match="width"):
        models.Generator("nearest", image_size=16, width=0)
    with pytest.raises(ValueError, match="latent_dim"):
        models.Generator("nearest", image_size=16, latent_dim=0)
    with pytest.raises(ValueError, match="channels"):
        models.Discriminator("conv4", image_size=16, channels=0)


def test_wrong_latent_shape():
    gen = models.Generator("nearest", image_size=16, latent_dim=8)
    with pytest.raises(ValueError, match="z"):
        gen(torch.zeros(2, 9))
    with pytest.raises(ValueError, match="z"):
        gen(torch.zeros(8))


@pytest.mark.parametrize("kind", models.DOWN_KINDS)
@pytest.mark.parametrize("size", [16, 32])
def test_discriminator_shape(kind, size):
    torch.manual_seed(0)
    disc = models.Discriminator(kind, image_size=size, width=4)
    out = disc(torch.randn(5, 3, size, size))
    assert out.shape == (5,)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("kind", models.DOWN_KINDS)
def test_downsampler_halves(kind):
    layer = models.make_downsampler(kind, 3, 5)
    assert layer(torch.randn(2, 3, 12, 8)).shape == (2, 5, 6, 4)


def test_blur_is_a_normalised_low_pass():
    blur = models.Blur2d(2)
    flat = torch.full((1, 2, 6, 6), 0.7)
    assert torch.allclose(blur(flat), flat)
    checker = (-1.0) ** (torch.arange(6)[:, None] + torch.arange(6)[None, :])
    assert blur(checker.expand(1, 2, 6, 6)).abs().max() < 1e-6  # removes the period-2 checkerboard
