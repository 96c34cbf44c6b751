"""Detectors of generated images (chapter 10): ROC AUC, the split, a threshold and a linear spectral detector,
and the spectral regulariser they are meant to be fooled by."""

from __future__ import annotations

import pytest
import torch

from tutorial_utils import data, forensics, losses, metrics


def test_auc_of_a_perfect_a_reversed_a_tied_and_a_random_score():
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    assert forensics.roc_auc(torch.tensor([0.1, 0.2, 0.3, 0.7, 0.8, 0.9]), labels) == 1.0
    assert forensics.roc_auc(torch.tensor([0.9, 0.8, 0.7, 0.3, 0.2, 0.1]), labels) == 0.0
    assert forensics.roc_auc(torch.ones(6), labels) == 0.5  # ties count half
    gen = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (4000,), generator=gen)
    assert abs(forensics.roc_auc(torch.rand(4000, generator=gen), y) - 0.5) < 0.03
    # one swapped pair out of nine pairs
    assert forensics.roc_auc(torch.tensor([0.1, 0.2, 0.75, 0.7, 0.8, 0.9]), labels) == pytest.approx(8 / 9)


def test_split_halves_is_stratified_disjoint_and_covers_every_image():
    labels = torch.tensor([0] * 10 + [1] * 7)
    fit, held = forensics.split_halves(labels, seed=3)
    assert set(fit.tolist()).isdisjoint(held.tolist())
    assert sorted(fit.tolist() + held.tolist()) == list(range(17))
    assert int(labels[fit].sum()) == 3 and int(labels[held].sum()) == 4  # each class split in two
    assert int((labels[fit] == 0).sum()) == 5 and int((labels[held] == 0).sum()) == 5
    again, _ = forensics.split_halves(labels, seed=3)
    other, _ = forensics.split_halves(labels, seed=4)
    assert torch.equal(fit, again) and not torch.equal(fit, other)


def test_accuracy_reads_positive_decisions_as_generated():
    assert forensics.accuracy(torch.tensor([-1.0, 2.0, 0.5, -0.1]), torch.tensor([0, 1, 0, 1])) == 0.5


def test_threshold_detector_finds_the_separating_threshold_and_its_direction():
    scores = torch.tensor([0.1, 0.2, 0.3, 0.6, 0.7])
    det = forensics.ThresholdDetector.fit(scores, torch.tensor([0, 0, 0, 1, 1]))
    assert det.sign == 1.0 and 0.3 < det.threshold < 0.6
    assert forensics.accuracy(det.decision(scores), torch.tensor([0, 0, 0, 1, 1])) == 1.0
    flipped = forensics.ThresholdDetector.fit(scores, torch.tensor([1, 1, 1, 0, 0]))
    assert flipped.sign == -1.0 and 0.3 < flipped.threshold < 0.6


def with_grid(images: torch.Tensor, amplitude: float) -> torch.Tensor:
    """Images with a faint period-2 checkerboard added (the line an upsampler paints), clipped to [-1, 1]."""
    h, w = images.shape[-2:]
    board = (-1.0) ** (torch.arange(h)[:, None] + torch.arange(w)[None, :])
    return (images + amplitude * board).clamp(-1, 1)


@pytest.fixture(scope="module")
def real_and_fake():
    clean = data.photo_crops(128, 32, seed=0)
    fake = with_grid(data.photo_crops(128, 32, seed=1), 0.03)
    images = torch.cat([clean, fake])
    labels = torch.cat([torch.zeros(128), torch.ones(128)]).long()
    return images, labels


def test_both_detectors_separate_an_injected_period_2_line_on_held_out_images(real_and_fake):
    images, labels = real_and_fake
    fit, held = forensics.split_halves(labels, seed=0)
    scores = metrics.image_scores(images)
    threshold = forensics.ThresholdDetector.fit(scores[fit], labels[fit])
    assert forensics.roc_auc(threshold.decision(scores[held]), labels[held]) > 0.95
    assert forensics.accuracy(threshold.decision(scores[held]), labels[held]) > 0.9
    _, spectra = metrics.radial_spectra(images)
    linear = forensics.LinearDetector.fit(spectra[fit], labels[fit])
    assert forensics.roc_auc(linear.decision(spectra[held]), labels[held]) > 0.95


