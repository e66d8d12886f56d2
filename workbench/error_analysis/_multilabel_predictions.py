"""The :class:`MultilabelPredictions` container of :mod:`workbench.error_analysis` (private module).

Re-exported as ``workbench.error_analysis.MultilabelPredictions``; built by
:func:`workbench.error_analysis.multilabel_predictions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import DataError

__all__ = ["MultilabelPredictions", "THRESHOLD"]

#: A label is predicted when its probability is above this (as scikit-learn's ``OneVsRestClassifier``).
THRESHOLD = 0.5


@dataclass(frozen=True, eq=False)
class MultilabelPredictions:
    """Out-of-fold one-vs-rest probabilities for items that carry a *set* of labels.

    Attributes
    ----------
    item_ids : numpy.ndarray, shape (n,)
    given : numpy.ndarray of int, shape (n, L)
        The given label sets as a 0/1 indicator matrix: ``given[i, j] == 1`` when item ``i``
        was given ``classes[j]``. A row of zeros is an empty set.
    classes : tuple
        The label universe, in the column order of ``given`` and ``probabilities``.
    probabilities : numpy.ndarray of float, shape (n, L)
        ``probabilities[i, j]``: out-of-fold probability that ``classes[j]`` applies to item
        ``i`` (one binary model per label; rows need not sum to 1).
    method : str
        How the probabilities were produced (model, folds, seed).

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.error_analysis import MultilabelPredictions
    >>> pred = MultilabelPredictions(["i1", "i2"], [[1, 0], [1, 1]], ("bug", "crash"),
    ...                              [[0.9, 0.2], [0.8, 0.3]], "hand-made")
    >>> pred.predicted.tolist()
    [[1, 0], [1, 0]]
    >>> pred.to_frame()[["item_id", "given", "predicted", "n_wrong"]]
      item_id         given predicted  n_wrong
    0      i1         [bug]     [bug]        0
    1      i2  [bug, crash]     [bug]        1
    """

    item_ids: np.ndarray
    given: np.ndarray
    classes: tuple
    probabilities: np.ndarray
    method: str

    def __post_init__(self):
        # normalise (lists in, arrays out); frozen, hence object.__setattr__
        object.__setattr__(self, "item_ids", np.asarray(self.item_ids))
        object.__setattr__(self, "classes", tuple(self.classes))
        n, k = len(self.item_ids), len(self.classes)
        given = np.asarray(self.given)
        proba = np.asarray(self.probabilities, dtype=float)
        if given.size == 0:
            given = given.reshape(n, k) if n * k == 0 else given
        if proba.size == 0:
            proba = proba.reshape(n, k) if n * k == 0 else proba
        if given.shape != (n, k) or proba.shape != (n, k):
            raise DataError(
                f"MultilabelPredictions needs item_ids (n), given (n, L) and probabilities (n, L) with L = "
                f"len(classes); got {n} item ids, given of shape {given.shape}, probabilities of shape "
                f"{proba.shape} and {k} classes.", reason="shape_mismatch")
        if len(set(self.classes)) != k:
            raise DataError(f"MultilabelPredictions classes must be distinct; got {list(self.classes)[:20]}.",
                            reason="duplicate_label")
        if not np.isin(given, (0, 1)).all():
            raise DataError("MultilabelPredictions given must be a 0/1 indicator matrix; it holds "
                            f"{sorted(set(np.unique(given).tolist()) - {0, 1})[:5]}. Encode each label set as "
                            "one row with 1 for every label it contains.", reason="bad_label")
        if not (np.isfinite(proba).all() and ((proba >= 0) & (proba <= 1)).all()):
            raise DataError("MultilabelPredictions probabilities must lie in [0, 1] (one binary probability per "
                            "label); some are outside or not finite.", reason="bad_probability")
        object.__setattr__(self, "given", given.astype(int))
        object.__setattr__(self, "probabilities", proba)

    @property
    def predicted(self) -> np.ndarray:
        """The predicted label sets, shape (n, L): 1 where the probability is above 0.5."""
        return (self.probabilities > THRESHOLD).astype(int)

    def label_sets(self, indicator) -> list:
        """Rows of a 0/1 matrix (e.g. ``given`` or ``predicted``) as lists of labels, in class order."""
        names = self.classes
        return [[names[j] for j in np.flatnonzero(row)] for row in np.asarray(indicator)]

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``item_id, given, predicted`` (lists of labels), ``exact_match``, ``n_wrong``.

        ``n_wrong`` counts the labels where the prediction and the given set differ.
        """
        predicted = self.predicted
        return pd.DataFrame({
            "item_id": self.item_ids,
            "given": pd.Series(self.label_sets(self.given), dtype=object),
            "predicted": pd.Series(self.label_sets(predicted), dtype=object),
            "exact_match": (predicted == self.given).all(axis=1),
            "n_wrong": (predicted != self.given).sum(axis=1).astype(int),
        })
