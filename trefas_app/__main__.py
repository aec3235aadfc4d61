"""``python -m trefas_app``: the same as the ``trefas`` command (no command
starts the desktop program)."""

import sys

from trefas_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
