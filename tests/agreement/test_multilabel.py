"""Multi-label agreement: set-distance alpha against nltk, per-label scores against krippendorff /
statsmodels / scikit-learn, exact-set agreement and co-occurrence by hand, bootstrap, bad input."""

from __future__ import annotations

import importlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.exceptions import DataError, WorkbenchWarning

nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
nltk_distance = importlib.import_module("nltk.metrics.distance")
krippendorff = pytest.importorskip("krippendorff")
irr = pytest.importorskip("statsmodels.stats.inter_rater")
sk_metrics = pytest.importorskip("sklearn.metrics")

POOL = ["bug", "crash", "refund", "spam"]
TOL = 1e-9


def simulate(seed, *, coders=("x", "y", "z"), n_items=40, missing=0.2, allow_empty=False):
    """Correlated label sets: a base set per item, each coder flips a label now and then."""
    rng = np.random.default_rng(seed)
    rows = []
    for item in range(n_items):
        base = {str(x) for x in rng.choice(POOL, size=rng.integers(1, 3), replace=False)}
        for coder in coders:
            if missing and rng.random() < missing:
                continue
            labels = set(base)
            if rng.random() < 0.4:
                labels ^= {str(rng.choice(POOL))}
            if not labels and not allow_empty:
                labels = {"bug"}
            rows.append((f"i{item}", coder, sorted(labels)))
    return pd.DataFrame(rows, columns=["item_id", "annotator", "label"])


def value(table, metric, label=None):
    rows = table[(table.metric == metric) & (table.label.isna() if label is None else table.label == label)]
    assert len(rows) == 1, (metric, label)
    return float(rows.value.iloc[0])


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("seed", range(4))
def test_set_alpha_matches_nltk_masi_and_jaccard(seed):
    df = simulate(seed)
    t = ag.multilabel_agreement(df, n_boot=0)
    data = [(a, i, frozenset(s)) for i, a, s in df.itertuples(index=False)]
    for metric, dist in (("krippendorff_alpha_masi", nltk_distance.masi_distance),
                         ("krippendorff_alpha_jaccard", nltk_distance.jaccard_distance)):
        expected = nltk_agreement.AnnotationTask(data=data, distance=dist).alpha()
        assert value(t, metric) == pytest.approx(expected, abs=TOL)
    as_json = df.assign(label=[json.dumps(s) for s in df.label])  # what the store writes
    pd.testing.assert_frame_equal(ag.multilabel_agreement(as_json, n_boot=0), t)


@pytest.mark.parametrize("seed", range(3))
def test_per_label_alpha_matches_the_krippendorff_package_with_missing_ratings(seed):
    df = simulate(seed, missing=0.3)
    t = ag.multilabel_agreement(df, n_boot=0)
    for label in POOL:
        wide = df.assign(v=[float(label in s) for s in df.label]).pivot(index="annotator", columns="item_id",
                                                                         values="v")
        expected = krippendorff.alpha(reliability_data=wide.to_numpy(), level_of_measurement="nominal")
        assert value(t, "krippendorff_alpha", label) == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_per_label_fleiss_matches_statsmodels_on_complete_data(seed):
    df = simulate(seed, missing=0.0, coders=("p", "q", "r", "s"))
    t = ag.multilabel_agreement(df, n_boot=0)
    assert "cohen_kappa" not in set(t.metric)  # only with exactly two annotators
    for label in POOL:
        yes = df.assign(v=[int(label in s) for s in df.label]).groupby("item_id").v.sum().to_numpy()
        table = np.column_stack([4 - yes, yes])
        expected = irr.fleiss_kappa(table, method="fleiss")
        assert value(t, "fleiss_kappa", label) == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("seed", range(3))
def test_per_label_cohen_matches_sklearn_for_two_annotators(seed):
    df = simulate(seed, coders=("x", "y"), missing=0.15)
    t = ag.multilabel_agreement(df, n_boot=0)
    wide = df.pivot(index="item_id", columns="annotator", values="label").dropna()
    for label in POOL:
        a = [int(label in s) for s in wide["x"]]
        b = [int(label in s) for s in wide["y"]]
        assert value(t, "cohen_kappa", label) == pytest.approx(sk_metrics.cohen_kappa_score(a, b), abs=TOL)
        row = t[(t.metric == "cohen_kappa") & (t.label == label)].iloc[0]
        assert row.n_items == len(wide) and row.n_pairable == 2 * len(wide)


def test_exact_set_agreement_pools_annotator_pairs_and_empty_sets_are_answers():
    df = pd.DataFrame({"item_id": [1, 1, 1, 2, 2, 3, 3, 4],
                       "annotator": ["a", "b", "c", "a", "b", "a", "b", "a"],
                       "label": [["x"], ["x"], ["x", "y"], [], [], ["y"], None, ["x"]]})
    t = ag.multilabel_agreement(df, n_boot=0)
    # item 1: 1 of 3 pairs identical; item 2: the two empty sets agree (1 of 1); item 3 has one rating
    # (the None is no rating), item 4 one rating: 2 agreeing pairs of 4.
    assert value(t, "exact_set_agreement") == pytest.approx(2 / 4)
    row = t[t.metric == "exact_set_agreement"].iloc[0]
    assert row.n_items == 4 and row.n_pairable == 5 and row.support == 7
    x = t[t.label == "x"].set_index("metric")
    assert x.support.iloc[0] == 4  # ratings containing x
    # MASI: {x} vs {x, y} is a subset: distance 1 - 1/2 * 2/3 = 2/3; two empty sets are at distance 0
    assert ag.krippendorff_alpha_score(df.dropna(), distance="masi") == pytest.approx(
        value(t, "krippendorff_alpha_masi"))


