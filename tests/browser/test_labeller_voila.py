"""The labeling page served by Voilà (``workbench.widgets.serve``), driven in headless Chromium.

A labeler opens their sign-in link (``store.issue_token``), and labels by click and by
key, takes a label back, skips, writes a note, flags unsure; an item carrying a script
payload runs nothing; multi-label items are toggled and submitted with Enter. Every step
is checked in the SQLite store.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from workbench.store import AnnotationStore
from workbench.widgets.serve import serve

pytestmark = pytest.mark.browser


def rows(url, kind=None, current_only=True):
    df = AnnotationStore(url).annotations(round=None, current_only=current_only)
    if kind:
        df = df[df["kind"] == kind]
    return df.sort_values("id").reset_index(drop=True)


@pytest.fixture
def served(tmp_path, free_port):
    started = []

    def start(url, round):
        server = serve(url, round, port=free_port(), block=False, workdir=str(tmp_path / f"app{round}"))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def sign_in_link(url, server, name="alice", role="labeler", view="label"):
    """A personal link as `workbench users add` prints it, straight to one queue (``?view=``)."""
    store = AnnotationStore(url)
    store.add_user(name, role=role, actor="test")
    return f"{server.url}?view={view}&token={store.issue_token(name, actor='test')}"


def start_labeling(page, server, name="alice", url=None):
    page.goto(sign_in_link(url, server, name) + "&annotator=mallory")  # a name in the link changes nothing
    expect(page.locator(".wb-root .wb-item")).to_be_visible(timeout=60_000)


def test_a_labeler_labels_by_click_and_key_undoes_skips_and_notes_in_voila(page, served, tmp_path, shots, poll, labeling_store):
    url = f"sqlite:///{tmp_path / 'labels.db'}"
    labeling_store(url)
    server = served(url, 1)
    start_labeling(page, server, url=url)
    item = page.locator(".wb-root .wb-item")
    expect(item).to_contain_text("I was charged twice")
    expect(page.locator(".wb-title")).to_have_text("Round 1 · support-intents v1 · alice")
    # nothing of Jupyter is visible: no code, no notebook chrome
    assert page.locator(".jp-InputArea, .jp-Notebook-toolbar, #jp-top-panel").count() == 0

    page.locator(".wb-option", has_text="Duplicate charge").hover()
    expect(page.locator(".wb-definition")).to_contain_text("Charged twice.")
    shots(page, "labeller_voila", keep=True)

    page.locator(".wb-option", has_text="Refund request").click()  # by click
    poll(lambda: len(rows(url, "label")) == 1, what="the clicked label in the store")
    expect(item).to_contain_text("The app crashes")

    item.hover()
    page.keyboard.press("3")  # by key: 3rd visible option
    poll(lambda: len(rows(url, "label")) == 2, what="the keyed label")
    expect(item).to_contain_text("How do I export")

    page.keyboard.press("Backspace")  # undo
    poll(lambda: len(rows(url, "label")) == 1, what="the retraction")
    expect(item).to_contain_text("The app crashes")

    page.locator(".wb-note input").fill("crash while opening the invoice")
    item.hover()
    page.keyboard.press("u")
    expect(page.locator("button.wb-unsure")).to_have_class(re.compile("mod-active"))
    shots(page, "labeller_unsure_note", keep=True)
    page.keyboard.press("0")  # None of these, with a note, unsure
    poll(lambda: len(rows(url, "label")) == 2, what="the noted label")

    page.keyboard.press("s")  # skip "How do I export"
    poll(lambda: len(rows(url, "skip")) == 1, what="the skip")
    expect(item).to_contain_text("<script>window.pwned = 1</script>")  # shown as text
    assert page.evaluate("window.pwned") is None
    assert not any("pwned" in m for m in page.console)

    page.keyboard.press("?")
    expect(page.locator(".wb-guide")).to_contain_text("labeling guide")
    shots(page, "labeller_voila_guide", keep=True)

    labels = rows(url, "label")
    assert list(labels["item_id"]) == ["i1", "i2"]
    assert list(labels["label"]) == ["refund_request", "none_of_these"]
    assert labels.loc[1, "note"] == "crash while opening the invoice" and bool(labels.loc[1, "unsure"])
    assert labels["duration_ms"].notna().all()
    history = rows(url, current_only=False)
    assert "retract" in set(history["kind"]) and list(rows(url, "skip")["item_id"]) == ["i3"]
    assert page.blocked == [] or all("127.0.0.1" not in u for u in page.blocked)


GALLERY = '''
from workbench.widgets import Labeller
from workbench.widgets.renderers import render_image
'''


def _gallery_stores(folder):
    """Three stores: the demo taxonomy (12 options, PII), sklearn digits (images), model responses."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_digits

    import workbench
    from workbench.taxonomy import Taxonomy

    demo = workbench.__path__[0] + "/demo/data/"
    urls = {}
    for name, tax, items in [
        ("demo", Taxonomy.load(demo + "taxonomy.yaml"),
         pd.read_csv(demo + "items.csv").set_index("item_id").loc[["msg-0112", "msg-0016"]].reset_index()),
        ("digits", Taxonomy.from_yaml("name: digits\nversion: 1\ncategories:\n" + "".join(
            f"  - {{id: d{k}, name: '{k}', definition: 'The handwritten digit {k}.'}}\n" for k in range(10))),
         pd.DataFrame({"item_id": ["digit-0", "digit-1"], "text": ["sample 0", "sample 1"],
                       "image": [load_digits().images[i].tolist() for i in (0, 1)]})),
        ("chat", Taxonomy.from_yaml(
            "name: response-quality\nversion: 1\ncategories:\n"
            "  - {id: a_better, name: Response 1 is better, definition: More helpful and correct.}\n"
            "  - {id: b_better, name: Response 2 is better, definition: More helpful and correct.}\n"
            "  - {id: tie, name: Tie, definition: Equally good or equally bad.}\n"),
         pd.DataFrame({"item_id": ["c1"], "text": [""], "prompt": ["How do I cancel my plan?"],
                       "responses": [["Open Settings > Plan > Cancel. <script>window.pwned=3</script>",
                                      "I cannot help with that."]]})),
    ]:
        url = f"sqlite:///{folder / (name + '.db')}"
        store = AnnotationStore(url)
        v = store.save_taxonomy(tax)
        store.add_items(items)
        store.create_round(1, taxonomy_version=v)
        urls[name] = url
    assert np.asarray(load_digits().images[0]).shape == (8, 8)
    return urls


