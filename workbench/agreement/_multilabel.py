"""Multi-label agreement: per-label binary agreement, exact sets, set-distance alpha, co-occurrence.

Private helper of :mod:`workbench.agreement` (re-exported there). A multi-label rating
is a *set* of labels: a JSON list string such as ``'["bug", "refund"]'`` (what the store
writes), or a Python list / tuple / set. An empty set is a valid answer ("none of
them"); a missing value (NaN / None) or an absent row is no rating.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
...                    "label": ['["bug"]', '["bug", "refund"]', '["refund"]', '["refund"]',
...                              '[]', '["bug"]']})
>>> t = multilabel_agreement(df, n_boot=0)
>>> t[t.level == "set"][["metric", "value"]]
                      metric     value
0         exact_set_agreement  0.333333
1     krippendorff_alpha_masi  0.285714
2  krippendorff_alpha_jaccard  0.318182
"""

from __future__ import annotations

import warnings
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from . import _chance as ch
from . import _engine as eng
from ._bootstrap import bootstrap_sums, percentile_interval, unique_rows
from ._core import count_matrix
from ._tables import rating_pairs
from .._internal.labelsets import label_set
from .._internal.validation import check_fraction, check_positive_int, check_random_state, shown
from ..exceptions import WorkbenchWarning

__all__ = ["multilabel_agreement", "label_cooccurrence", "per_label_table", "label_split_table"]

MULTILABEL_COLUMNS = ["level", "label", "metric", "value", "ci_low", "ci_high", "n_items", "n_pairable",
                      "support"]
COOCCURRENCE_COLUMNS = ["label_a", "label_b", "n_a", "n_b", "n_both", "n_a_only", "n_b_only", "n_swapped",
                        "p_b_given_a", "p_a_given_b", "jaccard", "lift"]


class _ExactSet(ch.Statistic):
    """Pooled exact-set agreement: agreeing (item, annotator pair)s over all of them.

    Features per item: ``[sum_c n_ic (n_ic - 1) / 2, m_i (m_i - 1) / 2]``.
    """

    def __init__(self, counts):
        self.N = np.asarray(counts, dtype=float)

    def features(self):
        m = self.N.sum(axis=1)
        return np.column_stack([(self.N * (self.N - 1)).sum(axis=1) / 2.0, m * (m - 1) / 2.0])

    def finish(self, S):
        S = np.asarray(S, dtype=float)
        return ch._ratio(S[..., 0], S[..., 1])

    def explain(self, S):
        return ch.NO_PAIRS


def _indicator(r):
    """(q x L) 0/1 matrix: which single labels each observed label set contains."""
    pos = {x: j for j, x in enumerate(r.label_universe)}
    E = np.zeros((r.q, len(pos)))
    for i, labels in enumerate(r.categories):
        E[i, [pos[x] for x in labels]] = 1.0
    return E


def _statistics(counts, E, pair, D_masi, D_jaccard):
    """The (level, label index, metric, statistic) list on item rows ``counts`` (all items or patterns).

    ``pair`` is ``(codes_a, codes_b)`` of the two annotators' label sets per row (-1: not rated),
    or None when there are not exactly two annotators.
    """
    m = counts.sum(axis=1)
    NL = counts @ E
    stats = [("set", None, "exact_set_agreement", _ExactSet(counts)),
             ("set", None, "krippendorff_alpha_masi", ch.Alpha(counts, D_masi)),
             ("set", None, "krippendorff_alpha_jaccard", ch.Alpha(counts, D_jaccard))]
    for j in range(E.shape[1]):
        binary = np.column_stack([m - NL[:, j], NL[:, j]])
        stats.append(("label", j, "fleiss_kappa", ch.FleissFamily(binary, np.eye(2), kind="fleiss")))
        stats.append(("label", j, "krippendorff_alpha", ch.Alpha(binary, 1.0 - np.eye(2))))
        if pair is not None:
            la, lb = pair
            both = (la >= 0) & (lb >= 0)
            codes = (E[la[both], j].astype(np.int64), E[lb[both], j].astype(np.int64))
            stats.append(("label", j, "cohen_kappa", (both, ch.TwoRater(*codes, 2, np.eye(2), kind="cohen"))))
    return stats


def _rows_of(stat, n_rows):
    """Features of a statistic on every row (TwoRater stats cover only the rows both annotators rated)."""
    if not isinstance(stat, tuple):
        return stat.features()
    both, two = stat
    F = np.zeros((n_rows, 4))
    F[both] = two.features()
    return F


