"""The Labeller inside a real JupyterLab 4 in headless Chromium.

Label by click and by key, undo, an item with a script payload that runs nothing,
then restart the kernel and run all again: the widget resumes at the first
unlabeled item and every acknowledged label is still in the SQLite store.
"""

from __future__ import annotations

import nbformat
import pytest
from playwright.sync_api import expect

from workbench.store import AnnotationStore

pytestmark = pytest.mark.browser


def labels(url):
    df = AnnotationStore(url).annotations(round=1, kind="label")
    return dict(zip(df["item_id"], df["label"]))


def write_notebook(path, url):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "from workbench.widgets import Labeller\n"
        f"labeller = Labeller({url!r}, annotator='alice', round=1)\n"
        "labeller")]
    nbformat.write(nb, str(path))


def test_labeller_in_jupyterlab_labels_undoes_and_resumes_after_a_kernel_restart(lab_server, page, shots, poll, labeling_store):
    db = lab_server.root / "labels.db"
    url = f"sqlite:///{db}"
    labeling_store(url)
    write_notebook(lab_server.root / "label.ipynb", url)
    lab_server.open(page, "label.ipynb")
    lab_server.run_all(page)
    out = page.locator(".jp-OutputArea-output")
    item = out.locator(".wb-item")
    expect(item).to_contain_text("I was charged twice", timeout=60_000)
    expect(out.locator(".wb-progress-label")).to_contain_text("0 / 5")
    # no "Class null not found" error box: the key listener is not a child
    assert out.locator(".jupyter-widgets-error-widget, .jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    shots(out.locator(".wb-root"), "labeller_lab", keep=True)

    out.locator(".wb-option", has_text="Duplicate charge").click()  # click
    poll(lambda: labels(url) == {"i1": "duplicate_charge"}, what="the clicked label")
    expect(item).to_contain_text("The app crashes")
    item.hover()
    page.keyboard.press("3")  # key
    poll(lambda: len(labels(url)) == 2, what="the keyed label")
    expect(item).to_contain_text("How do I export")
    page.keyboard.press("Backspace")  # undo
    poll(lambda: len(labels(url)) == 1, what="the retraction")
    expect(item).to_contain_text("The app crashes")
    page.keyboard.press("4")
    poll(lambda: labels(url).get("i2") == "how_to", what="the relabel")
    page.keyboard.press("1")
    poll(lambda: len(labels(url)) == 3, what="the third label")
    expect(item).to_contain_text("<script>window.pwned = 1</script>")  # the payload, as text
    assert page.evaluate("window.pwned") is None
    acknowledged = labels(url)

    lab_server.command(page, "Kernel", "runmenu:restart-and-run-all")
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    expect(page.locator(".jp-OutputArea-output .wb-progress-label")).to_contain_text("3 / 5", timeout=60_000)
    expect(page.locator(".jp-OutputArea-output .wb-item")).to_contain_text("<script>window.pwned")
    assert labels(url) == acknowledged == {"i1": "duplicate_charge", "i2": "how_to", "i3": "refund_request"}
    assert page.evaluate("window.pwned") is None
