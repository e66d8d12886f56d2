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

from typing import Sequence

import pandas as pd

from .._internal.validation import check_columns, check_option
from ..exceptions import DataError
from ._altair import altair as _altair
from ._describe import described, extremes

__all__ = ["plot_coincidence_heatmap", "plot_category_agreement", "plot_annotator_matrix",
           "plot_agreement_intervals", "plot_split_pairs", "plot_annotator_spread", "plot_label_scores"]


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
    splits = data[data.category_a != data.category_b]
    worst = splits.loc[splits.value.idxmax()] if len(splits) and splits.value.max() > 0 else None
    return described(alt.layer(rect, text, data=data), (
        f"Heatmap of {title.lower()}: {len(order)} categories, each row the "
        f"{'share of its pairable values' if normalize else 'coincidences'} paired with each column. "
        + (f"The largest split is {worst.category_a} paired with {worst.category_b} ({worst.value:.2f})."
           if worst is not None else "Annotators never split between two categories.")))


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
    return described(alt.layer(bars, points, title=title), (
        f"Dot-and-interval chart of {metric.replace('_', ' ')} per category with 95% intervals, lowest first: "
        f"{len(data)} categories, {extremes(data, 'category', metric)}."))


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
    pairs = table.assign(pair=table.annotator_a.astype(str) + " and " + table.annotator_b.astype(str))
    return described(alt.layer(rect, text, data=data), (
        f"Heatmap of {value.replace('_', ' ')} between each pair of {len(order)} annotators "
        f"({len(table)} pairs): {extremes(pairs, 'pair', value)}."))


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
    listed = "; ".join(f"{m.replace('_', ' ')} {v:.3f} (95% CI {lo:.3f} to {hi:.3f})" if pd.notna(v) else
                       f"{m.replace('_', ' ')} undefined" for m, v, lo, hi in
                       zip(table.metric, table.value, table.ci_low, table.ci_high))
    return described(alt.layer(rules, points, title=title),
                     f"Dot-and-interval chart of {len(table)} agreement coefficients: {listed}.")


def plot_split_pairs(table: pd.DataFrame, *, top: int = 10, title: str = "Items where annotators split, by pair"):
    """Bars of the category pairs annotators split between most often.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.agreement.confusion_table` or :func:`~workbench.agreement.label_split_table`
        (``category_a, category_b, n_disagreements, share``), most frequent first.
    top : int, default 10
    title : str

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"category_a": ["a"], "category_b": ["b"], "n_disagreements": [4], "share": [1.0]})
    >>> plot_split_pairs(t).to_dict()["mark"]["type"]
    'bar'
    """
    alt = _altair()
    check_columns(table, ["category_a", "category_b", "n_disagreements", "share"],
                  what="The table passed to plot_split_pairs", hint="Pass workbench.agreement.confusion_table(df).")
    data = table.head(top).assign(pair=lambda d: d["category_a"].astype(str) + " / " + d["category_b"].astype(str))
    chart = (alt.Chart(data[["pair", "n_disagreements", "share"]], title=title).mark_bar()
             .encode(x=alt.X("n_disagreements:Q", title="items split between the two"),
                     y=alt.Y("pair:N", sort="-x", title=None),
                     tooltip=["pair", "n_disagreements", alt.Tooltip("share:Q", format=".0%")])
             .properties(width=360))
    first = data.iloc[0] if len(data) else None
    return described(chart, f"Bar chart of the {len(data)} category pairs annotators split between most often"
                     + (f"; first {first.pair} with {int(first.n_disagreements)} items ({first.share:.0%} of all "
                        "disagreements)." if first is not None else "."))


def plot_annotator_spread(table: pd.DataFrame, *, value: str, title: str, bins: int = 30):
    """Histogram of one per-annotator number (volume, agreement) across a crowd.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per annotator, e.g. :func:`workbench.agreement.annotator_table`.
    value : str
        The column to bin, e.g. ``n_labels`` or ``agreement_with_majority``.
    title : str
    bins : int, default 30

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"annotator": list("abcd"), "n_labels": [1, 5, 9, 40]})
    >>> plot_annotator_spread(t, value="n_labels", title="Labels per annotator").to_dict()["mark"]["type"]
    'bar'
    """
    alt = _altair()
    check_columns(table, [value], what="The table passed to plot_annotator_spread")
    data = table[[value]].dropna().astype(float)
    chart = (alt.Chart(data, title=title).mark_bar()
             .encode(x=alt.X(f"{value}:Q", bin=alt.Bin(maxbins=bins), title=value.replace("_", " ")),
                     y=alt.Y("count():Q", title="annotators"))
             .properties(width=420, height=160))
    if data.empty:
        return described(chart, f"Histogram of {value.replace('_', ' ')} per annotator: no values.")
    q = data[value].quantile([0.1, 0.5, 0.9])
    whole = bool((data[value] % 1 == 0).all())

    def fmt(x):
        return f"{x:,.0f}" if whole else f"{x:.2f}"

    return described(chart, (
        f"Histogram: {title[0].lower() + title[1:]}, across {len(data)} annotators: median {fmt(q[0.5])}, "
        f"10th percentile {fmt(q[0.1])}, 90th percentile {fmt(q[0.9])}, range {fmt(data[value].min())} to "
        f"{fmt(data[value].max())}."))


def plot_label_scores(table: pd.DataFrame, *, metrics: Sequence[str], label_col: str = "label",
                      title: str = "Agreement per label"):
    """Several 0-1 scores per label (span F1 exact and overlap, box F1 at IoU thresholds) as points.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per label with the ``metrics`` columns, e.g. the per-label rows of
        :func:`workbench.agreement.span_agreement` or :func:`~workbench.agreement.box_agreement`.
    metrics : sequence of str
        Columns to plot, each a score in [0, 1]; the first orders the labels (worst on top).
    label_col : str, default 'label'
    title : str

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"label": ["ORG", "LOC"], "exact_f1": [0.5, 0.8], "overlap_f1": [0.9, 0.9]})
    >>> plot_label_scores(t, metrics=["exact_f1", "overlap_f1"]).to_dict()["mark"]["type"]
    'point'
    """
    alt = _altair()
    metrics = list(metrics)
    check_columns(table, [label_col, *metrics], what="The table passed to plot_label_scores")
    data = table[[label_col, *metrics]].rename(columns={label_col: "label"}).assign(label=lambda d: d["label"].astype(str))
    order = data.sort_values([metrics[0], "label"])["label"].tolist()
    long = data.melt(id_vars=["label"], value_vars=metrics, var_name="metric", value_name="value").dropna()
    names = [m.replace("_", " ") for m in metrics]
    long["metric"] = long["metric"].str.replace("_", " ")
    chart = alt.Chart(long, title=title).mark_point(filled=True, size=60).encode(
        x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1]), title="score"),
        y=alt.Y("label:N", sort=order, title=None),
        color=alt.Color("metric:N", scale=alt.Scale(domain=names)),
        shape=alt.Shape("metric:N", scale=alt.Scale(domain=names)),
        tooltip=["label:N", "metric:N", alt.Tooltip("value:Q", format=".3f")])
    return described(chart, f"{', '.join(names)} for each of {len(data)} labels, worst {names[0]} on top: "
                     f"{names[0]} {extremes(data, 'label', metrics[0])}.")
