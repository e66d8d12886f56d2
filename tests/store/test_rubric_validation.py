"""A round declares its rubric; every rubric answer recorded or imported into it must fit it."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exceptions import DataError, StoreError, ValidationError
from workbench.store import AnnotationStore
from workbench.taxonomy import Rubric, Taxonomy

from tests.store.test_store import TAX

RUBRIC = {"helpful": {"question": "Does it do what was asked?", "scale": [1, 5]},
          "honest": [1, 5],
          "length": {"scale": [0, 2], "optional": True}}
FIT = "Score every required criterion with a whole number on its scale, and leave out names the rubric does not define"


def make(url):
    store = AnnotationStore(url)
    store.save_taxonomy(Taxonomy.from_yaml(TAX.format(task="multiclass")))
    store.add_items(pd.DataFrame({"item_id": ["a", "b", "c"], "text": ["ta", "tb", "tc"]}))
    store.create_round(1, taxonomy_version=1)
    store.create_round(2, taxonomy_version=1, rubric=RUBRIC)
    return store


@pytest.fixture
def store(sqlite_url):
    s = make(sqlite_url)
    yield s
    s.close()


def rubric_rows(store, round):
    return store.annotations(round=round, kind="rubric", current_only=False)


# ----------------------------------------------------------------------------- declaring


def test_that_a_round_keeps_its_rubric_in_canonical_form_and_reads_it_back(store, sqlite_url):
    assert store.round_info(2)["params"]["rubric"] == Rubric.from_dict(RUBRIC).to_dict()
    assert store.round_rubric(2) == Rubric.from_dict(RUBRIC)
    assert store.round_rubric(1) is None
    assert store._round_rubrics == {2: Rubric.from_dict(RUBRIC), 1: None}  # cached per round
    assert AnnotationStore(sqlite_url).round_rubric(2).names == ("helpful", "honest", "length")


def test_that_create_round_stays_idempotent_with_a_rubric(store):
    # the same rubric in another form is the same round
    assert store.create_round(2, taxonomy_version=1, rubric=Rubric.from_dict(RUBRIC)) == 2
    assert store.create_round(2, taxonomy_version=1, params={"rubric": Rubric.from_dict(RUBRIC).to_dict()}) == 2
    with pytest.raises(StoreError, match="Round 2 already exists with taxonomy v1.*Rounds are immutable: use a new "
                                         "round number"):
        store.create_round(2, taxonomy_version=1, rubric={"helpful": [1, 7]})
    with pytest.raises(StoreError, match="Round 1 already exists"):
        store.create_round(1, taxonomy_version=1, rubric={"helpful": [1, 5]})


def test_that_create_round_refuses_a_bad_rubric_and_two_different_ones(store):
    with pytest.raises(ValidationError) as err:
        store.create_round(3, taxonomy_version=1, rubric={"helpful": [5, 1]})
    assert str(err.value).startswith("1 problem in the rubric of round 3:\n  - criterion 'helpful': 'scale' must be")
    with pytest.raises(ValidationError, match=r"(?s)rubric of round 4 \(params\['rubric'\], where a round keeps its "
                                              r"rubric\).*a rubric maps criterion names to their scales; got 'hhh'"):
        store.create_round(4, taxonomy_version=1, params={"rubric": "hhh"})
    with pytest.raises(ValidationError, match=r"create_round\(5\) got two different rubrics: rubric= \(a 1-5\) and "
                                              r"params\['rubric'\] \(b 1-5\). Pass it once, as rubric=..."):
        store.create_round(5, taxonomy_version=1, rubric={"a": [1, 5]}, params={"rubric": {"b": [1, 5]}})
    with pytest.raises(ValidationError, match="The 'params' parameter of create_round must be a dict"):
        store.create_round(6, taxonomy_version=1, params=["x"])
    assert store.rounds()["round"].tolist() == [1, 2]


def test_that_a_round_stored_with_an_invalid_rubric_says_so(store):
    with store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO rounds (round, name, taxonomy_version, params, created_at) "
                             "VALUES (9, NULL, 1, :p, '2026-01-01 00:00:00')"),
                     {"p": json.dumps({"rubric": {"helpful": [3, 1]}})})
    with pytest.raises(StoreError) as err:
        store.record("a", "ana", {"helpful": 2}, round=9, kind="rubric")
    msg = str(err.value)
    assert msg.startswith("Round 9 of AnnotationStore(") and "keeps a rubric in its params that is not valid" in msg
    assert "criterion 'helpful': 'scale' must be [low, high]" in msg
    assert msg.endswith("Rounds are immutable: create a new round with a valid rubric=...")


# ----------------------------------------------------------------------------- recording


def test_that_a_fitting_answer_is_stored_in_rubric_order_with_whole_numbers(store):
    store.record("a", "ana", '{"honest": 5.0, "helpful": 4}', round=2, kind="rubric", note="fine")
    store.record("b", "ana", {"length": 2, "honest": 1, "helpful": 1}, round=2, kind="rubric")
    labels = rubric_rows(store, 2)["label"].tolist()
    assert labels == ['{"helpful": 4, "honest": 5}', '{"helpful": 1, "honest": 1, "length": 2}']


@pytest.mark.parametrize("label, problem, reason", [
    ({"helpful": 9, "honest": 5}, "'helpful' is 9, outside its scale 1-5", "bad_score"),
    ({"helpful": 4, "honest": 5, "bogus": 1}, "unknown criterion 'bogus'", "unknown_criterion"),
    ({"helpful": 4}, "missing criterion 'honest' (score it, or declare it optional: true in the rubric)",
     "missing_criterion"),
    ({"helpful": 4.5, "honest": 5}, "'helpful' must be a whole number from 1 to 5; got 4.5", "bad_score"),
    ({"helpful": "4", "honest": 5}, "'helpful' must be a whole number from 1 to 5; got '4'", "bad_score"),
    ({"helpful": 4, "honest": 5, "length": 3}, "'length' is 3, outside its scale 0-2", "bad_score"),
])
def test_that_an_answer_that_does_not_fit_the_rubric_is_refused(store, label, problem, reason):
    with pytest.raises(DataError) as err:
        store.record("a", "ana", label, round=2, kind="rubric")
    msg = str(err.value)
    assert msg.startswith(f"The rubric answer of round 2 does not fit the rubric: {problem}")
    assert "The rubric's criteria: helpful 1-5, honest 1-5, length 0-2 (optional)." in msg and FIT in msg
    assert err.value.reason == reason
    assert rubric_rows(store, 2).empty


@pytest.mark.parametrize("label, got", [("[4, 5]", "got '[4, 5]'"), (None, "got None"), ("4", "got '4'"),
                                        ('{"helpful": 4', "which is not valid JSON")])
def test_that_a_rubric_row_must_be_an_object_of_scores(store, label, got):
    with pytest.raises(DataError) as err:
        store.record("a", "ana", label, round=2, kind="rubric")
    msg = str(err.value)
    assert msg.startswith("The rubric answer of round 2 must be a JSON object mapping criterion names to scores, "
                          'e.g. {"helpful": 5, "honest": 5, "length": 2}') and got in msg
    assert msg.endswith("The rubric's criteria: helpful 1-5, honest 1-5, length 0-2 (optional).")


def test_that_record_many_names_the_row_and_writes_nothing(store):
    df = pd.DataFrame({"item_id": ["a", "b", "c"], "annotator": ["ana", "ben", "cy"], "kind": "rubric",
                       "label": ['{"helpful": 4, "honest": 5}', '{"helpful": 0, "honest": 5}',
                                 '{"helpful": 4, "honest": 5}']})
    with pytest.raises(DataError) as err:
        store.record_many(df, round=2)
    msg = str(err.value)
    assert msg.startswith("row 2 of 3 (item 'b', annotator 'ben'): The rubric answer of round 2 does not fit the "
                          "rubric: 'helpful' is 0, outside its scale 1-5.")
    assert msg.endswith("Nothing was written.") and err.value.reason == "bad_score"
    assert rubric_rows(store, 2).empty
    assert len(store.record_many(df.iloc[[0, 2]], round=2)) == 2


def test_that_a_round_without_a_rubric_still_checks_the_shape(store):
    store.record("a", "ana", {"helpful": 9, "bogus": 1.5}, round=1, kind="rubric")
    assert json.loads(rubric_rows(store, 1)["label"].iloc[0]) == {"helpful": 9, "bogus": 1.5}
    declare = "declare the round's rubric with store.create_round(..., rubric=...) to check criteria and scales too."
    with pytest.raises(DataError) as err:
        store.record("a", "ana", {"helpful": "great"}, round=1, kind="rubric")
    assert str(err.value) == ("The rubric answer of round 1 has a score that is not a finite number: 'helpful' is "
                              "'great'. Give every criterion a number, e.g. {\"helpful\": 4, \"honest\": 5}; "
                              + declare)
    with pytest.raises(DataError, match=r"must be a JSON object mapping criterion names to scores.*got '\[4\]'\. "
                                        r"Declare the round's rubric with store.create_round"):
        store.record("a", "ana", "[4]", round=1, kind="rubric")
    with pytest.raises(DataError, match="The rubric answer of round 1 has no scores"):
        store.record("a", "ana", {}, round=1, kind="rubric")
    with pytest.raises(DataError, match="got None"):
        store.record("a", "ana", None, round=1, kind="rubric")
    df = pd.DataFrame({"item_id": ["a", "b"], "annotator": "ana", "kind": "rubric",
                       "label": ['{"x": 1}', '{"x": NaN}']})
    with pytest.raises(DataError, match=r"^row 2 of 2 \(item 'b', annotator 'ana'\): The rubric answer of round 1 "
                                        r"has a score that is not a finite number: 'x' is nan\..*Nothing was written\.$"):
        store.record_many(df, round=1)
    assert len(rubric_rows(store, 1)) == 1


def test_that_label_rows_are_unaffected_by_the_rubric(store):
    store.record("a", "ana", "bug", round=2)
    assert store.annotations(round=2)["label"].tolist() == ["bug"]


# ----------------------------------------------------------------------------- imports


def test_that_import_records_checks_every_rubric_row_first(store):
    rows = [{"item_id": "a", "annotator": "ana", "kind": "rubric", "label": {"helpful": 3, "honest": 3},
             "source_key": "tool:1"},
            {"item_id": "b", "annotator": "ana", "kind": "rubric", "label": {"helpful": 3, "honesty": 3},
             "source_key": "tool:2"}]
    with pytest.raises(DataError) as err:
        store.import_records(annotations=rows, round=2)
    msg = str(err.value)
    assert msg.startswith("row 2 of 2 (item 'b', annotator 'ana'): The rubric answer of round 2 does not fit the "
                          "rubric: unknown criterion 'honesty' Did you mean 'honest'?; missing criterion 'honest'")
    assert msg.endswith("Nothing was written.")
    assert rubric_rows(store, 2).empty
    assert store.import_records(annotations=rows[:1], round=2).summary() == "1 new annotation"


def test_that_an_annotation_file_is_checked_against_the_rubric_and_reimports_as_already_there(store, tmp_path,
                                                                                            sqlite_url):
    store.record("a", "ana", {"helpful": 9}, round=1, kind="rubric")  # no rubric in round 1
    store.record("b", "ana", {"helpful": 2, "honest": 3}, round=1, kind="rubric")
    path = tmp_path / "rubric.csv"
    store.export(path, round=1)
    other = make(f"sqlite:///{tmp_path / 'other.db'}")
    frame = pd.read_csv(path).drop(columns=["round"])
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        other.import_annotations(path, round=2)
    msg = str(err.value)
    assert msg.startswith(f"{path}: row 1 of 2 (item 'a', annotator 'ana'): The rubric answer of round 2 does not "
                          "fit the rubric: 'helpful' is 9, outside its scale 1-5; missing criterion 'honest'")
    assert msg.endswith("Nothing was written.") and err.value.reason == "bad_score"
    assert rubric_rows(other, 2).empty
    frame.iloc[[1]].to_csv(path, index=False)
    assert other.import_annotations(path, round=2).summary() == "1 new annotation"
    assert other.import_annotations(path, round=2).summary() == "0 new annotations, 1 already there"
    assert rubric_rows(other, 2)["label"].tolist() == ['{"helpful": 2, "honest": 3}']


# ----------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_that_rubric_rounds_work_the_same_on_postgres(postgres_url):
    store = make(postgres_url)
    assert store.create_round(2, taxonomy_version=1, rubric=RUBRIC) == 2  # idempotent there too
    store.record("a", "ana", {"honest": 4, "helpful": 5}, round=2, kind="rubric")
    df = pd.DataFrame({"item_id": ["b", "c"], "annotator": "ben", "kind": "rubric",
                       "label": ['{"helpful": 4, "honest": 5}', '{"helpful": 4}']})
    with pytest.raises(DataError, match=r"^row 2 of 2 \(item 'c', annotator 'ben'\): .*missing criterion 'honest'"
                                        r".*Nothing was written\.$"):
        store.record_many(df, round=2)
    again = AnnotationStore(postgres_url)
    assert again.round_rubric(2) == Rubric.from_dict(RUBRIC)
    assert rubric_rows(again, 2)["label"].tolist() == ['{"helpful": 5, "honest": 4}']
