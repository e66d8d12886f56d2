"""Erasure of a sensitive item: tombstone, annotations, audit row, and the bytes gone from the database."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from workbench.exceptions import DataError, StoreError, ValidationError
from workbench.store import AnnotationStore
from workbench.store import _schema as S

from tests.store.test_store import make_store

SECRET = "SECRET-4f1c-phone-+1-555-0100"
NOTE_SECRET = "NOTE-SECRET-9b2e-call-555-0199"


def _db_bytes(path: Path) -> bytes:
    """The database file and its WAL and shared-memory files, as they are on disk now."""
    return b"".join(Path(f"{path}{suffix}").read_bytes() for suffix in ("", "-wal", "-shm")
                    if Path(f"{path}{suffix}").exists())


def _secret_store(url):
    store = make_store(url)
    store.add_items(pd.DataFrame({"item_id": ["s1"], "text": [f"please call {SECRET} today"],
                                  "customer": [f"phone {SECRET}"]}))
    first = store.record("s1", "ana", "bug", round=1, note=f"{NOTE_SECRET} and {SECRET}")
    store.retract(first)
    store.record("s1", "ana", "refund", round=1, note=NOTE_SECRET)
    store.record("a", "ana", "bug", round=1, note="other item, kept")
    store.import_records(annotations=[{"item_id": "s1", "annotator": "ben", "label": "bug", "note": NOTE_SECRET,
                                       "source_key": "tool:1", "source_meta": {"said": SECRET}}], round=1)
    return store


def test_that_erase_removes_the_text_from_the_database_file(tmp_path):
    path = tmp_path / "store.db"
    store = _secret_store(f"sqlite:///{path}")
    assert SECRET.encode() in _db_bytes(path)  # the test can see the bytes at all
    done = store.erase_item("s1", actor="lena", annotations=True)
    assert done["item_purged"] and not done["already_erased"] and done["vacuumed"]
    assert (done["annotations_deleted"], done["imports_deleted"]) == (4, 1)  # 3 rows + 1 retract; 1 import key
    for secret in (SECRET, NOTE_SECRET):  # gone while the store is still open (checkpointed, vacuumed)
        assert secret.encode() not in _db_bytes(path)
    store.close()
    for secret in (SECRET, NOTE_SECRET):
        assert secret.encode() not in _db_bytes(path)
        assert secret.encode("utf-16-le") not in _db_bytes(path)
    again = AnnotationStore(path)
    assert again.annotations(current_only=False)["item_id"].tolist() == ["a"]  # other items keep theirs
    assert again.annotations()["note"].tolist() == ["other item, kept"]
    again.close()


def test_that_erase_without_annotations_purges_the_item_and_keeps_every_annotation_row(tmp_path):
    path = tmp_path / "store.db"
    store = _secret_store(f"sqlite:///{path}")
    n_rows = len(store.annotations(current_only=False))
    done = store.erase_item("s1", actor="lena")
    assert (done["annotations_deleted"], done["imports_deleted"]) == (0, 0)
    assert len(store.annotations(current_only=False)) == n_rows  # append-only otherwise
    store.close()
    data = _db_bytes(path)
    assert f"please call {SECRET}".encode() not in data and f"phone {SECRET}".encode() not in data
    assert NOTE_SECRET.encode() in data  # documented: notes stay unless annotations=True


def test_that_an_erased_item_is_a_tombstone_that_items_can_leave_out(sqlite_url):
    store = _secret_store(sqlite_url)
    before = store.items()
    assert before["erased_at"].isna().all() and "customer" in before.columns
    done = store.erase_item("s1", actor="lena")
    items = store.items().set_index("item_id")
    assert items.loc["s1", "text"] == "" and items.loc["s1", "content_hash"] == "erased"
    assert "customer" not in items.columns  # its metadata is gone (no other item had that key)
    assert items.loc["s1", "erased_at"] == done["erased_at"] and str(done["erased_at"].tz) == "UTC"
    assert items.drop(index="s1")["erased_at"].isna().all()
    assert items.drop(index="s1")["text"].tolist() == before.set_index("item_id").drop(index="s1")["text"].tolist()
    assert store.items(include_erased=False)["item_id"].tolist() == ["a", "b", "c"]
    assert store.items(item_ids=["s1", "a"], include_erased=False)["item_id"].tolist() == ["a"]
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(S.items).where(S.items.c.item_id == "s1")).one()
    assert (row.payload, row.meta, row.content_hash) == ("", None, "erased")
    store.close()


def test_that_erasing_twice_says_so_and_a_second_pass_can_still_take_the_annotations(sqlite_url):
    store = _secret_store(sqlite_url)
    first = store.erase_item("s1", actor="lena")
    again = store.erase_item("s1", actor="lena")
    assert again == {"item_id": "s1", "already_erased": True, "item_purged": False, "annotations_deleted": 0,
                     "imports_deleted": 0, "erased_at": first["erased_at"], "vacuumed": False}
    later = store.erase_item("s1", actor="lena", annotations=True)
    assert later["already_erased"] and not later["item_purged"] and later["annotations_deleted"] == 4
    assert later["erased_at"] == first["erased_at"]
    log = store.audit_log(action="erase")
    assert log[["actor", "target"]].values.tolist() == [["lena", "s1"], ["lena", "s1"]]  # the no-op wrote nothing
    assert log["detail"].tolist() == [
        {"item_purged": True, "annotations_deleted": 0, "imports_deleted": 0, "with_annotations": False},
        {"item_purged": False, "annotations_deleted": 4, "imports_deleted": 1, "with_annotations": True}]
    assert SECRET not in store.audit_log().to_string()
    store.close()


def test_that_an_unknown_item_or_a_bad_argument_erases_nothing(sqlite_url):
    store = _secret_store(sqlite_url)
    with pytest.raises(StoreError, match=r"there is no item 'S1' in .*nothing was erased.*store.items\(\) lists them"):
        store.erase_item("S1", actor="lena")
    with pytest.raises(ValidationError, match="'item_id' parameter of erase_item must be a non-empty string"):
        store.erase_item("", actor="lena")
    with pytest.raises(ValidationError, match="'actor' parameter of erase_item must be a name"):
        store.erase_item("s1", actor="")
    with pytest.raises(ValidationError, match="'annotations' parameter of erase_item must be True or False"):
        store.erase_item("s1", actor="lena", annotations="yes")
    assert store.items()["erased_at"].isna().all() and store.audit_log(action="erase").empty
    store.close()


def test_that_an_erased_item_cannot_come_back_nor_be_annotated(sqlite_url):
    store = _secret_store(sqlite_url)
    store.erase_item("s1", actor="lena", annotations=True)
    with pytest.raises(DataError, match=r"item id\(s\) \['s1'\] were erased from this store .* cannot be added again"
                       ) as info:
        store.add_items(pd.DataFrame({"item_id": ["s1", "new"], "text": [SECRET, "fine"]}))
    assert info.value.reason == "erased_item"
    with pytest.raises(DataError, match="were erased"):
        store.import_items(pd.DataFrame({"item_id": ["s1"], "text": [SECRET]}))
    assert "new" not in store.items()["item_id"].tolist()  # all or nothing
    with pytest.raises(StoreError, match=r"Item\(s\) \['s1'\] were erased .* nothing can be recorded"):
        store.record("s1", "ana", "bug", round=1, note=SECRET)
    with pytest.raises(StoreError, match="were erased"):
        store.record_many(pd.DataFrame({"item_id": ["a", "s1"], "annotator": "ana", "label": "bug"}), round=1)
    with pytest.raises(StoreError, match="were erased"):  # a re-import of the old export cannot bring the note back
        store.import_records(annotations=[{"item_id": "s1", "annotator": "ben", "label": "bug", "note": NOTE_SECRET,
                                           "source_key": "tool:1"}], round=1)
    assert "s1" not in store.annotations(current_only=False)["item_id"].tolist()
    assert store.record("a", "ana", "refund", round=1) > 0  # other items still take labels
    store.close()


def test_that_erase_works_on_an_in_memory_store():
    store = AnnotationStore.example()
    store.record("m1", "ana", "bug", round=1, note=SECRET)
    assert store.erase_item("m1", actor="lena", annotations=True)["vacuumed"]
    assert store.items(item_ids=["m1"])["text"].tolist() == [""] and store.annotations().empty


@pytest.mark.postgres
def test_that_erase_on_postgres_leaves_no_text_in_any_row_and_vacuums(postgres_url):
    store = make_store(postgres_url)
    store.add_items(pd.DataFrame({"item_id": ["s1"], "text": [SECRET], "customer": [SECRET]}))
    rid = store.record("s1", "ana", "bug", round=1, note=NOTE_SECRET)
    store.retract(rid)
    store.record("a", "ana", "bug", round=1, note="kept")
    done = store.erase_item("s1", actor="lena", annotations=True)
    assert done["item_purged"] and done["annotations_deleted"] == 2 and done["vacuumed"]
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(S.items).where(S.items.c.item_id == "s1")).one()
        assert (row.payload, row.meta, row.content_hash) == ("", None, "erased") and row.erased_at is not None
        for table, column in (("items", "payload"), ("items", "meta"), ("annotations", "note")):
            hits = conn.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE {column} LIKE %s", (f"%{SECRET[:10]}%",))
            assert hits.scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM annotations WHERE item_id = 's1'").scalar() == 0
        try:  # VACUUM removed the dead row versions: no tuple on the heap pages holds the text
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
            conn.commit()
        except sa.exc.DBAPIError:
            conn.rollback()
            pytest.skip("pageinspect is not available: the rows were checked, the heap pages were not")
        for table in ("items", "annotations"):
            pages = conn.exec_driver_sql(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int"
                                         ).scalar()
            for page in range(int(pages)):
                tuples = conn.exec_driver_sql(f"SELECT t_data FROM heap_page_items(get_raw_page('{table}', {page}))"
                                              ).scalars().all()
                for data in tuples:
                    assert data is None or (SECRET.encode() not in bytes(data)
                                            and NOTE_SECRET.encode() not in bytes(data))
    assert store.annotations()["note"].tolist() == ["kept"]
    store.close()
