"""Agreement scores against trusted libraries on random data, to 1e-9.

Oracles: the krippendorff package (alpha, all levels), statsmodels (Fleiss, Randolph /
Brennan-Prediger, Cohen's weighted kappa), scikit-learn (Cohen's kappa with weights),
irrCAC (Gwet's AC1 / AC2, Fleiss, Conger, Brennan-Prediger with missing ratings and
declared unused categories; it pins scipy 1.12 and pandas < 3, so it answers from its own venv
through the ``peers`` fixture) and nltk (alpha, pi, alpha with the MASI / Jaccard set
distances). Data include missing ratings, single-rating items, unused categories and
string labels.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag

krippendorff = pytest.importorskip("krippendorff")
irr = pytest.importorskip("statsmodels.stats.inter_rater")
sk_metrics = pytest.importorskip("sklearn.metrics")
nltk_agreement = pytest.importorskip("nltk.metrics.agreement")
nltk_distance = pytest.importorskip("nltk.metrics.distance")

TOL = 1e-9
SEEDS = range(5)


def make_wide(seed, *, n_items=40, n_raters=4, q=5, missing=0.25, used=None):
    """Correlated random ratings: items x raters of ints 1..q (NaN missing), >= 1 rating per item."""
    rng = np.random.default_rng(seed)
    used = q if used is None else used
    truth = rng.integers(1, used + 1, size=n_items)
    noise = rng.integers(1, used + 1, size=(n_items, n_raters))
    keep_truth = rng.random((n_items, n_raters)) < 0.6
    wide = np.where(keep_truth, truth[:, None], noise).astype(float)
    mask = rng.random((n_items, n_raters)) < missing
    mask[np.arange(n_items), rng.integers(0, n_raters, n_items)] = False  # every item keeps one rating
    wide[mask] = np.nan
    return wide


def to_long(wide, *, as_str=False):
    items, raters = np.nonzero(~np.isnan(wide))
    labels = wide[items, raters].astype(int)
    return pd.DataFrame({"item_id": items, "annotator": [f"r{j}" for j in raters],
                         "label": [f"c{v}" for v in labels] if as_str else labels})


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff_package_with_missing_values(seed, level):
    wide = make_wide(seed, missing=0.35)
    wide[0, 1:] = np.nan  # a single-rating item
    expected = krippendorff.alpha(reliability_data=wide.T, level_of_measurement=level)
    assert ag.krippendorff_alpha_score(to_long(wide), level=level) == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_alpha_interval_uses_label_values_not_positions(seed):
    wide = make_wide(seed)
    spaced = np.where(np.isnan(wide), np.nan, wide**2)  # values 1, 4, 9, 16, 25
    expected = krippendorff.alpha(reliability_data=spaced.T, level_of_measurement="interval")
    assert ag.krippendorff_alpha_score(to_long(spaced), level="interval") == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_alpha_string_labels_equal_int_labels_for_nominal_and_ordinal(seed):
    wide = make_wide(seed)
    ints, strs = to_long(wide), to_long(wide, as_str=True)
    assert ag.krippendorff_alpha_score(strs) == pytest.approx(ag.krippendorff_alpha_score(ints), abs=TOL)
    cats = [f"c{v}" for v in range(1, 6)]
    assert ag.krippendorff_alpha_score(strs, level="ordinal", categories=cats) == pytest.approx(
        ag.krippendorff_alpha_score(ints, level="ordinal"), abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_alpha_and_pi_match_nltk(seed):
    wide = make_wide(seed, missing=0.3)
    df = to_long(wide, as_str=True)
    task = nltk_agreement.AnnotationTask(data=list(zip(df.annotator, df.item_id, df.label)))
    assert ag.krippendorff_alpha_score(df) == pytest.approx(task.alpha(), abs=TOL)
    full = to_long(make_wide(seed, missing=0.0), as_str=True)  # nltk's multi-pi assumes complete data
    task = nltk_agreement.AnnotationTask(data=list(zip(full.annotator, full.item_id, full.label)))
    assert ag.fleiss_kappa_score(full) == pytest.approx(task.pi(), abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("distance", ["masi", "jaccard"])
def test_multilabel_alpha_matches_nltk_set_distances(seed, distance):
    rng = np.random.default_rng(seed)
    pool = ["a", "b", "c", "d"]
    rows = []
    for item in range(30):
        base = set(rng.choice(pool, size=rng.integers(1, 3), replace=False))
        for coder in ["x", "y", "z"]:
            if rng.random() < 0.2:
                continue
            labels = set(base)
            if rng.random() < 0.4:
                labels ^= {rng.choice(pool)}
            labels = labels or {"a"}
            rows.append((coder, item, frozenset(labels)))
    dist = nltk_distance.masi_distance if distance == "masi" else nltk_distance.jaccard_distance
    task = nltk_agreement.AnnotationTask(data=rows, distance=dist)
    df = pd.DataFrame({"annotator": [r[0] for r in rows], "item_id": [r[1] for r in rows],
                       "label": [sorted(r[2]) for r in rows]})
    assert ag.krippendorff_alpha_score(df, distance=distance) == pytest.approx(task.alpha(), abs=TOL)
    json_labels = df.assign(label=[json.dumps(sorted(map(str, r[2]))) for r in rows])  # what the store returns
    assert ag.krippendorff_alpha_score(json_labels, distance=distance) == pytest.approx(task.alpha(), abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_and_brennan_prediger_match_statsmodels_on_complete_data(seed):
    wide = make_wide(seed, missing=0.0, n_raters=6)
    table, _ = irr.aggregate_raters(wide.astype(int))
    df = to_long(wide)
    assert ag.fleiss_kappa_score(df) == pytest.approx(irr.fleiss_kappa(table, method="fleiss"), abs=TOL)
    cats = list(range(1, 6))
    q_table, _ = irr.aggregate_raters(wide.astype(int) - 1, n_cat=5)
    assert ag.brennan_prediger_score(df, categories=cats) == pytest.approx(
        irr.fleiss_kappa(q_table, method="randolph"), abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_cohen_matches_sklearn_and_statsmodels(seed, weights):
    wide = make_wide(seed, n_raters=2, missing=0.2, q=6, used=5)
    df = to_long(wide)
    both = ~np.isnan(wide).any(axis=1)
    y1, y2 = wide[both, 0].astype(int), wide[both, 1].astype(int)
    cats = list(range(1, 7))  # category 6 is never used: it still shifts linear / quadratic weights
    expected = sk_metrics.cohen_kappa_score(y1, y2, labels=cats, weights=weights)
    assert ag.cohen_kappa_score(df, categories=cats, weights=weights) == pytest.approx(expected, abs=TOL)
    table = pd.crosstab(y1, y2).reindex(index=cats, columns=cats, fill_value=0).to_numpy()
    sm = irr.cohens_kappa(table, wt=weights)
    assert ag.cohen_kappa_score(df, categories=cats, weights=weights) == pytest.approx(sm.kappa, abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_cohen_with_string_labels_and_annotator_pair(seed):
    wide = make_wide(seed, n_raters=3, missing=0.1)
    df = to_long(wide, as_str=True)
    both = ~np.isnan(wide[:, [0, 2]]).any(axis=1)
    expected = sk_metrics.cohen_kappa_score(wide[both, 0], wide[both, 2])
    assert ag.cohen_kappa_score(df, annotators=("r0", "r2")) == pytest.approx(expected, abs=TOL)


def _value(cac, name, key="coefficient_value"):
    if "error" in cac[name]:
        raise ZeroDivisionError(cac[name]["error"])
    value = cac[name][key]
    return float("nan") if value is None else value


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("as_str", [False, True])
def test_gwet_fleiss_conger_bp_match_irrcac_with_missing_and_unused_categories(peers, seed, as_str):
    wide = make_wide(seed, missing=0.3, q=6, used=5)
    wide[1, 1:] = np.nan  # single-rating items stay in the chance term
    df = to_long(wide, as_str=as_str)
    cats = [f"c{v}" for v in range(1, 7)] if as_str else [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    cac = peers.irrcac(wide, categories=cats, as_str=as_str)
    ours = dict(categories=cats if as_str else list(range(1, 7)))
    assert ag.gwet_ac1_score(df, **ours) == pytest.approx(_value(cac, "gwet"), abs=TOL)
    assert ag.fleiss_kappa_score(df, **ours) == pytest.approx(_value(cac, "fleiss"), abs=TOL)
    assert ag.conger_kappa_score(df, **ours) == pytest.approx(_value(cac, "conger"), abs=TOL)
    assert ag.brennan_prediger_score(df, **ours) == pytest.approx(_value(cac, "bp"), abs=TOL)
    assert ag.percent_agreement_score(df) == pytest.approx(_value(cac, "gwet", "pa"), abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_weighted_coefficients_match_irrcac(peers, seed, weights):
    wide = make_wide(seed, missing=0.3)
    df = to_long(wide)
    cac = peers.irrcac(wide, categories=[1.0, 2.0, 3.0, 4.0, 5.0], weights=weights)
    assert ag.gwet_ac2_score(df, categories=[1, 2, 3, 4, 5], weights=weights) == pytest.approx(
        _value(cac, "gwet"), abs=TOL)
    for ours, theirs in [(ag.fleiss_kappa_score, "fleiss"), (ag.conger_kappa_score, "conger"),
                         (ag.brennan_prediger_score, "bp")]:
        assert ours(df, categories=[1, 2, 3, 4, 5], weights=weights) == pytest.approx(
            _value(cac, theirs), abs=TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_weights_on_values_matches_irrcac_numeric_weights(peers, seed):
    wide = make_wide(seed, missing=0.2)
    spaced = np.where(np.isnan(wide), np.nan, wide**2)  # 1, 4, 9, 16, 25: values differ from positions
    df = to_long(spaced)
    cac = peers.irrcac(spaced, weights="quadratic")
    value = ag.gwet_ac2_score(df, weights="quadratic", weights_on="values")
    assert value == pytest.approx(_value(cac, "gwet"), abs=TOL)
    assert value != pytest.approx(ag.gwet_ac2_score(df, weights="quadratic"), abs=1e-6)


from hypothesis import given, settings, strategies as st  # noqa: E402


@st.composite
def small_wide(draw):
    n_items = draw(st.integers(1, 12))
    n_raters = draw(st.integers(1, 4))
    cells = st.one_of(st.none(), st.integers(1, 4))
    return np.array([[np.nan if v is None else float(v) for v in draw(st.lists(cells, min_size=n_raters,
                                                                             max_size=n_raters))]
                     for _ in range(n_items)])


@settings(max_examples=40, deadline=None)
@given(small_wide(), st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_agrees_with_krippendorff_on_arbitrary_small_data_including_degenerate_cases(wide, level):
    df = to_long(wide)
    try:
        expected = krippendorff.alpha(reliability_data=wide.T, level_of_measurement=level)
    except (ValueError, ZeroDivisionError):
        expected = float("nan")  # the package refuses data without pairable values / variation
    ours = ag.krippendorff_alpha_score(df, level=level)
    if np.isnan(ours):
        assert not np.isfinite(expected)
    else:
        assert ours == pytest.approx(expected, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(small_wide())
def test_gwet_family_agrees_with_irrcac_on_arbitrary_small_data(peers, wide):
    wide = wide[:, ~np.isnan(wide).all(axis=0)]
    wide = wide[~np.isnan(wide).all(axis=1)]
    df = to_long(wide)
    cats = [1.0, 2.0, 3.0, 4.0]
    if wide.shape[1] < 2 or len(df) == 0:
        return
    cac = peers.irrcac(wide, categories=cats)
    for ours, theirs in [(ag.gwet_ac1_score, "gwet"), (ag.fleiss_kappa_score, "fleiss"),
                         (ag.brennan_prediger_score, "bp"), (ag.conger_kappa_score, "conger")]:
        try:
            expected = _value(cac, theirs)
        except ZeroDivisionError:
            continue
        value = ours(df, categories=[1, 2, 3, 4])
        if np.isfinite(value) and np.isfinite(expected) and abs(expected) < 1e6:
            assert value == pytest.approx(expected, abs=1e-9), ours.__name__
