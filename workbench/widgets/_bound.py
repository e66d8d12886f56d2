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
>>> w = QuizOfShown(AnnotationStore.example(), annotator="ann", round=1, item_ids=["m2"])
>>> w.session.kind, w.shown, w.title.endswith("ann · quiz")
('quiz', ['m2'], True)
"""

from __future__ import annotations

from typing import Any

from .session import LabelingSession

__all__ = ["SessionWidget"]


class SessionWidget:
    """Mixin (put it before the view class): open the session of ``kind``, build the view, attach it.

    Parameters
    ----------
    store, annotator, round, taxonomy, item_ids
        As for :class:`~workbench.widgets.session.LabelingSession` (``item_ids``: an explicit queue).
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

    def __init__(self, store: Any, *, annotator: str, round: int, taxonomy=None, item_ids=None, **view_options):
        self.session = LabelingSession(store, annotator=annotator, round=round, taxonomy=taxonomy, kind=self.kind,
                                       item_ids=item_ids)
        title = self.session.title() + (f" · {self.subtitle}" if self.subtitle else "")
        super().__init__(taxonomy=self.session.taxonomy, title=title, **view_options)
        self._build()
        self.session.attach(self)

    def _build(self) -> None:
        """Add the widget's own parts once the view exists, before the first item shows."""
