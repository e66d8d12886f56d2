"""Charts of an evaluation round (model outputs rated by people): win rates, Bradley-Terry
scores, rubric score distributions and correlations between criteria.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"system": ["x", "y"], "win_rate": [0.7, 0.3], "ci_low": [0.6, 0.2], "ci_high": [0.8, 0.4],
...                   "n_comparisons": [50, 50]})
>>> [layer["mark"]["type"] for layer in plot_win_rates(t).to_dict()["layer"]]
['rule', 'point', 'rule']
"""

from __future__ import annotations

import pandas as pd

from .._internal.validation import check_columns
from ._altair import altair as _altair
from ._describe import described, extremes

__all__ = ["plot_win_rates", "plot_bradley_terry", "plot_score_distribution", "plot_criterion_correlations"]


def _interval_chart(alt, data, value, title, axis_title, reference=None, domain=None):
    order = data.sort_values(value, ascending=False)["system"].tolist()
    y = alt.Y("system:N", sort=order, title=None)
    scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=False)
    bars = alt.Chart(data).mark_rule().encode(y=y, x=alt.X("ci_low:Q", scale=scale, title=axis_title), x2="ci_high:Q")
    points = alt.Chart(data).mark_point(filled=True, size=70).encode(
        y=y, x=alt.X(f"{value}:Q", scale=scale),
        tooltip=["system", alt.Tooltip(f"{value}:Q", format=".3f"), alt.Tooltip("ci_low:Q", format=".3f"),
                 alt.Tooltip("ci_high:Q", format=".3f"), "n_comparisons:Q"])
    layers = [bars, points]
    if reference is not None:
        layers.append(alt.Chart(pd.DataFrame({"ref": [reference]})).mark_rule(strokeDash=[4, 4], color="gray")
                      .encode(x="ref:Q"))
    return alt.layer(*layers, title=title).properties(width=420, height=alt.Step(24))


def plot_win_rates(table: pd.DataFrame, *, title: str = "Win rate per system (95% interval)"):
    """Each system's win rate (ties count half) with its interval; dashed at 0.5.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.agreement.win_rates`.
    title : str

    Returns
    -------
    altair.LayerChart
    """
    alt = _altair()
    check_columns(table, ["system", "win_rate", "ci_low", "ci_high", "n_comparisons"],
                  what="The table passed to plot_win_rates", hint="Pass workbench.agreement.win_rates(prefs).")
    data = table.assign(system=table["system"].astype(str))
    return described(_interval_chart(alt, data, "win_rate", title, "win rate (ties count half)", 0.5, [0, 1]), (
        f"Dot-and-interval chart of the win rate of {len(data)} systems, dashed line at 0.5: "
        f"{extremes(data, 'system', 'win_rate', fmt='.0%')}."))


def plot_bradley_terry(table: pd.DataFrame, *, title: str = "Bradley-Terry score per system (95% interval)"):
    """Each system's Bradley-Terry log-strength (mean 0) with its bootstrap interval.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.agreement.bradley_terry`.
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> t = pd.DataFrame({"system": ["x", "y"], "score": [0.5, -0.5], "ci_low": [0.2, -0.8], "ci_high": [0.8, -0.2],
    ...                   "n_comparisons": [9, 9]})
    >>> plot_bradley_terry(t).to_dict()["description"].startswith("Dot-and-interval chart of the Bradley-Terry")
    True
    """
    alt = _altair()
    check_columns(table, ["system", "score", "ci_low", "ci_high", "n_comparisons"],
                  what="The table passed to plot_bradley_terry", hint="Pass workbench.agreement.bradley_terry(prefs).")
    data = table.assign(system=table["system"].astype(str))
    return described(_interval_chart(alt, data, "score", title, "log strength (mean 0)", 0.0), (
        f"Dot-and-interval chart of the Bradley-Terry scores of {len(data)} systems (log strength, mean 0; "
        f"a difference of 1 means odds of about 2.7 to 1): {extremes(data, 'system', 'score')}."))


def plot_score_distribution(table: pd.DataFrame, *, title: str = "Scores per criterion"):
    """Stacked bars: for each rubric criterion, the share of answers at each score.

    Parameters
    ----------
    table : pandas.DataFrame
        ``criterion, score, count, share`` (e.g. :func:`workbench.agreement.rubric_distribution`).
    title : str

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> t = pd.DataFrame({"criterion": ["helpful"] * 2, "score": [4, 5], "count": [3, 1], "share": [0.75, 0.25]})
    >>> plot_score_distribution(t).to_dict()["mark"]["type"]
    'bar'
    """
    alt = _altair()
    check_columns(table, ["criterion", "score", "count", "share"], what="The table passed to plot_score_distribution")
    data = table.assign(criterion=table["criterion"].astype(str))
    chart = alt.Chart(data, title=title).mark_bar().encode(
        y=alt.Y("criterion:N", title=None),
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share of answers"),
        color=alt.Color("score:O", scale=alt.Scale(scheme="redyellowgreen"), title="score"),
        order=alt.Order("score:O"),
        tooltip=["criterion", "score", "count", alt.Tooltip("share:Q", format=".0%")],
    ).properties(width=420, height=alt.Step(26))
    means = data.assign(weighted=data["score"].astype(float) * data["count"]).groupby("criterion")[["weighted", "count"]].sum()
    means = (means["weighted"] / means["count"]).rename("mean").reset_index()
    return described(chart, f"Stacked bars of the score distribution of {len(means)} criteria; mean score "
                     f"{extremes(means, 'criterion', 'mean')}.")


def plot_criterion_correlations(matrix: pd.DataFrame, *, title: str = "Correlation between criteria"):
    """Heatmap of a criterion x criterion correlation matrix, values written in the cells.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square, criteria as index and columns (e.g. :func:`workbench.agreement.rubric_correlations`).
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> m = pd.DataFrame([[1.0, 0.8], [0.8, 1.0]], index=["a", "b"], columns=["a", "b"])
    >>> "a and b (0.80)" in plot_criterion_correlations(m).to_dict()["description"]
    True
    """
    alt = _altair()
    names = [str(c) for c in matrix.columns]
    data = pd.DataFrame([(str(a), str(b), float(matrix.loc[a, b])) for a in matrix.index for b in matrix.columns],
                        columns=["criterion_a", "criterion_b", "correlation"])
    base = alt.Chart(data, title=title).encode(x=alt.X("criterion_b:N", sort=names, title=None),
                                               y=alt.Y("criterion_a:N", sort=names, title=None))
    rect = base.mark_rect().encode(color=alt.Color("correlation:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1])),
                                   tooltip=["criterion_a", "criterion_b", alt.Tooltip("correlation:Q", format=".2f")])
    text = base.mark_text(fontSize=10).encode(text=alt.Text("correlation:Q", format=".2f"))
    off = data[data["criterion_a"] < data["criterion_b"]].assign(
        pair=lambda d: d["criterion_a"] + " and " + d["criterion_b"])
    return described(alt.layer(rect, text, data=data), (
        f"Heatmap of the correlation between {len(names)} rubric criteria"
        + (f": {extremes(off, 'pair', 'correlation')}." if len(off) else ".")))
