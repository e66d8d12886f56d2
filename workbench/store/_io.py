"""Export of annotations (CSV, JSON Lines, Parquet) and import of annotation files.

Label Studio's formats live in :mod:`workbench.interop` (a layer above the store).

Examples
--------
>>> import io
>>> from workbench.store import AnnotationStore
>>> store = AnnotationStore.example()
>>> _ = store.record("m1", "ana", "bug", round=1)
>>> buf = io.StringIO(); export_annotations(store, buf, format="jsonl")
1
>>> len(buf.getvalue().splitlines())
1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from .._internal.optional import import_optional
from .._internal.readers import read_table
from .._internal.files import atomic_file
from .._internal.cells import neutralize_formulas, restore_formulas
from .._internal.validation import check_option
from ..exceptions import DataError
from ._imports import import_batch, with_source_keys

__all__ = ["export_annotations", "import_annotations", "ANNOTATION_COLUMNS", "FORMATS"]

FORMATS = ("csv", "jsonl", "parquet")
#: RFC 4180 line ends: the csv writer then quotes every cell holding a CR or LF, so a note
#: with a carriage return cannot split a row.
_CSV_EOL = "\r\n"


def _write_text(path_or_buffer: Any, text: str) -> None:
    if hasattr(path_or_buffer, "write"):
        path_or_buffer.write(text)
    else:
        with atomic_file(path_or_buffer) as tmp:
            tmp.write_text(text, encoding="utf-8")


def export_annotations(store, path_or_buffer: Any, *, format: str = "csv", round: Optional[int] = None,
                       current_only: bool = True, neutralize: bool = True) -> int:
    """Write ``store.annotations(round=round, current_only=current_only)`` in ``format``; return the row count.

    A file is written to a temporary name and renamed when complete, so a failed export
    leaves no half-written file. For ``csv`` (bound for spreadsheets) text cells that begin
    with ``= + - @``, a tab or a carriage return get a leading ``'`` (see
    :mod:`workbench._internal.cells`); ``neutralize=False`` writes them raw, for machine pipelines.
    """
    check_option(format, FORMATS, param="format", caller="export")
    if round is not None:
        store.round_info(round)  # an unknown round is an error, not an empty file
    df = store.annotations(round=round, current_only=current_only)
    if format == "csv":
        out = neutralize_formulas(df) if neutralize else df
        if hasattr(path_or_buffer, "write"):
            out.to_csv(path_or_buffer, index=False, lineterminator=_CSV_EOL)
        else:
            with atomic_file(path_or_buffer) as tmp:
                out.to_csv(tmp, index=False, encoding="utf-8", lineterminator=_CSV_EOL)
    elif format == "jsonl":
        text = df.to_json(orient="records", lines=True, date_format="iso", date_unit="us",
                          force_ascii=False) if len(df) else ""
        _write_text(path_or_buffer, text)
    else:
        import_optional("pyarrow", needed_for="Parquet export (or export format='csv' / 'jsonl')",
                        install="pyarrow>=20")
        if hasattr(path_or_buffer, "write"):
            df.to_parquet(path_or_buffer, index=False)
        else:
            with atomic_file(path_or_buffer) as tmp:
                df.to_parquet(tmp, index=False)
    return len(df)


#: Columns an annotation file (what ``workbench export`` writes) may have; the first three are required.
ANNOTATION_COLUMNS = ("item_id", "annotator", "label", "unsure", "note", "duration_ms", "kind", "session_id",
                      "created_at", "round")
_TRUE, _FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f", ""}


def _flag(value: Any, where: str) -> bool:
    if value is None or isinstance(value, bool) or (isinstance(value, float) and value != value):
        return bool(value) if isinstance(value, bool) else False
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise DataError(f"{where}: unsure must be true or false; got {value!r}. Write true/false (or 1/0).",
                    reason="bad_flag")


def import_annotations(store, path: Any, *, round: int, format: Optional[str] = None, encoding: str = "utf-8",
                       restore: bool = True):
    """Import an annotation file (CSV, JSON Lines or Parquet, as ``workbench export`` writes) into ``round``.

    Columns: ``item_id, annotator, label`` and optionally ``unsure, note, duration_ms, kind,
    session_id, created_at, round``. Every row is checked before anything is written; the
    import is one transaction, and importing the same file again adds nothing.
    ``restore`` undoes the ``'`` that a CSV export puts before formula-like cells.
    """
    df = read_table(path, format=format, encoding=encoding, caller="import_annotations")
    where = str(path)
    missing = [c for c in ("item_id", "annotator", "label") if c not in df.columns]
    if missing:
        raise DataError(f"{where} must have the column(s) {missing}; the columns present are "
                        f"{[str(c) for c in df.columns]}. An annotation file has item_id, annotator, label (as "
                        "`workbench export` writes).", reason="missing_column")
    if restore:
        df = restore_formulas(df)
    if "round" in df.columns:
        rounds = sorted({str(v) for v in df["round"].dropna()})
        if rounds and rounds != [str(round)]:
            raise DataError(f"{where} holds annotations of round(s) {rounds}, not only round {round}. Pass the "
                            "matching --round, or split the file by round.", reason="other_round")
    if "kind" in df.columns and (df["kind"] == "retract").any():
        line = int((df["kind"] == "retract").to_numpy().argmax()) + 2
        raise DataError(f"{where}, row {line - 1}: 'retract' rows cannot be imported (they point at ids of "
                        "another store). Export with current rows only (the default).", reason="retract_row")
    rows = []
    for n, rec in enumerate(df.to_dict("records"), start=1):
        row = {c: rec.get(c) for c in ANNOTATION_COLUMNS if c in rec and c != "round"}
        row["origin_id"] = rec.get("id")  # the row of the store it was exported from (recognised when unchanged)
        if "unsure" in row:
            row["unsure"] = _flag(row["unsure"], f"{where}, row {n}")
        rows.append(row)
    keyed = with_source_keys(rows, namespace="annotations", round=round)
    try:
        return import_batch(store, annotations=keyed, round=round, source=Path(str(path)).name)
    except DataError as exc:
        raise DataError(f"{where}: {exc}", reason=getattr(exc, "reason", None)) from exc
