"""Trefas: joint case work between social services, police and probation."""

__version__ = "0.1.0"
