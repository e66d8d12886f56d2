"""``PairwiseRater``: compare two or more model responses to a prompt (RLHF style).

It shows one item at a time, takes the answer by key or click, requires a rationale
(stored in ``note``) and writes each answer to the store before the next item shows
(through :class:`~workbench.widgets.session.LabelingSession`), with undo, skip,
progress and seconds per item like :class:`~workbench.widgets.Labeller`.

The items hold a prompt and two or more responses (columns ``prompt`` + ``responses``
(a list or a JSON list), or ``response_a``, ``response_b``, ...; or the same keys in a JSON
document in ``text``). Keys ``1``, ``2``, ... pick the better response (with more than
two, pressing them in order ranks them), ``t`` = tie. Stored with ``kind="pairwise"``;
the label is the JSON ``{"choice": "a", "ranking": ["a", "b"], "tie": false}``.

Examples
--------
>>> parse_pair(Item("p", "", meta={"prompt": "Hi?", "response_a": "Hello", "response_b": "Yo"}))
('Hi?', ['Hello', 'Yo'])
"""

from __future__ import annotations

import json
from typing import Any, List, Optional, Tuple

import ipywidgets as widgets
import traitlets

from ..exceptions import DataError
from ._base import button
from ._bound import SessionWidget
from ._frame import AnswerIncomplete, ReviewFrame
from ._protocol import Item, Submission, decode_json
from .renderers import escape

__all__ = ["PairwiseRater", "parse_pair"]

#: The letters naming the responses of an item (at most nine on one screen).
LETTERS = "abcdefghi"


def parse_pair(item: Item) -> Tuple[str, List[str]]:
    """``(prompt, responses)`` of a pairwise item; raises DataError when there are fewer than two.

    Looks at the columns ``prompt`` + ``responses`` or ``response_a``, ``response_b``, ...,
    then at the same keys in a JSON document in ``text``; a plain ``text`` is the prompt.

    Examples
    --------
    >>> parse_pair(Item("p", '{"prompt": "2+2?", "responses": ["4", "5", "22"]}'))
    ('2+2?', ['4', '5', '22'])
    """
    def pick(get):
        responses = decode_json(get("responses"))
        if responses is None:
            responses = [get(f"response_{c}") for c in LETTERS]
            responses = [r for r in responses if r is not None]
        return get("prompt"), (list(responses) if isinstance(responses, (list, tuple)) else None)

    prompt, responses = pick(item.get)
    if not responses:
        doc = decode_json(item.text)
        if isinstance(doc, dict):
            prompt, responses = pick(lambda k: doc.get(k))
    if prompt is None and not (item.text or "")[:1] in "[{":
        prompt = item.text
    if not responses or len(responses) < 2:
        raise DataError(f"Item {item.item_id!r} has fewer than two responses to compare. Give it 'prompt' and "
                        "'responses' (a list) or 'response_a' / 'response_b' columns (or a JSON document with "
                        "those keys in its text).", reason="no_responses")
    if len(responses) > len(LETTERS):
        raise DataError(f"Item {item.item_id!r} has {len(responses)} responses; at most {len(LETTERS)} can be "
                        "compared on one screen. Split it into several items.", reason="too_many_responses")
    return ("" if prompt is None else str(prompt)), [str(r) for r in responses]


