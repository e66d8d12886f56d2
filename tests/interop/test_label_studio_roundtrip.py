"""A round to a real Label Studio and back: export, import there, edits by its users, export, import here.

Against the server of the ``label_studio`` fixture (PyPI ``label-studio`` in ``.venv-ls``),
through its public REST API only. Counts at each step are printed (``pytest -s``).
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from workbench.agreement import agreement_table
from workbench.interop import (create_label_studio_users, export_label_studio, import_label_studio,
                               label_studio_config, label_studio_users, read_annotator_map)
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = pytest.mark.label_studio

TAX = """
name: support
version: 1
categories:
  - {id: refund, definition: Money back.}
  - {id: cancel, definition: Stop the plan.}
  - {id: bug, definition: Something broke.}
  - {id: how_to, definition: How do I.}
"""
NAMES = ("ana", "ben", "chidi")


def pilot_store(url, n_items=40, seed=0) -> AnnotationStore:
    """A pilot round: 40 items, 3 annotators, 80% agreement, notes, unsure flags, durations, skips."""
    rng = np.random.default_rng(seed)
    store = AnnotationStore(url)
    tax = Taxonomy.from_yaml(TAX)
    store.save_taxonomy(tax)
    store.create_round(1, taxonomy_version=1)
    truth = rng.choice(tax.labels, size=n_items)
    store.add_items(pd.DataFrame({"item_id": [f"t{k:03d}" for k in range(n_items)],
                                  "text": [f"message {k} about {truth[k]}" for k in range(n_items)]}))
    rows = []
    for k in range(n_items):
        for who in NAMES:
            if rng.random() < 0.05:
                rows.append({"item_id": f"t{k:03d}", "annotator": who, "label": None, "kind": "skip"})
                continue
            label = truth[k] if rng.random() < 0.8 else rng.choice(tax.labels)
            rows.append({"item_id": f"t{k:03d}", "annotator": who, "label": label,
                         "unsure": bool(rng.random() < 0.1), "duration_ms": int(rng.integers(800, 9000)),
                         "note": "looks like both" if rng.random() < 0.1 else None})
    store.record_many(pd.DataFrame(rows), round=1)
    return store


def triples(df):
    return {(r.item_id, r.annotator, r.kind, r.label) for r in df.itertuples()}


def alpha(df):
    table = agreement_table(df[df["kind"] == "label"], metrics=["krippendorff_alpha"], n_boot=0)
    return float(table["value"].iloc[0])


def test_a_round_goes_to_label_studio_is_edited_there_and_comes_back(label_studio, tmp_path):
    ls = label_studio
    store = pilot_store(f"sqlite:///{tmp_path / 'pilot.db'}")
    before = store.annotations(round=1)
    print(f"\n[workbench] {len(before)} current rows ({(before['kind'] == 'skip').sum()} skips) by {len(NAMES)} annotators")

    # -- users: ana and ben have accounts (to act as them); the lead's helper creates the rest -----
    people = tmp_path / "people.csv"
    people.write_text("name,email\n" + "".join(f"{n},{n}.doe@example.org\n" for n in NAMES))
    accounts = {n: ls.create_user(f"{n}.doe@example.org") for n in ("ana", "ben")}
    ids = create_label_studio_users(ls.url, ls.admin_token, NAMES, read_annotator_map(people))
    assert set(ids) == {f"{n}.doe@example.org" for n in NAMES}
    assert ids["ana.doe@example.org"] == accounts["ana"].id  # existing users are found, not duplicated
    assert set(ids.values()) <= set(label_studio_users(ls.url, ls.admin_token))

    # -- workbench -> Label Studio, unchanged -------------------------------------------------
    project = ls.create_project("pilot round 1", label_studio_config(store.taxonomy(1)))
    tasks_path = tmp_path / "tasks.json"
    n_out = export_label_studio(store, tasks_path, round=1, annotators=read_annotator_map(people))
    summary = ls.import_tasks(project["id"], json.loads(tasks_path.read_text()))
    print(f"[to Label Studio] {n_out} annotations written, server took {summary['task_count']} tasks and "
          f"{summary['annotation_count']} annotations")
    assert summary["annotation_count"] == n_out == len(before)

    # -- edits made in Label Studio as its users ----------------------------------------------
    tasks = {t["data"]["item_id"]: t for t in ls.list_tasks(project["id"])}
    ana_id = ids["ana.doe@example.org"]
    edited_item = next(i for i, t in sorted(tasks.items())
                       if any(a["completed_by"] == ana_id and not a["was_cancelled"] for a in t["annotations"]))
    ana_ann = next(a for a in tasks[edited_item]["annotations"] if a["completed_by"] == ana_id)
    old_label = next(r["value"]["choices"][0] for r in ana_ann["result"] if r["from_name"] == "label")
    new_label = next(c for c in ("refund", "cancel", "bug", "how_to") if c != old_label)
    new_result = [r for r in ana_ann["result"] if r["from_name"] != "label"] + [
        {"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": [new_label]}}]
    ls.as_user(accounts["ana"]).update_annotation(ana_ann["id"], result=new_result)  # ana changes her mind
    ben_id = ids["ben.doe@example.org"]
    skipped_item = next(i for i, t in sorted(tasks.items()) if i != edited_item and any(
        a["completed_by"] == ben_id and not a["was_cancelled"] for a in t["annotations"]))
    ben_ann = next(a for a in tasks[skipped_item]["annotations"] if a["completed_by"] == ben_id)
    ls.as_user(accounts["ben"]).update_annotation(ben_ann["id"], was_cancelled=True, result=[])  # ben skips
    dee = ls.create_user("dee@example.org", first_name="Dee")  # a new annotator labels three tasks herself
    added = sorted(tasks)[:3]
    for item in added:
        ls.create_annotation(tasks[item]["id"], [{"from_name": "label", "to_name": "text", "type": "choices",
                                                  "value": {"choices": ["bug"]}}], as_user=dee)
    print(f"[in Label Studio] 1 update ({edited_item}: {old_label} -> {new_label}), 1 skip ({skipped_item}), "
          f"{len(added)} annotations by a new user")

    # -- Label Studio -> workbench, into the same store -----------------------------------------
    export = ls.export(project["id"], "JSON")
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    with people.open("a") as fh:
        csv.writer(fh).writerow(["dee", "dee@example.org"])
    people_map = read_annotator_map(people)
    people_map.ids.update(label_studio_users(ls.url, ls.admin_token))
    result = import_label_studio(store, path, round=1, annotators=people_map)
    print(f"[back in the workbench] {result.summary()}")
    assert (result.annotations_new, result.annotations_existing) == (1 + 1 + len(added), len(before) - 2)
    after = store.annotations(round=1)
    assert set(after["annotator"]) == set(NAMES) | {"dee"}  # original names, never user ids
    cur = after.set_index(["item_id", "annotator"])
    assert cur.loc[(edited_item, "ana"), "label"] == new_label  # the edits arrive as edits
    assert cur.loc[(skipped_item, "ben"), "kind"] == "skip"
    assert set(after[after["annotator"] == "dee"]["item_id"]) == set(added)
    # two edits, three new rows, and the retraction of ben's old label (it became a skip)
    assert len(store.annotations(round=1, current_only=False)) == len(before) + 2 + len(added) + 1

    # unchanged rows keep their triples, unsure flags, notes and durations; agreement on them is identical
    touched = {(edited_item, "ana"), (skipped_item, "ben")}
    keep = lambda df: df[[(i, a) not in touched and a != "dee" for i, a in zip(df["item_id"], df["annotator"])]]
    assert triples(keep(after)) == triples(keep(before))
    cols = ["item_id", "annotator", "unsure", "note", "duration_ms"]
    same = lambda df: sorted(map(tuple, keep(df)[cols].astype(object).where(keep(df)[cols].notna(), None).values.tolist()), key=str)
    assert same(after) == same(before)
    assert alpha(keep(after)) == alpha(keep(before))

    # the same export again adds nothing
    again = import_label_studio(store, path, round=1, annotators=people_map)
    assert again.annotations_new == 0 and again.annotations_existing == result.annotations_existing + result.annotations_new

    # -- and into a fresh store: every annotation under its original name -------------------------
    fresh = AnnotationStore(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.save_taxonomy(store.taxonomy(1))
    fresh.create_round(1, taxonomy_version=1)
    into_fresh = import_label_studio(fresh, path, round=1, annotators=people_map)
    print(f"[fresh store] {into_fresh.summary()}")
    assert triples(fresh.annotations(round=1)) == triples(after)

    # -- JSON_MIN and CSV exports read too (they leave out cancelled annotations and unknown controls)
    for kind, suffix in (("JSON_MIN", "json"), ("CSV", "csv")):
        body = ls.export(project["id"], kind)
        other = tmp_path / f"export-{kind}.{suffix}"
        other.write_text(body if isinstance(body, str) else json.dumps(body))
        target = AnnotationStore(f"sqlite:///{tmp_path / f'{kind}.db'}")
        target.save_taxonomy(store.taxonomy(1))
        target.create_round(1, taxonomy_version=1)
        got = import_label_studio(target, other, round=1, annotators=people_map,
                                  format="label-studio-min" if kind == "JSON_MIN" else "label-studio-csv",
                                  label_config=label_studio_config(store.taxonomy(1)))
        labels = after[after["kind"] == "label"]
        print(f"[{kind}] {got.summary()}")
        assert {(r.item_id, r.annotator, r.label) for r in target.annotations(round=1).itertuples()} == \
            {(r.item_id, r.annotator, r.label) for r in labels.itertuples()}
