"""Per-item informativeness scores and the top-n selection they feed.

Private helpers of :mod:`workbench.sampling`. Every score is *higher = more worth a
label*. Scores over large pools are computed in row chunks, so a query over
1,000,000 x 77 probabilities never copies the whole array.

Examples
--------
>>> import numpy as np
>>> from workbench.sampling._informativeness import margin_scores, top_n
>>> p = np.array([[0.9, 0.1], [0.55, 0.45], [0.6, 0.4]])
>>> margin_scores(p).round(2)
array([0.2, 0.9, 0.8])
>>> top_n(margin_scores(p), 2, rng=np.random.default_rng(0)).tolist()
[1, 2]
"""

from __future__ import annotations

from typing import Optional

import numpy as np
from scipy.special import entr

from ..exceptions import ValidationError

__all__ = [
    "least_confidence_scores",
    "margin_scores",
    "entropy_scores",
    "vote_entropy_scores",
    "kl_divergence_scores",
    "activelab_scores",
    "top_n",
]

#: Rows per chunk: 4,096 x 77 float64 is ~2.5 MB, so each chunk stays in cache.
_CHUNK = 1 << 12


def _chunked(probabilities: np.ndarray, fn) -> np.ndarray:
    n_rows = probabilities.shape[0]
    out = np.empty(n_rows, dtype=np.float64)
    for start in range(0, n_rows, _CHUNK):
        out[start:start + _CHUNK] = fn(probabilities[start:start + _CHUNK])
    return out


def least_confidence_scores(probabilities: np.ndarray) -> np.ndarray:
    """``1 - max_k p_k`` per row: how far the top class is from certainty.

    Examples
    --------
    >>> import numpy as np
    >>> least_confidence_scores(np.array([[0.7, 0.2, 0.1], [0.4, 0.3, 0.3]])).round(2)
    array([0.3, 0.6])
    """
    return _chunked(probabilities, lambda p: 1.0 - p.max(axis=1))


def _margin_chunk(p: np.ndarray) -> np.ndarray:
    if p.shape[1] == 1:
        return 1.0 - p[:, 0]
    # a cache-sized copy: argmax, blank the winner, max again (faster than np.partition)
    work = np.array(p, dtype=np.float64, copy=True)
    rows = np.arange(work.shape[0])
    best = work.argmax(axis=1)
    first = work[rows, best]
    work[rows, best] = -np.inf
    return 1.0 - (first - work.max(axis=1))


def margin_scores(probabilities: np.ndarray) -> np.ndarray:
    """``1 - (p_first - p_second)`` per row: a small gap between the two best classes scores high.

    Examples
    --------
    >>> import numpy as np
    >>> margin_scores(np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]])).round(2)
    array([0.5 , 0.95])
    """
    return _chunked(probabilities, _margin_chunk)


def entropy_scores(probabilities: np.ndarray) -> np.ndarray:
    """Shannon entropy ``-sum_k p_k log p_k`` per row (natural log).

    Examples
    --------
    >>> import numpy as np
    >>> entropy_scores(np.array([[0.5, 0.5], [1.0, 0.0]])).round(4)
    array([0.6931, 0.    ])
    """
    return _chunked(probabilities, lambda p: entr(p).sum(axis=1))


def vote_entropy_scores(committee: np.ndarray) -> np.ndarray:
    """Vote entropy of a committee: entropy of the share of members voting for each class.

    Parameters
    ----------
    committee : ndarray of shape (n_members, n_pool, n_classes)
        Each member's predicted probabilities.

    Examples
    --------
    >>> import numpy as np
    >>> agree = [[0.9, 0.1], [0.8, 0.2]]      # item 0: both members vote class 0
    >>> split = [[0.6, 0.4], [0.3, 0.7]]      # item 1: one vote each
    >>> c = np.array([[agree[0], split[0]], [agree[1], split[1]]])
    >>> vote_entropy_scores(c).round(4)
    array([0.    , 0.6931])
    """
    n_members, n_pool, n_classes = committee.shape
    votes = committee.argmax(axis=2)  # (members, pool)
    counts = np.zeros((n_pool, n_classes), dtype=np.float64)
    rows = np.arange(n_pool)
    for member_votes in votes:
        np.add.at(counts, (rows, member_votes), 1.0)
    return entr(counts / n_members).sum(axis=1)


