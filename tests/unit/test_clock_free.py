"""tests/passes.py's CLOCK_FREE: the tests CI runs in its first pass only.
The list names real tests, and its guard refuses them the clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from passes import CLOCK_FREE
from trefas_app.domain import clock

TESTS = Path(__file__).resolve().parents[1]


def test_every_entry_names_an_existing_test_file_or_function():
    for entry in CLOCK_FREE:
        file, _, name = entry.partition("::")
        path = TESTS / file
        assert path.is_file(), entry
        if name:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
            assert name in names, entry


def test_the_guard_refuses_the_clock_to_a_clock_free_test(request):
    assert request.node.get_closest_marker("clock_free") is not None
    with pytest.raises(AssertionError, match="CLOCK_FREE"):
        clock.now_utc()
    with pytest.raises(AssertionError, match="CLOCK_FREE"):
        clock.today()


def test_a_test_outside_the_list_has_the_clock(request):
    assert request.node.get_closest_marker("clock_free") is None
    assert clock.now_utc().tzinfo is not None
