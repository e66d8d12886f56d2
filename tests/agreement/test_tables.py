"""Agreement tables: columns, consistency with the scores, oracles, and the naive bootstrap."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.exceptions import DataError, WorkbenchWarning


def simulate(n_items=60, annotators=("a", "b", "c"), q=4, missing=0.2, seed=0, p_true=0.6):
    rng = np.random.default_rng(seed)
    rows = []
    for item in range(n_items):
        truth = rng.integers(q)
        for ann in annotators:
            if rng.random() < missing:
                continue
            label = truth if rng.random() < p_true else rng.integers(q)
            rows.append((f"i{item}", ann, f"c{label}"))
    return pd.DataFrame(rows, columns=["item_id", "annotator", "label"])


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_agreement_table_columns_values_and_default_metrics():
    df = simulate()
    t = ag.agreement_table(df, n_boot=200, random_state=0)
    assert list(t.columns) == ["metric", "value", "ci_low", "ci_high", "n_items", "n_annotators", "n_pairable"]
    assert t.metric.tolist() == ["percent_agreement", "fleiss_kappa", "conger_kappa", "brennan_prediger",
                                 "gwet_ac1", "krippendorff_alpha"]
    for row in t.itertuples():
        assert row.value == pytest.approx(getattr(ag, f"{row.metric}_score")(df), abs=1e-12)
        assert row.ci_low <= row.value <= row.ci_high
    counts = df.groupby("item_id").size()
    assert t.n_items.iloc[0] == df.item_id.nunique() and t.n_annotators.iloc[0] == 3
    assert t.n_pairable.iloc[0] == counts[counts >= 2].sum()
    two = df[df.annotator != "c"]
    t2 = ag.agreement_table(two, n_boot=0, weights="linear")
    assert {"cohen_kappa", "scott_pi", "gwet_ac2"} <= set(t2.metric) and t2.ci_low.isna().all()
    row = t2.set_index("metric").loc["cohen_kappa"]
    both = two.groupby("item_id").size()
    assert row.n_items == (both == 2).sum() and row.n_pairable == 2 * (both == 2).sum()
    assert row.value == pytest.approx(ag.cohen_kappa_score(two, weights="linear"))


def test_agreement_table_is_reproducible_and_narrows_with_more_items():
    small, big = simulate(40, seed=1), simulate(400, seed=1)
    a = ag.agreement_table(small, metrics=["krippendorff_alpha"], n_boot=300, random_state=7)
    b = ag.agreement_table(small, metrics=["krippendorff_alpha"], n_boot=300, random_state=7)
    pd.testing.assert_frame_equal(a, b)
    c = ag.agreement_table(big, metrics=["krippendorff_alpha"], n_boot=300, random_state=7)
    assert (c.ci_high - c.ci_low).iloc[0] < (a.ci_high - a.ci_low).iloc[0]


def test_bootstrap_interval_matches_a_naive_bootstrap_with_the_krippendorff_package():
    krippendorff = pytest.importorskip("krippendorff")
    df = simulate(150, annotators=("a", "b", "c", "d"), seed=3)
    wide = df.assign(code=df.label.str[1:].astype(float)).pivot(index="item_id", columns="annotator",
                                                               values="code").to_numpy()
    rng = np.random.default_rng(0)
    naive = []
    for _ in range(600):
        sample = wide[rng.integers(0, len(wide), len(wide))]
        naive.append(krippendorff.alpha(reliability_data=sample.T, level_of_measurement="nominal",
                                        value_domain=[0.0, 1.0, 2.0, 3.0]))
    low, high = np.percentile(naive, [2.5, 97.5])
    t = ag.agreement_table(df, metrics=["krippendorff_alpha"], n_boot=2000, random_state=0).iloc[0]
    assert t.ci_low == pytest.approx(low, abs=0.03) and t.ci_high == pytest.approx(high, abs=0.03)
    assert t.value == pytest.approx(krippendorff.alpha(reliability_data=wide.T, level_of_measurement="nominal"))


def test_per_category_table_binary_oracles():
    irr = pytest.importorskip("statsmodels.stats.inter_rater")
    df = simulate(80, missing=0.0, seed=4)
    t = ag.per_category_table(df, n_boot=100, random_state=0)
    assert list(t.columns) == ["category", "support", "specific_agreement", "specific_agreement_low",
                               "specific_agreement_high", "kappa", "kappa_low", "kappa_high", "n_disagreements",
                               "disagreement_share"]
    wide = df.pivot(index="item_id", columns="annotator", values="label")
    for row in t.itertuples():
        binary = (wide == row.category).astype(int).to_numpy()
        table, _ = irr.aggregate_raters(binary, n_cat=2)
        assert row.kappa == pytest.approx(irr.fleiss_kappa(table), abs=1e-9)
        k = binary.sum(axis=1)
        assert row.specific_agreement == pytest.approx((k * (k - 1)).sum() / (k * 2).sum())
        assert row.support == (df.label == row.category).sum()
        assert row.n_disagreements == ((k > 0) & (k < 3)).sum()
        assert row.kappa_low <= row.kappa <= row.kappa_high
    n_split = (wide.nunique(axis=1) > 1).sum()
    assert t.disagreement_share.tolist() == pytest.approx((t.n_disagreements / n_split).tolist())


def test_per_category_two_raters_specific_agreement_is_fleiss_positive_agreement():
    a = ["x"] * 20 + ["x"] * 5 + ["y"] * 10 + ["y"] * 65
    b = ["x"] * 20 + ["y"] * 5 + ["x"] * 10 + ["y"] * 65
    df = pd.DataFrame({"item_id": list(range(100)) * 2, "annotator": ["A"] * 100 + ["B"] * 100, "label": a + b})
    t = ag.per_category_table(df, n_boot=0).set_index("category")
    assert t.loc["x", "specific_agreement"] == pytest.approx(2 * 20 / (2 * 20 + 5 + 10))  # 2a / (2a + b + c)
    assert t.loc["y", "specific_agreement"] == pytest.approx(2 * 65 / (2 * 65 + 5 + 10))


def test_per_category_unused_category_and_multilabel_per_label_agreement():
    df = simulate(50, seed=5)
    with pytest.warns(WorkbenchWarning, match="undefined"):
        warnings.simplefilter("always")
        t = ag.per_category_table(df, categories=["c0", "c1", "c2", "c3", "c9"], n_boot=0)
    assert t.set_index("category").loc["c9", "support"] == 0 and np.isnan(t.kappa.iloc[-1])
    rng = np.random.default_rng(0)
    rows = [(i, ann, sorted(set(rng.choice(["p", "q", "r"], size=rng.integers(1, 3)))))
            for i in range(40) for ann in ("a", "b", "c")]
    ml = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    t = ag.per_category_table(ml, n_boot=0).set_index("category")
    assert sorted(t.index) == ["p", "q", "r"]
    for label in ("p", "q", "r"):
        binary = ml.assign(label=ml.label.map(lambda s: label in s))
        assert t.loc[label, "kappa"] == pytest.approx(ag.fleiss_kappa_score(binary), abs=1e-12)
        assert t.loc[label, "support"] == binary.label.sum()


def test_pairwise_table_matches_sklearn_for_every_pair():
    metrics = pytest.importorskip("sklearn.metrics")
    df = simulate(70, annotators=("a", "b", "c", "d"), seed=6)
    t = ag.pairwise_table(df)
    assert list(t.columns) == ["annotator_a", "annotator_b", "n_items", "percent_agreement", "cohen_kappa"]
    assert len(t) == 6
    wide = df.pivot(index="item_id", columns="annotator", values="label")
    for row in t.itertuples():
        pair = wide[[row.annotator_a, row.annotator_b]].dropna()
        assert row.n_items == len(pair)
        assert row.percent_agreement == pytest.approx((pair.iloc[:, 0] == pair.iloc[:, 1]).mean())
        assert row.cohen_kappa == pytest.approx(metrics.cohen_kappa_score(pair.iloc[:, 0], pair.iloc[:, 1]),
                                                abs=1e-12)
    weighted = ag.pairwise_table(df, weights="quadratic")
    row = weighted.iloc[0]
    sub = df[df.annotator.isin([row.annotator_a, row.annotator_b])]
    assert row.cohen_kappa == pytest.approx(ag.cohen_kappa_score(sub, weights="quadratic"), abs=1e-12)


def test_annotator_table_with_majority_and_reference():
    df = pd.DataFrame({"item_id": [1, 1, 1, 2, 2, 2, 3, 3], "annotator": list("abcabcab"),
                       "label": list("xxyyyyxy"), "duration_ms": [1000, 3000, 2000, 4000, 1000, 2000, None, 5000]})
    t = ag.annotator_table(df).set_index("annotator")
    # a: pairs (1: b agree, c not; 2: b, c agree; 3: b not) -> 3 / 5
    assert t.loc["a", "agreement_with_others"] == pytest.approx(3 / 5)
    # a vs the others' plurality: item 1 others {x, y} tie -> 1/2; item 2 {y, y} -> 1; item 3 {y} -> 0
    assert t.loc["a", "agreement_with_majority"] == pytest.approx(1.5 / 3)
    assert t.loc["a", "n_items"] == 3 and t.loc["a", "median_seconds"] == pytest.approx(2.5)
    ref = pd.DataFrame({"item_id": [1, 2], "label": ["x", "x"]})
    t = ag.annotator_table(df, reference=ref).set_index("annotator")
    assert t.loc["a", "agreement_with_majority"] == pytest.approx(0.5)
    assert t.loc["c", "agreement_with_majority"] == pytest.approx(0.0)
    assert np.isnan(ag.annotator_table(df.drop(columns="duration_ms")).median_seconds).all()


def test_confusion_table_counts_splits_like_the_coincidence_matrix():
    df = simulate(80, annotators=("a", "b"), missing=0.0, seed=7)
    t = ag.confusion_table(df, n_examples=2)
    assert list(t.columns) == ["category_a", "category_b", "n_disagreements", "share", "example_item_ids"]
    o = ag.coincidence_matrix(df)
    for row in t.itertuples():  # two ratings per item: o_ab counts the a-b splits
        assert row.n_disagreements == pytest.approx(o.loc[row.category_a, row.category_b])
        assert 1 <= len(row.example_item_ids) <= 2
        for item in row.example_item_ids:
            assert set(df[df.item_id == item].label) == {row.category_a, row.category_b}
    assert t.n_disagreements.is_monotonic_decreasing and t.share.sum() == pytest.approx(1.0)


def test_disagreement_table_ranks_items_and_collects_notes():
    df = pd.DataFrame({"item_id": [1, 1, 1, 2, 2, 2, 3, 3, 4], "annotator": list("abcabcaba"),
                       "label": list("xyzxxyxxy"), "note": [None, "hm", "", None, None, None, None, None, "x"],
                       "unsure": [False, True, False, False, False, False, False, False, True]})
    t = ag.disagreement_table(df)
    assert list(t.columns) == ["item_id", "n_ratings", "n_distinct", "majority_label", "majority_share", "labels",
                               "notes", "any_unsure"]
    assert t.item_id.tolist() == [1, 2]  # item 3 agrees, item 4 has one rating
    assert t.iloc[0].labels == {"a": "x", "b": "y", "c": "z"} and t.iloc[0].notes == ["b: hm"]
    assert t.iloc[0].any_unsure and not t.iloc[1].any_unsure
    assert t.iloc[1].majority_label == "x" and t.iloc[1].majority_share == pytest.approx(2 / 3)
    assert len(ag.disagreement_table(df, top=1)) == 1
    assert len(ag.disagreement_table(df.drop(columns=["note", "unsure"]))) == 2


def test_consensus_table_ties_and_adjudications():
    df = pd.DataFrame({"item_id": [1, 1, 2, 2, 2], "annotator": list("ababc"), "label": list("yxzzy")})
    t = ag.consensus_table(df)
    assert list(t.columns) == ["item_id", "label", "n_ratings", "agreement"]
    assert t.label.tolist() == ["x", "z"] and t.agreement.tolist() == pytest.approx([0.5, 2 / 3])
    t = ag.consensus_table(df, categories=["z", "y", "x"])
    assert t.label.tolist() == ["y", "z"]  # the tie goes to the first declared category
    adj = pd.DataFrame({"item_id": [2], "label": ["y"]})
    t = ag.consensus_table(df, adjudications=adj)
    assert t.label.tolist() == ["x", "y"] and t.agreement.tolist() == pytest.approx([0.5, 1 / 3])


def test_hierarchy_table_rolls_labels_up_each_level():
    parent_of = {"billing": None, "refund": "billing", "invoice": "billing", "tech": None, "bug": "tech",
                 "crash": "bug", "slow": "bug", "other": None}
    leaves = ["refund", "invoice", "crash", "slow", "other"]
    rng = np.random.default_rng(0)
    rows = [(i, a, leaves[rng.integers(5)]) for i in range(60) for a in "abc"]
    df = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    t = ag.hierarchy_table(df, parent_of=parent_of)
    assert t.level.tolist() == [0, 1, 2] and t.n_categories.tolist() == [3, 4, 5]
    leaf = t.iloc[2]
    assert leaf.krippendorff_alpha == pytest.approx(ag.krippendorff_alpha_score(df))
    top = {"refund": "billing", "invoice": "billing", "crash": "tech", "slow": "tech", "other": "other"}
    rolled = df.assign(label=df.label.map(top))
    assert t.iloc[0].fleiss_kappa == pytest.approx(ag.fleiss_kappa_score(rolled))
    assert t.iloc[0].percent_agreement >= t.iloc[2].percent_agreement

    class FakeTaxonomy:
        pass

    tax = FakeTaxonomy()
    tax.parent_of = parent_of
    pd.testing.assert_frame_equal(ag.hierarchy_table(df, parent_of=tax), t)
    with pytest.raises(DataError, match=r"labels \['nope'\] are not in parent_of"):
        ag.hierarchy_table(pd.concat([df, pd.DataFrame([(99, "a", "nope")], columns=df.columns)]),
                           parent_of=parent_of)


def test_invariances_hold_for_every_metric():
    """Relabelling categories / annotators / items and shuffling rows changes no nominal metric."""
    df = simulate(50, annotators=("a", "b", "c"), seed=11)
    renamed = df.assign(label=df.label.map({"c0": "z", "c1": "y", "c2": "x", "c3": "w"}),
                        annotator=df.annotator.map({"a": "q", "b": "r", "c": "s"}),
                        item_id=df.item_id.map(lambda i: f"doc-{i}"))
    shuffled = renamed.sample(frac=1.0, random_state=3)
    for name in ("percent_agreement", "fleiss_kappa", "conger_kappa", "brennan_prediger", "gwet_ac1",
                 "krippendorff_alpha"):
        func = getattr(ag, f"{name}_score")
        value = func(df)
        assert func(shuffled) == pytest.approx(value, abs=1e-12), name
        assert -1.0 <= value <= 1.0


def test_tables_survive_empty_and_degenerate_data():
    agree = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": list("abab"), "label": list("xxyy")})
    one = pd.DataFrame({"item_id": [1, 2], "annotator": ["a", "a"], "label": ["x", "y"]})
    empty = pd.DataFrame({"item_id": [], "annotator": [], "label": []})
    for df in (agree, one, empty):
        assert ag.agreement_table(df, n_boot=20, random_state=0).metric.iloc[0] == "percent_agreement"
        for table in (ag.confusion_table, ag.disagreement_table, ag.pairwise_table, ag.annotator_table,
                      ag.consensus_table):
            table(df)
        ag.per_category_table(df, n_boot=20, random_state=0)
    assert len(ag.confusion_table(agree)) == 0 and len(ag.disagreement_table(agree)) == 0
    t = ag.agreement_table(one, n_boot=20, random_state=0)
    assert t.value.isna().all() and t.ci_low.isna().all()


def test_progress_bar_option_runs_and_changes_nothing(capsys):
    df = simulate(30, seed=12)
    quiet = ag.agreement_table(df, n_boot=50, random_state=1)
    loud = ag.agreement_table(df, n_boot=50, random_state=1, progress=True)
    pd.testing.assert_frame_equal(quiet, loud)
    assert "bootstrap" in capsys.readouterr().err
