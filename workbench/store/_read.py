"""Fast reading of the annotations table into a long-format DataFrame.

Building a DataFrame from a million DBAPI row tuples costs more than the query itself
(one Python object per cell, then a row-to-column transpose). So:

- SQLite: the selected ids go into a temporary table, then each chunk of 200,000 rows
  comes back as *one* string per column -- a comma list for integer columns (parsed by
  ``numpy.fromstring``), a JSON array for the others (the C ``json`` parser) -- so there is
  no per-row Python work. Low-cardinality text columns keep one string object per value.
- PostgreSQL: ``COPY (SELECT ...) TO STDOUT (FORMAT csv)`` streamed into
  :func:`pandas.read_csv`.
- Both run in one read transaction, so a concurrent writer never yields a torn result.

"Current" rows are the newest non-retracted row per ``(round, item_id, annotator, kind)``,
computed in SQL with the covering index ``ix_annotations_current``.

Examples
--------
>>> import sqlalchemy as sa
>>> from workbench.store._schema import open_engine, ensure_schema
>>> engine = open_engine("sqlite://"); _ = ensure_schema(engine)
>>> read_annotations(engine).columns.tolist()[:4]
['id', 'item_id', 'annotator', 'round']
"""

from __future__ import annotations

import io
import json
from typing import List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import sqlalchemy as sa

__all__ = ["COLUMNS", "read_annotations"]

#: Columns returned by ``AnnotationStore.annotations`` (plus ``retracts`` when current_only=False).
COLUMNS = ("id", "item_id", "annotator", "round", "label", "taxonomy_version", "unsure", "note",
           "duration_ms", "kind", "created_at", "session_id")
_CHUNK = 200_000


def _where(round: Optional[int], kinds: Optional[Sequence[str]], alias: str, style: str) -> Tuple[str, list]:
    """SQL conditions and parameters for the round / kind filters (``style`` 'qmark' or 'format')."""
    mark = "?" if style == "qmark" else "%s"
    conds, params = [], []
    if round is not None:
        conds.append(f"{alias}.round = {mark}")
        params.append(int(round))
    if kinds is not None:
        conds.append(f"{alias}.kind IN ({', '.join([mark] * len(kinds))})")
        params.extend(kinds)
    return " AND ".join(conds), params


def _selection_sql(round, kinds, current_only: bool, style: str) -> Tuple[str, list]:
    """SQL selecting the ids of the wanted rows."""
    cond, params = _where(round, kinds, "b", style)
    if not current_only:
        return f"SELECT b.id FROM annotations b{' WHERE ' + cond if cond else ''}", params
    if style == "qmark":  # SQLite: one ephemeral index of the (few) retracted ids, probed per row
        live = ("b.kind <> 'retract' AND b.id NOT IN "
                "(SELECT r.retracts FROM annotations r WHERE r.retracts IS NOT NULL)")
    else:  # PostgreSQL: an anti-join (NOT IN over a subquery can degrade to a rescan per row)
        live = "b.kind <> 'retract' AND NOT EXISTS (SELECT 1 FROM annotations r WHERE r.retracts = b.id)"
    return (f"SELECT max(b.id) FROM annotations b WHERE {live}{' AND ' + cond if cond else ''} "
            "GROUP BY b.round, b.item_id, b.annotator, b.kind"), params


_INT = ("id", "round", "taxonomy_version")
_NULLABLE_INT = ("duration_ms", "retracts")
#: few distinct values: keep one string object per distinct value (saves ~50 MB per column per 1M rows)
_SHARED = ("annotator", "label", "kind", "session_id")


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return _finish({c: [np.asarray([], dtype=object)] for c in columns}, columns)


def _aggregate(c: str) -> str:
    """SQLite aggregate returning one chunk of column ``c`` as one string.

    Integers come as a comma list (parsed in C by ``numpy.fromstring``; NULL -> -1, ids and
    durations are never negative), everything else as a JSON array.
    """
    if c in _INT or c == "unsure":
        return f"group_concat(a.{c})"
    if c in _NULLABLE_INT:
        return f"group_concat(ifnull(a.{c}, -1))"
    return f"json_group_array(a.{c})"


