"""Smoke test of the Label Studio harness: users, a project, an import with annotations, exports.

What Label Studio 1.23.2 does with an imported annotation (asserted below, and in the
harness's module docstring):

- ``completed_by``: an organization member's id (``2``) or ``{"email": "..."}`` (exact match);
  a bare e-mail string or an unknown id is "not a valid annotator's email or ID", an unknown
  e-mail is "Unknown annotator's email"; missing means the importing user.
- ``created_at`` (and ``updated_at``) are dropped: both become the time of the import.
- ``lead_time`` is kept; ``ground_truth`` is kept and defaults to *true*; ``was_cancelled`` is
  kept, and a cancelled annotation is left out of JSON_MIN and CSV (kept in JSON).
- the annotation's ``id`` is kept as ``import_id`` (the server gives a new ``id``).
- result entries outside the label config (a ``textarea`` named ``note``, a ``choices`` named
  ``unsure``) are stored and come back in JSON, but JSON_MIN and CSV only have a column per
  control tag of the config, so they are not there.
- JSON gives ``completed_by`` and JSON_MIN / CSV give ``annotator`` as the user's *id* (a string
  in CSV), never the e-mail.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.interop.label_studio_server import LabelStudioClient, LabelStudioError

pytestmark = pytest.mark.label_studio

CONFIG = ('<View><Text name="text" value="$text"/><Choices name="label" toName="text">'
          '<Choice value="refund"/><Choice value="bug"/></Choices></View>')


def choice(value: str, name: str = "label") -> dict:
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": [value]}}


def by_text(tasks: list[dict]) -> dict[str, dict]:
    return {task["data"]["text"]: task for task in tasks}


def test_users_import_and_exports_round_trip(label_studio):
    ls = label_studio
    print(f"\nLabel Studio up in {ls.startup_seconds:.1f} s "
          f"(+ {ls.template_seconds:.1f} s migrating the template database) at {ls.url}, pid {ls.pid}")

    # -- two users through the API, seen in the user list and the organization ----------------
    alice = ls.create_user("alice@example.com", first_name="Alice", last_name="Archer")
    bob = ls.create_user("Bob@Example.com", username="bobby", first_name="Bob")
    assert bob.email == "bob@example.com"  # signup lower-cases
    assert (alice.username, bob.username, alice.first_name) == ("alice", "bobby", "Alice")
    users = {u["email"]: u for u in ls.admin.list_users()}
    assert users[alice.email]["id"] == alice.id and users[bob.email]["first_name"] == "Bob"
    members = {m["user"]["email"]: m["user"]["id"] for m in ls.admin.organization_members()}
    assert {ls.admin_email, alice.email, bob.email} <= set(members)
    assert members[bob.email] == bob.id
    assert ls.as_user(alice).whoami()["email"] == alice.email
    admin_id = ls.admin.whoami()["id"]

    # -- a project and an import with annotations -------------------------------------------
    project = ls.create_project("smoke", CONFIG)
    note = {"from_name": "note", "to_name": "text", "type": "textarea", "value": {"text": ["not sure"]}}
    tasks = [
        {"data": {"text": "I want my money back", "item_id": "i1"}, "annotations": [
            {"completed_by": alice.id, "result": [choice("refund")], "created_at": "2020-01-02T03:04:05Z",
             "lead_time": 12.5, "ground_truth": False, "id": 777},
            {"completed_by": {"email": bob.email}, "result": [choice("bug"), note, choice("refund", "unsure")]},
        ]},
        {"data": {"text": "the app crashes", "item_id": "i2"}, "annotations": [
            {"completed_by": {"email": bob.email}, "result": [choice("bug")], "lead_time": 3},
            {"completed_by": alice.id, "result": [], "was_cancelled": True},
        ]},
        {"data": {"text": "refund please", "item_id": "i3"}, "annotations": [
            {"completed_by": {"email": alice.email}, "result": [choice("refund")]},
        ]},
    ]
    summary = ls.import_tasks(project["id"], tasks)
    assert (summary["task_count"], summary["annotation_count"]) == (3, 5)

    # the forms of completed_by that the import refuses (nothing is stored then)
    for completed_by, error in [(alice.email, "not a valid annotator's email or ID"),
                                ({"email": "nobody@example.com"}, "Unknown annotator's email"),
                                ({"email": "Alice@Example.com"}, "Unknown annotator's email"),
                                (999_999, "not a valid annotator's email or ID")]:
        bad = [{"data": {"text": "x"}, "annotations": [{"completed_by": completed_by, "result": [choice("bug")]}]}]
        with pytest.raises(LabelStudioError, match=error) as info:
            ls.import_tasks(project["id"], bad)
        assert info.value.status == 400
    assert len(ls.list_tasks(project["id"])) == 3

    # -- JSON: everything, annotators as ids ----------------------------------------------------
    exported = by_text(ls.export(project["id"], "JSON"))
    assert set(exported) == {"I want my money back", "the app crashes", "refund please"}
    first = {a["completed_by"]: a for a in exported["I want my money back"]["annotations"]}
    assert set(first) == {alice.id, bob.id}
    a1, b1 = first[alice.id], first[bob.id]
    assert a1["result"] == [choice("refund")] and b1["result"] == [choice("bug"), note, choice("refund", "unsure")]
    assert a1["lead_time"] == 12.5 and b1["lead_time"] is None
    assert a1["ground_truth"] is False and b1["ground_truth"] is True  # defaults to true on import
    assert a1["import_id"] == 777 and a1["id"] != 777
    assert not a1["created_at"].startswith("2020")  # dropped: the import time
    second = {a["completed_by"]: a for a in exported["the app crashes"]["annotations"]}
    assert second[alice.id]["was_cancelled"] is True and second[bob.id]["was_cancelled"] is False
    assert exported["refund please"]["annotations"][0]["completed_by"] == alice.id
    assert exported["I want my money back"]["data"] == {"text": "I want my money back", "item_id": "i1"}

    # -- JSON_MIN: one row per annotation that is not cancelled, one column per control tag ----
    rows = ls.export(project["id"], "JSON_MIN")
    got = sorted((r["item_id"], r["annotator"], r["label"]) for r in rows)
    assert got == sorted([("i1", alice.id, "refund"), ("i1", bob.id, "bug"), ("i2", bob.id, "bug"),
                          ("i3", alice.id, "refund")])
    assert all("note" not in r and "unsure" not in r for r in rows)
    assert set(rows[0]) == {"text", "item_id", "id", "label", "annotator", "annotation_id", "created_at",
                            "updated_at", "lead_time"}

    # -- CSV: the same rows, columns sorted, annotator ids as text -------------------------------
    table = list(csv.DictReader(io.StringIO(ls.export(project["id"], "CSV"))))
    assert sorted((r["item_id"], r["annotator"], r["label"]) for r in table) == [
        (item, str(who), label) for item, who, label in got]
    assert list(table[0]) == sorted(table[0])

    # -- acting as users: annotate and edit through the API -------------------------------------
    task3 = next(t for t in ls.list_tasks(project["id"]) if t["data"]["item_id"] == "i3")
    made = ls.create_annotation(task3["id"], [choice("bug")], as_user=bob, lead_time=4.5)
    assert (made["completed_by"], made["updated_by"], made["ground_truth"]) == (bob.id, bob.id, False)
    edited = ls.update_annotation(made["id"], as_user=alice.email, result=[choice("refund")])
    assert (edited["completed_by"], edited["updated_by"]) == (bob.id, alice.id)
    assert edited["result"] == [choice("refund")]
    by_admin = ls.update_annotation(made["id"], result=[choice("bug")])
    assert by_admin["updated_by"] == admin_id
    assert {a["completed_by"] for a in ls.admin.task_annotations(task3["id"])} == {alice.id, bob.id}

    # a personal access token (JWT refresh -> 5-minute access token, Bearer) works as well
    jwt_client = LabelStudioClient(ls.url, refresh_token=ls.as_user(bob).personal_access_token())
    assert jwt_client.whoami()["email"] == bob.email
    # and logging in with the password gives the same user and token back
    assert ls.login(alice.email, alice.password).token == alice.token
