"""Rubric analysis: scores per criterion, alpha per criterion and level (oracle: the krippendorff
package), score distributions, criterion correlations (oracle: scipy) and rationale coverage."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from workbench import agreement as ag
from workbench.exceptions import DataError, ValidationError, WorkbenchWarning
from workbench.taxonomy import Rubric

krippendorff = pytest.importorskip("krippendorff")

RUBRIC = Rubric.from_dict({"helpful": {"scale": [1, 5], "level": "interval"}, "honest": [1, 5],
                           "length": {"scale": [0, 2], "optional": True}})


def simulated(n_items=80, n_annotators=7, per_item=3, seed=7):
    """Rubric answers as a store returns them: 3 of 7 raters per item, JSON labels, notes, other kinds mixed in."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_items):
        quality = rng.normal(3.0, 1.1)
        truthful = 0.6 * quality + rng.normal(1.4, 0.8)
        for a in rng.choice(n_annotators, size=per_item, replace=False):
            bias = (a - 3) * 0.15
            answer = {"helpful": int(np.clip(np.rint(quality + bias + rng.normal(0, 0.7)), 1, 5)),
                      "honest": int(np.clip(np.rint(truthful + rng.normal(0, 0.9)), 1, 5))}
            if rng.random() < 0.7:
                answer["length"] = int(rng.integers(0, 3))
            note = None if rng.random() < 0.25 else "x" * int(rng.integers(1, 60))
            rows.append({"item_id": f"it{i:03d}", "annotator": f"rater{a}", "kind": "rubric",
                         "label": json.dumps(answer), "note": note})
    rows.append({"item_id": "it000", "annotator": "rater0", "kind": "label", "label": "refund", "note": None})
    rows.append({"item_id": "it001", "annotator": "rater0", "kind": "skip", "label": None, "note": None})
    return pd.DataFrame(rows)


def reliability(scores, criterion):
    """The krippendorff package's input for one criterion: annotators x items, NaN where unrated."""
    sub = scores[scores.criterion == criterion]
    return sub.pivot(index="annotator", columns="item_id", values="score").to_numpy(dtype=float)


# ----------------------------------------------------------------------------- rubric_scores


def test_that_rubric_scores_is_one_row_per_item_annotator_and_criterion():
    df = simulated()
    scores = ag.rubric_scores(df)
    assert scores.columns.tolist() == ["item_id", "annotator", "criterion", "score"]
    rubric_rows = df[df.kind == "rubric"]
    assert len(scores) == sum(len(json.loads(v)) for v in rubric_rows.label)
    assert scores.score.dtype == "int64" and set(scores.criterion) == {"helpful", "honest", "length"}
    first = json.loads(rubric_rows.label.iloc[0])
    assert scores.head(len(first)).set_index("criterion").score.to_dict() == first
    checked = ag.rubric_scores(df, rubric=RUBRIC)
    pd.testing.assert_frame_equal(checked, scores)


def test_that_rubric_scores_takes_dicts_skips_missing_labels_and_keeps_float_scores():
    df = pd.DataFrame({"id": ["a", "b", "c"], "who": ["x", "y", "z"],
                       "label": [{"fluency": 3.5}, None, '{"fluency": 4}']})
    got = ag.rubric_scores(df, item_col="id", annotator_col="who")
    assert got.to_dict("list") == {"id": ["a", "c"], "who": ["x", "z"], "criterion": ["fluency", "fluency"],
                                   "score": [3.5, 4.0]}
    assert got.score.dtype == "float64"
    assert ag.rubric_scores(df.iloc[[1]], item_col="id", annotator_col="who").empty


def test_that_bad_answers_are_named_by_row_item_and_annotator_with_every_failure_case():
    df = simulated().head(6).copy()
    df.loc[2, "label"] = '{"helpful": "great"}'
    df.loc[4, "label"] = "[4, 5]"
    with pytest.raises(DataError) as err:
        ag.rubric_scores(df)
    msg = str(err.value)
    item, annotator = df.loc[2, "item_id"], df.loc[2, "annotator"]
    assert msg.startswith(f"rubric_scores: 2 rubric answers are not an object of scores; the first, row at index 2 "
                          f"(item {item!r}, annotator {annotator!r}): The rubric answer has a score that is not a "
                          "finite number: 'helpful' is 'great'.")
    assert msg.endswith("Fix those rows or drop them (index [2, 4]).")
    assert err.value.failure_cases.index.tolist() == [2, 4] and err.value.reason == "bad_rubric_answer"


