"""Charts of the agreement analysis: pure altair builders (a table in, an ``alt.Chart`` out).

Each function takes the output of the matching :mod:`workbench.agreement` function
and displays nothing. altair is imported when a chart is built, never at import time.

Examples
--------
>>> import pandas as pd
>>> from workbench import agreement as ag
>>> from workbench.charts.agreement import plot_coincidence_heatmap
>>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": list("abab"), "label": list("xyxx")})
>>> spec = plot_coincidence_heatmap(ag.coincidence_matrix(df)).to_dict()
>>> spec["layer"][0]["mark"]["type"]
'rect'
"""

from __future__ import annotations

import pandas as pd

from .._internal.validation import check_columns, check_option
from ..exceptions import DataError
from ._altair import altair as _altair

__all__ = ["plot_coincidence_heatmap", "plot_category_agreement", "plot_annotator_matrix",
           "plot_agreement_intervals"]


def plot_coincidence_heatmap(matrix: pd.DataFrame, *, normalize: bool = True, hide_diagonal: bool = False,
                             title: str = "Where annotators agree and split (coincidences)"):
    """Heatmap of Krippendorff's coincidence matrix, with the values written in the cells.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square, categories x categories, from :func:`workbench.agreement.coincidence_matrix`.
    normalize : bool, default True
        Show each row as shares of its pairable values (row sums are 1).
    hide_diagonal : bool, default False
        Blank the agreements to make the splits stand out.
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[4.0, 1.0], [1.0, 2.0]], index=["x", "y"], columns=["x", "y"])
    >>> chart = plot_coincidence_heatmap(m, hide_diagonal=True)
    >>> sorted(chart.data.category_b.unique().tolist())
    ['x', 'y']
    """
    alt = _altair()
    if not isinstance(matrix, pd.DataFrame) or list(matrix.index) != list(matrix.columns):
        raise DataError("plot_coincidence_heatmap expects the square DataFrame of "
                        "workbench.agreement.coincidence_matrix(df) (same categories as index and columns).",
                        reason="bad_matrix")
    order = [str(c) for c in matrix.index]
    values = matrix.to_numpy(dtype=float)
    if normalize:
        sums = values.sum(axis=1, keepdims=True)
        values = values / (sums + (sums == 0))
    data = pd.DataFrame([(order[i], order[j], values[i, j], matrix.iat[i, j])
                         for i in range(len(order)) for j in range(len(order))
                         if not (hide_diagonal and i == j)],
                        columns=["category_a", "category_b", "value", "coincidences"])
    base = alt.Chart(data, title=title).encode(
        x=alt.X("category_b:N", sort=order, title="paired with"),
        y=alt.Y("category_a:N", sort=order, title="category"))
    rect = base.mark_rect().encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme="blues"), title="share" if normalize else "coincidences"),
        tooltip=["category_a", "category_b", alt.Tooltip("coincidences:Q", format=".2f"),
                 alt.Tooltip("value:Q", format=".2f")])
    text = base.mark_text(fontSize=10).encode(text=alt.Text("value:Q", format=".2f" if normalize else ".1f"))
    return alt.layer(rect, text, data=data)


def plot_category_agreement(table: pd.DataFrame, *, metric: str = "kappa",
                            title: str = "Agreement per category (95% interval)"):
    """Per-category agreement as points with interval bars, lowest first.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.agreement.per_category_table`.
    metric : {'kappa', 'specific_agreement'}
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"category": ["a", "b"], "support": [5, 7], "kappa": [0.4, 0.8], "kappa_low": [0.2, 0.7],
    ...                   "kappa_high": [0.6, 0.9]})
    >>> [layer["mark"]["type"] for layer in plot_category_agreement(t).to_dict()["layer"]]
    ['rule', 'point']
    """
    alt = _altair()
    check_option(metric, {"kappa", "specific_agreement"}, param="metric", caller="plot_category_agreement")
    check_columns(table, ["category", "support", metric, f"{metric}_low", f"{metric}_high"],
                  what="The table passed to plot_category_agreement",
                  hint="Pass the output of workbench.agreement.per_category_table(df).")
    data = table.assign(category=table.category.astype(str))
    order = data.sort_values(metric, na_position="first").category.tolist()
    y = alt.Y("category:N", sort=order, title=None)
    bars = alt.Chart(data).mark_rule().encode(y=y, x=alt.X(f"{metric}_low:Q", title=metric.replace("_", " ")),
                                              x2=f"{metric}_high:Q")
    points = alt.Chart(data).mark_point(filled=True, size=60).encode(
        y=y, x=f"{metric}:Q", tooltip=["category", "support", alt.Tooltip(f"{metric}:Q", format=".3f"),
                                       alt.Tooltip(f"{metric}_low:Q", format=".3f"),
                                       alt.Tooltip(f"{metric}_high:Q", format=".3f")])
    return alt.layer(bars, points, title=title)


