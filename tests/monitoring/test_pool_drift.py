"""Pool against production: text length, language and predicted-label drift."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, ks_2samp

from workbench.exceptions import DataError
from workbench.monitoring import (UNDETERMINED, identify_languages, language_drift, pool_drift_report,
                                  predicted_label_drift, psi, text_length_drift)


def test_the_length_psi_uses_the_pools_deciles_by_hand():
    pool = ["x" * n for n in (1, 2, 3, 4)]
    production = ["x" * n for n in (4, 4, 9, 9)]
    t = text_length_drift(pool, production, bins=2).set_index("measure")
    # one cut at the pool's median (2.5): pool 2 | 2, production 0 | 4
    assert t.loc["characters", "psi"] == pytest.approx(psi([2, 2], [0, 4]))
    assert t.loc["characters", ["pool_median", "production_median"]].tolist() == [2.5, 6.5]
    test = ks_2samp([1, 2, 3, 4], [4, 4, 9, 9])
    assert t.loc["characters", "ks_statistic"] == pytest.approx(test.statistic)
    assert t.loc["characters", "p_value"] == pytest.approx(test.pvalue)
    assert t.loc["words", "psi"] == pytest.approx(0.0)  # one word each side


def test_an_identical_split_is_stable_and_a_planted_shift_is_not():
    rng = np.random.default_rng(0)
    words = ["refund", "card", "login", "order", "please", "help", "charged", "twice"]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(3, 12)))) for _ in range(2000)]
    same = pool_drift_report(texts[:1000], texts[1000:]).set_index("check")
    assert (same["verdict"] == "stable").all(), same
    longer = [t + " " + " ".join(rng.choice(words, size=8)) for t in texts[1000:]]
    moved = pool_drift_report(texts[:1000], longer).set_index("check")
    assert moved.loc["text length (words)", "verdict"] == "major"
    assert moved.loc["text length (words)", "finding"].startswith("Production texts are longer: median")


def test_language_is_identified_offline_and_short_texts_are_undetermined():
    sentences = {"en": "Where is my refund? I was charged twice this month.",
                 "es": "¿Dónde está mi reembolso? Me cobraron dos veces este mes.",
                 "de": "Wo ist meine Rückerstattung? Ich wurde diesen Monat doppelt belastet.",
                 "fr": "Où est mon remboursement ? On m'a débité deux fois ce mois-ci.",
                 "it": "Dov'è il mio rimborso? Mi hanno addebitato due volte questo mese."}
    assert identify_languages(list(sentences.values())).tolist() == list(sentences)
    assert identify_languages(["ok thanks", "hola"]).tolist() == [UNDETERMINED, UNDETERMINED]
    t = language_drift([sentences["en"]] * 30, [sentences["en"]] * 20 + [sentences["es"]] * 10)
    assert t[["language", "pool_count", "production_count"]].values.tolist() == [["en", 30, 20], ["es", 0, 10]]
    stat = chi2_contingency(np.array([[30, 0], [20, 10]]))
    assert t.attrs["chi2"] == pytest.approx(stat[0]) and t.attrs["p_value"] == pytest.approx(stat[1])
    assert t.attrs["psi"] == pytest.approx(psi([30, 0], [20, 10])) and t.attrs["verdict"] == "major"


def test_predicted_label_shares_by_hand():
    t = predicted_label_drift(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert t.set_index("label")[["pool_share", "production_share"]].to_dict("index") == {
        "a": {"pool_share": 0.5, "production_share": 0.25}, "b": {"pool_share": 0.5, "production_share": 0.75}}
    assert t.attrs["psi"] == pytest.approx(0.25 * np.log(2) + 0.25 * np.log(1.5))
    report = pool_drift_report(["one two three"] * 4, ["one two three"] * 4, pool_predictions=["a", "a", "b", "b"],
                               production_predictions=["a", "b", "b", "b"])
    assert report["check"].tolist()[-1] == "predicted labels"


def test_bad_input_says_what_and_where():
    with pytest.raises(DataError, match="the pool must be a list or Series of texts; got str"):
        text_length_drift("just one string", ["x"])
    with pytest.raises(DataError, match="the production sample has no texts"):
        text_length_drift(["x"], [None, float("nan")])
    with pytest.raises(DataError, match=r"1 values that are not text \(e.g. 17 at position 1\)"):
        text_length_drift(["x", 17], ["y"])


@pytest.mark.data
def test_on_real_sms_ham_against_spam(shared_data):
    lines = (shared_data / "sms_spam" / "SMSSpamCollection").read_text(encoding="utf-8").splitlines()
    df = pd.DataFrame([line.split("\t", 1) for line in lines if line], columns=["label", "text"])
    ham, spam = df[df["label"] == "ham"]["text"], df[df["label"] == "spam"]["text"]
    report = pool_drift_report(ham, spam).set_index("check")
    # spam messages are much longer (median about 150 characters against about 50)
    assert report.loc["text length (characters)", "verdict"] == "major"
    lengths = text_length_drift(ham, spam).set_index("measure")
    assert lengths.loc["characters", "production_median"] == spam.str.len().median()
    shuffled = df.sample(frac=1.0, random_state=0)["text"]
    half = len(shuffled) // 2
    random_split = pool_drift_report(shuffled[:half], shuffled[half:]).set_index("check")
    assert (random_split["verdict"] == "stable").all(), random_split
    assert (identify_languages(df["text"].head(500)).isin(["en", UNDETERMINED])).mean() > 0.6
