"""Bounding-box screen: the image in an HTML canvas, clicks via an ipyevents listener, boxes as CSS overlays.

Private helper of :mod:`workbench.widgets.tagging` (the public :class:`BoxAnnotator` wires this
view to a :class:`~workbench.widgets.session.LabelingSession`). The click listener is an
attribute, never a child (an ipyevents ``Event`` has no view).

Examples
--------
>>> image_data(Item("d", "", meta={"image": [[0, 255]]}))[2]
(2, 1)
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Tuple

import ipywidgets as widgets
import traitlets

from ..exceptions import DataError
from . import _keys
from ._frame import AnswerIncomplete
from ._protocol import Item, decode_json
from ._tags import TagFrame
from .renderers import array_to_png, escape

__all__ = ["BoxView", "image_data"]


def image_data(item: Item) -> Tuple[str, bytes, Tuple[int, int]]:
    """``(mime, bytes, (width, height))`` of an item's ``image`` / ``image_path`` (array, bytes or path).

    Examples
    --------
    >>> image_data(Item("d", "", meta={"image": [[0, 255, 0]]}))[::2]
    ('image/png', (3, 1))
    """
    value = decode_json(item.get("image") if item.get("image") is not None else item.get("image_path"))
    if value is None:
        raise DataError(f"Item {item.item_id!r} has no image: give it an 'image' (array, bytes or path) or "
                        "'image_path' column.", reason="no_image")
    if isinstance(value, (str, Path)):
        path = Path(value)
        if not path.is_file():
            raise DataError(f"Image file {str(path)!r} of item {item.item_id!r} does not exist. Store absolute "
                            "paths, or paths relative to where the kernel runs.", reason="no_image")
        value = path.read_bytes()
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            return "image/png", data, struct.unpack(">II", data[16:24])
        try:
            import io

            from PIL import Image
            with Image.open(io.BytesIO(data)) as im:
                return Image.MIME.get(im.format, "image/jpeg"), data, im.size
        except Exception as exc:  # noqa: BLE001 - any decoding failure
            raise DataError(f"Cannot read the size of the image of item {item.item_id!r}: give a PNG, or install "
                            f"Pillow for other formats ({exc}).", reason="no_image") from exc
    import numpy as np

    arr = np.asarray(value)
    return "image/png", array_to_png(arr), (int(arr.shape[1]), int(arr.shape[0]))


class BoxView(TagFrame):
    """The bounding-box screen (no store); :class:`BoxAnnotator` wires it to a session.

    Parameters
    ----------
    labels, taxonomy, title, rationale
        As for :class:`~workbench.widgets._tags.TagFrame` (``rationale`` default False: the note is optional).
    max_width, max_height : int, default 640, 520
        The image is scaled (up for small images, pixelated) to fit this box.

    Examples
    --------
    >>> view = BoxView(["cat", "dog"])
    >>> got = []
    >>> view.on_submit(got.append)
    >>> view.display(Item("im", "", meta={"image": [[0] * 8] * 4}))
    >>> view.scale  # 8 x 4 pixels shown 80 times larger
    80.0
    >>> view._canvas_click({"type": "click", "relativeX": 80, "relativeY": 40})
    >>> view._canvas_click({"type": "click", "relativeX": 400, "relativeY": 240})
    >>> view.press("2")
    >>> view.press("Enter")
    >>> json.loads(got[0].label)
    [{'x': 1, 'y': 0, 'w': 4, 'h': 3, 'label': 'dog'}]
    """

    keys_html = ("click two opposite corners, then <kbd>1</kbd>…<kbd>9</kbd> label · <kbd>Esc</kbd> clear · "
                 "<kbd>Enter</kbd> submit")

    marks_trait = "boxes"
    #: The labeled boxes: ``{"x", "y", "w", "h", "label"}`` in image pixels.
    boxes = traitlets.List()

    def __init__(self, labels, *, taxonomy=None, title: str = "", rationale: bool = False, max_width: int = 640,
                 max_height: int = 520):
        self.max_width = int(max_width)
        self.max_height = int(max_height)
        self.size = (1, 1)
        self.scale = 1.0
        self._uri = ""
        self.canvas = widgets.HTML("")
        self.canvas_box = widgets.Box([self.canvas], layout=widgets.Layout(display="block"))
        self.canvas_box.add_class("wb-image-box")
        super().__init__(labels, taxonomy=taxonomy, title=title, rationale=rationale,
                         item_renderer=self._render_canvas,
                         rationale_placeholder="Note (required): anything unclear about this image?",
                         hint="Click two opposite corners of an object, then its label. Nothing to box? Just submit.")
        self.item_box.add_class("wb-item-image")
        # an attribute, never a child: an ipyevents Event has no view
        self._click_event = _keys.attach_click(self.canvas, self._canvas_click)

    def _render_canvas(self, item: Item):
        self.size, self._uri = (1, 1), ""
        mime, data, self.size = image_data(item)
        self.scale = min(self.max_width / max(self.size[0], 1), self.max_height / max(self.size[1], 1))
        self._uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        return self.canvas_box

    def _to_image(self, event: dict) -> Tuple[float, float]:
        x = float(event.get("relativeX", 0)) / self.scale
        y = float(event.get("relativeY", 0)) / self.scale
        return min(max(x, 0.0), self.size[0]), min(max(y, 0.0), self.size[1])

    def _canvas_click(self, event: dict) -> None:
        if self.item is None or not self._uri or event.get("type", "click") != "click":
            return
        x, y = self._to_image(event)
        if self._start is None or self._pending is not None:
            with self.hold_trait_notifications():
                self._start, self._pending = (x, y), None
            self._say("First corner set: click the opposite corner.")
            return
        x0, y0 = self._start
        left, top = int(round(min(x0, x))), int(round(min(y0, y)))
        right, bottom = int(round(max(x0, x))), int(round(max(y0, y)))
        with self.hold_trait_notifications():
            self._start = None
            if right - left < 1 or bottom - top < 1:
                self._say("That box is empty: click two different corners.", error=True)
            else:
                self._pending = {"x": left, "y": top, "w": right - left, "h": bottom - top}
                self._say(f"Box {right - left}×{bottom - top} px drawn: press its label "
                          f"(1…{len(self.tag_labels)}).")

    def _apply(self, label: str) -> None:
        if self.item is None or self._pending is None:
            self._say("Draw a box first: click two opposite corners on the image.", error=True)
            return
        with self.hold_trait_notifications():
            self.boxes = self.boxes + [{**self._pending, "label": label}]
            self._pending = None
        self._say(f"Box labeled {self.tag_names[label]}.")

    def _paint(self) -> None:
        s = self.scale
        w, h = int(round(self.size[0] * s)), int(round(self.size[1] * s))
        parts = []
        for b in self.boxes + ([dict(self._pending, label=None)] if self._pending else []):
            css = self._color(b["label"]) if b["label"] else "wb-tag-3"
            style = "border-style:dashed;" if b["label"] is None else ""
            name = escape(self.tag_names.get(b["label"], b["label"])) if b["label"] else "?"
            parts.append(f'<div class="wb-bbox {css}" style="{style}left:{b["x"] * s:.0f}px;top:{b["y"] * s:.0f}px;'
                         f'width:{b["w"] * s:.0f}px;height:{b["h"] * s:.0f}px"><span>{name}</span></div>')
        if self._start is not None:
            parts.append(f'<div class="wb-corner" style="left:{self._start[0] * s:.0f}px;'
                         f'top:{self._start[1] * s:.0f}px"></div>')
        img = (f'<img src="{self._uri}" alt="{escape(self.item.item_id) if self.item else ""}" draggable="false" '
               f'style="width:{w}px;height:{h}px"/>') if self._uri else ""
        self.canvas.value = f'<div class="wb-canvas" style="width:{w}px;height:{h}px">{img}{"".join(parts)}</div>'
        self.chips.children = tuple(self._chip(i, f"{b['w']}×{b['h']} at ({b['x']}, {b['y']})", b["label"])
                                    for i, b in enumerate(self.boxes))

    def _answer(self) -> str:
        if self._pending is not None:
            raise AnswerIncomplete("The last box has no label yet: press its label, or Esc to drop it.")
        return json.dumps(self.boxes)
