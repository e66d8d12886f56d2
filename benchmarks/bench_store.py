"""Benchmark the annotation store: single commits, bulk imports, reading a million annotations.

Measures, for SQLite (a file in a temp folder) and PostgreSQL (a fresh database):

- ``record()`` single-label commits per second (what a labeling widget does per click);
- ``add_items()`` bulk item import, rows per second;
- ``record_many()`` bulk annotation import, rows per second (labels checked against the taxonomy);
- ``annotations()`` of N rows (default 1,000,000) into a DataFrame: seconds, and peak
  Python memory (tracemalloc, a separate run so the timing is not slowed by tracing);
- a naive peer baseline: ``pandas.read_sql("SELECT * FROM annotations")`` over the same
  table (no "current" computation, no dtypes), plus the same query through SQLAlchemy.

Usage::

    nice -n 10 .venv/bin/python benchmarks/bench_store.py                  # both back ends, 1M rows
    nice -n 10 .venv/bin/python benchmarks/bench_store.py --rows 100000 --backends sqlite
    nice -n 10 .venv/bin/python benchmarks/bench_store.py --write benchmarks/results/store.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sqlite3
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.store import AnnotationStore  # noqa: E402
from workbench.taxonomy import Taxonomy  # noqa: E402

LABELS = [f"intent_{k:02d}" for k in range(12)]
TAX = "name: bench\nversion: 1\ncategories:\n" + "".join(f"  - {{id: {x}, definition: D.}}\n" for x in LABELS)
PG_ADMIN = os.environ.get("WORKBENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


_CPU: dict = {}


def _timed(fn, key=None):
    """Wall seconds and result of ``fn()``; its process CPU seconds go to ``_CPU[key]``."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    if key:
        _CPU[key] = time.process_time() - cpu
    return time.perf_counter() - start, out


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def run(url: str, *, rows: int, commits: int, annotators: int, seed: int) -> dict:
    """All measurements on one fresh store; returns a dict of results."""
    rng = np.random.default_rng(seed)
    store = AnnotationStore(url)
    store.save_taxonomy(Taxonomy.from_yaml(TAX))
    store.create_round(1, taxonomy_version=1)
    n_items = -(-rows // annotators)
    items = pd.DataFrame({"item_id": [f"it{i:07d}" for i in range(n_items)],
                          "text": [f"support message number {i} about something" for i in range(n_items)],
                          "channel": rng.choice(["chat", "mail", "phone"], n_items)})
    res = {"rows": rows}
    res["add_items_s"], _ = _timed(lambda: store.add_items(items, progress=False), "add")
    res["add_items_rows_s"] = n_items / res["add_items_s"]
    res["add_items_rows_cpu_s"] = n_items / _CPU["add"]

    ann = pd.DataFrame({"item_id": np.repeat(items["item_id"].to_numpy(), annotators)[:rows],
                        "annotator": np.tile([f"ann{k}" for k in range(annotators)], n_items)[:rows],
                        "label": rng.choice(LABELS, rows),
                        "duration_ms": rng.integers(500, 20_000, rows)})
    chunk = 100_000

    def bulk():
        for start in range(0, rows, chunk):
            store.record_many(ann.iloc[start:start + chunk], round=1)

    res["record_many_s"], _ = _timed(bulk, "many")
    res["record_many_rows_s"] = rows / res["record_many_s"]
    res["record_many_rows_cpu_s"] = rows / _CPU["many"]

    def clicks():
        for i in range(commits):
            store.record(items["item_id"][i % n_items], "clicker", LABELS[i % len(LABELS)], round=1,
                         duration_ms=1000, session_id="bench")

    res["commit_s"], _ = _timed(clicks, "commit")
    res["commits_per_s"] = commits / res["commit_s"]
    res["commit_cpu_ms"] = 1000 * _CPU["commit"] / commits
    ids = store.annotations(kind="label")["id"].to_numpy()
    for rid in rng.choice(ids, min(100, len(ids)), replace=False):  # some undo rows
        store.retract(int(rid))
    total = rows + commits + min(100, len(ids))

    res["read_current_s"], cur = _timed(lambda: store.annotations(), "read")
    res["read_current_cpu_s"] = _CPU["read"]
    res["read_current_rows"] = len(cur)
    del cur
    res["read_all_s"], allrows = _timed(lambda: store.annotations(current_only=False))
    assert len(allrows) == total, (len(allrows), total)
    del allrows
    res["read_current_peak_mb"] = _peak_mb(lambda: store.annotations())

    # naive peers over the same table
    if url.startswith("sqlite"):
        path = url.replace("sqlite:///", "")
        con = sqlite3.connect(path)
        res["naive_sqlite3_s"], _ = _timed(lambda: pd.read_sql("SELECT * FROM annotations", con))
        con.close()
    res["naive_sqlalchemy_s"], _ = _timed(lambda: pd.read_sql("SELECT * FROM annotations", store.engine))
    store.close()
    return res


def machine_info() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    import sqlalchemy

    return (f"{cpu}, {os.cpu_count()} cores, load average {load} (shared machine); Python "
            f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, SQLAlchemy {sqlalchemy.__version__}, "
            f"pandas {pd.__version__}; {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC")


def table(results: dict) -> str:
    rows = [
        ("single-label commits / s (`record()`, one transaction each)", "commits_per_s", "{:,.0f}", ">= 500 (SQLite)"),
        ("... client CPU ms per commit (the rest is waiting for fsync / the lock)", "commit_cpu_ms", "{:.2f}", ""),
        ("bulk item import rows / s (`add_items`)", "add_items_rows_s", "{:,.0f}", ">= 50,000"),
        ("... rows per client-CPU-second", "add_items_rows_cpu_s", "{:,.0f}", ""),
        ("bulk annotation import rows / s (`record_many`, labels checked)", "record_many_rows_s", "{:,.0f}", ""),
        ("... rows per client-CPU-second", "record_many_rows_cpu_s", "{:,.0f}", ""),
        ("`annotations()` current rows, seconds", "read_current_s", "{:.2f}", "< 3 s (SQLite)"),
        ("... client CPU seconds", "read_current_cpu_s", "{:.2f}", ""),
        ("`annotations()` rows returned", "read_current_rows", "{:,}", ""),
        ("`annotations()` peak Python memory, MB (tracemalloc)", "read_current_peak_mb", "{:.0f}", ""),
        ("`annotations(current_only=False)` all rows, seconds", "read_all_s", "{:.2f}", ""),
        ("peer: naive `pd.read_sql(SELECT *)` via sqlite3, seconds", "naive_sqlite3_s", "{:.2f}", ""),
        ("peer: naive `pd.read_sql(SELECT *)` via SQLAlchemy, seconds", "naive_sqlalchemy_s", "{:.2f}", ""),
    ]
    names = list(results)
    out = ["| measure | " + " | ".join(names) + " | target |", "|---|" + "---|" * len(names) + "---|"]
    for label, key, fmt, target in rows:
        cells = [fmt.format(results[n][key]) if key in results[n] else "-" for n in names]
        out.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="annotations to import and read back")
    parser.add_argument("--commits", type=int, default=1000, help="single record() commits to time")
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgres", help="comma list of sqlite, postgres")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", type=Path, default=None, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    results = {}
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results["SQLite (file, WAL, synchronous=FULL)"] = run(
                    f"sqlite:///{tmp}/bench.db", rows=args.rows, commits=args.commits,
                    annotators=args.annotators, seed=args.seed)
        elif backend == "postgres":
            import psycopg

            name = f"wb_bench_{uuid.uuid4().hex[:8]}"
            admin = psycopg.connect(PG_ADMIN, autocommit=True)
            admin.execute(f'CREATE DATABASE "{name}"')
            try:
                url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
                version = admin.execute("SHOW server_version").fetchone()[0]
                results[f"PostgreSQL {version} (localhost)"] = run(
                    url, rows=args.rows, commits=args.commits, annotators=args.annotators, seed=args.seed)
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.close()
        else:
            parser.error(f"unknown backend {backend!r}; use sqlite and/or postgres")
        report = (f"# Annotation store benchmark\n\nMachine: {machine_info()}.\n\n"
                  f"Command: `nice -n 10 python benchmarks/bench_store.py {' '.join(argv or sys.argv[1:])}`\n\n"
                  + table(results) + "\n")
        print(report, flush=True)  # after each back end, so a later failure loses nothing
        if args.write:
            args.write.parent.mkdir(parents=True, exist_ok=True)
            args.write.write_text(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
