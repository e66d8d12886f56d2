"""The revision rules of multi-label rounds: merge labels that travel together, clarify swapped ones.

Private helper of :mod:`workbench.revisions`. In a round of label sets two labels can be
confused in two ways, and each calls for a different change:

- they are **applied together** almost always (``P(b | a)`` and ``P(a | b)`` both high, from
  :func:`workbench.agreement.label_cooccurrence`): one label would carry the same decision,
  so merge them;
- they are **swapped**: on the same item one annotator applies ``a`` without ``b`` and another
  ``b`` without ``a`` (the pair table of :func:`workbench.revisions._evidence.pair_evidence`,
  the counts of :func:`workbench.agreement.label_split_table`): people cannot tell when each
  applies, so clarify with an edge-case rule.

The add, redefine, split and retire rules of :mod:`workbench.revisions._rules` and
:mod:`workbench.revisions._text_rules` read label sets too (an empty or other-only set is
"outside"; support counts the items whose majority set holds the label).

Examples
--------
>>> import pandas as pd
>>> from workbench.revisions._evidence import tidy_annotations
>>> from workbench.revisions._multilabel_rules import majority_sets, rating_sets
>>> ann = tidy_annotations(pd.DataFrame({"item_id": ["1", "1", "2", "2"], "annotator": ["a", "b", "a", "b"],
...                                      "label": ['["x", "y"]', '["x"]', '[]', '["y"]']}), caller="doc")
>>> majority_sets(ann).map(sorted).to_dict()
{'1': ['x', 'y'], '2': ['y']}
>>> rating_sets(ann)["label"].tolist()
[['x', 'y'], ['x'], [], ['y']]

Through the public entry point, on a round where 'crash' always comes with 'bug':

>>> from workbench.revisions import propose_revisions
>>> from workbench.taxonomy import Taxonomy
>>> tax = Taxonomy.from_yaml('''
... name: demo
... version: 1
... task: multilabel
... categories:
...   - {id: bug, name: Bug, definition: Something is broken.}
...   - {id: crash, name: Crash, definition: The app closes.}
...   - {id: login, name: Login, definition: Signing in.}
... ''')
>>> rows = [(str(i), a, '["bug", "crash"]' if i % 2 else '["login"]') for i in range(12) for a in "uv"]
>>> ann = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
>>> [(p.id, p.change[0]["into"]) for p in propose_revisions(tax, ann, random_state=0)]
[('merge:bug+crash', 'bug')]
"""

from __future__ import annotations

from collections import Counter
from typing import Optional

import pandas as pd

from ._evidence import _split_label, texts_for, wilson_interval
from ._note_clusters import contrast_terms
from ._rules import Evidence, _clip, _definition, _r, _short, label_support
from ..agreement import label_cooccurrence
from ..exceptions import ValidationError

__all__ = ["is_multilabel_round", "rating_sets", "majority_sets", "model_sets", "cooccurrence_rule",
           "swap_rule"]

def is_multilabel_round(taxonomy, ann: pd.DataFrame) -> bool:
    """``taxonomy.task == "multilabel"``, or tidy annotations where some rating holds two or more labels.

    One-element lists (``'["refund"]'``) under a multi-class taxonomy stay a multi-class round.
    """
    if getattr(taxonomy, "task", "multiclass") == "multilabel":
        return True
    return bool(ann.duplicated(["item_id", "annotator"]).any())


def rating_sets(ann: pd.DataFrame) -> pd.DataFrame:
    """Tidy (exploded) annotations -> one row per rating: ``item_id, annotator, label`` (sorted list)."""
    grouped = ann.groupby(["item_id", "annotator"], sort=False)["label"]
    sets = grouped.agg(lambda s: sorted({x for x in s if pd.notna(x)})).reset_index()
    return sets


def majority_sets(ann: pd.DataFrame) -> pd.Series:
    """Item -> frozenset of the labels at least half of the item's annotators applied (empty: none)."""
    raters = ann.groupby("item_id")["annotator"].nunique()
    lab = ann.dropna(subset=["label"]).drop_duplicates(["item_id", "annotator", "label"])
    counts = lab.groupby(["item_id", "label"]).size()
    need = raters.reindex(counts.index.get_level_values(0)).to_numpy()
    kept = counts[counts.to_numpy() * 2 >= need].reset_index()
    sets = kept.groupby("item_id")["label"].agg(frozenset)
    out = pd.Series([sets.get(i, frozenset()) for i in raters.index], index=raters.index, dtype=object)
    return out


