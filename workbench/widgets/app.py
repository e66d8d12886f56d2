"""The served labeling app: a start page per signed-in user, then the view they pick.

:func:`served_app` runs in the kernel of the served page (``workbench serve``), after the
server bound the signed-in user (:mod:`workbench.widgets.identity`). The start page lists the
queues of the round that the user's role may open, each with its progress:

- labelers: the labeling views of the round (classify; compare responses when items have
  ``response_a`` / ``response_b``; rubric when the round declares one; spans or boxes when the
  round's params say ``task: spans`` / ``task: boxes``; the calibration quiz when they say
  ``quiz: true``), over their assigned items only;
- reviewers: adjudication of the items labelers disagree on, and review of single-labeled work;
- leads: all of these, and the live dashboard of the round.

A round's params may list ``views`` explicitly (e.g. ``["label", "pairwise"]``). Picking a
queue opens its view; "All queues" goes back to the start page with fresh progress.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> from workbench.widgets import identity
>>> _ = identity.bind("ann", "lead")
>>> queues = round_queues(AnnotationStore.example(), 1)
>>> [q.kind for q in queues]
['label', 'adjudication', 'review', 'dashboard']
>>> identity.reset_for_tests()
"""

from __future__ import annotations

import dataclasses
from typing import Any, List, Optional

from ..exceptions import AccessDenied, StoreError, ValidationError
from ._style import style_html
from .identity import VIEW_ROLES, current
from .renderers import escape
from .session import open_store

__all__ = ["Queue", "round_queues", "served_app", "VIEW_TITLES"]

#: Each view: (title shown on the start page, what it asks).
VIEW_TITLES = {
    "label": ("Classify", "Pick the category of each item."),
    "pairwise": ("Compare responses", "Choose the better of two responses, with a rationale."),
    "rubric": ("Rate on the rubric", "Score each response on every criterion, with a rationale."),
    "spans": ("Mark spans", "Select the spans of text and label them."),
    "boxes": ("Draw boxes", "Draw a box around each object and label it."),
    "quiz": ("Calibration quiz", "Answer gold items; the right answer shows after each."),
    "adjudication": ("Adjudicate", "Decide the final label where labelers disagree."),
    "review": ("Review", "Approve, reject or correct single-labeled work, with a reason."),
    "dashboard": ("Dashboard", "Progress, speed, quality and teams of the round, refreshing itself."),
}


@dataclasses.dataclass
class Queue:
    """One queue on the start page: the view ``kind``, items ``done`` of ``total``."""

    kind: str
    title: str
    description: str
    done: int
    total: int


def _round_views(store, round: int, item_ids: List[str]) -> List[str]:
    """The views of ``round``; response columns are looked for on ``item_ids`` (the user's plan), else the pool."""
    info = store.round_info(round)
    params = info.get("params") or {}
    if isinstance(params, dict) and params.get("views"):
        return [v for v in params["views"] if v in VIEW_TITLES]
    task = params.get("task") if isinstance(params, dict) else None
    views = [task] if task in ("spans", "boxes") else ["label"]
    items = store.items(item_ids=item_ids) if item_ids else store.items().head(1)
    if {"response_a", "response_b"} <= set(items.columns):
        views.append("pairwise")
    if hasattr(store, "round_rubric") and store.round_rubric(round) is not None:
        views.append("rubric")
    if isinstance(params, dict) and params.get("quiz"):
        views.append("quiz")
    return views + ["adjudication", "review", "dashboard"]


