"""Labeller, LabelingSession and renderers, driven in Python against a real SQLite store.

Buttons are clicked with ``button.click()`` and keys are simulated with
``_handle_keystroke({"key": ..., "type": "keydown"})``, the events ipyevents sends.
"""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from workbench._internal.markup import shown_controls
from workbench.exceptions import StoreError
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy
from workbench.widgets import Labeller, LabelingSession
from workbench.widgets._protocol import Item
from workbench.widgets.renderers import (array_to_png, render_audio, render_conversation, render_image,
                                         render_item, render_text)
from workbench.widgets.renderers import escape as escaped

TAXONOMY = """
name: support-intents
version: 1
task: {task}
categories:
  - {{id: billing, name: Billing, definition: Money matters.}}
  - id: refund_request
    name: Refund request
    parent: billing
    definition: The customer wants money back.
    include: ["Asks for money back for a past charge."]
    exclude: ["Use duplicate_charge when charged twice."]
  - {{id: duplicate_charge, name: Duplicate charge, parent: billing, definition: Charged twice.}}
  - {{id: technical, name: Technical, definition: Something is broken.}}
  - {{id: bug_report, name: Bug report, parent: technical, definition: The app misbehaves.}}
  - {{id: how_to, name: How-to, parent: technical, definition: Asks how to do something.}}
  - {{id: none_of_these, name: None of these, other: true, definition: Nothing fits.}}
edge_cases:
  - rule: "A refund asked because of a bug is a refund_request."
    categories: [refund_request, bug_report]
"""

TEXTS = {
    "i1": "I was charged twice, please refund one.",
    "i2": "The app crashes when I open the invoice.",
    "i3": "How do I export my playlists?",
    "i4": "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned=2\"> hello",
    "i5": "Write to me at jane.doe@example.com about my bill.",
}


def make_store(url, *, task="multiclass", assign=("alice",), texts=TEXTS):
    store = AnnotationStore(url)
    version = store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY.format(task=task)))
    store.add_items(pd.DataFrame({"item_id": list(texts), "text": list(texts.values())}))
    store.create_round(1, taxonomy_version=version)
    if assign:
        rows = [(iid, who, pos) for who in assign for pos, iid in enumerate(texts)]
        store.assign(pd.DataFrame(rows, columns=["item_id", "annotator", "position"]), round=1)
    return store


def key(widget, k):
    widget._handle_keystroke({"key": k, "type": "keydown"})


def labels_of(store, annotator="alice"):
    df = store.annotations(round=1, kind="label")
    df = df[df["annotator"] == annotator].sort_values("id")
    return dict(zip(df["item_id"], df["label"]))


@pytest.fixture
def store(sqlite_url):
    return make_store(sqlite_url)


def test_that_displaying_shows_the_first_assigned_item_header_and_grouped_options(store):
    lab = Labeller(store, annotator="alice", round=1)
    assert lab.item.item_id == "i1"
    assert "I was charged twice" in lab.item_html.value
    assert "Round 1 · support-intents v1 · alice" in lab.title.value
    assert "0 / 5" in lab.count.value
    # options grouped by parent, "None of these" last with key 0
    assert lab.options == ["refund_request", "duplicate_charge", "bug_report", "how_to", "none_of_these"]
    assert [b.description for b in lab.buttons][:2] == ["1 · Refund request", "2 · Duplicate charge"]
    assert lab.buttons[-1].description == "0 · None of these"
    headers = [row.children[0].value for row in lab.options_box.children]
    assert "Billing" in headers[0] and "Technical" in headers[1]


def test_that_a_click_is_in_the_store_before_the_next_item_shows(store):
    lab = Labeller(store, annotator="alice", round=1)
    seen = []
    original = lab.display

    def spy(item):
        seen.append((item.item_id if item else None, labels_of(store)))
        original(item)

    lab.display = spy
    lab.buttons[1].click()
    next_item, stored = seen[-1]
    assert next_item == "i2"
    assert stored == {"i1": "duplicate_charge"}
    assert "1 / 5" in lab.count.value and lab.bar.value == 1


def test_that_digit_keys_choose_visible_options_in_order_and_zero_is_none_of_these(store):
    lab = Labeller(store, annotator="alice", round=1)
    key(lab, "3")
    key(lab, "0")
    key(lab, "x")  # unbound key: ignored
    key(lab, "2")
    assert labels_of(store) == {"i1": "bug_report", "i2": "none_of_these", "i3": "duplicate_charge"}
    assert lab.item.item_id == "i4"