def model_sets(predictions, *, labels, caller: str = "propose_revisions") -> Optional[pd.DataFrame]:
    """Multi-label predictions -> ``item_id, given, predicted`` (frozensets of taxonomy labels), or None.

    Accepts a :class:`workbench.error_analysis.MultilabelPredictions` or a DataFrame with those
    columns holding label lists (or JSON list strings).
    """
    if predictions is None:
        return None
    if isinstance(predictions, pd.DataFrame):
        frame = predictions
    elif hasattr(predictions, "to_frame"):
        frame = predictions.to_frame()
    else:
        frame = None
    if frame is None or not {"item_id", "given", "predicted"} <= set(frame.columns):
        raise ValidationError(
            f"The 'predictions' parameter of {caller} must, for a multi-label round, be a "
            "workbench.error_analysis.MultilabelPredictions (from multilabel_predictions) or a DataFrame with "
            f"columns item_id, given, predicted holding label sets. Got {type(predictions).__name__}"
            + ("" if frame is None else f" with columns {list(frame.columns)}") + " instead.")
    valid = set(labels)
    return pd.DataFrame({
        "item_id": frame["item_id"].astype(str).to_numpy(),
        "given": [frozenset(x for x in _split_label(v) if x in valid) for v in frame["given"]],
        "predicted": [frozenset(x for x in _split_label(v) if x in valid) for v in frame["predicted"]],
    })


def _keep_and_drop(ev: Evidence, a: str, b: str, ratings: dict):
    sup = label_support(ev)
    return sorted((a, b), key=lambda c: (-int(sup.get(c, 0)), -int(ratings.get(c, 0)), c))


def _merged_definition(ev: Evidence, keep: str, drop: str) -> str:
    return " ".join(p for p in [_definition(ev, keep),
                                f"Also covers what was '{drop}'." if _definition(ev, drop) else "",
                                _definition(ev, drop)] if p)


def cooccurrence_rule(ev: Evidence) -> list:
    """merge: two labels applied together almost always, in both directions.

    Fires when ``p_b_given_a >= merge_cooccurrence`` and ``p_a_given_b >= merge_cooccurrence``
    (over ratings, from :func:`workbench.agreement.label_cooccurrence`) and each label is in
    at least ``merge_min_ratings`` ratings; pairs with the "other" label are not judged.
    Score = ``min(p_b_given_a, p_a_given_b)``. The merge keeps the label in more majority
    sets; a set holding both becomes a set holding it once.
    """
    r, out = ev.rules, []
    sets = rating_sets(ev.ann)
    if sets["label"].map(len).sum() == 0:
        return out
    table = label_cooccurrence(sets, item_col="item_id", annotator_col="annotator", label_col="label")
    ratings = dict(Counter(x for s in sets["label"] for x in s))
    for row in table.itertuples(index=False):
        a, b = row.label_a, row.label_b
        if ev.other_label in (a, b) or a not in ev.labels or b not in ev.labels:
            continue
        if min(row.n_a, row.n_b) < r.merge_min_ratings:
            continue
        pba, pab = float(row.p_b_given_a), float(row.p_a_given_b)
        if not (pba >= r.merge_cooccurrence and pab >= r.merge_cooccurrence):
            continue
        keep, drop = _keep_and_drop(ev, a, b, ratings)
        together = sets[sets["label"].map(lambda s: a in s and b in s)]
        examples = tuple(together["item_id"].value_counts(sort=True).index[: r.n_examples].tolist())
        rationale = (f"'{a}' and '{b}' are applied together in {row.n_both} of {row.n_a} ratings with '{a}' "
                     f"({pba:.0%}) and {row.n_both} of {row.n_b} with '{b}' ({pab:.0%}): one label carries the "
                     f"decision. Merge '{drop}' into '{keep}'.")
        change = {"op": "merge", "categories": [a, b], "into": keep, "rationale": rationale}
        definition = _merged_definition(ev, keep, drop)
        if definition:
            change["definition"] = definition
        out.append({
            "kind": "merge", "categories": (a, b), "rationale": rationale,
            "evidence": {"n_ratings_a": int(row.n_a), "n_ratings_b": int(row.n_b), "n_both": int(row.n_both),
                         "p_b_given_a": _r(pba), "p_b_given_a_ci": tuple(_r(x) for x in wilson_interval(row.n_both, row.n_a)),
                         "p_a_given_b": _r(pab), "p_a_given_b_ci": tuple(_r(x) for x in wilson_interval(row.n_both, row.n_b)),
                         "jaccard": _r(row.jaccard), "lift": _r(row.lift), "n_swapped": int(row.n_swapped),
                         "definition_overlap": _r(ev.overlap.get((a, b), 0.0))},
            "rule": r.describe("merge", multilabel=True), "example_item_ids": examples,
            "score": _clip(min(pba, pab)), "change": (change,),
            "relabel": {"categories": (), "item_ids": (),
                        "reason": f"sets with '{a}' or '{b}' carry over to '{keep}' (once); nothing to relabel"}})
    return out


