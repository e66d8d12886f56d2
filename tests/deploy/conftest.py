"""A real JupyterHub from deploy/jupyterhub/ for the deployment tests.

- ``hub_db_url``: a brand-new PostgreSQL database for the session (dropped at the end), the store
  every user server labels into.
- ``hub``: ``python -m jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` on free 127.0.0.1
  ports, its configurable-http-proxy from ``make jupyterhub`` (``.venv/hub-node``), the
  table authenticator with :data:`USERS` (plus ``dave``, who never logs in), a monitor token for
  the REST API. Teardown SIGTERMs the hub, then kills by PID whatever it left: the proxy (its pid
  file) and the single-user servers and kernels (the hub's descendants, listed before the stop, and
  anything working in this session's user homes).
- ``hub_page``: ``hub_page()`` opens a page in a fresh browser context (own cookies, so one
  labeler each), network blocked except loopback / data: / blob:.

A missing jupyterhub, proxy, chromium or PostgreSQL skips locally and fails under CI.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.conftest import free_port, require, stop, wait_http
from tests.conftest import fresh_postgres_database

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "jupyterhub"
PROXY = ROOT / ".venv" / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
USERS = {"alice": "alice-pass-1", "bob": "bob-pass-2", "carol": "carol-pass-3"}
NEVER_LOGS_IN = {"dave": "dave-pass-4"}
ROUND = 7  # not 1: proves WORKBENCH_ROUND reaches the kernels


def _load_table_authenticator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_wb_table_authenticator", DEPLOY / "table_authenticator.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def hub_db_url():
    """URL of a fresh PostgreSQL database for the whole session, dropped at the end."""
    with fresh_postgres_database("wb_hub") as url:
        yield url


@dataclass
class Hub:
    url: str
    token: str
    homes: Path
    log: Path
    proc: subprocess.Popen
    passwords: dict = field(default_factory=dict)

    def api(self, path: str):
        """GET ``/hub/api/<path>`` with the monitor token; the decoded JSON."""
        req = urllib.request.Request(f"{self.url}/hub/api/{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def servers(self, name: str) -> dict:
        return self.api(f"users/{name}")["servers"]

    def log_tail(self, n: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-n:]


def _ours(pid: int, homes: Path) -> list:
    """The hub's descendants, plus any process working in one of this session's user homes
    (a user server or kernel the hub lost track of, e.g. after a hub crash)."""
    import psutil

    try:
        found = {p.pid: p for p in psutil.Process(pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        found = {}
    for p in psutil.process_iter(["cwd"]):
        cwd = p.info.get("cwd") or ""
        if cwd.startswith(str(homes) + os.sep) and p.pid != os.getpid():
            found.setdefault(p.pid, p)
    return list(found.values())


def _kill_pids(procs, timeout: float = 10.0) -> None:
    import psutil

    for p in procs:
        try:
            p.send_signal(signal.SIGTERM)
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)


@pytest.fixture(scope="session")
def hub(tmp_path_factory, hub_db_url):
    """The hub of deploy/jupyterhub/ on free ports (see the module docstring)."""
    try:
        import jupyterhub  # noqa: F401
        import psutil  # noqa: F401
    except ImportError as exc:
        require(False, f"{exc.name} is not installed in this venv (run: make jupyterhub)")
    require(PROXY.exists(), f"configurable-http-proxy is not at {PROXY} (run: make jupyterhub)")
    base = tmp_path_factory.mktemp("hub")
    users_file = base / "users.txt"
    auth = _load_table_authenticator()
    for name, password in {**USERS, **NEVER_LOGS_IN}.items():
        auth.add_user(users_file, name, password)
    port, api_port, proxy_api_port = free_port(), free_port(), free_port()
    token = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "WORKBENCH_", "CONFIGPROXY"))}
    env.update({
        "WORKBENCH_DB_URL": hub_db_url, "WORKBENCH_ROUND": str(ROUND), "WORKBENCH_HUB_USERS": str(users_file),
        "WORKBENCH_HUB_PORT": str(port), "WORKBENCH_HUB_API_PORT": str(api_port),
        "WORKBENCH_HUB_PROXY_API_PORT": str(proxy_api_port), "WORKBENCH_HUB_STATE": str(base / "state"),
        "WORKBENCH_HUB_HOMES": str(base / "homes"), "WORKBENCH_HUB_PROXY": str(PROXY),
        "WORKBENCH_HUB_API_TOKEN": token,
    })
    log = base / "hub.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(DEPLOY / "jupyterhub_config.py")],
                                env=env, cwd=str(base), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/hub/health", proc, timeout=90, log=log)
        yield Hub(url, token, base / "homes", log, proc, dict(USERS))
    finally:
        leftovers = _ours(proc.pid, base / "homes")  # proxy, user servers, kernels
        pid_file = base / "state" / "proxy.pid"
        stop(proc, timeout=30)
        import psutil

        if pid_file.exists():
            try:
                leftovers.append(psutil.Process(int(pid_file.read_text().strip())))
            except (ValueError, psutil.NoSuchProcess):
                pass
        _kill_pids([p for p in leftovers if p.is_running()])


@pytest.fixture
def hub_page(browser):
    """``hub_page()``: a 1280x900 page in a fresh context; every context is closed at teardown."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        contexts.append(context)
        page = context.new_page()
        page.blocked, page.console = [], []
        page.on("console", lambda m: page.console.append(f"{m.type}: {m.text}"))

        def allow(route):
            if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
                route.continue_()
            else:
                page.blocked.append(route.request.url)
                route.abort()

        context.route("**/*", allow)
        page.set_default_timeout(30_000)
        return page

    yield open_page
    for context in contexts:
        context.close()

