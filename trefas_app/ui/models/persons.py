"""The person list: ``PersonRow`` pages from ``services.persons.list_persons``."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt

from trefas_app.services.views import PersonRow
from trefas_app.ui import style
from trefas_app.ui.common import enum_label
from trefas_app.ui.models.paged import PAGE_SIZE, Column, Counter, Loader, PagedTableModel


def _t(text: str) -> str:
    return QCoreApplication.translate("PersonTableModel", text)


def person_columns(lang: str = "sv") -> list[Column[PersonRow]]:
    return [
        Column(_t("Namn"), lambda r: r.display_name,
               decoration=lambda r: style.shield_icon() if r.protected else None,
               tooltip=lambda r: _t("Skyddade personuppgifter – visas med alias")
               if r.protected else None),
        # None is "not recorded" or "not shared": the row cannot tell which.
        Column(_t("Personnummer"), lambda r: r.personal_number or ("" if r.protected else "–")),
        Column(_t("Risknivå"), lambda r: enum_label(r.risk_level, lang),
               decoration=lambda r: style.risk_icon(r.risk_level)),
        Column(_t("Öppna ärenden"), lambda r: r.open_cases,
               align=Qt.AlignmentFlag.AlignRight),
    ]


class PersonTableModel(PagedTableModel):
    """``params`` is the search text. Sorted by name (the service's order)."""

    def __init__(self, loader: Loader, lang: str = "sv", query: str = "",
                 page_size: int = PAGE_SIZE, parent=None, counter: Counter | None = None):
        super().__init__(loader, person_columns(lang), params=query, page_size=page_size,
                         parent=parent, counter=counter)

    @classmethod
    def for_context(cls, ctx, key: str = "persons.page", parent=None) -> "PersonTableModel":
        """Rows first, count after (a supervisor sees tens of thousands)."""
        return cls(person_loader(ctx, key), ctx.lang, parent=parent,
                   counter=person_counter(ctx, key + ".count"))

    def set_query(self, query: str) -> None:
        if query != self.params:
            self.set_params(query)


def person_loader(ctx, key: str) -> Loader:
    """Pages from ``list_persons`` through the worker; a newer request with the
    same ``key`` supersedes an older one."""
    from trefas_app.services import persons

    def load(query, offset, limit, on_page, on_error, after=None):
        if ctx.run(persons.list_persons, query or "", offset, limit, count=False, after=after,
                   on_done=on_page, on_error=on_error, key=key) is None:
            on_error(None)  # locked

    load.keyset = True  # deep pages by keyset (PagedTableModel)
    return load


def person_counter(ctx, key: str) -> Counter:
    from trefas_app.services import persons

    def count(query, on_count, on_error):
        return ctx.run(persons.count_persons, query or "", on_done=on_count,
                       on_error=on_error, key=key)

    return count
