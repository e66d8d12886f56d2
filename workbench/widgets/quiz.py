"""``CalibrationQuiz``: label gold items, see after each answer whether it was right and why.

The gold answers come from the items' ``gold_label`` metadata column (the convention
the calibration report scores against), or from ``gold=`` (a dict ``item_id -> label``
or a DataFrame with ``item_id`` and ``gold_label`` / ``label``). The screen is the
Labeller's (:class:`~workbench.widgets._view.ClassificationView`); each answer is
stored with ``kind="quiz"`` *before* the feedback shows: right or wrong, the right
label, and the guideline rule that decides it (the edge-case rule naming both the
given and the right label, else the right category's definition with its include /
exclude rules). ``Enter`` moves on; the end screen shows the score.
:func:`quiz_scores` gives every labeler's score in a round.

Examples
--------
>>> from types import SimpleNamespace as NS
>>> tax = NS(edge_cases=[NS(rule="A refund because of a bug is a refund.", categories=("refund", "bug"))])
>>> deciding_rule(tax, given="bug", right="refund")
'A refund because of a bug is a refund.'
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

import ipywidgets as widgets
import pandas as pd

from ..exceptions import ValidationError
from ._bound import SessionWidget
from ._definitions import definition_html
from ._protocol import Item, Submission, decode_json
from ._view import ClassificationView
from .renderers import escape
from .session import open_store

__all__ = ["CalibrationQuiz", "quiz_scores", "gold_labels", "deciding_rule"]

GOLD_COL = "gold_label"


def _as_set(value: Any) -> frozenset:
    value = decode_json(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(v) for v in value)
    return frozenset([str(value)])


def deciding_rule(taxonomy, *, given: Any, right: Any) -> Optional[str]:
    """The edge-case rule naming both the given and the right label, else ``None``.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> deciding_rule(NS(edge_cases=[]), given="a", right="b") is None
    True
    """
    given_set, right_set = _as_set(given), _as_set(right)
    for edge in getattr(taxonomy, "edge_cases", ()) or ():
        cats = set(getattr(edge, "categories", ()) or ())
        if cats & given_set and cats & right_set and given_set != right_set:
            return str(getattr(edge, "rule", edge))
    return None


def gold_labels(store, *, gold=None, labels=None) -> dict:
    """``{item_id: gold label}`` from ``gold=`` or the items' ``gold_label`` column.

    Parameters
    ----------
    store : AnnotationStore
    gold : dict or DataFrame, optional
        ``item_id -> label``, or a frame with ``item_id`` and ``gold_label`` (or ``label``).
    labels : sequence of str, optional
        Valid labels; a gold label outside them raises a ValidationError.

    Examples
    --------
    >>> from workbench.store import AnnotationStore
    >>> gold_labels(AnnotationStore.example(), gold={"m1": "refund"})
    {'m1': 'refund'}
    """
    if gold is None:
        items = store.items()
        if GOLD_COL not in items.columns:
            raise ValidationError(f"No gold answers: the items in {store.url} have no '{GOLD_COL}' column. "
                                  f"Add items with a '{GOLD_COL}' column, or pass gold={{item_id: label}}.")
        items = items[items[GOLD_COL].notna()]
        out = dict(zip(items["item_id"].astype(str), items[GOLD_COL]))
    elif isinstance(gold, pd.DataFrame):
        col = GOLD_COL if GOLD_COL in gold.columns else "label"
        if "item_id" not in gold.columns or col not in gold.columns:
            raise ValidationError("The 'gold' DataFrame of CalibrationQuiz needs columns 'item_id' and "
                                  f"'{GOLD_COL}' (or 'label'). Got {list(gold.columns)}.")
        out = dict(zip(gold["item_id"].astype(str), gold[col]))
    elif isinstance(gold, Mapping):
        out = {str(k): v for k, v in gold.items()}
    else:
        raise ValidationError(f"The 'gold' parameter of CalibrationQuiz must be a dict item_id -> label or a "
                              f"DataFrame; got {type(gold).__name__}.")
    if not out:
        raise ValidationError("No gold answers given: the quiz needs at least one gold item.")
    if labels is not None:
        bad = sorted({c for v in out.values() for c in _as_set(v)} - set(labels))
        if bad:
            raise ValidationError(f"Gold labels {bad} are not in the taxonomy (valid: {list(labels)}). Fix the "
                                  "gold answers or quiz on the taxonomy version they were written for.")
    return out


def quiz_scores(store, *, round: int, gold=None) -> pd.DataFrame:
    """Score of every labeler's current quiz answers in ``round``.

    Returns
    -------
    DataFrame
        ``annotator, n_answered, n_correct, accuracy``, best first.

    Examples
    --------
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()
    >>> _ = store.record("m1", "ann", "refund", round=1, kind="quiz")
    >>> quiz_scores(store, round=1, gold={"m1": "refund"}).values.tolist()
    [['ann', 1, 1, 1.0]]
    """
    key = gold_labels(store, gold=gold)
    ann = store.annotations(round=int(round), kind="quiz")
    cols = ["annotator", "n_answered", "n_correct", "accuracy"]
    if len(ann) == 0:
        return pd.DataFrame(columns=cols)
    ann = ann[ann["item_id"].astype(str).isin(key)]
    ok = [_as_set(lab) == _as_set(key[str(i)]) for i, lab in zip(ann["item_id"], ann["label"])]
    out = ann.assign(ok=ok).groupby("annotator").agg(n_answered=("ok", "size"), n_correct=("ok", "sum"))
    out["accuracy"] = out["n_correct"] / out["n_answered"]
    out = out.reset_index().sort_values(["accuracy", "annotator"], ascending=[False, True])
    return out.astype({"n_answered": int, "n_correct": int})[cols].reset_index(drop=True)


class CalibrationQuiz(SessionWidget, ClassificationView):
    """A calibration quiz on gold items, with the right answer and its rule after every answer.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL.
    annotator : str
        The labeler taking the quiz.
    round : int
        The round the answers are stored in (``kind="quiz"``).
    taxonomy : Taxonomy, optional
        Defaults to the round's taxonomy version.
    gold : dict or DataFrame, optional
        Gold answers; default the items' ``gold_label`` column.
    item_ids : sequence of str, optional
        Quiz only these gold items (e.g. a calibration subset), in this order.
    item_renderer : callable, optional
        ``render(item) -> str | ipywidget``.
    mask_pii : bool, optional
        Mask emails, phone numbers, card numbers, IBANs and IP addresses in the shown text. Default:
        the round's ``mask_pii`` setting, on unless the round switched it off.

    Notes
    -----
    Keys (mouse over the item): ``1``-``9`` answer (``0`` None of these), ``Enter``
    next item after the feedback, ``s`` skip, ``Backspace`` back.

    Examples
    --------
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()
    >>> quiz = CalibrationQuiz(store, annotator="ann", round=1, gold={"m1": "refund", "m2": "cancel"})
    >>> quiz.press("2")  # answers "cancel" for m1: wrong
    >>> quiz.last_result
    {'item_id': 'm1', 'given': 'cancel', 'right': 'refund', 'correct': False}
    >>> quiz.press("Enter")  # next item
    >>> quiz.press("2")
    >>> quiz.score()
    {'n_answered': 2, 'n_correct': 1, 'accuracy': 0.5}
    """

    kind = "quiz"
    subtitle = "calibration quiz"

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None, gold=None, item_ids=None,
                 item_renderer: Optional[Callable] = None, mask_pii: Optional[bool] = None):
        store = open_store(store)
        self.gold = gold_labels(store, gold=gold)
        order = [str(i) for i in store.items(item_ids=list(self.gold))["item_id"]]
        if item_ids is not None:  # a calibration subset, in the given order
            keep = set(order)
            order = [i for i in dict.fromkeys(str(x) for x in item_ids) if i in keep]
        if not order:
            raise ValidationError(f"No gold item of the quiz is in {store.url}: add the items first "
                                  "(store.add_items), or check the ids in gold= / item_ids=.")
        self._pending_feedback = None
        self._queued = None
        self.showing_feedback = False
        self.last_result: Optional[dict] = None
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_ids=order,
                         item_renderer=item_renderer, mask_pii=mask_pii)

    def _build(self) -> None:
        gold_labels(self.session.store, gold=self.gold, labels=self.taxonomy.labels)  # every gold label is valid
        self.feedback = widgets.HTML("")
        self.feedback.add_class("wb-feedback")
        self.continue_button = widgets.Button(description="Next item (Enter)", button_style="primary",
                                              layout=widgets.Layout(width="auto"))
        self.continue_button.add_class("wb-next")
        self.continue_button.on_click(lambda _b: self._continue())
        self.feedback_box = widgets.VBox([self.feedback, self.continue_button],
                                         layout=widgets.Layout(display="none"))
        self.feedback_box.add_class("wb-feedback-box")
        self._add_panel(self.feedback_box)
        self.keys_help.value = self.keys_help.value.replace("choose", "answer · <kbd>Enter</kbd> next")

    # ------------------------------------------------------------------ scoring
    def score(self) -> dict:
        """``{"n_answered", "n_correct", "accuracy"}`` of this labeler's current answers (from the store)."""
        table = quiz_scores(self.session.store, round=self.session.round, gold=self.gold)
        row = table[table["annotator"] == self.session.annotator]
        if row.empty:
            return {"n_answered": 0, "n_correct": 0, "accuracy": float("nan")}
        r = row.iloc[0]
        return {"n_answered": int(r["n_answered"]), "n_correct": int(r["n_correct"]),
                "accuracy": float(r["accuracy"])}

    def _name(self, label: Any) -> str:
        names = []
        for c in sorted(_as_set(label)):
            try:
                names.append(getattr(self.taxonomy.category(c), "name", None) or c)
            except Exception:  # noqa: BLE001
                names.append(c)
        return ", ".join(names)

    def explanation_html(self, given: Any, right: Any) -> str:
        """The feedback for one answer: verdict, right label, deciding rule (escaped HTML).

        Examples
        --------
        See :class:`CalibrationQuiz` (``quiz.feedback.value`` after an answer).
        """
        correct = _as_set(given) == _as_set(right)
        rule = deciding_rule(self.taxonomy, given=given, right=right)
        if correct:
            verdict = f'<div class="wb-verdict">✓ Right: {escape(self._name(right))}</div>'
        else:
            verdict = (f'<div class="wb-verdict">✗ Not quite: you chose {escape(self._name(given))}; the right '
                       f'label is {escape(self._name(right))}.</div>')
        parts = [definition_html(self.taxonomy, c) for c in sorted(_as_set(right)) if c in self.taxonomy.labels]
        why = f'<div class="wb-rule"><b>Guideline:</b> {"".join(parts)}</div>'
        if rule:  # the rule that separates the two answers comes first
            why = f'<div class="wb-rule"><b>Edge case that decides it:</b> {escape(rule)}</div>' + why
        return verdict + why

    # ------------------------------------------------------------------ flow
    def display(self, item: Optional[Item]) -> None:
        """Show ``item``; right after an answer, show the feedback first (``Enter`` moves on)."""
        if self._pending_feedback is not None:
            self._queued = item
            self._show_feedback(*self._pending_feedback)
            self._pending_feedback = None
            return
        self.showing_feedback = False
        self.feedback_box.layout.display = "none"
        for b in self.buttons:
            b.remove_class("wb-right")
            b.remove_class("wb-wrong")
        super().display(item)

    def _show_feedback(self, item: Item, given: Any) -> None:
        right = self.gold[item.item_id]
        correct = _as_set(given) == _as_set(right)
        self.last_result = {"item_id": item.item_id, "given": given, "right": right, "correct": correct}
        self._cursor = None
        for cid, b in zip(self.options, self.buttons):
            if cid in _as_set(right):
                b.add_class("wb-right")
            elif cid in _as_set(given):
                b.add_class("wb-wrong")
        self.feedback.value = self.explanation_html(given, right)
        self.feedback.remove_class("wb-ok" if not correct else "wb-ko")
        self.feedback.add_class("wb-ok" if correct else "wb-ko")
        self.feedback_box.layout.display = None
        self.definition.layout.display = "none"
        self.showing_feedback = True

    def _continue(self) -> None:
        if self.showing_feedback:
            self.display(self._queued)
            self._queued = None

    def _answered(self, submit: Callable[[], None], given: Any) -> None:
        item = self.item
        self._pending_feedback = (item, given)
        submit()
        if self._pending_feedback is not None:  # not saved (the error is on screen): no feedback
            self._pending_feedback = None

    def _choose(self, index: int) -> None:
        if self.showing_feedback or self.item is None or not 0 <= index < len(self.options):
            return
        if self.multilabel:
            super()._choose(index)
            return
        self._answered(lambda: super(CalibrationQuiz, self)._choose(index), self.options[index])

    def _submit_multi(self) -> None:
        if self.showing_feedback:
            return
        if self.item is None or not self._selected:
            super()._submit_multi()  # says what is missing
            return
        chosen = [c for c in self.options if c in self._selected]
        self._answered(lambda: super(CalibrationQuiz, self)._submit_multi(), chosen)

    def _undo(self) -> None:
        self._pending_feedback = self._queued = None
        self.showing_feedback = False
        super()._undo()

    def _skip(self) -> None:
        if not self.showing_feedback:
            super()._skip()

    def restore(self, answer: Submission) -> None:
        """After *back*: the item is asked again (the taken-back answer is not pre-selected)."""

    def _done_html(self) -> str:
        s = self.score()
        if not s["n_answered"]:
            return '<div class="wb-done">No quiz answers yet.</div>'
        return (f'<div class="wb-done">✓ Quiz done: {s["n_correct"]} of {s["n_answered"]} right '
                f'({s["accuracy"]:.0%}).<small>Every answer is saved; your lead sees the calibration report.'
                '</small></div>')

    def press(self, key: str) -> None:
        """Keys as in the Labeller; while the feedback shows, ``Enter`` / space go to the next item."""
        if not self.showing_feedback:
            super().press(key)
        elif key in ("Enter", " ", "ArrowRight"):
            self._continue()
        elif key == "Backspace":
            self._undo()
