"""Label Studio files both ways, without a server: every tag, format, mapping and refusal."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from workbench.exceptions import DataError, LabelNotInTaxonomyError
from workbench.interop import (AnnotatorMap, config_controls, export_label_studio, import_label_studio,
                               label_studio_config, read_annotator_map)
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

FLAT = """
name: support
version: 1
task: {task}
categories:
  - {{id: refund, definition: Money back.}}
  - {{id: cancel, definition: Stop it.}}
  - {{id: bug, definition: Broken.}}
"""
TREE = """
name: support
version: 1
categories:
  - {id: billing, definition: Money matters.}
  - {id: refund, parent: billing, definition: Money back.}
  - {id: tech, definition: Technical.}
  - {id: bug, parent: tech, definition: Broken.}
"""
TEXTS = {"a": "I want my money back", "b": "Cancel my plan", "c": "The app, it \"crashes\"\non start"}


def make(url, yaml=FLAT.format(task="multiclass")):
    store = AnnotationStore(url)
    store.save_taxonomy(Taxonomy.from_yaml(yaml))
    store.add_items(pd.DataFrame({"item_id": list(TEXTS), "text": list(TEXTS.values())}))
    store.create_round(1, taxonomy_version=1)
    return store


def counts(store):
    with store.engine.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in ("items", "annotations")}


def task(item_id, text, *anns, **extra):
    return {"id": abs(hash(item_id)) % 1000, "data": {"text": text, "item_id": item_id}, "annotations": list(anns),
            **extra}


def ann(ann_id, who, *results, **extra):
    return {"id": ann_id, "completed_by": {"email": who}, "created_at": f"2026-11-01T10:00:{ann_id:02d}Z",
            "result": list(results), **extra}


def choices(*values, name="label"):
    return {"type": "choices", "from_name": name, "to_name": "text", "value": {"choices": list(values)}}


# ----------------------------------------------------------------------------- export


def test_that_an_export_keeps_unsure_note_duration_time_and_maps_annotators(sqlite_url, tmp_path):
    store = make(sqlite_url)
    store.record("a", "ana", "refund", round=1, duration_ms=2500, note="easy", unsure=True)
    store.record("b", "ben", None, round=1, kind="skip")
    store.record("a", "rev", "refund", round=1, kind="adjudication")
    people = tmp_path / "people.csv"
    people.write_text("name,email,label_studio_id\nana,ana.silva@example.org,3\nben,ben@example.org,4\n")
    path = tmp_path / "ls.json"
    assert export_label_studio(store, path, round=1, annotators=read_annotator_map(people)) == 3
    tasks = {t["data"]["item_id"]: t for t in json.loads(path.read_text())}
    by_who = {a["completed_by"]["email"]: a for t in tasks.values() for a in t["annotations"]}
    assert set(by_who) == {"ana.silva@example.org", "ben@example.org", "rev@workbench.local"}
    ana = by_who["ana.silva@example.org"]
    assert ana["lead_time"] == 2.5 and ana["created_at"].startswith(str(pd.Timestamp.now("UTC").year))
    values = {r["from_name"]: r["value"] for r in ana["result"]}
    assert values.pop("created_at")["text"][0] == ana["created_at"]  # kept as a result: Label Studio resets it
    assert values == {"label": {"choices": ["refund"]}, "unsure": {"choices": ["unsure"]}, "note": {"text": ["easy"]}}
    assert by_who["ben@example.org"]["was_cancelled"] and by_who["rev@workbench.local"]["ground_truth"]


def test_that_the_labeling_config_matches_the_taxonomy():
    flat = label_studio_config(Taxonomy.from_yaml(FLAT.format(task="multilabel")))
    assert 'choice="multiple"' in flat and config_controls(flat) == {"label": "Choices", "unsure": "Choices",
                                                                     "note": "TextArea"}
    tree = label_studio_config(Taxonomy.from_yaml(TREE))
    assert config_controls(tree)["label"] == "Taxonomy"
    assert '<Choice value="billing"' in tree and tree.index('value="refund"') > tree.index('value="billing"')


def test_that_an_export_imports_back_unchanged_and_once(sqlite_url, tmp_path):
    store = make(sqlite_url)
    store.record("a", "ana", "refund", round=1, duration_ms=2500, note="easy, \"really\"\nsure")
    store.record("b", "ana", "cancel", round=1, unsure=True)
    store.record("a", "ben", "cancel", round=1, duration_ms=900)
    store.record("b", "ben", None, round=1, kind="skip")
    path = tmp_path / "ls.json"
    export_label_studio(store, path, round=1)
    fresh = make(f"sqlite:///{tmp_path / 'fresh.db'}")
    first = import_label_studio(fresh, path, round=1)
    again = import_label_studio(fresh, path, round=1)
    assert (first.annotations_new, again.annotations_new, again.annotations_existing) == (4, 0, 4)
    cols = ["item_id", "annotator", "label", "kind", "note", "unsure", "duration_ms", "created_at"]
    norm = lambda df: sorted(map(tuple, df[cols].astype(object).where(df[cols].notna(), None).values.tolist()), key=str)
    assert norm(fresh.annotations()) == norm(store.annotations())


def test_that_hierarchical_labels_travel_as_taxonomy_paths(sqlite_url):
    store = make(sqlite_url, TREE)
    store.record("a", "ana", "refund", round=1)
    buf = io.StringIO()
    export_label_studio(store, buf, round=1)
    result = json.loads(buf.getvalue())[0]["annotations"][0]["result"][0]
    assert result == {"from_name": "label", "to_name": "text", "type": "taxonomy",
                      "value": {"taxonomy": [["billing", "refund"]]}}
    back = make(sqlite_url.replace("store.db", "back.db"), TREE)
    import_label_studio(back, json.loads(buf.getvalue()), round=1)
    assert back.annotations()["label"].tolist() == ["refund"]
    bad = [task("a", TEXTS["a"], ann(1, "ana", {"type": "taxonomy", "from_name": "label",
                                                "value": {"taxonomy": [["billing", "refnd"]]}}))]
    with pytest.raises(LabelNotInTaxonomyError, match="refnd"):
        import_label_studio(back, bad, round=1)


# ----------------------------------------------------------------------------- import: every tag


def test_that_every_supported_tag_becomes_its_kind(sqlite_url):
    store = make(sqlite_url)
    results = [
        choices("refund"), choices("unsure", name="unsure"),
        {"type": "textarea", "from_name": "note", "value": {"text": ["why not"]}},
        {"type": "labels", "from_name": "ner", "value": {"start": 2, "end": 6, "text": "want", "labels": ["ACT"]}},
        {"type": "labels", "from_name": "ner", "value": {"start": 10, "end": 15, "text": "money", "labels": ["OBJ"]}},
        {"type": "rectanglelabels", "from_name": "box", "original_width": 200, "original_height": 100,
         "value": {"x": 10, "y": 20, "width": 50, "height": 10, "rectanglelabels": ["dog"],
                   "original_width": 200, "original_height": 100}},
        {"type": "pairwise", "from_name": "pw", "value": {"selected": "right"}},
        {"type": "rating", "from_name": "helpful", "value": {"rating": 4}},
        {"type": "number", "from_name": "length", "value": {"number": 12}},
    ]
    tasks = [task("a", TEXTS["a"], ann(1, "ana@x.org", *results)),
             task("b", TEXTS["b"], ann(2, "ben@x.org", {"type": "ranker", "from_name": "rank",
                                                        "value": {"ranker": {"ranked": ["r2", "r1", "r3"]}}}))]
    result = import_label_studio(store, tasks, round=1)
    assert result.annotations_new == 6
    got = {r.kind: r for r in store.annotations().itertuples()}
    assert (got["label"].label, got["label"].unsure, got["label"].note) == ("refund", True, "why not")
    assert json.loads(got["spans"].label) == [{"start": 2, "end": 6, "label": "ACT", "text": "want"},
                                              {"start": 10, "end": 15, "label": "OBJ", "text": "money"}]
    assert json.loads(got["boxes"].label) == [{"x": 20.0, "y": 20.0, "w": 100.0, "h": 10.0, "label": "dog"}]
    assert json.loads(got["rubric"].label) == {"helpful": 4, "length": 12}
    pairwise = store.annotations(kind="pairwise").set_index("annotator")["label"].map(json.loads)
    assert pairwise["ana@x.org"] == {"choice": "b", "ranking": ["b", "a"], "tie": False}
    assert pairwise["ben@x.org"]["ranking"] == ["r2", "r1", "r3"]


@pytest.mark.parametrize("result, name", [
    ({"type": "polygonlabels", "from_name": "poly", "value": {"points": [[1, 2]], "polygonlabels": ["x"]}}, "poly"),
    ({"type": "keypointlabels", "from_name": "kp", "value": {"x": 1, "y": 2, "keypointlabels": ["nose"]}}, "kp"),
    ({"type": "brushlabels", "from_name": "brush", "value": {"rle": [1, 2], "brushlabels": ["x"]}}, "brush"),
    ({"type": "relation", "from_name": "rel", "value": {}}, "rel"),
])
def test_that_an_unsupported_tag_is_named_and_nothing_is_written(sqlite_url, result, name):
    store = make(sqlite_url)
    before = counts(store)
    tasks = [task("n1", "new text", ann(1, "ana", choices("refund"))), task("n2", "other", ann(2, "ana", result))]
    with pytest.raises(DataError, match=rf"result type '{result['type']}' \(control '{name}'\) is not supported"):
        import_label_studio(store, tasks, round=1)
    assert counts(store) == before


def test_that_ground_truth_is_an_explicit_option(sqlite_url):
    tasks = [task("a", TEXTS["a"], ann(1, "ana", choices("refund"), ground_truth=True), ann(2, "ben", choices("bug")))]
    kept = make(sqlite_url)
    import_label_studio(kept, tasks, round=1)
    assert sorted(kept.annotations()["kind"]) == ["label", "label"]  # agreement sees both labelers
    with kept.engine.connect() as conn:
        marks = [json.loads(m) for m in conn.exec_driver_sql("SELECT meta FROM imports").scalars()]
    assert sorted(m["ground_truth"] for m in marks) == [False, True]
    judged = make(sqlite_url.replace("store.db", "gt.db"))
    import_label_studio(judged, tasks, round=1, ground_truth="adjudication")
    assert sorted(judged.annotations()["kind"]) == ["adjudication", "label"]


def test_that_predictions_are_counted_as_ignored_and_cancelled_is_skip(sqlite_url):
    tasks = [task("a", TEXTS["a"], ann(1, "ana", was_cancelled=True),
                  predictions=[{"result": [choices("bug")], "model_version": "m1"}] * 3)]
    store = make(sqlite_url)
    result = import_label_studio(store, tasks, round=1)
    assert store.annotations()["kind"].tolist() == ["skip"]
    assert "3 predictions ignored" in result.summary()


def test_that_two_labels_under_one_user_are_a_correction_not_a_silent_replacement(sqlite_url):
    """The same user twice on one task: both rows are kept (history), the newer one is current."""
    tasks = [task("a", TEXTS["a"], ann(1, "ana", choices("refund")), ann(2, "ana", choices("bug")))]
    store = make(sqlite_url)
    assert import_label_studio(store, tasks, round=1).annotations_new == 2
    assert store.annotations()["label"].tolist() == ["bug"]
    assert len(store.annotations(current_only=False)) == 2


# ----------------------------------------------------------------------------- annotator identity


def test_that_numeric_user_ids_map_back_to_names_or_fail_clearly(sqlite_url):
    tasks = [task("a", TEXTS["a"], {"id": 1, "completed_by": 3, "result": [choices("refund")]})]
    store = make(sqlite_url)
    with pytest.raises(DataError, match="Label Studio user id 3 is not in the annotator map"):
        import_label_studio(store, tasks, round=1)
    assert counts(store)["annotations"] == 0
    people = AnnotatorMap({"ana": "ana.silva@example.org"}, ids={3: "ana.silva@example.org"})
    import_label_studio(store, tasks, round=1, annotators=people)
    assert store.annotations()["annotator"].tolist() == ["ana"]


def test_that_the_default_map_round_trips_plain_names():
    m = AnnotatorMap()
    assert m.name(m.email("ana")) == "ana" and m.email("kim@x.org") == "kim@x.org"
    with pytest.raises(DataError, match="has no Label Studio email in the annotator map"):
        m.email("Ana Silva")


# ----------------------------------------------------------------------------- JSON_MIN and CSV


def _min_records():
    return [{"id": 11, "text": TEXTS["a"], "item_id": "a", "annotator": "ana@x.org", "annotation_id": 5,
             "created_at": "2026-11-01T10:00:00Z", "lead_time": 3.5, "label": "refund", "note": "sure"},
            {"id": 11, "text": TEXTS["a"], "item_id": "a", "annotator": "ben@x.org", "annotation_id": 6,
             "created_at": "2026-11-01T10:01:00Z", "lead_time": 1.0, "label": "bug", "unsure": "unsure"}]


def test_that_json_min_exports_are_read(sqlite_url, tmp_path):
    path = tmp_path / "min.json"
    path.write_text(json.dumps(_min_records()))
    store = make(sqlite_url)
    result = import_label_studio(store, path, round=1)
    assert result.annotations_new == 2
    got = store.annotations().set_index("annotator")
    assert got.loc["ana@x.org", ["label", "note", "duration_ms"]].tolist() == ["refund", "sure", 3500]
    assert got.loc["ben@x.org", ["label", "unsure"]].tolist() == ["bug", True]
    assert import_label_studio(store, path, round=1).annotations_new == 0


def test_that_csv_exports_are_read(sqlite_url, tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(_min_records()[0]) + ["unsure"])
        writer.writeheader()
        for rec in _min_records():
            writer.writerow(rec)
    store = make(sqlite_url)
    assert import_label_studio(store, path, round=1).annotations_new == 2
    assert sorted(store.annotations()["label"]) == ["bug", "refund"]


# ----------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("text, message", [
    ('[{"data": {"text": "x"}, "annotations": [', "not valid JSON at line 1, column"),
    ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
    ('[1, 2]', "task 0 is a int, not a task object"),
    ('[{"data": {"text": 5}}]', "must be text; got int"),
    ('[{"data": {"text": "x"}, "annotations": {"a": 1}}]', "'annotations' must be a list"),
    ('[{"data": {"text": "x"}, "annotations": [{"result": "choices"}]}]', "must be an object with a 'result' list"),
    ('[{"data": {"text": "x"}, "annotations": [{"completed_by": "a@x.org", "result": '
     '[{"type": "choices", "from_name": "label", "value": {"choices": "bug"}}]}]}]', "must be a list of label strings"),
    ('[{"data": {"text": "x"}, "annotations": [{"completed_by": "a@x.org", "lead_time": "slow", "result": '
     '[{"type": "choices", "from_name": "label", "value": {"choices": ["bug"]}}]}]}]', "lead_time must be a number"),
    ('id,text,annotations\n1,x,[]\n', "looks like a CSV export"),
])
def test_that_broken_label_studio_files_get_one_clear_error(sqlite_url, tmp_path, text, message):
    store = make(sqlite_url)
    before = counts(store)
    path = tmp_path / "ls.json"
    path.write_text(text)
    with pytest.raises(DataError) as info:
        import_label_studio(store, path, round=1)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert counts(store) == before


def test_that_one_bad_label_among_many_writes_nothing(sqlite_url):
    store = make(sqlite_url)
    before = counts(store)
    tasks = [task(f"i{k}", f"text {k}", ann(k, "ana", choices("refund"))) for k in range(50)]
    tasks.append(task("i50", "text 50", ann(51, "ana", choices("refnd"))))
    with pytest.raises(LabelNotInTaxonomyError, match=r"row 51 of 51 .*'refnd'"):
        import_label_studio(store, tasks, round=1)
    assert counts(store) == before


def test_that_one_item_id_with_two_texts_is_an_error(sqlite_url):
    store = make(sqlite_url)
    tasks = [task("n", "first text", ann(1, "ana", choices("refund"))),
             task("n", "second text", ann(2, "ben", choices("bug")))]
    with pytest.raises(DataError, match="item id 'n' is used for two different texts"):
        import_label_studio(store, tasks, round=1)
    assert counts(store)["items"] == 3


# ----------------------------------------------------------------------------- command line


def test_the_command_line_moves_a_round_both_ways(sqlite_url, tmp_path, capsys):
    from workbench.cli import main

    store = make(sqlite_url)
    store.record("a", "ana", "refund", round=1, note="easy")
    store.record("b", "ben", "bug", round=1, unsure=True)
    db = sqlite_url.replace("sqlite:///", "")
    people = tmp_path / "people.csv"
    people.write_text("name,email,label_studio_id\nana,ana@example.org,7\nben,ben@example.org,8\n")
    assert main(["export", "--db", db, "--round", "1", "--format", "label-studio-config", "-o",
                 str(tmp_path / "config.xml")]) == 0
    assert config_controls((tmp_path / "config.xml").read_text())["label"] == "Choices"
    assert main(["export", "--db", db, "--round", "1", "--format", "label-studio", "--annotator-map", str(people),
                 "-o", str(tmp_path / "tasks.json")]) == 0
    tasks = json.loads((tmp_path / "tasks.json").read_text())
    assert {a["completed_by"]["email"] for t in tasks for a in t["annotations"]} == {"ana@example.org", "ben@example.org"}
    for t in tasks:  # as Label Studio exports them: user ids, new annotation ids, our ids as import_id
        for a in t["annotations"]:
            a["import_id"], a["id"] = a["id"], a["id"] + 1000
            a["completed_by"] = {"ana@example.org": 7, "ben@example.org": 8}[a["completed_by"]["email"]]
    (tmp_path / "export.json").write_text(json.dumps(tasks))
    capsys.readouterr()
    assert main(["import-annotations", str(tmp_path / "export.json"), "--db", db, "--round", "1",
                 "--annotator-map", str(people)]) == 0
    assert "0 new annotations, 2 already there" in capsys.readouterr().out
    assert main(["import-annotations", str(tmp_path / "export.json"), "--db", db, "--round", "1"]) == 1
    assert "Label Studio user id 7 is not in the annotator map" in capsys.readouterr().err
    help_text = __import__("subprocess").run([__import__("sys").executable, "-m", "workbench", "import-annotations",
                                              "--help"], capture_output=True, text=True).stdout
    assert "--annotator-map" in help_text and "label-studio-min" in help_text and "adds nothing" in help_text


def test_that_an_unknown_control_column_in_json_min_is_an_error_not_silence(sqlite_url, tmp_path):
    records = [{"id": 1, "text": TEXTS["a"], "item_id": "a", "annotator": "ana@x.org", "annotation_id": 5,
                "intent": "refund"}]  # a Choices control named 'intent': text, so it reads as task data
    path = tmp_path / "min.json"
    path.write_text(json.dumps(records))
    store = make(sqlite_url)
    with pytest.raises(DataError, match="--label-config"):
        import_label_studio(store, path, round=1)
    config = ('<View><Text name="text" value="$text"/><Choices name="intent" toName="text">'
              '<Choice value="refund"/></Choices></View>')
    assert import_label_studio(store, path, round=1, label_config=config).annotations_new == 1
    assert store.annotations()["label"].tolist() == ["refund"]


def test_that_our_own_label_studio_file_back_into_the_same_store_adds_nothing(sqlite_url, tmp_path):
    store = make(sqlite_url)
    store.record("a", "ana", "refund", round=1)
    store.record("b", "ben", "bug", round=1)
    path = tmp_path / "tasks.json"
    export_label_studio(store, path, round=1)
    result = import_label_studio(store, path, round=1)
    assert (result.annotations_new, result.annotations_existing) == (0, 2)
    assert len(store.annotations(current_only=False)) == 2
