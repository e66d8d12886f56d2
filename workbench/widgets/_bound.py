"""``SessionWidget``: a labeling screen bound to the :class:`LabelingSession` of its ``kind``.

Every public widget is a view (``ClassificationView``, ``ReviewFrame``, the taggers) plus
this mixin: it opens the session (store, annotator, round, taxonomy, explicit queue)
writing rows of the class's ``kind``, builds the view with the session's taxonomy and
title, lets the widget add its own parts (:meth:`SessionWidget._build`), then attaches
the view, which shows the first pending item.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> class Shown:  # the smallest view: it records what it is shown
...     def __init__(self, *, taxonomy, title):
...         self.title, self.shown = title, []
...     def display(self, item):
...         self.shown.append(item.item_id if item else None)
...     def on_submit(self, cb): pass
...     on_skip = on_undo = on_submit
>>> class QuizOfShown(SessionWidget, Shown):
...     kind, subtitle = "quiz", "quiz"
...     masks_pii = False  # this view has no PII masking to switch on
>>> w = QuizOfShown(AnnotationStore.example(), annotator="ann", round=1, item_ids=["m2"])
>>> w.session.kind, w.shown, w.title.endswith("ann · quiz")
('quiz', ['m2'], True)
"""

from __future__ import annotations

from typing import Any, List, Optional

from .identity import Identity, check_role, resolve
from .session import LabelingSession, open_store

__all__ = ["SessionWidget", "authorize", "assigned_items", "hidden_columns", "round_masks_pii"]


def authorize(store: Any, annotator: Optional[str], kind: str) -> Identity:
    """The identity a view of ``kind`` acts for, checked against its role (AccessDenied otherwise)."""
    who = resolve(annotator, store)
    check_role(who.role, kind)
    return who


def assigned_items(store: Any, annotator: str, round: int, item_ids=None) -> List[str]:
    """A labeler's queue: their assignments in plan order, restricted to ``item_ids`` when given.

    A labeler never sees an item they were not assigned, even by naming it.
    """
    plan = store.assignments(round=round, annotator=annotator)
    if "position" in plan.columns:
        plan = plan.sort_values("position", kind="stable")
    mine = list(dict.fromkeys(str(i) for i in plan["item_id"]))
    if item_ids is None:
        return mine
    wanted = {str(i) for i in item_ids}
    return [i for i in mine if i in wanted]


def _round_params(store: Any, round: int) -> dict:
    params = store.round_info(round).get("params") or {}
    return params if isinstance(params, dict) else {}


def hidden_columns(params: dict) -> List[str]:
    """Item metadata columns a round's params hide from labelers (``hidden_columns``)."""
    hidden = params.get("hidden_columns", [])
    return [str(c) for c in hidden] if isinstance(hidden, (list, tuple)) else [str(hidden)]


def round_masks_pii(params: dict) -> bool:
    """A round's ``mask_pii`` setting (its params); on unless the round switched it off."""
    return bool(params.get("mask_pii", True))


class SessionWidget:
    """Mixin (put it before the view class): open the session of ``kind``, build the view, attach it.

    Parameters
    ----------
    store, round, taxonomy, item_ids
        As for :class:`~workbench.widgets.session.LabelingSession` (``item_ids``: an explicit queue;
        for a labeler only their assigned items among them).
    annotator : str, optional
        Who labels. Where someone is signed in (the served page, JupyterHub) it is them, and
        naming anyone else is refused; in your own notebook it is required.
    **view_options
        Passed to the view's ``__init__`` with ``taxonomy`` and ``title``.

    Attributes
    ----------
    kind : str
        The annotation kind written on submit (class attribute).
    subtitle : str
        Appended to the session's title in the header (class attribute; ``""`` for none).
    session : LabelingSession
    """

    kind = "label"
    subtitle = ""
    #: Whether the view can mask PII (span and box views cannot: their offsets are in the raw text).
    masks_pii = True

    def __init__(self, store: Any, *, annotator: Optional[str] = None, round: int, taxonomy=None, item_ids=None,
                 **view_options):
        store = open_store(store)
        self.identity = authorize(store, annotator, self.kind)
        if self.identity.role == "labeler":  # exactly their planned items, in plan order
            item_ids = assigned_items(store, self.identity.user, int(round), item_ids)
        params = _round_params(store, int(round))  # read once: masking and hidden columns
        if self.masks_pii and view_options.get("mask_pii") is None:
            view_options["mask_pii"] = round_masks_pii(params)
        hidden = hidden_columns(params) if self.identity.role == "labeler" else ()
        self.session = LabelingSession(store, annotator=self.identity.user, round=round, taxonomy=taxonomy,
                                       kind=self.kind, item_ids=item_ids, hidden_meta=hidden)
        title = self.session.title() + (f" · {self.subtitle}" if self.subtitle else "")
        super().__init__(taxonomy=self.session.taxonomy, title=title, **view_options)
        self._build()
        self.session.attach(self)

    def _build(self) -> None:
        """Add the widget's own parts once the view exists, before the first item shows."""
