"""``Adjudicator``: review the items of a round whose labels disagree and decide the final label.

The queue is every item whose current labels (``store.annotations(round=..., kind="label")``)
are not all the same. For each, the screen shows the item, every annotator's label,
unsure flag and note, and the taxonomy's options (the ones somebody chose are
marked, with their vote counts). The reviewer picks the final label with a digit key
or a click, like in :class:`~workbench.widgets.Labeller`, and must write a rationale
first; the decision is stored with ``kind="adjudication"`` and the rationale in ``note``.

Examples
--------
>>> import pandas as pd
>>> votes = pd.DataFrame({"item_id": ["a", "a", "b", "b"], "annotator": ["x", "y", "x", "y"],
...                       "label": ["spam", "ham", "ham", "ham"]})
>>> disagreeing_items(votes)
['a']
"""

from __future__ import annotations

import json
from typing import Any, Callable, List, Optional

import ipywidgets as widgets

from ._bound import SessionWidget, authorize
from ._protocol import Item, decode_json
from ._view import ClassificationView
from .renderers import escape
from .session import open_store

__all__ = ["Adjudicator", "disagreeing_items"]


def _label_key(value: Any) -> str:
    """Comparable form of a label: multi-label JSON lists compare as sorted sets."""
    value = decode_json(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return json.dumps(sorted(value))
    return str(value)


def disagreeing_items(annotations, *, min_annotators: int = 2) -> List[str]:
    """Item ids (in first-labeled order) whose labels are not all equal.

    Parameters
    ----------
    annotations : DataFrame
        Columns ``item_id``, ``annotator``, ``label`` (current rows of one round).
    min_annotators : int, default 2
        Items labeled by fewer annotators are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": ["a", "a", "b"], "annotator": ["x", "y", "x"],
    ...                    "label": ['["p", "q"]', '["q", "p"]', "p"]})
    >>> disagreeing_items(df)
    []
    """
    if annotations is None or len(annotations) == 0:
        return []
    df = annotations
    if "id" in df.columns:
        df = df.sort_values("id", kind="stable")
    keys = df["label"].map(_label_key)
    stats = df.assign(_k=keys).groupby("item_id", sort=False).agg(n=("annotator", "nunique"), k=("_k", "nunique"))
    return [str(i) for i, r in stats.iterrows() if r["n"] >= min_annotators and r["k"] > 1]


class Adjudicator(SessionWidget, ClassificationView):
    """Decide the final label of every item of a round whose annotators disagree.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL (``"sqlite:///labels.db"``).
    annotator : str
        The reviewer's name (stored in the ``annotator`` column of the decisions).
    round : int
        The round whose labels are reviewed (decisions are stored in the same round).
    taxonomy : Taxonomy, optional
        Defaults to the round's taxonomy version.
    item_ids : sequence of str, optional
        Review these items instead of the disagreements.
    min_annotators : int, default 2
        Only items labeled by at least this many annotators count as disagreements.
    item_renderer : callable, optional
        ``render(item) -> str | ipywidget``.
    mask_pii : bool, optional
        Mask emails, phone numbers, card numbers, IBANs and IP addresses in the shown text. Default:
        the round's ``mask_pii`` setting, on unless the round switched it off.

    Notes
    -----
    Keys (mouse over the item): ``1``-``9`` choose the final label (``0`` None of these),
    ``←`` ``→`` browse definitions, ``Enter`` confirm the highlighted option, ``s`` skip,
    ``Backspace`` back, ``?`` guide. Choosing before writing the rationale only highlights
    the option and asks for the rationale.

    Examples
    --------
    >>> from workbench.store import AnnotationStore
    >>> store = AnnotationStore.example()
    >>> _ = store.record("m1", "ann", "refund", round=1)
    >>> _ = store.record("m1", "bob", "cancel", round=1)
    >>> adj = Adjudicator(store, annotator="lead", round=1)
    >>> adj.item.item_id, adj.votes_of("m1")
    ('m1', {'ann': 'refund', 'bob': 'cancel'})
    >>> adj.press("1")  # no rationale yet: only highlighted
    >>> adj.note.value = "Asks for the money back."
    >>> adj.press("Enter")
    >>> store.annotations(kind="adjudication")[["item_id", "annotator", "label", "note"]].values.tolist()
    [['m1', 'lead', 'refund', 'Asks for the money back.']]
    """

    kind = "adjudication"
    subtitle = "adjudication"

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None, item_ids=None,
                 min_annotators: int = 2, item_renderer: Optional[Callable] = None, mask_pii: Optional[bool] = None):
        store = open_store(store)
        authorize(store, annotator, self.kind)  # before anyone's labels are read
        self.labels = store.annotations(round=int(round), kind="label")
        self._by_item = None
        if item_ids is None:
            item_ids = disagreeing_items(self.labels, min_annotators=min_annotators)
        super().__init__(store, annotator=annotator, round=round, taxonomy=taxonomy, item_ids=item_ids,
                         item_renderer=item_renderer, mask_pii=mask_pii)

    def _build(self) -> None:
        self._names = [b.description for b in self.buttons]
        self.votes = widgets.HTML("")
        self.votes.add_class("wb-votes")
        self._add_panel(self.votes)
        self.note.placeholder = "Rationale (required): why is this the final label?"
        self.keys_help.value = self.keys_help.value.replace("choose", "final label · <kbd>Enter</kbd> confirm")

    # ------------------------------------------------------------------ data
    def _rows(self, item_id: str) -> list:
        if self._by_item is None:  # grouped once: a display must not scan every label of the round
            self._by_item = {}
            if self.labels is not None and len(self.labels):
                for r in self.labels.sort_values("id").itertuples(index=False):
                    self._by_item.setdefault(str(r.item_id), []).append(r)
        return self._by_item.get(str(item_id), [])

    def votes_of(self, item_id: str) -> dict:
        """``{annotator: label}`` of the current labels of ``item_id`` (multi-label as lists).

        Examples
        --------
        See :class:`Adjudicator`.
        """
        return {str(r.annotator): decode_json(r.label) for r in self._rows(item_id)}

    def _name(self, cid: str) -> str:
        try:
            return getattr(self.taxonomy.category(cid), "name", None) or cid
        except Exception:  # noqa: BLE001 - a label of an older taxonomy version
            return f"{cid} (not in v{self.taxonomy.version})"

    def _votes_html(self, item_id: str) -> str:
        rows = self._rows(item_id)
        if not rows:
            return '<div class="wb-def-hint">Nobody labeled this item in this round.</div>'
        body = []
        for r in rows:
            value = decode_json(r.label)
            names = ", ".join(self._name(c) for c in (value if isinstance(value, list) else [value]))
            unsure = '<span class="wb-unsure-flag">unsure</span>' if bool(r.unsure) else ""
            note = "" if r.note is None or r.note != r.note else escape(r.note)
            body.append(f"<tr><td>{escape(r.annotator)}</td><td><b>{escape(names)}</b></td><td>{unsure}</td>"
                        f"<td>{note}</td></tr>")
        return ("<table><tr><th>Annotator</th><th>Label</th><th></th><th>Note</th></tr>"
                f"{''.join(body)}</table>")

    # ------------------------------------------------------------------ screen
    def display(self, item: Optional[Item]) -> None:
        """Show ``item`` with every annotator's label, note and unsure flag."""
        super().display(item)
        counts: dict = {}
        if item is not None:
            for value in self.votes_of(item.item_id).values():
                for c in (value if isinstance(value, list) else [value]):
                    counts[c] = counts.get(c, 0) + 1
        for cid, b, name in zip(self.options, self.buttons, self._names):
            n = counts.get(cid, 0)
            b.description = f"{name} ({n})" if n else name
            (b.add_class if n else b.remove_class)("wb-voted")
        self.votes.value = "" if item is None else self._votes_html(item.item_id)
        self.votes.layout.display = "none" if item is None else None

    def _done_html(self) -> str:
        done, total, _skipped = self._done_total
        if total == 0:
            return ('<div class="wb-done">No disagreements to adjudicate in this round.'
                    '<small>Every item labeled by two or more annotators got the same label.</small></div>')
        return (f'<div class="wb-done">✓ All done: {done} of {total} disagreements adjudicated.'
                '<small>Every decision is saved.</small></div>')

    def _need_rationale(self) -> bool:
        if self.note.value.strip():
            return False
        self._say("Write a rationale first (the box below), then press Enter or click the label again.",
                  error=True)
        return True

    def _choose(self, index: int) -> None:
        if self.item is None or not 0 <= index < len(self.options):
            return
        if not self.multilabel and self._need_rationale():
            self._cursor = index
            self._show_definition(index)
            return
        super()._choose(index)

    def _submit_multi(self) -> None:
        if self.item is not None and self._selected and self._need_rationale():
            return
        super()._submit_multi()
