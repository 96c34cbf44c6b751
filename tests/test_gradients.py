"""Input gradients and feature visualisation: exact gradients, seeded runs, the fixes behave, clear errors."""

import pytest
import torch

from tutorial_utils import gradients, metrics


def test_input_gradient_of_a_linear_map():
    w = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    x = torch.randn(2, 3, 4, 4, generator=torch.Generator().manual_seed(1))
    grad = gradients.input_gradient(lambda v: (v * w).sum(dim=(1, 2, 3)), x)
    assert torch.allclose(grad, w)
    assert not grad.requires_grad and not x.requires_grad


def test_input_gradient_of_a_strided_convolution_is_its_transpose():
    weight = torch.randn(1, 1, 3, 3, generator=torch.Generator().manual_seed(0))
    g = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(1))
    x = torch.zeros(1, 1, 8, 8)
    grad = gradients.input_gradient(lambda v: torch.nn.functional.conv2d(v, weight, stride=2, padding=1) * g, x)
    expected = torch.nn.functional.conv_transpose2d(g, weight, stride=2, padding=1, output_padding=1)
    assert torch.allclose(grad, expected, atol=1e-6)


def test_fourier_scale():
    scale = gradients.fourier_scale(8, 8)
    assert scale.shape == (8, 5)
    assert scale[0, 0] == pytest.approx(8.0)  # the DC term is floored at one cycle per image
    assert scale[0, 2] == pytest.approx(4.0)  # 2/8 = 0.25 cycles per pixel
    assert scale[4, 4] == pytest.approx(2**0.5)  # the checkerboard, sqrt(0.5² + 0.5²) cycles per pixel
    assert torch.allclose(gradients.fourier_scale(8, 8, decay=2.0), scale**2)


def match(target):
    """An objective that peaks when the images equal ``target``."""
    return lambda images: -((images - target) ** 2).mean(dim=(1, 2, 3))


@pytest.mark.parametrize("options", [{}, {"jitter": 2}, {"blur_gradient": True}, {"parametrisation": "fourier"}])
def test_visualise_climbs_the_objective(options):
    target = 0.5 * torch.ones(1, 3, 16, 16)
    start = gradients.visualise(match(target), size=16, steps=0, progress=False, **options)
    end = gradients.visualise(match(target), size=16, steps=60, lr=0.1, progress=False, **options)
    assert start.shape == end.shape == (1, 3, 16, 16)
    assert end.abs().max() <= 1
    assert match(target)(end) > match(target)(start) + 0.1


def test_visualise_is_seeded():
    target = torch.zeros(2, 3, 16, 16)

    def run(seed):
        return gradients.visualise(match(target), size=16, steps=3, batch=2, jitter=3, seed=seed, progress=False)

    assert torch.equal(run(0), run(0))
    assert not torch.equal(run(0), run(1))


def test_blurred_gradient_cannot_paint_a_checkerboard():
    checker = 0.5 * (-1.0) ** (torch.arange(16)[:, None] + torch.arange(16)[None, :]).expand(1, 3, 16, 16)
    start = gradients.visualise(match(checker), size=16, steps=0, progress=False)
    plain = gradients.visualise(match(checker), size=16, steps=40, lr=0.1, progress=False)
    blurred = gradients.visualise(match(checker), size=16, steps=40, lr=0.1, blur_gradient=True, progress=False)
    assert metrics.checkerboard_amplitude(plain) > 0.3
    # The 3×3 binomial filter zeroes the checkerboard frequency: the start's faint pattern does not grow.
    assert metrics.checkerboard_amplitude(blurred) < 1.5 * metrics.checkerboard_amplitude(start) < 0.05


def test_bad_arguments():
    objective = match(torch.zeros(1, 3, 16, 16))
    with pytest.raises(TypeError, match="objective"):
        gradients.visualise("channel 5", progress=False)
    with pytest.raises(ValueError, match="parametrisation"):
        gradients.visualise(objective, size=16, parametrisation="wavelet", progress=False)
    with pytest.raises(ValueError, match="blur_gradient"):
        gradients.visualise(objective, size=16, parametrisation="fourier", blur_gradient=True, progress=False)
    with pytest.raises(ValueError, match="jitter"):
        gradients.visualise(objective, size=16, jitter=16, progress=False)
    with pytest.raises(ValueError, match="lr"):
        gradients.visualise(objective, size=16, lr=0, progress=False)
    with pytest.raises(ValueError, match="size"):
        gradients.visualise(objective, size=4, progress=False)
    with pytest.raises(TypeError, match="fn"):
        gradients.input_gradient(None, torch.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match="x"):
        gradients.input_gradient(lambda v: v, torch.zeros(2, 2))
    with pytest.raises(ValueError, match="height"):
        gradients.fourier_scale(0, 8)


