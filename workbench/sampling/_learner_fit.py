"""Fitting helpers of :class:`workbench.sampling.ActiveLearner`: the default model, the
cross-validated score and the majority label per item.

Examples
--------
>>> from workbench.sampling._learner_fit import default_model
>>> [name for name, _ in default_model().steps]
['tfidf', 'logreg']
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._internal.validation import ITEM_COL, LABEL_COL, check_columns
from .._internal.votes import majority_vote
from ..exceptions import DataError

__all__ = ["default_model", "cross_validated_accuracy", "majority_labels",
           "check_training_data", "merge_training_data"]


def default_model(random_state=None):
    """TF-IDF (unigrams, sublinear tf) + multinomial logistic regression (lbfgs, C=10).

    Examples
    --------
    >>> [name for name, _ in default_model().steps]
    ['tfidf', 'logreg']
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([("tfidf", TfidfVectorizer(sublinear_tf=True)),
                     ("logreg", LogisticRegression(C=10.0, max_iter=200, tol=1e-3))])


def _is_matrix(x) -> bool:
    return sp.issparse(x) or (isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.number))


def _rows(x, idx):
    if sp.issparse(x) or isinstance(x, np.ndarray):
        return x[idx]
    return [x[i] for i in idx]


def cross_validated_accuracy(template, features, y: np.ndarray, *, folds: int, seed: int,
                             bar=None):
    """Mean and std of the accuracy over ``folds`` shuffled folds (stratified when every
    class has at least ``folds`` members, plain k-fold otherwise).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.r_[np.zeros((6, 1)), np.ones((6, 1))]
    >>> y = np.r_[np.zeros(6), np.ones(6)]
    >>> cross_validated_accuracy(LogisticRegression(), X, y, folds=3, seed=0)
    (1.0, 0.0)
    """
    from sklearn.base import clone
    from sklearn.model_selection import KFold, StratifiedKFold

    counts = np.unique(y, return_counts=True)[1]
    splitter = (StratifiedKFold(folds, shuffle=True, random_state=seed)
                if counts.min() >= folds else KFold(folds, shuffle=True, random_state=seed))
    scores = []
    for train, test in splitter.split(np.zeros(len(y)), y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = clone(template).fit(_rows(features, train), y[train])
        scores.append(float(np.mean(model.predict(_rows(features, test)) == y[test])))
        if bar is not None:
            bar.update(1)
    return float(np.mean(scores)), float(np.std(scores))


def majority_labels(items: pd.DataFrame, annotations: pd.DataFrame, *, text_col="text",
                    item_col=ITEM_COL, label_col=LABEL_COL) -> pd.DataFrame:
    """Items joined to their majority label (ties: the alphabetically first label).

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"item_id": [1, 2], "text": ["a", "b"]})
    >>> ann = pd.DataFrame({"item_id": [1, 1, 1, 2], "label": ["x", "y", "y", "x"]})
    >>> majority_labels(items, ann)["label"].tolist()
    ['y', 'x']
    """
    check_columns(items, [item_col, text_col], what="items")
    check_columns(annotations, [item_col, label_col], what="annotations")
    votes = annotations.dropna(subset=[label_col]).astype({label_col: str})
    majority = majority_vote(votes, item_col=item_col, label_col=label_col).reset_index()
    return items[[item_col, text_col]].merge(majority[[item_col, label_col]], on=item_col)


def check_training_data(texts, labels):
    """Validate texts (or a feature matrix) and labels for ActiveLearner.fit.

    Examples
    --------
    >>> check_training_data(["a", "b"], ["x", "y"])[1].tolist()
    ['x', 'y']
    """
    if isinstance(texts, pd.DataFrame):
        raise DataError("ActiveLearner.fit takes texts (a sequence of str or a feature "
                        "matrix), not a DataFrame; use fit_frame(items, annotations).",
                        reason="not_texts")
    n = texts.shape[0] if _is_matrix(texts) else len(texts)
    labels = np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels)
    if n != len(labels):
        raise DataError(f"ActiveLearner.fit needs one label per text: got {n} texts and "
                        f"{len(labels)} labels.", reason="length_mismatch")
    if len(np.unique(labels)) < 2:
        raise DataError("ActiveLearner.fit needs at least two distinct labels to train a "
                        f"classifier; got {np.unique(labels).tolist()}. Label a few more "
                        "items (next_batch serves a cold-start batch until then).",
                        reason="one_class")
    return (texts if _is_matrix(texts) else list(texts)), labels


def merge_training_data(old_texts, old_labels, texts, labels):
    """Append new labeled texts (or feature rows) to those held, then validate.

    Examples
    --------
    >>> merge_training_data(["a"], ["x"], ["b"], ["y"])[0]
    ['a', 'b']
    """
    if len(old_labels) == 0:
        return check_training_data(texts, labels)
    if _is_matrix(texts):
        X = sp.vstack([old_texts, texts]).tocsr() if sp.issparse(texts) \
            else np.vstack([old_texts, texts])
    else:
        X = list(old_texts) + list(texts)
    return check_training_data(X, np.concatenate([old_labels, np.asarray(list(labels))]))
