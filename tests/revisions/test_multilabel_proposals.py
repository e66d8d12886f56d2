"""Tests of revision proposals on multi-label rounds: each rule fires on its planted situation only.

One multi-label support taxonomy; every round is built from a few kinds of items, each rated by
three annotators with JSON list strings (what the store writes):
- merge:   'billing' and 'refund' applied together (both conditionals >= 0.8);
- not merge: 'crash' always comes with 'bug', but 'bug' often alone (a sub-label, not a merge);
- clarify: 'ui' and 'slow' swapped on the same item by different annotators;
- add:     items about dark mode given empty sets or only 'none', with notes;
- retire:  must not fire on a label that is only ever applied next to another one.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from workbench.agreement import label_cooccurrence, label_split_table
from workbench.error_analysis import MultilabelPredictions, Predictions
from workbench.exceptions import ValidationError
from workbench.revisions import RevisionRules, draft_taxonomy, propose_revisions, relabel_plan
from workbench.revisions._evidence import pair_evidence, tidy_annotations
from workbench.taxonomy import Taxonomy

TAXONOMY = """
name: ml-support
version: 1
task: multilabel
categories:
  - {id: billing, name: Billing, definition: Charges and payments on the account.}
  - {id: refund, name: Refund, definition: The customer wants money back.}
  - {id: bug, name: Bug, definition: Something in the app is broken.}
  - {id: crash, name: Crash, definition: The app closes unexpectedly.}
  - {id: ui, name: UI, definition: "Layout, colours and looks of the screens."}
  - {id: slow, name: Slow, definition: Screens take long to load.}
  - {id: login, name: Login, definition: Signing in and passwords.}
  - {id: none, name: None of these, other: true, definition: Nothing fits.}
