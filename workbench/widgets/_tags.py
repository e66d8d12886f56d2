"""``TagFrame``: the base of the span and box taggers (label palette, chips, the mark being drawn).

Both taggers draw *marks* (spans of words, boxes on an image) in two clicks, then give each
its label with a digit key (or a click on the palette). The frame holds what they share:
the palette (keys 1-9), one chip per mark (``✕`` removes it), the pick state (``_start``:
the first click, ``_pending``: a finished mark waiting for its label), ``Esc`` to drop the
pick, and the restore after *back*. The marks (a ``traitlets.List`` named by
``marks_trait``) and the pick state are traits: any change repaints the screen (``_paint``).

Examples
--------
>>> label_set(["PER", "LOC"], None)
(['PER', 'LOC'], {'PER': 'PER', 'LOC': 'LOC'})
"""

from __future__ import annotations

from typing import List, Tuple

import ipywidgets as widgets
import traitlets

from ..exceptions import ValidationError
from ._base import button
from ._frame import ReviewFrame
from ._protocol import Submission, decode_json
from ._style import N_TAG_COLORS
from .renderers import escape

__all__ = ["TagFrame", "label_set"]


def label_set(labels, taxonomy) -> Tuple[List[str], dict]:
    """``(ids, {id: display name})`` of a tag set: ``labels`` (a list, or a dict id -> name), else the taxonomy's.

    Examples
    --------
    >>> label_set({"PER": "Person"}, None)
    (['PER'], {'PER': 'Person'})
    """
    if labels is None:
        ids = list(getattr(taxonomy, "labels", ()) or ())
        names = {}
        for c in ids:
            try:
                names[c] = getattr(taxonomy.category(c), "name", None) or c
            except Exception:  # noqa: BLE001
                names[c] = c
    elif isinstance(labels, dict):
        ids, names = [str(k) for k in labels], {str(k): str(v) for k, v in labels.items()}
    else:
        ids = [str(x) for x in labels]
        names = {c: c for c in ids}
    if not ids or len(set(ids)) != len(ids):
        raise ValidationError(f"Tagging needs distinct labels (a list, or a dict id -> name); got {labels!r}. "
                              "Pass labels=['PER', 'ORG', ...] or a taxonomy with categories.")
    if len(ids) > 9:
        raise ValidationError(f"Tagging shows at most 9 labels (one digit key each); got {len(ids)}. "
                              "Pass a shorter labels=[...] list.")
    return ids, names


class TagFrame(ReviewFrame):
    """Base of the taggers: a palette of labels, chips of the marks, and the mark being drawn.

    Subclasses declare their marks as a ``traitlets.List`` named by ``marks_trait`` and
    implement ``_apply(label)`` (label the pending mark), ``_paint()`` and ``_answer()``.

    Parameters
    ----------
    labels : list of str or dict
        Label ids (or id -> display name), at most 9; ``None``: the taxonomy's labels.
    taxonomy : Taxonomy, optional
        Its labels are the tags when ``labels`` is None.
    hint : str
        What to do, shown above the palette.
    **frame_options
        Passed to :class:`~workbench.widgets._frame.ReviewFrame` (``title``, ``rationale``, ...).
    """

    #: Name of the List trait holding the item's marks (``"spans"``, ``"boxes"``).
    marks_trait = ""
    #: The first click of the mark being drawn (a word index, an image point); ``None``: none.
    _start = traitlets.Any(None)
    #: A finished mark waiting for its label; ``None``: none.
    _pending = traitlets.Any(None)

    def __init__(self, labels, *, taxonomy=None, hint: str = "", **frame_options):
        self.tag_labels, self.tag_names = label_set(labels, taxonomy)
        super().__init__(taxonomy=taxonomy, **frame_options)
        self.label_buttons = []
        for i, c in enumerate(self.tag_labels):
            b = button(f"{i + 1} · {self.tag_names[c]}", classes=("wb-option", f"wb-tag-{i % N_TAG_COLORS}"))
            b.on_click(lambda _b, c=c: self._apply(c))
            self.label_buttons.append(b)
        row = widgets.HBox(self.label_buttons)
        row.add_class("wb-answer-row")
        self.chips = widgets.HBox([])
        self.chips.add_class("wb-chips")
        self.hint = widgets.HTML(f'<div class="wb-answer-hint">{escape(hint)}</div>')
        self.answer_box.children = (self.hint, row, self.chips)
        self.observe(lambda _change: self._paint(), names=[self.marks_trait, "_start", "_pending"])

    @property
    def _marks(self) -> List[dict]:
        return getattr(self, self.marks_trait)

    def _show(self, item) -> None:
        setattr(self, self.marks_trait, [])
        self._start = self._pending = None
        self._paint()  # the new item

    def restore(self, answer: Submission) -> None:
        """Show the taken-back marks (and note) again."""
        super().restore(answer)
        value = decode_json(answer.label)
        if isinstance(value, list):
            setattr(self, self.marks_trait, [dict(m) for m in value if isinstance(m, dict)])

    def _remove(self, index: int) -> None:
        setattr(self, self.marks_trait, [m for i, m in enumerate(self._marks) if i != index])

    def _clear_pick(self) -> None:
        with self.hold_trait_notifications():
            self._start = self._pending = None

    def _color(self, label: str) -> str:
        return f"wb-tag-{self.tag_labels.index(label) % N_TAG_COLORS}" if label in self.tag_labels else "wb-tag-7"

    def _chip(self, index: int, text: str, label: str) -> widgets.Button:
        b = button(f"✕ {text} · {self.tag_names.get(label, label)}", tooltip="Remove", classes=("wb-chip",))
        b.add_class(self._color(label))
        b.on_click(lambda _b, i=index: self._remove(i))
        return b

    def _key(self, key: str) -> bool:
        if key.isdigit() and 1 <= int(key) <= len(self.tag_labels):
            self._apply(self.tag_labels[int(key) - 1])
            return True
        if key == "Escape":
            self._clear_pick()
            return True
        return False

    def _apply(self, label: str) -> None:
        """Give the pending mark ``label``."""

    def _paint(self) -> None:
        """Show the marks, the pick and the chips."""
