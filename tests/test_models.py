"""Generators and discriminators: shapes, ranges, the article's variants, and clear errors for bad input."""

import pytest
import torch

from tutorial_utils import downsampling, models, training
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


def test_the_control_variant_puts_deconvolutions_early_and_resizes_last():
    assert models.Generator.variant("deconv_early", 32).kinds == ("deconv3", "deconv3", "nearest")
    assert training.digit_gan("deconv_early").variant == "deconv_early"
    assert "deconv_early" not in models.VARIANTS  # chapter 05 trains the article's three only


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
        models.Discriminator("stridedpool", image_size=16)


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


@pytest.mark.parametrize("kind", downsampling.DOWN_KINDS)
@pytest.mark.parametrize("size", [16, 32])
def test_discriminator_shape(kind, size):
    torch.manual_seed(0)
    disc = models.Discriminator(kind, image_size=size, width=4)
    out = disc(torch.randn(5, 3, size, size))
    assert out.shape == (5,)
    assert torch.isfinite(out).all()


def test_discriminator_stem_is_a_stride_1_first_layer():
    """The article's control: a regular 3×3 convolution at full resolution, then the same downsamplers."""
    plain = models.Discriminator("conv4", image_size=16, width=4, channels=1)
    stem = models.Discriminator("conv4", image_size=16, width=4, channels=1, stem=True)
    first = stem.features[0]
    assert isinstance(first, torch.nn.Conv2d) and first.stride == (1, 1) and first.kernel_size == (3, 3)
    assert (first.in_channels, first.out_channels) == (1, 4)
    x = torch.randn(2, 1, 16, 16)
    assert stem.features[:2](x).shape == (2, 4, 16, 16)  # full resolution after the stem
    assert stem.features(x).shape == plain.features(x).shape == (2, 8, 4, 4)
    assert stem(x).shape == (2,) and stem.stem and not plain.stem
    # its gradient reaches every pixel phase with a 4x4-kernel body: no stride-2 3x3 layer anywhere
    assert [m.stride for m in stem.modules() if isinstance(m, torch.nn.Conv2d)] == [(1, 1), (2, 2), (2, 2)]


@pytest.mark.parametrize("kind", downsampling.DOWN_KINDS)
def test_downsampler_halves(kind):
    layer = downsampling.make_downsampler(kind, 3, 5)
    assert layer(torch.randn(2, 3, 12, 8)).shape == (2, 5, 6, 4)


def test_blur_is_a_normalised_low_pass():
    blur = downsampling.Blur2d(2)
    flat = torch.full((1, 2, 6, 6), 0.7)
    assert torch.allclose(blur(flat), flat)
    checker = (-1.0) ** (torch.arange(6)[:, None] + torch.arange(6)[None, :])
    assert blur(checker.expand(1, 2, 6, 6)).abs().max() < 1e-6  # removes the period-2 checkerboard


@pytest.mark.parametrize("kind", downsampling.DOWN_KINDS)
def test_classifier_shape(kind):
    torch.manual_seed(0)
    net = models.Classifier(kind, image_size=16, n_classes=7, width=4, channels=2)
    out = net(torch.randn(5, 2, 16, 16))
    assert out.shape == (5, 7) and torch.isfinite(out).all()
    assert net.kinds == (kind, kind) and net.n_classes == 7


def test_classifiers_that_differ_in_downsampling_have_the_same_widths():
    """Every 3×3 kind has the same parameters; conv4 only has bigger kernels (16/9 of the conv weights)."""
    counts = {
        k: sum(p.numel() for p in models.Classifier(k, 32, width=8).parameters()) for k in downsampling.DOWN_KINDS
    }
    assert counts["conv3"] == counts["avgpool"] == counts["blurpool"] == counts["maxpool"], counts
    assert counts["conv4"] > counts["conv3"], counts


def test_classifier_rejects_bad_input():
    net = models.Classifier("conv3", image_size=16, width=2)
    with pytest.raises(ValueError, match="x"):
        net(torch.zeros(2, 3, 16, 16))
    with pytest.raises(ValueError, match="n_classes"):
        models.Classifier(n_classes=1)
    with pytest.raises(ValueError, match="kinds"):
        models.Classifier("conv5", image_size=16)


# --- TransformerNet (chapter 06) -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["deconv3", "nearest"])
@pytest.mark.parametrize("shape", [(8, 8), (12, 20), (16, 16)])
def test_transformer_keeps_the_shape(kind, shape):
    net = models.TransformerNet(kind, width=4, n_residual=1)
    x = torch.rand(2, 3, *shape, generator=torch.Generator().manual_seed(0)) * 2 - 1
    y = net(x)
    assert y.shape == x.shape
    # a tanh output that depends on the input
    assert y.abs().max() <= 1 and y.std() > 0 and not torch.allclose(y[0], y[1])


