import random

import numpy as np
import pytest
import torch

from tutorial_utils import runtime


def test_seed_everything_repeats_all_generators():
    def draw():
        return random.random(), np.random.rand(), torch.rand(1).item()

    runtime.seed_everything(123)
    first = draw()
    runtime.seed_everything(123)
    assert draw() == first
    runtime.seed_everything(124)
    assert draw() != first


@pytest.mark.parametrize("bad", [-1, 2**32])
def test_seed_out_of_range(bad):
    with pytest.raises(ValueError, match="seed"):
        runtime.seed_everything(bad)


@pytest.mark.parametrize("bad", [1.5, "3", True])
def test_seed_wrong_type(bad):
    with pytest.raises(TypeError, match="seed"):
        runtime.seed_everything(bad)


def test_profile_default_follows_cuda(monkeypatch):
    monkeypatch.delenv("TUTORIAL_PROFILE", raising=False)
    assert runtime.profile() == ("full" if torch.cuda.is_available() else "quick")


@pytest.mark.parametrize("value", ["quick", "full", " FULL "])
def test_profile_override(monkeypatch, value):
    monkeypatch.setenv("TUTORIAL_PROFILE", value)
    assert runtime.profile() == value.strip().lower()
    assert runtime.pick("q", "f") == value.strip().lower()[0]


def test_profile_rejects_unknown(monkeypatch):
    monkeypatch.setenv("TUTORIAL_PROFILE", "fast")
    with pytest.raises(ValueError, match="TUTORIAL_PROFILE"):
        runtime.profile()


def test_device_override(monkeypatch):
    monkeypatch.setenv("TUTORIAL_DEVICE", "cpu")
    assert runtime.get_device() == torch.device("cpu")
    monkeypatch.setenv("TUTORIAL_DEVICE", "not-a-device")
    with pytest.raises(ValueError, match="TUTORIAL_DEVICE"):
        runtime.get_device()


def test_describe_names_profile_and_device(monkeypatch):
    monkeypatch.setenv("TUTORIAL_PROFILE", "quick")
    monkeypatch.setenv("TUTORIAL_DEVICE", "cpu")
    line = runtime.describe()
    assert "profile='quick'" in line and "device=cpu" in line
