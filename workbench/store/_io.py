"""Export of annotations (CSV, JSON Lines, Parquet, Label Studio JSON) and Label Studio import.

Label Studio mapping (classification projects, a ``<Choices>`` control):

========================  ==================================================
workbench                 Label Studio task / annotation
========================  ==================================================
item ``text``, ``item_id``  ``task["data"]["text"]``, ``task["data"]["item_id"]``
label (one or several)    ``result[{"type": "choices", "value": {"choices": [...]}}]``
annotator                 ``completed_by`` (``{"email": annotator}``; ints and strings read too)
note                      ``result[{"type": "textarea", "from_name": "note"}]``
duration_ms               ``lead_time`` (seconds)
kind ``adjudication``     ``ground_truth: true``
kind ``skip``             ``was_cancelled: true``
========================  ==================================================

Examples
--------
>>> tasks = [{"id": 1, "data": {"text": "refund please"},
...           "annotations": [{"completed_by": {"email": "ana@x.org"},
...                            "result": [{"type": "choices", "from_name": "intent", "to_name": "text",
...                                        "value": {"choices": ["refund"]}}]}]}]
>>> parse_label_studio(tasks)[["annotator", "label", "kind"]]
   annotator   label   kind
0  ana@x.org  refund  label
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, List, Optional

import pandas as pd

from .._internal.optional import import_optional
from .._internal.readers import read_table
from .._internal.cells import neutralize_formulas, restore_formulas
from .._internal.validation import check_option, drop_repeated_ids
from ..exceptions import DataError
from ..items import item_id_for
from ._imports import import_batch, with_source_keys

__all__ = ["export_annotations", "to_label_studio", "parse_label_studio", "label_studio_items", "import_label_studio",
           "import_annotations", "ANNOTATION_COLUMNS", "FORMATS"]

FORMATS = ("csv", "jsonl", "parquet", "label-studio")
#: RFC 4180 line ends: the csv writer then quotes every cell holding a CR or LF, so a note
#: with a carriage return cannot split a row.
_CSV_EOL = "\r\n"


def _write_text(path_or_buffer: Any, text: str) -> None:
    if hasattr(path_or_buffer, "write"):
        path_or_buffer.write(text)
    else:
        with _atomic_file(path_or_buffer) as tmp:
            tmp.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def _atomic_file(path: Any):
    """A temporary file next to ``path``, renamed onto it only when the writing succeeded."""
    target = Path(path)
    if not target.parent.is_dir():
        raise DataError(f"Cannot write {target}: the folder {target.parent} does not exist. Create it first "
                        "(mkdir -p), or give another path.", reason="missing_folder")
    if target.is_dir():
        raise DataError(f"Cannot write {target}: it is a folder. Give a file name, e.g. {target / 'labels.csv'}.",
                        reason="is_a_folder")
    if target.exists() and not target.is_file():  # a device or pipe (/dev/stdout): write to it, never replace it
        try:
            yield target
        except OSError as exc:
            raise DataError(f"Cannot write {target}: {exc.strerror or exc}.", reason="write_failed") from exc
        return
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        raise DataError(f"Cannot write {target}: {exc.strerror or exc}. Nothing was written; check free disk "
                        "space and that the folder is writable.", reason="write_failed") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _labels_of(value: Any) -> List[str]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
            if isinstance(parsed, list):
                return [str(v) for v in parsed]
        except ValueError:
            pass
    return [str(value)]


def to_label_studio(annotations: pd.DataFrame, items: pd.DataFrame, *, from_name: str = "label",
                    to_name: str = "text") -> list:
    """Label Studio tasks (a JSON-ready list) of ``items`` with their ``annotations``."""
    tasks = []
    by_item = {k: g for k, g in annotations.groupby("item_id", sort=False)}
    for n, item in enumerate(items.itertuples(index=False), start=1):
        anns = []
        for a in by_item.get(item.item_id, annotations.iloc[:0]).itertuples(index=False):
            result = []
            if a.kind != "skip":
                result.append({"from_name": from_name, "to_name": to_name, "type": "choices",
                               "value": {"choices": _labels_of(a.label)}})
            if isinstance(a.note, str) and a.note:
                result.append({"from_name": "note", "to_name": to_name, "type": "textarea",
                               "value": {"text": [a.note]}})
            ann = {"id": int(a.id), "completed_by": {"email": str(a.annotator)}, "result": result,
                   "was_cancelled": a.kind == "skip", "ground_truth": a.kind == "adjudication",
                   "created_at": pd.Timestamp(a.created_at).isoformat()}
            if not pd.isna(a.duration_ms):
                ann["lead_time"] = float(a.duration_ms) / 1000.0
            anns.append(ann)
        tasks.append({"id": n, "data": {to_name: item.text, "item_id": item.item_id}, "annotations": anns})
    return tasks


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
    if format == "label-studio":
        df = store.annotations(round=round, current_only=True, kind=["label", "adjudication", "skip"])
        items = store.items(item_ids=list(dict.fromkeys(df["item_id"]))) if len(df) else store.items()
        _write_text(path_or_buffer, json.dumps(to_label_studio(df, items), ensure_ascii=False, indent=1))
        return len(df)
    df = store.annotations(round=round, current_only=current_only)
    if format == "csv":
        out = neutralize_formulas(df) if neutralize else df
        if hasattr(path_or_buffer, "write"):
            out.to_csv(path_or_buffer, index=False, lineterminator=_CSV_EOL)
        else:
            with _atomic_file(path_or_buffer) as tmp:
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
            with _atomic_file(path_or_buffer) as tmp:
                df.to_parquet(tmp, index=False)
    return len(df)


def _annotator(value: Any, where: str) -> str:
    if isinstance(value, dict):
        for key in ("email", "username", "id"):
            if value.get(key) not in (None, ""):
                return str(value[key]) if key != "id" else f"label-studio-user-{value[key]}"
        raise DataError(f"{where}: cannot tell the annotator from completed_by={str(value)[:80]}; pass annotator=.",
                        reason="bad_label_studio")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"label-studio-user-{value}"
    if value in (None, ""):
        raise DataError(f"{where} has no completed_by; pass annotator= to name the annotator.",
                        reason="bad_label_studio")
    if not isinstance(value, str):
        raise DataError(f"{where}: completed_by must be a user object, id or email; got {type(value).__name__}.",
                        reason="bad_label_studio")
    return value


def _load(path_or_data: Any) -> list:
    """The list of tasks of a Label Studio JSON export (a file, a file object, or the data)."""
    where = "the Label Studio data"
    if isinstance(path_or_data, (list, tuple)):
        data: Any = list(path_or_data)
    else:
        if isinstance(path_or_data, (str, Path)) and Path(path_or_data).is_file():
            where = str(path_or_data)
            raw = Path(path_or_data).read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                line = raw[:exc.start].count(b"\n") + 1
                raise DataError(f"{where}: line {line} is not UTF-8 text (byte {raw[exc.start]:#04x}). Export the "
                                "project again from Label Studio as JSON.", reason="not_utf8") from None
        elif hasattr(path_or_data, "read"):
            text = path_or_data.read()
        else:
            raise DataError(f"import_label_studio needs a JSON file, a file object or a list of tasks; got "
                            f"{str(path_or_data)[:80]!r} (no such file).", reason="missing_file")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = (" The file looks like a CSV export: export the project as JSON." if text.lstrip()[:1] not in
                    "[{" else " The file is cut short or not JSON: export the project again as JSON.")
            raise DataError(f"{where}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}).{hint}",
                            reason="bad_json") from None
        except RecursionError:
            raise DataError(f"{where}: the JSON nests too deeply to be a Label Studio export. Export the "
                            "project again as JSON.", reason="bad_json") from None
    tasks = data if isinstance(data, list) else [data]
    for i, task in enumerate(tasks):
        if not isinstance(task, dict):
            raise DataError(f"{where}: task {i} is a {type(task).__name__}, not a task object ({{\"data\": ...}}). "
                            "Export the project as JSON (not JSON_MIN or CSV).", reason="bad_label_studio")
    return tasks


def _task_data(task: dict, i: int, text_key: str) -> dict:
    data = task.get("data")
    if "data" not in task:
        raise DataError(f"Label Studio task {task.get('id', i)!r} has no 'data' object: this looks like a JSON_MIN "
                        "or CSV-style export. Export the project as JSON.", reason="bad_label_studio")
    if not isinstance(data, dict):
        raise DataError(f"Label Studio task {task.get('id', i)!r} has no data object (got "
                        f"{type(data).__name__}). Export the project as JSON.", reason="bad_label_studio")
    if text_key not in data:
        hint = " Pass text_key= naming the text field."
        raise DataError(f"Label Studio task {task.get('id', i)!r} has no data[{text_key!r}]; its data keys are "
                        f"{sorted(map(str, data))}.{hint}", reason="missing_column")
    if not isinstance(data[text_key], str):
        raise DataError(f"Label Studio task {task.get('id', i)!r}: data[{text_key!r}] must be text; got "
                        f"{type(data[text_key]).__name__}.", reason="bad_label_studio")
    return data


def _item_id(data: dict, id_key: str, text: str) -> str:
    value = data.get(id_key)
    return str(value) if value not in (None, "") else item_id_for(text)


def label_studio_items(tasks: list, *, text_key: str = "text", id_key: str = "item_id") -> pd.DataFrame:
    """``item_id, text`` of every task (also those nobody annotated yet).

    One id with two different texts is a :class:`~workbench.exceptions.DataError`.
    """
    rows = []
    for i, task in enumerate(tasks):
        data = _task_data(task, i, text_key)
        text = data[text_key]
        rows.append((_item_id(data, id_key, text), text))
    df = pd.DataFrame(rows, columns=["item_id", "text"])
    kept, _ = drop_repeated_ids(df, compare="text", caller="import_label_studio", stacklevel=3,
                                fix="Give each task its own data[id_key], or import without id_key so the text is hashed.")
    return kept.reset_index(drop=True)


def _choices(res: dict, where: str) -> list:
    value = res.get("value")
    choices = value.get("choices") if isinstance(value, dict) else None
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise DataError(f"{where}: value.choices must be a list of label strings, e.g. [\"refund\"]; got "
                        f"{str(choices)[:60]!r}.", reason="bad_label_studio")
    return choices


def parse_label_studio(tasks: Any, *, from_name: Optional[str] = None, text_key: str = "text",
                       id_key: str = "item_id", annotator: Optional[str] = None) -> pd.DataFrame:
    """Rows ``item_id, text, annotator, label, note, duration_ms, kind, created_at, source_key`` of Label
    Studio tasks.

    ``label`` is a str for one choice, a list for several. Tasks without ``data[id_key]``
    get the id ``sha1(text)[:12]`` (as :func:`workbench.items.read_items`). ``source_key``
    is the sha256 of the annotation as exported (so a re-import is recognised, and an
    annotation edited in Label Studio comes back as a correction).
    """
    rows = []
    for i, task in enumerate(tasks if isinstance(tasks, list) else _load(tasks)):
        if not isinstance(task, dict):
            raise DataError(f"Label Studio task {i} is a {type(task).__name__}, not a task object.",
                            reason="bad_label_studio")
        data = _task_data(task, i, text_key)
        text = data[text_key]
        item_id = _item_id(data, id_key, text)
        annotations = task.get("annotations") or []
        if not isinstance(annotations, list):
            raise DataError(f"Label Studio task {task.get('id', i)!r}: 'annotations' must be a list; got "
                            f"{type(annotations).__name__}.", reason="bad_label_studio")
        for j, ann in enumerate(annotations):
            where = f"Label Studio task {task.get('id', i)!r}, annotation {ann.get('id', j) if isinstance(ann, dict) else j!r}"
            if not isinstance(ann, dict) or not isinstance(ann.get("result") or [], list):
                raise DataError(f"{where}: an annotation must be an object with a 'result' list.",
                                reason="bad_label_studio")
            choices, note = None, None
            for res in ann.get("result") or []:
                if not isinstance(res, dict):
                    raise DataError(f"{where}: every result must be an object; got {type(res).__name__}.",
                                    reason="bad_label_studio")
                if res.get("type") == "choices" and (from_name is None or res.get("from_name") == from_name):
                    choices = _choices(res, where)
                elif res.get("type") == "textarea":
                    texts = (res.get("value") or {}).get("text") if isinstance(res.get("value"), dict) else None
                    if isinstance(texts, str):
                        texts = [texts]
                    note = " ".join(str(t) for t in texts or []) or None
            if ann.get("was_cancelled"):
                kind, label = "skip", None
            elif choices is None:
                continue  # not a classification annotation (or another control)
            else:
                kind = "adjudication" if ann.get("ground_truth") else "label"
                label = choices[0] if len(choices) == 1 else choices
            lead = ann.get("lead_time")
            if lead is not None and (isinstance(lead, bool) or not isinstance(lead, (int, float))):
                raise DataError(f"{where}: lead_time must be a number of seconds; got {lead!r}.",
                                reason="bad_label_studio")
            key = hashlib.sha256(json.dumps(["label-studio", item_id, ann], sort_keys=True, default=str,
                                            ensure_ascii=False).encode("utf-8")).hexdigest()
            rows.append({"item_id": item_id, "text": text,
                         "annotator": annotator or _annotator(ann.get("completed_by"), where),
                         "label": label, "note": note,
                         "duration_ms": None if lead is None else float(lead) * 1000,
                         "kind": kind, "created_at": ann.get("created_at"), "ls_id": ann.get("id"),
                         "source_key": key})
    df = pd.DataFrame(rows, columns=["item_id", "text", "annotator", "label", "note", "duration_ms", "kind",
                                     "created_at", "ls_id", "source_key"])
    order = pd.to_datetime(df["created_at"].astype(object).where(df["created_at"].map(
        lambda v: isinstance(v, str)), None), utc=True, errors="coerce", format="ISO8601")
    df = df.assign(_t=order, _ls=pd.to_numeric(df["ls_id"], errors="coerce"))
    df = df.sort_values(["_t", "_ls"], kind="stable", na_position="first")
    return df.drop(columns=["_t", "_ls", "ls_id"]).reset_index(drop=True)


def import_label_studio(store, path_or_data: Any, *, round: int, from_name: Optional[str] = None,
                        text_key: str = "text", id_key: str = "item_id", annotator: Optional[str] = None,
                        dataset: Optional[str] = None, add_items: bool = True):
    """Import a Label Studio classification export into ``round``; return an :class:`ImportResult`.

    Everything is checked first (task shape, labels against the round's taxonomy) and then
    items and annotations are written in one transaction, oldest first, so the newest Label
    Studio answer becomes current; when anything fails nothing is stored. Importing the same
    export again adds nothing (``annotations_existing`` says how many were there).
    """
    tasks = _load(path_or_data)
    df = parse_label_studio(tasks, from_name=from_name, text_key=text_key, id_key=id_key, annotator=annotator)
    items = label_studio_items(tasks, text_key=text_key, id_key=id_key) if add_items else None
    if items is not None and dataset is not None:
        items = items.assign(dataset=str(dataset))
    rows = df.drop(columns=["text", "created_at"]).to_dict("records")
    source = str(path_or_data) if isinstance(path_or_data, (str, Path)) else "label-studio"
    return import_batch(store, items=items, annotations=rows, round=round, source=source)


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
        if "unsure" in row:
            row["unsure"] = _flag(row["unsure"], f"{where}, row {n}")
        rows.append(row)
    keyed = with_source_keys(rows, namespace="annotations", round=round)
    try:
        return import_batch(store, annotations=keyed, round=round, source=Path(str(path)).name)
    except DataError as exc:
        raise DataError(f"{where}: {exc}", reason=getattr(exc, "reason", None)) from exc