def _model_swaps(model: pd.DataFrame):
    """Per sorted pair: items where the given set has one label and the prediction the other instead."""
    swaps: Counter = Counter()
    examples: dict = {}
    for item, given, predicted in zip(model["item_id"], model["given"], model["predicted"]):
        for a in given - predicted:
            for b in predicted - given:
                key = tuple(sorted((a, b)))
                swaps[key] += 1
                examples.setdefault(key, []).append(item)
    givens = list(model["given"])
    items_with_either = {(a, b): sum(1 for g in givens if a in g or b in g) for a, b in swaps}
    return swaps, items_with_either, examples


def _sides(ev: Evidence, a: str, b: str, disputed) -> tuple:
    """Terms telling items whose majority set holds ``a`` but not ``b`` from the reverse."""
    fallback = ([a.replace("_", " ")], [b.replace("_", " ")])
    if ev.items is None or ev.majority_sets is None:
        return fallback
    disputed = set(disputed)
    texts = []
    for x, y in ((a, b), (b, a)):
        ids = ev.majority_sets.index[ev.majority_sets.map(lambda s: x in s and y not in s)].tolist()
        clean = [i for i in ids if i not in disputed]
        texts.append(texts_for(clean if len(clean) >= 3 else ids, ev.items))
    ta, tb = contrast_terms(texts[0], texts[1], n=4)
    return ta or fallback[0], tb or fallback[1]


def swap_rule(ev: Evidence, *, skip=frozenset()) -> list:
    """clarify: two labels annotators (or the model) swap on the same item.

    A swap: one annotator applies ``a`` without ``b``, another ``b`` without ``a``.
    ``human_split_share`` = items with a swap / items some annotator gave ``a`` or ``b``; fires
    when ``human_split_share >= clarify_human_share`` (with at least ``min_pair_items`` such items and
    ``min_pair_disagreements`` swapped ones) or, with multi-label predictions, when the
    model's swap share ``model_confusion_share`` (given set has one, predicted set the other)
    reaches ``clarify_model_share`` on as many items. The evidence keys are those of the
    multi-class clarify, plus ``n_swapped_rating_pairs`` and ``n_both_applied``. Pairs in ``skip`` (merged) and pairs with the
    "other" label are not judged. Score = ``1.5 * max(shares)`` clipped.
    """
    r, out = ev.rules, []
    human = {(row.category_a, row.category_b): row for row in ev.pairs.itertuples(index=False)}
    has_model = ev.model_sets is not None
    swaps, model_n, model_ex = _model_swaps(ev.model_sets) if has_model else ({}, {}, {})
    sets = rating_sets(ev.ann)
    rating_pairs = {}
    if len(human) and sets["label"].map(len).sum():
        table = label_cooccurrence(sets, item_col="item_id", annotator_col="annotator", label_col="label")
        rating_pairs = {(t.label_a, t.label_b): (int(t.n_swapped), int(t.n_both)) for t in table.itertuples()}
    for a, b in sorted(set(human) | set(swaps)):
        if ev.other_label in (a, b) or (a, b) in skip or a not in ev.labels or b not in ev.labels:
            continue
        row = human.get((a, b))
        n_items, n_split = (int(row.n_items), int(row.n_both)) if row is not None else (0, 0)
        hs = n_split / n_items if n_items else 0.0
        mn, mk = int(model_n.get((a, b), 0)), int(swaps.get((a, b), 0))
        ms = mk / mn if mn else 0.0
        human_ok = n_items >= r.min_pair_items and n_split >= r.min_pair_disagreements
        model_ok = has_model and mn >= r.min_pair_items and mk >= r.min_pair_disagreements
        if not ((human_ok and hs >= r.clarify_human_share) or (model_ok and ms >= r.clarify_model_share)):
            continue
        disputed = list(row.split_item_ids) if row is not None else []
        examples = list(row.example_item_ids) if row is not None else []
        examples = examples or model_ex.get((a, b), [])[: r.n_examples]
        out.append(_clarify(ev, a, b, hs, ms, n_items, n_split, mn, mk, disputed, examples,
                            rating_pairs.get((a, b), (0, 0)), has_model))
    return out


