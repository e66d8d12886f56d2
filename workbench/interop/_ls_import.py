"""Label Studio exports (JSON, JSON_MIN, CSV) into workbench annotation rows.

Every Label Studio annotation becomes one row per workbench kind it holds:

=================================  ===========================================================
Label Studio result (tag)          workbench row
=================================  ===========================================================
``choices`` (Choices)              ``label``: one id, or a list for ``choice="multiple"``
``taxonomy`` (Taxonomy)            ``label``: the leaf id of each path, checked against the hierarchy
``labels`` (Labels)                ``spans``: ``[{"start", "end", "label", "text"}]`` (character offsets)
``rectanglelabels``                ``boxes``: ``[{"x", "y", "w", "h", "label"}]`` in image pixels
``pairwise`` (Pairwise)            ``pairwise``: ``{"choice": "a"|"b", "ranking": [...], "tie": false}``
``ranker`` (Ranker)                ``pairwise`` with the full ``ranking``
``rating`` / ``number``            ``rubric``: ``{control name: value}``
``textarea`` (TextArea)            the row's ``note``
``choices`` named ``unsure``       the row's ``unsure`` flag
``was_cancelled``                  ``skip``
``ground_truth``                   kept as the labeler's ``label`` (default) or ``adjudication``
``predictions``                    counted and reported as ignored
=================================  ===========================================================

Any other result type (polygons, key points, brushes, relations, ...) is an error naming it:
nothing is dropped silently.

Examples
--------
>>> tasks = [{"id": 1, "data": {"text": "refund please", "item_id": "m1"}, "annotations": [
...     {"id": 7, "completed_by": {"email": "ana@workbench.local"}, "lead_time": 2.5,
...      "result": [{"type": "choices", "from_name": "label", "to_name": "text", "value": {"choices": ["refund"]}},
...                 {"type": "choices", "from_name": "unsure", "to_name": "text", "value": {"choices": ["unsure"]}}]}]}]
>>> parsed = parse_label_studio_export(tasks)
>>> [(r["annotator"], r["kind"], r["label"], r["unsure"], r["duration_ms"]) for r in parsed.rows]
[('ana', 'label', 'refund', True, 2500.0)]
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import pandas as pd

from ..exceptions import DataError
from ..items import item_id_for
from ._annotators import AnnotatorMap
from ._ls_config import CREATED_FROM, LABEL_FROM, NOTE_FROM, UNSURE_FROM

__all__ = ["parse_label_studio_export", "read_label_studio_file", "LabelStudioExport", "FORMATS"]

#: Label Studio export formats this module reads.
FORMATS = ("label-studio", "label-studio-min", "label-studio-csv")
_UNSUPPORTED_HINT = ("The workbench reads choices, taxonomy, labels (spans), rectanglelabels (boxes), pairwise, "
                     "ranker, rating, number and textarea results. Remove that control from the export, or "
                     "label it with a supported one.")
_META_KEYS = {"id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "data", "drafts",
              "predictions", "annotations", "total_annotations", "cancelled_annotations", "total_predictions",
              "inner_id", "project", "file_upload", "meta", "updated_by", "comment_count", "unresolved_comment_count",
              "last_comment_updated_at", "comment_authors", "agreement", "storage_filename", "draft_exists",
              "is_labeled", "annotations_results", "annotations_ids", "predictions_score", "predictions_results",
              "predictions_model_versions", "completed_at", "annotators", "ground_truth", "was_cancelled"}


@dataclass
class LabelStudioExport:
    """What an export holds: the items, the annotation rows, and what was left out (and why)."""

    items: pd.DataFrame
    rows: List[dict]
    ignored: Dict[str, int] = field(default_factory=dict)


def _text(task_data: dict, text_key: str, where: str) -> str:
    if text_key not in task_data:
        raise DataError(f"{where} has no data[{text_key!r}]; its data keys are {sorted(map(str, task_data))}. Pass "
                        "text_key= (--text-key) naming the text field.", reason="missing_column")
    value = task_data[text_key]
    if not isinstance(value, str):
        raise DataError(f"{where}: data[{text_key!r}] must be text; got {type(value).__name__}.",
                        reason="bad_label_studio")
    return value


def _list_of_str(value: Any, what: str, where: str) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(f"{where}: {what} must be a list of label strings, e.g. [\"refund\"]; got "
                        f"{str(value)[:60]!r}.", reason="bad_label_studio")
    return value


def _box(value: dict, where: str) -> dict:
    try:
        width, height = float(value["original_width"]), float(value["original_height"])
        x, y, w, h = (float(value[k]) for k in ("x", "y", "width", "height"))
    except (KeyError, TypeError, ValueError):
        raise DataError(f"{where}: a rectangle needs x, y, width, height (percent) and original_width / "
                        "original_height (pixels); export the project as JSON.", reason="bad_label_studio") from None
    labels = _list_of_str(value.get("rectanglelabels"), "rectanglelabels", where)
    return {"x": round(x * width / 100, 2), "y": round(y * height / 100, 2), "w": round(w * width / 100, 2),
            "h": round(h * height / 100, 2), "label": labels[0] if labels else None}


def _fold_results(results: List[dict], where: str, controls: Dict[str, str]) -> Dict[str, Any]:
    """The workbench parts of one annotation's results: label, spans, boxes, pairwise, rubric, note, unsure."""
    out: Dict[str, Any] = {"spans": [], "boxes": [], "rubric": {}}
    for res in results:
        if not isinstance(res, dict):
            raise DataError(f"{where}: every result must be an object; got {type(res).__name__}.",
                            reason="bad_label_studio")
        kind, name = str(res.get("type", "")).lower(), res.get("from_name")
        value = res.get("value") if isinstance(res.get("value"), dict) else None
        if value is None:
            raise DataError(f"{where}: result {name!r} has no value object.", reason="bad_label_studio")
        if kind == "choices" and (name == UNSURE_FROM or controls.get(name) == "unsure"):
            out["unsure"] = bool(_list_of_str(value.get("choices"), "value.choices", where))
        elif kind == "choices":
            choices = _list_of_str(value.get("choices"), "value.choices", where)
            out["label"] = choices[0] if len(choices) == 1 else choices
        elif kind == "taxonomy":
            paths = value.get("taxonomy")
            if not isinstance(paths, list) or not all(isinstance(p, list) and p for p in paths):
                raise DataError(f"{where}: value.taxonomy must be a list of paths, e.g. [[\"billing\", \"refund\"]].",
                                reason="bad_label_studio")
            leaves = [str(p[-1]) for p in paths]
            out["label"] = leaves[0] if len(leaves) == 1 else leaves
        elif kind == "labels":
            labels = _list_of_str(value.get("labels"), "value.labels", where)
            if not isinstance(value.get("start"), int) or not isinstance(value.get("end"), int):
                raise DataError(f"{where}: a span needs integer start and end (character offsets); got "
                                f"{value.get('start')!r}, {value.get('end')!r}.", reason="bad_label_studio")
            out["spans"].append({"start": value["start"], "end": value["end"], "label": labels[0] if labels else None,
                                 "text": value.get("text")})
        elif kind == "rectanglelabels":
            out["boxes"].append(_box(value, where))
        elif kind == "pairwise":
            side = value.get("selected")
            if side not in ("left", "right"):
                raise DataError(f"{where}: pairwise value.selected must be 'left' or 'right'; got {side!r}.",
                                reason="bad_label_studio")
            best = "a" if side == "left" else "b"
            out["pairwise"] = {"choice": best, "ranking": [best, "b" if best == "a" else "a"], "tie": False}
        elif kind == "ranker":
            ranking = value.get("ranker")
            order = next(iter(ranking.values())) if isinstance(ranking, dict) and ranking else ranking
            order = _list_of_str(order, "value.ranker", where)
            out["pairwise"] = {"choice": order[0] if order else None, "ranking": order, "tie": False}
        elif kind in ("rating", "number"):
            score = value.get(kind)
            if isinstance(score, bool) or not isinstance(score, (int, float)):
                raise DataError(f"{where}: value.{kind} must be a number; got {score!r}.", reason="bad_label_studio")
            out["rubric"][str(name)] = score
        elif kind == "textarea" and name == CREATED_FROM:
            texts = value.get("text")
            out["created_at"] = texts[0] if isinstance(texts, list) and texts and isinstance(texts[0], str) else None
        elif kind == "textarea":
            texts = value.get("text")
            texts = [texts] if isinstance(texts, str) else texts
            if not isinstance(texts, list):
                raise DataError(f"{where}: value.text must be a list of strings.", reason="bad_label_studio")
            out["note"] = " ".join(str(t) for t in texts) or None
        else:
            raise DataError(f"{where}: Label Studio result type {res.get('type')!r} (control {name!r}) is not "
                            f"supported. {_UNSUPPORTED_HINT}", reason="unsupported_tag")
    return out


