"""Moving a round between the workbench and Label Studio, both ways.

:func:`export_label_studio` writes a round as Label Studio tasks (JSON) that a Label Studio
project imports unchanged, and :func:`import_label_studio` reads a Label Studio export (JSON,
JSON_MIN or CSV) back into a round: checked completely first, written in one transaction,
and idempotent (the same export imported twice adds nothing; an annotation edited in Label
Studio comes back as a correction). The tag mapping is in :mod:`workbench.interop._ls_import`;
``docs/interop.md`` has the commands a team runs.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> store = AnnotationStore.example()
>>> tasks = [{"data": {"text": "Refund!", "item_id": "m9"}, "annotations": [{"completed_by": "kim@x.org",
...           "result": [{"type": "choices", "from_name": "label", "value": {"choices": ["refund"]}}]}]}]
>>> import_label_studio(store, tasks, round=1).summary()
'1 new item; 1 new annotation'
>>> import_label_studio(store, tasks, round=1).summary()
'0 new items, 1 already there; 0 new annotations, 1 already there'
>>> store.annotations()[["item_id", "annotator", "label"]].values.tolist()
[['m9', 'kim@x.org', 'refund']]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from .._internal.files import atomic_file
from ..exceptions import DataError
from ._annotators import AnnotatorMap
from ._ls_config import config_controls
from ._ls_export import EXPORT_KINDS, to_label_studio
from ._ls_import import FORMATS, parse_label_studio_export, read_label_studio_file

__all__ = ["import_label_studio", "export_label_studio"]


def import_label_studio(store, source: Any, *, round: int, format: Optional[str] = None,
                        annotators: Optional[AnnotatorMap] = None, ground_truth: str = "label",
                        text_key: str = "text", id_key: str = "item_id", label_config: Optional[str] = None,
                        dataset: Optional[str] = None, add_items: bool = True):
    """Import a Label Studio export into ``round`` of ``store``; return an :class:`~workbench.store.ImportResult`.

    Parameters
    ----------
    store : AnnotationStore
    source : path-like or list of dict
        An export file, or the JSON export's tasks.
    round : int
        A round of the store; labels are checked against its taxonomy version.
    format : {'label-studio', 'label-studio-min', 'label-studio-csv'}, optional
        Default: CSV by suffix, JSON_MIN told from JSON by its records.
    annotators : AnnotatorMap, optional
        Label Studio users back to workbench names (never numeric placeholders: an unknown
        user id is an error). Default: the documented default map.
    ground_truth : {'label', 'adjudication'}, default='label'
        What a ground-truth star means (the default keeps it as the labeler's label and
        records the star with the import).
    text_key, id_key : str
        Task data fields of the text and item id.
    label_config : str, optional
        The project's labeling config (XML), to read JSON_MIN / CSV columns exactly.
    dataset : str, optional
        Dataset name of new items.
    add_items : bool, default=True
        Add the export's items (idempotently) in the same transaction.
    """
    if format is not None and format not in FORMATS:
        raise DataError(f"Unknown Label Studio export format {format!r}; use one of {list(FORMATS)}.",
                        reason="bad_option")
    controls = config_controls(label_config) if label_config else {}
    if isinstance(source, (list, tuple)):
        tasks, where = list(source), "label-studio"
    else:
        tasks, where = read_label_studio_file(source, format=format, text_key=text_key, controls=controls), \
            Path(str(source)).name
    parsed = parse_label_studio_export(tasks, annotators=annotators, text_key=text_key, id_key=id_key,
                                       ground_truth=ground_truth, controls=controls)
    items = parsed.items if add_items else None
    if items is not None and dataset is not None:
        items = items.assign(dataset=str(dataset))
    return store.import_records(items=items, annotations=parsed.rows, round=round, source=where,
                                ignored=sorted(parsed.ignored.items()))


def export_label_studio(store, path_or_buffer: Any, *, round: Optional[int] = None,
                        annotators: Optional[AnnotatorMap] = None, user_ids: bool = False) -> int:
    """Write the current labels, adjudications and skips of ``round`` as Label Studio JSON; return the count.

    Each task carries its item id in ``data["item_id"]``; labels of a hierarchical taxonomy
    are ``taxonomy`` paths. Pair the file with :func:`~workbench.interop.label_studio_config`
    of the round's taxonomy.
    """
    if round is not None:
        info = store.round_info(round)
        taxonomy = store.taxonomy(info["taxonomy_version"])
    else:
        versions = store.taxonomy_versions()
        taxonomy = store.taxonomy(versions[-1]) if versions else None
    df = store.annotations(round=round, current_only=True, kind=list(EXPORT_KINDS))
    items = store.items(item_ids=list(dict.fromkeys(df["item_id"]))) if len(df) else store.items()
    text = json.dumps(to_label_studio(df, items, annotators=annotators, taxonomy=taxonomy, user_ids=user_ids),
                      ensure_ascii=False, indent=1)
    if hasattr(path_or_buffer, "write"):
        path_or_buffer.write(text)
    else:
        with atomic_file(path_or_buffer) as tmp:
            tmp.write_text(text, encoding="utf-8")
    return len(df)
