"""Error analysis: where a baseline model and the given labels disagree, and why.

A cross-validated baseline text model gives out-of-fold class probabilities for every
labeled item (:func:`cross_validated_predictions`). From those:

- :func:`classification_table`: per category precision, recall, F1 against the given labels;
- :func:`model_confusion_table`: the (true, predicted) category pairs the model confuses;
- :func:`label_issue_table`: items whose given label is probably wrong (cleanlab), ranked;
- :func:`confusion_evidence_table`: human disagreement and model confusion per category
  pair, side by side -- the evidence the taxonomy revision proposals read.

Analysis layer: DataFrames in, DataFrames out, never the store.

Examples
--------
>>> import pandas as pd
>>> from workbench.error_analysis import cross_validated_predictions, classification_table
>>> items = pd.DataFrame({"item_id": range(12),
...                       "text": ["card lost", "lost my card", "refund please", "want a refund"] * 3})
>>> labels = pd.Series(["card", "card", "refund", "refund"] * 3, index=items["item_id"])
>>> pred = cross_validated_predictions(items, labels, cv=3, random_state=0, progress=False)
>>> classification_table(pred)["category"].tolist()
['card', 'refund']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _label_issues
from . import _oof
from ._pair_evidence import human_pair_counts, pair_key
from ._predictions import Predictions
from .._internal.validation import (ANNOTATOR_COL, ITEM_COL, LABEL_COL, check_columns, check_option,
                          check_positive_int, check_random_state)
from ..exceptions import DataError, ValidationError

__all__ = [
    "Predictions",
    "cross_validated_predictions",
    "classification_table",
    "model_confusion_table",
    "label_issue_table",
    "confusion_evidence_table",
    "LABEL_ISSUE_METHODS",
]

#: Methods accepted by :func:`label_issue_table` (the default first).
LABEL_ISSUE_METHODS = tuple(_label_issues.METHODS)


def _is_multilabel(value) -> bool:
    """A list/tuple/set of labels, or the store's JSON list string such as '["a", "b"]'."""
    if isinstance(value, str):
        return value.startswith("[") and value.endswith("]")
    return isinstance(value, (list, tuple, set, frozenset))


def _labels_frame(labels, *, item_col: str, label_col: str) -> pd.DataFrame:
    if isinstance(labels, pd.Series):
        frame = pd.DataFrame({item_col: labels.index.to_numpy(), label_col: labels.to_numpy()})
    elif isinstance(labels, pd.DataFrame):
        check_columns(labels, [item_col, label_col], what="labels")
        frame = labels[[item_col, label_col]]
    else:
        raise ValidationError("The 'labels' parameter of cross_validated_predictions must be a DataFrame "
                              f"({item_col}, {label_col}) or a Series indexed by item id. Got "
                              f"{type(labels).__name__} instead.")
    frame = frame[frame[label_col].notna()]
    listy = frame[label_col].map(_is_multilabel)
    if listy.any():
        raise DataError("cross_validated_predictions handles one label per item (multiclass); "
                        f"{int(listy.sum())} labels are lists, e.g. item {frame.loc[listy, item_col].iloc[0]!r}. "
                        "For label sets use multilabel_predictions(items, labels, labels_list=taxonomy.labels) "
                        "and the multilabel_* tables.", reason="multilabel",
                        failure_cases=frame[listy])
    dupes = frame[frame[item_col].duplicated(keep=False)]
    if len(dupes):
        raise DataError(f"labels must give one label per item; {dupes[item_col].nunique()} items have several "
                        f"(e.g. {dupes[item_col].iloc[0]!r}). Reduce them first, e.g. with "
                        "workbench.agreement.consensus_table.", reason="duplicate_item", failure_cases=dupes)
    return frame


