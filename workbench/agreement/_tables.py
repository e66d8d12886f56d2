"""Agreement tables: all metrics with intervals, per category, per annotator pair, per hierarchy level.

Private helper of :mod:`workbench.agreement` (re-exported there).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
...                    "label": list("xxyyxy")})
>>> pairwise_table(df)[["annotator_a", "annotator_b", "n_items", "percent_agreement"]]
  annotator_a annotator_b  n_items  percent_agreement
0           a           b        3           0.666667
"""

from __future__ import annotations

import warnings
from typing import Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from . import _chance as ch
from . import _engine as eng
from ._bootstrap import bootstrap_many, bootstrap_values, percentile_interval, unique_rows
from ._core import count_matrix, is_multilabel, to_label_set
from .._internal.validation import check_fraction, check_option, check_positive_int, check_random_state
from ..exceptions import DataError, WorkbenchWarning

AGREEMENT_COLUMNS = ["metric", "value", "ci_low", "ci_high", "n_items", "n_annotators", "n_pairable"]
CATEGORY_COLUMNS = ["category", "support", "specific_agreement", "specific_agreement_low",
                    "specific_agreement_high", "kappa", "kappa_low", "kappa_high", "n_disagreements",
                    "disagreement_share"]
PAIRWISE_COLUMNS = ["annotator_a", "annotator_b", "n_items", "percent_agreement", "cohen_kappa"]
HIERARCHY_COLUMNS = ["level", "n_categories", "n_items", "n_pairable", "percent_agreement", "fleiss_kappa",
                     "gwet_ac1", "krippendorff_alpha"]


def _interval(stat, n_boot, rng, confidence, progress):
    if n_boot == 0:
        return float("nan"), float("nan")
    values = bootstrap_values(stat, n_boot=n_boot, random_state=rng, progress=progress)
    return percentile_interval(values, confidence=confidence)


def agreement_table(df: pd.DataFrame, *, metrics: Optional[Sequence[str]] = None, level: str = "nominal",
                    weights=None, categories: Optional[Sequence] = None, n_boot: int = 1000, random_state=None,
                    item_col: str = "item_id", annotator_col: str = "annotator", label_col: str = "label",
                    weights_on: str = "positions", distance=None, annotators: Optional[Sequence] = None,
                    confidence: float = 0.95, progress: bool = False) -> pd.DataFrame:
    """Every agreement metric in one table, with percentile bootstrap intervals (items resampled).

    Parameters
    ----------
    df : pandas.DataFrame
        Long annotations.
    metrics : sequence of str, optional
        Names from ``workbench.agreement.METRICS``. Default: percent agreement, Cohen's
        kappa and Scott's pi (only with exactly two annotators), Fleiss, Conger,
        Brennan-Prediger, Gwet's AC1 (AC2 when ``weights`` is given), Krippendorff's alpha.
    level : {'nominal', 'ordinal', 'interval', 'ratio'}
        Level of measurement of Krippendorff's alpha.
    weights : {None, 'linear', 'quadratic'} or (q, q) array
        Agreement weights of the kappa-type metrics.
    categories : sequence, optional
        The full, ordered category set.
    n_boot : int, default 1000
        Bootstrap resamples; 0 skips the intervals (NaN).
    random_state : None, int or numpy Generator
    item_col, annotator_col, label_col : str
    weights_on : {'positions', 'values'}
    distance : {None, 'jaccard', 'masi'}
        Set distance of alpha for multi-label data.
    annotators : pair, optional
        The pair for Cohen's kappa and Scott's pi.
    confidence : float, default 0.95
    progress : bool
        Show a progress bar over the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, value, ci_low, ci_high, n_items, n_annotators, n_pairable``
        (``n_pairable``: ratings in items with at least two ratings).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3, 4, 4], "annotator": list("abababab"),
    ...                    "label": list("xxyyxyyy")})
    >>> t = agreement_table(df, metrics=["percent_agreement", "krippendorff_alpha"], n_boot=200,
    ...                     random_state=0)
    >>> t[["metric", "value", "n_items", "n_pairable"]]
                   metric     value  n_items  n_pairable
    0   percent_agreement  0.750000        4           8
    1  krippendorff_alpha  0.533333        4           8
    >>> bool((t.ci_low <= t.value).all() and (t.value <= t.ci_high).all())
    True
    """
    caller = "agreement_table"
    n_boot = check_positive_int(n_boot, param="n_boot", caller=caller, minimum=0)
    check_fraction(confidence, param="confidence", caller=caller, inclusive_zero=False)
    rng = check_random_state(random_state)
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=categories, caller=caller,
                          multilabel=True if distance is not None else None)
    if metrics is None:
        metrics = ["percent_agreement"]
        if r.n_annotators == 2 or annotators is not None:
            metrics += ["cohen_kappa", "scott_pi"]
        metrics += ["fleiss_kappa", "conger_kappa", "brennan_prediger",
                    "gwet_ac1" if weights is None else "gwet_ac2", "krippendorff_alpha"]
    elif isinstance(metrics, str):
        metrics = [metrics]
    for name in metrics:
        check_option(name, eng.METRICS, param="metrics", caller=caller)
    counts = count_matrix(r)
    m = counts.sum(axis=1)
    pairable = int(m[m >= 2].sum())
    cache = {}
    stats = [eng.build_statistic(name, r, counts=counts, level=level, weights=weights, weights_on=weights_on,
                                 annotators=annotators, distance=distance, caller=caller, cache=cache)
             for name in metrics]
    boots = (bootstrap_many(stats, n_boot=n_boot, random_state=rng, progress=progress) if n_boot
             else [np.zeros(0)] * len(stats))
    rows = []
    for name, stat, boot in zip(metrics, stats, boots):
        value = eng.evaluate(name, r, caller=f"{caller} ({name})", stat=stat)
        low, high = percentile_interval(boot, confidence=confidence)
        if isinstance(stat, ch.TwoRater):
            sizes = (len(stat.a), 2, 2 * len(stat.a))
        else:
            sizes = (r.n_items, r.n_annotators, pairable)
        rows.append((name, value, low, high) + sizes)
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


