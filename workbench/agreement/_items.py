"""Where people disagree: annotators, category pairs, items and the consensus label.

Private helper of :mod:`workbench.agreement` (re-exported there). Majority labels
break ties deterministically: the earliest category in the ``categories`` order
(default: sorted labels).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": [1, 1, 1, 2, 2], "annotator": list("abcab"), "label": list("xxyyy")})
>>> consensus_table(df)
   item_id label  n_ratings  agreement
0        1     x          3   0.666667
1        2     y          2   1.000000
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd

from . import _engine as eng
from ._core import coincidence, count_matrix
from ._tables import rating_pairs
from .._internal.validation import check_columns, check_positive_int

ANNOTATOR_COLUMNS = ["annotator", "n_items", "agreement_with_others", "agreement_with_majority", "median_seconds"]
CONFUSION_COLUMNS = ["category_a", "category_b", "n_disagreements", "share", "example_item_ids"]
DISAGREEMENT_COLUMNS = ["item_id", "n_ratings", "n_distinct", "majority_label", "majority_share", "labels",
                        "notes", "any_unsure"]
CONSENSUS_COLUMNS = ["item_id", "label", "n_ratings", "agreement"]


def _out(value):
    """Multi-label categories are tuples internally; show them as lists."""
    return list(value) if isinstance(value, tuple) else value


def _reference_codes(reference, r, item_col, label_col, caller):
    """Per item code, the reference label code (-1 when the item has none or the label is unknown)."""
    if isinstance(reference, pd.DataFrame):
        check_columns(reference, [item_col, label_col], what=f"The reference passed to {caller}")
        reference = reference.drop_duplicates(item_col, keep="last").set_index(item_col)[label_col]
    ref = pd.Series(reference)
    lookup = {c: i for i, c in enumerate(r.categories)}
    if r.multilabel:
        from ._core import to_label_set
        ref = ref.map(to_label_set)
    mapped = ref.reindex(pd.Index(r.item_ids)).map(lambda v: lookup.get(v, -1) if v is not None and v == v else -1)
    return mapped.to_numpy(dtype=np.int64)


def consensus_table(df: pd.DataFrame, *, adjudications=None, item_col: str = "item_id",
                    annotator_col: str = "annotator", label_col: str = "label",
                    categories: Optional[Sequence] = None) -> pd.DataFrame:
    """The majority label of each item (or its adjudicated label) and how many ratings agree with it.

    Parameters
    ----------
    df : pandas.DataFrame
    adjudications : DataFrame (``item_col``, ``label_col``), Series or dict item -> label, optional
        Labels decided by a reviewer; they replace the majority for those items.
    item_col, annotator_col, label_col : str
    categories : sequence, optional
        Category order, also the tie-break order.

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, label, n_ratings, agreement`` (share of the item's ratings
        equal to ``label``), items in order of first appearance.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1], "annotator": list("ab"), "label": list("yx")})
    >>> consensus_table(df).label.tolist()  # a tie goes to the first category
    ['x']
    >>> consensus_table(df, adjudications={1: "y"}).label.tolist()
    ['y']
    """
    caller = "consensus_table"
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=categories, caller=caller)
    counts = count_matrix(r)
    m = counts.sum(axis=1)
    best = counts.argmax(axis=1) if r.q else np.zeros(r.n_items, dtype=int)
    if adjudications is not None:
        ref = _reference_codes(adjudications, r, item_col, label_col, caller)
        best = np.where(ref >= 0, ref, best)
    cats = np.empty(r.q, dtype=object)
    cats[:] = [_out(c) for c in r.categories]
    agree = counts[np.arange(r.n_items), best] / np.where(m > 0, m, 1) if r.q else np.zeros(0)
    return pd.DataFrame({"item_id": r.item_ids, "label": cats[best] if r.q else [],
                         "n_ratings": m, "agreement": agree}, columns=CONSENSUS_COLUMNS)


def annotator_table(df: pd.DataFrame, *, reference=None, duration_col: str = "duration_ms",
                    item_col: str = "item_id", annotator_col: str = "annotator", label_col: str = "label",
                    categories: Optional[Sequence] = None) -> pd.DataFrame:
    """Per annotator: items done, agreement with the others and with the majority (or a reference).

    ``agreement_with_others`` is the share of agreeing pairs between the annotator's
    ratings and the other ratings of the same items. ``agreement_with_majority`` compares
    each rating with the plurality label of the *other* ratings of the item (a tie between
    t labels gives 1/t credit to each of them), or with ``reference`` when given (e.g.
    adjudicated labels), over the items that have one.

    Parameters
    ----------
    df : pandas.DataFrame
    reference : DataFrame (``item_col``, ``label_col``), Series or dict item -> label, optional
    duration_col : str, default 'duration_ms'
        Milliseconds spent per rating; ``median_seconds`` is NaN when the column is absent.
    item_col, annotator_col, label_col : str
    categories : sequence, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``annotator, n_items, agreement_with_others, agreement_with_majority,
        median_seconds``, annotators sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 1, 2, 2, 2], "annotator": list("abcabc"),
    ...                    "label": list("xxyyyy"), "duration_ms": [1000, 2000, 3000, 3000, 2000, 1000]})
    >>> print(annotator_table(df).to_string())
      annotator  n_items  agreement_with_others  agreement_with_majority  median_seconds
    0         a        2                   0.75                     0.75             2.0
    1         b        2                   0.75                     0.75             2.0
    2         c        2                   0.50                     0.50             2.0
    """
    caller = "annotator_table"
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=categories, caller=caller)
    A = r.n_annotators
    n_items = np.bincount(r.annotator, minlength=A)
    a, b, la, lb = rating_pairs(r)
    same = (la == lb).astype(float)
    agree = np.bincount(a, weights=same, minlength=A) + np.bincount(b, weights=same, minlength=A)
    pairs = np.bincount(a, minlength=A) + np.bincount(b, minlength=A)
    with np.errstate(invalid="ignore", divide="ignore"):
        with_others = agree / pairs
    counts = count_matrix(r)
    if reference is not None:
        ref = _reference_codes(reference, r, item_col, label_col, caller)[r.item]
        has = ref >= 0
        credit, valid = (r.label == ref).astype(float), has
    else:
        credit = np.zeros(len(r.item))
        valid = counts.sum(axis=1)[r.item] >= 2
        step = 1_000_000
        for s in range(0, len(r.item), step):
            others = counts[r.item[s:s + step]].astype(float)
            others[np.arange(len(others)), r.label[s:s + step]] -= 1
            top = others.max(axis=1, keepdims=True)
            is_top = others == top
            own = is_top[np.arange(len(others)), r.label[s:s + step]]
            credit[s:s + step] = own / is_top.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        with_majority = (np.bincount(r.annotator, weights=np.where(valid, credit, 0.0), minlength=A)
                         / np.bincount(r.annotator, weights=valid.astype(float), minlength=A))
    if duration_col in df.columns:
        secs = pd.to_numeric(df[duration_col].iloc[r.rows], errors="coerce").to_numpy() / 1000.0
        median = pd.Series(secs).groupby(r.annotator).median().reindex(range(A)).to_numpy()
    else:
        median = np.full(A, np.nan)
    out = pd.DataFrame({"annotator": r.annotator_ids, "n_items": n_items, "agreement_with_others": with_others,
                        "agreement_with_majority": with_majority, "median_seconds": median},
                       columns=ANNOTATOR_COLUMNS)
    order = np.argsort(np.array([str(x) for x in r.annotator_ids]), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def confusion_table(df: pd.DataFrame, *, n_examples: int = 3, item_col: str = "item_id",
                    annotator_col: str = "annotator", label_col: str = "label",
                    categories: Optional[Sequence] = None) -> pd.DataFrame:
    """Category pairs ranked by how often annotators split between them, with example items.

    ``n_disagreements`` of (a, b) is the number of annotator pairs, summed over items,
    where one said ``a`` and the other ``b`` (``sum_i n_ia n_ib``: the off-diagonal of
    the unnormalised coincidence matrix); ``share`` is its fraction of all disagreeing pairs.

    Parameters
    ----------
    df : pandas.DataFrame
    n_examples : int, default 3
        Example item ids per pair (the items with the most such splits first).
    item_col, annotator_col, label_col : str
    categories : sequence, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``category_a, category_b, n_disagreements, share, example_item_ids``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
    ...                    "label": list("xyxyxz")})
    >>> confusion_table(df)
      category_a category_b  n_disagreements      share example_item_ids
    0          x          y                2   0.666667           [1, 2]
    1          x          z                1   0.333333              [3]
    """
    caller = "confusion_table"
    n_examples = check_positive_int(n_examples, param="n_examples", caller=caller, minimum=0)
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=categories, caller=caller)
    counts = count_matrix(r)
    split = np.flatnonzero((counts > 0).sum(axis=1) > 1)
    sub = counts[split]
    it, cat = np.nonzero(sub)
    cells = pd.DataFrame({"i": split[it], "c": cat, "n": sub[it, cat]})
    joined = cells.merge(cells, on="i")
    joined = joined[joined.c_x < joined.c_y]
    joined = joined.assign(w=joined.n_x * joined.n_y).sort_values(["c_x", "c_y", "w", "i"],
                                                                 ascending=[True, True, False, True])
    grouped = joined.groupby(["c_x", "c_y"], sort=False)
    total = joined.w.sum()
    result = grouped.agg(n_disagreements=("w", "sum"),
                         example=("i", lambda s: [_out(x) for x in r.item_ids[s.to_numpy()[:n_examples]]]))
    result = result.reset_index().sort_values(["n_disagreements", "c_x", "c_y"], ascending=[False, True, True])
    cats = [_out(c) for c in r.categories]
    return pd.DataFrame({"category_a": [cats[c] for c in result.c_x], "category_b": [cats[c] for c in result.c_y],
                         "n_disagreements": result.n_disagreements.astype(int).to_numpy(),
                         "share": result.n_disagreements.to_numpy() / total if total else [],
                         "example_item_ids": result.example.to_numpy()}, columns=CONFUSION_COLUMNS)


def disagreement_table(df: pd.DataFrame, *, note_col: str = "note", unsure_col: str = "unsure",
                       top: Optional[int] = None, item_col: str = "item_id", annotator_col: str = "annotator",
                       label_col: str = "label", categories: Optional[Sequence] = None) -> pd.DataFrame:
    """The items annotators disagree on most, with their labels, notes and unsure flags.

    Items with at least two ratings and at least two distinct labels, ranked by
    ``majority_share`` (ascending), then more distinct labels, then more ratings.

    Parameters
    ----------
    df : pandas.DataFrame
    note_col, unsure_col : str
        Optional columns of free-text notes and "unsure" flags (ignored when absent).
    top : int, optional
        Keep only the first ``top`` items.
    item_col, annotator_col, label_col : str
    categories : sequence, optional

    Returns
    -------
    pandas.DataFrame
        Columns ``item_id, n_ratings, n_distinct, majority_label, majority_share,
        labels`` (dict annotator -> label), ``notes`` (list of "annotator: note"), ``any_unsure``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": list("abab"), "label": list("xyxx"),
    ...                    "note": [None, "ambiguous", None, None]})
    >>> disagreement_table(df)[["item_id", "majority_label", "majority_share", "labels", "notes"]]
       item_id majority_label  majority_share                labels             notes
    0        1              x             0.5  {'a': 'x', 'b': 'y'}  [b: ambiguous]
    """
    caller = "disagreement_table"
    if top is not None:
        top = check_positive_int(top, param="top", caller=caller, minimum=0)
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                          categories=categories, caller=caller)
    counts = count_matrix(r)
    m = counts.sum(axis=1)
    distinct = (counts > 0).sum(axis=1)
    best = counts.argmax(axis=1) if r.q else np.zeros(r.n_items, dtype=int)
    share = counts[np.arange(r.n_items), best] / np.where(m > 0, m, 1) if r.q else np.zeros(0)
    chosen = np.flatnonzero((m >= 2) & (distinct >= 2))
    chosen = chosen[np.lexsort((chosen, -m[chosen], -distinct[chosen], share[chosen]))]
    if top is not None:
        chosen = chosen[:top]
    sub = df.iloc[r.rows]
    position = np.full(r.n_items, -1)
    position[chosen] = np.arange(len(chosen))
    keep = position[r.item] >= 0
    labels = [dict() for _ in chosen]
    notes = [[] for _ in chosen]
    unsure = np.zeros(len(chosen), dtype=bool)
    cats = [_out(c) for c in r.categories]
    note_values = sub[note_col].to_numpy() if note_col in sub.columns else None
    unsure_values = sub[unsure_col].to_numpy() if unsure_col in sub.columns else None
    for k in np.flatnonzero(keep):
        p = position[r.item[k]]
        who = r.annotator_ids[r.annotator[k]]
        labels[p][who] = cats[r.label[k]]
        if note_values is not None and isinstance(note_values[k], str) and note_values[k].strip():
            notes[p].append(f"{who}: {note_values[k].strip()}")
        if unsure_values is not None and unsure_values[k] is not None and unsure_values[k] == unsure_values[k]:
            unsure[p] |= bool(unsure_values[k])
    return pd.DataFrame({"item_id": r.item_ids[chosen], "n_ratings": m[chosen], "n_distinct": distinct[chosen],
                         "majority_label": [cats[c] for c in best[chosen]], "majority_share": share[chosen],
                         "labels": labels, "notes": notes, "any_unsure": unsure}, columns=DISAGREEMENT_COLUMNS)


def coincidence_matrix(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                       label_col: str = "label", categories: Optional[Sequence] = None) -> pd.DataFrame:
    """Krippendorff's coincidence matrix: pairable values ``o_ck``, categories x categories.

    ``o_ck = sum_u (number of c-k pairs in unit u) / (m_u - 1)``; the marginals are the
    pairable values ``n_c`` and the total is ``n..``.

    Returns
    -------
    pandas.DataFrame
        Index and columns: the categories.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3], "annotator": list("ababa"),
    ...                    "label": ["x", "x", "x", "y", "y"]})
    >>> coincidence_matrix(df)
         x    y
    x  2.0  1.0
    y  1.0  0.0
    """
    r = eng.parse_ratings(df, item_col=item_col, annotator_col=annotator_col, label_col=label_col,
                           categories=categories, caller="coincidence_matrix")
    index = pd.Index(r.categories, name=None)
    return pd.DataFrame(coincidence(count_matrix(r)), index=index, columns=index)
