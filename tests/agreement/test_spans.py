"""Span agreement: F1 by hand (exact, overlap, one-to-one), token kappa against scikit-learn,
consensus spans, disagreement ranking, empty answers and malformed payloads."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.exceptions import DataError, WorkbenchWarning

sk_metrics = pytest.importorskip("sklearn.metrics")


def span(start, end, label, text=None):
    out = {"start": start, "end": end, "label": label}
    if text is not None:
        out["text"] = text
    return out


def frame(answers):
    """answers: {(item, annotator): list of spans} -> long frame with JSON labels, as the store writes."""
    return pd.DataFrame({"item_id": [k[0] for k in answers], "annotator": [k[1] for k in answers],
                         "kind": "spans", "label": [json.dumps(v) for v in answers.values()]})


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_exact_and_overlap_f1_per_label_per_pair_and_micro_by_hand():
    df = frame({
        (1, "x"): [span(0, 5, "PER"), span(10, 20, "LOC")],
        (1, "y"): [span(0, 5, "PER"), span(12, 20, "LOC"), span(30, 35, "PER")],
        (2, "x"): [span(0, 30, "ORG")],  # one long span ...
        (2, "y"): [span(0, 10, "ORG"), span(12, 20, "ORG")],  # ... overlaps two short ones: one match only
        (3, "x"): [], (3, "y"): [],  # agreement on "nothing": counts as an item, adds no span
    })
    t = ag.span_agreement(df)
    pair = t[t.annotator_a.notna()].set_index("label", drop=False)
    per = pair.loc["PER"]
    assert (per.n_items, per.n_spans_a, per.n_spans_b, per.exact_matches, per.overlap_matches) == (3, 1, 2, 1, 1)
    assert per.exact_f1 == pytest.approx(2 / 3) and per.overlap_f1 == pytest.approx(2 / 3)
    loc = pair.loc["LOC"]
    assert loc.exact_f1 == 0 and loc.overlap_f1 == 1
    org = pair.loc["ORG"]
    assert org.overlap_matches == 1 and org.overlap_f1 == pytest.approx(2 * 1 / 3)
    micro = t.iloc[-1]
    assert micro[["annotator_a", "annotator_b", "label"]].isna().all()
    assert (micro.n_items, micro.n_spans_a, micro.n_spans_b) == (3, 3, 5)
    assert micro.exact_f1 == pytest.approx(2 * 1 / 8) and micro.overlap_f1 == pytest.approx(2 * 3 / 8)
    whole_pair = t[t.annotator_a.notna() & t.label.isna()].iloc[0]
    assert whole_pair.exact_f1 == pytest.approx(micro.exact_f1)  # one pair: pair row = overall row
    assert list(t.columns) == ["annotator_a", "annotator_b", "label", "n_items", "n_spans_a", "n_spans_b",
                               "exact_matches", "exact_f1", "overlap_matches", "overlap_f1"]


def test_three_annotators_pool_pairs_and_a_repeated_span_counts_once():
    df = frame({(1, "a"): [span(0, 4, "A"), span(0, 4, "A")], (1, "b"): [span(0, 4, "A")], (1, "c"): [],
                (2, "a"): [span(5, 9, "B")], (2, "c"): [span(5, 9, "B")]})
    t = ag.span_agreement(df)
    pairs = t[t.annotator_a.notna() & t.label.isna()].set_index(["annotator_a", "annotator_b"])
    assert pairs.loc[("a", "b")].exact_f1 == 1 and pairs.loc[("a", "b")].n_spans_a == 1
    assert pairs.loc[("a", "c")].n_items == 2 and pairs.loc[("a", "c")].exact_f1 == pytest.approx(2 / 3)
    assert pairs.loc[("b", "c")].exact_f1 == 0
    by_label = t[t.annotator_a.isna() & t.label.notna()].set_index("label")
    assert by_label.loc["A"].exact_matches == 1 and by_label.loc["B"].exact_matches == 1


def test_only_empty_answers_give_nan_with_a_warning_and_empty_input_works():
    df = frame({(1, "x"): [], (1, "y"): []})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(WorkbenchWarning, match="undefined"):
            ag.span_agreement(df)
    t = ag.span_agreement(df)
    assert t.exact_f1.isna().all() and t.n_items.tolist() == [1, 1]
    empty = ag.span_agreement(pd.DataFrame({"item_id": [], "annotator": [], "label": []}))
    assert len(empty) == 1 and empty.n_items.iloc[0] == 0
    assert ag.span_disagreements(df).mean_exact_f1.tolist() == [1.0]  # two empty answers agree
    assert ag.consensus_spans(df).empty


def _tokens_by_hand(text, spans):
    """Independent oracle: label every character, then a token takes its most frequent non-O label."""
    chars = ["O"] * len(text)
    for s in spans:
        for c in range(s["start"], s["end"]):
            chars[c] = s["label"]
    out, pos = [], 0
    for word in text.split():
        start = text.index(word, pos)
        pos = start + len(word)
        inside = [c for c in chars[start:pos] if c != "O"]
        out.append(max(set(inside), key=inside.count) if inside else "O")
    return out


@pytest.mark.parametrize("seed", range(4))
def test_token_kappa_matches_sklearn_on_the_token_sequences(seed):
    rng = np.random.default_rng(seed)
    words = ["refund", "my", "order", "now", "the", "app", "crashes", "on", "login", "please"]
    texts, answers = {}, {}
    for item in range(25):
        toks = [str(w) for w in rng.choice(words, size=rng.integers(3, 12))]
        text = "  ".join(toks) if item % 3 == 0 else " ".join(toks)
        texts[f"t{item}"] = text
        starts = [m.start() for m in re.finditer(r"\S+", text)]
        for ann in ("x", "y"):
            spans, k = [], 0
            while k < len(toks):
                if rng.random() < 0.35:
                    width = int(rng.integers(1, 3))
                    end_tok = min(k + width, len(toks)) - 1
                    end = starts[end_tok] + len(toks[end_tok])
                    start = starts[k] + (1 if rng.random() < 0.2 and len(toks[k]) > 2 else 0)  # ragged edge
                    spans.append(span(start, end, str(rng.choice(["PROBLEM", "ACTION"]))))
                    k = end_tok + 2
                else:
                    k += 1
            answers[(f"t{item}", ann)] = spans
    df = frame(answers)
    seq_x = sum((_tokens_by_hand(texts[i], answers[(i, "x")]) for i in texts), [])
    seq_y = sum((_tokens_by_hand(texts[i], answers[(i, "y")]) for i in texts), [])
    items = pd.DataFrame({"item_id": list(texts), "text": list(texts.values())})
    t = ag.span_token_kappa(df, items)
    assert len(t) == 1 and t.n_items.iloc[0] == 25 and t.n_tokens.iloc[0] == len(seq_x)
    assert t.cohen_kappa.iloc[0] == pytest.approx(sk_metrics.cohen_kappa_score(seq_x, seq_y), abs=1e-12)
    assert t.percent_agreement.iloc[0] == pytest.approx(np.mean(np.array(seq_x) == np.array(seq_y)))


def test_token_kappa_needs_texts_that_fit_the_spans():
    df = frame({(1, "x"): [span(0, 40, "A")], (1, "y"): []})
    with pytest.raises(DataError, match=r"annotator 'x' on item 1.*past the end"):
        ag.span_token_kappa(df, {1: "short text"})
    with pytest.raises(DataError, match="no text for item"):
        ag.span_token_kappa(df, {2: "other"})


def test_consensus_spans_keeps_spans_given_by_enough_annotators():
    df = frame({(1, "a"): [span(0, 4, "A", "Acme"), span(6, 9, "B")], (1, "b"): [span(0, 4, "A")],
                (1, "c"): [span(0, 4, "B")], (2, "a"): [span(1, 3, "A")], (2, "b"): []})
    half = ag.consensus_spans(df)  # default 0.5
    assert half[["item_id", "start", "end", "label", "support", "n_annotators"]].values.tolist() == [
        [1, 0, 4, "A", 2, 3], [2, 1, 3, "A", 1, 2]]
    assert half.text.tolist() == ["Acme", None] and half.share.tolist() == pytest.approx([2 / 3, 0.5])
    assert ag.consensus_spans(df, min_share=1.0).empty
    assert len(ag.consensus_spans(df, min_share=0.3)) == 4
    with pytest.raises(Exception, match="min_share"):
        ag.consensus_spans(df, min_share=0)


def test_span_disagreements_rank_items_by_lowest_mean_pairwise_f1():
    df = frame({(1, "a"): [span(0, 4, "A")], (1, "b"): [span(0, 4, "A")],
                (2, "a"): [span(0, 4, "A")], (2, "b"): [span(1, 4, "A")],
                (3, "a"): [span(0, 4, "A")], (3, "b"): [span(0, 4, "B")], (3, "c"): [span(0, 4, "A")],
                (4, "a"): [span(0, 4, "A")]})  # one answer: left out
    t = ag.span_disagreements(df)
    assert t.item_id.tolist() == [2, 3, 1]
    assert t.set_index("item_id").loc[3, "mean_exact_f1"] == pytest.approx(1 / 3)
    assert t.set_index("item_id").loc[3, "labels"] == ["A", "B"]
    assert ag.span_disagreements(df, match="overlap").item_id.tolist() == [3, 1, 2]
    with pytest.raises(Exception, match="'match'"):
        ag.span_disagreements(df, match="fuzzy")


@pytest.mark.parametrize("payload, message", [
    ("not json", "not valid JSON"),
    ('{"start": 1}', "list of objects"),
    ('[{"end": 3, "label": "A"}]', "'start' as an integer"),
    ('[{"start": 1.5, "end": 3, "label": "A"}]', "'start' as an integer"),
    ('[{"start": true, "end": 3, "label": "A"}]', "'start' as an integer"),
    ('[{"start": 4, "end": 4, "label": "A"}]', "start < end"),
    ('[{"start": 1, "end": 3}]', "non-empty string 'label'"),
    ('[{"start": 1, "end": 3, "label": 7}]', "non-empty string 'label'"),
])
def test_malformed_payloads_name_the_item_and_the_annotator(payload, message):
    df = pd.DataFrame({"item_id": ["m1", "m1"], "annotator": ["ana", "ben"], "label": ["[]", payload]})
    with pytest.raises(DataError, match=f"annotator 'ben' on item 'm1'.*{message}"):
        ag.span_agreement(df)


def test_rows_of_other_kinds_and_missing_labels_are_skipped_but_repeats_are_errors():
    df = pd.DataFrame({"item_id": [1, 1, 1, 1], "annotator": ["a", "b", "a", "c"],
                       "kind": ["spans", "spans", "label", "spans"],
                       "label": [[span(0, 2, "A")], [span(0, 2, "A")], "bug", None]})
    t = ag.span_agreement(df)
    assert t.iloc[-1].exact_f1 == 1 and t.iloc[-1].n_items == 1
    with pytest.raises(DataError, match="at most one answer per"):
        ag.span_agreement(pd.concat([df, df.iloc[:1]]))
    with pytest.raises(DataError, match="column"):
        ag.span_agreement(df.rename(columns={"label": "spans"}))
