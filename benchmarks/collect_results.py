"""Assemble benchmarks/RESULTS.md from the per-area result files in benchmarks/results/.

Each benchmark script writes its own ``results/<area>.md``; this script puts them in one
page, in a fixed order, so RESULTS.md is never edited by hand.

    python benchmarks/collect_results.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["store", "agreement", "error_analysis", "active_learning", "widgets", "report", "report_100k",
         "report_crowd500", "report_scale_notes", "serve_load"]

HEADER = """# Benchmark results

Measured on the project's reference machine: 2 cores, 24 GiB RAM, no GPU, Python 3.11,
with other work running beside it (numbers are conservative). Each section is written by the
script named in it; rerun the script to refresh its section, then `python benchmarks/collect_results.py`.
Peers are measured in the same run, so ratios are fair even when absolute times drift.
"""


def main() -> int:
    parts = [HEADER]
    files = sorted((HERE / "results").glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    for path in files:
        parts.append(path.read_text(encoding="utf-8").strip() + "\n")
    (HERE / "RESULTS.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"wrote benchmarks/RESULTS.md from {len(files)} result files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
