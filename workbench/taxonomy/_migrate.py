"""Replaying changelog operations on labels (the engine behind :meth:`Taxonomy.migrate`).

A label follows ``rename`` and ``merge`` operations; a label of a ``split`` category stops
with status ``needs_relabel`` (its parts, carried through later changes, as ``candidates``;
never a guess); so does a label whose category has since become a group (its leaf labels as
``candidates``); a label of a ``retire``\\ d category stops with status ``retired``. Multi-label values (list / tuple / set,
or a JSON list string as the store returns them) migrate element by element and keep their
form.

Examples
--------
>>> from workbench.taxonomy import Taxonomy, Category
>>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")])
>>> t2 = t.apply({"op": "rename", "category": "a", "to": "x"}).apply({"op": "merge", "categories": ["x", "b"],
...                                                                  "into": "y", "definition": "Y."})
>>> t2.migrate(['["a", "b"]', "a"], 1).migrated_label.tolist()
['["y"]', 'y']
"""

from __future__ import annotations

import json
import math
from typing import Any, Dict, Iterable, List, Optional, Tuple

from .._internal.validation import check_positive_int
from ..exceptions import TaxonomyError

__all__ = ["migrate_labels", "STATUSES"]

#: Statuses from best to worst; a multi-label value takes the worst of its elements.
STATUSES = ("unchanged", "renamed", "merged", "retired", "needs_relabel", "unknown", "missing")
_RANK = {s: i for i, s in enumerate(STATUSES)}
_STOP = {"retired", "needs_relabel", "unknown", "missing"}


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return isinstance(value, float) and math.isnan(value)
    except TypeError:  # pragma: no cover - defensive
        return False


def _ops_between(taxonomy, from_version: int, to_version: int) -> List[dict]:
    entries = sorted((e for e in taxonomy.changelog if from_version < e.version <= to_version),
                     key=lambda e: e.version)
    missing = sorted(set(range(from_version + 1, to_version + 1)) - {e.version for e in entries})
    if missing:
        raise TaxonomyError([f"cannot migrate labels from v{from_version} to v{to_version}: the changelog of "
                             f"{taxonomy.name!r} v{taxonomy.version} has no entry for version(s) {missing}. "
                             "Add the entries (Taxonomy.apply writes them) so the changes can be replayed."],
                            source=taxonomy.source)
    return [op for e in entries for op in e.changes]


def _parts(op: dict) -> List[str]:
    return [p if isinstance(p, str) else p["id"] for p in op["into"]]


def _advance(cands: List[str], op: dict) -> List[str]:
    """Carry split candidates through a later operation."""
    kind, out = op.get("op"), []
    for c in cands:
        if kind == "rename" and c == op.get("category"):
            out.append(op["to"])
        elif kind == "merge" and c in op.get("categories", ()):
            out.append(op["into"])
        elif kind == "split" and c == op.get("category"):
            out.extend(_parts(op))
        elif not (kind == "retire" and c == op.get("category")):
            out.append(c)
    return out


def _one(label: str, ops: List[dict]) -> Tuple[Optional[str], str, Tuple[str, ...]]:
    cur, status = label, "unchanged"
    cands: Optional[List[str]] = None
    for op in ops:
        kind = op.get("op")
        if cands is not None:
            cands = _advance(cands, op)
        elif kind == "rename" and cur == op.get("category"):
            cur, status = op["to"], max(status, "renamed", key=_RANK.get)
        elif kind == "merge" and cur in op.get("categories", ()) and cur != op.get("into"):
            cur, status = op["into"], max(status, "merged", key=_RANK.get)
        elif kind == "split" and cur == op.get("category"):
            cands = _parts(op)
        elif kind == "retire" and cur == op.get("category"):
            return None, "retired", ()
    if cands is not None:
        return None, "needs_relabel", tuple(dict.fromkeys(cands))
    return cur, status, ()


