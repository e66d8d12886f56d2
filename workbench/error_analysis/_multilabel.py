"""Multi-label error analysis: out-of-fold one-vs-rest probabilities, per-label scores, label issues.

Private helper of :mod:`workbench.error_analysis` (re-exported there). A multi-label label is
a *set*: a JSON list string such as ``'["bug", "crash"]'`` (what the store writes) or a
Python list / tuple / set; an empty set is a valid answer.

- :func:`multilabel_predictions`: one binary model per label, trained on the other folds;
- :func:`multilabel_classification_table`: precision, recall, F1 per label and averaged;
- :func:`multilabel_label_issue_table`: items whose given set is probably wrong, with the
  labels the model would add or remove (cleanlab's multi-label filter);
- :func:`per_label_issue_table`: how many of those issues each label accounts for.

**Folds.** Iterative stratification (Sechidis et al. 2011) is not in scikit-learn. The folds
are ``StratifiedKFold`` on each item's *rarest* label (an empty set is its own stratum):
every label's rarest uses are spread over the folds, so a label with ``k >= 2`` uses keeps at
least one in every training part, while frequent labels spread well anyway because they are
on many items. When no stratum has ``cv`` items the split falls back to a shuffled ``KFold``.
A label that a training part never (or always) holds gets that part's smoothed base rate
``(positives + 1) / (items + 2)`` (Laplace's rule of succession) as its probability: never
exactly 0 or 1, never a crash.

Examples
--------
>>> import pandas as pd
>>> from workbench.error_analysis import multilabel_predictions, multilabel_classification_table
>>> items = pd.DataFrame({"item_id": range(12), "text": ["app crashed", "crash on start", "refund please",
...                                                     "crash and refund"] * 3})
>>> labels = pd.Series(['["bug"]', '["bug"]', '["refund"]', '["bug", "refund"]'] * 3, index=range(12))
>>> pred = multilabel_predictions(items, labels, cv=3, random_state=0, progress=False)
>>> pred.classes, pred.probabilities.shape
(('bug', 'refund'), (12, 2))
>>> multilabel_classification_table(pred)["label"].tolist()
['bug', 'refund', 'micro', 'macro', 'weighted', 'samples']
"""

from __future__ import annotations

import json
import sys
import warnings
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from . import _oof
from ._multilabel_predictions import MultilabelPredictions
from .._internal.optional import import_optional
from .._internal.validation import (ITEM_COL, LABEL_COL, check_columns, check_option, check_positive_int,
                                    check_random_state, shown)
from ..exceptions import DataError, ValidationError, WorkbenchWarning

__all__ = ["MultilabelPredictions", "multilabel_predictions", "multilabel_classification_table",
           "multilabel_label_issue_table", "per_label_issue_table", "MULTILABEL_ISSUE_FILTERS"]

#: cleanlab ``filter_by`` values whose multi-label result is the union of per-label results
#: (so every flagged item says which labels to add or remove); cleanlab's default first.
MULTILABEL_ISSUE_FILTERS = ("prune_by_noise_rate", "prune_by_class", "both", "confident_learning",
                            "predicted_neq_given")

_LISTLIKE = (list, tuple, set, frozenset, np.ndarray)


# ----------------------------------------------------------------------------- inputs

def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _to_set(value, item, caller: str) -> tuple:
    """One label value -> a tuple of distinct labels (order of first use)."""
    if isinstance(value, str):
        text = value.strip()
        if not text.startswith("["):
            return (value,)  # a lone label is a one-label set
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise DataError(f"{caller}: the label of item {item!r} is not a JSON list: {text[:80]!r}. Write label "
                            "sets as JSON lists such as '[\"bug\", \"crash\"]' or pass Python lists.",
                            reason="bad_label") from exc
        if not isinstance(value, list):
            raise DataError(f"{caller}: the label of item {item!r} must be a JSON list; got {text[:80]!r}.",
                            reason="bad_label")
    elif not isinstance(value, _LISTLIKE):
        return (value,)
    out = []
    for v in list(value):
        if _is_missing(v) or isinstance(v, (list, dict)):
            raise DataError(f"{caller}: the label set of item {item!r} holds {v!r}; each element must be one "
                            "label id (a string).", reason="bad_label")
        if v not in out:
            out.append(v)
    return tuple(out)


