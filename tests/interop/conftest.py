"""The ``label_studio`` fixture: one real Label Studio server per test session.

``make label-studio`` (part of ``make test``) builds ``.venv-ls`` from
``requirements/label-studio.txt``; without it the tests skip loudly, and fail under CI.
"""

from __future__ import annotations

import pytest

from tests.conftest import require
from tests.interop.label_studio_server import LS_BIN, LabelStudioServer, available


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory):
    """A started :class:`LabelStudioServer` on 127.0.0.1 with a fresh data directory.

    Shared by the whole session (its start takes seconds, its first start tens of seconds);
    tests make their own users and projects on it.
    """
    require(available(), f"the Label Studio venv is missing: {LS_BIN} not found (run: make label-studio)")
    server = LabelStudioServer(data_dir=tmp_path_factory.mktemp("label-studio"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