def _parse(c: str, text: str) -> np.ndarray:
    """One chunk of one column (the string from :func:`_aggregate`) as a numpy array."""
    if c in _INT or c in _NULLABLE_INT or c == "unsure":
        arr = np.fromstring(text, dtype=np.int64, sep=",")
        return arr.astype(bool) if c == "unsure" else arr
    return _column(c, json.loads(text))


def _column(c: str, values: list) -> np.ndarray:
    """One chunk of one column from a list of Python values."""
    if c in _INT:
        return np.asarray(values, dtype=np.int64)
    if c == "unsure":
        return np.asarray(values, dtype=bool)
    arr = np.fromiter(values, dtype=object, count=len(values))
    if c in _SHARED and len(arr):
        codes, uniques = pd.factorize(arr, use_na_sentinel=False)
        uniques = np.asarray(uniques, dtype=object)
        uniques[pd.isna(uniques)] = None  # factorize turns None into NaN
        arr = uniques.take(codes)
    return arr


def _nullable_int(arr: np.ndarray) -> pd.arrays.IntegerArray:
    if arr.dtype == np.int64:  # from _parse: -1 stands for NULL
        return pd.arrays.IntegerArray(arr, arr == -1)
    mask = np.asarray(pd.isna(arr), dtype=bool)
    values = np.where(mask, 0, arr).astype(np.int64) if len(arr) else np.zeros(0, dtype=np.int64)
    return pd.arrays.IntegerArray(values, mask)


def _finish(parts: dict, columns: Sequence[str]) -> pd.DataFrame:
    """Join the chunks of each column and give it its documented dtype."""
    out = {}
    for c in columns:
        chunks = parts[c]
        arr = chunks[0] if len(chunks) == 1 else np.concatenate(chunks) if chunks else np.asarray([], dtype=object)
        parts[c] = None  # free the chunks as we go
        if c in _INT:
            out[c] = arr.astype(np.int64, copy=False)
        elif c == "unsure":
            out[c] = arr.astype(bool, copy=False)
        elif c in _NULLABLE_INT:
            out[c] = _nullable_int(arr)
        elif c == "created_at":  # rows written together share a timestamp: parse each distinct one once
            codes, uniques = pd.factorize(arr)
            parsed = pd.DatetimeIndex(pd.to_datetime(uniques, format="ISO8601", utc=True))
            out[c] = pd.Series(parsed.take(codes) if len(codes) else parsed[:0]).array
        else:  # text: object dtype with None for missing, on pandas 2 and 3 (not pandas 3's str/NaN)
            out[c] = pd.Series(arr, dtype=object, copy=False)
    df = pd.DataFrame(out, copy=False)
    if len(df) and not df["id"].is_monotonic_increasing:
        df = df.sort_values("id", kind="stable").reset_index(drop=True)
    return df


def _read_sqlite(engine: sa.Engine, columns, round, kinds, current_only) -> pd.DataFrame:
    sel, params = _selection_sql(round, kinds, current_only, "qmark")
    raw = engine.raw_connection()
    parts: dict = {c: [] for c in columns}
    try:
        cur = raw.driver_connection.cursor()
        cur.execute("BEGIN")
        try:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS wb_selected (id INTEGER PRIMARY KEY)")
            cur.execute("DELETE FROM temp.wb_selected")
            cur.execute(f"INSERT INTO temp.wb_selected (id) {sel} ORDER BY 1", params)  # sorted: appends only
            ids = np.asarray(json.loads(cur.execute(
                "SELECT json_group_array(id) FROM (SELECT id FROM temp.wb_selected ORDER BY id)").fetchone()[0]),
                dtype=np.int64)
            aggs = ", ".join(_aggregate(c) for c in columns)
            for start in range(0, len(ids), _CHUNK):
                lo, hi = int(ids[start]), int(ids[min(start + _CHUNK, len(ids)) - 1])
                row = list(cur.execute(
                    f"SELECT {aggs} FROM temp.wb_selected s JOIN annotations a ON a.id = s.id "
                    "WHERE s.id BETWEEN ? AND ?", (lo, hi)).fetchone())
                for k, c in enumerate(columns):
                    parts[c].append(_parse(c, row[k]))
                    row[k] = None
            cur.execute("DELETE FROM temp.wb_selected")
        finally:
            cur.execute("COMMIT")
            cur.close()
    finally:
        raw.close()
    if not parts["id"]:
        return _empty(columns)
    return _finish(parts, columns)


