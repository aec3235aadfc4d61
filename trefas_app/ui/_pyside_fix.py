"""Work around bugs of PySide6 6.12: reference counts on CPython < 3.12, and
its lazy creation of Python types.

PySide6 6.12.0 returns the singletons ``True``, ``False`` and ``None`` from some
calls without taking a reference — every ``SignalInstance.emit()`` and
``disconnect()`` call drops one reference to ``True``, ``QObject.property()``
for an unset name drops one to ``None``. On CPython 3.12 and later these
objects are immortal (PEP 683) and nothing happens; on 3.11 their count
reaches zero after a few hundred signals and the interpreter aborts with
"Fatal Python error: bool_dealloc" (or "none_dealloc").

The fix gives the three singletons an enormous reference count, once, at
import — which is what CPython 3.12 does. They are static objects that are
never freed in any case, so this changes nothing else. It is applied only on
CPython before 3.12; remove it when the project requires Python 3.12 or a
PySide6 release without the bug.

Lazy types: PySide6 creates a class's Python type only when it is first used.
When that first use is a conversion inside an event filter (a widget's Polish
event passing a Python ``eventFilter``: shiboken looks for the event's most
derived type and creates ``QTabletEvent`` there), the process can die with a
segmentation fault inside shiboken. ``PYSIDE6_OPTION_LAZY=0`` makes PySide6
create every type when its module is imported (about 0.3 s more at start).
It is read once, when the first PySide6 module loads, so this package sets it
before any Qt import (``trefas_app/ui/__init__.py``).
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import sys

log = logging.getLogger("trefas.ui")

#: Added to each singleton's reference count: ~10^12 leaked references are
#: needed to bring it back to zero.
_HEADROOM = 1 << 40

_applied = False

#: PySide6's switch for its lazy type creation; "0": every type at import.
LAZY_OPTION = "PYSIDE6_OPTION_LAZY"


def create_types_eagerly() -> bool:
    """Ask PySide6 to create its types at import; False when a PySide6 module
    is loaded already (then the option comes too late to matter)."""
    os.environ[LAZY_OPTION] = "0"
    return not any(name.startswith("PySide6.Qt") for name in sys.modules)


def needed() -> bool:
    return platform.python_implementation() == "CPython" and sys.version_info < (3, 12)


def apply() -> bool:
    """Make True, False and None effectively immortal; True if applied."""
    global _applied
    if _applied or not needed():
        return _applied
    for obj in (True, False, None):
        refcnt = ctypes.c_ssize_t.from_address(id(obj))  # PyObject.ob_refcnt
        refcnt.value += _HEADROOM
    _applied = True
    log.debug("PySide reference-count workaround applied")
    return True
