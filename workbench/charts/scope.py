"""Charts of a round's scope: label distribution and workload.

Pure builders: a DataFrame in, an ``alt.Chart`` out, nothing displayed.

Examples
--------
>>> import pandas as pd
>>> from workbench.charts.scope import plot_label_distribution
>>> dist = pd.DataFrame({"category": ["a", "b"], "count": [30, 1]})
>>> plot_label_distribution(dist, rare=["b"]).to_dict()["mark"]["type"]
'bar'
"""

from __future__ import annotations

from typing import Optional, Sequence

import pandas as pd

from .._internal.validation import check_columns
from ._describe import described, extremes, name_span

__all__ = ["plot_label_distribution", "plot_workload"]


def plot_label_distribution(distribution: pd.DataFrame, *, rare: Optional[Sequence[str]] = None,
                            title: str = "Labels per category"):
    """Horizontal bars of label counts per category, rare categories highlighted.

    Parameters
    ----------
    distribution : pandas.DataFrame
        Columns ``category`` and ``count`` (in display order).
    rare : sequence of str, optional
        Categories to colour as under-represented.
    title : str

    Returns
    -------
    altair.Chart
    """
    import altair as alt

    check_columns(distribution, ["category", "count"], what="distribution")
    data = distribution.assign(status=["rare" if c in set(rare or ()) else "ok" for c in distribution["category"]])
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort=list(data["category"]), title=None),
            x=alt.X("count:Q", title="labels"),
            color=alt.Color("status:N", scale=alt.Scale(domain=["ok", "rare"], range=["#4c78a8", "#e45756"]),
                            legend=alt.Legend(title=None)),
            tooltip=["category", "count"],
        )
        .properties(width=460, height=alt.Step(18))
    )
    return described(chart, f"Horizontal bar chart of labels per category: {len(data)} categories, "
                     f"{int(data['count'].sum())} labels; {extremes(data, 'category', 'count', fmt='.0f', high='most', low='fewest')}"
                     + (f"; under-represented: {name_span(sorted(set(rare)))}." if rare else "."))


def plot_workload(annotations: pd.DataFrame, *, annotator_col: str = "annotator",
                  duration_col: str = "duration_ms", title: str = "Seconds per item, by annotator"):
    """Box plot of seconds per item for each annotator.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long format with ``annotator`` and ``duration_ms``.

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> df = pd.DataFrame({"annotator": ["a", "a", "b"], "duration_ms": [1000, 3000, 2000]})
    >>> plot_workload(df).to_dict()["mark"]["type"]
    'boxplot'
    """
    import altair as alt

    check_columns(annotations, [annotator_col, duration_col], what="annotations")
    data = annotations[[annotator_col, duration_col]].dropna().rename(columns={annotator_col: "annotator"})
    data = data.assign(seconds=data[duration_col] / 1000.0)[["annotator", "seconds"]]
    medians = data.groupby("annotator", as_index=False)["seconds"].median()
    chart = (
        alt.Chart(data, title=title)
        .mark_boxplot(extent="min-max")
        .encode(y=alt.Y("annotator:N", title=None), x=alt.X("seconds:Q", title="seconds per item"))
        .properties(width=460, height=alt.Step(24))
    )
    return described(chart, f"Box plot of seconds per item for {len(medians)} annotators; median "
                     f"{extremes(medians, 'annotator', 'seconds', fmt='.1f', high='slowest', low='fastest')} seconds.")
