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


ROUND_RUBRIC = {"helpful": {"question": "Does it do what was asked?", "scale": [1, 5],
                            "anchors": {1: "useless", 5: "perfect"}},
                "length": {"question": "Right length?", "scale": [0, 2], "optional": True}}


def test_rubric_uses_the_round_rubric_its_scales_and_optional_criteria(store):
    store.create_round(2, taxonomy_version=1, rubric=ROUND_RUBRIC)
    rater = RubricRater(store, annotator="gus", round=2, item_ids=["p1", "p2"], rationale=False)
    assert rater.criteria == ["helpful", "length"] and rater.scales == {"helpful": [1, 2, 3, 4, 5], "length": [0, 1, 2]}
    assert rater.rubric == {"helpful": "Does it do what was asked?", "length": "Right length?"}
    assert [b.tooltip for b in rater.score_buttons["helpful"]][::4] == ["helpful = 1: useless", "helpful = 5: perfect"]
    assert "Optional&#58; length." in rater.answer_box.children[0].value  # escaped HTML
    key(rater, "ArrowDown")
    key(rater, "5")  # not on the 0-2 scale of 'length': ignored
    assert rater.scores == {}
    key(rater, "ArrowUp")
    key(rater, "4")
    key(rater, "Enter")  # 'length' is optional
    assert json.loads(rows_of(store, 2).loc[0, "label"]) == {"helpful": 4}
    key(rater, "3")
    key(rater, "2")
    key(rater, "Enter")
    assert json.loads(rows_of(store, 2).loc[1, "label"]) == {"helpful": 3, "length": 2}


def test_rubric_arguments_must_agree_with_the_round_rubric(store):
    store.create_round(2, taxonomy_version=1, rubric=ROUND_RUBRIC)
    same = RubricRater(store, annotator="gus", round=2, rubric={"helpful": "Useful?", "length": "Short enough?"})
    assert same.rubric == {"helpful": "Useful?", "length": "Short enough?"}  # own wording, the round's scales
    assert same.scales["length"] == [0, 1, 2] and same.definition.criterion("length").optional
    with pytest.raises(ValidationError) as err:
        RubricRater(store, annotator="gus", round=2, rubric={"helpful": "Useful?", "clear": "Clear?"})
    assert str(err.value) == (
        "The 'rubric' / 'scale' parameters of RubricRater disagree with the rubric round 2 declares (helpful 1-5, "
        "length 0-2 (optional)): criteria ['clear'] are not in the round's rubric; the round's criteria ['length'] "
        "are missing. Leave out rubric= and scale= to use the round's rubric, or rate in a round that declares this "
        "rubric.")
    with pytest.raises(ValidationError, match=r"'helpful' is scored 0-9 here but 1-5 in the round; 'length' is "
                                              r"scored 0-9 here but 0-2 in the round\. Leave out rubric= and scale="):
        RubricRater(store, annotator="gus", round=2, scale=(0, 9))
    with pytest.raises(ValidationError, match=r"'helpful' is scored 1-3 here but 1-5 in the round"):
        RubricRater(store, annotator="gus", round=2, rubric={"helpful": [1, 3], "length": "Short?"})


def test_rubric_refuses_a_round_rubric_the_digit_keys_cannot_score(store):
    store.create_round(3, taxonomy_version=1, rubric={"quality": [0, 10]})
    with pytest.raises(ValidationError, match=r"0 <= low < high <= 9 \(one digit key per score\)\. Got quality "
                                              r"0-10; use e\.g\. \(1, 5\) or \(0, 9\)\."):
        RubricRater(store, annotator="gus", round=3)


def test_rubric_arguments_accept_a_rubric_object(store):
    from workbench.taxonomy import Rubric

    rater = RubricRater(store, annotator="hal", round=1, rubric=Rubric.from_dict({"clear": [1, 3]}))
    assert rater.scales == {"clear": [1, 2, 3]}
    with pytest.raises(ValidationError, match=r"criteria \['clear 1-3'\] have another scale than scale=\(1, 5\)"):
        RubricRater(store, annotator="hal", round=1, rubric=Rubric.from_dict({"clear": [1, 3]}), scale=(1, 5))
    with pytest.raises(ValidationError, match=r"The 'scale' parameter of RubricRater must be \(low, high\)"):
        RubricRater(store, annotator="hal", round=1, scale=(1, 2, 3))


def rows_of(store, round):
    return store.annotations(round=round, kind="rubric").sort_values("id").reset_index(drop=True)
