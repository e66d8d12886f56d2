"""Charts in reports: static SVG with alt text, so the exported page needs no script or network.

:func:`enable` registers and turns on altair's ``workbench-svg`` renderer. It renders each
chart to SVG with vl-convert (as altair's own ``svg`` renderer does) and carries the chart's
``description`` (set by every :mod:`workbench.charts` builder) two ways:

- as the display's ``image/svg+xml`` metadata ``alt``, which the offline HTML template writes
  into the ``<img alt="...">`` of the exported report;
- inside the SVG, as ``role="img"``, ``aria-label`` and a ``<title>``, for JupyterLab and any
  viewer that shows the SVG itself.

A chart without a description gets its title as alt text (:func:`workbench.charts.alt_text`).

Examples
--------
>>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>'
>>> labelled_svg(svg, "Bars: a 3, b <1>")
'<svg role="img" aria-label="Bars: a 3, b &lt;1&gt;" xmlns="http://www.w3.org/2000/svg" width="10"><title>Bars: a 3, b &lt;1&gt;</title><rect/></svg>'
"""

from __future__ import annotations

from typing import Tuple

from ..charts import alt_text, labelled_svg

__all__ = ["RENDERER", "enable", "alt_text", "labelled_svg", "render_svg"]

#: Name of the altair renderer :func:`enable` registers.
RENDERER = "workbench-svg"


def render_svg(spec: dict, **kwargs) -> Tuple[dict, dict]:
    """altair renderer: ``({'image/svg+xml': svg}, {'image/svg+xml': {'alt': text}})``."""
    import vl_convert as vlc

    text = alt_text(spec)
    svg = labelled_svg(vlc.vegalite_to_svg(spec), text)
    return {"image/svg+xml": svg}, ({"image/svg+xml": {"alt": text}} if text else {})


def enable() -> str:
    """Register the renderer with altair and enable it; return its name."""
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, render_svg)
    alt.renderers.enable(RENDERER)
    return RENDERER
