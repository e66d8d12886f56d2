"""Identity and roles, enforced in the kernel-side views: the signed-in user labels, nobody else."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.exceptions import AccessDenied
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy
from workbench.widgets import Adjudicator, Labeller, identity

TAXONOMY = """
name: intents
version: 1
categories:
  - {id: refund, definition: Money back.}
  - {id: bug, definition: The app misbehaves.}
"""


@pytest.fixture(autouse=True)
def no_identity(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    identity.reset_for_tests()
    yield
    identity.reset_for_tests()


@pytest.fixture
def store(tmp_path):
    store = AnnotationStore(tmp_path / "roles.db")
    store.create_round(1, taxonomy_version=store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY)))
    store.add_items(pd.DataFrame({"item_id": [f"i{k}" for k in range(6)], "text": [f"text {k}" for k in range(6)]}))
    store.assign(pd.DataFrame({"item_id": ["i2", "i0", "i4"], "annotator": "alice"}), round=1)
    store.assign(pd.DataFrame({"item_id": ["i1", "i3", "i5"], "annotator": "bob"}), round=1)
    for who in ("alice", "bob"):  # two labels on one item each, so the adjudicator has a queue
        store.record("i0", who, "refund" if who == "alice" else "bug", round=1)
    return store


def test_a_signed_in_labeler_labels_as_themselves_and_never_as_someone_else(store):
    identity.bind("alice", "labeler")
    with pytest.raises(AccessDenied, match="signed in as 'alice'; you cannot label as 'mallory'"):
        Labeller(store, annotator="mallory", round=1)
    lab = Labeller(store, round=1)  # no name: the signed-in one
    assert lab.session.annotator == "alice"
    lab.press("1")
    rows = store.annotations(round=1, kind="label")
    assert rows[rows["item_id"] == "i2"][["annotator", "label"]].values.tolist() == [["alice", "refund"]]
    with pytest.raises(AccessDenied, match="cannot switch to 'bob'"):
        identity.bind("bob", "labeler")


def test_a_labeler_gets_exactly_their_planned_items_in_plan_order_even_when_naming_others(store):
    identity.bind("alice", "labeler")
    lab = Labeller(store, round=1)
    assert lab.session.progress == (1, 3)  # her three planned items, one labeled already
    seen = []
    while lab.item is not None:
        seen.append(lab.item.item_id)
        lab.press("2")
    assert seen == ["i2", "i4"]  # i0 was labeled already; bob's items never show
    from workbench.widgets._bound import assigned_items

    assert assigned_items(store, "alice", 1, item_ids=["i1", "i4"]) == ["i4"]


def test_a_labeler_cannot_open_the_adjudicator_and_a_reviewer_cannot_label(store):
    identity.bind("alice", "labeler")
    with pytest.raises(AccessDenied, match="A labeler cannot open the adjudication view"):
        Adjudicator(store, round=1)
    identity.reset_for_tests()
    identity.bind("rita", "reviewer")
    adjudicator = Adjudicator(store, round=1)
    assert adjudicator.item.item_id == "i0"
    with pytest.raises(AccessDenied, match="A reviewer cannot open the label view"):
        Labeller(store, round=1)


def test_a_lead_may_open_every_view_and_a_notebook_of_ones_own_is_the_lead(store):
    identity.bind("lee", "lead")
    assert Adjudicator(store, round=1).item.item_id == "i0"
    assert Labeller(store, round=1).session.annotator == "lee"
    identity.reset_for_tests()
    assert identity.resolve("ana") == identity.Identity("ana", "lead", "local")
    with pytest.raises(AccessDenied, match="No one is signed in here"):
        Labeller(store, round=1)


def test_the_jupyterhub_user_is_the_annotator(store, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_USER", "bob")
    lab = Labeller(store, round=1)
    assert lab.session.annotator == "bob" and lab.identity.source == "jupyterhub"
    assert lab.item.item_id == "i1"  # bob's plan, not alice's
    with pytest.raises(AccessDenied, match="signed in as 'bob'"):
        Labeller(store, annotator="alice", round=1)


def test_a_round_hides_metadata_columns_from_labelers_but_not_from_the_lead(tmp_path):
    store = AnnotationStore(tmp_path / "meta.db")
    store.create_round(1, taxonomy_version=store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY)),
                       params={"hidden_columns": ["customer_email"]})
    store.add_items(pd.DataFrame({"item_id": ["i1"], "text": ["refund me"], "customer_email": ["x@y.org"],
                                  "channel": ["chat"]}))
    store.assign(pd.DataFrame({"item_id": ["i1"], "annotator": "alice"}), round=1)
    identity.bind("alice", "labeler")
    seen = Labeller(store, round=1).session.current.meta
    assert "customer_email" not in seen and seen["channel"] == "chat"
    identity.reset_for_tests()
    assert Labeller(store, annotator="lee", round=1).session.current.meta["customer_email"] == "x@y.org"


def test_an_erased_item_never_shows_again(store):
    store.erase_item("i2", actor="lee")
    identity.bind("alice", "labeler")
    lab = Labeller(store, round=1)
    assert lab.item.item_id == "i4"  # i2 erased, i0 labeled already
    assert lab.session.progress[1] == 3


def test_a_labeler_who_leaves_half_way_resumes_and_the_lead_can_reassign_the_rest(store):
    identity.bind("alice", "labeler")
    first = Labeller(store, round=1)
    first.press("1")  # i2 (i0 was labeled already); then she closes the page
    assert Labeller(store, round=1).item.item_id == "i4"  # a new page resumes where she stopped
    identity.reset_for_tests()
    moved = store.reassign(round=1, source="alice", target="bob", actor="lee")
    assert moved == ["i4"]
    plan = store.assignments(round=1)
    assert plan[plan["annotator"] == "bob"]["item_id"].tolist() == ["i1", "i3", "i5", "i4"]  # appended, in order
    assert plan[plan["annotator"] == "alice"]["item_id"].tolist() == ["i2", "i0"]  # what she answered stays hers
    entry = store.audit_log(action="reassign").iloc[-1]
    assert entry["actor"] == "lee" and entry["detail"] == {"moved": 1, "already_held": 0, "kept_answered": 2}
    identity.bind("bob", "labeler")
    assert Labeller(store, round=1).session.progress == (0, 4)  # his three and alice's last one
    from workbench.exceptions import StoreError

    with pytest.raises(StoreError, match="'carol' has no assignments in round 1"):
        store.reassign(round=1, source="carol", target="bob", actor="lee")
