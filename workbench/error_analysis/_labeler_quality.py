"""Labeler quality: each labeler against a reference label per item, CROWDLAB, and feedback.

Private module of :mod:`workbench.error_analysis` (re-exported there). Analysis layer:
DataFrames in, DataFrames out, never the store.

- :func:`reference_labels`: the best available reference per judgement -- gold, else an
  adjudication, else the majority of the *other* labelers of the item (leave-one-out);
- :func:`labeler_quality_table`, :func:`labeler_category_table`,
  :func:`labeler_confusion_table`: each labeler's accuracy, per-category precision, recall
  and F1 (with intervals) and confusions against such a reference;
- :func:`crowdlab_table`: CROWDLAB (``cleanlab.multiannotator``) labeler quality and
  consensus labels, which also weigh a model's out-of-fold probabilities;
- :func:`feedback_digest`, :func:`feedback_digest_html`: one labeler's mistakes with the
  taxonomy rule that decides each.

Judgements are the rows of ``annotations`` with a label; when a ``kind`` column is present
only ``kind`` ``'label'`` or ``'quiz'`` (or missing) rows count, and a repeated (item,
labeler) keeps its last row. Output columns use the canonical names ``item_id`` and
``annotator`` whatever ``item_col`` and ``annotator_col`` say.

Examples
--------
>>> import pandas as pd
>>> ann = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": ["ana", "ben"] * 3,
...                     "label": ["x", "x", "y", "x", "y", "y"]})
>>> gold = pd.Series({1: "x", 2: "y", 3: "y"})
>>> labeler_quality_table(ann, gold)[["annotator", "n_items", "n_correct", "accuracy"]]
  annotator  n_items  n_correct  accuracy
0       ana        3          3  1.000000
1       ben        3          2  0.666667
"""

from __future__ import annotations

import difflib
import warnings
from typing import Any, Mapping, Optional, Sequence

import numpy as np
import pandas as pd

from ._predictions import Predictions
from ._tables import _is_multilabel
from .._internal.markup import escape_text
from .._internal.optional import import_optional
from .._internal.intervals import wilson_interval
from .._internal.validation import (ANNOTATOR_COL, ITEM_COL, LABEL_COL, check_columns, check_option,
                                    check_positive_int, check_random_state, shown)
from .._internal.votes import majority_vote
from ..exceptions import DataError, TaxonomyError, ValidationError, WorkbenchWarning

__all__ = ["reference_labels", "labeler_quality_table", "labeler_category_table", "labeler_confusion_table",
           "crowdlab_table", "feedback_digest", "feedback_digest_html", "F1_INTERVALS"]

#: ``kind`` values whose rows are a labeler's own judgement.
JUDGEMENT_KINDS = ("label", "quiz")
#: Sources of :func:`reference_labels`, best first.
SOURCES = ("gold", "adjudication", "consensus")
#: Methods of the F1 interval in :func:`labeler_category_table` (the default first).
F1_INTERVALS = ("jaccard_wilson", "bootstrap")

REFERENCE_COLUMNS = ["item_id", "annotator", "label", "reference_label", "reference_source", "n_others"]
QUALITY_COLUMNS = ["annotator", "n_items", "n_correct", "accuracy", "accuracy_ci_low", "accuracy_ci_high",
                   "macro_precision", "macro_recall", "macro_f1", "reference", "reference_sources"]
CATEGORY_COLUMNS = ["annotator", "category", "support", "n_given", "n_correct", "precision", "precision_ci_low",
                    "precision_ci_high", "recall", "recall_ci_low", "recall_ci_high", "f1", "f1_ci_low",
                    "f1_ci_high", "reference"]
CONFUSION_COLUMNS = ["annotator", "reference_label", "given_label", "count", "share_of_reference", "reference"]
CROWDLAB_LABELER_COLUMNS = ["annotator", "n_items", "annotator_quality", "agreement_with_consensus", "worst_class"]
CROWDLAB_ITEM_COLUMNS = ["item_id", "consensus_label", "consensus_quality", "annotator_agreement", "n_annotations",
                         "majority_label", "majority_tied", "agrees_with_majority"]
DIGEST_COLUMNS = ["item_id", "text", "given_label", "reference_label", "reference_source", "definition",
                  "include", "exclude", "edge_cases"]


# ----------------------------------------------------------------------------- inputs

def _judgements(annotations, *, caller, item_col, annotator_col, label_col) -> pd.DataFrame:
    """``item_id, annotator, label``: one row per (item, labeler) judgement, in input order."""
    if not isinstance(annotations, pd.DataFrame):
        raise ValidationError(f"The 'annotations' parameter of {caller} must be a pandas DataFrame "
                              f"({item_col}, {annotator_col}, {label_col}). Got {type(annotations).__name__} instead.")
    check_columns(annotations, [item_col, annotator_col, label_col], what=f"The annotations passed to {caller}")
    df = annotations
    if "kind" in df.columns:
        df = df[df["kind"].isna() | df["kind"].isin(JUDGEMENT_KINDS)]
    df = df[df[label_col].notna()]
    no_id = df[item_col].isna() | df[annotator_col].isna()
    if no_id.any():
        raise DataError(f"{caller}: {int(no_id.sum())} annotation rows have no {item_col} or no {annotator_col} "
                        f"(e.g. row {_py(df.index[no_id][0])!r}), so they cannot be attributed. Fill or drop them.",
                        reason="missing_id", failure_cases=df[no_id])
    listy = df[label_col].map(_is_multilabel)
    if listy.any():
        raise DataError(f"{caller} compares single labels; {int(listy.sum())} annotations hold label lists (e.g. "
                        f"item {_py(df.loc[listy, item_col].iloc[0])!r}). Score multi-label data one category at "
                        "a time (a yes/no label per category).", reason="multilabel", failure_cases=df[listy])
    df = df.drop_duplicates([item_col, annotator_col], keep="last")
    if df.empty:
        raise DataError(f"{caller}: the annotations hold no judgement (no row with a label"
                        f"{' and kind label or quiz' if 'kind' in annotations.columns else ''}).",
                        reason="no_annotations")
    return pd.DataFrame({"item_id": df[item_col].to_numpy(), "annotator": df[annotator_col].to_numpy(),
                         "label": df[label_col].to_numpy(dtype=object)})


