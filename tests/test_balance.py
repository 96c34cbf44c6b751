"""The balance condition: phase sums, the constraint matrix and its null space, the unbalanced share."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tutorial_utils import balance
from tutorial_utils.upsampling import fold_kernel, fold_matrix

SETTINGS = settings(deadline=None, max_examples=40, derandomize=True)


@SETTINGS
@given(k=st.integers(1, 7), s=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_balanced_kernels_give_flat_transposed_convolutions(k, s, seed):
    """Project a random kernel onto the null space of the constraints: a constant input then gives a constant
    output away from the borders, and the phase sums agree."""
    torch.manual_seed(seed)
    a = balance.balance_constraints(k, s)
    assert a.shape == (s - 1, k)
    w = torch.randn(k, dtype=torch.float64)
    balanced = w - torch.linalg.pinv(a) @ (a @ w)
    sums = balance.phase_sums(balanced, s)
    assert torch.allclose(sums, sums[:1].expand_as(sums), atol=1e-10)
    out = F.conv_transpose1d(torch.ones(1, 1, 12, dtype=torch.float64), balanced.view(1, 1, k), stride=s)[0, 0]
    interior = out[k : len(out) - k]
    assert torch.allclose(interior, interior[:1].expand_as(interior), atol=1e-10)
    if k >= s:
        assert int(torch.linalg.matrix_rank(a)) == s - 1


@pytest.mark.parametrize("k,s", [(3, 2), (4, 2), (5, 3), (4, 3)])
def test_balance_constraints_2d(k, s):
    a = balance.balance_constraints((k, k), s)
    assert a.shape == (s * s - 1, k * k)
    assert int(torch.linalg.matrix_rank(a)) == s * s - 1
    torch.manual_seed(0)
    w = torch.randn(k, k, dtype=torch.float64)
    sums = balance.phase_sums(w, s)
    assert torch.allclose(a @ w.flatten(), (sums.flatten() - sums.flatten()[0])[1:])
    # a transposed convolution of a constant is c times the phase sums (as a set), away from the borders
    out = F.conv_transpose2d(torch.full((1, 1, 6, 6), 2.0, dtype=torch.float64), w.view(1, 1, k, k), stride=s)
    interior = out[0, 0, k : k + s, k : k + s]
    assert torch.allclose(interior.flatten().sort().values, (2 * sums).flatten().sort().values)


def test_phase_sums_examples_and_errors():
    assert torch.equal(balance.phase_sums(torch.tensor([0.5, 1.0, 0.5]), 2), torch.tensor([1.0, 1.0]))
    assert torch.equal(balance.phase_sums(torch.tensor([1.0, 1.0, 2.0, 1.0]), 2), torch.tensor([3.0, 2.0]))
    assert torch.equal(balance.phase_sums(torch.ones(3, 3), 2), torch.tensor([[4.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="kernel"):
        balance.phase_sums(torch.ones(2, 2, 2), 2)
    with pytest.raises(ValueError, match="stride"):
        balance.phase_sums(torch.ones(3), 0)
    with pytest.raises(ValueError, match="stride"):
        balance.balance_constraints(3, 0)


def test_folded_kernels_are_balanced():
    """Nearest resize-convolution, seen as a transposed convolution, always satisfies the balance condition;
    in 1D the folded kernels are exactly the balanced ones."""
    for k, s in [(1, 2), (3, 2), (3, 3), (5, 2)]:
        fold = fold_matrix(k, s).double()
        a = balance.balance_constraints(k + s - 1, s)
        assert torch.allclose(a @ fold, torch.zeros(s - 1, k, dtype=torch.float64))
        assert int(torch.linalg.matrix_rank(fold)) == k == (k + s - 1) - (s - 1)
    torch.manual_seed(0)
    folded = fold_kernel(torch.randn(1, 1, 3, 3, dtype=torch.float64), 2)[0, 0]
    sums = balance.phase_sums(folded, 2)
    assert torch.allclose(sums, sums[0, 0].expand_as(sums))


def test_unbalanced_share():
    torch.manual_seed(0)
    w = torch.randn(200, 100, 3, 3)
    share = balance.unbalanced_share(w, 2)
    assert share.shape == (200, 100)
    assert float(share.mean()) == pytest.approx(3 / 9, abs=0.01)
    light_dark_light = torch.tensor([0.5, 1.0, 0.5])
    assert float(balance.unbalanced_share(torch.outer(light_dark_light, light_dark_light))) < 1e-12
    assert float(balance.unbalanced_share(torch.ones(3, 3))) > 0.01
    folded = fold_kernel(torch.randn(2, 2, 3, 3), 2)
    assert float(balance.unbalanced_share(folded).max()) < 1e-10
    with pytest.raises(ValueError, match="weight"):
        balance.unbalanced_share(torch.ones(3))


@pytest.mark.parametrize("k", [3, 4])
def test_expected_unbalanced_share_is_exact_for_uniform_entries(k):
    """For i.i.d. entries symmetric about zero (PyTorch's uniform init), E[share] = (s² - 1)/k² exactly: sign flips
    and permutations leave the distribution unchanged, so E[w_i w_j / |w|²] = δ_ij / k². Uniform and a skewed but
    symmetric distribution both hit it within a few standard errors; a non-zero mean does not."""
    gen = torch.Generator().manual_seed(0)
    n = 200_000
    uniform = torch.rand(n, k, k, generator=gen, dtype=torch.float64) * 2 - 1
    signs = torch.randint(0, 2, (n, k, k), generator=gen).double() * 2 - 1
    heavy = signs * torch.rand(n, k, k, generator=gen, dtype=torch.float64) ** 4  # symmetric, far from Gaussian
    for w in (uniform, heavy):
        share = balance.unbalanced_share(w, 2)
        stderr = float(share.std()) / n**0.5
        assert abs(float(share.mean()) - 3 / k**2) < 4 * stderr
    shifted = balance.unbalanced_share(uniform + 1, 2)  # i.i.d. but not centred: no longer (s² - 1)/k²
    assert abs(float(shifted.mean()) - 3 / k**2) > 0.05
