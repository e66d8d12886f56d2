"""Workbench annotations as Label Studio tasks that a Label Studio server imports unchanged.

Label Studio accepts an annotation's ``completed_by`` only as ``{"email": ...}`` or the user id
of a member of the project's organisation, so annotator names go through an :class:`~workbench.interop.AnnotatorMap`
(name -> email, and the Label Studio user id when known). Every judgement keeps what Label
Studio has a place for: the label as ``choices`` (or ``taxonomy`` paths for a hierarchy),
the note as a ``textarea`` named ``note``, the unsure flag as a ``choices`` named ``unsure``,
the duration as ``lead_time`` (seconds), the time as ``created_at`` and, because Label Studio
replaces that with the import time, also as a ``textarea`` result named ``created_at``; skips are
``was_cancelled``; adjudications are ``ground_truth``. The item id travels in
``data["item_id"]``, the row id as the annotation ``id`` (Label Studio keeps it as
``import_id``, so an unchanged annotation is recognised when it comes back). :func:`~workbench.interop.label_studio_config` writes the matching config.

Examples
--------
>>> import pandas as pd
>>> anns = pd.DataFrame({"id": [1], "item_id": ["m1"], "annotator": ["ana"], "label": ["refund"], "kind": ["label"],
...                      "unsure": [True], "note": ["maybe"], "duration_ms": [2500],
...                      "created_at": [pd.Timestamp("2026-11-01 10:00", tz="UTC")]})
>>> task = to_label_studio(anns, pd.DataFrame({"item_id": ["m1"], "text": ["refund please"]}))[0]
>>> ann = task["annotations"][0]
>>> ann["completed_by"], ann["lead_time"], [r["from_name"] for r in ann["result"]]
({'email': 'ana@workbench.local'}, 2.5, ['label', 'unsure', 'note', 'created_at'])
"""

from __future__ import annotations

import json
from typing import Any, List, Optional

import pandas as pd

from ._annotators import AnnotatorMap
from ._ls_config import CREATED_FROM, LABEL_FROM, NOTE_FROM, UNSURE_FROM

__all__ = ["to_label_studio", "EXPORT_KINDS"]

#: Kinds :func:`to_label_studio` writes (others have no Label Studio counterpart in a text project).
EXPORT_KINDS = ("label", "adjudication", "skip")


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


def _label_result(labels: List[str], taxonomy, to_name: str) -> dict:
    if taxonomy is not None and taxonomy.groups:
        paths = [list(taxonomy.ancestors(label)) + [label] for label in labels]  # top level down
        return {"from_name": LABEL_FROM, "to_name": to_name, "type": "taxonomy", "value": {"taxonomy": paths}}
    return {"from_name": LABEL_FROM, "to_name": to_name, "type": "choices", "value": {"choices": labels}}


def to_label_studio(annotations: pd.DataFrame, items: pd.DataFrame, *, annotators: Optional[AnnotatorMap] = None,
                    taxonomy=None, to_name: str = "text", user_ids: bool = False) -> list:
    """Label Studio tasks (a JSON-ready list) of ``items`` with their ``annotations``.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Current rows of kinds ``label``, ``adjudication``, ``skip`` (as ``store.annotations()``).
    items : pandas.DataFrame
        ``item_id, text`` of every item to export (items nobody labeled become empty tasks).
    annotators : AnnotatorMap, optional
        Names to Label Studio users; the documented default when None.
    taxonomy : Taxonomy, optional
        With a hierarchy, labels are written as ``taxonomy`` paths (group, ..., leaf).
    user_ids : bool, default=False
        Write ``completed_by`` as the Label Studio user id (needs ids in ``annotators``)
        instead of the email.
    """
    annotators = annotators or AnnotatorMap()
    by_id = {email.lower(): uid for uid, email in annotators.ids.items()}
    by_item = {k: g for k, g in annotations.groupby("item_id", sort=False)}
    tasks = []
    for item in items.itertuples(index=False):
        anns = []
        for a in by_item.get(item.item_id, annotations.iloc[:0]).itertuples(index=False):
            result = []
            if a.kind != "skip":
                result.append(_label_result(_labels_of(a.label), taxonomy, to_name))
            if bool(getattr(a, "unsure", False)) is True:
                result.append({"from_name": UNSURE_FROM, "to_name": to_name, "type": "choices",
                               "value": {"choices": ["unsure"]}})
            note = getattr(a, "note", None)
            if isinstance(note, str) and note:
                result.append({"from_name": NOTE_FROM, "to_name": to_name, "type": "textarea",
                               "value": {"text": [note]}})
            email = annotators.email(a.annotator)
            created = pd.Timestamp(a.created_at).isoformat()
            # Label Studio sets created_at to the import time but keeps result entries: the time travels in one
            result.append({"from_name": CREATED_FROM, "to_name": to_name, "type": "textarea",
                           "value": {"text": [created]}})
            who = by_id.get(email.lower()) if user_ids else None
            ann = {"id": int(a.id), "completed_by": who if who is not None else {"email": email}, "result": result,
                   "was_cancelled": a.kind == "skip", "ground_truth": a.kind == "adjudication",
                   "created_at": created}
            duration = getattr(a, "duration_ms", None)
            if duration is not None and not pd.isna(duration):
                ann["lead_time"] = float(duration) / 1000.0
            anns.append(ann)
        tasks.append({"data": {to_name: item.text, "item_id": item.item_id}, "annotations": anns})
    return tasks
