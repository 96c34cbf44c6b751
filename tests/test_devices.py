"""Device safety: nothing in the package assumes the CPU, and the device paths run where a device exists.

The 'meta' device has shapes but no data: a module that builds a helper tensor on the CPU inside forward
(instead of on its input's device) fails there with a device mismatch, on any machine. The accelerator tests
run only where CUDA or MPS is present and compare against the CPU.
"""

import copy
import dataclasses
import inspect

import matplotlib.pyplot as plt
import pytest
import torch
from test_bad_input import (
    CASES,
    CLASSIFIER,
    DISC,
    FEATS,
    GEN,
    MNLOSS,
    NET,
    SCLOSS,
    SPECTRAL,
    TNET,
    resolve,
    resolve_target,
)
from torch import nn
from torch.utils import _pytree as pytree
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.weak import WeakIdKeyDictionary

from tutorial_utils import balance, downsampling, metrics, models, training, upsampling1d
from tutorial_utils.upsampling import KINDS, make_upsampler


@pytest.fixture(autouse=True)
def close_figures():
    """The plotting functions run below draw on fresh figures: close them, so no other test inherits them."""
    yield
    plt.close("all")


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


# --- every public function that takes a tensor or a module, on a device without float64 (issue 17, item 1) -------


class FakeAccelerator(TorchDispatchMode):
    """The meta device made into an accelerator like Apple's MPS: it has values, and no float64.

    Every meta tensor gets a shadow on the CPU that holds its values: each operation runs on the meta tensors
    (torch checks shapes, dtypes and devices there, and refuses to mix meta and CPU tensors as it refuses to mix
    CUDA and CPU) and again on their shadows (the values). Copying a meta tensor to the CPU, ``.item()``,
    ``bool()`` and ``float()`` read the shadow, so code runs to the end with its real numbers. Operations whose
    output size depends on values (``nonzero``, boolean masks), which have no meta kernel, take their shapes
    from the shadow.

    Any operation that reads or makes a float64 (or complex128) tensor on the device raises, as MPS does: code
    must move data to the CPU before converting it to float64.
    """

    WIDE = (torch.float64, torch.complex128)

    def __init__(self) -> None:
        super().__init__()
        self.shadows = WeakIdKeyDictionary()

    def put(self, value):
        """``value`` (tensors, modules, lists, dicts) on the device, float tensors in float32, with its values."""
        if isinstance(value, nn.Module):
            module = copy.deepcopy(value).float()
            cpu = [t.detach().clone() for t in (*module.parameters(), *module.buffers())]
            module.to("meta")
            for meta, values in zip((*module.parameters(), *module.buffers()), cpu):
                self.shadows[meta] = values
            return module
        if isinstance(value, torch.Tensor):
            t = value.detach().float() if value.is_floating_point() else value
            meta = t.to("meta")
            self.shadows[meta] = t.clone()
            return meta
        if isinstance(value, (list, tuple)):
            return type(value)(self.put(v) for v in value)
        if isinstance(value, dict):
            return {k: self.put(v) for k, v in value.items()}
        return value

    def _shadow(self, value):
        if isinstance(value, torch.Tensor) and value.device.type == "meta":
            if value not in self.shadows:  # made outside the mode, e.g. by nn.Module.to("meta") on a parameter
                self.shadows[value] = torch.zeros(value.shape, dtype=value.dtype)
            return self.shadows[value]
        if isinstance(value, torch.device) and value.type == "meta":
            return torch.device("cpu")
        return value

    def _check(self, func, values) -> None:
        for t in pytree.tree_leaves(values):
            if isinstance(t, torch.Tensor) and t.device.type != "cpu" and t.dtype in self.WIDE:
                raise RuntimeError(
                    f"{func}: a {t.dtype} tensor on {t.device}; MPS has no float64: move to the CPU first"
                )

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        self._check(func, (args, kwargs))
        source = args[0] if args and isinstance(args[0], torch.Tensor) else None
        on_device = source is not None and source.device.type == "meta"
        if func is torch.ops.aten._local_scalar_dense.default and on_device:
            return self._shadow(source).item()
        if func is torch.ops.aten._to_copy.default and on_device and kwargs.get("device") == torch.device("cpu"):
            return self._shadow(source).to(dtype=kwargs.get("dtype") or source.dtype, copy=True)
        if func is torch.ops.aten.copy_.default and args[0].device.type == "cpu" and args[1].device.type == "meta":
            return args[0].copy_(self._shadow(args[1]))
        shadow_args, shadow_kwargs = pytree.tree_map(self._shadow, (args, kwargs))
        try:
            out = func(*args, **kwargs)  # on the device: shapes, dtypes and device checks
        except NotImplementedError:  # no meta kernel (an output size that depends on values): shapes from the shadow
            out = None
        values = func(*shadow_args, **shadow_kwargs)
        if out is None:
            out = pytree.tree_map(lambda v: v.to("meta") if isinstance(v, torch.Tensor) else v, values)
        for t, v in zip(pytree.tree_leaves(out), pytree.tree_leaves(values)):
            if isinstance(t, torch.Tensor) and t.device.type == "meta" and isinstance(v, torch.Tensor):
                self.shadows[t] = v
        self._check(func, out)
        return out


