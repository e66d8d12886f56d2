"""``Reviewer``: approve, reject or correct single-labeled work, with a reason.

The queue is every item of the round labeled by exactly one labeler (or ``item_ids``, e.g. a
:func:`workbench.sampling.spot_check_sample`). The screen shows the item, the labeler's label,
unsure flag and note, and the taxonomy's options. Keys: ``a`` approves (``A`` when the taxonomy
uses ``a`` for an option), ``x`` rejects (``X`` likewise), a digit corrects to that option (an
option equal to the given label approves). A rejection or correction needs a reason first.
Each decision is a row of kind ``review``: ``{"verdict", "of", "label", "annotation_id"}``, the
reason in ``note``; :mod:`workbench.error_analysis` reads them (``review_summary_table``).

Examples
--------
>>> from workbench.store import AnnotationStore
>>> store = AnnotationStore.example()
>>> first = store.record("m1", "ann", "refund", round=1)
>>> _ = store.record("m2", "ann", "bug", round=1)
>>> rev = Reviewer(store, annotator="rita", round=1)
>>> rev.item.item_id, rev.press("a")
('m1', None)
>>> rev.note.value = "Wants to stop paying, not money back."
>>> rev.press("2")  # correct m2 to the second option
>>> store.annotations(kind="review")[["item_id", "label"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
[['m1', '{"annotation_id": 1, "label": "refund", "of": "ann", "verdict": "approve"}'],
 ['m2', '{"annotation_id": 2, "label": "cancel", "of": "ann", "verdict": "correct"}']]
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

from ._protocol import Submission, decode_json
from .adjudicator import Adjudicator

__all__ = ["Reviewer", "single_labeled_items"]


def single_labeled_items(annotations) -> List[str]:
    """Item ids (first-labeled order) that exactly one labeler labeled.

    Examples
    --------
    >>> import pandas as pd
    >>> single_labeled_items(pd.DataFrame({"item_id": ["a", "a", "b"], "annotator": ["x", "y", "x"]}))
    ['b']
    """
    if annotations is None or len(annotations) == 0:
        return []
    counts = annotations.groupby("item_id", sort=False)["annotator"].nunique()
    return [str(i) for i, n in counts.items() if n == 1]


class Reviewer(Adjudicator):
    """Review single-labeled work of a round: approve, reject or correct each label, with a reason.

    Parameters
    ----------
    store : AnnotationStore or str
    annotator : str, optional
        The reviewer (a reviewer or lead; default the signed-in user).
    round : int
    item_ids : sequence of str, optional
        Review these items (e.g. a spot-check sample) instead of every single-labeled one.
    item_renderer : callable, optional
    mask_pii : bool, optional
    """

    kind = "review"
    subtitle = "review"

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None, item_ids=None,
                 item_renderer: Optional[Callable] = None, mask_pii: Optional[bool] = None):
        from .session import open_store

        store = open_store(store)
        if item_ids is None:
            item_ids = single_labeled_items(store.annotations(round=int(round), kind="label"))
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_ids=item_ids,
                         item_renderer=item_renderer, mask_pii=mask_pii)

    def _build(self) -> None:
        super()._build()
        taken = set(self.shortcuts)
        self.approve_key = "a" if "a" not in taken else "A"
        self.reject_key = "x" if "x" not in taken else "X"
        self.note.placeholder = "Reason (required to reject or correct): which rule does the label break?"
        self.keys_help.value = (f"<kbd>{self.approve_key}</kbd> approve · <kbd>{self.reject_key}</kbd> reject · "
                                "digit: correct to that label · <kbd>s</kbd> skip · <kbd>Backspace</kbd> back")

    def _reviewed(self):
        rows = self._rows(self.item.item_id) if self.item is not None else []
        return rows[-1] if rows else None

    def _decide(self, verdict: str, label=None) -> None:
        row = self._reviewed()
        if row is None:
            self._say("Nobody labeled this item in this round; skip it.", error=True)
            return
        if verdict != "approve" and self._need_rationale():
            return
        payload = {"verdict": verdict, "of": str(row.annotator), "annotation_id": int(row.id)}
        if verdict == "approve":
            payload["label"] = decode_json(row.label)
        elif verdict == "correct":
            payload["label"] = label
        sub = Submission(label=payload, note=self.note.value, duration_ms=self._elapsed_ms())
        if self._emit(self._submit_cbs, sub):
            self._say({"approve": "Approved.", "reject": "Rejected.", "correct": "Corrected."}[verdict])

    def _key(self, key: str) -> bool:
        if key == self.approve_key:
            self._decide("approve")
            return True
        if key == self.reject_key:
            self._decide("reject")
            return True
        return super()._key(key)

    def _choose(self, index: int) -> None:
        if self.item is None or not 0 <= index < len(self.options):
            return
        row = self._reviewed()
        chosen = self.options[index]
        if row is not None and decode_json(row.label) == chosen:
            self._decide("approve")
            return
        if self._need_rationale():
            self._cursor = index
            self._show_definition(index)
            return
        self._decide("correct", chosen)

    def _done_html(self) -> str:
        done, total, _skipped = self._done_total
        if total == 0:
            return ('<div class="wb-done">Nothing to review in this round.'
                    '<small>No item has exactly one label.</small></div>')
        return (f'<div class="wb-done">✓ All done: {done} of {total} labels reviewed.'
                '<small>Every decision is saved.</small></div>')
