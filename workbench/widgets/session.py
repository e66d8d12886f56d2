"""The controller of a labeling session: store + taxonomy + queue, wired to a widget.

:class:`LabelingSession` owns everything that is not on screen: which items the
annotator has to label in a round (their assignments, in ``position`` order, or the
round's items when nobody was assigned), which of them are already done, the
history that *undo* walks back, and the writes to the store. Each submit is
recorded with :meth:`AnnotationStore.record` (which returns only once the row is
durable) **before** the widget is shown the next item, so a crash never loses an
acknowledged label, and re-opening a session resumes at the first unlabeled item.

There is no maths here and no ipywidgets import: any object honouring
:class:`workbench.widgets._protocol.LabelWidget` can be attached.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> from workbench.taxonomy import Taxonomy
>>> import pandas as pd
>>> store = AnnotationStore("sqlite://")
>>> tax = Taxonomy.from_yaml('''
... name: demo
... version: 1
... categories:
...   - {id: spam, name: Spam, definition: Unwanted mail.}
...   - {id: ham, name: Ham, definition: Wanted mail.}
... ''')
>>> v = store.save_taxonomy(tax)
>>> store.add_items(pd.DataFrame({"item_id": ["a", "b"], "text": ["first", "second"]}))
2
>>> _ = store.create_round(1, taxonomy_version=v)
>>> s = LabelingSession(store, annotator="ann", round=1)
>>> s.current.item_id, s.progress
('a', (0, 2))
>>> _ = s.submit(Submission(label="spam"))
>>> s.current.item_id, s.progress
('b', (1, 2))
>>> s.undo().item_id
'a'
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Any, Callable, List, Optional, Tuple

from ..exceptions import StoreError, ValidationError
from ._protocol import Item, LabelWidget, Submission, check_callable, decode_json, is_missing

__all__ = ["LabelingSession", "open_store"]

_ITEM_BASE_COLS = {"item_id", "text", "content_hash", "erased_at"}

#: Benchmarks set this to a file: every submit, skip and undo appends its kernel-side latency (ms).
LATENCY_ENV = "WORKBENCH_LATENCY_LOG"
_LATENCY_LOG = os.environ.get(LATENCY_ENV)


def open_store(store: Any):
    """Return ``store`` itself, or an :class:`AnnotationStore` opened on a URL / path.

    Examples
    --------
    >>> open_store("sqlite://").url.startswith("sqlite")
    True
    """
    if isinstance(store, str) or hasattr(store, "__fspath__"):
        from ..store import AnnotationStore

        return AnnotationStore(str(store))
    needed = ("record", "retract", "annotations", "items", "round_info")
    missing = [m for m in needed if not hasattr(store, m)]
    if missing:
        raise ValidationError(
            "The 'store' parameter must be an AnnotationStore or its URL (e.g. 'sqlite:///labels.db'). "
            f"Got {type(store).__name__!r}, which lacks {missing}."
        )
    return store


class LabelingSession:
    """Queue and history of one annotator in one round, writing to the store.

    Parameters
    ----------
    store : AnnotationStore or str
        The store, or its URL (``"sqlite:///labels.db"``; a plain path means SQLite).
    annotator : str
        Who is labeling (stored in the ``annotator`` column).
    round : int
        The round; must exist in the store (``store.create_round``).
    taxonomy : Taxonomy, optional
        Defaults to the taxonomy version the round was created with.
    kind : str, default "label"
        The annotation kind written on submit (``"quiz"``, ``"adjudication"``, ...).
    session_id : str, optional
        Stored with every row; a random id by default.
    item_ids : sequence of str, optional
        An explicit queue (e.g. the disagreements an adjudicator reviews, the gold items of a
        quiz), instead of the annotator's assignments.
    hidden_meta : sequence of str
        Item metadata columns this session never loads (a round's ``hidden_columns`` for labelers).

    Attributes
    ----------
    taxonomy : Taxonomy
    round_info : dict
    session_id : str

    Examples
    --------
    See the module docstring.
    """

    def __init__(self, store: Any, *, annotator: str, round: int, taxonomy=None,
                 kind: str = "label", session_id: Optional[str] = None, item_ids=None, hidden_meta=()):
        if not isinstance(annotator, str) or not annotator.strip():
            raise ValidationError(
                f"The 'annotator' parameter of LabelingSession must be a non-empty name. Got {annotator!r} instead."
            )
        self.store = open_store(store)
        self.annotator = annotator.strip()
        self.round = int(round)
        self.kind = kind
        self.session_id = session_id or uuid.uuid4().hex[:12]
        self._explicit = None if item_ids is None else list(dict.fromkeys(str(i) for i in item_ids))
        self._hidden_meta = set(hidden_meta or ())
        try:
            self.round_info = dict(self.store.round_info(self.round))
        except StoreError:
            raise
        except KeyError as exc:  # pragma: no cover - depends on the store implementation
            raise StoreError(f"Round {self.round} does not exist in {self.store.url}. "
                             "Create it first with store.create_round(...).") from exc
        if taxonomy is None:
            taxonomy = self.store.taxonomy(self.round_info.get("taxonomy_version"))
        self.taxonomy = taxonomy
        self._widgets: List[Any] = []
        self._listeners: List[Callable[["LabelingSession"], Any]] = []
        # widget callbacks may arrive on another thread (ipykernel 7 comm handling): one action at a time
        self._lock = threading.RLock()
        self.reload()

    # ------------------------------------------------------------------ queue
    def reload(self) -> None:
        """Re-read assignments, items and this annotator's annotations from the store."""
        order = self._queue_ids()
        in_queue = set(order)
        ann = self.store.annotations(round=self.round, kind=[self.kind, "skip"])
        if len(ann):
            ann = ann[ann["annotator"] == self.annotator]
        labeled, skipped, history = set(), set(), []
        if len(ann):
            ann = ann.sort_values("id")
            for row in ann.itertuples(index=False):
                if row.kind == self.kind:
                    labeled.add(str(row.item_id))
                elif row.kind == "skip":
                    skipped.add(str(row.item_id))
                else:
                    continue
                answer = Submission(label=None if is_missing(row.label) else decode_json(row.label),
                                    unsure=bool(row.unsure), note=None if is_missing(row.note) else str(row.note),
                                    kind=row.kind)
                history.append((row.id, str(row.item_id), row.kind, answer))
        self._order = order
        self._labeled = labeled & in_queue
        self._skipped = skipped - labeled
        self._history: List[Tuple[Any, str, str, Submission]] = [h for h in history if h[1] in in_queue]
        self.undone: Optional[Tuple[str, Submission]] = None
        fresh = [i for i in order if i not in labeled and i not in skipped]
        later = [i for i in order if i in self._skipped]
        self._items = self._load_items(order)
        self._pending = [i for i in fresh + later if i in self._items]  # an erased item drops out

    def _queue_ids(self) -> List[str]:
        if self._explicit is not None:
            return list(self._explicit)
        asg = self.store.assignments(round=self.round, annotator=self.annotator)
        if len(asg):
            if "position" in asg.columns:
                asg = asg.sort_values("position", kind="stable")
            return list(dict.fromkeys(str(i) for i in asg["item_id"]))
        params = self.round_info.get("params") or {}
        if isinstance(params, dict) and params.get("item_ids"):
            return [str(i) for i in params["item_ids"]]
        dataset = params.get("dataset") if isinstance(params, dict) else None
        items = self.store.items(dataset=dataset) if dataset else self.store.items()
        return [str(i) for i in items["item_id"]]

    def _load_items(self, ids: List[str]) -> dict:
        if not ids:
            return {}
        df = self.store.items(item_ids=list(ids), include_erased=False)  # an erased item is never shown
        meta_cols = [c for c in df.columns if c not in _ITEM_BASE_COLS and c not in self._hidden_meta]
        out = {}
        for rec in df.to_dict("records"):
            iid = str(rec["item_id"])
            text = rec.get("text")
            out[iid] = Item(iid, "" if text is None else str(text), meta={c: rec.get(c) for c in meta_cols})
        return out

    @property
    def current(self) -> Optional[Item]:
        """The item to show now, ``None`` when the queue is done."""
        if not self._pending:
            return None
        iid = self._pending[0]
        return self._items.get(iid) or Item(iid, "")

    @property
    def progress(self) -> Tuple[int, int]:
        """``(done, total)``: items labeled by this annotator in this round, items in the queue."""
        return len(self._labeled), len(self._order)

    @property
    def n_skipped(self) -> int:
        """Items skipped and not labeled since."""
        return len(self._skipped)

    @property
    def can_undo(self) -> bool:
        """Whether there is a label or skip to take back."""
        return bool(self._history)

    def title(self) -> str:
        """Header text, e.g. ``"Round 2 · support-intents v3 · alice"``."""
        tax = self.taxonomy
        return f"Round {self.round} · {tax.name} v{tax.version} · {self.annotator}"

    # ------------------------------------------------------------------ actions
    def submit(self, submission: Submission) -> Any:
        """Record ``submission`` for the current item; returns the new row id.

        The row is durable when this returns; the queue then moves on.
        """
        item = self.current
        if item is None:
            raise StoreError(f"The queue of {self.annotator!r} in round {self.round} is done; nothing to label. "
                             "Call reload() or open another round.")
        label = submission.label
        if isinstance(label, (list, tuple, set, frozenset)):
            label = sorted(label)
        row_id = self.store.record(
            item.item_id, self.annotator, label, round=self.round, unsure=bool(submission.unsure),
            note=submission.clean_note, duration_ms=submission.duration_ms,
            kind=submission.kind or self.kind, session_id=self.session_id,
        )
        self._pending.pop(0)
        self._labeled.add(item.item_id)
        self._skipped.discard(item.item_id)
        self._history.append((row_id, item.item_id, submission.kind or self.kind, submission))
        self.undone = None
        self._changed()
        return row_id

    def skip(self, *, duration_ms: Optional[int] = None, note: Optional[str] = None) -> Any:
        """Record a ``kind="skip"`` row and move the current item to the end of the queue."""
        item = self.current
        if item is None:
            return None
        row_id = self.store.record(item.item_id, self.annotator, None, round=self.round, kind="skip",
                                   duration_ms=duration_ms, note=Submission(note=note).clean_note,
                                   session_id=self.session_id)
        self._pending.pop(0)
        self._pending.append(item.item_id)
        self._skipped.add(item.item_id)
        self._history.append((row_id, item.item_id, "skip", Submission(note=note, kind="skip")))
        self.undone = None
        self._changed()
        return row_id

    def undo(self) -> Optional[Item]:
        """Retract the last label (or skip) and make its item current again; ``None`` if nothing to undo.

        The retracted answer is kept in :attr:`undone` (``(item_id, Submission)``) and handed to
        the widget's optional ``restore(submission)``, so the labeler sees what they had chosen.
        """
        if not self._history:
            return None
        row_id, iid, kind, answer = self._history.pop()
        self.store.retract(row_id)
        self.undone = (iid, answer)
        if kind == "skip":
            self._skipped.discard(iid)
        else:
            self._labeled.discard(iid)
        if iid in self._pending:
            self._pending.remove(iid)
        self._pending.insert(0, iid)
        self._changed()
        return self.current

    # ------------------------------------------------------------------ wiring
    def attach(self, widget: LabelWidget) -> LabelWidget:
        """Wire ``widget`` to this session and show it the current item.

        ``widget`` must offer ``display``, ``on_submit``, ``on_skip`` and ``on_undo``;
        an optional ``set_progress(done, total, n_skipped)`` is called after every change.
        """
        for name in ("display", "on_submit", "on_skip", "on_undo"):
            if not callable(getattr(widget, name, None)):
                raise ValidationError(f"LabelingSession.attach needs a widget with a '{name}' method "
                                      f"(see workbench.widgets._protocol.LabelWidget). Got {type(widget).__name__}.")
        widget.on_submit(lambda sub: self._after(self.submit, sub))
        widget.on_skip(lambda duration_ms=None, note=None: self._after(self.skip, duration_ms=duration_ms,
                                                                     note=note))
        widget.on_undo(lambda: self._after(self.undo))
        self._widgets.append(widget)
        self._refresh(widget)
        return widget

    def on_change(self, callback: Callable[["LabelingSession"], Any]) -> None:
        """Call ``callback(session)`` after every submit, skip or undo."""
        self._listeners.append(check_callable(callback, where="LabelingSession.on_change"))

    def _after(self, action, *args, **kwargs):
        with self._lock:
            started = time.perf_counter()
            action(*args, **kwargs)
            for widget in self._widgets:
                self._refresh(widget)
            if _LATENCY_LOG:  # benchmarks only: submit -> next item shown, in this kernel
                with open(_LATENCY_LOG, "a", encoding="utf-8") as log:
                    log.write(f"{self.annotator}\t{action.__name__}\t{(time.perf_counter() - started) * 1000:.3f}\n")

    def _refresh(self, widget) -> None:
        if callable(getattr(widget, "set_progress", None)):
            done, total = self.progress
            widget.set_progress(done, total, self.n_skipped)
        widget.display(self.current)
        current = self.current
        if self.undone and current is not None and self.undone[0] == current.item_id \
                and callable(getattr(widget, "restore", None)):
            widget.restore(self.undone[1])

    def _changed(self) -> None:
        for cb in self._listeners:
            cb(self)
