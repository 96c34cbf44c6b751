"""Device safety: nothing in the package assumes the CPU, and the device paths run where a device exists.

The 'meta' device has shapes but no data: a module that builds a helper tensor on the CPU inside forward
(instead of on its input's device) fails there with a device mismatch, on any machine. The accelerator tests
run only where CUDA or MPS is present and compare against the CPU.
"""

import pytest
import torch

from tutorial_utils import metrics, models, training
from tutorial_utils.upsampling import KINDS, make_upsampler

ACCELERATORS = [
    pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")),
    pytest.param("mps", marks=pytest.mark.skipif(not torch.backends.mps.is_available(), reason="no MPS device here")),
]


@pytest.mark.parametrize("kind", KINDS)
def test_upsamplers_never_assume_the_cpu(kind):
    layer = make_upsampler(kind, 4, 3).to("meta")
    out = layer(torch.empty(2, 4, 5, 5, device="meta"))
    assert out.device.type == "meta" and out.shape == (2, 3, 10, 10)


def test_models_never_assume_the_cpu():
    gen = models.Generator.variant("deconv_last", 16, width=4, latent_dim=8).to("meta")
    x = gen(gen.sample_latent(3))  # latents drawn on the CPU, moved to the model's device
    assert x.device.type == "meta" and x.shape == (3, 3, 16, 16)
    disc = models.Discriminator("conv4", 16, width=4).to("meta")
    assert disc(x).shape == (3,)


@pytest.mark.parametrize("device", ACCELERATORS)
def test_metrics_on_an_accelerator_match_the_cpu(device):
    x = torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    for fn in (metrics.checkerboard_score, metrics.checkerboard_amplitude, metrics.phase_energy_ratio):
        assert fn(x.to(device)) == pytest.approx(fn(x), rel=1e-5)
    f_cpu, p_cpu = metrics.radial_power_spectrum(x)
    f_dev, p_dev = metrics.radial_power_spectrum(x.to(device))
    assert (f_cpu == f_dev).all() and p_dev == pytest.approx(p_cpu, rel=1e-5)


@pytest.mark.parametrize("device", ACCELERATORS)
def test_training_runs_on_an_accelerator(device):
    config = training.GANConfig(
        variant="deconv_last", image_size=16, width=4, latent_dim=8, steps=2, batch_size=4, eval_every=1, eval_size=4
    )
    gen, disc = training.make_gan(config)
    real = torch.rand(16, 3, 16, 16) * 2 - 1
    history = training.train_gan(gen, disc, real, config, device=device, progress=False)
    assert history.eval_step == [0, 1, 2]
    assert next(gen.parameters()).device.type == device
    z = gen.sample_latent(3, rng=torch.Generator().manual_seed(0))  # a CPU rng for a model on the device
    assert training.sample(gen, z).shape == (3, 3, 16, 16)
