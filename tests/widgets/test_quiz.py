"""CalibrationQuiz, driven in Python (button.click(), key events) against a real SQLite store."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.exceptions import ValidationError
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy
from workbench.widgets import CalibrationQuiz
from workbench.widgets.quiz import deciding_rule, quiz_scores
from workbench.widgets.renderers import escape as escaped

TAXONOMY = """
name: support-intents
version: 1
categories:
  - id: refund_request
    name: Refund request
    definition: The customer wants money back.
    include: ["Asks for money back for a past charge."]
    exclude: ["Use duplicate_charge when charged twice."]
  - {id: duplicate_charge, name: Duplicate charge, definition: Charged twice for one purchase.}
  - {id: bug_report, name: Bug report, definition: The app misbehaves.}
  - {id: none_of_these, name: None of these, other: true, definition: Nothing fits.}
edge_cases:
  - rule: "A refund asked because of a bug is a refund_request."
    categories: [refund_request, bug_report]
"""

ITEMS = pd.DataFrame({
    "item_id": ["g1", "g2", "g3", "x1"],
    "text": ["The app crashed and charged me; give my money back.", "Charged twice for one order.",
             "Please refund my <b>March</b> invoice.", "Not a gold item."],
    "gold_label": ["refund_request", "duplicate_charge", "refund_request", None],
})


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore(f"sqlite:///{tmp_path / 'labels.db'}")
    v = s.save_taxonomy(Taxonomy.from_yaml(TAXONOMY))
    s.add_items(ITEMS)
    s.create_round(1, taxonomy_version=v)
    return s


def key(widget, k):
    widget._handle_keystroke({"key": k, "type": "keydown"})


def quiz_rows(store, annotator="alice"):
    df = store.annotations(round=1, kind="quiz")
    return df[df["annotator"] == annotator].sort_values("id").reset_index(drop=True)


def test_gold_items_come_from_the_gold_label_column(store):
    quiz = CalibrationQuiz(store, annotator="alice", round=1)
    assert quiz.gold == {"g1": "refund_request", "g2": "duplicate_charge", "g3": "refund_request"}
    assert quiz.session.progress == (0, 3) and quiz.item.item_id == "g1"


def test_a_wrong_answer_is_stored_then_explained_by_the_edge_case_naming_both_labels(store):
    quiz = CalibrationQuiz(store, annotator="alice", round=1)
    key(quiz, "3")  # bug_report: wrong
    df = quiz_rows(store)
    assert df[["item_id", "label", "kind"]].values.tolist() == [["g1", "bug_report", "quiz"]]
    assert quiz.showing_feedback and quiz.item.item_id == "g1"  # the item stays while the feedback shows
    fb = quiz.feedback.value
    assert "Not quite" in fb and "the right label is Refund request" in fb
    assert escaped("A refund asked because of a bug is a refund_request.") in fb
    assert fb.index("Edge case that decides it") < fb.index("The customer wants money back.")  # rule, then definition
    assert "wb-ko" in quiz.feedback._dom_classes
    assert "wb-right" in quiz.buttons[0]._dom_classes and "wb-wrong" in quiz.buttons[2]._dom_classes
    key(quiz, "1")  # digits are ignored while the feedback shows
    assert len(quiz_rows(store)) == 1
    key(quiz, "Enter")
    assert not quiz.showing_feedback and quiz.item.item_id == "g2"
    assert quiz.feedback_box.layout.display == "none"


def test_without_an_edge_case_the_right_categorys_rules_are_shown(store):
    quiz = CalibrationQuiz(store, annotator="alice", round=1)
    key(quiz, "1")
    assert "✓ Right: Refund request" in quiz.feedback.value
    quiz.continue_button.click()
    quiz.buttons[0].click()  # refund_request for g2 (gold duplicate_charge); no edge case names both
    fb = quiz.feedback.value
    assert "Charged twice for one purchase." in fb and "Edge case that decides it" not in fb


def test_score_at_the_end_counts_current_answers_and_back_replaces_one(store):
    quiz = CalibrationQuiz(store, annotator="alice", round=1)
    for k in ("1", "Enter", "1", "Backspace", "2", "Enter", "3"):
        key(quiz, k)
    # g1 right, g2 first wrong (taken back) then right, g3 wrong
    assert quiz.score() == {"n_answered": 3, "n_correct": 2, "accuracy": pytest.approx(2 / 3)}
    key(quiz, "Enter")
    assert quiz.item is None and "2 of 3 right (67%)" in quiz.item_html.value
    table = quiz_scores(store, round=1)
    assert table.values.tolist() == [["alice", 3, 2, pytest.approx(2 / 3)]]


def test_gold_from_a_dict_or_frame_and_unknown_gold_labels_are_refused(store):
    quiz = CalibrationQuiz(store, annotator="bob", round=1, gold={"x1": "bug_report"})
    assert quiz.session.progress == (0, 1) and quiz.item.item_id == "x1"
    key(quiz, "3")
    assert quiz.last_result == {"item_id": "x1", "given": "bug_report", "right": "bug_report", "correct": True}
    frame = pd.DataFrame({"item_id": ["g2"], "label": ["duplicate_charge"]})
    assert CalibrationQuiz(store, annotator="carol", round=1, gold=frame).item.item_id == "g2"
    subset = CalibrationQuiz(store, annotator="dora", round=1, item_ids=["g3", "x1", "g1"])
    assert subset.session.progress == (0, 2) and subset.item.item_id == "g3"  # gold items only, given order
    with pytest.raises(ValidationError, match="No gold item"):
        CalibrationQuiz(store, annotator="bob", round=1, gold={"nope": "bug_report"})
    with pytest.raises(ValidationError, match="not in the taxonomy"):
        CalibrationQuiz(store, annotator="bob", round=1, gold={"g1": "refund"})


def test_scores_of_several_labelers_and_no_answers(store):
    assert quiz_scores(store, round=1).empty
    for who, answers in {"ann": ["1", "2", "1"], "ben": ["3", "3", "3"]}.items():
        quiz = CalibrationQuiz(store, annotator=who, round=1)
        for a in answers:
            key(quiz, a)
            key(quiz, "Enter")
    table = quiz_scores(store, round=1)
    assert table["annotator"].tolist() == ["ann", "ben"]
    assert table["accuracy"].tolist() == [1.0, 0.0]
    fresh = CalibrationQuiz(store, annotator="zed", round=1)
    assert math.isnan(fresh.score()["accuracy"])


def test_deciding_rule_needs_both_labels():
    tax = Taxonomy.from_yaml(TAXONOMY)
    assert deciding_rule(tax, given="bug_report", right="refund_request").startswith("A refund asked")
    assert deciding_rule(tax, given="duplicate_charge", right="refund_request") is None
    assert deciding_rule(tax, given="refund_request", right="refund_request") is None