def multilabel_agreement(df: pd.DataFrame, *, labels: Optional[Sequence] = None, n_boot: int = 1000,
                         random_state=None, confidence: float = 0.95, item_col: str = "item_id",
                         annotator_col: str = "annotator", label_col: str = "label",
                         progress: bool = False) -> pd.DataFrame:
    """Agreement on label sets: whole sets, set distances, and each label as a yes/no decision.

    Set level (``level == 'set'``):

    - ``exact_set_agreement``: the share of (item, annotator pair)s whose two sets are
      identical, pooled over all such pairs (the same as percent agreement on sets when
      every item has the same number of ratings);
    - ``krippendorff_alpha_masi`` / ``krippendorff_alpha_jaccard``: Krippendorff's alpha
      with the MASI distance (Passonneau 2006; as ``nltk.metrics.masi_distance``) or the
      Jaccard distance between sets; two empty sets are at distance 0.

    Label level (``level == 'label'``), each label scored as "in the set or not" on every
    rating: ``fleiss_kappa`` (Gwet's missing-data rule, as :func:`fleiss_kappa_score`),
    ``krippendorff_alpha`` (nominal, binary) and, with exactly two annotators,
    ``cohen_kappa`` on the items both rated.

    Intervals are percentile bootstraps over items; all metrics see the same resampled
    item sets.

    Parameters
    ----------
    df : pandas.DataFrame
        Long annotations, one label set per row.
    labels : sequence, optional
        Every label a set may contain (e.g. the taxonomy's); unused ones get rows with
        support 0 and NaN kappa. Default: the labels observed.
    n_boot : int, default 1000
        Bootstrap resamples; 0 skips the intervals (NaN).
    random_state : None, int or numpy Generator
    confidence : float, default 0.95
    item_col, annotator_col, label_col : str
    progress : bool
        Show a progress bar over the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Columns ``level, label, metric, value, ci_low, ci_high, n_items, n_pairable,
        support``: the three set rows first (``label`` missing), then each label's metrics
        (labels in declared order, or sorted). ``n_items``: items rated (Cohen: items both
        rated); ``n_pairable``: ratings on items with two or more; ``support``: ratings (set
        rows) or ratings containing the label. Undefined values are NaN with a WorkbenchWarning.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3, 4, 4], "annotator": list("abababab"),
    ...                    "label": [["bug"], ["bug"], ["refund"], ["bug", "refund"], [], [],
    ...                              ["bug"], ["refund"]]})
    >>> t = multilabel_agreement(df, n_boot=200, random_state=0)
    >>> wide = t[t.level == "label"].pivot(index="label", columns="metric", values="value")
    >>> wide.round(3)
    metric  cohen_kappa  fleiss_kappa  krippendorff_alpha
    label
    bug             0.0         0.000               0.125
    refund          0.5         0.467               0.533
    >>> round(float(t.value[t.metric == "exact_set_agreement"].iloc[0]), 2)
    0.5
    """
    caller = "multilabel_agreement"
    n_boot = check_positive_int(n_boot, param="n_boot", caller=caller, minimum=0)
    check_fraction(confidence, param="confidence", caller=caller, inclusive_zero=False)
    rng = check_random_state(random_state)
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=labels, caller=caller, multilabel=True)
    counts = count_matrix(r)
    E = _indicator(r)
    D_masi, D_jaccard = (ch.level_distance(r.q, "nominal", set_distance=eng.set_distance(name, caller=caller),
                                           categories=r.categories) for name in ("masi", "jaccard"))
    pair = None
    if r.n_annotators == 2:
        pair = tuple(np.full(r.n_items, -1, dtype=np.int64) for _ in range(2))
        for k in range(2):
            mine = r.annotator == k
            pair[k][r.item[mine]] = r.label[mine]
    stats = _statistics(counts, E, pair, D_masi, D_jaccard)

    boots = [np.zeros(0)] * len(stats)
    if n_boot and r.n_items:
        signature = counts if pair is None else np.column_stack([counts, *pair])
        idx, inv, cnt = unique_rows(signature)  # identical items share a pattern: exact and cheaper
        sub_pair = None if pair is None else (pair[0][idx], pair[1][idx])
        sub = _statistics(counts[idx], E, sub_pair, D_masi, D_jaccard)
        blocks = [_rows_of(s[3], len(idx)) for s in sub]
        sums = bootstrap_sums(np.hstack(blocks), n_boot=n_boot, counts=cnt, inverse=inv,
                              random_state=rng, progress=progress)
        start = 0
        for k, block in enumerate(blocks):
            stat = stats[k][3]
            stat = stat[1] if isinstance(stat, tuple) else stat
            with np.errstate(all="ignore"):
                boots[k] = stat.finish(sums[:, start:start + block.shape[1]])
            start += block.shape[1]

    m = counts.sum(axis=1)
    pairable = int(m[m >= 2].sum())
    support = (counts @ E).sum(axis=0).astype(int)
    rows, undefined = [], []
    for (level, j, metric, stat), boot in zip(stats, boots):
        if isinstance(stat, tuple):
            both, stat = stat
            sizes = (int(both.sum()), 2 * int(both.sum()))
        else:
            sizes = (r.n_items, pairable)
        with np.errstate(all="ignore"):
            value = float(stat.finish(stat.sums()))
        label = None if j is None else r.label_universe[j]
        if not np.isfinite(value):
            value = float("nan")
            undefined.append(metric if label is None else f"{metric} of {label!r}")
        low, high = percentile_interval(boot, confidence=confidence)
        rows.append((level, label, metric, value, low, high, *sizes,
                     len(r.item) if j is None else int(support[j])))
    if undefined:
        warnings.warn(f"{caller}: {len(undefined)} value(s) are undefined (NaN): {shown(undefined, limit=6)}. "
                      "A label nobody or everybody used has no "
                      "variation to agree on; set metrics need an item with two or more ratings.",
                      WorkbenchWarning, stacklevel=2)
    return pd.DataFrame(rows, columns=MULTILABEL_COLUMNS)