def test_the_fake_accelerator_has_values_and_no_float64():
    x = torch.arange(6.0).reshape(2, 3)
    with FakeAccelerator() as device:
        y = device.put(x)
        z = (y * 2)[y > 1]  # a value-dependent shape, from the shadow
        assert y.device.type == z.device.type == "meta" and z.shape == (4,)
        assert torch.equal(z.cpu(), torch.tensor([4.0, 6.0, 8.0, 10.0])) and float(y.sum()) == 15.0
        with pytest.raises(RuntimeError, match="device"):
            y + torch.ones(2, 3)  # a CPU helper tensor inside device code
        with pytest.raises(RuntimeError, match="MPS has no float64"):
            y.double()


def test_the_mps_style_path_runs_on_meta():
    """The balance share converts to float64 only after moving to the CPU (it converted first, which stopped
    chapter 03 on a Mac); converting on the device fails on the fake accelerator, as it does on MPS."""
    weight = torch.randn(4, 3, 3, 3, generator=torch.Generator().manual_seed(0))
    with FakeAccelerator() as device:
        on_device = device.put(weight)
        share = balance.unbalanced_share(on_device)
        with pytest.raises(RuntimeError, match="MPS has no float64"):
            on_device.detach().double().cpu()  # the old order
    assert share.device.type == "cpu" and share.dtype == torch.float64
    assert torch.allclose(share, balance.unbalanced_share(weight))  # the same numbers as on the CPU


def _tensors(value, depth: int = 0) -> list[torch.Tensor]:
    """Every tensor in a result: in sequences, mappings, dataclasses, and a module's parameters and buffers."""
    if depth > 4:
        return []
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, nn.Module):
        return [*value.parameters(), *value.buffers()]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v, depth + 1)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v, depth + 1)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value) for t in _tensors(getattr(value, f.name), depth + 1)]
    return []


def _takes_a_tensor_or_module(value, depth: int = 0) -> bool:
    if isinstance(value, (torch.Tensor, nn.Module)):
        return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    return depth < 4 and any(_takes_a_tensor_or_module(v, depth + 1) for v in items)


# The objects whose methods the bad-input table calls (there, on the CPU): rebuilt here and moved to meta.
OWNERS = {
    "downsampling.Blur2d": lambda: downsampling.Blur2d(1),
    "downsampling.BlurPool2d": lambda: downsampling.BlurPool2d(1),
    "models.Generator": GEN,
    "models.Discriminator": DISC,
    "models.Classifier": CLASSIFIER,
    "models.TransformerNet": TNET,
    "losses.RandomFeatures": FEATS,
    "losses.StyleContentLoss": SCLOSS,
    "losses.SpectralLoss": SPECTRAL,
    "losses.MobileNetStyleLoss": MNLOSS,
    "pretrained.MobileNetV2": NET,
    "upsampling1d.PixelShuffle1d": lambda: upsampling1d.PixelShuffle1d(2),
    "upsampling1d.UpsamplerStack": lambda: upsampling1d.UpsamplerStack("deconv", n_stages=1, channels=2),
    "training.History": lambda: training.History(score2=[1.0]),
}