def test_that_keyup_and_modified_keys_do_not_label(store):
    lab = Labeller(store, annotator="alice", round=1)
    lab._handle_keystroke({"key": "1", "type": "keyup"})
    lab._handle_keystroke({"key": "1", "type": "keydown", "ctrlKey": True})
    assert labels_of(store) == {}


def test_that_unsure_note_and_duration_are_recorded(store):
    lab = Labeller(store, annotator="alice", round=1)
    key(lab, "u")
    assert lab.unsure.value is True
    lab.note.value = "  maybe a new category: chargeback  "
    key(lab, "1")
    row = store.annotations(round=1, kind="label").iloc[0]
    assert bool(row["unsure"]) is True
    assert row["note"] == "maybe a new category: chargeback"
    assert row["duration_ms"] is not None and row["duration_ms"] >= 0
    # the next item starts clean
    assert lab.unsure.value is False and lab.note.value == ""


def test_that_skip_records_a_skip_row_and_the_item_comes_back_at_the_end(store):
    lab = Labeller(store, annotator="alice", round=1)
    key(lab, "s")
    assert lab.item.item_id == "i2"
    skips = store.annotations(round=1, kind="skip")
    assert list(skips["item_id"]) == ["i1"]
    for _ in range(4):
        key(lab, "1")
    assert lab.item.item_id == "i1"  # the skipped item, last
    assert "1 skipped" in lab.count.value


def test_that_backspace_retracts_the_last_label_and_shows_that_item_again(store):
    lab = Labeller(store, annotator="alice", round=1)
    key(lab, "1")
    key(lab, "2")
    assert lab.item.item_id == "i3"
    key(lab, "Backspace")
    assert lab.item.item_id == "i2"
    assert labels_of(store) == {"i1": "refund_request"}
    history = store.annotations(round=1, current_only=False)
    assert set(history["kind"]) >= {"label", "retract"}
    key(lab, "4")
    assert labels_of(store) == {"i1": "refund_request", "i2": "how_to"}
    lab.back_button.click()
    lab.back_button.click()
    assert lab.item.item_id == "i1" and labels_of(store) == {}


def test_that_reopening_resumes_at_the_first_unlabeled_assignment(sqlite_url):
    store = make_store(sqlite_url)
    first = Labeller(sqlite_url, annotator="alice", round=1)
    key(first, "1")
    key(first, "2")
    del first
    again = Labeller(AnnotationStore(sqlite_url), annotator="alice", round=1)
    assert again.item.item_id == "i3"
    assert "2 / 5" in again.count.value
    # back works across sessions: it retracts the last acknowledged label
    key(again, "Backspace")
    assert again.item.item_id == "i2" and labels_of(store) == {"i1": "refund_request"}


def test_that_without_assignments_the_rounds_unlabeled_items_are_shown(sqlite_url):
    store = make_store(sqlite_url, assign=())
    lab = Labeller(store, annotator="bob", round=1)
    assert lab.item.item_id == "i1"
    assert "0 / 5" in lab.count.value
    key(lab, "1")
    assert Labeller(store, annotator="bob", round=1).item.item_id == "i2"
    # another annotator's labels do not count for bob
    assert Labeller(store, annotator="carol", round=1).item.item_id == "i1"


def test_that_multilabel_toggles_with_digits_and_submits_with_enter(sqlite_url):
    store = make_store(sqlite_url, task="multilabel")
    lab = Labeller(store, annotator="alice", round=1)
    assert lab.multilabel and lab.submit_button.layout.display is None
    key(lab, "3")
    key(lab, "1")
    key(lab, "2")
    key(lab, "2")  # toggled off again
    assert "wb-selected" in lab.buttons[0]._dom_classes
    assert labels_of(store) == {}
    key(lab, "Enter")
    stored = labels_of(store)["i1"]
    assert json.loads(stored) == ["bug_report", "refund_request"]
    assert lab.item.item_id == "i2" and "wb-selected" not in lab.buttons[0]._dom_classes
    key(lab, "Enter")  # nothing selected: refused with a message, nothing stored
    assert "at least one" in lab.status.value and lab.item.item_id == "i2"
    lab.buttons[3].click()
    lab.submit_button.click()
    assert json.loads(labels_of(store)["i2"]) == ["how_to"]