def test_visualise_with_one_channel_and_octaves():
    target = 0.5  # a constant target fits every octave's size
    assert gradients.octave_sizes(128, 3) == [65, 91, 128]  # 128 / 1.4², 128 / 1.4, 128
    assert gradients.octave_sizes(24, 1) == [24]
    start = gradients.visualise(match(target), size=24, steps=0, channels=1, octaves=2, progress=False)
    end = gradients.visualise(match(target), size=24, steps=60, lr=0.1, channels=1, octaves=2, progress=False)
    assert start.shape == end.shape == (1, 1, 24, 24)
    assert match(target)(end) > match(target)(start) + 0.1
    with pytest.raises(ValueError, match="octaves"):
        gradients.visualise(match(target), size=16, octaves=4, progress=False)  # 16 / 1.4³ < 8
    with pytest.raises(ValueError, match="octaves"):
        gradients.visualise(match(target), size=16, octaves=2, parametrisation="fourier", progress=False)


def test_octaves_see_each_scale():
    """Each octave runs at its own size: the objective is called on images of every size, smallest first."""
    seen = []

    def objective(images):
        seen.append(images.shape[-1])
        return images.mean(dim=(1, 2, 3))

    gradients.visualise(objective, size=32, steps=6, octaves=3, progress=False)
    assert seen == [16, 16, 23, 23, 32, 32]


# --- attacks ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [1, 2, 3, 4])
def test_phase_mask_covers_exactly_one_phase(period):
    masks = [gradients.phase_mask((12, 24), period, (r, c)) for r in range(period) for c in range(period)]
    total = torch.stack(masks).sum(dim=0)
    assert torch.equal(total, torch.ones(12, 24, dtype=torch.long))  # every pixel in exactly one phase
    for r in range(period):
        for c in range(period):
            mask = gradients.phase_mask((12, 24), period, (r, c))
            rows, cols = mask.nonzero(as_tuple=True)
            assert mask.dtype == torch.bool and int(mask.sum()) == 12 * 24 // period**2
            assert bool((rows % period == r).all() and (cols % period == c).all())
    assert gradients.phase_mask(4, 2, (1, 0)).tolist()[1] == [True, False, True, False]


class Linear2(torch.nn.Module):
    """Two classes: logits (0, w·x + b). Class 0 while w·x + b < 0; the L∞ distance to the boundary is
    -(w·x + b) / ||w||₁, and the cross-entropy of class 0 rises along sign(w)."""

    def __init__(self, w, b=0.0):
        super().__init__()
        self.w, self.b = torch.nn.Parameter(w), b

    def forward(self, x):
        score = (x * self.w).sum(dim=(1, 2, 3)) + self.b
        return torch.stack([torch.zeros_like(score), score], dim=1)


def small_classifier():
    from tutorial_utils import models, training

    return training.seeded(lambda: models.Classifier("conv3", image_size=8, width=4, channels=1), 0).eval()


def loss_of(model, x, labels):
    with torch.no_grad():
        return torch.nn.functional.cross_entropy(model(x), labels, reduction="none")


