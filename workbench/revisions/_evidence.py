"""Evidence for revision proposals: tidy annotations, pair confusion shares, definition overlap.

Private helper of :mod:`workbench.revisions`. Every function takes plain pandas /
numpy data and returns plain data, so the rules in :mod:`workbench.revisions._rules`
stay small and testable.

Examples
--------
>>> import pandas as pd
>>> from workbench.revisions._evidence import tidy_annotations, pair_evidence, wilson_interval
>>> df = pd.DataFrame({"item_id": ["1", "1", "2", "2"], "annotator": ["a", "b", "a", "b"],
...                    "label": ["x", "y", "x", "x"]})
>>> ann = tidy_annotations(df, caller="doc")
>>> pairs = pair_evidence(ann, labels=["x", "y"])
>>> pairs[["category_a", "category_b", "n_items", "n_both"]].to_dict("records")
[{'category_a': 'x', 'category_b': 'y', 'n_items': 2, 'n_both': 1}]
>>> [round(v, 3) for v in wilson_interval(1, 2)]
[0.095, 0.905]
"""

from __future__ import annotations

import json
import math
from collections import Counter
from itertools import combinations
from typing import Iterable, Optional, Sequence

import numpy as np
import pandas as pd

from .._internal import intervals
from .._internal.validation import check_columns
from .._internal.votes import majority_vote
from ..exceptions import DataError, ValidationError

__all__ = [
    "tidy_annotations",
    "majority_labels",
    "wilson_interval",
    "pair_evidence",
    "model_frame",
    "definition_overlap",
    "category_profile",
    "texts_for",
    "tidy_items",
]

_KEEP_KINDS = {"label"}


