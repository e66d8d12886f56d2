"""deploy/jupyterhub/ without a running hub: the user table and how the config reads its settings."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys

import pytest

from tests.deploy.conftest import DEPLOY, _load_table_authenticator

auth = _load_table_authenticator()


def test_that_a_password_checks_only_against_its_own_hash():
    stored = auth.hash_password("s3cret")
    assert stored.startswith("scrypt$16384$8$1$")
    assert auth.check_password("s3cret", stored)
    assert not auth.check_password("s3cret ", stored) and not auth.check_password("", stored)
    assert auth.hash_password("s3cret") != stored  # salted
    assert not auth.check_password("s3cret", "scrypt$broken") and not auth.check_password("x", "md5$1$2$3$aa$bb")


def test_that_add_user_writes_a_private_table_and_replaces_a_password(tmp_path):
    table = tmp_path / "users.txt"
    auth.add_user(table, "alice", "one")
    auth.add_user(table, "bob", "two")
    auth.add_user(table, "alice", "three")
    assert table.stat().st_mode & 0o777 == 0o600
    users = auth.read_table(table)
    assert list(users) == ["alice", "bob"]
    assert auth.check_password("three", users["alice"]) and not auth.check_password("one", users["alice"])
    with pytest.raises(ValueError, match="lower-case"):
        auth.add_user(table, "Alice", "x")
    with pytest.raises(ValueError, match="empty password"):
        auth.add_user(table, "carol", "")


def test_that_a_malformed_table_line_is_named(tmp_path):
    table = tmp_path / "users.txt"
    table.write_text("# team\n\nalice:plaintext\n")
    with pytest.raises(ValueError, match=r"users.txt:3: expected 'name:scrypt\$\.\.\.'"):
        auth.read_table(table)


def load_config(monkeypatch, tmp_path, **env):
    """Execute jupyterhub_config.py as JupyterHub does, with ``env`` as the only WORKBENCH_* settings."""
    pytest.importorskip("jupyterhub")
    from traitlets.config import Config

    for key in [k for k in os.environ if k.startswith("WORKBENCH_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    c = Config()
    loaded = []
    code = compile((DEPLOY / "jupyterhub_config.py").read_text(), str(DEPLOY / "jupyterhub_config.py"), "exec")
    exec(code, {"get_config": lambda: c, "load_subconfig": loaded.append,
                "__file__": str(DEPLOY / "jupyterhub_config.py"), "__name__": "jupyterhub_config"})
    return c, loaded


def test_that_the_config_passes_the_store_to_every_user_server_and_binds_loopback(monkeypatch, tmp_path):
    table = tmp_path / "users.txt"
    auth.add_user(table, "alice", "a")
    auth.add_user(table, "bob", "b")
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    c, loaded = load_config(monkeypatch, tmp_path, WORKBENCH_DB_URL=url, WORKBENCH_HUB_USERS=table,
                            WORKBENCH_ROUND=3, WORKBENCH_HUB_ADMINS="bob, ")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert c.JupyterHub.hub_bind_url == "http://127.0.0.1:8081"
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:8001"
    assert c.Spawner.environment == {"WORKBENCH_DB_URL": url, "WORKBENCH_ROUND": "3"}
    assert c.Spawner.cmd == [sys.executable, "-m", "jupyterhub.singleuser"]
    assert c.Spawner.default_url == "/lab/tree/label.ipynb"
    assert c.Authenticator.allowed_users == {"alice", "bob"} and c.Authenticator.admin_users == {"bob"}
    assert c.JupyterHub.authenticator_class.__name__ == "TableAuthenticator"
    state = tmp_path / ".local" / "state" / "workbench-hub"
    assert c.SimpleLocalProcessSpawner.home_dir_template == str(state / "homes" / "{username}")
    assert c.JupyterHub.db_url == f"sqlite:///{state / 'jupyterhub.sqlite'}" and state.is_dir()
    assert "services" not in c.JupyterHub and loaded == []


def test_that_the_home_gets_the_notebook_once_and_a_quiet_lab(monkeypatch, tmp_path):
    table = tmp_path / "users.txt"
    auth.add_user(table, "alice", "a")
    c, _ = load_config(monkeypatch, tmp_path, WORKBENCH_DB_URL="sqlite:///x.db", WORKBENCH_HUB_USERS=table)
    home = tmp_path / "homes" / "alice"
    spawner = type("Spawner", (), {"home_dir": str(home)})()
    c.Spawner.pre_spawn_hook(spawner)
    assert (home / "label.ipynb").read_text() == (DEPLOY / "label.ipynb").read_text()
    (home / "label.ipynb").write_text("mine")
    c.Spawner.pre_spawn_hook(spawner)
    assert (home / "label.ipynb").read_text() == "mine"  # never overwritten
    assert (home / ".jupyter/lab/user-settings/@jupyterlab/apputils-extension/"
                   "notification.jupyterlab-settings").exists()


def test_that_the_config_refuses_to_start_without_a_store_or_a_way_to_log_in(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match="WORKBENCH_DB_URL"):
        load_config(monkeypatch, tmp_path)
    with pytest.raises(SystemExit, match="WORKBENCH_HUB_USERS"):
        load_config(monkeypatch, tmp_path, WORKBENCH_DB_URL="sqlite:///x.db")
    extra = tmp_path / "hub-auth.py"
    c, loaded = load_config(monkeypatch, tmp_path, WORKBENCH_DB_URL="sqlite:///x.db", WORKBENCH_HUB_EXTRA_CONFIG=extra,
                            WORKBENCH_HUB_API_TOKEN="t" * 32)
    assert loaded == [str(extra)]
    assert c.JupyterHub.services == [{"name": "workbench-monitor", "api_token": "t" * 32}]


def test_that_the_table_authenticator_accepts_only_the_right_password(tmp_path):
    pytest.importorskip("jupyterhub")
    table = tmp_path / "users.txt"
    auth.add_user(table, "alice", "right")
    a = auth.TableAuthenticator(users_file=str(table))

    def login(name, password):  # in a thread: a session's browser fixture may hold this thread's event loop
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, a.authenticate(None, {"username": name, "password": password})).result()

    assert login("alice", "right") == "alice"
    assert login("ALICE", "right") == "alice"  # JupyterHub's normalisation
    assert login("alice", "wrong") is None and login("bob", "right") is None and login("alice", "") is None
