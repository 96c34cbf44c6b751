"""Gram matrices, the random-feature style and content losses, and the spectral penalty: hand computations, zeros,
signs, determinism."""

import pytest
import torch
import torch.nn.functional as F

from tutorial_utils import losses, metrics


def images(n=2, size=24, seed=0):
    return torch.rand(n, 3, size, size, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_gram_matrix_by_hand():
    f = torch.tensor([[1.0, 2.0], [0.0, -1.0]])  # channel 0, a 2x2 map
    g = torch.tensor([[3.0, 1.0], [1.0, 1.0]])  # channel 1
    features = torch.stack([f, g])[None]  # (N=1, C=2, H=2, W=2)
    # <f, g> = 1*3 + 2*1 + 0*1 - 1*1 = 4, |f|^2 = 6, |g|^2 = 12, divided by C*H*W = 8
    expected = torch.tensor([[6.0, 4.0], [4.0, 12.0]]) / 8
    assert torch.allclose(losses.gram_matrix(features)[0], expected)


def test_gram_matrix_ignores_where_features_fire():
    x = torch.randn(2, 4, 6, 6, generator=torch.Generator().manual_seed(0))
    # the same values at other places
    shuffled = x.flatten(2)[..., torch.randperm(36, generator=torch.Generator().manual_seed(1))].reshape(2, 4, 6, 6)
    assert torch.allclose(losses.gram_matrix(x), losses.gram_matrix(shuffled), atol=1e-6)
    assert losses.gram_matrix(x).shape == (2, 4, 4)
    assert not torch.allclose(losses.gram_matrix(x)[0], losses.gram_matrix(x)[1])


@pytest.mark.parametrize("bad", [torch.zeros(4, 6, 6), torch.zeros(0, 2, 3, 3)])
def test_gram_matrix_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="features"):
        losses.gram_matrix(bad)
    with pytest.raises(TypeError, match="features"):
        losses.gram_matrix("features")


def test_random_features_shapes_and_pyramid():
    feats = losses.RandomFeatures(kernel_sizes=(3, 5), channels=6, n_scales=3)
    maps = feats(images(2, 24))
    # valid convolutions on 24, 12 and 6 pixels: one map per (scale, kernel size), finest scale first
    shapes = [(2, 6, 22, 22), (2, 6, 20, 20), (2, 6, 10, 10), (2, 6, 8, 8), (2, 6, 4, 4), (2, 6, 2, 2)]
    assert [tuple(m.shape) for m in maps] == shapes
    assert all((m >= 0).all() for m in maps)  # ReLU
    assert feats.min_size() == 20
    assert not list(feats.parameters())  # fixed: buffers, never trained


def test_random_features_match_a_plain_convolution():
    feats = losses.RandomFeatures(kernel_sizes=(3,), channels=4, n_scales=2, seed=1)
    x = images(1, 8)
    half = x.reshape(1, 3, 4, 2, 4, 2).mean(dim=(3, 5))  # 2x2 average pooling by hand
    maps = feats(x)
    assert torch.allclose(maps[0], F.conv2d(x, feats.weight0).clamp_min(0))
    assert torch.allclose(maps[1], F.conv2d(half, feats.weight0).clamp_min(0), atol=1e-6)


def test_random_features_first_scale_and_zero_mean():
    x = images(1, 32)
    coarse = losses.RandomFeatures(kernel_sizes=(3,), channels=4, n_scales=2, first_scale=1, seed=2)
    fine = losses.RandomFeatures(kernel_sizes=(3,), channels=4, n_scales=3, seed=2)
    assert [m.shape[-1] for m in coarse(x)] == [14, 6]
    # the same pyramid, minus its finest level
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(coarse(x), fine(x)[1:]))
    assert coarse.min_size() == 12
    flat = losses.RandomFeatures(zero_mean=True, seed=0)
    assert torch.allclose(flat.weight0.sum(dim=(2, 3)), torch.zeros(32, 3), atol=1e-6)
    colour = torch.tensor([0.4, -0.4, 0.2]).view(1, 3, 1, 1).expand(1, 3, 24, 24)
    assert all(m.abs().max() < 1e-6 for m in flat(colour))  # blind to flat colour


