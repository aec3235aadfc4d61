"""The one text rule (domain/text.py), applied to every stored text field at
every flush: no service, dialog or script can store a field without it.

Only values that change are checked, so a row written before the rule
existed can still be updated in its other fields.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from trefas_app.domain.text import FIELD_RULES, clean


def _clean_changed_fields(session: Session, flush_context, instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        table = getattr(obj, "__tablename__", None)
        if table is None:
            continue
        for attr in state.mapper.column_attrs:
            rule = FIELD_RULES.get(f"{table}.{attr.columns[0].name}")
            if rule is None:
                continue
            value = getattr(obj, attr.key)
            if not isinstance(value, str):
                continue
            if obj not in session.new and not state.attrs[attr.key].history.has_changes():
                continue
            cleaned = clean(value, rule)
            if cleaned != value:
                setattr(obj, attr.key, cleaned)


def install() -> None:
    """Register the guard for every Session (idempotent)."""
    if not event.contains(Session, "before_flush", _clean_changed_fields):
        event.listen(Session, "before_flush", _clean_changed_fields)


install()
