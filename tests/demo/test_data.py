"""Tests of the bundled demo project (EXAMPLE data written for the project) and the
SIMULATED annotators of :mod:`workbench.demo`."""

from __future__ import annotations

import itertools
import re
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import binomtest

from workbench.demo import (
    SIMULATED_ANNOTATORS,
    SimulatedAnnotator,
    load_demo_project,
    simulate_labels,
    simulate_round,
    write_demo_project,
)
from workbench.exceptions import DataError

PLANTED_PAIRS = [
    {"refund_request", "cancel_subscription"},
    {"bug_report", "how_to"},
    {"close_account", "cancel_subscription"},
    {"duplicate_charge", "refund_request"},
]


@pytest.fixture(scope="module")
def demo():
    return load_demo_project()


# --------------------------------------------------------------------------- taxonomy


def test_taxonomy_is_valid_and_complete(demo):
    taxonomy, _, _ = demo
    assert taxonomy.name == "support-intents" and taxonomy.version == 1 and taxonomy.task == "multiclass"
    assert set(taxonomy.groups) == {"billing", "technical", "account"}
    assert taxonomy.other_label == "none_of_these"
    leaves = [lab for lab in taxonomy.labels if lab != taxonomy.other_label]
    assert 9 <= len(leaves) <= 12
    for lab in leaves:
        cat = taxonomy.category(lab)
        assert taxonomy.parent_of[lab] in taxonomy.groups, lab
        assert cat.definition.strip(), lab
        assert cat.include and cat.exclude, lab
        assert all(rule.startswith("Use ") and " instead when " in rule for rule in cat.exclude), lab
        assert 2 <= len(cat.examples) <= 3 and len(cat.counter_examples) >= 1, lab
    assert len(taxonomy.edge_cases) >= 4
    assert [entry.version for entry in taxonomy.changelog] == [1]
    assert taxonomy.from_yaml(taxonomy.to_yaml()) == taxonomy


def test_every_file_says_it_is_example_data():
    from importlib.resources import files

    folder = files("workbench.demo").joinpath("data")
    assert "EXAMPLE DATA written for the Taxonomy Workbench project" in folder.joinpath("taxonomy.yaml").read_text()
    assert "example data written by hand" in folder.joinpath("README.md").read_text()


# --------------------------------------------------------------------------- items and gold


def test_items_shape_and_ids(demo):
    _, items, _ = demo
    assert list(items.columns) == ["item_id", "text", "channel", "language", "created_at"]
    assert 380 <= len(items) <= 420
    assert items["item_id"].is_unique and items["item_id"].str.fullmatch(r"msg-\d{4}").all()
    assert items["text"].is_unique and (items["text"].str.strip().str.len() > 5).all()
    assert set(items["channel"]) == {"email", "chat", "app_review"}
    assert set(items["language"]) == {"en"}
    stamps = pd.to_datetime(items["created_at"], utc=True, format="ISO8601")
    assert stamps.notna().all() and stamps.is_monotonic_increasing
    # varied length, not template text: many distinct first words, some long messages
    assert items["text"].str.split().str[0].str.lower().nunique() > 100
    assert (items["text"].str.len() > 250).sum() >= 2


def test_items_carry_pii_and_html_for_masking_and_escaping(demo):
    _, items, _ = demo
    text = items["text"]
    assert text.str.contains(r"[\w.]+@[\w.]+\.\w+").sum() >= 8
    assert text.str.contains(r"\b(?:\d{4} ){3}\d{4}\b").sum() >= 2
    assert text.str.contains(r"555-01\d\d|\(555\)|\+\d{1,2} \d{3}").sum() >= 4
    assert text.str.contains("<script>alert(1)</script>", regex=False).sum() == 1
    assert text.str.contains("<b>", regex=False).sum() >= 1


def test_gold_labels_are_valid_and_cover_every_intent(demo):
    taxonomy, items, gold = demo
    assert list(gold.columns) == ["item_id", "gold_label", "ambiguity", "hidden_intent"]
    assert list(gold["item_id"]) == list(items["item_id"])
    assert set(gold["gold_label"]) == set(taxonomy.labels)
    counts = gold["gold_label"].value_counts()
    assert counts.drop("none_of_these").min() >= 15
    assert 20 <= counts["none_of_these"] <= 35