def test_random_features_are_deterministic_for_a_seed():
    a, b, c = (losses.RandomFeatures(seed=s) for s in (0, 0, 1))
    assert torch.equal(a.weight0, b.weight0) and torch.equal(a.weight1, b.weight1)
    assert not torch.equal(a.weight0, c.weight0)
    # He-normal scale: variance 2 / fan-in
    big = losses.RandomFeatures(kernel_sizes=(3,), channels=4096)
    assert abs(float(big.weight0.var()) * 27 / 2 - 1) < 0.05


def test_random_features_reject_bad_arguments():
    with pytest.raises(ValueError, match="kernel_sizes"):
        losses.RandomFeatures(kernel_sizes=(3, 4))
    with pytest.raises(ValueError, match="kernel_sizes"):
        losses.RandomFeatures(kernel_sizes=())
    with pytest.raises(ValueError, match="channels"):
        losses.RandomFeatures(channels=0)
    with pytest.raises(ValueError, match="n_scales"):
        losses.RandomFeatures(n_scales=0)
    with pytest.raises(ValueError, match="first_scale"):
        losses.RandomFeatures(first_scale=-1)
    feats = losses.RandomFeatures(kernel_sizes=(5,), n_scales=3)
    with pytest.raises(ValueError, match="at least 20"):
        feats(images(1, 16))
    with pytest.raises(ValueError, match="images"):
        feats(torch.zeros(1, 1, 32, 32))


@pytest.fixture(scope="module")
def feats():
    return losses.RandomFeatures(kernel_sizes=(3, 5), channels=8, n_scales=2, seed=0)


def test_losses_are_zero_for_identical_images_and_positive_otherwise(feats):
    x, y = images(2, 24, seed=0), images(2, 24, seed=1)
    assert losses.content_loss(x, x, feats) == 0
    assert losses.content_loss(x, y, feats) > 0
    style = x[:1]
    assert losses.style_loss(style, style, feats) == 0
    assert losses.style_loss(y[:1], style, feats) > 0


def test_style_loss_by_hand(feats):
    x, style = images(2, 24, seed=3), images(1, 32, seed=4)
    expected = sum(
        ((losses.gram_matrix(f) - losses.gram_matrix(g)) ** 2).sum((1, 2)).mean()
        for f, g in zip(feats(x), feats(style))
    )
    assert torch.allclose(losses.style_loss(x, style, feats), expected)
    content = images(2, 24, seed=5)
    expected = sum(((f - g) ** 2).mean() for f, g in zip(feats(x), feats(content)))
    assert torch.allclose(losses.content_loss(x, content, feats), expected)


def test_style_loss_sees_texture_not_layout(feats):
    x = images(1, 24, seed=2)
    # the same texture, mirrored: the features fire at mirrored places
    flipped = x.flip(-1)
    noise = images(1, 24, seed=3) * 0.1  # another texture
    assert losses.style_loss(flipped, x, feats) < 0.25 * losses.style_loss(noise, x, feats)
    assert losses.content_loss(flipped, x, feats) > 0


def test_losses_are_deterministic():
    style, x, y = images(1, 32, seed=0), images(2, 32, seed=1), images(2, 32, seed=2)
    values = [losses.StyleContentLoss(style, losses.RandomFeatures(seed=s))(x, y) for s in (0, 0, 1)]
    assert values[0] == values[1] and values[0] != values[2]


