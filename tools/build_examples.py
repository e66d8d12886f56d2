"""Render one example report per task type into ``reports/examples/`` and screenshot each.

Every round is SIMULATED (``workbench.demo``): the demo's support intents (single label), label
sets, entity spans, image boxes, a 300-annotator crowd round, and a model comparison with a
rubric, and a four-week vendor program (the sla and trend reports). For each kind this writes ``reports/examples/<kind>/report.html`` and ``metrics.json``,
then opens the page from disk in headless Chromium (Debian ``chromium``, no network), checks
that every chart image loaded, and saves the top of the page to
``docs/screenshots/report_<kind>.png``.

Run::

    .venv/bin/python tools/build_examples.py            # all kinds (about 3 minutes on 2 cores)
    .venv/bin/python tools/build_examples.py spans boxes
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from workbench import demo  # noqa: E402
from workbench.report import render_report  # noqa: E402
from workbench.store import AnnotationStore  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _classification(db: Path) -> str:
    project = db.parent / "demo-project"
    demo.run_demo_round(project, progress=False)
    return str(project / "workbench.db")


def _crowd(db: Path) -> str:
    import bench_report

    return bench_report.build_store(db, 3000, n_annotators=300)["url"]


def _builder(make):
    def build(db: Path) -> str:
        return make(AnnotationStore(db)).url
    return build


def _program(db: Path) -> str:
    """The SIMULATED 4-week vendor program, with its targets.yaml beside the store."""
    (db.parent / "targets.yaml").write_text(demo.PROGRAM_TARGETS_YAML, encoding="utf-8")
    return demo.labeling_program(AnnotationStore(db)).url


ONE_ROUND = {"round": 1}

#: kind -> (template, store builder, extra parameters)
KINDS = {
    "classification": ("pilot", _classification, ONE_ROUND),
    "multilabel": ("pilot", _builder(demo.multilabel_round), ONE_ROUND),
    "spans": ("pilot", _builder(demo.spans_round), ONE_ROUND),
    "boxes": ("pilot", _builder(demo.boxes_round), ONE_ROUND),
    "crowd": ("pilot", _crowd, ONE_ROUND),
    "evaluation": ("evaluation", _builder(demo.evaluation_round), ONE_ROUND),
    "sla": ("sla", _program, {"start": "2026-11-02", "end": "2026-11-30"}),
    "trend": ("trend", _program, {}),
}


def screenshot(html_path: Path, png_path: Path) -> int:
    """Open the report from disk, check that every chart loaded, save the top; return the chart count."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1500})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else route.abort())  # offline: anything remote would fail here
        page.goto(html_path.resolve().as_uri())
        page.wait_for_load_state("load")
        images = page.eval_on_selector_all('img[src^="data:image/svg"]',
                                           "els => els.map(e => [e.complete && e.naturalWidth > 0, e.alt])")
        broken = [alt for ok, alt in images if not ok]
        if broken or any(not alt for _, alt in images):
            raise SystemExit(f"{html_path}: {len(broken)} chart(s) did not render or lack alt text: {broken[:3]}")
        png_path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(png_path), full_page=False)
        browser.close()
    return len(images)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=f"some of {', '.join(KINDS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.kinds) - set(KINDS))
    if unknown:
        parser.error(f"unknown kind(s) {unknown}; choose from {list(KINDS)}")
    for kind in args.kinds or list(KINDS):
        template, build, params = KINDS[kind]
        with tempfile.TemporaryDirectory(prefix=f"example-{kind}-") as tmp:
            url = build(Path(tmp) / f"{kind}.db")
            out = Path(tmp) / "out"
            if template == "sla":
                params = {**params, "targets_path": str(Path(tmp) / "targets.yaml")}
            what = "SIMULATED round" if "round" in params else "SIMULATED program"
            render_report(template, out, progress=False,
                          parameters={"db_url": url, "title": f"Example report: {kind} ({what})", **params})
            target = ROOT / "reports" / "examples" / kind
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for name in ("report.html", "metrics.json"):
                shutil.copy(out / name, target / name)
            # metrics.json names the temporary store: say what it was instead
            metrics = (target / "metrics.json").read_text(encoding="utf-8").replace(url, f"SIMULATED {kind} data")
            metrics = metrics.replace(tmp + "/", "")  # e.g. the targets.yaml written beside the store
            (target / "metrics.json").write_text(metrics, encoding="utf-8")
            html = (target / "report.html").read_text(encoding="utf-8").replace(url, f"SIMULATED {kind} data")
            html = html.replace(Path(url.split("///")[-1]).name, f"{kind}.db").replace(tmp + "/", "")
            (target / "report.html").write_text(html, encoding="utf-8")
        charts = screenshot(target / "report.html", ROOT / "docs" / "screenshots" / f"report_{kind}.png")
        print(f"{kind}: {target / 'report.html'} ({charts} charts, every one rendered with alt text)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
