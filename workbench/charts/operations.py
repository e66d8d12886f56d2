"""Charts of a running labeling program: speed against quality, targets week by week, labels over rounds.

Pure builders: a DataFrame in, an ``alt.Chart`` out, nothing displayed.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"annotator": ["ana", "ben"], "median_seconds": [9.0, 4.0], "accuracy": [0.93, 0.71],
...                   "n_items": [80, 120]})
>>> plot_speed_quality(t).to_dict()["description"]
'Scatter plot of speed against quality for 2 labelers: seconds per item from 4.0 to 9.0, accuracy from 0.71 to 0.93; fastest ben (4.0 s, 0.71), most accurate ana (0.93, 9.0 s).'
"""

from __future__ import annotations

from typing import Optional

import pandas as pd

from .._internal.validation import check_columns
from ._altair import altair as _altair
from ._describe import described, name_span

__all__ = ["plot_speed_quality", "plot_target_trend", "plot_label_shares", "plot_round_trend"]


def plot_speed_quality(table: pd.DataFrame, *, speed: str = "median_seconds", quality: str = "accuracy",
                       size: str = "n_items", color: Optional[str] = None, target: Optional[float] = None,
                       title: str = "Speed and quality per labeler"):
    """Scatter of each labeler's seconds per item (x) against their quality (y).

    Parameters
    ----------
    table : pandas.DataFrame
        One row per labeler: ``annotator``, ``speed`` and ``quality`` columns, optionally
        ``size`` (point area) and ``color`` (e.g. ``team``). Join
        :func:`workbench.monitoring.progress_speed_table` and
        :func:`workbench.error_analysis.labeler_quality_table` on ``annotator``.
    speed, quality, size : str
    color : str, optional
    target : float, optional
        A quality target, drawn as a horizontal rule.
    title : str

    Returns
    -------
    altair.LayerChart or altair.Chart
        Fast and careless labelers sit bottom left, slow and careful ones top right.
    """
    alt = _altair()
    check_columns(table, ["annotator", speed, quality], what="The table passed to plot_speed_quality")
    keep = ["annotator", speed, quality] + [c for c in (size, color) if c and c in table.columns]
    data = table[list(dict.fromkeys(keep))].dropna(subset=[speed, quality]).copy()
    data["annotator"] = data["annotator"].astype(str)
    encoding = dict(x=alt.X(f"{speed}:Q", title="seconds per item (median)", scale=alt.Scale(zero=False)),
                    y=alt.Y(f"{quality}:Q", title=quality.replace("_", " "), scale=alt.Scale(zero=False)),
                    tooltip=list(data.columns))
    if size in data.columns:
        encoding["size"] = alt.Size(f"{size}:Q", title=size.replace("_", " "), legend=None)
    if color and color in data.columns:
        encoding["color"] = alt.Color(f"{color}:N", title=color)
    points = alt.Chart(data, title=title).mark_circle(opacity=0.8).encode(**encoding)
    names = (alt.Chart(data).mark_text(align="left", dx=7, fontSize=10)
             .encode(x=f"{speed}:Q", y=f"{quality}:Q", text="annotator:N"))
    layers = [points, names]
    if target is not None:
        layers.append(alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(strokeDash=[4, 3], color="#b00")
                      .encode(y="target:Q"))
    chart = alt.layer(*layers).properties(width=420, height=260)
    if data.empty:
        return described(chart, "Scatter plot of speed against quality per labeler: no labeler has both.")
    fast = data.loc[data[speed].idxmin()]
    best = data.loc[data[quality].idxmax()]
    below = "" if target is None else (
        f"; {int((data[quality] < target).sum())} below the target {target:g}")
    return described(chart, (
        f"Scatter plot of speed against quality for {len(data)} labelers: seconds per item from "
        f"{data[speed].min():.1f} to {data[speed].max():.1f}, {quality.replace('_', ' ')} from "
        f"{data[quality].min():.2f} to {data[quality].max():.2f}; fastest {fast['annotator']} "
        f"({fast[speed]:.1f} s, {fast[quality]:.2f}), most accurate {best['annotator']} ({best[quality]:.2f}, "
        f"{best[speed]:.1f} s){below}."))


