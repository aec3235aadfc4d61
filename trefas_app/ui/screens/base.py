"""What every screen and case tab has in common, and the lazy loaders.

A *screen* is a module ``trefas_app.ui.screens.<key>`` with a class ``Screen``;
a *case tab* is a module ``trefas_app.ui.screens.case_tabs.<key>`` with a class
``Tab``. Both are created only when first shown, and both are thrown away when
the window locks (so no decrypted text survives a lock). If the module does not
exist yet, a calm placeholder stands in for it.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from trefas_app.ui.accessibility import TunedOnShow
from trefas_app.ui.common import heading, muted

log = logging.getLogger("trefas.ui")


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlaceholderScreen", text)


class BaseScreen(TunedOnShow, QWidget):
    """Optional base class for screens (and, through :class:`BaseTab`, tabs).

    Subclasses set ``watches`` to the kinds of data they show (fields of
    :class:`~trefas_app.domain.changes.Changed`: ``"cases"`` for any case,
    ``("notes", case_id)`` for one case's notes), and implement :meth:`reload`.
    The base class calls :meth:`reload` when the screen is activated for the
    first time, and again when ``ctx.changed`` delivers a matching change — at
    once if the screen is visible, otherwise the next time it is activated.
    Never touch the store here: call services with ``self.ctx.run(...)``.
    """

    #: Kinds this screen shows: a kind, or (kind, id), e.g. ("cases", ("notes", 12)).
    watches: tuple = ()
    #: Title for the window; set from the navigation entry if empty.
    title: str = ""
    # Emitted when the title changes (a detail page got its record): the
    # window's title follows.
    title_changed = Signal(str)

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True
        ctx.changed.connect(self._on_changed)

    # -- the protocol the main window uses ------------------------------------------

    def set_title(self, title: str) -> None:
        self.title = title
        self.title_changed.emit(title)

    def activate(self) -> None:
        """The screen became the visible one."""
        if self._stale:
            self._stale = False
            self.reload()

    def clear(self) -> None:
        """Drop every piece of case data this screen holds (the window locks)."""

    def state(self) -> dict[str, Any]:
        """Where the user is (selection, filter, tab): restored after unlock.
        Plain values only, and no case content (ids are fine)."""
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        """Go back to ``state`` (from :meth:`state`) after an unlock."""

    def call_window(self, name: str) -> None:
        """Ask the main window to do ``name`` (e.g. ``go_back``); a screen shown
        on its own (a test, a detached window) has no such window: nothing."""
        method = getattr(self.window(), name, None)
        if method is not None:
            method()

    # -- for subclasses ----------------------------------------------------------------

    def reload(self) -> None:
        """Ask the services for fresh data (through ``self.ctx.run``)."""

    def _on_changed(self, changed) -> None:
        if not self.watches or not changed.matches(self.watches):
            return
        if self.isVisible():
            self._stale = False
            self.reload()
        else:
            self._stale = True


class PlaceholderScreen(QWidget):
    """Stands in for a screen or tab that is not written yet."""

    def __init__(self, title: str, detail: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 24, 24, 24)
        lay.addWidget(heading(title, self))
        lay.addWidget(muted(detail or self.tr("Den här delen av Trefas är inte klar ännu."), self))
        lay.addStretch(1)
        self.setObjectName("placeholder")

    def activate(self) -> None:
        pass

    def clear(self) -> None:
        pass

    def state(self) -> dict:
        return {}

    def restore(self, state: dict) -> None:
        pass


def _load_class(module_name: str, class_name: str):
    """The class, or None if the module does not exist (yet)."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return getattr(module, class_name, None)


def load_screen(key: str, ctx, title: str, parent: QWidget | None = None) -> QWidget:
    """``trefas_app.ui.screens.<key>.Screen(ctx)`` or a placeholder."""
    module = f"trefas_app.ui.screens.{key}"
    try:
        cls = _load_class(module, "Screen")
    except Exception:  # noqa: BLE001 — a broken screen must not take the window down
        log.exception("Screen module %s failed to import", module)
        return PlaceholderScreen(title, _tr("Den här delen kunde inte laddas. Felet har loggats."), parent)
    if cls is None:
        return PlaceholderScreen(title, parent=parent)
    screen = cls(ctx, parent) if parent is not None else cls(ctx)
    if not getattr(screen, "title", ""):
        screen.title = title
    return screen


def load_tab(key: str, ctx, case_view, title: str) -> QWidget:
    """``trefas_app.ui.screens.case_tabs.<key>.Tab(ctx, case_view)`` or a placeholder."""
    module = f"trefas_app.ui.screens.case_tabs.{key}"
    try:
        cls = _load_class(module, "Tab")
    except Exception:  # noqa: BLE001
        log.exception("Case tab module %s failed to import", module)
        return PlaceholderScreen(title, _tr("Den här fliken kunde inte laddas. Felet har loggats."))
    if cls is None:
        return PlaceholderScreen(title)
    return cls(ctx, case_view)


class BaseTab(BaseScreen):
    """Optional base class for a tab of the case view.

    ``self.case_view`` is the owning :class:`CaseViewScreen`; ``self.case`` is
    the current :class:`~trefas_app.services.views.CaseView` (None until
    loaded). :meth:`set_case` is called by the case view whenever the case is
    (re)loaded; the tab then reloads its own lists when it is visible.
    Watches default to this case's own row; override ``case_watches``.
    """

    def __init__(self, ctx, case_view, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.case_view = case_view
        self.case = None

    def case_watches(self, case) -> tuple:
        return (("cases", case.id),)

    def set_case(self, case) -> None:
        first = self.case is None or self.case.id != case.id
        self.case = case
        self.watches = self.case_watches(case)
        if first:
            self._stale = True
            if self.isVisible():
                self.activate()

    def activate(self) -> None:
        if self.case is not None:
            super().activate()