def _label_sets(labels, *, item_col: str, label_col: str, caller: str) -> pd.DataFrame:
    """``labels`` -> ``item_col, "sets"`` (tuples), missing labels dropped, one row per item."""
    if isinstance(labels, pd.Series):
        frame = pd.DataFrame({item_col: labels.index.to_numpy(), label_col: labels.to_numpy()})
    elif isinstance(labels, pd.DataFrame):
        check_columns(labels, [item_col, label_col], what="labels")
        frame = labels[[item_col, label_col]]
    else:
        raise ValidationError(f"The 'labels' parameter of {caller} must be a DataFrame ({item_col}, {label_col}) "
                              f"or a Series of label sets indexed by item id. Got {type(labels).__name__} instead.")
    keep = ~frame[label_col].map(lambda v: not isinstance(v, _LISTLIKE) and _is_missing(v))
    frame = frame[keep.to_numpy(dtype=bool)]
    dupes = frame[frame[item_col].duplicated(keep=False)]
    if len(dupes):
        raise DataError(f"labels must give one label set per item; {dupes[item_col].nunique()} items have several "
                        f"(e.g. {dupes[item_col].iloc[0]!r}). Reduce them first (e.g. keep the labels most "
                        "annotators applied).", reason="duplicate_item", failure_cases=dupes)
    sets = [_to_set(v, i, caller) for i, v in zip(frame[item_col], frame[label_col])]
    return pd.DataFrame({item_col: frame[item_col].to_numpy(), "sets": pd.Series(sets, dtype=object).to_numpy()})


def _universe(sets, labels_list, caller: str, item_ids, item_col: str) -> tuple:
    seen = {x for s in sets for x in s}
    if labels_list is None:
        classes = tuple(sorted(seen, key=str))
    else:
        if isinstance(labels_list, str) or not hasattr(labels_list, "__iter__"):
            raise ValidationError(f"The 'labels_list' parameter of {caller} must be a sequence of label ids "
                                  f"(e.g. taxonomy.labels). Got {labels_list!r} instead.")
        classes = tuple(labels_list)
        if len(set(classes)) != len(classes):
            repeated = sorted({str(c) for c in classes if classes.count(c) > 1})
            raise ValidationError(f"The 'labels_list' parameter of {caller} must list each label once. Got "
                                  f"{repeated[:10]} more than once instead.")
        unknown = seen - set(classes)
        if unknown:
            bad = [(i, s) for i, s in zip(item_ids, sets) if set(s) & unknown]
            cases = pd.DataFrame(bad, columns=[item_col, "label"])
            raise DataError(f"{len(bad)} labeled items use labels not in labels_list: "
                            f"{shown(sorted(map(str, unknown)))} (item_id {shown([b[0] for b in bad], 5)}). "
                            "Add them to labels_list (a new taxonomy version), or map them with "
                            "Taxonomy.migrate().", reason="unknown_label", failure_cases=cases)
    if not classes:
        raise DataError(f"{caller} needs at least one label; every label set is empty and labels_list names none. "
                        "Pass labels_list=taxonomy.labels.", reason="no_labels")
    return classes


def _indicator(sets, classes) -> np.ndarray:
    pos = {c: j for j, c in enumerate(classes)}
    Y = np.zeros((len(sets), len(classes)), dtype=int)
    for i, s in enumerate(sets):
        Y[i, [pos[x] for x in s]] = 1
    return Y


# ----------------------------------------------------------------------------- folds and models

