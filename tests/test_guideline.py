"""The labeling guideline: complete content, hierarchy as nested sections, escaping, offline HTML.

Oracles: the standard library's ``html.parser`` (structure and visible text of the HTML page) and
markdown-it-py, a CommonMark renderer that passes raw HTML through (what the Markdown becomes).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workbench._internal.markup import escape_text
from workbench.exceptions import ValidationError
from workbench.guideline import render_guideline_html, render_guideline_markdown, write_guideline
from workbench.taxonomy import Example, Taxonomy

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "workbench" / "demo" / "data" / "taxonomy.yaml"
RICH = Path(__file__).parent / "fixtures" / "taxonomy_rich.yaml"
EVIL = "<script>alert('x')</script> & <b>bold</b> *star* _under_ [link](http://evil.example) `tick` # hash"
VOID = {"meta", "br", "hr", "img", "input", "link"}


class Page(HTMLParser):
    """Collects the element tree (checking it is well nested) and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.elements, self.text, self.errors = [], [], [], []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        node = {"tag": tag, "attrs": attrs, "parents": [n["attrs"].get("id") for n in self.stack if n["tag"] == "section"]}
        self.elements.append(node)
        if tag not in VOID:
            self.stack.append(node)
        self.in_style = tag in ("style", "title")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1]["tag"] != tag:
            self.errors.append(f"unexpected </{tag}> with open {[n['tag'] for n in self.stack]}")
            return
        self.stack.pop()
        self.in_style = False

    def handle_data(self, data):
        if not self.in_style:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    assert not p.errors and not p.stack, (p.errors, [n["tag"] for n in p.stack])
    return p


def norm(text: str) -> str:
    return " ".join(str(text).split())


def every_text(t: Taxonomy):
    """Every piece of text a guideline must show."""
    yield t.name
    if t.description:
        yield t.description
    for c in t.categories:
        yield from (c.id, c.name, c.definition, *c.include, *c.exclude, *c.examples, *c.counter_examples)
    for e in t.edge_cases:
        yield e.rule
        for x in e.examples:
            yield x.text if isinstance(x, Example) else x
    for entry in t.changelog:
        yield from (x for x in (entry.summary, entry.author, entry.date) if x)


