"""Box agreement: IoU, Hungarian matching and F1 at IoU thresholds on hand-computed boxes,
consensus boxes, empty answers and malformed payloads."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.exceptions import DataError, ValidationError, WorkbenchWarning


def box(x, y, w, h, label="dog"):
    return {"x": x, "y": y, "w": w, "h": h, "label": label}


def frame(answers):
    return pd.DataFrame({"item_id": [k[0] for k in answers], "annotator": [k[1] for k in answers],
                         "kind": "boxes", "label": [json.dumps(v) for v in answers.values()]})


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_iou_by_hand():
    a = [[0, 0, 10, 10]]
    assert ag.box_iou(a, [[5, 0, 10, 10]])[0, 0] == pytest.approx(50 / 150)   # half overlap
    assert ag.box_iou(a, [[2, 2, 4, 4]])[0, 0] == pytest.approx(16 / 100)     # contained
    assert ag.box_iou(a, [[5, 5, 10, 10]])[0, 0] == pytest.approx(25 / 175)   # corner
    assert ag.box_iou(a, [[10, 0, 5, 5]])[0, 0] == 0                          # touching edges
    assert ag.box_iou(a, [[0, 0, 10, 10]])[0, 0] == 1
    assert ag.box_iou(np.zeros((0, 4)), a).shape == (0, 1)
    m = ag.box_iou([[0, 0, 10, 10], [20, 20, 10, 10]], [[20, 25, 10, 10], [0, 0, 10, 20], [100, 100, 1, 1]])
    assert m.round(6).tolist() == [[0.0, 0.5, 0.0], [round(50 / 150, 6), 0.0, 0.0]]


def test_mean_iou_and_f1_at_thresholds_by_hand():
    # dog: IoU 0.8 (10x10 vs 10x8 inside: 80/100), 0.6 (60/100), 1/3 (half shift), and one unmatched box
    a = [box(0, 0, 10, 10), box(100, 0, 10, 10), box(200, 0, 10, 10), box(300, 300, 5, 5),
         box(400, 0, 10, 10, "cat")]
    b = [box(0, 0, 10, 8), box(100, 0, 10, 6), box(205, 0, 10, 10),
         box(400, 0, 10, 10, "car")]  # same place, other class: no match
    t = ag.box_agreement(frame({("img", "ana"): a, ("img", "ben"): b}))
    dog = t[t.annotator_a.notna() & (t.label == "dog")].iloc[0]
    assert (dog.n_boxes_a, dog.n_boxes_b, dog.n_matched) == (4, 3, 3)
    assert dog.mean_iou == pytest.approx((0.8 + 0.6 + 1 / 3) / 3)
    assert dog.f1_iou_50 == pytest.approx(2 * 2 / 7) and dog.f1_iou_75 == pytest.approx(2 * 1 / 7)
    overall = t.iloc[-1]
    assert overall[["annotator_a", "annotator_b", "label"]].isna().all()
    assert (overall.n_boxes_a, overall.n_boxes_b, overall.n_matched) == (5, 4, 3)
    assert overall.f1_iou_50 == pytest.approx(2 * 2 / 9)
    cat = t[t.annotator_a.notna() & (t.label == "cat")].iloc[0]
    assert cat.n_matched == 0 and np.isnan(cat.mean_iou) and cat.f1_iou_50 == 0


def test_hungarian_matching_finds_more_matches_than_greedy_would():
    # A1 overlaps B1 (IoU 9/11) and B2 (8/12); A2 overlaps B1 (8/12) and B2 (5/15). Greedy by IoU takes
    # A1-B1 first and leaves A2 with B2 below 0.5; the maximum matching at 0.5 is A1-B2, A2-B1.
    a = [box(0, 0, 10, 10), box(0, 3, 10, 10)]
    b = [box(0, 1, 10, 10), box(0, -2, 10, 10)]
    iou = ag.box_iou([[v["x"], v["y"], v["w"], v["h"]] for v in a], [[v["x"], v["y"], v["w"], v["h"]] for v in b])
    assert iou.max() == iou[0, 0] and iou[0, 1] > 0.5 and iou[1, 0] > 0.5 and iou[1, 1] < 0.5
    t = ag.box_agreement(frame({(1, "a"): a, (1, "b"): b}))
    assert t.iloc[-1].f1_iou_50 == 1.0
    assert t.iloc[-1].n_matched == 2


def test_thresholds_are_configurable_and_checked():
    df = frame({(1, "a"): [box(0, 0, 10, 10)], (1, "b"): [box(5, 0, 10, 10)]})
    t = ag.box_agreement(df, iou_thresholds=[0.3, 0.5])
    assert list(t.columns[-2:]) == ["f1_iou_30", "f1_iou_50"]
    assert t.iloc[-1].f1_iou_30 == 1 and t.iloc[-1].f1_iou_50 == 0
    with pytest.raises(ValidationError, match="iou_thresholds"):
        ag.box_agreement(df, iou_thresholds=[0])
    with pytest.raises(ValidationError, match="repeat"):
        ag.box_agreement(df, iou_thresholds=[0.5, 0.5])


def test_pairs_and_pooled_rows_with_three_annotators_and_empty_answers():
    df = frame({(1, "a"): [box(0, 0, 10, 10)], (1, "b"): [box(0, 0, 10, 10)], (1, "c"): [],
                (2, "a"): [], (2, "b"): []})
    t = ag.box_agreement(df)
    pairs = t[t.annotator_a.notna() & t.label.isna()].set_index(["annotator_a", "annotator_b"])
    assert pairs.loc[("a", "b")].f1_iou_75 == 1 and pairs.loc[("a", "b")].n_items == 2
    assert pairs.loc[("a", "c")].f1_iou_50 == 0 and pairs.loc[("a", "c")].n_items == 1
    assert t.iloc[-1].f1_iou_50 == pytest.approx(2 * 1 / 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(WorkbenchWarning, match="undefined"):
            ag.box_agreement(frame({(1, "a"): [], (1, "b"): []}))
    empty = ag.box_agreement(pd.DataFrame({"item_id": [], "annotator": [], "label": []}))
    assert len(empty) == 1 and empty.n_items.iloc[0] == 0 and np.isnan(empty.f1_iou_50.iloc[0])


def test_consensus_boxes_average_clustered_boxes_and_drop_weak_clusters():
    df = frame({(1, "a"): [box(0, 0, 10, 10), box(50, 50, 10, 10, "cat")],
                (1, "b"): [box(2, 0, 10, 10), box(80, 80, 10, 10)],
                (1, "c"): [box(1, 2, 10, 12)],
                (2, "a"): [box(0, 0, 4, 4)], (2, "b"): []})
    t = ag.consensus_boxes(df)
    assert t[["item_id", "label", "support", "n_annotators"]].values.tolist() == [
        [1, "dog", 3, 3], [2, "dog", 1, 2]]
    first = t.iloc[0]
    assert [first.x, first.y, first.w, first.h] == pytest.approx([1.0, 2 / 3, 10.0, 32 / 3])
    assert 0 < first.mean_iou <= 1 and first.share == 1.0
    strict = ag.consensus_boxes(df, min_share=0.9)
    assert strict.item_id.tolist() == [1]
    loose = ag.consensus_boxes(df, min_share=0.3)
    assert sorted(loose.label[loose.item_id == 1]) == ["cat", "dog", "dog"]
    # with a demanding IoU the three dog boxes no longer cluster together
    assert ag.consensus_boxes(df, iou=0.95, min_share=0.3).query("item_id == 1 and label == 'dog'").shape[0] == 4
    with pytest.raises(ValidationError, match="'iou'"):
        ag.consensus_boxes(df, iou=1.5)


@pytest.mark.parametrize("payload, message", [
    ("[1, 2]", "list of objects"),
    ('[{"x": 1, "y": 2, "w": 3, "label": "dog"}]', "'h' as a finite number"),
    ('[{"x": "1", "y": 2, "w": 3, "h": 3, "label": "dog"}]', "'x' as a finite number"),
    ('[{"x": 1, "y": 2, "w": 0, "h": 3, "label": "dog"}]', "positive width and height"),
    ('[{"x": 1, "y": 2, "w": 3, "h": 3}]', "non-empty string 'label'"),
])
def test_malformed_boxes_name_the_item_and_the_annotator(payload, message):
    df = pd.DataFrame({"item_id": ["img7", "img7"], "annotator": ["ana", "ben"], "label": ["[]", payload]})
    with pytest.raises(DataError, match=f"annotator 'ben' on item 'img7'.*{message}"):
        ag.box_agreement(df)
    with pytest.raises(DataError, match="annotator 'ben' on item 'img7'"):
        ag.consensus_boxes(df)


def test_python_lists_are_accepted_and_other_kinds_skipped():
    df = pd.DataFrame({"item_id": [1, 1, 1], "annotator": ["a", "b", "a"], "kind": ["boxes", "boxes", "spans"],
                       "label": [[box(0, 0, 10, 10)], [box(0, 0, 10, 10)], "[]"]})
    assert ag.box_agreement(df).iloc[-1].f1_iou_75 == 1
    with pytest.raises(DataError, match="at most one answer"):  # kind=None reads the spans row as boxes too
        ag.box_agreement(df, kind=None)


def test_box_disagreements_ranks_images_by_hand_computed_f1():
    """Image 1: a and b match (IoU 81/119), c misses; image 2: everyone agrees exactly."""
    import json

    import pandas as pd
    import pytest

    from workbench.agreement import box_disagreements

    box = lambda x, label="car": {"x": x, "y": 0, "w": 10, "h": 10, "label": label}  # noqa: E731
    df = pd.DataFrame({"item_id": ["i1"] * 3 + ["i2"] * 3, "annotator": list("abc") * 2,
                       "label": [json.dumps(v) for v in ([box(0)], [box(1)], [], [box(5)], [box(5)], [box(5)])]})
    out = box_disagreements(df)
    assert out["item_id"].tolist() == ["i1", "i2"]
    first = out.iloc[0]
    # pairs: (a, b) F1 1, (a, c) F1 0, (b, c) F1 0
    assert first["mean_f1"] == pytest.approx(1 / 3) and first["min_f1"] == 0
    assert first["mean_iou"] == pytest.approx(90 / 110)
    assert out.iloc[1]["mean_f1"] == 1 and out.iloc[1]["mean_iou"] == 1
    # at IoU 0.9 the slightly shifted pair no longer matches
    assert box_disagreements(df, iou=0.9).iloc[0]["mean_f1"] == 0