def _folds(Y: np.ndarray, cv: int, seed: int):
    """Stratified on each item's rarest label (empty sets: their own stratum); see the module notes."""
    from sklearn.model_selection import KFold, StratifiedKFold

    counts = Y.sum(axis=0)
    rank = np.where(Y == 1, counts[None, :], np.iinfo(np.int64).max)
    stratum = np.where(Y.any(axis=1), np.argmin(rank, axis=1), Y.shape[1])
    if np.bincount(stratum).max() >= cv:
        splitter, kind = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed), "stratified on rarest label"
    else:
        splitter, kind = KFold(n_splits=cv, shuffle=True, random_state=seed), "shuffled"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        return list(splitter.split(np.zeros(len(Y)), stratum)), kind


def _positive_probability(fitted, X) -> np.ndarray:
    scores = _oof._fold_scores(fitted, X)
    classes = list(np.asarray(fitted.classes_).tolist())
    return scores[:, classes.index(1)]


def _warn_rare(Y: np.ndarray, classes, cv: int) -> None:
    pos = Y.sum(axis=0)
    neg = len(Y) - pos
    rare = [str(c) for c, p, q in zip(classes, pos, neg) if 0 < min(p, q) < cv]  # never/always given: documented
    if rare:
        warnings.warn(
            f"{len(rare)} label(s) are given to (or missing from) fewer than cv={cv} items: {shown(rare)}. Some "
            "training folds then hold none of them, and those folds predict the smoothed base rate instead of a "
            "model; their probabilities are less reliable. Label more items with (and without) these labels, "
            "or merge them.", WorkbenchWarning, stacklevel=3)


