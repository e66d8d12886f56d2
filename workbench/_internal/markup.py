"""The one escaping path for untrusted text shown in HTML *or* Markdown.

Report templates put data text (item text, notes, annotator names, taxonomy names, category
ids, ...) into ``IPython.display.Markdown`` as well as into HTML, and the same helper also
serves the widgets, the guideline and the taxonomy's notebook summary. :func:`escape_text`
returns text that is inert in both languages:

- HTML: ``& < > " '`` become entities, so no tag, attribute or comment can start;
- Markdown (CommonMark + GFM as rendered by JupyterLab's marked and nbconvert's mistune with
  its url plugin and ``$...$`` math): every character that can start a link, image,
  autolink, emphasis, code span, math, table, footnote, attribute list or heading is written
  as a numeric character reference (``[`` is ``&#91;``). Markdown decodes a reference to the
  literal character and never parses it again as syntax, and HTML shows the same character,
  so the page reads exactly like the input;
- control characters (C0 but tab and newline, DEL, C1), lone surrogates, U+FEFF, U+FFFE, U+FFFF
  and the Unicode bidirectional controls are shown as a visible ``⟨U+202E⟩`` so they cannot reorder or hide
  the text around them.

One exception to "never parsed again": inside a Markdown code span or code block references
are *not* decoded. Never put the output in backticks; write ``<code>{escape_text(x)}</code>``.

Examples
--------
>>> from workbench._internal.markup import escape_text
>>> escape_text("[click](javascript:alert(1))")
'&#91;click&#93;&#40;javascript&#58;alert&#40;1&#41;&#41;'
>>> escape_text("<b>hi</b>")
'&lt;b&gt;hi&lt;/b&gt;'
"""

from __future__ import annotations

import re
from typing import Any, Dict

__all__ = ["escape_text", "MARKDOWN_SPECIALS", "shown_controls"]

#: Characters that start a Markdown (CommonMark, GFM, mistune / marked / markdown-it plugin)
#: construct; each is written as a numeric character reference.
MARKDOWN_SPECIALS = "[]()!`*_{}#|~$\\:@^"

# Unicode bidirectional controls: embeddings / overrides (U+202A-U+202E), isolates
# (U+2066-U+2069), the LRM / RLM marks and the Arabic letter mark.
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
# C0 controls but tab and newline, DEL, C1 controls, lone surrogates (which cannot even be
# written as UTF-8), the byte-order mark U+FEFF (invisible; a parser drops it at the start of a
# document, so the indentation after it would open a code block) and the noncharacters U+FFFE,
# U+FFFF. Without these and the C0 controls the text is also valid XML (an SVG chart's labels).
_CONTROLS = ([c for c in range(0x00, 0x20) if c not in (0x09, 0x0A)] + [0x7F] + list(range(0x80, 0xA0))
             + list(range(0xD800, 0xE000)) + [0xFEFF, 0xFFFE, 0xFFFF])

_TABLE: Dict[int, str] = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;",
                          ord("'"): "&#x27;"}
_TABLE.update({ord(c): f"&#{ord(c)};" for c in MARKDOWN_SPECIALS})
_CONTROL_TABLE: Dict[int, str] = {c: f"\u27e8U+{c:04X}\u27e9" for c in _CONTROLS + _BIDI}
_TABLE.update(_CONTROL_TABLE)

# A dot that joins two words ("www.x", "evil.com", "e.g"): a linkifier's host name. Dots in
# numbers ("0.71") and at the end of a sentence are left alone.
_WORD_DOT = re.compile(r"(?<=[^\W_])\.(?=[^\W\d_])")
# The start of every line: its indentation (an indented code block) and a list, setext or
# ordered-list marker ("- ", "+ ", "===", "12. ").
_LINE_START = re.compile(r"(?m)^([ \t]*)([-+=]|\d{1,9}\.(?=[ \t]|$))?")