def test_style_content_loss_calibrates_every_term_to_one(feats):
    style, x, y = images(1, 32, seed=0), images(3, 24, seed=1), images(3, 24, seed=2)
    loss = losses.StyleContentLoss(style, feats, style_weight=2.0, content_weight=0.5, content_features=feats)
    raw_style, raw_content = loss.parts(x, y)
    assert torch.allclose(raw_style, losses.style_loss(x, style, feats) / 4)  # the mean of four terms
    assert torch.allclose(raw_content, losses.content_loss(x, y, feats) / 4)
    assert loss.calibrate(x, y) is loss
    s, c = loss.parts(x, y)
    assert torch.allclose(s, torch.tensor(1.0)) and torch.allclose(c, torch.tensor(1.0))
    assert torch.allclose(loss(x, y), torch.tensor(2.0 * 1 + 0.5 * 1))
    s0, c0 = loss.parts(y, y)
    assert c0 == 0 and s0 > 0  # the content matches exactly; the texture is still not the style's


def test_default_content_features_ignore_the_finest_detail():
    loss = losses.StyleContentLoss(images(1, 32))
    cf = loss.content_features
    assert (cf.first_scale, cf.n_scales, cf.zero_mean) == (1, 2, True)
    x = images(2, 32, seed=4)
    checker = 0.3 * (-1.0) ** (torch.arange(32)[:, None] + torch.arange(32)[None, :])
    # a period-2 checkerboard averages away in the first 2x2 pooling: the content terms do not see it
    assert losses.content_loss(x + checker, x, cf) < 1e-10
    assert losses.style_loss(x + checker, x[:1], loss.features) > 0  # the style terms do


def test_style_content_loss_has_gradients_and_moves_with_the_module(feats):
    loss = losses.StyleContentLoss(images(1, 32), feats)
    x = images(2, 24).requires_grad_()
    loss(x, images(2, 24, seed=5)).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    names = {name for name, _ in loss.named_buffers()}
    assert {"grams", "style_norm", "content_norm", "features.weight0"} <= names


def test_style_content_loss_rejects_bad_arguments(feats):
    with pytest.raises(ValueError, match="style"):
        losses.StyleContentLoss(images(2, 24), feats)
    with pytest.raises(ValueError, match="style_weight"):
        losses.StyleContentLoss(images(1, 24), feats, style_weight=-1)
    with pytest.raises(TypeError, match="features"):
        losses.StyleContentLoss(images(1, 24), features=torch.nn.Identity())
    with pytest.raises(TypeError, match="content_features"):
        losses.StyleContentLoss(images(1, 24), feats, content_features=torch.nn.Identity())
    loss = losses.StyleContentLoss(images(1, 24), feats)
    with pytest.raises(ValueError, match="content"):
        loss(images(2, 24), images(3, 24))
    with pytest.raises(ValueError, match="content"):
        losses.content_loss(images(2, 24), images(2, 32), feats)


def test_total_variation_by_hand():
    x = torch.tensor([[0.0, 1.0, 3.0], [2.0, 2.0, 2.0]])[None, None]  # (1, 1, 2, 3)
    # vertical differences 2, 1, -1 (mean square 2); horizontal 1, 2, 0, 0 (mean square 5 / 4)
    assert torch.allclose(losses.total_variation(x), torch.tensor(2.0 + 1.25))
    a = 0.3
    checker = a * (-1.0) ** (torch.arange(8)[:, None] + torch.arange(8)[None, :])
    assert torch.allclose(losses.total_variation(checker.expand(2, 3, 8, 8)), torch.tensor(8 * a**2))
    assert losses.total_variation(torch.full((1, 3, 8, 8), 0.7)) == 0  # a flat image costs nothing
    y = images(2, 16, seed=6)
    assert torch.allclose(losses.total_variation(-2 * y), 4 * losses.total_variation(y))


def test_total_variation_descends_against_a_checkerboard():
    checker = 0.3 * (-1.0) ** (torch.arange(8)[:, None] + torch.arange(8)[None, :])
    x = checker.expand(1, 3, 8, 8).clone().requires_grad_()
    losses.total_variation(x).backward()
    # away from the borders the gradient is the checkerboard itself: a descent step shrinks it
    assert torch.equal(torch.sign(x.grad[..., 1:-1, 1:-1]), torch.sign(checker[1:-1, 1:-1]).expand(1, 3, 6, 6))


