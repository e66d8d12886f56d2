"""Reviews of single-labeled work: who was reviewed, what was approved, rejected or corrected.

A ``review`` row (written by :class:`workbench.widgets.Reviewer` or ``store.record(...,
kind="review")``) holds ``{"verdict", "of", "label", "annotation_id"}`` as JSON, the reviewer in
``annotator`` and the reason in ``note``. These functions read such rows from any
long-format frame:

- :func:`review_table`: one row per current review, beside the reviewed labeler's label;
- :func:`review_summary_table`: per reviewed labeler, approvals, rejections and corrections,
  with the approval rate and its Wilson interval;
- :func:`review_reference`: the label a review settles per item (approved or corrected), to
  use as the reference of :func:`labeler_quality_table` or as ``reviews=`` of
  :func:`reference_labels`.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({
...     "item_id": ["a", "b", "a", "b"], "annotator": ["ana", "ana", "rita", "rita"],
...     "kind": ["label", "label", "review", "review"], "label": ["x", "y",
...     '{"of": "ana", "verdict": "approve", "label": "x"}', '{"of": "ana", "verdict": "correct", "label": "x"}'],
...     "note": [None, None, None, "Rule 2: x when it asks for money back."]})
>>> review_summary_table(rows)[["annotator", "n_reviewed", "n_approved", "n_corrected", "approval_rate"]].values.tolist()
[['ana', 2, 1, 1, 0.5]]
>>> review_reference(rows).to_dict()
{'a': 'x', 'b': 'x'}
"""

from __future__ import annotations

import json

import pandas as pd

from .._internal.intervals import wilson_interval
from .._internal.validation import check_columns
from ..exceptions import DataError

__all__ = ["review_table", "review_summary_table", "review_reference"]

REVIEW_COLUMNS = ["item_id", "reviewer", "annotator", "verdict", "given_label", "corrected_label", "reason",
                  "annotation_id"]


def _payload(value, position) -> dict:
    try:
        out = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        out = None
    if not isinstance(out, dict) or out.get("verdict") not in ("approve", "reject", "correct") or not out.get("of"):
        raise DataError(f"Review row {position!r} holds {value!r}, not a review payload "
                        '({"verdict": "approve" | "reject" | "correct", "of": labeler, "label": ...}).',
                        reason="bad_review")
    return out


def review_table(annotations: pd.DataFrame) -> pd.DataFrame:
    """One row per review: ``item_id, reviewer, annotator`` (the reviewed labeler), ``verdict``,
    ``given_label`` (their label of the item in the frame), ``corrected_label`` (the label the review
    settles: the approved or corrected one; None for a rejection), ``reason``, ``annotation_id``.

    A (reviewer, item, labeler) reviewed twice keeps the newest review.
    """
    check_columns(annotations, ["item_id", "annotator", "kind", "label"], what="The annotations passed to review_table",
                  hint="Pass store.annotations(round=...): reviews are rows of kind 'review'.")
    df = annotations.sort_values("id", kind="stable") if "id" in annotations.columns else annotations
    reviews = df[df["kind"] == "review"]
    labels = df[df["kind"] == "label"].drop_duplicates(["item_id", "annotator"], keep="last")
    given = dict(zip(zip(labels["item_id"].astype(str), labels["annotator"].astype(str)), labels["label"]))
    rows = []
    for position, r in reviews.iterrows():
        p = _payload(r["label"], position)
        item, who = str(r["item_id"]), str(p["of"])
        rows.append({"item_id": r["item_id"], "reviewer": r["annotator"], "annotator": who, "verdict": p["verdict"],
                     "given_label": given.get((item, who)),
                     "corrected_label": None if p["verdict"] == "reject" else p.get("label", given.get((item, who))),
                     "reason": r["note"] if "note" in reviews.columns and pd.notna(r["note"]) else None,
                     "annotation_id": p.get("annotation_id")})
    out = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    return out.drop_duplicates(["reviewer", "item_id", "annotator"], keep="last").reset_index(drop=True)


def review_summary_table(annotations: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per reviewed labeler: ``n_reviewed, n_approved, n_rejected, n_corrected, approval_rate,
    approval_ci_low, approval_ci_high`` (Wilson interval), lowest approval rate first."""
    reviews = review_table(annotations)
    columns = ["annotator", "n_reviewed", "n_approved", "n_rejected", "n_corrected", "approval_rate",
               "approval_ci_low", "approval_ci_high"]
    if reviews.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab(reviews["annotator"], reviews["verdict"]).reindex(columns=["approve", "reject", "correct"],
                                                                            fill_value=0)
    n = counts.sum(axis=1)
    low, high = wilson_interval(counts["approve"].to_numpy(), n.to_numpy(), confidence)
    out = pd.DataFrame({"annotator": counts.index, "n_reviewed": n.to_numpy(), "n_approved": counts["approve"].to_numpy(),
                        "n_rejected": counts["reject"].to_numpy(), "n_corrected": counts["correct"].to_numpy(),
                        "approval_rate": counts["approve"].to_numpy() / n.to_numpy(), "approval_ci_low": low,
                        "approval_ci_high": high})
    return out.sort_values(["approval_rate", "annotator"], kind="stable").reset_index(drop=True)[columns]


def review_reference(annotations: pd.DataFrame) -> pd.Series:
    """Item id -> the label its newest approving or correcting review settles (rejections settle nothing)."""
    reviews = review_table(annotations)
    settled = reviews[reviews["corrected_label"].notna()]
    return pd.Series(settled["corrected_label"].to_numpy(dtype=object), index=settled["item_id"].to_numpy(),
                     dtype=object).groupby(level=0).last() if len(settled) else pd.Series(dtype=object)

