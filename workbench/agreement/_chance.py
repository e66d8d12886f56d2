"""Agreement statistics as "features per item, then a formula on their sums".

Private helper of :mod:`workbench.agreement`. Every coefficient here is a function of
sums over items of a small per-item feature vector. A :class:`Statistic` therefore
has ``features() -> F`` (shape (n_items, p), dense or sparse) and ``finish(S)`` where
``S = w @ F`` for any item weights ``w``: all ones gives the estimate, multinomial
counts give a bootstrap resample. ``finish`` works on a batch ``S`` of shape (B, p).

Formulas follow Gwet (2014, *Handbook of Inter-Rater Reliability*, 4th ed.) for the
generalisations with missing ratings (percent agreement, Fleiss, Conger,
Brennan-Prediger, AC1 / AC2; single-rating items count in the chance term, as in
irrCAC), and Krippendorff (2011, *Computing Krippendorff's Alpha-Reliability*) for
alpha (items with fewer than two ratings are not pairable).

Examples
--------
>>> import numpy as np
>>> W = agreement_weights(3, "linear")
>>> W.tolist()
[[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
>>> N = np.array([[2, 0, 0], [1, 1, 0], [0, 0, 2]])
>>> stat = FleissFamily(N, np.eye(3), kind="fleiss")
>>> round(float(stat.finish(stat.features().sum(axis=0))), 6)
0.5
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import scipy.sparse as sp

from ._bootstrap import unique_rows
from .._internal.validation import check_option
from ..exceptions import ValidationError

WEIGHTS = ("unweighted", "identity", "linear", "quadratic")
LEVELS = ("nominal", "ordinal", "interval", "ratio")
NO_PAIRS = "no item has ratings from two or more annotators"
CHANCE_ONE = ("expected (chance) agreement is 1, e.g. every rating uses the same single category; "
              "declare the full category set with categories=[...] if more categories exist")


def agreement_weights(q: int, weights=None, *, values: Optional[np.ndarray] = None,
                      caller: str = "agreement") -> np.ndarray:
    """The q x q agreement-weight matrix ``w_kl`` (1 on the diagonal).

    ``weights`` is None / 'unweighted' / 'identity' (identity matrix), 'linear'
    ``1 - |x_k - x_l| / (x_max - x_min)`` or 'quadratic' ``1 - (x_k - x_l)^2 / (x_max - x_min)^2``,
    where ``x`` are category positions (default) or numeric ``values``; or an explicit
    (q, q) array of agreement weights.
    """
    if weights is not None and not isinstance(weights, str):
        W = np.asarray(weights, dtype=float)
        if W.shape != (q, q):
            raise ValidationError(f"The 'weights' parameter of {caller} must be one of {set(WEIGHTS)} or a "
                                  f"({q}, {q}) array for the {q} categories. Got an array of shape {W.shape}.")
        return W
    check_option(weights, WEIGHTS + (None,), param="weights", caller=caller)
    if weights in (None, "unweighted", "identity"):
        return np.eye(q)
    x = np.arange(q, dtype=float) if values is None else np.asarray(values, dtype=float)
    span = x.max() - x.min() if q else 0.0
    if span == 0:
        return np.ones((q, q))
    d = np.abs(x[:, None] - x[None, :]) / span
    return 1.0 - (d if weights == "linear" else d**2)


def level_distance(q: int, level: str, *, values: Optional[np.ndarray] = None,
                   set_distance: Optional[Callable] = None, categories=None) -> Optional[np.ndarray]:
    """Krippendorff's squared distance matrix for a fixed-metric level (None for 'ordinal').

    >>> level_distance(3, "interval", values=np.array([1.0, 2.0, 4.0])).tolist()
    [[0.0, 1.0, 9.0], [1.0, 0.0, 4.0], [9.0, 4.0, 0.0]]
    """
    if set_distance is not None:
        D = np.zeros((q, q))
        for a in range(q):
            for b in range(a + 1, q):
                D[a, b] = D[b, a] = set_distance(categories[a], categories[b])
        return D
    if level == "nominal":
        return 1.0 - np.eye(q)
    if level == "ordinal":
        return None
    x = np.arange(1, q + 1, dtype=float) if values is None else np.asarray(values, dtype=float)
    diff = x[:, None] - x[None, :]
    if level == "interval":
        return diff**2
    total = x[:, None] + x[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        D = np.where(total == 0, 0.0, (diff / np.where(total == 0, 1.0, total)) ** 2)
    return D


def ordinal_distance(marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal distance from the pairable-value marginals ``n_g`` (batched on axis 0).

    ``delta_ck = (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2``.
    """
    n = np.asarray(marginals, dtype=float)
    cs = np.cumsum(n, axis=-1)
    between = cs[..., None, :] - cs[..., :, None] + n[..., :, None]  # sum_{g=c..k} n_g for c <= k
    between = np.where(np.triu(np.ones(between.shape[-2:], dtype=bool)), between,
                       np.swapaxes(between, -1, -2))
    return (between - (n[..., :, None] + n[..., None, :]) / 2.0) ** 2


