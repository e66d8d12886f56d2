"""RubricRater, driven in Python (button.click(), key events) against a real SQLite store."""

from __future__ import annotations

import json

import pytest

from tests.widgets.test_pairwise import key, make_store, rows
from workbench.exceptions import ValidationError
from workbench.store import AnnotationStore
from workbench.widgets import PairwiseRater, RubricRater


@pytest.fixture
def store(tmp_path):
    return make_store(f"sqlite:///{tmp_path / 'labels.db'}")


def test_rubric_scores_by_key_and_click_and_is_stored_as_json(store):
    rater = RubricRater(store, annotator="erin", round=1, item_ids=["p1", "p2"])
    assert rater.criteria == ["helpful", "honest", "harmless"]
    key(rater, "4")
    key(rater, "5")
    rater.rationale.value = "Correct and safe"
    key(rater, "Enter")  # harmless missing
    assert rows(store, "rubric").empty and "harmless" in rater.status.value
    rater.score_buttons["harmless"][2].click()  # 3
    key(rater, "ArrowUp")
    key(rater, "2")  # re-scores 'honest'
    key(rater, "Enter")
    df = rows(store, "rubric")
    assert json.loads(df.loc[0, "label"]) == {"helpful": 4, "honest": 2, "harmless": 3}
    assert df.loc[0, "note"] == "Correct and safe" and rater.item.item_id == "p2"
    assert rater.scores == {}


def test_rubric_custom_scale_and_validation(store):
    rater = RubricRater(store, annotator="fay", round=1, rubric={"fluent": "Reads well?"}, scale=(0, 2),
                        rationale=False)
    key(rater, "5")  # out of scale: ignored
    assert rater.scores == {}
    key(rater, "0")
    rater.submit_button.click()  # rationale not required here
    assert json.loads(rows(store, "rubric").loc[0, "label"]) == {"fluent": 0}
    with pytest.raises(ValidationError, match="0 <= low < high <= 9"):
        RubricRater(store, annotator="fay", round=1, scale=(1, 10))
    with pytest.raises(ValidationError, match="criterion names"):
        RubricRater(store, annotator="fay", round=1, rubric={})


@pytest.mark.postgres
def test_pairwise_and_rubric_rows_on_postgresql_survive_a_reopen(postgres_url):
    store = make_store(postgres_url)
    rater = PairwiseRater(store, annotator="alice", round=1)
    key(rater, "2")
    rater.rationale.value = "B hedges less"
    key(rater, "Enter")
    rubric = RubricRater(postgres_url, annotator="alice", round=1, rubric={"clear": "Clear?"}, rationale=False)
    key(rubric, "5")
    key(rubric, "Enter")
    again = AnnotationStore(postgres_url)
    pair = again.annotations(round=1, kind="pairwise")
    assert json.loads(pair["label"].iloc[0])["choice"] == "b" and pair["note"].iloc[0] == "B hedges less"
    assert json.loads(again.annotations(round=1, kind="rubric")["label"].iloc[0]) == {"clear": 5}
    assert PairwiseRater(postgres_url, annotator="alice", round=1).item.item_id == "p2"
