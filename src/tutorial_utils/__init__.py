"""Helpers shared by the Checkerboard notebooks, one module per concept, in layers from the top down (a module imports
only modules of its own layer or of the layers below it, with no cycle; ``tests/test_layers.py`` checks it):

- publishing: ``book`` (a chapter's setup cell, glue for other pages, tables)
- pictures and sound: ``plotting`` (the figure style and pixel figures), ``overlap_figures`` (chapter 02's
  diagrams and explorers), ``players`` (frame players, magnifiers and audio players that need no kernel),
  ``audio`` (test signals, training pairs, spectrograms)
- learning: ``training`` (the GAN's step and loop, one ``fit`` loop for everything else), ``gradients`` (input
  gradients, attacks, feature visualisation), ``losses``, ``models``, ``pretrained`` (MobileNetV2, offline)
- measures: ``metrics`` (checkerboard score, phase energies, spectra, tone strength), ``forensics`` (detectors of
  generated images)
- layers: ``upsampling`` (2D, with the folded resize-convolution and ICNR), ``upsampling1d`` (1D, for audio),
  ``downsampling``, ``_fold`` (the fold of a resize-convolution's kernel, which both upsamplers share)
- operators: ``matrices`` (convolutions as matrices), ``overlap`` (which copies paint which pixel), ``balance``
  (the phase-sum condition for a kernel that paints flat)
- ground: ``data`` (bundled photographs and digits), ``runtime`` (seeds, device, profile, claims; it imports only
  ``_checks``), ``ledger`` (the claims measured over seeds and threads), ``_checks``

Import the module you need; nothing heavy happens on import.
"""

__version__ = "0.1.0"