def multilabel_predictions(items, labels, *, labels_list: Optional[Sequence] = None, model=None, cv=5,
                           random_state=None, text_col="text", item_col=ITEM_COL, label_col=LABEL_COL,
                           progress=True) -> MultilabelPredictions:
    """Out-of-fold one-vs-rest probabilities for every item with a label set.

    Parameters
    ----------
    items : pandas.DataFrame
        The item pool, with ``item_col`` and ``text_col``.
    labels : pandas.DataFrame or pandas.Series
        ``item_col, label_col`` rows, or a Series indexed by item id, one label set per item: a
        JSON list string (``'["bug", "crash"]'``, what the store writes), a list / tuple / set,
        or a lone label (a one-label set). ``'[]'`` is a valid empty set; a missing value
        (None / NaN) means unlabeled, and the item is left out.
    labels_list : sequence, optional
        The label universe, e.g. ``taxonomy.labels``; a label nobody used still gets a column.
        Default: every label seen, sorted.
    model : scikit-learn estimator, optional
        A binary classifier with ``fit(texts, y)`` and ``predict_proba`` (or
        ``decision_function``), cloned for every label and fold. Default: the features of
        :func:`cross_validated_predictions` (TF-IDF word 1-2-grams + char 2-5-grams), fitted
        once per fold and shared by one SGD logistic-loss classifier per label.
    cv : int, default=5
        Number of folds (see the module notes on how they are stratified). Labels given to
        fewer than ``cv`` items (or missing from fewer) get a warning, not an error; a label
        given to no item (or to every item) gets the smoothed base rate of each training part.
    random_state : None, int or numpy Generator
        Seeds the fold split and the default model.
    text_col, item_col, label_col : str
        Column names.
    progress : bool, default=True
        Show a progress bar over the folds.

    Returns
    -------
    MultilabelPredictions
        In the order of ``labels``; ``classes`` is ``labels_list`` (or the sorted labels seen).

    Raises
    ------
    DataError
        When a labeled item is not in ``items`` (``reason="unknown_item"``), fewer than ``cv``
        items are labeled (``"too_few_items"``), a label is not in ``labels_list``
        (``"unknown_label"``), or a label value is not a set (``"bad_label"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.error_analysis import multilabel_predictions
    >>> items = pd.DataFrame({"item_id": range(12), "text": ["app crashed", "crash on start",
    ...                                                     "refund please", "crash and refund"] * 3})
    >>> labels = pd.DataFrame({"item_id": range(12),
    ...                        "label": [["bug"], ["bug"], ["refund"], ["bug", "refund"]] * 3})
    >>> pred = multilabel_predictions(items, labels, labels_list=["bug", "refund", "spam"], cv=3,
    ...                               random_state=0, progress=False)
    >>> pred.classes, pred.given[3].tolist()
    (('bug', 'refund', 'spam'), [1, 1, 0])
    >>> bool((pred.probabilities[:, 2] < 0.2).all())   # never given: its smoothed base rate
    True
    """
    from sklearn.base import clone
    from tqdm.auto import tqdm

    caller = "multilabel_predictions"
    if not isinstance(items, pd.DataFrame):
        raise ValidationError(f"The 'items' parameter of {caller} must be a pandas DataFrame "
                              f"({item_col}, {text_col}). Got {type(items).__name__} instead.")
    check_columns(items, [item_col, text_col], what="items")
    cv = check_positive_int(cv, param="cv", caller=caller, minimum=2)
    if model is not None and not (hasattr(model, "fit") and (hasattr(model, "predict_proba")
                                                             or hasattr(model, "decision_function"))):
        raise ValidationError(f"The 'model' parameter of {caller} must be a scikit-learn classifier with fit and "
                              f"predict_proba or decision_function. Got {_oof.describe_model(model)} instead.")
    seed = int(check_random_state(random_state).integers(2**31 - 1))
    frame = _label_sets(labels, item_col=item_col, label_col=label_col, caller=caller)
    if items[item_col].duplicated().any():
        raise DataError(f"items has duplicate {item_col} values (e.g. "
                        f"{items.loc[items[item_col].duplicated(), item_col].iloc[0]!r}); each item needs one id.",
                        reason="duplicate_item")
    text_of = pd.Series(items[text_col].to_numpy(), index=items[item_col].to_numpy())
    missing = ~frame[item_col].isin(text_of.index)
    if missing.any():
        raise DataError(f"{int(missing.sum())} labeled items are not in items (e.g. "
                        f"{frame.loc[missing, item_col].iloc[0]!r}); pass the item pool that holds their text.",
                        reason="unknown_item", failure_cases=frame[missing])
    ids, sets = frame[item_col].to_numpy(), list(frame["sets"])
    classes = _universe(sets, labels_list, caller, ids, item_col)
    if len(frame) < cv:
        raise DataError(f"{caller} needs at least cv={cv} labeled items; got {len(frame)}. Label more items "
                        "or lower cv.", reason="too_few_items")
    Y = _indicator(sets, classes)
    _warn_rare(Y, classes, cv)
    texts = text_of.loc[ids].fillna("").astype(str).to_numpy()
    estimator = model if model is not None else _oof.default_text_model(random_state=seed)
    folds, kind = _folds(Y, cv, seed)
    proba = np.zeros(Y.shape)
    for train, test in tqdm(folds, desc="cross-validation folds", disable=not progress):
        if model is None:  # unsupervised features: fit once per fold, share across labels
            features = clone(estimator.named_steps["features"]).fit(texts[train])
            X_train, X_test = features.transform(texts[train]), features.transform(texts[test])
            classifier = estimator.named_steps["classifier"]
        for j in range(len(classes)):
            y = Y[train, j]
            if y.min() == y.max():  # nothing to learn: the smoothed base rate of this training part
                proba[test, j] = (y.sum() + 1.0) / (len(y) + 2.0)
            elif model is None:
                proba[test, j] = _positive_probability(clone(classifier).fit(X_train, y), X_test)
            else:
                proba[test, j] = _positive_probability(clone(model).fit(texts[train], y), texts[test])
    method = (f"{cv}-fold out-of-fold one-vs-rest {_oof.describe_model(estimator)}, folds {kind}, seed {seed}")
    return MultilabelPredictions(ids, Y, classes, np.clip(proba, 0.0, 1.0), method)


