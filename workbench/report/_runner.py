"""Render report templates with papermill and export them as self-contained, offline HTML.

A report is a parameterised notebook from ``templates/`` (a cell tagged ``parameters``)
executed by papermill into an output folder, which then holds:

``report.ipynb``
    the executed notebook (kept even when a cell fails, with papermill's error banner);
``report.html``
    one self-contained page: input cells hidden, charts as inline SVG, no script or
    stylesheet fetched from a CDN, so it opens offline;
``metrics.json``
    the machine-readable numbers, written by the template itself.

Plain ``papermill templates/pilot_report.ipynb out.ipynb -p db_url ...`` works too;
:func:`export_html` then turns any executed notebook into the offline page.

Examples
--------
>>> from workbench.report import TEMPLATES, template_path
>>> sorted(TEMPLATES)
['calibration', 'comparison', 'evaluation', 'pilot', 'sla', 'trend']
>>> template_path("pilot").name
'pilot_report.ipynb'
"""

from __future__ import annotations

import ast
import difflib
import json
import re
import time
from html.parser import HTMLParser
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

from .._internal.optional import import_optional
from ..store import normalize_url
from .._internal.validation import check_option
from ..exceptions import ReportError, ReportExecutionError, WorkbenchWarning

__all__ = [
    "TEMPLATES",
    "ReportResult",
    "template_path",
    "render_report",
    "export_html",
    "external_references",
    "template_parameters",
    "parse_parameter",
    "check_parameters",
]

#: Report kinds and the template notebook that renders each.
TEMPLATES: Dict[str, str] = {
    "pilot": "pilot_report.ipynb",
    "comparison": "round_comparison.ipynb",
    "calibration": "calibration_report.ipynb",
    "evaluation": "evaluation_report.ipynb",
    "sla": "sla_report.ipynb",
    "trend": "trend_report.ipynb",
}

#: Cells with these tags are dropped from the HTML export.
REMOVED_CELL_TAGS = frozenset({"parameters", "injected-parameters", "remove-cell"})

_PACKAGE_DIR = Path(__file__).resolve().parent
_NBCONVERT_DIR = _PACKAGE_DIR / "_nbconvert"
_FETCHING_TAGS = frozenset({"script", "link", "img", "iframe"})
_REMOTE = re.compile(r"\s*(?:https?:)?//", re.I)


@dataclass(frozen=True)
class ReportResult:
    """Where a rendered report was written, and how long each stage took.

    Attributes
    ----------
    notebook_path, html_path : pathlib.Path
    metrics_path : pathlib.Path or None
        ``metrics.json`` when the template wrote one.
    timings : dict
        Seconds spent in ``execute`` (kernel start + cells), ``export`` and ``total``,
        plus ``cells`` (the five slowest cells by papermill's own timing).
    """

    notebook_path: Path
    html_path: Path
    metrics_path: Optional[Path]
    timings: Dict[str, Any] = field(default_factory=dict)

    def metrics(self) -> Dict[str, Any]:
        """The parsed ``metrics.json`` (empty when the template wrote none)."""
        if self.metrics_path is None or not self.metrics_path.exists():
            return {}
        return json.loads(self.metrics_path.read_text(encoding="utf-8"))


def template_path(template: Union[str, Path]) -> Path:
    """Resolve a report kind (``"pilot"``, ...) or a notebook path to an existing template file.

    Parameters
    ----------
    template : str or path-like
        A key of :data:`TEMPLATES` or the path of any parameterised notebook.

    Examples
    --------
    >>> template_path("comparison").name
    'round_comparison.ipynb'
    """
    if isinstance(template, str) and template in TEMPLATES:
        path = _PACKAGE_DIR / "templates" / TEMPLATES[template]
    else:
        path = Path(template)
        if path.suffix != ".ipynb":
            check_option(template, TEMPLATES, param="template", caller="render_report")
    if not path.exists():
        raise ReportError(f"The report template {path} does not exist. Reinstall the package, or pass the path "
                          "of a notebook that has a cell tagged 'parameters'.")
    return path


def template_parameters(template: Union[str, Path]) -> Dict[str, Dict[str, str]]:
    """The parameters a template declares in its ``parameters`` cell, read by papermill.

    Parameters
    ----------
    template : str or path-like
        A key of :data:`TEMPLATES` or the path of a notebook.

    Returns
    -------
    dict
        Name to ``{"default": source text of the default, "help": the comment after it}``,
        in the order of the cell.

    Examples
    --------
    >>> params = template_parameters("pilot")
    >>> params["n_boot"]["default"], "round" in params
    ('1000', True)
    """
    papermill, _ = _require_papermill()
    found = papermill.inspect_notebook(str(template_path(template)))
    return {name: {"default": spec.get("default"), "help": spec.get("help") or ""} for name, spec in found.items()}


