"""PairwiseRater, driven in Python (button.click(), key events) against a real SQLite store."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from workbench.exceptions import DataError
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy
from workbench.widgets import PairwiseRater
from workbench.widgets._protocol import Item
from workbench.widgets.pairwise import parse_pair
from workbench.widgets.renderers import escape as escaped

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
    assert "<script>" not in html and escaped("<script>window.x=1</script>") in html


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


def test_the_choice_buttons_follow_the_ranking_and_press_is_the_keyboard(store):
    rater = PairwiseRater(store, annotator="ivy", round=1)
    rater.ranking = ["b", "a"]
    assert "wb-selected" in rater.choice_buttons[1]._dom_classes and "best" in rater.item_html.value
    rater.press("t")
    assert rater.tie and rater.ranking == [] and "wb-selected" in rater.tie_button._dom_classes
    assert not any("wb-selected" in b._dom_classes for b in rater.choice_buttons)
