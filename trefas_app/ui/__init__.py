"""The desktop client (PySide6). The only package that imports Qt; see README.md."""

from trefas_app.ui import _pyside_fix

_pyside_fix.apply()
