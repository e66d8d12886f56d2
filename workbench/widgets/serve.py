"""The labeling app as a Voilà page with sign-in, for labelers who never open Jupyter.

``serve(db_url, round)`` writes a small notebook into a temporary folder and runs Voilà on it
through :mod:`workbench.widgets.auth`: Jupyter Server's identity provider checks every request
against the store's sign-in tokens (``workbench users add NAME`` prints a personal link), the
Host header against loopback and the ``hostnames`` allow-list, and websocket origins against
the page. A request without a valid link or cookie gets the sign-in page, no notebook and no
kernel. The signed-in user's kernel shows their start page (:mod:`workbench.widgets.app`):
their queues in the round, with progress. There is no name box: the user is the link's.

It binds 127.0.0.1 by default; to serve other machines, put a TLS proxy in front and name the
public host in ``hostnames`` (docs/deploy.md).

Examples
--------
>>> nb = build_notebook("sqlite:////tmp/labels.db", 1)
>>> [c["cell_type"] for c in nb["cells"]]
['code', 'code']
>>> normalise_url("labels.db").startswith("sqlite:////")
True
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

from ..exceptions import StoreError

__all__ = ["serve", "build_notebook", "normalise_url", "VoilaServer", "DB_ENV", "ROUND_ENV"]

#: Environment variables the served process reads (its identity provider opens this store).
DB_ENV = "WORKBENCH_SERVE_DB"
ROUND_ENV = "WORKBENCH_SERVE_ROUND"


def normalise_url(db_url: str) -> str:
    """Make a store URL usable from another working directory (absolute SQLite paths).

    Examples
    --------
    >>> normalise_url("postgresql+psycopg://u@h/db")
    'postgresql+psycopg://u@h/db'
    >>> normalise_url("sqlite:////abs/x.db")
    'sqlite:////abs/x.db'
    """
    url = str(db_url)
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
        return f"sqlite:///{Path(url[len('sqlite:///'):]).resolve()}"
    return url


def _code_cell(cell_id: str, source: str, tags=()) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id,
            "metadata": {"tags": list(tags)} if tags else {}, "outputs": [], "source": source}


def build_notebook(db_url: str, round: int, *, view: Optional[str] = None) -> dict:
    """The notebook Voilà runs (nbformat 4 as a dict): a parameters cell and ``served_app(db_url, round)``.

    The server adds the signed-in user's identity cell in front of it before a kernel starts.
    ``?view=label`` (or another queue) in the page URL opens that queue directly.

    Examples
    --------
    >>> nb = build_notebook("sqlite:////x.db", 2)
    >>> nb["nbformat"], "served_app" in nb["cells"][1]["source"]
    (4, True)
    """
    params = f"db_url = {normalise_url(db_url)!r}\nround = {int(round)!r}\nview = {view!r}"
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}},
        "cells": [
            _code_cell("parameters", params, tags=["parameters"]),
            _code_cell("app", "import os, urllib.parse\n"
                       "from workbench.widgets.app import served_app\n"
                       "view = view or (urllib.parse.parse_qs(os.environ.get('QUERY_STRING', '')).get('view') or [None])[0]\n"
                       "served_app(db_url, round, view=view)"),
        ],
    }


class VoilaServer:
    """A running Voilà process (returned by ``serve(..., block=False)``).

    Attributes
    ----------
    url : str
        Where labelers open the page.
    process : subprocess.Popen
    notebook : pathlib.Path
    """

    def __init__(self, process: subprocess.Popen, url: str, notebook: Path):
        self.process, self.url, self.notebook = process, url, notebook

    def wait_ready(self, timeout: float = 60.0) -> "VoilaServer":
        """Block until Voilà answers (a static file, so no kernel is started)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StoreError(f"Voilà exited with code {self.process.returncode} before it was ready; "
                                 "run it by hand to see why: python -m voila " + str(self.notebook))
            try:
                with urllib.request.urlopen(self.url.rstrip("/") + "/login", timeout=2):
                    return self
            except urllib.error.HTTPError:  # any HTTP answer means the server is up
                return self
            except OSError:
                time.sleep(0.2)
        raise StoreError(f"Voilà did not answer at {self.url} within {timeout:.0f} s.")

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM the process (then SIGKILL after ``timeout``); returns its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def serve(db_url: str, round: int, *, port: int = 8866, host: str = "127.0.0.1", block: bool = True,
          workdir: Optional[str] = None, hostnames: Sequence[str] = ()):
    """Serve the labeling app of ``round`` with Voilà and the store's sign-in at ``http://host:port/``.

    Parameters
    ----------
    db_url : str
        Store URL or SQLite path (made absolute).
    round : int
        Round to label; it must exist in the store.
    port : int, default 8866
    host : str, default "127.0.0.1"
        The interface to bind. Other machines should reach it through a TLS proxy.
    block : bool, default True
        Run until interrupted and return the exit code (the ``workbench serve`` command);
        ``False`` returns a :class:`VoilaServer` (already answering).
    workdir : str, optional
        Folder for the generated notebook (a new temp folder by default).
    hostnames : sequence of str
        Host names (besides localhost and loopback addresses) the server answers to, e.g. the
        public name your proxy forwards; any other Host header gets 403.

    Examples
    --------
    The round is checked before anything starts:

    >>> serve("sqlite://", 1)
    Traceback (most recent call last):
    ...
    workbench.exceptions.StoreError: Round 1 does not exist ...

    Started from Python (the browser tests do this):

    >>> server = serve("sqlite:////tmp/x.db", 1, block=False)  # doctest: +SKIP
    >>> store.issue_token("alice", actor="lead")  # doctest: +SKIP
    >>> server.url, server.stop()  # doctest: +SKIP
    ('http://127.0.0.1:8866/', 0)
    """
    from .session import open_store

    url = normalise_url(db_url)
    store = open_store(url)
    store.round_info(int(round))  # fail here, not in the browser, when the round does not exist
    folder = Path(workdir or tempfile.mkdtemp(prefix="workbench-serve-"))
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / "labeling.ipynb"
    notebook.write_text(json.dumps(build_notebook(url, round), indent=1))
    cmd = [sys.executable, "-m", "workbench.widgets.auth", str(notebook), "--no-browser", f"--port={int(port)}",
           f"--Voila.ip={host}", "--Voila.port_retries=0", "--theme=light", "--show_tracebacks=False"]
    for name in hostnames:
        cmd += ["--hostname", str(name)]
    env = {**os.environ, DB_ENV: url, ROUND_ENV: str(int(round))}
    process = subprocess.Popen(cmd, cwd=str(folder), env=env)
    server = VoilaServer(process, f"http://{host}:{int(port)}/", notebook)
    if not block:
        return server.wait_ready()
    print(f"Labeling app for round {int(round)}: {server.url}  (sign-in links: workbench users add NAME; "
          "Ctrl+C to stop)", flush=True)
    previous = None
    if threading.current_thread() is threading.main_thread():  # SIGTERM stops Voilà too, not only us
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return server.stop()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        server.stop()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt
