import random
import time

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


@pytest.mark.parametrize("cuda,expected", [(True, "full"), (False, "quick")])
def test_profile_default_follows_cuda(monkeypatch, cuda, expected):
    monkeypatch.delenv("TUTORIAL_PROFILE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    assert runtime.profile() == expected


@pytest.mark.parametrize("cuda,mps,expected", [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")])
def test_device_preference(monkeypatch, cuda, mps, expected):
    monkeypatch.delenv("TUTORIAL_DEVICE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert runtime.get_device() == torch.device(expected)


def test_seed_everything_requests_deterministic_algorithms():
    try:
        runtime.seed_everything(0, deterministic=False)
        assert not torch.are_deterministic_algorithms_enabled()
        runtime.seed_everything(0)
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.backends.cudnn.deterministic and not torch.backends.cudnn.benchmark
    finally:
        torch.use_deterministic_algorithms(False)


def test_seed_everything_turns_tf32_off():
    """cuDNN convolutions default to TF32 in recent torch (a CPU build reports the same flags): seeding for a
    deterministic run asks for full float32 in convolutions and matrix products."""
    conv, matmul = torch.backends.cudnn.conv, torch.backends.cuda.matmul
    before = conv.fp32_precision, matmul.fp32_precision, torch.backends.cudnn.rnn.fp32_precision
    try:
        conv.fp32_precision = matmul.fp32_precision = "tf32"
        runtime.seed_everything(0, deterministic=False)
        assert (conv.fp32_precision, matmul.fp32_precision) == ("tf32", "tf32")  # left alone
        runtime.seed_everything(0)
        assert (conv.fp32_precision, matmul.fp32_precision) == ("ieee", "ieee")
        assert torch.backends.cudnn.rnn.fp32_precision == "ieee"
    finally:
        conv.fp32_precision, matmul.fp32_precision, torch.backends.cudnn.rnn.fp32_precision = before
        torch.use_deterministic_algorithms(False)


def test_full_fp32_falls_back_to_the_legacy_flags(monkeypatch):
    """On torch < 2.9 (no fp32_precision flags) the legacy allow_tf32 switches are turned off."""
    import types

    fake = types.SimpleNamespace(
        cuda=types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=True)),
        cudnn=types.SimpleNamespace(allow_tf32=True),
    )
    monkeypatch.setattr(torch, "backends", fake)
    runtime.full_fp32()
    assert fake.cuda.matmul.allow_tf32 is False and fake.cudnn.allow_tf32 is False


def test_same_scores_in_a_fresh_process():
    """A chapter's scoring (chapter 05's step-0 table for one generator) twice, in two fresh interpreters: the
    same numbers to the last digit. One thread each, as nbval runs the chapters: with several, a loaded machine
    (CI's, with the other test workers) may split a sum differently from one run to the next, which says
    nothing about the seeding this checks."""
    import os
    import subprocess
    import sys

    env = os.environ | {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

    script = (
        "from tutorial_utils import metrics, runtime, training\n"
        "runtime.seed_everything(0)\n"
        "config = training.GANConfig(variant='deconv_last', image_size=16, width=8, eval_size=16)\n"
        "x = training.initial_samples(config)\n"
        "print(repr(metrics.checkerboard_score(x, 2)), repr(metrics.checkerboard_score(x, 4)))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and float(runs[0].split()[0]) > 0.05, runs


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


def test_progress_redraws_a_long_bar_at_most_twenty_times(monkeypatch):
    """A training cell's progress bar must not flood the kernel's output channel (nbval reads it only once
    the cell ends, and its client drops messages past 1,000): at most REDRAWS redraws per bar, however long."""
    import io

    from tqdm import tqdm

    monkeypatch.setattr("tqdm.auto.tqdm", tqdm)  # the terminal bar, writing to a buffer we can count
    for steps in (1, 7, 1500, 100_000):
        bar = runtime.progress(range(steps), "x")
        bar.fp, bar.mininterval = io.StringIO(), 0  # count redraws, not seconds
        draws = []

        def counted(*args, refresh=bar.refresh, draws=draws, **kwargs):
            draws.append(1)
            return refresh(*args, **kwargs)

        bar.refresh = counted
        assert sum(1 for _ in bar) == steps  # it yields every step
        assert 1 <= len(draws) <= runtime.REDRAWS, (steps, len(draws))
        if steps >= runtime.REDRAWS:
            assert len(draws) >= runtime.REDRAWS // 2, (steps, len(draws))  # and it still moves
    # Slow steps: tqdm's monitor thread finds a bar that has not redrawn for maxinterval and drops its miniters
    # to 1 for good, and a long full-profile run then redraws every second. Not ours.
    from tqdm._monitor import TMonitor

    bar = runtime.progress(range(1500), "slow")
    bar.fp = io.StringIO()
    bar.last_print_t -= 3600  # an hour since the last redraw
    monitor = TMonitor(type(bar), 0.01)
    try:
        time.sleep(0.3)  # the monitor wakes every 0.01 s
    finally:
        monitor.exit()
    assert bar.miniters == 1500 // runtime.REDRAWS, bar.miniters
    bar.close()
    by_hand = runtime.progress(50, "y", enabled=False)
    assert by_hand.total == 50 and by_hand.disable
    by_hand.update(50)
    by_hand.close()
