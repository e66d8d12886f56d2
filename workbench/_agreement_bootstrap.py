"""Item bootstrap of any agreement statistic by reweighting, not recomputation.

Private helper of :mod:`workbench.agreement`. A statistic is a formula on sums over
items of a per-item feature matrix ``F`` (see :mod:`workbench._agreement_chance`).
Resampling items with replacement gives each item a multinomial count, so a
resample's sums are ``c @ F``. Items with identical feature rows are merged first
(a "pattern"); the resample counts of the patterns are then one multinomial draw of
size n over the pattern frequencies, and all resamples cost one matrix product.

Examples
--------
>>> import numpy as np
>>> F = np.array([[1.0], [0.0], [1.0], [1.0]])
>>> sums = bootstrap_sums(F, n_boot=5, random_state=0)
>>> sums.shape, bool(np.all((sums >= 0) & (sums <= 4)))
((5, 1), True)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validation import check_random_state

_CHUNK_CELLS = 4_000_000  # resample-count cells per block (32 MB of float64)


def _patterns(F):
    """Distinct rows of dense F, with the count of items having each."""
    if sp.issparse(F) or F.shape[0] < 2:
        return F, None
    uniq, inverse, counts = np.unique(F, axis=0, return_inverse=True, return_counts=True)
    if len(uniq) > 0.5 * F.shape[0]:
        return F, None
    return uniq, counts


def bootstrap_sums(F, *, n_boot: int, random_state=None, progress: bool = False) -> np.ndarray:
    """Sums of the feature rows over ``n_boot`` item resamples, shape (n_boot, p).

    Parameters
    ----------
    F : ndarray or scipy.sparse matrix, shape (n_items, p)
    n_boot : int
    random_state : None, int or numpy Generator
    progress : bool
        Show a tqdm progress bar over blocks of resamples.
    """
    rng = check_random_state(random_state)
    n = F.shape[0]
    rows, counts = _patterns(F)
    P = rows.shape[0]
    block = max(1, min(n_boot, _CHUNK_CELLS // max(P, 1)))
    out = np.empty((n_boot, F.shape[1]))
    starts = range(0, n_boot, block)
    if progress:
        from tqdm.auto import tqdm
        starts = tqdm(starts, desc="bootstrap", unit="block")
    for start in starts:
        b = min(block, n_boot - start)
        if counts is not None:
            C = rng.multinomial(n, counts / n, size=b).astype(float)
        else:
            draws = rng.integers(0, n, size=(b, n))
            draws += (np.arange(b) * n)[:, None]
            C = np.bincount(draws.ravel(), minlength=b * n).reshape(b, n).astype(float)
        out[start:start + b] = (rows.T @ C.T).T if sp.issparse(rows) else C @ rows
    return out


def percentile_interval(values: np.ndarray, *, confidence: float = 0.95):
    """Percentile bootstrap interval ignoring undefined (NaN) resamples; (nan, nan) if none."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)
