"""All-or-nothing, idempotent imports: items, a taxonomy and annotations in one transaction.

Every import is checked completely before anything is written, then written in one
transaction: when any row fails, nothing of the file is stored. Each imported annotation
gets a *source key* (the sha256 of its source row, see :func:`source_keys`) kept in the
``imports`` table, so importing the same file again adds nothing and says how many rows were
already there; a row that changed at the source is a new row (a correction).

Examples
--------
>>> import pandas as pd
>>> from workbench.store import AnnotationStore
>>> store = AnnotationStore.example()
>>> rows = [{"item_id": "m1", "annotator": "ana", "label": "refund"}]
>>> keyed = with_source_keys(rows, namespace="demo.csv", round=1)
>>> import_batch(store, annotations=keyed, round=1).summary()
'1 new annotation'
>>> import_batch(store, annotations=keyed, round=1).summary()
'0 new annotations, 1 already there'
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

import pandas as pd
import sqlalchemy as sa

from . import _schema as S
from ._items import prepare_items, write_items
from ._meta import write_taxonomy
from ._records import integrity_error, prepare_annotations, write_annotations, write_retract

__all__ = ["ImportResult", "import_batch", "with_source_keys", "existing_source_keys"]

_KEY_FIELDS = ("item_id", "annotator", "kind", "label", "note", "unsure", "duration_ms", "session_id",
               "created_at")


@dataclass(frozen=True)
class ImportResult:
    """What one import stored.

    Attributes
    ----------
    items_new, items_existing : int
        Items added, and items of the file that were already stored (same id and text).
    annotations_new, annotations_existing : int
        Annotations added, and annotations of the file imported before (same source row).
    annotation_ids : tuple of int
        Ids of the new annotations, in file order.
    taxonomy_version : int or None
        The taxonomy version saved with the import, if one was given.
    ignored : tuple of (str, int)
        What the source held that was not imported, and how much (e.g. ``("predictions", 12)``).
    """

    items_new: int = 0
    items_existing: int = 0
    annotations_new: int = 0
    annotations_existing: int = 0
    annotation_ids: tuple = field(default=(), repr=False)
    taxonomy_version: Optional[int] = None
    ignored: tuple = ()

    def summary(self) -> str:
        """One line for people: ``'3 new items, 2 already there; 5 new annotations'``."""
        parts = []
        for what, new, old, counted in (("item", self.items_new, self.items_existing,
                                         self.items_new or self.items_existing),
                                        ("annotation", self.annotations_new, self.annotations_existing,
                                         self.annotations_new or self.annotations_existing
                                         or not (self.items_new or self.items_existing))):
            if counted:
                text = f"{new} new {what}{'' if new == 1 else 's'}"
                parts.append(text + (f", {old} already there" if old else ""))
        if self.taxonomy_version is not None:
            parts.append(f"taxonomy version {self.taxonomy_version} saved")
        parts.extend(f"{n} {what} ignored" for what, n in self.ignored)
        return "; ".join(parts)


def _canonical(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (list, tuple)):
        return sorted(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def with_source_keys(rows: Sequence[Dict[str, Any]], *, namespace: str, round: int,
                     fields: Sequence[str] = _KEY_FIELDS) -> List[Dict[str, Any]]:
    """Copies of ``rows`` with a ``source_key``: sha256 of the row's content, its round and
    ``namespace``, plus the row's occurrence number among identical rows (two identical rows
    of one file are two judgements).

    Rows that already have a ``source_key`` (e.g. from Label Studio annotation ids) keep it.

    Examples
    --------
    >>> a = with_source_keys([{"item_id": "m1", "annotator": "ana", "label": "x"}] * 2, namespace="f", round=1)
    >>> a[0]["source_key"] != a[1]["source_key"], len(a[0]["source_key"])
    (True, 64)
    """
    seen: Counter = Counter()
    out = []
    for row in rows:
        row = dict(row)
        if not row.get("source_key"):
            content = json.dumps([namespace, int(round)] + [_canonical(row.get(f)) for f in fields],
                                 sort_keys=True, default=str, ensure_ascii=False)
            seen[content] += 1
            row["source_key"] = hashlib.sha256(f"{content}#{seen[content]}".encode("utf-8")).hexdigest()
        out.append(row)
    return out


def existing_source_keys(conn: sa.Connection, keys: Sequence[str]) -> set:
    """The keys among ``keys`` that an earlier import stored."""
    found: set = set()
    t = S.imports
    keys = list(keys)
    for start in range(0, len(keys), 900):
        chunk = keys[start:start + 900]
        found.update(conn.execute(sa.select(t.c.source_key).where(t.c.source_key.in_(chunk))).scalars())
    return found


def _content(value: dict) -> tuple:
    """What makes a judgement the same judgement (times and ids aside)."""
    return (value["item_id"], value["annotator"], value["kind"], value["label"], value["note"], bool(value["unsure"]))


def _origins(conn: sa.Connection, rows: Sequence[dict], values: Sequence[dict]) -> Dict[Any, tuple]:
    """``{origin_id: content}`` of the stored rows that import rows say they were exported from."""
    wanted = sorted({int(r["origin_id"]) for r in rows if _is_id(r.get("origin_id"))})
    a = S.annotations
    found: Dict[Any, tuple] = {}
    for start in range(0, len(wanted), 900):
        chunk = wanted[start:start + 900]
        query = sa.select(a.c.id, a.c.item_id, a.c.annotator, a.c.kind, a.c.label, a.c.note, a.c.unsure, a.c.round)
        for row in conn.execute(query.where(a.c.id.in_(chunk), a.c.kind != "retract")):
            if row.round == values[0]["round"]:
                found[row.id] = (row.item_id, row.annotator, row.kind, row.label, row.note, bool(row.unsure))
    return {r.get("origin_id"): found[int(r["origin_id"])] for r in rows
            if _is_id(r.get("origin_id")) and int(r["origin_id"]) in found}


def _is_id(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    try:
        return float(value) == int(float(value))
    except (TypeError, ValueError):
        return False


def import_batch(store, *, items: Optional[pd.DataFrame] = None, taxonomy=None,
                 annotations: Optional[Sequence[Dict[str, Any]]] = None, round: Optional[int] = None,
                 source: Optional[str] = None, progress: Optional[bool] = None,
                 ignored: Sequence = ()) -> ImportResult:
    """Check everything, then write items, a taxonomy and keyed annotations in one transaction.

    Parameters
    ----------
    store : AnnotationStore
    items : pandas.DataFrame, optional
        Columns ``item_id, text`` (+ metadata), as :func:`workbench.items.read_items` returns.
    taxonomy : Taxonomy, optional
        Saved first (a no-op when the same version is already saved).
    annotations : list of dict, optional
        Rows as for :meth:`AnnotationStore.record_many`, each with a ``source_key`` (see
        :func:`with_source_keys`); rows whose key is stored already are skipped. A row may
        name ``origin_id``, the id of the row of this store it was exported from (our CSV's
        ``id``, Label Studio's ``import_id``): unchanged, it counts as already there; changed
        to another kind (a label that became a skip), the origin is retracted.
    round : int, optional
        The round of ``annotations`` (required with them).
    source : str, optional
        Where the rows came from (a file name), kept with the keys. A row's ``source_meta``
        (a JSON-able dict) is kept with its key too.
    ignored : sequence of (str, int)
        Passed through to the result, for the summary.

    Returns
    -------
    ImportResult
    """
    frame = prepare_items(items) if items is not None else None
    rows = list(annotations or [])
    if rows and round is None:
        raise ValueError("import_batch: annotations need round=")
    missing_key = [i for i, r in enumerate(rows) if not r.get("source_key")]
    if missing_key:
        raise ValueError(f"import_batch: rows {missing_key[:10]} have no source_key; use with_source_keys()")
    values = prepare_annotations(store, rows, round=round, caller="import", keep_times=True) if rows else []
    keys = [r["source_key"] for r in rows]
    try:
        with S.write_transaction(store.engine) as conn:
            version = write_taxonomy(conn, taxonomy, where=repr(store)) if taxonomy is not None else None
            n_items = write_items(conn, frame, progress=progress) if frame is not None else 0
            old = existing_source_keys(conn, keys) if keys else set()
            origins = _origins(conn, rows, values)
            fresh = [(k, v) for k, v, r in zip(keys, values, rows)
                     if k not in old and origins.get(r.get("origin_id")) != _content(v)]
            fresh = list({k: v for k, v in fresh}.items())  # one key twice in a file: once
            ids = write_annotations(conn, [v for _, v in fresh])
            for r, v in zip(rows, values):  # an exported row that came back as another kind is taken back
                origin = origins.get(r.get("origin_id"))
                if origin is not None and origin[2] != v["kind"]:
                    write_retract(conn, int(r["origin_id"]), where=repr(store), skip_done=True)
            now = S.db_time(conn, S.utcnow())
            meta = {r["source_key"]: r.get("source_meta") for r in rows}
            S.bulk_insert(conn, S.imports, ["source_key", "annotation_id", "source", "meta", "created_at"],
                          [(k, i, source, json.dumps(meta[k], default=str) if meta.get(k) else None, now)
                           for (k, _), i in zip(fresh, ids)])
    except sa.exc.IntegrityError as exc:
        raise integrity_error(store, exc, [v["item_id"] for v in values], "import") from exc
    n_file_items = 0 if frame is None else len(frame)
    return ImportResult(items_new=n_items, items_existing=n_file_items - n_items,
                        annotations_new=len(ids), annotations_existing=len(rows) - len(ids),
                        annotation_ids=tuple(ids), taxonomy_version=version,
                        ignored=tuple((str(w), int(n)) for w, n in ignored if n))
