"""SpanTagger and BoxAnnotator, driven in Python (button.click(), key / click events) against a real SQLite store."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from workbench.exceptions import DataError, ValidationError
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy
from workbench.widgets import BoxAnnotator, SpanTagger
from workbench.widgets._protocol import Item
from workbench.widgets.renderers import array_to_png
from workbench.widgets.tagging import image_data, tokenize

TAXONOMY = """
name: entities
version: 1
categories:
  - {id: PER, name: Person, definition: A person.}
  - {id: LOC, name: Place, definition: A place.}
  - {id: ORG, name: Organisation, definition: A company or institution.}
"""

TEXTS = {"t1": "Ada Lovelace met Charles Babbage in London.",
         "t2": "<script>window.pwned=1</script> ACME hired Bob."}


def key(widget, k):
    widget._handle_keystroke({"key": k, "type": "keydown"})


def click(widget, x, y):
    widget._canvas_click({"type": "click", "relativeX": x, "relativeY": y})


def make_store(url, folder):
    """Texts t1, t2 (t2 with a script payload), images im1 (40 x 20, white 20 x 10 rectangle at 10, 5)
    and im2 (a 50 x 30 PNG file); taxonomy PER / LOC / ORG; round 1."""
    s = AnnotationStore(url)
    v = s.save_taxonomy(Taxonomy.from_yaml(TAXONOMY))
    img = np.zeros((20, 40), dtype=np.uint8)
    img[5:15, 10:30] = 255
    png_path = folder / "square.png"
    png_path.write_bytes(array_to_png(np.zeros((30, 50), dtype=np.uint8)))
    s.add_items(pd.DataFrame({"item_id": list(TEXTS), "text": list(TEXTS.values())}))
    s.add_items(pd.DataFrame({"item_id": ["im1", "im2"], "text": ["a white rectangle", "a file"],
                              "image": [json.dumps(img.tolist()), None],
                              "image_path": [None, str(png_path)]}))
    s.create_round(1, taxonomy_version=v)
    return s


@pytest.fixture
def store(tmp_path):
    return make_store(f"sqlite:///{tmp_path / 'labels.db'}", tmp_path)


def stored(store, kind):
    df = store.annotations(round=1, kind=kind).sort_values("id")
    return [json.loads(v) for v in df["label"]]


def test_tokenize_keeps_exact_character_offsets():
    text = "Dr. O'Neil flew to São Paulo, Brazil!"
    for start, end, tok in tokenize(text):
        assert text[start:end] == tok
    assert [t for *_, t in tokenize(text)][:4] == ["Dr", ".", "O'Neil", "flew"]


def test_spans_by_clicks_and_keys_are_stored_with_offsets_and_text(store):
    tagger = SpanTagger(store, annotator="alice", round=1, item_ids=["t1", "t2"])
    assert [b.description for b in tagger.label_buttons] == ["1 · Person", "2 · Place", "3 · Organisation"]
    words = [b.description for b in tagger.token_buttons]
    assert words == ["Ada", "Lovelace", "met", "Charles", "Babbage", "in", "London", "."]
    tagger.token_buttons[1].click()  # clicking the end first works too
    tagger.token_buttons[0].click()
    key(tagger, "1")
    tagger.token_buttons[3].click()
    tagger.token_buttons[4].click()
    tagger.label_buttons[0].click()
    tagger.token_buttons[6].click()  # one word: click, then label
    key(tagger, "2")
    assert "wb-tag-1" in tagger.token_buttons[6]._dom_classes and "wb-tag-0" in tagger.token_buttons[0]._dom_classes
    assert len(tagger.chips.children) == 3
    key(tagger, "Enter")
    text = TEXTS["t1"]
    expected = [{"start": 0, "end": 12, "label": "PER", "text": "Ada Lovelace"},
                {"start": 17, "end": 32, "label": "PER", "text": "Charles Babbage"},
                {"start": 36, "end": 42, "label": "LOC", "text": "London"}]
    assert stored(store, "spans") == [expected]
    assert all(text[s["start"]:s["end"]] == s["text"] for s in expected)
    assert tagger.item.item_id == "t2" and tagger.spans == []


def test_spans_overlap_replaces_chip_removes_escape_clears_and_pending_selection_blocks_submit(store):
    tagger = SpanTagger(store, annotator="bob", round=1, labels={"NAME": "Name"}, item_ids=["t1"])
    tagger.token_buttons[3].click()
    tagger.token_buttons[4].click()
    key(tagger, "1")
    tagger.token_buttons[4].click()
    tagger.token_buttons[4].click()
    key(tagger, "1")  # "Babbage" overlaps "Charles Babbage": replaces it
    assert [s["text"] for s in tagger.spans] == ["Babbage"]
    tagger.token_buttons[0].click()
    key(tagger, "Escape")
    assert "wb-pick" not in tagger.token_buttons[0]._dom_classes
    tagger.token_buttons[0].click()
    tagger.token_buttons[1].click()
    key(tagger, "Enter")  # a selected span without label: refused
    assert stored(store, "spans") == [] and "no label" in tagger.status.value
    key(tagger, "Escape")
    tagger.chips.children[0].click()  # remove "Babbage"
    key(tagger, "Enter")  # no span is a valid answer
    assert stored(store, "spans") == [[]]


def test_span_text_is_escaped_and_back_restores_spans(store):
    tagger = SpanTagger(store, annotator="carol", round=1, item_ids=["t2", "t1"])
    assert tagger.token_buttons[0].description == "<"  # Button text is plain text, never HTML
    acme = [b.description for b in tagger.token_buttons].index("ACME")
    tagger.token_buttons[acme].click()
    key(tagger, "3")
    key(tagger, "Enter")
    assert stored(store, "spans")[0][0]["text"] == "ACME"
    key(tagger, "Backspace")
    assert stored(store, "spans") == [] and tagger.item.item_id == "t2"
    assert [s["text"] for s in tagger.spans] == ["ACME"]


def test_tagger_label_set_is_checked():
    from workbench.widgets.tagging import SpanTaggingView

    with pytest.raises(ValidationError, match="at most 9"):
        SpanTaggingView([str(i) for i in range(10)])
    with pytest.raises(ValidationError, match="distinct labels"):
        SpanTaggingView(["a", "a"])


def test_boxes_by_two_clicks_and_a_key_are_stored_in_image_pixels(store):
    boxes = BoxAnnotator(store, annotator="alice", round=1, labels=["rect", "other"], item_ids=["im1", "im2"])
    assert boxes.size == (40, 20) and boxes.scale == 16.0  # 40 x 20 shown 640 x 320
    assert "data:image/png;base64," in boxes.canvas.value
    key(boxes, "1")  # no box yet: nothing happens except a message
    assert boxes.boxes == [] and "Draw a box first" in boxes.status.value
    click(boxes, 30 * 16, 15 * 16)  # corners in any order
    click(boxes, 10 * 16, 5 * 16)
    assert "wb-bbox" in boxes.canvas.value and "border-style:dashed" in boxes.canvas.value
    key(boxes, "1")
    click(boxes, 0, 0)
    click(boxes, 10_000, 10_000)  # clamped to the image
    boxes.label_buttons[1].click()
    boxes.submit_button.click()
    assert stored(store, "boxes") == [[{"x": 10, "y": 5, "w": 20, "h": 10, "label": "rect"},
                                       {"x": 0, "y": 0, "w": 40, "h": 20, "label": "other"}]]
    # the drawn rectangle covers exactly the white pixels of the image
    img = np.zeros((20, 40))
    img[5:15, 10:30] = 1
    b = stored(store, "boxes")[0][0]
    assert img[b["y"]:b["y"] + b["h"], b["x"]:b["x"] + b["w"]].all() and img.sum() == b["w"] * b["h"]
    assert boxes.item.item_id == "im2" and boxes.size == (50, 30)


def test_box_annotator_empty_box_undo_and_restore(store):
    boxes = BoxAnnotator(store, annotator="bob", round=1, labels=["rect"], item_ids=["im1"])
    click(boxes, 100, 100)
    click(boxes, 100, 100)
    assert "empty" in boxes.status.value and boxes._pending is None
    click(boxes, 0, 0)
    click(boxes, 160, 160)
    key(boxes, "1")
    key(boxes, "Enter")
    assert boxes.item is None
    key(boxes, "Backspace")
    assert stored(store, "boxes") == [] and boxes.boxes == [{"x": 0, "y": 0, "w": 10, "h": 10, "label": "rect"}]


def test_image_data_reads_arrays_png_files_and_jpeg_bytes(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    assert image_data(Item("a", "", meta={"image": np.zeros((3, 7))}))[2] == (7, 3)
    buf = io.BytesIO()
    PIL.new("RGB", (33, 21)).save(buf, format="JPEG")
    mime, _, size = image_data(Item("j", "", meta={"image": buf.getvalue()}))
    assert (mime, size) == ("image/jpeg", (33, 21))
    with pytest.raises(DataError, match="has no image"):
        image_data(Item("x", "text only"))
    with pytest.raises(DataError, match="does not exist"):
        image_data(Item("x", "", meta={"image_path": str(tmp_path / "missing.png")}))


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80), st.data())
def test_any_span_made_by_clicks_holds_exact_offsets_of_the_text(text, data):
    from workbench.widgets.tagging import SpanTaggingView

    view = SpanTaggingView(["A", "B"])
    got = []
    view.on_submit(got.append)
    view.display(Item("x", text))
    n = len(view.token_buttons)
    assert "".join(t for *_, t in view.tokens) == "".join(text.split())  # tokens cover every non-blank char
    if n:
        i, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        view.token_buttons[i].click()
        view.token_buttons[j].click()
        view._handle_keystroke({"key": data.draw(st.sampled_from(["1", "2"])), "type": "keydown"})
    view._handle_keystroke({"key": "Enter", "type": "keydown"})
    spans = json.loads(got[0].label)
    assert len(spans) == (1 if n else 0)
    for s in spans:
        assert text[s["start"]:s["end"]] == s["text"] and s["text"].strip() == s["text"] and s["text"]


def test_line_breaks_of_the_text_are_kept_between_words():
    from workbench.widgets.tagging import SpanTaggingView

    view = SpanTaggingView(["A"])
    view.display(Item("x", "Dear team,\n\nmy order 42 is late.\nThanks"))
    kinds = ["break" if "wb-break" in w._dom_classes else w.description for w in view.item_box.children[0].children]
    assert kinds == ["Dear", "team", ",", "break", "my", "order", "42", "is", "late", ".", "break", "Thanks"]
    assert len(view.token_buttons) == 10


def test_no_widget_puts_an_ipyevents_event_in_its_children(store):
    """An ipyevents Event has no view: in children it gives "Class null not found" in JupyterLab 4 / Voilà."""
    import ipywidgets as widgets
    from ipyevents import Event

    from workbench.widgets import Adjudicator, CalibrationQuiz, PairwiseRater, RubricRater

    def tree(w):
        yield w
        for c in getattr(w, "children", ()) or ():
            yield from tree(c)

    store.record("t1", "x", "PER", round=1)
    store.record("t1", "y", "LOC", round=1)
    made = [SpanTagger(store, annotator="a", round=1, item_ids=["t1"]),
            BoxAnnotator(store, annotator="a", round=1, item_ids=["im1"]),
            PairwiseRater(store, annotator="a", round=1, item_ids=["t1"]),
            RubricRater(store, annotator="a", round=1, item_ids=["t1"]),
            Adjudicator(store, annotator="a", round=1),
            CalibrationQuiz(store, annotator="a", round=1, gold={"t1": "PER"})]
    for w in made:
        nodes = list(tree(w))
        assert all(isinstance(n, widgets.DOMWidget) for n in nodes), type(w).__name__
        assert not any(isinstance(n, Event) for n in nodes)
        assert isinstance(w._key_event, Event) and w._key_event.source is w.main  # keys still listened to


def test_the_tagger_screens_follow_their_spans_and_boxes(store):
    tagger = SpanTagger(store, annotator="zed", round=1, item_ids=["t1"])
    tagger.spans = [{"start": 0, "end": 3, "label": "PER", "text": "Ada"}]
    assert "wb-tag-0" in tagger.token_buttons[0]._dom_classes and len(tagger.chips.children) == 1
    tagger.press("Escape")
    tagger.spans = []
    assert "wb-tag-0" not in tagger.token_buttons[0]._dom_classes and tagger.chips.children == ()
    boxes = BoxAnnotator(store, annotator="zed", round=1, labels=["rect"], item_ids=["im1"])
    boxes.boxes = [{"x": 1, "y": 1, "w": 2, "h": 2, "label": "rect"}]
    assert boxes.canvas.value.count("wb-bbox") == 1 and len(boxes.chips.children) == 1
    boxes.chips.children[0].click()
    assert boxes.boxes == [] and "wb-bbox" not in boxes.canvas.value
