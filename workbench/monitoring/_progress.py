"""Progress and speed per labeler: assigned, done, remaining, throughput, and an estimated finish.

Examples
--------
>>> import pandas as pd
>>> plan = pd.DataFrame({"item_id": ["a", "b", "c", "d"], "annotator": "ana"})
>>> done = pd.DataFrame({"item_id": ["a", "b"], "annotator": "ana", "kind": "label", "duration_ms": [30000, 90000],
...                      "created_at": pd.to_datetime(["2026-12-01 10:00", "2026-12-01 10:02"], utc=True)})
>>> t = progress_speed_table(plan, done, now=pd.Timestamp("2026-12-01 10:05", tz="UTC"))
>>> t[["annotator", "assigned", "done", "remaining", "items_per_hour", "median_seconds"]].values.tolist()
[['ana', 4, 2, 2, 60.0, 60.0]]
>>> str(t["estimated_finish"].iloc[0])
'2026-12-01 10:07:00+00:00'
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from .._internal.validation import check_columns

__all__ = ["progress_speed_table"]

#: Kinds that finish an item for its labeler (a skip does too: it leaves the queue).
DONE_KINDS = ("label", "skip", "pairwise", "ranking", "rubric", "spans", "boxes", "quiz")


def progress_speed_table(assignments: pd.DataFrame, annotations: pd.DataFrame, *,
                         now: Optional[pd.Timestamp] = None) -> pd.DataFrame:
    """Per labeler: ``assigned, done, remaining, share_done, items_per_hour, median_seconds, estimated_finish``.

    ``done`` counts assigned items the labeler answered (any answer kind, or a skip).
    ``items_per_hour`` is done items per hour of *recorded labeling time* (the answers'
    ``duration_ms``; without durations, the span from first to last answer); ``median_seconds``
    is the median duration. ``estimated_finish`` is ``now`` plus the remaining items at that
    rate (NaT when nothing is left, or there is no rate yet).

    Parameters
    ----------
    assignments : pandas.DataFrame
        ``item_id, annotator`` (``store.assignments(round=...)``).
    annotations : pandas.DataFrame
        ``item_id, annotator`` and optionally ``kind``, ``duration_ms``, ``created_at``
        (``store.annotations(round=...)``).
    now : pandas.Timestamp, optional
        The time the estimate starts from (default: the current UTC time).
    """
    check_columns(assignments, ["item_id", "annotator"], what="The assignments passed to progress_speed_table")
    check_columns(annotations, ["item_id", "annotator"], what="The annotations passed to progress_speed_table")
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    answers = annotations
    if "kind" in answers.columns:
        answers = answers[answers["kind"].isin(DONE_KINDS)]
    plan = assignments[["item_id", "annotator"]].astype(str).drop_duplicates()
    answered = answers.assign(item_id=answers["item_id"].astype(str), annotator=answers["annotator"].astype(str))
    done_pairs = plan.merge(answered.drop_duplicates(["item_id", "annotator"]), on=["item_id", "annotator"])
    rows = []
    for who, mine in plan.groupby("annotator", sort=True):
        theirs = done_pairs[done_pairs["annotator"] == who]
        done = len(theirs)
        seconds = (theirs["duration_ms"].dropna() / 1000.0) if "duration_ms" in theirs else pd.Series(dtype=float)
        if len(seconds):
            hours = seconds.sum() / 3600.0
        elif "created_at" in theirs and theirs["created_at"].notna().sum() >= 2:
            span = pd.to_datetime(theirs["created_at"], utc=True)
            hours = (span.max() - span.min()).total_seconds() / 3600.0
        else:
            hours = 0.0
        rate = done / hours if hours > 0 else np.nan
        remaining = len(mine) - done
        finish = (now + pd.Timedelta(hours=remaining / rate)) if remaining and np.isfinite(rate) and rate > 0 else pd.NaT
        rows.append({"annotator": who, "assigned": len(mine), "done": done, "remaining": remaining,
                     "share_done": done / len(mine), "items_per_hour": rate,
                     "median_seconds": float(seconds.median()) if len(seconds) else np.nan,
                     "estimated_finish": finish})
    return pd.DataFrame(rows, columns=["annotator", "assigned", "done", "remaining", "share_done", "items_per_hour",
                                       "median_seconds", "estimated_finish"])
