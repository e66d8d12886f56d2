"""Turn a long annotation DataFrame into integer codes and count matrices (vectorised).

Private helper of :mod:`workbench.agreement`. One job: parse ``item_id, annotator,
label`` rows into a :class:`Ratings` object (codes from ``pandas.factorize``) and
derive the item x category count matrix and the coincidence matrix with
``np.bincount``, never a Python loop over rows.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"],
...                    "label": ["x", "y", "x", "x"]})
>>> r = parse_ratings(df, caller="example")
>>> r.categories, r.n_items, r.n_annotators
(['x', 'y'], 2, 2)
>>> count_matrix(r).tolist()
[[1, 1], [2, 0]]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from .._internal.validation import check_columns
from ..exceptions import DataError

__all__ = ["Ratings", "parse_ratings", "count_matrix", "coincidence", "to_label_set", "is_multilabel"]

_LISTLIKE = (list, tuple, set, frozenset, np.ndarray)


@dataclass(frozen=True)
class Ratings:
    """Integer-coded ratings: one entry per non-missing judgement.

    Attributes
    ----------
    item, annotator, label : ndarray of int64, shape (n_ratings,)
        Codes into ``item_ids``, ``annotator_ids`` and ``categories``.
    item_ids, annotator_ids : ndarray
        The distinct item ids / annotators in order of first appearance.
    categories : list
        The ordered category set (declared, or the sorted observed labels). For
        multi-label data each category is a sorted tuple of labels (a label set).
    multilabel : bool
        Whether labels were sets (list / tuple / set / JSON list strings). Then
        ``categories`` are the observed label sets, and a declared ``categories``
        argument lists the single labels they may contain (``label_universe``).
    rows : ndarray of int64
        Row positions in the original frame of each rating.
    declared : bool
        Whether ``categories`` was given by the caller (not inferred).
    label_universe : list or None
        Multi-label data: the single labels (declared ``categories``, or those observed).
    """

    item: np.ndarray
    annotator: np.ndarray
    label: np.ndarray
    item_ids: np.ndarray
    annotator_ids: np.ndarray
    categories: list
    multilabel: bool
    rows: np.ndarray
    declared: bool = False
    label_universe: Optional[list] = None

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_annotators(self) -> int:
        return len(self.annotator_ids)

    @property
    def q(self) -> int:
        return len(self.categories)

    def numeric_values(self) -> Optional[np.ndarray]:
        """The categories as float values, or None when they are not all numbers."""
        if self.multilabel or not all(
            isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, bool)
            for c in self.categories
        ):
            return None
        return np.asarray(self.categories, dtype=float)


def to_label_set(value: Any) -> Optional[tuple]:
    """Canonical sorted tuple of a multi-label value (list, set, JSON list string); None if missing.

    >>> to_label_set('["b", "a"]'), to_label_set({"x"}), to_label_set(None)
    (('a', 'b'), ('x',), None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise DataError(
                    f"A multi-label value must be a JSON list such as '[\"a\", \"b\"]'; got {value!r}. "
                    "Fix the label column or pass Python lists.", reason="bad_label") from exc
        else:
            value = [value]
    elif not isinstance(value, _LISTLIKE):
        value = [value]
    return tuple(sorted(set(value), key=lambda v: (str(type(v)), v)))


def is_multilabel(labels: pd.Series) -> bool:
    """Whether a label column holds label sets (lists / sets / JSON list strings)."""
    if labels.dtype != object:
        return False
    kind = pd.api.types.infer_dtype(labels, skipna=True)
    if kind == "string":
        return bool(labels.str.startswith("[").any())
    if kind in ("integer", "floating", "boolean", "mixed-integer-float", "empty"):
        return False
    return bool(labels.map(lambda v: isinstance(v, _LISTLIKE) or
                           (isinstance(v, str) and v.startswith("["))).any())


def _sorted_uniques(values: pd.Series) -> list:
    uniques = pd.unique(values)
    try:
        return sorted(uniques.tolist())
    except TypeError:  # mixed types: a deterministic order by (type name, text)
        return sorted(uniques.tolist(), key=lambda v: (type(v).__name__, str(v)))


def factorize(values: np.ndarray):
    """``pandas.factorize`` (codes in order of first appearance), O(n) for compact integer ids.

    >>> codes, uniques = factorize(np.array([7, 3, 7, 5]))
    >>> codes.tolist(), uniques.tolist()
    ([0, 1, 0, 2], [7, 3, 5])
    """
    values = np.asarray(values)
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        span = high - low + 1
        if span <= 4 * len(values) + 1024:
            shifted = (values - low).astype(np.intp, copy=False)
            first = np.full(span, len(values), dtype=np.intp)
            first[shifted[::-1]] = np.arange(len(values) - 1, -1, -1)  # the last write is the first occurrence
            present = np.flatnonzero(first < len(values))
            order = present[np.argsort(first[present], kind="stable")]
            remap = np.empty(span, dtype=np.int64)
            remap[order] = np.arange(len(order))
            return remap[shifted], (order + low).astype(values.dtype)
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


def parse_ratings(df: pd.DataFrame, *, item_col: str = "item_id", annotator_col: str = "annotator",
                  label_col: str = "label", categories: Optional[Sequence] = None,
                  caller: str = "agreement", multilabel: Optional[bool] = None) -> Ratings:
    """Code a long annotation frame; missing labels (NaN / None / absent rows) are dropped.

    A pandas categorical label column declares its categories (and their order) when
    ``categories`` is None. Raises a DataError for missing columns, missing ids,
    duplicate (item, annotator) rows and labels outside a declared ``categories`` list.
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"{caller} expects a pandas DataFrame in long format (item_id, annotator, label); "
                        f"got {type(df).__name__}. Build one with pandas.DataFrame(...).", reason="not_a_frame")
    check_columns(df, [item_col, annotator_col, label_col], what=f"The annotations passed to {caller}")
    labels = df[label_col]
    if categories is None and isinstance(labels.dtype, pd.CategoricalDtype):
        categories = list(labels.cat.categories)  # a categorical column declares its categories and order
        labels = labels.astype(object)
    if multilabel is None:
        multilabel = is_multilabel(labels)
    if multilabel:
        labels = labels.map(to_label_set)
    values = labels.to_numpy()
    keep = ~np.isnan(values) if values.dtype.kind == "f" else ~pd.isna(values)
    everything = bool(keep.all())
    rows = np.arange(len(values)) if everything else np.flatnonzero(keep)
    labels = labels if everything else labels[keep]
    items = df[item_col].to_numpy() if everything else df[item_col].to_numpy()[keep]
    annotators = df[annotator_col].to_numpy() if everything else df[annotator_col].to_numpy()[keep]

    universe = None
    if categories is None or multilabel:
        codes, uniq = factorize(labels.to_numpy())
        cats = _sorted_uniques(pd.Series(uniq, dtype=object))
        order = {v: i for i, v in enumerate(cats)}
        remap = np.array([order[v] for v in uniq.tolist()], dtype=np.int64)
        label_codes = remap[codes] if len(codes) else np.zeros(0, dtype=np.int64)
    if categories is not None:
        declared = list(categories)
        if len(set(declared)) != len(declared):
            raise DataError(f"categories must not repeat a value; got {declared}.", reason="bad_categories")
        if multilabel:  # categories declare the single labels a set may contain
            universe = declared
            known = set(declared)
            bad_sets = {i for i, c in enumerate(cats) if not set(c) <= known}
            bad = np.isin(label_codes, list(bad_sets)) if bad_sets else np.zeros(len(label_codes), dtype=bool)
        else:
            cats = declared
            label_codes = pd.Categorical(labels, categories=cats).codes.astype(np.int64)
            bad = label_codes < 0
        if bad.any():
            unknown = _sorted_uniques(labels[bad])
            if multilabel:
                unknown = sorted({x for c in unknown for x in c if x not in set(declared)}, key=str)
            raise DataError(
                f"{int(bad.sum())} annotation(s) passed to {caller} use labels that are not in categories: "
                f"{unknown[:20]}; the declared categories are {declared}. Add them to categories, "
                "or map / drop those rows first.",
                failure_cases=df.iloc[rows[bad]], reason="unknown_label")
    if multilabel and universe is None:
        universe = sorted({x for c in cats for x in c}, key=lambda v: (str(type(v)), v))

    item_codes, item_ids = factorize(items)
    ann_codes, ann_ids = factorize(annotators)
    for codes_, col in ((item_codes, item_col), (ann_codes, annotator_col)):
        if len(codes_) and codes_.min() < 0:
            missing = codes_ < 0
            raise DataError(f"{caller} needs a value in {col!r} for every rating; {int(missing.sum())} row(s) have "
                            f"none (NaN / None). Drop them or fill them in.",
                            failure_cases=df.iloc[rows[missing]], reason="missing_id")
    _check_duplicates(df, rows, item_codes, ann_codes, len(ann_ids), item_col, annotator_col, caller)
    return Ratings(item=item_codes, annotator=ann_codes, label=label_codes,
                   item_ids=np.asarray(item_ids), annotator_ids=np.asarray(ann_ids),
                   categories=cats, multilabel=bool(multilabel), rows=rows, declared=categories is not None,
                   label_universe=universe)


def _check_duplicates(df, rows, item_codes, ann_codes, n_ann, item_col, annotator_col, caller):
    if len(item_codes) == 0:
        return
    key = item_codes * max(n_ann, 1) + ann_codes
    size = (int(item_codes.max()) + 1) * max(n_ann, 1)
    if size <= 20 * len(key) + 1_000_000:
        if np.bincount(key, minlength=size).max() <= 1:
            return
    elif len(np.unique(key)) == len(key):
        return
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    cases = df.iloc[rows[dup]]
    raise DataError(
        f"{caller} needs at most one label per ({item_col}, {annotator_col}); {int(dup.sum())} rows repeat a pair, "
        f"e.g. {cases[[item_col, annotator_col]].head(3).to_dict('records')}. Filter to one round, or keep the "
        f"newest label with df.drop_duplicates([{item_col!r}, {annotator_col!r}], keep='last').",
        failure_cases=cases, reason="duplicate_rating")


def count_matrix(r: Ratings) -> np.ndarray:
    """Item x category counts ``n_ik`` (int64, shape (n_items, q))."""
    q = r.q
    if q == 0:
        return np.zeros((r.n_items, 0), dtype=np.int64)
    return np.bincount(r.item * q + r.label, minlength=r.n_items * q).reshape(r.n_items, q)


def coincidence(counts: np.ndarray, weights: Optional[np.ndarray] = None) -> np.ndarray:
    """Krippendorff's coincidence matrix ``o_ck = sum_i (n_ic n_ik - [c=k] n_ic) / (m_i - 1)``.

    Items with fewer than two ratings (``m_i < 2``) are not pairable and add nothing.
    ``weights`` optionally multiplies each item's contribution (bootstrap reweighting).

    >>> coincidence(np.array([[2, 0], [1, 1], [1, 0]])).tolist()
    [[2.0, 1.0], [1.0, 0.0]]
    """
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(axis=1)
    pair = m >= 2
    scale = np.zeros_like(m)
    scale[pair] = 1.0 / (m[pair] - 1.0)
    if weights is not None:
        scale = scale * np.asarray(weights, dtype=float)
    scaled = counts * scale[:, None]
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))
