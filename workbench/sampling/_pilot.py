"""Pilot-round design: the sample, who labels what, and the calibration quiz.

Private module behind :mod:`workbench.sampling` (``pilot_sample``,
``allocation_table``, ``assign``, ``calibration_set``).

Examples
--------
>>> import pandas as pd
>>> from workbench.sampling import assign
>>> a = assign(["i1", "i2", "i3", "i4"], ["ann", "bob"], overlap=2, random_state=0)
>>> a.groupby("annotator").size().tolist()
[4, 4]
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from .._internal.validation import ITEM_COL, LABEL_COL, check_columns, check_option, check_positive_int
from .._internal.validation import check_random_state
from ..exceptions import DataError, ValidationError

__all__ = ["allocate", "allocation_table", "pilot_sample", "assign", "calibration_set"]

_MISSING = "<missing>"


def allocate(sizes, n: int, *, equal: bool = False) -> np.ndarray:
    """Split ``n`` draws over strata of the given ``sizes``, never more than a stratum holds.

    Proportional allocation uses the largest-remainder method; ``equal=True`` gives every
    stratum the same share (rare strata keep their size, the rest is spread). When
    ``n`` is at least the number of non-empty strata, each gets at least one. Ties go to
    the larger stratum, then the earlier one, so the result is deterministic.

    Examples
    --------
    >>> allocate([70, 20, 10], 10).tolist()
    [7, 2, 1]
    >>> allocate([70, 20, 1], 9, equal=True).tolist()
    [4, 4, 1]
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    alloc = np.zeros(sizes.size, dtype=np.int64)
    n = int(min(n, sizes.sum()))
    if n <= 0:
        return alloc
    if n >= np.count_nonzero(sizes):
        alloc[sizes > 0] = 1
    while alloc.sum() < n:
        room = sizes - alloc
        remaining = n - int(alloc.sum())
        weights = (room > 0).astype(float) if equal else room.astype(float)
        quota = weights / weights.sum() * remaining
        base = np.minimum(np.floor(quota).astype(np.int64), room)
        if base.sum() == 0:  # hand out single draws by largest remainder
            order = np.lexsort((np.arange(sizes.size), -sizes, -quota))
            for g in order[:remaining]:
                if room[g] > 0:
                    alloc[g] += 1
            continue
        alloc += base
    return alloc


def _strata(items: pd.DataFrame, stratify_by) -> pd.Series:
    cols = [stratify_by] if isinstance(stratify_by, str) else list(stratify_by)
    check_columns(items, cols, what="items",
                  hint="Pass stratify_by= one of the item metadata columns.")
    keys = items[cols].astype(object).where(items[cols].notna(), _MISSING).astype(str)
    return keys.agg(" | ".join, axis=1) if len(cols) > 1 else keys[cols[0]]


def allocation_table(items, n, *, stratify_by=None, allocation="proportional") -> pd.DataFrame:
    """How many of ``n`` pilot items each stratum gets.

    Parameters
    ----------
    items : pandas.DataFrame
        The pool, one row per item, with the metadata columns.
    n : int
    stratify_by : str or list of str, optional
        Metadata column(s) (source, language, date bucket, predicted category, ...).
        ``None`` means one stratum, ``"all"``.
    allocation : {"proportional", "equal"}, default="proportional"

    Returns
    -------
    pandas.DataFrame
        Columns ``stratum, population, population_share, sample, sample_share``, one
        row per stratum, largest population first.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"item_id": range(10), "lang": ["en"] * 8 + ["de"] * 2})
    >>> allocation_table(items, 5, stratify_by="lang")[["stratum", "population", "sample"]]
      stratum  population  sample
    0      en           8       4
    1      de           2       1
    """
    n = check_positive_int(n, param="n", caller="allocation_table")
    check_option(allocation, {"proportional", "equal"}, param="allocation",
                 caller="allocation_table")
    strata = (pd.Series("all", index=items.index) if stratify_by is None
              else _strata(items, stratify_by))
    counts = strata.value_counts(sort=False)
    counts = counts.iloc[np.lexsort((counts.index.astype(str), -counts.to_numpy()))]
    sample = allocate(counts.to_numpy(), n, equal=allocation == "equal")
    total = max(int(sample.sum()), 1)
    return pd.DataFrame({
        "stratum": counts.index.astype(str),
        "population": counts.to_numpy(),
        "population_share": counts.to_numpy() / counts.sum(),
        "sample": sample,
        "sample_share": sample / total,
    })