def _read_postgres(engine: sa.Engine, columns, round, kinds, current_only) -> pd.DataFrame:
    sel, params = _selection_sql(round, kinds, current_only, "format")
    cols = ", ".join(f"a.{c}" for c in columns)
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        buf = io.BytesIO()
        with dbapi.transaction(), dbapi.cursor() as cur:
            # COPY cannot take bound parameters: inline them through psycopg's own quoting
            from psycopg import sql

            query = sql.SQL(f"COPY (SELECT {cols} FROM annotations a WHERE a.id IN ({sel}) ORDER BY a.id) "
                            "TO STDOUT WITH (FORMAT csv, HEADER true)".replace("%s", "{}"))
            query = query.format(*[sql.Literal(p) for p in params])
            with cur.copy(query) as copy:
                for block in copy:
                    buf.write(block)
    finally:
        raw.close()
    buf.seek(0)
    dtype = {c: object for c in columns if c not in ("id", "round", "taxonomy_version", "unsure",
                                                      "duration_ms", "retracts")}
    df = pd.read_csv(buf, dtype=dtype, keep_default_na=False, na_values={
        c: [""] for c in ("note", "session_id", "label", "duration_ms", "retracts")})
    if df.empty:
        return _empty(columns)
    parts = {}
    for c in columns:
        col = df[c]
        if c == "unsure":
            arr = col.map({"t": True, "f": False, True: True, False: False}).to_numpy(dtype=bool)
        elif c in ("note", "session_id", "label") or c in _NULLABLE_INT:
            arr = col.astype(object).where(col.notna(), None).to_numpy()
        else:
            arr = col.to_numpy()
        parts[c] = [arr]
    return _finish(parts, columns)


def _read_generic(engine: sa.Engine, columns, round, kinds, current_only) -> pd.DataFrame:
    sel, params = _selection_sql(round, kinds, current_only, "qmark")
    names = [f"p{i}" for i in range(len(params))]
    for name in names:
        sel = sel.replace("?", f":{name}", 1)
    query = sa.text(f"SELECT {', '.join('a.' + c for c in columns)} FROM annotations a "
                    f"WHERE a.id IN ({sel}) ORDER BY a.id")
    with engine.connect() as conn:
        rows = conn.execute(query, dict(zip(names, params))).all()
    parts = {c: [_column(c, [r[i] for r in rows])] for i, c in enumerate(columns)}
    return _finish(parts, columns)


def read_annotations(engine: sa.Engine, *, round: Optional[int] = None, kinds: Optional[List[str]] = None,
                     current_only: bool = True) -> pd.DataFrame:
    """Read annotations as a DataFrame with :data:`COLUMNS` (and ``retracts`` if not current_only)."""
    columns = COLUMNS if current_only else COLUMNS + ("retracts",)
    if kinds is not None and not kinds:
        return _empty(columns)
    name = engine.dialect.name
    if name == "sqlite":
        return _read_sqlite(engine, columns, round, kinds, current_only)
    if name == "postgresql":
        return _read_postgres(engine, columns, round, kinds, current_only)
    return _read_generic(engine, columns, round, kinds, current_only)  # pragma: no cover
