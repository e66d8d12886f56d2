"""Labeler quality against a reference, leave-one-out consensus, CROWDLAB and the feedback digest.

Core tests use hand-made cases whose expected numbers are written out and derived by hand in
the comments; sklearn, statsmodels and cleanlab called directly are the cross-checks. The
``data`` tests run on the Stanford Politeness corpus (wikipedia: 4,353 requests, 5 MTurk
ratings each, with worker ids), each 1-25 score binned to impolite <= 10 < neutral <= 15 < polite.
"""

from __future__ import annotations

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support
from statsmodels.stats.proportion import proportion_confint

from workbench.error_analysis import (F1_INTERVALS, Predictions, crowdlab_table, feedback_digest,
                                      feedback_digest_html, labeler_category_table, labeler_confusion_table,
                                      labeler_quality_table, reference_labels)
from workbench.exceptions import DataError, ValidationError, WorkbenchWarning
from workbench.taxonomy import Category, EdgeCase, Taxonomy

# --------------------------------------------------------------------------- the hand-made case
# gold: items 1-6 are a a a b b c; item 7 has no gold label.
GOLD = pd.Series({1: "a", 2: "a", 3: "a", 4: "b", 5: "b", 6: "c"})
# u labels items 1-6: a a b b c c  -> right on 1, 2, 4, 6: 4 of 6
# v labels items 1, 2, 4, 6: b a b c -> right on 2, 4, 6: 3 of 4
# w labels only item 7 (no gold): cannot be scored
HAND = pd.DataFrame({
    "item_id": [1, 2, 3, 4, 5, 6, 1, 2, 4, 6, 7],
    "annotator": ["u"] * 6 + ["v"] * 4 + ["w"],
    "label": ["a", "a", "b", "b", "c", "c", "b", "a", "b", "c", "a"],
})


def _quality(ann=HAND, ref=GOLD, **kw):
    with pytest.warns(WorkbenchWarning, match=r"1 labeler\(s\) have no item with a gold label.*\['w'\]"):
        return labeler_quality_table(ann, ref, **kw)


def test_accuracy_and_macro_metrics_match_the_hand_computation():
    table = _quality().set_index("annotator")
    assert table.index.tolist() == ["u", "v", "w"]
    u, v, w = table.loc["u"], table.loc["v"], table.loc["w"]
    assert (u.n_items, u.n_correct, v.n_items, v.n_correct, w.n_items) == (6, 4, 4, 3, 0)
    assert u.accuracy == pytest.approx(4 / 6) and v.accuracy == pytest.approx(0.75)
    # Wilson, z = 1.959964, u: p = 2/3, n = 6, z^2 = 3.841459:
    #   centre = (p + z^2/12) / (1 + z^2/6) = 0.986789 / 1.640243 = 0.601611
    #   half   = z / 1.640243 * sqrt(p(1-p)/6 + z^2/144) = 1.194923 * 0.252416 = 0.301618
    assert (u.accuracy_ci_low, u.accuracy_ci_high) == pytest.approx((0.299993, 0.903229), abs=1e-6)
    # v: p = 3/4, n = 4: centre = (0.75 + 0.480182) / 1.960365 = 0.627527, half = 0.326885
    assert (v.accuracy_ci_low, v.accuracy_ci_high) == pytest.approx((0.300642, 0.954413), abs=1e-6)
    # u per category: a (support 3, given 2, right 2) P 1, R 2/3, F1 2*2/(2+3) = 0.8
    #                 b (support 2, given 2, right 1) P 1/2, R 1/2, F1 0.5
    #                 c (support 1, given 2, right 1) P 1/2, R 1, F1 2*1/(2+1) = 2/3
    assert u.macro_precision == pytest.approx((1 + 0.5 + 0.5) / 3)            # 0.666667
    assert u.macro_recall == pytest.approx((2 / 3 + 0.5 + 1) / 3)             # 0.722222
    assert u.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)               # 0.655556
    # v: a (support 2, given 1, right 1) P 1, R 1/2, F1 2/3; b (1, 2, 1) P 1/2, R 1, F1 2/3; c (1, 1, 1) all 1
    assert v.macro_precision == pytest.approx(2.5 / 3) and v.macro_recall == pytest.approx(2.5 / 3)
    assert v.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)               # 0.777778
    assert np.isnan(w.accuracy) and np.isnan(w.accuracy_ci_low) and np.isnan(w.macro_f1)
    assert table["reference"].unique().tolist() == ["gold"]
    assert table.loc["u", "reference_sources"] == {"gold": 6} and table.loc["w", "reference_sources"] == {}


