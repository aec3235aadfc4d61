"""The case list: ``CaseRow`` pages from ``services.cases.list_cases``."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication

from trefas_app.domain.enums import CaseState
from trefas_app.services.cases import CaseFilter
from trefas_app.services.views import CaseRow
from trefas_app.ui import style
from trefas_app.ui.common import enum_label, fmt_date
from trefas_app.ui.models.paged import PAGE_SIZE, Column, Counter, Loader, PagedTableModel


def _t(text: str) -> str:
    return QCoreApplication.translate("CaseTableModel", text)


def case_columns(lang: str = "sv") -> list[Column[CaseRow]]:
    return [
        Column(_t("Ärende"), lambda r: r.number, sort_key="number"),
        Column(_t("Person"), lambda r: r.person_name,
               decoration=lambda r: style.shield_icon() if r.protected else None,
               tooltip=lambda r: _t("Skyddade personuppgifter – visas med alias")
               if r.protected else None),
        Column(_t("Rubrik"), lambda r: r.title, sort_key="title"),
        Column(_t("Status"), lambda r: enum_label(r.state, lang), sort_key="state"),
        Column(_t("Risk"), lambda r: enum_label(r.risk_level, lang),
               decoration=lambda r: style.risk_icon(r.risk_level)),
        Column(_t("Enhet"), lambda r: r.unit_name),
        Column(_t("Öppnat"), lambda r: fmt_date(r.opened_at), sort_key="opened",
               descending_first=True),
        Column(_t("Senast uppdaterat"), lambda r: fmt_date(r.last_entry_at),
               sort_key="last_entry", descending_first=True),
    ]


class CaseTableModel(PagedTableModel):
    """``params`` is a :class:`CaseFilter`; sorting clicks set ``CaseFilter.sort``."""

    def __init__(self, loader: Loader, lang: str = "sv", filt: CaseFilter | None = None,
                 page_size: int = PAGE_SIZE, parent=None, counter: Counter | None = None):
        super().__init__(loader, case_columns(lang), params=filt or CaseFilter(),
                         page_size=page_size, parent=parent, counter=counter)

    @classmethod
    def for_context(cls, ctx, filt: CaseFilter | None = None, key: str = "cases.page",
                    parent=None, count_separately: bool = False) -> "CaseTableModel":
        """``count_separately``: rows first, count after — a supervisor's list
        of 45,000 cases shows its first page in tens of milliseconds, while
        the count takes hundreds. Short lists count with the page."""
        if not count_separately:
            return cls(case_loader(ctx, key), ctx.lang, filt=filt, parent=parent)
        return cls(case_loader(ctx, key, count=False), ctx.lang, filt=filt, parent=parent,
                   counter=case_counter(ctx, key + ".count"))

    @property
    def filter(self) -> CaseFilter:
        return self.params

    def set_query(self, query: str) -> None:
        if query != self.params.query:
            self.set_params(replace(self.params, query=query))

    def set_states(self, states: tuple[CaseState, ...]) -> None:
        if tuple(states) != self.params.states:
            self.set_params(replace(self.params, states=tuple(states)))

    def set_mine_only(self, mine: bool) -> None:
        if mine != self.params.mine_only:
            self.set_params(replace(self.params, mine_only=mine))


def case_loader(ctx, key: str, count: bool = True) -> Loader:
    from trefas_app.services import cases

    def load(filt, offset, limit, on_page, on_error, after=None):
        if ctx.run(cases.list_cases, filt, offset, limit, count=count, after=after,
                   on_done=on_page, on_error=on_error, key=key) is None:
            on_error(None)

    load.keyset = True  # deep pages by keyset (PagedTableModel)
    return load


def case_counter(ctx, key: str) -> Counter:
    from trefas_app.services import cases

    def count(filt, on_count, on_error):
        return ctx.run(cases.count_cases, filt, on_done=on_count, on_error=on_error, key=key)

    return count
