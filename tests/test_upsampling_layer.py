"""ResizeConv2d and ResizeConv1d as layers in someone else's model: meta-device initialisation, TorchScript,
unbatched input, attributes changed after construction, error messages, the inference cache and the factory
arguments of torch.nn."""

from __future__ import annotations

import pytest
import torch
from layer_checks import count_folds, rel_err

from tutorial_utils.upsampling import ResizeConv2d, make_upsampler, multiply_adds
from tutorial_utils.upsampling1d import ResizeConv1d

LAYERS = {
    "2d": (lambda **kw: ResizeConv2d(3, 4, **kw), (2, 3, 5, 6)),
    "2d-rect": (lambda **kw: ResizeConv2d(4, 6, (3, 5), (2, 1), groups=2, **kw), (2, 4, 5, 6)),
    "1d": (lambda **kw: ResizeConv1d(3, 4, 5, 3, **kw), (2, 3, 7)),
}


def same_weights(layer, reference):
    """``layer`` (any device) after a strict load of ``reference``'s state dict."""
    layer.load_state_dict(reference.state_dict(), strict=True)
    return layer


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("how", ["to_empty", "assign"])
@pytest.mark.parametrize("fast", [True, False])
def test_meta_device_initialisation_gives_the_eager_output(name, how, fast):
    """Built on the meta device, then materialised by to_empty + strict load or by load_state_dict(assign=True):
    the output equals the eagerly built layer's with the same weights (it was off by ~2.8, or NaN, when the fold
    was a non-persistent buffer that neither path fills)."""
    make, shape = LAYERS[name]
    torch.manual_seed(0)
    eager = make(fast=fast)
    with torch.device("meta"):
        lazy = make(fast=fast)
    assert lazy.conv.weight.is_meta
    if how == "to_empty":
        lazy = same_weights(lazy.to_empty(device="cpu"), eager)
    else:
        lazy.load_state_dict(eager.state_dict(), strict=True, assign=True)
    x = torch.randn(shape)
    assert torch.equal(lazy(x), eager(x))


def test_reset_parameters_after_to_empty_draws_like_construction():
    torch.manual_seed(0)
    eager = ResizeConv2d(3, 4)
    with torch.device("meta"):
        lazy = ResizeConv2d(3, 4)
    lazy.to_empty(device="cpu")
    torch.manual_seed(0)
    lazy.reset_parameters()
    x = torch.randn(1, 3, 4, 4)
    assert torch.equal(lazy(x), eager(x))


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("fast", [True, False])
def test_torchscript_scripts_the_layer(name, fast):
    """torch.jit.script compiles forward (it failed on ``**smooth`` in forward) and gives the eager output,
    batched and unbatched, and after a weight change."""
    make, shape = LAYERS[name]
    torch.manual_seed(0)
    layer = make(fast=fast)
    scripted = torch.jit.script(layer)
    x = torch.randn(shape)
    assert torch.equal(scripted(x), layer(x))
    assert torch.equal(scripted(x[0]), layer(x[0]))
    with torch.no_grad():
        layer.conv.weight.add_(1.0)  # shared with the scripted module
    assert torch.allclose(scripted(x), layer(x))


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("mode", ["nearest", "smooth"])
def test_unbatched_input_is_the_batched_output_of_one_item(name, mode):
    """(C, H, W) and (C, T) give what (1, C, H, W) and (1, C, T) give, on both paths (the slow path read 3D as
    1D and refused 2D)."""
    make, shape = LAYERS[name]
    smooth = "linear" if name == "1d" else "bilinear"
    torch.manual_seed(0)
    paths = (
        [make(mode="nearest", fast=f) for f in (True, False)] if mode == "nearest" else [make(mode=smooth, fast=False)]
    )
    x = torch.randn(shape)
    for layer in paths:
        assert torch.equal(layer(x[0]), layer(x[:1])[0])


@pytest.mark.parametrize("name", list(LAYERS))
def test_a_wrong_rank_or_channel_count_is_refused_naming_the_kernel(name):
    """The message quotes the user's kernel (3x5), not the folded weight's [.., 4, 4]."""
    make, shape = LAYERS[name]
    layer = make()
    kernel = {"2d": "3x3", "2d-rect": "3x5", "1d": "5"}[name]
    wrong = (shape[0], shape[1] + 1, *shape[2:])
    for path in (True, False):
        layer.fast = path
        with pytest.raises(ValueError, match=rf"x must have {shape[1]} channels .* {kernel} kernel"):
            layer(torch.zeros(wrong))
        with pytest.raises(ValueError, match="x must be batched"):
            layer(torch.zeros(1, *shape))


@pytest.mark.parametrize("attribute", ["kernel_size", "scale_factor", "mode"])
def test_the_fixed_attributes_cannot_be_changed(attribute):
    """Setting scale_factor = 3 after construction silently gave a wrong shape; now it is refused."""
    layer = ResizeConv2d(2, 2)
    before = getattr(layer, attribute)
    with pytest.raises(AttributeError, match=rf"{attribute} of a ResizeConv2d is fixed"):
        setattr(layer, attribute, {"kernel_size": 5, "scale_factor": 3, "mode": "bilinear"}[attribute])
    assert getattr(layer, attribute) == before
    assert layer(torch.zeros(1, 2, 3, 3)).shape == (1, 2, 6, 6)


def test_fast_can_be_switched_where_the_fold_is_exact_and_is_refused_elsewhere():
    """fast = True on a bilinear layer raised a TypeError about NoneType; now the constructor's check runs."""
    torch.manual_seed(0)
    layer, x = ResizeConv2d(2, 3, (3, 1), (1, 2)).double(), torch.randn(2, 2, 4, 5, dtype=torch.float64)
    fast = layer(x)
    layer.fast = False
    assert not layer.fast and rel_err(layer(x), fast) < 1e-12
    bilinear = ResizeConv2d(2, 2, mode="bilinear", fast=False)
    with pytest.raises(ValueError, match="fast=True is exact only for mode='nearest'"):
        bilinear.fast = True
    with pytest.raises(TypeError, match="fast must be a bool"):
        layer.fast = 1
    assert not bilinear.fast


