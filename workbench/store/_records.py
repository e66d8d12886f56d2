"""Writing annotations, retractions and assignments; per-annotator progress.

Every write runs in one transaction that takes the write lock first (SQLite
``BEGIN IMMEDIATE``); ids are returned only after the commit.

Examples
--------
>>> clean_duration(1500.0), clean_duration(None)
(1500, None)
"""

from __future__ import annotations

import json
import math
from typing import Any, List, Optional

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import _schema as S
from ._items import erased_items, existing_items
from ._labels import normalize_label
from ._users import write_audit
from .._internal.validation import check_option, shown
from ..exceptions import DataError, StoreError, ValidationError

__all__ = ["insert_annotations", "prepare_annotations", "write_annotations", "check_round", "integrity_error", "write_retract", "insert_retract", "insert_assignments", "progress_table", "clean_duration", "reassign_assignments"]

#: Kinds the record API writes today; the schema already admits the later ones (reviews, rankings, ...).
_RECORD_KINDS = tuple(k for k in S.KINDS[:10] if k != "retract")  # ... and review


#: The round's rubric before it is first needed.
_UNREAD = object()


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


#: A week in milliseconds: no single judgement takes longer; larger values are clock errors.
MAX_DURATION_MS = 7 * 24 * 3600 * 1000


def clean_duration(value: Any) -> Optional[int]:
    """``duration_ms`` as an int in [0, one week] or None.

    Examples
    --------
    >>> clean_duration(float("inf"))
    Traceback (most recent call last):
    ...
    workbench.exceptions.DataError: duration_ms must be a finite number of milliseconds between 0 and 604800000 (one week); got inf. Fix the value, or leave it empty when the time is unknown.
    """
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise DataError(f"duration_ms must be a number of milliseconds; got {value!r}. Fix the value, or leave "
                        "it empty when the time is unknown.", reason="bad_duration") from exc
    if not (math.isfinite(number) and 0 <= number <= MAX_DURATION_MS):
        raise DataError(f"duration_ms must be a finite number of milliseconds between 0 and {MAX_DURATION_MS} "
                        f"(one week); got {value!r}. Fix the value, or leave it empty when the time is unknown.",
                        reason="bad_duration")
    return int(round(number))


def _name(value: Any, what: str, caller: str) -> str:
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        raise StoreError(f"{caller}: every row needs a non-empty {what}; got {value!r}.")
    return _text(value, what, caller)


def _text(value: Any, what: str, caller: str) -> str:
    text = str(value)
    if "\x00" in text:
        raise DataError(f"{caller}: the {what} {text[:40]!r} contains a NUL character (\\x00) at position "
                        f"{text.index(chr(0))}. Remove NUL characters (they are never valid text).",
                        reason="nul_character")
    return text


def check_round(round: Any, caller: str) -> int:
    """``round`` as an int that fits the store's INTEGER column."""
    if isinstance(round, bool) or not isinstance(round, (int, np.integer)) or not 0 <= round <= S.MAX_INT:
        raise StoreError(f"The 'round' parameter of {caller} must be an int from 0 to {S.MAX_INT} (a round made "
                         f"with store.create_round). Got {round!r} instead.")
    return int(round)


def _unknown_items(store, conn_ids: List[str]) -> List[str]:
    with store.engine.connect() as conn:
        found = existing_items(conn, list(dict.fromkeys(conn_ids)))
    return [i for i in dict.fromkeys(conn_ids) if i not in found]


def integrity_error(store, exc: sa.exc.IntegrityError, item_ids: List[str], what: str) -> StoreError:
    unknown = _unknown_items(store, item_ids)
    if unknown:
        return StoreError(f"{what}: unknown item id(s) {unknown[:10]}{' ...' if len(unknown) > 10 else ''} "
                          f"in {store!r}. Add the items first with store.add_items(df).")
    return StoreError(f"{what} was refused by the database: {exc.orig}")


