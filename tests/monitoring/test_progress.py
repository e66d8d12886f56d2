"""Progress and speed per labeler, against a hand-computed case."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.monitoring import progress_speed_table


def test_progress_speed_and_estimated_finish_by_hand():
    plan = pd.DataFrame({"item_id": ["a", "b", "c", "d", "e", "f"], "annotator": ["ana"] * 4 + ["ben"] * 2})
    answers = pd.DataFrame({
        "item_id": ["a", "b", "c", "e", "zz"], "annotator": ["ana", "ana", "ana", "ben", "ana"],
        "kind": ["label", "skip", "retract", "label", "label"], "duration_ms": [20_000, 40_000, None, None, 5_000],
        "created_at": pd.to_datetime(["2026-12-01 09:00", "2026-12-01 09:01", "2026-12-01 09:02", "2026-12-01 09:00",
                                      "2026-12-01 09:03"], utc=True)})
    now = pd.Timestamp("2026-12-01 12:00", tz="UTC")
    table = progress_speed_table(plan, answers, now=now).set_index("annotator")
    ana = table.loc["ana"]
    # a (label) and b (skip) are done; c was only a retraction; zz is not in her plan
    assert (ana["assigned"], ana["done"], ana["remaining"]) == (4, 2, 2)
    assert ana["items_per_hour"] == pytest.approx(2 / (60 / 3600))  # 2 items in 60 s of labeling: 120 per hour
    assert ana["median_seconds"] == 30.0
    assert ana["estimated_finish"] == now + pd.Timedelta(minutes=1)  # 2 left at 120 per hour
    ben = table.loc["ben"]
    assert (ben["done"], ben["remaining"]) == (1, 1)
    assert pd.isna(ben["items_per_hour"]) and pd.isna(ben["estimated_finish"])  # one answer, no duration: no rate