def test_planted_ambiguities_and_missing_category(demo):
    taxonomy, _, gold = demo
    amb = gold[gold["ambiguity"] != ""]
    pairs = [tuple(a.split("|")) for a in amb["ambiguity"]]
    assert all(len(p) == 2 and set(p) <= set(taxonomy.labels) for p in pairs)
    assert all(g in p for g, p in zip(amb["gold_label"], pairs)), "the gold label is one side of its pair"
    found = Counter(frozenset(p) for p in pairs)
    for pair in PLANTED_PAIRS:
        assert found[frozenset(pair)] >= 5, pair
    hidden = gold["hidden_intent"] != ""
    assert (hidden == (gold["gold_label"] == "none_of_these")).all()
    assert (gold.loc[hidden, "hidden_intent"] == "feature_request").sum() >= 10
    assert gold.loc[hidden, "hidden_intent"].nunique() >= 4


# --------------------------------------------------------------------------- simulated annotators


def _synthetic(gold_label: str, n: int, *, ambiguity: str = "") -> pd.DataFrame:
    return pd.DataFrame({"item_id": [f"s{i}" for i in range(n)], "gold_label": gold_label,
                         "ambiguity": ambiguity, "hidden_intent": ""})


def _expected_share(sim: SimulatedAnnotator, gold: str, wrong: str, k: int) -> float:
    rate = sum(r for s, d, r in sim.confusions if s == gold and d == wrong)
    return rate * (1 - sim.noise) + (1 - rate) * sim.noise / (k - 1)


CONFUSIONS = [(name, g, w) for name, sim in SIMULATED_ANNOTATORS.items() for g, w, _ in sim.confusions]


def test_the_brief_confusions_are_there():
    assert ("ben", "refund_request", "cancel_subscription") in CONFUSIONS
    assert {("ben", "bug_report", "how_to"), ("ben", "how_to", "bug_report")} <= set(CONFUSIONS)
    assert SIMULATED_ANNOTATORS["ana"].noise == 0.05
    assert dict(((g, w), r) for g, w, r in SIMULATED_ANNOTATORS["ben"].confusions)[
        ("refund_request", "cancel_subscription")] == 0.35


@pytest.mark.parametrize("annotator, gold_label, wrong", CONFUSIONS)
def test_confusion_rates_match_documentation(demo, annotator, gold_label, wrong):
    taxonomy = demo[0]
    gold = _synthetic(gold_label, 3000)
    todo = pd.DataFrame({"item_id": gold["item_id"], "annotator": annotator})
    out = simulate_labels(todo, gold, labels=taxonomy.labels, random_state=1)
    sim = SIMULATED_ANNOTATORS[annotator]
    expected = _expected_share(sim, gold_label, wrong, len(taxonomy.labels))
    assert expected > 0.1
    hits = int((out["label"] == wrong).sum())
    assert binomtest(hits, len(out), expected).pvalue > 1e-3, (hits / len(out), expected)


def test_ana_noise_and_chen_unsure_rates(demo):
    taxonomy = demo[0]
    plain = _synthetic("invoice_request", 3000)
    out = simulate_labels(pd.DataFrame({"item_id": plain["item_id"], "annotator": "ana"}), plain,
                          labels=taxonomy.labels, random_state=2)
    errors = int((out["label"] != "invoice_request").sum())
    assert binomtest(errors, len(out), SIMULATED_ANNOTATORS["ana"].noise).pvalue > 1e-3
    assert not out["unsure"].any()

    hard = _synthetic("refund_request", 2000, ambiguity="refund_request|cancel_subscription")
    out = simulate_labels(pd.DataFrame({"item_id": hard["item_id"], "annotator": "chen"}), hard,
                          labels=taxonomy.labels, random_state=3)
    chen = SIMULATED_ANNOTATORS["chen"]
    assert binomtest(int(out["unsure"].sum()), len(out), chen.unsure_on_ambiguous).pvalue > 1e-3
    flips = int((out["label"] == "cancel_subscription").sum())
    expected_flip = chen.ambiguity_flip * (1 - chen.noise) + (1 - chen.ambiguity_flip) * chen.noise / 11
    assert binomtest(flips, len(out), expected_flip).pvalue > 1e-3
    between = out["note"].fillna("").str.startswith("between ")
    assert out.loc[between, "unsure"].all()
    assert set(out.loc[between, "note"]) == {"between refund_request and cancel_subscription"}
    assert binomtest(int(between.sum()), int(out["unsure"].sum()), chen.note_on_unsure).pvalue > 1e-3