class _Specific(ch.Statistic):
    """Specific (positive) agreement of one category: ``sum n_ic (n_ic - 1) / sum n_ic (m_i - 1)``."""

    def __init__(self, n_c, m):
        self.n_c, self.m = n_c, m

    def features(self):
        pair = self.m >= 2
        return np.column_stack([np.where(pair, self.n_c * (self.n_c - 1), 0.0),
                                np.where(pair, self.n_c * (self.m - 1), 0.0)]).astype(float)

    def patterns(self):
        idx, inv, cnt = unique_rows(np.column_stack([self.n_c, self.m]))
        return _Specific(self.n_c[idx], self.m[idx]).features(), cnt, inv

    def finish(self, S):
        S = np.asarray(S, dtype=float)
        return ch._ratio(S[..., 0], S[..., 1])


def _label_indicator(r):
    """(q x L) matrix: which single labels each category (label set) contains, and the labels."""
    if not r.multilabel:
        return np.eye(r.q), list(r.categories)
    labels = list(r.label_universe)
    pos = {x: j for j, x in enumerate(labels)}
    E = np.zeros((r.q, len(labels)))
    for i, c in enumerate(r.categories):
        for x in c:
            E[i, pos[x]] = 1.0
    return E, labels


def per_category_table(df: pd.DataFrame, *, categories: Optional[Sequence] = None, n_boot: int = 1000,
                       random_state=None, item_col: str = "item_id", annotator_col: str = "annotator",
                       label_col: str = "label", confidence: float = 0.95) -> pd.DataFrame:
    """Per category: specific agreement and one-vs-rest kappa with intervals, support, disagreements.

    Each category is scored as a binary "this category or not" judgement (for
    multi-label data: "this label in the set or not", i.e. per-label binary agreement).
    Specific agreement is ``sum_i n_ic (n_ic - 1) / sum_i n_ic (m_i - 1)`` over items
    with two or more ratings (positive agreement; Uebersax 1982); kappa is Fleiss' binary
    kappa with Gwet's missing-data rule.

    Parameters
    ----------
    df : pandas.DataFrame
    categories : sequence, optional
        The full category set; unused categories get support 0 and NaN agreement.
    n_boot : int, default 1000
    random_state : None, int or numpy Generator
    item_col, annotator_col, label_col : str
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns ``category, support, specific_agreement, specific_agreement_low,
        specific_agreement_high, kappa, kappa_low, kappa_high, n_disagreements,
        disagreement_share``. ``support``: ratings using the category;
        ``n_disagreements``: items with two or more ratings where some but not all
        ratings use it; ``disagreement_share``: that over the items with any disagreement.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
    ...                    "label": list("xxyyxy")})
    >>> per_category_table(df, n_boot=0)[["category", "support", "specific_agreement", "n_disagreements"]]
      category  support  specific_agreement  n_disagreements
    0        x        3            0.666667                1
    1        y        3            0.666667                1
    """
    caller = "per_category_table"
    n_boot = check_positive_int(n_boot, param="n_boot", caller=caller, minimum=0)
    check_fraction(confidence, param="confidence", caller=caller, inclusive_zero=False)
    rng = check_random_state(random_state)
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=categories, caller=caller)
    counts = count_matrix(r).astype(float)
    E, labels = _label_indicator(r)
    NL = counts @ E  # ratings of each item that contain each label
    m = counts.sum(axis=1)
    pair = m >= 2
    n_distinct = (counts > 0).sum(axis=1)
    any_dis = int((pair & (n_distinct > 1)).sum())
    rows, undefined = [], []
    for j, label in enumerate(labels):
        n_c = NL[:, j]
        spec = _Specific(n_c, m)
        kap = ch.FleissFamily(np.column_stack([m - n_c, n_c]), np.eye(2), kind="fleiss")
        values = []
        for stat in (spec, kap):
            with np.errstate(all="ignore"):
                v = float(stat.finish(stat.sums()))
            values += [v, *_interval(stat, n_boot, rng, confidence, False)]
        if not np.isfinite(values[3]):
            undefined.append(label)
        n_dis = int((pair & (n_c > 0) & (n_c < m)).sum())
        rows.append([label, int(n_c.sum()), *values, n_dis, n_dis / any_dis if any_dis else 0.0])
    if undefined:
        warnings.warn(f"{caller}: kappa is undefined (NaN) for {undefined[:10]}: a category that nobody or "
                      "everybody used has no variation to agree on.", WorkbenchWarning, stacklevel=2)
    return pd.DataFrame(rows, columns=CATEGORY_COLUMNS)


