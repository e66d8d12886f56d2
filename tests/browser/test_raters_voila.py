"""The raters, the adjudicator and the calibration quiz on one Voilà page, driven in headless Chromium.

PairwiseRater: a click and a key choose, the rationale is required (a visible message,
no row), then the rows reach the SQLite store. RubricRater, Adjudicator and
CalibrationQuiz are answered by key / click too. No "Class null not found" or other
widget error box, no page error; every widget is screenshotted into docs/screenshots/.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from playwright.sync_api import expect

from tests.widgets.test_pairwise import make_store
from workbench.store import AnnotationStore

pytestmark = pytest.mark.browser

ERROR_BOX = ".jupyter-widgets-error-widget, .jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']"


def rows(url, kind):
    df = AnnotationStore(url).annotations(round=1, kind=kind)
    return df.sort_values("id").reset_index(drop=True)


def write_notebook(path, url):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = [
        f"from workbench.widgets import PairwiseRater, RubricRater, Adjudicator, CalibrationQuiz\nurl = {url!r}",
        "PairwiseRater(url, annotator='alice', round=1)",
        "RubricRater(url, annotator='alice', round=1, item_ids=['p1', 'p2'])",
        "Adjudicator(url, annotator='lead', round=1)",
        "CalibrationQuiz(url, annotator='alice', round=1, gold={'p1': 'good', 'p2': 'bad'})",
    ]
    nb.cells = [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, str(path))


def no_errors(page):
    assert page.locator(ERROR_BOX).count() == 0
    assert "Class null not found" not in page.content()
    bad = [m for m in page.console if m.startswith("pageerror") or "Class null" in m]
    assert not bad, bad


def test_raters_adjudicator_and_quiz_in_voila(page, voila_factory, tmp_path, shots, poll):
    url = f"sqlite:///{tmp_path / 'labels.db'}"
    store = make_store(url)
    for who, label, note in [("ann", "good", "fine"), ("ben", "bad", "wrong capital?")]:
        store.record("p1", who, label, round=1, note=note)
    write_notebook(tmp_path / "review.ipynb", url)
    app = voila_factory(tmp_path / "review.ipynb")
    page.goto(app.url)
    roots = page.locator(".wb-root")
    expect(roots).to_have_count(4, timeout=60_000)
    pair, rubric, adj, quiz = (roots.nth(i) for i in range(4))
    expect(pair.locator(".wb-item")).to_contain_text("Lyon, probably.")
    no_errors(page)

    # pairwise: a click chooses, the rationale is required
    pair.locator(".wb-option", has_text="2 · B is better").click()
    expect(pair.locator(".wb-response.wb-chosen")).to_contain_text("Lyon")
    shots(pair, "pairwise_voila", keep=True)
    pair.locator(".wb-control", has_text="Submit").click()
    expect(pair.locator(".wb-status .wb-error")).to_contain_text("rationale")
    assert rows(url, "pairwise").empty
    pair.locator(".wb-rationale textarea").fill("B is wrong but hedges; A is right. Oops: A.")
    pair.locator(".wb-item").hover()
    page.keyboard.press("1")  # a key changes the choice
    expect(pair.locator(".wb-response.wb-chosen")).to_contain_text("Paris.")
    page.keyboard.press("Enter")
    poll(lambda: len(rows(url, "pairwise")) == 1, what="the pairwise row")
    r = rows(url, "pairwise").iloc[0]
    assert json.loads(r["label"]) == {"choice": "a", "ranking": ["a", "b"], "tie": False}
    assert r["note"] == "B is wrong but hedges; A is right. Oops: A." and r["annotator"] == "alice"
    expect(pair.locator(".wb-progress-label")).to_contain_text("1 / 3")
    expect(pair.locator(".wb-item")).to_contain_text("I can't sort.")  # three responses: rank them
    pair.locator(".wb-item").hover()
    for k in ("3", "1"):
        page.keyboard.press(k)
    expect(pair.locator(".wb-rank-badge")).to_have_count(3)
    pair.locator(".wb-rationale textarea").fill("C admits it cannot; A is correct.")
    pair.locator(".wb-control", has_text="Submit").click()
    poll(lambda: len(rows(url, "pairwise")) == 2, what="the ranking row")
    assert json.loads(rows(url, "pairwise").iloc[1]["label"])["ranking"] == ["c", "a", "b"]

    # rubric: digits score the highlighted criterion
    rubric.locator(".wb-item").hover()
    for k in ("4", "5", "3"):
        page.keyboard.press(k)
    rubric.locator(".wb-rationale textarea").fill("Correct, terse.")
    shots(rubric, "rubric_voila", keep=True)
    rubric.locator(".wb-control", has_text="Submit").click()
    poll(lambda: len(rows(url, "rubric")) == 1, what="the rubric row")
    assert json.loads(rows(url, "rubric").iloc[0]["label"]) == {"helpful": 4, "honest": 5, "harmless": 3}

    # adjudicator: both votes visible, rationale required, then a decision
    expect(adj.locator(".wb-votes")).to_contain_text("wrong capital?")
    shots(adj, "adjudicator_voila", keep=True)
    adj.locator(".wb-option", has_text="Good").click()
    expect(adj.locator(".wb-status .wb-error")).to_contain_text("rationale")
    adj.locator(".wb-note input").fill("Paris is right: good.")
    adj.locator(".wb-item").hover()
    page.keyboard.press("Enter")
    poll(lambda: len(rows(url, "adjudication")) == 1, what="the decision")
    assert rows(url, "adjudication").iloc[0][["label", "note"]].tolist() == ["good", "Paris is right: good."]

    # quiz: a wrong answer is stored, then explained
    quiz.locator(".wb-item").hover()
    page.keyboard.press("2")  # bad, gold is good
    expect(quiz.locator(".wb-feedback")).to_contain_text("the right label is Good")
    poll(lambda: len(rows(url, "quiz")) == 1, what="the quiz row")
    shots(quiz, "quiz_voila", keep=True)
    quiz.locator(".wb-item").hover()  # the screenshot may scroll: keys go to the widget under the mouse
    page.keyboard.press("Enter")
    expect(quiz.locator(".wb-item")).to_contain_text("Sort these numbers")
    no_errors(page)
    assert not page.blocked or all("127.0.0.1" not in u for u in page.blocked)
