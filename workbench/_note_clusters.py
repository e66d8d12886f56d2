"""Text clustering for revision proposals: candidate new categories and category splits.

Private helper of :mod:`workbench.revisions`. Texts are embedded with TF-IDF (English
stop words removed, unigrams and bigrams), clustered with KMeans, and each cluster is
described by its top terms (highest mean TF-IDF weight in the cluster minus half the
mean over all texts). Candidate new categories use average-linkage clustering (the number
of clusters follows from a similarity threshold); splits use KMeans with k = 2.

Examples
--------
>>> from workbench._note_clusters import cluster_texts
>>> texts = ["dark mode please", "add a dark mode", "please add dark mode theme",
...          "export to excel", "csv export missing", "export data to excel please"]
>>> result = cluster_texts(texts, min_similarity=0.1)
>>> sorted(len(c["indices"]) for c in result["clusters"])
[3, 3]
>>> sorted(c["top_terms"][0] for c in result["clusters"])
['dark', 'export']
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

__all__ = ["embed", "top_terms", "cluster_texts", "split_in_two"]


def embed(texts: Sequence[str]):
    """TF-IDF matrix (rows L2-normalised) and the feature names; ``(None, None)`` if no vocabulary."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2),
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    try:
        matrix = vectorizer.fit_transform([t or "" for t in texts])
    except ValueError:  # empty vocabulary
        return None, None
    return matrix, np.asarray(vectorizer.get_feature_names_out())


def top_terms(matrix, names, rows, *, n: int = 5) -> list:
    """The ``n`` most characteristic unigrams/bigrams of ``rows`` (cluster mean minus overall mean)."""
    rows = np.asarray(rows)
    inside = np.asarray(matrix[rows].mean(axis=0)).ravel()
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    score = inside - 0.5 * overall
    order = np.argsort(-score, kind="stable")
    picked: list = []
    for j in order:
        if score[j] <= 0 or len(picked) >= n:
            break
        term = str(names[j])
        # skip a bigram whose words are both already picked, and a word already inside a bigram
        if any(term in p.split(" ") or p in term.split(" ") for p in picked):
            continue
        picked.append(term)
    return picked


def _seed(random_state) -> int:
    return int(random_state.integers(0, 2**31 - 1))


def _kmeans(matrix, k: int, random_state):
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():  # duplicate texts: fewer distinct clusters than k is fine
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=10, random_state=_seed(random_state)).fit_predict(matrix)


def _silhouette(matrix, labels) -> float:
    from sklearn.metrics import silhouette_score

    if len(set(labels.tolist())) < 2 or len(set(labels.tolist())) >= matrix.shape[0]:
        return float("nan")
    return float(silhouette_score(matrix, labels, metric="cosine"))


def cluster_texts(texts: Sequence[str], *, min_similarity: float = 0.2, max_texts: int = 3000) -> dict:
    """Average-linkage agglomerative clustering of texts on TF-IDF cosine.

    Two groups are joined while the mean cosine similarity between their members is at
    least ``min_similarity``, so the number of clusters is not fixed in advance and a
    single coherent group stays one cluster. Only the first ``max_texts`` texts are used.

    Returns
    -------
    dict
        ``clusters``: a list of dicts ``indices`` (positions in ``texts``), ``top_terms``,
        ``cohesion`` (mean cosine of the members to the cluster centroid), largest first.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    texts = list(texts)[:max_texts]
    matrix, names = embed(texts)
    if matrix is None or len(texts) == 0:
        return {"clusters": []}
    n = matrix.shape[0]
    if n == 1:
        labels = np.ones(1, dtype=int)
    else:
        dist = np.clip(1.0 - (matrix @ matrix.T).toarray(), 0.0, 2.0)
        np.fill_diagonal(dist, 0.0)
        tree = linkage(squareform(dist, checks=False), method="average")
        labels = fcluster(tree, t=1.0 - min_similarity, criterion="distance")
    clusters = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        centroid = np.asarray(matrix[rows].mean(axis=0)).ravel()
        norm = np.linalg.norm(centroid)
        cohesion = float(np.mean(matrix[rows] @ centroid) / norm) if norm > 0 else 0.0
        clusters.append({"indices": rows.tolist(), "top_terms": top_terms(matrix, names, rows),
                         "cohesion": cohesion})
    clusters.sort(key=lambda c: (-len(c["indices"]), c["indices"][0]))
    return {"clusters": clusters}


def split_in_two(texts: Sequence[str], *, random_state=None) -> Optional[dict]:
    """KMeans with k = 2 on the TF-IDF of ``texts``.

    Returns
    -------
    dict or None
        ``labels`` (0/1 per text), ``silhouette`` (cosine) and ``top_terms`` (one list per
        group); None when the texts have no vocabulary or fewer than 4 texts.
    """
    from workbench._validation import check_random_state

    if len(texts) < 4:
        return None
    matrix, names = embed(texts)
    if matrix is None:
        return None
    labels = _kmeans(matrix, 2, check_random_state(random_state))
    if len(set(labels.tolist())) < 2:  # all texts identical in TF-IDF space
        return None
    return {"labels": labels, "silhouette": _silhouette(matrix, labels),
            "top_terms": [top_terms(matrix, names, np.flatnonzero(labels == g)) for g in (0, 1)]}