def _rows_of(parts: Dict[str, Any], base: dict, cancelled: bool, ground_truth: str) -> List[dict]:
    label_kind = "adjudication" if base.pop("_ground_truth") and ground_truth == "adjudication" else "label"
    if cancelled:
        return [dict(base, kind="skip", label=None)]
    rows = []
    if "label" in parts:
        rows.append(dict(base, kind=label_kind, label=parts["label"]))
    if parts["spans"]:
        rows.append(dict(base, kind="spans", label=parts["spans"]))
    if parts["boxes"]:
        rows.append(dict(base, kind="boxes", label=parts["boxes"]))
    if "pairwise" in parts:
        rows.append(dict(base, kind="pairwise", label=parts["pairwise"]))
    if parts["rubric"]:
        rows.append(dict(base, kind="rubric", label=parts["rubric"]))
    return rows


def _ours(task: dict) -> bool:
    """A task the workbench wrote (its data carries our item id), not one Label Studio re-numbered."""
    return "item_id" in (task.get("data") or {}) and "project" not in task and "inner_id" not in task


def _key(item_id: str, annotation: Any) -> str:
    payload = json.dumps(["label-studio", item_id, annotation], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def parse_label_studio_export(tasks: List[dict], *, annotators: Optional[AnnotatorMap] = None,
                              text_key: str = "text", id_key: str = "item_id", ground_truth: str = "label",
                              controls: Optional[Dict[str, str]] = None) -> LabelStudioExport:
    """Items and annotation rows of a Label Studio JSON export (a list of tasks).

    Parameters
    ----------
    tasks : list of dict
        The JSON export (``[{"id", "data", "annotations", "predictions"}, ...]``).
    annotators : AnnotatorMap, optional
        Maps ``completed_by`` back to workbench names (default map when None).
    text_key, id_key : str
        Task data fields of the item text and id (without an id the text is hashed).
    ground_truth : {'label', 'adjudication'}, default='label'
        A ground-truth star keeps the annotation as its labeler's ``label`` (marked in the
        import record) or turns it into an ``adjudication``.
    controls : dict, optional
        ``{control name: 'unsure'}`` for check boxes named otherwise than ``unsure``.
    """
    if ground_truth not in ("label", "adjudication"):
        raise DataError(f"ground_truth must be 'label' or 'adjudication'; got {ground_truth!r}.",
                        reason="bad_option")
    annotators = annotators or AnnotatorMap()
    controls = controls or {}
    items, rows, ignored = [], [], {"predictions": 0, "drafts": 0}
    seen_text: Dict[str, tuple] = {}
    for i, task in enumerate(tasks):
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise DataError(f"Label Studio task {i} has no data object: this looks like a JSON_MIN or CSV export. "
                            "Pass format='label-studio-min' / 'label-studio-csv', or export the project as JSON.",
                            reason="bad_label_studio")
        where_task = f"Label Studio task {task.get('id', i)!r}"
        text = _text(task["data"], text_key, where_task)
        raw_id = task["data"].get(id_key)
        item_id = str(raw_id) if raw_id not in (None, "") else item_id_for(text)
        if item_id in seen_text and seen_text[item_id][0] != text:
            raise DataError(f"{where_task}: item id {item_id!r} is used for two different texts (also in task "
                            f"{seen_text[item_id][1]!r}). Give each task its own data[{id_key!r}].",
                            reason="duplicate_id")
        if item_id not in seen_text:
            seen_text[item_id] = (text, task.get("id", i))
            items.append((item_id, text))
        ignored["predictions"] += len(task.get("predictions") or [])
        ignored["drafts"] += len(task.get("drafts") or [])
        annotations = task.get("annotations") or []
        if not isinstance(annotations, list):
            raise DataError(f"{where_task}: 'annotations' must be a list; got {type(annotations).__name__}.",
                            reason="bad_label_studio")
        for j, ann in enumerate(annotations):
            where = f"{where_task}, annotation {ann.get('id', j) if isinstance(ann, dict) else j!r}"
            if not isinstance(ann, dict) or not isinstance(ann.get("result") or [], list):
                raise DataError(f"{where}: an annotation must be an object with a 'result' list.",
                                reason="bad_label_studio")
            parts = _fold_results(ann.get("result") or [], where, controls)
            lead = ann.get("lead_time")
            if lead is not None and (isinstance(lead, bool) or not isinstance(lead, (int, float))):
                raise DataError(f"{where}: lead_time must be a number of seconds; got {lead!r}.",
                                reason="bad_label_studio")
            base = {"item_id": item_id, "annotator": annotators.resolve(ann.get("completed_by"), where=where),
                    "note": parts.get("note"), "unsure": parts.get("unsure", False),
                    "duration_ms": None if lead is None else float(lead) * 1000,
                    "created_at": parts.get("created_at") or ann.get("created_at"), "_order": (parts.get("created_at") or ann.get("created_at") or "", ann.get("id") or 0),
                    "_ground_truth": bool(ann.get("ground_truth")),
                    # our row id: Label Studio keeps it as import_id; a file we wrote has it as id
                    "origin_id": ann.get("import_id") if ann.get("import_id") is not None else
                    (ann.get("id") if "completed_by" in ann and "import_id" not in ann and _ours(task) else None),
                    "source_meta": {"label_studio_id": ann.get("id"), "ground_truth": bool(ann.get("ground_truth")),
                                    "updated_at": ann.get("updated_at")}}
            new = _rows_of(parts, base, bool(ann.get("was_cancelled")), ground_truth)
            if not new:
                raise DataError(f"{where} holds no result the workbench can store (an empty annotation). Submit or "
                                "cancel it in Label Studio, or delete it; for a JSON_MIN or CSV export, pass the "
                                "project's labeling config (--label-config) so every control column is read.",
                                reason="empty_annotation")
            key = _key(item_id, ann)
            for n, row in enumerate(new):
                row["source_key"] = hashlib.sha256(f"{key}#{row['kind']}#{n}".encode()).hexdigest()
            rows.extend(new)
    rows.sort(key=lambda r: (str(r["_order"][0]), r["_order"][1] if isinstance(r["_order"][1], int) else 0))
    for r in rows:
        r.pop("_order")
    ignored = {k: v for k, v in ignored.items() if v}
    return LabelStudioExport(pd.DataFrame(items, columns=["item_id", "text"]), rows, ignored)


def _min_to_tasks(records: List[dict], text_key: str, where: str, controls: Dict[str, str]) -> List[dict]:
    """JSON_MIN / CSV rows (one per annotation, controls as columns) as JSON-export tasks.

    A column is a control result when ``controls`` (read from the labeling config) names it,
    when it is ``label``, ``note`` or ``unsure``, or when its value is not plain text (a list,
    an object, a number). Other text columns are task data.
    """
    tasks: Dict[Any, dict] = {}
    for n, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            raise DataError(f"{where}: record {n} is not an object.", reason="bad_label_studio")
        tid = rec.get("id", n)
        task = tasks.setdefault(tid, {"id": tid, "data": {}, "annotations": []})
        result = []
        for key, value in rec.items():
            if key in _META_KEYS or value in (None, ""):
                continue
            decoded = _decoded(value)
            control = key in controls or key in (LABEL_FROM, NOTE_FROM, UNSURE_FROM) or not isinstance(decoded, str)
            if key == text_key or not control:
                task["data"][key] = value
            else:
                result.extend(_min_result(key, decoded, controls.get(key), where, n))
        if rec.get("annotation_id") not in (None, "") or result:
            task["annotations"].append({"id": rec.get("annotation_id"), "completed_by": rec.get("annotator"),
                                        "created_at": rec.get("created_at"), "updated_at": rec.get("updated_at"),
                                        "lead_time": rec.get("lead_time") if rec.get("lead_time") != "" else None,
                                        "result": result})
    return list(tasks.values())


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)  # the CSV export writes lists and objects as JSON
        except ValueError:
            return value
    return value


