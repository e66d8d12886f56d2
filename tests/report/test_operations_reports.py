"""The vendor-targets (sla) and trend reports: on the simulated demo program and on real crowd data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.demo import PROGRAM_TARGETS_YAML, labeling_program
from workbench.monitoring import QualityTargets, label_drift_table, sla_table
from workbench.report import external_references, render_report
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    """The SIMULATED 4-week vendor program (acme, northwind drifting from week 3, in-house)."""
    folder = tmp_path_factory.mktemp("program")
    labeling_program(AnnotationStore(folder / "program.db")).close()
    (folder / "targets.yaml").write_text(PROGRAM_TARGETS_YAML, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sla_report(program, tmp_path_factory):
    return render_report("sla", tmp_path_factory.mktemp("sla"), progress=False, parameters={
        "db_url": str(program / "program.db"), "targets_path": str(program / "targets.yaml"),
        "start": "2026-11-02", "end": "2026-11-30"})


@pytest.fixture(scope="module")
def trend_report(program, tmp_path_factory):
    """With a production sample whose messages are the pool's with a long signature appended."""
    items = AnnotationStore(program / "program.db", create=False).items()
    production = items[["item_id", "text"]].assign(
        text=items["text"] + " -- Sent from my phone. Please reply to this address within two working days.")
    production.to_csv(program / "production.csv", index=False)
    return render_report("trend", tmp_path_factory.mktemp("trend"), progress=False, parameters={
        "db_url": str(program / "program.db"), "rounds": [1, 2, 3, 4], "n_boot": 200,
        "production_path": str(program / "production.csv")})


def _charts_have_alt_text(html: str) -> int:
    alts = re.findall(r'<img[^>]+alt="([^"]*)"', html)
    assert alts and all(len(a) > 40 for a in alts), alts
    return len(alts)


def test_sla_report_verdicts_equal_the_sla_table(sla_report, program):
    store = AnnotationStore(program / "program.db", create=False)
    items = store.items()
    expected = sla_table(store.annotations(), teams=store.users(), assignments=store.assignments(),
                         gold=items[["item_id", "gold_label"]].dropna(),
                         targets=QualityTargets.read(program / "targets.yaml"),
                         start="2026-11-02", end="2026-11-30").set_index(["vendor", "target"])
    metrics = sla_report.metrics()
    assert set(metrics["vendors"]) == {"acme", "northwind", "in-house"}
    for (vendor, target), row in expected.iterrows():
        got = metrics["vendors"][vendor]["targets"][target]
        assert got["status"] == row["status"] and got["n"] == row["n"]
        assert got["value"] == pytest.approx(row["value"], abs=1e-12)
    # the planted story: northwind is slow and its drifting labeler costs it agreement and gold accuracy
    assert metrics["vendors"]["northwind"]["passed"] is False
    assert {t for t, r in metrics["vendors"]["northwind"]["targets"].items() if r["status"] == "fail"} >= {
        "turnaround", "gold_accuracy"}
    assert metrics["vendors"]["acme"]["passed"] is True
    assert len({row["period"] for row in metrics["trend"]}) == 4  # the four weeks of the range (end is exclusive)


def test_sla_report_is_offline_with_every_section_and_alt_text(sla_report):
    html = sla_report.html_path.read_text(encoding="utf-8")
    assert external_references(html) == []
    for heading in ("1. Verdict per vendor", "2. The evidence", "3. Week by week", "4. Labelers",
                    "5. How each target is measured", "6. Reproducibility"):
        assert heading in html, heading
    assert _charts_have_alt_text(html) >= 5  # four targets over time, speed against quality
    assert "northwind</b> misses" in html


def test_trend_report_finds_the_drifting_labeler_and_matches_the_drift_table(trend_report, program):
    metrics = trend_report.metrics()
    assert {"annotator": "nw-2", "round": 3} in metrics["drifting"]
    labels = AnnotationStore(program / "program.db", create=False).annotations(kind="label")
    expected = label_drift_table(labels)  # the labels seen; the report adds the taxonomy's unused ones
    got = pd.DataFrame(metrics["steps"])
    # the same steps and chi-square statistics (labels unused by any round add nothing to chi-square)
    assert got[["round_from", "round_to"]].values.tolist() == [[1, 2], [2, 3], [3, 4]]
    assert got["chi2"].to_numpy() == pytest.approx(expected["chi2"].to_numpy(), rel=1e-9)
    assert got["p_value"].to_numpy() == pytest.approx(expected["p_value"].to_numpy(), rel=1e-9)
    pool = {row["check"]: row for row in metrics["pool_vs_production"]}
    assert pool["text length (words)"]["verdict"] == "major" and pool["language"]["verdict"] == "stable"
    alphas = [row["alpha"] for row in metrics["agreement"]]
    assert len(alphas) == 4 and alphas[3] < alphas[1]  # the drifting labeler drags agreement down