def cross_validated_predictions(items, labels, *, model=None, cv=5, random_state=None, text_col="text",
                                item_col=ITEM_COL, label_col=LABEL_COL, progress=True) -> Predictions:
    """Out-of-fold class probabilities for every labeled item.

    Parameters
    ----------
    items : pandas.DataFrame
        The item pool, with ``item_col`` and ``text_col``.
    labels : pandas.DataFrame or pandas.Series
        ``item_col, label_col`` rows, or a Series of labels indexed by item id. Items without a
        (non-missing) label are ignored; every labeled item must be in ``items``.
    model : scikit-learn estimator, optional
        Anything with ``fit(texts, y)`` and ``predict_proba`` (or ``decision_function``), e.g. a
        pipeline starting with a vectorizer. Default: TF-IDF word 1-2-grams + char 2-5-grams,
        logistic loss fitted by SGD (10,000 items x 77 classes, 5 folds: 137-296 s measured on
        one heavily shared core; about 3x faster than an LBFGS logistic regression on the same features).
    cv : int, default=5
        Number of stratified folds. Classes with fewer items than ``cv`` get a warning
        (their probabilities are less reliable), not an error.
    random_state : None, int or numpy Generator
        Seeds the fold split and the default model.
    text_col, item_col, label_col : str
        Column names.
    progress : bool, default=True
        Show a progress bar over the folds.

    Returns
    -------
    Predictions
        In the order of ``labels``.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.error_analysis import cross_validated_predictions
    >>> items = pd.DataFrame({"item_id": range(12),
    ...                       "text": ["card lost", "lost my card", "refund please", "want a refund"] * 3})
    >>> labels = pd.DataFrame({"item_id": range(12), "label": ["card", "card", "refund", "refund"] * 3})
    >>> pred = cross_validated_predictions(items, labels, cv=3, random_state=0, progress=False)
    >>> pred.classes, pred.probabilities.shape
    (('card', 'refund'), (12, 2))
    """
    caller = "cross_validated_predictions"
    if not isinstance(items, pd.DataFrame):
        raise ValidationError(f"The 'items' parameter of {caller} must be a pandas DataFrame "
                              f"({item_col}, {text_col}). Got {type(items).__name__} instead.")
    check_columns(items, [item_col, text_col], what="items")
    cv = check_positive_int(cv, param="cv", caller=caller, minimum=2)
    seed = int(check_random_state(random_state).integers(2**31 - 1))
    frame = _labels_frame(labels, item_col=item_col, label_col=label_col)
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
    if len(frame) < cv:
        raise DataError(f"{caller} needs at least cv={cv} labeled items; got {len(frame)}. Label more items "
                        "or lower cv.", reason="too_few_items")
    given = frame[label_col].to_numpy(dtype=object)
    classes = tuple(sorted(pd.unique(given), key=str))
    code = {c: i for i, c in enumerate(classes)}
    y = np.array([code[v] for v in given], dtype=int)
    texts = text_of.loc[frame[item_col].to_numpy()].fillna("").astype(str).to_numpy()
    estimator = model if model is not None else _oof.default_text_model(random_state=seed)
    proba, n_splits = _oof.out_of_fold_probabilities(estimator, texts, y, n_classes=len(classes), cv=cv,
                                                     seed=seed, progress=progress, class_names=classes)
    method = f"{n_splits}-fold out-of-fold {_oof.describe_model(estimator)}, seed {seed}"
    return Predictions(frame[item_col].to_numpy(), given, classes, proba, method)


def _check_pred(pred, caller: str) -> Predictions:
    if not isinstance(pred, Predictions):
        raise ValidationError(f"The 'pred' parameter of {caller} must be a Predictions (from "
                              f"cross_validated_predictions). Got {type(pred).__name__} instead.")
    return pred


def classification_table(pred) -> pd.DataFrame:
    """Per category precision, recall, F1 and support of the model against the given labels.

    Returns
    -------
    pandas.DataFrame
        ``category, precision, recall, f1, support``, worst F1 first (ties: by category).
        A category never predicted has precision 0.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.error_analysis import Predictions, classification_table
    >>> pred = Predictions(np.arange(4), np.array(["a", "a", "b", "b"]), ("a", "b"),
    ...                    np.array([[.9, .1], [.2, .8], [.1, .9], [.3, .7]]), "hand-made")
    >>> classification_table(pred)
      category  precision  recall        f1  support
    0        a   1.000000     0.5  0.666667        2
    1        b   0.666667     1.0  0.800000        2
    """
    from sklearn.metrics import precision_recall_fscore_support

    pred = _check_pred(pred, "classification_table")
    codes = pred.label_codes
    guess = np.argmax(pred.probabilities, axis=1)
    k = len(pred.classes)
    p, r, f, s = precision_recall_fscore_support(codes, guess, labels=np.arange(k), zero_division=0)
    table = pd.DataFrame({"category": list(pred.classes), "precision": p, "recall": r, "f1": f,
                          "support": s.astype(int)})
    order = sorted(range(k), key=lambda i: (f[i], str(pred.classes[i])))
    return table.iloc[order].reset_index(drop=True)


