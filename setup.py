"""Which files go into the wheel. Everything else is in ``pyproject.toml``.

The program's data files stay at the top of the repository (``resources/`` and
``db/``) but are installed *inside* the package, as extra sub-packages that
setuptools reads straight from those directories (``package_dir``):

==============================  ==================  ==============================
in the wheel                    read from           found at run time by
==============================  ==================  ==============================
``trefas_app/_resources/…``     ``resources/``      ``trefas_app.resources``
``trefas_app/_migrations/…``    ``db/``             ``trefas_app.store.migrate``
==============================  ==================  ==============================

Nothing is copied into the source tree, and an editable install keeps reading
the top-level directories. This lives in ``setup.py`` rather than in
``pyproject.toml`` because the package list is computed ("every ``trefas_app``
package on disk, plus the mapped directories and their sub-directories"), which
``[tool.setuptools]`` cannot express. ``tests/integration/test_packaging.py`` builds a wheel
and checks that every file of ``db/`` and ``resources/`` (but the ``.ts``
translation sources, see below) is in it.
"""

from setuptools import find_namespace_packages, find_packages, setup

MAPPED = {
    # package in the wheel: directory in the repository
    "trefas_app._resources": "resources",
    "trefas_app._migrations": "db",
}


def mapped_packages(package: str, directory: str) -> list[str]:
    """``package`` and one sub-package per sub-directory of ``directory``.

    Every sub-directory is listed, even one holding only data (``i18n``):
    setuptools warns about importable-looking directories that are shipped as
    data of a parent package.
    """
    subdirs = find_namespace_packages(where=directory, exclude=["*__pycache__*"])
    return [package, *(f"{package}.{sub}" for sub in subdirs)]


resource_packages = mapped_packages("trefas_app._resources", "resources")
migration_packages = mapped_packages("trefas_app._migrations", "db")

setup(
    packages=[
        *find_packages(include=["trefas_app", "trefas_app.*"]),
        *resource_packages,
        *migration_packages,
    ],
    # A sub-package of a mapped one (trefas_app._migrations.versions) is found
    # under the mapped directory (db/versions) without its own entry.
    package_dir=MAPPED,
    package_data={
        # Every shipped file: translations, the common-password list, …
        **{name: ["*"] for name in resource_packages},
        # env.py and versions/*.py are modules of the packages; these are not.
        **{name: ["*.mako", "*.ini"] for name in migration_packages},
    },
    exclude_package_data={
        **{name: ["*.py[co]"] for name in resource_packages},
        # The Linguist sources stay out: the program loads the compiled .qm,
        # and with the .ts beside it, it would compare the two files' times —
        # which in an installed wheel say only in which order pip unpacked them
        # — and recompile the .ts at every start. tests/integration/test_packaging.py
        # checks that every .ts has a .qm with the same translations.
        "trefas_app._resources.i18n": ["*.ts"],
    },
)