def _parse_multi(value: Any) -> Optional[Tuple[list, str]]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value), "tuple"
    if isinstance(value, str) and value.startswith("["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        if isinstance(parsed, list):
            return parsed, "json"
    return None


def migrate_labels(taxonomy, labels: Any, from_version: int, to_version: Optional[int] = None, *,
                   old_labels: Optional[Iterable[str]] = None):
    """Migrate ``labels`` through ``taxonomy``'s changelog; see :meth:`Taxonomy.migrate`."""
    import numpy as np
    import pandas as pd

    to_version = taxonomy.version if to_version is None else to_version
    from_version = check_positive_int(from_version, param="from_version", caller="Taxonomy.migrate", minimum=0)
    to_version = check_positive_int(to_version, param="to_version", caller="Taxonomy.migrate", minimum=0)
    if to_version > taxonomy.version:
        raise TaxonomyError([f"migrate: to_version {to_version} is newer than this taxonomy (v{taxonomy.version}); "
                             "call migrate on the newest taxonomy."])
    if from_version > to_version:
        raise TaxonomyError([f"migrate: from_version {from_version} is after to_version {to_version}; labels "
                             "can only move forward (merges and splits cannot be undone)."])
    ops = _ops_between(taxonomy, from_version, to_version)
    index = labels.index if isinstance(labels, pd.Series) else None
    if isinstance(labels, str) or not isinstance(labels, Iterable):
        labels = [labels]
    values = list(labels)
    old = set(old_labels) if old_labels is not None else None
    at_target = to_version == taxonomy.version
    cats = {c.id: c for c in taxonomy.categories}
    valid = set(taxonomy.labels)

    def leaves(cid: str) -> Tuple[str, ...]:
        """Valid labels at or below ``cid`` in the target taxonomy."""
        if cid in valid:
            return (cid,)
        if cid not in cats:
            return ()
        return tuple(lab for lab in taxonomy.labels if cid in taxonomy.ancestors(lab))

    def single(label: Any) -> Tuple[Any, str, Tuple[str, ...]]:
        if _is_missing(label):
            return None, "missing", ()
        if not isinstance(label, str) or (old is not None and label not in old):
            return None, "unknown", ()
        cur, status, cands = _one(label, ops)
        if not at_target:
            return cur, status, cands
        if status == "needs_relabel":
            return None, status, tuple(dict.fromkeys(x for c in cands for x in leaves(c)))
        if cur is None:  # retired on the way
            return None, status, cands
        if cur not in valid:
            if cur in cats and cats[cur].deprecated:
                return None, "retired", ()
            if cur in cats:  # it became a group: the new children refine it, pick one of them
                return None, "needs_relabel", leaves(cur)
            return None, "unknown", ()
        return cur, status, cands

    memo: Dict[str, Tuple[Any, str, Tuple[str, ...]]] = {}

    def element(label: Any) -> Tuple[Any, str, Tuple[str, ...]]:
        if isinstance(label, str):
            if label not in memo:
                memo[label] = single(label)
            return memo[label]
        return single(label)

    def resolve(value: Any) -> Tuple[Any, str, Tuple[str, ...]]:
        multi = _parse_multi(value)
        if multi is None:
            return element(value)
        parts = [element(v) for v in multi[0]]
        status = max((p[1] for p in parts), key=_RANK.get, default="unchanged")
        cands = tuple(dict.fromkeys(c for p in parts for c in p[2]))
        if status in _STOP:
            return None, status, cands
        new = list(dict.fromkeys(p[0] for p in parts))
        return (json.dumps(sorted(new)) if multi[1] == "json" else tuple(new)), status, cands

    raw = pd.Series(values, dtype=object)
    try:  # resolve each distinct value once (hashable labels: the usual case)
        codes, uniques = pd.factorize(raw)
    except TypeError:  # lists inside: resolve one by one
        hits = [resolve(v) for v in values]
        take = np.arange(len(hits))
    else:
        hits = [resolve(u) for u in uniques] + [(None, "missing", ())]
        take = np.where(codes < 0, len(hits) - 1, codes)
    columns = {"label": raw.to_numpy()}
    for j, name in enumerate(("migrated_label", "status", "candidates")):
        col = np.empty(len(hits), dtype=object)
        for i, hit in enumerate(hits):
            col[i] = hit[j]
        columns[name] = col[take]
    return pd.DataFrame(columns, index=index if index is not None else pd.RangeIndex(len(values)), dtype=object)