def model_confusion_table(pred, *, n_examples=3) -> pd.DataFrame:
    """The (given, predicted) category pairs the model confuses, most frequent first.

    Parameters
    ----------
    pred : Predictions
    n_examples : int, default=3
        How many item ids to list per pair: the most confident mistakes first.

    Returns
    -------
    pandas.DataFrame
        ``true_label, predicted_label, count, share_of_true, example_item_ids``, where
        ``share_of_true`` = count / items given ``true_label``. Only pairs with count > 0.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.error_analysis import Predictions, model_confusion_table
    >>> pred = Predictions(np.array(["x", "y", "z"]), np.array(["a", "a", "b"]), ("a", "b"),
    ...                    np.array([[.2, .8], [.9, .1], [.1, .9]]), "hand-made")
    >>> model_confusion_table(pred)
      true_label predicted_label  count  share_of_true example_item_ids
    0          a               b      1            0.5              [x]
    """
    pred = _check_pred(pred, "model_confusion_table")
    n_examples = check_positive_int(n_examples, param="n_examples", caller="model_confusion_table", minimum=0)
    frame = pred.to_frame()
    support = frame["label"].value_counts()
    wrong = frame[frame["label"] != frame["predicted"]].sort_values("confidence", ascending=False, kind="stable")
    rows = []
    for (true, guess), group in wrong.groupby(["label", "predicted"], sort=False):
        rows.append((true, guess, len(group), len(group) / support[true],
                     group["item_id"].tolist()[:n_examples]))
    table = pd.DataFrame(rows, columns=["true_label", "predicted_label", "count", "share_of_true",
                                        "example_item_ids"])
    table = table.assign(_a=table["true_label"].astype(str), _b=table["predicted_label"].astype(str))
    table = table.sort_values(["count", "share_of_true", "_a", "_b"], ascending=[False, False, True, True])
    return table.drop(columns=["_a", "_b"]).reset_index(drop=True)


def label_issue_table(pred, *, method=_label_issues.DEFAULT_METHOD, top=None) -> pd.DataFrame:
    """Items whose given label is probably wrong, most suspicious first (cleanlab).

    Parameters
    ----------
    pred : Predictions
    method : str, default="combined"
        ``"combined"``: flag an item when either ``"noise_mixture"`` or
        ``"calibrated_self_confidence"`` flags it (the first catches labels that look random
        to the model, the second -- cleanlab's confident joint -- also systematic swaps).
        ``"noise_mixture"``: fit by EM a model in which each given label is, with probability
        ``1 - eps``, what the temperature-calibrated model predicts and otherwise a random
        category; flag the items whose posterior probability of a random label exceeds 1/2.
        ``"calibrated_self_confidence"``: temperature-calibrate (T >= 1), then cleanlab
        ``low_self_confidence`` (its confident-joint count of the lowest self-confidence items).
        Any cleanlab ``filter_by`` name (``"prune_by_noise_rate"`` -- cleanlab's default --
        ``"prune_by_class"``, ``"both"``, ``"confident_learning"``, ``"predicted_neq_given"``,
        ``"low_self_confidence"``, ``"low_normalized_margin"``) runs that filter on the raw
        probabilities. Ranked by cleanlab's self-confidence score. Measured on banking77 with
        10% of the labels flipped at random (3 seeds): the default reaches precision > 0.9 at
        recall > 0.9, cleanlab's default ~0.75 / ~0.81 (``benchmarks/results/error_analysis.md``).
    top : int, optional
        Keep only the ``top`` most suspicious items.

    Returns
    -------
    pandas.DataFrame
        ``item_id, label, suggested_label, label_quality, rank, method``: only flagged items,
        ``rank`` 1 = lowest ``label_quality`` (cleanlab's score in [0, 1]), ``suggested_label`` the
        model's most probable class other than the given one, ``method`` what was run.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.error_analysis import Predictions, label_issue_table
    >>> proba = np.array([[.99, .01]] * 5 + [[.01, .99]] * 5)
    >>> labels = np.array(["a"] * 4 + ["b"] + ["b"] * 5)   # item 4 looks like an "a"
    >>> pred = Predictions(np.arange(10), labels, ("a", "b"), proba, "hand-made")
    >>> label_issue_table(pred)[["item_id", "label", "suggested_label", "rank"]]
       item_id label suggested_label  rank
    0        4     b               a     1
    """
    caller = "label_issue_table"
    pred = _check_pred(pred, caller)
    method = check_option(method, _label_issues.METHODS, param="method", caller=caller)
    if top is not None:
        top = check_positive_int(top, param="top", caller=caller, minimum=0)
    codes = pred.label_codes
    mask, quality, used, description = _label_issues.find_issues(codes, np.asarray(pred.probabilities, float),
                                                                 method=method, class_names=pred.classes)
    flagged = np.flatnonzero(mask)
    flagged = flagged[np.lexsort((flagged, quality[flagged]))]
    if top is not None:
        flagged = flagged[:top]
    others = used[flagged].copy()
    others[np.arange(len(flagged)), codes[flagged]] = -1.0  # suggest the best class other than the given one
    suggested = np.asarray(pred.classes, dtype=object)[np.argmax(others, axis=1)] if len(flagged) else []
    return pd.DataFrame({
        "item_id": np.asarray(pred.item_ids)[flagged],
        "label": np.asarray(pred.labels, dtype=object)[flagged],
        "suggested_label": suggested,
        "label_quality": quality[flagged],
        "rank": np.arange(1, len(flagged) + 1),
        "method": description,
    })


