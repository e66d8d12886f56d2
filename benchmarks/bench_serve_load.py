"""Benchmark: 20 labelers at once on one served round (`workbench serve`), SQLite and PostgreSQL.

Each SIMULATED labeler is a real Chromium page (one browser, one context per labeler, Debian
chromium) signed in with its own link (``store.issue_token``); the server is the real
``workbench serve`` (Voilà under the store's identity provider), one kernel per labeler. Every
labeler has ``--items`` assigned items. The driver presses ``1`` on all 20 pages at once, waits
until the store holds those 20 labels, and repeats, so the kernels write concurrently (bursts of
20 submits). Measured:

- **server side, per submit**: in each kernel, from the submit reaching the session to the next
  item rendered (``LabelingSession._after``: the store write, durable when it returns, then the
  widget update), logged by the kernels through ``WORKBENCH_LATENCY_LOG``;
- **correctness**: every (labeler, item) has exactly one label row, no label is lost, none
  duplicated, none under another name.

Run (about 3 minutes per backend on 2 cores)::

    .venv/bin/python benchmarks/bench_serve_load.py               # both backends, writes results/serve_load.md
    .venv/bin/python benchmarks/bench_serve_load.py --backend sqlite --labelers 5 --items 5 --no-write
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.store import AnnotationStore  # noqa: E402
from workbench.taxonomy import Taxonomy  # noqa: E402
from workbench.widgets.serve import serve  # noqa: E402
from workbench.widgets.session import LATENCY_ENV  # noqa: E402

PG_URL = os.environ.get("WORKBENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TAXONOMY = """
name: load-test
version: 1
categories:
  - {id: refund, definition: Money back.}
  - {id: bug, definition: The app misbehaves.}
  - {id: other, definition: Anything else.}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(url: str, n_labelers: int, n_items: int, round_no: int) -> dict:
    store = AnnotationStore(url)
    version = store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY))
    store.create_round(round_no, taxonomy_version=version, name="load test")
    tag = uuid.uuid4().hex[:6]
    ids = [f"load-{tag}-{k:05d}" for k in range(n_labelers * n_items)]
    store.add_items(pd.DataFrame({"item_id": ids, "text": [f"message {k}: my card was charged twice" for k in range(len(ids))]}))
    names = [f"labeler-{tag}-{k:02d}" for k in range(n_labelers)]
    plan = pd.DataFrame({"item_id": ids, "annotator": np.repeat(names, n_items)})
    store.assign(plan, round=round_no)
    tokens = {}
    for name in names:
        store.add_user(name, role="labeler", actor="bench")
        tokens[name] = store.issue_token(name, actor="bench")
    return {"store": store, "names": names, "tokens": tokens, "plan": plan}


def run(backend: str, n_labelers: int, n_items: int, workdir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    url = f"sqlite:///{workdir / 'load.db'}" if backend == "sqlite" else PG_URL
    round_no = 1 if backend == "sqlite" else int(time.time()) % 1_000_000 + 1000
    built = build(url, n_labelers, n_items, round_no)
    store, names = built["store"], built["names"]
    log = workdir / f"latency-{backend}.tsv"
    os.environ[LATENCY_ENV] = str(log)  # inherited by the server, then by every kernel
    server = serve(url, round_no, port=free_port(), block=False, workdir=str(workdir / f"app-{backend}"))
    started = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
                "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            pages = []
            for name in names:
                page = browser.new_context().new_page()
                page.goto(f"{server.url}?view=label&token={built['tokens'][name]}")
                pages.append(page)
            for page in pages:
                page.locator(".wb-root .wb-item").wait_for(timeout=180_000)
            ready = time.perf_counter() - started
            expected = 0
            for _ in range(n_items):
                for page in pages:
                    page.locator(".wb-root .wb-item").hover()
                    page.keyboard.press("1")
                expected += len(pages)
                deadline = time.monotonic() + 120
                while len(store.annotations(round=round_no, kind="label")) < expected:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{backend}: only {len(store.annotations(round=round_no, kind='label'))} "
                                         f"of {expected} labels arrived")
                    time.sleep(0.05)
            browser.close()
    finally:
        server.stop()
        os.environ.pop(LATENCY_ENV, None)
    rows = store.annotations(round=round_no, kind="label", current_only=False)
    mine = rows.merge(built["plan"], on=["item_id", "annotator"], how="left", indicator=True)
    latencies = [float(line.split("\t")[2]) for line in log.read_text().splitlines()
                 if line.split("\t")[1] == "submit" and line.split("\t")[0] in set(names)]
    q = np.percentile(latencies, [50, 95, 99]) if latencies else [float("nan")] * 3
    return {"backend": backend, "labelers": n_labelers, "labels_expected": n_labelers * n_items,
            "labels_stored": len(rows), "duplicates": int(rows.duplicated(["item_id", "annotator"]).sum()),
            "outside_plan": int((mine["_merge"] != "both").sum()), "submits_timed": len(latencies),
            "p50_ms": q[0], "p95_ms": q[1], "p99_ms": q[2], "max_ms": max(latencies) if latencies else float("nan"),
            "pages_ready_s": ready}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--labelers", type=int, default=20)
    parser.add_argument("--items", type=int, default=15, help="items per labeler (default 15)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "serve_load.md")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
            results.append(run(backend, args.labelers, args.items, Path(tmp)))
    lines = ["# Served round under load (`benchmarks/bench_serve_load.py`)", "",
             f"Machine: {platform.system()} {platform.release()}, {os.cpu_count()} logical cores, load average {load} "
             f"at the start; the {args.labelers} Chromium pages, the Voilà server and its {args.labelers} kernels all "
             "run on this machine. Target: no lost or duplicated label, p95 submit -> next item < 100 ms server side.",
             "", "| backend | labelers | labels expected | stored | duplicated | outside the plan | submits timed | "
             "p50 ms | p95 ms | p99 ms | max ms | pages ready (s) |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['backend']} | {r['labelers']} | {r['labels_expected']} | {r['labels_stored']} | "
                     f"{r['duplicates']} | {r['outside_plan']} | {r['submits_timed']} | {r['p50_ms']:.1f} | "
                     f"**{r['p95_ms']:.1f}** | {r['p99_ms']:.1f} | {r['max_ms']:.1f} | {r['pages_ready_s']:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        args.out.write_text(text, encoding="utf-8")
    ok = all(r["labels_stored"] == r["labels_expected"] and r["duplicates"] == 0 and r["outside_plan"] == 0
             for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
