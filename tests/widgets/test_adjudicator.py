"""Adjudicator, driven in Python (button.click(), key events) against a real SQLite store."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.agreement import disagreement_table
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy
from workbench.widgets import Adjudicator
from workbench.widgets.adjudicator import disagreeing_items

TAXONOMY = """
name: support-intents
version: 1
task: {task}
categories:
  - {{id: billing, name: Billing, definition: Money matters.}}
  - {{id: refund_request, name: Refund request, parent: billing, definition: The customer wants money back.}}
  - {{id: duplicate_charge, name: Duplicate charge, parent: billing, definition: Charged twice.}}
  - {{id: bug_report, name: Bug report, definition: The app misbehaves.}}
  - {{id: none_of_these, name: None of these, other: true, definition: Nothing fits.}}
"""

TEXTS = {"i1": "I was charged twice, please refund one.", "i2": "The app crashes when I pay.",
         "i3": "Refund my <b>order</b> <script>window.pwned=1</script>", "i4": "Hello?"}

# (item, annotator, label, unsure, note)
VOTES = [
    ("i1", "alice", "duplicate_charge", False, None),
    ("i1", "bob", "refund_request", True, "asks for money back <i>too</i>"),
    ("i1", "carol", "duplicate_charge", False, None),
    ("i2", "alice", "bug_report", False, None),
    ("i2", "bob", "bug_report", False, None),
    ("i3", "alice", "refund_request", False, None),
    ("i3", "bob", "none_of_these", False, "a script?"),
    ("i4", "alice", "none_of_these", False, None),  # one annotator only: not a disagreement
]


def make_store(url, *, task="multiclass", votes=VOTES):
    store = AnnotationStore(url)
    v = store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY.format(task=task)))
    store.add_items(pd.DataFrame({"item_id": list(TEXTS), "text": list(TEXTS.values())}))
    store.create_round(1, taxonomy_version=v)
    for iid, who, label, unsure, note in votes:
        store.record(iid, who, label, round=1, unsure=unsure, note=note)
    return store


@pytest.fixture
def store(tmp_path):
    return make_store(f"sqlite:///{tmp_path / 'labels.db'}")


def key(widget, k):
    widget._handle_keystroke({"key": k, "type": "keydown"})


def decisions(store):
    return store.annotations(round=1, kind="adjudication").sort_values("id").reset_index(drop=True)


def test_queue_is_the_disagreements_and_matches_the_agreement_module(store):
    labels = store.annotations(round=1, kind="label")
    expected = disagreement_table(labels)
    expected = sorted(expected.loc[(expected["n_distinct"] > 1) & (expected["n_ratings"] > 1), "item_id"])
    assert sorted(disagreeing_items(labels)) == expected == ["i1", "i3"]
    adj = Adjudicator(store, annotator="lead", round=1)
    assert adj.session.progress == (0, 2) and adj.item.item_id == "i1"


def test_every_label_note_and_unsure_flag_is_shown_escaped_with_vote_counts(store):
    adj = Adjudicator(store, annotator="lead", round=1)
    html = adj.votes.value
    for who in ("alice", "bob", "carol"):
        assert who in html
    assert "Duplicate charge" in html and "Refund request" in html and "unsure" in html
    assert "asks for money back &lt;i&gt;too&lt;/i&gt;" in html and "<i>too" not in html
    descriptions = {o: b.description for o, b in zip(adj.options, adj.buttons)}
    assert descriptions["duplicate_charge"].endswith("(2)") and descriptions["refund_request"].endswith("(1)")
    assert descriptions["bug_report"] == "3 · Bug report"
    assert "wb-voted" in adj.buttons[adj.options.index("duplicate_charge")]._dom_classes


def test_a_decision_needs_a_rationale_and_is_stored_as_adjudication(store):
    adj = Adjudicator(store, annotator="lead", round=1)
    key(adj, "2")  # duplicate_charge, but no rationale yet
    assert decisions(store).empty
    assert "rationale" in adj.status.value.lower() and adj.item.item_id == "i1"
    adj.note.value = "Charged twice is the core complaint; refund is the remedy."
    key(adj, "Enter")  # confirms the highlighted option
    d = decisions(store)
    assert d[["item_id", "annotator", "label"]].values.tolist() == [["i1", "lead", "duplicate_charge"]]
    assert d.loc[0, "note"].startswith("Charged twice") and d.loc[0, "duration_ms"] >= 0
    assert adj.item.item_id == "i3" and "&lt;script&gt;" in adj.item_html.value
    adj.note.value = "Refund request; the markup is noise."
    adj.buttons[adj.options.index("refund_request")].click()
    assert decisions(store)["label"].tolist() == ["duplicate_charge", "refund_request"]
    assert adj.item is None and "2 of 2" in adj.item_html.value
    # the annotators' own labels are untouched
    assert len(store.annotations(round=1, kind="label")) == len(VOTES)


def test_back_retracts_the_decision_and_reopening_resumes(store):
    adj = Adjudicator(store, annotator="lead", round=1)
    adj.note.value = "because"
    key(adj, "1")
    key(adj, "Backspace")
    assert decisions(store).empty and adj.item.item_id == "i1" and adj.note.value == "because"
    key(adj, "1")
    again = Adjudicator(store.url, annotator="lead", round=1)
    assert again.item.item_id == "i3" and again.session.progress == (1, 2)


def test_no_disagreements_shows_a_clear_message(tmp_path):
    store = make_store(f"sqlite:///{tmp_path / 'calm.db'}", votes=VOTES[3:5])
    adj = Adjudicator(store, annotator="lead", round=1)
    assert adj.item is None and "No disagreements" in adj.item_html.value


def test_multilabel_disagreements_compare_as_sets_and_need_a_rationale(tmp_path):
    votes = [("i1", "alice", ["refund_request", "duplicate_charge"], False, None),
             ("i1", "bob", ["duplicate_charge", "refund_request"], False, None),
             ("i2", "alice", ["bug_report"], False, None),
             ("i2", "bob", ["bug_report", "refund_request"], False, None)]
    store = make_store(f"sqlite:///{tmp_path / 'ml.db'}", task="multilabel", votes=votes)
    adj = Adjudicator(store, annotator="lead", round=1)
    assert adj.session.progress == (0, 1) and adj.item.item_id == "i2"
    key(adj, "3")
    key(adj, "1")
    key(adj, "Enter")
    assert decisions(store).empty
    adj.note.value = "Both: a crash while paying and a refund ask."
    key(adj, "Enter")
    assert decisions(store)["label"].tolist() == ['["bug_report", "refund_request"]']
