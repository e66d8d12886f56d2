"""Charts in reports: static SVG with alt text, so the exported page needs no script or network.

:func:`enable` registers and turns on altair's ``workbench-svg`` renderer. It renders each
chart to SVG with vl-convert (as altair's own ``svg`` renderer does) and carries the chart's
``description`` (set by every :mod:`workbench.charts` builder) two ways:

- as the display's ``image/svg+xml`` metadata ``alt``, which the offline HTML template writes
  into the ``<img alt="...">`` of the exported report;
- inside the SVG, as ``role="img"``, ``aria-label`` and a ``<title>``, for JupyterLab and any
  viewer that shows the SVG itself.

A chart without a description gets its title as alt text; ``missing_alt`` counts those.

Examples
--------
>>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>'
>>> labelled_svg(svg, "Bars: a 3, b <1>")
'<svg role="img" aria-label="Bars: a 3, b &lt;1&gt;" xmlns="http://www.w3.org/2000/svg" width="10"><title>Bars: a 3, b &lt;1&gt;</title><rect/></svg>'
"""

from __future__ import annotations

import html
import re
from typing import Optional, Tuple

from .._internal.markup import shown_controls

__all__ = ["RENDERER", "enable", "alt_text", "labelled_svg", "render_svg"]

#: Name of the altair renderer :func:`enable` registers.
RENDERER = "workbench-svg"

_SVG_OPEN = re.compile(r"<svg\b")


def alt_text(spec: dict) -> Optional[str]:
    """The chart's description, else ``'Chart: <title>'``, else None (control characters shown as ⟨U+XXXX⟩)."""
    text = spec.get("description")
    if isinstance(text, str) and text.strip():
        return shown_controls(text.strip())
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return f"Chart: {shown_controls(title)}" if isinstance(title, str) and title.strip() else None


def labelled_svg(svg: str, text: Optional[str]) -> str:
    """``svg`` with ``role="img"``, an ``aria-label`` and a ``<title>`` holding ``text`` (escaped)."""
    if not text:
        return svg
    quoted = html.escape(text, quote=True)
    opened = _SVG_OPEN.sub(lambda _: f'<svg role="img" aria-label="{quoted}"', svg, count=1)
    end = opened.find(">", opened.find("<svg"))
    return opened[:end + 1] + f"<title>{quoted}</title>" + opened[end + 1:]


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
