"""Report rendering: papermill execution, offline HTML export, failures that leave artifacts."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

from workbench.exceptions import ReportError, ReportExecutionError, ValidationError
from workbench.report import TEMPLATES, export_html, external_references, render_report, template_path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks as build_templates  # noqa: E402


@pytest.fixture
def tiny_template(tmp_path) -> Path:
    nb = build_templates.build_notebook(ROOT / "tests" / "fixtures" / "tiny_report_src.py")
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_percent_format_parser_keeps_tags_and_markdown():
    cells = build_templates.parse_cells('# %% [markdown]\n# # Title\n\n# %% tags=["parameters"]\nx = 1\n')
    assert [c.cell_type for c in cells] == ["markdown", "code"]
    assert cells[0].source == "# Title"
    assert cells[1].metadata["tags"] == ["parameters"] and cells[1].source == "x = 1"


def test_committed_templates_are_built_from_their_sources():
    assert build_templates.main(["--check"]) == 0


def test_every_report_kind_has_a_template_with_a_parameters_cell():
    for kind in TEMPLATES:
        nb = nbformat.read(str(template_path(kind)), as_version=4)
        tags = [t for c in nb.cells for t in c.metadata.get("tags", [])]
        assert "parameters" in tags, kind
        assert nb.metadata.kernelspec.name == "python3"


def test_unknown_template_names_the_valid_ones():
    with pytest.raises(ValidationError, match="'pilot'"):
        template_path("pilott")
    with pytest.raises(ReportError, match="does not exist"):
        template_path("nowhere/report.ipynb")


def test_external_references_finds_cdn_scripts_only():
    assert external_references('<script src="//cdn.x/y.js"></script>')
    assert not external_references('<img src="data:image/svg+xml;base64,AAA">')


@pytest.mark.notebook
def test_render_writes_notebook_offline_html_and_metrics(tiny_template, tmp_path):
    result = render_report(tiny_template, tmp_path / "out", parameters={"n": 4}, progress=False)
    assert result.metrics() == {"n": 4, "total": 0 + 1 + 4 + 9}
    html = result.html_path.read_text(encoding="utf-8")
    assert external_references(html) == []
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert html.count('data-mime-type="image/svg+xml"') == 2  # both charts, as inline SVG images
    assert "&lt;script&gt;window.__pwned" in html and "<script>window.__pwned" not in html
    assert "out_dir =" not in html  # parameters cells and inputs are hidden
    assert result.timings["total"] >= result.timings["execute"] > 0


@pytest.mark.notebook
def test_failing_cell_leaves_notebook_and_html_and_names_the_cell(tiny_template, tmp_path):
    out = tmp_path / "failed"
    with pytest.raises(ReportExecutionError, match=r"failed in cell \d+ \(ValueError: deliberate failure") as info:
        render_report(tiny_template, out, parameters={"fail": True}, progress=False)
    assert Path(info.value.notebook_path).exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "deliberate failure" in html


def test_export_html_drops_widget_state_and_removed_cells(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("kept text"), nbformat.v4.new_code_cell("secret = 1")]
    nb.cells[1].metadata["tags"] = ["remove-cell"]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hidden output")]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    html = export_html(path, tmp_path / "nb.html").read_text(encoding="utf-8")
    assert "kept text" in html and "hidden output" not in html
    assert "html-manager" not in html and external_references(html) == []


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_papermill_reads_every_parameter_of_every_template(kind):
    """Unknown -p names are refused against this list, so a line papermill cannot parse would refuse a real one."""
    import ast

    import nbformat

    from workbench.report import template_parameters

    nb = nbformat.read(str(template_path(kind)), as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assigned = [t.id for node in ast.parse(cell.source).body if isinstance(node, ast.Assign) for t in node.targets]
    assert list(template_parameters(kind)) == assigned
