"""Span tagging screen: the text as clickable words, a label palette (keys 1-9), chips of the spans.

Private helper of :mod:`workbench.widgets.tagging` (the public :class:`SpanTagger` wires this
view to a :class:`~workbench.widgets.session.LabelingSession`). Built from standard
ipywidgets only: each word is a ``Button``; the palette, chips and pick state come from
:class:`~workbench.widgets._tags.TagFrame`.

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
import traitlets

from ._base import button
from ._frame import AnswerIncomplete
from ._protocol import Item
from ._tags import TagFrame

__all__ = ["SpanTaggingView", "tokenize"]

_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> List[Tuple[int, int, str]]:
    """Words and punctuation of ``text`` as ``(start, end, token)`` character offsets.

    Examples
    --------
    >>> tokenize("I'm in Paris.")
    [(0, 3, "I'm"), (4, 6, 'in'), (7, 12, 'Paris'), (12, 13, '.')]
    """
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text or "")]


class SpanTaggingView(TagFrame):
    """The span tagging screen (no store); :class:`SpanTagger` wires it to a session.

    Parameters
    ----------
    labels, taxonomy, title, rationale
        As for :class:`~workbench.widgets._tags.TagFrame` (``rationale`` default False: the note is optional).

    Examples
    --------
    >>> view = SpanTaggingView(["PER", "LOC"])
    >>> got = []
    >>> view.on_submit(got.append)
    >>> view.display(Item("t1", "Ann flew to Paris."))
    >>> view.token_buttons[3].click(); view.press("2")
    >>> view.press("Enter")
    >>> json.loads(got[0].label)
    [{'start': 12, 'end': 17, 'label': 'LOC', 'text': 'Paris'}]
    """

    keys_html = ("click the first and last word, then <kbd>1</kbd>…<kbd>9</kbd> label · <kbd>Esc</kbd> clear "
                 "selection · <kbd>Enter</kbd> submit")

    marks_trait = "spans"
    #: The tagged spans: ``{"start", "end", "label", "text"}``, character offsets, in text order.
    spans = traitlets.List()

    def __init__(self, labels, *, taxonomy=None, title: str = "", rationale: bool = False):
        self.tokens: List[Tuple[int, int, str]] = []
        self.token_buttons: List[widgets.Button] = []
        self._pool: List[widgets.Button] = []
        self._breaks: List[widgets.HTML] = []
        self._token_box = widgets.Box([])
        self._token_box.add_class("wb-tokens")
        super().__init__(labels, taxonomy=taxonomy, title=title, rationale=rationale,
                         item_renderer=self._render_tokens,
                         rationale_placeholder="Note (required): anything unclear about this text?",
                         hint="Click the first and the last word of a span (or one word twice), then its label. "
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

    def _click(self, index: int) -> None:
        if self._start is None or self._pending is not None:
            with self.hold_trait_notifications():
                self._start, self._pending = index, None
            self._say(f"Span starts at “{self.tokens[index][2]}”: click its last word (or the same word), "
                      "or press a label.")
            return
        lo, hi = sorted((self._start, index))
        self._pending = (lo, hi)
        self._say(f"Selected “{self._span_text(lo, hi)}”: press its label (1…{len(self.tag_labels)}).")

    def _span_text(self, lo: int, hi: int) -> str:
        return self.item.text[self.tokens[lo][0]:self.tokens[hi][1]]

    def _selection(self) -> Optional[Tuple[int, int]]:
        """First and last word of the span being picked (one word after the first click)."""
        return self._pending or ((self._start, self._start) if self._start is not None else None)

    def _apply(self, label: str) -> None:
        sel = self._selection()
        if self.item is None or sel is None:
            self._say("Select a span first: click its first and last word.", error=True)
            return
        start, end = self.tokens[sel[0]][0], self.tokens[sel[1]][1]
        kept = [s for s in self.spans if s["end"] <= start or s["start"] >= end]  # a new span replaces overlaps
        kept.append({"start": start, "end": end, "label": label, "text": self.item.text[start:end]})
        with self.hold_trait_notifications():
            self.spans = sorted(kept, key=lambda s: (s["start"], s["end"]))
            self._start = self._pending = None
        self._say(f"Tagged “{self.item.text[start:end]}” as {self.tag_names[label]}.")

    def _paint(self) -> None:
        selection = self._selection()
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
        if self._pending is not None:
            raise AnswerIncomplete("A selected span has no label yet: press its label, or Esc to drop it.")
        return json.dumps(self.spans, ensure_ascii=False)
