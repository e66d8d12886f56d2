"""The lead's live dashboard in the served page (Voilà, sign-in links), in Chromium: it updates by itself."""

from __future__ import annotations

import pandas as pd
import pytest
from playwright.sync_api import expect

from workbench.store import AnnotationStore
from workbench.widgets.serve import serve

pytestmark = pytest.mark.browser


@pytest.fixture
def app(tmp_path, free_port, labeling_store):
    url = f"sqlite:///{tmp_path / 'labels.db'}"
    labeling_store(url, assign=("alice", "bob"))
    store = AnnotationStore(url)
    version = int(store.round_info(1)["taxonomy_version"])
    store.create_round(2, taxonomy_version=version, name="live", params={"dashboard_refresh_seconds": 1})
    items = store.items()["item_id"].tolist()
    store.assign(pd.DataFrame({"item_id": items * 2, "annotator": ["alice"] * len(items) + ["bob"] * len(items)}),
                 round=2)
    tokens = {}
    for name, role, team in (("alice", "labeler", "acme"), ("bob", "labeler", "northwind"), ("lena", "lead", None)):
        store.add_user(name, role=role, team=team, actor="lena")
        tokens[name] = store.issue_token(name, actor="lena")
    server = serve(url, 2, port=free_port(), block=False, workdir=str(tmp_path / "app"))
    yield server, store, tokens, items
    server.stop()


def test_the_lead_watches_progress_update_without_reloading(app, page, shots, poll):
    server, store, tokens, items = app
    page.goto(f"{server.url}?token={tokens['lena']}")
    expect(page.locator(".wb-app")).to_contain_text("Signed in as lena (lead)", timeout=60_000)
    page.locator(".wb-app button", has_text="Dashboard").click()
    board = page.locator(".wb-dashboard")
    expect(board).to_contain_text("refreshes every 1 s", timeout=60_000)
    done = board.locator('[data-card="done"] b')
    expect(done).to_have_text(f"0 of {2 * len(items)}")
    first_time = board.locator(".wb-dash-time").inner_text()
    # labelers work elsewhere (another writer on the same store); the page is never reloaded
    store.record(items[0], "alice", "bug_report", round=2, duration_ms=4000)
    store.record(items[0], "bob", "bug_report", round=2, duration_ms=9000)
    store.record(items[1], "alice", "bug_report", round=2, duration_ms=5000)
    expect(done).to_have_text(f"3 of {2 * len(items)}", timeout=30_000)
    assert board.locator(".wb-dash-time").inner_text() != first_time
    expect(board).to_contain_text("northwind")  # the team rollup
    rows = board.locator(".wb-dash-table").first.locator("tr")
    expect(rows).to_have_count(3)  # header, alice, bob
    expect(rows.nth(1)).to_contain_text("alice")
    expect(rows.nth(1)).to_contain_text("acme")
    expect(board.locator('[data-card="last hour"] b')).to_have_text("3")
    latest = board.locator(".wb-dash-table").last.locator("tr")
    expect(latest).to_have_count(4)  # header and the three answers, newest first
    expect(latest.nth(1)).to_contain_text(items[1])
    page.set_viewport_size({"width": 1280, "height": 1400})  # the whole board on screen for the shot
    expect(latest).to_have_count(4)
    shots(board, "dashboard_served", keep=True)
    # no chart script, image or font of ours is fetched from anywhere; the only outside links are the two
    # FontAwesome stylesheets that Voilà's own lab template always adds (aborted here; nothing of ours needs them)
    assert all("@fortawesome/fontawesome-free" in url and url.endswith(".css") for url in page.blocked), page.blocked


def test_a_labeler_has_no_dashboard(app, page):
    server, _, tokens, _ = app
    page.goto(f"{server.url}?token={tokens['alice']}&view=dashboard")
    expect(page.locator(".wb-app")).to_contain_text("Signed in as alice (labeler)", timeout=60_000)
    expect(page.locator(".wb-app button")).to_have_text(["Classify"])
    assert page.locator(".wb-dashboard").count() == 0
