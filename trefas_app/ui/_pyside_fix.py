"""Work around reference-count bugs of PySide6 on CPython < 3.12.

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
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sys

log = logging.getLogger("trefas.ui")

#: Added to each singleton's reference count: ~10^12 leaked references are
#: needed to bring it back to zero.
_HEADROOM = 1 << 40

_applied = False


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