def test_that_a_finished_queue_shows_a_clear_done_message(store):
    lab = Labeller(store, annotator="alice", round=1)
    for _ in range(5):
        key(lab, "1")
    assert lab.item is None
    assert "All done: 5 of 5 items labeled" in lab.item_html.value
    assert lab.options_box.layout.display == "none"
    key(lab, "1")  # nothing happens after the end
    assert len(labels_of(store)) == 5
    key(lab, "Backspace")  # but back still works
    assert lab.item.item_id == "i5"


def test_that_hover_and_arrow_keys_show_definition_rules_and_edge_cases(store):
    lab = Labeller(store, annotator="alice", round=1)
    assert "Hover an option" in lab.definition.value
    lab._show_definition(0)  # what the mouseenter event on option 1 calls
    html = lab.definition.value
    assert "Refund request" in html and "money back" in html
    assert escaped("Use duplicate_charge when charged twice.") in html
    assert escaped("A refund asked because of a bug is a refund_request.") in html
    key(lab, "ArrowRight")
    key(lab, "ArrowRight")
    assert "Duplicate charge" in lab.definition.value
    assert "wb-cursor" in lab.buttons[1]._dom_classes
    key(lab, "Enter")  # in single-label mode Enter chooses the option under the cursor
    assert labels_of(store) == {"i1": "duplicate_charge"}
    assert all(e.source is b for e, b in zip(lab._hover, lab.buttons))


def test_that_the_guide_key_shows_the_guideline(store):
    lab = Labeller(store, annotator="alice", round=1)
    assert lab.guide.layout.display == "none"
    key(lab, "?")
    assert lab.guide.layout.display is None
    assert "labeling guide" in lab.guide.value and "Bug report" in lab.guide.value
    key(lab, "Escape")
    assert lab.guide.layout.display == "none"


def test_that_untrusted_item_text_is_escaped(store):
    lab = Labeller(store, annotator="alice", round=1)
    for _ in range(3):
        key(lab, "1")
    html = lab.item_html.value
    assert lab.item.item_id == "i4"
    assert "<script" not in html and "<img" not in html
    assert escaped("<script>window.pwned = 1</script>") in html


def test_that_pii_is_masked_unless_the_round_or_the_caller_switches_it_off(store):
    masked = Labeller(store, annotator="alice", round=1, taxonomy=store.taxonomy(1))  # the default: masked
    for _ in range(4):
        key(masked, "1")
    assert masked.item.item_id == "i5"
    assert escaped("jane.doe@example.com") not in masked.item_html.value and "wb-pii" in masked.item_html.value
    plain = Labeller(store, annotator="alice", round=1, mask_pii=False)  # a lead's explicit choice
    assert escaped("jane.doe@example.com") in plain.item_html.value
    store.create_round(2, taxonomy_version=1, params={"mask_pii": False})  # switched off per round, recorded
    store.assign(store.assignments(round=1).assign(round=2)[["item_id", "annotator"]], round=2)
    unmasked = Labeller(store, annotator="alice", round=2)
    for _ in range(4):
        key(unmasked, "1")
    assert escaped("jane.doe@example.com") in unmasked.item_html.value
    assert store.round_info(2)["params"]["mask_pii"] is False


def test_that_a_failed_write_shows_an_error_and_keeps_the_item(store, monkeypatch):
    lab = Labeller(store, annotator="alice", round=1)

    def broken(*args, **kwargs):
        raise StoreError("database is locked")

    monkeypatch.setattr(lab.session.store, "record", broken)
    key(lab, "1")
    assert lab.item.item_id == "i1"
    assert "Not saved" in lab.status.value and "database is locked" in lab.status.value


def test_that_the_key_listener_is_attached_but_in_no_children_list(store):
    from ipyevents import Event

    lab = Labeller(store, annotator="alice", round=1)

    def walk(w):
        yield w
        for child in getattr(w, "children", ()):
            yield from walk(child)

    assert not any(isinstance(w, Event) for w in walk(lab))
    assert isinstance(lab._key_event, Event) and lab._key_event.source is lab.main
    assert lab._key_event.watched_events == ["keydown"]
    assert lab._key_event_actions.source is lab.actions
    # typing a note is never captured as shortcuts: the note is in no key source
    assert lab.note not in list(walk(lab.main)) + list(walk(lab.actions))


def test_that_a_session_rejects_an_unknown_round_and_an_empty_name(store):
    with pytest.raises(StoreError):
        LabelingSession(store, annotator="alice", round=99)
    with pytest.raises(ValueError, match="annotator"):
        LabelingSession(store, annotator="  ", round=1)


