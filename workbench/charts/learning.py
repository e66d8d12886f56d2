"""Learning-curve chart: labels spent vs. model score, one line per strategy.

Pure builder: a DataFrame in, an ``alt.Chart`` out, nothing displayed. altair is
imported when the function runs, never at import time.

Examples
--------
>>> import pandas as pd
>>> from workbench.charts.learning import plot_learning_curve
>>> curve = pd.DataFrame({"n_labels": [20, 70, 120], "cv_score": [0.3, 0.5, 0.6],
...                       "strategy": "margin"})
>>> plot_learning_curve(curve).to_dict()["layer"][0]["mark"]["type"]
'line'
"""

from __future__ import annotations

from typing import Optional

import pandas as pd

from .._internal.validation import check_columns
from ._altair import altair as _altair
from ._describe import described

__all__ = ["plot_learning_curve"]


def plot_learning_curve(curve: pd.DataFrame, *, x: str = "n_labels", y: Optional[str] = None,
                        color: Optional[str] = "strategy", target: Optional[float] = None,
                        title: str = "Learning curve") -> "alt.LayerChart":
    """Plot a learning curve: labels on x, score on y, a line (with points) per strategy.

    Parameters
    ----------
    curve : pandas.DataFrame
        :attr:`workbench.sampling.ActiveLearner.learning_curve` (``n_labels, cv_score,
        strategy, ...``) or benchmark curves (``n_labels, accuracy, strategy, seed``;
        several rows per x are averaged, with a band from min to max).
    x : str, default="n_labels"
    y : str, optional
        Score column; default ``cv_score`` if present, else ``accuracy``.
    color : str or None, default="strategy"
        Column that splits lines; ignored when absent.
    target : float, optional
        Draw a dashed horizontal rule at this score (e.g. 90% of full-data accuracy).
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"n_labels": [20, 70, 20, 70], "accuracy": [0.3, 0.6, 0.2, 0.4],
    ...                    "strategy": ["margin", "margin", "random", "random"]})
    >>> spec = plot_learning_curve(df, target=0.5).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['line', 'rule']
    """
    alt = _altair()
    if y is None:
        y = "cv_score" if "cv_score" in curve.columns else "accuracy"
    check_columns(curve, [x, y], what="the learning curve",
                  hint="Pass ActiveLearner.learning_curve, or name the columns with x= and y=.")
    group = [color] if color and color in curve.columns else []
    data = (curve.dropna(subset=[y]).groupby(group + [x], as_index=False)[y]
            .agg(score="mean", low="min", high="max", runs="count"))
    enc_color = alt.Color(f"{group[0]}:N", title=group[0]) if group else alt.value("#4c78a8")
    base = alt.Chart(data).encode(x=alt.X(f"{x}:Q", title="labels"), color=enc_color)
    tooltip = [f"{x}:Q", alt.Tooltip("score:Q", format=".3f"), "runs:Q"] + \
              ([f"{group[0]}:N"] if group else [])
    line = base.mark_line(point=True).encode(
        y=alt.Y("score:Q", title=y.replace("_", " "), scale=alt.Scale(zero=False)),
        tooltip=tooltip)
    layers = [line]
    if (data["runs"] > 1).any():
        layers.append(base.mark_area(opacity=0.15).encode(y="low:Q", y2="high:Q"))
    if target is not None:
        layers.append(alt.Chart(pd.DataFrame({"target": [float(target)]}))
                      .mark_rule(strokeDash=[4, 4], color="gray").encode(y="target:Q"))
    ends = "; ".join(
        f"{name}{': ' if name else ''}{y.replace('_', ' ')} {g['score'].iloc[0]:.3f} at {g[x].iloc[0]:g} labels, "
        f"{g['score'].iloc[-1]:.3f} at {g[x].iloc[-1]:g}"
        for name, g in (data.groupby(group[0]) if group else [("", data)]))
    return described(alt.layer(*layers).properties(title=title, width=420, height=260),
                     f"Line chart of {y.replace('_', ' ')} against the number of labels: {ends}"
                     + (f"; dashed line at the target {float(target):.3f}." if target is not None else "."))
