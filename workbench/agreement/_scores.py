"""Inter-annotator agreement: chance-corrected scores, bootstrap intervals, and where people disagree.

Analysis layer: a long DataFrame (one row per judgement, ``item_id, annotator,
label``; column names overridable) in, floats and DataFrames out. A missing rating is
an absent row or a NaN label. Multi-label rows (lists, sets, JSON list strings) are
allowed: scores then compare label *sets*; ``krippendorff_alpha_score(...,
distance="jaccard" | "masi")`` gives partial credit, and :func:`per_category_table`
gives per-label binary agreement.

``categories`` declares the full, ordered category set (e.g. a taxonomy's labels), so
unused categories count where a metric's definition says they do (Brennan-Prediger,
Gwet) and weights use the declared order (``weights_on="values"`` uses numeric label
values instead). For multi-label data ``categories`` lists the single labels a set
may contain. A pandas categorical label column declares its categories itself.
Undefined values (no item with two ratings, a single category everywhere) are NaN
with a :class:`WorkbenchWarning`; bad input raises a
:class:`~workbench.exceptions.WorkbenchError` that lists the valid options.

The computations are vectorised: the item x category count matrix comes from one
``np.bincount``, and bootstrap resamples are reweightings of per-item sums.

Examples
--------
Krippendorff (2011), *Computing Krippendorff's Alpha-Reliability*, section C: four
observers, twelve units, missing values.

>>> import numpy as np, pandas as pd
>>> table = {"A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
...          "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
...          "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
...          "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]}
>>> df = pd.DataFrame(table).rename_axis("item_id").reset_index().melt(
...     id_vars="item_id", var_name="annotator", value_name="label").dropna()
>>> round(krippendorff_alpha_score(df), 3)
0.743
>>> [round(krippendorff_alpha_score(df, level=lv), 3) for lv in ("ordinal", "interval", "ratio")]
[0.815, 0.849, 0.797]
"""

from __future__ import annotations

from typing import Optional, Sequence

import pandas as pd

from . import _engine as _eng
from ._tables import agreement_table, hierarchy_table, pairwise_table, per_category_table
from ._items import (annotator_table, coincidence_matrix, confusion_table, consensus_table,
                               disagreement_table)

__all__ = [
    "percent_agreement_score", "cohen_kappa_score", "scott_pi_score", "fleiss_kappa_score",
    "conger_kappa_score", "brennan_prediger_score", "gwet_ac1_score", "gwet_ac2_score",
    "krippendorff_alpha_score", "agreement_table", "per_category_table", "pairwise_table",
    "annotator_table", "confusion_table", "disagreement_table", "consensus_table",
    "hierarchy_table", "coincidence_matrix", "METRICS",
]

METRICS = _eng.METRICS


def _score(name, df, caller, *, item_col, annotator_col, label_col, categories, multilabel=None, **options):
    r = _eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                           categories=categories, caller=caller, multilabel=multilabel)
    return _eng.evaluate(name, r, caller=caller, **options)


def percent_agreement_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                            label_col: str = "label", categories: Optional[Sequence] = None,
                            weights=None, weights_on: str = "positions") -> float:
    """Observed agreement: the share of agreeing annotator pairs per item, averaged over items.

    Items with fewer than two ratings are skipped (``p_a`` of Gwet 2014, ch. 2). With
    ``weights`` a disagreement earns partial credit ``w_kl``.

    Parameters
    ----------
    df : pandas.DataFrame
        Long annotations, one row per judgement.
    item_col, annotator_col, label_col : str
        Column names.
    categories : sequence, optional
        The full, ordered category set (default: the sorted observed labels).
    weights : {None, 'unweighted', 'linear', 'quadratic'} or (q, q) array
        Agreement weights; None counts exact matches.
    weights_on : {'positions', 'values'}
        Build weights from category positions (default) or numeric label values.

    Returns
    -------
    float
        In [0, 1]; NaN with a WorkbenchWarning when no item has two ratings.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 1, 2, 2], "annotator": list("abcab"),
    ...                    "label": ["x", "x", "y", "y", "y"]})
    >>> round(percent_agreement_score(df), 4)  # item 1: 1 of 3 pairs agree; item 2: 1 of 1
    0.6667
    """
    return _score("percent_agreement", df, "percent_agreement_score", item_col=item_col,
                  annotator_col=annotator_col, label_col=label_col, categories=categories,
                  weights=weights, weights_on=weights_on)


