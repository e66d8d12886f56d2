"""Item bootstrap of any agreement statistic by reweighting, not recomputation.

Private helper of :mod:`workbench.agreement`. A statistic is a formula on sums over
items of a per-item feature matrix ``F`` (see :mod:`workbench.agreement._chance`).
Resampling items with replacement gives each item a multinomial count, so a
resample's sums are ``c @ F``. Items with identical feature rows are merged first
(a "pattern"); the resample counts of the patterns are then one multinomial draw of
size n over the pattern frequencies, and all resamples cost one matrix product.

Examples
--------
>>> import numpy as np
>>> rows = np.array([[1.0], [0.0]])  # two patterns: 3 items with 1, 1 item with 0
>>> sums = bootstrap_sums(rows, counts=np.array([3, 1]), n_boot=5, random_state=0)
>>> sums.shape, bool(np.all((sums >= 0) & (sums <= 4)))
((5, 1), True)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._internal.validation import check_random_state

_CHUNK_CELLS = 4_000_000  # resample-count cells per block (32 MB of float64)


def unique_rows(A: np.ndarray):
    """Distinct rows of an int matrix: (index of a representative, inverse, counts).

    >>> idx, inv, cnt = unique_rows(np.array([[1, 0], [0, 2], [1, 0]]))
    >>> inv.tolist(), cnt.tolist()
    ([0, 1, 0], [2, 1])
    """
    A = np.asarray(A, dtype=np.int64)
    if A.ndim == 1:
        A = A[:, None]
    if len(A) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    low = A.min(axis=0)
    span = A.max(axis=0) - low + 1
    if np.sum(np.log2(span.astype(float))) < 62:  # mixed-radix code fits in int64
        radix = np.concatenate([[1], np.cumprod(span[:-1])]).astype(np.int64)
        key = (A - low) @ radix
        _, idx, inv, cnt = np.unique(key, return_index=True, return_inverse=True, return_counts=True)
    else:
        _, idx, inv, cnt = np.unique(A, axis=0, return_index=True, return_inverse=True, return_counts=True)
    return idx, inv.ravel(), cnt


def bootstrap_sums(rows, *, n_boot: int, counts=None, inverse=None, random_state=None,
                   progress: bool = False) -> np.ndarray:
    """Sums of feature rows over ``n_boot`` item resamples, shape (n_boot, p).

    Parameters
    ----------
    rows : ndarray or scipy.sparse matrix, shape (P, p)
        One feature row per item, or per distinct item pattern when ``counts`` is given.
    n_boot : int
    counts : ndarray of int, shape (P,), optional
        How many items share each pattern row (None: one item per row).
    inverse : ndarray of int, shape (n_items,), optional
        The pattern of each item (needed with ``counts`` when patterns are many).
    random_state : None, int or numpy Generator
    progress : bool
        Show a tqdm progress bar over blocks of resamples.
    """
    rng = check_random_state(random_state)
    P = rows.shape[0]
    if counts is None:
        counts, inverse = np.ones(P, dtype=np.int64), np.arange(P)
    n = int(np.sum(counts))
    if n == 0:  # nothing to resample: every resample sums to zero (an undefined statistic)
        return np.zeros((n_boot, rows.shape[1]))
    use_multinomial = inverse is None or P <= n // 20  # multinomial costs O(P) per draw, direct O(n) but ~20x cheaper
    block = max(1, min(n_boot, _CHUNK_CELLS // max(P if use_multinomial else n, 1)))
    out = np.empty((n_boot, rows.shape[1]))
    starts = range(0, n_boot, block)
    if progress:
        from tqdm.auto import tqdm
        starts = tqdm(starts, desc="bootstrap", unit="block")
    for start in starts:
        b = min(block, n_boot - start)
        if use_multinomial:
            C = rng.multinomial(n, counts / n, size=b).astype(float)
        else:
            draws = inverse[rng.integers(0, n, size=(b, n))]
            draws += (np.arange(b) * P)[:, None]
            C = np.bincount(draws.ravel(), minlength=b * P).reshape(b, P).astype(float)
        out[start:start + b] = (rows.T @ C.T).T if sp.issparse(rows) else C @ rows
    return out


def bootstrap_values(stat, *, n_boot: int, random_state=None, progress: bool = False) -> np.ndarray:
    """The statistic on ``n_boot`` item resamples (NaN where a resample is undefined)."""
    patterns = stat.patterns()
    if patterns is None:
        sums = bootstrap_sums(stat.features(), n_boot=n_boot, random_state=random_state, progress=progress)
    else:
        rows, counts, inverse = patterns
        sums = bootstrap_sums(rows, n_boot=n_boot, counts=counts, inverse=inverse,
                              random_state=random_state, progress=progress)
    with np.errstate(all="ignore"):
        return stat.finish(sums)


def bootstrap_many(stats, *, n_boot: int, random_state=None, progress: bool = False) -> list:
    """Bootstrap values of several statistics; those on the same item patterns share their resamples.

    Statistics built on the same count matrix (percent agreement, Fleiss, Gwet,
    Brennan-Prediger, alpha) see the very same resampled item sets, so their intervals
    are comparable; the others are resampled on their own.
    """
    rng = check_random_state(random_state)
    results = [None] * len(stats)
    groups = {}
    for i, stat in enumerate(stats):
        patterns = stat.patterns()
        key = ("alone", i) if patterns is None else ("counts", id(patterns[1]))
        groups.setdefault(key, []).append((i, patterns))
    for key, members in groups.items():
        if key[0] == "alone":
            i = members[0][0]
            results[i] = bootstrap_values(stats[i], n_boot=n_boot, random_state=rng, progress=progress)
            continue
        _, counts, inverse = members[0][1]
        blocks = [p[0] for _, p in members]
        stacked = (sp.hstack(blocks, format="csr") if any(sp.issparse(b) for b in blocks)
                   else np.hstack(blocks))
        sums = bootstrap_sums(stacked, n_boot=n_boot, counts=counts, inverse=inverse, random_state=rng,
                              progress=progress)
        start = 0
        for i, p in members:
            width = p[0].shape[1]
            with np.errstate(all="ignore"):
                results[i] = stats[i].finish(sums[:, start:start + width])
            start += width
    return results


def percentile_interval(values: np.ndarray, *, confidence: float = 0.95):
    """Percentile bootstrap interval ignoring undefined (NaN) resamples; (nan, nan) if none."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)
