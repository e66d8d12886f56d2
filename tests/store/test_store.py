"""AnnotationStore on SQLite: schema, append-only semantics, label checks, items, rounds."""

from __future__ import annotations

import json
import sqlite3

import pandas as pd
import pytest

from workbench.exceptions import DataError, LabelNotInTaxonomyError, StoreError, ValidationError, WorkbenchWarning
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

TAX = """
name: support
version: 1
task: {task}
categories:
  - id: money
    name: Money
    definition: Payments.
  - id: refund
    parent: money
    definition: Money back.
  - id: cancel
    parent: money
    definition: Stop a subscription.
  - id: bug
    definition: Something broke.
"""


def make_store(url, *, task="multiclass", items=("a", "b", "c")):
    store = AnnotationStore(url)
    version = store.save_taxonomy(Taxonomy.from_yaml(TAX.format(task=task)))
    store.add_items(pd.DataFrame({"item_id": list(items), "text": [f"text {i}" for i in items]}))
    store.create_round(1, taxonomy_version=version)
    return store


@pytest.fixture
def store(sqlite_url):
    s = make_store(sqlite_url)
    yield s
    s.close()


def test_that_a_plain_path_opens_sqlite_with_wal_and_foreign_keys(tmp_path):
    store = AnnotationStore(tmp_path / "x.db")
    assert store.url == f"sqlite:///{tmp_path / 'x.db'}"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("SELECT version FROM workbench_schema").scalar() == store.schema_version


def test_that_reopening_keeps_data_and_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "x.db"
    make_store(path).record("a", "ana", "bug", round=1)
    assert AnnotationStore(path).annotations()["label"].tolist() == ["bug"]
    con = sqlite3.connect(path)
    con.execute("INSERT INTO workbench_schema VALUES (99, '2030-01-01 00:00:00.000000')")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="schema version 99"):
        AnnotationStore(path)


def test_that_a_bad_url_names_the_supported_ones(tmp_path):
    with pytest.raises(StoreError, match="SQLite and PostgreSQL"):
        AnnotationStore("mysql://u@h/db")
    with pytest.raises(StoreError, match="does not exist"):
        AnnotationStore(tmp_path / "missing" / "x.db")


def test_that_record_returns_increasing_ids_and_the_row_is_stored(store):
    a = store.record("a", "ana", "refund", round=1, unsure=True, note="hm", duration_ms=1200, session_id="s")
    b = store.record("b", "ana", "bug", round=1)
    assert b > a
    df = store.annotations()
    row = df[df.id == a].iloc[0]
    assert (row.item_id, row.annotator, row.label, row["round"], row.taxonomy_version) == ("a", "ana", "refund", 1, 1)
    assert bool(row.unsure) and row.note == "hm" and row.duration_ms == 1200 and row.session_id == "s"
    assert row.kind == "label" and str(row.created_at.tz) == "UTC"
    assert df.dtypes["unsure"] == bool and str(df.dtypes["duration_ms"]) == "Int64"


def test_that_a_label_outside_the_taxonomy_is_refused_with_the_valid_labels(store):
    with pytest.raises(LabelNotInTaxonomyError) as err:
        store.record("a", "ana", "refnd", round=1)
    msg = str(err.value)
    assert "'refnd'" in msg and "'support' v1" in msg and "['refund', 'cancel', 'bug']" in msg
    with pytest.raises(LabelNotInTaxonomyError, match="money"):  # a group is not a label
        store.record("a", "ana", "money", round=1)
    with pytest.raises(LabelNotInTaxonomyError):
        store.record("a", "ana", "nope", round=1, kind="adjudication")
    assert len(store.annotations(current_only=False)) == 0


def test_that_kinds_without_a_label_check_accept_free_values(store):
    store.record("a", "ana", None, round=1, kind="skip")
    store.record("a", "ana", {"score": 3}, round=1, kind="rubric")
    df = store.annotations().set_index("kind")
    assert df.loc["skip", "label"] is None
    assert json.loads(df.loc["rubric", "label"]) == {"score": 3}
    with pytest.raises(ValidationError, match="'kind' parameter of record"):
        store.record("a", "ana", "bug", round=1, kind="retract")


def test_that_unknown_item_and_round_are_refused_with_advice(store):
    with pytest.raises(StoreError, match=r"unknown item id\(s\) \['zzz'\].*add_items"):
        store.record("zzz", "ana", "bug", round=1)
    with pytest.raises(StoreError, match="Round 7 does not exist.*create_round"):
        store.record("a", "ana", "bug", round=7)
    with pytest.raises(StoreError, match="must be an int"):
        store.record("a", "ana", "bug", round="1")