def parse_parameter(text: str) -> "tuple[str, Any]":
    """Split ``NAME=VALUE`` and type the value as papermill's ``-p`` does, plus lists and dicts.

    ``True`` / ``False`` / ``None`` and numbers become Python values; a value that reads as a
    Python list, tuple or dict literal becomes one; anything else stays a string.

    Examples
    --------
    >>> parse_parameter("n_boot=200"), parse_parameter("mask_pii=False"), parse_parameter("title=Round 2")
    (('n_boot', 200), ('mask_pii', False), ('title', 'Round 2'))
    >>> parse_parameter('accept=["merge-1", "split-2"]'), parse_parameter("cv_large=None")
    (('accept', ['merge-1', 'split-2']), ('cv_large', None))
    >>> parse_parameter("2")
    Traceback (most recent call last):
    ...
    workbench.exceptions.ReportError: A report parameter must be written NAME=VALUE (e.g. -p n_boot=200). Got '2' instead.
    """
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ReportError(f"A report parameter must be written NAME=VALUE (e.g. -p n_boot=200). Got {text!r} instead.")
    from papermill.cli import _resolve_type  # papermill's own -p typing

    value = _resolve_type(raw)
    if isinstance(value, str) and raw.strip()[:1] in "[({":
        try:
            literal = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            literal = raw
        if isinstance(literal, (list, tuple, dict)):
            value = literal
    return name, value


