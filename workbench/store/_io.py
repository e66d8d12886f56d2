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

import json
from pathlib import Path
from typing import Any, List, Optional

import pandas as pd

from .._internal.optional import import_optional
from .._internal.validation import check_option
from ..exceptions import DataError
from ..items import item_id_for

__all__ = ["export_annotations", "to_label_studio", "parse_label_studio", "label_studio_items", "import_label_studio", "FORMATS"]

FORMATS = ("csv", "jsonl", "parquet", "label-studio")


def _write_text(path_or_buffer: Any, text: str) -> None:
    if hasattr(path_or_buffer, "write"):
        path_or_buffer.write(text)
    else:
        Path(path_or_buffer).write_text(text, encoding="utf-8")


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
                       current_only: bool = True) -> None:
    """Write ``store.annotations(round=round, current_only=current_only)`` in ``format``."""
    check_option(format, FORMATS, param="format", caller="export")
    if format == "label-studio":
        df = store.annotations(round=round, current_only=True, kind=["label", "adjudication", "skip"])
        items = store.items(item_ids=list(dict.fromkeys(df["item_id"]))) if len(df) else store.items()
        _write_text(path_or_buffer, json.dumps(to_label_studio(df, items), ensure_ascii=False, indent=1))
        return
    df = store.annotations(round=round, current_only=current_only)
    if format == "csv":
        if hasattr(path_or_buffer, "write"):
            df.to_csv(path_or_buffer, index=False)
        else:
            df.to_csv(path_or_buffer, index=False, encoding="utf-8")
    elif format == "jsonl":
        text = df.to_json(orient="records", lines=True, date_format="iso", date_unit="us",
                                                        force_ascii=False) if len(df) else ""
        _write_text(path_or_buffer, text)
    else:
        import_optional("pyarrow", needed_for="Parquet export (or export format='csv' / 'jsonl')",
                        install="pyarrow>=20")
        df.to_parquet(path_or_buffer, index=False)


def _annotator(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("email", "username", "id"):
            if value.get(key) not in (None, ""):
                return str(value[key]) if key != "id" else f"label-studio-user-{value[key]}"
        raise DataError(f"Cannot tell the annotator from completed_by={value!r}; pass annotator=.")
    if isinstance(value, int):
        return f"label-studio-user-{value}"
    if value in (None, ""):
        raise DataError("A Label Studio annotation has no completed_by; pass annotator= to name the annotator.")
    return str(value)


def _load(path_or_data: Any) -> list:
    if isinstance(path_or_data, (list, tuple)):
        return list(path_or_data)
    if isinstance(path_or_data, (str, Path)) and Path(path_or_data).is_file():
        text = Path(path_or_data).read_text(encoding="utf-8")
    elif hasattr(path_or_data, "read"):
        text = path_or_data.read()
    else:
        raise DataError(f"import_label_studio needs a JSON file, a file object or a list of tasks; got "
                        f"{str(path_or_data)[:80]!r} (no such file).", reason="missing_file")
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def label_studio_items(tasks: list, *, text_key: str = "text", id_key: str = "item_id") -> pd.DataFrame:
    """``item_id, text`` of every task (also those nobody annotated yet)."""
    rows = []
    for task in tasks:
        data = task.get("data") or {}
        if text_key not in data:
            raise DataError(f"Label Studio task {task.get('id')!r} has no data[{text_key!r}]; its data keys are "
                            f"{sorted(data)}. Pass text_key= naming the text field.", reason="missing_column")
        text = str(data[text_key])
        rows.append((str(data[id_key]) if data.get(id_key) not in (None, "") else item_id_for(text), text))
    return pd.DataFrame(rows, columns=["item_id", "text"]).drop_duplicates("item_id")


def parse_label_studio(tasks: Any, *, from_name: Optional[str] = None, text_key: str = "text",
                       id_key: str = "item_id", annotator: Optional[str] = None) -> pd.DataFrame:
    """Rows ``item_id, text, annotator, label, note, duration_ms, kind, created_at`` of Label Studio tasks.

    ``label`` is a str for one choice, a list for several. Tasks without ``data[id_key]``
    get the id ``sha1(text)[:12]`` (as :func:`workbench.items.read_items`).
    """

    rows = []
    for task in tasks if isinstance(tasks, list) else _load(tasks):
        data = task.get("data") or {}
        if text_key not in data:
            raise DataError(f"Label Studio task {task.get('id')!r} has no data[{text_key!r}]; its data keys are "
                            f"{sorted(data)}. Pass text_key= naming the text field.", reason="missing_column")
        text = str(data[text_key])
        item_id = str(data[id_key]) if data.get(id_key) not in (None, "") else item_id_for(text)
        for ann in task.get("annotations") or []:
            choices, note = None, None
            for res in ann.get("result") or []:
                if res.get("type") == "choices" and (from_name is None or res.get("from_name") == from_name):
                    choices = list((res.get("value") or {}).get("choices") or [])
                elif res.get("type") == "textarea":
                    note = " ".join((res.get("value") or {}).get("text") or []) or None
            if ann.get("was_cancelled"):
                kind, label = "skip", None
            elif choices is None:
                continue  # not a classification annotation (or another control)
            else:
                kind = "adjudication" if ann.get("ground_truth") else "label"
                label = choices[0] if len(choices) == 1 else choices
            lead = ann.get("lead_time")
            rows.append({"item_id": item_id, "text": text,
                         "annotator": annotator or _annotator(ann.get("completed_by")),
                         "label": label, "note": note,
                         "duration_ms": None if lead is None else int(round(float(lead) * 1000)),
                         "kind": kind, "created_at": ann.get("created_at"), "ls_id": ann.get("id")})
    df = pd.DataFrame(rows, columns=["item_id", "text", "annotator", "label", "note", "duration_ms", "kind",
                                     "created_at", "ls_id"])
    order = pd.to_datetime(df["created_at"], utc=True, errors="coerce", format="ISO8601")
    df = df.assign(_t=order).sort_values(["_t", "ls_id"], kind="stable", na_position="first")
    return df.drop(columns=["_t", "ls_id"]).reset_index(drop=True)


def import_label_studio(store, path_or_data: Any, *, round: int, from_name: Optional[str] = None,
                        text_key: str = "text", id_key: str = "item_id", annotator: Optional[str] = None,
                        dataset: Optional[str] = None, add_items: bool = True) -> List[int]:
    """Import a Label Studio classification export into ``round``; return the new annotation ids.

    Items are added first (idempotently) unless ``add_items=False``; labels are checked
    against the round's taxonomy like :meth:`AnnotationStore.record`; all rows are written
    in one transaction, oldest first, so the newest Label Studio answer becomes current.
    """
    tasks = _load(path_or_data)
    df = parse_label_studio(tasks, from_name=from_name, text_key=text_key, id_key=id_key, annotator=annotator)
    if add_items:
        store.add_items(label_studio_items(tasks, text_key=text_key, id_key=id_key), dataset=dataset)
    if df.empty:
        return []
    return store.record_many(df.drop(columns=["text", "created_at"]), round=round)