def test_that_answers_are_checked_against_a_rubric_when_given():
    df = pd.DataFrame({"item_id": ["a", "b"], "annotator": "x", "label": ['{"helpful": 4, "honest": 4}',
                                                                          '{"helpful": 7, "honest": 4}']})
    with pytest.raises(DataError) as err:
        ag.rubric_scores(df, rubric=RUBRIC)
    msg = str(err.value)
    assert msg.startswith("rubric_scores: 1 rubric answer is not an object of scores fitting the rubric; the first, "
                          "row at index 1 (item 'b', annotator 'x'): The rubric answer does not fit the rubric: "
                          "'helpful' is 7, outside its scale 1-5.")
    with pytest.raises(ValidationError, match="1 problem in the rubric of the 'rubric' parameter of rubric_scores"):
        ag.rubric_scores(df, rubric={"helpful": [5, 1]})
    with pytest.raises(DataError, match=r"The annotations passed to rubric_scores must have the column\(s\) "
                                        r"\['label'\]"):
        ag.rubric_scores(df.drop(columns="label"))
    with pytest.raises(DataError, match="rubric_scores expects a pandas DataFrame of rubric annotations"):
        ag.rubric_scores([{"label": "{}"}])


# ----------------------------------------------------------------------------- rubric_agreement


def test_that_alpha_per_criterion_and_level_matches_the_krippendorff_package():
    df = simulated()
    scores = ag.rubric_scores(df)
    table = ag.rubric_agreement(df, rubric=RUBRIC, n_boot=0)
    assert table.columns.tolist() == ["criterion", "level", "alpha", "ci_low", "ci_high", "n_items", "n_annotators",
                                      "n_pairable", "declared"]
    assert table[["criterion", "level"]].values.tolist() == [
        ["helpful", "ordinal"], ["helpful", "interval"], ["honest", "ordinal"], ["honest", "interval"],
        ["length", "ordinal"], ["length", "interval"]]
    assert table.declared.tolist() == [False, True, True, False, True, False]
    for row in table.itertuples():
        domain = list(RUBRIC.criterion(row.criterion).points)
        expected = krippendorff.alpha(reliability_data=reliability(scores, row.criterion),
                                      level_of_measurement=row.level, value_domain=domain)
        assert row.alpha == pytest.approx(expected, abs=1e-9)
        sub = scores[scores.criterion == row.criterion]
        per_item = sub.groupby("item_id").size()
        assert (row.n_items, row.n_pairable) == (len(per_item), per_item[per_item >= 2].sum())
        assert row.n_annotators == sub.annotator.nunique()
    assert table.ci_low.isna().all() and table.ci_high.isna().all()
    # without a rubric: observed values only, same alphas (unused points add nothing), no declared level
    plain = ag.rubric_agreement(scores, n_boot=0)
    assert np.allclose(plain.alpha, table.alpha, atol=1e-12) and not plain.declared.any()
    assert ag.rubric_agreement(df, levels="nominal", n_boot=0).level.unique().tolist() == ["nominal"]


