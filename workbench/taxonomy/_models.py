"""The frozen value types of a taxonomy: :class:`Category`, :class:`Example`, :class:`EdgeCase`
and :class:`ChangelogEntry` (re-exported by :mod:`workbench.taxonomy`).

Each keeps the order in which the author wrote its keys (``key_order``, not part of equality)
so that writing a loaded taxonomy back gives the same document; ``to_dict`` writes a key when
the author wrote it or when it differs from its default.

Examples
--------
>>> from workbench.taxonomy._models import Category
>>> Category(id="refund", definition="Wants money back.", deprecated=False, key_order=("id", "deprecated",
...          "definition")).to_dict()
{'id': 'refund', 'deprecated': False, 'definition': 'Wants money back.'}
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from ._validate import TEXT_LIST_FIELDS

__all__ = ["Category", "Example", "EdgeCase", "ChangelogEntry", "as_tuple", "ordered"]


def as_tuple(value: Any) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (str, bytes)):
        return (value,)
    return tuple(value)


def ordered(obj, pairs, canonical: bool = False) -> dict:
    """Order ``pairs`` (key, value, default) by the author's key order, then canonical order.

    A key is written when the author wrote it or when it differs from its default; with
    ``canonical=True`` only non-default values are written, in canonical order.
    """
    written = () if canonical else obj.key_order
    chosen = {k: v for k, v, d in pairs if k in written or v != d}
    order = [k for k in written if k in chosen] + [k for k in chosen if k not in written]
    return {k: chosen[k] for k in order}


@dataclasses.dataclass(frozen=True)
class Category:
    """One category (a label, or a group of labels when other categories name it as parent).

    Attributes
    ----------
    id : str
        The label written into annotations.
    name : str
        Display name (defaults to ``id``).
    definition : str
        What belongs in the category.
    parent : str or None
        Id of the parent group, ``None`` at the top level.
    include, exclude, examples, counter_examples : tuple of str
        Inclusion rules, exclusion rules ("Use X instead when ..."), examples and near misses.
    deprecated : bool
        Retired categories stay in the document for history but are no longer labels.
    other : bool
        The catch-all "None of these" answer (at most one per taxonomy).

    Examples
    --------
    >>> Category(id="refund", definition="Wants money back.").name
    'refund'
    """

    id: str
    name: Optional[str] = None
    definition: str = ""
    parent: Optional[str] = None
    include: Tuple[str, ...] = ()
    exclude: Tuple[str, ...] = ()
    examples: Tuple[str, ...] = ()
    counter_examples: Tuple[str, ...] = ()
    deprecated: bool = False
    other: bool = False
    key_order: Tuple[str, ...] = dataclasses.field(default=(), compare=False, repr=False)

    def __post_init__(self):
        if self.name is None:
            object.__setattr__(self, "name", self.id)
        for key in TEXT_LIST_FIELDS:
            object.__setattr__(self, key, as_tuple(getattr(self, key)))
        object.__setattr__(self, "key_order", as_tuple(self.key_order))

    def to_dict(self, *, canonical: bool = False) -> dict:
        """The category as a plain mapping, in the author's key order (``canonical``: defaults left out).

        Examples
        --------
        >>> Category(id="a", definition="A.", include=["x"]).to_dict()
        {'id': 'a', 'definition': 'A.', 'include': ['x']}
        """
        return ordered(self, [
            ("id", self.id, None), ("name", self.name, self.id), ("parent", self.parent, None),
            ("definition", self.definition, None), ("include", list(self.include), []),
            ("exclude", list(self.exclude), []), ("examples", list(self.examples), []),
            ("counter_examples", list(self.counter_examples), []),
            ("deprecated", self.deprecated, False), ("other", self.other, False),
        ], canonical)


@dataclasses.dataclass(frozen=True)
class Example:
    """A labeled example inside an edge case (``{text: ..., label: ...}`` in YAML).

    Examples
    --------
    >>> Example("Refund me, the app crashed.", "refund").to_dict()
    {'text': 'Refund me, the app crashed.', 'label': 'refund'}
    """

    text: str
    label: Union[str, Tuple[str, ...]]
    key_order: Tuple[str, ...] = dataclasses.field(default=(), compare=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.label, str):
            object.__setattr__(self, "label", as_tuple(self.label))

    def to_dict(self, *, canonical: bool = False) -> dict:
        """The example as a plain mapping."""
        label = self.label if isinstance(self.label, str) else list(self.label)
        return ordered(self, [("text", self.text, None), ("label", label, None)], canonical)


@dataclasses.dataclass(frozen=True)
class EdgeCase:
    """A rule for a hard case between categories, with examples.

    Examples
    --------
    >>> e = EdgeCase("A refund because of a bug is a refund.", ["refund", "bug"])
    >>> e.categories
    ('refund', 'bug')
    """

    rule: str
    categories: Tuple[str, ...] = ()
    examples: Tuple[Union[str, Example], ...] = ()
    key_order: Tuple[str, ...] = dataclasses.field(default=(), compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "categories", as_tuple(self.categories))
        examples = tuple(Example(**{k: v for k, v in e.items()}, key_order=tuple(e))
                         if isinstance(e, Mapping) else e for e in as_tuple(self.examples))
        object.__setattr__(self, "examples", examples)

    def to_dict(self, *, canonical: bool = False) -> dict:
        """The edge case as a plain mapping.

        Examples
        --------
        >>> EdgeCase("a beats b", ["a", "b"]).to_dict()
        {'rule': 'a beats b', 'categories': ['a', 'b']}
        """
        examples = [e.to_dict(canonical=canonical) if isinstance(e, Example) else e for e in self.examples]
        return ordered(self, [("rule", self.rule, None), ("categories", list(self.categories), None),
                              ("examples", examples, [])], canonical)


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_freeze(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


@dataclasses.dataclass(frozen=True)
class ChangelogEntry:
    """What changed in one version; ``changes`` holds the machine-readable operations.

    Examples
    --------
    >>> ChangelogEntry(2, date="2026-11-02", changes=[{"op": "retire", "category": "x"}]).changes
    ({'op': 'retire', 'category': 'x'},)
    """

    version: int
    date: Optional[str] = None
    author: Optional[str] = None
    summary: Optional[str] = None
    changes: Tuple[Dict[str, Any], ...] = ()
    key_order: Tuple[str, ...] = dataclasses.field(default=(), compare=False, repr=False)

    def __post_init__(self):
        if isinstance(self.date, (_dt.date, _dt.datetime)):
            object.__setattr__(self, "date", self.date.isoformat())
        object.__setattr__(self, "changes", tuple(_freeze(c) for c in as_tuple(self.changes)))

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True, default=str))

    def to_dict(self, *, canonical: bool = False) -> dict:
        """The entry as a plain mapping.

        Examples
        --------
        >>> ChangelogEntry(2, date="2026-11-02").to_dict()
        {'version': 2, 'date': '2026-11-02'}
        """
        return ordered(self, [("version", self.version, None), ("date", self.date, None),
                              ("author", self.author, None), ("summary", self.summary, None),
                              ("changes", [dict(c) for c in self.changes], [])], canonical)
