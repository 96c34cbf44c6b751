"""The one check mechanism (``_checks.checked`` and its rules): arguments are replaced by what their rules return,
in the order the rules are given, so a rule over several arguments sees the ones before it already checked."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import pytest

from tutorial_utils._checks import (
    MAX_ELEMENTS,
    as_float,
    as_int,
    check_fields,
    checked,
    int_at_least,
    int_or_pair,
    pair_at_least,
    sees_arguments,
    within_memory,
)


@sees_arguments
def below_period(name, value, arguments):
    if as_int(name, value, 0) >= arguments["period"]:
        raise ValueError(f"{name} must be below period={arguments['period']}, got {value}")
    return value


@checked(period=int_at_least(1), phase=below_period, size=pair_at_least(1))
def phases(size, period=2, phase=0):
    """Doc."""
    return size, period, phase


def test_rules_replace_arguments_and_see_the_ones_checked_before():
    assert phases(3, phase=1) == ((3, 3), 2, 1)
    with pytest.raises(ValueError, match="phase must be below period=2, got 2"):
        phases(3, phase=2)
    with pytest.raises(TypeError, match="period must be an int"):
        phases(3, period="2")  # period is checked before the phase rule reads it


def test_the_decorated_function_keeps_its_signature_and_source():
    assert list(inspect.signature(phases).parameters) == ["size", "period", "phase"]
    assert inspect.getsource(phases).startswith("@checked(period=int_at_least(1)")
    with pytest.raises(TypeError, match="no parameters"):
        checked(stride=int_at_least(1))(lambda size: size)


def test_check_fields_checks_and_replaces_the_fields_of_a_frozen_record():
    @dataclass(frozen=True)
    class Cut:
        period: int
        phase: int
        level: float

        def __post_init__(self):
            check_fields(self, period=int_at_least(1), phase=below_period, level=as_float)

    assert Cut(4, 3, 1).level == 1.0 and isinstance(Cut(4, 3, 1).level, float)
    with pytest.raises(ValueError, match="phase must be below period=4"):
        Cut(4, 4, 0.0)


def test_within_memory_names_the_arguments_that_ask_for_too_much():
    @checked(n=int_at_least(1), size=within_memory(int_at_least(1), lambda n, size: n * size * size))
    def images(n, size):
        return n * size * size

    assert images(2, 3) == 18
    with pytest.raises(ValueError, match=f"n=1000, size=1000000 would allocate .* more than the {MAX_ELEMENTS:,}"):
        images(1000, 10**6)


def test_int_or_pair_makes_every_size_a_pair_when_one_is():
    @checked(kernel_size=int_or_pair("kernel_size", "stride"), stride=int_or_pair("kernel_size", "stride"))
    def sizes(kernel_size, stride):
        return kernel_size, stride

    assert sizes(3, 2) == (3, 2)
    assert sizes(3, (2, 1)) == ((3, 3), (2, 1))
    with pytest.raises(ValueError, match="stride"):
        sizes((3, 3), (2, 0))