def plot_target_trend(trend: pd.DataFrame, *, target: str, title: Optional[str] = None):
    """Lines of one target's value per vendor and period, with the threshold as a dashed rule.

    Parameters
    ----------
    trend : pandas.DataFrame
        :func:`workbench.monitoring.sla_trend_table`: ``period, vendor, target, value, threshold, status``.
    target : str
        One of :data:`workbench.monitoring.TARGETS` (``agreement``, ``gold_accuracy``, ...).
    title : str, optional

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"period": ["2026-11-02", "2026-11-09"], "vendor": "acme", "target": "agreement",
    ...                   "measure": "agreement", "value": [0.9, 0.7], "threshold": 0.8, "status": ["pass", "fail"]})
    >>> plot_target_trend(t, target="agreement").to_dict()["description"]
    'Line chart of agreement per week for 1 vendor (acme), threshold 0.8: 1 of 2 vendor-weeks fail; acme from 0.90 to 0.70.'
    """
    alt = _altair()
    check_columns(trend, ["period", "vendor", "target", "value", "threshold", "status"],
                  what="The trend passed to plot_target_trend")
    data = trend[(trend["target"] == target) & trend["value"].notna()].copy()
    measure = data["measure"].iloc[0] if "measure" in data.columns and len(data) else target.replace("_", " ")
    data["vendor"] = data["vendor"].astype(str)
    base = alt.Chart(data, title=title or measure[:1].upper() + measure[1:])
    lines = base.mark_line(point=True).encode(
        x=alt.X("period:O", title="week starting", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=measure, scale=alt.Scale(zero=False)),
        color=alt.Color("vendor:N", title="vendor"), tooltip=["period", "vendor", "value", "threshold", "status"])
    layers = [lines]
    thresholds = data["threshold"].dropna().unique()
    if len(thresholds):
        rules = data.dropna(subset=["threshold"]).drop_duplicates(["vendor", "threshold"])
        layers.append(alt.Chart(rules).mark_rule(strokeDash=[4, 3]).encode(y="threshold:Q", color="vendor:N"))
    chart = alt.layer(*layers).properties(width=420, height=180)
    if data.empty:
        return described(chart, f"Line chart of {measure} per week: no values.")
    vendors = sorted(data["vendor"].unique())
    judged = data[data["status"].isin(["pass", "fail"])]
    moves = "; ".join(f"{v} from {g['value'].iloc[0]:.2f} to {g['value'].iloc[-1]:.2f}"
                      for v, g in data.sort_values("period").groupby("vendor"))
    level = (f"threshold {thresholds[0]:g}" if len(thresholds) == 1 else
             f"thresholds {', '.join(f'{t:g}' for t in sorted(thresholds))}" if len(thresholds) else "no threshold")
    return described(chart, (
        f"Line chart of {measure} per week for {len(vendors)} vendor{'s' if len(vendors) > 1 else ''} "
        f"({name_span(vendors)}), {level}: {int((judged['status'] == 'fail').sum())} of {len(judged)} vendor-weeks "
        f"fail; {moves}."))


def plot_label_shares(distribution: pd.DataFrame, *, title: str = "Label shares per round"):
    """Stacked bars of each label's share, one bar per round.

    Parameters
    ----------
    distribution : pandas.DataFrame
        :func:`workbench.monitoring.label_distribution_table`: ``round, label, count, share``.
    title : str

    Returns
    -------
    altair.Chart

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"round": [1, 1, 2, 2], "label": ["x", "y"] * 2, "count": [5, 5, 2, 8],
    ...                   "share": [0.5, 0.5, 0.2, 0.8]})
    >>> plot_label_shares(d).to_dict()["description"]
    'Stacked bar chart of label shares in 2 rounds (1 to 2), 2 labels; largest change y, from 50% to 80%.'
    """
    alt = _altair()
    check_columns(distribution, ["round", "label", "share"], what="The distribution passed to plot_label_shares")
    data = distribution.copy()
    data["round"] = data["round"].astype(str)
    data["label"] = data["label"].astype(str)
    chart = (alt.Chart(data, title=title).mark_bar()
             .encode(x=alt.X("round:O", title="round", sort=None, axis=alt.Axis(labelAngle=0)),
                     y=alt.Y("share:Q", title="share of labels",
                                                                         axis=alt.Axis(format="%")),
                     color=alt.Color("label:N", title="label", scale=alt.Scale(scheme="tableau20")),
                     tooltip=["round", "label", "share"]
                     + (["count"] if "count" in data.columns else []))
             .properties(width=max(160, 60 * data["round"].nunique()), height=220))
    rounds = list(dict.fromkeys(data["round"]))
    if len(rounds) < 2:
        return described(chart, f"Stacked bar chart of label shares in {len(rounds)} round.")
    wide = data.pivot_table(index="label", columns="round", values="share", aggfunc="sum").reindex(columns=rounds)
    change = (wide[rounds[-1]] - wide[rounds[0]]).abs()
    moved = change.idxmax()
    return described(chart, (
        f"Stacked bar chart of label shares in {len(rounds)} rounds ({rounds[0]} to {rounds[-1]}), {len(wide)} labels; "
        f"largest change {moved}, from {wide.loc[moved, rounds[0]]:.0%} to {wide.loc[moved, rounds[-1]]:.0%}."))