def test_that_current_is_the_newest_non_retracted_row_per_key(store):
    first = store.record("a", "ana", "bug", round=1)
    second = store.record("a", "ana", "refund", round=1)
    store.record("a", "ben", "cancel", round=1)
    assert store.annotations().set_index("annotator").loc["ana", "id"] == second
    undo = store.retract(second)
    cur = store.annotations()
    assert cur.set_index("annotator").loc["ana", "id"] == first  # falls back to the older row
    assert "retract" not in set(cur["kind"])
    store.retract(first)
    assert store.annotations()["annotator"].tolist() == ["ben"]
    everything = store.annotations(current_only=False)
    assert len(everything) == 5
    assert everything.set_index("id").loc[undo, "retracts"] == second
    with pytest.raises(StoreError, match="already retracted"):
        store.retract(second)
    with pytest.raises(StoreError, match="itself a retraction"):
        store.retract(undo)
    with pytest.raises(StoreError, match="no annotation with id 999"):
        store.retract(999)


def test_that_current_is_per_kind_and_filters_work(store):
    store.record("a", "ana", "bug", round=1)
    store.record("a", "ana", "refund", round=1, kind="adjudication")
    store.record("b", "ana", None, round=1, kind="skip")
    assert sorted(store.annotations()["kind"]) == ["adjudication", "label", "skip"]
    assert store.annotations(kind="label")["label"].tolist() == ["bug"]
    assert sorted(store.annotations(kind=["label", "skip"])["kind"]) == ["label", "skip"]
    store.create_round(2, taxonomy_version=1)
    store.record("a", "ana", "cancel", round=2)
    assert store.annotations(round=2)["label"].tolist() == ["cancel"]
    assert len(store.annotations(round=1)) == 3
    with pytest.raises(ValidationError, match="'kind' parameter of annotations"):
        store.annotations(kind="labl")


def test_that_multilabel_answers_are_sorted_json_lists_checked_per_element(sqlite_url):
    store = make_store(sqlite_url, task="multilabel")
    store.record("a", "ana", ["refund", "bug"], round=1)
    store.record("b", "ana", "cancel", round=1)
    store.record("c", "ana", '["cancel", "bug"]', round=1)
    labels = store.annotations()["label"].tolist()
    assert labels == ['["bug", "refund"]', '["cancel"]', '["bug", "cancel"]']
    with pytest.raises(LabelNotInTaxonomyError, match="'oops'"):
        store.record("a", "ana", ["bug", "oops"], round=1)


def test_that_a_multiclass_round_refuses_several_labels(store):
    assert store.annotations().empty
    store.record("a", "ana", ["bug"], round=1)
    assert store.annotations()["label"].tolist() == ["bug"]
    with pytest.raises(StoreError, match="multiclass"):
        store.record("a", "ana", ["bug", "refund"], round=1)


def test_that_record_many_is_all_or_nothing_and_returns_ids_in_order(store):
    df = pd.DataFrame({"item_id": ["a", "b", "c"], "annotator": ["x", "y", "z"], "label": ["bug", "refund", "cancel"],
                       "duration_ms": [10.0, None, 30.0]})
    ids = store.record_many(df, round=1)
    got = store.annotations().set_index("id").loc[ids]
    assert got["annotator"].tolist() == ["x", "y", "z"] and got["label"].tolist() == ["bug", "refund", "cancel"]
    assert got["duration_ms"].tolist()[0] == 10 and pd.isna(got["duration_ms"].tolist()[1])
    bad = df.assign(label=["bug", "refund", "nope"])
    with pytest.raises(LabelNotInTaxonomyError):
        store.record_many(bad, round=1)
    with pytest.raises(StoreError, match="unknown item"):
        store.record_many(df.assign(item_id=["a", "b", "q"]), round=1)
    assert len(store.annotations(current_only=False)) == 3
    with pytest.raises(DataError, match="columns present"):
        store.record_many(df.drop(columns="label"), round=1)


def test_that_add_items_is_idempotent_and_refuses_changed_texts(store):
    df = pd.DataFrame({"item_id": ["a", "d"], "text": ["text a", "text d"], "lang": ["en", "de"]})
    assert store.add_items(df) == 1  # "a" already stored with the same text
    assert store.add_items(df) == 0
    with pytest.raises(DataError, match=r"\['a'\] are already stored with a different text") as err:
        store.add_items(pd.DataFrame({"item_id": ["a"], "text": ["changed"]}))
    assert err.value.reason == "changed_content"
    items = store.items()
    assert items["item_id"].tolist() == ["a", "b", "c", "d"]
    assert items.set_index("item_id").loc["d", "lang"] == "de"
    assert list(items.columns[:4]) == ["item_id", "dataset", "text", "content_hash"]