def test_trend_report_is_offline_with_every_section(trend_report):
    html = trend_report.html_path.read_text(encoding="utf-8")
    assert external_references(html) == []
    for heading in ("1. Summary", "2. The label mix, round by round", "3. Agreement over time",
                    "4. Labelers over time", "5. Pool against production", "6. Progress per round"):
        assert heading in html, heading
    assert _charts_have_alt_text(html) >= 3
    assert "nw-2 in round 3" in html and "Production texts are longer" in html


def test_sla_and_trend_from_the_command_line(program, tmp_path, capsys):
    code = main(["report", "trend", "--db", str(program / "program.db"), "--rounds", "2-4", "-o",
                 str(tmp_path / "trend"), "-p", "n_boot=100"])
    assert code == 0 and (tmp_path / "trend" / "report.html").exists()
    import json

    assert json.loads((tmp_path / "trend" / "metrics.json").read_text())["rounds"] == [2, 3, 4]
    bad = tmp_path / "targets.yaml"
    bad.write_text("defaults:\n  min_agreemnt: 0.7\n", encoding="utf-8")
    code = main(["report", "sla", "--db", str(program / "program.db"), "--targets", str(bad), "-o", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 1 and "line 2: defaults.min_agreemnt is not a target" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()  # refused before papermill or a kernel
    code = main(["report", "sla", "--db", str(program / "program.db"), "-o", str(tmp_path / "s")])
    assert code == 1 and "needs --targets" in capsys.readouterr().err
    code = main(["report", "trend", "--db", str(program / "program.db"), "--rounds", "1-9", "-o", str(tmp_path / "t")])
    assert code == 1 and "round 5" in capsys.readouterr().err.lower()


@pytest.mark.data
def test_sla_and_trend_reports_on_real_crowd_labels(shared_data, tmp_path):
    """Stanford Politeness (Wikipedia): real labels from real MTurk workers, 5 per request, binned into three
    classes. The dataset has no times, rounds or vendors: requests are split into 3 rounds a week apart in file
    order, and workers into two teams by a stated rule (alternating in sorted id order)."""
    df = pd.read_csv(shared_data / "stanford_politeness" / "wikipedia.annotated.csv").head(900)
    store = AnnotationStore(tmp_path / "real.db")
    version = store.save_taxonomy(Taxonomy.from_yaml(
        "name: politeness\nversion: 1\ncategories:\n  - {id: impolite, definition: Scores 1 to 9.}\n"
        "  - {id: neutral, definition: Scores 10 to 16.}\n  - {id: polite, definition: Scores 17 to 25.}\n"))
    store.add_items(pd.DataFrame({"item_id": df["Id"].astype(str), "text": df["Request"]}))
    workers = sorted(set(np.ravel(df[[f"TurkId{k}" for k in range(1, 6)]].to_numpy())))
    for k, worker in enumerate(workers):
        store.add_user(worker, team=("team-a", "team-b")[k % 2], actor="test")
    monday = pd.Timestamp("2026-11-02 09:00", tz="UTC")
    for r in range(3):
        part = df.iloc[r * 300:(r + 1) * 300]
        store.create_round(r + 1, taxonomy_version=version)
        rows = []
        for k in range(1, 6):
            for item, score, worker in zip(part["Id"], part[f"Score{k}"], part[f"TurkId{k}"]):
                rows.append({"item_id": str(item), "annotator": worker, "source_key": f"{item}:{k}",
                             "label": "impolite" if score <= 9 else "neutral" if score <= 16 else "polite",
                             "created_at": (monday + pd.Timedelta(days=7 * r, hours=k)).isoformat()})
        store.assign(pd.DataFrame(rows)[["item_id", "annotator"]].assign(assigned_at=monday + pd.Timedelta(days=7 * r)),
                     round=r + 1)
        store.import_records(annotations=rows, round=r + 1)
    (tmp_path / "targets.yaml").write_text("min_items: 30\ndefaults: {min_agreement: 0.6, max_turnaround_hours: 4}\n",
                                           encoding="utf-8")
    sla = render_report("sla", tmp_path / "sla", progress=False, parameters={
        "db_url": str(tmp_path / "real.db"), "targets_path": str(tmp_path / "targets.yaml")})
    metrics = sla.metrics()
    assert set(metrics["vendors"]) == {"team-a", "team-b"}
    for team in ("team-a", "team-b"):
        turnaround = metrics["vendors"][team]["targets"]["turnaround"]
        assert turnaround["status"] == "fail" and turnaround["value"] == pytest.approx(4.6, abs=0.5)  # p90 of 1-5 h
        agreement = metrics["vendors"][team]["targets"]["agreement"]
        assert 0.3 < agreement["value"] < 0.9 and agreement["n"] > 500
    trend = render_report("trend", tmp_path / "trend", progress=False, parameters={
        "db_url": str(tmp_path / "real.db"), "n_boot": 100})
    steps = trend.metrics()["steps"]
    assert [s["round_to"] for s in steps] == [2, 3] and all(np.isfinite(s["psi"]) for s in steps)
    assert external_references(trend.html_path.read_text(encoding="utf-8")) == []
