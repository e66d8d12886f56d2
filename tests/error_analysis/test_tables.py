"""Tests of workbench.error_analysis on small synthetic data (core: no marker, seconds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from workbench.error_analysis import (LABEL_ISSUE_METHODS, Predictions, classification_table,
                                      confusion_evidence_table, cross_validated_predictions,
                                      label_issue_table, model_confusion_table)
from workbench.exceptions import DataError, ValidationError, WorkbenchWarning

CLASSES = ["billing", "card", "refund", "transfer", "login"]


def _vocab(cls: str) -> list:
    return [f"{cls}{j}" for j in range(12)]


def make_items(n_per_class=40, *, seed=0, shared=None):
    """Texts of 6 words drawn from each class's own vocabulary.

    ``shared=(a, b)`` makes class ``b`` draw from ``a``'s vocabulary: a planted confusion.
    """
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for cls in CLASSES:
        source = shared[0] if shared and cls == shared[1] else cls
        for _ in range(n_per_class):
            texts.append(" ".join(rng.choice(_vocab(source), size=6)))
            labels.append(cls)
    ids = [f"it{i:04d}" for i in range(len(texts))]
    items = pd.DataFrame({"item_id": ids, "text": texts})
    return items, pd.DataFrame({"item_id": ids, "label": labels})


@pytest.fixture(scope="module")
def clean_data():
    return make_items(40, seed=1)


# --------------------------------------------------------------------------- predictions

def test_predictions_cover_every_labeled_item_in_label_order(clean_data):
    items, labels = clean_data
    labels = labels.sample(frac=1.0, random_state=3)          # a different order than items
    pred = cross_validated_predictions(items, labels, cv=5, random_state=0, progress=False)
    assert list(pred.item_ids) == labels["item_id"].tolist()
    assert list(pred.labels) == labels["label"].tolist()
    assert pred.classes == tuple(sorted(CLASSES))
    assert pred.probabilities.shape == (len(labels), len(CLASSES))
    np.testing.assert_allclose(pred.probabilities.sum(axis=1), 1.0)
    assert (pred.predicted == pred.labels).mean() > 0.95      # separable vocabularies
    assert "5-fold" in pred.method


def test_series_labels_and_unlabeled_items_are_ignored(clean_data):
    items, labels = clean_data
    series = pd.Series(labels["label"].to_numpy().copy(), index=labels["item_id"])
    series.iloc[:7] = None                                    # unlabeled: skipped
    pred = cross_validated_predictions(items, series, cv=3, random_state=0, progress=False)
    assert len(pred.item_ids) == len(items) - 7
    assert set(pred.item_ids) == set(labels["item_id"].iloc[7:])


def test_same_seed_same_probabilities_other_seed_other_folds(clean_data):
    items, labels = clean_data
    a = cross_validated_predictions(items, labels, cv=3, random_state=4, progress=False)
    b = cross_validated_predictions(items, labels, cv=3, random_state=4, progress=False)
    c = cross_validated_predictions(items, labels, cv=3, random_state=5, progress=False)
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    assert not np.allclose(a.probabilities, c.probabilities)


def test_probabilities_are_out_of_fold():
    # A 1-nearest-neighbour model memorises its training set: in-sample it is always right.
    # With labels that carry no signal, out-of-fold accuracy must be near chance instead.
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(0)
    items = pd.DataFrame({"item_id": range(200), "text": [f"w{i} w{i + 1000}" for i in range(200)]})
    labels = pd.Series(rng.choice(["a", "b"], size=200), index=items["item_id"])
    model = make_pipeline(CountVectorizer(), KNeighborsClassifier(n_neighbors=1))
    pred = cross_validated_predictions(items, labels, model=model, cv=5, random_state=0, progress=False)
    in_sample = model.fit(items["text"], labels.to_numpy()).score(items["text"], labels.to_numpy())
    assert in_sample == 1.0
    assert (pred.predicted == pred.labels).mean() < 0.65


def test_any_pipeline_and_decision_function_models(clean_data):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    items, labels = clean_data
    for model in (make_pipeline(CountVectorizer(), MultinomialNB()), make_pipeline(CountVectorizer(), LinearSVC())):
        pred = cross_validated_predictions(items, labels, model=model, cv=3, random_state=0, progress=False)
        np.testing.assert_allclose(pred.probabilities.sum(axis=1), 1.0)
        assert (pred.predicted == pred.labels).mean() > 0.9
        assert type(model.steps[-1][1]).__name__ in pred.method


def test_rare_class_warns_and_still_predicts(clean_data):
    items, labels = clean_data
    rare = pd.DataFrame({"item_id": ["r1", "r2"], "text": ["zzz yyy", "zzz xxx"]})
    items2 = pd.concat([items, rare], ignore_index=True)
    labels2 = pd.concat([labels, pd.DataFrame({"item_id": ["r1", "r2"], "label": ["rare", "rare"]})])
    with pytest.warns(WorkbenchWarning, match=r"fewer than cv=5 .*rare"):
        pred = cross_validated_predictions(items2, labels2, cv=5, random_state=0, progress=False)
    assert "rare" in pred.classes and len(pred.item_ids) == len(labels2)
    assert np.isfinite(pred.probabilities).all()


def test_all_classes_rarer_than_cv_uses_fewer_folds():
    items = pd.DataFrame({"item_id": range(6), "text": ["aa bb", "aa cc", "aa dd", "xx yy", "xx zz", "xx ww"]})
    labels = pd.Series(["a", "a", "a", "x", "x", "x"], index=range(6))
    with pytest.warns(WorkbenchWarning, match="Using 3 folds"):
        pred = cross_validated_predictions(items, labels, cv=5, random_state=0, progress=False)
    assert pred.method.startswith("3-fold")


@pytest.mark.parametrize("labels, match", [
    (pd.DataFrame({"item_id": ["it0000"], "lbl": ["x"]}), r"column\(s\) \['label'\]"),
    (pd.DataFrame({"item_id": ["nope", "it0001"], "label": ["card", "card"]}), "not in items.*'nope'"),
    (pd.DataFrame({"item_id": ["it0000", "it0000"], "label": ["card", "refund"]}), "one label per item.*consensus"),
    (pd.DataFrame({"item_id": ["it0000", "it0001"], "label": [["a", "b"], ["a"]]}), "multiclass"),
    (pd.DataFrame({"item_id": ["it0000", "it0001"], "label": ['["card", "refund"]', "card"]}), "multiclass"),
    (pd.DataFrame({"item_id": [f"it{i:04d}" for i in range(10)], "label": ["card"] * 10}), "two distinct labels"),
    (pd.DataFrame({"item_id": ["it0000", "it0001"], "label": ["card", "refund"]}), "at least cv=5"),
])
def test_input_errors_say_what_and_how_to_fix(clean_data, labels, match):
    items, _ = clean_data
    with pytest.raises(DataError, match=match):
        cross_validated_predictions(items, labels, cv=5, random_state=0, progress=False)


def test_parameter_errors(clean_data):
    items, labels = clean_data
    with pytest.raises(ValidationError, match="'cv' parameter of cross_validated_predictions must be an int >= 2"):
        cross_validated_predictions(items, labels, cv=1, progress=False)
    with pytest.raises(ValidationError, match="'items' parameter .* must be a pandas DataFrame"):
        cross_validated_predictions(items["text"].tolist(), labels, progress=False)
    with pytest.raises(ValidationError, match="'labels' parameter .* Got list"):
        cross_validated_predictions(items, ["a", "b"], progress=False)
    with pytest.raises(DataError, match=r"items must have the column\(s\) \['body'\]"):
        cross_validated_predictions(items, labels, text_col="body", progress=False)
    with pytest.raises(ValidationError, match="predict_proba or decision_function"):
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.pipeline import make_pipeline
        cross_validated_predictions(items, labels, model=make_pipeline(CountVectorizer(), _NoProba()),
                                    cv=3, progress=False)
    with pytest.raises(DataError, match="shape"):
        Predictions(np.arange(2), np.array(["a", "b"]), ("a", "b"), np.ones((3, 2)), "x")
    with pytest.raises(ValidationError, match="'pred' parameter of classification_table must be a Predictions"):
        classification_table(pd.DataFrame())


class _NoProba:
    """A classifier with neither predict_proba nor decision_function."""

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.repeat(self.classes_[0], X.shape[0])


# --------------------------------------------------------------------------- tables

def test_planted_confusion_comes_first():
    # "refund" texts are written with "card" words: the model cannot tell them apart.
    items, labels = make_items(40, seed=2, shared=("card", "refund"))
    pred = cross_validated_predictions(items, labels, cv=5, random_state=0, progress=False)
    table = model_confusion_table(pred, n_examples=2)
    assert list(table.columns) == ["true_label", "predicted_label", "count", "share_of_true", "example_item_ids"]
    assert {table["true_label"][0], table["predicted_label"][0]} == {"card", "refund"}
    assert {table["true_label"][1], table["predicted_label"][1]} == {"card", "refund"}
    assert table["count"].is_monotonic_decreasing
    first = table.iloc[0]
    assert first["share_of_true"] == pytest.approx(first["count"] / 40)
    assert len(first["example_item_ids"]) == 2
    frame = pred.to_frame().set_index("item_id")
    for item in first["example_item_ids"]:
        assert frame.loc[item, "label"] == first["true_label"]
        assert frame.loc[item, "predicted"] == first["predicted_label"]
    quality = classification_table(pred)
    assert set(quality["category"][:2]) == {"card", "refund"}   # worst F1 first
    assert quality["f1"].iloc[2:].min() > 0.9
    assert (quality["support"] == 40).all()


def test_classification_table_matches_hand_counts():
    # given a a a b b c ; predicted a b b b a c
    proba = np.eye(3)[[0, 1, 1, 1, 0, 2]] * 0.8 + 0.2 / 3
    pred = Predictions(np.arange(6), np.array(list("aaabbc")), ("a", "b", "c"), proba, "hand")
    table = classification_table(pred).set_index("category")
    assert table.loc["a", "precision"] == pytest.approx(1 / 2) and table.loc["a", "recall"] == pytest.approx(1 / 3)
    assert table.loc["b", "precision"] == pytest.approx(1 / 3) and table.loc["b", "recall"] == pytest.approx(1 / 2)
    assert table.loc["c", "f1"] == 1.0
    assert table.loc["a", "f1"] == pytest.approx(2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))
    confusion = model_confusion_table(pred)
    assert confusion[["true_label", "predicted_label", "count"]].values.tolist() == [
        ["a", "b", 2], ["b", "a", 1]]
    assert confusion["share_of_true"].tolist() == pytest.approx([2 / 3, 1 / 2])


@pytest.fixture(scope="module")
def noisy_data():
    items, labels = make_items(40, seed=7)
    rng = np.random.default_rng(11)
    flipped = rng.choice(len(labels), size=8, replace=False)
    noisy = labels.copy()
    for i in flipped:
        noisy.loc[i, "label"] = rng.choice([c for c in CLASSES if c != labels.loc[i, "label"]])
    pred = cross_validated_predictions(items, noisy, cv=5, random_state=0, progress=False)
    return pred, set(labels["item_id"].iloc[flipped]), labels.set_index("item_id")["label"]


def test_planted_flipped_labels_rank_top(noisy_data):
    pred, flipped, truth = noisy_data
    table = label_issue_table(pred)
    assert list(table.columns) == ["item_id", "label", "suggested_label", "label_quality", "rank", "method"]
    top = table.head(len(flipped))
    assert set(top["item_id"]) == flipped
    assert (top["suggested_label"].to_numpy() == truth.loc[top["item_id"]].to_numpy()).all()
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert table["label_quality"].is_monotonic_increasing
    assert len(table) <= len(flipped) + 2                      # few false alarms on clean items
    assert table["method"].str.startswith("combined").all()
    assert table["method"].str.contains("noise_mixture").all()
    assert table["method"].str.contains("low_self_confidence").all()


@pytest.mark.parametrize("method", LABEL_ISSUE_METHODS)
def test_every_method_finds_the_flips_and_says_which(noisy_data, method):
    pred, flipped, _ = noisy_data
    table = label_issue_table(pred, method=method)
    assert flipped <= set(table["item_id"])
    assert table["method"].str.contains(method).all()
    assert len(label_issue_table(pred, method=method, top=3)) == 3


def test_label_quality_is_cleanlab_self_confidence(noisy_data):
    from cleanlab.rank import get_label_quality_scores

    pred, _, _ = noisy_data
    table = label_issue_table(pred, method="prune_by_noise_rate")
    expected = get_label_quality_scores(pred.label_codes, pred.probabilities, method="self_confidence")
    position = {item: i for i, item in enumerate(pred.item_ids)}
    got = table["label_quality"].to_numpy()
    np.testing.assert_allclose(got, expected[[position[i] for i in table["item_id"]]])


def test_label_issue_table_errors(noisy_data):
    pred, _, _ = noisy_data
    with pytest.raises(ValidationError, match="'method' parameter of label_issue_table must be one of .*'both'"):
        label_issue_table(pred, method="bothh")
    with pytest.raises(ValidationError, match="'top' parameter"):
        label_issue_table(pred, top=-1)


# --------------------------------------------------------------------------- evidence

def test_confusion_evidence_joins_hand_counted_numbers():
    ann = pd.DataFrame({
        "item_id":   [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5],
        "annotator": ["u", "v", "u", "v", "w", "u", "v", "w", "u", "v", "u"],
        "label":     ["a", "b", "a", "a", "b", "a", "b", "c", "c", "c", "d"],
    })
    # human (annotator pairs that split): item 1 a/b -> 1; item 2 a,a,b -> 2; item 3 a,b,c -> 1 per pair;
    # item 4 agrees; item 5 has a single rating.  ab = 4, ac = 1, bc = 1, total 6
    # model: item 1 given a -> b, item 2 given b -> a, item 3 given c -> a, item 6 given d -> c
    given = np.array(["a", "b", "c", "c", "d", "d"])
    guess = np.array(["b", "a", "a", "c", "d", "c"])
    classes = ("a", "b", "c", "d")
    proba = np.full((6, 4), 0.1)
    proba[np.arange(6), [classes.index(g) for g in guess]] = 0.7
    pred = Predictions(np.array([1, 2, 3, 4, 5, 6]), given, classes, proba, "hand")
    table = confusion_evidence_table(ann, pred, n_examples=5)
    rows = {(r.category_a, r.category_b): r for r in table.itertuples()}
    assert set(rows) == {("a", "b"), ("a", "c"), ("b", "c"), ("c", "d")}
    assert rows["a", "b"].human_disagreements == 4 and rows["a", "b"].model_confusions == 2
    assert rows["a", "c"].human_disagreements == 1 and rows["a", "c"].model_confusions == 1
    assert rows["b", "c"].human_disagreements == 1 and rows["b", "c"].model_confusions == 0
    assert rows["c", "d"].human_disagreements == 0.0 and rows["c", "d"].model_confusions == 1
    assert rows["a", "b"].human_share == pytest.approx(4 / 6)
    assert rows["a", "b"].model_share == pytest.approx(2 / 4)
    assert table["human_share"].sum() == pytest.approx(1.0) and table["model_share"].sum() == pytest.approx(1.0)
    assert (table.iloc[0].category_a, table.iloc[0].category_b) == ("a", "b")       # largest combined share
    assert rows["a", "b"].example_item_ids == [2, 1, 3]   # weights 2, 1, 1; model items 1, 2 already in
    assert rows["c", "d"].example_item_ids == [6]
    assert rows["a", "c"].example_item_ids == [3]


def test_confusion_evidence_cleans_annotations_and_matches_two_rater_count():
    rng = np.random.default_rng(5)
    n = 300
    first, second = rng.choice(list("abcd"), n), rng.choice(list("abcd"), n)
    ann = pd.DataFrame({"item_id": np.repeat(np.arange(n), 2), "annotator": ["u", "v"] * n,
                        "label": np.column_stack([first, second]).ravel()})
    extra = pd.DataFrame({"item_id": [0, 1], "annotator": ["w", "w"], "label": [None, "a"],
                          "kind": ["label", "retract"]})
    ann = pd.concat([ann.assign(kind="label"), extra], ignore_index=True)
    pred = Predictions(np.arange(n), first, tuple("abcd"), np.eye(4)[np.searchsorted(list("abcd"), second)], "x")
    table = confusion_evidence_table(ann, pred)
    for row in table.itertuples():
        split = ((first == row.category_a) & (second == row.category_b)) | (
            (first == row.category_b) & (second == row.category_a))
        assert row.human_disagreements == split.sum()          # two raters: one per split item
        assert row.model_confusions == split.sum()             # model = second rater here


def test_confusion_evidence_errors(noisy_data):
    pred, _, _ = noisy_data
    with pytest.raises(DataError, match=r"annotations must have the column\(s\) \['annotator'\]"):
        confusion_evidence_table(pd.DataFrame({"item_id": [1], "label": ["a"]}), pred)
    with pytest.raises(DataError, match="multi-label"):
        confusion_evidence_table(pd.DataFrame({"item_id": [1, 1], "annotator": ["u", "v"],
                                               "label": [["a"], ["b"]]}), pred)
    with pytest.raises(ValidationError, match="'pred' parameter of confusion_evidence_table"):
        confusion_evidence_table(pd.DataFrame({"item_id": [], "annotator": [], "label": []}), None)


# --------------------------------------------------------------------------- charts

def test_charts_build_from_the_tables(noisy_data):
    from workbench.charts.errors import (plot_classification_quality, plot_confusion_evidence,
                                         plot_model_confusion)

    pred, _, _ = noisy_data
    spec = plot_model_confusion(model_confusion_table(pred), top=5).to_dict()
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) <= 5
    spec = plot_classification_quality(classification_table(pred)).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(values) == 3 * len(CLASSES)
    ann = pd.DataFrame({"item_id": pred.item_ids[:4].repeat(2), "annotator": ["u", "v"] * 4,
                        "label": ["card", "refund", "card", "card", "login", "billing", "card", "refund"]})
    evidence = confusion_evidence_table(ann, pred)
    spec = plot_confusion_evidence(evidence, top=2).to_dict()
    values = spec["datasets"][next(iter(spec["datasets"]))]
    assert {v["source"] for v in values} == {"humans", "model"} and len(values) == 4
    with pytest.raises(DataError, match="confusion_evidence_table"):
        plot_confusion_evidence(classification_table(pred))


def test_label_issues_warn_by_name_about_classes_too_small_to_judge():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(4), size=50)
    pred = Predictions(np.arange(50), np.array(["a", "b", "c"] * 16 + ["a", "a"]), ("a", "b", "c", "unused"),
                       proba, "x")
    with pytest.warns(WorkbenchWarning, match=r"fewer than 2 labeled items: \['unused'\]"):
        table = label_issue_table(pred, method="both")
    assert set(table["label"]) <= {"a", "b", "c"}


def test_human_side_matches_agreement_confusion_table():
    # Same definition as workbench.agreement.confusion_table (written independently there).
    agreement = pytest.importorskip("workbench.agreement")
    rng = np.random.default_rng(9)
    rows = []
    for item in range(120):
        for annotator in rng.choice(list("uvwxy"), size=rng.integers(1, 5), replace=False):
            rows.append((item, annotator, rng.choice(list("abcde"), p=[.4, .3, .15, .1, .05])))
    ann = pd.DataFrame(rows, columns=["item_id", "annotator", "label"])
    pred = Predictions(np.arange(120), np.full(120, "a"), tuple("abcde"), np.full((120, 5), 0.2), "x")
    ours = confusion_evidence_table(ann, pred).set_index(["category_a", "category_b"])["human_disagreements"]
    theirs = agreement.confusion_table(ann).set_index(["category_a", "category_b"])["n_disagreements"]
    pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_names=False, check_dtype=False)


def test_predictions_normalises_inputs_and_rejects_unknown_labels():
    pred = Predictions(["x", "y"], ["a", "b"], ["a", "b"], [[0.6, 0.4], [0.2, 0.8]], "lists")
    assert pred.classes == ("a", "b") and pred.probabilities.shape == (2, 2)
    assert pred.to_frame()["confidence"].tolist() == [0.6, 0.8]
    with pytest.raises(DataError, match=r"labels \['c'\] are not among the classes \['a', 'b'\]"):
        Predictions(["x", "y"], ["a", "c"], ["a", "b"], [[0.6, 0.4], [0.2, 0.8]], "x")
    with pytest.raises(DataError, match=r"labels \['1'\] are not among"):
        Predictions(["x"], [1], ["1", "2"], [[0.6, 0.4]], "int label vs str classes")


@pytest.mark.parametrize("eps, temperature", [(0.0, 1.0), (0.1, 1.0), (0.25, 2.0), (0.05, 0.5)])
def test_noise_mixture_recovers_the_parameters_it_was_simulated_with(eps, temperature):
    # Labels drawn from the model itself: y ~ softmax(log p / T) with prob 1 - eps, uniform with prob eps.
    # Fitting on p must give back T (the inverse of the simulated sharpening) and eps.
    from scipy.special import softmax
    from workbench.error_analysis._noise_mixture import fit_noise_mixture

    rng = np.random.default_rng(42)
    n, k = 4000, 6
    proba = rng.dirichlet(np.full(k, 0.3), size=n)
    truth = softmax(np.log(proba) * temperature, axis=1)
    model_label = (truth.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    random_label = rng.integers(0, k, size=n)
    is_random = rng.random(n) < eps
    y = np.where(is_random, random_label, model_label)
    fit = fit_noise_mixture(proba, y)
    assert fit.temperature == pytest.approx(temperature, rel=0.15)
    assert fit.noise_share == pytest.approx(eps, abs=0.03)
    assert fit.posterior.shape == (n,) and ((fit.posterior >= 0) & (fit.posterior <= 1)).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from("uvwxyz"), st.sampled_from("abcd")),
                min_size=1, max_size=60))
def test_human_disagreement_total_is_disagreeing_annotator_pairs(rows):
    ann = pd.DataFrame(rows, columns=["item_id", "annotator", "label"]).drop_duplicates(
        ["item_id", "annotator"], keep="last")
    pred = Predictions([0], ["a"], tuple("abcd"), [[1.0, 0, 0, 0]], "x")
    table = confusion_evidence_table(ann, pred)
    expected = 0
    for _, group in ann.groupby("item_id"):
        m = len(group)
        expected += m * (m - 1) // 2 - sum(n * (n - 1) // 2 for n in group["label"].value_counts())
    assert table["human_disagreements"].sum() == expected
    if expected:
        assert table["human_share"].sum() == pytest.approx(1.0)
    assert (table["category_a"].astype(str) < table["category_b"].astype(str)).all()