# ----------------------------------------------------------------------------- tables

def _check_pred(pred, caller: str) -> MultilabelPredictions:
    if not isinstance(pred, MultilabelPredictions):
        hint = (" For one label per item use the single-label tables (classification_table, label_issue_table)."
                if type(pred).__name__ == "Predictions" else "")
        raise ValidationError(f"The 'pred' parameter of {caller} must be a MultilabelPredictions (from "
                              f"multilabel_predictions). Got {type(pred).__name__} instead.{hint}")
    return pred


def multilabel_classification_table(pred) -> pd.DataFrame:
    """Per label precision, recall, F1 of the model's label sets against the given ones, and averages.

    A label is predicted when its probability is above 0.5. Numbers are
    ``sklearn.metrics.precision_recall_fscore_support`` on the indicator matrices, with
    ``zero_division=0`` (a label never predicted has precision 0).

    Returns
    -------
    pandas.DataFrame
        ``level, label, support, predicted, precision, recall, f1``. ``level == "label"`` rows:
        one per label, worst F1 first (ties: by label); ``support`` items given it, ``predicted``
        items predicted to have it. Then four ``level == "average"`` rows whose ``label`` is
        ``micro`` (pooled over every (item, label) decision), ``macro`` (unweighted mean over
        labels), ``weighted`` (weighted by support) and ``samples`` (mean over items of each
        item's scores); their ``support`` and ``predicted`` are the totals.

    Examples
    --------
    >>> from workbench.error_analysis import MultilabelPredictions, multilabel_classification_table
    >>> pred = MultilabelPredictions([1, 2, 3], [[1, 1], [1, 0], [0, 1]], ("bug", "crash"),
    ...                              [[.9, .2], [.8, .1], [.3, .7]], "hand-made")
    >>> multilabel_classification_table(pred)
         level    label  support  predicted  precision    recall        f1
    0    label    crash        2          1   1.000000  0.500000  0.666667
    1    label      bug        2          2   1.000000  1.000000  1.000000
    2  average    micro        4          3   1.000000  0.750000  0.857143
    3  average    macro        4          3   1.000000  0.750000  0.833333
    4  average weighted        4          3   1.000000  0.750000  0.833333
    5  average  samples        4          3   1.000000  0.833333  0.888889
    """
    from sklearn.metrics import precision_recall_fscore_support

    pred = _check_pred(pred, "multilabel_classification_table")
    Y, P = pred.given, pred.predicted
    k = len(pred.classes)
    p, r, f, s = precision_recall_fscore_support(Y, P, labels=np.arange(k), zero_division=0)
    rows = pd.DataFrame({"level": "label", "label": pd.Series(list(pred.classes), dtype=object), "support": s,
                         "predicted": P.sum(axis=0), "precision": p, "recall": r, "f1": f})
    order = sorted(range(k), key=lambda i: (f[i], str(pred.classes[i])))
    rows = rows.iloc[order]
    averages = []
    for average in ("micro", "macro", "weighted", "samples"):
        if len(Y):
            ap, ar, af, _ = precision_recall_fscore_support(Y, P, labels=np.arange(k), average=average,
                                                            zero_division=0)
        else:
            ap = ar = af = 0.0
        averages.append(("average", average, int(Y.sum()), int(P.sum()), float(ap), float(ar), float(af)))
    table = pd.concat([rows, pd.DataFrame(averages, columns=rows.columns)], ignore_index=True)
    return table.astype({"support": int, "predicted": int})


