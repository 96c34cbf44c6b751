"""Gradients with respect to a network's input: measuring them, following them, and attacking with them.

The backward pass of a strided convolution is a transposed convolution, so whatever a network's strided layers
do unevenly in the forward pass, its input gradient inherits as a fixed pattern. ``input_gradient`` measures
it; ``visualise`` follows it, as feature visualisation does (Mordvintsev et al. 2015, Olah et al. 2017), with
the usual counter-measures: random jitter, several scales (octaves), a blurred gradient, or a Fourier
parametrisation of the image. ``fgsm`` and ``pgd`` follow it to change a classifier's answer (Goodfellow et al.
2015, Madry et al. 2018), optionally only on the pixels of a ``phase_mask``; ``flip_epsilon`` measures how
large a change each image needs, and ``margin_gradient`` gives the first-order estimate of it.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from . import runtime
from ._checks import (
    as_bool,
    as_device,
    as_float,
    as_images,
    as_int,
    as_pair,
    as_str,
    callable_as,
    checked,
    float_in,
    int_at_least,
    one_of,
    optional,
    pair_at_least,
    sees_arguments,
    within_memory,
)
from .downsampling import Blur2d

PARAMETRISATIONS = ("pixel", "fourier")
OCTAVE_SCALE = 1.4  # DeepDream's ratio between successive scales


@checked(fn=callable_as("a network or a function of the images"), x=as_images)
def input_gradient(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The gradient of ``fn(x).sum()`` with respect to the images ``x`` (N, C, H, W), detached.

    Summing makes each image's gradient independent of the others when ``fn`` treats images independently.
    """
    x = x.clone().requires_grad_(True)
    out = fn(x)
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        raise TypeError(f"fn must return a floating-point tensor, got {type(out).__name__}")
    (grad,) = torch.autograd.grad(out.sum(), x)
    return grad.detach()


@checked(height=int_at_least(1), width=int_at_least(1), decay=float_in())
def fourier_scale(height: int, width: int, decay: float = 1.0) -> torch.Tensor:
    """Per-frequency scale 1/f**decay of a real FFT image (height, width // 2 + 1), f floored at one cycle
    per image: stepping the spectrum with it is gradient descent on an image whose noise looks natural."""
    fy = torch.fft.fftfreq(height)[:, None]
    fx = torch.fft.rfftfreq(width)[None, :]
    freq = torch.sqrt(fy**2 + fx**2).clamp_min(1.0 / max(height, width))
    return freq ** (-decay)


def _render(param: torch.Tensor, parametrisation: str, scale: torch.Tensor | None, size: int) -> torch.Tensor:
    """Images in [-1, 1] from the optimised parameters."""
    if parametrisation == "pixel":
        return torch.tanh(param)
    spectrum = torch.view_as_complex(param) * scale
    # Divided by 4 as in Olah et al.'s implementation: the 1/f-scaled sum is large, and tanh would saturate.
    return torch.tanh(torch.fft.irfft2(spectrum, s=(size, size), norm="ortho") / 4)


@checked(size=int_at_least(1), octaves=int_at_least(1), scale=float_in(1, lo_open=True))
def octave_sizes(size: int, octaves: int, scale: float = OCTAVE_SCALE) -> list[int]:
    """The image sizes of ``octaves`` scales ending at ``size``, each ``scale`` times the one before (DeepDream's
    octaves), e.g. [64, 90, 128] for size 128, 3 octaves and scale 1.4 (rounded to whole pixels)."""
    return [round(size / scale**k) for k in range(octaves - 1, -1, -1)]


@sees_arguments
def _pixel_only(name: str, value, arguments: dict) -> bool:
    """Rule for ``blur_gradient``: a bool, True only with the pixel parametrisation."""
    if as_bool(name, value) and arguments["parametrisation"] != "pixel":
        raise ValueError(f"{name}=True needs parametrisation='pixel', got {arguments['parametrisation']!r}")
    return bool(value)


