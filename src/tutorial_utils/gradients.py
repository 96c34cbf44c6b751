"""Gradients with respect to a network's input: measuring them, and following them (feature visualisation).

The backward pass of a strided convolution is a transposed convolution, so whatever a network's strided layers
do unevenly in the forward pass, its input gradient inherits as a fixed pattern. ``input_gradient`` measures
it; ``visualise`` follows it, as feature visualisation does (Mordvintsev et al. 2015, Olah et al. 2017), with
the usual counter-measures: random jitter, a blurred gradient, or a Fourier parametrisation of the image.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from tqdm.auto import tqdm

from ._checks import as_bool, as_device, as_float, as_images, as_int, as_str, check_elements
from .downsampling import Blur2d

PARAMETRISATIONS = ("pixel", "fourier")


def input_gradient(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The gradient of ``fn(x).sum()`` with respect to the images ``x`` (N, C, H, W), detached.

    Summing makes each image's gradient independent of the others when ``fn`` treats images independently.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable (a network or a function of the images), got {type(fn).__name__}")
    x = as_images("x", x).clone().requires_grad_(True)
    out = fn(x)
    if not isinstance(out, torch.Tensor) or not out.is_floating_point():
        raise TypeError(f"fn must return a floating-point tensor, got {type(out).__name__}")
    (grad,) = torch.autograd.grad(out.sum(), x)
    return grad.detach()


def fourier_scale(height: int, width: int, decay: float = 1.0) -> torch.Tensor:
    """Per-frequency scale 1/f**decay of a real FFT image (height, width // 2 + 1), f floored at one cycle
    per image: stepping the spectrum with it is gradient descent on an image whose noise looks natural."""
    height, width = as_int("height", height, 1), as_int("width", width, 1)
    decay = as_float("decay", decay)
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
) -> torch.Tensor:
    """Optimise ``batch`` images (N, 3, size, size) in [-1, 1] with Adam to maximise ``objective(images)``
    (a tensor that is summed), starting from faint noise; returns them on the CPU.

    ``jitter`` rolls the image by a random offset in [-jitter, jitter] pixels (both axes) before every step;
    ``blur_gradient`` low-passes the gradient of the pixels with a 3×3 binomial filter before every step (pixel
    parametrisation only); ``parametrisation="fourier"`` optimises the image's spectrum scaled by 1/f.
    ``seed`` fixes the start and the jitter offsets.
    """
    if not callable(objective):
        raise TypeError(f"objective must be callable (images -> tensor to maximise), got {type(objective).__name__}")
    if parametrisation not in PARAMETRISATIONS:
        raise ValueError(f"parametrisation must be one of {PARAMETRISATIONS}, got {parametrisation!r}")
    if as_bool("blur_gradient", blur_gradient) and parametrisation != "pixel":
        raise ValueError(f"blur_gradient=True needs parametrisation='pixel', got {parametrisation!r}")
    size, steps, batch = as_int("size", size, 8), as_int("steps", steps, 0), as_int("batch", batch, 1)
    jitter, seed = as_int("jitter", jitter, 0), as_int("seed", seed, 0)
    check_elements(f"batch={batch} images of size={size}", batch * 3 * size * size)
    if jitter >= size:
        raise ValueError(f"jitter must be smaller than size={size}, got {jitter}")
    lr = as_float("lr", lr, 0, lo_open=True)
    device = as_device("device", device)
    device = device if device is not None else torch.device("cpu")
    as_bool("progress", progress)
    as_str("desc", desc, optional=True)
    gen = torch.Generator().manual_seed(seed)
    scale = None
    if parametrisation == "pixel":
        param = 0.1 * torch.randn(batch, 3, size, size, generator=gen)
    else:
        scale = fourier_scale(size, size).to(device)
        param = 0.01 * torch.randn(batch, 3, size, size // 2 + 1, 2, generator=gen)
    param = param.to(device).requires_grad_(True)
    blur = Blur2d(3).to(device) if blur_gradient else None
    opt = torch.optim.Adam([param], lr=lr)
    shifts = torch.randint(-jitter, jitter + 1, (steps, 2), generator=gen).tolist()
    for dy, dx in tqdm(shifts, desc=desc, disable=not progress, leave=False):
        images = _render(param, parametrisation, scale, size)
        if jitter:
            images = torch.roll(images, (dy, dx), dims=(2, 3))
        loss = -objective(images).sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if blur is not None:
            param.grad = blur(param.grad)
        opt.step()
    with torch.no_grad():
        return _render(param, parametrisation, scale, size).cpu()
