"""Server mode: the same store interface on PostgreSQL (``connection``), and
what sets a server up and keeps it to the one access rule — the row-level
security policies generated from ``security/access.py`` (``rules``,
``policies``, ``masks``), reads through the masked views (``reads``), the
accounts as login roles (``accounts``), set-up and import (``setup``,
``import_store``), retention by the server's purge function (``retention``).
A layer of its own above services: it compiles the rule and the services'
purge statements into SQL. See docs/server.md."""