def test_category_table_matches_the_hand_computation():
    with pytest.warns(WorkbenchWarning):
        table = labeler_category_table(HAND, GOLD)
    got = table[["annotator", "category", "support", "n_given", "n_correct", "precision", "recall", "f1"]]
    expected = pd.DataFrame([
        ("u", "a", 3, 2, 2, 1.0, 2 / 3, 0.8), ("u", "b", 2, 2, 1, 0.5, 0.5, 0.5), ("u", "c", 1, 2, 1, 0.5, 1.0, 2 / 3),
        ("v", "a", 2, 1, 1, 1.0, 0.5, 2 / 3), ("v", "b", 1, 2, 1, 0.5, 1.0, 2 / 3), ("v", "c", 1, 1, 1, 1.0, 1.0, 1.0),
    ], columns=got.columns)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    row = table.iloc[0]  # u, a
    # precision 2/2: Wilson(2, 2) = (0.342380, 1); recall 2/3: Wilson(2, 3) = (0.207660, 0.938508)
    assert (row.precision_ci_low, row.precision_ci_high) == pytest.approx((0.342380, 1.0), abs=1e-6)
    assert (row.recall_ci_low, row.recall_ci_high) == pytest.approx((0.207660, 0.938508), abs=1e-6)
    # F1: Jaccard 2 / (2 + 3 - 2) = 2/3, Wilson(2, 3) = (0.207660, 0.938508), mapped by 2J/(1+J):
    # 0.415320 / 1.207660 = 0.343904 and 1.877016 / 1.938508 = 0.968279
    assert (row.f1_ci_low, row.f1_ci_high) == pytest.approx((0.343904, 0.968279), abs=1e-6)
    assert row.f1_ci_low <= row.f1 <= row.f1_ci_high


def test_confusion_table_matches_the_hand_computation():
    with pytest.warns(WorkbenchWarning):
        table = labeler_confusion_table(HAND, GOLD)
    u = table[table.annotator == "u"][["reference_label", "given_label", "count", "share_of_reference"]]
    # u: reference a -> a twice, b once (of 3); reference b -> b once, c once (of 2); reference c -> c once
    assert u.values.tolist() == [["a", "a", 2, pytest.approx(2 / 3)], ["a", "b", 1, pytest.approx(1 / 3)],
                                 ["b", "b", 1, 0.5], ["b", "c", 1, 0.5], ["c", "c", 1, 1.0]]
    assert table.groupby(["annotator", "reference_label"])["share_of_reference"].sum().tolist() == \
        pytest.approx([1.0] * 6)
    assert set(table.annotator) == {"u", "v"}


def test_wilson_intervals_equal_statsmodels():
    with pytest.warns(WorkbenchWarning):
        table = labeler_category_table(HAND, GOLD, confidence=0.9)
    for row in table.itertuples():
        lo, hi = proportion_confint(row.n_correct, row.n_given, alpha=0.1, method="wilson")
        assert (row.precision_ci_low, row.precision_ci_high) == pytest.approx((lo, hi))
        lo, hi = proportion_confint(row.n_correct, row.support, alpha=0.1, method="wilson")
        assert (row.recall_ci_low, row.recall_ci_high) == pytest.approx((lo, hi))


