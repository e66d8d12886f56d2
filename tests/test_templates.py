"""The report templates, executed with papermill on real stores (SQLite) built through the public API."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench.demo import run_demo_round, simulate_round
from workbench.exceptions import ReportExecutionError
from workbench.report import external_references, render_report
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def demo_round(tmp_path_factory) -> Path:
    """A demo project with pilot round 1: 80 items, two simulated labels each."""
    project = tmp_path_factory.mktemp("demo") / "project"
    run_demo_round(project, n_items=80, overlap=2, random_state=3, progress=False)
    return project


@pytest.fixture(scope="module")
def pilot_report(demo_round, tmp_path_factory):
    out = tmp_path_factory.mktemp("pilot")
    result = render_report("pilot", out, parameters={"db_url": str(demo_round / "workbench.db"), "round": 1,
                                                      "n_boot": 200, "random_state": 5, "cv": 3}, progress=False)
    return result


def test_pilot_report_metrics_match_the_store(pilot_report, demo_round):
    metrics = pilot_report.metrics()
    labels = AnnotationStore(demo_round / "workbench.db").annotations(round=1, kind="label")
    assert metrics["scope"]["labels"] == len(labels) == 160
    assert metrics["scope"]["items"] == labels["item_id"].nunique() == 80
    assert metrics["scope"]["annotators"] == sorted(labels["annotator"].unique())
    alpha = metrics["agreement"]["krippendorff_alpha"]
    assert alpha["ci_low"] <= alpha["value"] <= alpha["ci_high"]
    from workbench.agreement import krippendorff_alpha_score

    assert alpha["value"] == pytest.approx(krippendorff_alpha_score(labels), abs=1e-12)
    assert metrics["taxonomy"]["sha256"] == Taxonomy.load(demo_round / "taxonomy.yaml").content_hash()
    assert set(metrics["quality_targets"]) == {"Krippendorff's alpha, overall", "one-vs-rest kappa, every category",
                                               "accuracy on gold items"}


def test_pilot_report_html_is_offline_escaped_and_tells_every_section(pilot_report):
    html = pilot_report.html_path.read_text(encoding="utf-8")
    assert external_references(html) == []
    for heading in ("1. Summary", "2. Scope", "3. Agreement", "4. Where people split", "5. Where the model splits",
                    "6. Proposed revisions", "7. Draft next version", "8. Quality targets", "9. Reproducibility"):
        assert heading in html, heading
    assert html.count('data-mime-type="image/svg+xml"') >= 5  # every chart is an inline SVG
    assert "db_url = " not in html  # input cells and parameters are hidden
    assert "<script>alert" not in html  # the demo's HTML-bearing messages stay escaped


def test_pilot_report_writes_a_valid_draft_when_a_proposal_is_accepted(pilot_report):
    metrics = pilot_report.metrics()
    accepted = [p for p in metrics["proposals"] if p["accepted"]]
    if metrics["draft_version"] is None:
        assert accepted == []
        return
    draft = Taxonomy.load(next(pilot_report.html_path.parent.glob("*-draft.yaml")))
    assert draft.version == metrics["draft_version"] == metrics["taxonomy"]["version"] + 1
    assert len(draft.changelog[-1].changes) >= len(accepted)


def test_two_renders_of_the_same_inputs_give_the_same_numbers(pilot_report, demo_round, tmp_path):
    again = render_report("pilot", tmp_path, parameters={"db_url": str(demo_round / "workbench.db"), "round": 1,
                                                          "n_boot": 200, "random_state": 5, "cv": 3}, progress=False)
    first, second = pilot_report.metrics(), again.metrics()
    for key in ("agreement", "per_category", "model", "proposals", "quality_targets", "annotations_sha256"):
        assert first[key] == second[key], key


def test_pilot_report_on_a_missing_round_fails_with_a_named_cell(demo_round, tmp_path):
    with pytest.raises(ReportExecutionError, match=r"failed in cell \d+") as info:
        render_report("pilot", tmp_path, parameters={"db_url": str(demo_round / "workbench.db"), "round": 7},
                      progress=False)
    assert Path(info.value.notebook_path).exists() and (tmp_path / "report.html").exists()


def test_round_comparison_after_accepting_the_draft(demo_round, pilot_report, tmp_path):
    store = AnnotationStore(demo_round / "workbench.db")
    drafts = list(pilot_report.html_path.parent.glob("*-draft.yaml"))
    taxonomy = Taxonomy.load(drafts[0]) if drafts else Taxonomy.load(demo_round / "taxonomy.yaml")
    version = store.save_taxonomy(taxonomy)
    if 2 not in set(store.rounds()["round"]):
        store.create_round(2, taxonomy_version=version, name="pilot 2")
        plan = store.assignments(round=1)[["item_id", "annotator"]]
        store.assign(plan, round=2)
        simulate_round(store, 2, random_state=9, progress=False)
    result = render_report("comparison", tmp_path, parameters={"db_url": str(demo_round / "workbench.db"),
                                                                "round": 2, "n_boot": 200}, progress=False)
    metrics = result.metrics()
    assert metrics["rounds"] == [1, 2]
    from workbench.agreement import krippendorff_alpha_score

    for r in (1, 2):
        ann = store.annotations(round=r, kind="label")
        if r == 1 and taxonomy.version != 1:
            mapping = taxonomy.migrate(sorted(ann["label"].unique()), 1, taxonomy.version)
            ann = ann.assign(label=ann["label"].map(dict(zip(mapping["label"], mapping["migrated_label"]))))
        assert metrics["alpha"][str(r)]["value"] == pytest.approx(krippendorff_alpha_score(ann.dropna(subset=["label"])))
    assert 0.0 <= metrics["label_tvd"] <= 1.0
    assert external_references(result.html_path.read_text(encoding="utf-8")) == []


def test_calibration_report_scores_quiz_answers_against_gold(tmp_path):
    taxonomy = Taxonomy.from_yaml("""
