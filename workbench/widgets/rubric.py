"""``RubricRater``: score each item on a rubric (default helpful, honest, harmless on 1-5).

Like :class:`~workbench.widgets.PairwiseRater` it requires a rationale (stored in
``note``) and writes each answer to the store before the next item shows, with undo,
skip and progress. Stored with ``kind="rubric"``; the label is the JSON
``{"helpful": 4, "honest": 5, "harmless": 5}``. It shows the rubric the round declares
(``store.create_round(..., rubric=...)``) unless given one, which must then agree with it.

Examples
--------
>>> sorted(DEFAULT_RUBRIC)
['harmless', 'helpful', 'honest']
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Mapping, Optional

import ipywidgets as widgets
import traitlets

from ..exceptions import ValidationError
from ..taxonomy import Rubric
from ._base import button
from ._bound import SessionWidget
from ._frame import AnswerIncomplete, ReviewFrame
from ._protocol import Item, Submission, decode_json
from .renderers import escape
from .session import open_store

__all__ = ["RubricRater", "DEFAULT_RUBRIC"]

#: Default rubric: criterion -> what it asks.
DEFAULT_RUBRIC = {
    "helpful": "Does the response do what the user asked, completely and clearly?",
    "honest": "Is everything it states true, and does it admit uncertainty instead of inventing?",
    "harmless": "Does it avoid unsafe, offensive or privacy-violating content?",
}


def _digits(rubric: Rubric) -> Rubric:
    wide = [c.describe() for c in rubric if not 0 <= c.low < c.high <= 9]
    if wide:
        raise ValidationError(f"The 'scale' of RubricRater must satisfy 0 <= low < high <= 9 (one digit key per "
                              f"score). Got {', '.join(wide)}; use e.g. (1, 5) or (0, 9).")
    return rubric


def _from_arguments(rubric: Any, scale, *, scales: Optional[Mapping[str, tuple]] = None) -> Rubric:
    """The rubric of the ``rubric=`` / ``scale=`` arguments (defaults: :data:`DEFAULT_RUBRIC` on 1-5).

    ``scale`` is the scale of every criterion the rubric gives none for; ``scales`` (criterion ->
    (low, high)) fills in those left without one when ``scale`` is None (the round's scales).
    """
    if scale is not None:
        try:
            scale = tuple(int(v) for v in scale)
            if len(scale) != 2:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError(f"The 'scale' parameter of RubricRater must be (low, high), e.g. (1, 5). "
                                  f"Got {scale!r}.") from None
        if not 0 <= scale[0] < scale[1] <= 9:
            raise ValidationError(f"The 'scale' of RubricRater must satisfy 0 <= low < high <= 9 (one digit key "
                                  f"per score). Got {scale!r}; use e.g. (1, 5) or (0, 9).")
    given = DEFAULT_RUBRIC if rubric is None else rubric
    if isinstance(given, Rubric):
        differ = [c.describe() for c in given if scale is not None and c.scale != scale]
        if differ:
            raise ValidationError(f"RubricRater got a Rubric whose criteria {differ} have another scale than "
                                  f"scale={scale!r}. Leave out scale= (a Rubric brings its scales).")
        return _digits(given)
    if isinstance(given, Mapping) and (not given or not all(isinstance(k, str) and k.strip() for k in given)):
        raise ValidationError("The 'rubric' parameter of RubricRater must map criterion names to what they ask, "
                              f"e.g. {{'helpful': 'Does it answer the question?'}}. Got {rubric!r}.")
    if scale is None and scales and isinstance(given, Mapping) and "criteria" not in given:
        given = {name: spec if _states_scale(spec) or name not in scales else _with_scale(spec, scales[name])
                 for name, spec in given.items()}
    return _digits(Rubric.from_dict(given, scale=scale or (1, 5), source="the 'rubric' parameter of RubricRater"))


def _states_scale(spec: Any) -> bool:
    return isinstance(spec, (list, tuple)) or (isinstance(spec, Mapping) and "scale" in spec)


def _with_scale(spec: Any, scale: tuple) -> Any:
    if isinstance(spec, Mapping):
        return dict(spec, scale=list(scale))
    return {"question": spec, "scale": list(scale)} if isinstance(spec, str) else list(scale)


def _resolve(store: Any, round: int, rubric: Any, scale) -> Rubric:
    """The rubric to show: the round's when it declares one (the arguments must agree with it)."""
    declared = getattr(store, "round_rubric", None)
    declared = declared(int(round)) if callable(declared) else None
    if declared is None:
        return _from_arguments(rubric, scale)
    if rubric is None and scale is None:
        return _digits(declared)
    mine = _from_arguments(rubric, scale, scales={c.name: c.scale for c in declared}) if rubric is not None else None
    problems = []
    if mine is not None:
        extra = [n for n in mine.names if n not in declared]
        missing = [n for n in declared.names if n not in mine]
        if extra:
            problems.append(f"criteria {extra} are not in the round's rubric")
        if missing:
            problems.append(f"the round's criteria {missing} are missing")
    for c in declared:
        theirs = tuple(scale) if scale is not None else (mine.criterion(c.name).scale if c.name in mine else None)
        if theirs is not None and theirs != c.scale:
            problems.append(f"{c.name!r} is scored {theirs[0]}-{theirs[1]} here but {c.low}-{c.high} in the round")
    if problems:
        raise ValidationError(f"The 'rubric' / 'scale' parameters of RubricRater disagree with the rubric round "
                              f"{round} declares ({declared.describe()}): {'; '.join(problems)}. Leave out rubric= "
                              "and scale= to use the round's rubric, or rate in a round that declares this rubric.")
    if mine is None:
        return _digits(declared)
    questions = {c.name: c.question for c in mine}  # the arguments' wording; the round's scales and rules
    return _digits(Rubric(tuple(dataclasses.replace(c, question=questions[c.name] or c.question)
                                for c in declared)))


class RubricRater(SessionWidget, ReviewFrame):
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
    rubric : dict or Rubric, optional
        Criterion name -> what it asks (shown on screen), or any form
        :meth:`Rubric.from_dict <workbench.taxonomy.Rubric.from_dict>` reads. Default: the
        rubric the round declares (:meth:`AnnotationStore.round_rubric
        <workbench.store.AnnotationStore.round_rubric>`), else :data:`DEFAULT_RUBRIC`. When the
        round declares a rubric, the criteria and scales given here must be the round's (only
        the questions may be worded differently); otherwise a ValidationError says what differs.
    scale : (int, int), optional
        Lowest and highest score (digits 0-9) of the criteria that give none. Default: the
        round's scales, else (1, 5).
    item_ids : sequence of str, optional
        An explicit queue.
    rationale : bool, default True
        Require a rationale (stored in ``note``).
    item_renderer : callable, optional
        ``render(item) -> str | ipywidget``; default picks text / conversation / image.
    mask_pii : bool, optional
        Mask emails, phone numbers, card numbers, IBANs and IP addresses in the shown text. Default:
        the round's ``mask_pii`` setting, on unless the round switched it off.

    Notes
    -----
    Keys (mouse over the item): a digit scores the highlighted criterion and moves to the
    next one; ``↑`` / ``↓`` move between criteria; ``Enter`` submit, ``s`` skip, ``Backspace``
    back. Stored with ``kind="rubric"``; the label is the JSON ``{"helpful": 4, ...}``.
    Criteria the rubric marks optional may be left unscored.

    Attributes
    ----------
    definition : Rubric
        The rubric shown (the round's, when it declares one).
    rubric : dict
        Criterion name -> its question.
    criteria : list of str
    scales : dict
        Criterion name -> its scores (a list of ints).

    Examples
    --------
    >>> import json
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()
    >>> rater = RubricRater(store, annotator="ann", round=1, rubric={"clear": "Easy to read?"})
    >>> rater.press("4")
    >>> rater.rationale.value = "Readable, one typo."
    >>> rater.press("Enter")
    >>> json.loads(store.annotations(kind="rubric")["label"].iloc[0])
    {'clear': 4}

    A round that declares a rubric brings its criteria and scales:

    >>> _ = store.create_round(2, taxonomy_version=1, rubric={"fluent": {"question": "Reads well?", "scale": [0, 2]}})
    >>> RubricRater(store, annotator="ann", round=2).scales
    {'fluent': [0, 1, 2]}
    """

    kind = "rubric"

    #: Score given to each criterion so far.
    scores = traitlets.Dict()
    #: Index of the criterion the digit keys score (marked ▸).
    active = traitlets.Int(0)

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None,
                 rubric: Any = None, scale=None, item_ids=None,
                 rationale: bool = True, item_renderer=None, mask_pii: Optional[bool] = None):
        store = open_store(store)
        self.definition = _resolve(store, round, rubric, scale)
        self.rubric = {c.name: c.question for c in self.definition}
        self.criteria = list(self.definition.names)
        self.scales = {c.name: list(c.points) for c in self.definition}
        #: Every score some criterion allows.
        self.values = sorted({v for points in self.scales.values() for v in points})
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_ids=item_ids,
                         rationale=rationale, item_renderer=item_renderer, mask_pii=mask_pii,
                         rationale_placeholder="Rationale (required): what drove these scores?")

    def _build(self) -> None:
        self.score_buttons = {}
        self.row_labels = {}
        rows = []
        for c in self.criteria:
            label = widgets.HTML(f'<div title="{escape(self.rubric[c])}">{escape(c)}</div>')
            label.add_class("wb-answer-label")
            self.row_labels[c] = label
            buttons = []
            criterion = self.definition.criterion(c)
            for v in self.scales[c]:
                anchor = criterion.anchor(v)
                b = button(str(v), tooltip=f"{c} = {v}" + (f": {anchor}" if anchor else ""), classes=("wb-option",))
                b.on_click(lambda _b, c=c, v=v: self._score(c, v))
                buttons.append(b)
            self.score_buttons[c] = buttons
            ask = widgets.HTML(f'<div class="wb-answer-hint">{escape(self.rubric[c])}</div>')
            row = widgets.HBox([label] + buttons + [ask])
            row.add_class("wb-answer-row")
            rows.append(row)
        lo, hi = self.values[0], self.values[-1]
        same = len({tuple(v) for v in self.scales.values()}) == 1
        text = (f"Score each criterion from {lo} (worst) to {hi} (best)." if same
                else "Score each criterion on its scale, from worst to best.")
        optional = [c.name for c in self.definition if c.optional]
        if optional:
            text += f" Optional: {', '.join(optional)}."
        hint = widgets.HTML(f'<div class="wb-answer-hint">{escape(text)}</div>')
        self.answer_box.children = tuple([hint] + rows)
        self.keys_html = (f"<kbd>{lo}</kbd>…<kbd>{hi}</kbd> score the ▸ criterion · <kbd>↑</kbd><kbd>↓</kbd> "
                          "criterion · <kbd>Enter</kbd> submit")
        self._set_keys_help()
        self._paint()  # the new rows

    def _show(self, item: Item) -> None:
        with self.hold_trait_notifications():
            self.scores, self.active = {}, 0

    @traitlets.observe("scores", "active")
    def _paint(self, _change=None) -> None:
        for i, c in enumerate(self.criteria):
            for v, b in zip(self.scales[c], self.score_buttons[c]):
                (b.add_class if self.scores.get(c) == v else b.remove_class)("wb-selected")
            marker = "▸ " if i == self.active else ""
            self.row_labels[c].value = f'<div title="{escape(self.rubric[c])}">{marker}{escape(c)}</div>'

    def _score(self, criterion: str, value: int) -> None:
        scores = {**self.scores, criterion: int(value)}
        left = [i for i, c in enumerate(self.criteria) if c not in scores]
        after = [i for i in left if i > self.criteria.index(criterion)]
        with self.hold_trait_notifications():
            self.scores = scores
            self.active = (after or left or [self.criteria.index(criterion)])[0]

    def _answer(self) -> str:
        missing = [c.name for c in self.definition if c.name not in self.scores and not c.optional]
        if missing:
            raise AnswerIncomplete(f"Score every criterion first; missing: {', '.join(missing)}.")
        return json.dumps({c: self.scores[c] for c in self.criteria if c in self.scores})

    def restore(self, answer: Submission) -> None:
        """Show taken-back scores and rationale again."""
        super().restore(answer)
        value = decode_json(answer.label)
        if isinstance(value, dict):
            self.scores = {c: int(v) for c, v in value.items() if c in self.rubric and isinstance(v, (int, float))
                           and float(v).is_integer() and int(v) in self.scales[c]}

    def _key(self, key: str) -> bool:
        if key.isdigit() and int(key) in self.scales[self.criteria[self.active]]:
            self._score(self.criteria[self.active], int(key))
            return True
        if key in ("ArrowDown", "ArrowUp"):
            self.active = (self.active + (1 if key == "ArrowDown" else -1)) % len(self.criteria)
            return True
        return False
