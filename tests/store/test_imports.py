"""Imports are all-or-nothing and idempotent; hostile values are refused with one clear error."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exceptions import DataError, StoreError, TaxonomyError, ValidationError
from workbench.store import AnnotationStore
from workbench.store._schema import SCHEMA_VERSION
from workbench.taxonomy import Taxonomy

TAX = """
name: intents
version: 1
categories:
  - {id: refund, definition: Money back.}
  - {id: bug, definition: Something broke.}
"""


def make(url):
    store = AnnotationStore(url)
    store.save_taxonomy(Taxonomy.from_yaml(TAX))
    store.create_round(1, taxonomy_version=1)
    return store


def counts(store):
    with store.engine.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                for t in ("items", "annotations", "imports", "taxonomies")}


# ----------------------------------------------------------------------------- annotation files


def test_that_an_exported_csv_imports_back_once_with_formulas_restored(sqlite_url, tmp_path):
    source = make(sqlite_url)
    source.add_items(pd.DataFrame({"item_id": ["=1+1", "b"], "text": ["x", "y"]}))
    source.record("=1+1", "@ana", "refund", round=1, note="-not a formula", duration_ms=1200, unsure=True)
    source.record("b", "+ben", "bug", round=1, session_id="\tsession")
    path = tmp_path / "labels.csv"
    assert source.export(path) == 2
    cells = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert cells["item_id"].tolist() == ["'=1+1", "b"] and cells["annotator"].tolist() == ["'@ana", "'+ben"]
    assert cells["note"].tolist() == ["'-not a formula", ""] and cells["session_id"].tolist() == ["", "'\tsession"]
    raw = tmp_path / "raw.csv"
    source.export(raw, neutralize=False)
    assert pd.read_csv(raw, dtype=str)["annotator"].tolist() == ["@ana", "+ben"]

    target = make(f"sqlite:///{tmp_path / 'target.db'}")
    target.add_items(source.items()[["item_id", "text"]])
    first = target.import_annotations(path, round=1)
    again = target.import_annotations(path, round=1)
    assert (first.annotations_new, again.annotations_new, again.annotations_existing) == (2, 0, 2)
    cols = ["item_id", "annotator", "label", "note", "unsure", "duration_ms", "session_id"]
    got = target.annotations()[cols].astype(object).to_dict("records")
    want = source.annotations()[cols].astype(object).to_dict("records")
    assert got == want


def test_that_an_annotation_file_with_one_bad_row_writes_nothing(sqlite_url, tmp_path):
    store = make(sqlite_url)
    store.add_items(pd.DataFrame({"item_id": ["a", "b"], "text": ["x", "y"]}))
    path = tmp_path / "labels.csv"
    path.write_text("item_id,annotator,label,duration_ms\na,ana,refund,100\nb,ana,bug,inf\n")
    with pytest.raises(DataError, match="duration_ms must be a finite number"):
        store.import_annotations(path, round=1)
    path.write_text("item_id,annotator,label,unsure\na,ana,refund,maybe\n")
    with pytest.raises(DataError, match=r"row 1: unsure must be true or false; got 'maybe'"):
        store.import_annotations(path, round=1)
    path.write_text("item_id,annotator,label,round\na,ana,refund,2\n")
    with pytest.raises(DataError, match=r"round\(s\) \['2'\], not only round 1"):
        store.import_annotations(path, round=1)
    path.write_text("item_id,annotator,label\na,ana,refund\nzz,ana,bug\n")
    with pytest.raises(StoreError, match=r"unknown item id\(s\) \['zz'\]"):
        store.import_annotations(path, round=1)
    assert counts(store)["annotations"] == 0


# ----------------------------------------------------------------------------- items and taxonomy


def test_that_items_and_a_taxonomy_go_in_together_or_not_at_all(sqlite_url):
    store = AnnotationStore(sqlite_url)
    items = pd.DataFrame({"item_id": ["a", "b"], "text": ["x", "y"]})
    clash = Taxonomy.from_yaml(TAX.replace("Money back.", "Money returned."))
    store.save_taxonomy(Taxonomy.from_yaml(TAX))
    with pytest.raises(StoreError, match="already saved"):
        store.import_items(items, taxonomy=clash)
    assert counts(store)["items"] == 0
    result = store.import_items(items, taxonomy=Taxonomy.from_yaml(TAX))
    assert (result.items_new, result.taxonomy_version) == (2, 1)
    assert store.import_items(items).summary() == "0 new items, 2 already there"


def test_that_a_large_item_import_is_one_transaction(sqlite_url):
    store = AnnotationStore(sqlite_url)
    n = 120_000  # more than one internal chunk of 50,000
    df = pd.DataFrame({"item_id": [f"i{k}" for k in range(n)], "text": [f"t{k}" for k in range(n)]})
    df.loc[n - 1, "text"] = "t\x00bad"  # the last row fails
    with pytest.raises(DataError, match=r"item 'i119999' contains a NUL character"):
        store.add_items(df)
    assert counts(store)["items"] == 0
    store.add_items(df.iloc[:60_000])
    df2 = df.iloc[:n - 1].copy()
    df2.loc[59_999, "text"] = "changed"  # clashes with a stored text, in the second chunk
    with pytest.raises(DataError, match="already stored with a different text"):
        store.add_items(df2)
    assert counts(store)["items"] == 60_000


@pytest.mark.parametrize("call, error, message", [
    (lambda s: s.record("a", "ana", "refund", round=1, duration_ms=float("inf")), DataError, "finite number"),
    (lambda s: s.record("a", "ana", "refund", round=1, duration_ms=-5), DataError, "between 0 and"),
    (lambda s: s.record("a", "ana", "refund", round=10**30), StoreError, "from 0 to 2147483647"),
    (lambda s: s.round_info(10**30), StoreError, "from 0 to 2147483647"),
    (lambda s: s.create_round(10**30, taxonomy_version=1), ValidationError, "from 0 to 2147483647"),
    (lambda s: s.record("a", "ana\x00", "refund", round=1), DataError, "NUL character"),
    (lambda s: s.record("a", "ana", "refund", round=1, note="a\x00b"), DataError, "NUL character"),
])
def test_that_out_of_range_and_nul_values_are_refused(sqlite_url, call, error, message):
    store = make(sqlite_url)
    store.add_items(pd.DataFrame({"item_id": ["a"], "text": ["x"]}))
    with pytest.raises(error, match=message):
        call(store)
    assert counts(store)["annotations"] == 0


@pytest.mark.postgres
def test_that_nul_bytes_are_refused_before_postgresql_sees_them(postgres_url):
    store = make(postgres_url)
    with pytest.raises(DataError, match="NUL character"):
        store.add_items(pd.DataFrame({"item_id": ["a"], "text": ["x\x00y"]}))
    store.add_items(pd.DataFrame({"item_id": ["a"], "text": ["x"]}))
    with pytest.raises(DataError, match="NUL character"):
        store.record("a", "ana", "refund", round=1, note="\x00")
    assert counts(store)["annotations"] == 0


def test_that_a_23_digit_version_fails_validation_not_the_database():
    with pytest.raises(TaxonomyError, match="'version' must be an integer from 0 to 2,147,483,647"):
        Taxonomy.from_yaml(TAX.replace("version: 1", "version: 12345678901234567890123"))


def test_that_yaml_aliases_cannot_expand_without_bound():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 10) + "]" for k in range(1, 9)]
    doc = "\n".join(["name: bomb", "version: 1"] + lines + ["categories:", "  - {id: a, definition: A.}"])
    assert len(doc) < 2_000  # 10**9 values once expanded
    with pytest.raises(TaxonomyError, match="expands to more than 200,000 values once its aliases"):
        Taxonomy.from_yaml(doc)


def test_that_oversized_taxonomy_fields_are_refused():
    with pytest.raises(TaxonomyError, match="has 20,001 characters, more than the 20,000 allowed"):
        Taxonomy.from_yaml(TAX.replace("Money back.", "x" * 20_001))
    with pytest.raises(TaxonomyError, match="'id' has 201 characters"):
        Taxonomy.from_yaml(TAX.replace("id: bug", "id: " + "b" * 201))


# ----------------------------------------------------------------------------- opening stores


def test_that_read_only_opens_never_create_a_store(tmp_path):
    missing = tmp_path / "typo.db"
    with pytest.raises(StoreError, match="no such file"):
        AnnotationStore(missing, create=False)
    assert not missing.exists()
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="holds no annotation store"):
        AnnotationStore(other, create=False)
    notdb = tmp_path / "notes.txt"
    notdb.write_text("hello, this is not a database\n" * 100)
    with pytest.raises(StoreError, match="file is not a database"):
        AnnotationStore(notdb)


def test_that_a_read_only_store_can_be_read_and_refuses_writes_in_one_line(tmp_path):
    path = tmp_path / "w.db"
    make(f"sqlite:///{path}").close()
    ro = AnnotationStore(f"sqlite:///file:{path}?mode=ro&uri=true", create=False)
    assert ro.rounds()["round"].tolist() == [1]
    with pytest.raises(StoreError, match="Cannot write to the annotation store .* readonly database") as info:
        ro.add_items(pd.DataFrame({"item_id": ["a"], "text": ["x"]}))
    assert "\n" not in str(info.value)


def _make_version_1(store) -> None:
    """Turn a fresh store back into what schema version 1 wrote: the old kind list, no imports table."""
    from workbench.store._schema import KINDS, _KINDS_V1, _kind_list

    old, new = f"kind IN ({_kind_list(KINDS)})", f"kind IN ({_kind_list(_KINDS_V1)})"
    with store.engine.connect() as conn:
        conn.exec_driver_sql("DROP TABLE imports")
        conn.exec_driver_sql("DELETE FROM workbench_schema")
        conn.exec_driver_sql("INSERT INTO workbench_schema (version, applied_at) VALUES (1, '2026-01-01')")
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE annotations DROP CONSTRAINT ck_annotations_kind, "
                                 f"ADD CONSTRAINT ck_annotations_kind CHECK ({new})")
        else:
            sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'annotations'").scalar()
            version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
            conn.exec_driver_sql("PRAGMA writable_schema = ON")
            conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE name = 'annotations'", (sql.replace(old, new),))
            conn.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
            conn.exec_driver_sql("PRAGMA writable_schema = OFF")
        conn.commit()
        with pytest.raises(sa.exc.IntegrityError):  # version 1 refuses the new kinds
            conn.exec_driver_sql("INSERT INTO annotations (item_id, annotator, round, taxonomy_version, unsure, kind, "
                                 "created_at) VALUES ('a', 'x', 1, 1, false, 'review', '2026-01-01')")
        conn.rollback()
    store.close()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_that_a_version_1_store_is_upgraded_in_place(tmp_path, request, backend):
    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    store = make(url)
    store.add_items(pd.DataFrame({"item_id": ["a"], "text": ["x"]}))
    store.record("a", "ana", "bug", round=1)
    _make_version_1(store)
    again = AnnotationStore(url)
    assert again.schema_version == SCHEMA_VERSION == 4
    assert again.annotations()["label"].tolist() == ["bug"]
    assert sa.inspect(again.engine).has_table("imports")
    with again.engine.begin() as conn:  # the widened constraint admits the new kinds
        conn.exec_driver_sql("INSERT INTO annotations (item_id, annotator, round, taxonomy_version, unsure, kind, "
                             "created_at) VALUES ('a', 'rev', 1, 1, false, 'review', '2026-01-01')")
    assert AnnotationStore(url).schema_version == SCHEMA_VERSION  # reopening does not migrate twice
    again.close()


def test_that_a_store_recognises_its_own_export_coming_back(sqlite_url, tmp_path):
    store = make(sqlite_url)
    store.add_items(pd.DataFrame({"item_id": ["a", "b"], "text": ["x", "y"]}))
    store.record("a", "ana", "refund", round=1, note="sure")
    store.record("b", "ana", "bug", round=1)
    path = tmp_path / "labels.csv"
    store.export(path)
    again = store.import_annotations(path, round=1)
    assert (again.annotations_new, again.annotations_existing) == (0, 2)
    edited = pd.read_csv(path, dtype=str, keep_default_na=False)
    edited.loc[1, "label"] = "refund"  # edited in a spreadsheet: a correction
    edited.to_csv(path, index=False)
    result = store.import_annotations(path, round=1)
    assert (result.annotations_new, result.annotations_existing) == (1, 1)
    assert store.annotations().set_index("item_id")["label"].to_dict() == {"a": "refund", "b": "refund"}