def pairwise_table(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                   label_col: str = "label", categories: Optional[Sequence] = None, weights=None,
                   weights_on: str = "positions") -> pd.DataFrame:
    """Cohen's kappa and percent agreement for every pair of annotators who share an item.

    Parameters
    ----------
    df : pandas.DataFrame
    item_col, annotator_col, label_col : str
    categories : sequence, optional
    weights : {None, 'linear', 'quadratic'} or (q, q) array
    weights_on : {'positions', 'values'}

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator_a, annotator_b, n_items, percent_agreement, cohen_kappa``,
        one row per pair with at least one common item (``a`` before ``b`` in sorted order).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 1, 2, 2], "annotator": list("abcab"), "label": list("xxyyy")})
    >>> pairwise_table(df)[["annotator_a", "annotator_b", "n_items"]]
      annotator_a annotator_b  n_items
    0           a           b        2
    1           a           c        1
    2           b           c        1
    """
    caller = "pairwise_table"
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=categories, caller=caller)
    W = ch.agreement_weights(r.q, weights, values=eng._positions_or_values(r, weights_on, caller), caller=caller)
    a, b, la, lb = rating_pairs(r)
    names = np.asarray(r.annotator_ids, dtype=object)
    order = np.argsort(np.array([str(x) for x in names]), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    swap = rank[a] > rank[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    la, lb = np.where(swap, lb, la), np.where(swap, la, lb)
    key = rank[a] * max(r.n_annotators, 1) + rank[b]
    pair_ids, pairs = pd.factorize(key, sort=True)
    P, q = len(pairs), max(r.q, 1)
    n = np.bincount(pair_ids, minlength=P).astype(float)
    po = np.bincount(pair_ids, weights=W[la, lb] if len(la) else None, minlength=P) / np.where(n > 0, n, 1)
    ma = np.bincount(pair_ids * q + la, minlength=P * q).reshape(P, q) / n[:, None]
    mb = np.bincount(pair_ids * q + lb, minlength=P * q).reshape(P, q) / n[:, None]
    pe = np.einsum("pk,kl,pl->p", ma, W, mb) if P else np.zeros(0)
    kappa = ch._ratio(po - pe, 1.0 - pe)
    if np.isnan(kappa).any():
        warnings.warn(f"{caller}: Cohen's kappa is undefined (NaN) for {int(np.isnan(kappa).sum())} pair(s) "
                      "whose labels have no variation (chance agreement 1).", WorkbenchWarning, stacklevel=2)
    ranks = np.asarray(pairs)
    R = max(r.n_annotators, 1)
    return pd.DataFrame({"annotator_a": names[order[ranks // R]], "annotator_b": names[order[ranks % R]],
                         "n_items": n.astype(int), "percent_agreement": po, "cohen_kappa": kappa},
                        columns=PAIRWISE_COLUMNS)


def rating_pairs(r):
    """All unordered pairs of ratings on the same item: (annotator_a, annotator_b, label_a, label_b).

    ``annotator_a < annotator_b`` (codes). Vectorised: ratings sorted by item, then for each
    offset d the ratings d places apart that share an item (max ratings per item - 1 passes).
    """
    order = np.argsort(r.item, kind="stable")
    item, ann, lab = r.item[order], r.annotator[order], r.label[order]
    widest = int(np.bincount(item).max()) if len(item) else 0
    first, second = [], []
    for d in range(1, widest):
        same = np.flatnonzero(item[:-d] == item[d:])
        first.append(same)
        second.append(same + d)
    i = np.concatenate(first) if first else np.zeros(0, dtype=np.int64)
    j = np.concatenate(second) if second else np.zeros(0, dtype=np.int64)
    a, b, la, lb = ann[i], ann[j], lab[i], lab[j]
    swap = a > b
    return (np.where(swap, b, a), np.where(swap, a, b), np.where(swap, lb, la), np.where(swap, la, lb))


def _roll_up(label, parent_of: Mapping, level: int):
    chain = [label]
    seen = {label}
    while parent_of.get(chain[-1]) is not None:
        parent = parent_of[chain[-1]]
        if parent in seen:
            raise DataError(f"parent_of has a cycle through {parent!r}; fix the hierarchy.", reason="cycle")
        seen.add(parent)
        chain.append(parent)
    chain.reverse()  # root first: chain[d] is the ancestor at depth d
    return chain[min(level, len(chain) - 1)], len(chain) - 1


def hierarchy_table(df: pd.DataFrame, *, parent_of, item_col: str = "item_id", annotator_col: str = "annotator",
                    label_col: str = "label") -> pd.DataFrame:
    """Agreement at each level of a hierarchical taxonomy, labels rolled up to their ancestors.

    Level 0 replaces every label by its top-level group; the deepest level is the
    labels as given. A label shallower than a level stays itself.

    Parameters
    ----------
    df : pandas.DataFrame
    parent_of : mapping or Taxonomy
        Category id -> parent id (None for a top-level category), e.g. ``Taxonomy.parent_of``.
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``level, n_categories, n_items, n_pairable, percent_agreement,
        fleiss_kappa, gwet_ac1, krippendorff_alpha`` (nominal), one row per level.

    Examples
    --------
    >>> import pandas as pd
    >>> parent_of = {"billing": None, "refund": "billing", "invoice": "billing", "bug": None}
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
    ...                    "label": ["refund", "invoice", "bug", "bug", "refund", "refund"]})
    >>> hierarchy_table(df, parent_of=parent_of)[["level", "n_categories", "percent_agreement"]]
       level  n_categories  percent_agreement
    0      0             2           1.000000
    1      1             3           0.666667
    """
    caller = "hierarchy_table"
    parent_of = dict(getattr(parent_of, "parent_of", parent_of))
    eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col, caller=caller)
    labels = df[label_col]
    multilabel = is_multilabel(labels)
    values = labels.map(to_label_set) if multilabel else labels
    flat = {x for v in values.dropna() for x in (v if multilabel else [v])}
    unknown = sorted((x for x in flat if x not in parent_of), key=str)
    if unknown:
        raise DataError(f"{caller}: labels {unknown[:20]} are not in parent_of (known: {sorted(parent_of, key=str)[:20]}). "
                        "Pass the taxonomy's parent_of mapping, or migrate the labels first.", reason="unknown_label")
    depth = max((_roll_up(x, parent_of, 0)[1] for x in flat), default=0)
    rows = []
    for level in range(depth + 1):
        mapping = {x: _roll_up(x, parent_of, level)[0] for x in flat}
        rolled = values.map(lambda v: (None if v is None or v != v else
                                       (tuple(sorted({mapping[x] for x in v}, key=str)) if multilabel else mapping[v])))
        frame = df.assign(**{label_col: rolled})
        r = eng.parse_ratings(frame, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                              caller=caller, multilabel=multilabel)
        counts = count_matrix(r)
        m = counts.sum(axis=1)
        scores = []
        for name in ("percent_agreement", "fleiss_kappa", "gwet_ac1", "krippendorff_alpha"):
            scores.append(eng.evaluate(name, r, caller=f"{caller} (level {level}, {name})", counts=counts))
        rows.append([level, r.q, r.n_items, int(m[m >= 2].sum()), *scores])
    return pd.DataFrame(rows, columns=HIERARCHY_COLUMNS)
