"""Static SVG of a chart, with its alt text inside: for reports and for served pages without scripts.

The chart's ``description`` (set by every builder here) becomes the SVG's ``role="img"``,
``aria-label`` and ``<title>``; a chart without one is labelled by its title.

Examples
--------
>>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>'
>>> labelled_svg(svg, "Bars: a 3, b <1>")
'<svg role="img" aria-label="Bars: a 3, b &lt;1&gt;" xmlns="http://www.w3.org/2000/svg" width="10"><title>Bars: a 3, b &lt;1&gt;</title><rect/></svg>'
"""

from __future__ import annotations

import html
import re
from typing import Optional

from .._internal.markup import shown_controls

__all__ = ["alt_text", "labelled_svg", "chart_svg"]

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


def chart_svg(chart) -> str:
    """An altair chart (or its Vega-Lite dict) as one labelled SVG string, drawn by vl-convert.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.charts import plot_label_distribution
    >>> svg = chart_svg(plot_label_distribution(pd.DataFrame({"category": ["a"], "count": [3]})))
    >>> svg.startswith('<svg role="img" aria-label="Horizontal bar chart')
    True
    """
    import vl_convert as vlc

    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return labelled_svg(vlc.vegalite_to_svg(spec), alt_text(spec))