name: quiz
version: 1
task: multiclass
categories:
  - {id: bug, name: Bug, definition: Something is broken.}
  - {id: how_to, name: How-to, definition: Asks how to do something.,
     exclude: ["Use bug instead when the feature exists but fails."]}
edge_cases:
  - rule: A feature that exists but fails is a bug, even when phrased as a question.
    categories: [bug, how_to]
""")
    store = AnnotationStore(tmp_path / "quiz.db")
    items = pd.DataFrame({"item_id": [f"g{i}" for i in range(6)], "text": [f"gold item {i}" for i in range(6)],
                          "gold_label": ["bug", "bug", "bug", "how_to", "how_to", "how_to"]})
    store.add_items(items)
    store.create_round(1, taxonomy_version=store.save_taxonomy(taxonomy))
    answers = {"ann": ["bug", "bug", "bug", "how_to", "how_to", "how_to"],  # 6 / 6
               "bob": ["how_to", "bug", "how_to", "how_to", "how_to", "bug"]}  # 3 / 6
    for annotator, given in answers.items():
        for item_id, label in zip(items["item_id"], given):
            store.record(item_id, annotator, label, round=1, kind="quiz", duration_ms=1500)
    result = render_report("calibration", tmp_path / "out", parameters={"db_url": str(tmp_path / "quiz.db"),
                                                                         "round": 1}, progress=False)
    metrics = result.metrics()
    assert metrics["labelers"]["ann"]["score"] == 1.0 and metrics["labelers"]["ann"]["passed"] is True
    assert metrics["labelers"]["bob"]["score"] == 0.5 and metrics["labelers"]["bob"]["passed"] is False
    assert metrics["per_category_accuracy"] == {"bug": pytest.approx(4 / 6), "how_to": pytest.approx(5 / 6)}
    missed = {row["rule"]: row["misses"] for row in metrics["missed_rules"]}
    assert missed["A feature that exists but fails is a bug, even when phrased as a question."] == 3