def _clarify(ev, a, b, hs, ms, n_items, n_split, mn, mk, disputed, examples, rating_pair, has_model) -> dict:
    r = ev.rules
    ta, tb = _sides(ev, a, b, disputed)
    lean: Counter = Counter()
    if ev.majority_sets is not None:
        for item in disputed:
            s = ev.majority_sets.get(item, frozenset())
            lean[f"{a} only" if a in s and b not in s else f"{b} only" if b in s and a not in s
                 else "both" if a in s else "neither"] += 1
    rule_text = (f"When an item could be '{a}' or '{b}': apply '{a}' when it is mainly about {', '.join(ta)}; "
                 f"apply '{b}' when it is mainly about {', '.join(tb)}; apply both only when it is about both.")
    ex = []
    if ev.items is not None:
        for item, text in zip(examples, texts_for(examples, ev.items)):
            if not text:
                continue
            s = sorted(ev.majority_sets.get(item, frozenset())) if ev.majority_sets is not None else []
            ex.append({"text": _short(text), "label": s} if s else _short(text))  # a draft to confirm
    n_swapped, n_both = rating_pair
    lo, hi = wilson_interval(n_split, n_items)
    parts = []
    if n_items:
        parts.append(f"on {n_split} of {n_items} items given either ({hs:.0%}, 95% CI {lo:.0%} to {hi:.0%}) one "
                     f"annotator applied '{a}' without '{b}' and another '{b}' without '{a}' "
                     f"({n_swapped} rating pairs)")
    if has_model and mn:
        parts.append(f"the model swaps them on {mk} of {mn} items ({ms:.0%})")
    top = ""
    if lean:
        kind, k = lean.most_common(1)[0]
        top = f"; the majority set was '{kind}' on {k} of {sum(lean.values())} disputed items"
    rationale = (f"'{a}' and '{b}' are swapped: {' and '.join(parts)}{top}. Keep both and add an edge-case rule "
                 f"that says when each applies (they are applied together in {n_both} ratings).")
    change = {"op": "add_edge_case", "rule": rule_text, "categories": [a, b], "examples": ex, "rationale": rationale}
    evidence = {"n_items": n_items, "n_split_items": n_split, "human_split_share": _r(hs),
                "human_split_share_ci": (_r(lo), _r(hi)), "n_swapped_rating_pairs": n_swapped,
                "n_both_applied": n_both,
                "definition_overlap": _r(ev.overlap.get((a, b), 0.0)), "terms_a": tuple(ta), "terms_b": tuple(tb),
                "disputed_majority": dict(sorted(lean.items()))}
    if has_model:
        mlo, mhi = wilson_interval(mk, mn)
        evidence.update({"model_items": mn, "model_confusions": mk, "model_confusion_share": _r(ms),
                         "model_confusion_share_ci": (_r(mlo), _r(mhi))})
    return {"kind": "clarify", "categories": (a, b), "rationale": rationale, "evidence": evidence,
            "rule": r.describe("clarify", multilabel=True), "example_item_ids": tuple(examples[: r.n_examples]),
            "score": _clip(1.5 * max(hs, ms)), "change": (change,),
            "relabel": {"categories": (a, b), "item_ids": tuple(sorted(disputed)),
                        "reason": f"items where '{a}' and '{b}' were swapped are re-labeled under the new rule"}}
