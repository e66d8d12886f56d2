"""Build the report templates and walkthrough notebooks from their plain-Python sources.

Each ``templates/<name>.py`` (and ``notebooks/src/<name>.py``) is written in the "percent" format: cells
start with a ``# %%`` line; ``# %% [markdown]`` starts a Markdown cell whose lines are ``# `` comments;
``tags=["parameters"]`` after the marker sets cell tags. The output notebook
``workbench/report/templates/<name>.ipynb`` (package data; ``notebooks/<name>.ipynb``) has no outputs and the ``python3``
kernelspec.

    python tools/build_notebooks.py          # rebuild every notebook
    python tools/build_notebooks.py --check  # exit 1 if a notebook is stale (CI)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
#: source folder -> folder of the built notebooks
FOLDERS = {ROOT / "templates": ROOT / "workbench" / "report" / "templates",
           ROOT / "notebooks" / "src": ROOT / "notebooks"}
MARKER = re.compile(r"^# %%(?P<md> \[markdown\])?(?:\s+tags=(?P<tags>\[.*\]))?\s*$")


def parse_cells(text: str):
    """Split percent-format source text into nbformat cells."""
    cells, kind, tags, lines = [], None, [], []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", line) for line in body.splitlines())
            cell = nbformat.v4.new_markdown_cell(body)
        else:
            cell = nbformat.v4.new_code_cell(body)
        if tags:
            cell.metadata["tags"] = list(tags)
        cells.append(cell)

    for line in text.splitlines():
        match = MARKER.match(line)
        if match:
            flush()
            kind = "markdown" if match.group("md") else "code"
            tags = json.loads(match.group("tags")) if match.group("tags") else []
            lines = []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def build_notebook(source: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = parse_cells(source.read_text(encoding="utf-8"))
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"{source.stem.replace('_', '-')}-{index:02d}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def render(source: Path) -> str:
    return nbformat.writes(build_notebook(source)) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed notebook is out of date")
    args = parser.parse_args(argv)
    stale = []
    sources = [(s, out) for folder, out in FOLDERS.items() for s in sorted(folder.glob("*.py"))]
    for source, out in sources:
        target = out / f"{source.stem}.ipynb"
        text = render(source)
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print(f"stale templates (run python tools/build_notebooks.py): {stale}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
