"""Helpers shared by the Checkerboard notebooks, one module per concept, in layers (each imports only the layers
below it):

- publishing: ``book`` (a chapter's setup cell, glue for other pages, tables)
- pictures and sound: ``plotting`` (the figure style and pixel figures), ``overlap_figures`` (chapter 02's
  diagrams and explorers), ``players`` (frame players, magnifiers and audio players that need no kernel),
  ``audio`` (test signals, training pairs, spectrograms)
- learning: ``training`` (the GAN's step and loop, one ``fit`` loop for everything else), ``gradients`` (input
  gradients, attacks, feature visualisation), ``losses``, ``models``, ``pretrained`` (MobileNetV2, offline)
- measures: ``metrics`` (checkerboard score, phase energies, spectra, tone strength), ``forensics`` (detectors of
  generated images)
- layers: ``upsampling`` (2D, with the folded resize-convolution and ICNR), ``upsampling1d`` (1D, for audio),
  ``downsampling``
- operators: ``matrices`` (convolutions as matrices), ``overlap`` (which copies paint which pixel), ``balance``
  (the phase-sum condition for a kernel that paints flat)
- ground: ``data`` (bundled photographs and digits), ``runtime`` (seeds, device, profile, claims), ``_checks``

Import the module you need; nothing heavy happens on import.
"""

__version__ = "0.1.0"
