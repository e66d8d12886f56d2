"""The report templates, executed with papermill on real stores (SQLite) built through the public API."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

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
                    "6. Spans", "7. Boxes", "8. Proposed revisions", "9. Draft next version", "10. Quality targets",
                    "11. Progress and speed", "12. Reproducibility"):
        assert heading in html, heading
    assert html.count('data-mime-type="image/svg+xml"') >= 5  # every chart is an inline SVG
    # every chart has alt text that says what it shows (nbconvert's default said nothing)
    import re

    alts = re.findall(r'<img alt="([^"]*)" src="data:image/svg', html)
    assert len(alts) == html.count('data-mime-type="image/svg+xml"')
    assert all(len(a) > 40 and "No description" not in a for a in alts), alts
    assert any(a.startswith("Horizontal bar chart of labels per category: 12 categories, 160 labels") for a in alts)
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
    for key in ("agreement", "per_category", "model", "proposals", "relabel", "quality_targets",
                "annotations_sha256"):
        assert first[key] == second[key], key


def test_pilot_report_reads_like_a_lead_would_want(pilot_report, demo_round):
    """Answers first, intervals, failing categories named, YAML as code, and the relabel plan in the summary."""
    from statsmodels.stats.proportion import proportion_confint

    from workbench.agreement import per_category_table
    from workbench.revisions import relabel_plan

    metrics = pilot_report.metrics()
    html = pilot_report.html_path.read_text(encoding="utf-8")
    model = metrics["model"]
    low, high = proportion_confint(round(model["accuracy"] * model["items"]), model["items"], method="wilson")
    assert (model["accuracy_ci_low"], model["accuracy_ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert model["folds"] == 3  # 80 items: under large_round, so the cv parameter holds
    labels = AnnotationStore(demo_round / "workbench.db").annotations(round=1, kind="label")
    per_cat = per_category_table(labels, n_boot=0)
    weak = sorted(per_cat[(per_cat["support"] > 0) & (per_cat["kappa"] < 0.6)]["category"])
    evidence = metrics["quality_targets"]["one-vs-rest kappa, every category"]["evidence"]
    assert evidence.startswith(f"{len(weak)} of ")
    assert all(f"{c} " in evidence for c in weak)
    assert ("quality targets pass</strong>" in html) and ("Agreement is " in html)
    assert "Learning curve" not in html and metrics["learning_curve"] is None  # the round recorded none
    import re

    texts = AnnotationStore(demo_round / "workbench.db").items()["text"]
    emails = {m for t in texts for m in re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", t)}
    assert emails and not [e for e in emails if e in html]  # PII masked everywhere, proposals and drafts too
    if metrics["draft_version"] is not None:
        draft = Taxonomy.load(next(pilot_report.html_path.parent.glob("*-draft.yaml")))
        plan = relabel_plan(Taxonomy.load(demo_round / "taxonomy.yaml"), draft, labels)
        assert metrics["relabel"]["labels"] == len(plan) == 160
        assert metrics["relabel"]["carried_over"] == int((plan["action"] != "relabel").sum())
        assert f"{metrics['relabel']['carried_over']} of 160" in html
        assert '<pre style="font-family:ui-monospace' in html  # the change-log YAML reads as code
        assert "<pre>" not in html


def test_pilot_report_shows_a_recorded_learning_curve_and_uses_fewer_folds_on_large_rounds(tmp_path):
    from workbench.demo import load_demo_project

    taxonomy, items, _ = load_demo_project()
    store = AnnotationStore(tmp_path / "al.db")
    store.add_items(items.head(60))
    curve = [{"n_labels": n, "cv_score": s, "strategy": "margin"} for n, s in ((20, 0.31), (40, 0.45), (60, 0.52))]
    store.create_round(1, taxonomy_version=store.save_taxonomy(taxonomy), params={"learning_curve": curve})
    store.assign(pd.DataFrame({"item_id": list(items["item_id"].head(60)) * 2,
                               "annotator": ["ana"] * 60 + ["chen"] * 60}), round=1)
    simulate_round(store, 1, random_state=2, progress=False)
    result = render_report("pilot", tmp_path / "out", progress=False, parameters={
        "db_url": str(tmp_path / "al.db"), "round": 1, "n_boot": 50, "cv": 5, "cv_large": 2, "large_round": 10})
    metrics = result.metrics()
    assert [r["cv_score"] for r in metrics["learning_curve"]] == [0.31, 0.45, 0.52]
    html = result.html_path.read_text(encoding="utf-8")
    assert "Learning curve" in html and html.count('data-mime-type="image/svg+xml"') >= 6
    assert metrics["model"]["folds"] == 2 and "2-fold" in metrics["model"]["method"]


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


def test_pilot_report_on_a_multilabel_round_renders_every_section(tmp_path):
    """A multi-label round used to crash the report (list + str); its numbers are the set-agreement ones."""
    import json

    from workbench import agreement as ag
    from workbench.demo import multilabel_round

    store = multilabel_round(AnnotationStore(tmp_path / "ml.db"))
    labels = list(store.taxonomy(1).labels)
    result = render_report("pilot", tmp_path / "out", progress=False, parameters={
        "db_url": str(tmp_path / "ml.db"), "round": 1, "n_boot": 50})
    html = result.html_path.read_text(encoding="utf-8")
    for section in ("1. Summary", "2. Scope", "3. Agreement", "4. Where people split", "8. Proposed revisions"):
        assert section in html
    assert "no timings were recorded" in html and "nan seconds" not in html
    assert "one-vs-rest baseline model trained on the consensus label sets of 40 items" in html
    stored = store.annotations(round=1)
    want = ag.multilabel_agreement(stored, labels=labels, n_boot=50, random_state=0)
    masi = want[want["metric"] == "krippendorff_alpha_masi"]["value"].iloc[0]
    metrics = result.metrics()
    assert metrics["agreement"]["krippendorff_alpha"]["value"] == pytest.approx(masi)
    counts = stored["label"].map(json.loads).explode().value_counts().to_dict()
    assert metrics["scope"]["multilabel"] and metrics["scope"]["distribution"] == counts
    assert sum(counts.values()) > len(stored)  # several labels per answer are counted, not zero
    from workbench import error_analysis as ea

    pred = ea.multilabel_predictions(store.items(), ag.consensus_table(stored)[["item_id", "label"]],
                                     labels_list=labels, cv=5, random_state=0, progress=False)
    table = ea.multilabel_classification_table(pred).set_index("label")
    assert metrics["multilabel_model"]["micro_f1"] == pytest.approx(table.loc["micro", "f1"])
    assert metrics["multilabel_model"]["label_issues"] == len(ea.multilabel_label_issue_table(pred))
    per_label = ag.per_label_table(stored, labels=labels, n_boot=0)
    assert {c: metrics["per_category"][c]["support"] for c in labels} == dict(zip(per_label["category"],
                                                                                    per_label["support"]))


def test_pilot_report_summarises_a_crowd_round_instead_of_listing_everyone(tmp_path):
    """40 annotators: the scope names the first ten and counts the rest; the heatmap keeps the most overlapping."""
    from workbench.demo import load_demo_project

    taxonomy, items, _ = load_demo_project()
    store = AnnotationStore(tmp_path / "crowd.db")
    store.add_items(items.head(120))
    store.create_round(1, taxonomy_version=store.save_taxonomy(taxonomy))
    crowd = [f"worker-{k:02d}" for k in range(40)]
    import numpy as np

    rng = np.random.default_rng(4)
    ids = list(items["item_id"].head(120))
    truth = dict(zip(ids, rng.choice(taxonomy.labels, size=len(ids))))
    store.record_many(pd.DataFrame([
        {"item_id": i, "annotator": crowd[(n + j * 7) % 40],
         "label": truth[i] if rng.random() < 0.7 else rng.choice(taxonomy.labels)}
        for j in range(3) for n, i in enumerate(ids)]), round=1)
    result = render_report("pilot", tmp_path / "out", progress=False, parameters={
        "db_url": str(tmp_path / "crowd.db"), "round": 1, "n_boot": 20, "model": "none",
        "max_heatmap_annotators": 8})
    html = result.html_path.read_text(encoding="utf-8")
    named = sorted(store.annotations(round=1)["annotator"].unique())
    assert f"({', '.join(named[:10])} and {len(named) - 10} more)" in html
    assert named[-1] not in html.split("2. Scope")[1].split("3. Agreement")[0]
    assert f"shows the 8 annotators who share the most items with others (of {len(named)})" in html


def test_pilot_report_trains_the_model_on_a_stratified_sample_above_model_max_items(demo_round, tmp_path):
    result = render_report("pilot", tmp_path, progress=False, parameters={
        "db_url": str(demo_round / "workbench.db"), "round": 1, "n_boot": 20, "cv": 3, "model_max_items": 40})
    metrics = result.metrics()
    assert metrics["model"]["sampled"] is True
    assert 38 <= metrics["model"]["items"] <= 46  # 40, rounded per category, two at least in each
    assert "a stratified sample of" in result.html_path.read_text(encoding="utf-8")
