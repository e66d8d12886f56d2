"""The one escaping path (``escape_text``) and data-derived file names (``safe_filename``, ``path_inside``).

Oracles: nbconvert's own Markdown filter (mistune with its url, table, strikethrough, task-list,
definition-list and math rules: what a report's ``Markdown`` output becomes in the HTML page),
markdown-it-py's CommonMark renderer, and the standard library's ``html.parser`` for structure and
visible text. A hostile string is inert when, rendered either way, it makes only paragraphs and
line breaks, no attribute at all, and shows exactly the input (control and bidi characters as
``⟨U+XXXX⟩``).
"""

from __future__ import annotations

import math
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workbench._internal.markup import MARKDOWN_SPECIALS, escape_text, shown_controls
from workbench._internal.paths import MAX_STEM_CHARS, path_inside, safe_filename
from workbench.exceptions import DataError, ValidationError

#: Pieces an adversarial user types into item text, notes, annotator names, taxonomy text.
HOSTILE_FRAGMENTS = (
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '<b onmouseover="alert(3)">hover</b>',
    "<svg onload=alert(4)>", "<iframe src=//evil.example>", "<a href='javascript:alert(5)'>a</a>",
    "<style>body{background:url(http://evil.example/x)}</style>", "<!-- comment -->", "</p><p>",
    "[click](javascript:alert(6))", "[x](http://evil.example 'title')", "![img](http://evil.example/p.png)",
    "![i][r]", "[a]", "[r]: http://evil.example/ref", "[a]: javascript:alert(7)", "<http://evil.example/auto>",
    "<mailto:bob@evil.example>", "http://evil.example/path?q=1", "https://evil.example", "www.evil.example",
    "WWW.EVIL.EXAMPLE", "evil.com", "mailto:bob@evil.example", "javascript:alert(8)", "bob@evil.example",
    "$\\href{javascript:alert(9)}{x}$", "$$\\href{http://evil.example}{y}$$", "\\(x\\)", "\\[y\\]",
    "\\begin{equation}z\\end{equation}", "&#106;avascript:alert(10)", "&lt;script&gt;", "&amp;", "&#x3C;b&#x3E;",
    "\\", "\\[", "`code`", "``", "```js\nalert(11)\n```", "~~~\nfence\n~~~", "**bold**", "__u__", "_e_", "~~s~~",
    "# heading", "## h2", "> quote", "- item", "+ item", "* item", "1. item", "2) item", "---", "===", "***",
    "| a | b |\n|---|---|", "- [ ] task", "term\n: definition", "[^1]", "{onclick=alert(12)}", ":smile:",
    "@user", "#123", "a  \nb", "    indented code", "\tindented", "\n\n", "\r\n", "\x00", "\x07", "\x1b[31m",
    "\x7f", "\x85", "\x9b", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c", "\ufeff",
    "\u00a0", "0.71", "e.g.", "how_to", "C++", "a=b", "it's \"quoted\"", "日本語", "émoji 😀", "Ünïcödé",
)


def hostile_text(max_pieces: int = 8):
    """Hypothesis strategy: hostile fragments and arbitrary characters, glued with spaces, newlines or nothing."""
    piece = st.one_of(st.sampled_from(HOSTILE_FRAGMENTS),
                      st.text(st.characters(max_codepoint=0x10FFFF), max_size=4),
                      st.sampled_from(list(MARKDOWN_SPECIALS + "<>&\"'.-+=\n\t ")))
    glue = st.sampled_from(["", " ", "\n", "\n\n", "    ", "x"])
    return st.lists(st.tuples(piece, glue), min_size=1, max_size=max_pieces).map(
        lambda parts: "".join(p + g for p, g in parts))


# ----------------------------------------------------------------------------- oracles
#: Attributes that load, link, run or restyle something.
DANGEROUS_ATTRS = {"href", "src", "srcset", "action", "formaction", "style", "xlink:href", "data", "poster",
                   "background", "lowsrc", "dynsrc"}
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "img", "a", "math", "svg", "style", "link", "base",
                  "form", "input", "meta", "video", "audio", "source", "frame", "frameset"}


