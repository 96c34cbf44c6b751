"""Training loops with a ``tqdm.auto`` progress bar and a history of losses and checkerboard scores.

Three loops: a GAN (chapter 05), an image transformation network trained towards targets (chapter 06) and an
image classifier (chapters 05 and 09).
The GAN loop's defaults are DCGAN's recipe (Radford et al. 2015): Adam with betas (0.5, 0.999), the
non-saturating generator loss, BatchNorm in the generator running on batch statistics. ``GANConfig`` also
offers the recipe that keeps a small GAN from collapsing (chapter 05, :func:`digit_gan`): a spectrally
normalised discriminator, the hinge loss, a faster discriminator and an exponential moving average of the
generator's weights for sampling. Everything random (model weights, noise, the order in which real images
are drawn) comes from explicit seeds, so one seed gives one run.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from . import downsampling, metrics, models, runtime
from ._checks import (
    as_bool,
    as_callable,
    as_choice,
    as_device,
    as_float,
    as_images,
    as_int,
    as_module,
    as_str,
    as_tensor,
)
from .losses import SPECTRAL_FORMS, SpectralLoss

BN_MODES = ("train", "eval")
LOSSES = ("dcgan", "hinge")  # GAN losses: DCGAN's non-saturating cross-entropy, or the hinge loss
SERIES = ("score2", "score4", "grad2", "loss_d", "loss_g", "loss")  # what History.late_mean averages


def seeded(build, seed: int):
    """Call ``build()`` with torch's global generator seeded to ``seed`` and restored afterwards.

    Module constructors draw their initial weights from the global generator and take no ``generator``
    argument; this makes a model's initialisation depend on ``seed`` alone, not on what ran before.
    """
    as_callable("build", build, "no arguments, returning the model")
    seed = as_int("seed", seed, 0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


@dataclass(frozen=True)
class GANConfig:
    """Every setting of one GAN run, in one place (like nanoGPT's ``GPTConfig``).

    The models: the generator ``variant`` (``models.VARIANTS``, or chapter 10's ``models.CONTROL_VARIANTS``) at
    ``image_size`` with ``width`` channels in its last hidden layer and ``latent_dim`` noise dimensions, for
    images with ``channels`` channels; the
    discriminator's downsampler ``disc_kinds`` (one kind for every layer, or one per layer) with ``disc_width``
    channels in its first layer (default ``width``), spectrally normalised if ``spectral_norm``. The run:
    ``steps`` Adam updates (``betas``) of ``batch_size`` at ``lr`` (the discriminator at ``lr_d``, default
    ``lr``) with the ``loss`` of :data:`LOSSES`; with ``ema`` > 0 an exponential moving average of the
    generator's weights (decay ``ema``) is kept for sampling (:func:`ema_update`). With ``spectral_weight`` > 0
    the generator's loss adds that multiple of a spectral regulariser after Durall et al.
    (:class:`~tutorial_utils.losses.SpectralLoss` of form ``spectral_form`` towards the real images' spectrum,
    chapter 10). The fixed
    evaluation batch of ``eval_size`` latents is scored every ``eval_every`` steps. ``seed`` fixes the weights,
    the noise and the order of the real images. ``config.replace(seed=1)`` gives a variant. The defaults are
    DCGAN's recipe; :func:`digit_gan` gives chapter 05's.
    """

    variant: str = "resize"
    image_size: int = 32
    width: int = 32
    latent_dim: int = 64
    disc_kinds: str | tuple[str, ...] = "conv4"
    steps: int = 300
    batch_size: int = 64
    lr: float = 2e-4
    eval_every: int = 50
    eval_size: int = 64
    seed: int = 0
    channels: int = 3
    loss: str = "dcgan"
    spectral_norm: bool = False
    lr_d: float | None = None
    betas: tuple[float, float] = (0.5, 0.999)
    ema: float = 0.0
    disc_width: int | None = None
    spectral_weight: float = 0.0
    spectral_form: str = "mse"

    def __post_init__(self) -> None:
        as_choice("variant", self.variant, (*models.VARIANTS, *models.CONTROL_VARIANTS))
        models.num_layers(self.image_size)  # a power of two >= 8, or a clear error
        for name, minimum in (
            ("width", 1),
            ("latent_dim", 1),
            ("steps", 0),
            ("batch_size", 1),
            ("eval_every", 1),
            ("eval_size", 2),
            ("seed", 0),
            ("channels", 1),
        ):
            as_int(name, getattr(self, name), minimum)
        if self.disc_width is not None:
            as_int("disc_width", self.disc_width, 1)
        kinds = (self.disc_kinds,) if isinstance(self.disc_kinds, str) else self.disc_kinds
        if not isinstance(kinds, (tuple, list)) or not kinds or any(k not in downsampling.DOWN_KINDS for k in kinds):
            raise ValueError(
                f"disc_kinds must be a kind or a tuple of kinds from {downsampling.DOWN_KINDS}, got {self.disc_kinds!r}"
            )
        for name in ("lr", "lr_d"):
            value = getattr(self, name)
            if name == "lr_d" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValueError(f"{name} must be a number > 0{' or None' if name == 'lr_d' else ''}, got {value!r}")
        as_choice("loss", self.loss, LOSSES)
        as_bool("spectral_norm", self.spectral_norm)
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2) of numbers in [0, 1), got {self.betas!r}")
        for beta in self.betas:
            as_float("betas", beta, 0, 1)
            if beta == 1:
                raise ValueError(f"betas must be a pair (beta1, beta2) of numbers in [0, 1), got {self.betas!r}")
        as_float("ema", self.ema, 0, 1)
        if self.ema == 1:
            raise ValueError(f"ema must be a decay in [0, 1) (0: no average), got {self.ema!r}")
        as_float("spectral_weight", self.spectral_weight, 0)
        as_choice("spectral_form", self.spectral_form, SPECTRAL_FORMS)

    def replace(self, **changes) -> GANConfig:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)


def make_gan(config: GANConfig) -> tuple[models.Generator, models.Discriminator]:
    """The generator and the DCGAN discriminator that ``config`` describes, both initialised from
    ``config.seed`` (the discriminator from ``seed + 1``, so the two do not share draws)."""
    c = _as_config(config)
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


def _as_config(config) -> GANConfig:
    if not isinstance(config, GANConfig):
        raise TypeError(f"config must be a training.GANConfig, got {type(config).__name__}")
    return config


def bn_mode(model: nn.Module, mode: str = "train"):
    """Run ``model`` with BatchNorm on batch statistics (``"train"``) or running statistics (``"eval"``),
    without changing its running statistics, and put its previous mode back afterwards (a ``with`` block).

    At training step 0 the running statistics are still their initial values (mean 0, variance 1), so a
    generator looks different in the two modes; during GAN training it always runs in ``"train"`` mode.
    """
    return _bn_mode(as_module("model", model), as_choice("mode", mode, BN_MODES))


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
def sample(generator: models.Generator, z: torch.Tensor, mode: str = "train") -> torch.Tensor:
    """Images (N, C, H, W) in [-1, 1] that ``generator`` makes from the latent batch ``z`` in BatchNorm
    ``mode`` (see :func:`bn_mode`), on the CPU; the generator's state is left untouched."""
    as_module("generator", generator, models.Generator)
    as_tensor("z", z, 2, "(N, latent_dim)")
    device = next(generator.parameters()).device
    with bn_mode(generator, mode):
        return generator(z.to(device)).cpu()


def initial_samples(config: GANConfig, mode: str = "train") -> torch.Tensor:
    """``config.eval_size`` samples of the generator that :func:`make_gan` builds, before any training: the
    step-0 picture. The latents come from ``config.seed`` too; BatchNorm runs in ``mode`` (``"train"``,
    batch statistics, is what the first training step sees)."""
    c = _as_config(config)
    as_choice("mode", mode, BN_MODES)
    gen, _ = make_gan(c)
    z = gen.sample_latent(c.eval_size, rng=torch.Generator().manual_seed(c.seed), device="cpu")
    return sample(gen, z, mode=mode)


@dataclass
class History:
    """What a run records: losses at every step (``loss_d`` and ``loss_g`` for a GAN, ``loss`` for a
    transformation network); scores of the fixed evaluation batch every ``eval_every`` steps (step 0 included,
    before any update) at periods 2 and 4, and for a GAN the period-2 phase-energy ratio of the gradient that
    the discriminator sends back to that batch (:func:`generator_gradient`)."""

    step: list[int] = field(default_factory=list)
    loss_d: list[float] = field(default_factory=list)
    loss_g: list[float] = field(default_factory=list)
    eval_step: list[int] = field(default_factory=list)
    score2: list[float] = field(default_factory=list)
    score4: list[float] = field(default_factory=list)
    grad2: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, list):
                raise TypeError(f"{f.name} must be a list, got {type(value).__name__} {value!r}")

    def record_scores(
        self, step: int, images: torch.Tensor, discriminator: nn.Module | None = None, loss: str = "dcgan"
    ) -> None:
        """Score ``images`` (the evaluation batch at ``step``) and, given ``discriminator``, the gradient that
        its generator ``loss`` sends back to them."""
        step = as_int("step", step, 0)
        as_choice("loss", loss, LOSSES)
        scores = metrics.checkerboard_score(images, 2), metrics.checkerboard_score(images, 4)
        if discriminator is not None:
            grad = metrics.phase_energy_ratio(generator_gradient(discriminator, images, loss).cpu(), 2)
        self.eval_step.append(step)  # appended together, so a bad argument leaves the history as it was
        self.score2.append(scores[0])
        self.score4.append(scores[1])
        if discriminator is not None:
            self.grad2.append(grad)

    def late_mean(self, name: str, fraction: float = 0.25) -> float:
        """Mean of a recorded series (one of ``SERIES``) over the last
        ``fraction`` of its entries (at least one). GAN training wobbles from one evaluation to the next, so
        "after training" is better read as the level of the last stretch than as the very last value."""
        if name not in SERIES:
            raise ValueError(f"name must be one of {SERIES}, got {name!r}")
        fraction = as_float("fraction", fraction, 0, 1, lo_open=True)
        values = getattr(self, name)
        if not values:
            raise ValueError(f"the history has no {name} values yet")
        k = max(1, round(len(values) * fraction))
        return sum(values[-k:]) / k


def discriminator_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor, loss: str = "dcgan") -> torch.Tensor:
    """The discriminator's loss on the logits D(x) of a real batch and D(G(z)) of a fake one.

    ``"dcgan"``: the cross-entropy of calling real images real and fakes fake. ``"hinge"``: mean(relu(1 - D(x)))
    + mean(relu(1 + D(G(z)))), which stops pushing a logit once it is past the margin, so a discriminator that
    already wins cannot run away from the generator (Lim & Ye 2017; Miyato et al. 2018).
    """
    as_choice("loss", loss, LOSSES)
    real_logits = as_tensor("real_logits", real_logits, 1, "(N,)")
    fake_logits = as_tensor("fake_logits", fake_logits, 1, "(N,)")
    if loss == "hinge":
        return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()
    return F.binary_cross_entropy_with_logits(
        real_logits, torch.ones_like(real_logits)
    ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))


