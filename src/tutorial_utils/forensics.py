"""Telling generated images from real ones by the traces their upsampling leaves (chapter 10).

After 2016 the checkerboard became evidence: the spectrum of generated images carries the upsampler's lines,
and simple detectors read them (Zhang et al. 2019, Durall et al. 2020, Dzanic et al. 2020, Frank et al. 2020).
The detectors here are a few lines each on top of a feature from ``metrics``: a threshold on one number (the
checkerboard score), a logistic regression on features (the 1D radial spectrum, or the two parameters of a
power law fitted to its high-frequency tail, :func:`spectral_tail`), and a small CNN on the high-passed image
(:class:`CNNDetector`). Each gives a decision value (higher means "generated"), read with :func:`roc_auc` and
:func:`accuracy`. Labels are 1 for generated, 0 for real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    as_cpu_tensor,
    as_float,
    as_images,
    as_labels,
    as_numbers,
    callable_as,
    check_fields,
    checked,
    float_in,
    int_at_least,
    labels_for,
    real_numbers,
    sees_arguments,
)
from .metrics import high_pass

SCORES = real_numbers("a 1D array of scores", ndim=1)
FEATURES = real_numbers("an (N, F) matrix of numbers", ndim=2)
WEIGHTS = real_numbers("a 1D tensor of feature weights", ndim=1)


@checked(scores=SCORES, labels=labels_for("scores"))
def roc_auc(scores, labels) -> float:
    """Area under the ROC curve of ``scores`` (higher = more likely generated) for 0/1 ``labels``: the chance
    that a random generated image scores above a random real one, ties counting half. 1 is perfect, 0.5 chance.
    """
    pos, neg = scores[labels == 1], scores[labels == 0]
    above = (pos[:, None] > neg[None, :]).double().mean()
    ties = (pos[:, None] == neg[None, :]).double().mean()
    return float(above + 0.5 * ties)


@checked(decision=real_numbers("a 1D array of decision values", ndim=1), labels=labels_for("decision"))
def accuracy(decision, labels) -> float:
    """Share of images a detector gets right: ``decision`` > 0 says "generated"."""
    return float(((decision > 0).long() == labels).double().mean())


@checked(labels=as_labels, seed=int_at_least(0))
def split_halves(labels, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices of a fitting half and an evaluation half of the images, disjoint and together covering them all,
    each class split in two (stratified), drawn with ``seed``: a detector is judged only on images it never saw.
    """
    gen = torch.Generator().manual_seed(seed)
    fit, held = [], []
    for cls in (0, 1):
        idx = torch.nonzero(labels == cls).flatten()
        idx = idx[torch.randperm(len(idx), generator=gen)]
        fit.append(idx[: len(idx) // 2])
        held.append(idx[len(idx) // 2 :])
    return torch.cat(fit).sort().values, torch.cat(held).sort().values


def _sign(name: str, value) -> float:
    """Rule: 1.0 or -1.0, the side of the threshold that says generated."""
    if isinstance(value, bool) or value not in (1.0, -1.0):
        raise ValueError(f"{name} must be 1.0 or -1.0 (which side of the threshold is generated), got {value!r}")
    return value


@dataclass(frozen=True)
class ThresholdDetector:
    """One number against a threshold: ``sign * (score - threshold) > 0`` says generated."""

    threshold: float
    sign: float

    def __post_init__(self) -> None:
        check_fields(self, threshold=as_float, sign=_sign)

    @classmethod
    @checked(scores=SCORES, labels=labels_for("scores"))
    def fit(cls, scores, labels) -> ThresholdDetector:
        """The threshold (midway between neighbouring scores) and direction that classify ``scores`` best."""
        order = scores.sort().values
        cuts = torch.cat([order[:1] - 1, (order[1:] + order[:-1]) / 2, order[-1:] + 1])
        best = (-1.0, 0.0, 1.0)
        for sign in (1.0, -1.0):
            right = ((sign * (scores[None, :] - cuts[:, None]) > 0).long() == labels[None, :]).double().mean(dim=1)
            k = int(right.argmax())
            if float(right[k]) > best[0]:
                best = (float(right[k]), float(cuts[k]), sign)
        return cls(threshold=best[1], sign=best[2])

    @checked(scores=SCORES)
    def decision(self, scores) -> torch.Tensor:
        """Signed distance of each score from the threshold, positive for "generated"."""
        return self.sign * (scores - self.threshold)


def _one_per(other: str, layout: str, ndim: int) -> Callable[[str, object, dict], torch.Tensor]:
    """Rule: real numbers (``ndim`` dims, as float64) whose last axis has one entry per value of the (checked)
    argument or field ``other``."""

    def rule(name: str, value, arguments: dict) -> torch.Tensor:
        x, n = as_numbers(name, value, layout, ndim), arguments[other].shape[0]
        if x.shape[-1] != n:
            raise ValueError(
                f"{name} must hold {n} values along its last axis, one per value of {other}, got {x.shape[-1]}"
            )
        return x

    return sees_arguments(rule)


_per_weight = _one_per("weight", "a 1D tensor, one value per feature", 1)


@sees_arguments
def _spread_per_weight(name: str, value, fields: dict) -> torch.Tensor:
    """Rule for a detector's ``std``: one number above 0 per weight, as float64."""
    x = _per_weight(name, value, fields)
    if not bool((x > 0).all()):
        raise ValueError(f"{name} must be > 0 for every feature")
    return x


@sees_arguments
def _one_column_per_weight(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: features (N, F) with the fitted detector's F columns, as float64."""
    x, n = FEATURES(name, value), arguments["self"].weight.shape[0]
    if x.shape[1] != n:
        raise ValueError(f"{name} must have {n} columns like the fitted ones, got {x.shape[1]}")
    return x


@dataclass(frozen=True)
class LinearDetector:
    """Logistic regression on standardised features (e.g. each image's 1D log spectrum, Durall et al. 2020)."""

    mean: torch.Tensor
    std: torch.Tensor
    weight: torch.Tensor
    bias: float

    def __post_init__(self) -> None:  # every field as float64, like the features it weighs
        check_fields(self, weight=WEIGHTS, mean=_per_weight, std=_spread_per_weight, bias=as_float)

    @classmethod
    @checked(features=FEATURES, labels=labels_for("features"), l2=float_in(0), steps=int_at_least(1))
    def fit(cls, features, labels, l2: float = 1e-2, steps: int = 200) -> LinearDetector:
        """Fit by L-BFGS on the mean logistic loss plus ``l2`` times the squared weights, ``steps`` iterations
        at most, after standardising each feature over ``features`` (N, F)."""
        x, y = features, labels.double()
        mean, std = x.mean(dim=0), x.std(dim=0, unbiased=False).clamp_min(1e-8)
        z = (x - mean) / std
        w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
        b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([w, b], max_iter=steps, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(z @ w + b, y) + l2 * (w**2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        return cls(mean=mean, std=std, weight=w.detach(), bias=float(b.detach()))

    @checked(features=_one_column_per_weight)
    def decision(self, features) -> torch.Tensor:
        """The logit of "generated" for each row of ``features`` (N, F)."""
        return (features - self.mean) / self.std @ self.weight + self.bias


def _dc_first(name: str, value) -> torch.Tensor:
    """Rule: ring frequencies (F,), the DC ring (0) first, as float64."""
    f = as_numbers(name, value, "a 1D array of ring frequencies, the DC ring (0) first", 1)
    if float(f[0]) != 0.0:
        raise ValueError(f"{name} must start with the DC ring (0), got {float(f[0])}")
    return f


@sees_arguments
def _tail_start(name: str, value, arguments: dict) -> float:
    """Rule: a share of the highest frequency in [0, 1] that leaves at least two rings above it."""
    start, f = as_float(name, value, 0, 1), arguments["freqs"]
    if int(((f >= start * float(f.max())) & (f > 0)).sum()) < 2:
        raise ValueError(f"{name} must leave at least two rings above it to fit a line, got {name}={start}")
    return start


@checked(freqs=_dc_first, spectra=_one_per("freqs", "an (N, F) matrix of log10 ring powers", 2), start=_tail_start)
def spectral_tail(freqs, spectra, start: float = 0.75) -> torch.Tensor:
    """Dzanic et al.'s (2020) kind of feature: a power law fitted to the high-frequency tail of each 1D spectrum.

    ``spectra`` (N, F) are log10 ring powers at ``freqs`` (F,) with the DC ring first, as
    :func:`~tutorial_utils.metrics.radial_spectra` returns them. Each row is normalised by its DC power, and
    a line ``log10 p = a + b log10 f`` is fitted by least squares to the rings at ``f >= start * max(freqs)``:
    the (N, 2) result holds ``a`` (the tail's level) and ``b`` (its decay) per image."""
    tail = (freqs >= start * float(freqs.max())) & (freqs > 0)
    design = torch.stack([torch.ones(int(tail.sum()), dtype=torch.float64), torch.log10(freqs[tail])], dim=1)
    normalised = spectra[:, tail] - spectra[:, :1]  # log10 of the ring's power over the DC power
    return torch.linalg.lstsq(design, normalised.T).solution.T  # (N, 2): level, decay


@sees_arguments
def _detector_input(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: a tensor (N, C, H, W) with the channels the detector was built for."""
    channels = arguments["self"].net[0].in_channels
    if not isinstance(value, torch.Tensor) or value.ndim != 4 or value.shape[1] != channels:
        shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name} must be a tensor of shape (N, {channels}, H, W), got {shape}")
    return value


class CNNDetector(nn.Module):
    """A small CNN on the high-passed image (each image minus its 3×3 local mean, as the checkerboard score
    sees it): two stride-1 3×3 convolutions with ReLUs, a mean over positions and a linear logit. Nothing in it
    is told where to look; it learns what separates the fitting images."""

    @checked(channels=int_at_least(1), width=int_at_least(1))
    def __init__(self, channels: int = 1, width: int = 8) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(width, 1),
        )

    @classmethod
    @checked(
        images=as_images,
        labels=labels_for("images"),
        steps=int_at_least(1),
        batch_size=int_at_least(1),
        lr=float_in(0),
        seed=int_at_least(0),
    )
    def fit(cls, images, labels, steps: int = 60, batch_size: int = 64, lr: float = 1e-2, seed: int = 0) -> CNNDetector:
        """Train on ``images`` (N, C, H, W) for ``steps`` Adam steps at ``lr`` on random batches of
        ``batch_size``, the weights and batches drawn from ``seed``; the detector comes back in eval mode."""
        x, y = _highpassed(images), labels.float()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            detector = cls(channels=x.shape[1])
            gen = torch.Generator().manual_seed(seed)
            opt = torch.optim.Adam(detector.parameters(), lr=lr)
            for _ in range(steps):
                batch = torch.randint(0, x.shape[0], (batch_size,), generator=gen)
                logits = detector.net(x[batch]).flatten()  # the net itself: x was checked once, above
                loss = F.binary_cross_entropy_with_logits(logits, y[batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
        return detector.eval()

    @checked(x=_detector_input)
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logit of "generated" for each high-passed image of ``x`` (N, C, H, W)."""
        return self.net(x).flatten()

    @torch.no_grad()
    @checked(images=as_images)
    def decision(self, images) -> torch.Tensor:
        """The logit of "generated" for each image (N, C, H, W), float64."""
        return self(_highpassed(images)).double()


def _highpassed(images: torch.Tensor) -> torch.Tensor:
    """Checked ``images`` (N, C, H, W) as float32 CPU tensors minus their 3×3 local mean."""
    return high_pass(images.cpu().float())


@dataclass(frozen=True)
class Evaluation:
    """A detector fitted on the ``fit`` half and judged on the ``held`` half (indices into the images): its
    ROC ``auc`` and ``accuracy`` there. Reuse ``detector`` and ``held`` to judge it on altered copies."""

    detector: ThresholdDetector | LinearDetector | CNNDetector
    fit: torch.Tensor
    held: torch.Tensor
    auc: float
    accuracy: float


def _features(name: str, value) -> torch.Tensor:
    """Rule: (N,) scores, an (N, F) matrix or (N, C, H, W) images, as a CPU tensor."""
    x = as_cpu_tensor(name, value, "an (N,) or (N, F) array of numbers, or (N, C, H, W) images")
    if x.ndim not in (1, 2, 4) or x.numel() == 0:
        raise ValueError(
            f"{name} must be (N,) scores, an (N, F) matrix or (N, C, H, W) images, got shape {tuple(x.shape)}"
        )
    return x


@checked(
    fit_detector=callable_as("e.g. ThresholdDetector.fit"),
    features=_features,
    labels=labels_for("features"),
    seed=int_at_least(0),
)
def evaluate(fit_detector, features, labels, seed: int = 0) -> Evaluation:
    """Fit a detector with ``fit_detector(features, labels)`` (``ThresholdDetector.fit`` on (N,) scores,
    ``LinearDetector.fit`` on (N, F) features, ``CNNDetector.fit`` on (N, C, H, W) images) on one half of the
    images (:func:`split_halves` with ``seed``) and measure it only on the other half, the images it never saw."""
    fit, held = split_halves(labels, seed)
    detector = fit_detector(features[fit], labels[fit])
    decision = detector.decision(features[held])
    return Evaluation(detector, fit, held, roc_auc(decision, labels[held]), accuracy(decision, labels[held]))