def round_queues(store: Any, round: int) -> List[Queue]:
    """The queues the signed-in user may open in ``round``, with their progress."""
    from .adjudicator import disagreeing_items

    store = open_store(store)
    who = current(store)
    if who is None:
        raise AccessDenied("No one is signed in: open the page through your sign-in link.")
    mine = store.assignments(round=round, annotator=who.user)
    planned = set(mine["item_id"].astype(str))
    rows = store.annotations(round=round)
    out = []
    for kind in _round_views(store, round, sorted(planned)):
        if who.role not in VIEW_ROLES.get(kind, ("lead",)):
            continue
        if kind == "dashboard":  # a view, not a queue: its progress is the round's
            done = int(store.progress(round=round)["n_done"].sum()) if len(store.assignments(round=round)) else 0
            total = len(store.assignments(round=round))
        elif kind == "review":
            from .review import single_labeled_items

            todo = set(single_labeled_items(rows[rows["kind"] == "label"]))
            reviewed = set(rows[(rows["kind"] == "review") & (rows["annotator"] == who.user)]["item_id"].astype(str))
            total, done = len(todo), len(reviewed & todo)
        elif kind == "adjudication":
            todo = set(disagreeing_items(rows[rows["kind"] == "label"]))
            decided = set(rows[(rows["kind"] == "adjudication")]["item_id"].astype(str))
            total, done = len(todo), len(decided & todo)
        else:
            answered = rows[(rows["kind"].isin([kind, "skip"])) & (rows["annotator"] == who.user)]
            total = len(planned)
            done = len(set(answered["item_id"].astype(str)) & planned)
        title, description = VIEW_TITLES[kind]
        out.append(Queue(kind, title, description, done, total))
    return out


def _open_view(store, round: int, kind: str):
    from . import adjudicator, dashboard, labeller, pairwise, quiz, review, rubric, tagging

    classes = {"label": labeller.Labeller, "pairwise": pairwise.PairwiseRater, "rubric": rubric.RubricRater,
               "quiz": quiz.CalibrationQuiz, "adjudication": adjudicator.Adjudicator,
               "spans": tagging.SpanTagger, "boxes": tagging.BoxAnnotator, "dashboard": dashboard.Dashboard,
               "review": review.Reviewer}
    return classes[kind](store, round=round)


def served_app(db_url: str, round: int, *, view: Optional[str] = None):
    """The served page: the start page of the signed-in user, or the queue ``view`` directly.

    Parameters
    ----------
    db_url : str
        Store URL.
    round : int
        The round being labeled.
    view : str, optional
        Open this queue at once (``label``, ``pairwise``, ...; the page's ``?view=``).

    Returns
    -------
    ipywidgets.VBox
        With ``start_page()``, ``open(kind)`` and ``queues`` for tests.
    """
    import ipywidgets as widgets

    store = open_store(db_url)
    round = int(round)
    app = widgets.VBox()
    app.add_class("wb-app")
    app.view = None

    def start_page(_=None):
        if getattr(app.view, "kind", None) == "dashboard":
            app.view.close()  # stop its refreshing: nobody looks at it any more
        who = current(store)
        try:
            app.queues = round_queues(store, round)
        except (AccessDenied, StoreError) as exc:
            app.children = (widgets.HTML(f'{style_html()}<div class="wb-error">{escape(exc)}</div>'),)
            return
        header = widgets.HTML(
            f'{style_html()}<h2>Round {round}</h2><p>Signed in as <b>{escape(who.user)}</b> '
            f'({escape(who.role)}). Your work is saved as you go; you can close the page and come back.</p>')
        rows = []
        for q in app.queues:
            button = widgets.Button(description=q.title, button_style="primary" if q.done < q.total else "",
                                    layout=widgets.Layout(width="220px"))
            button.queue_kind = q.kind
            button.on_click(lambda b: app.open(b.queue_kind))
            bar = widgets.IntProgress(value=q.done, min=0, max=max(q.total, 1), layout=widgets.Layout(width="180px"))
            rows.append(widgets.HBox([button, bar, widgets.HTML(
                f"<span>{q.done} of {q.total} done · {escape(q.description)}</span>")]))
        if not rows:
            rows = [widgets.HTML("<p>Nothing is assigned to you in this round yet. Ask the lead.</p>")]
        app.view = None
        app.children = (header, *rows)

    def open_queue(kind: str):
        try:
            view_widget = _open_view(store, round, kind)
        except (AccessDenied, StoreError, ValidationError) as exc:
            app.children = (*app.children[:1], widgets.HTML(f'<div class="wb-error">{escape(exc)}</div>'),
                            *app.children[1:])
            return None
        back = widgets.Button(description="All queues", icon="arrow-left")
        back.on_click(start_page)
        app.view = view_widget
        app.children = (back, view_widget)
        return view_widget

    app.start_page, app.open = start_page, open_queue
    if view:
        if open_queue(view) is None:
            start_page()
    else:
        start_page()
    return app
