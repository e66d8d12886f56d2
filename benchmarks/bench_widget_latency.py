"""Kernel-side latency of the Labeller: from a submit to the next item displayed, store write included.

For each of N items (default 1,000) on a SQLite store, the time is taken around one
simulated key press (``_handle_keystroke({"key": "1"})``): the label is recorded with
``AnnotationStore.record`` (durable when it returns), the queue advances, and the next
item is rendered into the widget. Two settings:

- ``in-process``: no kernel (ipywidgets' comms are dummies, so no message is sent);
- ``in-kernel`` (default, the realistic one): the same loop inside a real ipykernel
  started with jupyter_client, so every widget state change is serialised and sent on
  the kernel's IOPub socket as it would be to JupyterLab or Voilà.

Usage::

    nice -n 10 .venv/bin/python benchmarks/bench_widget_latency.py [--n 1000] [--mode in-kernel|in-process|both]

Prints a Markdown table (median, p95, max in ms) and writes benchmarks/results/widgets.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LOOP = textwrap.dedent(
    """
    import json, time, tempfile, statistics
    from pathlib import Path
    import numpy as np, pandas as pd
    from workbench.store import AnnotationStore
    from workbench.taxonomy import Taxonomy
    from workbench.widgets import Labeller

    def _bench(n, folder, taxonomy_path):
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        store = AnnotationStore(url)
        v = store.save_taxonomy(Taxonomy.load(taxonomy_path))
        rng = np.random.default_rng(0)
        words = "refund charge app crash invoice login password export playlist account cancel".split()
        texts = [" ".join(rng.choice(words, size=40)) + f" #{i}" for i in range(n)]
        store.add_items(pd.DataFrame({"item_id": [f"it{i:05d}" for i in range(n)], "text": texts}))
        store.create_round(1, taxonomy_version=v)
        store.assign(pd.DataFrame({"item_id": [f"it{i:05d}" for i in range(n)], "annotator": "bench",
                                   "position": range(n)}), round=1)
        record_ms = []
        original_record = store.record

        def timed_record(*args, **kwargs):  # the store write alone, for the breakdown
            t = time.perf_counter()
            out = original_record(*args, **kwargs)
            record_ms.append((time.perf_counter() - t) * 1000)
            return out

        store.record = timed_record
        t0 = time.perf_counter()
        lab = Labeller(store, annotator="bench", round=1)
        open_ms = (time.perf_counter() - t0) * 1000
        keys = [str(k) for k in range(1, 10)]
        times = []
        for i in range(n):
            shown = lab.item.item_id
            t = time.perf_counter()
            lab._handle_keystroke({"key": keys[i % len(keys)], "type": "keydown"})
            times.append((time.perf_counter() - t) * 1000)
            assert lab.item is None or lab.item.item_id != shown
        stored = len(store.annotations(round=1, kind="label"))
        assert stored == n, (stored, n)
        t0 = time.perf_counter()
        Labeller(store, annotator="bench", round=1)
        reopen_ms = (time.perf_counter() - t0) * 1000
        a = np.asarray(times)
        return {"n": n, "median_ms": float(np.median(a)), "p95_ms": float(np.percentile(a, 95)),
                "max_ms": float(a.max()), "mean_ms": float(a.mean()), "open_ms": open_ms,
                "record_median_ms": float(np.median(record_ms)), "record_p95_ms": float(np.percentile(record_ms, 95)),
                "reopen_done_ms": reopen_ms, "stored": stored}
    """
)


def run_in_process(n: int, taxonomy: str, where=None) -> dict:
    ns: dict = {}
    exec(LOOP, ns)  # noqa: S102 - our own benchmark code
    with tempfile.TemporaryDirectory(dir=where) as folder:
        return ns["_bench"](n, folder, taxonomy)


def run_in_kernel(n: int, taxonomy: str, where=None) -> dict:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        with tempfile.TemporaryDirectory(dir=where) as folder:
            code = LOOP + f"\nprint('RESULT=' + json.dumps(_bench({n}, {folder!r}, {taxonomy!r})))"
            out = []

            def hook(msg):
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "error":
                    out.append("\n".join(msg["content"]["traceback"]))

            reply = kc.execute_interactive(code, timeout=1800, output_hook=hook)
            text = "".join(out)
            if reply["content"]["status"] != "ok" or "RESULT=" not in text:
                raise RuntimeError(f"benchmark failed in the kernel:\n{text[-4000:]}")
            return json.loads(text.split("RESULT=", 1)[1].splitlines()[0])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def run_in_browser(n: int, taxonomy: str, where=None) -> dict:
    """End to end: key press in headless Chromium -> Voilà kernel -> store -> next item in the DOM."""
    import socket
    import time

    import numpy as np
    import pandas as pd
    from playwright.sync_api import sync_playwright

    from workbench.store import AnnotationStore
    from workbench.taxonomy import Taxonomy
    from workbench.widgets.serve import serve

    with tempfile.TemporaryDirectory(dir=where) as folder:
        url = f"sqlite:///{Path(folder) / 'browser.db'}"
        store = AnnotationStore(url)
        v = store.save_taxonomy(Taxonomy.load(taxonomy))
        ids = [f"it{i:05d}" for i in range(n + 1)]
        store.add_items(pd.DataFrame({"item_id": ids, "text": [f"message number {i}" for i in range(n + 1)]}))
        store.create_round(1, taxonomy_version=v)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = serve(url, 1, port=port, block=False, workdir=str(Path(folder) / "app"))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                            args=["--no-sandbox", "--disable-gpu"])
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(server.url + "?annotator=bench")
                page.locator(".wb-login button").click(timeout=60_000)
                item = page.locator(".wb-item")
                item.wait_for(timeout=60_000)
                item.hover()
                times = []
                for i in range(n):
                    t = time.perf_counter()
                    page.keyboard.press(str(i % 9 + 1))
                    page.wait_for_function(
                        "t => document.querySelector('.wb-item').innerText.includes(t)",
                        arg=f"message number {i + 1}", polling="raf", timeout=30_000)
                    times.append((time.perf_counter() - t) * 1000)
                browser.close()
        finally:
            server.stop()
        assert len(store.annotations(round=1, kind="label")) == n
    a = np.asarray(times)
    return {"n": n, "median_ms": float(np.median(a)), "p95_ms": float(np.percentile(a, 95)),
            "max_ms": float(a.max()), "mean_ms": float(a.mean()), "open_ms": float("nan"),
            "record_median_ms": float("nan"), "record_p95_ms": float("nan")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--mode", choices=["in-kernel", "in-process", "both", "browser"], default="both",
                        help="'browser': key press in headless Chromium to next item in the DOM, via Voilà")
    parser.add_argument("--browser-n", type=int, default=100, help="items for the browser mode")
    parser.add_argument("--taxonomy", default=str(ROOT / "workbench" / "demo" / "data" / "taxonomy.yaml"))
    parser.add_argument("--dir", default=None, help="where the SQLite file goes (default: the temp dir)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "widgets.json"))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    results = {}
    if args.mode in ("in-process", "both"):
        results["in-process"] = run_in_process(args.n, args.taxonomy, args.dir)
    if args.mode in ("in-kernel", "both"):
        results["in-kernel"] = run_in_kernel(args.n, args.taxonomy, args.dir)
    if args.mode == "browser":
        results["browser (Voilà, end to end)"] = run_in_browser(args.browser_n, args.taxonomy, args.dir)
    print("| setting | items | median ms | p95 ms | max ms | store.record median / p95 ms | open Labeller ms |")
    print("|---|---|---|---|---|---|---|")
    for mode, r in results.items():
        print(f"| {mode} | {r['n']} | {r['median_ms']:.2f} | {r['p95_ms']:.2f} | {r['max_ms']:.1f} | "
              f"{r['record_median_ms']:.2f} / {r['record_p95_ms']:.2f} | {r['open_ms']:.0f} |")
    meta = {"dir": args.dir or tempfile.gettempdir(), "python": platform.python_version(), "machine": platform.machine(), "results": results}
    Path(args.out).write_text(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
