"""Helpers shared by every component: validation, votes, lazy exports, optional imports.

Nothing here is public API; the layer rules put this package below every component.
"""
