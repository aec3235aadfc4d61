"""Tabs of the case view: one module per tab, each with a class ``Tab``
(see ``trefas_app/ui/README.md``). Loaded lazily by name."""