def pilot_sample(items, n, *, stratify_by=None, random_state=None,
                 allocation="proportional") -> pd.DataFrame:
    """Draw a simple random or stratified pilot sample, with the allocation reported.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per item (``item_id``, ``text`` and metadata columns).
    n : int
        Sample size (capped at the number of items).
    stratify_by : str or list of str, optional
        Metadata column(s) to stratify on; missing values form their own stratum.
    random_state : None, int or numpy Generator
    allocation : {"proportional", "equal"}, default="proportional"
        Proportional to stratum size (every stratum gets >= 1 when ``n`` allows), or
        the same number per stratum (over-samples rare strata).

    Returns
    -------
    pandas.DataFrame
        The sampled rows of ``items`` (original index and columns) in random order;
        ``.attrs["allocation"]`` holds :func:`allocation_table`.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"item_id": [f"i{k}" for k in range(100)],
    ...                       "source": ["web"] * 90 + ["app"] * 10})
    >>> s = pilot_sample(items, 20, stratify_by="source", random_state=0)
    >>> s["source"].value_counts().to_dict()
    {'web': 18, 'app': 2}
    >>> s.attrs["allocation"]["sample"].tolist()
    [18, 2]
    """
    if not isinstance(items, pd.DataFrame):
        raise DataError("pilot_sample needs items as a pandas DataFrame (one row per item). "
                        f"Got {type(items).__name__}; build one with workbench.read_items().",
                        reason="not_a_dataframe")
    n = check_positive_int(n, param="n", caller="pilot_sample")
    rng = check_random_state(random_state)
    table = allocation_table(items, n, stratify_by=stratify_by, allocation=allocation)
    strata = (pd.Series("all", index=items.index) if stratify_by is None
              else _strata(items, stratify_by))
    positions = np.arange(len(items))
    picks = []
    for stratum, k in zip(table["stratum"], table["sample"]):
        members = positions[(strata == stratum).to_numpy()]
        if k:
            picks.append(rng.choice(members, int(k), replace=False))
    chosen = np.concatenate(picks) if picks else np.empty(0, dtype=np.intp)
    out = items.iloc[chosen[rng.permutation(chosen.size)]].copy()
    out.attrs["allocation"] = table
    return out


def _parse_overlap(overlap, n_annotators: int) -> dict:
    """Normalise ``overlap`` to ``{k: share}`` with shares summing to 1."""
    where = "The 'overlap' parameter of assign"
    if isinstance(overlap, (bool, np.bool_)):
        raise ValidationError(f"{where} must be an int, a float or a dict. Got {overlap!r}.")
    if isinstance(overlap, (int, np.integer)):
        overlap = {int(overlap): 1.0}
    elif isinstance(overlap, (float, np.floating)):
        if not 0.0 <= overlap <= 1.0:
            raise ValidationError(f"{where} as a float is the share of double-labeled items and "
                                  f"must be in [0, 1]. Got {overlap!r} instead.")
        overlap = {2: float(overlap)}
    if not isinstance(overlap, Mapping):
        raise ValidationError(
            f"{where} must be an int k (every item to k annotators), a float (share of items "
            f"labeled twice) or a dict like {{2: 0.3}}. Got {overlap!r} instead.")
    shares = {}
    for k, share in overlap.items():
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n_annotators:
            raise ValidationError(
                f"{where} asks for {k!r} annotators per item, but only {n_annotators} annotators "
                f"were given. Use an int between 1 and {n_annotators}, or add annotators.")
        if not isinstance(share, (int, float, np.number)) or not 0 <= share <= 1:
            raise ValidationError(f"{where}: the share for k={k} must be in [0, 1]. Got {share!r}.")
        shares[int(k)] = shares.get(int(k), 0.0) + float(share)
    total = sum(shares.values())
    if total > 1 + 1e-9:
        raise ValidationError(f"{where}: the shares sum to {total:g} > 1. Lower them; the rest "
                              "of the items are single-labeled.")
    shares[1] = shares.get(1, 0.0) + max(0.0, 1.0 - total)
    return {k: v for k, v in shares.items() if v > 0}


