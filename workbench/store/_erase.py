"""Erasure of a sensitive item: purge its text, keep a tombstone, and compact the database.

An erased item keeps its row (so the foreign keys of its annotations and assignments hold) with
an empty text, no metadata, ``content_hash = 'erased'`` and ``erased_at`` set. With
``annotations=True`` its annotation rows (notes and span texts may quote the item) and their
``imports`` keys are deleted too: the one exception to the append-only rule, recorded in the
audit log. An erased item cannot be added again, nor annotated.

Then the bytes are removed from the database itself, not only from query results:

- SQLite: the erase runs with ``PRAGMA secure_delete`` (freed space is zeroed), then
  ``PRAGMA wal_checkpoint(TRUNCATE)`` moves the WAL into the file and empties it, ``VACUUM``
  rewrites the file without free pages, and a second checkpoint empties the WAL again.
- PostgreSQL: ``VACUUM`` of the touched tables, outside a transaction, removes the dead row
  versions so their space is reused. The bytes may stay in the table files until overwritten, and
  in the server's WAL files, base backups and replicas until those age out; ``VACUUM FULL items,
  annotations, imports`` (an exclusive lock: run it when no one labels) rewrites the tables.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> store = AnnotationStore.example()
>>> erase_item(store, "m1", actor="lead", annotations=False)["item_purged"]
True
>>> store.items(item_ids=["m1"])[["item_id", "text", "content_hash"]]
  item_id text content_hash
0      m1            erased
"""

from __future__ import annotations

import contextlib
from typing import Any, List

import sqlalchemy as sa

from . import _schema as S
from ._users import check_name, stamp, write_audit
from ..exceptions import StoreError, ValidationError

__all__ = ["erase_item", "compact"]


def _delete_annotations(conn: sa.Connection, item_id: str) -> tuple:
    """Delete the item's annotation rows and their import keys; return ``(annotations, imports)`` deleted."""
    a, i = S.annotations, S.imports
    ids = sa.select(a.c.id).where(a.c.item_id == item_id).scalar_subquery()
    n_imports = conn.execute(i.delete().where(i.c.annotation_id.in_(ids))).rowcount or 0
    # retract rows first: they point at rows of the same item (write_retract copies the item id)
    n_retracts = conn.execute(a.delete().where(a.c.item_id == item_id, a.c.retracts.isnot(None))).rowcount or 0
    n_rows = conn.execute(a.delete().where(a.c.item_id == item_id)).rowcount or 0
    return int(n_retracts + n_rows), int(n_imports)


@contextlib.contextmanager
def _secure_delete(conn: sa.Connection):
    if conn.dialect.name != "sqlite":
        yield
        return
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        conn.exec_driver_sql("PRAGMA secure_delete = OFF")


def erase_item(store, item_id: Any, *, actor: str, annotations: bool = False) -> dict:
    """Purge one item (see :meth:`AnnotationStore.erase_item`); return what was removed."""
    if not isinstance(item_id, str) or not item_id:
        raise ValidationError(f"The 'item_id' parameter of erase_item must be a non-empty string (an id of "
                              f"store.items()). Got {item_id!r} instead.")
    actor = check_name(actor, param="actor", caller="erase_item")
    if not isinstance(annotations, bool):
        raise ValidationError(f"The 'annotations' parameter of erase_item must be True or False. Got "
                              f"{annotations!r} instead.")
    t = S.items
    with S.write_transaction(store.engine) as conn, _secure_delete(conn):
        row = conn.execute(sa.select(t.c.item_id, t.c.erased_at).where(t.c.item_id == item_id)).first()
        if row is None:
            raise StoreError(f"erase_item: there is no item {item_id!r} in {store!r}, so nothing was erased. Check "
                             "the id (store.items() lists them; ids are case-sensitive).")
        already = row.erased_at is not None
        n_annotations, n_imports = _delete_annotations(conn, item_id) if annotations else (0, 0)
        erased_at = row.erased_at
        if already and not n_annotations:
            return {"item_id": item_id, "already_erased": True, "item_purged": False, "annotations_deleted": 0,
                    "imports_deleted": 0, "erased_at": stamp(erased_at), "vacuumed": False}
        if not already:
            erased_at = S.utcnow()
            conn.execute(t.update().where(t.c.item_id == item_id)
                         .values(payload="", meta=None, content_hash=S.ERASED, erased_at=erased_at))
        write_audit(conn, "erase", actor=actor, target=item_id,
                    detail={"item_purged": not already, "annotations_deleted": n_annotations,
                            "imports_deleted": n_imports, "with_annotations": annotations})
    tables = ["items"] + (["annotations", "imports"] if n_annotations else [])
    compact(store.engine, tables, what=f"item {item_id!r}")
    return {"item_id": item_id, "already_erased": already, "item_purged": not already,
            "annotations_deleted": n_annotations, "imports_deleted": n_imports, "erased_at": stamp(erased_at),
            "vacuumed": True}


def compact(engine: sa.Engine, tables: List[str], *, what: str) -> None:
    """Remove deleted bytes from the database: WAL checkpoint + ``VACUUM`` (SQLite), ``VACUUM`` tables (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        _compact_sqlite(engine, what)
    elif engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.exec_driver_sql(f"VACUUM {S.metadata.tables[table].name}")


def _compact_sqlite(engine: sa.Engine, what: str) -> None:
    database = engine.url.database or ""
    lock = getattr(engine, "_workbench_write_lock", None) or contextlib.nullcontext()
    with lock:  # other writers of this file wait, instead of failing on the VACUUM's lock
        raw = engine.raw_connection()  # isolation_level None: VACUUM must run outside a transaction
        try:
            cur = raw.cursor()
            wal = str(cur.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal"
            busy = [cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]] if wal else []
            cur.execute("VACUUM")
            if wal:
                busy.append(cur.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0])
            cur.close()
        except Exception as exc:  # noqa: BLE001 - sqlite3.OperationalError (busy, full disk), reported below
            raise StoreError(f"{what} was erased (committed), but compacting {database} failed: {exc}. The old "
                             "bytes may still be in the file. When no one else uses the store, run: sqlite3 "
                             f"{database} 'PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);'"
                             ) from exc
        finally:
            raw.close()
    if any(busy):
        raise StoreError(f"{what} was erased and {database} vacuumed, but another connection kept reading, so "
                         f"{database}-wal could not be emptied and may still hold the old bytes. Close the other "
                         "sessions (serve, notebooks), then run: sqlite3 "
                         f"{database} 'PRAGMA wal_checkpoint(TRUNCATE);'")
