"""Preferences: the frame built from store rows, win rates against statsmodels' Wilson interval,
Bradley-Terry against its closed form and an independent maximum-likelihood fit, rater agreement
against the krippendorff package, ties, position bias, intransitive triads, bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from workbench import agreement as ag
from workbench.exceptions import DataError, ValidationError, WorkbenchWarning

krippendorff = pytest.importorskip("krippendorff")
proportion = pytest.importorskip("statsmodels.stats.proportion")

SYSTEMS = ["alpha", "beta", "gamma", "delta"]


def prefs_frame(rows):
    columns = ["item_id", "annotator", "system_a", "system_b", "winner"]
    return pd.DataFrame({c: pd.Series([r[k] for r in rows], dtype=object) for k, c in enumerate(columns)})


def simulate(seed, *, n_items=80, raters=("r1", "r2"), tie=0.1, strengths=(1.0, 0.3, -0.2, -1.1)):
    rng = np.random.default_rng(seed)
    rows = []
    for item in range(n_items):
        i, j = rng.choice(len(SYSTEMS), size=2, replace=False)
        p = 1 / (1 + np.exp(strengths[j] - strengths[i]))
        for rater in raters:
            u = rng.random()
            winner = None if u < tie else (SYSTEMS[i] if rng.random() < p else SYSTEMS[j])
            rows.append((f"p{item}", rater, SYSTEMS[i], SYSTEMS[j], winner))
    return prefs_frame(rows)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_win_rates_count_ties_half_and_match_statsmodels_wilson():
    df = simulate(0)
    t = ag.win_rates(df).set_index("system")
    for s in SYSTEMS:
        mine = df[(df.system_a == s) | (df.system_b == s)]
        wins = int((mine.winner == s).sum())
        ties = int(mine.winner.isna().sum())
        row = t.loc[s]
        assert (row.n_comparisons, row.wins, row.ties, row.losses) == (len(mine), wins, ties, len(mine) - wins - ties)
        assert row.win_rate == pytest.approx((wins + ties / 2) / len(mine))
        low, high = proportion.proportion_confint(wins + ties / 2, len(mine), alpha=0.05, method="wilson")
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high), abs=1e-12)
    assert t.win_rate.is_monotonic_decreasing
    low90 = ag.win_rates(df, confidence=0.9).set_index("system").ci_low
    assert (low90 > t.ci_low).all()


def test_bradley_terry_two_systems_is_the_closed_form():
    rows = [(k, "ana", "x", "y", w) for k, w in enumerate(["x"] * 6 + ["y"] * 2 + [None] * 2)]
    bt = ag.bradley_terry(prefs_frame(rows), n_boot=0).set_index("system")
    # ties count half: 7 wins vs 3 -> s_x / (s_x + s_y) = 0.7, scores +-log(7/3)/2 (mean 0)
    assert bt.score["x"] == pytest.approx(np.log(7 / 3) / 2, abs=1e-9)
    assert bt.score["y"] == pytest.approx(-np.log(7 / 3) / 2, abs=1e-9)
    p = bt.strength["x"] / (bt.strength["x"] + bt.strength["y"])
    assert p == pytest.approx(0.7, abs=1e-9)
    assert bt.n_comparisons.tolist() == [10, 10]


def _win_matrix(df, names=None):
    code = {s: k for k, s in enumerate(names or sorted(set(df.system_a) | set(df.system_b)))}
    W = np.zeros((len(code), len(code)))
    for a, b, w in zip(df.system_a, df.system_b, df.winner):
        i, j = code[a], code[b]
        if pd.isna(w):
            W[i, j] += 0.5
            W[j, i] += 0.5
        elif w == a:
            W[i, j] += 1
        else:
            W[j, i] += 1
    return W, list(code)


@pytest.mark.parametrize("seed", range(3))
def test_bradley_terry_is_the_maximum_likelihood_estimate(seed):
    df = simulate(seed)
    bt = ag.bradley_terry(df, n_boot=0)
    W, names = _win_matrix(df)
    theta = bt.set_index("system").score.reindex(names).to_numpy()
    assert theta.mean() == pytest.approx(0, abs=1e-12)
    N = W + W.T
    grad = W.sum(axis=1) - (N / (1 + np.exp(theta[None, :] - theta[:, None]))).sum(axis=1)
    assert np.abs(grad).max() < 1e-7  # the score equations hold

    def nll(t):
        return -(W * (t[:, None] - np.logaddexp(t[:, None], t[None, :]))).sum()
    fit = optimize.minimize(nll, np.zeros(len(names)), method="BFGS", options={"gtol": 1e-10})
    assert theta == pytest.approx(fit.x - fit.x.mean(), abs=1e-5)
    assert nll(theta) <= fit.fun + 1e-9


def test_bradley_terry_bootstrap_is_reproducible_and_brackets_the_estimate():
    df = simulate(4, n_items=150)
    a = ag.bradley_terry(df, n_boot=300, random_state=1)
    b = ag.bradley_terry(df, n_boot=300, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    assert ((a.ci_low <= a.score) & (a.score <= a.ci_high)).all()
    assert a.system.tolist() == SYSTEMS  # the simulated order of strengths
    # a naive bootstrap over items with the independent optimiser agrees on the width
    per_item = [_win_matrix(g, names=SYSTEMS)[0] for _, g in df.groupby("item_id")]
    rng = np.random.default_rng(0)
    scores = []
    for _ in range(300):
        W = sum(per_item[k] for k in rng.integers(0, len(per_item), len(per_item)))
        t = optimize.minimize(lambda t: -(W * (t[:, None] - np.logaddexp(t[:, None], t[None, :]))).sum(),
                              np.zeros(4), method="BFGS").x
        scores.append(t[0] - t.mean())
    low, high = np.percentile(scores, [2.5, 97.5])
    row = ag.bradley_terry(df, n_boot=2000, random_state=0).set_index("system").loc["alpha"]
    assert row.ci_low == pytest.approx(low, abs=0.08) and row.ci_high == pytest.approx(high, abs=0.08)


def test_bradley_terry_without_an_estimate_warns_and_prior_shrinks():
    rows = [(1, "ana", "x", "y", "x"), (2, "ana", "y", "z", "y"), (3, "ana", "x", "z", "x")]
    df = prefs_frame(rows)
    with pytest.warns(WorkbenchWarning, match=r"do not exist.*never lost: \['x'\]"):
        bt = ag.bradley_terry(df, n_boot=10)
    assert bt.score.isna().all() and bt.ci_low.isna().all()
    shrunk = ag.bradley_terry(df, prior=1.0, n_boot=50, random_state=0)
    assert shrunk.system.tolist() == ["x", "y", "z"] and np.isfinite(shrunk.score).all()
    with pytest.warns(WorkbenchWarning, match="two are needed"):
        ag.bradley_terry(prefs_frame([]), n_boot=0)
    with pytest.raises(ValidationError, match="'prior'"):
        ag.bradley_terry(df, prior=-1)


def test_preference_agreement_matches_krippendorff_and_pools_both_orders():
    df = simulate(2, raters=("r1", "r2", "r3"), tie=0.2)
    swap = df.index % 2 == 0  # show the pair the other way round to some judgements
    df.loc[swap, ["system_a", "system_b"]] = df.loc[swap, ["system_b", "system_a"]].to_numpy()
    t = ag.preference_agreement(df, n_boot=200, random_state=0).set_index("metric")
    labels = df.winner.map(lambda w: "(tie)" if pd.isna(w) else w)
    codes = {v: k for k, v in enumerate(sorted(set(labels)))}
    wide = df.assign(v=labels.map(codes).astype(float)).pivot(index="annotator", columns="item_id", values="v")
    expected = krippendorff.alpha(reliability_data=wide.to_numpy(), level_of_measurement="nominal")
    assert t.loc["krippendorff_alpha", "value"] == pytest.approx(expected, abs=1e-12)
    agree = wide.T.apply(lambda r: np.mean([r.iloc[i] == r.iloc[j] for i in range(3) for j in range(i + 1, 3)]),
                         axis=1)
    assert t.loc["percent_agreement", "value"] == pytest.approx(agree.mean())
    assert t.loc["percent_agreement", "n_items"] == df.item_id.nunique()
    assert t.loc["krippendorff_alpha", "ci_low"] <= expected <= t.loc["krippendorff_alpha", "ci_high"]


def test_tie_rate_and_position_bias():
    df = prefs_frame([(k, "ana" if k < 6 else "ben", "x" if k % 2 else "y", "y" if k % 2 else "x",
                       ["x", "y", None, "y", "x", None, "x", "x", "y", "x"][k]) for k in range(10)])
    overall = ag.tie_rate(df).iloc[0]
    assert (overall.n_judgements, overall.n_ties, overall.tie_rate) == (10, 2, 0.2)
    low, high = proportion.proportion_confint(2, 10, method="wilson")
    assert (overall.ci_low, overall.ci_high) == pytest.approx((low, high))
    per = ag.tie_rate(df, by="annotator").set_index("annotator")
    assert per.n_ties.to_dict() == {"ana": 2, "ben": 0}
    # odd k shows x first, even k shows y first
    first = [(w == ("x" if k % 2 else "y")) for k, w in enumerate(df.winner) if w is not None]
    bias = ag.position_bias(df).iloc[0]
    assert bias.n_decisive == 8 and bias.first_wins == sum(first)
    assert bias.p_value == pytest.approx(stats.binomtest(sum(first), 8, 0.5).pvalue)
    allfirst = prefs_frame([(k, "a", "x", "y", "x") for k in range(9)])
    assert ag.position_bias(allfirst).p_value.iloc[0] == pytest.approx(2 * 0.5 ** 9)
    with pytest.warns(WorkbenchWarning, match="undefined"):
        out = ag.position_bias(prefs_frame([(1, "a", "x", "y", None)]))
    assert np.isnan(out.first_win_share.iloc[0]) and np.isnan(out.p_value.iloc[0])
    with pytest.raises(DataError, match="'by'"):
        ag.tie_rate(df, by="round")


def test_transitivity_violations_find_cycles_across_items_not_in_rankings():
    cyc = [(1, "ana", "x", "y", "x"), (2, "ana", "y", "z", "y"), (3, "ana", "z", "x", "z"),
           (4, "ana", "w", "x", "w"), (6, "ana", "w", "y", "w"), (1, "ben", "x", "y", "x"), (2, "ben", "y", "z", "y"),
           (3, "ben", "x", "z", "x"), (5, "cy", "x", "y", None)]
    t = ag.transitivity_violations(prefs_frame(cyc)).set_index("annotator")
    assert t.loc["ana", "n_triads"] == 2 and t.loc["ana", "n_cyclic_triads"] == 1  # {x,y,z} cyclic, {w,x,y} not
    assert t.loc["ana", "examples"] == ["x > y > z > x"] and t.loc["ana", "cyclic_share"] == 0.5
    assert t.loc["ben", "n_cyclic_triads"] == 0 and t.loc["ben", "n_triads"] == 1
    assert np.isnan(t.loc["cy", "cyclic_share"])
    assert t.index[0] == "ana"  # most cycles first
    # pairs from one ranking can never be cyclic; per item they are counted within the item
    ann = pd.DataFrame({"item_id": ["q"], "annotator": ["ana"], "label": [json.dumps(
        {"choice": "c", "ranking": ["c", "a", "b"], "tie": False})]})
    prefs = ag.preferences_from_annotations(ann, {"q": ["x", "y", "z"]})
    per_item = ag.transitivity_violations(prefs, per_item=True)
    assert per_item[["annotator", "item_id", "n_triads", "n_cyclic_triads"]].values.tolist() == [["ana", "q", 1, 0]]


def test_preferences_from_annotations_reads_choices_ties_and_rankings():
    ann = pd.DataFrame({
        "item_id": ["p1", "p2", "p3", "p4", "p1", "p5"], "annotator": ["ana", "ana", "ana", "ben", "ben", "ben"],
        "kind": ["pairwise", "pairwise", "pairwise", "pairwise", "label", "pairwise"],
        "label": ['{"choice": "a", "ranking": ["a", "b"], "tie": false}',
                  '{"choice": null, "ranking": [], "tie": true}',
                  {"choice": "b", "ranking": ["b", "c", "a"], "tie": False},
                  '{"choice": "b"}', "bug", None]})
    items = pd.DataFrame({"item_id": ["p1", "p2", "p3", "p4", "p5"], "system_a": ["x", "y", "x", "x", "x"],
                          "system_b": ["y", "x", "y", "y", "y"], "system_c": [None, None, "z", None, None]})
    prefs = ag.preferences_from_annotations(ann, items)
    assert prefs.values.tolist() == [
        ["p1", "ana", "x", "y", "x"], ["p2", "ana", "y", "x", None],
        ["p3", "ana", "x", "y", "y"], ["p3", "ana", "x", "z", "z"], ["p3", "ana", "y", "z", "y"],
        ["p4", "ben", "x", "y", "y"]]
    mapped = ag.preferences_from_annotations(ann.iloc[:2], {"p1": {"a": "x", "b": "y"}, "p2": ["y", "x"]})
    assert mapped.winner.tolist() == ["x", None]


@pytest.mark.parametrize("payload, message", [
    ('{"choice": "c", "ranking": [], "tie": false}', r"responses \['c'\]"),
    ('{"choice": null, "ranking": [], "tie": false}', "no choice, no ranking and no tie"),
    ('{"choice": "a", "ranking": ["b", "a"], "tie": false}', "chooses 'a' but ranks 'b' first"),
    ('{"choice": "a", "ranking": ["a", "a"], "tie": false}', "each once"),
    ('["a"]', "must be an object"),
    ("{oops", "not valid JSON"),
])
def test_malformed_pairwise_payloads_name_the_item_and_the_annotator(payload, message):
    ann = pd.DataFrame({"item_id": ["p9"], "annotator": ["ben"], "label": [payload]})
    with pytest.raises(DataError, match=f"annotator 'ben' on item 'p9'.*{message}"):
        ag.preferences_from_annotations(ann, {"p9": ["x", "y"]})


def test_bad_preference_frames_raise_data_errors():
    with pytest.raises(DataError, match="no systems for responses"):
        ag.preferences_from_annotations(pd.DataFrame({"item_id": ["p1"], "annotator": ["a"], "label": ["{}"]}),
                                        {"p2": ["x", "y"]})
    with pytest.raises(DataError, match=r"annotator 'ana' on item 3.*'gamma', which is neither"):
        ag.win_rates(prefs_frame([(3, "ana", "x", "y", "gamma")]))
    with pytest.raises(DataError, match="two different systems"):
        ag.bradley_terry(prefs_frame([(3, "ana", "x", "x", "x")]))
    with pytest.raises(DataError, match="same pair of systems"):
        ag.preference_agreement(prefs_frame([(3, "ana", "x", "y", "x"), (3, "ana", "y", "x", "x")]))
    with pytest.raises(DataError, match="preferences_from_annotations"):
        ag.win_rates(pd.DataFrame({"item_id": [1], "annotator": ["a"], "label": ["{}"]}))


def test_empty_preferences_give_empty_or_nan_results():
    empty = prefs_frame([])
    assert ag.win_rates(empty).empty
    assert ag.transitivity_violations(empty).empty
    assert ag.tie_rate(empty).n_judgements.tolist() == [0]
    assert ag.preference_agreement(empty, n_boot=0).value.isna().all()
