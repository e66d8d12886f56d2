"""Label normalisation and checking against a taxonomy version, for the annotation store.

A single label is stored as its id; a multi-label answer as a sorted JSON list string
(``'["a", "b"]'``). Labels of the kinds ``label``, ``adjudication`` and ``quiz`` must be
labels of the round's taxonomy version. A ``rubric`` answer is a JSON object of scores: checked
against the round's :class:`~workbench.taxonomy.Rubric` when it declares one (and stored in the
rubric's criterion order), else checked for its shape (criterion names to finite numbers). A
``review`` is a JSON object (verdict approve / reject / correct, the reviewed labeler, the corrected
label checked against the taxonomy), stored with sorted keys.

Examples
--------
>>> rules = LabelRules(name="t", version=1, task="multilabel", labels=("a", "b"))
>>> normalize_label(["b", "a"], kind="label", rules=rules)
'["a", "b"]'
>>> normalize_label("c", kind="label", rules=rules)
Traceback (most recent call last):
...
workbench.exceptions.LabelNotInTaxonomyError: Label 'c' is not in taxonomy 't' v1. Valid labels: ['a', 'b']. Record one of them, or save a new taxonomy version that defines 'c' and use it in a new round.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, FrozenSet, Optional, Tuple

from ..exceptions import DataError, LabelNotInTaxonomyError, StoreError
from ._schema import LABEL_KINDS
from ..taxonomy import check_rubric_answer

__all__ = ["LabelRules", "normalize_label", "parse_label_list", "REVIEW_VERDICTS"]


@dataclasses.dataclass(frozen=True)
class LabelRules:
    """What a taxonomy version allows: its name, version, task and labels."""

    name: str
    version: int
    task: str
    labels: Tuple[str, ...]
    valid: FrozenSet[str] = dataclasses.field(default=frozenset(), compare=False)

    def __post_init__(self):
        object.__setattr__(self, "valid", frozenset(self.labels))

    @classmethod
    def from_taxonomy(cls, taxonomy) -> "LabelRules":
        """Build the rules of a :class:`workbench.taxonomy.Taxonomy`."""
        return cls(name=str(taxonomy.name), version=int(taxonomy.version),
                   task=str(getattr(taxonomy, "task", "multiclass")), labels=tuple(taxonomy.labels))


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def parse_label_list(value: Any) -> Optional[list]:
    """Return a list if ``value`` is a list-like or a JSON list string, else ``None``."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy array
        out = value.tolist()
        return out if isinstance(out, list) else None
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, list) else None
    return None


def _not_in(bad: list, rules: LabelRules) -> LabelNotInTaxonomyError:
    shown = bad[0] if len(bad) == 1 else bad
    what = "Label" if len(bad) == 1 else "Labels"
    return LabelNotInTaxonomyError(
        f"{what} {shown!r} {'is' if len(bad) == 1 else 'are'} not in taxonomy {rules.name!r} v{rules.version}. "
        f"Valid labels: {list(rules.labels)}. Record one of them, or save a new taxonomy version that "
        f"defines {shown!r} and use it in a new round.")


#: Verdicts of a ``review`` row.
REVIEW_VERDICTS = ("approve", "reject", "correct")
_REVIEW_KEYS = ("verdict", "of", "label", "annotation_id")


