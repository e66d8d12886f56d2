"""Label-issue detection on out-of-fold probabilities (cleanlab, plus temperature calibration).

Private helper of :mod:`workbench.error_analysis`.

The default method, ``"calibrated_self_confidence"``:

1. **Calibrate.** Fit one temperature ``T`` to the out-of-fold probabilities by
   minimising the negative log-likelihood of the given labels (Guo et al. 2017,
   "On Calibration of Modern Neural Networks"), ``p_T = softmax(T * log p)``. The
   ranking of classes within an item does not change; only how peaked they are.
   ``T`` is kept >= 1 (calibration may sharpen, never flatten): the label noise we
   are looking for itself pulls the likelihood-optimal ``T`` down (a confidently
   predicted flipped label costs ``-log p``), so a fitted ``T < 1`` mostly measures
   that noise, and flattening would hide exactly the items to be found.
2. **Count.** cleanlab's confident joint (Northcutt et al. 2021) estimates how many
   items of each given class are mislabeled. Its per-class thresholds are averages
   of probabilities, so the count it returns depends on calibration: an
   over-confident model inflates it, an under-confident one deflates it. Step 1
   makes the count meaningful.
3. **Rank.** Flag that many items (the total over classes) with the lowest
   self-confidence ``p(given label)`` (cleanlab ``filter_by="low_self_confidence"``,
   whose count is ``cleanlab.count.num_label_issues``).

On banking77 with 10% of the labels flipped, this is what lifts precision from
cleanlab's default (``prune_by_noise_rate``) ~0.7 to > 0.9 at recall > 0.85 (see
``benchmarks/results/error_analysis.md``). Every cleanlab filter is also available
by name, on the raw (uncalibrated) probabilities.

Examples
--------
>>> import numpy as np
>>> from workbench._label_issues import fit_temperature
>>> p = np.array([[0.6, 0.4], [0.6, 0.4], [0.6, 0.4], [0.4, 0.6]])
>>> t = fit_temperature(p, np.array([0, 0, 0, 1]))
>>> t > 1   # all four predictions are right: sharpen them
True
"""

from __future__ import annotations

import warnings

import numpy as np

from .exceptions import MissingDependencyError, WorkbenchWarning

__all__ = ["METHODS", "DEFAULT_METHOD", "CLEANLAB_DEFAULT", "fit_temperature", "apply_temperature",
           "find_issues"]

DEFAULT_METHOD = "calibrated_self_confidence"
#: cleanlab's own default filter (``find_label_issues(filter_by="prune_by_noise_rate")``).
CLEANLAB_DEFAULT = "prune_by_noise_rate"

#: method name -> (cleanlab filter_by, calibrate first?, cleanlab ranking score)
METHODS = {
    DEFAULT_METHOD: ("low_self_confidence", True, "self_confidence"),
    "prune_by_noise_rate": ("prune_by_noise_rate", False, "self_confidence"),
    "prune_by_class": ("prune_by_class", False, "self_confidence"),
    "both": ("both", False, "self_confidence"),
    "confident_learning": ("confident_learning", False, "self_confidence"),
    "predicted_neq_given": ("predicted_neq_given", False, "self_confidence"),
    "low_self_confidence": ("low_self_confidence", False, "self_confidence"),
    "low_normalized_margin": ("low_normalized_margin", False, "normalized_margin"),
}

_CLIP = 1e-12


def fit_temperature(probabilities: np.ndarray, y: np.ndarray) -> float:
    """The temperature ``T`` minimising the NLL of ``y`` under ``softmax(T * log p)``.

    ``T > 1`` sharpens (the model was under-confident), ``T < 1`` flattens.
    Searched in [0.05, 20] (bounded scalar minimisation; the NLL is convex in ``T``).

    Examples
    --------
    >>> import numpy as np
    >>> from workbench._label_issues import fit_temperature
    >>> p = np.array([[0.9, 0.1], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1]])
    >>> fit_temperature(p, np.array([0, 0, 0, 1])) < 1   # 1 in 4 is wrong: 0.9 was too confident
    True
    """
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    logits = np.log(np.clip(probabilities, _CLIP, 1.0))
    rows = np.arange(len(y))

    def nll(t: float) -> float:
        return float(-log_softmax(logits * t, axis=1)[rows, y].mean())

    result = minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded", options={"xatol": 1e-4})
    return float(result.x)


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Return ``softmax(temperature * log p)`` row-wise.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench._label_issues import apply_temperature
    >>> apply_temperature(np.array([[0.8, 0.2]]), 1.0).round(3).tolist()
    [[0.8, 0.2]]
    """
    from scipy.special import softmax

    return softmax(np.log(np.clip(probabilities, _CLIP, 1.0)) * temperature, axis=1)


def _cleanlab():
    try:
        import cleanlab.filter
        import cleanlab.rank
    except ImportError as exc:  # pragma: no cover - cleanlab is a core dependency
        raise MissingDependencyError(
            "label_issue_table needs cleanlab. Install it with: pip install 'cleanlab>=2.6'"
        ) from exc
    return cleanlab


def _rewarn(caught, y: np.ndarray, class_names) -> None:
    """Re-issue cleanlab's warnings with class names instead of column numbers."""
    if any("too few examples" in str(w.message) for w in caught):
        counts = np.bincount(y, minlength=len(class_names))
        few = [str(name) for name, n in zip(class_names, counts) if n < 2]
        warnings.warn(
            f"label issues may be missed in classes with fewer than 2 labeled items: {few[:10]} "
            "(cleanlab keeps at least one item per class). Label more items of these classes.",
            WorkbenchWarning, stacklevel=4)
    for w in caught:
        if "too few examples" not in str(w.message):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def find_issues(y: np.ndarray, probabilities: np.ndarray, *, method: str, class_names=None):
    """Flag label issues with ``method`` (a key of :data:`METHODS`).

    Returns
    -------
    issue_mask : numpy.ndarray of bool, shape (n,)
    quality : numpy.ndarray of float, shape (n,)
        cleanlab's label-quality score (lower = more likely mislabeled), on the
        probabilities the method used.
    used : numpy.ndarray, shape (n, k)
        Those probabilities (calibrated for the default method).
    description : str
        What was run, for the ``method`` column.
    """
    cleanlab = _cleanlab()
    class_names = list(class_names) if class_names is not None else list(range(probabilities.shape[1]))
    filter_by, calibrate, score = METHODS[method]
    used = probabilities
    description = f"cleanlab find_label_issues(filter_by={filter_by!r})"
    if calibrate:
        temperature = max(1.0, fit_temperature(probabilities, y))
        used = apply_temperature(probabilities, temperature)
        description = f"{method}: temperature T={temperature:.3f}, then {description}"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mask = cleanlab.filter.find_label_issues(y, used, filter_by=filter_by, n_jobs=1)
    _rewarn(caught, y, class_names)
    quality = cleanlab.rank.get_label_quality_scores(y, used, method=score)
    return np.asarray(mask, dtype=bool), np.asarray(quality, dtype=float), used, description
