"""The upsampler zoo: the folded fast resize-convolution equals the naive one, every kind doubles H and W,
ICNR removes the sub-pixel pattern, and bad arguments get messages that name them."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from layer_checks import assert_fast_equals_slow, assert_fold_follows_the_weight, rel_err
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

from tutorial_utils import upsampling
from tutorial_utils.upsampling import (
    KINDS,
    ResizeConv2d,
    SubPixelConv2d,
    fold_kernel,
    fold_matrix,
    icnr_,
    make_upsampler,
    tie_bias_,
)

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True)


def fast_and_slow(cin: int, cout: int, k, s, bias: bool = True, dtype=torch.float64, groups: int = 1):
    """A fast ResizeConv2d and a slow one sharing the same parameters."""
    fast = ResizeConv2d(cin, cout, k, s, mode="nearest", fast=True, bias=bias, groups=groups).to(dtype)
    slow = ResizeConv2d(cin, cout, k, s, mode="nearest", fast=False, bias=bias, groups=groups).to(dtype)
    slow.load_state_dict(fast.state_dict())
    return fast, slow


@SETTINGS
@given(
    k=st.sampled_from([1, 3, 5]),
    s=st.integers(1, 3),
    h=st.integers(1, 9),
    w=st.integers(1, 9),
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
    n=st.integers(1, 2),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_fast_resize_conv_equals_naive_forward_and_gradients(k, s, h, w, cin, cout, n, bias, seed):
    torch.manual_seed(seed)
    fast, slow = fast_and_slow(cin, cout, k, s, bias=bias)
    x = torch.randn(n, cin, h, w, dtype=torch.float64)
    assert_fast_equals_slow(fast, slow, x, (n, cout, s * h, s * w))


@SETTINGS
@given(
    kh=st.sampled_from([1, 3, 5]),
    kw=st.sampled_from([1, 3, 5]),
    sh=st.integers(1, 3),
    sw=st.integers(1, 3),
    h=st.integers(1, 7),
    w=st.integers(1, 7),
    groups=st.sampled_from([1, 2, 3]),
    per_group=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    batched=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_fast_equals_naive_with_rectangular_kernels_per_axis_scales_groups_and_unbatched_input(
    kh, kw, sh, sw, h, w, groups, per_group, batched, seed
):
    """The fold is exact per axis, so (kh, kw) kernels, (sh, sw) scales and grouped channels keep fast == slow."""
    torch.manual_seed(seed)
    cin, cout = groups * per_group[0], groups * per_group[1]
    fast, slow = fast_and_slow(cin, cout, (kh, kw), (sh, sw), groups=groups)
    x = torch.randn(2, cin, h, w, dtype=torch.float64)
    x, shape = (x, (2, cout, sh * h, sw * w)) if batched else (x[0], (cout, sh * h, sw * w))
    assert_fast_equals_slow(fast, slow, x, shape, tol=1e-12)


def test_fast_resize_conv_float32_close():
    torch.manual_seed(0)
    fast, slow = fast_and_slow(8, 5, 3, 2, dtype=torch.float32)
    x = torch.randn(2, 8, 7, 10)
    assert rel_err(fast(x), slow(x)) < 1e-5


def test_the_fold_is_no_buffer_and_follows_the_weight(monkeypatch):
    torch.manual_seed(0)
    fast, slow = fast_and_slow(3, 2, 3, 2, dtype=torch.float32)
    assert_fold_follows_the_weight(fast, slow, torch.randn(2, 3, 5, 6), monkeypatch)


def test_fold_matrix_matches_the_floor_rule():
    """The closed form equals the derivation's rule: phase a, tap t read input offset j = floor((a + t - p) / s)
    through kernel entry a - s j + p."""
    for k in (1, 3, 5, 7):
        for s in (1, 2, 3, 4):
            p, rule = (k - 1) // 2, torch.zeros(k + s - 1, k)
            for a in range(s):
                for t in range(k):
                    rule[a - s * ((a + t - p) // s) + p, t] += 1
            assert torch.equal(fold_matrix(k, s), rule)


def test_fold_kernel_is_f_w_ft_per_axis():
    w = torch.randn(2, 3, 3, 5, dtype=torch.float64)
    expected = torch.einsum("yu,oiuv,xv->ioyx", fold_matrix(3, 2).double(), w, fold_matrix(5, 3).double())
    assert torch.allclose(fold_kernel(w, (2, 3)), expected)


def test_fold_matrix_columns_sum_to_scale():
    """Every tap of the small kernel is used once per output phase: each column of F sums to s."""
    for k in (1, 3, 5, 7):
        for s in (1, 2, 3, 4):
            fold = fold_matrix(k, s)
            assert fold.shape == (k + s - 1, k)
            assert torch.equal(fold.sum(dim=0), torch.full((k,), float(s)))


def test_fold_matrix_k3_s2():
    # taps [a, b, c] fold into the 4-tap transposed-convolution kernel [c, b+c, a+b, a]
    # (a transposed convolution scatters, so its kernel reads flipped relative to the cross-correlation)
    expected = torch.tensor([[0.0, 0, 1], [0, 1, 1], [1, 1, 0], [1, 0, 0]])
    assert torch.equal(fold_matrix(3, 2), expected)


def test_fold_kernel_shape_and_bad_weight():
    w = torch.randn(5, 4, 3, 3)
    assert fold_kernel(w, 2).shape == (4, 5, 4, 4)
    assert fold_kernel(torch.randn(5, 4, 3, 1), (2, 3)).shape == (4, 5, 4, 3)
    with pytest.raises(ValueError, match="weight"):
        fold_kernel(torch.randn(5, 4, 3), 2)
    with pytest.raises(ValueError, match="weight.*odd"):
        fold_kernel(torch.randn(5, 4, 3, 2), 2)
    with pytest.raises(ValueError, match="kernel_size"):
        fold_matrix(4, 2)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("hw", [(4, 4), (5, 7), (1, 2)])
def test_every_kind_doubles_height_and_width(kind, hw):
    torch.manual_seed(0)
    layer = make_upsampler(kind, 3, 2)
    y = layer(torch.randn(2, 3, *hw))
    assert y.shape == (2, 2, 2 * hw[0], 2 * hw[1])


def test_icnr_equals_nearest_upsampling_of_a_convolution():
    torch.manual_seed(0)
    for s in (2, 3):
        layer = SubPixelConv2d(4, 3, scale_factor=s, icnr=True)
        conv = layer[0]
        x = torch.randn(2, 4, 5, 6)
        sub_w = conv.weight[:: s * s]
        sub_b = conv.bias[:: s * s]
        expected = F.interpolate(F.conv2d(x, sub_w, sub_b, padding=1), scale_factor=s, mode="nearest")
        assert torch.allclose(layer(x), expected, atol=1e-6)


def test_icnr_makes_phase_copies():
    w = torch.empty(12, 2, 3, 3)
    out = icnr_(w, 2)
    assert out is w
    groups = w.view(3, 4, 2, 3, 3)
    assert torch.equal(groups, groups[:, :1].expand_as(groups))
    assert groups[:, 0].std() > 0  # not all zero: really initialised


def test_subpixel_icnr_kind_has_no_pattern_but_untied_bias_brings_it_back():
    """ICNR with a tied bias is exactly constant on each 2x2 block; re-randomising the bias breaks that."""
    torch.manual_seed(0)
    layer = make_upsampler("subpixel_icnr", 4, 3)
    y = layer(torch.randn(1, 4, 6, 6))
    blocks = y.view(1, 3, 6, 2, 6, 2)
    assert torch.allclose(blocks, blocks[:, :, :, :1, :, :1].expand_as(blocks), atol=1e-6)
    with torch.no_grad():
        layer[0].bias.uniform_(-0.3, 0.3)
    y = layer(torch.randn(1, 4, 6, 6))
    blocks = y.view(1, 3, 6, 2, 6, 2)
    assert not torch.allclose(blocks, blocks[:, :, :, :1, :, :1].expand_as(blocks), atol=1e-3)


def test_tie_bias():
    b = torch.arange(8.0)
    out = tie_bias_(b, 2)
    assert out is b
    assert torch.equal(b, torch.tensor([0.0, 0, 0, 0, 4, 4, 4, 4]))
    with pytest.raises(ValueError, match="bias"):
        tie_bias_(torch.zeros(6), 2)


def test_errors_name_the_bad_argument():
    with pytest.raises(ValueError, match="kind.*'deconv5'"):
        make_upsampler("deconv5", 3, 3)
    with pytest.raises(ValueError, match="fast=True.*bilinear"):
        ResizeConv2d(3, 3, mode="bilinear", fast=True)
    with pytest.raises(ValueError, match="kernel_size.*4"):
        ResizeConv2d(3, 3, kernel_size=4)
    with pytest.raises(ValueError, match="scale_factor"):
        ResizeConv2d(3, 3, scale_factor=0)
    with pytest.raises(TypeError, match="scale_factor"):
        ResizeConv2d(3, 3, scale_factor=1.5)
    with pytest.raises(ValueError, match="mode.*'bicubic'"):
        ResizeConv2d(3, 3, mode="bicubic", fast=False)
    with pytest.raises(ValueError, match="in_channels"):
        make_upsampler("nearest", 0, 3)
    with pytest.raises(ValueError, match="weight"):
        icnr_(torch.zeros(3, 3, 3), 2)
    with pytest.raises(ValueError, match="scale_factor"):
        icnr_(torch.zeros(6, 3, 3, 3), 2)


def test_bilinear_slow_path_runs():
    layer = ResizeConv2d(2, 2, mode="bilinear", fast=False)
    assert layer(torch.randn(1, 2, 3, 5)).shape == (1, 2, 6, 10)


# --- cost ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_multiply_adds_match_the_layer_shapes(kind):
    cin, cout, h, w = 4, 5, 6, 7
    macs = upsampling.multiply_adds(kind, cin, cout, (h, w))
    assert upsampling.multiply_adds(kind, cin, cout, h) == upsampling.multiply_adds(kind, cin, cout, (h, h))
    weights = sum(p.numel() for name, p in make_upsampler(kind, cin, cout).named_parameters() if "weight" in name)
    per_pixel = {"deconv3": 1, "deconv4": 1, "nearest": 16 / 9, "bilinear": 4, "subpixel": 1, "subpixel_icnr": 1}
    extra = 4 * h * w * 4 * cin if kind == "bilinear" else 0
    # every weight is used once per input pixel (per output pixel for bilinear; 16/9 for the 4x4 fold)
    assert macs - extra == pytest.approx(weights * h * w * per_pixel[kind])
    with pytest.raises(ValueError, match="kind"):
        upsampling.multiply_adds("nope", 1, 1, 1)
    with pytest.raises(ValueError, match="input_size"):
        upsampling.multiply_adds("deconv3", 1, 1, (0, 3))


# --- a kernel divisible by the stride is a sub-pixel convolution ----------------------------------------------


@SETTINGS
@given(
    s=st.integers(1, 3),
    m=st.integers(1, 3),
    p=st.integers(0, 2),
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_transposed_convolution_with_kernel_divisible_by_stride_is_subpixel(s, m, p, cin, cout, h, w, seed):
    """conv_transpose2d(k = s·m, stride s, padding p) == pixel_shuffle(conv2d(m×m, padding m-1)), cropped by p."""
    k = s * m
    if min(h, w) * s + k - s - 2 * p < 1:  # padding too large for this size: no output
        return
    gen = torch.Generator().manual_seed(seed)
    weight = torch.randn(cin, cout, k, k, dtype=torch.float64, generator=gen)
    bias = torch.randn(cout, dtype=torch.float64, generator=gen)
    x = torch.randn(2, cin, h, w, dtype=torch.float64, generator=gen)
    reference = F.conv_transpose2d(x, weight, bias, stride=s, padding=p)
    sub = upsampling.transposed_to_subpixel(weight, s)
    assert sub.shape == (cout * s * s, cin, m, m)
    full = F.pixel_shuffle(F.conv2d(x, sub, bias.repeat_interleave(s * s), padding=m - 1), s)
    got = full[..., p : full.shape[-2] - p, p : full.shape[-1] - p]
    assert got.shape == reference.shape
    assert rel_err(got, reference) < 1e-12
    # the map only moves entries: the inverse gives the weight back exactly, and nothing is lost or repeated
    assert torch.equal(upsampling.subpixel_to_transposed(sub, s), weight)
    assert torch.equal(sub.flatten().sort().values, weight.flatten().sort().values)


def test_transposed_to_subpixel_k4_s2_layout():
    """Phase (a, b) of a k4,s2 transposed convolution (before any padding crop) reads the taps congruent to
    (a, b) modulo 2, in reverse order because the transposed convolution scatters."""
    weight = torch.arange(16.0).view(1, 1, 4, 4)
    sub = upsampling.transposed_to_subpixel(weight, 2)
    assert sub.shape == (4, 1, 2, 2)
    assert sub[0, 0].tolist() == [[10.0, 8.0], [2.0, 0.0]]  # phase (0, 0): taps (2,2) (2,0) (0,2) (0,0)
    assert sub[3, 0].tolist() == [[15.0, 13.0], [7.0, 5.0]]  # phase (1, 1): taps (3,3) (3,1) (1,3) (1,1)


def test_subpixel_mapping_errors_name_the_argument():
    with pytest.raises(ValueError, match="multiple of stride=2.*3x3"):
        upsampling.transposed_to_subpixel(torch.zeros(1, 1, 3, 3), 2)
    with pytest.raises(ValueError, match="weight must be 4D"):
        upsampling.transposed_to_subpixel(torch.zeros(4, 4), 2)
    with pytest.raises(ValueError, match="stride"):
        upsampling.transposed_to_subpixel(torch.zeros(1, 1, 4, 4), 0)
    with pytest.raises(ValueError, match=r"Cout\*4"):
        upsampling.subpixel_to_transposed(torch.zeros(3, 1, 2, 2), 2)


def test_subpixel_convolutions_finds_every_subpixel_layer():
    model = nn.Sequential(
        make_upsampler("subpixel", 3, 4),
        nn.ReLU(),
        make_upsampler("deconv3", 4, 4),
        make_upsampler("subpixel_icnr", 4, 2),
    )
    convs = upsampling.subpixel_convolutions(model)
    assert convs == [model[0][0], model[3][0]]
    assert upsampling.subpixel_convolutions(make_upsampler("nearest", 2, 2)) == []
    with pytest.raises(TypeError, match="model must be a torch.nn"):
        upsampling.subpixel_convolutions("generator")


def test_icnr_survives_weight_norm_but_not_reset_parameters():
    """weight_norm leaves an ICNR weight as it is (equal copies have equal norms); reset_parameters() redraws
    the copies independently; under weight_norm, reset_parameters() no longer reaches the weight."""
    torch.manual_seed(0)
    conv = make_upsampler("subpixel_icnr", 3, 2)[0]
    before = conv.weight.detach().clone()
    weight_norm(conv)
    assert torch.allclose(conv.weight, before, atol=1e-6)
    conv.reset_parameters()
    assert torch.allclose(conv.weight, before, atol=1e-6)
    plain = make_upsampler("subpixel_icnr", 3, 2)[0]
    plain.reset_parameters()
    copies = plain.weight.detach().view(2, 4, 3, 3, 3)
    assert not torch.allclose(copies, copies[:, :1].expand_as(copies))
