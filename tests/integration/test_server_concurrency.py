"""Twenty desktops writing notes, consents and log entries at once against one
PostgreSQL server, each logged in as its user's own role (the proof of issue
13, for a few seconds; ``benchmarks/pg_concurrency.py`` runs it for a minute)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import pg_concurrency  # noqa: E402
from server_world import build_server_world  # noqa: E402


@pytest.fixture(scope="module")
def world(pg_cluster):
    return build_server_world(pg_cluster)


def test_twenty_writers_lose_nothing_fork_nothing_and_losers_get_a_message(world):
    figures = pg_concurrency.prove(world, seconds=4, processes=20)
    # No lost write, no draft signed twice, no consent with two successors,
    # no chain gap or fork, no traceback and no other refusal in any process.
    assert figures["problems"] == []
    assert figures["processes"] == 20
    assert figures["verify_ok"], figures["verify_problem"]
    assert figures["writes"] > 0
    # The desktops of one user collide on the same drafts and consents: the
    # loser is told in Swedish and English, and nothing is overwritten.
    assert figures["conflicts"] > 0
    for message in figures["conflict_messages"]:
        sv, en = message.split(" / ")
        assert sv and en and sv != en