def _split_label(value) -> list:
    """One stored label value -> list of label ids (multi-label aware)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return [str(v) for v in value]
    text = str(value)
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return [text]
        return [str(v) for v in parsed]
    return [text]


def tidy_annotations(annotations, *, item_col="item_id", annotator_col="annotator",
                     label_col="label", note_col="note", unsure_col="unsure",
                     caller="propose_revisions") -> pd.DataFrame:
    """Long annotations -> ``item_id, annotator, label, unsure, note`` (one row per label id).

    Rows of another ``kind`` than ``label`` (retractions, quizzes, adjudications) are
    dropped; a repeated (item, annotator) keeps its last row (a correction); a multi-label
    value becomes one row per label; a missing label stays as one row with ``label`` None
    (an unsure answer without a label).
    """
    if not isinstance(annotations, pd.DataFrame):
        raise ValidationError(
            f"The 'annotations' parameter of {caller} must be a pandas DataFrame in long format "
            f"({item_col}, {annotator_col}, {label_col}). Got {type(annotations).__name__} instead."
        )
    check_columns(annotations, [item_col, annotator_col, label_col], what=f"annotations passed to {caller}")
    df = annotations
    if "kind" in df.columns:
        df = df[df["kind"].isna() | df["kind"].isin(_KEEP_KINDS)]
    df = df.drop_duplicates([item_col, annotator_col], keep="last")
    out = pd.DataFrame({
        "item_id": df[item_col].astype(str).to_numpy(),
        "annotator": df[annotator_col].astype(str).to_numpy(),
        "label": [_split_label(v) or [None] for v in df[label_col]],
        "unsure": (df[unsure_col].fillna(False).astype(bool).to_numpy()
                   if unsure_col in df.columns else False),
        "note": (df[note_col].fillna("").astype(str).str.strip().to_numpy()
                 if note_col in df.columns else ""),
    })
    out = out.explode("label", ignore_index=True)
    if out.empty:
        raise DataError(f"{caller} received no label annotations (after dropping other kinds); "
                        "pass the rows of a labeling round.", reason="empty")
    return out


def majority_labels(ann: pd.DataFrame) -> pd.Series:
    """Majority label per item (ties broken by label id, so the result is deterministic)."""
    return majority_vote(ann)


def wilson_interval(k: float, n: float, *, z: float = 1.959964) -> tuple:
    """Wilson score interval of the proportion ``k / n`` (``(nan, nan)`` when ``n == 0``)."""
    low, high = intervals.wilson_interval(k, n, z=z)
    return (float(low), float(high))


def model_frame(predictions, *, caller="propose_revisions") -> Optional[pd.DataFrame]:
    """``Predictions`` (or a frame with ``item_id, label, predicted``) -> that frame, or None."""
    if predictions is None:
        return None
    if hasattr(predictions, "to_frame") and not isinstance(predictions, pd.DataFrame):
        frame = predictions.to_frame()
    elif isinstance(predictions, pd.DataFrame):
        frame = predictions
    else:
        raise ValidationError(
            f"The 'predictions' parameter of {caller} must be a workbench.error_analysis.Predictions "
            f"or a DataFrame with columns item_id, label, predicted. Got {type(predictions).__name__} instead."
        )
    check_columns(frame, ["item_id", "label", "predicted"], what=f"predictions passed to {caller}",
                  hint="Use cross_validated_predictions(...) or Predictions.to_frame().")
    out = frame[["item_id", "label", "predicted"]].copy()
    out["item_id"] = out["item_id"].astype(str)
    out["label"] = out["label"].astype(str)
    out["predicted"] = out["predicted"].astype(str)
    return out


def pair_evidence(ann: pd.DataFrame, *, labels: Sequence[str], model: Optional[pd.DataFrame] = None,
                  n_examples: int = 3) -> pd.DataFrame:
    """Human and model confusion of every category pair that is confused at all.

    Returns
    -------
    pandas.DataFrame
        ``category_a, category_b`` (sorted pair), ``n_items`` (items that some annotator
        gave a or b), ``n_both`` (items split: one annotator gave a without b, another b without a),
        ``human_split_share = n_both / n_items`` with ``human_low, human_high`` (Wilson 95%),
        ``model_n`` (model items whose label is a or b), ``model_confusions``
        (a predicted as b plus b as a), ``model_confusion_share`` with ``model_low, model_high``,
        ``split_item_ids`` (items split between a and b, most split first) and
        ``example_item_ids`` (the first ``n_examples`` of them).
    """
    valid = set(labels)
    lab = ann.dropna(subset=["label"])
    lab = lab[lab["label"].isin(valid)]
    any_count: Counter = Counter()
    both: Counter = Counter()
    examples: dict = {}
    if not lab.duplicated(["item_id", "annotator"]).any():  # one label per answer: vectorised
        counts = lab.groupby(["item_id", "label"], sort=True).size().rename("n").reset_index()
        any_count.update(counts["label"].value_counts().to_dict())
        split = counts[counts.duplicated("item_id", keep=False)]  # items with two or more labels
        pairs = split.merge(split, on="item_id", suffixes=("_a", "_b"))
        pairs = pairs[pairs["label_a"] < pairs["label_b"]]
        pairs = pairs.assign(rank=-np.minimum(pairs["n_a"], pairs["n_b"]))
        for (a, b), group in pairs.groupby(["label_a", "label_b"], sort=True):
            both[(a, b)] = len(group)
            examples[(a, b)] = list(zip(group["rank"].tolist(), group["item_id"].tolist()))
    else:  # multi-label: an answer holding both a and b is not a split
        answers = lab.groupby(["item_id", "annotator"], sort=True)["label"].agg(frozenset)
        for item, given in answers.groupby(level=0, sort=True):
            given = list(given)
            labs = sorted(frozenset().union(*given))
            any_count.update(labs)
            for a, b in combinations(labs, 2):
                only_a = sum(1 for g in given if a in g and b not in g)
                only_b = sum(1 for g in given if b in g and a not in g)
                if only_a and only_b:
                    both[(a, b)] += 1
                    examples.setdefault((a, b), []).append((-min(only_a, only_b), item))
    conf: Counter = Counter()
    support: Counter = Counter()
    if model is not None:
        m = model[model["label"].isin(valid)]
        support.update(m["label"].tolist())
        wrong = m[m["label"] != m["predicted"]]
        wrong = wrong[wrong["predicted"].isin(valid)]
        for t, p in zip(wrong["label"], wrong["predicted"]):
            conf[tuple(sorted((t, p)))] += 1
    rows = []
    for a, b in sorted(set(both) | set(conf)):
        n_items = any_count[a] + any_count[b] - both[(a, b)]
        hl, hh = wilson_interval(both[(a, b)], n_items)
        mn = support[a] + support[b]
        ml, mh = wilson_interval(conf[(a, b)], mn)
        split = [item for _, item in sorted(examples.get((a, b), []))]
        rows.append({
            "category_a": a, "category_b": b, "n_items": int(n_items), "n_both": int(both[(a, b)]),
            "human_split_share": both[(a, b)] / n_items if n_items else 0.0, "human_low": hl, "human_high": hh,
            "model_n": int(mn), "model_confusions": int(conf[(a, b)]),
            "model_confusion_share": conf[(a, b)] / mn if mn else float("nan"), "model_low": ml, "model_high": mh,
            "split_item_ids": tuple(split), "example_item_ids": tuple(split[:n_examples]),
        })
    columns = ["category_a", "category_b", "n_items", "n_both", "human_split_share", "human_low", "human_high",
               "model_n", "model_confusions", "model_confusion_share", "model_low", "model_high",
               "split_item_ids", "example_item_ids"]
    return pd.DataFrame(rows, columns=columns)


def category_profile(category) -> str:
    """Text describing a category: id, name, definition, include rules and examples."""
    parts: list = [str(getattr(category, "id", "")).replace("_", " "), getattr(category, "name", "") or ""]
    parts.append(getattr(category, "definition", "") or "")
    for field in ("include", "examples"):
        value = getattr(category, field, ()) or ()
        parts.extend([value] if isinstance(value, str) else list(value))
    return " ".join(str(p) for p in parts if p)


def definition_overlap(profiles: dict) -> dict:
    """TF-IDF cosine between category profiles: ``{(a, b): cosine}`` for every sorted pair."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = sorted(profiles)
    texts = [profiles[i] for i in ids]
    if len(ids) < 2:
        return {}
    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    except ValueError:  # empty vocabulary: every profile is blank or stop words
        return {pair: 0.0 for pair in combinations(ids, 2)}
    sim = (matrix @ matrix.T).toarray()
    return {(a, b): float(sim[i, j]) for (i, a), (j, b) in combinations(enumerate(ids), 2)}


def texts_for(item_ids: Iterable[str], items: Optional[pd.DataFrame]) -> list:
    """Texts of ``item_ids`` from an items frame (``item_id, text``); blanks when unknown."""
    if items is None:
        return ["" for _ in item_ids]
    lookup = items.set_index("item_id")["text"]
    return [str(lookup.get(i, "")) for i in item_ids]


def tidy_items(items, *, caller="propose_revisions") -> Optional[pd.DataFrame]:
    """Items frame -> ``item_id`` (str), ``text`` (str), de-duplicated; None stays None."""
    if items is None:
        return None
    if not isinstance(items, pd.DataFrame):
        raise ValidationError(f"The 'items' parameter of {caller} must be a DataFrame with columns "
                              f"item_id, text (see workbench.items.read_items). Got {type(items).__name__} instead.")
    check_columns(items, ["item_id", "text"], what=f"items passed to {caller}",
                  hint="Rename them (items.rename(columns={...})) or load the items with workbench.items.read_items.")
    out = items[["item_id", "text"]].copy()
    out["item_id"] = out["item_id"].astype(str)
    out["text"] = out["text"].fillna("").astype(str)
    return out.drop_duplicates("item_id")

