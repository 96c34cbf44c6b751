"""Training: one small loop, :func:`fit`, for every model trained towards targets, and a GAN loop with its own step.

:func:`fit` is Adam on minibatches drawn by a seeded generator, in the spirit of nanoGPT's training loop. The
transformation network (chapter 06), the classifier (chapters 05 and 09) and the audio upsamplers (chapter 08)
are short calls of it, and :func:`apply` runs a model over many images. A GAN (chapters 05, 07 and 10) trains two
models against each other, so it keeps its own step (:func:`train_gan`). Its defaults are DCGAN's recipe
(Radford et al. 2015): Adam with betas (0.5, 0.999), the non-saturating generator loss, BatchNorm in the
generator running on batch statistics. :class:`GANConfig` also offers the recipe that keeps a small GAN from
collapsing (chapter 05, :func:`digit_gan`): a spectrally normalised discriminator, the hinge loss, a faster
discriminator and an exponential moving average of the generator's weights for sampling.

Everything random (model weights, noise, the order in which examples are drawn) comes from explicit seeds, so
one seed gives one run. Arguments are checked once, at the door (``@checked``); the training steps trust them.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from . import downsampling, metrics, models, runtime
from ._checks import (
    as_batch,
    as_bool,
    as_callable,
    as_device,
    as_float,
    as_images,
    as_module,
    as_str,
    checked,
    float_above,
    int_at_least,
    module_of,
    one_of,
    optional,
    tensor_of,
)
from .losses import SPECTRAL_FORMS, SpectralLoss

BN_MODES = ("train", "eval")
LOSSES = ("dcgan", "hinge")  # GAN losses: DCGAN's non-saturating cross-entropy, or the hinge loss
SERIES = ("score2", "score4", "grad2", "loss_d", "loss_g", "loss")  # what History.late_mean averages

# Rules for @checked that the loops share: each takes (name, value) and returns the value to use.
COUNT, SIZE, RATE = int_at_least(0), int_at_least(1), float_above(0)  # steps and seeds; batch sizes; learning rates
FIT = dict(lr=RATE, batch_size=SIZE, seed=COUNT)  # Adam's learning rate, the minibatch size, the seed of the draws
SHOW = dict(device=as_device, progress=as_bool, desc=optional(as_str))  # where a loop runs; its progress bar
GENERATOR = module_of(models.Generator)


def _loss(name: str, value) -> Callable:
    """Rule: a loss, called as ``loss(outputs, targets)``."""
    return as_callable(name, value, "a function of (outputs, targets) returning a scalar tensor")


@checked(build=lambda name, value: as_callable(name, value, "no arguments, returning the model"), seed=COUNT)
def seeded(build, seed: int):
    """Call ``build()`` with torch's global generator seeded to ``seed`` and restored afterwards.

    Module constructors draw their initial weights from the global generator and take no ``generator``
    argument; this makes a model's initialisation depend on ``seed`` alone, not on what ran before.
    """
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


# --- one loop for everything trained towards targets ------------------------------------------------------------


def _check_pairs(inputs: torch.Tensor, targets: torch.Tensor) -> None:
    """Refuse inputs and targets that do not pair up one to one."""
    if len(targets) != len(inputs):
        raise ValueError(f"inputs and targets must pair up, got {len(inputs)} inputs and {len(targets)} targets")


@checked(model=as_module, inputs=as_batch, targets=as_batch, loss_fn=_loss, callback=optional(as_callable))
@checked(steps=COUNT, **FIT, **SHOW)
def fit(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    steps: int,
    lr: float,
    batch_size: int = 64,
    seed: int = 0,
    device=None,
    progress: bool = True,
    desc: str | None = None,
    callback: Callable[[int], None] | None = None,
) -> list[float]:
    """Train ``model`` in place with Adam at ``lr`` so that ``loss_fn(model(x), y)`` falls, on ``steps``
    minibatches of ``batch_size`` pairs (x, y) of ``inputs`` and ``targets`` drawn with ``seed``; returns the loss
    of every step. ``callback(step)``, if given, runs after each update (e.g. to evaluate now and then).

    It trains on ``device`` (default: where the model is). The draws come from a CPU generator, so a run is the
    same on every device.
    """
    _check_pairs(inputs, targets)
    device = device if device is not None else next(model.parameters()).device
    model.to(device).train()
    inputs, targets = inputs.to(device), targets.to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    draws = torch.Generator().manual_seed(seed)
    losses = []
    for step in runtime.progress(range(1, steps + 1), desc, progress):
        idx = torch.randint(len(inputs), (batch_size,), generator=draws).to(device)
        loss = loss_fn(model(inputs[idx]), targets[idx])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
        if callback is not None:
            callback(step)
    return losses


@torch.no_grad()
@checked(model=as_module, images=as_images, batch_size=SIZE)
def apply(model: nn.Module, images: torch.Tensor, batch_size: int = 64) -> torch.Tensor:
    """``model``'s outputs for ``images`` (N, C, H, W), computed in batches in eval mode without gradients and
    gathered on the CPU (so a large set fits the device); the model's train/eval mode is put back afterwards."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        batches = [model(images[i : i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)]
        return torch.cat(batches)
    finally:
        model.train(was_training)


