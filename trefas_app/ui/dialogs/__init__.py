"""Dialogs: one module per dialog, each a :class:`~trefas_app.ui.dialogs.base.ServiceDialog`.

See ``trefas_app/ui/README.md`` for the conventions."""