def _label(memo: dict, label: Any, kind: str, rules, rubric, where: str) -> Optional[str]:
    if isinstance(label, str) or label is None:
        key = (kind, label)
        if key not in memo:
            memo[key] = normalize_label(label, kind=kind, rules=rules, rubric=rubric, where=where)
        return memo[key]
    return normalize_label(label, kind=kind, rules=rules, rubric=rubric, where=where)


def prepare_annotations(store, rows: List[dict], *, round: Any, caller: str, keep_times: bool = False) -> List[dict]:
    """Check annotation rows for ``round`` and return the values to insert (nothing is written).

    With several rows, an error names the row (1-based), its item and annotator. ``rubric``
    rows are checked against the rubric the round declares (or for their shape without one).
    ``keep_times`` keeps a row's own ``created_at`` (an import of judgements made elsewhere);
    otherwise every row gets the time of the write.
    """
    round = check_round(round, caller)
    version = store._round_version(round)
    rules = None
    rubric: Any = _UNREAD
    where = f"of round {round}"
    now = S.utcnow()
    values = []
    memo: dict = {}  # (kind, label) -> stored label, for hashable labels
    for n, row in enumerate(rows):
        try:
            kind = row.get("kind")
            kind = "label" if _missing(kind) else kind
            check_option(kind, _RECORD_KINDS, param="kind", caller=caller)
            if (kind in S.LABEL_KINDS or kind == "review") and rules is None:
                rules = store._label_rules(version)
            if kind == "rubric" and rubric is _UNREAD:
                rubric = store.round_rubric(round)
            when = _source_time(row.get("created_at"), caller) if keep_times else None
            label = _label(memo, row.get("label"), kind, rules, None if rubric is _UNREAD else rubric, where)
            checked = _checked_row(row, kind, round, version, when or now, label, caller)
            if kind == "review" and json.loads(label)["verdict"] != "approve" and not checked["note"]:
                raise DataError(f"{caller}: a review that rejects or corrects a label needs its reason in 'note' "
                                "(what rule the label breaks), so the labeler can learn from it.",
                                reason="review_without_reason")
            values.append(checked)
        except (DataError, StoreError, ValidationError) as exc:
            if len(rows) == 1:
                raise
            where = f"row {n + 1} of {len(rows)} (item {row.get('item_id')!r}, annotator {row.get('annotator')!r})"
            extra = {"reason": exc.reason} if isinstance(exc, DataError) else {}
            raise type(exc)(f"{where}: {exc} Nothing was written.", **extra) from None
    return values


def _source_time(value: Any, caller: str):
    """A source row's ``created_at`` as an aware UTC datetime, or None when it has none."""
    if _missing(value) or value == "":
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise DataError(f"{caller}: created_at must be a date and time such as 2026-11-01T10:00:00Z; got "
                        f"{value!r}.", reason="bad_time") from None
    if pd.isna(stamp):
        return None
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()


def _checked_row(row: dict, kind: str, round: int, version: int, now, label: Optional[str], caller: str) -> dict:
    note, session, unsure = row.get("note"), row.get("session_id"), row.get("unsure", False)
    return {
        "item_id": _name(row.get("item_id"), "item_id", caller),
        "annotator": _name(row.get("annotator"), "annotator", caller),
        "round": round,
        "label": None if label is None else _text(label, "label", caller),
        "taxonomy_version": version,
        "unsure": False if _missing(unsure) else bool(unsure),
        "note": None if _missing(note) or note == "" else _text(note, "note", caller),
        "duration_ms": clean_duration(row.get("duration_ms")),
        "kind": kind,
        "created_at": now,
        "session_id": None if _missing(session) else _text(session, "session_id", caller),
        "retracts": None,
    }