def _min_result(name: str, value: Any, tag: Optional[str], where: str, n: int) -> List[dict]:
    """The JSON result(s) of one JSON_MIN column."""
    if tag == "TextArea" or (tag is None and name == NOTE_FROM):
        return [{"type": "textarea", "from_name": name, "value": {"text": value if isinstance(value, list) else [value]}}]
    if name == UNSURE_FROM or tag == "unsure":
        return [{"type": "choices", "from_name": UNSURE_FROM, "value": {"choices": ["unsure"]}}]
    if tag in ("Rating", "Number") or (tag is None and isinstance(value, (int, float)) and not isinstance(value, bool)):
        kind = "number" if tag == "Number" else "rating"
        return [{"type": kind, "from_name": name, "value": {kind: value}}]
    if isinstance(value, str):
        return [{"type": "choices", "from_name": name, "value": {"choices": [value]}}]
    if isinstance(value, dict) and "choices" in value:
        return [{"type": "choices", "from_name": name, "value": {"choices": value["choices"]}}]
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        return [{"type": "taxonomy", "from_name": name, "value": {"taxonomy": value}}]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [{"type": "choices", "from_name": name, "value": {"choices": value}}]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        out = []
        for v in value:
            if "rectanglelabels" in v:
                out.append({"type": "rectanglelabels", "from_name": name, "value": v})
            elif "labels" in v and "start" in v:
                out.append({"type": "labels", "from_name": name, "value": v})
            else:
                raise DataError(f"{where}, record {n}: column {name!r} holds {sorted(v)} objects, a Label Studio "
                                f"result this import does not know. {_UNSUPPORTED_HINT}", reason="unsupported_tag")
        return out
    raise DataError(f"{where}, record {n}: cannot tell what column {name!r} ({str(value)[:40]!r}) holds. Export the "
                    "project as JSON, which names each result's type.", reason="unsupported_tag")


