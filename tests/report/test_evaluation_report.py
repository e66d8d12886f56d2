"""`workbench report evaluation`: a round where people compare and score model outputs."""

from __future__ import annotations

import html as html_lib
import json
import re

import numpy as np
import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.report import external_references, render_report
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = pytest.mark.notebook

STRENGTH = {"alpha-7b": 1.2, "beta-13b": 0.4, "gamma-3b": -0.8}


@pytest.fixture(scope="module")
def evaluation_round(tmp_path_factory):
    """30 prompts, 3 systems; 4 raters compare pairs (one rater favours the first response) and score a rubric."""
    rng = np.random.default_rng(7)
    path = tmp_path_factory.mktemp("eval") / "eval.db"
    store = AnnotationStore(path)
    store.save_taxonomy(Taxonomy.from_yaml("name: eval\nversion: 1\ncategories:\n  - {id: ok, definition: Fine.}\n"))
    store.create_round(1, taxonomy_version=1, name="model comparison",
                       rubric={"helpful": {"question": "Does it answer?", "scale": [1, 5]},
                               "honest": {"question": "Is it true?", "scale": [1, 5]}})
    systems = list(STRENGTH)
    items = []
    for k in range(30):
        a, b = rng.choice(systems, 2, replace=False)
        items.append({"item_id": f"p{k}", "text": f"Prompt {k}", "response_a": f"answer {a}", "response_b": f"answer {b}",
                      "system_a": a, "system_b": b})
    store.add_items(pd.DataFrame(items))
    rows = []
    for item in items:
        p_a = 1 / (1 + np.exp(STRENGTH[item["system_b"]] - STRENGTH[item["system_a"]]))
        for rater in ("ana", "ben", "cy", "dee"):
            first = 0.35 if rater == "dee" else 0.0  # dee picks the first response more often
            if rng.random() < 0.1:
                choice = {"choice": None, "tie": True}
            else:
                pick = "a" if rng.random() < min(1.0, p_a + first) else "b"
                choice = {"choice": pick, "ranking": [pick, "b" if pick == "a" else "a"], "tie": False}
            rows.append({"item_id": item["item_id"], "annotator": rater, "kind": "pairwise", "label": json.dumps(choice),
                         "note": "a is clearer" if rater != "cy" else "", "duration_ms": 9000})
            quality = 3 + STRENGTH[item["system_a"]]
            rows.append({"item_id": item["item_id"], "annotator": rater, "kind": "rubric",
                         "label": json.dumps({"helpful": int(np.clip(round(quality + rng.normal(0, 0.6)), 1, 5)),
                                              "honest": int(np.clip(round(quality + rng.normal(0, 1.2)), 1, 5))}),
                         "note": "checked the facts" if rater != "cy" else "", "duration_ms": 12000})
    store.record_many(pd.DataFrame(rows), round=1)
    return store


@pytest.fixture(scope="module")
def evaluation_report(evaluation_round, tmp_path_factory):
    return render_report("evaluation", tmp_path_factory.mktemp("eval-out"), progress=False, parameters={
        "db_url": evaluation_round.url, "round": 1, "n_boot": 100, "random_state": 3})


def test_evaluation_report_numbers_match_the_library(evaluation_round, evaluation_report):
    rows = evaluation_round.annotations(round=1)
    prefs = ag.preferences_from_annotations(rows[rows["kind"] == "pairwise"], evaluation_round.items())
    metrics = evaluation_report.metrics()
    wins = {r["system"]: r["win_rate"] for r in metrics["preferences"]["win_rates"]}
    want = ag.win_rates(prefs).set_index("system")["win_rate"].to_dict()
    assert wins == pytest.approx(want)
    bt = [r["system"] for r in metrics["preferences"]["bradley_terry"]]
    assert bt == sorted(STRENGTH, key=STRENGTH.get, reverse=True)  # the planted order comes back
    assert metrics["preferences"]["position_bias"]["first_win_share"] == pytest.approx(
        ag.position_bias(prefs)["first_win_share"].iloc[0])
    rubric_rows = rows[rows["kind"] == "rubric"]
    alpha = ag.rubric_agreement(rubric_rows, n_boot=0)
    got = {(r["criterion"], r["level"]): r["alpha"] for r in metrics["rubric"]["agreement"]}
    for _, r in alpha.iterrows():
        assert got[(r["criterion"], r["level"])] == pytest.approx(r["alpha"])
    assert metrics["rubric"]["declared"]["criteria"][0]["name"] == "helpful"
    coverage = metrics["rubric"]["rationale_coverage"][0]
    assert coverage["share"] == pytest.approx(0.75)  # cy never writes one


def test_evaluation_report_page_is_offline_and_every_chart_is_described(evaluation_report):
    page = evaluation_report.html_path.read_text(encoding="utf-8")
    assert external_references(page) == []
    for heading in ("1. Summary", "2. Scope", "3. Which system people prefer", "4. Can the raters",
                    "5. Rubric", "6. Quality targets", "7. Reproducibility"):
        assert heading in page
    alts = [html_lib.unescape(a) for a in re.findall(r'<img alt="([^"]*)"', page)]
    assert len(alts) == page.count('data-mime-type="image/svg+xml"') >= 4
    assert any(a.startswith("Dot-and-interval chart of the Bradley-Terry scores of 3 systems") for a in alts)
    assert "alpha-7b" in page.split("1. Summary")[1].split("2. Scope")[0]  # the summary names the winner


def test_evaluation_report_refuses_a_round_without_ratings(tmp_path):
    from workbench.exceptions import ReportExecutionError

    store = AnnotationStore(tmp_path / "l.db")
    store.save_taxonomy(Taxonomy.from_yaml("name: t\nversion: 1\ncategories:\n  - {id: a, definition: A.}\n"))
    store.create_round(1, taxonomy_version=1)
    store.add_items(pd.DataFrame({"item_id": ["i"], "text": ["x"]}))
    store.record("i", "ana", "a", round=1)
    with pytest.raises(ReportExecutionError, match="workbench report pilot"):
        render_report("evaluation", tmp_path / "out", progress=False, parameters={"db_url": store.url, "round": 1})
