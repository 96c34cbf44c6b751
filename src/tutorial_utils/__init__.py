"""Helpers shared by the Checkerboard notebooks.

Modules are named by concept:

- ``runtime``: setup, seeds, device and the quick/full profile
- ``matrices``: convolutions and transposed convolutions as matrices
- ``overlap``: which kernel copies paint which output pixel
- ``balance``: the phase-sum condition for a kernel that paints flat
- ``upsampling`` and ``downsampling``: the layers the book compares (folded resize-convolution, ICNR)
- ``metrics``: checkerboard score (per batch or per image), phase energies, spectra, tone strength
- ``data``: bundled photographs, crops, MNIST digits, a stylising filter
- ``models``: generators, discriminators, classifiers, the style-transfer network
- ``pretrained``: MobileNetV2 with offline ImageNet weights
- ``training``: GAN, transformation-network and classifier loops with their histories
- ``losses``: Gram matrices, random-feature style and content losses, a spectral regulariser
- ``gradients``: input gradients and feature visualisation
- ``forensics``: detectors of generated images (a threshold on the score, a linear model on the spectrum)
- ``audio``: 1D upsamplers, test signals and players
- ``plotting`` and ``widgets``: figures, tables and kernel-free interactive players

Import the module you need; nothing heavy happens on import.
"""

__version__ = "0.1.0"
