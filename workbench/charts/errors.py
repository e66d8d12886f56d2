"""Charts of the error analysis: pure altair builders (a table in, an ``alt.Chart`` out).

Each function takes the table of the matching :mod:`workbench.error_analysis`
function and displays nothing. altair is imported when a chart is built, not when
this module is imported.

Examples
--------
>>> import pandas as pd
>>> from workbench.charts.errors import plot_classification_quality
>>> table = pd.DataFrame({"category": ["a", "b"], "precision": [1.0, 0.5], "recall": [0.5, 1.0],
...                       "f1": [0.667, 0.667], "support": [2, 2]})
>>> plot_classification_quality(table).to_dict()["$schema"].startswith("https://vega.github.io")
True
"""

from __future__ import annotations

import pandas as pd

from .._internal.validation import check_columns, check_positive_int
from ._altair import altair as _altair
from ._describe import described, extremes

__all__ = ["plot_model_confusion", "plot_classification_quality", "plot_confusion_evidence"]


def plot_model_confusion(table: pd.DataFrame, *, top=None, title="Where the model confuses categories"):
    """Heatmap of given label (rows) x predicted label (columns), off-diagonal counts.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.error_analysis.model_confusion_table`.
    top : int, optional
        Keep only the ``top`` most frequent pairs (and the categories they involve).
    title : str

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.charts.errors import plot_model_confusion
    >>> table = pd.DataFrame({"true_label": ["a", "b"], "predicted_label": ["b", "a"], "count": [3, 1],
    ...                       "share_of_true": [0.3, 0.1], "example_item_ids": [[1], [2]]})
    >>> spec = plot_model_confusion(table).to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["color"]["field"]
    ('rect', 'count')
    """
    alt = _altair()
    check_columns(table, ["true_label", "predicted_label", "count", "share_of_true"],
                  what="the model confusion table", hint="Pass the output of model_confusion_table.")
    data = table[["true_label", "predicted_label", "count", "share_of_true"]].copy()
    if top is not None:
        data = data.nlargest(check_positive_int(top, param="top", caller="plot_model_confusion"), "count")
    data["true_label"] = data["true_label"].astype(str)
    data["predicted_label"] = data["predicted_label"].astype(str)
    order = sorted(set(data["true_label"]) | set(data["predicted_label"]))
    worst = data.loc[data["count"].idxmax()] if len(data) else None
    chart = alt.Chart(data, title=title).mark_rect().encode(
        x=alt.X("predicted_label:N", sort=order, title="predicted"),
        y=alt.Y("true_label:N", sort=order, title="given label"),
        color=alt.Color("count:Q", scale=alt.Scale(scheme="orangered", domainMin=0), title="items"),
        tooltip=["true_label:N", "predicted_label:N", "count:Q",
                 alt.Tooltip("share_of_true:Q", format=".1%", title="share of given label")],
    )
    return described(chart, f"Heatmap of given label (rows) against the model's prediction (columns) over "
                     f"{len(data)} confused pairs" + (
                         f"; most often {worst.true_label} is predicted as {worst.predicted_label} "
                         f"({int(worst['count'])} items, {worst.share_of_true:.0%} of {worst.true_label})."
                         if worst is not None else "; the model confuses no pair."))


def plot_classification_quality(table: pd.DataFrame, *, title="Model quality per category"):
    """Per category precision, recall and F1 as points on one row per category, worst F1 on top.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.error_analysis.classification_table`.
    title : str

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.charts.errors import plot_classification_quality
    >>> table = pd.DataFrame({"category": ["a"], "precision": [1.0], "recall": [0.5], "f1": [0.667],
    ...                       "support": [2]})
    >>> plot_classification_quality(table).to_dict()["encoding"]["color"]["field"]
    'metric'
    """
    alt = _altair()
    check_columns(table, ["category", "precision", "recall", "f1", "support"],
                  what="the classification table", hint="Pass the output of classification_table.")
    data = table.assign(category=table["category"].astype(str))
    order = data.sort_values(["f1", "category"])["category"].tolist()
    long = data.melt(id_vars=["category", "support"], value_vars=["precision", "recall", "f1"],
                     var_name="metric", value_name="value")
    chart = alt.Chart(long, title=title).mark_point(filled=True, size=60).encode(
        x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1]), title="score"),
        y=alt.Y("category:N", sort=order, title=None),
        # one scale domain (not `sort`) on both channels: Vega-Lite then merges them into one legend
        color=alt.Color("metric:N", scale=alt.Scale(domain=["f1", "precision", "recall"])),
        shape=alt.Shape("metric:N", scale=alt.Scale(domain=["f1", "precision", "recall"])),
        tooltip=["category:N", "metric:N", alt.Tooltip("value:Q", format=".3f"), "support:Q"],
    )
    return described(chart, f"Precision, recall and F1 of the model for each of {len(data)} categories, worst F1 "
                     f"on top: F1 {extremes(data, 'category', 'f1')}; macro F1 {data['f1'].mean():.2f}.")


def plot_confusion_evidence(table: pd.DataFrame, *, top=15, title="Human disagreement vs model confusion"):
    """Side-by-side bars per category pair: share of human disagreements and of model confusions.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.error_analysis.confusion_evidence_table`.
    top : int, default=15
        Show the ``top`` pairs (the table's order: largest combined share first).
    title : str

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.charts.errors import plot_confusion_evidence
    >>> table = pd.DataFrame({"category_a": ["a"], "category_b": ["b"], "human_disagreements": [2.0],
    ...                       "human_share": [1.0], "model_confusions": [1], "model_share": [1.0],
    ...                       "example_item_ids": [[1]]})
    >>> spec = plot_confusion_evidence(table).to_dict()
    >>> spec["mark"]["type"], spec["encoding"]["yOffset"]["field"]
    ('bar', 'source')
    """
    alt = _altair()
    check_columns(table, ["category_a", "category_b", "human_disagreements", "human_share",
                          "model_confusions", "model_share"], what="the confusion evidence table",
                  hint="Pass the output of confusion_evidence_table.")
    top = check_positive_int(top, param="top", caller="plot_confusion_evidence")
    data = table.head(top)
    pair = data["category_a"].astype(str) + " / " + data["category_b"].astype(str)
    long = pd.concat([
        pd.DataFrame({"pair": pair, "source": "humans", "share": data["human_share"],
                      "count": data["human_disagreements"].astype(float)}),
        pd.DataFrame({"pair": pair, "source": "model", "share": data["model_share"],
                      "count": data["model_confusions"].astype(float)}),
    ], ignore_index=True)
    first = data.iloc[0] if len(data) else None
    chart = alt.Chart(long, title=title).mark_bar().encode(
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="share of all disagreements / confusions"),
        y=alt.Y("pair:N", sort=pair.tolist(), title=None),
        yOffset=alt.YOffset("source:N"),
        color=alt.Color("source:N", scale=alt.Scale(domain=["humans", "model"])),
        tooltip=["pair:N", "source:N", alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("count:Q", format=".1f")],
    )
    return described(chart, f"Paired bars for {len(data)} category pairs: the share of human disagreements and "
                     "of model confusions that fall on each pair" + (
                         f"; the top pair {first.category_a} / {first.category_b} has {first.human_share:.0%} of "
                         f"human disagreements and {first.model_share:.0%} of model confusions."
                         if first is not None else "."))
