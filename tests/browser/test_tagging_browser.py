"""SpanTagger and BoxAnnotator in a real Voilà and a real JupyterLab 4, in headless Chromium.

ipyannotations 0.5.1's TextTagger / PointAnnotator show "Class null not found in module
@jupyter-widgets/controls" there. Ours must render with no widget error box and no page
error, and a span / a box made by clicks (and a digit key) must reach the SQLite store
with the right offsets / pixel coordinates.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from playwright.sync_api import expect

from tests.widgets.test_tagging import make_store
from workbench.store import AnnotationStore

pytestmark = pytest.mark.browser

ERROR_BOX = ".jupyter-widgets-error-widget, .jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']"
SCALE = 16  # im1 is 40 x 20 pixels, shown 640 x 320


def stored(url, kind):
    df = AnnotationStore(url).annotations(round=1, kind=kind).sort_values("id")
    return [json.loads(v) for v in df["label"]]


def write_notebook(path, url):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = [f"from workbench.widgets import SpanTagger, BoxAnnotator\nurl = {url!r}",
            "SpanTagger(url, annotator='alice', round=1, item_ids=['t1', 't2'])",
            "BoxAnnotator(url, annotator='alice', round=1, labels={'rect': 'Rectangle', 'bg': 'Background'}, "
            "item_ids=['im1', 'im2'])"]
    nb.cells = [nbformat.v4.new_code_cell(c) for c in code]
    nbformat.write(nb, str(path))


def no_errors(page):
    assert page.locator(ERROR_BOX).count() == 0
    assert "Class null not found" not in page.content()
    bad = [m for m in page.console if m.startswith("pageerror") or "Class null" in m]
    assert not bad, bad


def tag_and_box(page, root, url, poll, shots, where):
    spans, boxes = root.locator(".wb-root").nth(0), root.locator(".wb-root").nth(1)
    expect(spans.locator(".wb-token", has_text="Lovelace")).to_be_visible(timeout=60_000)
    expect(boxes.locator(".wb-canvas img")).to_be_visible()
    no_errors(page)

    # a span by two clicks and a key, another by a click and a label button
    spans.locator(".wb-token", has_text="Ada").click()
    spans.locator(".wb-token", has_text="Lovelace").click()
    spans.locator(".wb-tokens").hover()
    page.keyboard.press("1")
    expect(spans.locator(".wb-chip")).to_have_count(1)
    spans.locator(".wb-token", has_text="London").click()
    spans.locator(".wb-option", has_text="2 · Place").click()
    expect(spans.locator(".wb-chip")).to_have_count(2)
    shots(spans, f"spans_{where}", keep=True)
    spans.locator(".wb-control", has_text="Submit").click()
    poll(lambda: len(stored(url, "spans")) == 1, what="the spans row")
    assert stored(url, "spans")[0] == [{"start": 0, "end": 12, "label": "PER", "text": "Ada Lovelace"},
                                       {"start": 36, "end": 42, "label": "LOC", "text": "London"}]
    # the next text carries a script payload: shown as words, run never
    expect(spans.locator(".wb-token", has_text="ACME")).to_be_visible()
    expect(spans.locator(".wb-token", has_text="script").first).to_be_visible()
    assert page.evaluate("window.pwned") is None

    # a box by two clicks on opposite corners of the white rectangle, then a key
    canvas = boxes.locator(".wb-canvas")
    canvas.scroll_into_view_if_needed()
    canvas.click(position={"x": 30 * SCALE + 2, "y": 15 * SCALE + 2})
    expect(boxes.locator(".wb-corner")).to_have_count(1)
    canvas.click(position={"x": 10 * SCALE + 2, "y": 5 * SCALE + 2})
    expect(boxes.locator(".wb-bbox")).to_have_count(1)
    canvas.hover(position={"x": 5, "y": 5})
    page.keyboard.press("1")
    expect(boxes.locator(".wb-chip")).to_have_count(1)
    shots(boxes, f"boxes_{where}", keep=True)
    boxes.locator(".wb-control", has_text="Submit").click()
    poll(lambda: len(stored(url, "boxes")) == 1, what="the boxes row")
    assert stored(url, "boxes")[0] == [{"x": 10, "y": 5, "w": 20, "h": 10, "label": "rect"}]
    expect(boxes.locator(".wb-progress-label")).to_contain_text("1 / 2")
    no_errors(page)


def test_span_tagging_and_boxes_in_voila(page, voila_factory, tmp_path, shots, poll):
    url = f"sqlite:///{tmp_path / 'labels.db'}"
    make_store(url, tmp_path)
    write_notebook(tmp_path / "tag.ipynb", url)
    app = voila_factory(tmp_path / "tag.ipynb")
    page.goto(app.url)
    tag_and_box(page, page, url, poll, shots, "voila")


def test_span_tagging_and_boxes_in_jupyterlab(lab_server, page, shots, poll):
    folder = lab_server.root / "tagging"
    folder.mkdir(exist_ok=True)
    url = f"sqlite:///{folder / 'labels.db'}"
    make_store(url, folder)
    write_notebook(lab_server.root / "tag.ipynb", url)
    lab_server.open(page, "tag.ipynb")
    lab_server.run_all(page)
    tag_and_box(page, page.locator(".jp-Notebook"), url, poll, shots, "lab")