def generator_loss(discriminator: nn.Module, fake: torch.Tensor, loss: str = "dcgan") -> torch.Tensor:
    """The generator's loss on the batch ``fake``: ``"dcgan"``, the non-saturating -log sigmoid(D(G(z)));
    ``"hinge"``, -D(G(z)); averaged over the batch."""
    as_module("discriminator", discriminator)
    as_tensor("fake", fake, 4, "(N, C, H, W)")
    as_choice("loss", loss, LOSSES)
    logits = discriminator(fake)
    if loss == "hinge":
        return -logits.mean()
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


def generator_gradient(discriminator: nn.Module, fake: torch.Tensor, loss: str = "dcgan") -> torch.Tensor:
    """The gradient of :func:`generator_loss` with respect to the images ``fake`` (N, C, H, W), detached: what
    the discriminator sends back to the generator's output, and so all the generator ever learns from.

    The discriminator's parameters get no gradient, and its train/eval mode is left as it is.
    """
    as_module("discriminator", discriminator)
    as_choice("loss", loss, LOSSES)
    fake = as_images("fake", fake).to(next(discriminator.parameters()).device).requires_grad_(True)
    (grad,) = torch.autograd.grad(generator_loss(discriminator, fake, loss), fake)
    return grad.detach()


@torch.no_grad()
def ema_update(average: nn.Module, model: nn.Module, decay: float) -> None:
    """Move ``average``'s parameters towards ``model``'s: p_avg <- decay * p_avg + (1 - decay) * p; buffers
    (BatchNorm's running statistics) are copied. Averaged weights sample smoother, steadier images than the
    last iterate of a GAN's oscillating training (Yazıcı et al. 2019). The two models must have one layout."""
    as_module("average", average)
    as_module("model", model)
    decay = as_float("decay", decay, 0, 1)
    pairs = list(zip(average.parameters(), model.parameters()))
    buffers = list(zip(average.buffers(), model.buffers()))
    if len(pairs) != len(list(model.parameters())) or any(a.shape != p.shape for a, p in pairs + buffers):
        raise ValueError("average must have the same parameters and buffers as model (e.g. copy.deepcopy(model))")
    for avg, param in pairs:
        avg.lerp_(param.detach().to(avg.device), 1 - decay)
    for avg, buf in buffers:
        avg.copy_(buf)


