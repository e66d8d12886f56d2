"""Lazy altair import shared by the chart modules (importing workbench must not import altair)."""

from __future__ import annotations

from .._internal.optional import import_optional


def altair():
    """Return the ``altair`` module, or raise MissingDependencyError with the install command."""
    return import_optional("altair", needed_for="workbench.charts", install="altair>=5.3")