def _per_item(reference, *, caller, what, item_col, label_col) -> pd.Series:
    """A Series item -> label from a DataFrame (item_col, label_col), a Series or a mapping."""
    if isinstance(reference, Mapping) and not isinstance(reference, (pd.Series, pd.DataFrame)):
        reference = pd.Series(dict(reference), dtype=object)
    if isinstance(reference, pd.DataFrame):
        check_columns(reference, [item_col, label_col], what=f"The {what} passed to {caller}",
                      hint="Pass a DataFrame with the item id and label columns (or name them with item_col= "
                           "and label_col=), or a Series of labels indexed by item id.")
        series = pd.Series(reference[label_col].to_numpy(dtype=object), index=reference[item_col].to_numpy())
    elif isinstance(reference, pd.Series):
        series = pd.Series(reference.to_numpy(dtype=object), index=reference.index.to_numpy())
    else:
        raise ValidationError(f"The {what!r} parameter of {caller} must be a DataFrame ({item_col}, {label_col}), "
                              f"a Series or a dict of labels by item id. Got {type(reference).__name__} instead.")
    series = series[series.notna()]
    listy = series.map(_is_multilabel)
    if listy.any():
        raise DataError(f"The {what} passed to {caller} must hold one label per item; {int(listy.sum())} hold "
                        f"label lists (e.g. item {_py(series.index[listy.to_numpy()][0])!r}).", reason="multilabel")
    dup = series.index.duplicated(keep=False)
    if dup.any():
        frame = pd.DataFrame({"item_id": series.index[dup], "label": series.to_numpy()[dup]})
        clash = frame.groupby("item_id", sort=False)["label"].nunique()
        clash = clash[clash > 1].index.tolist()
        if clash:
            raise DataError(f"The {what} passed to {caller} gives different labels to item(s) {shown(clash)}; "
                            "keep one label per item.", reason="duplicate_item",
                            failure_cases=frame[frame["item_id"].isin(clash)])
        series = series[~series.index.duplicated(keep="first")]
    return series


def _reference(reference, *, caller, reference_name, item_col, label_col):
    """(frame, per_judgement): ``item_id[, annotator], reference, source``."""
    if isinstance(reference, pd.DataFrame) and {"item_id", "annotator", "reference_label"} <= set(reference.columns):
        frame = reference[reference["reference_label"].notna()]
        source = (frame["reference_source"].to_numpy(dtype=object) if "reference_source" in frame.columns
                  else np.full(len(frame), reference_name, dtype=object))
        out = pd.DataFrame({"item_id": frame["item_id"].to_numpy(), "annotator": frame["annotator"].to_numpy(),
                            "reference": frame["reference_label"].to_numpy(dtype=object), "source": source})
        if out.duplicated(["item_id", "annotator"]).any():
            raise DataError(f"The reference passed to {caller} has several rows for one (item_id, annotator); "
                            "pass the output of reference_labels unchanged.", reason="duplicate_item",
                            failure_cases=out[out.duplicated(["item_id", "annotator"], keep=False)])
        return out, True
    series = _per_item(reference, caller=caller, what="reference", item_col=item_col, label_col=label_col)
    return pd.DataFrame({"item_id": series.index.to_numpy(), "reference": series.to_numpy(dtype=object),
                         "source": reference_name}), False


def _py(value):
    """A numpy scalar as the Python value, so that messages show ``6``, not ``np.int64(6)``."""
    return value.item() if isinstance(value, np.generic) else value


def _type_hint(ref_ids, ann_ids, what="reference") -> str:
    """When the ids of ``what`` and of the annotations differ in type, a sentence saying so (and a space)."""
    ref_ex = _py(next(iter(ref_ids), None))
    ann_ex = _py(next(iter(ann_ids), None))
    if ref_ex is None:
        return f"The {what} is empty. "
    if type(ref_ex) is type(ann_ex):
        return ""
    return (f"The {what}'s item ids look like {ref_ex!r} ({type(ref_ex).__name__}), the annotations' like "
            f"{ann_ex!r} ({type(ann_ex).__name__}); key the {what} by the same ids ('1' is not 1). ")


def _looked_up(judged, ref, per_judgement) -> pd.DataFrame:
    """``judged`` plus ``reference`` and ``source`` (missing where the judgement has no reference)."""
    if per_judgement:
        key = pd.MultiIndex.from_arrays([judged["item_id"], judged["annotator"]])
        found = ref.set_index(["item_id", "annotator"]).reindex(key)
    else:
        found = ref.set_index("item_id").reindex(judged["item_id"])
    return judged.assign(reference=found["reference"].to_numpy(dtype=object),
                         source=found["source"].to_numpy(dtype=object))


def _attach(judged, ref, per_judgement, *, caller, reference_name) -> pd.DataFrame:
    """:func:`_looked_up`, refusing a reference that covers none of the judged items."""
    out = _looked_up(judged, ref, per_judgement)
    if not out["reference"].notna().any():
        hint = _type_hint(ref["item_id"], judged["item_id"]).strip() or (
            "Pass a reference for the annotated items (e.g. reference_labels(annotations) for a leave-one-out "
            "consensus).")
        raise DataError(f"{caller}: none of the {judged['item_id'].nunique()} annotated items has a "
                        f"{reference_name} label, so no labeler can be scored. {hint}", reason="no_overlap")
    return out


def _scored(annotations, reference, *, caller, reference_name, item_col, annotator_col, label_col):
    """(judgements with reference, the rows that have one, annotators sorted); warns about labelers without any."""
    judged = _judgements(annotations, caller=caller, item_col=item_col, annotator_col=annotator_col,
                         label_col=label_col)
    ref, per_judgement = _reference(reference, caller=caller, reference_name=reference_name, item_col=item_col,
                                    label_col=label_col)
    judged = _attach(judged, ref, per_judgement, caller=caller, reference_name=reference_name)
    scored = judged[judged["reference"].notna()]
    annotators = sorted(pd.unique(judged["annotator"]), key=str)
    lonely = sorted(set(annotators) - set(scored["annotator"]), key=str)
    if lonely:
        warnings.warn(f"{caller}: {len(lonely)} labeler(s) have no item with a {reference_name} label, so they "
                      f"cannot be scored: {shown(lonely)}. Give them gold items, or use reference_labels("
                      "annotations) for a leave-one-out consensus on items others labeled too.",
                      WorkbenchWarning, stacklevel=3)
    return judged, scored, annotators


def _check_confidence(confidence, caller) -> float:
    ok = isinstance(confidence, (int, float, np.integer, np.floating)) and not isinstance(confidence, bool)
    if not ok or not 0.0 < float(confidence) < 1.0:
        raise ValidationError(f"The 'confidence' parameter of {caller} must be a number in (0, 1), e.g. 0.95. "
                              f"Got {confidence!r} instead.")
    return float(confidence)


def _str_key(values):
    return np.array([str(v) for v in values], dtype=object)