def test_that_importing_workbench_widgets_loads_no_ipywidgets():
    code = "import sys, workbench.widgets; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_that_an_unknown_widget_name_is_an_attribute_error():
    import workbench.widgets as w

    with pytest.raises(AttributeError):
        w.NoSuchWidget  # noqa: B018


# ---------------------------------------------------------------- renderers


def test_that_array_to_png_round_trips_sklearn_digits_through_pil():
    from PIL import Image
    from sklearn.datasets import load_digits

    image = load_digits().images[7]  # values 0..16
    png = array_to_png(image, scale=3)
    decoded = np.asarray(Image.open(io.BytesIO(png)))
    assert decoded.shape == (24, 24)
    expected = np.round(image / 16 * 255).astype(int)
    assert np.abs(decoded[::3, ::3].astype(int) - expected).max() <= 1
    rgb = np.zeros((2, 3, 3), dtype=np.uint8)
    rgb[0, 1] = (255, 0, 0)
    back = np.asarray(Image.open(io.BytesIO(array_to_png(rgb))).convert("RGB"))
    assert back.tolist() == rgb.tolist()


def test_that_render_image_embeds_arrays_and_files(tmp_path):
    html = render_image(Item("d", "digit 7", meta={"image": np.eye(8)}))
    src = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(src)[:4] == b"\x89PNG"
    path = tmp_path / "x.png"
    path.write_bytes(array_to_png(np.eye(4)))
    assert "data:image/png;base64," in render_item(Item("f", "", meta={"image_path": str(path)}))
    with pytest.raises(ValueError, match="does not exist"):
        render_image(Item("g", "", meta={"image_path": str(tmp_path / "missing.png")}))


def test_that_render_audio_makes_a_playable_wav():
    import wave

    t = np.linspace(0, 0.1, 800)
    box = render_audio(Item("a", "<b>beep</b>", meta={"audio": np.sin(2 * np.pi * 440 * t), "sample_rate": 8000}))
    player = box.children[0]
    with wave.open(io.BytesIO(player.value)) as w:
        assert (w.getframerate(), w.getnframes()) == (8000, 800)
    assert "&lt;b&gt;beep" in box.children[1].value


def test_that_conversations_are_rendered_escaped_from_columns_or_json_text():
    doc = {"prompt": "Summarise <this>", "responses": ["<script>x()</script>", "fine"]}
    for item in (Item("c", json.dumps(doc)), Item("c", "", meta=doc)):
        html = render_item(item)
        assert "Response 1" in html and "Response 2" in html
        assert "<script>" not in html and escaped("<script>x()") in html
    chat = render_conversation(Item("m", "", meta={"messages": [{"role": "user", "content": "hi"},
                                                                {"role": "assistant", "content": "hello"}]}))
    assert chat.index("hi") < chat.index("hello") and "wb-role-assistant" in chat


def test_that_text_highlighting_marks_terms_without_breaking_escaping():
    html = render_text(Item("t", "Refund & <refund>"), highlight=["refund"])
    assert html.count('<mark class="wb-mark">') == 2
    assert "&amp;" in html and "&lt;" in html and "<refund>" not in html


def test_that_none_of_these_excludes_the_other_labels_in_multilabel_mode(sqlite_url):
    store = make_store(sqlite_url, task="multilabel")
    lab = Labeller(store, annotator="alice", round=1)
    key(lab, "1")
    key(lab, "3")
    key(lab, "0")
    assert lab._selected == {"none_of_these"}
    key(lab, "2")
    assert lab._selected == {"duplicate_charge"}
    key(lab, "Enter")
    assert json.loads(labels_of(store)["i1"]) == ["duplicate_charge"]


def test_that_an_item_that_cannot_be_rendered_shows_why_and_can_be_skipped(sqlite_url, tmp_path):
    from workbench.widgets.renderers import render_image

    store = make_store(sqlite_url)
    lab = Labeller(store, annotator="alice", round=1, item_renderer=render_image)
    assert "cannot be shown" in lab.item_html.value and "has no image" in lab.item_html.value
    key(lab, "s")
    assert lab.item.item_id == "i2"


def test_that_serve_refuses_an_unknown_round_before_starting_voila(sqlite_url):
    from workbench.widgets.serve import serve

    make_store(sqlite_url)
    with pytest.raises(StoreError, match="Round 7 does not exist"):
        serve(sqlite_url, 7, block=False)