def _model_pair_counts(pred: Predictions):
    frame = pred.to_frame()
    wrong = frame[frame["label"] != frame["predicted"]].sort_values("confidence", ascending=False, kind="stable")
    counts, examples = {}, {}
    for (true, guess), group in wrong.groupby(["label", "predicted"], sort=False):
        key = pair_key(true, guess)
        counts[key] = counts.get(key, 0) + len(group)
        examples.setdefault(key, []).extend(group["item_id"].tolist())
    return counts, examples


def confusion_evidence_table(annotations, pred, *, item_col=ITEM_COL, annotator_col=ANNOTATOR_COL,
                             label_col=LABEL_COL, n_examples=3) -> pd.DataFrame:
    """Human disagreement and model confusion per unordered category pair, side by side.

    Parameters
    ----------
    annotations : pandas.DataFrame
        Long multi-annotator judgements ``item_col, annotator_col, label_col``. Rows with a
        missing label are ignored; if a ``kind`` column is present only ``kind == "label"`` rows
        count; a repeated (item, annotator) keeps its last row.
    pred : Predictions
        Out-of-fold predictions (e.g. against the consensus labels).
    n_examples : int, default=3
        Item ids to list per pair: where humans split first, then model confusions.

    Returns
    -------
    pandas.DataFrame
        ``category_a, category_b, human_disagreements, human_share, model_confusions, model_share,
        example_item_ids``. ``human_disagreements`` is the number of annotator pairs that split
        between ``a`` and ``b`` on the same item, summed over items (``n_a * n_b`` per item: two
        annotators splitting a/b count 1, ratings a, a, b count 2; as in
        ``workbench.agreement.confusion_table``); ``human_share`` is its share of all such pairs. ``model_confusions`` counts items given ``a`` predicted
        ``b`` plus given ``b`` predicted ``a``; ``model_share`` its share of all model errors.
        Sorted by ``human_share + model_share``, largest first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from workbench.error_analysis import Predictions, confusion_evidence_table
    >>> ann = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": ["u", "v", "u", "v"],
    ...                     "label": ["a", "b", "a", "a"]})
    >>> pred = Predictions(np.array([1, 2]), np.array(["a", "a"]), ("a", "b"),
    ...                    np.array([[.3, .7], [.8, .2]]), "hand-made")
    >>> print(confusion_evidence_table(ann, pred).to_string())
      category_a category_b  human_disagreements  human_share  model_confusions  model_share example_item_ids
    0          a          b                    1          1.0                 1          1.0              [1]
    """
    caller = "confusion_evidence_table"
    if not isinstance(annotations, pd.DataFrame):
        raise ValidationError(f"The 'annotations' parameter of {caller} must be a pandas DataFrame "
                              f"({item_col}, {annotator_col}, {label_col}). Got {type(annotations).__name__} instead.")
    check_columns(annotations, [item_col, annotator_col, label_col], what="annotations")
    pred = _check_pred(pred, caller)
    n_examples = check_positive_int(n_examples, param="n_examples", caller=caller, minimum=0)
    df = annotations
    if "kind" in df.columns:
        df = df[df["kind"].fillna("label") == "label"]
    df = df[df[label_col].notna()].drop_duplicates([item_col, annotator_col], keep="last")
    listy = df[label_col].map(_is_multilabel)
    if listy.any():
        raise DataError(f"{caller} compares single labels; {int(listy.sum())} annotations hold lists (e.g. item "
                        f"{df.loc[listy, item_col].iloc[0]!r}). Analyse multi-label data one category at a time.",
                        reason="multilabel", failure_cases=df[listy])
    human, human_ex = human_pair_counts(df, item_col=item_col, label_col=label_col)
    model, model_ex = _model_pair_counts(pred)
    human_total, model_total = sum(human.values()), sum(model.values())
    rows = []
    for key in set(human) | set(model):
        h, m = int(human.get(key, 0)), int(model.get(key, 0))
        examples = list(dict.fromkeys(human_ex.get(key, []) + model_ex.get(key, [])))[:n_examples]
        rows.append((key[0], key[1], h, h / human_total if human_total else 0.0,
                     m, m / model_total if model_total else 0.0, examples))
    table = pd.DataFrame(rows, columns=["category_a", "category_b", "human_disagreements", "human_share",
                                        "model_confusions", "model_share", "example_item_ids"])
    table = table.assign(_score=table["human_share"] + table["model_share"],
                         _a=table["category_a"].astype(str), _b=table["category_b"].astype(str))
    table = table.sort_values(["_score", "human_disagreements", "_a", "_b"], ascending=[False, False, True, True])
    return table.drop(columns=["_score", "_a", "_b"]).reset_index(drop=True)
