"""Charts that compare two rounds: per-category agreement before and after a revision.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"category": ["a", "a"], "round": ["round 1", "round 2"], "kappa": [0.5, 0.8],
...                   "kappa_low": [0.4, 0.7], "kappa_high": [0.6, 0.9]})
>>> [layer["mark"]["type"] for layer in plot_category_change(t).to_dict()["layer"]]
['rule', 'point']
"""

from __future__ import annotations

import pandas as pd

from .._internal.validation import check_columns
from ._altair import altair as _altair
from ._describe import described

__all__ = ["plot_category_change"]


def plot_category_change(table: pd.DataFrame, *, title: str = "One-vs-rest kappa per category, by round"):
    """Per category, each round's kappa as a point with its interval, coloured by round.

    Parameters
    ----------
    table : pandas.DataFrame
        Long format: ``category, round, kappa, kappa_low, kappa_high`` (rows with no kappa are dropped).
    title : str

    Returns
    -------
    altair.LayerChart
    """
    alt = _altair()
    check_columns(table, ["category", "round", "kappa", "kappa_low", "kappa_high"],
                  what="The table passed to plot_category_change")
    data = table.dropna(subset=["kappa"]).assign(category=lambda d: d["category"].astype(str),
                                                 round=lambda d: d["round"].astype(str))
    y = alt.Y("category:N", title=None)
    bars = alt.Chart(data).mark_rule().encode(y=y, x="kappa_low:Q", x2="kappa_high:Q", color="round:N")
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        y=y, x=alt.X("kappa:Q", title="one-vs-rest kappa", scale=alt.Scale(domain=[-0.2, 1])),
        color=alt.Color("round:N", title=None),
        tooltip=["category", "round", alt.Tooltip("kappa:Q", format=".3f")]).properties(width=460, height=alt.Step(18))
    rounds = list(dict.fromkeys(data["round"]))
    text = f"Dot-and-interval chart of one-vs-rest kappa for {data['category'].nunique()} categories in {len(rounds)} rounds"
    if len(rounds) == 2:
        wide = data.pivot_table(index="category", columns="round", values="kappa").dropna()
        change = (wide[rounds[1]] - wide[rounds[0]]).sort_values()
        if len(change):
            text += (f"; from {rounds[0]} to {rounds[1]} the largest gain is {change.index[-1]} "
                     f"({change.iloc[-1]:+.2f}) and the largest drop or smallest gain {change.index[0]} ({change.iloc[0]:+.2f})")
    return described(alt.layer(bars, points, title=title), text + ".")