def _gan_step(
    generator: nn.Module,
    discriminator: nn.Module,
    opt_g: torch.optim.Optimizer,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
    z: torch.Tensor,
    loss: str = "dcgan",
    penalty: nn.Module | None = None,
    weight: float = 0.0,
) -> tuple[float, float]:
    """One update: the discriminator on a real and a fake batch, then the generator on the same fake batch
    (for ``"dcgan"`` the non-saturating loss -log D(G(z)): strong gradients while D still wins easily), plus
    ``weight`` times ``penalty(fake)`` when a penalty is given (the spectral regulariser).

    Returns (discriminator loss, generator loss).
    """
    fake = generator(z)
    loss_d = discriminator_loss(discriminator(real), discriminator(fake.detach()), loss)
    opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    opt_d.step()
    loss_g = generator_loss(discriminator, fake, loss)
    if penalty is not None:
        loss_g = loss_g + weight * penalty(fake)
    opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    opt_g.step()
    return float(loss_d.detach()), float(loss_g.detach())


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
    and after the last step). Both models are moved to ``device`` (default: where the generator is). Given
    ``average`` (a copy of the generator, as :func:`run_gan` makes), it follows the generator's weights with
    :func:`ema_update` at decay ``config.ema`` (less in the first steps: min(ema, (1 + t) / (10 + t)) at step t,
    so the start is soon forgotten), and the evaluation batch is drawn from it.
    """
    c = _as_config(config)
    as_module("generator", generator, models.Generator)
    as_module("discriminator", discriminator)
    real = as_images("real", real)
    device = as_device("device", device)
    as_bool("progress", progress)
    as_str("desc", desc, optional=True)
    if average is not None:
        as_module("average", average, models.Generator)
        if average is generator or c.ema == 0:
            raise ValueError(
                "average must be a separate copy of the generator (copy.deepcopy) and config.ema > 0, got "
                f"{'the generator itself' if average is generator else f'config.ema={c.ema}'}"
            )
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
    device = device if device is not None else next(generator.parameters()).device
    generator.to(device).train()
    discriminator.to(device).train()
    if average is not None:
        average.to(device).train()
        ema_update(average, generator, 0.0)  # start from the generator's weights
    shown = average if average is not None else generator  # what the evaluation batch is drawn from
    real = real.to(device)
    # Durall et al.'s regulariser towards the real images' mean log spectrum; none at weight 0 (the plain loop).
    penalty = SpectralLoss(real, c.spectral_form) if c.spectral_weight > 0 else None
    opt_g = torch.optim.Adam(generator.parameters(), lr=c.lr, betas=tuple(c.betas))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=c.lr_d or c.lr, betas=tuple(c.betas))
    # Three independent streams on the CPU, so a run is the same whichever device computes it.
    draws, noise, eval_noise = (torch.Generator().manual_seed(c.seed * 3 + k) for k in range(3))
    z_eval = generator.sample_latent(c.eval_size, rng=eval_noise, device="cpu")
    history = History()

    def record(step: int) -> None:
        # The discriminator in eval mode: a spectral norm's power iteration must not advance while scoring.
        discriminator.eval()
        try:
            history.record_scores(step, sample(shown, z_eval), discriminator, c.loss)
        finally:
            discriminator.train()

    record(0)
    for step in runtime.progress(range(1, c.steps + 1), desc, progress):
        idx = torch.randint(real.shape[0], (c.batch_size,), generator=draws)
        z = generator.sample_latent(c.batch_size, rng=noise, device=device)
        loss_d, loss_g = _gan_step(
            generator, discriminator, opt_g, opt_d, real[idx.to(device)], z, c.loss, penalty, c.spectral_weight
        )
        if average is not None:
            ema_update(average, generator, min(c.ema, (1 + step) / (10 + step)))
        history.step.append(step)
        history.loss_d.append(loss_d)
        history.loss_g.append(loss_g)
        if step % c.eval_every == 0 or step == c.steps:
            record(step)
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

    def __post_init__(self) -> None:
        _as_config(self.config)
        as_module("generator", self.generator, models.Generator)
        if self.average is not None:
            as_module("average", self.average, models.Generator)
        as_module("discriminator", self.discriminator)
        if not isinstance(self.history, History):
            raise TypeError(f"history must be a training.History, got {type(self.history).__name__}")

    @property
    def sampler(self) -> models.Generator:
        """The weight average when there is one, else the generator."""
        return self.average if self.average is not None else self.generator


def run_gan(
    config: GANConfig, real: torch.Tensor, device=None, progress: bool = True, desc: str | None = None
) -> GANRun:
    """Build the GAN that ``config`` describes (:func:`make_gan`), train it on ``real`` (:func:`train_gan`,
    keeping a weight average when ``config.ema`` > 0) and return everything as a :class:`GANRun`: one call
    re-trains exactly the same generator, e.g. ``run_gan(digit_gan("resize", seed=1), data.digits()[0])``.
    It trains on ``device``, by default where ``real`` is."""
    c = _as_config(config)
    if device is None and isinstance(real, torch.Tensor):
        device = real.device
    gen, disc = make_gan(c)
    average = copy.deepcopy(gen) if c.ema > 0 else None
    history = train_gan(gen, disc, real, c, device=device, progress=progress, desc=desc, average=average)
    return GANRun(c, gen, average, disc, history)


# Chapter 05's recipe for the bundled digits (data.digits), quick and full profile: see digit_gan.
DIGIT_GAN = {
    "quick": dict(steps=400, eval_every=50, width=16, disc_width=8),
    "full": dict(steps=1500, eval_every=100, width=32, disc_width=16),
}


def digit_gan(variant: str = "resize", seed: int = 0, profile: str | None = None) -> GANConfig:
    """Chapter 05's GAN for 32×32 digits on a grey page (:func:`~tutorial_utils.data.digits`): the article's
    generator ``variant`` against a spectrally normalised discriminator that downsamples by 2×2 averaging
    (blind to a pixel-aligned period-2 grid), hinge loss, Adam (0, 0.9) at 2e-4 (generator) and 4e-4
    (discriminator), batches of 64, a weight average at decay 0.999 for sampling; ``profile`` (default
    :func:`~tutorial_utils.runtime.profile`) sets the steps and the widths (:data:`DIGIT_GAN`). Chapter 10
    re-trains the same generators from this one function, and its control ``"deconv_early"`` too."""
    as_choice("variant", variant, (*models.VARIANTS, *models.CONTROL_VARIANTS))
    profile = runtime.profile() if profile is None else as_choice("profile", profile, tuple(DIGIT_GAN))
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
        seed=as_int("seed", seed, 0),
        **DIGIT_GAN[profile],
    )


# --- chapter 06: an image transformation network ---------------------------------------------------------------


@torch.no_grad()
def transform(net: nn.Module, images: torch.Tensor, batch_size: int = 32) -> torch.Tensor:
    """``net`` applied to ``images`` (N, C, H, W) in batches, in eval mode and without gradients, on the CPU."""
    as_module("net", net)
    images = as_images("images", images)
    batch_size = as_int("batch_size", batch_size, 1)
    device = next(net.parameters()).device
    was_training = net.training
    net.eval()
    try:
        return torch.cat([net(images[i : i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)])
    finally:
        net.train(was_training)


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
    """Train ``net`` in place with Adam at ``lr`` so that ``loss(net(inputs[i]), targets[i])`` falls, on
    minibatches of ``batch_size`` pairs drawn with ``seed``; returns the :class:`History` (``loss``, scores).

    For a pixel loss ``targets`` are the wanted outputs and ``loss`` is e.g. ``F.mse_loss``; for a style loss
    ``targets`` are the inputs themselves (the content) and ``loss`` a
    :class:`~tutorial_utils.losses.StyleContentLoss`. ``eval_inputs`` (default: the first 32 inputs) are
    transformed and scored every ``eval_every`` steps, before the first update and after the last one.
    """
    as_module("net", net)
    inputs, targets = as_images("inputs", inputs), as_images("targets", targets)
    if targets.shape[0] != inputs.shape[0]:
        raise ValueError(f"targets must hold one target per input ({inputs.shape[0]}), got {targets.shape[0]}")
    as_callable("loss", loss, "a function of (outputs, targets) returning a scalar tensor")
    steps = as_int("steps", steps, 0)
    batch_size = as_int("batch_size", batch_size, 1)
    lr = as_float("lr", lr, 0, lo_open=True)
    seed = as_int("seed", seed, 0)
    eval_inputs = inputs[:32] if eval_inputs is None else as_images("eval_inputs", eval_inputs)
    eval_every = as_int("eval_every", eval_every, 1)
    device = as_device("device", device)
    as_bool("progress", progress)
    as_str("desc", desc, optional=True)
    device = device if device is not None else next(net.parameters()).device
    net.to(device).train()
    if isinstance(loss, nn.Module):
        loss.to(device)
    inputs, targets = inputs.to(device), targets.to(device)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    draws = torch.Generator().manual_seed(seed)  # on the CPU: the same run on every device
    history = History()
    history.record_scores(0, transform(net, eval_inputs))
    for step in runtime.progress(range(1, steps + 1), desc, progress):
        idx = torch.randint(inputs.shape[0], (batch_size,), generator=draws).to(device)
        value = loss(net(inputs[idx]), targets[idx])
        opt.zero_grad(set_to_none=True)
        value.backward()
        opt.step()
        history.step.append(step)
        history.loss.append(float(value.detach()))
        if step % eval_every == 0 or step == steps:
            history.record_scores(step, transform(net, eval_inputs))
    return history


# --- chapters 05 and 09: an image classifier --------------------------------------------------------------------


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
    """Train ``model`` in place with Adam at ``lr`` and the cross-entropy loss on minibatches of ``batch_size``
    of ``images`` (N, C, H, W) and their ``labels`` (N,), drawn with ``seed``; returns the :class:`History`
    (its ``loss`` series). The minibatch order comes from a CPU generator, so a run is the same on any device."""
    as_module("model", model)
    images = as_images("images", images)
    labels = _as_labels(labels, images.shape[0])
    steps = as_int("steps", steps, 0)
    batch_size = as_int("batch_size", batch_size, 1)
    lr = as_float("lr", lr, 0, lo_open=True)
    seed = as_int("seed", seed, 0)
    device = as_device("device", device)
    as_bool("progress", progress)
    as_str("desc", desc, optional=True)
    device = device if device is not None else next(model.parameters()).device
    model.to(device).train()
    images, labels = images.to(device), labels.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    draws = torch.Generator().manual_seed(seed)
    history = History()
    for step in runtime.progress(range(1, steps + 1), desc, progress):
        idx = torch.randint(images.shape[0], (batch_size,), generator=draws).to(device)
        loss = F.cross_entropy(model(images[idx]), labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        history.step.append(step)
        history.loss.append(float(loss.detach()))
    model.eval()
    return history


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Class probabilities (N, classes) of ``model`` for ``images`` (N, C, H, W), in eval mode and in batches,
    on the CPU; the model's train/eval mode is put back afterwards."""
    as_module("model", model)
    images = as_images("images", images)
    batch_size = as_int("batch_size", batch_size, 1)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        logits = [model(images[i : i + batch_size].to(device)).cpu() for i in range(0, len(images), batch_size)]
    finally:
        model.train(was_training)
    return torch.cat(logits).softmax(dim=1)