def test_that_bootstrap_intervals_are_reproducible_and_hold_the_estimate():
    df = simulated(n_items=40)
    a = ag.rubric_agreement(df, n_boot=300, random_state=3)
    b = ag.rubric_agreement(df, n_boot=300, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    assert ((a.ci_low <= a.alpha) & (a.alpha <= a.ci_high)).all()
    wide = ag.rubric_agreement(df, n_boot=300, random_state=3, confidence=0.99)
    assert ((wide.ci_high - wide.ci_low) >= (a.ci_high - a.ci_low) - 1e-12).all()


def test_that_an_unscored_criterion_and_an_undefined_alpha_are_nan_with_a_warning():
    df = pd.DataFrame({"item_id": ["a", "a", "b"], "annotator": ["x", "y", "x"],
                       "label": ['{"helpful": 3, "honest": 2}', '{"helpful": 3, "honest": 4}',
                                 '{"helpful": 3, "honest": 5}']})
    with pytest.warns(WorkbenchWarning) as caught:
        t = ag.rubric_agreement(df, rubric=RUBRIC, n_boot=0)
    messages = " | ".join(str(w.message) for w in caught)
    assert "nobody scored criterion 'length' of the rubric; its alpha is NaN" in messages
    assert "expected disagreement is 0: all pairable values are the same" in messages  # helpful: 3, 3
    t = t.set_index(["criterion", "level"])
    assert np.isnan(t.loc[("helpful", "ordinal"), "alpha"]) and np.isnan(t.loc[("length", "interval"), "alpha"])
    assert t.loc[("length", "ordinal"), "n_items"] == 0
    assert t.loc[("honest", "interval"), "alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=[[2, 5], [4, np.nan]], level_of_measurement="interval"), abs=1e-9)


def test_that_agreement_parameters_and_repeated_ratings_are_refused_with_advice():
    df = simulated(n_items=5)
    with pytest.raises(ValidationError, match=r"The 'levels' parameter of rubric_agreement must be one of "
                                              r"\{'interval', 'nominal', 'ordinal', 'ratio'\}\. Got 'interva' instead"):
        ag.rubric_agreement(df, levels=("ordinal", "interva"))
    with pytest.raises(ValidationError, match="must name at least one level"):
        ag.rubric_agreement(df, levels=())
    with pytest.raises(ValidationError, match="'n_boot' parameter of rubric_agreement"):
        ag.rubric_agreement(df, n_boot=-1)
    twice = pd.concat([df, df])
    with pytest.raises(DataError, match=r"rubric_agreement \(criterion 'helpful'\) needs at most one label per "
                                        r"\(item_id, annotator\).*keep the newest label with df\.drop_duplicates"):
        ag.rubric_agreement(twice, n_boot=0)


def test_that_a_scores_frame_is_checked_against_the_rubric():
    scores = pd.DataFrame({"item_id": ["a", "b"], "annotator": "x", "criterion": ["helpful", "bogus"],
                           "score": [4, 2]})
    with pytest.raises(DataError, match=r"rubric_distribution: criteria \['bogus'\] are not in the rubric "
                                        r"\(helpful 1-5, honest 1-5, length 0-2 \(optional\)\)\. Drop those rows"):
        ag.rubric_distribution(scores, rubric=RUBRIC)
    with pytest.raises(DataError, match=r"score\(s\) are not whole numbers on their criterion's scale"):
        ag.rubric_distribution(scores.assign(criterion="helpful", score=[4, 9]), rubric=RUBRIC)
    with pytest.raises(DataError, match=r"the 'score' column must hold finite numbers; 1 row\(s\) do not, e.g. "
                                        r"\['high'\]"):
        ag.rubric_distribution(scores.assign(score=[4, "high"]))


# ----------------------------------------------------------------------------- distribution, correlations


def test_that_the_distribution_counts_every_score_and_lists_unused_points():
    df = simulated()
    scores = ag.rubric_scores(df)
    dist = ag.rubric_distribution(df, rubric=RUBRIC)
    assert dist.columns.tolist() == ["criterion", "score", "count", "share"]
    assert dist[dist.criterion == "length"].score.tolist() == [0, 1, 2]
    assert dist[dist.criterion == "helpful"].score.tolist() == [1, 2, 3, 4, 5]
    for name, part in dist.groupby("criterion"):
        observed = scores[scores.criterion == name].score.value_counts()
        assert part.set_index("score")["count"].reindex(observed.index).tolist() == observed.tolist()
        assert part["share"].sum() == pytest.approx(1.0)
    plain = ag.rubric_distribution(pd.DataFrame({"item_id": ["a", "b"], "annotator": "x",
                                                 "label": ['{"q": 4}', '{"q": 2}']}))
    assert plain.values.tolist() == [["q", 2, 1, 0.5], ["q", 4, 1, 0.5]]


@pytest.mark.parametrize("method", ["spearman", "pearson", "kendall"])
def test_that_criterion_correlations_match_scipy_on_item_mean_scores(method):
    df = simulated()
    scores = ag.rubric_scores(df)
    corr = ag.rubric_correlations(df, method=method, rubric=RUBRIC)
    assert corr.index.tolist() == corr.columns.tolist() == ["helpful", "honest", "length"]
    means = scores.groupby(["item_id", "criterion"]).score.mean().unstack()
    oracle = {"spearman": stats.spearmanr, "pearson": stats.pearsonr, "kendall": stats.kendalltau}[method]
    for a, b in [("helpful", "honest"), ("helpful", "length"), ("honest", "length")]:
        both = means[[a, b]].dropna()
        expected = oracle(both[a], both[b])[0]
        assert corr.loc[a, b] == pytest.approx(expected, abs=1e-9) and corr.loc[b, a] == corr.loc[a, b]
    assert corr.loc["helpful", "honest"] > 0.3  # simulated: honesty follows quality
    assert np.allclose(np.diag(corr), 1.0)


def test_that_correlations_need_enough_items_and_a_known_method():
    df = pd.DataFrame({"item_id": ["a", "b"], "annotator": "x",
                       "label": ['{"p": 1, "q": 2}', '{"p": 2, "q": 3}']})
    assert ag.rubric_correlations(df).isna().all().all()
    assert ag.rubric_correlations(df, min_items=2).loc["p", "q"] == pytest.approx(1.0)
    with pytest.raises(ValidationError, match=r"The 'method' parameter of rubric_correlations must be one of "
                                              r"\{'kendall', 'pearson', 'spearman'\}\. Got 'spearmann' instead\."):
        ag.rubric_correlations(df, method="spearmann")
    with pytest.raises(ValidationError, match="'min_items' parameter of rubric_correlations"):
        ag.rubric_correlations(df, min_items=1)


# ----------------------------------------------------------------------------- rationales


def test_that_rationale_coverage_counts_rubric_rows_overall_and_per_annotator():
    df = simulated()
    cov = ag.rationale_coverage(df, min_chars=10)
    assert cov.columns.tolist() == ["scope", "annotator", "n_rows", "n_rationale", "share", "median_chars"]
    rubric_rows = df[df.kind == "rubric"]
    lengths = rubric_rows.note.fillna("").str.strip().str.len()
    overall = cov.iloc[0]
    assert (overall.scope, overall.annotator, overall.n_rows) == ("overall", None, len(rubric_rows))
    assert overall.n_rationale == (lengths >= 10).sum()
    assert overall.share == pytest.approx((lengths >= 10).mean())
    assert overall.median_chars == lengths[lengths >= 10].median()
    per = cov.iloc[1:].set_index("annotator")
    assert per.index.tolist() == sorted(rubric_rows.annotator.unique()) and (per.scope == "annotator").all()
    assert per.n_rows.sum() == len(rubric_rows) and per.n_rationale.sum() == overall.n_rationale
    ana = rubric_rows[rubric_rows.annotator == "rater2"]
    assert per.loc["rater2", "n_rationale"] == (ana.note.fillna("").str.strip().str.len() >= 10).sum()


def test_that_rationale_coverage_says_which_column_is_missing():
    with pytest.raises(DataError, match=r"The annotations passed to rationale_coverage must have the column\(s\) "
                                        r"\['rationale'\].*Pass the rationale column as note_col="):
        ag.rationale_coverage(simulated(n_items=2), note_col="rationale")
    with pytest.raises(ValidationError, match="'min_chars' parameter of rationale_coverage"):
        ag.rationale_coverage(simulated(n_items=2), min_chars=0)
    empty = ag.rationale_coverage(simulated(n_items=2).assign(kind="label"))
    assert empty.values.tolist()[0][:4] == ["overall", None, 0, 0] and len(empty) == 1


# ----------------------------------------------------------------------------- real data


@pytest.mark.data
def test_alpha_of_a_politeness_rubric_matches_krippendorff(shared_data):
    """Stanford Politeness (Wikipedia): five crowd ratings per request on 1-25, as a one-criterion rubric."""
    wide = pd.read_csv(shared_data / "stanford_politeness" / "wikipedia.annotated.csv")
    scores = wide[[f"Score{i}" for i in range(1, 6)]].to_numpy()
    workers = wide[[f"TurkId{i}" for i in range(1, 6)]].to_numpy()
    df = pd.DataFrame({"item_id": np.repeat(np.arange(len(wide)), 5), "annotator": workers.ravel(),
                       "label": [json.dumps({"politeness": int(s)}) for s in scores.ravel()]})
    rubric = Rubric.from_dict({"politeness": {"scale": [1, 25], "level": "interval"}})
    table = ag.rubric_agreement(df, rubric=rubric, n_boot=100, random_state=0).set_index("level")
    long = ag.rubric_scores(df, rubric=rubric)
    for level in ("ordinal", "interval"):
        expected = krippendorff.alpha(reliability_data=reliability(long, "politeness"), level_of_measurement=level)
        assert table.loc[level, "alpha"] == pytest.approx(expected, abs=1e-9)
        assert table.loc[level, "ci_low"] <= table.loc[level, "alpha"] <= table.loc[level, "ci_high"]
    assert table.loc["interval", "declared"] and table.loc["interval", "n_items"] == len(wide)
