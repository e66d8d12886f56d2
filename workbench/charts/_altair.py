"""Lazy altair import shared by the chart modules (importing workbench must not import altair)."""

from __future__ import annotations

from ..exceptions import MissingDependencyError


def altair():
    """Return the ``altair`` module, or raise MissingDependencyError with the install command."""
    try:
        import altair as alt
    except ImportError as exc:  # pragma: no cover - altair is a core dependency
        raise MissingDependencyError("workbench.charts needs altair. Install it with: pip install 'altair>=5.3'") from exc
    return alt
