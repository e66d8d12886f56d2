"""Text clustering for revision proposals: candidate new categories and category splits.

Private helper of :mod:`workbench.revisions`. Texts are embedded with TF-IDF (English
stop words removed, unigrams and bigrams), clustered with KMeans, and each cluster is
described by its top terms (highest mean TF-IDF weight in the cluster minus half the
mean over all texts). Candidate new categories use average-linkage clustering (the number
of clusters follows from a similarity threshold); splits use KMeans with k = 2.

Examples
--------
>>> from workbench.revisions._note_clusters import cluster_texts
>>> texts = ["dark mode please", "add a dark mode", "please add dark mode theme",
...          "export to excel", "csv export missing", "export data to excel please"]
>>> result = cluster_texts(texts, min_similarity=0.1)
>>> sorted(len(c["indices"]) for c in result["clusters"])
[3, 3]
>>> sorted(c["top_terms"][0] for c in result["clusters"])
['dark mode', 'export']
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Optional, Sequence

import numpy as np

from .._internal.validation import check_random_state

__all__ = ["embed", "top_terms", "contrast_terms", "cluster_texts", "split_in_two"]

#: Chat filler and contraction stems that scikit-learn's English list does not hold.
_EXTRA_STOP_WORDS = frozenset({"don", "doesn", "didn", "isn", "wasn", "won", "ve", "ll", "hi", "hello", "hey",
                               "thanks", "thank", "pls", "please", "just", "ok", "im", "ive"})


_WORD = re.compile(r"[a-z][a-z]+")


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A crude, consistent English suffix stripper (working/works/worked -> work, charge/charged -> charg)."""
    if len(word) <= 4:
        return word
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith("ss"):
                return word
            return word[: -len(suffix)]
    return word


class _Words:
    """Tokenizer: lower-case words, stop words dropped, stemmed; remembers each stem's commonest form."""

    def __init__(self):
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        self.stop = ENGLISH_STOP_WORDS | _EXTRA_STOP_WORDS
        self.forms: dict = {}

    def __call__(self, doc: str) -> list:
        out = []
        for word in _WORD.findall(doc.lower()):
            if word not in self.stop:
                stem = _stem(word)
                self.forms.setdefault(stem, Counter())[word] += 1
                out.append(stem)
        return out

    def display(self, names) -> np.ndarray:
        """Feature names (stems, bigrams of stems) in their commonest written form."""
        def word(stem):
            forms = self.forms.get(stem)
            return min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0] if forms else stem

        return np.asarray([" ".join(word(s) for s in str(n).split(" ")) for n in names])


def _vectorizer(cls, words: "_Words", **options):
    return cls(tokenizer=words, token_pattern=None, lowercase=False, ngram_range=(1, 2), **options)


def embed(texts: Sequence[str], *, use_idf: bool = True):
    """TF-IDF matrix (rows L2-normalised) and the feature names; ``(None, None)`` if no vocabulary.

    Words are lower-cased, stop words dropped and suffixes stripped (so "not working" and
    "doesn't work" share a term); names are shown in their commonest written form.
    ``use_idf=False`` keeps terms shared by many texts strong (for notes, a term most
    annotators wrote is the signal, not noise).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    words = _Words()
    vectorizer = _vectorizer(TfidfVectorizer, words, sublinear_tf=True, use_idf=use_idf)
    try:
        matrix = vectorizer.fit_transform([t or "" for t in texts])
    except ValueError:  # empty vocabulary
        return None, None
    return matrix, words.display(vectorizer.get_feature_names_out())


def _overlaps(term: str, other: str) -> bool:
    """Same word up to a plural ``s``, or one term is a word of the other (a bigram)."""
    def norm(words):
        return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words.split(" ")}

    a, b = norm(term), norm(other)
    return a <= b or b <= a


def top_terms(matrix, names, rows, *, n: int = 5) -> list:
    """The ``n`` most characteristic unigrams/bigrams of ``rows`` (cluster mean minus overall mean)."""
    rows = np.asarray(rows)
    inside = np.asarray(matrix[rows].mean(axis=0)).ravel()
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    score = inside - 0.5 * overall
    order = np.argsort(-score, kind="stable")
    picked: list = []
    best: dict = {}
    for j in order:
        if score[j] <= 0 or len(picked) >= n:
            break
        term = str(names[j])
        inside = [p for p in picked if p in term.split(" ")]
        if inside and " " in term and all(score[j] >= 0.6 * best[p] for p in inside):
            # a bigram almost as strong as its word: keep the bigram instead ("feature request")
            picked = [term if p == inside[0] else p for p in picked if p == inside[0] or p not in inside]
            best[term] = score[j]
            continue
        if any(_overlaps(term, p) for p in picked):
            continue
        picked.append(term)
        best[term] = score[j]
    return picked


def contrast_terms(texts_a: Sequence[str], texts_b: Sequence[str], *, n: int = 4) -> tuple:
    """Terms far more frequent in ``texts_a`` than in ``texts_b``, and the reverse.

    Ranks unigrams and bigrams by the difference of their document frequencies (share of
    texts containing them); a term must occur in at least two texts of its side.

    Examples
    --------
    >>> contrast_terms(["stop my plan", "stop renewal", "cancel and stop"],
    ...                ["money back", "refund money", "want money back"], n=1)
    (['stop'], ['money'])
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if not texts_a or not texts_b:
        return [], []
    words = _Words()
    vectorizer = _vectorizer(CountVectorizer, words, binary=True)
    try:
        matrix = vectorizer.fit_transform(list(texts_a) + list(texts_b))
    except ValueError:  # empty vocabulary
        return [], []
    names = words.display(vectorizer.get_feature_names_out())
    na = len(texts_a)
    count_a = np.asarray(matrix[:na].sum(axis=0)).ravel()
    count_b = np.asarray(matrix[na:].sum(axis=0)).ravel()
    diff = count_a / na - count_b / len(texts_b)

    def pick(sign, counts):
        out = []
        for j in np.argsort(-sign * diff, kind="stable"):
            if sign * diff[j] <= 0 or len(out) >= n:
                break
            term = str(names[j])
            if counts[j] < 2 or any(_overlaps(term, p) for p in out):
                continue
            out.append(term)
        return out

    return pick(1, count_a), pick(-1, count_b)