class PairwiseRater(SessionWidget, ReviewFrame):
    """Compare two or more model responses to a prompt: pick the better, rank them, or call a tie.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL (``"sqlite:///labels.db"``).
    annotator : str
        Your name, as stored in the ``annotator`` column.
    round : int
        The round (``store.create_round``); its items are the queue unless ``item_ids`` is given.
    taxonomy : Taxonomy, optional
        Defaults to the round's taxonomy version (only its name shows in the header).
    item_ids : sequence of str, optional
        An explicit queue instead of the annotator's assignments / the round's items.
    rationale : bool, default True
        Require a rationale (stored in ``note``) before submitting.
    mask_pii : bool, optional
        Mask emails, phone numbers, card numbers, IBANs and IP addresses in the shown text. Default:
        the round's ``mask_pii`` setting, on unless the round switched it off.

    Notes
    -----
    Keys (mouse over the item): ``1``, ``2``, ... choose (with more than two responses,
    pressing them in order ranks them, best first; the last one is ranked automatically),
    ``t`` tie, ``Esc`` clear, ``Enter`` submit, ``s`` skip, ``Backspace`` back.
    Stored with ``kind="pairwise"``; the label is the JSON
    ``{"choice": "a", "ranking": ["a", "b"], "tie": false}`` (``choice`` ``null`` for a tie).

    Examples
    --------
    >>> import json, pandas as pd
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()  # a small in-memory store with round 1
    >>> _ = store.add_items(pd.DataFrame({"item_id": ["p1"], "text": ["Capital of France?"],
    ...                                   "response_a": ["Paris."], "response_b": ["Lyon, I think."]}))
    >>> rater = PairwiseRater(store, annotator="ann", round=1, item_ids=["p1"])
    >>> rater.press("1")
    >>> rater.rationale.value = "A is correct."
    >>> rater.press("Enter")
    >>> row = store.annotations(kind="pairwise").iloc[0]
    >>> json.loads(row["label"]), row["note"]
    ({'choice': 'a', 'ranking': ['a', 'b'], 'tie': False}, 'A is correct.')
    """

    kind = "pairwise"
    keys_html = ("<kbd>1</kbd> <kbd>2</kbd> … choose / rank · <kbd>t</kbd> tie · <kbd>Esc</kbd> clear · "
                 "<kbd>Enter</kbd> submit")

    #: Letters of the responses, best first (``[]``: nothing chosen yet).
    ranking = traitlets.List(traitlets.Unicode())
    #: The responses are called equally good (or bad).
    tie = traitlets.Bool(False)

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None, item_ids=None,
                 rationale: bool = True, mask_pii: Optional[bool] = None):
        self.mask_pii = bool(mask_pii)
        self.responses: List[str] = []
        self.prompt = ""
        self.choice_buttons: List[widgets.Button] = []
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_ids=item_ids,
                         rationale=rationale, item_renderer=self._render_pair,
                         rationale_placeholder="Rationale (required): why is this response better?")

    # ------------------------------------------------------------------ screen
    def _text(self, value: str) -> str:
        if self.mask_pii:
            from ..items import mask_pii

            value = mask_pii(value)
        return escape(value)

    def _render_pair(self, item: Item) -> str:
        self.prompt, self.responses = "", []
        self.prompt, self.responses = parse_pair(item)
        return self._pair_html()

    def _pair_html(self) -> str:
        cards = []
        for i, response in enumerate(self.responses):
            letter = LETTERS[i]
            css = "wb-response"
            badge = ""
            if self.tie:
                css += " wb-tied"
            elif letter in self.ranking:
                rank = self.ranking.index(letter) + 1
                css += " wb-chosen" if rank == 1 else ""
                badge = f'<span class="wb-rank-badge">{"best" if rank == 1 else f"#{rank}"}</span>'
            cards.append(f'<div class="{css}">{badge}<div class="wb-role"><kbd>{i + 1}</kbd> Response '
                         f'{letter.upper()}</div><div class="wb-text">{self._text(response)}</div></div>')
        prompt = (f'<div class="wb-msg wb-role-user"><div class="wb-role">prompt</div>'
                  f'<div class="wb-text">{self._text(self.prompt)}</div></div>') if self.prompt else ""
        return f'<div class="wb-conversation">{prompt}<div class="wb-responses">{"".join(cards)}</div></div>'

    def _show(self, item: Item) -> None:
        self.ranking, self.tie = [], False
        n = len(self.responses)
        if not n:  # the item could not be parsed: the frame shows why; only skip is possible
            self.answer_box.children = ()
            return
        verb = "is better" if n == 2 else "first"
        self.choice_buttons = []
        for i in range(n):
            b = button(f"{i + 1} · {LETTERS[i].upper()} {verb}", classes=("wb-option",))
            b.on_click(lambda _b, i=i: self._pick(i))
            self.choice_buttons.append(b)
        tie = button("t · Tie", tooltip="Both (all) are equally good or bad", classes=("wb-option",))
        tie.on_click(lambda _b: self._set_tie())
        clear = button("Esc · Clear", classes=("wb-option",))
        clear.on_click(lambda _b: self._clear())
        self.tie_button = tie
        hint = ("Which response is better?" if n == 2 else
                "Press the responses from best to worst (the last one is ranked for you), or just the best.")
        row = widgets.HBox(self.choice_buttons + [tie, clear])
        row.add_class("wb-answer-row")
        self.answer_box.children = (widgets.HTML(f'<div class="wb-answer-hint">{escape(hint)}</div>'), row)
        self._paint()  # the new buttons

    @traitlets.observe("ranking", "tie")
    def _paint(self, _change=None) -> None:
        for i, b in enumerate(self.choice_buttons):
            letter = LETTERS[i]
            (b.add_class if letter in self.ranking[:1] else b.remove_class)("wb-selected")
            (b.add_class if letter in self.ranking[1:] else b.remove_class)("wb-rank")
        if self.choice_buttons:
            (self.tie_button.add_class if self.tie else self.tie_button.remove_class)("wb-selected")
        if self.responses:
            self.item_html.value = self._pair_html()

    # ------------------------------------------------------------------ answer
    def _pick(self, index: int) -> None:
        n = len(self.responses)
        if not 0 <= index < n:
            return
        letter = LETTERS[index]
        if n == 2:
            ranking = [letter, LETTERS[1 - index]]
        elif letter in self.ranking:
            ranking = [x for x in self.ranking if x != letter]
        else:
            ranking = self.ranking + [letter]
            if len(ranking) == n - 1:  # the last one is ranked for the labeler
                ranking += [x for x in LETTERS[:n] if x not in ranking]
        with self.hold_trait_notifications():
            self.tie, self.ranking = False, ranking

    def _set_tie(self) -> None:
        with self.hold_trait_notifications():
            self.tie, self.ranking = not self.tie, []

    def _clear(self) -> None:
        with self.hold_trait_notifications():
            self.tie, self.ranking = False, []

    def _answer(self) -> str:
        if self.tie:
            return json.dumps({"choice": None, "ranking": [], "tie": True})
        if not self.ranking:
            raise AnswerIncomplete("Choose the better response first (keys 1, 2, …), or t for a tie.")
        return json.dumps({"choice": self.ranking[0], "ranking": list(self.ranking), "tie": False})

    def restore(self, answer: Submission) -> None:
        """Show a taken-back choice / ranking / tie and its rationale again."""
        super().restore(answer)
        value = decode_json(answer.label)
        if isinstance(value, dict):
            with self.hold_trait_notifications():
                self.tie = bool(value.get("tie"))
                self.ranking = [x for x in (value.get("ranking") or []) if x in LETTERS[:len(self.responses)]]

    def _key(self, key: str) -> bool:
        if key.isdigit() and key != "0":
            self._pick(int(key) - 1)
            return True
        if key in ("t", "T"):
            self._set_tie()
            return True
        if key == "Escape":
            self._clear()
            return True
        return False