def _category_counts(scored) -> pd.DataFrame:
    """Per (annotator, category): ``support`` (reference), ``n_given`` and ``n_correct``, sorted."""
    given = scored.groupby(["annotator", "label"], sort=False).size()
    support = scored.groupby(["annotator", "reference"], sort=False).size()
    hit = scored[scored["label"] == scored["reference"]]
    correct = hit.groupby(["annotator", "label"], sort=False).size()
    for s in (given, support, correct):
        s.index = s.index.set_names(["annotator", "category"])
    counts = pd.concat({"support": support, "n_given": given, "n_correct": correct}, axis=1).fillna(0).astype(int)
    counts = counts.reset_index()
    order = np.lexsort((_str_key(counts["category"]), _str_key(counts["annotator"])))
    return counts.iloc[order].reset_index(drop=True)


def _prf(counts):
    """Precision, recall, F1 with sklearn's ``zero_division=0``."""
    tp, given, support = (counts[c].to_numpy(dtype=float) for c in ("n_correct", "n_given", "support"))
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(given > 0, tp / given, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(given + support > 0, 2 * tp / (given + support), 0.0)
    return precision, recall, f1


# ----------------------------------------------------------------------------- reference

def reference_labels(annotations: pd.DataFrame, *, gold=None, adjudications=None, min_others: int = 1,
                     item_col: str = ITEM_COL, annotator_col: str = ANNOTATOR_COL,
                     label_col: str = LABEL_COL) -> pd.DataFrame:
    """The best available reference label for every judgement, and where it came from.

    The reference of labeler ``a`` on item ``i`` is, in this order: the gold label of ``i``;
    else its adjudicated label; else the **leave-one-out consensus**, the plurality label
    of the *other* labelers of ``i`` (``a``'s own vote left out, so that nobody is judged
    against their own answer and a labeler alone on an item gets no free agreement). When
    the other labelers tie for the top label the judgement has no reference
    (``reference_source='tie'``), and when fewer than ``min_others`` others labeled the
    item neither (``'too_few_others'``): the scoring tables leave such judgements out.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long format, one row per judgement (``item_col, annotator_col, label_col``).
    gold : DataFrame (``item_col``, ``label_col``), Series or dict item -> label, optional
        Known right answers (gold or quiz items).
    adjudications : DataFrame (``item_col``, ``label_col``), Series or dict item -> label, optional
        Labels decided by a reviewer.
    min_others : int, default 1
        Fewest other labelers an item needs for a consensus reference.
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        One row per judgement, in input order: ``item_id, annotator, label`` (the labeler's
        answer), ``reference_label`` (None where there is none), ``reference_source``
        (``'gold'``, ``'adjudication'``, ``'consensus'``, ``'tie'`` or ``'too_few_others'``),
        ``n_others`` (other labelers of the item). Pass it as the ``reference`` of the
        ``labeler_*`` tables and :func:`feedback_digest`.

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": [1, 1, 1, 2, 2], "annotator": ["ana", "ben", "cy", "ana", "ben"],
    ...                     "label": ["x", "x", "y", "x", "y"]})
    >>> reference_labels(ann, adjudications={2: "y"})
       item_id annotator label reference_label reference_source  n_others
    0        1       ana     x            None              tie         2
    1        1       ben     x            None              tie         2
    2        1        cy     y               x        consensus         2
    3        2       ana     x               y     adjudication         1
    4        2       ben     y               y     adjudication         1

    On item 1, ana's reference is the vote of ben and cy without her own: a tie, so none.
    """
    caller = "reference_labels"
    min_others = check_positive_int(min_others, param="min_others", caller=caller, minimum=1)
    judged = _judgements(annotations, caller=caller, item_col=item_col, annotator_col=annotator_col,
                         label_col=label_col).reset_index(drop=True)
    n = len(judged)
    j = judged.assign(_r=np.arange(n))
    counts = j.groupby(["item_id", "label"], sort=False).size().rename("n").reset_index()
    pairs = j[["_r", "item_id", "label"]].merge(counts, on="item_id", suffixes=("", "_other"))
    pairs["n"] = pairs["n"] - (pairs["label_other"] == pairs["label"]).astype(int)  # leave the own vote out
    pairs = pairs[pairs["n"] > 0]
    best = pairs[pairs["n"] == pairs.groupby("_r")["n"].transform("max")]
    n_best = best.groupby("_r").size().reindex(np.arange(n), fill_value=0).to_numpy()
    top = best.groupby("_r")["label_other"].first().reindex(np.arange(n)).to_numpy(dtype=object)
    n_others = j.groupby("item_id", sort=False)["label"].transform("size").to_numpy() - 1
    enough = n_others >= min_others
    reference = np.where(enough & (n_best == 1), top, None).astype(object)
    source = np.where(~enough, "too_few_others", np.where(n_best == 1, "consensus", "tie")).astype(object)
    for what, given in (("adjudications", adjudications), ("gold", gold)):  # gold last: it wins
        if given is None:
            continue
        series = _per_item(given, caller=caller, what=what, item_col=item_col, label_col=label_col)
        found = series.reindex(judged["item_id"]).to_numpy(dtype=object)
        has = pd.notna(found)
        if not has.any() and len(series):
            warnings.warn(f"{caller}: none of the annotated items is in {what}, so it is not used. "
                          f"{_type_hint(series.index, judged['item_id'], what)}".rstrip(), WorkbenchWarning,
                          stacklevel=2)
        reference[has] = found[has]
        source[has] = "gold" if what == "gold" else "adjudication"
    reference = pd.Series(reference, dtype=object).where(pd.notna(reference), None)
    return pd.DataFrame({"item_id": judged["item_id"], "annotator": judged["annotator"], "label": judged["label"],
                         "reference_label": reference, "reference_source": source, "n_others": n_others},
                        columns=REFERENCE_COLUMNS)


# ----------------------------------------------------------------------------- tables

def labeler_quality_table(annotations: pd.DataFrame, reference, *, reference_name: str = "gold",
                          confidence: float = 0.95, item_col: str = ITEM_COL, annotator_col: str = ANNOTATOR_COL,
                          label_col: str = LABEL_COL) -> pd.DataFrame:
    """Per labeler: items scored against a reference, accuracy with a Wilson interval, macro P/R/F1.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long format, one row per judgement (``item_col, annotator_col, label_col``).
    reference : DataFrame (``item_col``, ``label_col``), Series, dict item -> label, or :func:`reference_labels` output
        The right label per item (gold items, adjudicated labels, a consensus), or per
        judgement (:func:`reference_labels`, leave-one-out). Items without a reference are
        not scored; reference items nobody labeled are ignored.
    reference_name : str, default 'gold'
        What the reference is, for the ``reference`` column and the messages.
    confidence : float, default 0.95
        Level of the accuracy interval.
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        One row per labeler, sorted: ``annotator, n_items`` (judgements with a reference),
        ``n_correct, accuracy, accuracy_ci_low, accuracy_ci_high`` (Wilson score interval),
        ``macro_precision, macro_recall, macro_f1`` (unweighted means over the categories in
        the labeler's given or reference labels, a metric with a zero denominator counting 0:
        ``sklearn.metrics.precision_recall_fscore_support(average='macro', zero_division=0)``),
        ``reference`` (``reference_name``), ``reference_sources`` (dict source -> judgements).
        A labeler with no scored item has ``n_items`` 0 and NaN metrics (with a WorkbenchWarning).

    Raises
    ------
    DataError
        Missing columns (``reason='missing_column'``), no annotated item in the reference
        (``'no_overlap'``), label lists (``'multilabel'``), conflicting reference labels
        (``'duplicate_item'``).

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": [1, 2, 3, 4], "annotator": "ana", "label": ["x", "x", "y", "y"]})
    >>> gold = {1: "x", 2: "y", 3: "y", 4: "y"}
    >>> row = labeler_quality_table(ann, gold).iloc[0]
    >>> [round(float(row[c]), 4) for c in ("accuracy", "accuracy_ci_low", "accuracy_ci_high")]
    [0.75, 0.3006, 0.9544]
    >>> [round(float(row[c]), 4) for c in ("macro_precision", "macro_recall", "macro_f1")]
    [0.75, 0.8333, 0.7333]
    """
    caller = "labeler_quality_table"
    confidence = _check_confidence(confidence, caller)
    judged, scored, annotators = _scored(annotations, reference, caller=caller, reference_name=reference_name,
                                         item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    counts = _category_counts(scored)
    p, r, f = _prf(counts)
    macro = counts[["annotator"]].assign(p=p, r=r, f=f).groupby("annotator", sort=False)[["p", "r", "f"]].mean()
    hits = (scored["label"] == scored["reference"]).to_numpy()
    by = scored.assign(_hit=hits).groupby("annotator", sort=False)
    n_items = by.size().reindex(annotators, fill_value=0).to_numpy()
    n_correct = by["_hit"].sum().reindex(annotators, fill_value=0).to_numpy().astype(int)
    low, high = wilson_interval(n_correct, n_items, confidence)
    sources = {a: dict(g["source"].value_counts(sort=False)) for a, g in scored.groupby("annotator", sort=False)}
    sources = [{str(k): int(v) for k, v in sources.get(a, {}).items()} for a in annotators]
    macro = macro.reindex(annotators)
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = np.where(n_items > 0, n_correct / np.where(n_items > 0, n_items, 1), np.nan)
    return pd.DataFrame({"annotator": pd.Series(annotators, dtype=object), "n_items": n_items,
                         "n_correct": n_correct, "accuracy": accuracy, "accuracy_ci_low": low,
                         "accuracy_ci_high": high, "macro_precision": macro["p"].to_numpy(),
                         "macro_recall": macro["r"].to_numpy(), "macro_f1": macro["f"].to_numpy(),
                         "reference": reference_name, "reference_sources": sources}, columns=QUALITY_COLUMNS)


def _bootstrap_f1(scored, counts, confidence, n_bootstrap, rng):
    """Percentile interval of each (annotator, category) F1, resampling that labeler's items."""
    low = np.full(len(counts), np.nan)
    high = np.full(len(counts), np.nan)
    alpha = (1.0 - confidence) / 2.0
    groups = dict(tuple(scored.groupby("annotator", sort=False)))
    for annotator, rows in counts.groupby("annotator", sort=False).groups.items():
        cats = counts.loc[rows, "category"].tolist()
        code = {c: i for i, c in enumerate(cats)}
        g = groups[annotator]
        k, n = len(cats), len(g)
        given = g["label"].map(code).to_numpy(dtype=int)
        ref = g["reference"].map(code).to_numpy(dtype=int)
        hit = np.where(given == ref, given, k)          # k = "not a hit"
        f1 = np.empty((n_bootstrap, k))
        step = max(1, 2_000_000 // max(n, 1))
        for s in range(0, n_bootstrap, step):
            b = min(step, n_bootstrap - s)
            idx = rng.integers(0, n, size=(b, n))
            offset = (np.arange(b) * (k + 1))[:, None]

            def tally(values):
                return np.bincount((values[idx] + offset).ravel(), minlength=b * (k + 1)).reshape(b, k + 1)[:, :k]

            tp, ng, sp = tally(hit), tally(given), tally(ref)
            with np.errstate(divide="ignore", invalid="ignore"):
                f1[s:s + b] = np.where(ng + sp > 0, 2 * tp / (ng + sp), np.nan)  # absent from a resample: skip
        quant = np.nanquantile(f1, [alpha, 1.0 - alpha], axis=0)
        low[np.asarray(rows)] = quant[0]
        high[np.asarray(rows)] = quant[1]
    return low, high


def labeler_category_table(annotations: pd.DataFrame, reference, *, reference_name: str = "gold",
                           confidence: float = 0.95, f1_interval: str = "jaccard_wilson", n_bootstrap: int = 1000,
                           random_state=None, item_col: str = ITEM_COL, annotator_col: str = ANNOTATOR_COL,
                           label_col: str = LABEL_COL) -> pd.DataFrame:
    """Per labeler and category: support, precision, recall and F1 against a reference, with intervals.

    For labeler ``a`` and category ``c``: ``n_correct`` = items where ``a`` gave ``c`` and
    the reference is ``c``; ``precision = n_correct / n_given`` and ``recall = n_correct /
    support``, each with a Wilson score interval; ``F1 = 2 n_correct / (n_given + support)``
    (sklearn's ``precision_recall_fscore_support`` with ``zero_division=0``).

    F1 intervals (``f1_interval``):

    - ``'jaccard_wilson'`` (default, exact and deterministic): F1 is a monotone function of
      the Jaccard index ``J = n_correct / (n_given + support - n_correct)``, ``F1 = 2J / (1 +
      J)``. Given the number of items that either side calls ``c``, ``n_correct`` is binomial
      with rate ``J``, so a Wilson interval for ``J`` mapped through ``2J / (1 + J)`` is an
      interval for F1.
    - ``'bootstrap'``: percentile interval over ``n_bootstrap`` resamples of the labeler's
      items (with replacement); resamples where neither side has ``c`` are skipped.

    Parameters
    ----------
    annotations : pandas.DataFrame
    reference : DataFrame, Series or dict item -> label, or the output of :func:`reference_labels`
        As in :func:`labeler_quality_table`.
    reference_name : str, default 'gold'
    confidence : float, default 0.95
    f1_interval : {'jaccard_wilson', 'bootstrap'}, default 'jaccard_wilson'
    n_bootstrap : int, default 1000
        Resamples for ``f1_interval='bootstrap'``.
    random_state : None, int or numpy Generator
        Seeds the bootstrap.
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        ``annotator, category, support, n_given, n_correct, precision, precision_ci_low,
        precision_ci_high, recall, recall_ci_low, recall_ci_high, f1, f1_ci_low, f1_ci_high,
        reference``: one row per category in the labeler's given or reference labels,
        sorted by labeler then category. A category the labeler never gave has precision 0
        and a NaN precision interval; likewise recall for a category with no support.

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": [1, 2, 3, 4], "annotator": "ana", "label": ["x", "x", "y", "y"]})
    >>> table = labeler_category_table(ann, {1: "x", 2: "y", 3: "y", 4: "y"})
    >>> table[["category", "support", "n_given", "n_correct", "precision", "recall", "f1"]]
      category  support  n_given  n_correct  precision    recall        f1
    0        x        1        2          1        0.5  1.000000  0.666667
    1        y        3        2          2        1.0  0.666667  0.800000
    """
    caller = "labeler_category_table"
    confidence = _check_confidence(confidence, caller)
    f1_interval = check_option(f1_interval, F1_INTERVALS, param="f1_interval", caller=caller)
    n_bootstrap = check_positive_int(n_bootstrap, param="n_bootstrap", caller=caller, minimum=2)
    rng = check_random_state(random_state)
    judged, scored, annotators = _scored(annotations, reference, caller=caller, reference_name=reference_name,
                                         item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    counts = _category_counts(scored)
    p, r, f = _prf(counts)
    p_low, p_high = wilson_interval(counts["n_correct"], counts["n_given"], confidence)
    r_low, r_high = wilson_interval(counts["n_correct"], counts["support"], confidence)
    if f1_interval == "jaccard_wilson":
        union = counts["n_given"] + counts["support"] - counts["n_correct"]
        j_low, j_high = wilson_interval(counts["n_correct"], union, confidence)
        f_low, f_high = 2 * j_low / (1 + j_low), 2 * j_high / (1 + j_high)
    else:
        f_low, f_high = _bootstrap_f1(scored, counts, confidence, n_bootstrap, rng)
    return pd.DataFrame({"annotator": counts["annotator"].to_numpy(dtype=object),
                         "category": counts["category"].to_numpy(dtype=object), "support": counts["support"],
                         "n_given": counts["n_given"], "n_correct": counts["n_correct"], "precision": p,
                         "precision_ci_low": p_low, "precision_ci_high": p_high, "recall": r,
                         "recall_ci_low": r_low, "recall_ci_high": r_high, "f1": f, "f1_ci_low": f_low,
                         "f1_ci_high": f_high, "reference": reference_name}, columns=CATEGORY_COLUMNS)


def labeler_confusion_table(annotations: pd.DataFrame, reference, *, reference_name: str = "gold",
                            item_col: str = ITEM_COL, annotator_col: str = ANNOTATOR_COL,
                            label_col: str = LABEL_COL) -> pd.DataFrame:
    """Per labeler: what they gave for each reference label, and the share of that reference label.

    Parameters
    ----------
    annotations : pandas.DataFrame
    reference : DataFrame, Series or dict item -> label, or the output of :func:`reference_labels`
        As in :func:`labeler_quality_table`.
    reference_name : str, default 'gold'
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        ``annotator, reference_label, given_label, count, share_of_reference, reference``:
        the non-zero cells of each labeler's confusion matrix (the diagonal included), where
        ``share_of_reference`` = count / the labeler's items with that reference label (so it
        sums to 1 per labeler and reference label). Sorted by labeler, reference label, then
        count (largest first).

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": [1, 2, 3, 4], "annotator": "ana", "label": ["x", "x", "y", "y"]})
    >>> labeler_confusion_table(ann, {1: "x", 2: "y", 3: "y", 4: "y"})
      annotator reference_label given_label  count  share_of_reference reference
    0       ana               x           x      1            1.000000      gold
    1       ana               y           y      2            0.666667      gold
    2       ana               y           x      1            0.333333      gold
    """
    caller = "labeler_confusion_table"
    judged, scored, annotators = _scored(annotations, reference, caller=caller, reference_name=reference_name,
                                         item_col=item_col, annotator_col=annotator_col, label_col=label_col)
    cells = scored.groupby(["annotator", "reference", "label"], sort=False).size().rename("count").reset_index()
    support = cells.groupby(["annotator", "reference"], sort=False)["count"].transform("sum")
    cells = cells.assign(share=cells["count"] / support)
    order = np.lexsort((_str_key(cells["label"]), -cells["count"].to_numpy(), _str_key(cells["reference"]),
                        _str_key(cells["annotator"])))
    cells = cells.iloc[order]
    return pd.DataFrame({"annotator": cells["annotator"].to_numpy(dtype=object),
                         "reference_label": cells["reference"].to_numpy(dtype=object),
                         "given_label": cells["label"].to_numpy(dtype=object),
                         "count": cells["count"].to_numpy(dtype=int), "share_of_reference": cells["share"].to_numpy(),
                         "reference": reference_name}, columns=CONFUSION_COLUMNS)


# ----------------------------------------------------------------------------- CROWDLAB

def _probabilities(pred_probs, labels, *, caller) -> pd.DataFrame:
    """Probabilities as a DataFrame indexed by item id, one column per class in ``labels`` order."""
    if isinstance(pred_probs, Predictions):
        frame = pd.DataFrame(pred_probs.probabilities, index=pd.Index(pred_probs.item_ids),
                             columns=list(pred_probs.classes))
    elif isinstance(pred_probs, pd.DataFrame):
        frame = pred_probs
    else:
        raise ValidationError(
            f"The 'pred_probs' parameter of {caller} must be a Predictions (cross_validated_predictions) or a "
            f"DataFrame indexed by item id with one column per label. Got {type(pred_probs).__name__} instead. "
            "Wrap an array as pd.DataFrame(probabilities, index=item_ids, columns=labels).")
    if frame.index.duplicated().any():
        dup = frame.index[frame.index.duplicated()].unique().tolist()
        raise DataError(f"pred_probs passed to {caller} has several rows for item(s) {shown(dup)}; keep one row "
                        "per item.", reason="duplicate_item")
    columns = list(frame.columns)
    if labels is not None:
        labels = list(labels)
        missing = [c for c in labels if c not in columns]
        extra = [c for c in columns if c not in labels]
        if missing or extra or len(set(labels)) != len(labels):
            raise DataError(f"The columns of pred_probs passed to {caller} must be exactly the labels {shown(labels)}; "
                            f"missing {missing}, not in labels {extra}. Pass labels in the model's class order "
                            "(e.g. labels=pred.classes).", reason="label_mismatch")
        frame = frame[labels]
    values = frame.to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any() or (values > 1).any():
        raise DataError(f"pred_probs passed to {caller} must hold probabilities in [0, 1] (no NaN).",
                        reason="bad_probabilities")
    return frame


def crowdlab_table(annotations: pd.DataFrame, pred_probs, *, labels: Optional[Sequence] = None,
                   by: str = "labeler", consensus_method: str = "best_quality", item_col: str = ITEM_COL,
                   annotator_col: str = ANNOTATOR_COL, label_col: str = LABEL_COL) -> pd.DataFrame:
    """CROWDLAB labeler quality (``by='labeler'``) or consensus labels (``by='item'``).

    Runs ``cleanlab.multiannotator.get_label_quality_multiannotator`` (Goh, Tkachenko and
    Mueller 2022, "CROWDLAB"), which weighs every labeler's answers and a model's
    probabilities by how trustworthy each looks, and returns its numbers unchanged, with
    labels instead of class indices.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long format, one row per judgement. At least two labelers, and some item with two
        or more labels.
    pred_probs : Predictions or pandas.DataFrame
        Class probabilities from a model, per item: a :class:`Predictions` from
        :func:`cross_validated_predictions` (out-of-fold, so no item is scored by a model
        that saw its label), or a DataFrame **indexed by item id** with one column per
        label. Rows are aligned to the annotated items by item id; every annotated item
        needs a row (extra rows are ignored). To align an array ``proba`` of shape
        ``(n, k)`` whose rows follow ``item_ids``, pass
        ``pd.DataFrame(proba, index=item_ids, columns=labels)``.
    labels : sequence, optional
        All classes, in the order cleanlab numbers them; the columns of ``pred_probs`` must
        be exactly these. Default: the columns of ``pred_probs`` (the model's classes).
    by : {'labeler', 'item'}, default 'labeler'
    consensus_method : {'best_quality', 'majority_vote'}, default 'best_quality'
        cleanlab's consensus method (its default).
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        ``by='labeler'``: ``annotator, n_items, annotator_quality, agreement_with_consensus,
        worst_class`` (cleanlab's ``annotator_stats``; ``n_items`` is its
        ``num_examples_labeled``), lowest quality first. ``by='item'``: ``item_id,
        consensus_label, consensus_quality`` (cleanlab's ``consensus_quality_score``),
        ``annotator_agreement, n_annotations``, then the plain majority vote beside it:
        ``majority_label`` (ties: the smallest label, as everywhere in the workbench),
        ``majority_tied``, ``agrees_with_majority``; items in order of first appearance.

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": [1, 1, 1, 2, 2, 2, 3, 3], "annotator": list("abcabcab"),
    ...                     "label": list("xxyyyyxy")})
    >>> proba = pd.DataFrame({"x": [0.8, 0.3, 0.9], "y": [0.2, 0.7, 0.1]}, index=[1, 2, 3])
    >>> crowdlab_table(ann, proba, by="item")[["item_id", "consensus_label", "majority_label",
    ...                                        "majority_tied", "agrees_with_majority"]]
       item_id consensus_label majority_label  majority_tied  agrees_with_majority
    0        1               x              x          False                  True
    1        2               y              y          False                  True
    2        3               x              x           True                  True

    With out-of-fold probabilities of a text model trained on the majority labels
    (``cy`` gets every third item wrong):

    >>> import numpy as np
    >>> from workbench.agreement import consensus_table
    >>> from workbench.error_analysis import cross_validated_predictions
    >>> items = pd.DataFrame({"item_id": range(12),
    ...                       "text": ["card lost", "lost my card", "refund please", "want a refund"] * 3})
    >>> right = ["card", "card", "refund", "refund"] * 3
    >>> swap = {"card": "refund", "refund": "card"}
    >>> ann = pd.DataFrame({"item_id": np.repeat(range(12), 3), "annotator": ["ana", "ben", "cy"] * 12,
    ...                     "label": [swap[r] if a == "cy" and i % 3 == 0 else r
    ...                               for i, r in enumerate(right) for a in ("ana", "ben", "cy")]})
    >>> majority = consensus_table(ann).set_index("item_id")["label"]
    >>> pred = cross_validated_predictions(items, majority, cv=3, random_state=0, progress=False)
    >>> probs = pd.DataFrame(pred.probabilities, index=pred.item_ids, columns=pred.classes)  # = passing pred
    >>> crowdlab_table(ann, probs)[["annotator", "n_items", "agreement_with_consensus", "worst_class"]]
      annotator  n_items  agreement_with_consensus worst_class
    0        cy       12                  0.666667        card
    1       ana       12                  1.000000        card
    2       ben       12                  1.000000        card
    """
    caller = "crowdlab_table"
    by = check_option(by, {"labeler", "item"}, param="by", caller=caller)
    consensus_method = check_option(consensus_method, {"best_quality", "majority_vote"},
                                    param="consensus_method", caller=caller)
    judged = _judgements(annotations, caller=caller, item_col=item_col, annotator_col=annotator_col,
                         label_col=label_col)
    proba = _probabilities(pred_probs, labels, caller=caller)
    classes = list(proba.columns)
    code = {c: i for i, c in enumerate(classes)}
    unknown = judged["label"].map(lambda v: v not in code)
    if unknown.any():
        bad = sorted({str(v) for v in judged.loc[unknown, "label"]})
        raise DataError(f"{caller}: {int(unknown.sum())} annotations use labels {shown(bad)} that pred_probs has no "
                        f"column for (its columns: {shown(classes)}). The model must score every label the "
                        "labelers used: train it on all of them, or add a column of zeros.", reason="unknown_label",
                        failure_cases=judged[unknown])
    items = pd.Index(pd.unique(judged["item_id"]))
    annotators = pd.Index(sorted(pd.unique(judged["annotator"]), key=str))
    if len(annotators) < 2:
        raise DataError(f"{caller} needs labels from at least two labelers; got only {_py(annotators[0])!r}. With one "
                        "labeler use label_issue_table on the model's predictions.", reason="one_labeler")
    absent = ~items.isin(proba.index)
    if absent.any():
        raise DataError(f"{caller}: {int(absent.sum())} of the {len(items)} annotated items have no row in pred_probs "
                        f"(e.g. {_py(items[absent][0])!r}). {_type_hint(proba.index, items, 'pred_probs')}"
                        "Give the model's probabilities for every annotated item (pred_probs is indexed by item id).",
                        reason="unknown_item",
                        failure_cases=pd.DataFrame({"item_id": items[absent]}))
    matrix = np.full((len(items), len(annotators)), np.nan)
    matrix[items.get_indexer(judged["item_id"]), annotators.get_indexer(judged["annotator"])] = \
        judged["label"].map(code).to_numpy(dtype=float)
    if ((~np.isnan(matrix)).sum(axis=1) < 2).all():
        raise DataError(f"{caller}: every item has a single label, so labelers cannot be compared. Have some items "
                        "labeled by two or more labelers.", reason="no_overlap")
    multi = import_optional("cleanlab.multiannotator", needed_for=caller, install="cleanlab>=2.6")
    try:
        result = multi.get_label_quality_multiannotator(
            pd.DataFrame(matrix, index=items, columns=annotators), proba.reindex(items).to_numpy(dtype=float),
            consensus_method=consensus_method, verbose=False)
    except ValueError as exc:
        raise DataError(f"{caller}: cleanlab.multiannotator refused the annotations ({exc}).",
                        reason="cleanlab") from exc
    names = np.asarray(classes + [None], dtype=object)
    if by == "labeler":
        st = result["annotator_stats"]
        worst = st["worst_class"].to_numpy()
        out = pd.DataFrame({"annotator": st.index.to_numpy(dtype=object),
                            "n_items": st["num_examples_labeled"].to_numpy(dtype=int),
                            "annotator_quality": st["annotator_quality"].to_numpy(dtype=float),
                            "agreement_with_consensus": st["agreement_with_consensus"].to_numpy(dtype=float),
                            "worst_class": names[np.where(pd.notna(worst), worst, len(classes)).astype(int)]},
                           columns=CROWDLAB_LABELER_COLUMNS)
        order = np.lexsort((_str_key(out["annotator"]), out["agreement_with_consensus"], out["annotator_quality"]))
        return out.iloc[order].reset_index(drop=True)
    quality = result["label_quality"]
    consensus = names[quality["consensus_label"].to_numpy(dtype=int)]
    majority = majority_vote(judged).reindex(items).to_numpy(dtype=object)
    counts = judged.groupby(["item_id", "label"], sort=False).size()
    top = counts.groupby(level=0, sort=False).transform("max")
    tied = (counts == top).groupby(level=0, sort=False).sum().reindex(items).to_numpy() > 1
    return pd.DataFrame({"item_id": items.to_numpy(dtype=object), "consensus_label": consensus,
                         "consensus_quality": quality["consensus_quality_score"].to_numpy(dtype=float),
                         "annotator_agreement": quality["annotator_agreement"].to_numpy(dtype=float),
                         "n_annotations": quality["num_annotations"].to_numpy(dtype=int),
                         "majority_label": majority, "majority_tied": tied,
                         "agrees_with_majority": consensus == majority}, columns=CROWDLAB_ITEM_COLUMNS)


# ----------------------------------------------------------------------------- feedback

def _rule(taxonomy, right, given):
    """(definition, include, exclude, edge-case rules) deciding between ``given`` and ``right``."""
    if taxonomy is None:
        return None, [], [], []
    try:
        category = taxonomy.category(right)
    except TaxonomyError:
        return None, [], [], []
    edges = [e.rule for e in taxonomy.edge_cases if right in e.categories and given in e.categories]
    return category.definition or None, list(category.include), list(category.exclude), edges


def _digest(annotations, reference, taxonomy, *, annotator, items, text_col, reference_name, caller,
            item_col, annotator_col, label_col):
    """(every mistake of ``annotator`` as DIGEST_COLUMNS, the number of their scored items)."""
    if taxonomy is not None and not (hasattr(taxonomy, "category") and hasattr(taxonomy, "edge_cases")):
        raise ValidationError(f"The 'taxonomy' parameter of {caller} must be a workbench Taxonomy or None. "
                              f"Got {type(taxonomy).__name__} instead.")
    judged = _judgements(annotations, caller=caller, item_col=item_col, annotator_col=annotator_col,
                         label_col=label_col)
    known = pd.unique(judged["annotator"])
    if annotator not in set(known):
        close = difflib.get_close_matches(str(annotator), [str(a) for a in known], n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise DataError(f"{caller}: labeler {annotator!r} has no judgement in the annotations.{hint} Labelers: "
                        f"{shown(sorted(known, key=str))}.", reason="unknown_annotator")
    ref, per_judgement = _reference(reference, caller=caller, reference_name=reference_name, item_col=item_col,
                                    label_col=label_col)
    mine = _looked_up(judged[judged["annotator"] == annotator], ref, per_judgement)
    scored = mine[mine["reference"].notna()]
    if scored.empty:
        raise DataError(f"{caller}: none of the {len(mine)} items labeler {annotator!r} labeled has a "
                        f"{reference_name} label, so there is nothing to compare. "
                        f"{_type_hint(ref['item_id'], mine['item_id'])}Give them gold items, or pass "
                        "reference_labels(annotations) for a leave-one-out consensus.",
                        reason="no_overlap")
    wrong = scored[scored["label"] != scored["reference"]]
    rank = {s: i for i, s in enumerate(SOURCES)}
    wrong = wrong.iloc[np.lexsort((np.arange(len(wrong)),
                                   wrong["source"].map(lambda s: rank.get(s, len(rank))).to_numpy()))]
    text = [None] * len(wrong)
    if items is not None:
        if not isinstance(items, pd.DataFrame):
            raise ValidationError(f"The 'items' parameter of {caller} must be a DataFrame ({item_col}, {text_col}) "
                                  f"or None. Got {type(items).__name__} instead.")
        check_columns(items, [item_col, text_col], what=f"The items passed to {caller}")
        lookup = items.drop_duplicates(item_col).set_index(item_col)[text_col]
        text = lookup.reindex(wrong["item_id"]).to_numpy(dtype=object).tolist()
    rules = [_rule(taxonomy, r, g) for r, g in zip(wrong["reference"], wrong["label"])]
    out = pd.DataFrame({"item_id": wrong["item_id"].to_numpy(dtype=object), "text": pd.Series(text, dtype=object),
                        "given_label": wrong["label"].to_numpy(dtype=object),
                        "reference_label": wrong["reference"].to_numpy(dtype=object),
                        "reference_source": wrong["source"].to_numpy(dtype=object),
                        "definition": pd.Series([x[0] for x in rules], dtype=object),
                        "include": pd.Series([x[1] for x in rules], dtype=object),
                        "exclude": pd.Series([x[2] for x in rules], dtype=object),
                        "edge_cases": pd.Series([x[3] for x in rules], dtype=object)}, columns=DIGEST_COLUMNS)
    return out, len(scored)


def feedback_digest(annotations: pd.DataFrame, reference, taxonomy=None, *, annotator: Any,
                    max_items: Optional[int] = 20, items: Optional[pd.DataFrame] = None, text_col: str = "text",
                    reference_name: str = "gold", item_col: str = ITEM_COL, annotator_col: str = ANNOTATOR_COL,
                    label_col: str = LABEL_COL) -> pd.DataFrame:
    """One labeler's mistakes against the reference, each with the taxonomy rule that decides it.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long format, one row per judgement.
    reference : DataFrame, Series or dict item -> label, or the output of :func:`reference_labels`
        As in :func:`labeler_quality_table`.
    taxonomy : Taxonomy, optional
        Gives the right category's definition and include/exclude rules, and the edge cases
        that name both the given and the right category.
    annotator : str
        The labeler.
    max_items : int or None, default 20
        Keep the first ``max_items`` mistakes (gold first, then adjudicated, then consensus;
        in input order within a source); None keeps all.
    items : pandas.DataFrame, optional
        The item pool (``item_col``, ``text_col``), for the ``text`` column.
    text_col, reference_name : str
    item_col, annotator_col, label_col : str

    Returns
    -------
    pandas.DataFrame
        ``item_id, text`` (None without ``items``), ``given_label, reference_label,
        reference_source, definition`` (of the reference label; None without a taxonomy or
        for a label it does not define), ``include, exclude`` (lists of its rules),
        ``edge_cases`` (list of the rules of edge cases naming both labels).

    Raises
    ------
    DataError
        ``reason='unknown_annotator'`` for a labeler not in the annotations, ``'no_overlap'``
        when none of their items has a reference.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.taxonomy import Category, EdgeCase, Taxonomy
    >>> tax = Taxonomy("support", 1, categories=[
    ...     Category("refund", definition="Wants money back.", exclude=["A broken app is a bug."]),
    ...     Category("bug", definition="Something does not work.", include=["Crashes."])],
    ...     edge_cases=[EdgeCase("A refund because of a bug is a refund.", ["refund", "bug"])])
    >>> ann = pd.DataFrame({"item_id": [1, 2], "annotator": "ana", "label": ["refund", "refund"]})
    >>> digest = feedback_digest(ann, {1: "refund", 2: "bug"}, tax, annotator="ana")
    >>> digest[["item_id", "given_label", "reference_label", "definition", "include"]]
       item_id given_label reference_label                definition    include
    0        2      refund             bug  Something does not work.  [Crashes.]
    >>> digest.loc[0, "edge_cases"]
    ['A refund because of a bug is a refund.']
    """
    caller = "feedback_digest"
    if max_items is not None:
        max_items = check_positive_int(max_items, param="max_items", caller=caller, minimum=0)
    out, _ = _digest(annotations, reference, taxonomy, annotator=annotator, items=items, text_col=text_col,
                     reference_name=reference_name, caller=caller, item_col=item_col,
                     annotator_col=annotator_col, label_col=label_col)
    return out if max_items is None else out.head(max_items).reset_index(drop=True)


def _rules_html(row) -> str:
    e = escape_text
    parts = []
    if row.definition:
        parts.append(f"<p><b>{e(row.reference_label)}</b>: {e(row.definition)}</p>")
    for title, rules in (("Include", row.include), ("Exclude", row.exclude), ("Edge cases", row.edge_cases)):
        if rules:
            parts.append(f"<p>{title}:</p><ul>" + "".join(f"<li>{e(x)}</li>" for x in rules) + "</ul>")
    return "".join(parts)


def feedback_digest_html(annotations: pd.DataFrame, reference, taxonomy=None, *, annotator: Any,
                         max_items: Optional[int] = 20, items: Optional[pd.DataFrame] = None, text_col: str = "text",
                         reference_name: str = "gold", item_col: str = ITEM_COL,
                         annotator_col: str = ANNOTATOR_COL, label_col: str = LABEL_COL) -> str:
    """:func:`feedback_digest` as an HTML fragment for the labeler, every data string escaped.

    Parameters are those of :func:`feedback_digest`. Every value that comes from the data
    or the taxonomy (labeler, item ids, text, labels, sources, definitions, rules) goes
    through ``workbench._internal.markup.escape_text``, so the fragment is inert in HTML
    and in Markdown cells.

    Returns
    -------
    str
        ``<section class="wb-feedback">``: a heading, how many of the labeler's scored items
        differ from the reference (and how many are shown), and a table of the mistakes.

    Examples
    --------
    >>> import pandas as pd
    >>> ann = pd.DataFrame({"item_id": [1, 2], "annotator": "<ana>", "label": ["x", "y"]})
    >>> html = feedback_digest_html(ann, {1: "x", 2: "x"}, annotator="<ana>")
    >>> "Feedback for &lt;ana&gt;" in html, "<ana>" in html
    (True, False)
    """
    caller = "feedback_digest_html"
    if max_items is not None:
        max_items = check_positive_int(max_items, param="max_items", caller=caller, minimum=0)
    every, n_scored = _digest(annotations, reference, taxonomy, annotator=annotator, items=items,
                              text_col=text_col, reference_name=reference_name, caller=caller, item_col=item_col,
                              annotator_col=annotator_col, label_col=label_col)
    rows = every if max_items is None else every.head(max_items)
    e = escape_text
    n_wrong = len(every)
    accuracy = 1.0 - n_wrong / n_scored
    summary = (f"{n_wrong} of your {n_scored} checked items differ from the reference "
               f"(accuracy {accuracy:.0%})")
    if len(rows) < n_wrong:
        summary += f"; the first {len(rows)} are shown"
    parts = ['<section class="wb-feedback">', f"<h3>Feedback for {e(annotator)}</h3>", f"<p>{summary}.</p>"]
    if n_wrong:
        with_text = items is not None
        head = "".join(f"<th>{h}</th>" for h in (["Item"] + (["Text"] if with_text else [])
                                                 + ["You chose", "Right label", "Source", "The rule"]))
        parts.append(f'<table class="wb-feedback-table"><thead><tr>{head}</tr></thead><tbody>')
        for row in rows.itertuples(index=False):
            cells = [e(row.item_id)] + ([e(row.text)] if with_text else [])
            cells += [e(row.given_label), f"<b>{e(row.reference_label)}</b>", e(row.reference_source),
                      _rules_html(row)]
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)
