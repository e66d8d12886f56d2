"""The Reviewer in the served page (Voilà, sign-in links), in Chromium: keys and clicks reach the store exactly."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from workbench.store import AnnotationStore
from workbench.widgets.serve import serve

pytestmark = pytest.mark.browser


def test_a_reviewer_approves_with_a_key_and_corrects_with_a_reason(tmp_path, free_port, labeling_store, page, shots,
                                                                    poll):
    url = f"sqlite:///{tmp_path / 'labels.db'}"
    labeling_store(url, assign=("alice",))
    store = AnnotationStore(url)
    first = store.record("i1", "alice", "bug_report", round=1)
    second = store.record("i2", "alice", "how_to", round=1)
    store.add_user("rita", role="reviewer", actor="lena")
    token = store.issue_token("rita", actor="lena")
    server = serve(url, 1, port=free_port(), block=False, workdir=str(tmp_path / "app"))
    try:
        page.goto(f"{server.url}?token={token}")
        expect(page.locator(".wb-app")).to_contain_text("Signed in as rita (reviewer)", timeout=60_000)
        expect(page.locator(".wb-app")).to_contain_text("0 of 2 done")
        page.locator(".wb-app button", has_text="Review").click()
        item = page.locator(".wb-root .wb-item")
        expect(item).to_be_visible(timeout=60_000)
        expect(page.locator(".wb-root .wb-votes")).to_contain_text("alice")
        item.hover()
        page.keyboard.press("a")
        poll(lambda: len(store.annotations(kind="review")) == 1, what="the approval")
        page.locator(".wb-note input").fill("A crash report, not a how-to question.")
        shots(page, "review_served", keep=True)
        page.locator(".wb-root .wb-option").first.click()  # correct to the first option
        poll(lambda: len(store.annotations(kind="review")) == 2, what="the correction")
        rows = store.annotations(kind="review")
        assert [(r.item_id, r.annotator, json.loads(r.label), r.note) for r in rows.itertuples()] == [
            ("i1", "rita", {"annotation_id": first, "label": "bug_report", "of": "alice", "verdict": "approve"}, None),
            ("i2", "rita", {"annotation_id": second, "label": store.taxonomy().labels[0], "of": "alice",
                            "verdict": "correct"}, "A crash report, not a how-to question.")]
    finally:
        server.stop()