def _random_annotations(seed, n_items=60, n_labelers=5, classes="abcd"):
    rng = np.random.default_rng(seed)
    truth = rng.choice(list(classes), size=n_items)
    rows = []
    for i in range(n_items):
        for a in rng.choice(n_labelers, size=rng.integers(1, n_labelers + 1), replace=False):
            good = rng.random() < 0.5 + 0.1 * a
            rows.append((f"i{i}", f"L{a}", truth[i] if good else rng.choice(list(classes))))
    return pd.DataFrame(rows, columns=["item_id", "annotator", "label"]), pd.Series(truth, index=[f"i{i}" for i in
                                                                                             range(n_items)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_equal_sklearn_on_random_data(seed):
    ann, truth = _random_annotations(seed)
    quality = labeler_quality_table(ann, truth).set_index("annotator")
    cats = labeler_category_table(ann, truth)
    for labeler, mine in ann.groupby("annotator"):
        y_true, y_pred = truth[mine.item_id].to_numpy(), mine.label.to_numpy()
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
        row = quality.loc[labeler]
        assert (row.macro_precision, row.macro_recall, row.macro_f1) == pytest.approx((p, r, f))
        assert row.accuracy == pytest.approx((y_true == y_pred).mean())
        labels = sorted(set(y_true) | set(y_pred))
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        got = cats[cats.annotator == labeler]
        assert got.category.tolist() == labels
        np.testing.assert_allclose(got[["precision", "recall", "f1"]].to_numpy(), np.c_[p, r, f])
        np.testing.assert_array_equal(got.support.to_numpy(), s)


def test_jaccard_wilson_and_bootstrap_f1_intervals_cover_the_true_f1():
    # 300 labelers x 120 items; reference a with probability 0.4, the labeler right with probability 0.8:
    # P(tp) = 0.32, P(fp) = 0.6 * 0.2 = 0.12, P(fn) = 0.4 * 0.2 = 0.08, so F1(a) = 0.64 / 0.84 = 0.761905
    rng = np.random.default_rng(7)
    n_labelers, n = 300, 120
    ref = np.where(rng.random((n_labelers, n)) < 0.4, "a", "b")
    given = np.where(rng.random((n_labelers, n)) < 0.8, ref, np.where(ref == "a", "b", "a"))
    ids = np.array([f"{j}-{i}" for j in range(n_labelers) for i in range(n)])
    ann = pd.DataFrame({"item_id": ids, "annotator": np.repeat([f"L{j:03d}" for j in range(n_labelers)], n),
                        "label": given.ravel()})
    truth = pd.Series(ref.ravel(), index=ids)
    true_f1 = 0.64 / 0.84
    wilson = labeler_category_table(ann, truth).query("category == 'a'")
    covered = ((wilson.f1_ci_low <= true_f1) & (true_f1 <= wilson.f1_ci_high)).mean()
    assert 0.91 <= covered <= 0.99, covered
    sub = ann[ann.annotator < "L100"]
    boot = labeler_category_table(sub, truth, f1_interval="bootstrap", n_bootstrap=400, random_state=0)
    boot = boot.query("category == 'a'")
    assert 0.85 <= ((boot.f1_ci_low <= true_f1) & (true_f1 <= boot.f1_ci_high)).mean() <= 1.0
    # the two intervals nearly coincide at n = 120
    both = wilson.set_index("annotator").loc[boot.annotator]
    assert np.abs(both.f1_ci_low.to_numpy() - boot.f1_ci_low.to_numpy()).mean() < 0.02


def test_bootstrap_is_reproducible_with_random_state():
    ann, truth = _random_annotations(3)
    one = labeler_category_table(ann, truth, f1_interval="bootstrap", n_bootstrap=200, random_state=5)
    two = labeler_category_table(ann, truth, f1_interval="bootstrap", n_bootstrap=200, random_state=5)
    pd.testing.assert_frame_equal(one, two)
    assert (one.f1_ci_low <= one.f1_ci_high).all()


# --------------------------------------------------------------------------- leave-one-out reference

LOO = pd.DataFrame({
    "item_id": [1, 1, 1, 2, 2, 3, 4, 4, 4, 5, 5, 5, 6, 6],
    "annotator": ["p", "q", "r", "p", "q", "p", "p", "q", "r", "p", "q", "r", "p", "q"],
    "label": ["x", "x", "y", "x", "y", "y", "x", "x", "x", "y", "y", "x", "x", "x"],
})


def test_leave_one_out_consensus_never_counts_the_labelers_own_vote():
    ref = reference_labels(LOO).set_index(["item_id", "annotator"])
    # item 1: p and q said x, r said y. p's others are q (x) and r (y): a tie; same for q; r's others say x.
    assert ref.loc[(1, "p"), "reference_source"] == "tie" and ref.loc[(1, "p"), "reference_label"] is None
    assert ref.loc[(1, "r"), ["reference_label", "reference_source", "n_others"]].tolist() == ["x", "consensus", 2]
    # item 2: two labelers who disagree; each is judged by the other (a self-inclusive majority would tie)
    assert ref.loc[(2, "p"), "reference_label"] == "y" and ref.loc[(2, "q"), "reference_label"] == "x"
    # item 3: p alone gets no reference, not a free agreement with themself
    alone = ref.loc[(3, "p"), ["reference_label", "reference_source", "n_others"]].tolist()
    assert alone == [None, "too_few_others", 0]
    assert reference_labels(LOO, min_others=2).set_index(["item_id", "annotator"]).loc[(2, "p"), "reference_source"] \
        == "too_few_others"
    quality = labeler_quality_table(LOO, reference_labels(LOO), reference_name="leave-one-out").set_index("annotator")
    # p: item 2 (ref y, said x) wrong, item 4 (x, x) right, item 5 (others y, x: tie) none, item 6 (x, x) right
    assert (quality.loc["p", "n_items"], quality.loc["p", "n_correct"]) == (3, 2)
    assert quality.loc["p", "reference_sources"] == {"consensus": 3}
    # other column names in, canonical names out, and the output is accepted back under those names
    renamed = LOO.rename(columns={"item_id": "id", "annotator": "who", "label": "y"})
    cols = dict(item_col="id", annotator_col="who", label_col="y")
    again = labeler_quality_table(renamed, reference_labels(renamed, **cols), reference_name="leave-one-out", **cols)
    pd.testing.assert_frame_equal(again.set_index("annotator"), quality)


def test_gold_beats_adjudication_beats_consensus():
    gold = pd.DataFrame({"item_id": [4, 6], "label": ["y", "y"]})
    ref = reference_labels(LOO, gold=gold, adjudications={5: "x", 6: "x"}).set_index(["item_id", "annotator"])
    assert ref.loc[(4, "p"), ["reference_label", "reference_source"]].tolist() == ["y", "gold"]
    assert ref.loc[(5, "p"), ["reference_label", "reference_source"]].tolist() == ["x", "adjudication"]
    assert ref.loc[(6, "q"), ["reference_label", "reference_source"]].tolist() == ["y", "gold"]
    assert ref.loc[(1, "r"), "reference_source"] == "consensus"
    quality = labeler_quality_table(LOO, ref.reset_index()).set_index("annotator")
    assert quality.loc["p", "reference_sources"] == {"consensus": 1, "gold": 2, "adjudication": 1}


def test_leave_one_out_equals_a_brute_force_count_on_random_data():
    ann, _ = _random_annotations(11, n_items=80, classes="abc")
    ref = reference_labels(ann)
    for row in ref.itertuples():
        others = ann[(ann.item_id == row.item_id) & (ann.annotator != row.annotator)].label.value_counts()
        if others.empty:
            assert row.reference_source == "too_few_others"
        elif (others == others.max()).sum() > 1:
            assert row.reference_source == "tie"
        else:
            assert (row.reference_source, row.reference_label) == ("consensus", others.idxmax())


def test_leave_one_out_accuracy_equals_annotator_table_when_no_others_tie():
    from workbench.agreement import annotator_table

    # 4 labelers per item, 2 labels: the 3 others can never tie
    rng = np.random.default_rng(4)
    rows = [(i, a, "yes" if rng.random() < 0.3 + 0.15 * k else "no")
            for i in range(50) for k, a in enumerate("abcd")]
    ann = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    ours = labeler_quality_table(ann, reference_labels(ann)).set_index("annotator")["accuracy"]
    theirs = annotator_table(ann).set_index("annotator")["agreement_with_majority"]
    pd.testing.assert_series_equal(ours, theirs, check_names=False, check_index_type=False)


def test_only_label_and_quiz_rows_are_judgements_and_the_last_one_counts():
    ann = pd.DataFrame({"item_id": [1, 1, 2, 2, 3], "annotator": ["a", "a", "a", "rev", "a"],
                        "label": ["x", "y", "y", "x", "x"], "kind": ["label", "label", "quiz", "adjudication", None]})
    before = ann.copy()
    table = labeler_quality_table(ann, {1: "y", 2: "y", 3: "x"})
    assert table.annotator.tolist() == ["a"] and table.loc[0, "n_correct"] == 3
    pd.testing.assert_frame_equal(ann, before)  # inputs are never mutated


# --------------------------------------------------------------------------- CROWDLAB

def _crowd():
    ann = pd.DataFrame({"item_id": np.repeat(np.arange(8), 3), "annotator": list("abc") * 8,
                        "label": list("xxyyyyxxxyyxxyxyyyxxyyxy")})
    proba = pd.DataFrame({"x": np.linspace(0.9, 0.1, 8)}, index=np.arange(8))
    proba["y"] = 1 - proba["x"]
    return ann, proba


def _cleanlab(ann, proba, classes, **kw):
    from cleanlab.multiannotator import get_label_quality_multiannotator

    items = pd.unique(ann.item_id)
    wide = ann.pivot(index="item_id", columns="annotator", values="label").reindex(items)
    wide = wide[sorted(wide.columns, key=str)]
    codes = wide.apply(lambda col: col.map({c: i for i, c in enumerate(classes)})).astype(float)
    return get_label_quality_multiannotator(codes, proba.loc[items, classes].to_numpy(), verbose=False, **kw)


@pytest.mark.parametrize("method", ["best_quality", "majority_vote"])
def test_crowdlab_equals_cleanlab_called_directly(method):
    ann, proba = _crowd()
    direct = _cleanlab(ann, proba, ["x", "y"], consensus_method=method)
    labelers = crowdlab_table(ann, proba, consensus_method=method).set_index("annotator")
    stats_ = direct["annotator_stats"]
    for col in ("annotator_quality", "agreement_with_consensus"):
        np.testing.assert_allclose(labelers.loc[stats_.index, col], stats_[col])
    assert labelers.loc[stats_.index, "worst_class"].tolist() == [["x", "y"][int(c)] for c in stats_.worst_class]
    assert labelers.loc[stats_.index, "n_items"].tolist() == stats_.num_examples_labeled.tolist()
    assert labelers.annotator_quality.is_monotonic_increasing
    items = crowdlab_table(ann, proba, by="item", consensus_method=method)
    q = direct["label_quality"]
    assert items.consensus_label.tolist() == [["x", "y"][int(c)] for c in q.consensus_label]
    np.testing.assert_allclose(items.consensus_quality, q.consensus_quality_score)
    np.testing.assert_allclose(items.annotator_agreement, q.annotator_agreement)
    assert items.n_annotations.tolist() == q.num_annotations.tolist()


def test_crowdlab_majority_column_beside_the_consensus():
    ann, proba = _crowd()
    items = crowdlab_table(ann, proba, by="item")
    # item 0: x x y -> x; item 1: y y y -> y; item 2: x x x -> x; item 3: y y x -> y
    assert items.majority_label.tolist()[:4] == ["x", "y", "x", "y"]
    assert not items.majority_tied.any()
    assert (items.agrees_with_majority == (items.consensus_label == items.majority_label)).all()


def test_crowdlab_accepts_predictions_and_reorders_columns_to_labels():
    ann, proba = _crowd()
    pred = Predictions(proba.index.to_numpy(), np.where(proba.x > 0.5, "x", "y"), ("y", "x"),
                       proba[["y", "x"]].to_numpy(), "hand-made")
    a = crowdlab_table(ann, pred, labels=["x", "y"])
    b = crowdlab_table(ann, proba[["y", "x"]], labels=["x", "y"])
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, crowdlab_table(ann, proba))


# --------------------------------------------------------------------------- feedback digest

TAX = Taxonomy("support", 1, categories=[
    Category("refund", definition="Wants money back.", include=["Asks to be paid back."],
             exclude=["A broken app is a bug."]),
    Category("bug", definition="Something does not work.", include=["Crashes, errors."]),
    Category("other", definition="Nothing fits.", other=True),
], edge_cases=[EdgeCase("A refund because of a bug is a refund.", ["refund", "bug"])])


def test_feedback_digest_lists_the_mistakes_with_the_deciding_rules():
    ann = pd.DataFrame({"item_id": [1, 2, 3, 4, 1, 2, 3, 4], "annotator": ["ana"] * 4 + ["ben"] * 4,
                        "label": ["bug", "refund", "bug", "other", "refund", "refund", "refund", "bug"]})
    ref = reference_labels(ann, gold={3: "refund"}, adjudications={4: "bug"})
    digest = feedback_digest(ann, ref, TAX, annotator="ana")
    # gold first (item 3), then adjudication (item 4), then consensus (item 1: ben said refund)
    assert digest.item_id.tolist() == [3, 4, 1]
    assert digest.reference_source.tolist() == ["gold", "adjudication", "consensus"]
    first = digest.iloc[0]
    assert (first.given_label, first.reference_label, first.definition) == ("bug", "refund", "Wants money back.")
    assert first.include == ["Asks to be paid back."] and first.exclude == ["A broken app is a bug."]
    assert first.edge_cases == ["A refund because of a bug is a refund."]
    assert digest.iloc[1].edge_cases == []  # other vs bug: no edge case names both
    assert feedback_digest(ann, ref, annotator="ana", max_items=1).item_id.tolist() == [3]
    bare = feedback_digest(ann, ref, annotator="ana")
    assert bare.definition.isna().all() and bare.text.isna().all()
    items = pd.DataFrame({"item_id": [1, 2, 3, 4], "text": ["t1", "t2", "t3", "t4"]})
    assert feedback_digest(ann, ref, annotator="ana", items=items).text.tolist() == ["t3", "t4", "t1"]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = set(), [], []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_digest_html_escapes_hostile_strings():
    evil_name = '<script>alert("name")</script>'
    evil_label = '"><img src=x onerror=alert(1)>'
    evil_text = "[click](javascript:alert(1)) <b onclick=x>hi</b>"
    tax = Taxonomy("t", 1, categories=[
        Category("ok", definition="<iframe src=//evil>"),
        Category("bad", definition="Bad.", include=["<svg onload=alert(2)>"]),
    ])
    ann = pd.DataFrame({"item_id": ["<i>1</i>", "<i>1</i>"], "annotator": [evil_name, "x"],
                        "label": [evil_label, "ok"]})
    items = pd.DataFrame({"item_id": ["<i>1</i>"], "text": [evil_text]})
    html = feedback_digest_html(ann, {"<i>1</i>": "ok"}, tax, annotator=evil_name, items=items,
                                reference_name="<u>gold</u>")
    parser = _Tags()
    parser.feed(html)
    assert parser.tags <= {"section", "h3", "p", "table", "thead", "tbody", "tr", "th", "td", "b", "ul", "li"}
    assert {name for name, _ in parser.attrs} == {"class"}
    shown = "".join(parser.text)
    for raw in (evil_name, evil_label, evil_text, "<i>1</i>", "<iframe src=//evil>", "<u>gold</u>"):
        assert raw in shown  # shown as text, exactly
    assert "javascript&#58;" in html and "<script" not in html and "<img" not in html


def test_digest_html_summarises_and_truncates():
    ann = pd.DataFrame({"item_id": range(5), "annotator": "ana", "label": ["x", "y", "y", "y", "x"]})
    html = feedback_digest_html(ann, {i: "x" for i in range(5)}, annotator="ana", max_items=2)
    assert "3 of your 5 checked items differ from the reference (accuracy 40%); the first 2 are shown." in html
    assert html.count("<tr>") == 3  # header + 2 rows
    clean = feedback_digest_html(ann, {0: "x", 4: "x"}, annotator="ana")
    assert "0 of your 2 checked items" in clean and "<table" not in clean


# --------------------------------------------------------------------------- errors

def test_missing_columns_are_named_with_the_columns_present():
    with pytest.raises(DataError, match=r"annotations passed to labeler_quality_table must have the column\(s\) "
                                        r"\['label'\]; the columns present are \['item_id', 'annotator', 'lab'\]") as e:
        labeler_quality_table(HAND.rename(columns={"label": "lab"}), GOLD)
    assert e.value.reason == "missing_column"
    renamed = _quality(HAND.rename(columns={"label": "lab", "item_id": "id"}), GOLD, label_col="lab", item_col="id")
    assert renamed.n_items.tolist() == [6, 4, 0]  # the fix the message suggests works
    with pytest.raises(DataError, match=r"reference passed to labeler_category_table must have the column\(s\) "
                                        r"\['item_id'\].*Series of labels indexed by item id"):
        labeler_category_table(HAND, pd.DataFrame({"id": [1], "label": ["a"]}))


def test_unknown_items_say_the_ids_do_not_match():
    with pytest.raises(DataError, match=r"none of the 7 annotated items has a gold label.*'1' \(str\).*1 \(int\)"
                                        r".*'1' is not 1") as e:
        labeler_quality_table(HAND, {str(k): v for k, v in GOLD.items()})
    assert e.value.reason == "no_overlap"
    ann, proba = _crowd()
    with pytest.raises(DataError, match=r"2 of the 8 annotated items have no row in pred_probs \(e.g. 6\)\. "
                                        r"Give the model.s probabilities for every annotated item") as e:
        crowdlab_table(ann, proba.iloc[:6])
    assert e.value.reason == "unknown_item" and e.value.failure_cases.item_id.tolist() == [6, 7]
    with pytest.raises(DataError, match=r"pred_probs's item ids look like '0' \(str\), the annotations' like "
                                        r"0 \(int\)"):
        crowdlab_table(ann, proba.set_axis(proba.index.astype(str)))
    with pytest.warns(WorkbenchWarning, match=r"none of the annotated items is in gold, so it is not used. The "
                                              r"gold's item ids look like 'a' \(str\)"):
        reference_labels(LOO, gold={"a": "x"})


def test_labelers_with_no_overlap():
    with pytest.warns(WorkbenchWarning, match=r"\['w'\]. Give them gold items, or use reference_labels"):
        labeler_confusion_table(HAND, GOLD)
    with pytest.raises(DataError, match=r"none of the 1 items labeler 'w' labeled has a gold label") as e:
        feedback_digest(HAND, GOLD, annotator="w")
    assert e.value.reason == "no_overlap"
    with pytest.raises(DataError, match=r"labeler 'uu' has no judgement in the annotations. Did you mean 'u'\? "
                                        r"Labelers: \['u', 'v', 'w'\]") as e:
        feedback_digest_html(HAND, GOLD, annotator="uu")
    assert e.value.reason == "unknown_annotator"
    lonely = pd.DataFrame({"item_id": [1, 2], "annotator": ["a", "b"], "label": ["x", "y"]})
    with pytest.raises(DataError, match="every item has a single label"):
        crowdlab_table(lonely, pd.DataFrame({"x": [0.5, 0.5], "y": [0.5, 0.5]}, index=[1, 2]))


def test_bad_parameters_and_inputs():
    with pytest.raises(ValidationError, match=r"'confidence' parameter of labeler_quality_table must be a number "
                                              r"in \(0, 1\), e.g. 0.95. Got 1 instead"):
        labeler_quality_table(HAND, GOLD, confidence=1)
    with pytest.raises(ValidationError, match=r"'f1_interval' parameter .* one of \{'bootstrap', 'jaccard_wilson'\}"):
        labeler_category_table(HAND, GOLD, f1_interval="bootstrapp")
    assert F1_INTERVALS == ("jaccard_wilson", "bootstrap")
    with pytest.raises(DataError, match=r"gives different labels to item\(s\) \[1\]") as e:
        labeler_quality_table(HAND, pd.DataFrame({"item_id": [1, 1], "label": ["a", "b"]}))
    assert e.value.reason == "duplicate_item"
    with pytest.raises(DataError, match="hold label lists") as e:
        labeler_quality_table(HAND.assign(label=[["a", "b"]] * len(HAND)), GOLD)
    assert e.value.reason == "multilabel"
    ann, proba = _crowd()
    with pytest.raises(ValidationError, match=r"Wrap an array as pd.DataFrame\(probabilities, index=item_ids"):
        crowdlab_table(ann, proba.to_numpy())
    with pytest.raises(DataError, match=r"annotations use labels \['z'\] that pred_probs has no column for") as e:
        crowdlab_table(ann.assign(label=ann.label.replace({"y": "z"})), proba)
    assert e.value.reason == "unknown_label"
    with pytest.raises(DataError, match=r"must be exactly the labels \['x', 'y', 'z'\]; missing \['z'\]"):
        crowdlab_table(ann, proba, labels=["x", "y", "z"])
    with pytest.raises(ValidationError, match=r"'by' parameter of crowdlab_table must be one of"):
        crowdlab_table(ann, proba, by="labelers")


# --------------------------------------------------------------------------- real data

@pytest.fixture(scope="module")
def politeness(shared_data):
    df = pd.read_csv(shared_data / "stanford_politeness" / "wikipedia.annotated.csv")
    scores = df[[f"Score{i}" for i in range(1, 6)]].to_numpy().ravel()
    ann = pd.DataFrame({"item_id": np.repeat(df["Id"].to_numpy(), 5),
                        "annotator": df[[f"TurkId{i}" for i in range(1, 6)]].to_numpy().ravel(),
                        "label": np.select([scores <= 10, scores <= 15], ["impolite", "neutral"], "polite")})
    items = pd.DataFrame({"item_id": df["Id"], "text": df["Request"]})
    return ann, items


@pytest.mark.data
def test_politeness_leave_one_out_metrics_equal_sklearn(politeness):
    ann, _ = politeness
    assert len(ann) == 21765 and ann.annotator.nunique() == 219
    ref = reference_labels(ann)
    assert set(ref.reference_source) == {"consensus", "tie"}          # 4 others in 3 classes can tie 2-2
    quality = labeler_quality_table(ann, ref, reference_name="leave-one-out").set_index("annotator")
    cats = labeler_category_table(ann, ref, reference_name="leave-one-out")
    scored = ref[ref.reference_label.notna()]
    assert quality.n_items.sum() == len(scored)
    for labeler, mine in scored.groupby("annotator"):
        y_true, y_pred = mine.reference_label.to_numpy(), mine.label.to_numpy()
        p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
        assert quality.loc[labeler, ["macro_precision", "macro_recall", "macro_f1"]].tolist() == \
            pytest.approx([p, r, f])
        labels = sorted(set(y_true) | set(y_pred))
        p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
        got = cats[cats.annotator == labeler]
        np.testing.assert_allclose(got[["precision", "recall", "f1"]].to_numpy(), np.c_[p, r, f])
        np.testing.assert_array_equal(got.support.to_numpy(), s)
    busy = cats[cats.support + cats.n_given >= 200]
    assert ((busy.f1_ci_low <= busy.f1) & (busy.f1 <= busy.f1_ci_high)).all()
    assert ((busy.f1_ci_high - busy.f1_ci_low) < 0.25).all()


@pytest.mark.data
@pytest.mark.slow
def test_politeness_crowdlab_equals_cleanlab_and_tracks_leave_one_out_accuracy(politeness):
    from scipy.stats import spearmanr
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from workbench.agreement import consensus_table
    from workbench.error_analysis import cross_validated_predictions

    ann, items = politeness
    majority = consensus_table(ann).set_index("item_id")["label"]
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
                          LogisticRegression(max_iter=1000))
    pred = cross_validated_predictions(items, majority, model=model, cv=5, random_state=0, progress=False)
    proba = pd.DataFrame(pred.probabilities, index=pred.item_ids, columns=pred.classes)
    classes = list(pred.classes)
    direct = _cleanlab(ann, proba, classes)
    labelers = crowdlab_table(ann, pred).set_index("annotator")
    stats_ = direct["annotator_stats"]
    assert len(labelers) == len(stats_) == 219
    for col in ("annotator_quality", "agreement_with_consensus"):
        np.testing.assert_allclose(labelers.loc[stats_.index, col], stats_[col])
    assert labelers.loc[stats_.index, "worst_class"].tolist() == [classes[int(c)] for c in stats_.worst_class]
    item_table = crowdlab_table(ann, pred, by="item")
    q = direct["label_quality"]
    assert item_table.consensus_label.tolist() == [classes[int(c)] for c in q.consensus_label]
    np.testing.assert_allclose(item_table.consensus_quality, q.consensus_quality_score)
    # beside the majority vote: CROWDLAB mostly agrees, and changes tied or near-tied items
    assert 0.6 < item_table.agrees_with_majority.mean() < 1.0
    tied = item_table[item_table.majority_tied]
    assert tied.agrees_with_majority.mean() < item_table[~item_table.majority_tied].agrees_with_majority.mean()
    # labelers CROWDLAB rates highly are those the leave-one-out consensus rates highly
    loo = labeler_quality_table(ann, reference_labels(ann)).set_index("annotator")
    busy = loo[loo.n_items >= 30].index
    rho = spearmanr(loo.loc[busy, "accuracy"], labelers.loc[busy, "annotator_quality"]).statistic
    assert rho > 0.6, rho