def _count_patterns(cache: dict, key_id: int):
    """Distinct rows of the cached count matrix, computed once per matrix (shared bootstrap draws)."""
    key = ("patterns", key_id)
    if key not in cache:
        cache[key] = unique_rows(cache[("N", key_id)][0])
    return cache[key]


def _ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den == 0, np.nan, num / np.where(den == 0, 1.0, den))


class Statistic:
    """Base: ``features()`` per item and ``finish(S)`` on (batched) sums; ``explain(S)`` for NaN."""

    def features(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def sums(self) -> np.ndarray:
        """``features().sum(axis=0)``; subclasses compute it without building F."""
        return np.asarray(self.features().sum(axis=0), dtype=float).ravel()

    def finish(self, S: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def explain(self, S: np.ndarray) -> str:
        return NO_PAIRS if np.asarray(S)[..., 0] == 0 else CHANCE_ONE

    def patterns(self):
        """``(F_unique, counts, inverse)`` over items with identical data, or None (no compression)."""
        return None


class FleissFamily(Statistic):
    """Percent agreement, Fleiss' kappa, Gwet's AC1/AC2 and Brennan-Prediger (Gwet 2014, ch. 2-4).

    Features per item: ``[pairable, pa_i, pi_i (q), 1]`` where ``pa_i`` is the weighted
    share of agreeing ordered pairs of the item and ``pi_i = n_ik / n_i``.
    """

    def __init__(self, counts: np.ndarray, W: np.ndarray, *, kind: str, cache: Optional[dict] = None):
        self.cache = {} if cache is None else cache
        self._id = id(counts)
        if ("N", self._id) not in self.cache:
            self.cache[("N", self._id)] = (counts, np.asarray(counts, dtype=float))  # keep counts alive
        self.N = self.cache[("N", self._id)][1]
        self.W = W
        self.kind = kind

    def _parts(self):
        """Per-item (pairable, pa_i) and the pi row scale 1 / n_i, shared between coefficients."""
        key = ("fleiss", self._id, self.W.tobytes())
        if key not in self.cache:
            N = self.N
            r = N.sum(axis=1)
            pair = r >= 2
            den = np.where(pair, r * (r - 1), 1.0)
            NW = N if np.array_equal(self.W, np.eye(len(self.W))) else N @ self.W.T
            pa = np.where(pair, (N * (NW - 1.0)).sum(axis=1) / den, 0.0)
            self.cache[key] = (pair, pa, 1.0 / np.where(r > 0, r, 1.0))
        return self.cache[key]

    def features(self):
        pair, pa, inv = self._parts()
        F = np.empty((len(self.N), self.N.shape[1] + 3))
        F[:, 0] = pair
        F[:, 1] = pa
        np.multiply(self.N, inv[:, None], out=F[:, 2:-1])
        F[:, -1] = 1.0
        return F

    def patterns(self):
        idx, inv, cnt = _count_patterns(self.cache, self._id)
        return FleissFamily(self.N[idx], self.W, kind=self.kind).features(), cnt, inv

    def sums(self):
        pair, pa, inv = self._parts()
        return np.concatenate([[pair.sum(), pa.sum()], inv @ self.N, [len(self.N)]])

    def finish(self, S):
        S = np.asarray(S, dtype=float)
        q = self.N.shape[1]
        pa = _ratio(S[..., 1], S[..., 0])
        if self.kind == "percent":
            return pa
        pi = S[..., 2:2 + q] / S[..., -1:]
        if self.kind == "fleiss":
            pe = np.einsum("...k,kl,...l->...", pi, self.W, pi)
        elif self.kind == "gwet":
            pe = (self.W.sum() / (q * (q - 1)) if q > 1 else np.nan) * (pi * (1 - pi)).sum(axis=-1)
        else:  # brennan_prediger
            pe = np.full(pa.shape, self.W.sum() / q**2 if q > 1 else np.nan)
        return _ratio(pa - pe, 1.0 - pe)

    def explain(self, S):
        if np.asarray(S)[..., 0] == 0:
            return NO_PAIRS
        if self.N.shape[1] < 2:
            return ("only one category is known, so chance agreement is undefined; declare the full "
                    "category set with categories=[...]")
        return CHANCE_ONE


class Conger(Statistic):
    """Conger's (1980) kappa with Gwet's missing-data generalisation (as irrCAC ``conger``).

    Features: ``[pairable, pa_i, onehot(annotator, category) (r*q)]`` (sparse).
    """

    def __init__(self, counts, W, annotator_codes, label_codes, item_codes, n_annotators, cache=None):
        self.fl = FleissFamily(counts, W, kind="percent", cache=cache)
        self.W = W
        self.ann, self.lab, self.item = annotator_codes, label_codes, item_codes
        self.R = n_annotators

    def features(self):
        pair, pa, _ = self.fl._parts()
        base = np.column_stack([pair, pa])
        n, q = self.fl.N.shape
        onehot = sp.csr_matrix((np.ones(len(self.item)), (self.item, self.ann * q + self.lab)),
                               shape=(n, self.R * q))
        return sp.hstack([sp.csr_matrix(base), onehot], format="csr")

    def patterns(self):
        """Items with the same label from every annotator share a pattern (skipped when too wide)."""
        n, q = self.fl.N.shape
        if n * self.R > 50_000_000:
            return None
        L = np.full((n, self.R), -1, dtype=np.int64)
        L[self.item, self.ann] = self.lab
        idx, inv, cnt = unique_rows(L)
        Lu = L[idx]
        r_u, g_u = np.nonzero(Lu >= 0)
        onehot = sp.csr_matrix((np.ones(len(r_u)), (r_u, g_u * q + Lu[r_u, g_u])), shape=(len(idx), self.R * q))
        pair, pa, _ = self.fl._parts()
        base = sp.csr_matrix(np.column_stack([pair[idx], pa[idx]]))
        return sp.hstack([base, onehot], format="csr"), cnt, inv

    def sums(self):
        q = self.fl.N.shape[1]
        onehot = np.bincount(self.ann * q + self.lab, minlength=self.R * q)
        return np.concatenate([self.fl.sums()[:2], onehot]).astype(float)

    def finish(self, S):
        S = np.asarray(S, dtype=float)
        q = self.fl.N.shape[1]
        R = self.R
        pa = _ratio(S[..., 1], S[..., 0])
        X = S[..., 2:].reshape(S.shape[:-1] + (R, q))
        ng = X.sum(axis=-1, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            pgk = np.where(ng > 0, X / np.where(ng > 0, ng, 1.0), 0.0)
        pbar = pgk.mean(axis=-2)
        outer = pbar[..., :, None] * pbar[..., None, :]
        s2 = (np.einsum("...gk,...gl->...kl", pgk, pgk) - R * outer) / (R - 1) if R > 1 else np.nan * outer
        pe = (self.W * (outer - s2 / R)).sum(axis=(-1, -2))
        return _ratio(pa - pe, 1.0 - pe)


class TwoRater(Statistic):
    """Cohen's kappa or Scott's pi for two annotators on the items both rated.

    Features: ``onehot(label_a, label_b)`` (q*q) for every item rated by both.
    """

    def __init__(self, codes_a: np.ndarray, codes_b: np.ndarray, q: int, W: np.ndarray, *, kind: str):
        self.a, self.b, self.q, self.W, self.kind = codes_a, codes_b, q, W, kind

    def features(self):
        F = np.zeros((len(self.a), self.q * self.q))
        F[np.arange(len(self.a)), self.a * self.q + self.b] = 1.0
        return F

    def patterns(self):
        idx, inv, cnt = unique_rows(self.a * self.q + self.b)
        sub = TwoRater(self.a[idx], self.b[idx], self.q, self.W, kind=self.kind)
        return sub.features(), cnt, inv

    def finish(self, S):
        S = np.asarray(S, dtype=float)
        T = S.reshape(S.shape[:-1] + (self.q, self.q))
        n = T.sum(axis=(-1, -2))
        with np.errstate(divide="ignore", invalid="ignore"):
            P = T / n[..., None, None]
        po = (self.W * P).sum(axis=(-1, -2))
        ra, cb = P.sum(axis=-1), P.sum(axis=-2)
        if self.kind == "scott":
            ra = cb = (ra + cb) / 2.0
        pe = np.einsum("...k,kl,...l->...", ra, self.W, cb)
        out = _ratio(po - pe, 1.0 - pe)
        return np.where(n > 0, out, np.nan)

    def explain(self, S):
        return ("the two annotators rated no item in common" if np.asarray(S).sum() == 0 else CHANCE_ONE)


class Alpha(Statistic):
    """Krippendorff's alpha: ``1 - (n.. - 1) * sum_ck o_ck d_ck / sum_ck n_c n_k d_ck``.

    Fixed distances: features ``[d_i, n_ic (q)]`` for pairable items, with
    ``d_i = sum_ck o_ick d_ck``. Ordinal (distance depends on the marginals): the
    item's coincidences ``o_ick`` (q*q).
    """

    def __init__(self, counts: Optional[np.ndarray], D: Optional[np.ndarray], *, cache: Optional[dict] = None,
                 direct: Optional[tuple] = None):
        self.cache = {} if cache is None else cache
        self.D = D
        self.direct = direct  # (item codes, label codes, n_items, values): interval sums without counts
        self._counts = counts
        self.q = counts.shape[1] if counts is not None else len(D)

    @property
    def N(self) -> np.ndarray:
        """The item x category counts as floats (built on first use when ``direct`` is given)."""
        if self._counts is None:
            item, label, n_items, _ = self.direct
            self._counts = np.bincount(item * self.q + label, minlength=n_items * self.q).reshape(n_items, self.q)
        key = ("N", id(self._counts))
        if key not in self.cache:
            self.cache[key] = (self._counts, np.asarray(self._counts, dtype=float))
        return self.cache[key][1]

    @property
    def _id(self) -> int:
        self.N  # noqa: B018 - make sure the counts exist and are cached
        return id(self._counts)

    def features(self):
        N = self.N
        m = N.sum(axis=1)
        pair = m >= 2
        scale = np.where(pair, 1.0 / np.where(pair, m - 1.0, 1.0), 0.0)
        if self.D is not None:
            d = ((N @ self.D) * N).sum(axis=1) * scale
            return np.column_stack([d, N * pair[:, None]])
        q = N.shape[1]
        O = (N[:, :, None] * N[:, None, :] - N[:, :, None] * np.eye(q)[None]) * scale[:, None, None]
        return O.reshape(len(N), q * q)

    def patterns(self):
        idx, inv, cnt = _count_patterns(self.cache, self._id)
        return Alpha(self.N[idx], self.D).features(), cnt, inv

    def sums(self):
        if self.direct is not None:
            return self._direct_sums()
        if self.D is None:
            return super().sums()
        N = self.N
        m = N.sum(axis=1)
        pair = m >= 2
        inv = np.where(pair, 1.0 / np.where(pair, m - 1.0, 1.0), 0.0)
        if np.array_equal(self.D, 1.0 - np.eye(len(self.D))):  # nominal: n_i' (1 - I) n_i = m_i^2 - |n_i|^2
            within = m * m - np.einsum("ij,ij->i", N, N)
        else:
            within = np.einsum("ij,ij->i", N @ self.D, N)
        return np.concatenate([[within @ inv], pair.astype(float) @ N])

    def _direct_sums(self):
        """Interval level from the ratings: ``n_i' D n_i = 2 (m_i sum x^2 - (sum x)^2)``, O(n_ratings)."""
        item, label, n_items, values = self.direct
        values = np.asarray(values, dtype=float)
        x = (values - values.mean())[label] if len(values) else np.zeros(0)  # centred: less cancellation
        m = np.bincount(item, minlength=n_items).astype(float)
        pair = m >= 2
        inv = np.where(pair, 1.0 / np.where(pair, m - 1.0, 1.0), 0.0)
        s1 = np.bincount(item, weights=x, minlength=n_items)
        s2 = np.bincount(item, weights=x * x, minlength=n_items)
        within = 2.0 * (m * s2 - s1 * s1)
        nc = np.bincount(label, weights=pair[item].astype(float), minlength=self.q)
        return np.concatenate([[within @ inv], nc])

    def finish(self, S):
        S = np.asarray(S, dtype=float)
        q = self.q
        if self.D is not None:
            nc, do = S[..., 1:], S[..., 0]
            D = self.D
        else:
            O = S.reshape(S.shape[:-1] + (q, q))
            nc = O.sum(axis=-1)
            D = ordinal_distance(nc)
            do = (O * D).sum(axis=(-1, -2))
        n = nc.sum(axis=-1)
        de = np.einsum("...k,...kl,...l->...", nc, np.broadcast_to(D, nc.shape[:-1] + (q, q)), nc)
        out = 1.0 - _ratio((n - 1.0) * do, de)
        return np.where(n > 1, out, np.nan)

    def explain(self, S):
        S = np.asarray(S, dtype=float)
        n = S[..., 1:].sum() if self.D is not None else S.sum()
        if n == 0:
            return NO_PAIRS
        return ("expected disagreement is 0: all pairable values are the same, so alpha is undefined "
                "(0/0); reliability cannot be assessed without variation")
