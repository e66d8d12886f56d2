"""Diversity in feature space: near-duplicate guard, k-center, clustering, density.

Private helpers of :mod:`workbench.sampling`. ``features`` is any (n_pool, n_features)
matrix, dense or scipy sparse (TF-IDF, embeddings); similarities are cosine.

Examples
--------
>>> import numpy as np
>>> from workbench.sampling._diversity import diversity_guard
>>> X = np.array([[1.0, 0.0], [0.99, 0.01], [0.0, 1.0]])
>>> diversity_guard(np.array([0, 1, 2]), X, 2, threshold=0.9).tolist()
[0, 2]
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import scipy.sparse as sp

__all__ = [
    "normalize_rows",
    "diversity_guard",
    "kcenter_greedy",
    "cluster_representatives",
    "best_per_cluster",
    "density_scores",
    "badge",
]


def normalize_rows(features):
    """L2-normalise rows (CSR for sparse input, float64 ndarray otherwise); zero rows stay zero.

    Examples
    --------
    >>> import numpy as np
    >>> normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6, 0.8], [0.0, 0.0]]
    """
    if sp.issparse(features):
        X = sp.csr_matrix(features, dtype=np.float64)
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ X)
    X = np.asarray(features, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    norms = np.linalg.norm(X, axis=1)
    norms[norms == 0] = 1.0
    return X / norms[:, None]


def _dense(matrix) -> np.ndarray:
    return matrix.toarray() if sp.issparse(matrix) else np.asarray(matrix)


def diversity_guard(ranked: np.ndarray, features, n: int, *, threshold: float) -> np.ndarray:
    """Walk ``ranked`` best first and keep an item only if its cosine similarity to every
    item already kept is below ``threshold``; stop at ``n`` items.

    Parameters
    ----------
    ranked : ndarray of int
        Candidate pool indices, most informative first.
    features : array or sparse matrix of shape (n_pool, n_features)
    n : int
    threshold : float
        Two items with cosine similarity >= ``threshold`` count as near-duplicates.

    Returns
    -------
    ndarray of int
        At most ``n`` indices, in the order of ``ranked``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.eye(3)
    >>> diversity_guard(np.array([2, 1, 0]), X, 3, threshold=0.5).tolist()
    [2, 1, 0]
    """
    ranked = np.asarray(ranked, dtype=np.intp)
    if ranked.size == 0:
        return ranked
    X = normalize_rows(features[ranked] if not sp.issparse(features) else features.tocsr()[ranked])
    sims = _dense(X @ X.T)
    kept = np.zeros(ranked.size, dtype=bool)
    max_sim = np.full(ranked.size, -np.inf)
    count = 0
    for j in range(ranked.size):
        if max_sim[j] >= threshold:
            continue
        kept[j] = True
        count += 1
        if count == n:
            break
        np.maximum(max_sim, sims[:, j], out=max_sim)
    return ranked[kept]


def kcenter_greedy(features, n: int, *, eligible: np.ndarray, rng: np.random.Generator,
                   labeled: Optional[np.ndarray] = None, block: int = 2048) -> np.ndarray:
    """Greedy k-center (core-set, Sener & Savarese 2018) in cosine distance.

    Each pick is the eligible item farthest from everything labeled or already picked.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    >>> kcenter_greedy(X, 1, eligible=np.array([False, True, True]),
    ...                rng=np.random.default_rng(0), labeled=np.array([0])).tolist()
    [2]
    """
    X = normalize_rows(features)
    n_pool = X.shape[0]
    max_sim = np.full(n_pool, -np.inf)
    if labeled is not None and len(labeled):
        L = X[np.asarray(labeled)]
        for start in range(0, n_pool, block):
            chunk = _dense(X[start:start + block] @ L.T)
            max_sim[start:start + block] = chunk.max(axis=1)
    candidates = np.flatnonzero(eligible)
    picks = []
    available = eligible.copy()
    for _ in range(min(n, candidates.size)):
        if np.isneginf(max_sim[available]).all():
            pick = int(rng.choice(np.flatnonzero(available)))
        else:
            dist = np.where(available, 1.0 - max_sim, -np.inf)
            pick = int(np.argmax(dist))
        picks.append(pick)
        available[pick] = False
        np.maximum(max_sim, _dense(X @ X[pick].T).ravel(), out=max_sim)
    return np.asarray(picks, dtype=np.intp)


def _kmeans_labels(X, n_clusters: int, rng: np.random.Generator):
    from sklearn.cluster import KMeans, MiniBatchKMeans

    seed = int(rng.integers(2**31 - 1))
    if X.shape[0] > 20_000:
        model = MiniBatchKMeans(n_clusters=n_clusters, random_state=seed, n_init=1,
                                batch_size=4096)
    else:
        model = KMeans(n_clusters=n_clusters, random_state=seed, n_init=1)
    labels = model.fit_predict(X)
    return labels, model.cluster_centers_


def best_per_cluster(candidates: np.ndarray, scores: np.ndarray, features, n: int,
                     *, rng: np.random.Generator) -> np.ndarray:
    """Cluster ``candidates`` into ``n`` groups (k-means on cosine-normalised features) and
    keep the highest-scoring candidate of each group, best first; then the rest by score.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.95, 0.05], [0.0, 1.0], [0.05, 0.95]])
    >>> s = np.array([0.9, 0.8, 0.1, 0.2])
    >>> best_per_cluster(np.arange(4), s, X, 2, rng=np.random.default_rng(0))[:2].tolist()
    [0, 3]
    """
    candidates = np.asarray(candidates, dtype=np.intp)
    k = min(n, candidates.size)
    if k <= 1 or candidates.size <= n:
        return candidates[np.argsort(-scores[candidates], kind="stable")]
    sub = features[candidates] if not sp.issparse(features) else features.tocsr()[candidates]
    labels, _ = _kmeans_labels(normalize_rows(sub), k, rng)
    cand_scores = scores[candidates]
    order = np.lexsort((-cand_scores, labels))  # by cluster, then best score first
    first = np.ones(order.size, dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    best = order[first]
    rest = np.setdiff1d(np.arange(candidates.size), best)
    best = best[np.argsort(-cand_scores[best], kind="stable")]
    rest = rest[np.argsort(-cand_scores[rest], kind="stable")]
    return candidates[np.concatenate([best, rest])]


def cluster_representatives(features, n: int, *, eligible: np.ndarray,
                            rng: np.random.Generator) -> np.ndarray:
    """Cold-start seed set: k-means on the eligible items, the item nearest each centroid.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> sorted(cluster_representatives(X, 2, eligible=np.ones(4, bool),
    ...                                rng=np.random.default_rng(0)).tolist()) in ([0, 2], [0, 3], [1, 2], [1, 3])
    True
    """
    candidates = np.flatnonzero(eligible)
    k = min(n, candidates.size)
    if k == 0:
        return np.empty(0, dtype=np.intp)
    sub = features[candidates] if not sp.issparse(features) else features.tocsr()[candidates]
    X = normalize_rows(sub)
    labels, centers = _kmeans_labels(X, k, rng)
    centers = normalize_rows(np.asarray(centers))
    sims = _dense(X @ centers.T)  # (candidates, k)
    picks = []
    sizes = np.bincount(labels, minlength=k)
    for c in np.argsort(-sizes, kind="stable"):  # biggest clusters first
        members = np.flatnonzero(labels == c)
        if members.size:
            picks.append(candidates[members[np.argmax(sims[members, c])]])
    return np.asarray(picks, dtype=np.intp)


def density_scores(features) -> np.ndarray:
    """Mean cosine similarity of each item to the whole pool, in O(nnz): ``x_i . mean(x)``.

    Examples
    --------
    >>> import numpy as np
    >>> density_scores(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])).round(3).tolist()
    [0.667, 0.667, 0.333]
    """
    X = normalize_rows(features)
    centroid = np.asarray(X.mean(axis=0)).ravel()
    return np.asarray(X @ centroid).ravel()


def badge(probabilities: np.ndarray, features, n: int, *, eligible: np.ndarray,
          rng: np.random.Generator, max_candidates: int = 50_000) -> np.ndarray:
    """BADGE (Ash et al., 2020) for a softmax-linear model: k-means++ seeding on the gradient
    embeddings ``g_i = (p_i - onehot(argmax p_i)) (x) x_i``.

    The embedding is never built: ``<g_i, g_j> = <a_i, a_j> <x_i, x_j>`` with
    ``a = p - onehot``, so each pick costs one dense (n, K) product and one sparse
    product. Uncertain items have long gradients (picked often), and k-means++ spreads
    the batch out in gradient space. Pools larger than ``max_candidates`` are first cut
    to the items with the longest gradients.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.5, 0.5], [0.5, 0.5], [0.99, 0.01]])
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> sorted(badge(p, X, 2, eligible=np.ones(3, bool), rng=np.random.default_rng(0)).tolist())
    [0, 1]
    """
    candidates = np.flatnonzero(eligible)
    rows = np.arange(candidates.size)
    a = np.array(probabilities[candidates], dtype=np.float64)
    a[rows, a.argmax(axis=1)] -= 1.0
    X = normalize_rows(features[candidates] if not sp.issparse(features)
                       else features.tocsr()[candidates])
    x_norm2 = np.asarray(X.multiply(X).sum(axis=1)).ravel() if sp.issparse(X) \
        else (X * X).sum(axis=1)
    g_norm2 = (a * a).sum(axis=1) * x_norm2
    if candidates.size > max_candidates:
        keep = np.argpartition(-g_norm2, max_candidates)[:max_candidates]
        candidates, a, X, x_norm2, g_norm2 = (candidates[keep], a[keep], X[keep],
                                              x_norm2[keep], g_norm2[keep])
    k = min(n, candidates.size)
    if k == 0:
        return np.empty(0, dtype=np.intp)
    picks = [int(np.argmax(g_norm2))]
    d2 = np.full(candidates.size, np.inf)
    for _ in range(k - 1):
        c = picks[-1]
        cross = (a @ a[c]) * _dense(X @ X[c].T).ravel()
        np.minimum(d2, np.maximum(g_norm2 + g_norm2[c] - 2.0 * cross, 0.0), out=d2)
        d2[picks] = 0.0
        total = d2.sum()
        if total <= 0:
            rest = np.setdiff1d(np.arange(candidates.size), picks)
            picks.extend(rng.choice(rest, k - len(picks), replace=False).tolist())
            break
        picks.append(int(rng.choice(candidates.size, p=d2 / total)))
    return candidates[np.asarray(picks, dtype=np.intp)]
