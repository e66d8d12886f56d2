"""`workbench report evaluation`: a round where people compare and score model outputs."""

from __future__ import annotations

import html as html_lib
import re

import pandas as pd
import pytest

from workbench import agreement as ag
from workbench.demo import SYSTEM_STRENGTH
from workbench.demo import evaluation_round as demo_evaluation_round
from workbench.report import external_references, render_report
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = pytest.mark.notebook

@pytest.fixture(scope="module")
def evaluation_round(tmp_path_factory):
    """30 prompts, 3 systems of known strength; 4 raters (one favours the first response), a declared rubric."""
    return demo_evaluation_round(AnnotationStore(tmp_path_factory.mktemp("eval") / "eval.db"))


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
    assert bt == sorted(SYSTEM_STRENGTH, key=SYSTEM_STRENGTH.get, reverse=True)  # the planted order comes back
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