def _line_start(match: "re.Match[str]") -> str:
    indent, marker = match.group(1), match.group(2) or ""
    indent = indent.replace(" ", "&#32;").replace("\t", "&#9;")
    if marker.endswith("."):
        marker = marker[:-1] + "&#46;"
    elif marker:
        marker = f"&#{ord(marker)};"
    return indent + marker


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return False
    try:
        return bool(value != value)  # NaN, numpy NaN, pandas NaT
    except (TypeError, ValueError):  # pandas NA refuses bool(); arrays compare element-wise
        return type(value).__name__ == "NAType"


def shown_controls(value: Any) -> str:
    """``value`` as text with its control and bidi characters written as ``⟨U+XXXX⟩``.

    What :func:`escape_text` shows once a browser has decoded its entities: the input with
    ``\\r\\n`` as ``\\n`` and every character that could reorder or hide text made visible.

    Parameters
    ----------
    value : Any
        Converted with ``str``; ``None`` and NaN give ``""``.

    Returns
    -------
    str

    Examples
    --------
    >>> shown_controls("abc\\u202edef\\x00")
    'abc⟨U+202E⟩def⟨U+0000⟩'
    >>> shown_controls("line one\\r\\nline two\\ttab")
    'line one\\nline two\\ttab'
    """
    if _is_missing(value):
        return ""
    text = str(value).replace("\r\n", "\n")
    return text.translate(_CONTROL_TABLE)


def escape_text(value: Any) -> str:
    """Escape untrusted text so it is inert as HTML *and* as Markdown, and reads the same.

    ``& < > " '`` become HTML entities; every character that starts a Markdown construct
    (``[ ] ( ) ! ` * _ { } # | ~ $ \\ : @ ^``), a dot joining two words (``www.x.com``,
    ``evil.com``: no linkifier sees a host name) and a list or heading marker or indentation
    at the start of a line become numeric character references; control characters (C0 but
    tab and newline, DEL, C1), lone surrogates, the byte-order mark U+FEFF, the noncharacters
    U+FFFE and U+FFFF and the bidirectional controls U+202A-U+202E,
    U+2066-U+2069, U+200E, U+200F and U+061C are shown as ``⟨U+XXXX⟩``; ``\\r\\n`` becomes
    ``\\n``.

    The result can go anywhere HTML text or an HTML attribute value (in double quotes) can,
    and anywhere in a Markdown paragraph, heading, list item, table cell or inline HTML
    element, e.g. ``<code>{escape_text(x)}</code>``. It must not go inside a Markdown code
    span or code block (backticks, ``~~~``, 4-space indentation), where references are shown
    as typed, nor inside ``<script>`` or ``<style>``.

    Parameters
    ----------
    value : Any
        Converted with ``str``; ``None``, NaN, NaT and ``pandas.NA`` give ``""``.

    Returns
    -------
    str
        The escaped text. Browsers and Markdown renderers show it as
        :func:`shown_controls` of ``value``.

    Examples
    --------
    >>> escape_text(None), escape_text(float("nan")), escape_text(3)
    ('', '', '3')
    >>> escape_text('a & "b"')
    'a &amp; &quot;b&quot;'
    >>> escape_text("![x](http://host/p.png)")
    '&#33;&#91;x&#93;&#40;http&#58;//host/p&#46;png&#41;'
    >>> escape_text("see www.example.com or me@example.com, it costs $5")
    'see www&#46;example&#46;com or me&#64;example&#46;com, it costs &#36;5'
    >>> escape_text("- item\\n    code")
    '&#45; item\\n&#32;&#32;&#32;&#32;code'
    >>> escape_text("abc\\u202edef")
    'abc⟨U+202E⟩def'

    The output reads as the input once rendered:

    >>> import html
    >>> html.unescape(escape_text("<b onclick=x>`$x$`</b> 0.71 how_to"))
    '<b onclick=x>`$x$`</b> 0.71 how_to'
    """
    if _is_missing(value):
        return ""
    text = str(value).replace("\r\n", "\n").translate(_TABLE)
    text = _WORD_DOT.sub("&#46;", text)
    return _LINE_START.sub(_line_start, text)