def test_transformer_layout():
    net = models.TransformerNet("deconv3", width=8, n_residual=2)
    assert net.upsample_kind == "deconv3" and len(net.residual) == 2
    convs = [m for m in net.encoder.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size[0], c.stride[0]) for c in convs] == [
        (3, 8, 9, 1),
        (8, 16, 3, 2),
        (16, 32, 3, 2),
    ]
    ups = [m for m in net.decoder if isinstance(m, torch.nn.ConvTranspose2d)]
    assert [(u.in_channels, u.out_channels, u.kernel_size, u.stride) for u in ups] == [
        (32, 16, (3, 3), (2, 2)),
        (16, 8, (3, 3), (2, 2)),
    ]
    nearest = models.TransformerNet("nearest", width=8)
    assert type(nearest.decoder[0]).__name__ == "ResizeConv2d" and nearest.decoder[0].fast
    assert len(nearest.residual) == 3 and nearest.width == 8  # the default n_residual
    norms = [m for m in net.modules() if isinstance(m, torch.nn.InstanceNorm2d)]
    assert len(norms) == 3 + 2 * 2 + 2  # encoder, two per residual block, decoder
    assert not [m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)]


def test_transformer_kinds_differ_only_in_the_decoder():
    a = training.seeded(lambda: models.TransformerNet("deconv3", 8, 1), 0)
    b = training.seeded(lambda: models.TransformerNet("nearest", 8, 1), 0)
    n_a, n_b = (sum(p.numel() for p in m.parameters()) for m in (a, b))
    # both upsamplers hold a 3x3 kernel per channel pair and a bias: the same number of parameters
    assert n_a == n_b
    # one seed gives the same encoder and residual weights, whatever the decoder
    for pa, pb in zip(a.encoder.parameters(), b.encoder.parameters()):
        assert torch.equal(pa, pb)
    for pa, pb in zip(a.residual.parameters(), b.residual.parameters()):
        assert torch.equal(pa, pb)


def test_transformer_is_deterministic_for_a_seed():
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    outs = [training.seeded(lambda: models.TransformerNet("nearest", 4, 1), s)(x) for s in (3, 3, 4)]
    assert torch.equal(outs[0], outs[1]) and not torch.equal(outs[0], outs[2])


def test_transformer_residual_block_adds_its_input():
    net = models.TransformerNet("nearest", 4, 1)
    block = net.residual[0]
    # the last unit's instance norm scales by zero: the block is then the identity
    for p in block.body[1][-1].parameters():
        torch.nn.init.zeros_(p)
    x = torch.randn(2, 16, 6, 6)
    assert torch.equal(block(x), x)


@pytest.mark.parametrize("shape", [(2, 3, 10, 16), (2, 3, 16, 18), (2, 3, 4, 4), (2, 1, 16, 16), (3, 16, 16)])
def test_transformer_rejects_bad_images(shape):
    net = models.TransformerNet("nearest", 4, 1)
    with pytest.raises(ValueError, match=r"^x "):
        net(torch.zeros(shape))


def test_transformer_rejects_bad_arguments():
    with pytest.raises(ValueError, match="upsample_kind"):
        models.TransformerNet("pixelshuffle")
    with pytest.raises(ValueError, match="width"):
        models.TransformerNet("nearest", width=0)
    with pytest.raises(TypeError, match="n_residual"):
        models.TransformerNet("nearest", n_residual=1.5)


def test_spectral_norm_divides_every_weight_by_its_largest_singular_value():
    disc = training.seeded(lambda: models.Discriminator("conv4", 16, width=4, channels=1, spectral_norm=True), 0)
    plain = training.seeded(lambda: models.Discriminator("conv4", 16, width=4, channels=1), 0)
    layers = [m for m in disc.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    assert len(layers) == 3 and all(torch.nn.utils.parametrize.is_parametrized(m, "weight") for m in layers)
    assert not any(torch.nn.utils.parametrize.is_parametrized(m) for m in plain.modules())
    x = torch.randn(8, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    for _ in range(30):  # one power iteration per training-mode forward
        disc(x)
    for m in layers:
        sigma = torch.linalg.matrix_norm(m.weight.detach().flatten(1), ord=2)
        assert float(sigma) == pytest.approx(1.0, abs=0.02), m
        raw = m.parametrizations.weight.original.detach()
        expected = raw / torch.linalg.matrix_norm(raw.flatten(1), ord=2)
        assert torch.allclose(m.weight.detach(), expected, rtol=0.02, atol=1e-4)
    # Same architecture, same parameters: spectral normalisation is an option, not a different network.
    assert sum(p.numel() for p in disc.parameters()) == sum(p.numel() for p in plain.parameters())
    assert disc(x).shape == (8,)


def test_spectral_norm_must_be_a_bool():
    with pytest.raises(TypeError, match="spectral_norm"):
        models.Discriminator("conv4", 16, spectral_norm=1)
