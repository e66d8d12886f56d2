"""Bulk, idempotent item import and item reading for the annotation store.

Examples
--------
>>> import pandas as pd
>>> from workbench.store._schema import open_engine, ensure_schema
>>> engine = open_engine("sqlite://"); _ = ensure_schema(engine)
>>> add_items(engine, pd.DataFrame({"item_id": ["a"], "text": ["x"], "n": [1]}))
1
>>> read_items_table(engine)[["item_id", "text", "n"]]
  item_id text  n
0       a    x  1
"""

from __future__ import annotations

import hashlib
import json
from typing import List, Optional, Sequence

import pandas as pd
import sqlalchemy as sa

from . import _schema as S
from .._internal.validation import check_columns, drop_repeated_ids, shown
from ..exceptions import DataError, StoreError

__all__ = ["add_items", "prepare_items", "write_items", "check_no_nul", "read_items_table", "existing_items",
           "content_hash", "erased_items"]

_CHUNK = 50_000
_IN_CHUNK = 900
BASE_COLUMNS = ["item_id", "dataset", "text", "content_hash", "erased_at"]


def content_hash(text: str) -> str:
    """sha256 hex digest of an item's text (what an annotator sees)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def existing_items(conn: sa.Connection, ids: Sequence[str]) -> dict:
    """``{item_id: content_hash}`` of the stored items among ``ids`` (one query per 50,000 ids)."""
    found: dict = {}
    ids = list(ids)
    if conn.dialect.name == "sqlite":
        sql = "SELECT item_id, content_hash FROM items WHERE item_id IN (SELECT value FROM json_each(?))"
    elif conn.dialect.name == "postgresql":
        sql = "SELECT item_id, content_hash FROM items WHERE item_id = ANY(%s)"
    else:  # pragma: no cover - other dialects
        t = S.items
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start:start + _IN_CHUNK]
            found.update(conn.execute(sa.select(t.c.item_id, t.c.content_hash).where(t.c.item_id.in_(chunk))).all())
        return found
    for start in range(0, len(ids), _CHUNK):
        chunk = [str(i) for i in ids[start:start + _CHUNK]]
        param = json.dumps(chunk) if conn.dialect.name == "sqlite" else chunk
        found.update(conn.exec_driver_sql(sql, (param,)).all())
    return found


def erased_items(conn: sa.Connection, ids: Sequence[str]) -> List[str]:
    """The erased items among ``ids``, in the order of ``ids``.

    A store with no erased item answers with one probe of the partial index ``ix_items_erased``.
    """
    t = S.items
    if conn.execute(sa.select(t.c.item_id).where(t.c.erased_at.isnot(None)).limit(1)).first() is None:
        return []
    found = existing_items(conn, ids)
    return [i for i in dict.fromkeys(str(i) for i in ids) if found.get(i) == S.ERASED]


def _meta_json(df: pd.DataFrame, cols: List[str]) -> List[Optional[str]]:
    if not cols:
        return [None] * len(df)
    text = df[cols].to_json(orient="records", lines=True, date_format="iso", force_ascii=False,
                            default_handler=str)
    lines = text.split("\n")
    if len(lines) == len(df) + 1 and lines[-1] == "":
        lines.pop()
    return lines


def _frame(df: pd.DataFrame, id_col: str, text_col: str, dataset: Optional[str]) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"add_items needs a pandas DataFrame; got {type(df).__name__}. Read files with "
                        "workbench.items.read_items(path) first.", reason="not_a_frame")
    check_columns(df, [id_col, text_col], what="add_items(df)",
                  hint="Pass id_col= / text_col=, or build the frame with workbench.items.read_items().")
    for col, what in ((id_col, "id"), (text_col, "text")):
        missing = df[col].isna()
        if missing.any():
            rows = df.index[missing].tolist()
            raise DataError(f"add_items(df): {int(missing.sum())} row(s) have no {what} in column {col!r} "
                            f"(rows {shown(rows)}). Fill or drop them first.",
                            failure_cases=df[missing], reason=f"missing_{what}")
    out = pd.DataFrame({"item_id": df[id_col].astype(str).to_numpy(), "text": df[text_col].astype(str).to_numpy()})
    if dataset is not None:
        out["dataset"] = str(dataset)
    elif "dataset" in df.columns and "dataset" not in (id_col, text_col):
        out["dataset"] = df["dataset"].where(df["dataset"].notna(), None).to_numpy()
    else:
        out["dataset"] = None
    meta_cols = [c for c in df.columns if c not in (id_col, text_col, "dataset", "content_hash", "item_id", "text")]
    out["meta"] = _meta_json(df, meta_cols)
    out["content_hash"] = [content_hash(t) for t in out["text"]]
    return out


def _drop_repeats(frame: pd.DataFrame) -> pd.DataFrame:
    kept, _ = drop_repeated_ids(frame, compare="content_hash", caller="add_items(df)", stacklevel=4,
                                fix="Give each distinct text its own id (or let read_items() hash the text).")
    return kept


def prepare_items(df: pd.DataFrame, *, id_col: str = "item_id", text_col: str = "text",
                  dataset: Optional[str] = None) -> pd.DataFrame:
    """The rows :func:`write_items` inserts: checked, hashed, each repeated id kept once."""
    frame = _drop_repeats(_frame(df, id_col, text_col, dataset))
    for col, what in (("item_id", "id"), ("text", "text"), ("dataset", "dataset"), ("meta", "metadata")):
        check_no_nul(frame[col], what=f"add_items(df): item {what}", ids=frame["item_id"])
    return frame


def write_items(conn: sa.Connection, frame: pd.DataFrame, *, progress: Optional[bool] = None) -> int:
    """Insert the new rows of a :func:`prepare_items` frame inside ``conn``'s transaction; return how many.

    An id already stored with the same text is skipped; with another text the whole
    transaction fails (:class:`~workbench.exceptions.DataError` naming the ids).
    """
    if frame.empty:
        return 0
    show = len(frame) > 200_000 if progress is None else bool(progress)
    t = S.items
    n_new = 0
    from tqdm.auto import tqdm

    with tqdm(total=len(frame), desc="add_items", unit="item", disable=not show) as bar:
        for start in range(0, len(frame), _CHUNK):
            chunk = frame.iloc[start:start + _CHUNK]
            found = existing_items(conn, chunk["item_id"].tolist())
            if found:
                known = chunk["item_id"].map(found)
                erased = known == S.ERASED
                if erased.any():
                    ids = chunk.loc[erased, "item_id"].tolist()
                    raise DataError(
                        f"add_items(df): item id(s) {shown(ids)} were erased from this store (their text was "
                        "purged on request, see store.erase_item) and cannot be added again. Remove those rows "
                        "from the data (the erasure covers its source too). Nothing of this import was stored.",
                        failure_cases=chunk[erased], reason="erased_item")
                changed = known.notna() & (known != chunk["content_hash"])
                if changed.any():
                    ids = chunk.loc[changed, "item_id"].tolist()
                    raise DataError(
                        f"add_items(df): item id(s) {shown(ids)} are already stored with a different text. "
                        "Item texts are immutable (annotations refer to them): use new ids for new texts. "
                        "Nothing of this import was stored.",
                        failure_cases=chunk[changed], reason="changed_content")
                chunk = chunk[known.isna()]
            if len(chunk):
                seq = conn.execute(sa.select(sa.func.max(t.c.seq))).scalar() or 0
                now = S.db_time(conn, S.utcnow())
                cols = [chunk[c].tolist() for c in ("item_id", "dataset", "text", "meta", "content_hash")]
                rows = [(i, seq + n, d, x, m, h, now) for n, (i, d, x, m, h) in enumerate(zip(*cols), start=1)]
                S.bulk_insert(conn, t, ["item_id", "seq", "dataset", "payload", "meta", "content_hash",
                                        "created_at"], rows, ignore_conflicts=True)
                n_new += len(rows)
            bar.update(min(_CHUNK, len(frame) - start))
    return n_new


def add_items(engine: sa.Engine, df: pd.DataFrame, *, id_col: str = "item_id", text_col: str = "text",
              dataset: Optional[str] = None, progress: Optional[bool] = None) -> int:
    """Insert the new items of ``df`` in one transaction (see :meth:`AnnotationStore.add_items`)."""
    frame = prepare_items(df, id_col=id_col, text_col=text_col, dataset=dataset)
    if frame.empty:
        return 0
    with S.write_transaction(engine) as conn:
        return write_items(conn, frame, progress=progress)


def check_no_nul(values: pd.Series, *, what: str, ids: Optional[pd.Series] = None) -> None:
    """Refuse NUL characters, which PostgreSQL cannot store and C tools cut text at.

    Examples
    --------
    >>> check_no_nul(pd.Series(["a", None]), what="note")
    >>> check_no_nul(pd.Series(["ok", "a\\x00b"]), what="note")
    Traceback (most recent call last):
    ...
    workbench.exceptions.DataError: note: row 1 contains a NUL character (\\x00) at position 1. Remove NUL characters from the data (they are never valid text).
    """
    text = values.dropna()
    if text.empty:
        return
    text = text.astype(str)
    bad = text.str.contains("\x00", regex=False)
    if bad.any():
        row = bad.idxmax()
        where = f"item {ids[row]!r}" if ids is not None else f"row {row}"
        raise DataError(f"{what}: {where} contains a NUL character (\\x00) at position "
                        f"{text[row].index(chr(0))}. Remove NUL characters from the data (they are never "
                        "valid text).", reason="nul_character")


def read_items_table(engine: sa.Engine, *, item_ids: Optional[Sequence[str]] = None,
                     dataset: Optional[str] = None, include_erased: bool = True) -> pd.DataFrame:
    """Items as ``item_id, dataset, text, content_hash, erased_at`` + expanded metadata columns.

    An erased item (a tombstone) has an empty text, no metadata, ``content_hash`` ``'erased'``
    and ``erased_at`` set; ``include_erased=False`` leaves erased items out.
    """
    t = S.items
    cols = [t.c.item_id, t.c.dataset, t.c.payload, t.c.content_hash, t.c.erased_at, t.c.meta]
    rows: list = []
    with engine.connect() as conn:
        base = sa.select(*cols)
        if dataset is not None:
            base = base.where(t.c.dataset == str(dataset))
        if not include_erased:
            base = base.where(t.c.erased_at.is_(None))
        if item_ids is None:
            rows = conn.execute(base.order_by(t.c.seq, t.c.item_id)).all()
        else:
            ids = [str(i) for i in item_ids]
            if isinstance(item_ids, str):
                raise StoreError("items(item_ids=...) takes a list of ids, not one string; "
                                 f"use item_ids=[{item_ids!r}].")
            for start in range(0, len(ids), _IN_CHUNK):
                rows.extend(conn.execute(base.where(t.c.item_id.in_(ids[start:start + _IN_CHUNK]))).all())
            order = {i: n for n, i in enumerate(dict.fromkeys(ids))}
            rows.sort(key=lambda r: order[r[0]])
    df = pd.DataFrame([r[:5] for r in rows], columns=BASE_COLUMNS)
    df["erased_at"] = pd.to_datetime(df["erased_at"], utc=True)
    metas = [json.loads(r[5]) if r[5] else {} for r in rows]
    if any(metas):
        meta = pd.DataFrame.from_records(metas, index=df.index)
        meta = meta[[c for c in meta.columns if c not in BASE_COLUMNS]]
        df = pd.concat([df, meta], axis=1)
    return df
