"""Ask the reference libraries of ``.venv-peers`` (see ``worker.py``) from the main test venv."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PEERS_PYTHON = Path(os.environ.get("WORKBENCH_PEERS_PYTHON", ROOT / ".venv-peers" / "bin" / "python"))


class PeerError(RuntimeError):
    """A reference library failed inside the worker (its traceback is the message)."""


class Peers:
    """One long-lived worker process; each method is one request and its answer."""

    def __init__(self, python: Path = PEERS_PYTHON):
        self._proc = subprocess.Popen([str(python), str(Path(__file__).with_name("worker.py"))],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def call(self, function: str, /, **kwargs):
        self._proc.stdin.write(json.dumps({"function": function, "kwargs": kwargs}, default=_plain) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise PeerError(f"the peer worker exited (code {self._proc.poll()}) while answering {function}")
        answer = json.loads(line)
        if "error" in answer:
            raise PeerError(answer["error"])
        return answer["ok"]

    def close(self) -> None:
        self._proc.stdin.close()
        self._proc.wait(timeout=30)

    # -- the calls the tests make ------------------------------------------------------------
    def irrcac(self, wide, *, categories=None, weights="identity", as_str=False) -> dict:
        wide = [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(wide, dtype=float)]
        return self.call("irrcac", wide=wide, categories=categories, weights=weights, as_str=as_str)


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot send {type(value).__name__} to the peer worker")


def available(python: Path = PEERS_PYTHON) -> bool:
    return python.exists()
