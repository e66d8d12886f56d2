"""Reliability of the SQLite store with real processes: concurrent writers, SIGKILL mid-stream.

Each writer is a separate Python process (``subprocess``) that prints every id *after*
``record()`` returned; those acknowledged ids must all be in the database afterwards.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from workbench.store._schema import SCHEMA_VERSION
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[2]

TAX = """
name: support
version: 1
categories:
  - {id: refund, definition: Money back.}
  - {id: cancel, definition: Stop it.}
  - {id: bug, definition: Broken.}
"""

WRITER = r"""
import os, sys, time
from workbench.store import AnnotationStore
url, who, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
store = AnnotationStore(url)
while not os.path.exists(go):
    time.sleep(0.002)
labels = ["refund", "cancel", "bug"]
for i in range(n):
    rid = store.record(f"i{i % 50}", who, labels[i % 3], round=1, session_id=who, duration_ms=i)
    sys.stdout.write(f"{rid}\n")
    sys.stdout.flush()
"""


def prepare(url: str) -> AnnotationStore:
    store = AnnotationStore(url)
    store.save_taxonomy(Taxonomy.from_yaml(TAX))
    store.add_items(pd.DataFrame({"item_id": [f"i{i}" for i in range(50)], "text": [f"t{i}" for i in range(50)]}))
    store.create_round(1, taxonomy_version=1)
    return store


def spawn(url: str, who: str, n: int, go: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-c", WRITER, url, who, str(n), str(go)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def acked(text: str) -> list:
    """Ids from complete lines only (a killed writer may leave half a line)."""
    lines = text.split("\n")
    return [int(x) for x in lines[:-1] if x.strip()] if not text.endswith("\n") else \
        [int(x) for x in lines if x.strip()]


@pytest.mark.slow  # 10,000 fsynced commits: ~10 s on an idle 2-core machine, more when it is shared
def test_that_four_processes_writing_2500_labels_each_give_exactly_10000_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    prepare(url).close()
    go = tmp_path / "go"
    procs = [spawn(url, f"w{k}", 2500, go) for k in range(4)]
    time.sleep(0.5)
    go.touch()
    results = [p.communicate(timeout=240) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err
    ids = [i for out, _ in results for i in acked(out)]
    assert len(ids) == 10_000 and len(set(ids)) == 10_000
    store = AnnotationStore(url)
    everything = store.annotations(current_only=False)
    assert len(everything) == 10_000
    assert set(everything["id"]) == set(ids)
    assert everything.groupby("annotator").size().to_dict() == {f"w{k}": 2500 for k in range(4)}
    # 50 items x 4 writers: the current row of each key is that writer's last write to the item
    current = store.annotations()
    assert len(current) == 200
    assert (current.groupby("annotator")["duration_ms"].min() >= 2450).all()
    con = sqlite3.connect(tmp_path / "store.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()


def test_that_a_writer_killed_mid_stream_loses_no_acknowledged_label(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    prepare(url).close()
    go = tmp_path / "go"
    go.touch()
    proc = spawn(url, "victim", 1_000_000, go)
    seen = []
    deadline = time.monotonic() + 60
    while len(seen) < 400 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
    assert len(seen) >= 400, proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.stdout.read()  # through the reader's buffer (communicate() would skip what readline read ahead)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    ids = acked("".join(seen) + rest)
    assert len(ids) >= 400
    # the file opens and is consistent even with a hot WAL left behind
    con = sqlite3.connect(tmp_path / "store.db")
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in con.execute("SELECT id FROM annotations")}
    con.close()
    assert set(ids) <= stored
    # each id is one atomic write to the pipe: at most the row committed but not yet printed is extra
    assert len(stored) - len(ids) <= 1, (len(stored), len(ids))
    store = AnnotationStore(url)
    assert set(ids) <= set(store.annotations(current_only=False)["id"])
    store.record("i0", "after", "bug", round=1)  # and it still takes writes


def test_that_a_reader_is_not_blocked_by_an_open_write_transaction(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = prepare(url)
    store.record("i1", "ana", "bug", round=1)
    con = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO annotations (item_id, annotator, round, label, taxonomy_version, unsure, kind, "
                "created_at) VALUES ('i2', 'ben', 1, 'bug', 1, 0, 'label', '2026-01-01 00:00:00.000000')")
    start = time.monotonic()
    assert store.annotations()["annotator"].tolist() == ["ana"]  # WAL: the snapshot before the open write
    assert time.monotonic() - start < 5
    con.execute("COMMIT")
    con.close()
    assert store.annotations()["annotator"].tolist() == ["ana", "ben"]


OPENER = r"""
import os, sys, time
from workbench.store import AnnotationStore
url, go = sys.argv[1], sys.argv[2]
while not os.path.exists(go):
    time.sleep(0.001)
store = AnnotationStore(url)
print(store.schema_version)
"""


def test_that_processes_opening_a_fresh_file_at_once_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, url, str(go)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT) for _ in range(4)]
    time.sleep(0.5)
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == str(SCHEMA_VERSION)
    con = sqlite3.connect(tmp_path / "fresh.db")
    assert con.execute("SELECT count(*) FROM workbench_schema").fetchone()[0] == 1
    con.close()