@sees_arguments
def _octaves(name: str, value, arguments: dict) -> int:
    """Rule: scales that leave the smallest at least 8 pixels; more than one only with the pixel parametrisation."""
    octaves = as_int(name, value, 1)
    if octaves > 1 and arguments["parametrisation"] != "pixel":
        raise ValueError(f"{name} > 1 needs parametrisation='pixel', got {arguments['parametrisation']!r}")
    sizes = octave_sizes(arguments["size"], octaves)
    if sizes[0] < 8:
        raise ValueError(f"{name} must leave the smallest scale at least 8 pixels, got sizes {sizes}")
    return octaves


@sees_arguments
def _jitter(name: str, value, arguments: dict) -> int:
    """Rule: a shift in pixels smaller than the smallest scale."""
    jitter, smallest = as_int(name, value, 0), octave_sizes(arguments["size"], arguments["octaves"])[0]
    if jitter >= smallest:
        raise ValueError(f"{name} must be smaller than the smallest image size {smallest}, got {jitter}")
    return jitter


@checked(
    objective=callable_as("images -> tensor to maximise"),
    parametrisation=one_of(PARAMETRISATIONS),
    blur_gradient=_pixel_only,
    size=int_at_least(8),
    steps=int_at_least(0),
    batch=within_memory(int_at_least(1), lambda batch, size: batch * 3 * size * size),
    seed=int_at_least(0),
    channels=int_at_least(1),
    octaves=_octaves,
    jitter=_jitter,
    lr=float_in(0, lo_open=True),
    device=as_device,
    progress=as_bool,
    desc=optional(as_str),
)
def visualise(
    objective: Callable[[torch.Tensor], torch.Tensor],
    size: int = 128,
    steps: int = 80,
    lr: float = 0.05,
    jitter: int = 0,
    parametrisation: str = "pixel",
    blur_gradient: bool = False,
    batch: int = 1,
    seed: int = 0,
    device=None,
    progress: bool = True,
    desc: str | None = None,
    channels: int = 3,
    octaves: int = 1,
) -> torch.Tensor:
    """Optimise ``batch`` images (N, ``channels``, size, size) in [-1, 1] with Adam to maximise
    ``objective(images)`` (a tensor that is summed), starting from faint noise; returns them on the CPU.

    ``jitter`` rolls the image by a random offset in [-jitter, jitter] pixels (both axes) before every step;
    ``blur_gradient`` low-passes the gradient of the pixels with a 3×3 binomial filter before every step (pixel
    parametrisation only); ``parametrisation="fourier"`` optimises the image's spectrum scaled by 1/f.
    ``octaves`` > 1 optimises at several scales (:func:`octave_sizes`), the steps shared among them, each scale
    starting from the bilinear enlargement of the one before (pixel parametrisation only), as DeepDream does.
    ``seed`` fixes the start and the jitter offsets.
    """
    device = device if device is not None else torch.device("cpu")
    sizes = octave_sizes(size, octaves)
    gen = torch.Generator().manual_seed(seed)
    param, scale = _start(parametrisation, (batch, channels, sizes[0]), gen, device)
    blur = Blur2d(channels).to(device) if blur_gradient else None
    shifts = torch.randint(-jitter, jitter + 1, (steps, 2), generator=gen).tolist()
    bounds = [round(steps * k / octaves) for k in range(octaves + 1)]  # the steps each scale takes
    bar = runtime.progress(steps, desc, progress)
    for k, side in enumerate(sizes):
        if k:  # the next octave starts from the enlarged image of the previous one
            param = F.interpolate(param.detach(), size=(side, side), mode="bilinear", align_corners=False)
        param = param.detach().requires_grad_(True)
        opt = torch.optim.Adam([param], lr=lr)
        for dy, dx in shifts[bounds[k] : bounds[k + 1]]:
            images = _render(param, parametrisation, scale, side)
            if jitter:
                images = torch.roll(images, (dy, dx), dims=(2, 3))
            loss = -objective(images).sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if blur is not None:
                param.grad = blur(param.grad)
            opt.step()
            bar.update()
    bar.close()
    with torch.no_grad():
        return _render(param, parametrisation, scale, size).cpu()


