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

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import as_float, as_images, as_int


def _tensor(name: str, values, layout: str) -> torch.Tensor:
    """``values`` (a tensor, array or list) as a CPU tensor, or a TypeError naming the argument."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu()
    try:
        return torch.as_tensor(values)
    except Exception as err:  # re-raised with the argument's name
        raise TypeError(f"{name} must be {layout}, got {type(values).__name__}") from err


def _as_numbers(name: str, values, ndim: int, layout: str) -> torch.Tensor:
    """``values`` as a non-empty, finite float64 tensor with ``ndim`` dimensions."""
    x = _tensor(name, values, layout)
    if x.ndim != ndim or x.numel() == 0 or x.dtype == torch.bool or x.is_complex():
        raise ValueError(f"{name} must be {layout}, got dtype {x.dtype} shape {tuple(x.shape)}")
    x = x.double()
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must be finite, got NaN or infinite values")
    return x


def _as_labels(labels, n: int | None = None) -> torch.Tensor:
    """``labels`` as 0/1 labels (1 = generated), ``n`` of them when given, both classes present."""
    y = _tensor("labels", labels, "a 1D array of 0 (real) and 1 (generated)")
    if y.ndim != 1 or (n is not None and y.shape[0] != n):
        raise ValueError(f"labels must be {n or 'N'} values (one per image), got shape {tuple(y.shape)}")
    if y.dtype == torch.bool or y.is_complex() or not bool(((y == 0) | (y == 1)).all()):
        raise ValueError("labels must be 0 (real) or 1 (generated)")
    y = y.long()
    if int(y.sum()) in (0, len(y)):
        raise ValueError("labels must hold both classes, real (0) and generated (1)")
    return y


def roc_auc(scores, labels) -> float:
    """Area under the ROC curve of ``scores`` (higher = more likely generated) for 0/1 ``labels``: the chance
    that a random generated image scores above a random real one, ties counting half. 1 is perfect, 0.5 chance.
    """
    s = _as_numbers("scores", scores, 1, "a 1D array of scores")
    y = _as_labels(labels, s.shape[0])
    pos, neg = s[y == 1], s[y == 0]
    above = (pos[:, None] > neg[None, :]).double().mean()
    ties = (pos[:, None] == neg[None, :]).double().mean()
    return float(above + 0.5 * ties)


def accuracy(decision, labels) -> float:
    """Share of images a detector gets right: ``decision`` > 0 says "generated"."""
    d = _as_numbers("decision", decision, 1, "a 1D array of decision values")
    y = _as_labels(labels, d.shape[0])
    return float(((d > 0).long() == y).double().mean())


def split_halves(labels, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices of a fitting half and an evaluation half of the images, disjoint and together covering them all,
    each class split in two (stratified), drawn with ``seed``: a detector is judged only on images it never saw.
    """
    y = _as_labels(labels)
    gen = torch.Generator().manual_seed(as_int("seed", seed, 0))
    fit, held = [], []
    for cls in (0, 1):
        idx = torch.nonzero(y == cls).flatten()
        idx = idx[torch.randperm(len(idx), generator=gen)]
        fit.append(idx[: len(idx) // 2])
        held.append(idx[len(idx) // 2 :])
    return torch.cat(fit).sort().values, torch.cat(held).sort().values


@dataclass(frozen=True)
class ThresholdDetector:
    """One number against a threshold: ``sign * (score - threshold) > 0`` says generated."""

    threshold: float
    sign: float

    def __post_init__(self) -> None:
        as_float("threshold", self.threshold)
        if self.sign not in (1.0, -1.0) or isinstance(self.sign, bool):
            raise ValueError(f"sign must be 1.0 or -1.0 (which side of the threshold is generated), got {self.sign!r}")

    @classmethod
    def fit(cls, scores, labels) -> ThresholdDetector:
        """The threshold (midway between neighbouring scores) and direction that classify ``scores`` best."""
        s = _as_numbers("scores", scores, 1, "a 1D array of scores")
        y = _as_labels(labels, s.shape[0])
        order = s.sort().values
        cuts = torch.cat([order[:1] - 1, (order[1:] + order[:-1]) / 2, order[-1:] + 1])
        best = (-1.0, 0.0, 1.0)
        for sign in (1.0, -1.0):
            right = ((sign * (s[None, :] - cuts[:, None]) > 0).long() == y[None, :]).double().mean(dim=1)
            k = int(right.argmax())
            if float(right[k]) > best[0]:
                best = (float(right[k]), float(cuts[k]), sign)
        return cls(threshold=best[1], sign=best[2])

    def decision(self, scores) -> torch.Tensor:
        """Signed distance of each score from the threshold, positive for "generated"."""
        return self.sign * (_as_numbers("scores", scores, 1, "a 1D array of scores") - self.threshold)


@dataclass(frozen=True)
class LinearDetector:
    """Logistic regression on standardised features (e.g. each image's 1D log spectrum, Durall et al. 2020)."""

    mean: torch.Tensor
    std: torch.Tensor
    weight: torch.Tensor
    bias: float

    def __post_init__(self) -> None:
        weight = _as_numbers("weight", self.weight, 1, "a 1D tensor of feature weights")
        object.__setattr__(self, "weight", weight)  # float64, like the features it weighs
        for name in ("mean", "std"):
            value = _as_numbers(name, getattr(self, name), 1, "a 1D tensor, one value per feature")
            if value.shape[0] != weight.shape[0]:
                raise ValueError(f"{name} must hold {weight.shape[0]} values, one per weight, got {value.shape[0]}")
            object.__setattr__(self, name, value)
        if not bool((self.std > 0).all()):
            raise ValueError("std must be > 0 for every feature")
        as_float("bias", self.bias)

    @classmethod
    def fit(cls, features, labels, l2: float = 1e-2, steps: int = 200) -> LinearDetector:
        """Fit by L-BFGS on the mean logistic loss plus ``l2`` times the squared weights, ``steps`` iterations
        at most, after standardising each feature over ``features`` (N, F)."""
        x = _as_numbers("features", features, 2, "an (N, F) matrix of numbers")
        y = _as_labels(labels, x.shape[0]).double()
        l2 = as_float("l2", l2, 0)
        steps = as_int("steps", steps, 1)
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

    def decision(self, features) -> torch.Tensor:
        """The logit of "generated" for each row of ``features`` (N, F)."""
        x = _as_numbers("features", features, 2, "an (N, F) matrix of numbers")
        if x.shape[1] != self.weight.shape[0]:
            raise ValueError(
                f"features must have {self.weight.shape[0]} columns like the fitted ones, got {x.shape[1]}"
            )
        return (x - self.mean) / self.std @ self.weight + self.bias


def spectral_tail(freqs, spectra, start: float = 0.75) -> torch.Tensor:
    """Dzanic et al.'s (2020) kind of feature: a power law fitted to the high-frequency tail of each 1D spectrum.

    ``spectra`` (N, F) are log10 ring powers at ``freqs`` (F,) with the DC ring first, as
    :func:`~tutorial_utils.metrics.radial_spectra` returns them. Each row is normalised by its DC power, and
    a line ``log10 p = a + b log10 f`` is fitted by least squares to the rings at ``f >= start * max(freqs)``:
    the (N, 2) result holds ``a`` (the tail's level) and ``b`` (its decay) per image."""
    f = _as_numbers("freqs", freqs, 1, "a 1D array of ring frequencies, the DC ring (0) first")
    x = _as_numbers("spectra", spectra, 2, "an (N, F) matrix of log10 ring powers")
    start = as_float("start", start, 0, 1)
    if x.shape[1] != f.shape[0] or float(f[0]) != 0.0:
        raise ValueError(
            f"freqs must hold one frequency per column of spectra ({x.shape[1]}), the DC ring (0) first, "
            f"got {f.shape[0]} starting at {float(f[0])}"
        )
    tail = (f >= start * float(f.max())) & (f > 0)
    if int(tail.sum()) < 2:
        raise ValueError(f"start must leave at least two rings above it to fit a line, got start={start}")
    design = torch.stack([torch.ones(int(tail.sum()), dtype=torch.float64), torch.log10(f[tail])], dim=1)
    normalised = x[:, tail] - x[:, :1]  # log10 of the ring's power over the DC power
    return torch.linalg.lstsq(design, normalised.T).solution.T  # (N, 2): level, decay


class CNNDetector(nn.Module):
    """A small CNN on the high-passed image (each image minus its 3×3 local mean, as the checkerboard score
    sees it): two stride-1 3×3 convolutions with ReLUs, a mean over positions and a linear logit. Nothing in it
    is told where to look; it learns what separates the fitting images."""

    def __init__(self, channels: int = 1, width: int = 8) -> None:
        super().__init__()
        channels, width = as_int("channels", channels, 1), as_int("width", width, 1)
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
    def fit(cls, images, labels, steps: int = 60, batch_size: int = 64, lr: float = 1e-2, seed: int = 0) -> CNNDetector:
        """Train on ``images`` (N, C, H, W) for ``steps`` Adam steps at ``lr`` on random batches of
        ``batch_size``, the weights and batches drawn from ``seed``; the detector comes back in eval mode."""
        x = _highpassed(images)
        y = _as_labels(labels, x.shape[0]).float()
        steps, batch_size = as_int("steps", steps, 1), as_int("batch_size", batch_size, 1)
        lr, seed = as_float("lr", lr, 0), as_int("seed", seed, 0)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            detector = cls(channels=x.shape[1])
            gen = torch.Generator().manual_seed(seed)
            opt = torch.optim.Adam(detector.parameters(), lr=lr)
            for _ in range(steps):
                batch = torch.randint(0, x.shape[0], (batch_size,), generator=gen)
                loss = F.binary_cross_entropy_with_logits(detector(x[batch]), y[batch])
                opt.zero_grad()
                loss.backward()
                opt.step()
        return detector.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The logit of "generated" for each high-passed image of ``x`` (N, C, H, W)."""
        channels = self.net[0].in_channels
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] != channels:
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"x must be a tensor of shape (N, {channels}, H, W), got {shape}")
        return self.net(x).flatten()

    @torch.no_grad()
    def decision(self, images) -> torch.Tensor:
        """The logit of "generated" for each image (N, C, H, W), float64."""
        return self(_highpassed(images)).double()


def _highpassed(images) -> torch.Tensor:
    """``images`` (N, C, H, W) as finite float32 CPU tensors minus their 3×3 local mean."""
    from .metrics import high_pass

    x = as_images("images", images).detach().cpu().float()
    if not bool(torch.isfinite(x).all()):
        raise ValueError("images must be finite, got NaN or infinite values")
    return high_pass(x)


@dataclass(frozen=True)
class Evaluation:
    """A detector fitted on the ``fit`` half and judged on the ``held`` half (indices into the images): its
    ROC ``auc`` and ``accuracy`` there. Reuse ``detector`` and ``held`` to judge it on altered copies."""

    detector: ThresholdDetector | LinearDetector | CNNDetector
    fit: torch.Tensor
    held: torch.Tensor
    auc: float
    accuracy: float

    def __post_init__(self) -> None:
        if not callable(getattr(self.detector, "decision", None)):
            raise TypeError(f"detector must have a decision method (a fitted detector), got {self.detector!r}")
        for name in ("fit", "held"):
            value = getattr(self, name)
            if not isinstance(value, torch.Tensor):
                raise TypeError(f"{name} must be a 1D tensor of image indices, got {type(value).__name__}")
            if value.ndim != 1 or value.is_floating_point() or value.is_complex() or value.dtype == torch.bool:
                raise ValueError(f"{name} must be a 1D tensor of image indices, got {value.dtype} {tuple(value.shape)}")
        for name in ("auc", "accuracy"):
            as_float(name, getattr(self, name), 0, 1)


def evaluate(fit_detector, features, labels, seed: int = 0) -> Evaluation:
    """Fit a detector with ``fit_detector(features, labels)`` (``ThresholdDetector.fit`` on (N,) scores,
    ``LinearDetector.fit`` on (N, F) features, ``CNNDetector.fit`` on (N, C, H, W) images) on one half of the
    images (:func:`split_halves` with ``seed``) and measure it only on the other half, the images it never saw."""
    if not callable(fit_detector):
        raise TypeError(f"fit_detector must be callable (e.g. ThresholdDetector.fit), got {fit_detector!r}")
    x = _tensor("features", features, "an (N,) or (N, F) array of numbers, or (N, C, H, W) images")
    if x.ndim not in (1, 2, 4) or x.numel() == 0:
        raise ValueError(
            f"features must be (N,) scores, an (N, F) matrix or (N, C, H, W) images, got shape {tuple(x.shape)}"
        )
    y = _as_labels(labels, x.shape[0])
    fit, held = split_halves(y, seed)
    detector = fit_detector(x[fit], y[fit])
    decision = detector.decision(x[held])
    return Evaluation(detector, fit, held, roc_auc(decision, y[held]), accuracy(decision, y[held]))
