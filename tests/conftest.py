"""Shared fixtures and the skip policy for optional test groups.

A group whose prerequisite is missing (PostgreSQL server, Chromium, ../shared/data)
is skipped loudly on a user's machine, but *fails* under CI (``CI`` set), so a green
CI never hides a skipped group.
"""

from __future__ import annotations

import contextlib

import os
import shutil
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("WORKBENCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
PG_ADMIN_URL = os.environ.get("WORKBENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = bool(os.environ.get("CI"))


def require(condition: bool, why: str) -> None:
    """Skip (on a user's machine) or fail (in CI) when a prerequisite is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"prerequisite missing in CI (groups must not skip there): {why}")
    pytest.skip(f"SKIPPED GROUP, prerequisite missing: {why}")


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """URL of a fresh SQLite file in the test's temp folder."""
    return f"sqlite:///{tmp_path / 'store.db'}"


def _pg_connect(dsn: str):
    try:
        import psycopg
    except ImportError:  # pragma: no cover - depends on the install
        require(False, "psycopg is not installed (pip install 'taxonomy-workbench[postgres]')")
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        require(False, f"no PostgreSQL server at {dsn} ({exc.__class__.__name__}: {exc}). "
                       "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")


@contextlib.contextmanager
def fresh_postgres_database(prefix: str = "wb_test"):
    """Create a brand-new PostgreSQL database, yield its SQLAlchemy URL, drop it at the end."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = _pg_connect(PG_ADMIN_URL)
    conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


@pytest.fixture
def postgres_url():
    """URL of a brand-new PostgreSQL database, dropped after the test."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real public datasets (../shared/data)."""
    require(SHARED_DATA.is_dir(), f"the real datasets folder {SHARED_DATA} is not there "
                                  "(set WORKBENCH_SHARED_DATA or run from a checkout beside shared/)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's chromium, for playwright's executable_path."""
    path = shutil.which("chromium") or "/usr/bin/chromium"
    require(Path(path).exists(), "Debian chromium is not installed (apt-get install chromium chromium-driver)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """Headless Debian chromium driven by playwright, one per test session.

    Shared by every test that opens a page: playwright's sync API allows only one
    running instance per process.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "python playwright is not installed (pip install playwright; never 'playwright install')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True,
                              args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                    "--disable-background-networking", "--disable-component-update",
                                    "--disable-sync"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def peers():
    """irrCAC, modAL and small-text, which pin old numpy / pandas / scipy, in their own venv.

    ``make peers`` (part of ``make test``) builds ``.venv-peers`` from ``requirements/peers.txt``;
    the cross-checks talk to it through ``tests/peer_oracles/worker.py``.
    """
    from tests.peer_oracles.client import PEERS_PYTHON, Peers, available

    require(available(), f"the reference-library venv {PEERS_PYTHON} is missing (run: make peers)")
    worker = Peers()
    yield worker
    worker.close()