# --- chapter 06: an image transformation network -----------------------------------------------------------------


@checked(net=as_module, inputs=as_images, targets=as_images, loss=_loss, eval_inputs=optional(as_images))
@checked(steps=COUNT, eval_every=SIZE, **FIT, **SHOW)
def train_transformer(
    net: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    loss,
    steps: int,
    batch_size: int = 8,
    lr: float = 1e-3,
    seed: int = 0,
    eval_inputs: torch.Tensor | None = None,
    eval_every: int = 50,
    device=None,
    progress: bool = True,
    desc: str | None = None,
) -> History:
    """Train ``net`` in place with :func:`fit` so that ``loss(net(inputs[i]), targets[i])`` falls; returns the
    :class:`History` (``loss``, and the scores of ``net``'s outputs for ``eval_inputs``).

    For a pixel loss ``targets`` are the wanted outputs and ``loss`` is e.g. ``F.mse_loss``; for a style loss
    ``targets`` are the inputs themselves (the content) and ``loss`` a
    :class:`~tutorial_utils.losses.StyleContentLoss`. ``eval_inputs`` (default: the first 32 inputs) are
    transformed and scored every ``eval_every`` steps, before the first update and after the last one.
    """
    _check_pairs(inputs, targets)
    device = device if device is not None else next(net.parameters()).device
    net.to(device).train()
    if isinstance(loss, nn.Module):
        loss.to(device)  # a style loss's features and Gram matrices
    eval_inputs = inputs[:32] if eval_inputs is None else eval_inputs
    history = History()

    def evaluate(step: int) -> None:
        if step % eval_every == 0 or step == steps:
            history._score(step, apply(net, eval_inputs, batch_size=32))

    evaluate(0)
    history.loss = fit(net, inputs, targets, loss, steps, lr, batch_size, seed, device, progress, desc, evaluate)
    history.step = list(range(1, steps + 1))
    return history


# --- chapters 05 and 09: an image classifier ---------------------------------------------------------------------


def _as_labels(labels, n: int) -> torch.Tensor:
    """``labels`` as an int64 tensor of ``n`` class indices >= 0."""
    if not isinstance(labels, torch.Tensor):
        try:
            labels = torch.as_tensor(labels)
        except Exception as err:  # re-raised with the argument's name
            raise TypeError(
                f"labels must be a tensor or array of {n} class indices, got {type(labels).__name__}"
            ) from err
    if labels.ndim != 1 or labels.shape[0] != n or labels.is_floating_point() or labels.dtype == torch.bool:
        raise ValueError(
            f"labels must be {n} integer class indices (one per image), got dtype {labels.dtype} shape "
            f"{tuple(labels.shape)}"
        )
    if n and int(labels.min()) < 0:
        raise ValueError(f"labels must be class indices >= 0, got {int(labels.min())}")
    return labels.long()


