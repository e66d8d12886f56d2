"""Spot-check samples: rate per labeler or vendor, every label audited, low confidence favoured on request."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.exceptions import DataError
from workbench.sampling import spot_check_sample


@pytest.fixture
def work():
    rng = np.random.default_rng(1)
    rows = []
    for who, n in (("ana", 200), ("ben", 60), ("cy", 7)):
        labels = rng.choice(["refund", "bug", "other"], size=n, p=[0.7, 0.25, 0.05])
        rows += [{"item_id": f"{who}{k}", "annotator": who, "label": lab, "kind": "label"} for k, lab in enumerate(labels)]
    rows.append({"item_id": "x", "annotator": "ana", "label": "refund", "kind": "skip"})  # not labeled work
    return pd.DataFrame(rows)


def test_each_labeler_gets_the_rate_every_label_is_audited_and_the_draw_is_reproducible(work):
    sample = spot_check_sample(work, rate=0.1, random_state=3)
    sizes = sample.groupby("annotator").size().to_dict()
    assert sizes == {"ana": 20, "ben": 6, "cy": 1}  # ceil(10%), at least one
    labeled = work[work["kind"] == "label"]
    for who in ("ana", "ben"):
        used = set(labeled[labeled["annotator"] == who]["label"])
        assert set(sample[sample["annotator"] == who]["label"]) == used  # a rare label is audited too
    assert not sample["item_id"].duplicated().any() and "x" not in set(sample["item_id"])
    assert sample.equals(spot_check_sample(work, rate=0.1, random_state=3))
    ana = sample[sample["annotator"] == "ana"]["label"].value_counts()
    counts = labeled[labeled["annotator"] == "ana"]["label"].value_counts()
    assert abs(ana["refund"] - 20 * counts["refund"] / counts.sum()) <= 1.5  # proportional, up to rounding


def test_the_rate_applies_per_vendor_when_labelers_belong_to_one(work):
    sample = spot_check_sample(work, rate=0.05, group_of={"ana": "vendor-a", "ben": "vendor-a", "cy": "in-house"},
                               random_state=0)
    assert sample.groupby("group").size().to_dict() == {"in-house": 1, "vendor-a": math.ceil(0.05 * 260)}


def test_low_confidence_items_are_favoured_only_when_asked(work):
    confidence = {i: (0.05 if i.endswith("7") else 0.99) for i in work["item_id"]}
    doubted = {i for i, c in confidence.items() if c < 0.5}
    uniform = spot_check_sample(work, rate=0.2, confidence=confidence, random_state=5)
    favoured = spot_check_sample(work, rate=0.2, confidence=confidence, favour_low_confidence=1.0, random_state=5)
    share = lambda s: s["item_id"].isin(doubted).mean()  # noqa: E731
    assert share(favoured) > 2 * share(uniform)
    assert favoured["weight"].between(0, 1).all()
    with pytest.raises(DataError, match="needs confidence"):
        spot_check_sample(work, rate=0.2, favour_low_confidence=0.5)
