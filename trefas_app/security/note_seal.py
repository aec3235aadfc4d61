"""Moved to ``trefas_app.store.note_seal``: the store keeps its own log, chain and keys, so
that ``store`` never imports ``security`` (docs/ARCHITECTURE.md, "Layers").

This old name stays importable for callers not yet updated (the command line,
the window, the benchmarks); it is the very same module object, so patching
either name patches both. New code imports ``trefas_app.store.note_seal``.
"""

import sys

import trefas_app.store.note_seal as _moved

sys.modules[__name__] = _moved
