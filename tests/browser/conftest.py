"""Reusable fixtures for browser tests: JupyterLab and Voilà servers, headless Chromium.

- ``lab_server``: a real JupyterLab on a free port (isolated ``JUPYTER_*`` dirs, a token,
  ``--allow-root``, readiness probe on ``/api/status``, SIGTERM teardown), rooted in a temp dir
  (Lab autosaves: never point it at the source tree). ``lab_server.open(page, "x.ipynb")``
  opens a notebook and waits for the kernel; ``lab_server.run_all(page)`` runs every cell.
- ``voila_factory(notebook)``: starts Voilà on a notebook (readiness probe on a static file,
  because every GET of the app starts a kernel); stopped with SIGTERM at teardown.
- ``browser``: headless Debian chromium via playwright (never ``playwright install``);
  ``page``: a fresh page whose network is blocked except 127.0.0.1 / data: / blob:, with
  ``page.blocked`` (requests aborted) and ``page.console`` (messages) recorded.
- ``shots``: ``shots(page, "name")`` saves ``<tmp>/screenshots/name.png`` and returns the path.

Everything is marked ``browser``; a missing chromium or playwright skips locally and fails in CI.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def require(condition: bool, why: str) -> None:
    """Skip locally, fail under CI (same policy as tests/conftest.py)."""
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"prerequisite missing in CI (groups must not skip there): {why}")
        pytest.skip(f"SKIPPED GROUP, prerequisite missing: {why}")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, *, timeout: float = 60.0, log: Path = None) -> None:
    """Poll ``url`` until it answers 200, or fail with the server's log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited ({proc.returncode}) before answering {url}:\n"
                        f"{log.read_text()[-3000:] if log else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"no answer from {url} within {timeout} s:\n{log.read_text()[-3000:] if log else ''}")


def stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM the process we started (SIGKILL after ``timeout``)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def jupyter_env(base: Path) -> dict:
    """Environment with isolated Jupyter config / runtime / settings / workspaces dirs."""
    env = dict(os.environ)
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("IPYTHONDIR", "ipython")]:
        (base / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / sub)
    notif = base / "settings" / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True, exist_ok=True)
    (notif / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false",
                                                                        "checkForUpdates": False}))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("CI_BROWSER_DEBUG", None)
    return env


class LabServer:
    """A running JupyterLab: ``base``, ``token``, ``root`` (its root dir) and page helpers."""

    def __init__(self, base: str, token: str, root: Path, proc: subprocess.Popen, log: Path):
        self.base, self.token, self.root, self.proc, self.log = base, token, root, proc, log

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path}{sep}token={self.token}"

    def open(self, page, notebook: str, *, timeout: float = 90_000) -> None:
        """Open ``notebook`` (relative to ``root``) and wait until its kernel is idle."""
        from playwright.sync_api import expect

        page.goto(self.url(f"lab/tree/{notebook}?reset"))
        expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=timeout)

    def command(self, page, menu: str, command: str) -> None:
        """Click a main-menu command, e.g. ``("Run", "runmenu:run-all")``."""
        page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
        page.locator(f"li.lm-Menu-item[data-command='{command}']").click()

    def run_all(self, page) -> None:
        self.command(page, "Run", "runmenu:run-all")


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """A JupyterLab server for the whole test session (stopped with SIGTERM)."""
    pytest.importorskip("jupyterlab")
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    port, token = free_port(), uuid.uuid4().hex
    log = base / "lab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None", "--allow-root"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=jupyter_env(base), cwd=str(root), stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log=log)
        yield LabServer(f"http://127.0.0.1:{port}", token, root, proc, log)
    finally:
        stop(proc)


class VoilaApp:
    """A running Voilà server: ``url`` of the app, ``proc``, ``log``."""

    def __init__(self, url: str, proc: subprocess.Popen, log: Path):
        self.url, self.proc, self.log = url, proc, log


@pytest.fixture
def voila_factory(tmp_path):
    """``start(notebook_path, **env) -> VoilaApp``; every server started is stopped at teardown."""
    started = []

    def start(notebook: Path, *, extra_args=()) -> VoilaApp:
        port = free_port()
        log = tmp_path / f"voila-{port}.log"
        base = tmp_path / f"voila-{port}"
        cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True", "--theme=light",
               *extra_args]
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, env=jupyter_env(base), cwd=str(Path(notebook).parent),
                                    stdout=out, stderr=subprocess.STDOUT)
        started.append(proc)
        wait_http(f"http://127.0.0.1:{port}/voila/static/voila.js", proc, log=log)
        return VoilaApp(f"http://127.0.0.1:{port}/", proc, log)

    yield start
    for proc in started:
        stop(proc)


@pytest.fixture
def page(browser):
    """A fresh 1280x900 page; non-loopback requests aborted and listed in ``page.blocked``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    pg.blocked, pg.console = [], []
    pg.on("console", lambda m: pg.console.append(f"{m.type}: {m.text}"))
    pg.on("pageerror", lambda e: pg.console.append(f"pageerror: {e}"))
    def allow(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            pg.blocked.append(url)
            route.abort()

    context.route("**/*", allow)
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture
def shots(tmp_path):
    """``shots(page_or_locator, name, keep=False)``: save a PNG under the test's tmp folder.

    With ``keep=True`` the file is also copied to ``docs/screenshots/`` (committed).
    """
    folder = tmp_path / "screenshots"
    folder.mkdir(exist_ok=True)

    def take(target, name: str, *, keep: bool = False) -> Path:
        path = folder / f"{name}.png"
        target.screenshot(path=str(path))
        if keep:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            (SCREENSHOTS / path.name).write_bytes(path.read_bytes())
        return path

    return take


def poll(fn, *, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    """Call ``fn()`` until it returns a truthy value; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout} s waiting for {what} (last value: {last!r})")


@pytest.fixture(name="poll")
def poll_fixture():
    """The :func:`poll` helper, as a fixture (test modules cannot import this conftest)."""
    return poll


@pytest.fixture(name="free_port")
def free_port_fixture():
    """The :func:`free_port` helper, as a fixture."""
    return free_port


@pytest.fixture(scope="session")
def labeling_store():
    """``make(url, *, task="multiclass", assign=("alice",))``: the store of tests/widgets/test_labeller.py.

    Five items (one with a ``<script>`` / ``<img onerror>`` payload), a 5-option taxonomy in two
    groups plus "None of these", round 1, assignments in order i1..i5.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location("_wb_labeller_tests", ROOT / "tests" / "widgets" / "test_labeller.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_store