def test_that_the_served_app_shows_the_signed_in_users_queues_and_never_asks_for_a_name(sqlite_url, monkeypatch):
    from workbench.widgets import identity
    from workbench.widgets.app import served_app

    make_store(sqlite_url)
    monkeypatch.setenv("QUERY_STRING", "annotator=mallory")  # a name in the link means nothing now
    identity.reset_for_tests()
    identity.bind("dora", "lead")
    try:
        app = served_app(sqlite_url, 1)
        assert "Signed in as <b>dora</b> (lead)" in app.children[0].value
        assert [q.kind for q in app.queues] == ["label", "adjudication", "review", "dashboard"]  # a lead's too
        labeller = app.open("label")
        assert isinstance(labeller, Labeller) and labeller.session.annotator == "dora"
        assert app.children[1] is labeller
        app.start_page()
        assert app.view is None and "Classify" in [row.children[0].description for row in app.children[1:]]
    finally:
        identity.reset_for_tests()


@pytest.mark.notebook
def test_that_the_walkthrough_notebook_runs_and_leaves_the_labels_it_describes(tmp_path):
    import nbformat
    import papermill as pm

    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    out = tmp_path / "02.ipynb"
    pm.execute_notebook(str(root / "notebooks" / "02_labeling_session.ipynb"), str(out), cwd=str(tmp_path),
                        progress_bar=False, kernel_name="python3")
    texts = "".join(o.get("text", "") for c in nbformat.read(str(out), 4).cells if c.cell_type == "code"
                    for o in c.outputs)
    assert "(3, 12) -> msg-0005" in texts
    assert "resumes at msg-0005 | done / assigned: (3, 12)" in texts


def test_that_a_session_can_run_an_explicit_queue_of_another_kind(store):
    from workbench.widgets._protocol import Submission

    quiz = LabelingSession(store, annotator="alice", round=1, kind="quiz", item_ids=["i3", "i1"])
    assert quiz.current.item_id == "i3" and quiz.progress == (0, 2)
    quiz.submit(Submission(label="how_to"))  # the session's kind applies
    assert quiz.current.item_id == "i1"
    rows = store.annotations(round=1, kind="quiz")
    assert list(zip(rows["item_id"], rows["label"])) == [("i3", "how_to")]
    assert LabelingSession(store, annotator="alice", round=1, kind="quiz", item_ids=["i3", "i1"]).progress == (1, 2)
    # the quiz answer is not a label: alice's labeling queue still starts at i1
    assert LabelingSession(store, annotator="alice", round=1).current.item_id == "i1"


def test_that_back_shows_the_taken_back_answer_note_and_unsure_again(store):
    lab = Labeller(store, annotator="alice", round=1)
    lab.note.value = "two charges on the statement"
    key(lab, "u")
    key(lab, "2")
    key(lab, "Backspace")
    assert lab.item.item_id == "i1"
    assert lab.note.value == "two charges on the statement" and lab.unsure.value is True
    assert "wb-cursor" in lab.buttons[1]._dom_classes and "Duplicate charge" in lab.definition.value
    key(lab, "Enter")  # confirm the same answer
    row = store.annotations(round=1, kind="label").iloc[0]
    assert (row["label"], row["note"], bool(row["unsure"])) == ("duplicate_charge", "two charges on the statement", True)


def test_that_back_after_reopening_restores_a_multilabel_answer(sqlite_url):
    store = make_store(sqlite_url, task="multilabel")
    first = Labeller(store, annotator="alice", round=1)
    key(first, "1")
    key(first, "4")
    key(first, "Enter")
    again = Labeller(store, annotator="alice", round=1)
    key(again, "Backspace")
    assert again.item.item_id == "i1" and again._selected == {"refund_request", "how_to"}


def test_that_an_audio_item_is_shown_as_a_player_widget(sqlite_url):
    import ipywidgets as widgets

    store = make_store(sqlite_url, texts={"a1": "a short beep"})
    store.add_items(pd.DataFrame({"item_id": ["a2"], "text": ["tone"], "audio": [[0.0, 0.3, -0.3, 0.0] * 50],
                                  "sample_rate": [8000]}))
    lab = Labeller(store, annotator="bob", round=1)  # no assignments for bob: every item of the round
    assert lab.item_box.children == (lab.item_html,)
    key(lab, "1")
    assert lab.item.item_id == "a2"
    player = lab.item_box.children[0].children[0]
    assert isinstance(player, widgets.Audio) and player.value[:4] == b"RIFF"
    key(lab, "2")
    assert lab.item is None and lab.item_box.children == (lab.item_html,)


@pytest.mark.postgres
def test_that_labelling_undo_and_resume_work_on_postgresql(postgres_url):
    store = make_store(postgres_url)
    lab = Labeller(postgres_url, annotator="alice", round=1)
    key(lab, "1")
    key(lab, "3")
    key(lab, "Backspace")
    key(lab, "4")
    assert labels_of(store) == {"i1": "refund_request", "i2": "how_to"}
    assert Labeller(AnnotationStore(postgres_url), annotator="alice", round=1).item.item_id == "i3"


@pytest.mark.data
def test_that_real_sms_messages_are_shown_escaped_and_labelled_as_keyed(shared_data, sqlite_url):
    """sms_spam (5,574 real messages with &, <, >, quotes, URLs): every shown text is the escaped
    original, and 150 keyed labels land in the store as keyed."""
    import html
    import time

    rows = [line.split("\t", 1) for line in
            (shared_data / "sms_spam" / "SMSSpamCollection").read_text(encoding="utf-8").splitlines() if line]
    df = pd.DataFrame(rows, columns=["gold", "text"])
    df = df[df["gold"].isin(["spam", "ham"])].drop_duplicates("text").reset_index(drop=True)  # no header row
    df["item_id"] = [f"sms-{i:05d}" for i in range(len(df))]
    store = AnnotationStore(sqlite_url)
    v = store.save_taxonomy(Taxonomy.from_yaml(
        "name: sms\nversion: 1\ncategories:\n  - {id: spam, name: Spam, definition: Unsolicited.}\n"
        "  - {id: ham, name: Ham, definition: A normal message.}\n"))
    store.add_items(df[["item_id", "text"]])
    store.create_round(1, taxonomy_version=v)
    t0 = time.perf_counter()
    lab = Labeller(store, annotator="alice", round=1, mask_pii=False)  # the raw messages, escaped
    assert time.perf_counter() - t0 < 20  # opening on ~5,000 items reads them once
    gold = dict(zip(df["item_id"], df["gold"]))
    texts = dict(zip(df["item_id"], df["text"]))
    special = 0
    for _ in range(150):
        iid = lab.item.item_id
        shown = re.fullmatch(r'<div class="wb-text">(.*)</div>', lab.item_html.value, re.S).group(1)
        assert shown == escaped(texts[iid]) and html.unescape(shown) == shown_controls(texts[iid])
        special += any(c in texts[iid] for c in "<>&\"'")
        key(lab, "1" if gold[iid] == "spam" else "2")
    assert special > 0  # the sample did contain characters that need escaping
    stored = store.annotations(round=1, kind="label")
    assert len(stored) == 150
    assert list(stored["label"]) == [gold[i] for i in stored["item_id"]]


def test_that_an_empty_queue_says_there_is_nothing_to_label(sqlite_url):
    store = AnnotationStore(sqlite_url)
    version = store.save_taxonomy(Taxonomy.from_yaml(TAXONOMY.format(task="multiclass")))
    store.create_round(1, taxonomy_version=version)
    lab = Labeller(store, annotator="alice", round=1)
    assert lab.item is None and "Nothing to label" in lab.item_html.value
    assert lab.options_box.layout.display == "none"
    key(lab, "1")
    key(lab, "Backspace")
    assert store.annotations(current_only=False).empty


def test_that_text_that_merely_looks_like_json_stays_text():
    for text in ("[1, 2]", "[URGENT] refund please", '{"a": 1}'):
        assert render_item(Item("t", text)).startswith('<div class="wb-text">')
    chat = json.dumps([{"role": "user", "content": "hi"}])
    assert "wb-conversation" in render_item(Item("c", chat))


def test_that_press_is_the_keyboard_and_the_buttons_follow_the_selection_state(sqlite_url):
    store = make_store(sqlite_url, task="multilabel")
    lab = Labeller(store, annotator="alice", round=1)
    lab.press("1")
    assert lab._selected == {"refund_request"} and "wb-selected" in lab.buttons[0]._dom_classes
    lab._selected = {"how_to"}  # whoever changes the state, the screen shows it
    assert [("wb-selected" in b._dom_classes) for b in lab.buttons] == [o == "how_to" for o in lab.options]
    lab._cursor = 2
    assert [("wb-cursor" in b._dom_classes) for b in lab.buttons] == [i == 2 for i in range(len(lab.buttons))]
    lab._cursor = None
    assert not any("wb-cursor" in b._dom_classes for b in lab.buttons)
    lab.press("Enter")
    assert json.loads(labels_of(store)["i1"]) == ["how_to"] and lab._selected == set()
    assert not any("wb-selected" in b._dom_classes for b in lab.buttons)