def test_the_linear_detector_is_at_chance_without_a_difference():
    images = data.photo_crops(200, 32, seed=2)
    labels = torch.arange(200) % 2  # two halves of the same kind of image
    fit, held = forensics.split_halves(labels, seed=0)
    _, spectra = metrics.radial_spectra(images)
    det = forensics.LinearDetector.fit(spectra[fit], labels[fit])
    assert abs(forensics.roc_auc(det.decision(spectra[held]), labels[held]) - 0.5) < 0.15


def test_image_scores_are_the_per_image_checkerboard_scores():
    images = torch.cat([data.photo_crops(3, 16), with_grid(data.photo_crops(2, 16, seed=5), 0.2)])
    per_image = metrics.image_scores(images)
    assert per_image.shape == (5,)
    for k in range(5):
        assert per_image[k].item() == pytest.approx(metrics.checkerboard_score(images[k : k + 1]))
    assert per_image.mean().item() == pytest.approx(metrics.checkerboard_score(images))
    assert float(per_image[3:].min()) > 5 * float(per_image[:3].max())


def test_radial_spectra_average_to_the_radial_power_spectrum_rings():
    images = torch.randn(4, 3, 16, 12, generator=torch.Generator().manual_seed(0))
    freqs, rows = metrics.radial_spectra(images)
    f_mean, p_mean = metrics.radial_power_spectrum(images)
    assert rows.shape == (4, len(freqs)) and list(freqs) == list(f_mean)
    # mean power per ring over images equals the batch spectrum's ring power
    assert torch.allclose((10**rows).mean(0), torch.from_numpy(p_mean), rtol=1e-6)
    board = (-1.0) ** (torch.arange(8)[:, None] + torch.arange(8)[None, :])
    freqs, rows = metrics.radial_spectra(board.expand(1, 1, 8, 8))
    assert freqs[int(rows[0].argmax())] == pytest.approx(0.75)  # the corner ring: √2/2 rounded to 6/8


def test_spectral_loss_is_zero_for_identical_spectra_and_pulls_towards_the_real_ones():
    real = data.photo_crops(32, 32, seed=0)
    loss = losses.SpectralLoss(real)
    assert float(loss(real)) < 1e-9
    assert float(loss(real.flip(-1))) < 1e-9  # a mirror image has the same radial spectrum
    fake = with_grid(data.photo_crops(32, 32, seed=1), 0.1).requires_grad_(True)
    value = loss(fake)
    assert value.item() > 1e-3
    (grad,) = torch.autograd.grad(value, fake)
    stepped = loss((fake - 1e-3 * grad / grad.abs().max()).detach())
    assert stepped.item() < value.item()  # a small step down its gradient lowers it


def test_spectral_loss_bce_form_is_smallest_at_the_real_profile_and_pulls_towards_it():
    real = data.photo_crops(32, 32, seed=0)
    loss = losses.SpectralLoss(real, form="bce")
    fake = with_grid(data.photo_crops(32, 32, seed=1), 0.1).requires_grad_(True)
    value = loss(fake)
    assert loss(real).item() < value.item()  # the cross-entropy's floor is the real profile's own entropy
    (grad,) = torch.autograd.grad(value, fake)
    stepped = loss((fake - 1e-3 * grad / grad.abs().max()).detach())
    assert stepped.item() < value.item()
    with pytest.raises(ValueError, match="form"):
        losses.SpectralLoss(real, form="l1")


