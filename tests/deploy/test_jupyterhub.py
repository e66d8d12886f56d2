"""The team deployment of deploy/jupyterhub/: a real JupyterHub, three labelers, one PostgreSQL store.

Each labeler logs in through the hub's login form in Chromium, lands in their own copy of
label.ipynb in JupyterLab, runs it and labels their three items by click and by key; the
store then holds exactly those rows, each under the hub user who made it. A wrong password
starts no server, and bob's browser cannot use alice's server.
"""

from __future__ import annotations

import urllib.parse

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, poll
from tests.deploy.conftest import ROUND, USERS
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

TAXONOMY = """
name: hub-intents
version: 1
task: multiclass
categories:
  - {id: refund, name: Refund, definition: The customer wants money back.}
  - {id: bug, name: Bug, definition: Something is broken.}
  - {id: how_to, name: How-to, definition: Asks how to do something.}
  - {id: other, name: Other, other: true, definition: Nothing fits.}
"""
# Per labeler, their items in order and how each is labeled: ("click", option name) or ("key", digit).
PLAN = {
    "alice": [("a1", "Please refund my last order.", ("click", "Refund"), "refund"),
              ("a2", "The export button does nothing.", ("key", "2"), "bug"),
              ("a3", "How do I change my e-mail address?", ("key", "3"), "how_to")],
    "bob": [("b1", "Where is the dark mode setting?", ("key", "3"), "how_to"),
            ("b2", "Nice weather today.", ("key", "0"), "other"),
            ("b3", "I was billed after I cancelled.", ("click", "Refund"), "refund")],
    "carol": [("c1", "Login fails with error 500.", ("click", "Bug"), "bug"),
              ("c2", "Money back for the broken headphones, please.", ("key", "1"), "refund"),
              ("c3", "Just saying hello.", ("click", "Other"), "other")],
}


@pytest.fixture(scope="module")
def team_store(hub_db_url):
    """Taxonomy, nine items and round ROUND with three items assigned to each labeler."""
    store = AnnotationStore(hub_db_url)
    version = store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY))
    rows = [(iid, text) for plan in PLAN.values() for iid, text, _, _ in plan]
    store.add_items(pd.DataFrame(rows, columns=["item_id", "text"]))
    store.create_round(ROUND, taxonomy_version=version)
    store.assign(pd.DataFrame([(iid, who, pos) for who, plan in PLAN.items() for pos, (iid, *_) in enumerate(plan)],
                              columns=["item_id", "annotator", "position"]), round=ROUND)
    yield store
    store.close()


def rows(store) -> set:
    df = store.annotations(round=ROUND, current_only=False)
    return set(zip(df["annotator"], df["item_id"], df["kind"], df["label"]))


def log_in(page, hub, name: str, password: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")


def open_labeller(page, hub, name: str):
    """Log ``name`` in; the hub spawns their server and opens label.ipynb; run it; the output area."""
    log_in(page, hub, name, hub.passwords[name])
    try:
        page.wait_for_url(f"**/user/{name}/lab/**", timeout=120_000)
        expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=90_000)
    except AssertionError:
        raise AssertionError(f"{name}'s server did not open label.ipynb; page at {page.url}\n{hub.log_tail()}")
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
    out = page.locator(".jp-OutputArea-output")
    expect(out.locator(".wb-item")).to_contain_text(PLAN[name][0][1], timeout=60_000)
    return out


def test_three_labelers_label_through_the_hub_and_every_row_lands_under_its_hub_user(hub, hub_page, team_store):
    expected = set()
    for name, plan in PLAN.items():
        page = hub_page()
        out = open_labeller(page, hub, name)
        assert (hub.homes / name / "label.ipynb").exists()
        expect(out.locator(".wb-progress-label")).to_contain_text("0 / 3")
        expect(out.locator(".wb-title")).to_contain_text(f"Round {ROUND} · hub-intents v1 · {name}")
        if name == "alice":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "jupyterhub_labeller.png"))
        for k, (iid, text, (how, what), label) in enumerate(plan):
            expect(out.locator(".wb-item")).to_contain_text(text)
            if how == "click":
                out.locator(".wb-option", has_text=what).first.click()
            else:
                out.locator(".wb-item").hover()
                page.keyboard.press(what)
            expected.add((name, iid, "label", label))
            poll(lambda: rows(team_store) == expected, timeout=20, what=f"{name}'s label for {iid}")
        expect(out.locator(".wb-done")).to_contain_text("All done: 3 of 3", timeout=20_000)
        assert not page.blocked, page.blocked
        assert hub.servers(name)[""]["ready"]
    assert rows(team_store) == expected
    df = team_store.annotations(round=ROUND, current_only=False)
    assert df.groupby("annotator").size().to_dict() == {"alice": 3, "bob": 3, "carol": 3}
    for name, plan in PLAN.items():
        mine = df[df["annotator"] == name]
        assert dict(zip(mine["item_id"], mine["label"])) == {iid: label for iid, _, _, label in plan}


def test_a_wrong_password_gets_no_server(hub, hub_page):
    page = hub_page()
    for name, password in [("dave", "not-daves-password"), ("dave", USERS["alice"]), ("mallory", "anything")]:
        log_in(page, hub, name, password)
        expect(page.locator(".login_error")).to_contain_text("Invalid username or password")
        assert "/hub/login" in page.url
    assert hub.servers("dave") == {}
    names = {u["name"] for u in hub.api("users")}
    assert "mallory" not in names
    # still not logged in: the user URL sends the browser back to the login form
    page.goto(f"{hub.url}/user/dave/lab")
    expect(page.locator("#login_submit")).to_be_visible()
    assert hub.servers("dave") == {}


def test_bob_cannot_open_or_use_alices_server(hub, hub_page):
    if not hub.servers("alice").get("", {}).get("ready"):  # this test alone: start alice's server first
        alice = hub_page()
        log_in(alice, hub, "alice", USERS["alice"])
        alice.wait_for_url("**/user/alice/lab/**", timeout=120_000)
    page = hub_page()
    log_in(page, hub, "bob", USERS["bob"])
    page.wait_for_url("**/user/bob/**", timeout=120_000)
    response = page.goto(f"{hub.url}/user/alice/lab/tree/label.ipynb")
    assert response.status == 403, (response.status, page.url)
    assert "/user/alice/lab" not in page.url or page.locator("#jp-main-statusbar").count() == 0
    # nor through alice's REST API with bob's cookies
    api = page.request.get(f"{hub.url}/user/alice/api/contents/label.ipynb", max_redirects=0)
    assert api.status in (302, 401, 403), api.status
    if api.status == 302:
        assert "/user/alice/" not in urllib.parse.urlsplit(api.headers["location"]).path