class Page(HTMLParser):
    """Elements, attributes and the visible text (character references decoded once)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value) for name, value in attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.tags.append("!--")

    def handle_decl(self, decl):
        self.tags.append("!decl")

    def handle_pi(self, data):
        self.tags.append("?pi")

    def unknown_decl(self, data):
        self.tags.append("!unknown")


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    return p


def words(text: str) -> str:
    return " ".join(text.split())


def mistune_html(markdown: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(markdown)


def commonmark_html(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(markdown)


def assert_inert_markdown(source: str, rendered: str) -> None:
    page = parse(rendered)
    assert set(page.tags) <= {"p", "br"}, (source, rendered)
    assert page.attrs == [], (source, rendered)
    assert words("".join(page.text)) == words(shown_controls(source)), (source, rendered)


def assert_inert_html(source: str, escaped: str) -> None:
    page = parse(escaped)
    assert page.tags == [] and page.attrs == [], (source, escaped)
    assert "".join(page.text) == shown_controls(source), (source, escaped)


# ----------------------------------------------------------------------------- unit tests
@pytest.mark.parametrize("missing", [None, float("nan"), math.nan])
def test_missing_values_are_empty(missing):
    assert escape_text(missing) == "" and shown_controls(missing) == ""


def test_pandas_and_numpy_missing_values_are_empty_and_numbers_are_text():
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    assert escape_text(pd.NA) == escape_text(pd.NaT) == escape_text(np.float32("nan")) == ""
    assert escape_text(3) == "3" and escape_text(0.71) == "0.71" and escape_text(np.int64(7)) == "7"
    assert escape_text(["a", "b"]) == "&#91;&#x27;a&#x27;, &#x27;b&#x27;&#93;"


def test_html_specials_become_entities():
    assert escape_text("<b title=\"x\">Tom & 'Jerry'</b>") == \
        "&lt;b title=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/b&gt;"


@pytest.mark.parametrize("char", list(MARKDOWN_SPECIALS))
def test_every_markdown_special_is_a_numeric_reference(char):
    assert escape_text(f"a{char}b") == f"a&#{ord(char)};b"


def test_the_required_markdown_specials_are_all_covered():
    assert set("[]()!`*_{}#|~$\\:@") <= set(MARKDOWN_SPECIALS)


def test_dots_that_join_words_are_encoded_but_numbers_and_sentence_ends_are_not():
    assert escape_text("www.evil.example") == "www&#46;evil&#46;example"
    assert escape_text("go to evil.com.") == "go to evil&#46;com."
    assert escape_text("kappa 0.71 (3.5%).") == "kappa 0.71 &#40;3.5%&#41;."


def test_line_start_markers_and_indentation_are_encoded():
    assert escape_text("- a\n+ b\n= c\n12. d\n    e\n\tf") == \
        "&#45; a\n&#43; b\n&#61; c\n12&#46; d\n&#32;&#32;&#32;&#32;e\n&#9;f"
    assert escape_text("a - b 12. c") == "a - b 12. c"  # only at the start of a line
    assert escape_text("msg-0001") == "msg-0001"


def test_control_and_bidi_characters_are_shown_visibly():
    assert escape_text("a\u202eb\u2066c\u200fd\u061ce") == "a⟨U+202E⟩b⟨U+2066⟩c⟨U+200F⟩d⟨U+061C⟩e"
    assert escape_text("\x00\x07\x1b\x7f\x85\x9b") == "⟨U+0000⟩⟨U+0007⟩⟨U+001B⟩⟨U+007F⟩⟨U+0085⟩⟨U+009B⟩"
    assert escape_text("tab\tand\nnewline") == "tab\tand\nnewline"
    assert escape_text("windows\r\nline") == "windows\nline" and escape_text("lone\rcr") == "lone⟨U+000D⟩cr"
    assert escape_text("\ufeff    code") == "⟨U+FEFF⟩    code"  # visible: no parser drops it and indents
    assert escape_text("\ud800") == "⟨U+D800⟩"  # a lone surrogate could not even be written as UTF-8
    escape_text("\ud800x").encode("utf-8")


def test_entities_in_the_input_are_shown_as_typed():
    out = escape_text("&#106;avascript:alert(1) &amp; &lt;")
    assert out == "&amp;&#35;106;avascript&#58;alert&#40;1&#41; &amp;amp; &amp;lt;"
    assert "".join(parse(out).text) == "&#106;avascript:alert(1) &amp; &lt;"


@pytest.mark.parametrize("render", [mistune_html, commonmark_html], ids=["nbconvert-mistune", "commonmark"])
@pytest.mark.parametrize("text", HOSTILE_FRAGMENTS)
def test_each_hostile_fragment_is_inert_in_markdown_and_html(render, text):
    escaped = escape_text(text)
    assert_inert_html(text, escaped)
    assert_inert_markdown(text, render(escaped))


def test_unescaped_fragments_do_make_live_elements_so_the_oracle_can_see_them():
    """The oracle is not blind: without escape_text the same renderer makes links, images and tags."""
    for text in ("[click](javascript:alert(6))", "![img](http://evil.example/p.png)", "https://evil.example",
                 "<img src=x onerror=alert(2)>"):
        page = parse(mistune_html(text))
        assert set(page.tags) - {"p", "br"} and page.attrs, text


def test_escaped_text_keeps_a_template_wrapper_intact():
    """Inside emphasis, bold, inline <code> and a heading the text stays text and the wrapper stays one element."""
    text = "x*](javascript:alert(1)) <b>`$y$`</b> www.evil.example"
    rendered = mistune_html(f"# T {escape_text(text)}\n\n**{escape_text(text)}** *{escape_text(text)}* "
                            f"<code>{escape_text(text)}</code>")
    page = parse(rendered)
    assert sorted(set(page.tags)) == ["a", "code", "em", "h1", "p", "strong"]  # "a": nbconvert's heading anchor
    assert {(t, k) for t, k, _ in page.attrs} == {("h1", "id"), ("a", "class"), ("a", "href")}
    assert all(v.startswith("#") for t, k, v in page.attrs if k == "href")  # an in-page fragment, never a URL
    assert words("".join(page.text)).count(words(text)) == 4


# ----------------------------------------------------------------------------- property
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text())
@example("[a](javascript:alert(1))\n\n[b]: http://evil.example\n\n![c](http://evil.example/p.png)")
@example("\u202e<img src=x onerror=alert(1)>\x00 www.evil.example bob@evil.example $\\href{javascript:x}{y}$")
@example("    &#106;avascript:alert(1)\n\n- <http://x>\n1. `x`\n> q")
def test_any_hostile_text_is_inert_and_reads_as_typed(text):
    escaped = escape_text(text)
    assert_inert_html(text, escaped)
    assert_inert_markdown(text, mistune_html(escaped))
    assert_inert_markdown(text, commonmark_html(escaped))


# ----------------------------------------------------------------------------- file names
@pytest.mark.parametrize("stem,expected", [
    ("support-intents", "support-intents-v2-draft.yaml"),
    ("../../x", "x-v2-draft.yaml"),
    ("www.evil.example/../../x", "www.evil.example-x-v2-draft.yaml"),  # runs of dots and dashes: one "-"
    ("a/b\\c", "a-b-c-v2-draft.yaml"),
    ("/etc/passwd", "etc-passwd-v2-draft.yaml"),
    ("\uff0fetc\uff0fpasswd", "etc-passwd-v2-draft.yaml"),  # full-width solidus: NFKC first
    ("evil<b>[x](javascript:alert(1))</b>", "evil-b-x-javascript-alert-1-b-v2-draft.yaml"),
    ("Übersicht — Intents 日本", "Übersicht-Intents-日本-v2-draft.yaml"),
    ("\u202eabc\x00", "abc-v2-draft.yaml"),
    ("..", "untitled-v2-draft.yaml"),
    (".", "untitled-v2-draft.yaml"),
    ("", "untitled-v2-draft.yaml"),
    (None, "untitled-v2-draft.yaml"),
    ("-rf", "rf-v2-draft.yaml"),
    (".bashrc", "bashrc-v2-draft.yaml"),
    ("trailing. ", "trailing-v2-draft.yaml"),
])
def test_safe_filename_slugs_data(stem, expected):
    assert safe_filename(stem, "-v2-draft.yaml") == expected


def test_safe_filename_avoids_windows_reserved_names_and_caps_the_length():
    assert safe_filename("CON", ".yaml") == "CON_.yaml" and safe_filename("nul") == "nul_"
    assert safe_filename("lpt1.tar", ".gz") == "lpt1_.tar.gz" and safe_filename("console", ".yaml") == "console.yaml"
    assert safe_filename("x" * 1000, ".yaml") == "x" * MAX_STEM_CHARS + ".yaml"
    assert len(safe_filename("日" * 1000).encode("utf-8")) <= 150


def test_safe_filename_refuses_a_suffix_or_fallback_with_a_folder_part():
    with pytest.raises(ValidationError, match="'suffix' parameter"):
        safe_filename("x", "/../y.yaml")
    with pytest.raises(ValidationError, match="'fallback' parameter"):
        safe_filename("", ".yaml", fallback="..")


@settings(max_examples=200, deadline=None)
@given(st.one_of(hostile_text(), st.text()))
def test_any_stem_gives_one_plain_file_name_inside_the_folder(tmp_path_factory, stem):
    name = safe_filename(stem, "-v1-draft.yaml")
    assert name and "/" not in name and "\\" not in name and not name.startswith((".", "-"))
    assert name not in (".", "..") and len(name) <= MAX_STEM_CHARS + len("-v1-draft.yaml")
    folder = tmp_path_factory.getbasetemp()
    assert path_inside(folder, name).parent == folder.resolve()


def test_path_inside_refuses_anything_that_resolves_elsewhere(tmp_path):
    (tmp_path / "out").mkdir()
    assert path_inside(tmp_path / "out", "a.yaml") == (tmp_path / "out" / "a.yaml").resolve()
    for bad in ("../a.yaml", "../../etc/passwd", "/etc/passwd", ".", "sub/../../a.yaml"):
        with pytest.raises(DataError, match="outside the folder"):
            path_inside(tmp_path / "out", bad)
    os.symlink(tmp_path, tmp_path / "out" / "link")
    with pytest.raises(DataError, match="outside the folder"):
        path_inside(tmp_path / "out", Path("link") / "a.yaml")
