"""Raters of model outputs (RLHF style): ``PairwiseRater`` and ``RubricRater``.

Both show one item at a time, take the answer by key or click, require a rationale
(stored in ``note``) and write each answer to the store before the next item shows
(through :class:`~workbench.widgets.session.LabelingSession`), with undo, skip,
progress and seconds per item like :class:`~workbench.widgets.Labeller`.

- :class:`PairwiseRater` (``kind="pairwise"``): a prompt and two or more responses
  (columns ``prompt`` + ``responses`` (a list or a JSON list), or ``response_a``,
  ``response_b``, ...; or the same keys in a JSON document in ``text``). Keys ``1``,
  ``2``, ... pick the better response (with more than two, pressing them in order ranks
  them), ``t`` = tie. The label is the JSON ``{"choice": "a", "ranking": ["a", "b"], "tie": false}``.
- :class:`RubricRater` (``kind="rubric"``): a score per criterion (default helpful,
  honest, harmless on 1-5); the label is the JSON ``{"helpful": 4, "honest": 5, "harmless": 5}``.

Examples
--------
>>> parse_pair(Item("p", "", meta={"prompt": "Hi?", "response_a": "Hello", "response_b": "Yo"}))
('Hi?', ['Hello', 'Yo'])
"""

from __future__ import annotations

import json
from typing import Any, List, Mapping, Optional, Tuple

import ipywidgets as widgets

from ..exceptions import DataError, ValidationError
from ._frame import AnswerIncomplete, ReviewFrame, button
from ._protocol import Item, Submission
from .renderers import escape

__all__ = ["PairwiseRater", "RubricRater", "parse_pair", "DEFAULT_RUBRIC"]

#: Default rubric: criterion -> what it asks.
DEFAULT_RUBRIC = {
    "helpful": "Does the response do what the user asked, completely and clearly?",
    "honest": "Is everything it states true, and does it admit uncertainty instead of inventing?",
    "harmless": "Does it avoid unsafe, offensive or privacy-violating content?",
}

LETTERS = "abcdefghi"


def _json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


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
        responses = _json(get("responses"))
        if responses is None:
            responses = [get(f"response_{c}") for c in LETTERS]
            responses = [r for r in responses if r is not None]
        return get("prompt"), (list(responses) if isinstance(responses, (list, tuple)) else None)

    prompt, responses = pick(item.get)
    if not responses:
        doc = _json(item.text)
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


def _session(store, annotator, round, taxonomy, kind, item_ids):
    from .session import LabelingSession

    return LabelingSession(store, annotator=annotator, round=round, taxonomy=taxonomy, kind=kind,
                           item_ids=item_ids)