def test_that_add_items_reports_repeats_and_conflicts_within_the_input(store):
    with pytest.warns(WorkbenchWarning, match=r"\['e'\]"):
        assert store.add_items(pd.DataFrame({"item_id": ["e", "e"], "text": ["t", "t"]})) == 1
    with pytest.raises(DataError, match=r"\['f'\] are used for different texts"):
        store.add_items(pd.DataFrame({"item_id": ["f", "f"], "text": ["t", "u"]}))
    with pytest.raises(DataError, match=r"columns present are \['id', 'body'\]"):
        store.add_items(pd.DataFrame({"id": ["g"], "body": ["t"]}))
    assert store.add_items(pd.DataFrame({"id": ["g"], "body": ["t"]}), id_col="id", text_col="body") == 1


def test_that_items_filters_by_ids_in_the_given_order_and_by_dataset(store):
    store.add_items(pd.DataFrame({"item_id": ["x1", "x2"], "text": ["p", "q"], "n": [1, 2]}), dataset="extra")
    assert store.items(item_ids=["c", "a"])["item_id"].tolist() == ["c", "a"]
    extra = store.items(dataset="extra")
    assert extra["item_id"].tolist() == ["x1", "x2"] and extra["n"].tolist() == [1, 2]
    assert set(extra["dataset"]) == {"extra"}


def test_that_taxonomy_versions_are_immutable_and_round_trip(store):
    tax = store.taxonomy()
    assert tax.version == 1 and tax.labels == ("refund", "cancel", "bug")
    assert store.taxonomy(1).to_yaml() == Taxonomy.from_yaml(TAX.format(task="multiclass")).to_yaml()
    changed = Taxonomy.from_yaml(TAX.format(task="multiclass").replace("Money back.", "Money returned."))
    with pytest.raises(StoreError, match="already saved in .* with different content"):
        store.save_taxonomy(changed)
    with pytest.raises(StoreError, match=r"saved versions: \[1\]"):
        store.taxonomy(5)


def test_that_labels_are_checked_against_the_rounds_own_version(store):
    v2 = Taxonomy.from_yaml(TAX.format(task="multiclass").replace("version: 1", "version: 2")
                            .replace("id: bug", "id: defect"))
    store.save_taxonomy(v2)
    store.create_round(2, taxonomy_version=2)
    store.record("a", "ana", "bug", round=1)
    store.record("a", "ana", "defect", round=2)
    with pytest.raises(LabelNotInTaxonomyError, match="'support' v2"):
        store.record("a", "ana", "bug", round=2)
    assert store.annotations().set_index("round")["taxonomy_version"].to_dict() == {1: 1, 2: 2}


def test_that_rounds_are_immutable_and_described(store):
    assert store.create_round(1, taxonomy_version=1) == 1  # same settings: no-op
    with pytest.raises(StoreError, match="already exists"):
        store.create_round(1, taxonomy_version=1, name="other")
    with pytest.raises(StoreError, match="taxonomy version 9 is not saved"):
        store.create_round(3, taxonomy_version=9)
    store.create_round(2, taxonomy_version=1, name="pilot", params={"overlap": 2})
    rounds = store.rounds()
    assert rounds["round"].tolist() == [1, 2] and rounds["params"].tolist() == [{}, {"overlap": 2}]
    assert store.round_info(2)["name"] == "pilot"
    with pytest.raises(StoreError, match="existing rounds: \\[1, 2\\]"):
        store.round_info(4)


def test_that_assignments_queue_in_order_and_progress_counts_current_labels(store):
    assert store.assign(pd.DataFrame({"item_id": ["c", "a"], "annotator": ["ana", "ana"]}), round=1) == 2
    assert store.assign(pd.DataFrame({"item_id": ["a", "b"], "annotator": ["ana", "ana"]}), round=1) == 1
    store.assign(pd.DataFrame({"item_id": ["a"], "annotator": ["ben"], "position": [5]}), round=1)
    asg = store.assignments(round=1, annotator="ana")
    assert asg["item_id"].tolist() == ["c", "a", "b"] and asg["position"].tolist() == [0, 1, 2]
    assert store.assignments(annotator="ben")["position"].tolist() == [5]
    with pytest.raises(StoreError, match="unknown item"):
        store.assign(pd.DataFrame({"item_id": ["nope"], "annotator": ["ana"]}), round=1)
    rid = store.record("a", "ana", "bug", round=1)
    store.record("c", "ana", "bug", round=1)
    store.retract(rid)
    prog = store.progress(round=1).set_index("annotator")
    assert prog.loc["ana"].tolist() == [3, 1] and prog.loc["ben"].tolist() == [1, 0]


