"""Qt item models for the long lists (persons, cases, …), paged through the worker."""