def test_total_variation_term_calibrates_to_one(feats):
    style, x, y = images(1, 32, seed=0), images(3, 24, seed=1), images(3, 24, seed=2)
    plain = losses.StyleContentLoss(style, feats, content_features=feats).calibrate(x, y)
    tv = losses.StyleContentLoss(style, feats, content_features=feats, tv_weight=0.5).calibrate(x, y)
    assert torch.allclose(tv(x, y), plain(x, y) + 0.5)  # the TV term is 1 on the calibration batch
    z = images(3, 24, seed=3) * 0.5
    expected = 0.5 * losses.total_variation(z) / losses.total_variation(x)
    assert torch.allclose(tv(z, y) - plain(z, y), expected)
    assert "tv_norm" in {name for name, _ in tv.named_buffers()}


# --- the spectral penalty (chapter 10) --------------------------------------------------------------------------


def test_log_ring_power_is_radial_spectra_in_the_autograd_graph():
    x = images(3, 16, seed=4)
    _, rows = metrics.radial_spectra(x)
    assert torch.equal(metrics.log_ring_power(x.double()), rows)  # the same numbers in float64
    assert torch.allclose(metrics.log_ring_power(x), rows.float(), atol=1e-4)  # and close in the images' float32
    y = x.clone().requires_grad_(True)
    metrics.log_ring_power(y).sum().backward()
    assert bool(torch.isfinite(y.grad).all()) and float(y.grad.abs().max()) > 0


@pytest.mark.parametrize("form", losses.SPECTRAL_FORMS)
def test_spectral_loss_by_hand(form):
    """The penalty is computed from radial_spectra's curves: the mean squared gap of the mean curves ("mse"), or
    the cross-entropy of the mean min-max normalised curves ("bce")."""
    real, fake = images(6, 16, seed=5), images(4, 16, seed=6) * 0.5
    rows = {name: metrics.radial_spectra(x)[1] for name, x in (("real", real), ("fake", fake))}
    if form == "mse":
        expected = (rows["fake"].mean(0) - rows["real"].mean(0)).pow(2).mean()
    else:
        unit = {
            k: (r - r.min(1, keepdim=True).values) / (r.max(1, keepdim=True).values - r.min(1, keepdim=True).values)
            for k, r in rows.items()
        }
        expected = F.binary_cross_entropy(unit["fake"].mean(0), unit["real"].mean(0))
    assert float(losses.SpectralLoss(real, form)(fake)) == pytest.approx(float(expected), rel=1e-4)


# --- the perceptual loss on MobileNetV2 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mobilenet():
    from tutorial_utils import pretrained

    return pretrained.mobilenet_v2()


def test_feature_maps_are_the_blocks_outputs(mobilenet):
    from tutorial_utils import pretrained

    x = images(2, 32, seed=7)
    maps = pretrained.feature_maps(mobilenet, x, [1, 3, 6])
    # strides 2, 4 and 8: the stem halves the image, features[2] and features[4] halve it again
    assert [tuple(m.shape) for m in maps] == [(2, 16, 16, 16), (2, 24, 8, 8), (2, 32, 4, 4)]
    with torch.no_grad():
        expected = mobilenet.features[:4](pretrained.preprocess(x))
    assert torch.allclose(maps[1], expected, atol=1e-6)


@pytest.fixture(scope="module")
def style_image():
    return images(1, 64, seed=8)


def test_mobilenet_loss_is_zero_for_the_style_and_the_content_themselves(mobilenet, style_image):
    loss = losses.MobileNetStyleLoss(style_image, mobilenet)
    s, c = loss.parts(style_image, style_image)
    assert s == 0 and c == 0  # the same image gives the same Gram matrices, bit for bit
    x, y = images(2, 48, seed=9), images(2, 48, seed=10)
    s, c = loss.parts(x, y)
    assert s > 0 and c > 0
    assert loss.parts(x, x)[1] == 0