def test_spectral_tail_recovers_a_power_law_and_normalises_by_dc():
    freqs = torch.arange(24) / 32
    level, decay = -2.0, -3.0
    rows = torch.zeros(2, 24, dtype=torch.float64)
    rows[:, 1:] = level + decay * torch.log10(freqs[1:]).double()
    rows[1] += 5.0  # the same curve, brighter: normalised by its DC ring it is the same
    tail = forensics.spectral_tail(freqs, rows)
    assert tail.shape == (2, 2)
    assert torch.allclose(tail, torch.tensor([[level, decay]] * 2, dtype=torch.float64), atol=1e-9)
    with pytest.raises(ValueError, match="freqs"):
        forensics.spectral_tail(freqs[1:], rows[:, 1:])  # no DC ring first
    with pytest.raises(ValueError, match="start"):
        forensics.spectral_tail(freqs, rows, start=1.0)


def test_cnn_detector_separates_an_injected_period_2_line_on_held_out_images(real_and_fake):
    images, labels = real_and_fake
    result = forensics.evaluate(forensics.CNNDetector.fit, images, labels, seed=0)
    assert result.auc > 0.95
    again = forensics.evaluate(forensics.CNNDetector.fit, images, labels, seed=0)
    assert again.auc == result.auc  # seeded: the same detector twice
    assert not result.detector.decision(images[:2]).requires_grad


def test_spectral_loss_rejects_images_of_another_shape():
    loss = losses.SpectralLoss(torch.zeros(2, 1, 8, 8))
    with pytest.raises(ValueError, match="images"):
        loss(torch.zeros(2, 1, 16, 16))


def test_detectors_reject_bad_input():
    with pytest.raises(ValueError, match="labels"):
        forensics.roc_auc(torch.rand(4), torch.tensor([1, 1, 1, 1]))  # one class only
    with pytest.raises(ValueError, match="labels"):
        forensics.roc_auc(torch.rand(4), torch.tensor([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="scores"):
        forensics.roc_auc(torch.tensor([0.0, float("nan")]), torch.tensor([0, 1]))
    det = forensics.LinearDetector.fit(torch.randn(6, 3), torch.tensor([0, 1] * 3))
    with pytest.raises(ValueError, match="features"):
        det.decision(torch.randn(2, 4))
    with pytest.raises(ValueError, match="sign"):
        forensics.ThresholdDetector(0.5, 2.0)


class _Spy:
    """A detector that remembers which feature rows it was fitted on and which it was asked about."""

    seen: list[set[int]] = []

    def __init__(self, rows: set[int]) -> None:
        self.rows = rows

    @classmethod
    def fit(cls, features, labels):
        cls.seen.append({int(v) for v in features[:, 0]})
        return cls(cls.seen[-1])

    def decision(self, features):
        asked = {int(v) for v in features[:, 0]}
        assert asked.isdisjoint(self.rows), "a detector was judged on an image it was fitted on"
        _Spy.seen.append(asked)
        return features[:, 1]


def test_evaluate_judges_each_detector_only_on_images_it_was_not_fitted_on():
    labels = torch.tensor([0, 1] * 20)
    features = torch.stack([torch.arange(40.0), labels * 2.0 - 1], dim=1)  # row id, a perfect decision
    _Spy.seen = []
    result = forensics.evaluate(_Spy.fit, features, labels, seed=5)
    fitted, asked = _Spy.seen
    assert fitted.isdisjoint(asked) and len(fitted | asked) == 40 and len(asked) == 20
    assert asked == set(result.held.tolist()) and fitted == set(result.fit.tolist())
    assert result.auc == 1.0 and result.accuracy == 1.0
    again = forensics.evaluate(forensics.ThresholdDetector.fit, features[:, 1], labels, seed=5)
    assert torch.equal(again.held, result.held)  # the same seed, the same halves, whatever the detector


def test_evaluate_fits_the_real_detectors_on_one_half(real_and_fake):
    images, labels = real_and_fake
    _, spectra = metrics.radial_spectra(images)
    result = forensics.evaluate(forensics.LinearDetector.fit, spectra, labels, seed=0)
    manual = forensics.LinearDetector.fit(spectra[result.fit], labels[result.fit])
    assert torch.allclose(manual.weight, result.detector.weight)
    assert result.auc > 0.95 and len(result.held) == len(labels) // 2