def cohen_kappa_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                      label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                      weights_on: str = "positions", annotators: Optional[Sequence] = None) -> float:
    """Cohen's (1960) kappa for two annotators; weighted (Cohen 1968) with linear / quadratic weights.

    Uses the items both annotators rated. ``kappa = (p_o - p_e) / (1 - p_e)`` where
    ``p_e`` multiplies each annotator's own label distribution.

    Parameters
    ----------
    df : pandas.DataFrame
        Long annotations with exactly two annotators, or pass ``annotators=(a, b)``.
    item_col, annotator_col, label_col : str
        Column names.
    categories : sequence, optional
        The full, ordered category set; weights use its positions.
    weights : {None, 'unweighted', 'linear', 'quadratic'} or (q, q) array
    weights_on : {'positions', 'values'}
    annotators : pair, optional
        The two annotators to compare.

    Returns
    -------
    float

    Examples
    --------
    Artstein & Poesio (2008), Table 1 (contingency [[20, 20], [10, 50]]): kappa = .348.

    >>> import pandas as pd
    >>> a = ["yes"] * 40 + ["no"] * 60
    >>> b = ["yes"] * 20 + ["no"] * 20 + ["yes"] * 10 + ["no"] * 50
    >>> df = pd.DataFrame({"item_id": list(range(100)) * 2, "annotator": ["A"] * 100 + ["B"] * 100,
    ...                    "label": a + b})
    >>> round(cohen_kappa_score(df), 3)
    0.348
    """
    return _score("cohen_kappa", df, "cohen_kappa_score", item_col=item_col, annotator_col=annotator_col,
                  label_col=label_col, categories=categories, weights=weights, weights_on=weights_on,
                  annotators=annotators)


def scott_pi_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                   label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                   weights_on: str = "positions", annotators: Optional[Sequence] = None) -> float:
    """Scott's (1955) pi for two annotators: chance from the pooled label distribution.

    Parameters are those of :func:`cohen_kappa_score`.

    Returns
    -------
    float

    Examples
    --------
    Artstein & Poesio (2008), Table 1: pi = .341 (p_e = .545).

    >>> import pandas as pd
    >>> a = ["yes"] * 40 + ["no"] * 60
    >>> b = ["yes"] * 20 + ["no"] * 20 + ["yes"] * 10 + ["no"] * 50
    >>> df = pd.DataFrame({"item_id": list(range(100)) * 2, "annotator": ["A"] * 100 + ["B"] * 100,
    ...                    "label": a + b})
    >>> round(scott_pi_score(df), 3)
    0.341
    """
    return _score("scott_pi", df, "scott_pi_score", item_col=item_col, annotator_col=annotator_col,
                  label_col=label_col, categories=categories, weights=weights, weights_on=weights_on,
                  annotators=annotators)


def fleiss_kappa_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                       label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                       weights_on: str = "positions") -> float:
    """Fleiss' (1971) kappa for any number of annotators, with Gwet's missing-data generalisation.

    ``p_a`` averages the per-item pair agreement over items with two or more ratings;
    ``p_e = sum_kl w_kl pi_k pi_l`` with ``pi_k`` the mean over *all* rated items of
    ``n_ik / n_i`` (single-rating items included, as in Gwet 2014 and irrCAC).

    Parameters
    ----------
    df : pandas.DataFrame
    item_col, annotator_col, label_col : str
    categories : sequence, optional
    weights : {None, 'unweighted', 'linear', 'quadratic'} or (q, q) array
    weights_on : {'positions', 'values'}

    Returns
    -------
    float

    Examples
    --------
    Fleiss (1971) as printed on Wikipedia: 10 subjects, 14 raters, 5 categories, kappa = 0.210.

    >>> import pandas as pd
    >>> counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    ...           [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    >>> rows = [(i, f"r{j}", k + 1) for i, row in enumerate(counts)
    ...         for j, k in enumerate(k for k, c in enumerate(row) for _ in range(c))]
    >>> df = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    >>> round(fleiss_kappa_score(df), 3)
    0.21
    """
    return _score("fleiss_kappa", df, "fleiss_kappa_score", item_col=item_col, annotator_col=annotator_col,
                  label_col=label_col, categories=categories, weights=weights, weights_on=weights_on)


def conger_kappa_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                       label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                       weights_on: str = "positions") -> float:
    """Conger's (1980) generalised kappa: Cohen-type chance agreement averaged over annotator pairs.

    Missing ratings follow Gwet (2014) as in irrCAC: each annotator's label
    distribution is taken over the items that annotator rated.

    Parameters
    ----------
    df : pandas.DataFrame
    item_col, annotator_col, label_col : str
    categories : sequence, optional
    weights : {None, 'unweighted', 'linear', 'quadratic'} or (q, q) array
    weights_on : {'positions', 'values'}

    Returns
    -------
    float

    Examples
    --------
    With two annotators and no missing rating, Conger's kappa is Cohen's kappa.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3, 4, 4], "annotator": list("abababab"),
    ...                    "label": list("xxyyxyyy")})
    >>> round(conger_kappa_score(df), 6) == round(cohen_kappa_score(df), 6)
    True
    """
    return _score("conger_kappa", df, "conger_kappa_score", item_col=item_col, annotator_col=annotator_col,
                  label_col=label_col, categories=categories, weights=weights, weights_on=weights_on)