def _seed(random_state) -> int:
    return int(random_state.integers(0, 2**31 - 1))


def _kmeans(matrix, k: int, random_state):
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    from threadpoolctl import threadpool_limits

    data = matrix.toarray() if matrix.shape[0] * matrix.shape[1] <= 5_000_000 else matrix
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        # duplicate texts: fewer distinct clusters than k is fine; one thread: small problems
        warnings.simplefilter("ignore", ConvergenceWarning)
        return KMeans(n_clusters=k, n_init=4, random_state=_seed(random_state)).fit_predict(data)


#: Above this many texts the silhouette is estimated on a seeded sample of this size: the exact value
#: needs all n x n distances (8,000 texts: 2.4 s; 30,000: about 35 s), the sample's standard error is
#: about 0.01 (the mean of 2,000 per-text silhouettes, each within [-1, 1]).
SILHOUETTE_SAMPLE = 2000


def _silhouette(matrix, labels, rng=None) -> float:
    from sklearn.metrics import silhouette_score

    if len(set(labels.tolist())) < 2 or len(set(labels.tolist())) >= matrix.shape[0]:
        return float("nan")
    if matrix.shape[0] <= SILHOUETTE_SAMPLE:
        return float(silhouette_score(matrix, labels, metric="cosine"))
    return float(silhouette_score(matrix, labels, metric="cosine", sample_size=SILHOUETTE_SAMPLE,
                                  random_state=_seed(check_random_state(rng))))


def _combined(texts, notes, note_weight):
    """Rows ``[sqrt(w) * notes_tfidf, sqrt(1 - w) * text_tfidf]``, re-normalised to unit length."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    text_m, text_names = embed(texts)
    note_m, note_names = embed(notes, use_idf=False) if notes is not None else (None, None)
    blocks, names = [], []
    if note_m is not None:
        blocks.append(note_m * np.sqrt(note_weight))
        names.append(note_names)
    if text_m is not None:
        blocks.append(text_m * np.sqrt(1.0 - note_weight if note_m is not None else 1.0))
        names.append(text_names)
    if not blocks:
        return None, None, None, None
    matrix = normalize(sparse.hstack(blocks).tocsr())
    return matrix, text_m, text_names, (note_m, note_names)


def cluster_texts(texts: Sequence[str], *, notes: Optional[Sequence[str]] = None, note_weight: float = 0.7,
                  min_similarity: float = 0.12, max_texts: int = 3000) -> dict:
    """Average-linkage agglomerative clustering of texts (and annotators' notes) on TF-IDF cosine.

    Texts and notes are embedded separately and weighted (``note_weight`` for the notes),
    so items whose notes say the same thing cluster even when their texts differ. Two
    groups are joined while the mean cosine similarity between their members is at least
    ``min_similarity``; the number of clusters is not fixed in advance. Only the first
    ``max_texts`` texts are used.

    Returns
    -------
    dict
        ``clusters``: a list of dicts ``indices`` (positions in ``texts``), ``top_terms``
        (of the texts), ``note_terms`` (of the notes), ``cohesion`` (mean cosine of the
        members to the cluster centroid), largest first.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    texts = list(texts)[:max_texts]
    notes = None if notes is None else [n or "" for n in list(notes)[:max_texts]]
    if len(texts) == 0:
        return {"clusters": []}
    matrix, text_m, text_names, (note_m, note_names) = _combined(texts, notes, note_weight)
    if matrix is None:
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
        clusters.append({"indices": rows.tolist(),
                         "top_terms": top_terms(text_m, text_names, rows) if text_m is not None else [],
                         "note_terms": top_terms(note_m, note_names, rows) if note_m is not None else [],
                         "cohesion": cohesion})
    clusters.sort(key=lambda c: (-len(c["indices"]), c["indices"][0]))
    return {"clusters": clusters}


def split_in_two(texts: Sequence[str], *, random_state=None) -> Optional[dict]:
    """KMeans with k = 2 on the TF-IDF of ``texts``.

    Returns
    -------
    dict or None
        ``labels`` (0/1 per text), ``silhouette`` (cosine) and ``top_terms`` (one list per
        group, the terms that tell it from the other group); None when the texts have no
        vocabulary or fewer than 4 texts.
    """
    if len(texts) < 4:
        return None
    matrix, names = embed(texts)
    if matrix is None:
        return None
    rng = check_random_state(random_state)
    labels = _kmeans(matrix, 2, rng)
    if len(set(labels.tolist())) < 2:  # all texts identical in TF-IDF space
        return None
    groups = [[t for t, g in zip(texts, labels) if g == k] for k in (0, 1)]
    terms = list(contrast_terms(groups[0], groups[1]))
    for k in (0, 1):  # fall back to the group's own top terms when nothing contrasts
        terms[k] = terms[k] or top_terms(matrix, names, np.flatnonzero(labels == k))
    return {"labels": labels, "silhouette": _silhouette(matrix, labels, rng), "top_terms": terms}