def markdown_to_html(text: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(text)


@pytest.fixture(scope="module")
def evil() -> Taxonomy:
    t = Taxonomy.from_dict({
        "name": EVIL, "version": 1, "description": EVIL,
        "categories": [
            {"id": "g<b>", "name": EVIL, "definition": EVIL},
            {"id": "a", "parent": "g<b>", "name": "A " + EVIL, "definition": EVIL, "include": [EVIL],
             "exclude": [EVIL], "examples": [EVIL], "counter_examples": [EVIL]},
            {"id": "c", "definition": "C."},
        ],
        "edge_cases": [{"rule": EVIL, "categories": ["a", "c"], "examples": [EVIL, {"text": EVIL, "label": "a"}]}],
        "changelog": [{"version": 1, "author": EVIL, "summary": EVIL,
                       "changes": [{"op": "add", "category": "a", "rationale": EVIL}]}],
    })
    return t.apply({"op": "rename", "category": "c", "to": "c2", "rationale": EVIL}, author=EVIL, date="2026-11-02")


# ----------------------------------------------------------------------------- content
@pytest.mark.parametrize("path", [DEMO, RICH], ids=["demo", "rich"])
def test_html_shows_every_piece_of_text(path):
    t = Taxonomy.load(path)
    page = parse(render_guideline_html(t))
    for text in every_text(t):
        assert norm(text) in page.visible, text


@pytest.mark.parametrize("path", [DEMO, RICH], ids=["demo", "rich"])
def test_markdown_shows_every_piece_of_text_once_rendered(path):
    t = Taxonomy.load(path)
    page = parse(markdown_to_html(render_guideline_markdown(t)))
    for text in every_text(t):
        assert norm(text) in page.visible, text


def test_html_hierarchy_is_nested_sections():
    t = Taxonomy.load(RICH)
    page = parse(render_guideline_html(t))
    sections = {n["attrs"]["id"]: n for n in page.elements if n["tag"] == "section" and "cat" in
                n["attrs"].get("class", "")}
    by_cat = {sid.split("-", 2)[2]: n for sid, n in sections.items()}
    active = [c.id for c in t.categories if not c.deprecated]
    assert set(by_cat) == set(active)  # retired categories are listed apart, not as sections
    for cid in active:
        parent_sections = [p for p in by_cat[cid]["parents"] if p and p.startswith("cat-")]
        assert [p.split("-", 2)[2] for p in parent_sections] == list(t.ancestors(cid)), cid
    headings = {n["tag"] for n in page.elements if re.fullmatch(r"h[3-6]", n["tag"])}
    assert {"h3", "h4", "h5"} <= headings  # one heading level per depth
    assert "Loyalty (old)" in page.visible.split("Retired categories", 1)[1]


def test_markdown_headings_follow_the_hierarchy():
    md = render_guideline_markdown(Taxonomy.load(RICH))
    assert "\n### Orders `orders` (group)\n" in md
    assert "\n#### Order status `order_status` (group)\n" in md
    assert "\n##### Late order `late_order`\n" in md
    assert md.index("##### Late order") < md.index("#### Missing item")
    assert "## Retired categories" in md and "## Change log" in md and "## Edge cases" in md


def test_each_category_lists_the_edge_cases_that_mention_it():
    t = Taxonomy.load(DEMO)
    page = render_guideline_html(t)
    for c in t.categories:
        if c.deprecated:
            continue
        start = re.search(rf'<section class="cat[^"]*" id="cat-\d+-{c.id}">', page).end()
        own = page[start:min(page.find("<section", start) % len(page), page.index("</section>", start))]
        for e in t.edge_cases:
            assert (escape_text(e.rule) in own) == (c.id in e.categories), (c.id, e.rule)


def test_blank_lines_separate_paragraphs():
    t = Taxonomy.from_dict({"name": "t", "version": 1, "description": "First para\nsame para.\n\nSecond para.",
                            "categories": [{"id": "a", "definition": "Def one.\n\n  \nDef two."}]})
    page = render_guideline_html(t)
    assert '<p class="lead">First para same para.</p>' in page.replace("para\nsame", "para same")
    assert '<p class="lead">Second para.</p>' in page
    assert '<p class="def">Def one.</p><p class="def">Def two.</p>' in page
    md = markdown_to_html(render_guideline_markdown(t))
    assert "<p><strong>Definition.</strong> Def one.</p>\n<p>Def two.</p>" in md
    assert "<p>Second para.</p>" in md


def test_changelog_lists_ops_newest_first(evil):
    page = parse(render_guideline_html(evil)).visible
    log = page.split("Change log", 1)[1]
    assert log.index("Version 2") < log.index("Version 1")
    assert "Renamed c to c2" in log and "Added a" in log


# ----------------------------------------------------------------------------- escaping
def test_html_escapes_every_piece_of_text(evil):
    out = render_guideline_html(evil)
    assert "<script" not in out.lower()
    page = parse(out)
    tags = {n["tag"] for n in page.elements}
    assert tags <= {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "h4",
                    "p", "strong", "code", "nav", "ul", "ol", "li", "a", "section", "span", "div", "footer"}, tags
    assert page.visible.count(norm(EVIL)) >= 14  # shown literally, everywhere it was written
    assert "g<b>" in page.visible
    hrefs = [n["attrs"]["href"] for n in page.elements if n["tag"] == "a"]
    assert all(h.startswith("#") for h in hrefs)  # the [link](http://...) text is not a link


def test_markdown_escapes_every_piece_of_text(evil):
    rendered = markdown_to_html(render_guideline_markdown(evil))
    assert "<script" not in rendered.lower()
    page = parse(rendered)
    assert {n["tag"] for n in page.elements} <= {"h1", "h2", "h3", "h4", "p", "strong", "code", "ul", "ol", "li"}
    assert page.visible.count(norm(EVIL)) >= 14


def test_html_page_is_self_contained():
    out = render_guideline_html(Taxonomy.load(DEMO))
    assert out.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in out
    for needle in ("http://", "https://", "src=", "@import", "url(", "<script", "<link"):
        assert needle not in out, needle
    page = parse(out)
    ids = {n["attrs"]["id"] for n in page.elements if "id" in n["attrs"]}
    targets = {n["attrs"]["href"][1:] for n in page.elements if n["tag"] == "a"}
    assert targets and targets <= ids  # every in-page link lands somewhere


# ----------------------------------------------------------------------------- writing
def test_write_guideline_chooses_the_format_by_suffix(tmp_path):
    t = Taxonomy.load(DEMO)
    assert write_guideline(t, tmp_path / "g.md").read_text(encoding="utf-8") == render_guideline_markdown(t)
    assert write_guideline(t, tmp_path / "g.HTML").read_text(encoding="utf-8") == render_guideline_html(t)
    assert write_guideline(t, str(tmp_path / "g.markdown")).exists()
    with pytest.raises(ValidationError, match=r"must end in \.md or \.html.*suffix '\.txt'"):
        write_guideline(t, tmp_path / "g.txt")
    with pytest.raises(ValidationError, match="must be a workbench Taxonomy"):
        render_guideline_html(str(DEMO))
    with pytest.raises(ValidationError, match="must be a workbench Taxonomy"):
        render_guideline_markdown({"name": "x"})


def test_demo_taxonomy_validates_and_renders(tmp_path):
    t = Taxonomy.load(DEMO)
    assert len(t.labels) >= 8 and len(t.groups) >= 2 and len(t.edge_cases) >= 3 and t.changelog
    page = parse(write_guideline(t, tmp_path / "guide.html").read_text(encoding="utf-8"))
    md = write_guideline(t, tmp_path / "guide.md").read_text(encoding="utf-8")
    for label in t.labels:
        assert t.category(label).name in page.visible and f"`{label}`" in md


@pytest.mark.browser
@pytest.mark.browser
def test_html_guideline_renders_offline_in_chromium(tmp_path, browser):
    t = Taxonomy.load(DEMO)
    path = write_guideline(t, tmp_path / "guide.html")
    requests, errors = [], []
    page = browser.new_page()
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        assert page.title().startswith("support-intents")
        font = page.evaluate("getComputedStyle(document.body).fontSize")
        width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
        nested = page.evaluate("document.querySelectorAll('section.cat section.cat').length")
        visible = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "guide.png"), full_page=False)
    finally:
        page.close()
    assert requests == [path.as_uri()] and not errors  # nothing fetched besides the page itself
    assert float(font.rstrip("px")) >= 15 and width <= 800  # readable body size and line length
    assert nested == len([c for c in t.categories if c.parent and not c.deprecated])
    assert t.category("refund_request").definition in " ".join(visible.split())


