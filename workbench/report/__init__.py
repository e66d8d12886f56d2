"""Reports: papermill runs a template notebook, nbconvert exports it to offline HTML.

- ``_runner``: :func:`render_report`, :func:`export_html` and the template registry.
- :mod:`.narrative`: the blocks the templates write with (escaped HTML, intervals, metrics).
- ``templates/``: the executable template notebooks (package data; sources in ``templates/src``
  of the repository); ``_nbconvert/``: the offline HTML exporter template.
"""

from .._internal.lazy import attach

__getattr__, __dir__, __all__ = attach(__name__, {
    "_runner": ["TEMPLATES", "ReportResult", "template_path", "template_parameters", "parse_parameter",
                "check_parameters", "render_report", "export_html",
                "external_references"],
}, submodules=["narrative", "figures"])