def test_inference_reuses_the_folded_kernel_and_training_refolds(monkeypatch):
    """Small layers paid for the fold at every call; in inference the kernel is now kept while the weight is
    unchanged, and with gradients on it is folded inside the graph each time."""
    torch.manual_seed(0)
    layer, x = ResizeConv2d(8, 8), torch.randn(1, 8, 16, 16)
    calls = count_folds(monkeypatch)
    with torch.no_grad():
        first = layer(x)
        for _ in range(3):
            assert torch.equal(layer(x), first)
    assert calls[0] == 1
    layer(x).sum().backward()
    layer(x).sum().backward()
    assert calls[0] == 3 and layer.conv.weight.grad is not None
    with torch.no_grad():
        layer.conv.weight.sub_(0.1 * layer.conv.weight.grad)  # a step: the kept kernel is stale now
    layer.conv.weight.requires_grad_(False)  # frozen: no gradient wanted, so the kernel may be kept
    assert not torch.equal(layer(x), first) and torch.equal(layer(x), layer(x))
    assert calls[0] == 4


def test_the_cache_does_not_outlive_a_copy_or_a_parametrisation(monkeypatch):
    """deepcopy keeps a kernel that matches the copied weight; weight norm recomputes the weight every call."""
    import copy

    from torch.nn.utils.parametrizations import weight_norm

    torch.manual_seed(0)
    layer, x = ResizeConv2d(2, 2), torch.randn(1, 2, 4, 4)
    with torch.no_grad():
        layer(x)
        twin = copy.deepcopy(layer)
        twin.conv.weight.mul_(3.0)
        assert not torch.allclose(twin(x), layer(x))
        weight_norm(layer.conv)
        before = layer(x)
        layer.conv.parametrizations.weight.original0.mul_(2.0)
        assert not torch.allclose(layer(x), before)


def test_factory_arguments_set_the_parameters_device_and_dtype():
    layer = ResizeConv2d(2, 4, 3, 2, groups=2, device="meta", dtype=torch.float64)
    assert layer.conv.weight.dtype == torch.float64 and layer.conv.weight.is_meta
    assert layer.conv.weight.shape == (4, 1, 3, 3)
    assert ResizeConv1d(2, 2, dtype=torch.float16).conv.weight.dtype == torch.float16


def test_new_arguments_are_refused_with_what_is_allowed():
    with pytest.raises(ValueError, match="groups must divide in_channels=3 and out_channels=4, got 2"):
        ResizeConv2d(3, 4, groups=2)
    with pytest.raises(ValueError, match=r"kernel_size must be odd on every axis.*\(3, 4\)"):
        ResizeConv2d(3, 4, kernel_size=(3, 4))
    with pytest.raises(ValueError, match=r"scale_factor must be an int >= 1 or a tuple of 2"):
        ResizeConv2d(3, 4, scale_factor=(2, 2, 2))
    with pytest.raises(TypeError, match="scale_factor must be an int"):
        ResizeConv2d(3, 4, scale_factor=(1.5, 2))
    with pytest.raises(ValueError, match="kernel_size must be an odd int, got"):
        ResizeConv1d(3, 4, kernel_size=(3, 3))
    with pytest.raises(TypeError, match="dtype must be a floating-point torch.dtype"):
        ResizeConv2d(3, 4, dtype=torch.int64)


@pytest.mark.parametrize("kind", ["nearest", "bilinear", "subpixel", "subpixel_icnr"])
def test_make_upsampler_takes_scale_kernel_size_and_bias(kind):
    layer = make_upsampler(kind, 2, 3, scale_factor=3, kernel_size=5, bias=False)
    assert all("bias" not in name for name, _ in layer.named_parameters())
    assert layer(torch.zeros(1, 2, 4, 5)).shape == (1, 3, 12, 15)
    weights = sum(p.numel() for p in layer.parameters())
    macs = multiply_adds(kind, 2, 3, (4, 5), scale_factor=3, kernel_size=5)
    per_pixel = {"nearest": 49 / 25, "bilinear": 9, "subpixel": 1, "subpixel_icnr": 1}[kind]
    extra = 9 * 20 * 4 * 2 if kind == "bilinear" else 0
    assert macs - extra == pytest.approx(weights * 20 * per_pixel)


@pytest.mark.parametrize("kind", ["deconv3", "deconv4"])
def test_make_upsampler_refuses_sizes_a_fixed_transposed_convolution_does_not_have(kind):
    assert make_upsampler(kind, 2, 2, bias=False).bias is None
    with pytest.raises(ValueError, match=rf"scale_factor.*kind='{kind}'.*got 3"):
        make_upsampler(kind, 2, 2, scale_factor=3)
    with pytest.raises(ValueError, match=rf"kernel_size.*kind='{kind}'.*got 5"):
        multiply_adds(kind, 2, 2, 4, kernel_size=5)


def test_torch_compile_fullgraph_in_training_and_inference():
    """The inference cache stays out of compiled graphs (a compiler cannot trace its checks)."""
    torch.manual_seed(0)
    layer, x = ResizeConv2d(2, 3), torch.randn(1, 2, 5, 5)
    compiled = torch.compile(layer, fullgraph=True, backend="eager")
    assert torch.allclose(compiled(x), layer(x))
    with torch.no_grad():
        assert torch.allclose(compiled(x), layer(x))