def _cleanlab_issues(pred: MultilabelPredictions, filter_by: str, caller: str):
    """(item mask, (n, L) per-label mask, label quality) from cleanlab's multi-label functions."""
    for module in ("cleanlab.multilabel_classification.filter", "cleanlab.multilabel_classification.rank"):
        import_optional(module, needed_for=caller, install="cleanlab>=2.6")
    filt = sys.modules["cleanlab.multilabel_classification.filter"]
    rank = sys.modules["cleanlab.multilabel_classification.rank"]
    n, k = pred.given.shape
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros((0, k), dtype=bool), np.zeros(0)
    sets = [np.flatnonzero(row).tolist() for row in pred.given]
    proba = pred.probabilities
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mask = filt.find_label_issues(sets, proba, filter_by=filter_by, n_jobs=1)
        per_label = filt.find_multilabel_issues_per_class(sets, proba, filter_by=filter_by, n_jobs=1)
        quality = rank.get_label_quality_scores(sets, proba)
    if any("too few examples" in str(w.message) for w in caught):
        pos = pred.given.sum(axis=0)
        few = [str(c) for c, p in zip(pred.classes, pos) if min(p, n - p) < 2]
        warnings.warn(f"{caller}: issues may be missed for labels given to (or missing from) fewer than 2 items: "
                      f"{shown(few)} (cleanlab cannot judge a label without examples of both). Label more items.",
                      WorkbenchWarning, stacklevel=3)
    for w in caught:
        if "too few examples" not in str(w.message):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return np.asarray(mask, dtype=bool), np.asarray(per_label, dtype=bool), np.asarray(quality, dtype=float)


def multilabel_label_issue_table(pred, *, filter_by: str = "prune_by_noise_rate", top=None) -> pd.DataFrame:
    """Items whose given label set is probably wrong, most suspicious first (cleanlab multi-label).

    An item is flagged by ``cleanlab.multilabel_classification.filter.find_label_issues`` (each
    label judged one-vs-rest by confident learning; an item is flagged when any of its labels
    is). Which labels are wrong comes from cleanlab's per-label result
    (``find_multilabel_issues_per_class``): a flagged label the item was given is probably
    wrongly applied (``labels_to_remove``), a flagged label it was not given is probably
    missing (``labels_to_add``). Ranked by cleanlab's
    ``multilabel_classification.rank.get_label_quality_scores`` (self-confidence per label,
    aggregated by an exponential moving average).

    Parameters
    ----------
    pred : MultilabelPredictions
    filter_by : str, default="prune_by_noise_rate"
        cleanlab's filter, one of :data:`MULTILABEL_ISSUE_FILTERS` (the filters that flag
        individual labels; cleanlab's default first).
    top : int, optional
        Keep only the ``top`` most suspicious items.

    Returns
    -------
    pandas.DataFrame
        ``item_id, given, suggested, labels_to_add, labels_to_remove, label_quality, rank,
        method``: only flagged items. ``given`` and ``suggested`` (``given`` plus
        ``labels_to_add`` minus ``labels_to_remove``) are lists of labels in class order;
        ``label_quality`` in [0, 1], lower = more suspicious; ``rank`` 1 = lowest.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.error_analysis import MultilabelPredictions, multilabel_label_issue_table
    >>> given = np.array([[1, 1]] * 9 + [[1, 0]] + [[0, 0]] * 10)    # item 9 misses "crash"
    >>> proba = np.array([[.95, .95]] * 10 + [[.05, .05]] * 10)
    >>> pred = MultilabelPredictions(np.arange(20), given, ("bug", "crash"), proba, "hand-made")
    >>> multilabel_label_issue_table(pred)[["item_id", "given", "labels_to_add", "labels_to_remove", "rank"]]
       item_id  given labels_to_add labels_to_remove  rank
    0        9  [bug]       [crash]               []     1
    """
    caller = "multilabel_label_issue_table"
    pred = _check_pred(pred, caller)
    filter_by = check_option(filter_by, MULTILABEL_ISSUE_FILTERS, param="filter_by", caller=caller)
    if top is not None:
        top = check_positive_int(top, param="top", caller=caller, minimum=0)
    mask, per_label, quality = _cleanlab_issues(pred, filter_by, caller)
    flagged = np.flatnonzero(mask)
    flagged = flagged[np.lexsort((flagged, quality[flagged]))]
    if top is not None:
        flagged = flagged[:top]
    G, F = pred.given[flagged], per_label[flagged]
    add, remove = F & (G == 0), F & (G == 1)
    suggested = (G.astype(bool) | add) & ~remove
    return pd.DataFrame({
        "item_id": np.asarray(pred.item_ids)[flagged],
        "given": pd.Series(pred.label_sets(G), dtype=object),
        "suggested": pd.Series(pred.label_sets(suggested), dtype=object),
        "labels_to_add": pd.Series(pred.label_sets(add), dtype=object),
        "labels_to_remove": pd.Series(pred.label_sets(remove), dtype=object),
        "label_quality": quality[flagged],
        "rank": np.arange(1, len(flagged) + 1),
        "method": (f"cleanlab multilabel find_label_issues(filter_by={filter_by!r}); ranked by "
                   "multilabel get_label_quality_scores"),
    })