def label_cooccurrence(df: pd.DataFrame, *, labels: Optional[Sequence] = None, item_col: str = "item_id",
                       annotator_col: str = "annotator", label_col: str = "label") -> pd.DataFrame:
    """For each pair of labels: applied together (one annotator, one item) or apart; evidence for merges.

    Counts are over ratings (one annotator's set on one item). ``n_swapped`` counts pairs of
    ratings of the *same item* by two annotators where one used ``label_a`` without
    ``label_b`` and the other ``label_b`` without ``label_a``: annotators substituting one
    label for the other, the usual sign of two categories that people cannot tell apart.
    A high ``n_both`` / ``lift`` instead says the labels travel together.

    Parameters
    ----------
    df : pandas.DataFrame
        Long multi-label annotations.
    labels : sequence, optional
        Every label (unused ones get zero counts and NaN ratios). Default: those observed.
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        Columns ``label_a, label_b, n_a, n_b, n_both, n_a_only, n_b_only, n_swapped,
        p_b_given_a, p_a_given_b, jaccard, lift``, one row per unordered label pair
        (``label_a`` sorts first), by ``n_both`` then ``n_swapped`` descending.
        ``p_b_given_a = n_both / n_a``; ``jaccard = n_both / (n_a + n_b - n_both)``;
        ``lift = n_both * n_ratings / (n_a * n_b)`` (1 = independent). A ratio with a zero
        denominator is NaN (with a WorkbenchWarning).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": list("abab"),
    ...                    "label": [["bug", "crash"], ["bug", "crash"], ["refund"], ["bug"]]})
    >>> label_cooccurrence(df)[["label_a", "label_b", "n_both", "n_swapped", "lift"]]
      label_a label_b  n_both  n_swapped      lift
    0     bug   crash       2          0  1.333333
    1     bug  refund       0          1  0.000000
    2   crash  refund       0          0  0.000000
    """
    caller = "label_cooccurrence"
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=labels, caller=caller, multilabel=True)
    E = _indicator(r)
    names = list(r.label_universe)
    L = len(names)
    X = E[r.label] if len(r.label) else np.zeros((0, L))
    together = X.T @ X
    n_label = np.diag(together).copy()
    _, _, la, lb = rating_pairs(r)
    A, B = (E[la], E[lb]) if len(la) else (np.zeros((0, L)), np.zeros((0, L)))
    swap = (A * (1 - B)).T @ ((1 - A) * B)  # a used j not k, the other k not j
    swap = swap + swap.T
    j, k = np.triu_indices(L, 1)
    n_a, n_b, both = n_label[j], n_label[k], together[j, k]
    with np.errstate(divide="ignore", invalid="ignore"):
        table = pd.DataFrame({
            "label_a": pd.Series([names[i] for i in j], dtype=object),
            "label_b": pd.Series([names[i] for i in k], dtype=object),
            "n_a": n_a.astype(int), "n_b": n_b.astype(int), "n_both": both.astype(int),
            "n_a_only": (n_a - both).astype(int), "n_b_only": (n_b - both).astype(int),
            "n_swapped": swap[j, k].astype(int),
            "p_b_given_a": ch._ratio(both, n_a), "p_a_given_b": ch._ratio(both, n_b),
            "jaccard": ch._ratio(both, n_a + n_b - both),
            "lift": ch._ratio(both * len(r.label), n_a * n_b)}, columns=COOCCURRENCE_COLUMNS)
    if table[["p_b_given_a", "p_a_given_b", "jaccard", "lift"]].isna().to_numpy().any():
        unused = [names[i] for i in range(L) if n_label[i] == 0]
        warnings.warn(f"{caller}: ratios are undefined (NaN) for labels nobody used: {unused[:10]}.",
                      WorkbenchWarning, stacklevel=2)
    order = np.lexsort((np.arange(len(table)), -table["n_swapped"].to_numpy(), -table["n_both"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)


# ----------------------------------------------------------------------------- report-shaped tables


def _label_sets(df: pd.DataFrame, label_col: str) -> pd.Series:
    return df[label_col].map(label_set)


def per_label_table(df: pd.DataFrame, *, labels: Sequence, n_boot: int = 1000, random_state=None,
                    item_col: str = "item_id", annotator_col: str = "annotator",
                    label_col: str = "label") -> pd.DataFrame:
    """:func:`~workbench.agreement.per_category_table` for a multi-label round: each label as a yes/no decision.

    One row per label, with the columns of ``per_category_table`` (``category, support,
    specific_agreement (+ interval), kappa (+ interval), n_disagreements, disagreement_share``):
    ``support`` counts the labels that include it, ``kappa`` is the chance-corrected agreement on
    "has this label or not", ``n_disagreements`` the items where annotators differ on it.

    Examples
    --------
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": ["a", "b"] * 2,
    ...                    "label": ['["x", "y"]', '["x"]', '["y"]', '["y"]']})
    >>> per_label_table(df, labels=["x", "y"], n_boot=0)[["category", "support", "n_disagreements"]]
      category  support  n_disagreements
    0        x        2                0
    1        y        3                1
    """
    from ._tables import per_category_table

    sets = _label_sets(df, label_col)
    rows = []
    for label in labels:
        binary = pd.DataFrame({item_col: df[item_col].to_numpy(), annotator_col: df[annotator_col].to_numpy(),
                               label_col: np.where(sets.map(lambda s: label in s), "yes", "no")})
        table = per_category_table(binary, categories=["yes", "no"], n_boot=n_boot, random_state=random_state,
                                   item_col=item_col, annotator_col=annotator_col, label_col=label_col)
        rows.append(table[table["category"] == "yes"].assign(category=label))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["category", "support"])


def label_split_table(df: pd.DataFrame, *, n_examples: int = 5, item_col: str = "item_id",
                      annotator_col: str = "annotator", label_col: str = "label") -> pd.DataFrame:
    """Pairs of labels people split between on the same item: one gave a but not b, another b but not a.

    The multi-label counterpart of :func:`~workbench.agreement.confusion_table` (same columns:
    ``category_a, category_b, n_disagreements, share, example_item_ids``), most frequent first.

    Examples
    --------
    >>> df = pd.DataFrame({"item_id": [1, 1], "annotator": ["a", "b"], "label": ['["x"]', '["y"]']})
    >>> label_split_table(df)[["category_a", "category_b", "n_disagreements"]].values.tolist()
    [['x', 'y', 1]]
    """
    frame = pd.DataFrame({"item": df[item_col].to_numpy(), "sets": _label_sets(df, label_col).to_numpy()})
    found: dict = {}
    for item, group in frame.groupby("item", sort=False):
        pairs = set()
        sets = list(group["sets"])
        for i, first in enumerate(sets):
            for second in sets[i + 1:]:
                for a in first - second:
                    for b in second - first:
                        pairs.add(tuple(sorted((a, b))))
        for pair in pairs:
            found.setdefault(pair, []).append(item)
    rows = [(a, b, len(ids), ids[:n_examples]) for (a, b), ids in found.items()]
    out = pd.DataFrame(rows, columns=["category_a", "category_b", "n_disagreements", "example_item_ids"])
    out["share"] = out["n_disagreements"] / max(1, int(out["n_disagreements"].sum()))
    out = out.sort_values(["n_disagreements", "category_a", "category_b"], ascending=[False, True, True])
    return out[["category_a", "category_b", "n_disagreements", "share", "example_item_ids"]].reset_index(drop=True)
