""":func:`select_batch`: the next batch worth a human's time, from any model's probabilities.

Analysis layer (L2): arrays in, pool indices out; never the store. The strategy is picked by
name from :data:`~workbench.sampling.STRATEGIES`, with a near-duplicate guard when features are
given. :class:`~workbench.sampling.ActiveLearner` calls it after each retrain.

Examples
--------
>>> import numpy as np
>>> from workbench.sampling import select_batch
>>> p = np.array([[0.9, 0.1], [0.5, 0.5], [0.6, 0.4], [0.99, 0.01]])
>>> select_batch(p, 2, strategy="margin", random_state=0).tolist()
[1, 2]
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import scipy.sparse as sp

from . import _diversity
from ._strategies import get_strategy
from .._internal.validation import check_positive_int, check_random_state
from ..exceptions import ValidationError

__all__ = ["select_batch"]

_CALLER = "select_batch"


def _check_probabilities(probabilities, spec: str, strategy: str):
    if probabilities is None:
        if spec in ("optional", "no"):
            return None
        raise ValidationError(
            f"The strategy {strategy!r} of select_batch needs model probabilities; got None. "
            "Before any model exists use strategy='cold_start' (or 'random', 'kcenter')."
        )
    p = np.asarray(probabilities)
    want = 3 if spec == "3d" else 2
    if spec == "optional":
        want = p.ndim
    if p.ndim != want or p.ndim not in (2, 3) or 0 in p.shape:
        shape = "(n_members, n_pool, n_classes)" if want == 3 else "(n_pool, n_classes)"
        raise ValidationError(
            f"The 'probabilities' parameter of select_batch must be a non-empty array of shape "
            f"{shape} for strategy {strategy!r}. Got shape {p.shape} instead."
        )
    if not np.issubdtype(p.dtype, np.floating):
        p = p.astype(np.float64)
    return p


def _n_pool(probabilities, features, labeled_mask) -> int:
    if probabilities is not None:
        return probabilities.shape[-2]
    if features is not None:
        return features.shape[0]
    if labeled_mask is not None:
        return len(labeled_mask)
    raise ValidationError(
        "select_batch cannot tell the pool size: give probabilities, features or labeled_mask."
    )


def _eligible(labeled_mask, n_pool: int) -> np.ndarray:
    if labeled_mask is None:
        return np.ones(n_pool, dtype=bool)
    mask = np.asarray(labeled_mask)
    if mask.dtype == bool:
        if mask.shape != (n_pool,):
            raise ValidationError(
                f"The 'labeled_mask' parameter of select_batch must be a boolean array with one "
                f"entry per pool item ({n_pool}). Got shape {mask.shape} instead."
            )
        return ~mask
    if mask.size and (not np.issubdtype(mask.dtype, np.integer) or mask.min() < 0
                      or mask.max() >= n_pool):
        raise ValidationError(
            "The 'labeled_mask' parameter of select_batch must be a boolean mask or an array of "
            f"pool indices in [0, {n_pool}). Got {mask[:5]!r}... instead."
        )
    eligible = np.ones(n_pool, dtype=bool)
    eligible[mask.astype(np.intp)] = False
    return eligible


def select_batch(probabilities, n, *, strategy="default", features=None, labeled_mask=None,
                 random_state=None, similarity_threshold: Optional[float] = 0.9,
                 **options: Any) -> np.ndarray:
    """Pick the ``n`` pool items most worth a label, most informative first.

    Parameters
    ----------
    probabilities : ndarray of shape (n_pool, n_classes), or None
        Predicted class probabilities of any model. Committee strategies (``qbc_*``)
        take an array of shape (n_members, n_pool, n_classes). ``None`` is accepted by
        strategies that need no model (``random``, ``kcenter``, ``cold_start``).
    n : int
        Batch size; fewer are returned when fewer items are eligible.
    strategy : str or Strategy, default="default"
        A key of :data:`STRATEGIES`: ``random``, ``least_confidence``, ``margin``,
        ``entropy``, ``qbc_vote_entropy``, ``qbc_kl`` (committees), ``density``,
        ``cluster_margin``, ``class_margin``, ``softrank_margin``, ``kcenter``,
        ``disagreement`` (ActiveLab-style relabeling), ``cold_start`` (no model yet) or
        ``default`` (the project's recommendation, :data:`DEFAULT_STRATEGY`, chosen by
        ``benchmarks/bench_active_learning.py``; see benchmarks/results/active_learning.md).
    features : ndarray or scipy sparse matrix of shape (n_pool, n_features), optional
        TF-IDF or embeddings, for diversity-aware strategies and the near-duplicate guard.
    labeled_mask : ndarray of bool of shape (n_pool,) or array of int, optional
        Items that must not be picked (already labeled). For ``disagreement`` leave
        labeled items eligible so disputed ones can come back for another label.
    random_state : None, int or numpy Generator
        Seeds ties, random picks and k-means; the same seed gives the same batch.
    similarity_threshold : float or None, default=0.9
        When ``features`` is given, no two returned items have cosine similarity
        >= this value (near-duplicates); ``None`` disables the guard.
    **options
        Strategy options: ``votes`` (disagreement: (n_pool, n_classes) label counts),
        ``strata`` (cold_start: one group value per item), ``candidates``
        (cluster_margin, class_margin: default 10), ``density_power`` (density, default 1),
        ``beta`` (softrank_margin, default 2).

    Returns
    -------
    ndarray of int
        Pool indices, most informative first.

    Raises
    ------
    ValidationError
        Unknown strategy (the message lists the valid ones), bad shapes or options.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.dirichlet(np.ones(5), size=100)
    >>> batch = select_batch(p, 10, strategy="entropy", labeled_mask=np.arange(100) < 50,
    ...                      random_state=0)
    >>> len(batch), bool((batch >= 50).all())
    (10, True)
    >>> select_batch(p, 3, strategy="entropy", random_state=0).tolist() == \\
    ...     select_batch(p, 3, strategy="entropy", random_state=0).tolist()
    True
    """
    spec = get_strategy(strategy, caller=_CALLER)
    n = check_positive_int(n, param="n", caller=_CALLER)
    rng = check_random_state(random_state)
    name = strategy if isinstance(strategy, str) else "custom"
    unknown = set(options) - set(spec.options)
    if unknown:
        raise ValidationError(
            f"select_batch got option(s) {sorted(unknown)} that strategy {name!r} does not take; "
            f"it takes {sorted(spec.options) or 'none'}."
        )
    probabilities = _check_probabilities(probabilities, spec.needs_probabilities, name)
    n_pool = _n_pool(probabilities, features, labeled_mask)
    if features is not None:
        if not sp.issparse(features):
            features = np.asarray(features)
        if features.shape[0] != n_pool:
            raise ValidationError(
                f"The 'features' parameter of select_batch must have one row per pool item "
                f"({n_pool}). Got {features.shape[0]} rows instead."
            )
    elif spec.needs_features:
        raise ValidationError(
            f"The strategy {name!r} of select_batch needs features= (TF-IDF or embeddings, "
            "one row per pool item). Pass features, or use strategy='margin'."
        )
    if similarity_threshold is not None and not 0.0 < float(similarity_threshold) <= 1.0:
        raise ValidationError(
            "The 'similarity_threshold' parameter of select_batch must be in (0, 1] or None. "
            f"Got {similarity_threshold!r} instead."
        )
    eligible = _eligible(labeled_mask, n_pool)
    n_eligible = int(eligible.sum())
    guard = features is not None and similarity_threshold is not None
    want = n
    while True:
        ranked = np.asarray(spec.fn(probabilities, want, features=features, eligible=eligible,
                                    rng=check_random_state(rng.integers(2**63 - 1)), **options),
                            dtype=np.intp)
        if not guard:
            return ranked[:n]
        # strategies may rank more than n items, so the guard has spares to fall back on
        batch = _diversity.diversity_guard(ranked, features, n,
                                           threshold=float(similarity_threshold))
        if batch.size >= n or want >= n_eligible:
            return batch
        want = min(n_eligible, 4 * want)

