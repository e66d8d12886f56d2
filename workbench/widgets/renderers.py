"""Item renderers: text, image, audio, conversation. Untrusted text is always escaped.

A renderer takes an :class:`~workbench.widgets._protocol.Item` and returns either an
HTML string (shown in the labeler's item panel) or an ipywidget (for audio). Every
piece of item text, metadata and model output goes through :func:`html.escape`
before it reaches HTML, so an item such as ``<img src=x onerror=alert(1)>`` is shown
as text and runs nothing.

Item conventions (metadata columns of the store's ``items`` table):

- text: ``item.text``;
- image: ``image`` (array-like of shape (h, w) or (h, w, 3|4), ``bytes`` of a PNG/JPEG,
  or a file path) or ``image_path``;
- audio: ``audio`` / ``audio_path`` (file path or bytes), or an array with ``sample_rate``;
- conversation: ``messages`` (list of ``{"role", "content"}``), or ``prompt`` and
  ``responses`` (list of str), or the same as a JSON document in ``item.text``.

Examples
--------
>>> from workbench.widgets._protocol import Item
>>> html = render_text(Item("x", "<script>alert(1)</script> refund please"), highlight=["refund"])
>>> "<script>" in html, "&lt;script&gt;" in html, "<mark" in html
(False, True, True)
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from pathlib import Path
from typing import Any, Iterable, Optional

from .._internal.markup import escape_text
from ..exceptions import DataError
from ._protocol import Item, decode_json

__all__ = [
    "render_text",
    "render_image",
    "render_audio",
    "render_conversation",
    "render_item",
    "make_renderer",
    "array_to_png",
    "escape",
]

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".webp": "image/webp", ".bmp": "image/bmp"}


def escape(value: Any) -> str:
    """Escape any value for HTML (quotes included) and Markdown; ``None`` and NaN give ``""``.

    The package's one escaping path, :func:`workbench._internal.markup.escape_text`: the text
    stays inert if a caller also puts it through Markdown, and control and bidi characters
    are shown as ``⟨U+XXXX⟩``.

    Examples
    --------
    >>> escape('<b onclick="x">')
    '&lt;b onclick=&quot;x&quot;&gt;'
    >>> escape("[a](javascript:x)")
    '&#91;a&#93;&#40;javascript&#58;x&#41;'
    """
    return escape_text(value)


def _highlight(text: str, terms: Optional[Iterable[str]]) -> str:
    terms = [t for t in (terms or []) if t and str(t).strip()]
    if not terms:
        return escape(text)
    pattern = re.compile("|".join(re.escape(str(t)) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos:m.start()]))
        out.append(f'<mark class="wb-mark">{escape(m.group(0))}</mark>')
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


_PII_TOKEN = re.compile(r"&#91;(email|phone|card|iban|ip)&#93;")  # mask_pii's tokens, once escaped


def render_text(item: Item, *, mask_pii: bool = False, highlight: Optional[Iterable[str]] = None) -> str:
    """Render ``item.text`` as escaped HTML, optionally PII-masked and with terms highlighted.

    Parameters
    ----------
    item : Item
    mask_pii : bool, default False
        Mask e-mails, phone numbers, card numbers, IBANs and IP addresses
        (:func:`workbench.items.mask_pii`) before display.
    highlight : iterable of str, optional
        Terms to mark (case-insensitive).

    Returns
    -------
    str
        An HTML fragment.

    Examples
    --------
    >>> render_text(Item("x", "a < b"))
    '<div class="wb-text">a &lt; b</div>'
    >>> render_text(Item("x", "mail ana@x.org"), mask_pii=True)
    '<div class="wb-text">mail <span class="wb-pii">email</span></div><div class="wb-masked">personal data masked</div>'
    """
    text = item.text or ""
    note = ""
    if mask_pii:
        from ..items import mask_pii as _mask

        masked = _mask(text)
        if masked != text:
            note = '<div class="wb-masked">personal data masked</div>'
        text = masked
    body = _highlight(text, highlight)
    if note:
        body = _PII_TOKEN.sub(lambda m: f'<span class="wb-pii">{m.group(1)}</span>', body)
    return f'<div class="wb-text">{body}</div>{note}'


# ---------------------------------------------------------------- images


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def array_to_png(array: Any, *, scale: int = 1) -> bytes:
    """Encode a grey (h, w) or RGB(A) (h, w, 3|4) array as PNG bytes, without PIL or matplotlib.

    Values are rescaled to 0-255 from the array's own range unless it is already
    ``uint8``. ``scale`` repeats pixels (nearest neighbour), e.g. 8x8 digits at 20.

    Examples
    --------
    >>> png = array_to_png([[0, 16], [16, 0]], scale=2)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    import numpy as np

    arr = np.asarray(array)
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)) or arr.size == 0:
        raise DataError(f"An image must be an array of shape (h, w), (h, w, 3) or (h, w, 4); got shape {arr.shape}. "
                        "Reshape it (e.g. digits.images[i], not digits.data[i]).", reason="bad_image")
    if arr.dtype != np.uint8:
        arr = arr.astype(float)
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        arr = np.zeros(arr.shape) if hi <= lo else (arr - lo) / (hi - lo)
        arr = np.clip(np.nan_to_num(arr) * 255 + 0.5, 0, 255).astype(np.uint8)
    if scale > 1:
        arr = arr.repeat(scale, axis=0).repeat(scale, axis=1)
    h, w = arr.shape[:2]
    color = {2: 0}.get(arr.ndim, 2 if arr.ndim == 3 and arr.shape[2] == 3 else 6)
    raw = b"".join(b"\x00" + arr[r].tobytes() for r in range(h))
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0))
            + _png_chunk(b"IDAT", zlib.compress(raw, 6)) + _png_chunk(b"IEND", b""))