def plot_annotator_matrix(table: pd.DataFrame, *, value: str = "cohen_kappa",
                          title: str = "Pairwise agreement between annotators"):
    """Symmetric annotator x annotator heatmap of Cohen's kappa (or percent agreement).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.agreement.pairwise_table`.
    value : {'cohen_kappa', 'percent_agreement'}
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"annotator_a": ["a"], "annotator_b": ["b"], "n_items": [10],
    ...                   "percent_agreement": [0.8], "cohen_kappa": [0.6]})
    >>> len(plot_annotator_matrix(t).data)  # both orientations
    2
    """
    alt = _altair()
    check_option(value, {"cohen_kappa", "percent_agreement"}, param="value", caller="plot_annotator_matrix")
    check_columns(table, ["annotator_a", "annotator_b", "n_items", value],
                  what="The table passed to plot_annotator_matrix",
                  hint="Pass the output of workbench.agreement.pairwise_table(df).")
    flipped = table.rename(columns={"annotator_a": "annotator_b", "annotator_b": "annotator_a"})
    data = pd.concat([table, flipped], ignore_index=True)[["annotator_a", "annotator_b", "n_items", value]]
    data = data.assign(annotator_a=data.annotator_a.astype(str), annotator_b=data.annotator_b.astype(str))
    order = sorted(set(data.annotator_a))
    base = alt.Chart(data, title=title).encode(x=alt.X("annotator_b:N", sort=order, title=None),
                                               y=alt.Y("annotator_a:N", sort=order, title=None))
    rect = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1] if value == "cohen_kappa"
                                                      else [0, 1]), title=value.replace("_", " ")),
        tooltip=["annotator_a", "annotator_b", "n_items", alt.Tooltip(f"{value}:Q", format=".3f")])
    text = base.mark_text(fontSize=9).encode(text=alt.Text(f"{value}:Q", format=".2f"))
    return alt.layer(rect, text, data=data)


def plot_agreement_intervals(table: pd.DataFrame, *, title: str = "Agreement (95% bootstrap interval)"):
    """Every metric of :func:`workbench.agreement.agreement_table` as a point with its interval.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.agreement.agreement_table`.
    title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"metric": ["fleiss_kappa"], "value": [0.5], "ci_low": [0.4], "ci_high": [0.6],
    ...                   "n_items": [50], "n_annotators": [3], "n_pairable": [140]})
    >>> plot_agreement_intervals(t).to_dict()["layer"][1]["mark"]["type"]
    'point'
    """
    alt = _altair()
    check_columns(table, ["metric", "value", "ci_low", "ci_high"], what="The table passed to plot_agreement_intervals",
                  hint="Pass the output of workbench.agreement.agreement_table(df).")
    y = alt.Y("metric:N", sort=list(table.metric), title=None)
    lowest = pd.concat([table.value, table.ci_low]).min()
    scale = alt.Scale(domain=[min(-0.1, float(lowest)) if pd.notna(lowest) else -0.1, 1])
    rules = alt.Chart(table).mark_rule().encode(y=y, x=alt.X("ci_low:Q", scale=scale, title="value"), x2="ci_high:Q")
    points = alt.Chart(table).mark_point(filled=True, size=60).encode(
        y=y, x=alt.X("value:Q", scale=scale),
        tooltip=["metric", alt.Tooltip("value:Q", format=".4f"), alt.Tooltip("ci_low:Q", format=".4f"),
                 alt.Tooltip("ci_high:Q", format=".4f"),
                 *[c for c in ("n_items", "n_annotators", "n_pairable") if c in table.columns]])
    return alt.layer(rules, points, title=title)
