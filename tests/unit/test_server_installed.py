"""The desktop's verdict on a server's installation marker and schema
version, without a server (the integration half: test_server_upgrade.py)."""

from __future__ import annotations

import pytest

from trefas_app.server import installed
from trefas_app.store.migrate import SCHEMA_HEAD

EARLIER = "e" * 64


@pytest.fixture
def one_earlier_installation(monkeypatch):
    monkeypatch.setattr(installed, "EARLIER_INSTALLATIONS", (EARLIER,))


@pytest.mark.parametrize("installation, revision, expected", [
    (installed.INSTALLATION, SCHEMA_HEAD, "current"),
    (EARLIER, SCHEMA_HEAD, "older"),
    (None, None, "older"),                          # installed before markers
    (installed.INSTALLATION, "0001", "older"),      # an older schema
    (installed.INSTALLATION, None, "older"),
    ("f" * 64, SCHEMA_HEAD, "newer"),               # an installation this program never made
    (installed.INSTALLATION, "9999", "newer"),      # a migration this program does not have
    (EARLIER, "9999", "newer"),
])
def test_verdict(installation, revision, expected, one_earlier_installation):
    assert installed.verdict(installation, revision) == expected


def test_the_digest_ignores_the_order_of_statements_but_not_their_text():
    digest = installed.digest_of
    assert digest(["GRANT a", "GRANT b"]) == digest(["GRANT b", "GRANT a"])
    assert digest(["GRANT a", "GRANT b"]) != digest(["GRANT a", "GRANT c"])
    assert digest(["ab", "c"]) != digest(["a", "bc"])


def test_the_marker_names_this_programs_installation_and_schema():
    import json

    marker = json.loads(installed.marker_comment(SCHEMA_HEAD))
    assert marker["installation"] == installed.INSTALLATION and marker["schema"] == SCHEMA_HEAD
    assert installed.INSTALLATION not in installed.EARLIER_INSTALLATIONS
