"""Write the program icon (the one the window draws, ``style.app_icon``) as files
for the installers: ``trefas.png`` (256 px, Linux), ``trefas.ico`` (Windows) and
``trefas.icns`` (macOS), into the folder given.

    python packaging/make_icons.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(out_dir: str) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImageWriter

    from trefas_app.ui import style

    app = QGuiApplication.instance() or QGuiApplication(["make_icons"])  # noqa: F841
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    image = style.app_icon().pixmap(256, 256).toImage()
    supported = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    written = []
    for suffix in ("png", "ico", "icns"):
        if suffix in supported and image.save(str(out / f"trefas.{suffix}"), suffix.upper()):
            written.append(f"trefas.{suffix}")
    print(" ".join(written))
    return 0 if "trefas.png" in written else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
