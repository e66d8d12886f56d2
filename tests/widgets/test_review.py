"""The Reviewer view and review rows: keys reach the store exactly, reasons are required, roles hold."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.error_analysis import labeler_quality_table, review_reference, review_summary_table, review_table
from workbench.exceptions import AccessDenied, DataError, LabelNotInTaxonomyError
from workbench.store import AnnotationStore
from workbench.widgets import Reviewer, identity


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore.example(f"sqlite:///{tmp_path / 'r.db'}")
    s.record("m1", "ann", "refund", round=1)
    s.record("m2", "ann", "bug", round=1)
    s.record("m3", "ann", "cancel", round=1)
    s.record("m3", "bob", "cancel", round=1)  # two labels: not single-labeled work
    return s


def reviews(store):
    rows = store.annotations(kind="review")
    return [(r.item_id, r.annotator, json.loads(r.label), r.note) for r in rows.itertuples()]


def test_approve_reject_and_correct_reach_the_store_exactly(store, tmp_path):
    ids = dict(zip(store.annotations(kind="label")["item_id"], store.annotations(kind="label")["id"]))
    rev = Reviewer(store, annotator="rita", round=1)
    assert rev.item.item_id == "m1"
    rev.press("a")
    assert rev.item.item_id == "m2"
    rev.press("x")  # no reason: refused, nothing written
    assert "reason" in rev.status.value.lower() or "rationale" in rev.status.value.lower()
    assert len(store.annotations(kind="review")) == 1
    rev.note.value = "Says the app crashes: a bug, so this one is right, but the note was wrong."
    rev.press("x")
    other = AnnotationStore(f"sqlite:///{tmp_path / 'r.db'}")  # a second connection: durable already
    assert reviews(other) == [
        ("m1", "rita", {"annotation_id": ids["m1"], "label": "refund", "of": "ann", "verdict": "approve"}, None),
        ("m2", "rita", {"annotation_id": ids["m2"], "of": "ann", "verdict": "reject"},
         "Says the app crashes: a bug, so this one is right, but the note was wrong.")]
    assert rev.item is None  # m3 has two labels: not in the queue
    rev.press("Backspace")  # undo the rejection: a retract row
    assert [r[0] for r in reviews(store)] == ["m1"]
    assert rev.item.item_id == "m2"
    rev.note.value = "A crash is a bug report."
    rev.press("1")  # correct to the first option, refund
    assert reviews(store)[-1][2] == {"annotation_id": ids["m2"], "label": "refund", "of": "ann", "verdict": "correct"}


def test_choosing_the_given_label_approves_it(store):
    rev = Reviewer(store, annotator="rita", round=1, item_ids=["m1"])
    rev.press("1")  # refund is the given label
    assert reviews(store)[0][2]["verdict"] == "approve"


def test_only_reviewers_and_leads_review(store):
    store.add_user("ann", role="labeler", actor="lena")
    identity.bind("ann", "labeler")
    with pytest.raises(AccessDenied, match="A labeler cannot open the review view"):
        Reviewer(store, round=1)


def test_the_store_refuses_a_malformed_review_and_writes_nothing(store):
    with pytest.raises(LabelNotInTaxonomyError):
        store.record("m1", "rita", {"verdict": "correct", "of": "ann", "label": "nope"}, round=1, kind="review",
                     note="x")
    with pytest.raises(DataError, match="unknown key"):
        store.record("m1", "rita", {"verdict": "approve", "of": "ann", "score": 3}, round=1, kind="review")
    with pytest.raises(DataError, match="needs its reason"):
        store.record("m1", "rita", {"verdict": "reject", "of": "ann"}, round=1, kind="review")
    with pytest.raises(DataError, match=r"row 2 of 2 .*must name the reviewed labeler"):
        store.record_many(pd.DataFrame({"item_id": ["m1", "m2"], "annotator": "rita", "kind": "review",
                                        "label": [{"verdict": "approve", "of": "ann"}, {"verdict": "approve"}]}),
                          round=1)
    assert store.annotations(kind="review").empty


def test_reviews_feed_labeler_quality(store):
    store.record("m1", "rita", {"verdict": "approve", "of": "ann", "label": "refund"}, round=1, kind="review")
    store.record("m2", "rita", {"verdict": "correct", "of": "ann", "label": "refund"}, round=1, kind="review",
                 note="Asks for money back.")
    rows = store.annotations()
    table = review_table(rows)
    assert table[["item_id", "verdict", "given_label", "corrected_label"]].values.tolist() == [
        ["m1", "approve", "refund", "refund"], ["m2", "correct", "bug", "refund"]]
    summary = review_summary_table(rows).iloc[0]
    assert (summary["annotator"], summary["n_reviewed"], summary["n_approved"], summary["n_corrected"]) == ("ann", 2, 1, 1)
    assert summary["approval_ci_low"] == pytest.approx(0.0945, abs=1e-4)  # Wilson, 1 of 2
    quality = labeler_quality_table(rows[rows["kind"] == "label"], review_reference(rows), reference_name="review")
    ann = quality.set_index("annotator").loc["ann"]
    assert (ann["n_items"], ann["n_correct"]) == (2, 1)  # m1 right, m2 corrected; m3 has no review
