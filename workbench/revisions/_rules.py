"""The revision rules read from agreement and confusion evidence: merge, clarify, redefine, retire.

Private helper of :mod:`workbench.revisions` (the text-clustering rules, split and add,
live in :mod:`workbench.revisions._text_rules`). Each rule reads the shared
:class:`Evidence` and returns a list of plain dicts with the fields of
:class:`workbench.revisions.Proposal` except ``severity`` (set from ``score`` by the
caller). Scores lie in [0, 1]; each rule documents how its score is built.

Examples
--------
>>> from workbench.revisions._rules import slug
>>> slug(["dark mode", "theme"], taken={"dark_mode"})
'dark_mode_theme'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import pandas as pd

from ._note_clusters import contrast_terms
from ._evidence import texts_for

__all__ = ["Evidence", "pair_rules", "redefine_rule", "retire_rule", "slug", "items_with", "taken_ids",
           "majority_items", "label_support"]


@dataclass
class Evidence:
    """Everything the rules read, computed once by ``propose_revisions``."""

    taxonomy: Any
    labels: tuple            # active labels except the "other" one
    other_label: Optional[str]
    ann: pd.DataFrame        # tidy annotations (item_id, annotator, label, unsure, note)
    majority: pd.Series      # item_id -> majority label
    model: Optional[pd.DataFrame]
    items: Optional[pd.DataFrame]
    pairs: pd.DataFrame      # _revision_evidence.pair_evidence
    overlap: dict            # (a, b) -> definition cosine
    per_category: Optional[pd.DataFrame]
    rules: Any               # RevisionRules
    rng: Any                 # numpy Generator
    multilabel: bool = False  # a round of label sets
    majority_sets: Optional[pd.Series] = None   # multi-label: item_id -> frozenset applied by >= half
    model_sets: Optional[pd.DataFrame] = None   # multi-label model: item_id, given, predicted (frozensets)


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def _r(x: float, nd: int = 3):
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else round(float(x), nd)


def slug(terms, *, taken=frozenset(), prefix: str = "") -> str:
    """A new category id from terms, unique among ``taken``."""
    words = []
    for term in terms:
        for w in re.findall(r"[a-z0-9]+", str(term).lower()):
            if w not in words:
                words.append(w)
    base = prefix + "_".join(words[:2]) if words else prefix + "new_category"
    candidate, i = base, 2
    for extra in words[2:]:
        if candidate not in taken:
            break
        candidate = f"{candidate}_{extra}"
    while candidate in taken:
        candidate, i = f"{base}_{i}", i + 1
    return candidate


def taken_ids(ev: Evidence) -> set:
    """Every id the taxonomy document uses (labels, groups, retired categories)."""
    return {c.id for c in getattr(ev.taxonomy, "categories", ())} | set(ev.taxonomy.labels)


def majority_items(ev: Evidence, c: str) -> list:
    """Items whose majority label is ``c`` (multi-label: whose majority set holds ``c``), in order."""
    if ev.multilabel and ev.majority_sets is not None:
        return ev.majority_sets.index[ev.majority_sets.map(lambda s: c in s)].tolist()
    return ev.majority.index[ev.majority == c].tolist()


def label_support(ev: Evidence) -> pd.Series:
    """Label -> items of :func:`majority_items` (the majority label's, or majority set's, counts)."""
    if ev.multilabel and ev.majority_sets is not None:
        return pd.Series(Counter(x for s in ev.majority_sets for x in s), dtype=int)
    return ev.majority.value_counts()


def items_with(ev: Evidence, c: str) -> tuple:
    """Items that some annotator gave label ``c``, sorted."""
    return tuple(sorted(ev.ann.loc[ev.ann["label"] == c, "item_id"].unique()))


def _short(text: str, n: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def _definition(ev: Evidence, label: str) -> str:
    try:
        return (getattr(ev.taxonomy.category(label), "definition", "") or "").strip()
    except Exception:  # noqa: BLE001 - an unknown id simply has no definition
        return ""


def _characteristic_terms(ev: Evidence, a: str, b: str, disputed, n: int = 4) -> tuple:
    """Terms that tell items of ``a`` from items of ``b`` (undisputed items when there are enough)."""
    fallback = ([a.replace("_", " ")], [b.replace("_", " ")])
    if ev.items is None:
        return fallback
    disputed = set(disputed)
    sides = []
    for c in (a, b):
        ids = majority_items(ev, c)
        clean = [i for i in ids if i not in disputed]
        sides.append(texts_for(clean if len(clean) >= 3 else ids, ev.items))
    ta, tb = contrast_terms(sides[0], sides[1], n=n)
    return ta or fallback[0], tb or fallback[1]


def _pair_evidence_dict(row, overlap: float, has_model: bool) -> dict:
    ev = {"n_items": int(row.n_items), "n_split_items": int(row.n_both),
          "human_split_share": _r(row.human_split_share),
          "human_split_share_ci": (_r(row.human_low), _r(row.human_high)),
          "definition_overlap": _r(overlap)}
    if has_model:
        ev.update({"model_items": int(row.model_n), "model_confusions": int(row.model_confusions),
                   "model_confusion_share": _r(row.model_confusion_share),
                   "model_confusion_share_ci": (_r(row.model_low), _r(row.model_high))})
    return ev


def pair_rules(ev: Evidence) -> list:
    """merge and clarify, from the pair table.

    merge: ``human_split_share >= merge_human_share and model_confusion_share >= merge_model_share and
    definition_overlap >= merge_definition_overlap`` (needs predictions); score =
    ``human_split_share + model_confusion_share`` (clipped to 1). clarify: otherwise, when ``human_split_share >=
    clarify_human_share`` (with ``n_split_items >= min_pair_disagreements``) or ``model_confusion_share >=
    clarify_model_share`` (with as many model confusions); score = ``1.5 * max(shares)``.
    Pairs with fewer than ``min_pair_items`` items are not judged.
    """
    r, out, has_model = ev.rules, [], ev.model is not None
    for row in ev.pairs.itertuples(index=False):
        a, b = row.category_a, row.category_b
        if ev.other_label in (a, b):
            continue
        hs = float(row.human_split_share)
        ms = float(row.model_confusion_share) if has_model and not np.isnan(row.model_confusion_share) else 0.0
        human_ok = row.n_items >= r.min_pair_items and row.n_both >= r.min_pair_disagreements
        model_ok = has_model and row.model_n >= r.min_pair_items and row.model_confusions >= r.min_pair_disagreements
        overlap = ev.overlap.get((a, b), 0.0)
        evidence = _pair_evidence_dict(row, overlap, has_model)
        examples = tuple(row.example_item_ids)
        disputed = list(row.split_item_ids)
        if (human_ok and model_ok and hs >= r.merge_human_share and ms >= r.merge_model_share
                and overlap >= r.merge_definition_overlap):
            sup = label_support(ev)
            keep, drop = sorted((a, b), key=lambda c: (-int(sup.get(c, 0)), c))
            merged_def = " ".join(p for p in [_definition(ev, keep),
                                              f"Also covers what was '{drop}'." if _definition(ev, drop) else "",
                                              _definition(ev, drop)] if p)
            rationale = (f"Annotators split {hs:.0%} of the items of '{a}' and '{b}' between them, the model "
                         f"confuses them in {ms:.0%} of cases and their definitions overlap (cosine {overlap:.2f}): "
                         f"merge '{drop}' into '{keep}'.")
            change = {"op": "merge", "categories": [a, b], "into": keep, "rationale": rationale}
            if merged_def:
                change["definition"] = merged_def
            out.append({"kind": "merge", "categories": (a, b), "rationale": rationale, "evidence": evidence,
                        "rule": r.describe("merge"), "example_item_ids": examples,
                        "score": _clip(hs + ms), "change": (change,),
                        "relabel": {"categories": (), "item_ids": (),
                                    "reason": f"labels '{a}' and '{b}' carry over to '{keep}'; nothing to relabel"}})
        elif (human_ok and hs >= r.clarify_human_share) or (model_ok and ms >= r.clarify_model_share):
            out.append(_clarify(ev, row, a, b, hs, ms, evidence, examples, disputed))
    return out


def _clarify(ev, row, a, b, hs, ms, evidence, examples, disputed) -> dict:
    r = ev.rules
    ta, tb = _characteristic_terms(ev, a, b, disputed)
    majority = ev.majority.reindex(disputed).dropna()
    chose = Counter(majority.tolist())
    rule_text = (f"When an item could be '{a}' or '{b}': label '{a}' when it is mainly about "
                 f"{', '.join(ta)}; label '{b}' when it is mainly about {', '.join(tb)}.")
    ex_ids = list(examples) or disputed[: r.n_examples]
    ex = []
    if ev.items is not None:
        for item, text in zip(ex_ids, texts_for(ex_ids, ev.items)):
            if text:  # labeled with the annotators' majority: a draft for the lead to confirm
                ex.append({"text": _short(text), "label": majority[item]} if item in majority.index
                          else _short(text))
    if hs >= ms:
        why = f"annotators split {hs:.0%} of their items between them"
    else:
        why = f"the model confuses them in {ms:.0%} of cases"
    lean = ""
    if chose:
        top, k = chose.most_common(1)[0]
        lean = f"; the majority chose '{top}' in {k} of {len(majority)} disputed items"
    rationale = (f"'{a}' and '{b}' are confused ({why}{lean}) but their definitions differ enough to keep "
                 "both: add an edge-case rule that separates them.")
    change = {"op": "add_edge_case", "rule": rule_text, "categories": [a, b], "examples": ex,
              "rationale": rationale}
    evidence = dict(evidence, terms_a=tuple(ta), terms_b=tuple(tb),
                    disputed_majority={k: int(v) for k, v in sorted(chose.items())})
    return {"kind": "clarify", "categories": (a, b), "rationale": rationale, "evidence": evidence,
            "rule": r.describe("clarify"), "example_item_ids": tuple(ex_ids),
            "score": _clip(1.5 * max(hs, ms)), "change": (change,),
            "relabel": {"categories": (a, b), "item_ids": tuple(sorted(disputed)),
                        "reason": f"items split between '{a}' and '{b}' are re-labeled under the new rule"}}


def redefine_rule(ev: Evidence) -> list:
    """redefine: per-category kappa low, confidently or with enough support.

    Fires when ``kappa_high < redefine_kappa`` (the whole 95% interval is below the
    target) or when ``kappa < redefine_kappa`` with ``support >= redefine_min_support`` and
    (with ``redefine_relative``) ``kappa_high`` below the median kappa of the categories:
    when every category is equally low the annotators, not one definition, are the problem.
    ``support`` counts the items some annotator gave the category (below
    ``redefine_min_items`` a category is not judged).
    Score = ``(redefine_kappa - kappa) / redefine_kappa``, + 0.15 when the interval is
    entirely below the target.
    """
    r, out = ev.rules, []
    if ev.per_category is None or ev.per_category.empty:
        return out
    rated = ev.ann.dropna(subset=["label"])
    n_raters = rated.groupby("item_id")["annotator"].nunique()
    with_label = rated.drop_duplicates(["item_id", "annotator", "label"]).groupby(["label", "item_id"]).size()
    judged = ev.per_category[ev.per_category["category"].isin(ev.labels)]["kappa"].dropna()
    typical = float(judged.median()) if len(judged) else float("nan")
    for row in ev.per_category.itertuples(index=False):
        c = str(row.category)
        if c not in ev.labels or pd.isna(row.kappa):
            continue
        given = with_label.loc[c] if c in with_label.index.get_level_values(0) else pd.Series(dtype=int)
        kappa, lo, hi, support = float(row.kappa), row.kappa_low, row.kappa_high, len(given)  # items given c
        confident = not pd.isna(hi) and float(hi) < r.redefine_kappa
        enough = support >= r.redefine_min_support
        if r.redefine_relative:
            enough = enough and not pd.isna(hi) and float(hi) < typical
        if support < r.redefine_min_items or not (confident or (kappa < r.redefine_kappa and enough)):
            continue
        near = ev.pairs[(ev.pairs.category_a == c) | (ev.pairs.category_b == c)].sort_values(
            ["n_both", "category_a", "category_b"], ascending=[False, True, True])
        neighbours = [b if a == c else a for a, b in zip(near.category_a, near.category_b)
                      if (b if a == c else a) != ev.other_label][:2]
        old = _definition(ev, c) or c.replace("_", " ")
        excl = (f" It does not cover {' or '.join(repr(n) for n in neighbours)} (see their definitions)."
                if neighbours else "")
        new_def = f"{old.rstrip('.')}.{excl}"
        rationale = (f"Annotators agree poorly on '{c}' (kappa {kappa:.2f}, 95% CI {_fmt(lo)} to {_fmt(hi)}, "
                     f"support {support})"
                     + (f"; it is most often confused with '{neighbours[0]}'" if neighbours else "")
                     + ": rewrite its definition.")
        split = [i for i, k in given.items() if k < n_raters[i]]  # some annotators gave c, some did not
        out.append({"kind": "redefine", "categories": (c,), "rationale": rationale,
                    "evidence": {"kappa": _r(kappa), "kappa_ci": (_r(lo), _r(hi)), "support": support,
                                 "specific_agreement": _r(getattr(row, "specific_agreement", float("nan"))),
                                 "median_category_kappa": _r(typical), "confused_with": tuple(neighbours)},
                    "rule": r.describe("redefine"), "example_item_ids": tuple(sorted(split)[: r.n_examples]),
                    "score": _clip((r.redefine_kappa - kappa) / r.redefine_kappa + (0.15 if confident else 0.0)),
                    "change": ({"op": "redefine", "category": c, "definition": new_def, "rationale": rationale},),
                    "relabel": {"categories": (c,), "item_ids": tuple(sorted(split)),
                                "reason": f"items where '{c}' was disputed are re-labeled under the new definition"}})
    return out


def _fmt(x) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{float(x):.2f}"


def retire_rule(ev: Evidence) -> list:
    """retire: a category with too little support to learn or agree on.

    Fires when the category is the majority label (multi-label: in the majority set, the labels
    at least half the item's annotators applied) of at most ``retire_max_support`` items
    and of at most ``retire_max_share`` of all items (and, with predictions, has at most
    ``retire_max_support`` items in the model's data too). Rounds (and model data) of fewer
    than ``retire_min_items`` items are not judged. Score 0.2 (0.24 when unused).
    """
    r, out = ev.rules, []
    n_all = ev.ann["item_id"].nunique()
    model = ev.model if ev.model is not None else ev.model_sets
    if max(n_all, len(model) if model is not None else 0) < r.retire_min_items:
        return out  # too small a round to call any category rare
    sup = label_support(ev)
    used = ev.ann["label"].value_counts()
    if ev.model is not None:
        model_sup = ev.model["label"].value_counts()
    elif ev.model_sets is not None:  # multi-label model data: items given each label
        model_sup = pd.Series(Counter(x for s in ev.model_sets["given"] for x in s), dtype=int)
    else:
        model_sup = pd.Series(dtype=int)
    for c in ev.labels:
        k, m = int(sup.get(c, 0)), int(model_sup.get(c, 0))
        if k > r.retire_max_support or k / max(n_all, 1) > r.retire_max_share or m > r.retire_max_support:
            continue
        items_c = items_with(ev, c)
        where = "in the majority label set" if ev.multilabel else "the majority label"
        rationale = (f"'{c}' is {where} of only {k} of {n_all} items ({int(used.get(c, 0))} ratings): "
                     "too rare to learn or agree on; retire it or fold it into a neighbour.")
        out.append({"kind": "retire", "categories": (c,), "rationale": rationale,
                    "evidence": {"support": k, "share_of_items": _r(k / max(n_all, 1)),
                                 "n_ratings": int(used.get(c, 0)),
                                 "model_support": m if model is not None else None},
                    "rule": r.describe("retire", multilabel=ev.multilabel),
                    "example_item_ids": items_c[: r.n_examples],
                    "score": 0.24 if k == 0 else 0.2,
                    "change": ({"op": "retire", "category": c, "rationale": rationale},),
                    "relabel": {"categories": (c,), "item_ids": items_c,
                                "reason": f"items labeled '{c}' need another label"}})
    return out