def check_parameters(template: Union[str, Path], parameters: Mapping[str, Any]) -> None:
    """Refuse names the template does not declare, before any kernel starts.

    Examples
    --------
    >>> check_parameters("pilot", {"n_boot": 10})
    >>> check_parameters("pilot", {"n_bot": 10})
    Traceback (most recent call last):
    ...
    workbench.exceptions.ReportError: The pilot report has no parameter 'n_bot' (did you mean 'n_boot'?). Its parameters: db_url, round, ...
    """
    declared = template_parameters(template)
    unknown = [name for name in parameters if name not in declared]
    if not unknown:
        return
    close = difflib.get_close_matches(unknown[0], declared, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    label = f"{template} report" if isinstance(template, str) and template in TEMPLATES else f"template {template}"
    raise ReportError(f"The {label} has no parameter{'s' if len(unknown) > 1 else ''} "
                      f"{', '.join(repr(u) for u in unknown)}{hint}. Its parameters: {', '.join(declared)}. "
                      f"See them with defaults: workbench report {template} --list-params")


def _require_papermill():
    papermill = import_optional("papermill", needed_for="Rendering reports", install="papermill>=2.6")
    return papermill, papermill.exceptions.PapermillExecutionError


def render_report(
    template: Union[str, Path],
    output_dir: Union[str, Path],
    *,
    parameters: Optional[Mapping[str, Any]] = None,
    kernel_name: str = "python3",
    execution_timeout: int = 1800,
    progress: bool = True,
) -> ReportResult:
    """Execute a report template with papermill and export it as offline HTML.

    Parameters
    ----------
    template : str or path-like
        ``"pilot"``, ``"comparison"``, ``"calibration"`` or the path of a notebook.
    output_dir : path-like
        Created if needed; receives ``report.ipynb``, ``report.html`` and ``metrics.json``.
    parameters : mapping, optional
        Injected after the template's ``parameters`` cell. ``out_dir`` defaults to
        ``output_dir`` so the template writes its side files there.
    kernel_name : str, default "python3"
        The kernel to run; overrides whatever kernel name the notebook was saved with.
    execution_timeout : int, default 1800
        Seconds a single cell may run.
    progress : bool, default True
        Show papermill's per-cell progress bar.

    Returns
    -------
    ReportResult

    Raises
    ------
    ReportExecutionError
        When a cell fails. The executed notebook and the HTML page (with the error
        banner) are still written; the message names the cell and both paths.

    Examples
    --------
    Render the pilot report of round 1 (about 10-20 s: a kernel starts and runs every cell)::

        result = render_report("pilot", "reports/round-1", parameters={"db_url": "demo.db", "round": 1})
        result.html_path, result.metrics()["agreement"]["krippendorff_alpha"]
    """
    source = template_path(template)
    params = dict(parameters or {})
    check_parameters(template, params)
    if isinstance(params.get("db_url"), (str, Path)):
        params["db_url"] = normalize_url(params["db_url"])  # the kernel runs in the output folder
    out = Path(output_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    notebook_path = out / "report.ipynb"
    html_path = out / "report.html"
    params.setdefault("out_dir", str(out))
    papermill, PapermillExecutionError = _require_papermill()

    started = time.perf_counter()
    failure: Optional[BaseException] = None
    try:
        papermill.execute_notebook(
            str(source), str(notebook_path), parameters=params, kernel_name=kernel_name,
            cwd=str(out), progress_bar=progress, log_output=False, report_mode=True,
            execution_timeout=execution_timeout, start_timeout=120,
        )
    except PapermillExecutionError as exc:
        failure = exc
    executed = time.perf_counter()
    if not notebook_path.exists():
        raise ReportError(f"papermill wrote no notebook for template {source.name}; see its log above.")
    export_html(notebook_path, html_path)
    exported = time.perf_counter()

    timings = {"execute": round(executed - started, 3), "export": round(exported - executed, 3),
               "total": round(exported - started, 3), "cells": _slowest_cells(notebook_path)}
    if failure is not None:
        raise ReportExecutionError(
            f"Template {source.name!r} failed in cell {failure.cell_index} ({failure.ename}: {failure.evalue}). "
            f"The partial report was saved to {notebook_path} and {html_path}; fix the input or the parameter "
            "named in the error and render again.",
            notebook_path=str(notebook_path), cell_index=failure.cell_index,
        ) from failure
    metrics_path = out / "metrics.json"
    return ReportResult(notebook_path, html_path, metrics_path if metrics_path.exists() else None, timings)


def _slowest_cells(notebook_path: Path, top: int = 5) -> List[Dict[str, Any]]:
    import nbformat

    nb = nbformat.read(str(notebook_path), as_version=4)
    rows = []
    for index, cell in enumerate(nb.cells):
        duration = (cell.get("metadata", {}).get("papermill", {}) or {}).get("duration")
        if duration is not None:
            first_line = (cell.source.strip().splitlines() or [""])[0][:60]
            rows.append({"cell": index, "seconds": round(float(duration), 3), "source": first_line})
    return sorted(rows, key=lambda r: -r["seconds"])[:top]


def export_html(notebook: Union[str, Path], html_path: Union[str, Path], *, title: Optional[str] = None) -> Path:
    """Export an executed notebook to one self-contained HTML page that opens offline.

    Input cells and prompts are hidden, cells tagged ``parameters``,
    ``injected-parameters`` or ``remove-cell`` are dropped, widget state is removed, and
    the page references no CDN (no require.js, MathJax or widget manager). Charts must be
    rendered as SVG or PNG in the notebook (``alt.renderers.enable("svg")``).

    Parameters
    ----------
    notebook : path-like
        An executed ``.ipynb``.
    html_path : path-like
        Where to write the page.
    title : str, optional
        The page title (default: the notebook's ``metadata.title`` or file name).

    Returns
    -------
    pathlib.Path
        ``html_path``.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    nb = nbformat.read(str(notebook), as_version=4)
    nb.metadata.pop("widgets", None)
    if title:
        nb.metadata["title"] = title
    config = Config()
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_CELL_TAGS)
    exporter = HTMLExporter(config=config, extra_template_basedirs=[str(_NBCONVERT_DIR)], template_name="offline")
    body, _ = exporter.from_notebook_node(nb)
    found = external_references(body)
    if found:
        warnings.warn(f"The exported report {html_path} still references {len(found)} external resource(s), "
                      f"e.g. {found[0]!r}; it may not render offline.", WorkbenchWarning, stacklevel=2)
    path = Path(html_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def external_references(html: str) -> List[str]:
    """Tags in ``html`` that would fetch a resource from the network (script, link, img, iframe).

    Examples
    --------
    >>> external_references('<script src="https://cdn.example/x.js"></script><img src="data:image/png;base64,">')
    ['<script src="https://']
    >>> external_references('<a href="https://example.org">a link is fine</a>')
    []
    """
    found: List[str] = []

    class _Scanner(HTMLParser):  # attributes as a browser reads them: text inside alt="..." is not a src
        def handle_starttag(self, tag, attrs):
            if tag not in _FETCHING_TAGS:
                return
            for name, value in attrs:
                match = _REMOTE.match(value or "") if name in ("src", "href") else None
                if match:
                    found.append(f'<{tag} {name}="{match.group(0)}')

        handle_startendtag = handle_starttag

    _Scanner(convert_charrefs=True).feed(html)
    return found
