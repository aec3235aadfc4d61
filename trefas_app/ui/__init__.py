"""The desktop client (PySide6). The only package that imports Qt; see README.md."""

from trefas_app.ui import _pyside_fix

_pyside_fix.create_types_eagerly()  # before any PySide6 module is imported
_pyside_fix.apply()