def write_annotations(conn: sa.Connection, values: List[dict]) -> List[int]:
    """Insert prepared rows inside ``conn``'s transaction; return their ids in row order.

    A foreign-key failure raises ``sqlalchemy.exc.IntegrityError``; turn it into a clear
    error with :func:`integrity_error` once the transaction is rolled back.
    """
    if not values:
        return []
    erased = erased_items(conn, [v["item_id"] for v in values])
    if erased:
        raise StoreError(f"Item(s) {shown(erased)} were erased from this store (their text was purged on request, "
                         "see store.erase_item), so nothing can be recorded about them any more. Leave them out; "
                         "nothing of this write was stored.")
    if len(values) == 1:
        ids = [conn.execute(S.annotations.insert(), values[0]).inserted_primary_key[0]]
    else:
        ids = _bulk_annotations(conn, values)
    return [int(i) for i in ids]


def insert_annotations(store, rows: List[dict], *, round: Any, caller: str) -> List[int]:
    """Check and insert annotation rows for ``round``; return their ids after the commit."""
    values = prepare_annotations(store, rows, round=round, caller=caller)
    if not values:
        return []
    try:
        with S.write_transaction(store.engine) as conn:
            return write_annotations(conn, values)
    except sa.exc.IntegrityError as exc:
        raise integrity_error(store, exc, [v["item_id"] for v in values], caller) from exc


_COLS = ["item_id", "annotator", "round", "label", "taxonomy_version", "unsure", "note", "duration_ms", "kind",
         "created_at", "session_id"]


def _bulk_annotations(conn: sa.Connection, values: List[dict]) -> List[int]:
    """Insert many rows with plain ``executemany``; return their ids in row order.

    SQLite: the transaction holds the write lock, so the new rowids are the consecutive
    block after the previous maximum (checked). PostgreSQL: the ids are drawn from the
    sequence first and inserted explicitly.
    """
    a = S.annotations
    sqlite = conn.dialect.name == "sqlite"
    first = values[0]["created_at"]
    same = all(v["created_at"] is first for v in values)
    created = [S.db_time(conn, first)] * len(values) if same else [S.db_time(conn, v["created_at"]) for v in values]
    rows = [(v["item_id"], v["annotator"], v["round"], v["label"], v["taxonomy_version"],
             int(v["unsure"]) if sqlite else v["unsure"], v["note"], v["duration_ms"], v["kind"], when,
             v["session_id"]) for v, when in zip(values, created)]
    if sqlite:
        before = conn.execute(sa.select(sa.func.max(a.c.id))).scalar() or 0
        S.bulk_insert(conn, a, _COLS, rows)
        after, count = conn.execute(sa.select(sa.func.max(a.c.id), sa.func.count())
                                    .where(a.c.id > before)).one()
        if count != len(rows) or after - before != len(rows):  # pragma: no cover - defensive
            raise StoreError(f"record_many: expected {len(rows)} consecutive new ids after {before}, found "
                             f"{count} up to {after}; the transaction was rolled back.")
        return list(range(before + 1, after + 1))
    ids = [r[0] for r in conn.exec_driver_sql(
        "SELECT nextval(pg_get_serial_sequence('annotations', 'id')) FROM generate_series(1, %s)",
        (len(rows),)).all()]
    S.bulk_insert(conn, a, ["id"] + _COLS, [(i,) + r for i, r in zip(ids, rows)])
    return ids


def write_retract(conn: sa.Connection, annotation_id: int, *, where: str, skip_done: bool = False) -> "int | None":
    """Append, inside ``conn``'s transaction, a ``retract`` row pointing at ``annotation_id``; return its id.

    ``skip_done`` returns None instead of raising when the row is already retracted.
    """
    a = S.annotations
    row = conn.execute(sa.select(a).where(a.c.id == annotation_id)).first()
    if row is None:
        raise StoreError(f"retract: there is no annotation with id {annotation_id} in {where}. "
                         "Use an id returned by record() (or the 'id' column of annotations()).")
    if row.kind == "retract":
        raise StoreError(f"retract: row {annotation_id} is itself a retraction (of row {row.retracts}). "
                         "To restore that judgement, record it again.")
    done = conn.execute(sa.select(a.c.id).where(a.c.retracts == annotation_id)).scalar()
    if done is not None:
        if skip_done:
            return None
        raise StoreError(f"retract: annotation {annotation_id} is already retracted (by row {done}).")
    result = conn.execute(a.insert(), {
        "item_id": row.item_id, "annotator": row.annotator, "round": row.round, "label": None,
        "taxonomy_version": row.taxonomy_version, "unsure": False, "note": None, "duration_ms": None,
        "kind": "retract", "created_at": S.utcnow(), "session_id": row.session_id,
        "retracts": annotation_id})
    return int(result.inserted_primary_key[0])