"""

TEXTS = {
    "billing": ["charged twice want money back", "double charge refund please", "refund the extra payment"],
    "bug": ["the export button is broken", "error message on save", "sync does not work"],
    "crash": ["app crashed with an error", "crash on start broken", "closes when I open it broken"],
    "ui": ["the menu looks odd", "buttons overlap on small screens", "colours hard to read"],
    "login": ["cannot sign in", "password reset link fails", "locked out of my account"],
    "dark": ["please add a dark mode", "dark theme option would be great", "night mode dark colours wish"],
}

ANNOTATORS = ("a1", "a2", "a3")


@pytest.fixture(scope="module")
def tax():
    return Taxonomy.from_yaml(TAXONOMY)


def make_round(n_per_kind=20, *, merge=True, subset=True, swaps=True, dark=True, seed=0):
    """A multi-label round of ``kind`` blocks; returns annotations, items and item -> kind."""
    rng = np.random.default_rng(seed)
    rows, items, kinds = [], [], {}
    plan = ["billing", "login"]
    plan += ["bug", "crash"] if subset else []
    plan += ["ui"] + (["dark"] if dark else [])
    for kind in plan:
        for k in range(n_per_kind):
            item = f"{kind}{k:02d}"
            kinds[item] = kind
            items.append((item, TEXTS[kind][k % 3] + f" case {k}"))
            for a in ANNOTATORS:
                note = ""
                if kind == "billing":
                    s = ["billing", "refund"] if merge else (["billing"] if k % 2 else ["refund"])
                    if merge and a == "a3" and k % 10 == 0:
                        s = ["billing"]                        # one in 30 forgets 'refund'
                elif kind == "bug":
                    s = ["bug"]
                elif kind == "crash":
                    s = ["bug", "crash"]                        # crash => bug, not the reverse
                elif kind == "ui":
                    s = ["ui"]
                    if swaps and k % 4 == 0 and a == "a2":
                        s = ["slow"]                            # a2 swaps ui for slow on a quarter
                elif kind == "login":
                    s = ["login"]
                else:  # dark mode: nothing fits
                    s = [] if rng.random() < 0.5 else ["none"]
                    note = "wants dark mode theme" if a != "a3" else ""
                rows.append((item, a, json.dumps(s), note))
    ann = pd.DataFrame(rows, columns=["item_id", "annotator", "label", "note"])
    return ann, pd.DataFrame(items, columns=["item_id", "text"]), kinds


@pytest.fixture(scope="module")
def planted(tax):
    ann, items, kinds = make_round()
    return ann, items, kinds, propose_revisions(tax, ann, items=items, random_state=0)


def _by_id(proposals):
    return {p.id: p for p in proposals}


# --------------------------------------------------------------------------- merge

def test_labels_applied_together_are_merged_with_the_cooccurrence_numbers(planted):
    ann, _, _, proposals = planted
    p = _by_id(proposals)["merge:billing+refund"]
    co = label_cooccurrence(ann).set_index(["label_a", "label_b"]).loc[("billing", "refund")]
    assert p.evidence["n_both"] == co["n_both"] == 58                 # 60 ratings, 2 forget 'refund'
    assert p.evidence["p_b_given_a"] == pytest.approx(co["p_b_given_a"], abs=1e-3)
    assert p.evidence["p_a_given_b"] == pytest.approx(co["p_a_given_b"], abs=1e-3) == 1.0
    lo, hi = p.evidence["p_b_given_a_ci"]
    assert lo < p.evidence["p_b_given_a"] < hi
    assert "58 of 60 ratings with 'billing' (97%)" in p.rationale and "58 of 58 with 'refund' (100%)" in p.rationale
    assert p.change[0] == {**p.change[0], "op": "merge", "categories": ["billing", "refund"], "into": "billing"}
    assert p.score == pytest.approx(58 / 60, abs=1e-3) and p.severity == "high"
    assert p.rule.startswith("merge (label sets): P(b|a) >= 0.8 and P(a|b) >= 0.8")
    assert set(p.example_item_ids) <= {i for i in ann["item_id"] if i.startswith("billing")}


def test_a_sub_label_is_not_merged(planted):
    ann, _, _, proposals = planted
    co = label_cooccurrence(ann).set_index(["label_a", "label_b"]).loc[("bug", "crash")]
    assert co["p_a_given_b"] == 1.0 and co["p_b_given_a"] == 0.5      # crash => bug only
    assert "merge:bug+crash" not in _by_id(proposals)
    assert not any(p.kind == "merge" and "crash" in p.categories for p in proposals)


def test_merge_needs_enough_ratings_and_the_threshold(tax):
    ann, items, _ = make_round(3, subset=False, swaps=False, dark=False)      # 9 ratings each
    assert not any(p.kind == "merge" for p in propose_revisions(tax, ann, random_state=0))
    looser = RevisionRules(merge_min_ratings=8)                                 # 'refund': 8 ratings
    assert "merge:billing+refund" in _by_id(propose_revisions(tax, ann, rules=looser, random_state=0))
    ann, _, _ = make_round(20, subset=False, swaps=False, dark=False)
    strict = RevisionRules(merge_cooccurrence=0.99)                             # 58/60 < 0.99
    assert "merge:billing+refund" not in _by_id(propose_revisions(tax, ann, rules=strict, random_state=0))


def test_no_merge_when_the_labels_are_alternatives(tax):
    ann, _, _ = make_round(merge=False, subset=False, swaps=False, dark=False)
    assert not any(p.kind == "merge" for p in propose_revisions(tax, ann, random_state=0))


def test_a_merge_drafts_a_taxonomy_and_relabel_plan_deduplicates_the_sets(planted, tax):
    ann, _, _, proposals = planted
    new = draft_taxonomy(tax, proposals, accept=["merge:billing+refund"], date="2026-11-23")
    assert "refund" not in new.labels and "billing" in new.labels and new.version == 2
    plan = relabel_plan(tax, new, ann)
    both = plan[plan["old_label"] == '["billing", "refund"]']
    assert len(both) and set(both["new_label"]) == {'["billing"]'} and set(both["action"]) == {"carry_over"}
    assert (plan.loc[plan["old_label"] == '["ui"]', "action"] == "keep").all()


# --------------------------------------------------------------------------- clarify

def test_swapped_labels_get_a_clarify_with_numbers_and_example_items(planted):
    ann, _, kinds, proposals = planted
    p = _by_id(proposals)["clarify:slow+ui"]
    swapped = {i for i, k in kinds.items() if k == "ui" and int(i[2:]) % 4 == 0}
    assert p.evidence["n_split_items"] == len(swapped) == 5
    assert p.evidence["n_items"] == 20
    assert p.evidence["human_split_share"] == 0.25
    assert p.evidence["n_swapped_rating_pairs"] == 10                 # a2 against a1 and a3 on each
    assert set(p.relabel["item_ids"]) == swapped and set(p.example_item_ids) <= swapped
    assert p.evidence["disputed_majority"] == {"ui only": 5}
    assert "on 5 of 20 items given either (25%" in p.rationale and "(10 rating pairs)" in p.rationale
    assert p.change[0]["op"] == "add_edge_case" and "apply both only when" in p.change[0]["rule"]
    assert p.score == pytest.approx(0.375)
    split = label_split_table(ann).set_index(["category_a", "category_b"])
    assert split.loc[("slow", "ui"), "n_disagreements"] == p.evidence["n_split_items"]


def test_pair_evidence_swaps_match_label_split_table(planted):
    ann, *_ = planted
    pairs = pair_evidence(tidy_annotations(ann), labels=sorted({"billing", "refund", "bug", "crash", "ui", "slow",
                                                                "login", "none"}))
    split = label_split_table(ann)
    ours = {(r.category_a, r.category_b): r.n_both for r in pairs.itertuples() if r.n_both}
    theirs = {(r.category_a, r.category_b): r.n_disagreements for r in split.itertuples()}
    assert ours == theirs


def test_clarify_needs_enough_swaps(tax):
    ann, _, _ = make_round(subset=False, swaps=False, dark=False)
    one = ann.copy()
    one.loc[(one["item_id"] == "ui00") & (one["annotator"] == "a2"), "label"] = '["slow"]'   # a single swap
    assert not any(p.kind == "clarify" for p in propose_revisions(tax, one, random_state=0))
    rare = RevisionRules(clarify_human_share=0.3)                                    # 25% < 30%
    ann, _, _ = make_round(subset=False, dark=False)
    assert not any(p.kind == "clarify" for p in propose_revisions(tax, ann, rules=rare, random_state=0))


def test_model_swaps_alone_can_ask_for_a_clarify(tax):
    ann, items, _ = make_round(subset=False, swaps=False, dark=False)
    ids = sorted(ann["item_id"].unique())
    classes = tuple(tax.labels)
    col = {c: j for j, c in enumerate(classes)}
    given = np.zeros((len(ids), len(classes)), int)
    proba = np.full(given.shape, 0.05)
    sets = ann.groupby("item_id")["label"].first().map(json.loads)
    for i, item in enumerate(ids):
        for lab in sets[item]:
            given[i, col[lab]] = 1
            proba[i, col[lab]] = 0.9
        if item.startswith("login") and int(item[5:]) % 3 == 0:                  # model: 'ui' instead of 'login'
            proba[i, col["login"]], proba[i, col["ui"]] = 0.1, 0.8
    pred = MultilabelPredictions(ids, given, classes, proba, "hand-made")
    assert not any(p.kind == "clarify" for p in propose_revisions(tax, ann, random_state=0))
    found = _by_id(propose_revisions(tax, ann, predictions=pred, random_state=0))
    p = found["clarify:login+ui"]
    assert p.evidence["model_confusions"] == 7 and p.evidence["model_items"] == 40
    assert p.evidence["n_split_items"] == 0 and "the model swaps them on 7 of 40 items" in p.rationale
    from_frame = _by_id(propose_revisions(tax, ann, predictions=pred.to_frame(), random_state=0))
    assert from_frame["clarify:login+ui"].evidence == p.evidence


def test_single_label_predictions_are_refused_in_a_multilabel_round(planted, tax):
    ann, *_ = planted
    single = Predictions(np.array(["ui00"]), np.array(["ui"]), ("ui",), np.array([[1.0]]), "x")
    with pytest.raises(ValidationError, match="MultilabelPredictions.*multilabel_predictions"):
        propose_revisions(tax, ann, predictions=single)


# --------------------------------------------------------------------------- add, retire, detection

def test_empty_and_other_only_sets_with_notes_propose_a_new_category(planted):
    _, _, kinds, proposals = planted
    adds = [p for p in proposals if p.kind == "add"]
    dark = {i for i, k in kinds.items() if k == "dark"}
    assert len(adds) == 1 and set(adds[0].relabel["item_ids"]) == dark
    assert adds[0].evidence["other_share"] == 1.0                     # every rating: empty or only 'none'
    assert "dark" in adds[0].categories[0] and adds[0].rule.startswith("add (label sets)")


def test_sets_that_hold_a_real_label_besides_other_are_not_outside(tax):
    ann, items, kinds = make_round(subset=False, swaps=False)
    dark = ann["item_id"].map(kinds) == "dark"
    fits = ann.assign(label=np.where(dark, '["none", "ui"]', ann["label"]), note="")
    assert not any(p.kind == "add" for p in propose_revisions(tax, fits, items=items, random_state=0))


def test_retire_counts_majority_sets_not_majority_labels(tax):
    ann, _, _ = make_round(40, swaps=False, dark=False)              # 200 items: retire is judged
    proposals = propose_revisions(tax, ann, random_state=0)
    retired = {p.categories[0] for p in proposals if p.kind == "retire"}
    assert "refund" not in retired and "crash" not in retired          # never a lone majority label, but common
    assert retired == {"slow"}                                         # the one label nobody used
    slow = _by_id(proposals)["retire:slow"]
    assert "in the majority label set of only 0 of 200 items" in slow.rationale


def test_label_lists_make_a_multilabel_round_even_for_a_multiclass_taxonomy(tax):
    ann, _, _ = make_round(subset=False, dark=False)
    multiclass = Taxonomy.from_yaml(TAXONOMY.replace("task: multilabel", "task: multiclass"))
    ids = [p.id for p in propose_revisions(multiclass, ann, random_state=0)]
    assert ids == [p.id for p in propose_revisions(tax, ann, random_state=0)]
    assert "merge:billing+refund" in ids


def test_a_clean_multilabel_round_proposes_nothing(tax):
    ann, _, _ = make_round(merge=False, subset=False, swaps=False, dark=False)
    assert propose_revisions(tax, ann, random_state=0) == []