def test_mobilenet_loss_by_hand(mobilenet, style_image):
    from tutorial_utils import pretrained

    loss = losses.MobileNetStyleLoss(style_image, mobilenet, style_layers=(1, 6), content_layer=3)
    x, y = images(2, 32, seed=11), images(2, 32, seed=12)
    fx, fs, fy = (pretrained.feature_maps(mobilenet, z, [1, 3, 6]) for z in (x, style_image, y))
    terms = [((losses.gram_matrix(fx[i]) - losses.gram_matrix(fs[i])) ** 2).sum((1, 2)).mean() for i in (0, 2)]
    s, c = loss.parts(x, y)
    assert torch.allclose(s, sum(terms) / 2) and torch.allclose(c, F.mse_loss(fx[1], fy[1]))


def test_mobilenet_loss_calibrates_every_term_to_one(mobilenet, style_image):
    x, y = images(3, 32, seed=13), images(3, 32, seed=14)
    loss = losses.MobileNetStyleLoss(style_image, mobilenet, style_weight=2.0, content_weight=0.5, tv_weight=0.25)
    assert loss.calibrate(x, y) is loss
    s, c = loss.parts(x, y)
    assert torch.allclose(s, torch.tensor(1.0)) and torch.allclose(c, torch.tensor(1.0))
    assert torch.allclose(loss(x, y), torch.tensor(2.0 + 0.5 + 0.25))
    assert isinstance(loss, losses.StyleContentLoss)  # the same interface: train_transformer needs nothing else


def test_mobilenet_loss_has_gradients_for_the_images_only(mobilenet, style_image):
    loss = losses.MobileNetStyleLoss(style_image, mobilenet)
    x = images(2, 32, seed=15).requires_grad_()
    loss(x, images(2, 32, seed=16)).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert not any(p.requires_grad for p in loss.parameters())  # the loss network is frozen
    loss.train()
    assert loss.training and not loss.model.training  # and keeps its BatchNorm statistics


def test_mobilenet_loss_moves_to_another_dtype(mobilenet, style_image):
    import copy

    loss = copy.deepcopy(losses.MobileNetStyleLoss(style_image, mobilenet)).to(torch.float64)
    x, y = images(2, 32, seed=17).double(), images(2, 32, seed=18).double()
    assert loss(x, y).dtype == torch.float64
    assert {b.dtype for b in loss.buffers() if b.is_floating_point()} == {torch.float64}
    with pytest.raises(ValueError, match="content"):
        loss(x, y[:1])


def test_jitter_shifts_deterministically_in_forward_only(mobilenet, style_image):
    x, y = images(2, 32, seed=19), images(2, 32, seed=20)
    a, b, c = (losses.MobileNetStyleLoss(style_image, mobilenet, jitter=1, seed=s) for s in (0, 0, 1))
    first = [float(a(x, y)) for _ in range(4)]
    assert first == [float(b(x, y)) for _ in range(4)]  # the same shifts for the same seed
    assert len(set(first)) > 1  # the shift changes from call to call
    assert [float(c(x, y)) for _ in range(4)] != first
    plain = losses.MobileNetStyleLoss(style_image, mobilenet)
    assert torch.equal(a.parts(x, y)[0], plain.parts(x, y)[0])  # parts and calibrate do not jitter


def test_smoothed_is_a_softmax_with_mean_one():
    f = torch.randn(2, 4, 3, 3, generator=torch.Generator().manual_seed(21))
    s = losses.smoothed(f)
    assert s.shape == f.shape and (s > 0).all()
    assert torch.allclose(s.mean(dim=(1, 2, 3)), torch.ones(2))
    assert torch.equal(s.flatten(1).argmax(1), f.flatten(1).argmax(1))  # monotone: the order of activations stays
    assert torch.allclose(losses.smoothed(torch.zeros(1, 2, 3, 3)), torch.ones(1, 2, 3, 3))
