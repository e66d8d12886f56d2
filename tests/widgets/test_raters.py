"""PairwiseRater and RubricRater, driven in Python (button.click(), key events) against a real SQLite store."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.exceptions import DataError, ValidationError
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy
from workbench.widgets import PairwiseRater, RubricRater
from workbench.widgets._protocol import Item
from workbench.widgets.raters import parse_pair

TAXONOMY = """
name: model-review
version: 1
categories:
  - {id: good, name: Good, definition: Fine.}
  - {id: bad, name: Bad, definition: Not fine.}
"""


def key(widget, k):
    widget._handle_keystroke({"key": k, "type": "keydown"})


def make_store(url):
    store = AnnotationStore(url)
    v = store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY))
    items = pd.DataFrame({
        "item_id": ["p1", "p2", "p3"],
        "text": ["What is the capital of France?", "Sort these numbers: 3 1 2",
                 json.dumps({"prompt": "Say hi", "responses": ["<script>window.x=1</script>hi", "hello"]})],
        "response_a": ["Paris.", None, None],
        "response_b": ["Lyon, probably.", None, None],
        "responses": [None, json.dumps(["1 2 3", "3 2 1", "I can't sort."]), None],
    })
    store.add_items(items)
    store.create_round(1, taxonomy_version=v)
    return store


@pytest.fixture
def store(tmp_path):
    return make_store(f"sqlite:///{tmp_path / 'labels.db'}")


def rows(store, kind):
    df = store.annotations(round=1, kind=kind)
    return df.sort_values("id").reset_index(drop=True)


def test_parse_pair_reads_both_conventions_and_refuses_single_responses():
    assert parse_pair(Item("x", "Q?", meta={"response_a": "A", "response_b": "B"})) == ("Q?", ["A", "B"])
    assert parse_pair(Item("x", "", meta={"prompt": "Q", "responses": '["1", "2", "3"]'})) == ("Q", ["1", "2", "3"])
    assert parse_pair(Item("x", '{"prompt": "Q", "response_a": "A", "response_b": "B"}')) == ("Q", ["A", "B"])
    with pytest.raises(DataError, match="fewer than two responses"):
        parse_pair(Item("x", "Q?", meta={"response_a": "A"}))


def test_pairwise_choice_by_key_needs_a_rationale_and_is_stored_before_the_next_item(store):
    rater = PairwiseRater(store, annotator="alice", round=1)
    assert rater.item.item_id == "p1"
    assert "Paris." in rater.item_html.value and "Lyon" in rater.item_html.value
    assert rater.count.value.endswith("0 / 3</div>")
    key(rater, "2")
    key(rater, "Enter")  # no rationale: refused, visibly
    assert rows(store, "pairwise").empty
    assert "rationale" in rater.status.value.lower() and "wb-error" in rater.status.value
    assert "wb-missing" in rater.rationale_box._dom_classes
    assert rater.item.item_id == "p1"
    rater.rationale.value = "  B hedges but A is wrong?  No: A is right. "
    key(rater, "1")
    key(rater, "Enter")
    df = rows(store, "pairwise")
    assert len(df) == 1 and df.loc[0, "item_id"] == "p1" and df.loc[0, "annotator"] == "alice"
    assert json.loads(df.loc[0, "label"]) == {"choice": "a", "ranking": ["a", "b"], "tie": False}
    assert df.loc[0, "note"] == "B hedges but A is wrong?  No: A is right."
    assert df.loc[0, "duration_ms"] >= 0
    assert rater.item.item_id == "p2" and rater.rationale.value == ""
    assert rater.count.value.endswith("1 / 3</div>")


def test_pairwise_ranks_three_responses_by_clicks_and_ties_by_key(store):
    rater = PairwiseRater(store, annotator="bob", round=1, item_ids=["p2", "p3"])
    assert len(rater.choice_buttons) == 3
    rater.choice_buttons[2].click()  # C best
    rater.choice_buttons[0].click()  # then A; B is ranked last automatically
    assert rater.ranking == ["c", "a", "b"]
    assert "best" in rater.item_html.value
    rater.rationale.value = "C is honest about its limits."
    rater.submit_button.click()
    key(rater, "t")
    rater.rationale.value = "Both greet."
    rater.submit_button.click()
    labels = [json.loads(v) for v in rows(store, "pairwise")["label"]]
    assert labels == [{"choice": "c", "ranking": ["c", "a", "b"], "tie": False},
                      {"choice": None, "ranking": [], "tie": True}]
    assert rater.item is None and "All done" in rater.item_html.value


def test_pairwise_refuses_submit_without_a_choice(store):
    rater = PairwiseRater(store, annotator="carol", round=1)
    rater.rationale.value = "no choice made"
    rater.submit_button.click()
    assert rows(store, "pairwise").empty and "Choose the better response" in rater.status.value


def test_pairwise_back_retracts_and_restores_the_choice_and_rationale(store):
    rater = PairwiseRater(store, annotator="alice", round=1)
    key(rater, "2")
    rater.rationale.value = "B"
    key(rater, "Enter")
    assert rater.item.item_id == "p2"
    key(rater, "Backspace")
    assert rows(store, "pairwise").empty  # current rows: the retraction took it back
    assert rater.item.item_id == "p1" and rater.ranking == ["b", "a"] and rater.rationale.value == "B"
    reopened = PairwiseRater(store.url, annotator="alice", round=1)  # resumes at the first pending item
    assert reopened.item.item_id == "p1"


def test_pairwise_escapes_untrusted_responses(store):
    rater = PairwiseRater(store, annotator="dan", round=1, item_ids=["p3"])
    html = rater.item_html.value
    assert "<script>" not in html and "&lt;script&gt;window.x=1&lt;/script&gt;" in html


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


def test_skip_sends_the_item_to_the_end_and_pressing_a_ranked_response_again_unranks_it(store):
    rater = PairwiseRater(store, annotator="gil", round=1)
    key(rater, "s")
    skips = store.annotations(round=1, kind="skip")
    assert skips["item_id"].tolist() == ["p1"] and rater.item.item_id == "p2"
    assert "1 skipped" in rater.count.value
    key(rater, "2")
    key(rater, "2")  # pressed again: unranked
    assert rater.ranking == []
    key(rater, "2")
    key(rater, "Escape")
    assert rater.ranking == [] and not rater.tie
    key(rater, "9")  # no 9th response: ignored
    assert rater.ranking == []
    key(rater, "t")
    key(rater, "1")  # choosing after a tie cancels the tie
    assert not rater.tie and rater.ranking == ["a"]


def test_the_pairwise_row_is_in_the_store_when_the_next_item_is_displayed(store):
    rater = PairwiseRater(store, annotator="hal", round=1)
    seen = []
    original = rater.display

    def spy(item):
        seen.append((item.item_id if item else None, rows(store, "pairwise")["item_id"].tolist()))
        original(item)

    rater.display = spy
    key(rater, "1")
    rater.rationale.value = "A"
    key(rater, "Enter")
    assert seen[-1] == ("p2", ["p1"])
