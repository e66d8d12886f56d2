"""ActiveLearner: a scikit-learn pipeline that retrains, scores a pool and logs its curve.

Private module behind :class:`workbench.sampling.ActiveLearner`. It works on data passed
in (texts or features, and labels); a controller in :mod:`workbench.widgets` wires the
store and the labeling widget.

Examples
--------
>>> from workbench.sampling import ActiveLearner
>>> texts = ["refund please", "card lost", "refund my money", "lost my card"] * 3
>>> labels = ["refund", "card", "refund", "card"] * 3
>>> learner = ActiveLearner(cv=2, random_state=0).fit(texts, labels)
>>> learner.learning_curve[["n_labels", "n_classes"]].values.tolist()
[[12, 2]]
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Optional

import numpy as np
import pandas as pd

from ._learner_fit import (_is_matrix, check_training_data, cross_validated_accuracy,
                           default_model, majority_labels, merge_training_data)
from ._select import select_batch
from ._strategies import get_strategy
from .._internal.validation import ITEM_COL, LABEL_COL, check_positive_int, check_random_state
from ..exceptions import DataError, ValidationError

__all__ = ["ActiveLearner"]

_CURVE_COLUMNS = ["n_labels", "n_classes", "cv_score", "cv_std", "strategy", "timestamp",
                  "fit_seconds"]


class ActiveLearner:
    """Hold a scikit-learn pipeline, retrain on the current labels, serve the next batch.

    Parameters
    ----------
    model : scikit-learn estimator or Pipeline, optional
        Default: :func:`default_model` (TF-IDF + logistic regression) for texts, and
        its logistic regression alone when a numeric feature matrix is passed. A
        pipeline's steps before the last are its featurizer.
    strategy : str, default="default"
        A key of :data:`workbench.sampling.STRATEGIES`.
    batch_size : int, default=10
        Items per :meth:`next_batch` when ``n`` is not given.
    cv : int or None, default=3
        Folds of the cross-validated accuracy logged at every fit; ``None`` or ``0``
        logs no score (faster).
    random_state : None, int or numpy Generator
    similarity_threshold : float or None, default=0.9
        Near-duplicate guard of :func:`workbench.sampling.select_batch`.
    progress : bool, default=False
        Show a ``tqdm.auto`` progress bar while (re)training.

    Attributes
    ----------
    model_ : the fitted estimator (None before the first fit)
    classes_ : ndarray of the labels seen so far
    learning_curve : pandas.DataFrame
        One row per fit: ``n_labels, n_classes, cv_score, cv_std, strategy, timestamp,
        fit_seconds``.

    Examples
    --------
    >>> learner = ActiveLearner(cv=None, batch_size=2, random_state=0)
    >>> pool = ["refund pls", "card missing", "where is my card", "money back", "hello"]
    >>> learner.set_pool(pool).next_batch().size      # cold start: no model yet
    2
    >>> _ = learner.fit(["refund me", "card gone", "refund now", "my card"],
    ...                 ["refund", "card", "refund", "card"])
    >>> learner.next_batch(n=2, labeled_mask=[False, False, False, False, True]).tolist()
    [...]
    """

    def __init__(self, model=None, *, strategy="default", batch_size=10, cv=3,
                 random_state=None, similarity_threshold=0.9, progress=False):
        self.model = model
        self.strategy = strategy
        self.batch_size = batch_size
        self.cv = cv
        self.random_state = random_state
        self.similarity_threshold = similarity_threshold
        self.progress = progress
        get_strategy(strategy, caller="ActiveLearner")
        check_positive_int(batch_size, param="batch_size", caller="ActiveLearner")
        self._rng = check_random_state(random_state)
        self._lock = threading.RLock()
        self._executor: Optional[ThreadPoolExecutor] = None
        self._curve: list = []
        self._started = 0    # fits started (a generation number per fit)
        self._installed = 0  # generation of the model serving now
        self._texts: list = []
        self._labels: list = []
        self._pool = None
        self._pool_features = None
        self._featurizer = None
        self.model_ = None
        self.classes_ = np.empty(0)
        self.status = "not fitted"

    # -- model ------------------------------------------------------------------
    def set_pool(self, pool):
        """Fix the unlabeled pool and fit the featurizer on it once (unsupervised).

        Later fits then only retrain the final estimator on cached features, which keeps
        retrain + re-score of a 100,000-item pool within a few seconds.

        Parameters
        ----------
        pool : sequence of str or (n_pool, n_features) matrix

        Returns
        -------
        self
        """
        from sklearn.base import clone
        from sklearn.pipeline import Pipeline

        model = self.model if self.model is not None else default_model()
        with self._lock:
            self._pool = pool
            if isinstance(model, Pipeline) and len(model.steps) > 1 and not _is_matrix(pool):
                self._featurizer = clone(model[:-1]).fit(pool)
                self._pool_features = self._featurizer.transform(pool)
            else:
                self._featurizer = None
                self._pool_features = pool if _is_matrix(pool) else None
        return self

    def _featurize(self, X):
        return self._featurizer.transform(X) if self._featurizer is not None else X

    def _new_estimator(self, X):
        """A fresh, unfitted estimator for data ``X`` (the final step when features are cached)."""
        from sklearn.base import clone

        model = self.model if self.model is not None else default_model()
        if self._featurizer is not None or (self.model is None and _is_matrix(X)):
            return clone(model.steps[-1][1])
        return clone(model)

    def _warm_started(self, estimator, y):
        """Continue from the current model when it can (same classes, ``warm_start`` support):
        a retrain after a few new labels then takes a few solver iterations."""
        import copy

        prev = self.model_
        if (prev is None or type(prev) is not type(estimator)
                or "warm_start" not in estimator.get_params()
                or not np.array_equal(np.unique(y), getattr(prev, "classes_", None))):
            return estimator
        warm = copy.deepcopy(prev)
        warm.set_params(warm_start=True)
        return warm

    def _fit_job(self, X, y, bar=None) -> dict:
        import warnings

        t0 = time.perf_counter()
        features = self._featurize(X)
        estimator = self._warm_started(self._new_estimator(X), y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings on tiny label sets
            estimator.fit(features, y)
        if bar is not None:
            bar.update(1)
        cv_mean, cv_std = self._cv_score(features, y, bar)
        return {"model": estimator, "n_labels": len(y), "n_classes": int(np.unique(y).size),
                "cv_score": cv_mean, "cv_std": cv_std,
                "strategy": self.strategy if isinstance(self.strategy, str) else "custom",
                "timestamp": pd.Timestamp.now(tz="UTC"),
                "fit_seconds": time.perf_counter() - t0}

    def _cv_score(self, features, y, bar=None):
        if not self.cv or len(y) < 2 * int(self.cv):
            return float("nan"), float("nan")
        template = self._new_estimator(features)
        seed = int(check_random_state(self.random_state).integers(2**31 - 1))
        return cross_validated_accuracy(template, features, np.asarray(y), folds=int(self.cv),
                                        seed=seed, bar=bar)

    def _install(self, result: dict, generation: int) -> None:
        with self._lock:
            self._curve.append({k: result[k] for k in _CURVE_COLUMNS})
            if generation > self._installed:  # a slower, older fit never replaces a newer one
                self._installed = generation
                self.model_ = result["model"]
                self.classes_ = np.asarray(self.model_.classes_)
            running = self._started > generation
            self.status = "training" if running else f"fitted on {len(self._labels)} labels"

    def fit(self, texts, labels):
        """Fit on these labeled texts (replacing earlier data) and log a learning-curve row.

        Parameters
        ----------
        texts : sequence of str or (n, n_features) matrix
        labels : sequence
            One label per text; at least two distinct labels.

        Returns
        -------
        self

        Examples
        --------
        >>> learner = ActiveLearner(cv=None).fit(["refund me", "lost card"], ["refund", "card"])
        >>> learner.classes_.tolist()
        ['card', 'refund']
        """
        X, y = check_training_data(texts, labels)
        with self._lock:
            self._texts, self._labels = X, y
        self._run(X, y)
        return self

    def update(self, texts, labels):
        """Add newly labeled texts to those already held, and refit.

        Returns
        -------
        self

        Examples
        --------
        >>> learner = ActiveLearner(cv=None).fit(["refund me", "lost card"], ["refund", "card"])
        >>> learner.update(["pin blocked"], ["pin"]).learning_curve["n_labels"].tolist()
        [2, 3]
        """
        X, y = merge_training_data(self._texts, self._labels, texts, labels)
        with self._lock:
            self._texts, self._labels = X, y
        self._run(X, y)
        return self

    def fit_frame(self, items, annotations, *, text_col="text", item_col=ITEM_COL,
                  label_col=LABEL_COL):
        """Fit on the majority label per item of long-format annotations joined to items.

        Returns
        -------
        self

        Examples
        --------
        >>> import pandas as pd
        >>> items = pd.DataFrame({"item_id": [1, 2], "text": ["refund me", "lost card"]})
        >>> ann = pd.DataFrame({"item_id": [1, 1, 2], "annotator": ["a", "b", "a"],
        ...                     "label": ["refund", "refund", "card"]})
        >>> ActiveLearner(cv=None).fit_frame(items, ann).learning_curve["n_labels"].tolist()
        [2]
        """
        data = majority_labels(items, annotations, text_col=text_col, item_col=item_col,
                               label_col=label_col)
        return self.fit(data[text_col].tolist(), data[label_col].to_numpy())

    def _run(self, X, y):
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=1 + (int(self.cv) if self.cv else 0), desc="retraining",
                       leave=False)
        with self._lock:
            self._started += 1
            generation = self._started
            self.status = "training"
        try:
            result = self._fit_job(X, y, bar)
        except Exception as exc:
            self.status = f"retrain failed ({exc.__class__.__name__}: {exc})"
            raise
        finally:
            if bar is not None:
                bar.close()
        self._install(result, generation)
        return result

    def retrain_async(self) -> Future:
        """Retrain on the data held now in a background thread; the current model keeps
        serving :meth:`next_batch` until the new one is ready.

        Returns
        -------
        concurrent.futures.Future
            Resolves to the new learning-curve row (a dict). ``status`` reads
            ``"training"`` meanwhile; with ``progress=True`` a tqdm bar shows the steps.

        Examples
        --------
        >>> learner = ActiveLearner(cv=None).fit(["refund me", "lost card"], ["refund", "card"])
        >>> learner.update(["pin blocked"], ["pin"]) is learner
        True
        >>> learner.retrain_async().result()["n_labels"]
        3
        >>> learner.close()
        """
        if len(self._labels) == 0:
            raise DataError("retrain_async has no labels to train on; call fit() or update() "
                            "first.", reason="no_labels")
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retrain")
        with self._lock:
            X, y = self._texts, self._labels.copy()

        def job():
            row = dict(self._run(X, y))
            return {k: row[k] for k in _CURVE_COLUMNS}

        return self._executor.submit(job)

    def predict_proba(self, texts):
        """Class probabilities (columns ordered as ``classes_``) of the current model.

        Examples
        --------
        >>> learner = ActiveLearner(cv=None).fit(["refund me", "lost card"], ["refund", "card"])
        >>> learner.predict_proba(["refund"]).shape
        (1, 2)
        """
        self._require_fitted("predict_proba")
        with self._lock:
            model = self.model_
        return model.predict_proba(self._featurize(texts))

    def _require_fitted(self, what):
        if self.model_ is None:
            raise DataError(f"ActiveLearner.{what} needs a fitted model; call fit() first.",
                            reason="not_fitted")

    def next_batch(self, pool=None, n=None, *, labeled_mask=None, **options) -> np.ndarray:
        """Indices (into the pool) of the next items to label, most informative first.

        Parameters
        ----------
        pool : sequence of str or matrix, optional
            Default: the pool given to :meth:`set_pool`.
        n : int, optional
            Default ``batch_size``.
        labeled_mask : array of bool or int, optional
            Items not to serve (already labeled).
        **options
            Passed to :func:`workbench.sampling.select_batch`.

        Returns
        -------
        ndarray of int
            Before the first fit, a cold-start batch (cluster representatives).
        """
        n = self.batch_size if n is None else n
        with self._lock:
            model = self.model_
            if pool is None:
                if self._pool is None:
                    raise ValidationError("ActiveLearner.next_batch needs a pool: pass "
                                          "pool= or call set_pool() first.")
                features = self._pool_features
            else:
                features = (self._featurize(pool) if self._featurizer is not None or
                            _is_matrix(pool) else None)
        seed = int(self._rng.integers(2**31 - 1))
        if model is None:  # cold start: cluster representatives of the pool
            if features is None:
                from sklearn.feature_extraction.text import TfidfVectorizer

                features = TfidfVectorizer(sublinear_tf=True).fit_transform(pool)
            return select_batch(None, n, strategy="cold_start", features=features,
                                labeled_mask=labeled_mask, random_state=seed,
                                similarity_threshold=self.similarity_threshold)
        if features is None and pool is not None and hasattr(model, "steps"):
            features = model[:-1].transform(pool)
            model = model.steps[-1][1]
        probabilities = model.predict_proba(features)
        return select_batch(probabilities, n, strategy=self.strategy, features=features,
                            labeled_mask=labeled_mask, random_state=seed,
                            similarity_threshold=self.similarity_threshold, **options)

    @property
    def learning_curve(self) -> pd.DataFrame:
        """One row per fit: ``n_labels, n_classes, cv_score, cv_std, strategy, timestamp,
        fit_seconds``."""
        with self._lock:
            return pd.DataFrame(self._curve, columns=_CURVE_COLUMNS)

    @property
    def is_training(self) -> bool:
        """True while a fit (foreground or background) is running."""
        return self.status == "training"

    def close(self) -> None:
        """Stop the background thread (waits for a running retrain)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
