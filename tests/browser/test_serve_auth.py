"""`workbench serve` with sign-in, for real: Voilà under Jupyter Server's identity provider, in Chromium.

- no credentials: the sign-in page, no notebook and no kernel; a foreign Host header: 403;
- a labeler's link: their start page and their queue only, rows under their name, whatever
  name the URL or the page carries;
- a reviewer's link: only the adjudication queue; a revoked link stops working at once.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import uuid

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
    tokens = {}
    for name, role in (("alice", "labeler"), ("bob", "labeler"), ("rita", "reviewer")):
        store.add_user(name, role=role, actor="lead")
        tokens[name] = store.issue_token(name, actor="lead")
    server = serve(url, 1, port=free_port(), block=False, workdir=str(tmp_path / "app"),
                   hostnames=["labels.example.org"])
    yield server, store, tokens
    server.stop()


def _get(server, path, host=None, headers=None):
    parts = urllib.parse.urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers={"Host": host or parts.netloc, **(headers or {})})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, dict(response.getheaders()), body


def _kernels(server) -> int:
    import psutil

    return sum(1 for child in psutil.Process(server.process.pid).children(recursive=True)
               if "ipykernel" in " ".join(child.cmdline()))


def test_no_credentials_no_page_no_kernel_and_a_foreign_host_is_refused(app):
    server, _, tokens = app
    status, headers, body = _get(server, "/")
    assert status == 302 and "/login" in headers["Location"]
    assert "served_app" not in body
    status, _, _ = _get(server, "/api/kernels")
    assert status in (302, 403)
    status, _, body = _get(server, "/login")
    assert status == 200 and "served_app" not in body
    # DNS rebinding: a page whose name points at 127.0.0.1 sends its own Host header
    status, _, _ = _get(server, f"/?token={tokens['alice']}", host="evil.example:80")
    assert status == 403
    status, _, _ = _get(server, "/login", host="labels.example.org")  # the allow-listed name is served
    assert status == 200
    status, _, _ = _get(server, "/?token=not-a-token")
    assert status == 302
    assert _kernels(server) == 0  # none of these requests started a kernel


def test_a_websocket_from_another_origin_is_refused(app):
    """The widgets' kernel channel only talks to the page's own origin, even with a valid cookie."""
    import re

    import asyncio
    import concurrent.futures

    from tornado import httpclient, websocket

    server, _, tokens = app
    status, headers, body = _get(server, f"/?token={tokens['alice']}")
    assert status == 200 and _kernels(server) == 1
    kernel = re.search(r'kernelId": "([0-9a-f-]+)"', body).group(1)
    cookie = "; ".join(c.split(";", 1)[0] for k, c in headers.items() if k.lower() == "set-cookie")
    ws_url = server.url.replace("http://", "ws://") + f"api/kernels/{kernel}/channels"

    marker = server.notebook.parent / "pwned.txt"

    def message(kind, content):
        return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "msg_type": kind, "username": "x", "session": "s",
                                      "date": "", "version": "5.3"}, "parent_header": {}, "metadata": {},
                           "content": content, "channel": "shell", "buffers": []})

    async def connect(origin, with_cookie=True):
        request = httpclient.HTTPRequest(ws_url, headers={"Origin": origin, **({"Cookie": cookie} if with_cookie else {})})
        try:
            conn = await websocket.websocket_connect(request)
        except httpclient.HTTPClientError as exc:
            return exc.code
        # a signed-in page may talk widgets to its kernel, never send it code to run
        await conn.write_message(message("execute_request", {
            "code": f"open({str(marker)!r}, 'w').write('ran')", "silent": False, "store_history": False,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
        await conn.write_message(message("kernel_info_request", {}))
        replies = []
        while "kernel_info_reply" not in replies:
            reply = await asyncio.wait_for(conn.read_message(), timeout=30)
            replies.append(json.loads(reply)["header"]["msg_type"])
        await asyncio.sleep(1.0)
        conn.close()
        return 101 if "execute_reply" not in replies else 200

    def attempt(origin, with_cookie=True):  # in a thread: the session's browser may hold this thread's loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, connect(origin, with_cookie)).result()

    own = server.url.rstrip("/")
    assert attempt("http://evil.example") == 403
    assert attempt(own, with_cookie=False) in (302, 403)  # no sign-in
    assert attempt(own) == 101  # connected; the kernel answered kernel_info but never ran the code
    assert not marker.exists()


def test_a_labeler_labels_as_themselves_and_a_reviewer_only_adjudicates(app, page, browser, shots, poll):
    server, store, tokens = app
    page.goto(f"{server.url}?token={tokens['alice']}&annotator=mallory")
    expect(page.locator(".wb-app")).to_contain_text("Signed in as alice (labeler)", timeout=60_000)
    buttons = page.locator(".wb-app button")
    expect(buttons).to_have_text(["Classify"])  # a labeler sees labeling queues only
    expect(page.locator(".wb-app")).to_contain_text("0 of 5 done")
    shots(page, "serve_start_page", keep=True)
    buttons.first.click()
    item = page.locator(".wb-root .wb-item")
    expect(item).to_be_visible(timeout=60_000)
    page.locator(".wb-root .wb-option").first.click()
    poll(lambda: len(store.annotations(round=1, kind="label")) == 1)
    row = store.annotations(round=1, kind="label").iloc[0]
    assert row["annotator"] == "alice" and row["item_id"] == "i1"
    assert set(store.annotations(round=1)["annotator"]) == {"alice"}
    # a reviewer, in another browser context: the adjudication queue, nothing to label
    reviewer = browser.new_context().new_page()
    reviewer.goto(f"{server.url}?token={tokens['rita']}")
    expect(reviewer.locator(".wb-app")).to_contain_text("Signed in as rita (reviewer)", timeout=60_000)
    expect(reviewer.locator(".wb-app button")).to_have_text(["Adjudicate", "Review"])
    reviewer.close()


def test_a_revoked_link_stops_working_at_once(app, page):
    server, store, tokens = app
    page.goto(f"{server.url}?token={tokens['bob']}")
    expect(page.locator(".wb-app")).to_contain_text("Signed in as bob", timeout=60_000)
    store.revoke_tokens("bob", actor="lead")
    page.goto(server.url)  # the login cookie alone is checked against the store again
    expect(page.locator("input[name='password'], input[type='password']").first).to_be_visible(timeout=30_000)
    assert "Signed in as bob" not in page.content()