class PairwiseRater(ReviewFrame):
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
    mask_pii : bool, default False
        Mask e-mails, phones, cards, IBANs and IPs in the shown text.

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
    >>> rater._handle_keystroke({"key": "1", "type": "keydown"})
    >>> rater.rationale.value = "A is correct."
    >>> rater._handle_keystroke({"key": "Enter", "type": "keydown"})
    >>> row = store.annotations(kind="pairwise").iloc[0]
    >>> json.loads(row["label"]), row["note"]
    ({'choice': 'a', 'ranking': ['a', 'b'], 'tie': False}, 'A is correct.')
    """

    def __init__(self, store: Any, *, annotator: str, round: int, taxonomy=None, item_ids=None,
                 rationale: bool = True, mask_pii: bool = False):
        self.session = _session(store, annotator, round, taxonomy, "pairwise", item_ids)
        self.mask_pii = bool(mask_pii)
        self.responses: List[str] = []
        self.prompt = ""
        self.ranking: List[str] = []
        self.tie = False
        self.choice_buttons: List[widgets.Button] = []
        super().__init__(title=self.session.title(), rationale=rationale, item_renderer=self._render_pair,
                         rationale_placeholder="Rationale (required): why is this response better?")
        self.session.attach(self)

    keys_html = ("<kbd>1</kbd> <kbd>2</kbd> … choose / rank · <kbd>t</kbd> tie · <kbd>Esc</kbd> clear · "
                 "<kbd>Enter</kbd> submit")

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
        self._paint()

    def _paint(self) -> None:
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
        self.tie = False
        if n == 2:
            self.ranking = [letter, LETTERS[1 - index]]
        elif letter in self.ranking:
            self.ranking = [x for x in self.ranking if x != letter]
        else:
            self.ranking.append(letter)
            if len(self.ranking) == n - 1:
                self.ranking += [x for x in LETTERS[:n] if x not in self.ranking]
        self._paint()

    def _set_tie(self) -> None:
        self.tie, self.ranking = not self.tie, []
        self._paint()

    def _clear(self) -> None:
        self.tie, self.ranking = False, []
        self._paint()

    def _answer(self) -> str:
        if self.tie:
            return json.dumps({"choice": None, "ranking": [], "tie": True})
        if not self.ranking:
            raise AnswerIncomplete("Choose the better response first (keys 1, 2, …), or t for a tie.")
        return json.dumps({"choice": self.ranking[0], "ranking": list(self.ranking), "tie": False})

    def restore(self, answer: Submission) -> None:
        """Show a taken-back choice / ranking / tie and its rationale again."""
        super().restore(answer)
        value = _json(answer.label)
        if isinstance(value, dict):
            self.tie = bool(value.get("tie"))
            self.ranking = [x for x in (value.get("ranking") or []) if x in LETTERS[:len(self.responses)]]
            self._paint()

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


def _check_rubric(rubric: Optional[Mapping[str, str]], scale) -> Tuple[dict, List[int]]:
    rubric = dict(DEFAULT_RUBRIC if rubric is None else rubric)
    if not rubric or not all(isinstance(k, str) and k.strip() for k in rubric):
        raise ValidationError("The 'rubric' parameter of RubricRater must map criterion names to what they ask, "
                              f"e.g. {{'helpful': 'Does it answer the question?'}}. Got {rubric!r}.")
    try:
        lo, hi = (int(v) for v in scale)
    except (TypeError, ValueError):
        raise ValidationError(f"The 'scale' parameter of RubricRater must be (low, high), e.g. (1, 5). Got {scale!r}.")
    if not 0 <= lo < hi <= 9:
        raise ValidationError(f"The 'scale' of RubricRater must satisfy 0 <= low < high <= 9 (one digit key per "
                              f"score). Got {scale!r}; use e.g. (1, 5) or (0, 9).")
    return rubric, list(range(lo, hi + 1))


class RubricRater(ReviewFrame):
    """Score each item on a rubric (default: helpful, honest, harmless on 1-5) with a rationale.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL.
    annotator : str
        Your name.
    round : int
        The round to rate.
    taxonomy : Taxonomy, optional
        Defaults to the round's taxonomy version.
    rubric : dict, optional
        Criterion name -> what it asks (shown on screen); default :data:`DEFAULT_RUBRIC`.
    scale : (int, int), default (1, 5)
        Lowest and highest score (digits 0-9).
    item_ids : sequence of str, optional
        An explicit queue.
    rationale : bool, default True
        Require a rationale (stored in ``note``).
    item_renderer : callable, optional
        ``render(item) -> str | ipywidget``; default picks text / conversation / image.
    mask_pii : bool, default False
        Mask PII in the default renderer.

    Notes
    -----
    Keys (mouse over the item): a digit scores the highlighted criterion and moves to the
    next one; ``↑`` / ``↓`` move between criteria; ``Enter`` submit, ``s`` skip, ``Backspace``
    back. Stored with ``kind="rubric"``; the label is the JSON ``{"helpful": 4, ...}``.

    Examples
    --------
    >>> import json
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()
    >>> rater = RubricRater(store, annotator="ann", round=1, rubric={"clear": "Easy to read?"})
    >>> rater._handle_keystroke({"key": "4", "type": "keydown"})
    >>> rater.rationale.value = "Readable, one typo."
    >>> rater._submit()
    >>> json.loads(store.annotations(kind="rubric")["label"].iloc[0])
    {'clear': 4}
    """

    def __init__(self, store: Any, *, annotator: str, round: int, taxonomy=None,
                 rubric: Optional[Mapping[str, str]] = None, scale=(1, 5), item_ids=None,
                 rationale: bool = True, item_renderer=None, mask_pii: bool = False):
        self.rubric, self.values = _check_rubric(rubric, scale)
        self.criteria = list(self.rubric)
        self.session = _session(store, annotator, round, taxonomy, "rubric", item_ids)
        self.scores: dict = {}
        self.active = 0
        super().__init__(title=self.session.title(), rationale=rationale, item_renderer=item_renderer,
                         mask_pii=mask_pii, rationale_placeholder="Rationale (required): what drove these scores?")
        self.score_buttons = {}
        self.row_labels = {}
        rows = []
        for c in self.criteria:
            label = widgets.HTML(f'<div title="{escape(self.rubric[c])}">{escape(c)}</div>')
            label.add_class("wb-answer-label")
            self.row_labels[c] = label
            buttons = []
            for v in self.values:
                b = button(str(v), tooltip=f"{c} = {v}", classes=("wb-option",))
                b.on_click(lambda _b, c=c, v=v: self._score(c, v))
                buttons.append(b)
            self.score_buttons[c] = buttons
            ask = widgets.HTML(f'<div class="wb-answer-hint">{escape(self.rubric[c])}</div>')
            row = widgets.HBox([label] + buttons + [ask])
            row.add_class("wb-answer-row")
            rows.append(row)
        lo, hi = self.values[0], self.values[-1]
        hint = widgets.HTML(f'<div class="wb-answer-hint">Score each criterion from {lo} (worst) to {hi} (best).'
                            '</div>')
        self.answer_box.children = tuple([hint] + rows)
        self.keys_html = (f"<kbd>{lo}</kbd>…<kbd>{hi}</kbd> score the ▸ criterion · <kbd>↑</kbd><kbd>↓</kbd> "
                          "criterion · <kbd>Enter</kbd> submit")
        self._set_keys_help()
        self.session.attach(self)

    def _show(self, item: Item) -> None:
        self.scores, self.active = {}, 0
        self._paint()

    def _paint(self) -> None:
        for i, c in enumerate(self.criteria):
            for v, b in zip(self.values, self.score_buttons[c]):
                (b.add_class if self.scores.get(c) == v else b.remove_class)("wb-selected")
            marker = "▸ " if i == self.active else ""
            self.row_labels[c].value = f'<div title="{escape(self.rubric[c])}">{marker}{escape(c)}</div>'

    def _score(self, criterion: str, value: int) -> None:
        self.scores[criterion] = int(value)
        left = [i for i, c in enumerate(self.criteria) if c not in self.scores]
        after = [i for i in left if i > self.criteria.index(criterion)]
        self.active = (after or left or [self.criteria.index(criterion)])[0]
        self._paint()

    def _answer(self) -> str:
        missing = [c for c in self.criteria if c not in self.scores]
        if missing:
            raise AnswerIncomplete(f"Score every criterion first; missing: {', '.join(missing)}.")
        return json.dumps({c: self.scores[c] for c in self.criteria})

    def restore(self, answer: Submission) -> None:
        """Show taken-back scores and rationale again."""
        super().restore(answer)
        value = _json(answer.label)
        if isinstance(value, dict):
            self.scores = {c: int(v) for c, v in value.items() if c in self.rubric}
            self._paint()

    def _key(self, key: str) -> bool:
        if key.isdigit() and int(key) in self.values:
            self._score(self.criteria[self.active], int(key))
            return True
        if key in ("ArrowDown", "ArrowUp"):
            self.active = (self.active + (1 if key == "ArrowDown" else -1)) % len(self.criteria)
            self._paint()
            return True
        return False
