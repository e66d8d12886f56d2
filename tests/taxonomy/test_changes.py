"""Change operations (apply), diff between versions, and label migration across versions."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pandas as pd
import pytest

from workbench.exceptions import TaxonomyError, ValidationError
from workbench.taxonomy import Taxonomy, diff, migrate

V1 = """\
name: support
version: 1
categories:
  - id: billing
    name: Billing
    definition: Money matters.
  - id: refund
    name: Refund
    parent: billing
    definition: Wants money back.
    include: ["Asks for money back."]
  - id: duplicate
    parent: billing
    definition: Charged twice.
  - id: tech
    definition: Technical matters.
  - id: bug
    parent: tech
    definition: Something is broken.
  - id: howto
    parent: tech
    definition: Asks how to do something.
  - id: none
    other: true
    definition: Fits nothing.
edge_cases:
  - rule: A refund because of a bug is a refund.
    categories: [refund, bug]
    examples:
      - {text: "It crashed, refund me", label: refund}
      - {text: "Crash again", label: bug}
  - rule: Double charge plus refund request is duplicate.
    categories: [duplicate, refund]
changelog:
  - version: 1
    date: "2026-11-01"
    changes:
      - {op: add, category: refund}
"""


@pytest.fixture
def v1() -> Taxonomy:
    return Taxonomy.from_yaml(V1)


def ids(t: Taxonomy):
    return [c.id for c in t.categories]


# ----------------------------------------------------------------------------- apply: bookkeeping
def test_apply_bumps_the_version_and_records_the_ops(v1):
    ops = [{"op": "redefine", "category": "bug", "definition": "Broken.", "rationale": "shorter"}]
    t2 = v1.apply(ops, author="lead", date="2026-11-05", summary="Pilot 1")
    assert t2.version == 2 and v1.version == 1
    entry = t2.changelog[-1]
    assert (entry.version, entry.date, entry.author, entry.summary) == (2, "2026-11-05", "lead", "Pilot 1")
    assert list(entry.changes) == ops
    assert t2.changelog[:-1] == v1.changelog


def test_apply_defaults_the_date_to_today_utc(v1):
    t2 = v1.apply({"op": "retire", "category": "howto"})
    assert t2.changelog[-1].date == dt.datetime.now(dt.timezone.utc).date().isoformat()
    assert t2.changelog[-1].author is None


def test_apply_mutates_neither_the_taxonomy_nor_the_ops(v1):
    before_yaml = v1.to_yaml()
    ops = [{"op": "add", "category": {"id": "late", "parent": "billing", "definition": "Late."}},
           {"op": "split", "category": "bug", "into": [{"id": "crash", "definition": "Crash."},
                                                      {"id": "glitch", "definition": "Glitch."}]}]
    snapshot = copy.deepcopy(ops)
    t2 = v1.apply(ops)
    assert ops == snapshot and v1.to_yaml() == before_yaml
    t2.changelog[-1].changes[0]["category"]["id"] = "tampered"  # the recorded op is a copy
    assert ops == snapshot


def test_applied_taxonomy_round_trips_through_yaml(v1):
    t3 = v1.apply({"op": "rename", "category": "bug", "to": "defect"}).apply(
        {"op": "merge", "categories": ["refund", "duplicate"], "into": "money_back", "definition": "Money back."})
    again = Taxonomy.from_yaml(t3.to_yaml())
    assert again == t3
    assert again.migrate(["bug", "duplicate"], 1).migrated_label.tolist() == ["defect", "money_back"]


# ----------------------------------------------------------------------------- apply: each op
def test_add_goes_after_its_siblings_or_before_the_catch_all(v1):
    t2 = v1.apply([{"op": "add", "category": {"id": "late", "name": "Late charge", "parent": "billing",
                                              "definition": "Charged late."}},
                   {"op": "add", "category": {"id": "praise", "definition": "Says something nice."}}])
    assert ids(t2) == ["billing", "refund", "duplicate", "late", "tech", "bug", "howto", "praise", "none"]
    assert t2.category("late").name == "Late charge" and t2.parent_of["late"] == "billing"
    assert "late" in t2.labels and "praise" in t2.labels


def test_add_rejects_existing_ids_missing_definitions_and_unknown_parents(v1):
    with pytest.raises(TaxonomyError) as info:
        v1.apply([{"op": "add", "category": {"id": "refund", "definition": "x"}},
                  {"op": "add", "category": {"id": "new"}},
                  {"op": "add", "category": {"id": "n2", "parent": "biling", "definition": "x"}},
                  {"op": "add", "category": "just_an_id"}])
    p = info.value.problems
    assert "change 1 (add): category 'refund' already exists" in p[0]
    assert "change 2 (add): the new category 'new' needs a 'definition'" in p[1]
    assert "change 3 (add): unknown category 'biling'. Did you mean 'billing'?" in p[2]
    assert "change 4 (add)" in p[3] and "must be a mapping" in p[3]


def test_retire_keeps_the_category_as_deprecated(v1):
    t2 = v1.apply({"op": "retire", "category": "howto"})
    assert t2.category("howto").deprecated and "howto" not in t2.labels and "howto" in ids(t2)
    with pytest.raises(TaxonomyError, match="already retired"):
        t2.apply({"op": "retire", "category": "howto"})
    with pytest.raises(TaxonomyError, match=r"still has active children \['bug'\]"):
        t2.apply({"op": "retire", "category": "tech"})
    t3 = t2.apply([{"op": "retire", "category": "bug"}, {"op": "retire", "category": "tech"}])
    assert "tech" not in t3.labels and t3.category("tech").deprecated


def test_rename_rewrites_parents_edge_cases_and_labeled_examples(v1):
    t2 = v1.apply([{"op": "rename", "category": "bug", "to": "defect", "name": "Defect"},
                   {"op": "rename", "category": "tech", "to": "technical"}])
    assert "bug" not in ids(t2) and t2.category("defect").name == "Defect"
    assert t2.parent_of["defect"] == "technical" and t2.parent_of["howto"] == "technical"
    assert t2.edge_cases[0].categories == ("refund", "defect")
    assert t2.edge_cases[0].examples[1].label == "defect"
    assert t2.category("defect").definition == "Something is broken."
    with pytest.raises(TaxonomyError, match="category 'refund' already exists"):
        v1.apply({"op": "rename", "category": "bug", "to": "refund"})


def test_merge_into_a_new_category(v1):
    t2 = v1.apply({"op": "merge", "categories": ["refund", "duplicate"], "into": "money_back",
                   "name": "Money back", "definition": "Wants money back, or was charged twice."})
    assert ids(t2)[:2] == ["billing", "money_back"] and "refund" not in ids(t2) and "duplicate" not in ids(t2)
    c = t2.category("money_back")
    assert c.parent == "billing" and c.include == ("Asks for money back.",) and c.name == "Money back"
    assert t2.edge_cases[0].categories == ("money_back", "bug")
    assert t2.edge_cases[1].categories == ("money_back",)
    assert t2.edge_cases[0].examples[0].label == "money_back"
    with pytest.raises(TaxonomyError, match="needs a 'definition'"):
        v1.apply({"op": "merge", "categories": ["refund", "duplicate"], "into": "mb"})


def test_merge_into_one_of_the_merged_categories_and_reparenting(v1):
    t2 = v1.apply({"op": "merge", "categories": ["refund", "duplicate"], "into": "refund"})
    assert "duplicate" not in ids(t2) and t2.category("refund").definition == "Wants money back."
    t3 = v1.apply({"op": "merge", "categories": ["billing", "tech"], "into": "all", "definition": "Everything."})
    assert t3.parent_of["refund"] == "all" and t3.parent_of["bug"] == "all" and t3.groups == ("all",)
    with pytest.raises(TaxonomyError, match="repeat an id"):
        v1.apply({"op": "merge", "categories": ["refund", "refund"], "into": "x", "definition": "X."})


def test_split_replaces_the_category_by_its_parts(v1):
    t2 = v1.apply({"op": "split", "category": "bug", "into": [
        {"id": "crash", "definition": "The app crashes."}, {"id": "glitch", "definition": "Wrong behaviour."}]})
    assert ids(t2) == ["billing", "refund", "duplicate", "tech", "crash", "glitch", "howto", "none"]
    assert t2.parent_of["crash"] == "tech" == t2.parent_of["glitch"]
    assert t2.edge_cases[0].categories == ("refund", "crash", "glitch")
    assert t2.edge_cases[0].examples[1] == "Crash again"  # its label cannot be guessed any more
    assert t2.edge_cases[0].examples[0].label == "refund"


def test_split_into_an_existing_category_and_invalid_splits(v1):
    t2 = v1.apply({"op": "split", "category": "duplicate", "into": ["refund", {"id": "dup2", "definition": "D."}]})
    assert "duplicate" not in ids(t2) and "dup2" in t2.labels
    with pytest.raises(TaxonomyError, match="is a group with children"):
        v1.apply({"op": "split", "category": "tech", "into": [{"id": "a", "definition": "A."},
                                                             {"id": "b", "definition": "B."}]})
    with pytest.raises(TaxonomyError, match="'into' must be a list of 2\\+"):
        v1.apply({"op": "split", "category": "bug", "into": [{"id": "a", "definition": "A."}]})


def test_redefine_add_rule_add_edge_case(v1):
    t2 = v1.apply([
        {"op": "redefine", "category": "howto", "definition": "Asks how to use a feature.", "name": "How-to"},
        {"op": "add_rule", "category": "howto", "exclude": "Use bug instead when it used to work."},
        {"op": "add_rule", "category": "refund", "include": ["Asks for a credit."], "exclude": ["x", "y"]},
        {"op": "add_edge_case", "rule": "How-to about a broken thing is a bug.", "categories": ["bug", "howto"],
         "examples": ["How do I fix the crash?"]},
    ])
    h = t2.category("howto")
    assert (h.definition, h.name, h.exclude) == ("Asks how to use a feature.", "How-to",
                                                 ("Use bug instead when it used to work.",))
    assert t2.category("refund").include == ("Asks for money back.", "Asks for a credit.")
    assert t2.category("refund").exclude == ("x", "y")
    assert t2.edge_cases[-1].rule == "How-to about a broken thing is a bug."
    assert [e.rule for e in t2.edge_cases_for("howto")] == ["How-to about a broken thing is a bug."]


def test_invalid_ops_are_all_reported_with_valid_names(v1):
    with pytest.raises(TaxonomyError) as info:
        v1.apply([{"op": "retire", "category": "refnd"},
                  {"op": "renam", "category": "bug", "to": "x"},
                  {"op": "merge", "categories": ["refund"], "into": "x"},
                  {"op": "redefine", "category": "bug", "definition": "B.", "colour": "red"},
                  "not a mapping",
                  {"op": "add_rule", "category": "bug"},
                  {"op": "add_edge_case", "rule": "R.", "categories": ["bug", "nope"]}])
    p = info.value.problems
    assert len(p) == 7
    assert "change 1 (retire): unknown category 'refnd'. Did you mean 'refund'?" in p[0] and "'howto'" in p[0]
    assert "unknown op 'renam'. Did you mean 'rename'?" in p[1]
    assert "'categories' must be a list of 2+ category ids" in p[2]
    assert "unknown key 'colour'" in p[3]
    assert "change 5" in p[4] and "must be a mapping" in p[4]
    assert "give 'include' or 'exclude'" in p[5]
    assert "unknown category 'nope'" in p[6]
    with pytest.raises(TaxonomyError, match="no changes given"):
        v1.apply([])
    with pytest.raises(TaxonomyError, match="changes must be an operation mapping"):
        v1.apply("retire bug")


def test_ops_see_the_effect_of_earlier_ops(v1):
    t2 = v1.apply([{"op": "rename", "category": "bug", "to": "defect"},
                   {"op": "redefine", "category": "defect", "definition": "Defect."}])
    assert t2.category("defect").definition == "Defect."
    with pytest.raises(TaxonomyError, match="change 2 \\(redefine\\): unknown category 'bug'"):
        v1.apply([{"op": "rename", "category": "bug", "to": "defect"},
                  {"op": "redefine", "category": "bug", "definition": "Defect."}])


# ----------------------------------------------------------------------------- diff
def test_diff_uses_the_changelog_ops(v1):
    t2 = v1.apply([{"op": "add", "category": {"id": "late", "parent": "billing", "definition": "Late."}},
                   {"op": "retire", "category": "howto", "rationale": "rare"},
                   {"op": "rename", "category": "bug", "to": "defect"}])
    t3 = t2.apply([{"op": "merge", "categories": ["refund", "duplicate"], "into": "money", "definition": "M."},
                   {"op": "split", "category": "defect", "into": [{"id": "crash", "definition": "C."},
                                                                 {"id": "glitch", "definition": "G."}]},
                   {"op": "redefine", "category": "late", "definition": "Very late."},
                   {"op": "add_rule", "category": "late", "exclude": "Not late."},
                   {"op": "add_edge_case", "rule": "Late crash is crash.", "categories": ["late", "crash"]}])
    d = diff(v1, t3)
    assert list(d.columns) == ["change", "category", "detail"]
    assert d.values.tolist() == [
        ["added", "late", "Late."], ["retired", "howto", "rare"], ["renamed", "bug", "bug -> defect"],
        ["merged", "money", "refund + duplicate -> money"], ["split", "defect", "defect -> crash, glitch"],
        ["redefined", "late", "Very late."], ["rule_added", "late", "exclude: Not late."],
        ["edge_case_added", "late, crash", "Late crash is crash."],
    ]
    assert diff(t2, t3)["change"].tolist() == ["merged", "split", "redefined", "rule_added", "edge_case_added"]


def test_diff_infers_hand_edits_from_content(v1):
    hand = Taxonomy.from_yaml(
        V1.replace("version: 1", "version: 2", 1)
          .replace("Something is broken.", "Something is broken or slow.")
          .replace('include: ["Asks for money back."]', 'include: ["Asks for a credit."]')
          .replace("  - id: howto\n    parent: tech\n    definition: Asks how to do something.\n",
                   "  - id: how_to\n    parent: tech\n    definition: Asks how to do something.\n")
          .replace("  - id: none\n", "  - id: praise\n    definition: Nice words.\n  - id: none\n")
          .replace("name: Billing", "name: Payments")
          .replace("Double charge plus refund request is duplicate.", "Double charge is duplicate.")
          .replace("task: multiclass\n", "") + "task: multilabel\n")
    d = diff(v1, hand)
    rows = set(map(tuple, d.values.tolist()))
    assert ("task_changed", None, "multiclass -> multilabel") in rows
    assert ("name_changed", "billing", "Billing -> Payments") in rows
    assert ("rule_added", "refund", "include: Asks for a credit.") in rows
    assert ("rule_removed", "refund", "include: Asks for money back.") in rows
    assert ("redefined", "bug", "Something is broken or slow.") in rows
    assert ("renamed", "howto", "howto -> how_to (same definition)") in rows
    assert ("added", "praise", "Nice words.") in rows
    assert ("edge_case_added", "duplicate, refund", "Double charge is duplicate.") in rows
    assert ("edge_case_removed", "duplicate, refund", "Double charge plus refund request is duplicate.") in rows
    assert len(rows) == 9


def test_diff_and_migrate_need_taxonomies(v1):
    with pytest.raises(ValidationError, match="The 'new' parameter of diff must be a workbench Taxonomy"):
        diff(v1, v1.to_dict())
    with pytest.raises(ValidationError, match="The 'old' parameter of migrate must be a workbench Taxonomy"):
        migrate(["a"], 1, v1)


def test_diff_of_identical_taxonomies_is_empty(v1):
    d = diff(v1, Taxonomy.from_yaml(v1.to_yaml()))
    assert d.empty and list(d.columns) == ["change", "category", "detail"]


def test_diff_reports_removed_and_retired_by_content(v1):
    hand = Taxonomy.from_yaml(V1.replace("version: 1", "version: 2", 1)
                              .replace("  - id: duplicate\n    parent: billing\n    definition: Charged twice.\n", "")
                              .replace("categories: [duplicate, refund]", "categories: [refund]")
                              .replace("    definition: Asks how to do something.\n",
                                       "    definition: Asks how to do something.\n    deprecated: true\n"))
    rows = set(map(tuple, diff(v1, hand).values.tolist()))
    assert ("removed", "duplicate", "Charged twice.") in rows and ("retired", "howto", "") in rows


# ----------------------------------------------------------------------------- migrate
@pytest.fixture
def chain(v1):
    """v1 -> v4: bug renamed to defect, then defect + howto merged into support, then support renamed."""
    v2 = v1.apply({"op": "rename", "category": "bug", "to": "defect"}, date="2026-11-02")
    v3 = v2.apply([{"op": "merge", "categories": ["defect", "howto"], "into": "support", "definition": "S."},
                   {"op": "split", "category": "refund", "into": [{"id": "refund_full", "definition": "F."},
                                                                 {"id": "refund_partial", "definition": "P."}]}],
                  date="2026-11-03")
    v4 = v3.apply([{"op": "rename", "category": "support", "to": "tech_support"},
                   {"op": "retire", "category": "duplicate"}], date="2026-11-04")
    return v1, v2, v3, v4


def test_migrate_through_rename_and_merge_chains(chain):
    v1, v2, v3, v4 = chain
    m = v4.migrate(["bug", "howto", "refund", "duplicate", "none", "bug"], 1)
    assert list(m.columns) == ["label", "migrated_label", "status", "candidates"]
    assert m.migrated_label.tolist() == ["tech_support", "tech_support", None, None, "none", "tech_support"]
    assert m.status.tolist() == ["merged", "merged", "needs_relabel", "retired", "unchanged", "merged"]
    assert m.candidates[2] == ("refund_full", "refund_partial")
    # from an intermediate version, and to an intermediate version
    assert v4.migrate(["defect", "support"], 2).migrated_label.tolist() == ["tech_support", "tech_support"]
    assert v4.migrate(["support"], 3).status.tolist() == ["renamed"]
    assert v4.migrate(["bug"], 1, 2).migrated_label.tolist() == ["defect"]
    assert v4.migrate(["bug"], 1, 3).migrated_label.tolist() == ["support"]
    assert v4.migrate(["bug"], 4).status.tolist() == ["unknown"]  # not a label of v4 any more
    # every migrated label is valid in the target version
    assert set(m.migrated_label.dropna()) <= set(v4.labels)


def test_migration_composes_across_versions(chain):
    v1, v2, v3, v4 = chain
    for label in ["bug", "howto", "duplicate", "none", "refund", "tech"]:
        direct = v4.migrate([label], 1).iloc[0]
        first = v4.migrate([label], 1, 2).iloc[0]
        if first.migrated_label is None:
            assert direct.migrated_label is None and direct.status == first.status
            continue
        second = v4.migrate([first.migrated_label], 2).iloc[0]
        assert direct.migrated_label == second.migrated_label, label


def test_split_labels_are_never_guessed(chain):
    v1, v2, v3, v4 = chain
    m = v3.migrate(["refund"] * 3, 1)
    assert m.migrated_label.isna().all() and (m.status == "needs_relabel").all()


def test_module_migrate_flags_labels_unknown_to_the_old_version(chain):
    v1, v2, v3, v4 = chain
    m = migrate(["bug", "typo", "billing"], v1, v4)
    assert m.status.tolist() == ["merged", "unknown", "unknown"]  # 'billing' is a group, not a label


def test_migrate_accepts_series_multilabel_and_missing(chain):
    v1, v2, v3, v4 = chain
    s = pd.Series(["bug", None, float("nan"), '["howto", "bug", "none"]', ("bug", "none")], index=[10, 11, 12, 13, 14])
    m = v4.migrate(s, 1)
    assert list(m.index) == [10, 11, 12, 13, 14]
    assert m.status.tolist() == ["merged", "missing", "missing", "merged", "merged"]
    assert m.migrated_label[13] == json.dumps(["none", "tech_support"])
    assert m.migrated_label[14] == ("tech_support", "none")
    m2 = v4.migrate(['["refund", "none"]'], 1)
    assert m2.status[0] == "needs_relabel" and m2.migrated_label[0] is None
    assert v4.migrate("howto", 1).migrated_label.tolist() == ["tech_support"]


def test_migrate_argument_errors(chain):
    v1, v2, v3, v4 = chain
    with pytest.raises(TaxonomyError, match="labels can only move forward"):
        v4.migrate(["x"], 3, 2)
    with pytest.raises(TaxonomyError, match="newer than this taxonomy"):
        v2.migrate(["x"], 1, 3)
    with pytest.raises(ValidationError, match="The 'from_version' parameter of Taxonomy.migrate must be an int"):
        v4.migrate(["x"], "1")
    gap = Taxonomy.from_yaml(v1.to_yaml().replace("version: 1\n", "version: 3\n", 1))
    with pytest.raises(TaxonomyError, match=r"no entry for version\(s\) \[2, 3\]"):
        gap.migrate(["bug"], 1)


def test_ops_built_from_numpy_and_pandas_values_are_stored_as_plain_yaml(v1):
    import numpy as np

    ids = pd.Series(["refund", "duplicate"]).to_numpy()
    t2 = v1.apply({"op": "merge", "categories": tuple(ids), "into": np.str_("money"), "definition": "M.",
                   "rationale": "share " + str(np.float64(0.25))}, date=dt.date(2026, 11, 3))
    assert t2.changelog[-1].date == "2026-11-03"
    assert t2.changelog[-1].changes[0]["categories"] == ["refund", "duplicate"]
    assert type(t2.changelog[-1].changes[0]["into"]) is str
    again = Taxonomy.from_yaml(t2.to_yaml())
    assert again == t2 and again.migrate(["duplicate"], 1).migrated_label[0] == "money"


def test_migrate_unhashable_multilabel_lists_and_repeated_values(chain):
    v1, v2, v3, v4 = chain
    m = v4.migrate([["bug", "none"], "howto", ["refund"], "howto"], 1)
    assert m.migrated_label.tolist() == [("tech_support", "none"), "tech_support", None, "tech_support"]
    assert m.status.tolist() == ["merged", "merged", "needs_relabel", "merged"]
    assert m.candidates[2] == ("refund_full", "refund_partial")
    big = v4.migrate(["bug", "none", None] * 1000, 1)
    assert big.status.value_counts().to_dict() == {"merged": 1000, "unchanged": 1000, "missing": 1000}
