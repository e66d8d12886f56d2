"""The pilot report on rounds of spans and of boxes: sections that apply, one line for those that do not."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.demo import boxes_round, spans_round
from workbench.report import external_references, render_report
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = pytest.mark.notebook

def _spans_store(path: Path):
    return spans_round(AnnotationStore(path))


def _boxes_store(path: Path):
    return boxes_round(AnnotationStore(path))


def _taxonomy(name, labels):
    return Taxonomy.from_yaml(f"name: {name}\nversion: 1\ncategories:\n"
                              + "".join(f"  - {{id: {c}, definition: {c} things.}}\n" for c in labels))


def _alt_texts(page: str):
    return [html_lib.unescape(a) for a in re.findall(r'<img alt="([^"]*)"', page)]


def test_pilot_report_on_a_spans_round(tmp_path):
    store = _spans_store(tmp_path / "spans.db")
    result = render_report("pilot", tmp_path / "out", progress=False, parameters={
        "db_url": str(tmp_path / "spans.db"), "round": 1, "n_boot": 20})
    page = result.html_path.read_text(encoding="utf-8")
    assert external_references(page) == []
    sections = page.split("6. Spans")[0]
    assert "This round has no category labels; agreement on its spans and boxes is in sections 6 and 7." in sections
    assert "This round has no image boxes." in page
    assert "The baseline model learns category labels; this round has none" in page
    spans = store.annotations(round=1, kind="spans")
    table = ag.span_agreement(spans)
    overall = table[table["annotator_a"].isna() & table["label"].isna()].iloc[0]
    metrics = result.metrics()
    assert metrics["spans"]["exact_f1"] == pytest.approx(overall["exact_f1"])
    assert metrics["spans"]["overlap_f1"] == pytest.approx(overall["overlap_f1"])
    assert 0 < overall["exact_f1"] < overall["overlap_f1"] <= 1  # the planted boundary slips
    assert metrics["boxes"] is None and metrics["agreement"] == {}
    assert metrics["quality_targets"]["span F1 between annotators (exact match)"]["value"] == pytest.approx(
        overall["exact_f1"])
    assert metrics["scope"]["spans"] == 72 and metrics["scope"]["labels"] == 0
    # the worst item is shown with every annotator's spans marked
    worst = ag.span_disagreements(spans)["item_id"].iloc[0]
    assert f"<code>{worst}</code>" in page and "<mark title='ORG'>" in page.replace('"', "'")
    alts = _alt_texts(page)
    assert alts and all(a and "No description" not in a for a in alts)
    assert any(a.startswith("exact f1, overlap f1 for each of 3 labels") for a in alts)


def test_pilot_report_on_a_boxes_round(tmp_path):
    store = _boxes_store(tmp_path / "boxes.db")
    result = render_report("pilot", tmp_path / "out", progress=False, parameters={
        "db_url": str(tmp_path / "boxes.db"), "round": 1, "n_boot": 20})
    page = result.html_path.read_text(encoding="utf-8")
    assert "This round has no text spans." in page and "7. Boxes" in page
    boxes = store.annotations(round=1, kind="boxes")
    table = ag.box_agreement(boxes)
    overall = table[table["annotator_a"].isna() & table["label"].isna()].iloc[0]
    metrics = result.metrics()
    for key in ("f1_iou_50", "f1_iou_75", "mean_iou"):
        assert metrics["boxes"][key] == pytest.approx(overall[key])
    assert metrics["boxes"]["f1_iou_75"] < metrics["boxes"]["f1_iou_50"]  # the planted jitter
    assert metrics["boxes"]["consensus_boxes"] == len(ag.consensus_boxes(boxes))
    assert "no timings were recorded" in page
    alts = _alt_texts(page)
    assert any(a.startswith("f1 iou 50, f1 iou 75, mean iou for each of 2 labels") for a in alts)


def test_pilot_report_on_a_rating_only_round_points_to_the_evaluation_report(tmp_path):
    from workbench.exceptions import ReportExecutionError

    store = AnnotationStore(tmp_path / "r.db")
    store.save_taxonomy(_taxonomy("t", ["a", "b"]))
    store.create_round(1, taxonomy_version=1)
    store.add_items(pd.DataFrame({"item_id": ["i1"], "text": ["x"]}))
    store.record("i1", "ana", '{"helpful": 4}', round=1, kind="rubric", note="ok")
    with pytest.raises(ReportExecutionError, match="workbench report evaluation"):
        render_report("pilot", tmp_path / "out", progress=False, parameters={"db_url": str(tmp_path / "r.db"), "round": 1})
