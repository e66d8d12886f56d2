"""Export (CSV, JSONL, Parquet, Label Studio) and Label Studio import, round-tripped."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from workbench.exceptions import DataError, LabelNotInTaxonomyError, ValidationError
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

TAX = """
name: support
version: 1
task: {task}
categories:
  - {{id: refund, definition: Money back.}}
  - {{id: cancel, definition: Stop it.}}
  - {{id: bug, definition: Broken.}}
"""
TEXTS = {"a": "I want my money back", "b": "Cancel my plan", "c": "The app, it \"crashes\"\non start"}


def make(url, task="multiclass"):
    store = AnnotationStore(url)
    store.save_taxonomy(Taxonomy.from_yaml(TAX.format(task=task)))
    store.add_items(pd.DataFrame({"item_id": list(TEXTS), "text": list(TEXTS.values())}))
    store.create_round(1, taxonomy_version=1)
    return store


@pytest.fixture
def filled(sqlite_url):
    store = make(sqlite_url)
    store.record("a", "ana", "refund", round=1, duration_ms=2500, note="easy, \"really\"\nsure")
    store.record("b", "ana", "cancel", round=1, unsure=True)
    rid = store.record("c", "ana", "refund", round=1)
    store.retract(rid)
    store.record("c", "ana", "bug", round=1)
    store.record("a", "ben", "cancel", round=1, duration_ms=900)
    store.record("b", "ben", None, round=1, kind="skip")
    store.record("a", "rev", "refund", round=1, kind="adjudication", note="policy 4.2")
    return store


KEY = ["id", "item_id", "annotator", "round", "label", "taxonomy_version", "unsure", "note", "duration_ms",
       "kind", "session_id"]


def _same(got: pd.DataFrame, want: pd.DataFrame):
    assert got["id"].tolist() == want["id"].tolist()
    for col in KEY:
        a = [None if pd.isna(v) else v for v in got[col]]
        b = [None if pd.isna(v) else v for v in want[col]]
        assert a == b, col
    assert (pd.to_datetime(got["created_at"], utc=True) == want["created_at"]).all()


def test_that_csv_export_reads_back_equal(filled, tmp_path):
    path = tmp_path / "a.csv"
    filled.export(path, format="csv")
    back = pd.read_csv(path, keep_default_na=False, na_values={"note": [""], "session_id": [""], "duration_ms": [""],
                                                               "label": [""]})
    _same(back, filled.annotations())


def test_that_jsonl_export_reads_back_equal_including_every_row(filled):
    buf = io.StringIO()
    filled.export(buf, format="jsonl", current_only=False)
    back = pd.read_json(io.StringIO(buf.getvalue()), lines=True, dtype=False, convert_dates=False)
    want = filled.annotations(current_only=False)
    assert len(back) == len(want) == 8
    _same(back, want)


def test_that_parquet_export_reads_back_equal(filled, tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "a.parquet"
    filled.export(path, format="parquet", round=1)
    _same(pd.read_parquet(path), filled.annotations(round=1))


def test_that_an_unknown_format_lists_the_valid_ones(filled, tmp_path):
    with pytest.raises(ValidationError, match="'label-studio'"):
        filled.export(tmp_path / "x", format="xlsx")


def test_that_label_studio_export_imports_back_into_a_fresh_store(filled, tmp_path):
    path = tmp_path / "ls.json"
    filled.export(path, format="label-studio")
    tasks = json.loads(path.read_text())
    assert {t["data"]["item_id"]: t["data"]["text"] for t in tasks} == TEXTS
    first = next(t for t in tasks if t["data"]["item_id"] == "a")
    assert {a["completed_by"]["email"] for a in first["annotations"]} == {"ana", "ben", "rev"}
    assert any(a["ground_truth"] for a in first["annotations"])
    fresh = AnnotationStore(tmp_path / "fresh.db")
    fresh.save_taxonomy(Taxonomy.from_yaml(TAX.format(task="multiclass")))
    fresh.create_round(1, taxonomy_version=1)
    result = fresh.import_label_studio(path, round=1)
    assert result.annotations_new == len(result.annotation_ids) == 6
    assert fresh.items().set_index("item_id")["text"].to_dict() == TEXTS
    cols = ["item_id", "annotator", "label", "kind", "note", "duration_ms"]

    def norm(df):
        df = df[cols].astype(object).where(df[cols].notna(), None)
        return sorted(map(tuple, df.to_numpy().tolist()), key=str)

    assert norm(fresh.annotations()) == norm(filled.annotations())


def test_that_a_label_studio_project_export_is_read(sqlite_url):
    """The shape of a real Label Studio JSON export (int user ids, lead_time, cancelled, several controls)."""
    tasks = [
        {"id": 101, "data": {"text": "refund pls"}, "annotations": [
            {"id": 1, "completed_by": 3, "lead_time": 4.25, "was_cancelled": False, "ground_truth": False,
             "created_at": "2026-11-01T10:00:00.000000Z",
             "result": [{"id": "r1", "from_name": "intent", "to_name": "text", "type": "choices",
                         "value": {"choices": ["cancel"]}, "origin": "manual"}]},
            {"id": 2, "completed_by": 3, "lead_time": 1.0, "was_cancelled": False, "ground_truth": False,
             "created_at": "2026-11-01T10:05:00.000000Z",
             "result": [{"from_name": "intent", "to_name": "text", "type": "choices", "value": {"choices": ["refund"]}},
                        {"from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["fixed"]}}]},
            {"id": 3, "completed_by": {"id": 7, "email": "kim@x.org"}, "was_cancelled": True, "result": [],
             "created_at": "2026-11-01T11:00:00Z"}]},
        {"id": 102, "data": {"text": "crash"}, "annotations": [], "predictions": []},
    ]
    store = make(sqlite_url)
    result = store.import_label_studio(tasks, round=1)
    assert result.annotations_new == 3
    cur = store.annotations().set_index("annotator")
    assert cur.loc["label-studio-user-3", "label"] == "refund"  # the newer answer is current
    assert cur.loc["label-studio-user-3", "duration_ms"] == 1000 and cur.loc["label-studio-user-3", "note"] == "fixed"
    assert cur.loc["kim@x.org", "kind"] == "skip"
    assert len(store.items()) == 5  # the two tasks' items were added (ids hashed from the text)


def test_that_label_studio_multi_choice_needs_a_multilabel_taxonomy(sqlite_url, tmp_path):
    tasks = [{"data": {"text": "refund and bug", "item_id": "m"}, "annotations": [
        {"completed_by": "ana", "result": [{"type": "choices", "value": {"choices": ["bug", "refund"]}}]}]}]
    multi = make(sqlite_url, task="multilabel")
    multi.import_label_studio(tasks, round=1)
    assert multi.annotations()["label"].tolist() == ['["bug", "refund"]']
    buf = io.StringIO()
    multi.export(buf, format="label-studio")
    exported = json.loads(buf.getvalue())
    assert exported[0]["annotations"][0]["result"][0]["value"]["choices"] == ["bug", "refund"]
    bad = [{"data": {"text": "x"}, "annotations": [{"completed_by": "ana", "result": [
        {"type": "choices", "value": {"choices": ["nope"]}}]}]}]
    with pytest.raises(LabelNotInTaxonomyError, match="'nope'"):
        multi.import_label_studio(bad, round=1)
    with pytest.raises(DataError, match=r"data keys are \['body'\]"):
        multi.import_label_studio([{"data": {"body": "x"}, "annotations": []}], round=1)