def test_gallery_in_voila_masked_text_images_responses_and_multilabel(page, voila_factory, tmp_path, shots,
                                                                       poll, labeling_store):
    import nbformat

    urls = _gallery_stores(tmp_path)
    urls["multi"] = f"sqlite:///{tmp_path / 'multi.db'}"
    labeling_store(urls["multi"], task="multilabel", assign=("bob",))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(GALLERY),
                nbformat.v4.new_code_cell(f"Labeller({urls['demo']!r}, annotator='alice', round=1, mask_pii=True)"),
                nbformat.v4.new_code_cell(f"Labeller({urls['digits']!r}, annotator='alice', round=1, "
                                          "item_renderer=render_image)"),
                nbformat.v4.new_code_cell(f"Labeller({urls['chat']!r}, annotator='alice', round=1)"),
                nbformat.v4.new_code_cell(f"Labeller({urls['multi']!r}, annotator='bob', round=1)")]
    path = tmp_path / "gallery.ipynb"
    nbformat.write(nb, str(path))
    app = voila_factory(path)
    page.goto(app.url)
    roots = page.locator(".wb-root")
    expect(roots).to_have_count(4, timeout=60_000)

    demo = roots.nth(0)
    expect(demo.locator(".wb-item")).to_contain_text("Please cancel his subscription")
    assert "example.com" not in demo.locator(".wb-item").inner_text()
    expect(demo.locator(".wb-pii").first).to_have_text("email")
    assert demo.locator(".wb-option").count() == 12
    # a 12-option taxonomy: every option visible in the first screen, without scrolling
    boxes = [demo.locator(".wb-option").nth(i).bounding_box() for i in range(12)]
    assert max(b["y"] + b["height"] for b in boxes) < 900
    demo.locator(".wb-option", has_text="Cancel subscription").hover()
    expect(demo.locator(".wb-definition")).to_contain_text("Edge case")
    shots(demo, "labeller_demo_taxonomy", keep=True)

    digits = roots.nth(1)
    img = digits.locator("img.wb-image")
    expect(img).to_be_visible()
    assert page.evaluate("(el) => [el.naturalWidth, el.naturalHeight]", img.element_handle())[0] >= 8 * 20
    shots(digits, "labeller_image", keep=True)

    chat = roots.nth(2)
    expect(chat.locator(".wb-response")).to_have_count(2)
    expect(chat.locator(".wb-response").first).to_contain_text("<script>window.pwned=3</script>")
    assert page.evaluate("window.pwned") is None
    shots(chat, "labeller_responses", keep=True)

    multi = roots.nth(3)  # multi-label: digits toggle, Enter submits; click + Submit too
    multi.locator(".wb-item").hover()
    page.keyboard.press("1")
    page.keyboard.press("3")
    expect(multi.locator(".wb-option.wb-selected")).to_have_count(2)
    shots(multi, "labeller_multilabel", keep=True)
    multi.locator(".wb-item").hover()  # the element screenshot may scroll: keys need the mouse over the item
    page.keyboard.press("Enter")
    poll(lambda: len(rows(urls["multi"], "label")) == 1, what="the multi-label submit")
    multi.locator(".wb-option", has_text="How-to").click()
    multi.locator(".wb-controls button", has_text="Submit").click()
    poll(lambda: len(rows(urls["multi"], "label")) == 2, what="the clicked multi-label submit")
    labels = rows(urls["multi"], "label")
    assert [json.loads(v) for v in labels["label"]] == [["bug_report", "refund_request"], ["how_to"]]
    assert set(labels["annotator"]) == {"bob"}
    assert not any("not found in module" in m for m in page.console), page.console