def read_label_studio_file(path: Any, *, format: Optional[str] = None, text_key: str = "text",
                           controls: Optional[Dict[str, str]] = None) -> List[dict]:
    """The tasks of a Label Studio export file, in JSON-export form, whatever its format.

    ``format``: ``label-studio`` (JSON), ``label-studio-min`` (JSON_MIN) or ``label-studio-csv``;
    by default JSON_MIN is told from JSON by its records (no ``data``), CSV by the suffix.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise DataError(f"The Label Studio export {path} does not exist. Check the path.", reason="missing_file")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataError(f"{where}: line {line} is not UTF-8 text (byte {raw[exc.start]:#04x}). Export the project "
                        "again from Label Studio.", reason="not_utf8") from None
    fmt = format or ("label-studio-csv" if path.suffix.lower() in (".csv", ".tsv") else None)
    controls = controls or {}
    if fmt == "label-studio-csv":
        reader = csv.DictReader(io.StringIO(text), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        try:
            records = list(reader)
        except csv.Error as exc:
            raise DataError(f"{where} line {reader.line_num}: not a readable CSV ({exc}).", reason="bad_csv") from None
        if not records or text_key not in records[0]:
            raise DataError(f"{where} has no {text_key!r} column (columns: {list(records[0]) if records else []}). "
                            "Pass --text-key, or export as JSON.", reason="missing_column")
        for rec in records:
            if rec.get("lead_time") not in (None, ""):
                try:
                    rec["lead_time"] = float(rec["lead_time"])
                except ValueError:
                    pass
            if str(rec.get("annotator", "")).isdigit():
                rec["annotator"] = int(rec["annotator"])
        return _min_to_tasks(records, text_key, where, controls)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        hint = (" The file looks like a CSV export: pass format='label-studio-csv'." if text.lstrip()[:1] not in "[{"
                else " The file is cut short or not JSON: export the project again.")
        raise DataError(f"{where}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}).{hint}",
                        reason="bad_json") from None
    except RecursionError:
        raise DataError(f"{where}: the JSON nests too deeply to be a Label Studio export. Export the project again.",
                        reason="bad_json") from None
    records = data if isinstance(data, list) else [data]
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise DataError(f"{where}: task {i} is a {type(rec).__name__}, not a task object ({{\"data\": ...}}).",
                            reason="bad_label_studio")
    is_min = fmt == "label-studio-min" or (fmt is None and records and all("data" not in r for r in records))
    return _min_to_tasks(records, text_key, where, controls) if is_min else records