def assign(items, annotators: Sequence[str], *, overlap: Union[int, float, Mapping] = 1,
           random_state=None, id_col: str = ITEM_COL) -> pd.DataFrame:
    """Assign items to annotators with planned overlap, balanced workloads and shuffled order.

    Parameters
    ----------
    items : pandas.DataFrame or sequence
        Items (a frame with ``id_col``) or item ids.
    annotators : sequence of str
        Distinct annotator names.
    overlap : int, float or dict, default=1
        ``k`` (int): every item to ``k`` annotators. A dict ``{2: 0.3}``: 30% of items to
        two annotators, the rest to one; ``{3: 0.1, 2: 0.2}`` works alike. A float ``f``
        is short for ``{2: f}``.
    random_state : None, int or numpy Generator
    id_col : str, default="item_id"

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, annotator, position`` (0-based order in which the annotator
        sees the items, shuffled per annotator), sorted by annotator and position. No
        annotator gets an item twice; workloads differ by at most one item. Annotators
        never see each other's labels (blind): the frame carries no overlap marker.

    Examples
    --------
    >>> a = assign([f"i{k}" for k in range(10)], ["ann", "bob", "cy"], overlap={2: 0.3},
    ...            random_state=0)
    >>> len(a), a.groupby("item_id").size().value_counts().to_dict()
    (13, {1: 7, 2: 3})
    >>> sorted(a.groupby("annotator").size().tolist())
    [4, 4, 5]
    """
    ids = (items[id_col] if isinstance(items, pd.DataFrame) else pd.Series(list(items)))
    if isinstance(items, pd.DataFrame):
        check_columns(items, [id_col], what="items", hint="Pass id_col= the item id column.")
    ids = ids.tolist()
    if len(set(ids)) != len(ids):
        dup = pd.Series(ids)[pd.Series(ids).duplicated()].unique().tolist()
        raise DataError(f"assign needs distinct item ids; {len(dup)} repeat (e.g. {dup[:5]}). "
                        "Drop duplicates first.", reason="duplicate_item")
    annotators = list(annotators) if not isinstance(annotators, str) else [annotators]
    if not annotators or len(set(annotators)) != len(annotators):
        raise ValidationError("The 'annotators' parameter of assign must be a non-empty list of "
                              f"distinct names. Got {annotators!r} instead.")
    rng = check_random_state(random_state)
    shares = _parse_overlap(overlap, len(annotators))
    order = rng.permutation(len(ids))
    levels = sorted(shares, reverse=True)
    quota = np.array([shares[k] for k in levels]) * len(ids)
    counts = np.floor(quota + 1e-9).astype(np.int64)
    for g in np.argsort(-(quota - counts), kind="stable")[: len(ids) - int(counts.sum())]:
        counts[g] += 1  # largest remainder
    ks = np.repeat(levels, counts)
    n_ann = len(annotators)
    load = np.zeros(n_ann, dtype=np.int64)
    pair = np.zeros((n_ann, n_ann), dtype=np.int64)
    rows_item, rows_ann = [], []
    for pos, k in zip(order, ks):
        chosen: list = []
        for _ in range(int(k)):
            free = np.setdiff1d(np.arange(n_ann), chosen)
            # least loaded first; among those, the one paired least with the chosen so far
            co = pair[np.ix_(free, chosen)].sum(axis=1) if chosen else np.zeros(free.size)
            key = np.lexsort((rng.random(free.size), co, load[free]))
            chosen.append(int(free[key[0]]))
        for a in chosen:
            load[a] += 1
            rows_item.append(ids[pos])
            rows_ann.append(annotators[a])
        for a in chosen:
            for b in chosen:
                if a != b:
                    pair[a, b] += 1
    out = pd.DataFrame({"item_id": rows_item, "annotator": rows_ann})
    out["position"] = 0
    for name, idx in out.groupby("annotator", sort=False).groups.items():
        out.loc[idx, "position"] = rng.permutation(len(idx))
    out = out.sort_values(["annotator", "position"], kind="stable").reset_index(drop=True)
    out.attrs["overlap"] = shares
    return out


