"""Charts of a calibration quiz: each labeler's share right on gold items against the pass mark.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"annotator": ["ana", "ben"], "score": [0.9, 0.6], "passed": [True, False]})
>>> spec = plot_gold_scores(t, pass_mark=0.8).to_dict()
>>> [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
['bar', 'rule']
"""

from __future__ import annotations

import pandas as pd

from .._internal.validation import check_columns
from ._altair import altair as _altair
from ._describe import described, extremes

__all__ = ["plot_gold_scores"]


def plot_gold_scores(table: pd.DataFrame, *, pass_mark: float, title: str = "Share right on gold items"):
    """Bars of each labeler's score on gold items, coloured pass / fail, with the pass mark dashed.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``annotator``, ``score`` (0-1) and ``passed`` (bool).
    pass_mark : float
        The score a labeler needs, drawn as a dashed rule.
    title : str

    Returns
    -------
    altair.LayerChart
    """
    alt = _altair()
    check_columns(table, ["annotator", "score", "passed"], what="The table passed to plot_gold_scores")
    data = table.assign(annotator=table["annotator"].astype(str))
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("annotator:N", sort="x", title=None),
        x=alt.X("score:Q", scale=alt.Scale(domain=[0, 1]), title="share right"),
        color=alt.Color("passed:N", scale=alt.Scale(domain=[True, False], range=["#54a24b", "#e45756"])),
        tooltip=["annotator", alt.Tooltip("score:Q", format=".0%"), "passed"],
    ).properties(width=420, height=alt.Step(22))
    rule = alt.Chart(pd.DataFrame({"pass_mark": [float(pass_mark)]})).mark_rule(strokeDash=[4, 4]).encode(
        x="pass_mark:Q")
    n_pass = int(data["passed"].astype(bool).sum())
    return described(alt.layer(bars, rule, title=title), (
        f"Bar chart of the share of gold items each of {len(data)} labelers got right, dashed line at the pass "
        f"mark {pass_mark:.0%}: {n_pass} pass; {extremes(data, 'annotator', 'score', fmt='.0%')}."))
