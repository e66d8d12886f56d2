"""Label-issue detection on out-of-fold probabilities (cleanlab, plus calibration).

Private helper of :mod:`workbench.error_analysis`.

The default method, ``"combined"``, flags an item when either of two detectors does;
each is blind to the other's kind of error:

``"noise_mixture"`` (see :mod:`workbench.error_analysis._noise_mixture`) catches labels that look
*random* to the model:

1. **Model the noise.** Fit, by EM, ``P(given label) = (1 - eps) * p_T(label) + eps / k``:
   with probability ``1 - eps`` the label is what the temperature-calibrated model
   ``p_T = softmax(T * log p)`` says, otherwise a random category. The outlier
   component keeps the flipped labels from distorting the calibration.
2. **Decide.** Flag the items whose posterior probability of carrying a random label
   exceeds 1/2 (the Bayes decision under that model).
3. **Rank.** By cleanlab's self-confidence score ``p_T(given label)``
   (``cleanlab.rank.get_label_quality_scores``), which orders items exactly as the
   posterior does.

It finds nothing when the wrong labels are *systematic* (always the same close
category): the model then learns them and no label looks random. cleanlab's
confident joint does count those, hence the second detector:

``"calibrated_self_confidence"``: temperature-scale the probabilities by likelihood on
the given labels (Guo et al. 2017), ``T`` kept >= 1 (the noise itself pulls the fitted
``T`` down), then cleanlab ``filter_by="low_self_confidence"``: the
``cleanlab.count.num_label_issues`` items (confident-joint count, Northcutt et al.
2021) with the lowest self-confidence. The count moves with calibration, which is why
calibrating first matters.

Measured on banking77 (``benchmarks/results/error_analysis.md``): with 10% of the
labels flipped at random, cleanlab's default (``prune_by_noise_rate``) reaches precision
~0.75, recall ~0.81; the default here > 0.9 and > 0.9. Every
cleanlab filter is also available by name, on the raw (uncalibrated) probabilities.

Examples
--------
>>> import numpy as np
>>> from workbench.error_analysis._label_issues import fit_temperature
>>> p = np.array([[0.6, 0.4], [0.6, 0.4], [0.6, 0.4], [0.4, 0.6]])
>>> t = fit_temperature(p, np.array([0, 0, 0, 1]))
>>> t > 1   # all four predictions are right: sharpen them
True
"""

from __future__ import annotations

import sys
import warnings

import numpy as np

from .._internal.optional import import_optional
from ..exceptions import WorkbenchWarning
from ._noise_mixture import fit_noise_mixture

__all__ = ["METHODS", "DEFAULT_METHOD", "CLEANLAB_DEFAULT", "fit_temperature", "apply_temperature",
           "find_issues"]

DEFAULT_METHOD = "combined"
#: cleanlab's own default filter (``find_label_issues(filter_by="prune_by_noise_rate")``).
CLEANLAB_DEFAULT = "prune_by_noise_rate"

#: method name -> (cleanlab filter_by, calibrate first?, cleanlab ranking score)
METHODS = {
    DEFAULT_METHOD: ("combined", True, "self_confidence"),
    "noise_mixture": (None, True, "self_confidence"),
    "calibrated_self_confidence": ("low_self_confidence", True, "self_confidence"),
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
    >>> from workbench.error_analysis._label_issues import fit_temperature
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
    >>> from workbench.error_analysis._label_issues import apply_temperature
    >>> apply_temperature(np.array([[0.8, 0.2]]), 1.0).round(3).tolist()
    [[0.8, 0.2]]
    """
    from scipy.special import softmax

    return softmax(np.log(np.clip(probabilities, _CLIP, 1.0)) * temperature, axis=1)


def _cleanlab():
    for module in ("cleanlab.filter", "cleanlab.rank"):
        import_optional(module, needed_for="label_issue_table", install="cleanlab>=2.6")
    return sys.modules["cleanlab"]


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
    if filter_by == "combined":
        mixture, quality, used, first = find_issues(y, probabilities, method="noise_mixture",
                                                   class_names=class_names)
        joint, _, _, second = find_issues(y, probabilities, method="calibrated_self_confidence",
                                          class_names=class_names)
        description = (f"{method}: flagged by either [{first}] ({int(mixture.sum())} items) or "
                       f"[{second}] ({int(joint.sum())} items)")
        return mixture | joint, quality, used, description
    if filter_by is None:  # the noise mixture
        fit = fit_noise_mixture(probabilities, y)
        used = apply_temperature(probabilities, fit.temperature)
        mask = fit.posterior > 0.5
        description = (f"{method}: EM fit T={fit.temperature:.3f}, random-label share {fit.noise_share:.4f}; "
                       "flagged if P(random label) > 0.5; ranked by cleanlab self_confidence")
    else:
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