def brennan_prediger_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                           label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                           weights_on: str = "positions") -> float:
    """Brennan & Prediger's (1981) coefficient: chance agreement ``sum(w) / q^2`` (1/q unweighted).

    ``q`` counts every declared category, used or not: pass ``categories``.

    Parameters
    ----------
    df : pandas.DataFrame
    item_col, annotator_col, label_col : str
    categories : sequence, optional
    weights : {None, 'unweighted', 'linear', 'quadratic'} or (q, q) array
    weights_on : {'positions', 'values'}

    Returns
    -------
    float

    Examples
    --------
    Artstein & Poesio (2008), Table 1: S = (0.7 - 0.5) / (1 - 0.5) = 0.4.

    >>> import pandas as pd
    >>> a = ["yes"] * 40 + ["no"] * 60
    >>> b = ["yes"] * 20 + ["no"] * 20 + ["yes"] * 10 + ["no"] * 50
    >>> df = pd.DataFrame({"item_id": list(range(100)) * 2, "annotator": ["A"] * 100 + ["B"] * 100,
    ...                    "label": a + b})
    >>> round(brennan_prediger_score(df), 6)
    0.4
    """
    return _score("brennan_prediger", df, "brennan_prediger_score", item_col=item_col,
                  annotator_col=annotator_col, label_col=label_col, categories=categories,
                  weights=weights, weights_on=weights_on)


def gwet_ac1_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                   label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                   weights_on: str = "positions") -> float:
    """Gwet's (2008) AC1: chance agreement ``sum_k pi_k (1 - pi_k) / (q - 1)``.

    Single-rating items count in ``pi_k`` (Gwet 2014, as irrCAC). ``q`` counts every
    declared category. With ``weights`` this is AC2 (see :func:`gwet_ac2_score`).

    Parameters
    ----------
    df : pandas.DataFrame
    item_col, annotator_col, label_col : str
    categories : sequence, optional
    weights : {None, 'unweighted', 'linear', 'quadratic'} or (q, q) array
    weights_on : {'positions', 'values'}

    Returns
    -------
    float

    Examples
    --------
    Gwet's handbook example (4 raters, 12 units, missing ratings; irrCAC ``raw_4raters``): AC1 = 0.77544.

    >>> import pandas as pd
    >>> table = {"A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...          "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, None],
    ...          "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    ...          "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]}
    >>> df = pd.DataFrame(table).rename_axis("item_id").reset_index().melt(
    ...     id_vars="item_id", var_name="annotator", value_name="label")
    >>> round(gwet_ac1_score(df), 5)
    0.77544
    """
    return _score("gwet_ac1", df, "gwet_ac1_score", item_col=item_col, annotator_col=annotator_col,
                  label_col=label_col, categories=categories, weights=weights, weights_on=weights_on)


def gwet_ac2_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                   label_col: str = "label", categories: Optional[Sequence] = None, weights="quadratic",
                   weights_on: str = "positions") -> float:
    """Gwet's AC2: weighted AC1, chance agreement ``sum(w) / (q (q - 1)) * sum_k pi_k (1 - pi_k)``.

    Parameters
    ----------
    df : pandas.DataFrame
    item_col, annotator_col, label_col : str
    categories : sequence, optional
        The ordered category set (weights use its positions).
    weights : {'quadratic', 'linear', 'unweighted'} or (q, q) array, default 'quadratic'
    weights_on : {'positions', 'values'}

    Returns
    -------
    float

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
    ...                    "label": [1, 2, 3, 3, 1, 1]})
    >>> gwet_ac2_score(df, weights="quadratic") > gwet_ac1_score(df)
    True
    """
    return _score("gwet_ac2", df, "gwet_ac2_score", item_col=item_col, annotator_col=annotator_col,
                  label_col=label_col, categories=categories, weights=weights, weights_on=weights_on)


def krippendorff_alpha_score(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                             label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                             level: str = "nominal", distance=None) -> float:
    """Krippendorff's alpha ``1 - D_o / D_e`` from the coincidence matrix (Krippendorff 2011).

    Any number of annotators and missing values; items with fewer than two ratings
    are not pairable and are dropped.

    Parameters
    ----------
    df : pandas.DataFrame
    item_col, annotator_col, label_col : str
    categories : sequence, optional
        The ordered value set; for 'ordinal' it gives the order of string labels.
    weights : None
        Unused (alpha uses ``level`` distances); kept for a uniform signature.
    level : {'nominal', 'ordinal', 'interval', 'ratio'}
        Interval / ratio distances use the numeric label values (positions 1..q for
        non-numeric labels); ordinal uses ranks and the pairable-value marginals.
    distance : {None, 'jaccard', 'masi'} or callable
        Multi-label data: a distance between label sets (Jaccard, or MASI of Passonneau 2006).

    Returns
    -------
    float

    Examples
    --------
    Multi-label rows with the Jaccard distance:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
    ...                    "label": [["a"], ["a", "b"], ["b"], ["b"], ["c"], ["a"]]})
    >>> round(krippendorff_alpha_score(df, distance="jaccard"), 4)
    0.3182
    """
    if weights is not None:
        from ..exceptions import ValidationError
        raise ValidationError("The 'weights' parameter of krippendorff_alpha_score must be None: alpha uses "
                              f"level={{'nominal', 'ordinal', 'interval', 'ratio'}} distances. Got {weights!r}.")
    return _score("krippendorff_alpha", df, "krippendorff_alpha_score", item_col=item_col,
                  annotator_col=annotator_col, label_col=label_col, categories=categories,
                  multilabel=True if distance is not None else None, level=level, distance=distance)