def per_label_issue_table(pred, *, filter_by: str = "prune_by_noise_rate", n_examples=3) -> pd.DataFrame:
    """How many label issues each label accounts for: probably missing, or probably wrongly applied.

    The per-label counts behind :func:`multilabel_label_issue_table` (same cleanlab run).

    Parameters
    ----------
    pred : MultilabelPredictions
    filter_by : str, default="prune_by_noise_rate"
        As in :func:`multilabel_label_issue_table`.
    n_examples : int, default=3
        Item ids to list per label, most suspicious first.

    Returns
    -------
    pandas.DataFrame
        ``label, support, n_issues, n_missing, n_extra, issue_share, example_item_ids``, one
        row per label, most issues first (ties: by label). ``support``: items given the label;
        ``n_missing``: items not given it that probably should have been; ``n_extra``: items
        given it that probably should not; ``n_issues = n_missing + n_extra``;
        ``issue_share = n_issues / items``.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.error_analysis import MultilabelPredictions, per_label_issue_table
    >>> given = np.array([[1, 1]] * 9 + [[1, 0]] + [[0, 0]] * 10)
    >>> proba = np.array([[.95, .95]] * 10 + [[.05, .05]] * 10)
    >>> pred = MultilabelPredictions(np.arange(20), given, ("bug", "crash"), proba, "hand-made")
    >>> per_label_issue_table(pred)[["label", "support", "n_issues", "n_missing", "n_extra"]]
       label  support  n_issues  n_missing  n_extra
    0  crash        9         1          1        0
    1    bug       10         0          0        0
    """
    caller = "per_label_issue_table"
    pred = _check_pred(pred, caller)
    filter_by = check_option(filter_by, MULTILABEL_ISSUE_FILTERS, param="filter_by", caller=caller)
    n_examples = check_positive_int(n_examples, param="n_examples", caller=caller, minimum=0)
    _, per_label, quality = _cleanlab_issues(pred, filter_by, caller)
    G = pred.given.astype(bool)
    missing, extra = (per_label & ~G).sum(axis=0), (per_label & G).sum(axis=0)
    ids = np.asarray(pred.item_ids)
    examples = []
    for j in range(len(pred.classes)):
        hit = np.flatnonzero(per_label[:, j])
        hit = hit[np.lexsort((hit, quality[hit]))]
        examples.append(ids[hit[:n_examples]].tolist())
    n = max(len(ids), 1)
    table = pd.DataFrame({"label": pd.Series(list(pred.classes), dtype=object),
                          "support": G.sum(axis=0).astype(int), "n_issues": (missing + extra).astype(int),
                          "n_missing": missing.astype(int), "n_extra": extra.astype(int),
                          "issue_share": (missing + extra) / n, "example_item_ids": examples})
    table = table.assign(_l=table["label"].astype(str)).sort_values(["n_issues", "_l"], ascending=[False, True])
    return table.drop(columns="_l").reset_index(drop=True)
