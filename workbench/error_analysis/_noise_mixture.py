"""How many given labels look random to the model: a two-component likelihood (private).

Private helper of :mod:`workbench.error_analysis._label_issues`. Model of a given label ``y_i``:

    P(y_i | x_i) = (1 - eps) * softmax(T * log p_i)[y_i] + eps / k

with probability ``1 - eps`` the label is what the (temperature-calibrated) model
would say, with probability ``eps`` it is a label drawn at random from the ``k``
categories. Fitted by EM (Dempster, Laird & Rubin 1977): the E-step gives each item
its posterior probability of being a random label; the M-step sets ``eps`` to their
mean and fits ``T`` by weighted temperature scaling (Guo et al. 2017) on the items
believed clean (two Newton steps; the objective is concave in ``T``).

Why: the flipped labels themselves distort plain temperature scaling (they pull
``T`` down), and cleanlab's confident-joint count moves with calibration. The outlier
component absorbs the noise, so ``T`` reflects the model on its clean items, and
``eps * n`` estimates how many labels the model finds implausible. A label swapped
for a *close* category keeps a fair model probability and is mostly attributed to
the model component: the estimate is conservative for systematic confusions (those
show up in the confusion tables instead).

Examples
--------
>>> import numpy as np
>>> from workbench.error_analysis._noise_mixture import fit_noise_mixture
>>> rng = np.random.default_rng(0)
>>> y = rng.integers(0, 4, size=2000)
>>> proba = np.full((2000, 4), 0.02)
>>> proba[np.arange(2000), y] = 0.94                  # a good model of the true labels ...
>>> noisy = y.copy()
>>> flip = rng.random(2000) < 0.1
>>> noisy[flip] = (y[flip] + rng.integers(1, 4, size=flip.sum())) % 4   # ... and 10% flipped labels
>>> fit = fit_noise_mixture(proba, noisy)
>>> int(flip.sum()), int((fit.posterior > 0.5).sum()), bool(((fit.posterior > 0.5) == flip).all())
(229, 229, True)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["NoiseMixture", "fit_noise_mixture"]

_CLIP = 1e-12
_TINY = 1e-300


class NoiseMixture(NamedTuple):
    """Result of :func:`fit_noise_mixture`."""

    temperature: float
    #: estimated share of labels drawn at random (``eps``)
    noise_share: float
    #: per item, posterior probability that its label is a random one
    posterior: np.ndarray
    n_iter: int


def _moments(logp: np.ndarray, rows: np.ndarray, y: np.ndarray, t: float):
    """log softmax(t * logp)[y] and the mean / variance of logp under softmax(t * logp), per row."""
    z = logp * t
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1)
    q = e / s[:, None]
    mean = (q * logp).sum(axis=1)
    var = np.maximum((q * logp * logp).sum(axis=1) - mean * mean, 0.0)
    return z[rows, y] - np.log(s), mean, var


def fit_noise_mixture(probabilities, y, *, max_iter: int = 500, tol: float = 1e-7) -> NoiseMixture:
    """Fit ``(1 - eps) * softmax(T log p)[y] + eps / k`` to the given labels by EM.

    Parameters
    ----------
    probabilities : numpy.ndarray, shape (n, k)
        Out-of-fold class probabilities.
    y : numpy.ndarray of int, shape (n,)
        Given labels as column indices.
    max_iter : int
    tol : float
        Stop when ``eps`` moves less than this.

    Returns
    -------
    NoiseMixture
    """
    logp = np.log(np.clip(np.asarray(probabilities, dtype=float), _CLIP, 1.0))
    n, k = logp.shape
    rows = np.arange(n)
    logp_y = logp[rows, y]
    t, eps = 1.0, 0.1
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        log_like, mean, var = _moments(logp, rows, y, t)
        p = np.exp(log_like)
        posterior = eps / k / np.maximum((1 - eps) * p + eps / k, _TINY)
        new_eps = float(posterior.mean())
        weight = 1.0 - posterior
        for _ in range(2):  # Newton steps on the weighted log-likelihood of T (concave)
            grad = float((weight * (logp_y - mean)).sum())
            hess = -float((weight * var).sum())
            if hess < 0:
                t = float(np.clip(t - grad / hess, 0.05, 20.0))
            log_like, mean, var = _moments(logp, rows, y, t)
        converged = abs(new_eps - eps) < tol
        eps = new_eps
        if converged:
            break
    p = np.exp(_moments(logp, rows, y, t)[0])
    posterior = eps / k / np.maximum((1 - eps) * p + eps / k, _TINY)
    return NoiseMixture(t, eps, posterior, n_iter)
