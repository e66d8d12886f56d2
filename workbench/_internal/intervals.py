"""The Wilson score interval of a proportion: one implementation for every table and report.

Examples
--------
>>> low, high = wilson_interval(81, 100)
>>> round(float(low), 3), round(float(high), 3)
(0.722, 0.875)
>>> [round(float(x), 3) for x in wilson_interval([0, 5], [10, 0])[1]]  # n == 0 gives NaN
[0.278, nan]
"""

from __future__ import annotations

from typing import Optional

import numpy as np

__all__ = ["wilson_interval"]


def wilson_interval(successes, n, confidence: float = 0.95, *, z: Optional[float] = None):
    """``(low, high)`` of ``successes / n`` (arrays or scalars; NaN where ``n == 0``), clipped to [0, 1].

    ``successes`` may be fractional (a tie counting half). ``z`` overrides ``confidence``.
    """
    if z is None:
        from scipy import stats

        z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    k, n = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return low, high
