"""Helpers shared by the Checkerboard notebooks.

Modules are named by concept: ``runtime`` (device, seeds, run size), ``matrices`` (convolutions as
matrices), ``overlap`` (who paints which output pixel), ``upsampling``, ``metrics``, ``data``, ``models``,
``training``, ``plotting`` and ``widgets``. Import the module you need; nothing heavy happens on import.
"""

__version__ = "0.1.0"