@pytest.mark.parametrize("attack", ["fgsm", "pgd"])
def test_attack_raises_the_loss_within_epsilon_and_range(attack):
    model = small_classifier()
    x = torch.rand(16, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    x[:4] = torch.sign(x[:4])  # pixels at ±1: the attack must stay inside [-1, 1]
    labels = torch.arange(16) % 10
    eps = 0.1
    if attack == "fgsm":
        adv = gradients.fgsm(model, x, labels, eps)
    else:
        adv = gradients.pgd(model, x, labels, eps, steps=5)
    assert (adv - x).abs().max() <= eps + 1e-6
    assert adv.min() >= -1 and adv.max() <= 1
    assert (loss_of(model, adv, labels) > loss_of(model, x, labels)).all()
    assert not any(p.grad is not None for p in model.parameters())


def test_fgsm_steps_along_the_sign_of_the_gradient():
    w = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    model = Linear2(w)
    x = 0.5 * torch.rand(3, 1, 4, 4, generator=torch.Generator().manual_seed(1)) - 0.25
    labels = torch.zeros(3, dtype=torch.long)
    assert torch.allclose(gradients.fgsm(model, x, labels, 0.2), x + 0.2 * w.sign())
    # one PGD step of size epsilon from the image itself (no random start) is FGSM
    assert torch.equal(
        gradients.pgd(model, x, labels, 0.2, steps=1, step_size=0.2, random_start=False),
        gradients.fgsm(model, x, labels, 0.2),
    )
    assert not torch.equal(
        gradients.pgd(model, x, labels, 0.2, steps=1, step_size=0.2), gradients.fgsm(model, x, labels, 0.2)
    )


class Flat(torch.nn.Module):
    """Logits that do not depend on the image: the gradient's sign is 0, so PGD stays where it starts."""

    def forward(self, x):
        return torch.zeros(x.shape[0], 2) + 0 * x.sum(dim=(1, 2, 3))[:, None]


def test_pgd_starts_uniformly_in_the_ball_on_the_mask():
    """Madry et al.'s random start: uniform in the L∞ ball, on the masked pixels only, clipped to [-1, 1], seeded."""
    x = torch.zeros(64, 1, 8, 8)
    x[:8] = 1.0  # pixels at the top of the range: the start is clipped there
    labels = torch.zeros(64, dtype=torch.long)
    mask = gradients.phase_mask(8, 2, (0, 1))
    adv = gradients.pgd(Flat(), x, labels, 0.3, steps=3, mask=mask, seed=4)
    delta = (adv - x)[8:]
    assert not delta[..., ~mask].any()
    inside = delta[..., mask]
    assert inside.abs().max() <= 0.3 + 1e-6 and inside.min() < -0.29 and inside.max() > 0.29
    assert abs(float(inside.mean())) < 0.02 and abs(float((inside.abs() < 0.15).double().mean()) - 0.5) < 0.05
    assert adv.max() <= 1 and (adv[:8] - x[:8]).max() <= 0
    assert torch.equal(adv, gradients.pgd(Flat(), x, labels, 0.3, steps=3, mask=mask, seed=4))
    assert not torch.equal(adv, gradients.pgd(Flat(), x, labels, 0.3, steps=3, mask=mask, seed=5))
    assert torch.equal(gradients.pgd(Flat(), x, labels, 0.3, steps=3, random_start=False), x)


def test_masked_attack_changes_only_the_masked_pixels():
    model = small_classifier()
    x = torch.rand(8, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    labels = torch.arange(8)
    mask = gradients.phase_mask(8, 2, (1, 0))
    for adv in (gradients.pgd(model, x, labels, 0.2, mask=mask), gradients.fgsm(model, x, labels, 0.2, mask=mask)):
        changed = (adv != x).any(dim=(0, 1))
        assert not changed[~mask].any() and changed[mask].any()
        assert (loss_of(model, adv, labels) > loss_of(model, x, labels)).all()


def test_flip_epsilon_of_a_linear_classifier_is_its_margin():
    w = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    model = Linear2(w, b=-0.6)
    x = 0.2 * torch.rand(40, 1, 4, 4, generator=torch.Generator().manual_seed(1)) - 0.1
    margin = ((0.6 - (x * w).sum(dim=(1, 2, 3))) / w.abs().sum()).double()  # the L∞ distance to the boundary
    labels = torch.zeros(40, dtype=torch.long)
    labels[:2] = 1  # two images the model gets wrong
    flip = gradients.flip_epsilon(model, x, labels, 0.002, 0.3, steps=10, tolerance=1.01)
    assert flip.dtype == torch.float64 and flip.shape == (40,)
    assert (flip[:2] == 0).all() and (margin[2:] > 0.002).all() and (margin[2:] < 0.3).all()
    assert (flip[2:] >= margin[2:]).all() and (flip[2:] <= 1.01 * margin[2:]).all()
    # budgets outside [min_epsilon, max_epsilon]
    small = gradients.flip_epsilon(model, x, labels, 0.001, float(margin[2:].min()) * 0.99)
    assert (small[2:] == torch.inf).all()
    large = gradients.flip_epsilon(model, x, labels, float(margin[2:].max()) * 1.01, 1.0)
    assert (large[2:] == float(margin[2:].max()) * 1.01).all()


def test_flip_epsilon_from_a_random_start_or_not():
    """On a linear classifier every start reaches the margin: 2.5·ε of travel crosses the ball from any point of
    it. One step from the image itself is FGSM, whose budget is the margin exactly."""
    w = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    model = Linear2(w, b=-0.6)
    x = 0.2 * torch.rand(30, 1, 4, 4, generator=torch.Generator().manual_seed(1)) - 0.1
    margin = ((0.6 - (x * w).sum(dim=(1, 2, 3))) / w.abs().sum()).double()
    labels = torch.zeros(30, dtype=torch.long)
    for start in (True, False):
        flip = gradients.flip_epsilon(model, x, labels, 0.002, 0.3, steps=5, tolerance=1.01, random_start=start)
        assert (flip >= margin).all() and (flip <= 1.01 * margin).all()
    fgsm = gradients.flip_epsilon(model, x, labels, 0.002, 0.3, steps=1, tolerance=1.01, random_start=False)
    assert (fgsm >= margin).all() and (fgsm <= 1.01 * margin).all()


def test_margin_gradient_of_a_linear_classifier():
    """Logits (0, w·x + b): the margin of class 0 is -(w·x + b), of class 1 w·x + b, with gradients -w and w;
    the first-order budget margin / ||gradient||₁ is then the exact L∞ distance to the boundary."""
    w = torch.randn(1, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    model = Linear2(w, b=-0.6)
    x = 0.2 * torch.rand(6, 1, 4, 4, generator=torch.Generator().manual_seed(1)) - 0.1
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    margin, grad = gradients.margin_gradient(model, x, labels)
    score = (x * w).sum(dim=(1, 2, 3)) - 0.6
    assert torch.allclose(margin, torch.where(labels == 0, -score, score), atol=1e-6)
    assert torch.allclose(grad, torch.where(labels[:, None, None, None] == 0, -w, w).expand(6, 1, 4, 4))
    assert not grad.requires_grad and not margin.requires_grad
    budget = margin[:3] / grad[:3].abs().sum(dim=(1, 2, 3))
    flip = gradients.flip_epsilon(model, x[:3], labels[:3], 0.002, 0.3, steps=5, tolerance=1.01)
    assert (flip >= budget.double() - 1e-6).all() and (flip <= 1.01 * budget.double() + 1e-6).all()


def test_margin_gradient_takes_the_largest_other_logit():
    model = small_classifier()
    x = torch.rand(8, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    labels = torch.arange(8)
    margin, grad = gradients.margin_gradient(model, x, labels)
    with torch.no_grad():
        logits = model(x)
    others = logits.clone()
    others[torch.arange(8), labels] = -float("inf")
    assert torch.allclose(margin, logits[torch.arange(8), labels] - others.max(dim=1).values)
    assert grad.shape == x.shape and grad.abs().sum() > 0


def test_flip_epsilon_with_a_mask_needs_more():
    model = small_classifier()
    x = torch.rand(32, 1, 8, 8, generator=torch.Generator().manual_seed(0)) * 2 - 1
    labels = model(x).argmax(dim=1).detach()  # all correct at first
    everywhere = gradients.flip_epsilon(model, x, labels, 0.001, 2.0, steps=5)
    one_phase = gradients.flip_epsilon(model, x, labels, 0.001, 2.0, steps=5, mask=gradients.phase_mask(8, 2, (0, 0)))
    assert (everywhere > 0.001).all() and (everywhere < 2).all()
    assert float(everywhere.median()) < float(one_phase.median())
    # the accuracy under attack falls with epsilon, from 1 to 0
    acc = [float((everywhere > e).double().mean()) for e in (0.0, 0.05, 0.2, 2.0)]
    assert acc == sorted(acc, reverse=True) and acc[0] == 1 and acc[-1] == 0


def test_attack_bad_arguments():
    model = small_classifier()
    x = torch.zeros(2, 1, 8, 8)
    labels = torch.zeros(2, dtype=torch.long)
    with pytest.raises(ValueError, match="images"):
        gradients.pgd(model, x + 2, labels, 0.1)
    with pytest.raises(ValueError, match="labels"):
        gradients.pgd(model, x, labels[:1], 0.1)
    with pytest.raises(TypeError, match="labels"):
        gradients.pgd(model, x, labels.float(), 0.1)
    with pytest.raises(TypeError, match="mask"):
        gradients.pgd(model, x, labels, 0.1, mask=torch.ones(8, 8))
    with pytest.raises(ValueError, match="mask"):
        gradients.pgd(model, x, labels, 0.1, mask=torch.ones(7, 8, dtype=torch.bool))
    with pytest.raises(ValueError, match="max_epsilon"):
        gradients.flip_epsilon(model, x, labels, 0.2, 0.1)
    with pytest.raises(ValueError, match="phase"):
        gradients.phase_mask(8, 2, (2, 0))