def _start(parametrisation: str, shape: tuple[int, int, int], gen: torch.Generator, device):
    """Faint noise to start from, drawn from ``gen`` on the CPU: pixels (N, C, side, side), or a 1/f-scaled
    spectrum of a side×side image, with that scale (None for pixels)."""
    batch, channels, side = shape
    if parametrisation == "pixel":
        return (0.1 * torch.randn(batch, channels, side, side, generator=gen)).to(device), None
    spectrum = 0.01 * torch.randn(batch, channels, side, side // 2 + 1, 2, generator=gen)
    return spectrum.to(device), fourier_scale(side, side).to(device)


# --- adversarial examples (chapter 09) ----------------------------------------------------------------------------


@sees_arguments
def _phase(name: str, value, arguments: dict) -> tuple[int, int]:
    """Rule: a pair of ints in [0, period), one stride phase."""
    (row, col), period = as_pair(name, value, 0), arguments["period"]
    if row >= period or col >= period:
        raise ValueError(f"{name} must be a pair of ints in [0, {period - 1}] for period={period}, got {value!r}")
    return row, col


@checked(size=pair_at_least(1), period=int_at_least(1), phase=_phase)
def phase_mask(size, period: int = 2, phase: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """A boolean (H, W) mask that is True on one stride phase: the pixels (i, j) with i % period == phase[0]
    and j % period == phase[1], so 1 / period² of the pixels. ``size`` is H = W or a pair (H, W)."""
    (h, w), (row, col) = size, phase
    rows = torch.arange(h)[:, None] % period == row
    cols = torch.arange(w)[None, :] % period == col
    return rows & cols


def _attack_images(name: str, value) -> torch.Tensor:
    """Rule: images (N, C, H, W) in [-1, 1]."""
    x = as_images(name, value)
    if float(x.min()) < -1 or float(x.max()) > 1:
        raise ValueError(f"{name} must lie in [-1, 1], got values in [{float(x.min()):.3g}, {float(x.max()):.3g}]")
    return x


@sees_arguments
def _class_indices(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: one integer class index per image, as int64 on the images' device."""
    images = arguments["images"]
    if not isinstance(value, torch.Tensor) or value.ndim != 1 or value.shape[0] != images.shape[0]:
        got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(f"{name} must be a tensor of {images.shape[0]} class indices (one per image), got {got}")
    if value.is_floating_point() or value.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer class indices, got dtype {value.dtype}")
    return value.long().to(images.device)


@sees_arguments
def _mask(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: None (every pixel) or a boolean mask that broadcasts to the images, on their device."""
    images = arguments["images"]
    mask = torch.ones((), dtype=torch.bool) if value is None else value
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        got = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
        raise TypeError(f"{name} must be None or a boolean tensor (e.g. from phase_mask), got {got}")
    try:
        torch.broadcast_shapes(mask.shape, images.shape)
    except RuntimeError as err:
        raise ValueError(f"{name} of shape {tuple(mask.shape)} must broadcast to images {tuple(images.shape)}") from err
    return mask.to(images.device)


@sees_arguments
def _shared_mask(name: str, value, arguments: dict) -> torch.Tensor:
    """Rule: a :func:`_mask` that is the same for every image (at most (1, C, H, W))."""
    mask = _mask(name, value, arguments)
    if mask.ndim == 4 and mask.shape[0] != 1:
        raise ValueError(f"{name} must be the same for every image (at most (1, C, H, W)), got {tuple(mask.shape)}")
    return mask


ATTACK = {"model": callable_as("images -> logits (N, classes)"), "images": _attack_images, "labels": _class_indices}


def pgd_step(model, x0: torch.Tensor, delta: torch.Tensor, labels: torch.Tensor, epsilon, step_size, mask):
    """One step of PGD from ``x0 + delta``: move ``delta`` by ``step_size`` along the sign of the gradient of the
    cross-entropy (on the pixels of ``mask``), then project it back into the L∞ ball of radius ``epsilon`` and
    keep ``x0 + delta`` in [-1, 1]. Returns the new ``delta``."""
    x = (x0 + delta).requires_grad_(True)
    loss = F.cross_entropy(model(x), labels, reduction="sum")  # summed: each image's gradient is its own
    (grad,) = torch.autograd.grad(loss, x)
    delta = torch.minimum(torch.maximum(delta + step_size * grad.sign() * mask, -epsilon), epsilon)
    return (x0 + delta).clamp(-1, 1) - x0


def _pgd(
    model, x0: torch.Tensor, labels: torch.Tensor, epsilon, steps: int, step_size, mask, start=None
) -> torch.Tensor:
    """Projected gradient ascent on the cross-entropy within the L∞ ball of radius ``epsilon`` (a number, or one
    per image as (N, 1, 1, 1)) and [-1, 1], from ``x0 + epsilon * start`` (``start`` uniform in [-1, 1], the
    shape of ``x0``) or, with ``start=None``, from ``x0`` itself."""
    epsilon = torch.as_tensor(epsilon, dtype=x0.dtype, device=x0.device)
    delta = torch.zeros_like(x0) if start is None else epsilon * start * mask
    delta = (x0 + delta).clamp(-1, 1) - x0
    for _ in range(steps):
        delta = pgd_step(model, x0, delta, labels, epsilon, step_size, mask)
    return (x0 + delta).detach()


def _uniform_start(x0: torch.Tensor, seed: int) -> torch.Tensor:
    """Uniform noise in [-1, 1] of ``x0``'s shape, drawn on the CPU from ``seed`` (the same on every device)."""
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(x0.shape, generator=gen, dtype=torch.float64) * 2 - 1).to(x0)


@checked(
    **ATTACK,
    mask=_mask,
    epsilon=float_in(0),
    steps=int_at_least(1),
    step_size=optional(float_in(0, lo_open=True)),
    random_start=as_bool,
    seed=int_at_least(0),
)
def pgd(
    model: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    labels: torch.Tensor,
    epsilon: float,
    steps: int = 10,
    step_size: float | None = None,
    mask: torch.Tensor | None = None,
    random_start: bool = True,
    seed: int = 0,
) -> torch.Tensor:
    """Adversarial images for ``model`` (images -> logits): ``steps`` signed-gradient steps of ``step_size``
    (default 2.5·epsilon/steps) that raise the cross-entropy of ``labels``, each projected back to the L∞ ball
    of radius ``epsilon`` around ``images`` and to [-1, 1] (Madry et al. 2018; one step is :func:`pgd_step`). As
    in Madry et al., the ascent starts from a uniformly random point of the ball (drawn from ``seed``);
    ``random_start=False`` starts from the images themselves. Only pixels where the boolean ``mask`` (e.g.
    :func:`phase_mask`) is True change, the random start included. The model's parameters get no gradient."""
    step_size = 2.5 * epsilon / steps if step_size is None else step_size
    start = _uniform_start(images, seed) if random_start else None
    return _pgd(model, images, labels, epsilon, steps, step_size, mask, start)


@checked(**ATTACK, mask=_mask, epsilon=float_in(0))
def fgsm(
    model: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    labels: torch.Tensor,
    epsilon: float,
    mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """The fast gradient sign method (Goodfellow et al. 2015): one step of ``epsilon`` along the sign of the
    gradient of the cross-entropy, on the pixels where ``mask`` is True, clipped to [-1, 1]."""
    return _pgd(model, images, labels, epsilon, 1, epsilon, mask)  # from the image itself: no random start


@checked(**ATTACK)
def margin_gradient(
    model: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each image's margin, its true class's logit minus the largest other logit (positive while ``model``
    is right), and the margin's gradient with respect to the image, both detached. To first order
    an L∞ change of ε on the pixels of a mask moves the margin by at most ε times the gradient's L1 norm
    there, so ``margin / gradient.abs().sum()`` estimates the budget an attack needs (Goodfellow et al.
    2015)."""
    x = images.clone().requires_grad_(True)
    logits = model(x)
    true = logits.gather(1, labels[:, None])[:, 0]
    others = logits.masked_fill(F.one_hot(labels, logits.shape[1]).bool(), -torch.inf)
    margin = true - others.max(dim=1).values
    (grad,) = torch.autograd.grad(margin.sum(), x)  # summed: each image's gradient is its own
    return margin.detach(), grad.detach()


@torch.no_grad()
def _flips(model, x0, labels, epsilon: torch.Tensor, steps: int, mask, start) -> torch.Tensor:
    """Whether :func:`pgd` at each image's own ``epsilon`` (N,) changes the model's answer, as a CPU bool (N,)."""
    eps = epsilon.to(x0)[:, None, None, None]
    with torch.enable_grad():
        adv = _pgd(model, x0, labels, eps, steps, 2.5 * eps / steps, mask, start)
    return (model(adv).argmax(dim=1) != labels).cpu()


@sees_arguments
def _above_min_epsilon(name: str, value, arguments: dict) -> float:
    """Rule: a budget above ``min_epsilon``."""
    hi, lo = as_float(name, value, 0, lo_open=True), arguments["min_epsilon"]
    if hi <= lo:
        raise ValueError(f"{name} must be larger than min_epsilon={lo:g}, got {value!r}")
    return hi


@checked(
    **ATTACK,
    mask=_shared_mask,
    min_epsilon=float_in(0, lo_open=True),
    max_epsilon=_above_min_epsilon,
    steps=int_at_least(1),
    tolerance=float_in(1, lo_open=True),
    random_start=as_bool,
    seed=int_at_least(0),
)
def flip_epsilon(
    model: Callable[[torch.Tensor], torch.Tensor],
    images: torch.Tensor,
    labels: torch.Tensor,
    min_epsilon: float,
    max_epsilon: float,
    steps: int = 10,
    mask: torch.Tensor | None = None,
    tolerance: float = 1.02,
    random_start: bool = True,
    seed: int = 0,
) -> torch.Tensor:
    """For each image, the smallest L∞ budget ε at which :func:`pgd` (``steps`` steps, on the pixels of ``mask``,
    from a random start unless ``random_start=False``) changes ``model``'s answer away from ``labels``, found by
    bisection on log ε to within a factor ``tolerance``: 0 for an image the model already gets wrong,
    ``min_epsilon`` if that flips it, ``inf`` if ``max_epsilon`` does not. Returns a float64 tensor (N,) on the
    CPU. Each image keeps one random direction, drawn from ``seed``, that every budget scales, so the bisection
    compares budgets and not draws; ``steps=1`` with ``random_start=False`` is FGSM.

    The accuracy under attack at ε is then ``(flip_epsilon(...) > ε).double().mean()``, taking a larger
    budget never to make the attack fail (PGD nearly always obeys this)."""
    x0, lo, hi = images, min_epsilon, max_epsilon
    start = _uniform_start(x0, seed) if random_start else None
    n = x0.shape[0]
    with torch.no_grad():
        correct = (model(x0).argmax(dim=1) == labels).cpu()
    result = torch.where(correct, torch.inf, 0.0).double()
    low, high = torch.full((n,), lo, dtype=torch.float64), torch.full((n,), hi, dtype=torch.float64)
    at_high = correct & _flips(model, x0, labels, high, steps, mask, start)
    at_low = at_high & _flips(model, x0, labels, low, steps, mask, start)
    result[at_low] = lo
    todo = at_high & ~at_low  # flipped at max_epsilon but not at min_epsilon: bisect
    while bool(todo.any()) and float((high[todo] / low[todo]).max()) > tolerance:
        idx = todo.nonzero().squeeze(1)
        mid = (low[idx] * high[idx]).sqrt()
        sub = idx.to(x0.device)
        flipped = _flips(model, x0[sub], labels[sub], mid, steps, mask, None if start is None else start[sub])
        high[idx[flipped]] = mid[flipped]
        low[idx[~flipped]] = mid[~flipped]
    result[todo] = high[todo]
    return result
