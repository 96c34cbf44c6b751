"""Convolution matrices built by index arithmetic, checked against torch's convolutions on random shapes."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tutorial_utils import matrices

DT = torch.float64
FAST = settings(max_examples=60, deadline=None)


def rel_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / (b.abs().max() + 1e-30)).item()


@st.composite
def geometry(draw, transposed: bool = False):
    """Random channels, sizes, kernel, stride, padding, dilation (and output_padding) giving a valid output."""
    g = {
        "cin": draw(st.integers(1, 3)),
        "cout": draw(st.integers(1, 3)),
        "size": (draw(st.integers(1, 9)), draw(st.integers(1, 9))),
        "kernel": (draw(st.integers(1, 4)), draw(st.integers(1, 4))),
        "stride": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "padding": (draw(st.integers(0, 2)), draw(st.integers(0, 2))),
        "dilation": (draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "seed": draw(st.integers(0, 2**16)),
    }
    if transposed:
        g["output_padding"] = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(g["stride"], g["dilation"]))
    for a in (0, 1):
        n, k, s, p, d = (g[key][a] for key in ("size", "kernel", "stride", "padding", "dilation"))
        if transposed:
            assume((n - 1) * s - 2 * p + d * (k - 1) + g["output_padding"][a] + 1 >= 1)
        else:
            assume(n + 2 * p >= d * (k - 1) + 1)
    return g


def conv_args(g):
    return dict(stride=g["stride"], padding=g["padding"], dilation=g["dilation"])


def randn(seed: int, *shape):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=DT)


@FAST
@given(geometry())
def test_conv2d_matrix_matches_conv2d(g):
    w = randn(g["seed"], g["cout"], g["cin"], *g["kernel"])
    x = randn(g["seed"] + 1, g["cin"], *g["size"])
    m = matrices.conv2d_matrix(w, g["size"], **conv_args(g))
    y = F.conv2d(x[None], w, **conv_args(g))
    assert m.shape == (y.numel(), x.numel())
    assert rel_error(m @ x.flatten(), y.flatten()) <= 1e-5


@FAST
@given(geometry(transposed=True))
def test_conv_transpose2d_matrix_matches_conv_transpose2d(g):
    w = randn(g["seed"], g["cin"], g["cout"], *g["kernel"])
    x = randn(g["seed"] + 1, g["cin"], *g["size"])
    m = matrices.conv_transpose2d_matrix(w, g["size"], output_padding=g["output_padding"], **conv_args(g))
    y = F.conv_transpose2d(x[None], w, output_padding=g["output_padding"], **conv_args(g))
    assert m.shape == (y.numel(), x.numel())
    assert rel_error(m @ x.flatten(), y.flatten()) <= 1e-5


@FAST
@given(geometry())
def test_conv2d_matrix_transpose_is_autograd_backward_and_conv_transpose(g):
    w = randn(g["seed"], g["cout"], g["cin"], *g["kernel"])
    x = randn(g["seed"] + 1, g["cin"], *g["size"]).requires_grad_()
    out = F.conv2d(x[None], w, **conv_args(g))
    upstream = randn(g["seed"] + 2, *out.shape)
    (grad,) = torch.autograd.grad(out, x, upstream)
    m = matrices.conv2d_matrix(w, g["size"], **conv_args(g))
    assert rel_error(m.T @ upstream.flatten(), grad.flatten()) <= 1e-5
    # The same matrix read as a transposed convolution from the output size back to the input size.
    out_size = tuple(out.shape[-2:])
    op = tuple(
        n - ((o - 1) * s - 2 * p + d * (k - 1) + 1)
        for n, o, k, s, p, d in zip(g["size"], out_size, g["kernel"], g["stride"], g["padding"], g["dilation"])
    )
    assume(all(0 <= v < s for v, s in zip(op, g["stride"])))
    t = matrices.conv_transpose2d_matrix(w, out_size, output_padding=op, **conv_args(g))
    assert torch.equal(t, m.T)


@FAST
@given(geometry(transposed=True))
def test_explicit_transpose_views_match_torch(g):
    w = randn(g["seed"], g["cin"], g["cout"], *g["kernel"])
    x = randn(g["seed"] + 1, 2, g["cin"], *g["size"])
    args = dict(output_padding=g["output_padding"], **conv_args(g))
    y = F.conv_transpose2d(x, w, **args)
    assert rel_error(matrices.transpose_by_scatter(x, w, **args), y) <= 1e-5
    assert rel_error(matrices.transpose_by_zero_insertion(x, w, **args), y) <= 1e-5


@settings(max_examples=40, deadline=None)
@given(geometry(), st.integers(16, 300))
def test_operator_matrix_of_conv2d_equals_conv2d_matrix(g, chunk_size):
    # float32: torch's float64 dilated convolution is very slow on big batches, and every column of this
    # matrix is a single weight value, so float32 is exact anyway.
    w = randn(g["seed"], g["cout"], g["cin"], *g["kernel"]).float()
    shape = (g["cin"], *g["size"])
    m = matrices.operator_matrix(
        lambda b: F.conv2d(b, w, **conv_args(g)), shape, dtype=torch.float32, chunk_size=chunk_size
    )
    assert rel_error(m, matrices.conv2d_matrix(w, g["size"], **conv_args(g))) <= 1e-6


def test_operator_matrix_takes_dtype_from_a_module():
    conv = torch.nn.Conv2d(2, 3, 3, padding=1, bias=False)
    m = matrices.operator_matrix(conv, (2, 5, 5))
    assert m.dtype == torch.float32 and m.shape == (75, 50)
    assert torch.allclose(m, matrices.conv2d_matrix(conv.weight.detach(), 5, padding=1), atol=1e-6)


def test_operator_matrix_refuses_bias_and_nonlinear_maps():
    with pytest.raises(ValueError, match=r"not linear.*bias"):
        matrices.operator_matrix(torch.nn.Conv2d(1, 1, 3), (1, 4, 4))
    with pytest.raises(ValueError, match="not linear"):
        matrices.operator_matrix(torch.relu, (1, 4, 4))
    with pytest.raises(ValueError, match="batch"):
        matrices.operator_matrix(lambda b: b.sum(), (3,))
    with pytest.raises(TypeError, match="fn must be callable"):
        matrices.operator_matrix(3, (3,))
    with pytest.raises(ValueError, match="input_shape"):
        matrices.operator_matrix(lambda b: b, (3, 0))


@FAST
@given(geometry(transposed=True))
def test_output_size_formulas_match_torch(g):
    x = torch.zeros(1, 1, *g["size"])
    y = F.conv_transpose2d(x, torch.zeros(1, 1, *g["kernel"]), output_padding=g["output_padding"], **conv_args(g))
    got = matrices.conv_transpose_output_size(
        g["size"], g["kernel"], output_padding=g["output_padding"], **conv_args(g)
    )
    assert got == tuple(y.shape[-2:])
    size, k, s, p, d = (g[key][0] for key in ("size", "kernel", "stride", "padding", "dilation"))
    if size + 2 * p >= d * (k - 1) + 1:
        y = F.conv1d(torch.zeros(1, 1, size), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d)
        assert matrices.conv_output_size(size, k, s, p, d) == y.shape[-1]
        assert size in matrices.conv_input_sizes(y.shape[-1], k, s, p, d)


def test_output_sizes_are_int_or_tuple_like_their_arguments():
    assert matrices.conv_output_size(8, 3, 2, 1) == 4
    assert matrices.conv_output_size((8, 6), 3, 2, 1) == (4, 3)
    assert matrices.conv_output_size(8, 3, stride=(2, 1), padding=1) == (4, 8)
    assert matrices.conv_transpose_output_size(4, 3, 2, 1, 1) == 8
    assert matrices.conv_transpose_output_size(4, (3, 4), 2, 1) == (7, 8)
    assert matrices.conv_input_sizes(4, 3, 2, 1) == [7, 8]


def test_small_example_is_the_textbook_matrix():
    w = torch.arange(1.0, 10.0).view(1, 1, 3, 3)
    m = matrices.conv2d_matrix(w, 4)
    assert m.shape == (4, 16)
    assert m[0].tolist() == [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0]
    assert m[3].tolist() == [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9]


def test_matrix_is_differentiable_in_the_weight():
    w = torch.randn(2, 1, 3, 3, dtype=DT, requires_grad=True)
    matrices.conv2d_matrix(w, 5, padding=1).sum().backward()
    assert w.grad is not None and w.grad.shape == w.shape


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (
            lambda: matrices.conv2d_matrix(torch.ones(3, 3), (4, 4)),
            ValueError,
            r"weight must be 4D \(Cout, Cin, kH, kW\), got shape \(3, 3\)",
        ),
        (lambda: matrices.conv2d_matrix([[1.0]], 4), TypeError, "weight must be a torch.Tensor"),
        (
            lambda: matrices.conv_transpose2d_matrix(torch.ones(3), 4),
            ValueError,
            r"weight must be 4D \(Cin, Cout, kH, kW\)",
        ),
        (
            lambda: matrices.conv2d_matrix(torch.ones(1, 1, 3, 3), (4, 4), stride=0),
            ValueError,
            "stride must be an int >= 1, got 0",
        ),
        (
            lambda: matrices.conv2d_matrix(torch.ones(1, 1, 3, 3), (4, 4), padding=-1),
            ValueError,
            "padding must be an int >= 0, got -1",
        ),
        (lambda: matrices.conv2d_matrix(torch.ones(1, 1, 3, 3), (4, 4), dilation=0), ValueError, "dilation"),
        (
            lambda: matrices.conv2d_matrix(torch.ones(1, 1, 3, 3), (0, 4)),
            ValueError,
            "input_size must be an int >= 1, got 0",
        ),
        (
            lambda: matrices.conv2d_matrix(torch.ones(1, 1, 3, 3), (4, 4, 4)),
            ValueError,
            "input_size must be an int or a pair",
        ),
        (lambda: matrices.conv2d_matrix(torch.ones(1, 1, 3, 3), 2.5), TypeError, "input_size must be an int"),
        (
            lambda: matrices.conv2d_matrix(torch.ones(1, 1, 5, 5), (3, 3)),
            ValueError,
            r"output size would be -1x-1 \(< 1\)",
        ),
        (lambda: matrices.conv_output_size(4, 0), ValueError, "kernel_size must be an int >= 1, got 0"),
        (lambda: matrices.conv_output_size(4, 3, stride=(1, 0)), ValueError, "stride must be an int >= 1, got 0"),
        (lambda: matrices.conv_output_size(True, 3), TypeError, "input_size must be an int"),
        (
            lambda: matrices.conv_transpose_output_size(4, 3, 2, 1, output_padding=2),
            ValueError,
            r"output_padding must be smaller than max\(stride, dilation\) = 2",
        ),
        (lambda: matrices.conv_transpose_output_size(1, 1, 1, padding=1), ValueError, "padding=1 is too large"),
        (
            lambda: matrices.conv_transpose2d_matrix(torch.ones(1, 1, 3, 3), 4, stride=2, output_padding=(0, 3)),
            ValueError,
            "output_padding",
        ),
        (lambda: matrices.conv_input_sizes(0, 3), ValueError, "output_size must be an int >= 1, got 0"),
        (
            lambda: matrices.transpose_by_scatter(torch.ones(1, 2, 3, 3), torch.ones(1, 1, 3, 3)),
            ValueError,
            "x has 2 channels",
        ),
        (
            lambda: matrices.transpose_by_zero_insertion(torch.ones(2, 3, 3), torch.ones(1, 1, 3, 3)),
            ValueError,
            r"x must be 4D \(N, Cin, H, W\)",
        ),
    ],
)
def test_bad_arguments_get_messages_naming_them(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_zero_insert_grid_of_the_deconv3_layer():
    """k3, s2, p1, output_padding 1 on a 2x2 input: the convolution scans a 6x6 grid holding 4 input values."""
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], dtype=DT)
    grid = matrices.zero_insert(x, 3, stride=2, padding=1, output_padding=1)
    assert grid.shape == (1, 1, 6, 6)
    assert torch.count_nonzero(grid) == 4
    assert grid[0, 0, 1:4:2, 1:4:2].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    # without padding: 2 zeros of padding on each side of the 3x3 spread input
    grid = matrices.zero_insert(x, 3, stride=2)
    assert grid.shape == (1, 1, 7, 7) and grid[0, 0, 2:5:2, 2:5:2].tolist() == [[1.0, 2.0], [3.0, 4.0]]
    # padding larger than d(k-1) crops the spread input instead
    assert matrices.zero_insert(x, 1, stride=3, padding=1).shape == (1, 1, 2, 2)


@FAST
@given(geometry(transposed=True))
def test_convolving_the_zero_inserted_grid_is_the_transposed_convolution(g):
    torch.manual_seed(g["seed"])
    w = torch.randn(g["cin"], g["cout"], *g["kernel"], dtype=DT)
    x = torch.randn(2, g["cin"], *g["size"], dtype=DT)
    args = dict(stride=g["stride"], padding=g["padding"], output_padding=g["output_padding"], dilation=g["dilation"])
    grid = matrices.zero_insert(x, g["kernel"], **args)
    out = F.conv2d(grid, w.transpose(0, 1).flip(-2, -1), dilation=g["dilation"])
    assert rel_error(out, F.conv_transpose2d(x, w, **args)) < 1e-12
    assert torch.count_nonzero(grid) <= torch.count_nonzero(x)  # inputs (some cropped when p > d(k-1)), zeros


def test_zero_insert_errors_name_the_argument():
    with pytest.raises(ValueError, match="x must be 4D"):
        matrices.zero_insert(torch.ones(2, 2), 3)
    with pytest.raises(ValueError, match="output_padding"):
        matrices.zero_insert(torch.ones(1, 1, 2, 2), 3, stride=2, output_padding=2)
    with pytest.raises(TypeError, match="kernel_size"):
        matrices.zero_insert(torch.ones(1, 1, 2, 2), 2.5)
    with pytest.raises(ValueError, match="padding"):
        matrices.zero_insert(torch.ones(1, 1, 1, 1), 1, padding=3)
