"""The :class:`Predictions` container of :mod:`workbench.error_analysis` (private module).

Re-exported as ``workbench.error_analysis.Predictions``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import DataError

__all__ = ["Predictions"]


@dataclass(frozen=True, eq=False)
class Predictions:
    """Out-of-fold class probabilities for labeled items.

    Attributes
    ----------
    item_ids : numpy.ndarray, shape (n,)
    labels : numpy.ndarray, shape (n,)
        The given labels.
    classes : tuple
        The categories, in the column order of ``probabilities``.
    probabilities : numpy.ndarray, shape (n, k)
        Out-of-fold probabilities: row ``i`` comes from a model that never saw item ``i``.
    method : str
        How the probabilities were produced (model, folds, seed).

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.error_analysis import Predictions
    >>> pred = Predictions(np.array(["i1", "i2"]), np.array(["a", "b"]), ("a", "b"),
    ...                    np.array([[0.9, 0.1], [0.7, 0.3]]), "hand-made")
    >>> pred.predicted.tolist()
    ['a', 'a']
    >>> pred.to_frame()["given_label_probability"].tolist()
    [0.9, 0.3]
    """

    item_ids: np.ndarray
    labels: np.ndarray
    classes: tuple
    probabilities: np.ndarray
    method: str

    def __post_init__(self):
        # normalise (lists in, arrays out); frozen, hence object.__setattr__
        object.__setattr__(self, "item_ids", np.asarray(self.item_ids))
        object.__setattr__(self, "labels", np.asarray(self.labels, dtype=object))
        object.__setattr__(self, "classes", tuple(self.classes))
        object.__setattr__(self, "probabilities", np.asarray(self.probabilities, dtype=float))
        n = len(self.item_ids)
        shape = np.shape(self.probabilities)
        if len(self.labels) != n or shape != (n, len(self.classes)):
            raise DataError(
                f"Predictions needs item_ids (n), labels (n) and probabilities (n, k) with k = "
                f"len(classes); got {n} item ids, {len(self.labels)} labels, probabilities of shape "
                f"{shape} and {len(self.classes)} classes.", reason="shape_mismatch")
        known = set(self.classes)
        unknown = sorted({str(v) for v in pd.unique(self.labels) if v not in known})
        if unknown:
            raise DataError(f"Predictions labels {unknown[:10]} are not among the classes "
                            f"{list(self.classes)[:20]}. Add them to classes.", reason="unknown_label")

    @property
    def label_codes(self) -> np.ndarray:
        """The given labels as column indices into ``probabilities``."""
        index = {c: i for i, c in enumerate(self.classes)}
        return np.array([index[v] for v in self.labels], dtype=int)

    @property
    def predicted(self) -> np.ndarray:
        """The most probable class of every item (ties: first class)."""
        return np.asarray(self.classes, dtype=object)[np.argmax(self.probabilities, axis=1)]

    def to_frame(self) -> pd.DataFrame:
        """One row per item: ``item_id, label, predicted, confidence, given_label_probability``."""
        proba = np.asarray(self.probabilities, dtype=float)
        rows = np.arange(len(self.item_ids))
        return pd.DataFrame({
            "item_id": self.item_ids,
            "label": self.labels,
            "predicted": self.predicted,
            "confidence": proba.max(axis=1) if len(rows) else np.zeros(0),
            "given_label_probability": proba[rows, self.label_codes],
        })
