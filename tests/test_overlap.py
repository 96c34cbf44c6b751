"""Overlap counts, checked against torch's transposed convolutions of all-ones inputs and kernels."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_utils import overlap

FAST = settings(max_examples=80, deadline=None)
small = st.integers(1, 7)


def torch_counts_1d(k: int, s: int, n: int) -> np.ndarray:
    y = F.conv_transpose1d(torch.ones(1, 1, n, dtype=torch.float64), torch.ones(1, 1, k, dtype=torch.float64), stride=s)
    return y[0, 0].round().long().numpy()


def test_documented_example():
    counts = overlap.overlap_counts(3, 2, 8)
    assert counts.dtype == np.int64 and counts.shape == (17,)
    assert counts.tolist() == [1, 1] + [2, 1] * 7 + [1]


@FAST
@given(small, small, st.integers(1, 12))
def test_counts_match_conv_transpose1d_of_ones(k, s, n):
    counts = overlap.overlap_counts(k, s, n)
    assert counts.shape == ((n - 1) * s + k,)
    assert np.array_equal(counts, torch_counts_1d(k, s, n))
    assert counts.sum() == n * k  # every input paints exactly k outputs


@FAST
@given(small, small, small, small, st.integers(1, 6), st.integers(1, 6))
def test_2d_counts_are_the_outer_product_and_match_conv_transpose2d(kh, kw, sh, sw, nh, nw):
    counts = overlap.overlap_counts((kh, kw), (sh, sw), (nh, nw))
    ones = torch.ones(1, 1, nh, nw, dtype=torch.float64)
    expected = F.conv_transpose2d(ones, torch.ones(1, 1, kh, kw, dtype=torch.float64), stride=(sh, sw))
    assert np.array_equal(counts, expected[0, 0].round().long().numpy())
    assert np.array_equal(counts, np.outer(overlap.overlap_counts(kh, sh, nh), overlap.overlap_counts(kw, sw, nw)))


def test_a_pair_in_any_argument_gives_2d():
    assert overlap.overlap_counts(3, (2, 2), 4).shape == (9, 9)
    assert overlap.overlap_counts(3, 2, (4, 5)).shape == (9, 11)


@FAST
@given(small, small)
def test_unevenness_and_the_even_overlap_rule(k, s):
    ratio = overlap.unevenness(k, s)
    expected = math.ceil(k / s) / (k // s) if k >= s else math.inf
    assert ratio == expected
    assert (ratio == 1.0) == overlap.is_even_overlap(k, s) == (k % s == 0)
    assert overlap.unevenness((k, k), (s, s)) == ratio**2


def test_steady_state_and_table():
    assert overlap.steady_state(3, 2).tolist() == [2, 1]
    assert overlap.steady_state(3, 2, periods=3).tolist() == [2, 1] * 3
    assert overlap.steady_state(3, (2, 2)).tolist() == [[4, 2], [2, 1]]
    table = overlap.unevenness_table(range(1, 7), range(1, 7))
    assert table.shape == (6, 6) and table[2, 1] == 2.0 and np.isinf(table[0, 1])


@FAST
@given(st.lists(st.tuples(small, st.integers(1, 3)), min_size=1, max_size=3), st.integers(1, 8))
def test_stacked_overlap_matches_torch_stack(layers, n):
    ks, ss = [k for k, _ in layers], [s for _, s in layers]
    y = torch.ones(1, 1, n, dtype=torch.float64)
    for k, s in layers:
        y = F.conv_transpose1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s)
    assert np.array_equal(overlap.stacked_overlap(ks, ss, n), y[0, 0].round().long().numpy())
    kernel, stride = overlap.effective_kernel(ks, ss)
    assert stride == math.prod(ss)
    assert np.array_equal(overlap.stacked_overlap(ks, ss, n), _single(kernel, stride, n))  # one equivalent layer
    period = overlap.stacked_steady_state(ks, ss, periods=3)
    assert np.array_equal(period[:stride], period[stride : 2 * stride])


def _single(kernel: np.ndarray, stride: int, n: int) -> np.ndarray:
    y = F.conv_transpose1d(
        torch.ones(1, 1, n, dtype=torch.float64), torch.tensor(kernel, dtype=torch.float64)[None, None], stride=stride
    )
    return y[0, 0].round().long().numpy()


def test_two_k3_s2_layers_have_period_4():
    assert overlap.smallest_period(overlap.stacked_steady_state([3], [2], periods=4)) == 2
    assert overlap.smallest_period(overlap.stacked_steady_state([3, 3], [2, 2], periods=4)) == 4
    assert overlap.stacked_overlap([3, 3], [2, 2], (3, 3)).shape == (15, 15)  # 3 -> 7 -> 15


def test_smallest_period_and_spectrum():
    assert overlap.smallest_period([1, 2, 1, 2, 1]) == 2
    assert overlap.smallest_period([5, 5, 5]) == 1
    assert overlap.smallest_period([1, 2, 3]) == 3
    freqs, mags = overlap.spectrum([2, 1] * 4)
    assert freqs[-1] == 0.5 and mags[0] == 1.5 and mags[-1] == 0.5 and np.allclose(mags[1:-1], 0)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: overlap.overlap_counts(3, 0, 8), ValueError, "stride must be an int >= 1, got 0"),
        (lambda: overlap.overlap_counts(0, 2, 8), ValueError, "kernel_size must be an int >= 1, got 0"),
        (lambda: overlap.overlap_counts(3, 2, 0), ValueError, "input_size must be an int >= 1, got 0"),
        (lambda: overlap.overlap_counts(3, 2.0, 8), TypeError, "stride must be an int"),
        (lambda: overlap.overlap_counts(3, (2, 0), 8), ValueError, "stride"),
        (lambda: overlap.overlap_counts(3, (2, 2, 2), 8), ValueError, "stride must be an int or a pair"),
        (lambda: overlap.unevenness(3, 0), ValueError, "stride"),
        (lambda: overlap.is_even_overlap(3, -1), ValueError, "stride"),
        (lambda: overlap.stacked_overlap([3, 3], [2], 4), ValueError, "one stride per kernel size"),
        (lambda: overlap.stacked_overlap(3, 2, 4), TypeError, "kernel_sizes must be a sequence of ints"),
        (lambda: overlap.stacked_overlap([3], [0], 4), ValueError, "strides must be an int >= 1, got 0"),
        (lambda: overlap.stacked_steady_state([3], [2], periods=0), ValueError, "periods"),
        (lambda: overlap.smallest_period([]), ValueError, "values must be a non-empty 1D"),
        (lambda: overlap.spectrum([[1, 2]]), ValueError, "values must be a non-empty 1D"),
    ],
)
def test_bad_arguments_get_messages_naming_them(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


@FAST
@given(st.lists(st.tuples(small, st.integers(1, 3)), min_size=1, max_size=2), st.integers(1, 5))
def test_torch_cross_check_agrees_in_1d_and_2d(layers, n):
    ks, ss = [k for k, _ in layers], [s for _, s in layers]
    assert np.array_equal(overlap.torch_overlap(ks, ss, n), overlap.stacked_overlap(ks, ss, n))
    assert np.array_equal(overlap.torch_overlap(ks, ss, (n, n + 1)), overlap.stacked_overlap(ks, ss, (n, n + 1)))
