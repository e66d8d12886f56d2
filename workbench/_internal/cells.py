"""Spreadsheet-safe text cells: neutralise formulas on export, restore them on import.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return) as a formula, so an annotator name like ``=HYPERLINK(...)`` in
a CSV export is code. Following OWASP's advice, such cells get a leading ``'``, which
spreadsheets show as text and do not display. A cell that already begins with ``'`` gets
one too, so :func:`restore_formulas` can undo the change exactly.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"annotator": ["=1+1", "ana", "'quoted"], "n": [-1, 2, 3]})
>>> safe = neutralize_formulas(df)
>>> safe["annotator"].tolist(), safe["n"].tolist()
(["'=1+1", 'ana', "''quoted"], [-1, 2, 3])
>>> restore_formulas(safe)["annotator"].tolist() == df["annotator"].tolist()
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["FORMULA_TRIGGERS", "neutralize_formulas", "restore_formulas", "neutralize_cell"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = FORMULA_TRIGGERS + ("'",)


def neutralize_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run (or begins with ``'``).

    Examples
    --------
    >>> neutralize_cell("@SUM(A1)"), neutralize_cell("-2"), neutralize_cell(-2), neutralize_cell(None)
    ("'@SUM(A1)", "'-2", -2, None)
    """
    if isinstance(value, str) and value.startswith(_ESCAPED):
        return "'" + value
    return value


def _text_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns if df[c].dtype == object or isinstance(df[c].dtype, pd.StringDtype)]


def neutralize_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as spreadsheet formulas (numbers untouched)."""
    out = df.copy()
    for col in _text_columns(out):
        out[col] = out[col].map(neutralize_cell)
    return out


def restore_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralize_formulas`: drop the ``'`` it added in front of text cells."""
    out = df.copy()
    for col in _text_columns(out):
        out[col] = out[col].map(lambda v: v[1:] if isinstance(v, str) and v.startswith("'")
                                and v[1:].startswith(_ESCAPED) else v)
    return out
