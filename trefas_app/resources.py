"""Locate files shipped with the program (word lists, fonts, images, …).

The files live in ``resources/`` at the top of the repository, next to the
``trefas_app`` package. A wheel carries them inside the package as
``trefas_app/_resources`` (``setup.py`` maps the directory there); a frozen
build (PyInstaller) unpacks them under ``sys._MEIPASS``. The first of these
places that exists wins, in this order:

1. ``<sys._MEIPASS>/resources`` when running frozen,
2. ``<package>/_resources`` — an installed wheel,
3. ``<repo>/resources`` (the package's parent directory) — a source checkout or
   an editable install.

The installed copy is looked at before the parent directory, so that an
installed program never picks up an unrelated ``resources`` folder that
happens to lie next to it in ``site-packages``.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def resources_root() -> Path:
    """The directory that holds the shipped resources."""
    candidates: list[Path] = []
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        candidates.append(Path(frozen_base) / "resources")
    candidates.append(_PACKAGE_DIR / "_resources")
    candidates.append(_PACKAGE_DIR.parent / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    # Nothing found: point at the repository layout, so that the error a caller
    # gets names the place where the file was expected.
    return _PACKAGE_DIR.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped resource, e.g. ``resource_path("passwords", "x.txt")``.

    Only relative parts are accepted; the result always lies inside the
    resources directory. The file is not required to exist.
    """
    root = resources_root()
    path = root.joinpath(*parts)
    resolved = path.resolve()
    if resolved != root.resolve() and root.resolve() not in resolved.parents:
        raise ValueError("resource path escapes the resources directory")
    return path