def _review_payload(label: Any, rules: LabelRules, where: str) -> str:
    """A review's payload checked and as canonical JSON (keys sorted)."""
    shape = ('a review is {"verdict": "approve" | "reject" | "correct", "of": the reviewed labeler, "label": the '
             'corrected (or approved) label, "annotation_id": the reviewed row (optional)}')
    if isinstance(label, str):
        try:
            label = json.loads(label)
        except ValueError:
            label = None
    if not isinstance(label, dict):
        raise DataError(f"A review row {where} needs a payload; got {label!r}: {shape}.", reason="bad_review")
    unknown = sorted(set(label) - set(_REVIEW_KEYS))
    if unknown:
        raise DataError(f"A review {where} has unknown key(s) {unknown}: {shape}.", reason="bad_review")
    verdict = label.get("verdict")
    if verdict not in REVIEW_VERDICTS:
        raise DataError(f"A review {where} has verdict {verdict!r}; it must be one of {list(REVIEW_VERDICTS)}.",
                        reason="bad_review")
    of = label.get("of")
    if not isinstance(of, str) or not of.strip():
        raise DataError(f"A review {where} must name the reviewed labeler in 'of'; got {of!r}.", reason="bad_review")
    out = {"verdict": verdict, "of": of}
    given = label.get("label")
    if verdict == "correct" and (_is_missing(given) or given == "" or given == []):
        raise DataError(f"A 'correct' review {where} needs the corrected label in 'label'. Valid labels of taxonomy "
                        f"{rules.name!r} v{rules.version}: {list(rules.labels)}.", reason="bad_review")
    if not _is_missing(given) and verdict != "reject":
        stored = normalize_label(given, kind="label", rules=rules, where=where)
        out["label"] = json.loads(stored) if rules.task == "multilabel" else stored
    row = label.get("annotation_id")
    if row is not None:
        if isinstance(row, bool) or not isinstance(row, int) or row < 1:
            raise DataError(f"A review {where} has annotation_id {row!r}; it must be the id (a positive int) of "
                            "the reviewed row.", reason="bad_review")
        out["annotation_id"] = row
    return json.dumps(out, sort_keys=True)


def normalize_label(label: Any, *, kind: str, rules: LabelRules, rubric=None, where: str = "") -> Optional[str]:
    """Return the stored form of ``label`` (str or None), checking it when ``kind`` needs it.

    ``rubric`` (a :class:`~workbench.taxonomy.Rubric` or None) checks ``kind='rubric'`` answers;
    ``where`` (e.g. ``"of round 2"``) goes into their messages.

    >>> normalize_label({"helpful": 4.0}, kind="rubric", rules=None)
    '{"helpful": 4.0}'
    """
    if kind == "rubric":
        if _is_missing(label):
            label = None  # the shape check says what a rubric answer looks like
        answer = check_rubric_answer(label, where=where) if rubric is None else rubric.check(label, where=where)
        return json.dumps(answer)
    if kind == "review":
        return _review_payload(label, rules, where)
    if kind not in LABEL_KINDS:
        if _is_missing(label):
            return None
        if isinstance(label, str):
            return label
        if isinstance(label, (list, tuple, set, frozenset, dict)):
            try:
                if isinstance(label, dict) or not all(isinstance(x, str) for x in label):
                    return json.dumps(label if isinstance(label, dict) else list(label), sort_keys=True)
                return json.dumps(sorted(label), sort_keys=True)
            except TypeError as exc:
                raise DataError(f"The {kind!r} value {label!r} cannot be stored as JSON ({exc}).") from exc
        return str(label)
    if _is_missing(label) or (isinstance(label, str) and not label.strip()):
        raise StoreError(f"A {kind!r} row needs a label; got {label!r}. Valid labels of taxonomy "
                         f"{rules.name!r} v{rules.version}: {list(rules.labels)}. Use kind='skip' to skip an item.")
    many = parse_label_list(label)
    if many is None:
        label = str(label)
        if label not in rules.valid:
            raise _not_in([label], rules)
        return json.dumps([label]) if rules.task == "multilabel" else label
    values = sorted({str(x) for x in many})
    bad = [x for x in values if x not in rules.valid]
    if bad:
        raise _not_in(bad, rules)
    if rules.task == "multilabel":
        return json.dumps(values)
    if len(values) == 1:
        return values[0]
    raise StoreError(f"Taxonomy {rules.name!r} v{rules.version} is multiclass: one label per row, got {values}. "
                     "Record a single label, or use a taxonomy with task: multilabel.")
