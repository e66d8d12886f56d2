"""Rubric: the forms people write, the canonical dict, and every message of check()."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.exceptions import DataError, ValidationError
from workbench.taxonomy import Criterion, Rubric, check_rubric_answer

HHH = {"helpful": {"question": "Does it do what was asked?", "scale": [1, 5],
                   "anchors": {1: "useless", 5: "perfect"}},
       "honest": [1, 5],
       "harmless": {"description": "Is it safe?", "scale": [0, 2], "level": "interval", "optional": True}}


def test_that_the_concise_forms_read_as_criteria_in_the_order_written():
    r = Rubric.from_dict(HHH)
    assert r.names == ("helpful", "honest", "harmless")
    helpful, honest, harmless = r
    assert (helpful.question, helpful.scale, helpful.anchor(1), helpful.anchor(3)) == \
        ("Does it do what was asked?", (1, 5), "useless", None)
    assert honest == Criterion("honest", 1, 5)
    assert (harmless.question, harmless.points, harmless.level, harmless.optional) == \
        ("Is it safe?", (0, 1, 2), "interval", True)
    assert Rubric.from_dict({"clear": "Easy to read?"}, scale=(0, 3)).criterion("clear").scale == (0, 3)
    assert r.describe() == "helpful 1-5, honest 1-5, harmless 0-2 (optional)"
    assert len(r) == 3 and "honest" in r and "bogus" not in r


def test_that_to_dict_is_canonical_json_and_reads_back_equal():
    r = Rubric.from_dict(HHH)
    d = r.to_dict()
    assert d["criteria"][0] == {"name": "helpful", "question": "Does it do what was asked?", "scale": [1, 5],
                                "anchors": {1: "useless", 5: "perfect"}}
    assert d["criteria"][2] == {"name": "harmless", "question": "Is it safe?", "scale": [0, 2], "level": "interval",
                                "optional": True}
    # sorted JSON (what the store writes) keeps the criterion order: the criteria are a list
    back = json.loads(json.dumps(d, sort_keys=True))
    assert Rubric.from_dict(back) == r and Rubric.from_dict(back["criteria"]) == r
    assert Rubric.from_dict(r) is r


def test_that_anchors_may_be_one_label_per_point():
    c = Rubric.from_dict({"q": {"scale": [1, 3], "anchors": ["bad", "ok", "good"]}}).criterion("q")
    assert c.anchors == ((1, "bad"), (2, "ok"), (3, "good"))


def test_that_every_problem_of_a_definition_is_reported_at_once_with_the_forms_to_use():
    with pytest.raises(ValidationError) as err:
        Rubric.from_dict({"helpful": [5, 1], "honest": {"scael": [1, 5]}, "safe": {"level": "ratio"},
                          "x": {"scale": [1, 3], "anchors": {4: "too high"}}, "": [1, 2]}, source="round 7")
    msg = str(err.value)
    assert msg.startswith("5 problems in the rubric of round 7:")
    assert "criterion 'helpful': 'scale' must be [low, high] with whole numbers low < high" in msg
    assert "got [5, 1]" in msg
    assert "criterion 'honest': unknown key 'scael'" in msg and "Did you mean 'scale'?" in msg
    assert "criterion 'safe': 'level' must be one of ['ordinal', 'interval']; got 'ratio'" in msg
    assert "criterion 'x': anchor 4 is not a point of the scale 1-3" in msg
    assert "criterion names must be non-empty texts; got ''" in msg
    assert msg.endswith("'optional': False}}.")  # how to write one


@pytest.mark.parametrize("data, needle", [
    ({}, "a rubric needs at least one criterion"),
    ("helpful", "a rubric maps criterion names to their scales; got 'helpful'"),
    ({"a": [1, 500]}, "at most 101 points"),
    ({"a": [1.5, 3]}, "whole numbers"),
    ({"a": {"question": "Q", "description": "Q"}}, "give 'question' or 'description' (the same thing), not both"),
    ({"a": {"optional": "yes"}}, "'optional' must be true or false; got 'yes'"),
    ({"a": {"scale": [1, 3], "anchors": ["one"]}}, "needs one label per point of the scale 1-3 (3 labels); got 1"),
    ({"a": 7}, "expected a scale [low, high], a question text or a mapping; got 7"),
    ([{"name": "a", "scale": [1, 2]}, {"name": "a", "scale": [1, 2]}], "criterion 'a' is named twice"),
])
def test_that_bad_definitions_say_what_is_wrong(data, needle):
    with pytest.raises(ValidationError, match="problem") as err:
        Rubric.from_dict(data)
    assert needle in str(err.value)


def test_that_check_normalises_a_good_answer():
    r = Rubric.from_dict(HHH)
    assert r.check('{"honest": 5.0, "helpful": 4}') == {"helpful": 4, "honest": 5}
    got = r.check({"harmless": np.int64(2), "helpful": 1, "honest": 1})
    assert got == {"helpful": 1, "honest": 1, "harmless": 2} and all(type(v) is int for v in got.values())
    assert list(got) == ["helpful", "honest", "harmless"]
    assert r.check({"helpful": 3, "honest": 3, "harmless": None}) == {"helpful": 3, "honest": 3}


def test_that_check_names_unknown_missing_and_out_of_range_scores_in_one_message():
    r = Rubric.from_dict(HHH)
    with pytest.raises(DataError) as err:
        r.check({"helpful": 9, "bogus": 1, "harmless": 1}, where="of round 2")
    msg = str(err.value)
    assert msg.startswith("The rubric answer of round 2 does not fit the rubric: unknown criterion 'bogus'; ")
    assert "'helpful' is 9, outside its scale 1-5" in msg
    assert "missing criterion 'honest' (score it, or declare it optional: true in the rubric)" in msg
    assert "The rubric's criteria: helpful 1-5, honest 1-5, harmless 0-2 (optional)." in msg
    assert msg.endswith("leave out names the rubric does not define (or declare them in the rubric of a new round).")
    assert err.value.reason == "unknown_criterion"


@pytest.mark.parametrize("value", [4.5, "4", True, float("inf")])
def test_that_a_score_must_be_a_whole_number(value):
    r = Rubric.from_dict({"helpful": [1, 5]})
    with pytest.raises(DataError, match=r"'helpful' must be a whole number from 1 to 5; got ") as err:
        r.check({"helpful": value})
    assert err.value.reason == "bad_score"


def test_that_a_misspelled_criterion_gets_a_suggestion():
    with pytest.raises(DataError, match=r"unknown criterion 'helpfull' Did you mean 'helpful'\?"):
        Rubric.from_dict({"helpful": [1, 5]}).check({"helpful": 3, "helpfull": 3})


@pytest.mark.parametrize("answer, needle", [
    ("[4, 5]", "got '[4, 5]'"),
    ('{"helpful": 4', "which is not valid JSON"),
    (None, "got None"),
    (4, "got 4"),
])
def test_that_an_answer_that_is_no_object_says_the_shape_expected(answer, needle):
    with pytest.raises(DataError) as err:
        Rubric.from_dict({"helpful": [1, 5]}).check(answer)
    msg = str(err.value)
    assert msg.startswith("The rubric answer must be a JSON object mapping criterion names to scores, "
                          'e.g. {"helpful": 5}') and needle in msg
    assert msg.endswith("The rubric's criteria: helpful 1-5.") and err.value.reason == "not_an_object"


def test_that_without_a_rubric_only_the_shape_is_checked():
    assert check_rubric_answer({"a": 4, "b": 2.5, "c": np.float64(1.0)}) == {"a": 4, "b": 2.5, "c": 1.0}
    assert check_rubric_answer('{"fluency": 9}') == {"fluency": 9}
    fix = "declare the round's rubric with store.create_round(..., rubric=...) to check criteria and scales too."
    with pytest.raises(DataError) as err:
        check_rubric_answer({"a": float("nan"), "b": True, "c": "x"}, where="of round 1")
    assert str(err.value) == ("The rubric answer of round 1 has a score that is not a finite number: 'a' is nan, "
                              "'b' is True, 'c' is 'x'. Give every criterion a number, "
                              f'e.g. {{"helpful": 4, "honest": 5}}; {fix}')
    with pytest.raises(DataError, match="has no scores: give each criterion a number"):
        check_rubric_answer("{}")
    with pytest.raises(DataError, match=r"criterion names that are not non-empty texts: \[' ', 3\]"):
        check_rubric_answer({" ": 1, 3: 2})
    with pytest.raises(DataError, match="Declare the round's rubric with store.create_round"):
        check_rubric_answer("[1, 2]")


def test_that_a_rubric_object_needs_criteria_once_each():
    with pytest.raises(ValidationError, match="at least one Criterion"):
        Rubric(())
    with pytest.raises(ValidationError, match=r"\['a'\] repeat"):
        Rubric((Criterion("a"), Criterion("a")))
    with pytest.raises(ValidationError, match=r"no criterion 'b'; its criteria: \['a'\]"):
        Rubric((Criterion("a"),)).criterion("b")