# ----------------------------------------------------------------------------- escaping, property-based
def _fuzz_texts():
    from hypothesis import strategies as st

    char = st.one_of(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), max_codepoint=0x2FFF),
                     st.sampled_from(list("<>&\"'`*_[]()#!|\\-+=~.1 \n")))
    piece = st.one_of(char, st.sampled_from(["<script>", "&amp;", "&#65;", "```", "1. ", "- ", "## ", "<!--"]))
    return st.lists(piece, min_size=1, max_size=12).map("".join).filter(lambda s: s.strip())


def test_any_text_is_shown_literally_and_never_becomes_markup():
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_fuzz_texts(), min_size=6, max_size=6))
    def check(texts):
        name, definition, include, example, rule, summary = texts
        t = Taxonomy.from_dict({
            "name": name, "version": 1,
            "categories": [{"id": "a", "name": name, "definition": definition, "include": [include],
                            "examples": [example]}, {"id": "b", "definition": definition}],
            "edge_cases": [{"rule": rule, "categories": ["a", "b"], "examples": [{"text": example, "label": "a"}]}],
            "changelog": [{"version": 1, "summary": summary, "changes": [{"op": "add", "category": "a",
                                                                         "rationale": rule}]}]})
        html_page = parse(render_guideline_html(t))
        md_page = parse(markdown_to_html(render_guideline_markdown(t)))
        allowed = {"html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "h4", "p",
                   "strong", "code", "nav", "ul", "ol", "li", "a", "section", "span", "div", "footer"}
        assert {n["tag"] for n in html_page.elements} <= allowed
        assert {n["tag"] for n in md_page.elements} <= allowed
        for text in texts:
            assert norm(text) in html_page.visible, text
            assert norm(text) in md_page.visible, (text, render_guideline_markdown(t))

    check()
