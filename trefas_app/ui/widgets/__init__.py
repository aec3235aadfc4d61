"""Widgets the screens share: the list screen, the detail pane and the small building blocks (parts)."""