def calibration_set(items, labels, *, n, random_state=None, categories: Optional[Sequence] = None,
                    id_col: str = ITEM_COL, label_col: str = LABEL_COL) -> pd.DataFrame:
    """Gold items for a labeler quiz that cover every category.

    Parameters
    ----------
    items : pandas.DataFrame
        Items with ``id_col`` (and usually ``text``).
    labels : pandas.DataFrame or pandas.Series
        The gold answer per item: a frame with ``id_col`` and ``label_col`` (for example
        :func:`workbench.agreement.consensus_table`; an ``agreement`` column, when present,
        makes clear-cut items preferred) or a Series indexed by item id.
    n : int
        Quiz size; at least the number of categories.
    random_state : None, int or numpy Generator
    categories : sequence, optional
        The categories that must be covered (e.g. ``Taxonomy.labels``); default: every
        label present in ``labels``.

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``items`` plus a ``label`` column (the gold answer), in
        random order; categories are covered as evenly as the gold items allow.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"item_id": list("abcdef"), "text": list("uvwxyz")})
    >>> gold = pd.DataFrame({"item_id": list("abcdef"), "label": list("xxxxyz")})
    >>> quiz = calibration_set(items, gold, n=3, random_state=0)
    >>> sorted(quiz["label"])
    ['x', 'y', 'z']
    """
    n = check_positive_int(n, param="n", caller="calibration_set")
    rng = check_random_state(random_state)
    check_columns(items, [id_col], what="items")
    if isinstance(labels, pd.Series):
        gold = pd.DataFrame({id_col: labels.index, label_col: labels.to_numpy()})
    else:
        check_columns(labels, [id_col, label_col], what="labels",
                      hint="Pass a frame with the gold label per item, or a Series by item id.")
        gold = labels.drop_duplicates(id_col, keep="last")
    gold = gold[gold[id_col].isin(items[id_col]) & gold[label_col].notna()]
    cats = list(categories) if categories is not None else sorted(gold[label_col].unique(), key=str)
    missing = [c for c in cats if c not in set(gold[label_col])]
    if missing:
        raise DataError(f"calibration_set needs at least one gold item per category; none for "
                        f"{missing}. Label or adjudicate items of those categories first, or pass "
                        "categories= without them.", reason="uncovered_category")
    if n < len(cats):
        raise ValidationError(f"The 'n' parameter of calibration_set must be at least the number "
                              f"of categories ({len(cats)}) to cover each. Got {n} instead.")
    gold = gold[gold[label_col].isin(cats)]
    gold = gold.assign(_r=rng.random(len(gold)))
    sort_cols, asc = (["agreement", "_r"], [False, True]) if "agreement" in gold else (["_r"], [True])
    gold = gold.sort_values(sort_cols, ascending=asc)
    sizes = gold.groupby(label_col, sort=False).size().reindex(cats).to_numpy()
    take = allocate(sizes, n, equal=True)
    parts = [gold[gold[label_col] == c].head(int(k)) for c, k in zip(cats, take)]
    chosen = pd.concat(parts)[[id_col, label_col]]
    out = items.drop(columns=[label_col], errors="ignore").merge(
        chosen.rename(columns={label_col: "label"}), on=id_col)
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)
