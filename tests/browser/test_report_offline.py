"""The pilot report opens offline in headless Chromium: every chart renders, no item script runs."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from workbench.demo import run_demo_round
from workbench.report import render_report
from workbench.store import AnnotationStore

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> refund my cancelled plan'


@pytest.fixture(scope="module")
def rendered_report(tmp_path_factory):
    project = tmp_path_factory.mktemp("offline") / "project"
    run_demo_round(project, n_items=150, overlap=2, random_state=1, progress=False)
    store = AnnotationStore(project / "workbench.db")
    import pandas as pd

    store.add_items(pd.DataFrame({"item_id": ["xss-1"], "text": [PAYLOAD]}))
    store.record("xss-1", "ana", "refund_request", round=1, note='<script>window.__pwned=3</script>')
    store.record("xss-1", "ben", "cancel_subscription", round=1)
    out = tmp_path_factory.mktemp("report")
    render_report("pilot", out, parameters={"db_url": str(project / "workbench.db"), "round": 1, "n_boot": 100,
                                            "cv": 3, "max_examples": 100}, progress=False)
    return out


@pytest.fixture
def served(rendered_report, free_port):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(rendered_report))
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/report.html"
    server.shutdown()


def test_report_renders_every_chart_offline_and_runs_no_item_script(served, rendered_report, page, shots):
    html = (rendered_report / "report.html").read_text(encoding="utf-8")
    assert "xss-1" in html, "the payload item should be shown as an example"
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(served)
    page.wait_for_load_state("load")
    import nbformat

    nb = nbformat.read(str(rendered_report / "report.ipynb"), as_version=4)
    n_charts = sum("image/svg+xml" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
    assert n_charts >= 5  # distribution, category agreement, annotator matrix, model quality, human vs model
    charts = page.locator('[data-mime-type="image/svg+xml"] img')
    assert charts.count() == n_charts
    widths = charts.evaluate_all("imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 0 for w in widths), f"charts that did not render: {widths}"
    assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []
    assert page.blocked == [], f"the report tried to reach the network: {page.blocked[:5]}"
    assert page.get_by_text("refund my cancelled plan").first.is_visible()
    shots(page, "pilot_report_top", keep=True)