@checked(model=as_module, images=as_images, steps=COUNT, **FIT, **SHOW)
def train_classifier(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    steps: int,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
    device=None,
    progress: bool = True,
    desc: str | None = None,
) -> History:
    """Train ``model`` in place with :func:`fit` and the cross-entropy loss on ``images`` (N, C, H, W) and their
    ``labels`` (N,), then leave it in eval mode; returns the :class:`History` (its ``loss`` series). Class
    probabilities are then ``apply(model, images).softmax(dim=1)``."""
    labels = _as_labels(labels, len(images))
    losses = fit(model, images, labels, F.cross_entropy, steps, lr, batch_size, seed, device, progress, desc)
    model.eval()
    return History(step=list(range(1, steps + 1)), loss=losses)


# --- chapter 08: a 1D upsampler ----------------------------------------------------------------------------------


def _check_margin(targets: torch.Tensor, margin: int) -> None:
    if targets.shape[-1] <= 2 * margin:
        raise ValueError(f"margin must leave samples: 2 * margin < {targets.shape[-1]}, got margin={margin}")


@checked(model=as_module, inputs=tensor_of(3, "(N, C, T)"), targets=tensor_of(3, "(N, C, s*T)"), margin=COUNT)
@checked(steps=SIZE, **FIT)
def fit_upsampler(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    steps: int,
    margin: int = 64,
    batch_size: int = 16,
    lr: float = 2e-3,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` with :func:`fit` to map ``inputs`` (N, C, T) to ``targets`` (N, C, s·T) under the mean
    squared error, leaving out ``margin`` output samples at each border (where padding decides, not the
    layer); returns the loss of every step."""
    _check_margin(targets, margin)
    keep = slice(margin, targets.shape[-1] - margin)

    def loss(outputs: torch.Tensor, wanted: torch.Tensor) -> torch.Tensor:
        return (outputs - wanted)[..., keep].pow(2).mean()

    name = getattr(model, "kind", type(model).__name__)
    return fit(model, inputs, targets, loss, steps, lr, batch_size, seed, desc=f"fitting {name}")


# --- GANs: chapters 05, 07 and 10 ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GANConfig:
    """Every setting of one GAN run, in one place (like nanoGPT's ``GPTConfig``); ``config.replace(seed=1)``
    gives a variant. The defaults are DCGAN's recipe; :func:`digit_gan` gives chapter 05's."""

    # the generator (models.Generator.variant)
    variant: str = "resize"  # models.VARIANTS, the article's three, or chapter 10's models.CONTROL_VARIANTS
    image_size: int = 32  # a power of two >= 8
    width: int = 32  # channels of its last hidden layer; they double towards the 4×4 seed
    latent_dim: int = 64  # dimensions of the noise it maps to an image
    channels: int = 3  # channels of the images
    # the discriminator (models.Discriminator)
    disc_kinds: str | tuple[str, ...] = "conv4"  # its downsampler: one kind for every layer, or one per layer
    disc_width: int | None = None  # channels of its first layer (None: width)
    spectral_norm: bool = False  # divide each weight by its largest singular value (Miyato et al. 2018)
    # the run
    steps: int = 300  # Adam updates of each model
    batch_size: int = 64
    lr: float = 2e-4  # the generator's learning rate
    lr_d: float | None = None  # the discriminator's (None: lr)
    betas: tuple[float, float] = (0.5, 0.999)  # Adam's decays of its two moments
    loss: str = "dcgan"  # one of LOSSES
    ema: float = 0.0  # decay of a moving average of the generator's weights, kept for sampling (0: none)
    spectral_weight: float = 0.0  # weight of the spectral penalty in the generator's loss (0: none; chapter 10)
    spectral_form: str = "mse"  # its form, losses.SPECTRAL_FORMS
    seed: int = 0  # fixes both models' weights, the noise and the order in which real images are drawn
    # what the history records
    eval_every: int = 50  # score a fixed evaluation batch every eval_every steps (and at steps 0 and last)
    eval_size: int = 64  # latents in that batch

    def __post_init__(self) -> None:
        _check_config(self)

    def replace(self, **changes) -> GANConfig:
        """A copy with some settings changed (checked again)."""
        return dataclasses.replace(self, **changes)


def _decay(name: str, value) -> float:
    """Rule: a number in [0, 1), the decay of a moving average (Adam's betas, the weight average's ema)."""
    decay = as_float(name, value, 0, 1)
    if decay == 1:
        raise ValueError(f"{name} must be a decay in [0, 1) (1 never moves), got {value!r}")
    return decay


def _betas(name: str, value) -> tuple[float, float]:
    """Rule: Adam's pair of decays."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a pair (beta1, beta2) of numbers in [0, 1), got {value!r}")
    return _decay(name, value[0]), _decay(name, value[1])


def _disc_kinds(name: str, value):
    """Rule: a downsampler kind, or a non-empty tuple of them."""
    kinds = (value,) if isinstance(value, str) else value
    if not isinstance(kinds, (tuple, list)) or not kinds or any(k not in downsampling.DOWN_KINDS for k in kinds):
        raise ValueError(f"{name} must be a kind or a tuple of kinds from {downsampling.DOWN_KINDS}, got {value!r}")
    return value


CONFIG_RULES = {  # one rule per GANConfig field
    "variant": one_of((*models.VARIANTS, *models.CONTROL_VARIANTS)),
    "image_size": lambda name, value: models.num_layers(value),  # a power of two >= 8
    "width": SIZE,
    "latent_dim": SIZE,
    "channels": SIZE,
    "disc_kinds": _disc_kinds,
    "disc_width": optional(SIZE),
    "spectral_norm": as_bool,
    "steps": COUNT,
    "batch_size": SIZE,
    "lr": RATE,
    "lr_d": optional(RATE),
    "betas": _betas,
    "loss": one_of(LOSSES),
    "ema": _decay,
    "spectral_weight": lambda name, value: as_float(name, value, 0),
    "spectral_form": one_of(SPECTRAL_FORMS),
    "seed": COUNT,
    "eval_every": SIZE,
    "eval_size": int_at_least(2),
}


def _check_config(config: GANConfig) -> None:
    """Refuse a config with a field that breaks its rule in :data:`CONFIG_RULES`."""
    for name, rule in CONFIG_RULES.items():
        rule(name, getattr(config, name))


def _as_config(name: str, value) -> GANConfig:
    """Rule: a :class:`GANConfig`."""
    if not isinstance(value, GANConfig):
        raise TypeError(f"{name} must be a training.GANConfig, got {type(value).__name__}")
    return value


@checked(config=_as_config)
def make_gan(config: GANConfig) -> tuple[models.Generator, models.Discriminator]:
    """The generator and the DCGAN discriminator that ``config`` describes, both initialised from
    ``config.seed`` (the discriminator from ``seed + 1``, so the two do not share draws)."""
    c = config
    gen = seeded(
        lambda: models.Generator.variant(
            c.variant, c.image_size, width=c.width, latent_dim=c.latent_dim, channels=c.channels
        ),
        c.seed,
    )
    kinds = c.disc_kinds if isinstance(c.disc_kinds, str) else list(c.disc_kinds)
    disc = seeded(
        lambda: models.Discriminator(
            kinds, c.image_size, width=c.disc_width or c.width, channels=c.channels, spectral_norm=c.spectral_norm
        ),
        c.seed + 1,
    )
    return gen, disc


@checked(model=as_module, mode=one_of(BN_MODES))
def bn_mode(model: nn.Module, mode: str = "train"):
    """Run ``model`` with BatchNorm on batch statistics (``"train"``) or running statistics (``"eval"``),
    without changing its running statistics, and put its previous mode back afterwards (a ``with`` block).

    At training step 0 the running statistics are still their initial values (mean 0, variance 1), so a
    generator looks different in the two modes; during GAN training it always runs in ``"train"`` mode.
    """
    return _bn_mode(model, mode)


@contextlib.contextmanager
def _bn_mode(model: nn.Module, mode: str):
    was_training = model.training
    saved = {name: buf.clone() for name, buf in model.named_buffers()}
    model.train(mode == "train")
    try:
        yield model
    finally:
        with torch.no_grad():
            for name, buf in model.named_buffers():
                buf.copy_(saved[name])
        model.train(was_training)


@torch.no_grad()
@checked(generator=GENERATOR, z=tensor_of(2, "(N, latent_dim)"), mode=one_of(BN_MODES))
def sample(generator: models.Generator, z: torch.Tensor, mode: str = "train") -> torch.Tensor:
    """Images (N, C, H, W) in [-1, 1] that ``generator`` makes from the latent batch ``z`` in BatchNorm
    ``mode`` (see :func:`bn_mode`), on the CPU; the generator's state is left untouched."""
    device = next(generator.parameters()).device
    with _bn_mode(generator, mode):
        return generator(z.to(device)).cpu()


@checked(config=_as_config, mode=one_of(BN_MODES))
def initial_samples(config: GANConfig, mode: str = "train") -> torch.Tensor:
    """``config.eval_size`` samples of the generator that :func:`make_gan` builds, before any training: the
    step-0 picture. The latents come from ``config.seed`` too; BatchNorm runs in ``mode`` (``"train"``,
    batch statistics, is what the first training step sees)."""
    gen, _ = make_gan(config)
    z = gen.sample_latent(config.eval_size, rng=torch.Generator().manual_seed(config.seed), device="cpu")
    return sample(gen, z, mode=mode)


@dataclass
class History:
    """What a run records: losses at every step (``loss_d`` and ``loss_g`` for a GAN, ``loss`` otherwise);
    scores of a fixed evaluation batch every ``eval_every`` steps (step 0 included, before any update) at
    periods 2 and 4, and for a GAN the period-2 phase-energy ratio of the gradient that the discriminator
    sends back to that batch (:func:`generator_gradient`)."""

    step: list[int] = field(default_factory=list)
    loss_d: list[float] = field(default_factory=list)
    loss_g: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    score2: list[float] = field(default_factory=list)
    score4: list[float] = field(default_factory=list)
    grad2: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)

    def _score(
        self, step: int, images: torch.Tensor, discriminator: nn.Module | None = None, loss: str = "dcgan"
    ) -> None:
        """Record the checkerboard scores of ``images`` (the evaluation batch at ``step``) and, given
        ``discriminator``, the phase-energy ratio of the gradient that its generator ``loss`` sends back."""
        self.eval_step.append(step)
        self.score2.append(metrics.checkerboard_score(images, 2))
        self.score4.append(metrics.checkerboard_score(images, 4))
        if discriminator is not None:
            self.grad2.append(metrics.phase_energy_ratio(generator_gradient(discriminator, images, loss).cpu(), 2))

    @checked(name=one_of(SERIES), fraction=lambda name, value: as_float(name, value, 0, 1, lo_open=True))
    def late_mean(self, name: str, fraction: float = 0.25) -> float:
        """Mean of a recorded series (one of ``SERIES``) over the last ``fraction`` of its entries (at least
        one). GAN training wobbles from one evaluation to the next, so "after training" is better read as the
        level of the last stretch than as the very last value."""
        values = getattr(self, name)
        if not values:
            raise ValueError(f"the history has no {name} values yet")
        k = max(1, round(len(values) * fraction))
        return sum(values[-k:]) / k


def _discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, loss: str) -> torch.Tensor:
    if loss == "hinge":
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
    real_is_real = F.binary_cross_entropy_with_logits(real_logits, torch.ones_like(real_logits))
    return real_is_real + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def _generator_loss(fake_logits: torch.Tensor, loss: str) -> torch.Tensor:
    if loss == "hinge":
        return -fake_logits.mean()
    return F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))


@checked(real_logits=tensor_of(1, "(N,)"), fake_logits=tensor_of(1, "(N,)"), loss=one_of(LOSSES))
def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, loss: str = "dcgan") -> torch.Tensor:
    """The discriminator's loss on the logits D(x) of a real batch and D(G(z)) of a fake one.

    ``"dcgan"``: the cross-entropy of calling real images real and fakes fake. ``"hinge"``: mean(relu(1 - D(x)))
    + mean(relu(1 + D(G(z)))), which stops pushing a logit once it is past the margin, so a discriminator that
    already wins cannot run away from the generator (Lim & Ye 2017; Miyato et al. 2018).
    """
    return _discriminator_loss(real_logits, fake_logits, loss)


@checked(discriminator=as_module, fake=tensor_of(4, "(N, C, H, W)"), loss=one_of(LOSSES))
def generator_loss(discriminator: nn.Module, fake: torch.Tensor, loss: str = "dcgan") -> torch.Tensor:
    """The generator's loss on the batch ``fake``: ``"dcgan"``, the non-saturating -log sigmoid(D(G(z)));
    ``"hinge"``, -D(G(z)); averaged over the batch."""
    return _generator_loss(discriminator(fake), loss)


@checked(discriminator=as_module, fake=as_images, loss=one_of(LOSSES))
def generator_gradient(discriminator: nn.Module, fake: torch.Tensor, loss: str = "dcgan") -> torch.Tensor:
    """The gradient of :func:`generator_loss` with respect to the images ``fake`` (N, C, H, W), detached: what
    the discriminator sends back to the generator's output, and so all the generator ever learns from.

    The discriminator's parameters get no gradient, and its train/eval mode is left as it is.
    """
    fake = fake.to(next(discriminator.parameters()).device).requires_grad_(True)
    (grad,) = torch.autograd.grad(_generator_loss(discriminator(fake), loss), fake)
    return grad.detach()


def _check_same_layout(average: nn.Module, model: nn.Module) -> None:
    layouts = [[t.shape for t in (*m.parameters(), *m.buffers())] for m in (average, model)]
    if layouts[0] != layouts[1]:
        raise ValueError("average must have the same parameters and buffers as model (e.g. copy.deepcopy(model))")


@checked(average=as_module, model=as_module, decay=lambda name, value: as_float(name, value, 0, 1))
def ema_update(average: nn.Module, model: nn.Module, decay: float) -> None:
    """Move ``average``'s parameters towards ``model``'s: p_avg <- decay * p_avg + (1 - decay) * p; buffers
    (BatchNorm's running statistics) are copied. Averaged weights sample smoother, steadier images than the
    last iterate of a GAN's oscillating training (Yazıcı et al. 2019). The two models must have one layout."""
    _check_same_layout(average, model)
    _ema_update(average, model, decay)


@torch.no_grad()
def _ema_update(average: nn.Module, model: nn.Module, decay: float) -> None:
    for avg, param in zip(average.parameters(), model.parameters()):
        avg.lerp_(param.detach().to(avg.device), 1 - decay)
    for avg, buf in zip(average.buffers(), model.buffers()):
        avg.copy_(buf)


def _gan_step(
    generator: nn.Module,
    discriminator: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
    z: torch.Tensor,
    loss: str,
    penalty: nn.Module | None,
    weight: float,
) -> tuple[float, float]:
    """One update: the discriminator on a real and a fake batch, then the generator on the same fake batch
    (for ``"dcgan"`` the non-saturating loss -log D(G(z)): strong gradients while D still wins easily), plus
    ``weight`` times ``penalty(fake)`` when a penalty is given (the spectral regulariser).

    Returns (discriminator loss, generator loss).
    """
    fake = generator(z)
    loss_d = _discriminator_loss(discriminator(real), discriminator(fake.detach()), loss)
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    loss_g = _generator_loss(discriminator(fake), loss)
    if penalty is not None:
        loss_g = loss_g + weight * penalty(fake)
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    return float(loss_d.detach()), float(loss_g.detach())


def _check_gan(generator, discriminator, real: torch.Tensor, config: GANConfig, average) -> None:
    """Refuse models, images and a weight average that do not fit together."""
    if average is not None and (average is generator or config.ema == 0):
        got = "the generator itself" if average is generator else f"config.ema={config.ema}"
        raise ValueError(f"average must be a separate copy of the generator and config.ema > 0, got {got}")
    if getattr(discriminator, "image_size", generator.image_size) != generator.image_size:
        raise ValueError(
            f"discriminator must take {generator.image_size}x{generator.image_size} images like the "
            f"generator's output, got a discriminator for image_size={discriminator.image_size}"
        )
    expected = (generator.channels, generator.image_size, generator.image_size)
    if tuple(real.shape[1:]) != expected:
        raise ValueError(
            f"real must be images of shape (N, {', '.join(map(str, expected))}) like the generator's "
            f"output, got {tuple(real.shape)}"
        )


@checked(generator=GENERATOR, discriminator=as_module, real=as_images, average=optional(GENERATOR))
@checked(config=_as_config, **SHOW)
def train_gan(
    generator: models.Generator,
    discriminator: nn.Module,
    real: torch.Tensor,
    config: GANConfig,
    device=None,
    progress: bool = True,
    desc: str | None = None,
    average: models.Generator | None = None,
) -> History:
    """Train ``generator`` against ``discriminator`` on minibatches drawn from ``real`` (N, C, H, W) in
    [-1, 1], in place, with the run settings of ``config``; returns the :class:`History`.

    ``config.seed`` fixes the order in which real images are drawn, the training noise and the evaluation
    noise (a fixed batch of ``eval_size`` latents, scored in BatchNorm train mode every ``eval_every`` steps
    and after the last step), each from its own generator. Both models are moved to ``device`` (default: where
    the generator is). Given ``average`` (a copy of the generator, as :func:`run_gan` makes), it follows the
    generator's weights with :func:`ema_update` at decay ``config.ema`` (less in the first steps, so the start
    is soon forgotten), and the evaluation batch is drawn from it.
    """
    _check_gan(generator, discriminator, real, config, average)
    c = config
    device = device if device is not None else next(generator.parameters()).device
    for model in (generator, discriminator, average):
        if model is not None:
            model.to(device).train()
    if average is not None:
        _ema_update(average, generator, 0.0)  # start from the generator's weights
    shown = average if average is not None else generator  # what the evaluation batch is drawn from
    real = real.to(device)
    # Durall et al.'s penalty towards the real images' mean log spectrum; none at weight 0 (the plain loop).
    penalty = SpectralLoss(real, c.spectral_form) if c.spectral_weight > 0 else None
    opt_g = torch.optim.Adam(generator.parameters(), lr=c.lr, betas=tuple(c.betas))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=c.lr_d or c.lr, betas=tuple(c.betas))
    # Three independent streams on the CPU, so a run is the same whichever device computes it.
    draws, noise, eval_noise = (torch.Generator().manual_seed(c.seed * 3 + k) for k in range(3))
    z_eval = torch.randn(c.eval_size, generator.latent_dim, generator=eval_noise)
    history = History()

    def evaluate(step: int) -> None:
        # The discriminator in eval mode: a spectral norm's power iteration must not advance while scoring.
        discriminator.eval()
        try:
            history._score(step, sample(shown, z_eval), discriminator, c.loss)
        finally:
            discriminator.train()

    evaluate(0)
    for step in runtime.progress(range(1, c.steps + 1), desc, progress):
        idx = torch.randint(real.shape[0], (c.batch_size,), generator=draws)
        z = torch.randn(c.batch_size, generator.latent_dim, generator=noise).to(device)
        loss_d, loss_g = _gan_step(
            generator, discriminator, opt_g, opt_d, real[idx.to(device)], z, c.loss, penalty, c.spectral_weight
        )
        if average is not None:
            _ema_update(average, generator, min(c.ema, (1 + step) / (10 + step)))
        history.step.append(step)
        history.loss_d.append(loss_d)
        history.loss_g.append(loss_g)
        if step % c.eval_every == 0 or step == c.steps:
            evaluate(step)
    return history


@dataclass
class GANRun:
    """One trained GAN (:func:`run_gan`): its ``config``, the ``generator`` (last weights), ``average`` (the
    moving average of its weights, or None when ``config.ema`` is 0), the ``discriminator`` and the
    ``history``. :attr:`sampler` is the generator to draw pictures from."""

    config: GANConfig
    generator: models.Generator
    average: models.Generator | None
    discriminator: nn.Module
    history: History

    @property
    def sampler(self) -> models.Generator:
        """The weight average when there is one, else the generator."""
        return self.average if self.average is not None else self.generator


@checked(config=_as_config)
def run_gan(
    config: GANConfig, real: torch.Tensor, device=None, progress: bool = True, desc: str | None = None
) -> GANRun:
    """Build the GAN that ``config`` describes (:func:`make_gan`), train it on ``real`` (:func:`train_gan`,
    keeping a weight average when ``config.ema`` > 0) and return everything as a :class:`GANRun`: one call
    re-trains exactly the same generator, e.g. ``run_gan(digit_gan("resize", seed=1), data.digits()[0])``.
    It trains on ``device``, by default where ``real`` is."""
    if device is None and isinstance(real, torch.Tensor):
        device = real.device
    gen, disc = make_gan(config)
    average = copy.deepcopy(gen) if config.ema > 0 else None
    history = train_gan(gen, disc, real, config, device=device, progress=progress, desc=desc, average=average)
    return GANRun(config, gen, average, disc, history)


# Chapter 05's recipe for the bundled digits (data.digits), quick and full profile: see digit_gan.
DIGIT_GAN = {
    "quick": dict(steps=400, eval_every=50, width=16, disc_width=8),
    "full": dict(steps=1500, eval_every=100, width=32, disc_width=16),
}


@checked(profile=optional(one_of(tuple(DIGIT_GAN))))
def digit_gan(variant: str = "resize", seed: int = 0, profile: str | None = None) -> GANConfig:
    """Chapter 05's GAN for 32×32 digits on a grey page (:func:`~tutorial_utils.data.digits`): the article's
    generator ``variant`` against a spectrally normalised discriminator that downsamples by 2×2 averaging
    (blind to a pixel-aligned period-2 grid), hinge loss, Adam (0, 0.9) at 2e-4 (generator) and 4e-4
    (discriminator), batches of 64, a weight average at decay 0.999 for sampling; ``profile`` (default
    :func:`~tutorial_utils.runtime.profile`) sets the steps and the widths (:data:`DIGIT_GAN`). Chapter 10
    re-trains the same generators from this one function, and its control ``"deconv_early"`` too."""
    return GANConfig(
        variant=variant,
        image_size=32,
        channels=1,
        latent_dim=64,
        batch_size=64,
        eval_size=64,
        disc_kinds="avgpool",
        loss="hinge",
        spectral_norm=True,
        lr=2e-4,
        lr_d=4e-4,
        betas=(0.0, 0.9),
        ema=0.999,
        seed=seed,
        **DIGIT_GAN[profile or runtime.profile()],
    )
