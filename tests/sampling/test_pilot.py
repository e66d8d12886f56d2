"""Pilot design: pilot_sample / allocation_table, assign, calibration_set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.exceptions import DataError, ValidationError
from workbench.sampling import allocation_table, assign, calibration_set, pilot_sample


@pytest.fixture
def items():
    rng = np.random.default_rng(0)
    n = 1000
    return pd.DataFrame({
        "item_id": [f"it{k:04d}" for k in range(n)],
        "text": [f"text {k}" for k in range(n)],
        "source": rng.choice(["web", "app", "email"], size=n, p=[0.7, 0.25, 0.05]),
        "lang": rng.choice(["en", "de", None], size=n, p=[0.8, 0.15, 0.05]),
    })


# -- pilot_sample --------------------------------------------------------------------

def test_simple_random_sample_has_n_distinct_rows_of_the_pool(items):
    s = pilot_sample(items, 100, random_state=0)
    assert len(s) == 100 and s["item_id"].is_unique
    assert set(s["item_id"]) <= set(items["item_id"])
    assert list(s.columns) == list(items.columns)
    assert s.attrs["allocation"]["sample"].tolist() == [100]


def test_stratified_sample_follows_the_proportional_allocation(items):
    s = pilot_sample(items, 200, stratify_by="source", random_state=1)
    alloc = s.attrs["allocation"].set_index("stratum")
    counts = items["source"].value_counts()
    for stratum, row in alloc.iterrows():
        assert row["population"] == counts[stratum]
        assert (s["source"] == stratum).sum() == row["sample"]
        assert abs(row["sample"] - 200 * counts[stratum] / len(items)) < 1
    assert alloc["sample"].sum() == 200


def test_every_stratum_is_represented_even_a_tiny_one():
    items = pd.DataFrame({"item_id": range(1001), "g": ["big"] * 1000 + ["rare"]})
    s = pilot_sample(items, 10, stratify_by="g", random_state=0)
    assert set(s["g"]) == {"big", "rare"}


def test_equal_allocation_oversamples_rare_strata(items):
    table = allocation_table(items, 30, stratify_by="source", allocation="equal")
    assert table["sample"].tolist() == [10, 10, 10]


def test_stratify_on_several_columns_with_missing_values_as_their_own_stratum(items):
    table = allocation_table(items, 50, stratify_by=["source", "lang"])
    assert any("<missing>" in s for s in table["stratum"])
    assert table["population"].sum() == len(items)
    assert table["sample"].sum() == 50


def test_pilot_sample_is_reproducible_and_seed_dependent(items):
    a = pilot_sample(items, 50, stratify_by="source", random_state=3)["item_id"].tolist()
    b = pilot_sample(items, 50, stratify_by="source", random_state=3)["item_id"].tolist()
    c = pilot_sample(items, 50, stratify_by="source", random_state=4)["item_id"].tolist()
    assert a == b and a != c


def test_stratified_sampling_is_unbiased_within_a_stratum():
    """Each web item has the same chance: counts over many draws pass a chi-square test."""
    from scipy.stats import chisquare

    items = pd.DataFrame({"item_id": range(20), "g": ["a"] * 10 + ["b"] * 10})
    hits = np.zeros(20)
    for seed in range(400):
        hits[pilot_sample(items, 4, stratify_by="g", random_state=seed)["item_id"]] += 1
    assert chisquare(hits[:10]).pvalue > 0.001 and chisquare(hits[10:]).pvalue > 0.001
    assert hits[:10].sum() == hits[10:].sum() == 800


def test_pilot_sample_errors_name_the_problem(items):
    with pytest.raises(DataError, match="'region'"):
        pilot_sample(items, 10, stratify_by="region")
    with pytest.raises(ValidationError, match="'n' parameter"):
        pilot_sample(items, 0)
    with pytest.raises(ValidationError, match="'allocation'"):
        pilot_sample(items, 5, allocation="neyman")
    with pytest.raises(DataError, match="DataFrame"):
        pilot_sample(["a", "b"], 1)


def test_n_larger_than_the_pool_returns_the_whole_pool(items):
    assert len(pilot_sample(items.head(7), 50, random_state=0)) == 7


# -- assign ----------------------------------------------------------------------------

def _check_assignment(a: pd.DataFrame, ids, annotators):
    assert list(a.columns) == ["item_id", "annotator", "position"]
    assert not a.duplicated(["item_id", "annotator"]).any()        # never the same item twice
    assert set(a["item_id"]) == set(ids)                            # every item assigned
    loads = a.groupby("annotator").size().reindex(annotators, fill_value=0)
    assert loads.max() - loads.min() <= 1                           # balanced
    for _, g in a.groupby("annotator"):                             # positions 0..load-1
        assert sorted(g["position"]) == list(range(len(g)))


def test_every_item_to_k_annotators():
    ids = [f"i{k}" for k in range(30)]
    a = assign(ids, ["ann", "bob", "cy", "dee"], overlap=3, random_state=0)
    _check_assignment(a, ids, ["ann", "bob", "cy", "dee"])
    assert (a.groupby("item_id").size() == 3).all()
    assert len(a) == 90


def test_fractional_overlap_double_labels_the_requested_share():
    ids = list(range(100))
    a = assign(ids, ["a", "b", "c"], overlap={2: 0.3}, random_state=1)
    _check_assignment(a, ids, ["a", "b", "c"])
    assert a.groupby("item_id").size().value_counts().to_dict() == {1: 70, 2: 30}
    b = assign(ids, ["a", "b", "c"], overlap=0.3, random_state=1)
    assert b.equals(a)


def test_mixed_overlap_levels_and_items_from_a_frame(items):
    a = assign(items.head(50), ["a", "b", "c", "d"], overlap={3: 0.1, 2: 0.2}, random_state=2)
    sizes = a.groupby("item_id").size().value_counts().to_dict()
    assert sizes == {3: 5, 2: 10, 1: 35}


def test_double_labeled_items_spread_over_annotator_pairs():
    a = assign(range(60), ["a", "b", "c", "d"], overlap=2, random_state=0)
    pairs = a.groupby("item_id")["annotator"].agg(lambda s: tuple(sorted(s))).value_counts()
    assert len(pairs) == 6                     # all 6 pairs used, for pairwise agreement
    assert pairs.max() - pairs.min() <= 2


def test_each_annotator_order_is_shuffled_independently():
    ids = list(range(40))
    a = assign(ids, ["a", "b"], overlap=2, random_state=0)
    order_a = a[a.annotator == "a"].sort_values("position")["item_id"].tolist()
    order_b = a[a.annotator == "b"].sort_values("position")["item_id"].tolist()
    assert order_a != ids and order_a != order_b and sorted(order_a) == ids


@settings(max_examples=60, deadline=None)
@given(n_items=st.integers(1, 60), n_ann=st.integers(1, 6), k=st.integers(1, 6),
       share=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_assign_invariants_hold_for_any_design(n_items, n_ann, k, share, seed):
    k = min(k, n_ann)
    annotators = [f"a{j}" for j in range(n_ann)]
    a = assign(range(n_items), annotators, overlap={k: share}, random_state=seed)
    _check_assignment(a, range(n_items), annotators)
    assert a.equals(assign(range(n_items), annotators, overlap={k: share}, random_state=seed))


def test_assign_errors_say_how_to_fix():
    with pytest.raises(ValidationError, match="only 2 annotators"):
        assign(range(5), ["a", "b"], overlap=3)
    with pytest.raises(ValidationError, match="sum to"):
        assign(range(5), ["a", "b", "c"], overlap={2: 0.6, 3: 0.6})
    with pytest.raises(ValidationError, match="distinct names"):
        assign(range(5), ["a", "a"])
    with pytest.raises(DataError, match="distinct item ids"):
        assign([1, 1, 2], ["a"])
    with pytest.raises(ValidationError, match="'overlap'"):
        assign(range(5), ["a", "b"], overlap="double")


# -- calibration_set -----------------------------------------------------------------------

def test_calibration_set_covers_every_category_and_spreads_evenly():
    cats = ["a"] * 50 + ["b"] * 30 + ["c"] * 3 + ["d"] * 1
    items = pd.DataFrame({"item_id": range(len(cats)), "text": [f"t{k}" for k in range(len(cats))]})
    gold = pd.DataFrame({"item_id": range(len(cats)), "label": cats})
    quiz = calibration_set(items, gold, n=12, random_state=0)
    counts = quiz["label"].value_counts().to_dict()
    assert set(counts) == {"a", "b", "c", "d"} and len(quiz) == 12
    assert counts["d"] == 1 and counts["c"] == 3 and counts["a"] == counts["b"] == 4
    merged = quiz.merge(gold, on="item_id", suffixes=("", "_gold"))
    assert (merged["label"] == merged["label_gold"]).all()


def test_calibration_set_prefers_clear_cut_items_when_agreement_is_given():
    items = pd.DataFrame({"item_id": range(6), "text": list("uvwxyz")})
    gold = pd.DataFrame({"item_id": range(6), "label": ["a", "a", "a", "b", "b", "b"],
                         "agreement": [0.5, 1.0, 0.6, 0.4, 0.3, 1.0]})
    quiz = calibration_set(items, gold, n=2, random_state=0)
    assert sorted(quiz["item_id"]) == [1, 5]


def test_calibration_set_accepts_a_series_and_names_uncovered_categories():
    items = pd.DataFrame({"item_id": ["x", "y"], "text": ["1", "2"]})
    gold = pd.Series(["a", "b"], index=["x", "y"])
    assert len(calibration_set(items, gold, n=2, random_state=0)) == 2
    with pytest.raises(DataError, match=r"\['c'\]"):
        calibration_set(items, gold, n=3, categories=["a", "b", "c"])
    with pytest.raises(ValidationError, match="at least the number of categories"):
        calibration_set(items, gold, n=1)
