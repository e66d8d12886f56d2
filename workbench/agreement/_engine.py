"""Wire parsed ratings to the statistic of a named metric, and evaluate it.

Private helper of :mod:`workbench.agreement`: metric names, option checks, the
choice of weights / distances, and the NaN-with-a-warning rule for undefined values.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": ["a", "b"] * 2, "label": ["x", "x", "x", "y"]})
>>> evaluate("percent_agreement", parse_ratings(df, caller="example"), caller="example")
0.5
"""

from __future__ import annotations

import warnings
from typing import Optional

import numpy as np

from . import _chance as ch
from ._core import Ratings, count_matrix, parse_ratings
from .._internal.validation import check_option
from ..exceptions import ValidationError, WorkbenchWarning

__all__ = ["METRICS", "build_statistic", "evaluate", "parse_ratings", "pair_codes", "set_distance"]

METRICS = ("percent_agreement", "cohen_kappa", "scott_pi", "fleiss_kappa", "conger_kappa",
           "brennan_prediger", "gwet_ac1", "gwet_ac2", "krippendorff_alpha")
WEIGHTS_ON = ("positions", "values")
DISTANCES = ("jaccard", "masi")


def jaccard_distance(a: tuple, b: tuple) -> float:
    """``1 - |a & b| / |a | b|`` (0 for two empty sets)."""
    a, b = set(a), set(b)
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


def masi_distance(a: tuple, b: tuple) -> float:
    """MASI distance (Passonneau 2006): ``1 - J(a, b) * M`` with monotonicity M = 1, 2/3, 1/3, 0 (as NLTK)."""
    a, b = set(a), set(b)
    inter, union = len(a & b), len(a | b)
    if union == 0:
        return 0.0
    if len(a) == len(b) == inter:
        m = 1.0
    elif inter == min(len(a), len(b)):
        m = 2.0 / 3.0
    elif inter > 0:
        m = 1.0 / 3.0
    else:
        m = 0.0
    return 1.0 - inter / union * m


def set_distance(name, *, caller: str):
    """The set distance function for 'jaccard' / 'masi' (or a callable), None for None."""
    if name is None or callable(name):
        return name
    check_option(name, DISTANCES, param="distance", caller=caller)
    return jaccard_distance if name == "jaccard" else masi_distance


def _positions_or_values(r: Ratings, weights_on: str, caller: str) -> Optional[np.ndarray]:
    check_option(weights_on, WEIGHTS_ON, param="weights_on", caller=caller)
    if weights_on == "positions":
        return None
    values = r.numeric_values()
    if values is None:
        raise ValidationError(f"weights_on='values' in {caller} needs numeric labels; the categories are "
                              f"{r.categories[:10]}. Use weights_on='positions' or numeric labels.")
    return values


def pair_codes(r: Ratings, annotators, *, caller: str):
    """Label codes of two annotators on the items both rated: (codes_a, codes_b, item_codes)."""
    if annotators is None:
        if r.n_annotators != 2:
            raise ValidationError(
                f"{caller} needs exactly two annotators; the data has {r.n_annotators}: "
                f"{r.annotator_ids[:10].tolist()}. Pass annotators=(a, b) to pick a pair, or use "
                "fleiss_kappa_score / conger_kappa_score / krippendorff_alpha_score for more annotators.")
        ia, ib = 0, 1
    else:
        if len(annotators) != 2:
            raise ValidationError(f"The 'annotators' parameter of {caller} must be a pair (a, b). Got {annotators!r}.")
        ids = r.annotator_ids.tolist()
        missing = [a for a in annotators if a not in ids]
        if missing or annotators[0] == annotators[1]:
            raise ValidationError(f"The 'annotators' parameter of {caller} must name two different annotators "
                                  f"of the data {ids[:20]}. Got {tuple(annotators)!r}.")
        ia, ib = ids.index(annotators[0]), ids.index(annotators[1])
    la = np.full(r.n_items, -1)
    lb = np.full(r.n_items, -1)
    sa, sb = r.annotator == ia, r.annotator == ib
    la[r.item[sa]] = r.label[sa]
    lb[r.item[sb]] = r.label[sb]
    both = np.flatnonzero((la >= 0) & (lb >= 0))
    return la[both], lb[both], both


def build_statistic(name: str, r: Ratings, *, counts=None, level: str = "nominal", weights=None,
                    weights_on: str = "positions", annotators=None, distance=None,
                    caller: str = "agreement", cache: Optional[dict] = None) -> ch.Statistic:
    """The :class:`~workbench.agreement._chance.Statistic` computing metric ``name`` on ``r``."""
    check_option(name, METRICS, param="metric", caller=caller)
    q = r.q
    if name == "krippendorff_alpha":
        check_option(level, ch.LEVELS, param="level", caller=caller)
        dist = set_distance(distance, caller=caller)
        values = None
        if level in ("interval", "ratio"):
            values = r.numeric_values()
        if level != "nominal" and dist is None and not r.declared and r.numeric_values() is None and q > 1:
            warnings.warn(f"{caller}: level={level!r} with non-numeric labels uses the order of the categories "
                          f"{r.categories[:6]}{'...' if q > 6 else ''} (positions 1..{q}); pass categories=[...] "
                          "in their true order, or numeric labels.", WorkbenchWarning, stacklevel=4)
        D = ch.level_distance(q, level, values=values, set_distance=dist, categories=r.categories)
        if level == "interval" and dist is None and counts is None:
            direct = (r.item, r.label, r.n_items, np.arange(1.0, q + 1) if values is None else values)
            return ch.Alpha(None, D, cache=cache, direct=direct)
        return ch.Alpha(count_matrix(r) if counts is None else counts, D, cache=cache)
    values = _positions_or_values(r, weights_on, caller)
    if name == "gwet_ac2" and weights is None:
        weights = "quadratic"
    W = ch.agreement_weights(q, weights, values=values, caller=caller)
    if name in ("cohen_kappa", "scott_pi"):
        a, b, _ = pair_codes(r, annotators, caller=caller)
        return ch.TwoRater(a, b, q, W, kind="cohen" if name == "cohen_kappa" else "scott")
    counts = count_matrix(r) if counts is None else counts
    if name == "conger_kappa":
        return ch.Conger(counts, W, r.annotator, r.label, r.item, r.n_annotators, cache=cache)
    kind = {"percent_agreement": "percent", "fleiss_kappa": "fleiss", "brennan_prediger": "bp",
            "gwet_ac1": "gwet", "gwet_ac2": "gwet"}[name]
    return ch.FleissFamily(counts, W, kind=kind, cache=cache)


def evaluate(name: str, r: Ratings, *, caller: str, stat: Optional[ch.Statistic] = None, F=None,
             **options) -> float:
    """Value of metric ``name`` on ``r``; NaN with a WorkbenchWarning saying why when undefined."""
    stat = stat or build_statistic(name, r, caller=caller, **options)
    S = stat.sums() if F is None else np.asarray(F.sum(axis=0), dtype=float).ravel()
    with np.errstate(all="ignore"):
        value = float(stat.finish(S))
    if not np.isfinite(value):
        warnings.warn(f"{caller} is undefined for this data and returns NaN: {stat.explain(S)}.",
                      WorkbenchWarning, stacklevel=3)
        return float("nan")
    return value