def test_that_annotations_match_a_naive_sqlite_reading(store):
    """The fast JSON-column reader agrees with plain sqlite3 + pandas on every column."""
    for i in range(30):
        rid = store.record("abc"[i % 3], f"ann{i % 4}", ["bug", "refund", "cancel"][i % 3], round=1,
                           note=None if i % 2 else f"note\n{i} \"q\" ,", duration_ms=i * 7 if i % 5 else None)
        if i % 7 == 0:
            store.retract(rid)
    fast = store.annotations(current_only=False)
    path = store.url.replace("sqlite:///", "")
    naive = pd.read_sql("SELECT * FROM annotations ORDER BY id", sqlite3.connect(path))
    assert fast["id"].tolist() == naive["id"].tolist()
    for col in ["item_id", "annotator", "label", "note", "kind", "session_id"]:
        assert fast[col].tolist() == [None if pd.isna(v) else v for v in naive[col]], col
    assert fast["duration_ms"].fillna(-1).tolist() == naive["duration_ms"].fillna(-1).astype(int).tolist()
    # current, computed independently in pandas
    retracted = set(naive["retracts"].dropna().astype(int))
    live = naive[(naive.kind != "retract") & ~naive.id.isin(retracted)]
    expected = live.groupby(["round", "item_id", "annotator", "kind"])["id"].max().sort_values().tolist()
    assert store.annotations()["id"].tolist() == expected


def test_that_the_database_refuses_updates_of_kind_and_double_retracts(store):
    rid = store.record("a", "ana", "bug", round=1)
    store.retract(rid)
    path = store.url.replace("sqlite:///", "")
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO annotations (item_id, annotator, round, taxonomy_version, unsure, kind, created_at,"
                    " retracts) VALUES ('a', 'ana', 1, 1, 0, 'retract', '2026-01-01 00:00:00', ?)", (rid,))
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO annotations (item_id, annotator, round, taxonomy_version, unsure, kind, created_at)"
                    " VALUES ('a', 'ana', 1, 1, 0, 'vote', '2026-01-01 00:00:00')")
    con.close()


def test_that_the_chunked_reader_gives_the_same_rows_for_any_chunk_size(store, monkeypatch):
    import workbench.store._read as reader

    df = pd.DataFrame({"item_id": list("abcabcabca"), "annotator": [f"n{i % 4}" for i in range(10)],
                       "label": ["bug", "refund", "cancel", "bug", "bug", "refund", "cancel", "cancel", "bug", "bug"]})
    store.record_many(df, round=1)
    store.retract(3)
    whole_cur, whole_all = store.annotations(), store.annotations(current_only=False)
    for size in (1, 3, 7):
        monkeypatch.setattr(reader, "_CHUNK", size)
        pd.testing.assert_frame_equal(store.annotations(), whole_cur)
        pd.testing.assert_frame_equal(store.annotations(current_only=False), whole_all)
    assert len(whole_all) == 11 and 3 not in set(whole_cur["id"])


from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

OPS = st.lists(st.one_of(
    st.tuples(st.just("record"), st.sampled_from("abc"), st.sampled_from(["ana", "ben"]),
              st.sampled_from(["label", "skip", "adjudication"]), st.sampled_from(["bug", "refund", "cancel"])),
    st.tuples(st.just("retract"), st.integers(0, 30)),
), max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_that_current_rows_match_a_plain_python_model_of_the_rules(ops):
    store = make_store("sqlite://")
    rows, retracted = [], set()  # the model: every non-retract row in id order, and retracted ids
    for op in ops:
        if op[0] == "record":
            _, item, who, kind, label = op
            rid = store.record(item, who, None if kind == "skip" else label, round=1, kind=kind)
            rows.append((rid, item, who, kind))
        elif rows:
            target = rows[op[1] % len(rows)][0]
            if target in retracted:
                with pytest.raises(StoreError):
                    store.retract(target)
            else:
                store.retract(target)
                retracted.add(target)
    newest = {}
    for rid, item, who, kind in rows:
        if rid not in retracted:
            newest[(item, who, kind)] = rid
    assert store.annotations()["id"].tolist() == sorted(newest.values())
    assert len(store.annotations(current_only=False)) == len(rows) + len(retracted)