def insert_retract(store, annotation_id: int) -> int:
    """Append a ``retract`` row pointing at ``annotation_id``; return its id."""
    try:
        with S.write_transaction(store.engine) as conn:
            return write_retract(conn, annotation_id, where=repr(store))
    except sa.exc.IntegrityError as exc:  # a concurrent retract of the same row won the race
        raise StoreError(f"retract: annotation {annotation_id} is already retracted ({exc.orig}).") from exc


def _assigned_times(values: pd.Series) -> list:
    """``assigned_at`` of an assign frame as aware UTC datetimes (None where empty)."""
    try:
        stamps = pd.to_datetime(values, utc=True)
    except (TypeError, ValueError) as exc:
        raise DataError(f"assign: assigned_at must hold dates and times such as 2026-11-02T09:00:00Z ({exc}).",
                        reason="bad_time") from None
    return [None if pd.isna(t) else t.to_pydatetime() for t in stamps]


def insert_assignments(engine: sa.Engine, df: pd.DataFrame, *, round: int) -> int:
    """Insert new ``(round, item_id, annotator)`` assignments; return how many were new.

    Each gets ``assigned_at``: the frame's own column when it has one (work handed over
    elsewhere), else the time of the write.
    """
    frame = pd.DataFrame({"item_id": df["item_id"].astype(str).to_numpy(),
                          "annotator": df["annotator"].astype(str).to_numpy()})
    if "position" in df.columns:
        frame["position"] = pd.to_numeric(df["position"]).astype("int64").to_numpy()
    now = S.utcnow()
    given = _assigned_times(df["assigned_at"]) if "assigned_at" in df.columns else [None] * len(frame)
    frame["assigned_at"] = pd.Series([now if t is None else t for t in given], index=frame.index, dtype=object)
    frame = frame.drop_duplicates(["item_id", "annotator"], keep="first")
    a = S.assignments
    with S.write_transaction(engine) as conn:
        old = pd.DataFrame(conn.execute(sa.select(a.c.item_id, a.c.annotator, a.c.position)
                                        .where(a.c.round == round)).all(),
                           columns=["item_id", "annotator", "position"])
        if len(old):
            key = pd.MultiIndex.from_frame(frame[["item_id", "annotator"]])
            known = pd.MultiIndex.from_frame(old[["item_id", "annotator"]])
            frame = frame[~key.isin(known)]
        if frame.empty:
            return 0
        if "position" not in frame.columns:
            start = old.groupby("annotator")["position"].max().add(1) if len(old) else pd.Series(dtype="int64")
            offset = frame["annotator"].map(start).fillna(0).astype("int64")
            frame = frame.assign(position=frame.groupby("annotator").cumcount().to_numpy() + offset.to_numpy())
        ids = list(dict.fromkeys(frame["item_id"]))
        found = existing_items(conn, ids)
        missing = [i for i in ids if i not in found]
        if missing:
            raise StoreError(f"assign: unknown item id(s) {missing[:10]} in round {round}. "
                             "Add the items first with store.add_items(df).")
        rows = [(round, i, n, int(p), S.db_time(conn, t)) for i, n, p, t in zip(
            frame["item_id"], frame["annotator"], frame["position"], frame["assigned_at"])]
        try:
            S.bulk_insert(conn, a, ["round", "item_id", "annotator", "position", "assigned_at"], rows,
                          ignore_conflicts=True)
        except sa.exc.IntegrityError as exc:
            raise StoreError(f"assign: some item ids of round {round} are not in the store ({exc.orig}). "
                             "Add the items first with store.add_items(df).") from exc
    return len(rows)