def render_image(item: Item, *, key: Optional[str] = None, width: int = 360) -> str:
    """Render an item's image (array, bytes or file path) as an ``<img>`` with a data URI.

    Parameters
    ----------
    item : Item
    key : str, optional
        The metadata column holding the image; default ``image`` then ``image_path``.
    width : int, default 360
        Display width in CSS pixels (small arrays are upscaled without blur).

    Examples
    --------
    >>> html = render_image(Item("d", "digit", meta={"image": [[0, 9], [9, 0]]}))
    >>> html.startswith('<figure class="wb-figure"><img') and "data:image/png;base64," in html
    True
    """
    value = item.get(key) if key else (item.get("image") if item.get("image") is not None else item.get("image_path"))
    if value is None:
        raise DataError(f"Item {item.item_id!r} has no image: give it an 'image' (array, bytes or path) or "
                        "'image_path' column, or pass item_renderer=render_text.", reason="no_image")
    value = decode_json(value)
    if isinstance(value, (bytes, bytearray)):
        mime, data = ("image/jpeg" if bytes(value[:2]) == b"\xff\xd8" else "image/png"), bytes(value)
    elif isinstance(value, (str, Path)):
        path = Path(value)
        if not path.is_file():
            raise DataError(f"Image file {str(path)!r} of item {item.item_id!r} does not exist. "
                            "Store absolute paths, or paths relative to where the kernel runs.", reason="no_image")
        mime, data = _MIME.get(path.suffix.lower(), "image/png"), path.read_bytes()
    else:
        import numpy as np

        arr = np.asarray(value)
        scale = max(1, int(width // max(arr.shape[1], 1))) if arr.ndim >= 2 and arr.shape[1] < width else 1
        mime, data = "image/png", array_to_png(arr, scale=scale)
    uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    caption = item.text if item.text and item.text != str(value) else ""
    cap = f'<figcaption class="wb-caption">{escape(caption)}</figcaption>' if caption else ""
    return (f'<figure class="wb-figure"><img class="wb-image" alt="{escape(item.item_id)}" src="{uri}" '
            f'style="width:{int(width)}px;image-rendering:pixelated"/>{cap}</figure>')


# ---------------------------------------------------------------- audio


def _wav_bytes(samples: Any, rate: int) -> bytes:
    import io
    import wave

    import numpy as np

    arr = np.asarray(samples, dtype=float).ravel()
    peak = float(np.max(np.abs(arr))) if arr.size else 0.0
    pcm = (arr / peak * 32767 if peak > 0 else arr).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def render_audio(item: Item):
    """Return a playable ``ipywidgets.Audio`` (in a box with the item text as caption).

    The clip comes from ``audio`` / ``audio_path`` (path or bytes), or from a sample
    array in ``audio`` with ``sample_rate``.

    Examples
    --------
    >>> box = render_audio(Item("a", "a beep", meta={"audio": [0.0, 0.5, -0.5, 0.0], "sample_rate": 8000}))
    >>> type(box.children[0]).__name__, box.children[0].format
    ('Audio', 'wav')
    """
    import ipywidgets as widgets

    value = item.get("audio") if item.get("audio") is not None else item.get("audio_path")
    value = decode_json(value)
    if value is None:
        raise DataError(f"Item {item.item_id!r} has no audio: give it an 'audio' (path, bytes or samples with "
                        "'sample_rate') or 'audio_path' column.", reason="no_audio")
    if isinstance(value, (bytes, bytearray)):
        data, fmt = bytes(value), "wav"
    elif isinstance(value, (str, Path)):
        path = Path(value)
        if not path.is_file():
            raise DataError(f"Audio file {str(path)!r} of item {item.item_id!r} does not exist.", reason="no_audio")
        data, fmt = path.read_bytes(), (path.suffix.lstrip(".").lower() or "wav")
    else:
        rate = item.get("sample_rate")
        if rate is None:
            raise DataError(f"Item {item.item_id!r} gives audio samples but no 'sample_rate' column.",
                            reason="no_audio")
        data, fmt = _wav_bytes(value, int(rate)), "wav"
    player = widgets.Audio(value=data, format=fmt, autoplay=False, loop=False)
    caption = widgets.HTML(f'<div class="wb-caption">{escape(item.text)}</div>')
    return widgets.VBox([player, caption], layout=widgets.Layout(align_items="center"))


# ---------------------------------------------------------------- conversations


def _conversation_parts(item: Item):
    messages, prompt, responses = item.get("messages"), item.get("prompt"), item.get("responses")
    if messages is None and prompt is None:
        doc = decode_json(item.text)
        if isinstance(doc, dict):
            messages, prompt, responses = doc.get("messages"), doc.get("prompt"), doc.get("responses")
        elif isinstance(doc, list):
            messages = doc
    return decode_json(messages), prompt, decode_json(responses)


def render_conversation(item: Item, *, mask_pii: bool = False) -> str:
    """Render a chat (``messages``) or a prompt with model ``responses`` as escaped HTML.

    Examples
    --------
    >>> html = render_conversation(Item("c", "", meta={"prompt": "Hi?", "responses": ["<b>A</b>", "B"]}))
    >>> "Response 1" in html and "&lt;b&gt;A&lt;/b&gt;" in html
    True
    """
    mask = (lambda s: s)
    if mask_pii:
        from ..items import mask_pii as mask  # noqa: F811 - chosen at run time
    messages, prompt, responses = _conversation_parts(item)
    parts = []
    for m in messages or []:
        role = m.get("role", "user") if isinstance(m, dict) else "user"
        content = m.get("content", "") if isinstance(m, dict) else m
        parts.append(f'<div class="wb-msg wb-role-{escape(re.sub(r"[^a-z]", "", str(role).lower()))}">'
                     f'<div class="wb-role">{escape(role)}</div><div class="wb-text">{escape(mask(str(content)))}</div></div>')
    if prompt is not None:
        parts.append(f'<div class="wb-msg wb-role-user"><div class="wb-role">prompt</div>'
                     f'<div class="wb-text">{escape(mask(str(prompt)))}</div></div>')
    if responses:
        cols = "".join(f'<div class="wb-response"><div class="wb-role">Response {i}</div>'
                       f'<div class="wb-text">{escape(mask(str(r)))}</div></div>'
                       for i, r in enumerate(responses, 1))
        parts.append(f'<div class="wb-responses">{cols}</div>')
    if not parts:
        raise DataError(f"Item {item.item_id!r} is not a conversation: give it 'messages', or 'prompt' and "
                        "'responses' (columns or a JSON document in the text).", reason="no_conversation")
    return f'<div class="wb-conversation">{"".join(parts)}</div>'


# ---------------------------------------------------------------- dispatch


def render_item(item: Item, *, mask_pii: bool = False, highlight: Optional[Iterable[str]] = None):
    """Pick the renderer from the item's columns: image, audio, conversation, else text.

    Examples
    --------
    >>> render_item(Item("x", "plain")).startswith('<div class="wb-text">')
    True
    """
    if item.get("image") is not None or item.get("image_path") is not None:
        return render_image(item)
    if item.get("audio") is not None or item.get("audio_path") is not None:
        return render_audio(item)
    if item.get("messages") is not None or item.get("prompt") is not None:
        return render_conversation(item, mask_pii=mask_pii)
    text = item.text or ""
    if text[:1] in "[{":
        messages, prompt, _ = _conversation_parts(item)
        chat = isinstance(messages, list) and messages and all(isinstance(m, dict) and "content" in m
                                                               for m in messages)
        if chat or isinstance(prompt, str):
            return render_conversation(item, mask_pii=mask_pii)
    return render_text(item, mask_pii=mask_pii, highlight=highlight)


def make_renderer(*, mask_pii: bool = False, highlight: Optional[Iterable[str]] = None):
    """Return ``render(item)`` bound to the given options (what ``Labeller`` uses by default).

    Examples
    --------
    >>> make_renderer(highlight=["b"])(Item("x", "abc"))
    '<div class="wb-text">a<mark class="wb-mark">b</mark>c</div>'
    """
    terms = list(highlight or [])

    def render(item: Item):
        return render_item(item, mask_pii=mask_pii, highlight=terms)

    return render
