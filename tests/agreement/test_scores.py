"""Agreement scores: published values, undefined cases, bad input, bootstrap exactness."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.agreement._bootstrap import bootstrap_sums
from workbench.agreement._core import count_matrix, parse_ratings
from workbench.agreement._engine import build_statistic
from workbench.exceptions import DataError, ValidationError, WorkbenchWarning

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", C: 4 observers, 12 units.
K2011 = {"A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
         "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
         "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
         "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]}
# Gwet's handbook data (irrCAC raw_4raters): as above but unit 12 rated by C only.
GWET = dict(K2011, B=K2011["B"][:11] + [None], C=K2011["C"][:11] + [3])


def long(table):
    return (pd.DataFrame(table).rename_axis("item_id").reset_index()
            .melt(id_vars="item_id", var_name="annotator", value_name="label"))


def two_raters(a, b):
    n = len(a)
    return pd.DataFrame({"item_id": list(range(n)) * 2, "annotator": ["A"] * n + ["B"] * n, "label": a + b})


def from_contingency(table, labels):
    a, b = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a += [labels[i]] * count
            b += [labels[j]] * count
    return two_raters(a, b)


@pytest.mark.parametrize("level, expected", [("nominal", 0.743), ("ordinal", 0.815),
                                             ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_worked_example(level, expected):
    assert round(ag.krippendorff_alpha_score(long(K2011), level=level), 3) == expected


def test_krippendorff_2011_two_observer_examples():
    # A. binary data, two observers, no missing data: alpha = 0.095
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert round(ag.krippendorff_alpha_score(two_raters(a, b)), 3) == 0.095
    # B. nominal data, two observers, no missing data: alpha = 0.692
    a = list("aabbdcccedda")
    b = list("babbbcccdddd")
    b[8] = "e"
    assert round(ag.krippendorff_alpha_score(two_raters(a, b)), 3) == 0.692


def test_krippendorff_2011_coincidence_matrix_matches_the_paper():
    o = ag.coincidence_matrix(long(K2011))
    # The paper's matrix: n_c = 9, 13, 10, 5, 3 pairable values, n.. = 40
    assert o.sum(axis=1).round(6).tolist() == [9.0, 13.0, 10.0, 5.0, 3.0]
    assert o.loc[1, 1] == pytest.approx(7.0) and o.loc[2, 2] == pytest.approx(10.0)
    assert o.loc[1, 2] == pytest.approx(4 / 3) and o.loc[3, 4] == pytest.approx(1 / 3)


def test_fleiss_1971_as_on_wikipedia():
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
              [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    rows = [(i, f"r{j}", k + 1) for i, row in enumerate(counts)
            for j, k in enumerate(k for k, c in enumerate(row) for _ in range(c))]
    df = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    assert round(ag.fleiss_kappa_score(df), 3) == 0.210
    assert round(ag.percent_agreement_score(df), 3) == 0.378  # P-bar on Wikipedia


def test_cohen_1960_example():
    # Cohen (1960): p_o = .70, marginals .50/.30/.20 and .60/.30/.10, p_c = .41, kappa = .492
    df = from_contingency([[88, 6, 6], [18, 40, 2], [14, 14, 12]], ["a", "b", "c"])
    df = df.assign(annotator=df.annotator.map({"A": "B", "B": "A"}))
    assert ag.percent_agreement_score(df) == pytest.approx(0.70)
    assert round(ag.cohen_kappa_score(df), 3) == 0.492


def test_artstein_poesio_2008_table_1():
    df = from_contingency([[20, 20], [10, 50]], ["stat", "ireq"])
    assert round(ag.cohen_kappa_score(df), 3) == 0.348
    assert round(ag.scott_pi_score(df), 3) == 0.341
    assert ag.brennan_prediger_score(df) == pytest.approx(0.4)  # their S
    # Krippendorff's alpha for two coders: 1 - (n.. - 1) D_o / sum n_c n_k d_ck = 1 - 199 * 60 / 34800
    assert ag.krippendorff_alpha_score(df) == pytest.approx(1 - 199 * 60 / (2 * 70 * 130), abs=1e-12)


def test_artstein_poesio_2008_table_4_and_weighted_examples():
    a = ["s"] * 46 + ["i"] * 44 + ["c"] * 10
    b = ["s"] * 52 + ["i"] * 32 + ["c"] * 16
    assert round(ag.cohen_kappa_score(two_raters(a, b), categories=["s", "i", "c"]), 4) == 0.8013
    a = [0] * 46 + [1] * 44 + [2] * 10
    b = [0] * 50 + [1] * 40 + [2] * 10
    df = two_raters(a, b)
    assert [round(ag.cohen_kappa_score(df, weights=w), 4) for w in (None, "linear", "quadratic")] == [
        0.9315, 0.9412, 0.9541]


def test_gwet_handbook_values():
    df = long(GWET)
    assert round(ag.gwet_ac1_score(df), 5) == 0.77544
    assert round(ag.fleiss_kappa_score(df), 5) == 0.76117
    assert round(ag.percent_agreement_score(df), 5) == 0.81818


def test_string_and_int_labels_give_the_same_nominal_scores():
    ints = long(K2011).dropna()
    strs = ints.assign(label=ints.label.map(lambda v: f"v{int(v)}"))
    for f in (ag.krippendorff_alpha_score, ag.fleiss_kappa_score, ag.gwet_ac1_score, ag.conger_kappa_score,
              ag.brennan_prediger_score, ag.percent_agreement_score):
        assert f(strs) == pytest.approx(f(ints), abs=1e-12)


def test_unused_categories_count_for_brennan_prediger_and_gwet_but_not_fleiss_or_alpha():
    df = long(K2011)
    more = [1, 2, 3, 4, 5, 6, 7]
    assert ag.brennan_prediger_score(df, categories=more) > ag.brennan_prediger_score(df)
    assert ag.gwet_ac1_score(df, categories=more) != pytest.approx(ag.gwet_ac1_score(df))
    assert ag.fleiss_kappa_score(df, categories=more) == pytest.approx(ag.fleiss_kappa_score(df), abs=1e-12)
    assert ag.krippendorff_alpha_score(df, categories=more) == pytest.approx(ag.krippendorff_alpha_score(df))


def test_custom_column_names_and_nan_labels_as_missing():
    df = long(K2011).rename(columns={"item_id": "unit", "annotator": "coder", "label": "value"})
    value = ag.krippendorff_alpha_score(df, item_col="unit", annotator_col="coder", label_col="value")
    assert round(value, 3) == 0.743


def test_symmetry_of_two_rater_scores():
    df = from_contingency([[20, 20], [10, 50]], ["x", "y"])
    swapped = df.assign(annotator=df.annotator.map({"A": "B", "B": "A"}))
    for f in (ag.cohen_kappa_score, ag.scott_pi_score, ag.krippendorff_alpha_score):
        assert f(df) == pytest.approx(f(swapped), abs=1e-12)


def test_perfect_agreement_is_one_and_gwet_is_defined_for_one_used_category():
    df = two_raters(["x", "y", "x"], ["x", "y", "x"])
    for f in (ag.cohen_kappa_score, ag.fleiss_kappa_score, ag.krippendorff_alpha_score, ag.gwet_ac1_score):
        assert f(df) == pytest.approx(1.0)
    same = two_raters(["x"] * 4, ["x"] * 4)
    assert ag.gwet_ac1_score(same, categories=["x", "y"]) == pytest.approx(1.0)


@pytest.mark.parametrize("func", [ag.krippendorff_alpha_score, ag.fleiss_kappa_score, ag.cohen_kappa_score,
                                  ag.scott_pi_score, ag.conger_kappa_score])
def test_single_category_everywhere_is_nan_with_a_warning(func):
    df = two_raters(["x"] * 4, ["x"] * 4)
    with pytest.warns(WorkbenchWarning, match="undefined"):
        assert np.isnan(func(df))


@pytest.mark.parametrize("func", [ag.krippendorff_alpha_score, ag.fleiss_kappa_score, ag.gwet_ac1_score,
                                  ag.percent_agreement_score, ag.brennan_prediger_score])
def test_no_item_with_two_ratings_is_nan_with_a_warning(func):
    df = pd.DataFrame({"item_id": [1, 2, 3], "annotator": ["a", "b", "a"], "label": ["x", "y", "x"]})
    with pytest.warns(WorkbenchWarning, match="two or more"):
        assert np.isnan(func(df))


def test_empty_frame_is_nan_with_a_warning():
    df = pd.DataFrame({"item_id": [], "annotator": [], "label": []})
    with pytest.warns(WorkbenchWarning):
        assert np.isnan(ag.krippendorff_alpha_score(df))
    with pytest.warns(WorkbenchWarning):
        assert np.isnan(ag.fleiss_kappa_score(df))


def test_cohen_needs_exactly_two_annotators():
    df = long(K2011)
    with pytest.raises(ValidationError, match=r"exactly two annotators; the data has 4.*annotators=\(a, b\)"):
        ag.cohen_kappa_score(df)
    one = df[df.annotator == "A"]
    with pytest.raises(ValidationError, match="exactly two annotators; the data has 1"):
        ag.scott_pi_score(one)
    with pytest.raises(ValidationError, match="two different annotators"):
        ag.cohen_kappa_score(df, annotators=("A", "Z"))
    assert ag.cohen_kappa_score(df, annotators=("A", "B")) == pytest.approx(
        ag.cohen_kappa_score(df[df.annotator.isin(["A", "B"])]))


def test_bad_input_errors_list_the_valid_options():
    df = long(K2011)
    with pytest.raises(DataError, match=r"must have the column\(s\) \['label'\].*columns present"):
        ag.fleiss_kappa_score(df.rename(columns={"label": "y"}))
    with pytest.raises(ValidationError, match="'level'.*'interval', 'nominal', 'ordinal', 'ratio'.*'nominl'"):
        ag.krippendorff_alpha_score(df, level="nominl")
    with pytest.raises(ValidationError, match="'weights'.*'linear'.*'quadratic'.*'cubic'"):
        ag.fleiss_kappa_score(df, weights="cubic")
    with pytest.raises(ValidationError, match="'metrics'.*'fleiss_kappa'.*'kappa'"):
        ag.agreement_table(df, metrics=["kappa"], n_boot=0)
    with pytest.raises(ValidationError, match="'distance'.*'jaccard', 'masi'"):
        ag.krippendorff_alpha_score(df, distance="cosine")
    with pytest.raises(ValidationError, match=r"\(5, 5\) array"):
        ag.fleiss_kappa_score(df, weights=np.eye(3))
    with pytest.raises(ValidationError, match="weights_on"):
        ag.fleiss_kappa_score(df, weights_on="ranks")
    strs = df.dropna().assign(label=lambda d: d.label.map(str))
    with pytest.raises(ValidationError, match="needs numeric labels"):
        ag.gwet_ac2_score(strs, weights_on="values")


def test_labels_outside_declared_categories_and_duplicates_are_data_errors():
    df = long(K2011).dropna()
    with pytest.raises(DataError, match=r"not in categories: \[5\.0\]") as info:
        ag.fleiss_kappa_score(df, categories=[1, 2, 3, 4])
    assert len(info.value.failure_cases) == 3
    dup = pd.concat([df, df.head(2)])
    with pytest.raises(DataError, match="at most one label per .*drop_duplicates") as info:
        ag.krippendorff_alpha_score(dup)
    assert info.value.reason == "duplicate_rating"


def test_ordinal_string_labels_without_categories_warn_about_the_order():
    df = long(K2011).dropna().assign(label=lambda d: d.label.map(lambda v: f"v{int(v)}"))
    with pytest.warns(WorkbenchWarning, match="categories"):
        ag.krippendorff_alpha_score(df, level="ordinal")


def test_bootstrap_reweighting_equals_recomputation_on_resampled_items():
    df = long(K2011).dropna()
    r = parse_ratings(df)
    rng = np.random.default_rng(3)
    for name, opts in [("krippendorff_alpha", {}), ("krippendorff_alpha", {"level": "ordinal"}),
                       ("fleiss_kappa", {}), ("gwet_ac1", {}), ("conger_kappa", {}),
                       ("gwet_ac2", {"weights": "linear"})]:
        stat = build_statistic(name, r, **opts)
        F = stat.features()
        for _ in range(5):
            picks = rng.integers(0, r.n_items, r.n_items)
            weights = np.bincount(picks, minlength=r.n_items).astype(float)
            reweighted = float(stat.finish(np.asarray(weights @ F).ravel()))
            frames = [df[df.item_id == r.item_ids[i]].assign(item_id=k) for k, i in enumerate(picks)]
            resampled = pd.concat(frames)
            func = getattr(ag, f"{name}_score")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                direct = func(resampled, categories=r.categories, **opts)
            if name == "conger_kappa":  # annotator order matters only in float rounding
                assert reweighted == pytest.approx(direct, abs=1e-12)
            else:
                assert reweighted == pytest.approx(direct, abs=1e-12, nan_ok=True)


def test_bootstrap_sums_multinomial_and_direct_draws_have_the_same_distribution():
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    counts = np.array([50, 30, 20])
    compressed = bootstrap_sums(rows, counts=counts, n_boot=4000, random_state=0)
    items = np.repeat(rows, counts, axis=0)
    direct = bootstrap_sums(items, n_boot=4000, random_state=1)
    assert compressed.sum(axis=1).mean() == pytest.approx(direct.sum(axis=1).mean(), rel=0.01)
    assert compressed[:, 0].std() == pytest.approx(direct[:, 0].std(), rel=0.1)
    assert compressed[:, 0].mean() == pytest.approx(70.0, rel=0.01)
    # binomial standard deviation of the number of resampled items with feature 0 set: sqrt(100 * .7 * .3)
    assert compressed[:, 0].std() == pytest.approx(np.sqrt(100 * 0.7 * 0.3), rel=0.1)


@pytest.mark.parametrize("name, opts", [("krippendorff_alpha", {}), ("krippendorff_alpha", {"level": "ordinal"}),
                                        ("fleiss_kappa", {}), ("gwet_ac2", {"weights": "linear"}),
                                        ("conger_kappa", {}), ("cohen_kappa", {"annotators": ("A", "B")})])
def test_pattern_compression_gives_the_same_sums_as_all_items(name, opts):
    r = parse_ratings(long(K2011).dropna())
    stat = build_statistic(name, r, **opts)
    rows, counts, inverse = stat.patterns()
    dense = rows.toarray() if hasattr(rows, "toarray") else rows
    features = stat.features()
    features = features.toarray() if hasattr(features, "toarray") else features
    np.testing.assert_allclose(counts @ dense, features.sum(axis=0), atol=1e-12)
    np.testing.assert_allclose(dense[inverse], features, atol=1e-12)
    np.testing.assert_allclose(stat.sums(), features.sum(axis=0), atol=1e-12)


def test_missing_item_or_annotator_ids_are_data_errors():
    df = long(K2011).dropna()
    bad = df.astype({"annotator": object}).copy()
    bad.iloc[0, bad.columns.get_loc("annotator")] = None
    with pytest.raises(DataError, match="needs a value in 'annotator' for every rating") as info:
        ag.fleiss_kappa_score(bad)
    assert len(info.value.failure_cases) == 1


def test_multilabel_categories_declare_the_single_labels():
    df = pd.DataFrame({"item_id": [1, 1, 2, 2], "annotator": list("abab"),
                       "label": [["a"], ["a", "b"], '["b"]', '["b"]']})
    value = ag.krippendorff_alpha_score(df, distance="jaccard", categories=["a", "b", "c"])
    assert value == pytest.approx(ag.krippendorff_alpha_score(df, distance="jaccard"))
    with pytest.raises(DataError, match=r"3 annotation\(s\) .* not in categories: \['b'\]"):
        ag.krippendorff_alpha_score(df, distance="jaccard", categories=["a", "c"])
    with pytest.warns(WorkbenchWarning, match=r"undefined \(NaN\) for \['c'\]"):
        t = ag.per_category_table(df, categories=["a", "b", "c"], n_boot=0).set_index("category")
    assert t.support.to_dict() == {"a": 2, "b": 3, "c": 0}


def test_a_categorical_label_column_declares_categories_and_order():
    df = long(K2011).dropna().assign(label=lambda d: d.label.map(lambda v: f"v{int(v)}"))
    order = ["v1", "v2", "v3", "v4", "v5", "v6"]
    as_cat = df.assign(label=pd.Categorical(df.label, categories=order, ordered=True))
    assert round(ag.krippendorff_alpha_score(as_cat, level="ordinal"), 3) == 0.815
    assert ag.brennan_prediger_score(as_cat) == pytest.approx(ag.brennan_prediger_score(df, categories=order))


def test_interval_alpha_from_ratings_equals_the_count_matrix_path():
    rng = np.random.default_rng(5)
    rows = [(i, a, 10_000 + int(rng.integers(0, 30))) for i in range(300) for a in "abcd" if rng.random() < 0.8]
    df = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    direct = ag.krippendorff_alpha_score(df, level="interval")  # sums from the ratings
    via_counts = ag.agreement_table(df, metrics=["krippendorff_alpha"], level="interval", n_boot=0).value.iloc[0]
    assert direct == pytest.approx(via_counts, abs=1e-12)
    krippendorff = pytest.importorskip("krippendorff")
    wide = df.pivot(index="annotator", columns="item_id", values="label").to_numpy(dtype=float)
    assert direct == pytest.approx(krippendorff.alpha(reliability_data=wide, level_of_measurement="interval"),
                                   abs=1e-9)