def progress_table(engine: sa.Engine, *, round: int) -> pd.DataFrame:
    """``annotator, n_assigned, n_done`` for ``round`` (done = a current ``label`` row)."""
    a, n = S.assignments, S.annotations
    r = n.alias("r")
    live = ~sa.exists().where(r.c.retracts == n.c.id)
    with engine.connect() as conn:
        assigned = conn.execute(sa.select(a.c.annotator, sa.func.count()).where(a.c.round == round)
                                .group_by(a.c.annotator)).all()
        done = conn.execute(sa.select(n.c.annotator, sa.func.count(sa.distinct(n.c.item_id)))
                            .where(n.c.round == round, n.c.kind == "label", live)
                            .group_by(n.c.annotator)).all()
    left = pd.DataFrame(assigned, columns=["annotator", "n_assigned"])
    right = pd.DataFrame(done, columns=["annotator", "n_done"])
    out = left.merge(right, on="annotator", how="outer").fillna(0)
    return out.astype({"n_assigned": "int64", "n_done": "int64"}).sort_values("annotator").reset_index(drop=True)


def reassign_assignments(engine: sa.Engine, *, round: int, source: str, target: str, actor: str) -> List[str]:
    """Move ``source``'s unanswered assignments in ``round`` to the end of ``target``'s queue.

    An item counts as answered when ``source`` wrote any row on it in the round (a label, a
    skip, any kind, even one taken back later); those stay with ``source``. Items ``target`` already has are not
    duplicated (their ``source`` assignment is simply removed). One transaction, one audit row.
    Returns the moved item ids, in ``source``'s plan order.
    """
    if not isinstance(source, str) or not source.strip() or not isinstance(target, str) or not target.strip():
        raise StoreError("reassign needs two non-empty annotator names (from, to).")
    if source == target:
        raise StoreError(f"reassign: {source!r} is both the labeler who leaves and the one who takes over; name two.")
    a, ann = S.assignments, S.annotations
    with S.write_transaction(engine) as conn:
        plan = conn.execute(sa.select(a.c.item_id, a.c.position).where(a.c.round == round, a.c.annotator == source)
                            .order_by(a.c.position)).all()
        if not plan:
            raise StoreError(f"reassign: {source!r} has no assignments in round {round}; nothing to move. "
                             "store.assignments(round=...) lists who has what.")
        answered = {r[0] for r in conn.execute(sa.select(ann.c.item_id).where(
            ann.c.round == round, ann.c.annotator == source, ann.c.kind != "retract").distinct())}
        remaining = [item for item, _ in plan if item not in answered]
        if not remaining:
            return []
        theirs = conn.execute(sa.select(a.c.item_id, a.c.position).where(a.c.round == round, a.c.annotator == target)).all()
        held = {r[0] for r in theirs}
        start = max((r[1] for r in theirs), default=-1) + 1
        conn.execute(a.delete().where(a.c.round == round, a.c.annotator == source, a.c.item_id.in_(remaining)))
        moved = [i for i in remaining if i not in held]
        if moved:
            now = S.utcnow()  # the target was handed the work now: their turnaround starts here
            S.bulk_insert(conn, a, ["round", "item_id", "annotator", "position", "assigned_at"],
                          [(round, i, target, start + k, S.db_time(conn, now)) for k, i in enumerate(moved)])
        write_audit(conn, "reassign", actor=actor, target=f"round {round}: {source} -> {target}",
                    detail={"moved": len(moved), "already_held": len(remaining) - len(moved),
                            "kept_answered": len(plan) - len(remaining)})
    return remaining
