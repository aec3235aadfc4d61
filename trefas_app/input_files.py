"""Reading a file the user names (a PDF to verify, a password file, a note's
text): never more than a stated size, so ``/dev/zero`` ends in one sentence
instead of a MemoryError; where only a regular file makes sense, a FIFO or a
device is refused at once instead of hanging."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from trefas_app.domain.errors import ValidationError


def read_bounded(path: Path, max_bytes: int, *, regular_only: bool,
                 kind: tuple[str, str] = ("Filen", "The file")) -> bytes:
    """At most ``max_bytes`` of ``path``; refuses more. ``regular_only`` also
    refuses anything but a regular file (opened without blocking to see).
    ``kind`` names the file in messages ("Lösenordsfilen", "The password file")."""
    sv, en = kind
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
    if regular_only:
        flags |= getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ValidationError(f"{sv} {path} finns inte.",
                              f"{en} {path} does not exist.") from None
    except (OSError, ValueError):
        raise ValidationError(f"{sv} {path} kunde inte läsas.",
                              f"{en} {path} could not be read.") from None
    try:
        if regular_only and not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValidationError(f"{path} är ingen vanlig fil; ange en fil.",
                                  f"{path} is not a regular file; give a file.")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        raise ValidationError(f"{sv} {path} kunde inte läsas.",
                              f"{en} {path} could not be read.") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        size = f"{max_bytes // (1024 * 1024)} MiB" if max_bytes >= 1024 * 1024 \
            else f"{max_bytes // 1024} KiB"
        raise ValidationError(f"{sv} {path} är för stor (högst {size}).",
                              f"{en} {path} is too large (at most {size}).")
    return data
