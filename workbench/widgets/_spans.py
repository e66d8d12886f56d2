"""Span tagging screen: the text as clickable words, a label palette (keys 1-9), chips of the spans.

Private helper of :mod:`workbench.widgets.tagging` (the public :class:`SpanTagger` wires this
view to a :class:`~workbench.widgets.session.LabelingSession`). Built from standard
ipywidgets only: each word is a ``Button``.

Examples
--------
>>> [tok for _, _, tok in tokenize("Hi, Ann!")]
['Hi', ',', 'Ann', '!']
"""

from __future__ import annotations

import json
import re
from typing import List, Optional, Tuple

import ipywidgets as widgets

from ..exceptions import ValidationError
from ._frame import N_TAG_COLORS, AnswerIncomplete, ReviewFrame, button
from ._protocol import Item, Submission
from .renderers import escape

__all__ = ["SpanTaggingView", "tokenize", "label_set", "LabelPalette"]

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> List[Tuple[int, int, str]]:
    """Words and punctuation of ``text`` as ``(start, end, token)`` character offsets.

    Examples
    --------
    >>> tokenize("I'm in Paris.")
    [(0, 3, "I'm"), (4, 6, 'in'), (7, 12, 'Paris'), (12, 13, '.')]
    """
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text or "")]


def label_set(labels, taxonomy) -> Tuple[List[str], dict]:
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


class LabelPalette:
    """Mixin: the label buttons row (digit keys 1-9) shared by both taggers."""

    def _build_palette(self, hint: str) -> None:
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


class SpanTaggingView(LabelPalette, ReviewFrame):
    """The span tagging screen (no store); :class:`SpanTagger` wires it to a session.

    Parameters
    ----------
    labels : list of str or dict
        Label ids (or id -> display name), at most 9.
    title : str
        Header text.
    rationale : bool, default False
        Require a note before submitting.

    Examples
    --------
    >>> view = SpanTaggingView(["PER", "LOC"])
    >>> got = []
    >>> view.on_submit(got.append)
    >>> view.display(Item("t1", "Ann flew to Paris."))
    >>> view.token_buttons[3].click(); view._handle_keystroke({"key": "2", "type": "keydown"})
    >>> view._handle_keystroke({"key": "Enter", "type": "keydown"})
    >>> json.loads(got[0].label)
    [{'start': 12, 'end': 17, 'label': 'LOC', 'text': 'Paris'}]
    """

    keys_html = ("click the first and last word, then <kbd>1</kbd>…<kbd>9</kbd> label · <kbd>Esc</kbd> clear "
                 "selection · <kbd>Enter</kbd> submit")

    def __init__(self, labels, *, taxonomy=None, title: str = "", rationale: bool = False):
        self.tag_labels, self.tag_names = label_set(labels, taxonomy)
        self.tokens: List[Tuple[int, int, str]] = []
        self.token_buttons: List[widgets.Button] = []
        self.spans: List[dict] = []
        self._anchor: Optional[int] = None
        self._pick: Optional[Tuple[int, int]] = None
        self._pool: List[widgets.Button] = []
        self._breaks: List[widgets.HTML] = []
        self._token_box = widgets.Box([])
        self._token_box.add_class("wb-tokens")
        super().__init__(title=title, rationale=rationale, item_renderer=self._render_tokens,
                         rationale_placeholder="Note (required): anything unclear about this text?")
        self._build_palette("Click the first and the last word of a span (or one word twice), then its label. "
                            "No span in this text? Just submit.")

    def _render_tokens(self, item: Item):
        self.tokens = tokenize(item.text)
        while len(self._pool) < len(self.tokens):  # word buttons are reused from item to item
            i = len(self._pool)
            b = button("", classes=("wb-token",))
            b.on_click(lambda _b, i=i: self._click(i))
            self._pool.append(b)
        self.token_buttons = self._pool[:len(self.tokens)]
        children, prev_end, n_breaks = [], 0, 0
        for b, (start, end, tok) in zip(self.token_buttons, self.tokens):
            if "\n" in item.text[prev_end:start] and children:  # keep line breaks: a full-width empty row
                if n_breaks == len(self._breaks):
                    self._breaks.append(widgets.HTML(""))
                    self._breaks[-1].add_class("wb-break")
                children.append(self._breaks[n_breaks])
                n_breaks += 1
            b.description = tok
            children.append(b)
            prev_end = end
        self._token_box.children = tuple(children)
        return self._token_box

    def _show(self, item: Item) -> None:
        self.spans, self._anchor, self._pick = [], None, None
        self._paint()

    def _click(self, index: int) -> None:
        if self._anchor is None or self._pick is not None:
            self._anchor, self._pick = index, None
            self._paint(selection=(index, index))
            self._say(f"Span starts at “{self.tokens[index][2]}”: click its last word (or the same word), "
                      "or press a label.")
            return
        lo, hi = sorted((self._anchor, index))
        self._pick = (lo, hi)
        self._paint(selection=self._pick)
        self._say(f"Selected “{self._span_text(lo, hi)}”: press its label (1…{len(self.tag_labels)}).")

    def _span_text(self, lo: int, hi: int) -> str:
        return self.item.text[self.tokens[lo][0]:self.tokens[hi][1]]

    def _apply(self, label: str) -> None:
        sel = self._pick or ((self._anchor, self._anchor) if self._anchor is not None else None)
        if self.item is None or sel is None:
            self._say("Select a span first: click its first and last word.", error=True)
            return
        start, end = self.tokens[sel[0]][0], self.tokens[sel[1]][1]
        kept = [s for s in self.spans if s["end"] <= start or s["start"] >= end]  # a new span replaces overlaps
        kept.append({"start": start, "end": end, "label": label, "text": self.item.text[start:end]})
        self.spans = sorted(kept, key=lambda s: (s["start"], s["end"]))
        self._anchor = self._pick = None
        self._paint()
        self._say(f"Tagged “{self.item.text[start:end]}” as {self.tag_names[label]}.")

    def _remove(self, index: int) -> None:
        if 0 <= index < len(self.spans):
            self.spans.pop(index)
            self._paint()

    def _clear_pick(self) -> None:
        self._anchor = self._pick = None
        self._paint()

    def _paint(self, selection: Optional[Tuple[int, int]] = None) -> None:
        for i, ((s, e, _t), b) in enumerate(zip(self.tokens, self.token_buttons)):
            wanted = set()
            if selection and selection[0] <= i <= selection[1]:
                wanted.add("wb-pick")
            for span in self.spans:
                if span["start"] <= s and e <= span["end"]:
                    wanted.add(self._color(span["label"]))
            current = {c for c in b._dom_classes if c == "wb-pick" or c.startswith("wb-tag-")}
            for c in current - wanted:
                b.remove_class(c)
            for c in wanted - current:
                b.add_class(c)
        self.chips.children = tuple(self._chip(i, s["text"], s["label"]) for i, s in enumerate(self.spans))

    def _answer(self) -> str:
        if self._pick is not None:
            raise AnswerIncomplete("A selected span has no label yet: press its label, or Esc to drop it.")
        return json.dumps(self.spans, ensure_ascii=False)

    def restore(self, answer: Submission) -> None:
        """Show taken-back spans again."""
        super().restore(answer)
        value = json.loads(answer.label) if isinstance(answer.label, str) else answer.label
        if isinstance(value, list):
            self.spans = [dict(s) for s in value if isinstance(s, dict)]
            self._paint()