def test_chen_notes_no_fit_items_with_their_hidden_intent(demo):
    taxonomy, _, gold = demo
    nofit = gold[gold["gold_label"] == "none_of_these"]
    todo = pd.DataFrame({"item_id": np.repeat(nofit["item_id"].to_numpy(), 20), "annotator": "chen"})
    out = simulate_labels(todo, gold, labels=taxonomy.labels, random_state=4).merge(nofit, on="item_id")
    on_other = out[out["label"] == "none_of_these"]
    assert len(on_other) > 0.85 * len(out)
    assert on_other["note"].notna().mean() > 0.9
    feature_notes = on_other.loc[on_other["hidden_intent"] == "feature_request", "note"].dropna()
    assert feature_notes.str.contains("feature").all()
    assert not on_other.loc[on_other["hidden_intent"] != "feature_request", "note"].dropna().str.contains(
        "feature").any()


def test_durations_are_realistic_and_simulation_is_reproducible(demo):
    taxonomy, items, gold = demo
    todo = pd.DataFrame({"item_id": np.repeat(items["item_id"].to_numpy(), 3),
                         "annotator": ["ana", "ben", "chen"] * len(items)})
    a = simulate_labels(todo, gold, labels=taxonomy.labels, random_state=7)
    b = simulate_labels(todo, gold, labels=taxonomy.labels, random_state=7)
    c = simulate_labels(todo, gold, labels=taxonomy.labels, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["label"].equals(c["label"])
    assert set(a["label"]) <= set(taxonomy.labels)
    medians = a.groupby("annotator")["duration_ms"].median() / 1000
    for name, sim in SIMULATED_ANNOTATORS.items():
        assert 0.7 * sim.median_seconds < medians[name] < 1.5 * sim.median_seconds, name
    assert a["duration_ms"].between(800, 600_000).all()


def test_planted_pairs_top_the_simulated_disagreements(demo):
    """The point of the demo: a pilot round's disagreements point at the planted pairs."""
    taxonomy, items, gold = demo
    todo = pd.DataFrame({"item_id": np.repeat(items["item_id"].to_numpy(), 3),
                         "annotator": ["ana", "ben", "chen"] * len(items)})
    out = simulate_labels(todo, gold, labels=taxonomy.labels, random_state=0)
    pairs = Counter()
    for _, labels in out.groupby("item_id")["label"]:
        for a, b in itertools.combinations(labels, 2):
            if a != b:
                pairs[frozenset((a, b))] += 1
    top = [set(p) for p, _ in pairs.most_common(5)]
    assert {"refund_request", "cancel_subscription"} in top[:3]
    assert {"bug_report", "how_to"} in top[:3]
    assert {"close_account", "cancel_subscription"} in top


def test_simulate_labels_errors_name_the_problem(demo):
    taxonomy, _, gold = demo
    with pytest.raises(DataError, match=r"annotator\(s\) \['zoe'\]; known: \['ana', 'ben', 'chen'\]"):
        simulate_labels(pd.DataFrame({"item_id": ["msg-0001"], "annotator": ["zoe"]}), gold,
                        labels=taxonomy.labels)
    with pytest.raises(DataError, match=r"1 assigned item\(s\) have no gold label, e.g. \['nope'\]"):
        simulate_labels(pd.DataFrame({"item_id": ["nope"], "annotator": ["ana"]}), gold,
                        labels=taxonomy.labels)
    with pytest.raises(DataError, match="annotator"):
        simulate_labels(pd.DataFrame({"item_id": ["x"]}), gold, labels=taxonomy.labels)


# --------------------------------------------------------------------------- project folder


def test_write_demo_project(tmp_path):
    written = write_demo_project(tmp_path / "proj")
    assert sorted(p.name for p in written) == ["README.md", "gold.csv", "items.csv", "project.yaml",
                                                "taxonomy.yaml"]
    settings = yaml.safe_load((tmp_path / "proj" / "project.yaml").read_text())
    assert settings["db"] == "workbench.db" and settings["example_data"] is True
    assert settings["rounds"][0]["annotators"] == ["ana", "ben", "chen"]
    assert "example data" in (tmp_path / "proj" / "README.md").read_text()
    copied = pd.read_csv(tmp_path / "proj" / "items.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(copied, load_demo_project()[1])
    with pytest.raises(FileExistsError, match="overwrite=True"):
        write_demo_project(tmp_path / "proj")
    assert len(write_demo_project(tmp_path / "proj", overwrite=True)) == 5


# --------------------------------------------------------------------------- through the real store


def _store_with_round(url, taxonomy, items, n_items, annotators):
    from workbench.store import AnnotationStore

    store = AnnotationStore(url)
    store.add_items(items)
    store.create_round(1, taxonomy_version=store.save_taxonomy(taxonomy))
    chosen = items["item_id"].head(n_items)
    plan = pd.DataFrame([(i, a) for i in chosen for a in annotators], columns=["item_id", "annotator"])
    store.assign(plan, round=1)
    return store, plan


def _check_round_in_store(url, demo):
    taxonomy, items, gold = demo
    store, plan = _store_with_round(url, taxonomy, items, 30, ["ana", "ben", "chen"])
    summary = simulate_round(store, 1, random_state=0, progress=False)
    got = store.annotations(round=1)
    assert len(got) == len(plan) == 90
    assert set(zip(got["item_id"], got["annotator"])) == set(zip(plan["item_id"], plan["annotator"]))
    assert set(got["label"]) <= set(taxonomy.labels) and (got["kind"] == "label").all()
    assert got["duration_ms"].notna().all()
    assert list(summary.columns) == ["annotator", "n_labels", "n_unsure", "n_notes", "gold_accuracy",
                                     "median_seconds"]
    assert summary["n_labels"].tolist() == [30, 30, 30]
    assert int(summary["n_unsure"].sum()) == int(got["unsure"].astype(bool).sum())
    # the same draws as the pure simulation over the store's queue order
    expected = simulate_labels(store.assignments(round=1), gold, labels=taxonomy.labels, random_state=0)
    merged = got.merge(expected, on=["item_id", "annotator"], suffixes=("", "_sim"))
    assert (merged["label"] == merged["label_sim"]).all()
    # a second call finds nothing left to label
    again = simulate_round(store, 1, random_state=1, progress=False)
    assert again.empty
    assert len(store.annotations(round=1)) == 90


def test_simulate_round_records_through_the_sqlite_store(sqlite_url, demo):
    _check_round_in_store(sqlite_url, demo)


@pytest.mark.postgres
def test_simulate_round_records_through_postgres(postgres_url, demo):
    _check_round_in_store(postgres_url, demo)


def test_run_demo_round_end_to_end(tmp_path):
    from workbench.demo import run_demo_round
    from workbench.exceptions import StoreError
    from workbench.store import AnnotationStore

    summary = run_demo_round(tmp_path / "demo", n_items=60, overlap=2, random_state=0, progress=False)
    assert (tmp_path / "demo" / "workbench.db").exists()
    assert summary["items"] == 60 and summary["labels"] == summary["assignments"] == 120
    got = AnnotationStore(str(tmp_path / "demo" / "workbench.db")).annotations(round=1)
    assert len(got) == 120
    assert got.groupby("item_id")["annotator"].nunique().eq(2).all()
    assert 0.6 < summary["gold_accuracy"] < 0.98
    with pytest.raises(StoreError, match="Round 1 already exists"):
        run_demo_round(tmp_path / "demo", n_items=10, overlap=2, progress=False)


@pytest.mark.slow
def test_revision_proposals_find_what_was_planted(demo):
    """End to end without a store: the demo pilot (seed 0) -> proposals name the planted problems."""
    from workbench.revisions import propose_revisions
    from workbench.sampling import assign, pilot_sample

    taxonomy, items, gold = demo
    plan = assign(pilot_sample(items, 240, stratify_by="channel", random_state=0), list(SIMULATED_ANNOTATORS),
                  overlap=2, random_state=0)
    sim = simulate_labels(plan, gold, labels=taxonomy.labels, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small-sample warnings of the bootstrap are expected here
        proposals = propose_revisions(taxonomy, sim, items=items, random_state=0)
    pairs = [set(p.categories) for p in proposals if p.kind in ("clarify", "merge")]
    assert {"refund_request", "cancel_subscription"} in pairs
    assert {"bug_report", "how_to"} in pairs
    hidden = gold.set_index("item_id")["hidden_intent"]
    adds = [p for p in proposals if p.kind == "add"]
    assert adds, [p.kind for p in proposals]
    assert (hidden[list(adds[0].example_item_ids)] == "feature_request").mean() >= 2 / 3



def test_planted_pii_is_masked_for_display(demo):
    from workbench.items import mask_pii

    _, items, _ = demo
    pii = re.compile(r"[\w.]+@[\w.]+\.\w+|\b(?:\d{4} ){3}\d{4}\b|\+\d{1,2}(?: \d{2,4}){2,3}|\(?555\)?[ -]01\d\d")
    planted = items["text"][items["text"].str.contains(pii)]
    assert len(planted) >= 12
    for text in planted:
        masked = mask_pii(text)
        assert not pii.search(masked), (text, masked)


def test_run_demo_round_reads_round_settings_from_project_yaml(tmp_path):
    from workbench.demo import run_demo_round
    from workbench.store import AnnotationStore

    write_demo_project(tmp_path, n_items=24, overlap=3)
    summary = run_demo_round(tmp_path, random_state=5, progress=False)
    assert (summary["items"], summary["labels"]) == (24, 72)
    store = AnnotationStore(str(tmp_path / "workbench.db"))
    params = store.round_info(1)["params"]
    assert params["simulated_annotators"] is True and params["overlap"] == 3
    got = store.annotations(round=1)
    assert set(got["session_id"]) == {"simulated-ana", "simulated-ben", "simulated-chen"}
    items = store.items()
    assert len(items) == 407 and set(items["channel"]) == {"email", "chat", "app_review"}


def _revised(taxonomy):
    return taxonomy.apply([
        {"op": "add", "category": {"id": "feature_request", "name": "Feature request", "parent": "technical",
                                   "definition": "The customer asks for something the app does not do yet."}},
        {"op": "rename", "category": "how_to", "to": "usage_question"},
        {"op": "merge", "categories": ["duplicate_charge", "refund_request"], "into": "billing_dispute",
         "definition": "The customer disputes a charge."},
        {"op": "split", "category": "close_account",
         "into": [{"id": "delete_account", "definition": "Delete the account and its data."},
                  {"id": "deactivate_account", "definition": "Pause or hide the account."}]},
    ], date="2026-11-23", summary="test revision")


def test_gold_for_a_revised_taxonomy(demo):
    from workbench.demo import gold_for_taxonomy

    taxonomy, _, gold = demo
    v2 = _revised(taxonomy)
    mapped = gold_for_taxonomy(gold, v2)
    assert set(mapped["gold_label"]) <= set(v2.labels)
    was = gold.set_index("item_id")
    now = mapped.set_index("item_id")
    assert (now.loc[was["hidden_intent"] == "feature_request", "gold_label"] == "feature_request").all()
    assert (now.loc[was["gold_label"] == "how_to", "gold_label"] == "usage_question").all()
    assert (now.loc[was["gold_label"].isin(["duplicate_charge", "refund_request"]), "gold_label"]
            == "billing_dispute").all()
    split = was["gold_label"] == "close_account"
    assert (now.loc[split, "ambiguity"] == "delete_account|deactivate_account").all()
    pairs = [set(a.split("|")) for a in now["ambiguity"] if a]
    assert all(len(p) == 2 and p <= set(v2.labels) for p in pairs)
    assert {"billing_dispute"} not in pairs and len(now) == len(was)
    with pytest.raises(DataError, match="not in taxonomy 'support-intents' v1"):
        gold_for_taxonomy(gold.assign(gold_label="nonsense"), taxonomy)


def test_simulate_round_two_on_the_revised_taxonomy(sqlite_url, demo):
    from workbench.store import AnnotationStore

    taxonomy, items, gold = demo
    store = AnnotationStore(sqlite_url)
    store.add_items(items)
    store.save_taxonomy(taxonomy)
    v2 = store.save_taxonomy(_revised(taxonomy))
    store.create_round(2, taxonomy_version=v2)
    feature = gold.loc[gold["hidden_intent"] == "feature_request", "item_id"].head(10)
    store.assign(pd.DataFrame([(i, a) for i in feature for a in ("ana", "chen")],
                              columns=["item_id", "annotator"]), round=2)
    simulate_round(store, 2, random_state=0, progress=False)
    got = store.annotations(round=2)
    assert len(got) == 20 and (got["taxonomy_version"] == v2).all()
    assert (got["label"] == "feature_request").mean() >= 0.8
