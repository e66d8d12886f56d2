"""The small contract between labeling widgets and the controller that feeds them.

A widget knows only this protocol: it is shown an :class:`Item`, and it calls back
with a :class:`Submission` (or asks to skip / undo). It never touches the store,
never computes anything, never decides which item comes next. The controller
(:class:`workbench.widgets.session.LabelingSession`) does that. The same pieces are
meant for every front end of the package (Labeller, pairwise and rubric raters,
the adjudicator, the calibration quiz), so a new widget only has to honour
:class:`LabelWidget`.

Examples
--------
>>> from workbench.widgets._protocol import Item, Submission
>>> item = Item("a1", "I was charged twice", meta={"lang": "en"})
>>> item.get("lang"), item.text
('en', 'I was charged twice')
>>> Submission(label="refund").kind is None  # the session's kind ("label", "quiz", ...) applies
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Protocol, Union, runtime_checkable

__all__ = ["Item", "Submission", "LabelWidget", "ItemRenderer", "check_callable", "decode_json", "is_missing"]


@dataclass(frozen=True)
class Item:
    """One item as shown to a labeler.

    Parameters
    ----------
    item_id : str
        The store's id of the item.
    text : str
        The item's payload (plain text, or a JSON document for conversations).
    meta : mapping, optional
        Every other column of the item (``dataset``, image path, audio, ...).

    Examples
    --------
    >>> Item("x", "hello").as_dict()["item_id"]
    'x'
    """

    item_id: str
    text: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        """Return ``meta[key]`` (or ``text`` / ``item_id``), else ``default``.

        Examples
        --------
        >>> Item("x", "hi", meta={"k": 1}).get("k"), Item("x", "hi").get("text")
        (1, 'hi')
        """
        if key == "item_id":
            return self.item_id
        if key == "text":
            return self.text
        value = self.meta.get(key, default)
        return default if is_missing(value) else value

    def as_dict(self) -> dict:
        """Return ``{"item_id", "text", **meta}`` (a new dict).

        Examples
        --------
        >>> sorted(Item("x", "hi", meta={"k": 1}).as_dict())
        ['item_id', 'k', 'text']
        """
        return {"item_id": self.item_id, "text": self.text, **dict(self.meta)}


def is_missing(value: Any) -> bool:
    """``None`` or NaN (what the store gives for an empty cell).

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(None), is_missing(0)
    (True, True, False)
    """
    try:
        return value is None or (isinstance(value, float) and value != value)
    except Exception:  # noqa: BLE001 - exotic objects are never "missing"
        return False


@dataclass(frozen=True)
class Submission:
    """What a widget hands back to the controller for one item.

    Parameters
    ----------
    label : str, list of str or None
        A category id (or a list of them in multi-label mode). ``None`` only for skips.
    unsure : bool
        The labeler flagged the answer as uncertain.
    note : str or None
        Free text; empty notes are stored as ``None``.
    duration_ms : int or None
        Time from the item being shown to the submit.
    kind : str, optional
        The annotation kind (``"label"``, ``"adjudication"``, ``"quiz"``, ...); ``None`` (default)
        means the kind of the session that records it.

    Examples
    --------
    >>> Submission(label=["a", "b"], unsure=True, note="").clean_note is None
    True
    """

    label: Any = None
    unsure: bool = False
    note: Optional[str] = None
    duration_ms: Optional[int] = None
    kind: Optional[str] = None

    @property
    def clean_note(self) -> Optional[str]:
        """The note stripped of surrounding blanks, ``None`` when empty."""
        if self.note is None:
            return None
        note = str(self.note).strip()
        return note or None


def decode_json(value: Any) -> Any:
    """The value of a JSON list or object kept as a string (labels, responses, images); else ``value``.

    The store keeps structured labels (multi-label lists, pairwise choices, spans, boxes) as JSON
    text; a string that merely starts with a bracket and is not JSON is returned unchanged.

    Examples
    --------
    >>> decode_json('["a", "b"]'), decode_json('{"tie": true}'), decode_json("[URGENT] refund")
    (['a', 'b'], {'tie': True}, '[URGENT] refund')
    """
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


#: A renderer turns an item into HTML (a ``str``) or into an ipywidget.
ItemRenderer = Callable[[Item], Union[str, Any]]


@runtime_checkable
class LabelWidget(Protocol):
    """What a labeling front end must offer to be driven by a controller.

    ``display(item)`` shows an item (``None`` = the queue is empty);
    ``on_submit(cb)`` registers ``cb(submission)``; ``on_skip(cb)`` registers
    ``cb()``; ``on_undo(cb)`` registers ``cb()``.
    """

    def display(self, item: Optional[Item]) -> None: ...

    def on_submit(self, callback: Callable[[Submission], Any]) -> None: ...

    def on_skip(self, callback: Callable[[], Any]) -> None: ...

    def on_undo(self, callback: Callable[[], Any]) -> None: ...


def check_callable(callback: Any, *, where: str) -> Callable:
    """Return ``callback`` if it is callable; otherwise raise a ValidationError.

    Examples
    --------
    >>> check_callable(print, where="on_submit") is print
    True
    """
    if not callable(callback):
        from ..exceptions import ValidationError

        raise ValidationError(
            f"{where} needs a callable (a function taking the submission). Got {callback!r} instead."
        )
    return callback