def plot_round_trend(table: pd.DataFrame, *, value: str, by: Optional[str] = None, low: Optional[str] = None,
                     high: Optional[str] = None, highlight: Optional[str] = None, title: Optional[str] = None):
    """A line of ``value`` per round (one per ``by`` group), with an interval band from ``low``/``high``.

    Parameters
    ----------
    table : pandas.DataFrame
        ``round``, ``value`` and optionally ``by``, ``low``, ``high``, ``highlight`` (a boolean
        column: those points are drawn larger and red, e.g. ``drifting``).
    value, by, low, high, highlight, title : str

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"round": [1, 2, 1, 2], "annotator": ["ana", "ana", "cy", "cy"],
    ...                   "agreement_with_majority": [0.9, 0.88, 0.85, 0.55], "drifting": [False, False, False, True]})
    >>> plot_round_trend(t, value="agreement_with_majority", by="annotator", highlight="drifting").to_dict()["description"]
    'Line chart of agreement with majority per round, rounds 1 to 2, 2 lines; largest drop cy (0.85 to 0.55); 1 point flagged drifting.'
    """
    alt = _altair()
    check_columns(table, ["round", value] + [c for c in (by, low, high, highlight) if c],
                  what="The table passed to plot_round_trend")
    data = table.dropna(subset=[value]).copy()
    if by:
        data[by] = data[by].astype(str)
    label = value.replace("_", " ")
    encoding = dict(x=alt.X("round:O", title="round", axis=alt.Axis(labelAngle=0)), y=alt.Y(f"{value}:Q", title=label, scale=alt.Scale(zero=False)),
                    tooltip=list(data.columns))
    if by:
        encoding["color"] = alt.Color(f"{by}:N", title=by)
    base = alt.Chart(data, title=title or f"{label[:1].upper() + label[1:]} per round")
    layers = []
    if low and high:
        band = dict(x="round:O", y=f"{low}:Q", y2=f"{high}:Q")
        if by:
            band["color"] = alt.Color(f"{by}:N", legend=None)
        layers.append(base.mark_area(opacity=0.15).encode(**band))
    layers.append(base.mark_line(point=True).encode(**encoding))
    if highlight:
        layers.append(alt.Chart(data[data[highlight].astype(bool)]).mark_point(size=140, color="#b00", filled=False)
                      .encode(x="round:O", y=f"{value}:Q"))
    chart = alt.layer(*layers).properties(width=max(220, 70 * data["round"].nunique()), height=220)
    if data.empty:
        return described(chart, f"Line chart of {label} per round: no values.")
    rounds = sorted(data["round"].unique())
    groups = data.sort_values("round").groupby(by) if by else [("all", data.sort_values("round"))]
    drops = [(name, g[value].iloc[0], g[value].iloc[-1]) for name, g in groups]
    name, first, last = min(drops, key=lambda d: d[2] - d[1])
    flagged = (f"; {int(data[highlight].astype(bool).sum())} point{'s' if data[highlight].astype(bool).sum() != 1 else ''}"
               f" flagged {highlight.replace('_', ' ')}" if highlight else "")
    return described(chart, (
        f"Line chart of {label} per round, rounds {rounds[0]} to {rounds[-1]}, {len(drops)} line{'s' if len(drops) > 1 else ''}; "
        + (f"largest drop {name} ({first:.2f} to {last:.2f})" if last < first else f"no line drops; {name} {first:.2f} to {last:.2f}")
        + f"{flagged}."))
