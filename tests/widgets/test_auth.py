"""The served page's sign-in, unit by unit: identity provider, prelaunch hook, Host allow-list."""

from __future__ import annotations

import datetime as dt
import json
import types

import pytest

from workbench.store import AnnotationStore
from workbench.widgets import auth


@pytest.fixture
def provider(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'auth.db'}"
    store = AnnotationStore(url)
    store.add_user("alice", role="labeler", actor="lead")
    monkeypatch.setenv("WORKBENCH_SERVE_DB", url)
    return auth.StoreIdentityProvider(), store


def _handler(query=None, headers=None):
    request = types.SimpleNamespace(headers=headers or {})
    return types.SimpleNamespace(get_argument=lambda name, default="": (query or {}).get(name, default),
                                 request=request)


def test_a_valid_link_signs_in_and_garbage_never_does(provider):
    idp, store = provider
    token = store.issue_token("alice", actor="lead")
    user = idp.get_user_token(_handler({"token": token}))
    assert user.username == "alice" and user.workbench_role == "labeler"
    assert idp.get_user_token(_handler(headers={"Authorization": f"token {token}"})).username == "alice"
    for bad in ("", "x", token[:-1], "a" * 10_000, "' OR 1=1 --"):
        assert idp.get_user_token(_handler({"token": bad})) is None
    # the cookie holds the credential and is checked against the store on every request
    cookie = idp.user_to_cookie(user)
    assert idp.user_from_cookie(cookie).username == "alice"
    assert idp.user_from_cookie("not json") is None and idp.user_from_cookie(json.dumps([1])) is None
    store.revoke_tokens("alice", actor="lead")
    assert idp.user_from_cookie(cookie) is None and idp.get_user_token(_handler({"token": token})) is None


def test_an_expired_link_is_refused(provider):
    idp, store = provider
    import time

    token = store.issue_token("alice", actor="lead", expires_in=dt.timedelta(seconds=1))
    assert idp.get_user_token(_handler({"token": token})).username == "alice"
    time.sleep(1.2)
    assert idp.get_user_token(_handler({"token": token})) is None


def test_the_login_form_takes_a_token_and_the_store_keeps_only_its_hash(provider, tmp_path):
    idp, store = provider
    token = store.issue_token("alice", actor="lead")
    assert idp.process_login_form(_handler({"password": token})).username == "alice"
    assert idp.process_login_form(_handler({"password": "wrong"})) is None
    assert token.encode() not in (tmp_path / "auth.db").read_bytes()


def test_the_prelaunch_hook_binds_the_signed_in_user_and_refuses_anyone_else():
    import nbformat
    from tornado import web

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("served_app(db_url, round)")])
    user = types.SimpleNamespace(username="alice", workbench_role="labeler")
    out = auth.prelaunch_hook(types.SimpleNamespace(current_user=user), notebook, "/tmp")
    assert out.cells[0].source.endswith("_identity.bind('alice', 'labeler', source='served')")
    assert out.cells[1].source == "served_app(db_url, round)"
    with pytest.raises(web.HTTPError) as refused:
        auth.prelaunch_hook(types.SimpleNamespace(current_user=None), notebook, "/tmp")
    assert refused.value.status_code == 403


def test_the_host_allow_list_is_jupyter_servers_own_check():
    assert auth.tornado_settings() == {"allow_remote_access": False, "local_hostnames": ["localhost"]}
    assert auth.tornado_settings(["labels.example.org", "localhost"])["local_hostnames"] == [
        "localhost", "labels.example.org"]
