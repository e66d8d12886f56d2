"""The labeling page as a Voilà app, for labelers who never open Jupyter.

``serve(db_url, round)`` writes a two-cell notebook into a temporary folder and
starts Voilà on it. The labeler opens the URL, types their name, and labels; Voilà
shows only the widget outputs (no code, no notebook chrome). Each browser tab runs
its own kernel, so several labelers can share one server. ``?annotator=alice`` in the
URL fills the name in.

Voilà has no login: bind it to 127.0.0.1 (the default) or put it behind your own
authenticating proxy.

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
import urllib.request
from pathlib import Path
from typing import Optional
from urllib.parse import parse_qs

from ..exceptions import StoreError, ValidationError
from ._style import style_html

__all__ = ["serve", "labeling_app", "build_notebook", "normalise_url", "VoilaServer"]


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


def _query_annotator() -> str:
    query = os.environ.get("QUERY_STRING", "")
    return (parse_qs(query.lstrip("?")).get("annotator") or [""])[0]


def labeling_app(db_url: str, round: int, *, annotator: Optional[str] = None, **labeller_kwargs):
    """The page Voilà shows: a name form that turns into a :class:`Labeller`.

    Parameters
    ----------
    db_url : str
        Store URL.
    round : int
        Round to label.
    annotator : str, optional
        Pre-filled name (default: ``?annotator=`` of the page URL, when served by Voilà).
    **labeller_kwargs
        Passed to :class:`~workbench.widgets.labeller.Labeller` (``mask_pii``, ``item_renderer``).

    Returns
    -------
    ipywidgets.VBox

    Examples
    --------
    >>> app = labeling_app("sqlite://", 1, annotator="alice")
    >>> app.name.value
    'alice'
    """
    import ipywidgets as widgets

    name = widgets.Text(value=annotator or _query_annotator(), placeholder="Your name",
                        continuous_update=False, layout=widgets.Layout(width="260px"))
    start = widgets.Button(description="Start labeling", button_style="primary", icon="play")
    message = widgets.HTML("")
    intro = widgets.HTML(f'{style_html()}<h2>Labeling · round {int(round)}</h2>'
                         "<p>Enter your name to start. Your labels are saved as you go; "
                         "you can close the page and come back later.</p>")
    form = widgets.VBox([intro, widgets.HBox([name, start]), message])
    form.add_class("wb-login")
    app = widgets.VBox([form])
    app.name, app.start_button, app.labeller = name, start, None

    def begin(_=None):
        who = name.value.strip()
        if app.labeller is not None or not who:
            if not who:
                message.value = '<span class="wb-error">Please enter your name first.</span>'
            return
        from .labeller import Labeller

        try:
            app.labeller = Labeller(db_url, annotator=who, round=int(round), **labeller_kwargs)
        except (StoreError, ValidationError) as exc:
            from .renderers import escape

            message.value = f'<span class="wb-error">{escape(exc)}</span>'
            return
        app.children = (app.labeller,)

    start.on_click(begin)
    name.observe(lambda ch: begin() if ch["new"].strip() else None, names="value")
    return app


def _code_cell(cell_id: str, source: str, tags=()) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": cell_id,
            "metadata": {"tags": list(tags)} if tags else {}, "outputs": [], "source": source}


def build_notebook(db_url: str, round: int, **labeller_kwargs) -> dict:
    """The notebook Voilà runs (nbformat 4 as a dict): a parameters cell and ``labeling_app(db_url, round)``.

    Examples
    --------
    >>> nb = build_notebook("sqlite:////x.db", 2)
    >>> nb["nbformat"], "labeling_app" in nb["cells"][1]["source"]
    (4, True)
    """
    params = f"db_url = {normalise_url(db_url)!r}\nround = {int(round)!r}\nlabeller_kwargs = {labeller_kwargs!r}"
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}},
        "cells": [
            _code_cell("parameters", params, tags=["parameters"]),
            _code_cell("app", "from workbench.widgets.serve import labeling_app\n"
                       "labeling_app(db_url, round, **labeller_kwargs)"),
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
                with urllib.request.urlopen(self.url.rstrip("/") + "/voila/static/voila.js", timeout=2):
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
          workdir: Optional[str] = None, **labeller_kwargs):
    """Serve the labeling page of ``round`` with Voilà at ``http://host:port/``.

    Parameters
    ----------
    db_url : str
        Store URL or SQLite path (made absolute).
    round : int
        Round to label; it must exist in the store.
    port : int, default 8866
    host : str, default "127.0.0.1"
        Voilà has no login; only bind other interfaces behind an authenticating proxy.
    block : bool, default True
        Run until interrupted and return the exit code (the ``workbench serve`` command);
        ``False`` returns a :class:`VoilaServer` (already answering).
    workdir : str, optional
        Folder for the generated notebook (a new temp folder by default).
    **labeller_kwargs
        Passed to the Labeller (e.g. ``mask_pii=True``).

    Examples
    --------
    The round is checked before anything starts:

    >>> serve("sqlite://", 1)
    Traceback (most recent call last):
    ...
    workbench.exceptions.StoreError: Round 1 does not exist ...

    Started from Python (the browser tests do this):

    >>> server = serve("sqlite:////tmp/x.db", 1, block=False)  # doctest: +SKIP
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
    notebook.write_text(json.dumps(build_notebook(url, round, **labeller_kwargs), indent=1))
    cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={int(port)}",
           f"--Voila.ip={host}", "--Voila.port_retries=0", "--theme=light", "--show_tracebacks=False"]
    process = subprocess.Popen(cmd, cwd=str(folder))
    server = VoilaServer(process, f"http://{host}:{int(port)}/", notebook)
    if not block:
        return server.wait_ready()
    print(f"Labeling page for round {int(round)}: {server.url}  (Ctrl+C to stop)", flush=True)
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