def fit_upsampler(
    model: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    steps: int,
    batch_size: int = 16,
    lr: float = 2e-3,
    margin: int = 64,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` to map ``inputs`` to ``targets`` (mean squared error, ``margin`` output samples at each
    border left out, Adam) on random minibatches; returns the loss of every step. Shows a progress bar."""

    steps, batch_size = as_int("steps", steps, 1), as_int("batch_size", batch_size, 1)
    margin = as_int("margin", margin, 0)
    as_module("model", model)
    as_tensor("inputs", inputs, 3, "(N, C, T)")
    as_tensor("targets", targets, 3, "(N, C, s*T)")
    lr = as_float("lr", lr, 0, lo_open=True)
    if inputs.ndim != 3 or targets.ndim != 3 or inputs.shape[0] != targets.shape[0]:
        raise ValueError(
            f"inputs and targets must be (N, C, T) batches of equal N, got shapes "
            f"{tuple(inputs.shape)} and {tuple(targets.shape)}"
        )
    if targets.shape[-1] <= 2 * margin:
        raise ValueError(f"margin must leave samples: 2 * margin < {targets.shape[-1]}, got margin={margin}")
    device = next(model.parameters()).device
    inputs, targets = inputs.to(device), targets.to(device)
    gen = torch.Generator().manual_seed(as_int("seed", seed, 0))
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    keep = slice(margin, targets.shape[-1] - margin)
    losses = []
    for _ in runtime.progress(range(steps), f"fitting {getattr(model, 'kind', type(model).__name__)}"):
        idx = torch.randint(0, inputs.shape[0], (batch_size,), generator=gen).to(device)
        loss = (model(inputs[idx]) - targets[idx])[..., keep].pow(2).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss.detach()))
    return losses
