"""Screens of the main window: one module per navigation entry, each with a
class ``Screen`` (see ``trefas_app/ui/README.md``)."""