def kl_divergence_scores(committee: np.ndarray) -> np.ndarray:
    """Mean KL divergence of each member from the committee consensus (McCallum & Nigam 1998).

    Parameters
    ----------
    committee : ndarray of shape (n_members, n_pool, n_classes)

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[[0.5, 0.5], [0.9, 0.1]], [[0.5, 0.5], [0.1, 0.9]]])
    >>> kl_divergence_scores(c).round(4)
    array([0.    , 0.3681])
    """
    consensus = committee.mean(axis=0)
    eps = np.finfo(np.float64).tiny
    log_c = np.log(np.maximum(consensus, eps))
    total = np.zeros(committee.shape[1])
    for member in committee:
        log_m = np.log(np.maximum(member, eps))
        total += (member * (log_m - log_c)).sum(axis=1)
    return total / committee.shape[0]


def activelab_scores(probabilities: np.ndarray, votes: np.ndarray) -> np.ndarray:
    """ActiveLab-style need for one more label; higher = more worth a (re)label.

    For an item already labeled by ``m`` people with consensus class ``c``, the
    consensus quality is ``q = (p_c + v_c) / (1 + m)`` (model and every annotator
    weighted 1, a CROWDLAB consensus quality without the weight estimation; when every
    labeled item has exactly one label, ``q = p_c`` as in cleanlab), and the ActiveLab score is the average of ``q`` and ``1/K`` weighted
    ``(m + 1, 1)``. For an unlabeled item it is the average of ``max_k p_k`` and
    ``1/K``. This method returns ``1 - score``, so items whose labels disagree, or that
    the model finds ambiguous, come first. With one label per item it equals
    ``1 - cleanlab.multiannotator.get_active_learning_scores`` (Goh et al., 2023).

    Parameters
    ----------
    probabilities : ndarray of shape (n_pool, n_classes)
    votes : ndarray of shape (n_pool, n_classes)
        Number of human labels each item has received for each class (0 rows for
        unlabeled items).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.8, 0.2], [0.8, 0.2], [0.6, 0.4]])
    >>> votes = np.array([[2, 0], [1, 1], [0, 0]])   # agreed, disputed, unlabeled
    >>> activelab_scores(p, votes).round(3)
    array([0.175, 0.425, 0.45 ])
    """
    votes = np.asarray(votes, dtype=np.float64)
    n_pool, n_classes = probabilities.shape
    if votes.shape != (n_pool, n_classes):
        raise ValidationError(
            f"The 'votes' option must have the shape of probabilities {probabilities.shape}, "
            f"one count per item and class. Got shape {votes.shape} instead."
        )
    m = votes.sum(axis=1)
    labeled = m > 0
    # majority vote; the model breaks ties (as cleanlab's get_majority_vote_label does)
    consensus = np.argmax(votes + 1e-6 * probabilities, axis=1)
    rows = np.arange(n_pool)
    if labeled.any() and (m[labeled] == 1).all():
        # one label per item: the model's confidence in it (cleanlab's single-annotator case)
        q_labeled = probabilities[rows, consensus]
    else:
        q_labeled = (probabilities[rows, consensus] + votes[rows, consensus]) / (1.0 + m)
    score_labeled = ((m + 1.0) * q_labeled + 1.0 / n_classes) / (m + 2.0)
    score_unlabeled = (probabilities.max(axis=1) + 1.0 / n_classes) / 2.0
    return 1.0 - np.where(labeled, score_labeled, score_unlabeled)


def top_n(scores: np.ndarray, n: int, *, rng: np.random.Generator,
          eligible: Optional[np.ndarray] = None) -> np.ndarray:
    """Indices of the ``n`` highest scores, best first; exact ties broken at random.

    Uses ``np.argpartition`` (linear time) and sorts only the ``n`` winners.

    Parameters
    ----------
    scores : ndarray of shape (n_pool,)
    n : int
    rng : numpy.random.Generator
    eligible : ndarray of bool, optional
        Only these positions may be chosen.

    Examples
    --------
    >>> import numpy as np
    >>> top_n(np.array([0.1, 0.9, 0.5, 0.9]), 3, rng=np.random.default_rng(1)).tolist()[2]
    2
    """
    if eligible is not None:
        scores = np.where(eligible, scores, -np.inf)
        n = min(n, int(np.count_nonzero(eligible)))
    n = min(n, scores.shape[0])
    if n <= 0:
        return np.empty(0, dtype=np.intp)
    kth = scores.shape[0] - n
    winners = np.argpartition(scores, kth)[kth:]
    threshold = scores[winners].min()
    above = np.flatnonzero(scores > threshold)
    ties = np.flatnonzero(scores == threshold)
    picked = np.concatenate([above, rng.choice(ties, n - above.size, replace=False)])
    picked = picked[rng.permutation(picked.size)]
    return picked[np.argsort(-scores[picked], kind="stable")]
