"""The active-learning labeling loop against a real SQLite store and the bundled demo items."""

from __future__ import annotations

import pytest

from workbench.demo import load_demo_project
from workbench.store import AnnotationStore
from workbench.widgets._protocol import Submission
from workbench.widgets.active import ActiveLabelingLoop


@pytest.fixture
def demo_store(sqlite_url):
    taxonomy, items, gold = load_demo_project()
    store = AnnotationStore(sqlite_url)
    store.add_items(items)
    store.create_round(1, taxonomy_version=store.save_taxonomy(taxonomy))
    return store, dict(zip(gold["item_id"], gold["gold_label"]))


def label_n(loop, gold, n):
    for _ in range(n):
        item = loop.labeller.session.current
        loop.labeller.session.submit(Submission(label=gold[item.item_id]))


def test_loop_assigns_batches_retrains_and_draws_the_curve(demo_store):
    store, gold = demo_store
    loop = ActiveLabelingLoop(store, annotator="alice", round=1, batch_size=8, random_state=0)
    assert loop.batches == 1 and len(store.assignments(round=1, annotator="alice")) == 8
    label_n(loop, gold, 20)
    assigned = store.assignments(round=1, annotator="alice")
    assert loop.batches == 3 and len(assigned) == 24
    assert assigned["item_id"].is_unique  # no item is served twice
    assert sorted(assigned["position"]) == list(range(24))
    labels = store.annotations(round=1, kind="label")
    assert len(labels) == 20 and set(labels["item_id"]) <= set(assigned["item_id"])
    curve = loop.learner.learning_curve
    assert curve["n_labels"].max() == 16  # retrained on every label when the second batch finished
    assert curve["n_labels"].is_monotonic_increasing
    assert loop.curve.value.lstrip().startswith("<svg")


def test_loop_resumes_where_a_killed_kernel_left_it(demo_store):
    store, gold = demo_store
    first = ActiveLabelingLoop(store, annotator="alice", round=1, batch_size=6, random_state=0)
    label_n(first, gold, 3)
    pending = first.labeller.session.current.item_id
    again = ActiveLabelingLoop(store.url, annotator="alice", round=1, batch_size=6, random_state=0)
    assert again.labeller.session.current.item_id == pending  # no new batch while one is open
    assert len(store.assignments(round=1, annotator="alice")) == 6
