"""Export (CSV, JSONL, Parquet, Label Studio) and Label Studio import, round-tripped."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from workbench.exceptions import ValidationError
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
    with pytest.raises(ValidationError, match="'parquet'"):
        filled.export(tmp_path / "x", format="xlsx")
