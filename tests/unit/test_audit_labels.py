"""One table of readable names for access-log actions, used by ``trefas audit
show`` and the window's Logg screen: every action the program writes has a
Swedish and an English name, and people can find actions by a word."""

from __future__ import annotations

import ast
from pathlib import Path

import trefas_app
from trefas_app.domain import audit_labels as al

SOURCE = Path(trefas_app.__file__).resolve().parent

#: ``kind_name`` of exits._add_component/_end_component (f"{kind_name}.create").
COMPONENT_KINDS = ("measure", "support")


def _string(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _shared_reader_actions(call: ast.Call) -> set[str]:
    """services/case_records.py logs for its callers: ``read_record(uow, actor,
    "plan", …)`` writes ``plan.read``, ``list_case_records(…, kind="involvement")``
    writes ``involvement.list``."""
    if call.func.id == "read_record" and len(call.args) >= 3 and _string(call.args[2]):
        return {_string(call.args[2]) + ".read"}
    if call.func.id == "list_case_records":
        kind = next((_string(k.value) for k in call.keywords if k.arg == "kind"), None)
        return {kind + ".list"} if kind else set()
    return set()


def written_actions() -> set[str]:
    """Every action code the source passes to ``uow.log``/``audit.append``, the
    document kinds' actions, and the session actions given to ``close``/``lock``."""
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                found |= _shared_reader_actions(node)
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            name, args = node.func.attr, node.args
            if name == "log" and args and _string(args[0]):  # KeylessSession.log(action)
                code = _string(args[0])
            elif name == "log" and len(args) >= 2:
                code = _string(args[1])
                if code is None and isinstance(args[1], ast.JoinedStr) \
                        and path.name == "exits.py":  # the exit components' own verbs
                    parts = [_string(v) or "" for v in args[1].values]
                    found |= {kind + "".join(parts) for kind in COMPONENT_KINDS}
            elif name == "append" and len(args) >= 4:
                code = _string(args[3])
            elif name in ("close", "lock") and args \
                    and "demo" not in path.relative_to(SOURCE).parts:
                code = _string(args[0])
            else:
                code = None
            if code and "." in code or code in ("login", "logout", "lock", "backup",
                                                "restore", "rekey", "disclosure", "refused"):
                found.add(code)
    from trefas_app.services.documents import ACTION

    found |= set(ACTION.values())
    from trefas_app.store.account_sync import PENDING_EVENT_ACTIONS
    from trefas_app.store.login_entries import FAILURE_ACTIONS

    found |= FAILURE_ACTIONS | PENDING_EVENT_ACTIONS  # written from the key file's lists
    found |= {"access.denied", "refused", "logout", "lock"}
    return found


def test_the_source_scan_finds_the_actions():
    actions = written_actions()
    assert {"case.read", "login.failed", "document.handover", "measure.create",
            "retention.delete", "access.denied"} <= actions
    assert len(actions) > 80


def test_every_written_action_has_a_swedish_and_an_english_name():
    missing = sorted(a for a in written_actions() if a not in al.ACTION_LABELS)
    assert missing == []
    for code, (sv, en) in al.ACTION_LABELS.items():
        assert sv.strip() and en.strip() and "." not in sv and "." not in en, code
        assert al.action_label(code, "sv") == sv and al.action_label(code, "en") == en


def test_raw_codes_of_the_old_logg_screen_now_read_as_words():
    assert al.action_label("document.handover") == "Skapade överlämningsdokument"
    assert al.action_label("document.summary", "en") == "Issued case summary"
    # A code from a newer version: a guess from its kind and verb, never a crash.
    assert al.action_label("exit.future.read") == "Läste avhopparstöd"
    assert al.action_label("something.odd") == "something.odd"


def test_actions_are_found_by_the_start_of_a_word():
    assert {"login", "login.failed", "logout", "lock"} <= al.actions_matching("lo")
    reads = al.actions_matching("läste")
    assert {"case.read", "person.read", "note.read"} <= reads
    assert "case.create" not in reads
    assert al.actions_matching("case.read") == {"case.read"}
    assert "consent.withdraw" in al.actions_matching("återkalla")
    assert al.actions_matching("  ") == frozenset()


def test_subjects_read_as_numbers_people_know():
    assert al.subject_text("case", "33", "K-2026-00012", None) == "K-2026-00012"
    assert al.subject_text("person", "42", None, 42) == "P-0042"
    assert al.subject_text("note", "306", "K-2026-00012", 42) == "anteckning #306"
    assert al.subject_text("exit", "5", "K-2026-00012", 42) == "avhopparstöd"
    assert al.subject_text("exit", "5", None, None, "en") == "exit programme"
    assert al.case_text(33, None) == "(ärende du inte ser)"
    assert "33" not in al.case_text(33, None, "en")
    assert al.case_text(None, None) == ""
