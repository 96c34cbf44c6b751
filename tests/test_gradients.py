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
