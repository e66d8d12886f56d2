"""Active-learning labeling loop: the Labeller fed by a model that retrains as you label.

:class:`ActiveLabelingLoop` wires three things that know nothing of each other: the
store (labels and assignments), a :class:`workbench.sampling.ActiveLearner` (model,
strategy, learning curve) and a :class:`workbench.widgets.Labeller` (the screen).

1. The learner is fitted on the round's current labels (a cold-start seed set is
   served when fewer than two categories are labeled yet).
2. It picks the next batch; the batch is written to the store as the annotator's
   assignments, so the Labeller serves it and a killed kernel resumes it.
3. Half-way through a batch the model retrains in a background thread on every
   label in the store; the labeler keeps labeling meanwhile.
4. When the batch is done the next one is assigned from the retrained model and
   the learning-curve chart below the widget is redrawn.

Examples
--------
>>> from workbench.store import AnnotationStore
>>> from workbench.widgets.active import ActiveLabelingLoop
>>> store = AnnotationStore.example()  # 3 items, round 1, nothing labeled yet
>>> loop = ActiveLabelingLoop(store, annotator="alice", round=1, batch_size=2, random_state=0)
>>> loop.batches, len(store.assignments(round=1, annotator="alice"))  # a cold-start batch is assigned
(1, 2)
>>> loop.press("1")
>>> loop.labeller.session.progress
(1, 2)
"""

from __future__ import annotations

import io
import threading
from typing import Any, Optional

import ipywidgets as widgets
import pandas as pd

from .._internal.validation import check_positive_int
from ..sampling import ActiveLearner
from .labeller import Labeller
from .session import open_store

__all__ = ["ActiveLabelingLoop"]


class ActiveLabelingLoop(widgets.VBox):
    """Label the items a model is least sure of, batch after batch, with a live learning curve.

    Parameters
    ----------
    store : AnnotationStore or str
        The store or its URL; the round must exist (``store.create_round``).
    annotator : str
        Who labels.
    round : int
        The round whose labels train the model and receive the new assignments.
    learner : ActiveLearner, optional
        Default: ``ActiveLearner(strategy=strategy, batch_size=batch_size, cv=3)``
        (TF-IDF + logistic regression).
    strategy : str, default "default"
        A name from :data:`workbench.sampling.STRATEGIES` (used when ``learner`` is None).
    batch_size : int, default 10
        Items assigned per batch.
    mask_pii : bool, default False
        Passed to the Labeller.
    random_state : None, int or Generator
        Seed of the learner.

    Attributes
    ----------
    labeller : Labeller
    learner : ActiveLearner
    batches : int
        How many batches were assigned so far.
    """

    def __init__(self, store: Any, *, annotator: str, round: int, learner: Optional[ActiveLearner] = None,
                 strategy: str = "default", batch_size: int = 10, mask_pii: bool = False, random_state=None):
        self.store = open_store(store)
        self.annotator = annotator
        self.round = int(round)
        self.batch_size = check_positive_int(batch_size, param="batch_size", caller="ActiveLabelingLoop")
        self.learner = learner or ActiveLearner(strategy=strategy, batch_size=self.batch_size, cv=3,
                                                random_state=random_state)
        self.batches = 0
        self._items = self.store.items()[["item_id", "text"]].reset_index(drop=True)
        self._items["item_id"] = self._items["item_id"].astype(str)
        self._background: Optional[threading.Thread] = None
        self._busy = threading.Lock()
        self.status = widgets.HTML()
        self.curve = widgets.HTML()
        self.learner.set_pool(self._items["text"].tolist())
        self._fit()
        if not self._open_assignments():
            self._assign_next_batch()
        self.labeller = Labeller(self.store, annotator=annotator, round=self.round, mask_pii=mask_pii)
        self.labeller.session.on_change(self._on_change)
        super().__init__([self.labeller, self.status, self.curve])
        self._redraw()

    def press(self, key: str) -> None:
        """Press ``key`` on the labeller (``loop.press("1")`` labels the current item with option 1)."""
        self.labeller.press(key)

    # ------------------------------------------------------------------ model
    def _labels(self) -> pd.DataFrame:
        ann = self.store.annotations(round=self.round, kind="label")
        return ann[["item_id", "annotator", "label"]].astype({"item_id": str}) if len(ann) else ann

    def _fit(self) -> bool:
        """Fit on every current label of the round; False while fewer than two categories exist."""
        labels = self._labels()
        if len(labels) == 0 or labels["label"].nunique() < 2:
            return False
        self.learner.fit_frame(self._items, labels)
        return True

    def _retrain_in_background(self) -> None:
        if self._background is not None and self._background.is_alive():
            return
        self._background = threading.Thread(target=self._fit, name="workbench-retrain", daemon=True)
        self._background.start()

    # ------------------------------------------------------------------ queue
    def _assigned(self) -> pd.DataFrame:
        return self.store.assignments(round=self.round, annotator=self.annotator)

    def _open_assignments(self) -> int:
        """Assigned items this annotator has not labeled yet (a batch left open by a killed kernel)."""
        assigned = set(self._assigned()["item_id"].astype(str))
        labels = self._labels()
        mine = set(labels.loc[labels["annotator"] == self.annotator, "item_id"]) if len(labels) else set()
        return len(assigned - mine)

    def _assign_next_batch(self) -> int:
        assigned = self._assigned()
        taken = set(self._labels()["item_id"]) if self.batches or len(assigned) else set()
        taken |= set(assigned["item_id"].astype(str))
        mask = self._items["item_id"].isin(taken).to_numpy()
        if mask.all():
            return 0
        picked = self.learner.next_batch(n=min(self.batch_size, int((~mask).sum())), labeled_mask=mask)
        start = int(assigned["position"].max()) + 1 if len(assigned) else 0
        batch = pd.DataFrame({"item_id": self._items["item_id"].to_numpy()[picked], "annotator": self.annotator,
                              "position": range(start, start + len(picked))})
        self.store.assign(batch, round=self.round)
        self.batches += 1
        return len(batch)

    def _on_change(self, session) -> None:
        if not self._busy.acquire(blocking=False):  # our own reload below notifies again
            return
        try:
            done, total = session.progress
            in_batch = done - (total - self.batch_size) if total >= self.batch_size else done
            if session.current is not None:
                if in_batch >= self.batch_size // 2:
                    self._retrain_in_background()
                    self.status.value = "<small>model retraining in the background…</small>"
                return
            self.status.value = "<small>batch done: retraining and choosing the next items…</small>"
            if self._background is not None:
                self._background.join()
            self._fit()  # include the last labels of the batch
            added = self._assign_next_batch()
            session.reload()
            session._changed()
            self.status.value = (f"<small>batch {self.batches}: {added} new items chosen by "
                                 f"{self.learner.strategy!r}</small>" if added else
                                 "<small>every item in the pool is labeled.</small>")
            self._redraw()
        finally:
            self._busy.release()

    # ------------------------------------------------------------------ chart
    def _redraw(self) -> None:
        curve = self.learner.learning_curve
        if curve.dropna(subset=["cv_score"]).empty:
            self.curve.value = "<small>The learning curve appears after the first retraining.</small>"
            return
        from ..charts.learning import plot_learning_curve

        buffer = io.StringIO()
        plot_learning_curve(curve.dropna(subset=["cv_score"])).save(buffer, format="svg")
        self.curve.value = buffer.getvalue()
