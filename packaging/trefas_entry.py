"""The frozen program's entry point (PyInstaller's script): the ``trefas`` command.

PyInstaller needs a script file, not a console-script entry point; this is the
same as ``python -m trefas_app``.
"""

import sys

from trefas_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
