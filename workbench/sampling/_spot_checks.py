"""Spot checks of single-labeled work: an audit sample per labeler (or vendor), stratified by label.

For each group (a labeler, or a team / vendor through ``group_of``) the sample holds
``ceil(rate * n)`` of its ``n`` labeled items (at least ``min_per_group``, at most all), spread
over the labels it used in proportion to their counts (largest remainder, every label used
at least once when the sample is large enough), so a rare label is audited too. Within a label,
items are drawn without replacement; with ``confidence`` (a model's probability of the given
label, per item) and ``favour_low_confidence`` = w, an item's draw weight is
``(1 - w) + w * (1 - confidence)``: 0 is a uniform sample, 1 draws only in proportion to doubt.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": range(40), "annotator": ["ana"] * 20 + ["ben"] * 20,
...                    "label": (["x"] * 15 + ["y"] * 5) * 2})
>>> sample = spot_check_sample(df, rate=0.2, random_state=0)
>>> sample.groupby(["group", "label"]).size().to_dict()
{('ana', 'x'): 3, ('ana', 'y'): 1, ('ben', 'x'): 3, ('ben', 'y'): 1}
"""

from __future__ import annotations

import math
from typing import Mapping, Optional

import numpy as np
import pandas as pd

from .._internal.validation import check_columns, check_fraction, check_positive_int, check_random_state
from ..exceptions import DataError

__all__ = ["spot_check_sample"]


def _allocate(counts: pd.Series, n: int) -> pd.Series:
    """``n`` draws over strata in proportion to ``counts`` (largest remainder), each stratum >= 1 if n allows."""
    if n < len(counts):  # fewer draws than labels: the most used labels get one each
        return (counts.rank(method="first", ascending=False) <= n).astype(int)
    spare = counts - 1
    rest = n - len(counts)
    exact = spare / max(int(spare.sum()), 1) * rest
    take = np.floor(exact).astype(int)
    for label in (exact - take).sort_values(ascending=False, kind="stable").index[:rest - int(take.sum())]:
        take[label] += 1
    return np.minimum(1 + take, counts)


def spot_check_sample(annotations: pd.DataFrame, *, rate: float = 0.05, group_of: Optional[Mapping] = None,
                      min_per_group: int = 1, confidence: Optional[Mapping] = None,
                      favour_low_confidence: float = 0.0, random_state=None, item_col: str = "item_id",
                      annotator_col: str = "annotator", label_col: str = "label") -> pd.DataFrame:
    """The items to audit: ``rate`` of each labeler's (or vendor's) work, stratified by label.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long labels (``item_id, annotator, label``; rows of another ``kind`` than label are left out).
    rate : float in (0, 1], default 0.05
        The audit rate of each group.
    group_of : mapping, optional
        annotator -> team or vendor; the rate then applies per group (unknown annotators form
        their own group).
    min_per_group : int, default 1
    confidence : mapping, optional
        item_id -> a model's probability of the given label (e.g. from
        :func:`workbench.error_analysis.cross_validated_predictions`).
    favour_low_confidence : float in [0, 1], default 0
        How strongly low-confidence items are preferred (see the module notes).
    random_state : None, int or numpy Generator

    Returns
    -------
    pandas.DataFrame
        ``group, annotator, item_id, label, confidence, weight``, one row per item to audit.
    """
    caller = "spot_check_sample"
    rate = check_fraction(rate, param="rate", caller=caller, inclusive_zero=False)
    favour = check_fraction(favour_low_confidence, param="favour_low_confidence", caller=caller)
    min_per_group = check_positive_int(min_per_group, param="min_per_group", caller=caller)
    rng = check_random_state(random_state)
    check_columns(annotations, [item_col, annotator_col, label_col], what=f"The annotations passed to {caller}")
    df = annotations
    if "kind" in df.columns:
        df = df[df["kind"] == "label"]
    df = df.dropna(subset=[label_col])
    if df.empty:
        raise DataError(f"{caller}: there are no labels to audit.", reason="empty")
    frame = pd.DataFrame({"annotator": df[annotator_col].to_numpy(), "item_id": df[item_col].to_numpy(),
                          "label": df[label_col].astype(str).to_numpy()})
    groups = dict(group_of or {})
    frame["group"] = [groups.get(a, a) for a in frame["annotator"]]
    conf = dict(confidence or {})
    if favour > 0 and not conf:
        raise DataError(f"{caller}: favour_low_confidence={favour} needs confidence (item_id -> probability of the "
                        "given label); pass it, or leave favour_low_confidence at 0.", reason="no_confidence")
    frame["confidence"] = [conf.get(i, np.nan) for i in frame["item_id"]]
    doubt = (1.0 - frame["confidence"].astype(float)).fillna(1.0).clip(0.0, 1.0)
    frame["weight"] = (1.0 - favour) + favour * doubt
    picked = []
    for _, group in frame.groupby("group", sort=True):
        n = min(len(group), max(min_per_group, math.ceil(rate * len(group))))
        shares = _allocate(group["label"].value_counts(), n)
        for label, k in shares.items():
            if k <= 0:
                continue
            stratum = group[group["label"] == label]
            w = stratum["weight"].to_numpy(dtype=float) + 1e-9  # a sure item can still be drawn when few are left
            p = w / w.sum()
            chosen = rng.choice(len(stratum), size=int(k), replace=False, p=p)
            picked.append(stratum.iloc[np.sort(chosen)])
    out = pd.concat(picked, ignore_index=True)
    return out[["group", "annotator", "item_id", "label", "confidence", "weight"]]
