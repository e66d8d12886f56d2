"""Label drift across N rounds, and labelers whose agreement drifts.

For each pair of consecutive rounds, :func:`label_drift_table` gives two views of how the label
distribution moved:

- the **chi-square test of homogeneity** on the rounds' label counts (``scipy.stats.chi2_contingency``):
  is the change larger than sampling noise? With thousands of labels it flags tiny changes;
- the **population stability index**, ``PSI = sum_i (p_i - q_i) ln(p_i / q_i)`` over the labels'
  shares ``q`` (earlier round) and ``p`` (later round), each share floored at 0.0001 so a label
  absent from one round stays finite: how large is the change? The usual reading, stated here and
  used for ``verdict``: below 0.1 stable, 0.1 to 0.25 a moderate shift worth a look, above 0.25 a
  major shift (Siddiqi, *Credit Risk Scorecards*, 2006).

A step is flagged ``major`` when PSI > 0.25, ``moderate`` when 0.1 < PSI <= 0.25, and
``significant`` (but small) when only the chi-square test rejects at ``alpha``.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"round": [1] * 4 + [2] * 4, "item_id": range(8), "annotator": "a",
...                    "label": ["x", "x", "y", "y", "x", "y", "y", "y"]})
>>> label_drift_table(df)[["round_from", "round_to", "psi", "verdict"]].round(3)
   round_from  round_to    psi   verdict
0           1         2  0.275     major
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd

from .._internal.labelsets import is_label_list, label_set
from .._internal.validation import check_columns, check_fraction
from ..exceptions import DataError

__all__ = ["label_distribution_table", "label_drift_table", "labeler_drift_table", "psi", "PSI_MODERATE",
           "PSI_MAJOR"]

#: PSI thresholds: above PSI_MODERATE a moderate shift, above PSI_MAJOR a major one.
PSI_MODERATE = 0.1
PSI_MAJOR = 0.25
_FLOOR = 1e-4


def psi(before, after) -> float:
    """Population stability index between two share (or count) vectors over the same labels.

    Examples
    --------
    >>> round(psi([50, 50], [25, 75]), 4)  # (0.25 - 0.5) ln(0.5) + (0.75 - 0.5) ln(1.5)
    0.2747
    """
    q = np.asarray(before, dtype=float)
    p = np.asarray(after, dtype=float)
    if q.shape != p.shape or q.sum() <= 0 or p.sum() <= 0:
        raise DataError("psi needs two non-empty distributions over the same labels.", reason="bad_distribution")
    q = np.maximum(q / q.sum(), _FLOOR)
    p = np.maximum(p / p.sum(), _FLOOR)
    return float(np.sum((p - q) * np.log(p / q)))


def _labels_only(df: pd.DataFrame, caller: str, round_col: str, label_col: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{caller} expects a pandas DataFrame in long format ({round_col}, item_id, annotator, "
                        f"{label_col}); got {type(df).__name__}.", reason="not_a_frame")
    check_columns(df, [round_col, label_col], what=f"The annotations passed to {caller}")
    if "kind" in df.columns:
        df = df[df["kind"].isin(["label"])]
    df = df.dropna(subset=[label_col])
    if df[label_col].map(is_label_list).any():  # multi-label: each applied label counts once
        df = df.assign(**{label_col: df[label_col].map(lambda v: sorted(label_set(v)))})
        df = df.explode(label_col).dropna(subset=[label_col])
    return df


def label_distribution_table(df: pd.DataFrame, *, labels: Optional[Sequence] = None, round_col: str = "round",
                             label_col: str = "label") -> pd.DataFrame:
    """Per round and label: ``round, label, count, share`` (every label of ``labels`` in every round).

    Multi-label answers (JSON lists) count each applied label once.

    Examples
    --------
    >>> df = pd.DataFrame({"round": [1, 1, 2], "label": ["x", "y", "x"]})
    >>> label_distribution_table(df).values.tolist()
    [[1, 'x', 1, 0.5], [1, 'y', 1, 0.5], [2, 'x', 1, 1.0], [2, 'y', 0, 0.0]]
    """
    df = _labels_only(df, "label_distribution_table", round_col, label_col)
    universe = list(labels) if labels is not None else sorted(df[label_col].astype(str).unique())
    counts = (df.assign(**{label_col: df[label_col].astype(str)}).groupby([round_col, label_col]).size()
              .unstack(fill_value=0).reindex(columns=universe, fill_value=0))
    out = counts.stack().rename("count").reset_index().rename(columns={round_col: "round", label_col: "label"})
    totals = out.groupby("round")["count"].transform("sum")
    out["share"] = np.where(totals > 0, out["count"] / totals.where(totals > 0, 1), 0.0)
    return out[["round", "label", "count", "share"]].astype({"count": int})


def label_drift_table(df: pd.DataFrame, *, labels: Optional[Sequence] = None, alpha: float = 0.05,
                      round_col: str = "round", label_col: str = "label") -> pd.DataFrame:
    """One row per step between consecutive rounds: chi-square test, PSI, verdict, the labels that moved most.

    Parameters
    ----------
    df : pandas.DataFrame
        Long annotations with ``round`` and ``label`` (rows of another ``kind`` than label are left out).
    labels : sequence, optional
        The label universe (e.g. the union of the taxonomy versions' labels); default every label seen.
    alpha : float, default 0.05
        Level of the chi-square test.
    round_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        ``round_from, round_to, n_from, n_to, chi2, dof, p_value, psi, verdict, largest_changes``
        (``largest_changes``: up to three ``(label, share_from, share_to)``, largest absolute change first).
    """
    alpha = check_fraction(alpha, param="alpha", caller="label_drift_table", inclusive_zero=False)
    from scipy.stats import chi2_contingency

    dist = label_distribution_table(df, labels=labels, round_col=round_col, label_col=label_col)
    rounds = sorted(dist["round"].unique())
    if len(rounds) < 2:
        raise DataError(f"label_drift_table needs labels from two or more rounds; got rounds {rounds}.",
                        reason="too_few_rounds")
    wide = dist.pivot(index="label", columns="round", values="count")
    rows = []
    for a, b in zip(rounds, rounds[1:]):
        pair = wide[[a, b]]
        pair = pair[(pair.sum(axis=1) > 0)]
        table = pair.to_numpy().T
        if table.shape[1] >= 2 and (table.sum(axis=1) > 0).all():
            stat, p_value, dof, _ = chi2_contingency(table, correction=False)
        else:
            stat, p_value, dof = 0.0, 1.0, 0
        value = psi(pair[a].to_numpy(), pair[b].to_numpy())
        share_a, share_b = pair[a] / pair[a].sum(), pair[b] / pair[b].sum()
        change = (share_b - share_a).abs().sort_values(ascending=False, kind="stable")
        verdict = ("major" if value > PSI_MAJOR else "moderate" if value > PSI_MODERATE
                   else "significant" if p_value < alpha else "stable")
        rows.append({"round_from": a, "round_to": b, "n_from": int(pair[a].sum()), "n_to": int(pair[b].sum()),
                     "chi2": float(stat), "dof": int(dof), "p_value": float(p_value), "psi": value,
                     "verdict": verdict,
                     "largest_changes": tuple((lab, float(share_a[lab]), float(share_b[lab]))
                                              for lab in change.index[:3])})
    return pd.DataFrame(rows)


def labeler_drift_table(df: pd.DataFrame, *, round_col: str = "round", item_col: str = "item_id",
                        annotator_col: str = "annotator", label_col: str = "label",
                        drop: float = 0.1) -> pd.DataFrame:
    """Each labeler's agreement with the majority of the others, round by round: is someone drifting?

    Per round it uses :func:`workbench.agreement.annotator_table` (agreement with the majority
    label of the other annotators). ``change`` is the difference from the labeler's previous
    round; ``drifting`` marks a drop of more than ``drop`` (default 0.1).

    Returns
    -------
    pandas.DataFrame
        ``annotator, round, n_items, agreement_with_majority, change, drifting``.

    Examples
    --------
    >>> rows = [(r, i, a, lab) for r, labs in [(1, "xxyy"), (2, "xyyx")] for i in range(4)
    ...         for a, lab in [("ana", "xxyy"[i]), ("ben", "xxyy"[i]), ("cy", labs[i])]]
    >>> df = pd.DataFrame(rows, columns=["round", "item_id", "annotator", "label"])
    >>> t = labeler_drift_table(df)
    >>> t[t["annotator"] == "cy"][["round", "agreement_with_majority", "drifting"]].values.tolist()
    [[1, 1.0, False], [2, 0.5, True]]
    """
    from ..agreement import annotator_table

    check_columns(df, [round_col, item_col, annotator_col, label_col], what="The annotations passed to labeler_drift_table")
    if "kind" in df.columns:
        df = df[df["kind"] == "label"]
    parts = []
    for r, frame in df.groupby(round_col, sort=True):
        table = annotator_table(frame, item_col=item_col, annotator_col=annotator_col, label_col=label_col)
        parts.append(table[["annotator", "n_items", "agreement_with_majority"]].assign(round=r))
    out = pd.concat(parts, ignore_index=True).sort_values(["annotator", "round"], kind="stable")
    out["change"] = out.groupby("annotator")["agreement_with_majority"].diff()
    out["drifting"] = (out["change"] < -drop).fillna(False).astype(bool)
    return out[["annotator", "round", "n_items", "agreement_with_majority", "change", "drifting"]].reset_index(drop=True)