def test_hand_computed_per_label_kappa_and_alpha():
    # Two annotators, four items: label 'refund' given by both on 2 items, by one on 1, by none on 1.
    df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3, 4, 4], "annotator": list("abababab"),
                       "label": [["refund"], ["refund"], ["refund"], ["refund"], ["refund"], [], [], []]})
    t = ag.multilabel_agreement(df, labels=["refund"], n_boot=0)
    # Cohen: p_o = 3/4; a says yes 3/4, b yes 2/4: p_e = 3/4*2/4 + 1/4*2/4 = 1/2 -> kappa = 1/2
    assert value(t, "cohen_kappa", "refund") == pytest.approx(0.5)
    # alpha (binary nominal): n = 8 values, 5 yes 3 no; D_o = 2 / 8, D_e = 2*5*3 / (8*7) -> 1 - (2/8) / (30/56)
    assert value(t, "krippendorff_alpha", "refund") == pytest.approx(1 - (2 / 8) / (30 / 56))


def test_bootstrap_is_reproducible_brackets_the_value_and_matches_a_naive_bootstrap():
    df = simulate(7, n_items=120, missing=0.0, coders=("x", "y", "z"))
    a = ag.multilabel_agreement(df, n_boot=300, random_state=3)
    b = ag.multilabel_agreement(df, n_boot=300, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    assert ((a.ci_low <= a.value + 1e-12) & (a.value <= a.ci_high + 1e-12)).all()
    # a naive item bootstrap of the binary alpha of 'bug' with the krippendorff package
    wide = df.assign(v=[float("bug" in s) for s in df.label]).pivot(index="item_id", columns="annotator",
                                                                     values="v").to_numpy()
    rng = np.random.default_rng(0)
    naive = [krippendorff.alpha(reliability_data=wide[rng.integers(0, len(wide), len(wide))].T,
                                level_of_measurement="nominal", value_domain=[0.0, 1.0]) for _ in range(600)]
    low, high = np.percentile(naive, [2.5, 97.5])
    row = ag.multilabel_agreement(df, n_boot=2000, random_state=0)
    row = row[(row.metric == "krippendorff_alpha") & (row.label == "bug")].iloc[0]
    assert row.ci_low == pytest.approx(low, abs=0.04) and row.ci_high == pytest.approx(high, abs=0.04)


def test_unused_declared_label_and_empty_input_are_nan_with_a_warning():
    df = simulate(1, n_items=10)
    with pytest.warns(WorkbenchWarning, match="undefined"):
        t = ag.multilabel_agreement(df, labels=POOL + ["other"], n_boot=0)
    other = t[t.label == "other"]
    assert other.support.eq(0).all() and other.value.isna().all()
    empty = pd.DataFrame({"item_id": [], "annotator": [], "label": []})
    with pytest.warns(WorkbenchWarning, match="undefined"):
        t = ag.multilabel_agreement(empty, n_boot=50, random_state=0)
    assert list(t.metric) == ["exact_set_agreement", "krippendorff_alpha_masi", "krippendorff_alpha_jaccard"]
    assert t.value.isna().all() and (t.n_items == 0).all()


def test_bad_input_raises_data_errors_that_say_what_to_do():
    df = pd.DataFrame({"item_id": [1, 1], "annotator": ["a", "b"], "label": ['["x"', '["x"]']})
    with pytest.raises(DataError, match="JSON list"):
        ag.multilabel_agreement(df)
    dup = pd.DataFrame({"item_id": [1, 1], "annotator": ["a", "a"], "label": [["x"], ["y"]]})
    with pytest.raises(DataError, match="at most one label per"):
        ag.multilabel_agreement(dup)
    with pytest.raises(DataError, match="not in categories"):
        ag.multilabel_agreement(pd.DataFrame({"item_id": [1], "annotator": ["a"], "label": [["zzz"]]}),
                                labels=["x"])
    with pytest.raises(DataError, match="column"):
        ag.label_cooccurrence(pd.DataFrame({"item": [1]}))


def test_label_cooccurrence_counts_together_apart_and_swapped_by_hand():
    df = pd.DataFrame({"item_id": [1, 1, 2, 2, 3, 3], "annotator": list("ababab"),
                       "label": [["bug", "crash"], ["bug", "crash"], ["bug"], ["crash"], ["refund"], ["bug"]]})
    t = ag.label_cooccurrence(df).set_index(["label_a", "label_b"])
    bc = t.loc[("bug", "crash")]
    assert (bc.n_a, bc.n_b, bc.n_both, bc.n_a_only, bc.n_b_only) == (4, 3, 2, 2, 1)
    assert bc.n_swapped == 1  # item 2: a said bug (not crash), b said crash (not bug)
    assert bc.p_b_given_a == pytest.approx(2 / 4) and bc.p_a_given_b == pytest.approx(2 / 3)
    assert bc.jaccard == pytest.approx(2 / 5) and bc.lift == pytest.approx(2 * 6 / (4 * 3))
    br = t.loc[("bug", "refund")]
    assert br.n_both == 0 and br.n_swapped == 1 and br.lift == 0
    assert list(ag.label_cooccurrence(df).columns[:2]) == ["label_a", "label_b"]
    assert ag.label_cooccurrence(df).iloc[0][["label_a", "label_b"]].tolist() == ["bug", "crash"]
    with pytest.warns(WorkbenchWarning, match="nobody used"):
        t = ag.label_cooccurrence(df, labels=["bug", "crash", "refund", "spam"])
    assert t[t.label_b == "spam"].lift.isna().all()
