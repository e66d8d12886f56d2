"""Alt text for charts: one sentence that says what a chart shows, from its data.

Every builder sets Vega-Lite's ``description`` with :func:`described`; the report's chart
renderer turns it into the ``alt`` text of the exported image (and an SVG ``<title>``), so a
reader who cannot see the chart still gets its point.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"category": ["a", "b", "c"], "kappa": [0.4, 0.9, 0.7]})
>>> extremes(t, "category", "kappa")
'highest b (0.90), lowest a (0.40)'
>>> name_span(["x", "y", "z"], limit=2)
'x, y and 1 more'
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

__all__ = ["described", "extremes", "name_span"]

#: Alt text longer than this is cut: screen readers read all of it, and a chart's point is short.
MAX_CHARS = 600


def described(chart, text: str):
    """``chart`` with ``text`` (whitespace collapsed, at most 600 characters) as its description."""
    text = " ".join(str(text).split())
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1].rstrip() + "…"
    return chart.properties(description=text)


def _fmt(value, fmt: str) -> str:
    return "n/a" if pd.isna(value) else format(value, fmt)


def extremes(frame: pd.DataFrame, name_col: str, value_col: str, *, fmt: str = ".2f",
             high: str = "highest", low: str = "lowest") -> str:
    """``'highest <name> (<value>), lowest <name> (<value>)'`` over the rows with a value."""
    rows = frame.dropna(subset=[value_col])
    if rows.empty:
        return "no values"
    top = rows.loc[rows[value_col].idxmax()]
    bottom = rows.loc[rows[value_col].idxmin()]
    if len(rows) == 1:
        return f"{top[name_col]} ({_fmt(top[value_col], fmt)})"
    return (f"{high} {top[name_col]} ({_fmt(top[value_col], fmt)}), "
            f"{low} {bottom[name_col]} ({_fmt(bottom[value_col], fmt)})")


def name_span(names: Sequence, *, limit: int = 5) -> str:
    """Up to ``limit`` names joined by commas, then ``'and N more'``."""
    names = [str(n) for n in names]
    if len(names) <= limit:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + (names[-1] if names else "")
    return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