# Functions that cannot run on the meta device, and why.
CANNOT: dict[str, str] = {
    "forensics.CNNDetector.forward": "the detector is fitted and kept on the CPU (fit and decision move the images "
    "there, like every detector here); on a device it would need nn.Module.to, which the fake device cannot shadow",
    "training.run_gan": "builds its models on the CPU and moves them with nn.Module.to, whose parameters the fake "
    "device cannot shadow (they read as zeros); training.train_gan, which does the work, runs here on the device",
}

# Functions whose tensors come back on the CPU by design, whatever the device, and why.
ON_THE_CPU = {
    "balance.unbalanced_share": "float64 shares, computed on the CPU (MPS has no float64)",
    "metrics.fingerprint": "a measurement, computed on the CPU in float64 like every metric, for plotting",
    "metrics.image_scores": "a measurement per image, on the CPU in float64 like every metric",
    "metrics.channel_scores": "a measurement per image and channel, on the CPU in float64 like every metric",
    "metrics.radial_spectra": "a measurement, on the CPU in float64 like every metric, for plotting and detectors",
    "forensics.LinearDetector": "a detector of measurements, fitted in float64 on the CPU (MPS has no float64)",
    "forensics.LinearDetector.fit": "a detector of measurements, fitted in float64 on the CPU",
    "forensics.LinearDetector.decision": "decisions on measurements, in float64 on the CPU",
    "forensics.evaluate": "a detector of measurements on the CPU: the halves' indices and the fitted detector",
    "forensics.spectral_tail": "a fit to measurements, in float64 on the CPU like radial_spectra's spectra",
    "forensics.CNNDetector.fit": "a small detector fitted on the CPU on the high-passed images, like the others",
    "forensics.CNNDetector.decision": "decisions of the CPU detector, in float64 on the CPU",
    "training.sample": "documented: samples gathered on the CPU for metrics and figures",
    "training.apply": "documented: outputs gathered on the CPU batch by batch, so a large set fits the device",
    "gradients.flip_epsilon": "documented: one budget per image, float64 on the CPU (MPS has no float64)",
}


def _owner(target: str):
    owner, _, method = target.rpartition(".")
    return (owner, method) if owner in OWNERS else (None, None)


def _meta_cases():
    """(target, call) for every case of the bad-input table that passes a tensor or a module, or calls a method
    of a module: the public functions, classes and methods that take a tensor or a module."""
    for case in CASES:
        owner, method = _owner(case.target)
        if owner is not None and isinstance(inspect.getattr_static(resolve_target(owner), method), classmethod):
            owner = method = None  # a classmethod builds its own object: it needs no owner on the device
        if owner is None and not _takes_a_tensor_or_module(resolve(case.good)):
            continue
        yield case.target, case, owner, method


META_CASES = list(_meta_cases())


@pytest.mark.parametrize(("target", "case", "owner", "method"), META_CASES, ids=[c[0] for c in META_CASES])
def test_every_public_function_taking_a_tensor_or_module_runs_on_meta(target, case, owner, method):
    if target in CANNOT:
        pytest.skip(CANNOT[target])
    with FakeAccelerator() as device:
        kwargs = device.put(resolve(case.good))
        if owner is not None:
            result = getattr(device.put(OWNERS[owner]()), method)(**kwargs)
        else:
            result = case.fn(**kwargs)
    devices = {t.device.type for t in _tensors(result)}
    expected = {"cpu"} if target in ON_THE_CPU else {"meta"}
    assert devices <= expected, f"{target} returned tensors on {devices}, expected {expected}"


def test_the_meta_table_covers_the_tensor_and_module_api():
    targets = {target for target, *_ in META_CASES}
    assert {"balance.unbalanced_share", "metrics.checkerboard_score", "data.stylising_filter"} <= targets
    assert {"models.Generator.forward", "upsampling.fold_kernel", "audio.spectrogram"} <= targets
    assert set(CANNOT) <= targets and set(ON_THE_CPU) <= targets
    assert len(targets) >= 60, len(targets)
