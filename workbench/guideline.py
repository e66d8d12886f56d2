"""The labeling guideline: a taxonomy rendered for the people who label.

Two renderings of the same content: Markdown (for a repository or a notebook cell) and a
self-contained HTML page (inline CSS, no script, no external asset, opens offline). Both show
the hierarchy as nested sections; every category with its definition, include and exclude
rules, examples and counter-examples, and the edge-case rules that mention it; then all edge
cases, the retired categories and the change log. All taxonomy text goes through the package's
one escaping path (``workbench._internal.markup.escape_text``: inert as HTML and as Markdown);
category ids in Markdown code spans are shown as typed, with control and bidi characters made
visible.

Examples
--------
>>> from workbench.taxonomy import Taxonomy, Category
>>> from workbench.guideline import render_guideline_markdown
>>> t = Taxonomy("demo", 1, categories=[Category("a", name="Alpha", definition="All <a> things.")])
>>> print(render_guideline_markdown(t).splitlines()[0])
# demo: labeling guideline (version 1)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

from ._internal.markup import escape_text, shown_controls
from .exceptions import ValidationError
from .taxonomy import Category, Example, Taxonomy

__all__ = ["render_guideline_markdown", "render_guideline_html", "write_guideline"]

Segments = List[Tuple[str, str]]  # ("text" | "code", value)

_TASK_TEXT = {
    "multiclass": "Choose exactly one label per item.",
    "multilabel": "Choose every label that applies to the item (one or more).",
}


def _check(taxonomy, caller: str) -> Taxonomy:
    if not isinstance(taxonomy, Taxonomy):
        raise ValidationError(f"The 'taxonomy' parameter of {caller} must be a workbench Taxonomy. Got "
                              f"{type(taxonomy).__name__} instead; load one with Taxonomy.load(path).")
    return taxonomy


def _tree(t: Taxonomy) -> Tuple[List[Category], Dict[str, List[Category]]]:
    """Active roots and active children per id, in document order."""
    active = [c for c in t.categories if not c.deprecated]
    ids = {c.id for c in active}
    kids: Dict[str, List[Category]] = {c.id: [] for c in active}
    roots = []
    for c in active:
        (kids[c.parent] if c.parent in ids else roots).append(c)
    return roots, kids


def _ids(xs) -> Segments:
    """``a, b, c`` as code segments separated by commas."""
    return [seg for i, x in enumerate(xs) for seg in ([("text", ", ")] if i else []) + [("code", x)]]


def _part(p) -> str:
    return p if isinstance(p, str) else p["id"]


def _paragraphs(text: str) -> List[str]:
    """Text split at blank lines (a single line break is just a space)."""
    return [p for p in re.split(r"\n\s*\n", str(text).strip()) if p.strip()] or [""]


def _op_segments(op: dict) -> Segments:
    """One changelog operation as readable text with the category ids as code."""
    kind = op.get("op")
    if kind == "add":
        cat = op["category"]
        segs = [("text", "Added "), ("code", cat if isinstance(cat, str) else cat["id"])]
    elif kind == "retire":
        segs = [("text", "Retired "), ("code", op["category"])]
    elif kind == "rename":
        segs = [("text", "Renamed "), ("code", op["category"]), ("text", " to "), ("code", op["to"])]
    elif kind == "merge":
        segs = [("text", "Merged ")] + _ids(op["categories"]) + [("text", " into "), ("code", op["into"])]
    elif kind == "split":
        segs = [("text", "Split "), ("code", op["category"]), ("text", " into ")] + _ids([_part(p) for p in op["into"]])
    elif kind == "redefine":
        segs = [("text", "Redefined "), ("code", op["category"]), ("text", f": {op['definition']}")]
    elif kind == "add_rule":
        rules = "; ".join(f"{k} {r}" for k in ("include", "exclude") if k in op
                          for r in ([op[k]] if isinstance(op[k], str) else op[k]))
        segs = [("text", "New rule for "), ("code", op["category"]), ("text", f": {rules}")]
    else:
        segs = [("text", f"New edge case: {op.get('rule', '')}")]
    if op.get("rationale"):
        segs.append(("text", f" (why: {op['rationale']})"))
    return segs


# ----------------------------------------------------------------------------- Markdown
_EDGE_SPACE = re.compile(r"^( *)(.*?)( *)$", re.S)


def _md(text: str, strip: bool = True) -> str:
    """One line of Markdown text: whitespace collapsed, then :func:`escape_text` (HTML and Markdown).

    With ``strip=False`` (a piece of a line) the spaces around it stay plain spaces.
    """
    text = re.sub(r"\s+", " ", str(text))
    lead, core, trail = _EDGE_SPACE.match(text.strip() if strip else text).groups()
    return f"{lead}{escape_text(core)}{trail}"


def _md_code(text: str) -> str:
    """A code span showing ``text`` as typed (a code span renders its content literally, so no
    entity: ``&lt;`` would show as typed); a fence longer than any run of backticks in ``text``
    keeps a backtick from closing it."""
    text = shown_controls(" ".join(str(text).split()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or len(fence) > 1 else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_segments(segs: Segments) -> str:
    return "".join(_md_code(v) if k == "code" else _md(v, strip=False) for k, v in segs)


def _md_example(e) -> str:
    if isinstance(e, Example):
        return f"{_md(e.text)} → " + ", ".join(_md_code(x) for x in _labels_of(e))
    return _md(e)


def render_guideline_markdown(taxonomy: Taxonomy) -> str:
    """Render the labeling guideline as Markdown.

    Parameters
    ----------
    taxonomy : Taxonomy

    Returns
    -------
    str
        Markdown with one heading per category (nested by hierarchy), the edge cases, the
        retired categories and the change log.

    Examples
    --------
    >>> from workbench.taxonomy import Taxonomy, Category
    >>> t = Taxonomy("demo", 1, categories=[Category("a", definition="Use *this* <b>.")])
    >>> "Use &#42;this&#42; &lt;b&gt;." in render_guideline_markdown(t)
    True
    """
    t = _check(taxonomy, "render_guideline_markdown")
    roots, kids = _tree(t)
    edge_no = {id(e): i + 1 for i, e in enumerate(t.edge_cases)}
    out = [f"# {_md(t.name)}: labeling guideline (version {t.version})", ""]
    if t.description:
        out += [x for para in _paragraphs(t.description) for x in (_md(para), "")]
    out += [f"**Task:** {_md(_TASK_TEXT[t.task])}"]
    if t.other_label:
        out += [f"When nothing fits, use {_md_code(t.other_label)} and write a note."]
    out += ["", "## Overview", ""]

    def overview(c: Category, level: int) -> None:
        tag = "" if c.id in t.labels else " (group)"
        out.append(f"{'  ' * level}- **{_md(c.name)}** {_md_code(c.id)}{tag}")
        for k in kids[c.id]:
            overview(k, level + 1)

    for r in roots:
        overview(r, 0)
    out += ["", "## Categories", ""]

    def section(c: Category, level: int) -> None:
        tag = "" if c.id in t.labels else " (group)"
        out.extend([f"{'#' * min(3 + level, 6)} {_md(c.name)} {_md_code(c.id)}{tag}", "",
                    "\n\n".join(f"**Definition.** {_md(p)}" if i == 0 else _md(p)
                                for i, p in enumerate(_paragraphs(c.definition))), ""])
        for title, items in (("Include when", c.include), ("Exclude (use another category)", c.exclude),
                             ("Examples", c.examples), ("Counter-examples", c.counter_examples)):
            if items:
                out.extend([f"**{title}:**", ""] + [f"- {_md(x)}" for x in items] + [""])
        edges = t.edge_cases_for(c.id)
        if edges:
            out.extend(["**Edge cases:**", ""] + [f"- (E{edge_no[id(e)]}) {_md(e.rule)}" for e in edges] + [""])
        for k in kids[c.id]:
            section(k, level + 1)

    for r in roots:
        section(r, 0)
    if t.edge_cases:
        out += ["## Edge cases", ""]
        for i, e in enumerate(t.edge_cases, 1):
            cats = ", ".join(_md_code(x) for x in e.categories)
            out.append(f"{i}. **E{i}.** {_md(e.rule)} ({cats})")
            out.extend(f"    - Example: {_md_example(x)}" for x in e.examples)
        out.append("")
    retired = [c for c in t.categories if c.deprecated]
    if retired:
        out += ["## Retired categories", "", "Do not use these labels any more.", ""]
        out += [f"- {_md_code(c.id)} {_md(c.name)}: {_md(c.definition)}" for c in retired] + [""]
    if t.changelog:
        out += ["## Change log", ""]
        for entry in sorted(t.changelog, key=lambda e: -e.version):
            meta = " · ".join(_md(x) for x in (entry.date, entry.author) if x)
            out += [f"### Version {entry.version}" + (f" ({meta})" if meta else ""), ""]
            if entry.summary:
                out += [_md(entry.summary), ""]
            out += [f"- {_md_segments(_op_segments(op))}" for op in entry.changes] + [""]
    out.append(f"<!-- taxonomy content hash {t.content_hash()} -->")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- HTML
_CSS = """
:root{--fg:#1d2430;--muted:#5b6473;--line:#d9dee7;--accent:#2456a6;--ok:#2e7d4f;--no:#b3372f;--bg:#fff;--soft:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:17px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI",
Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:46rem;margin:0 auto;padding:2.5rem 1.25rem 4rem}
h1{font-size:2rem;line-height:1.2;margin:0 0 .5rem}h2{font-size:1.5rem;margin:2.5rem 0 1rem;
border-bottom:2px solid var(--line);padding-bottom:.3rem}h3,h4,h5,h6{margin:1.6rem 0 .5rem;line-height:1.3}
code{font:0.85em/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);
border:1px solid var(--line);border-radius:4px;padding:.05em .35em}
.lead{color:var(--muted);font-size:1.05rem}.task{background:var(--soft);border-left:4px solid var(--accent);
padding:.6rem 1rem;border-radius:4px}
nav ul{list-style:none;padding-left:1.1rem;margin:.2rem 0}nav>ul{padding-left:0}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
section.cat{border-left:3px solid var(--line);padding:.1rem 0 .4rem 1rem;margin:1rem 0}
section.group{border-left-color:var(--accent)}
.tag{font-size:.72rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin-left:.4rem}
.def{margin:.3rem 0 .8rem}.label{font-weight:600;margin:.8rem 0 .2rem}
ul.rules,ul.ex{margin:.2rem 0 .6rem;padding-left:1.3rem}
ul.ex li{list-style:none;margin:.25rem 0 .25rem -1.3rem;padding:.3rem .7rem;border-radius:4px;background:var(--soft)}
ul.ex.yes li{border-left:3px solid var(--ok)}ul.ex.no li{border-left:3px solid var(--no)}
ol.edges li{margin:.6rem 0}.meta{color:var(--muted);font-size:.9rem}
footer{margin-top:3rem;color:var(--muted);font-size:.8rem;border-top:1px solid var(--line);padding-top:.8rem}
@media print{main{max-width:none}a{color:inherit}}
"""


def _h(text) -> str:
    return escape_text(text)


def _h_segments(segs: Segments) -> str:
    return "".join(f"<code>{_h(v)}</code>" if k == "code" else _h(v) for k, v in segs)


def _labels_of(example: Example) -> List[str]:
    return [example.label] if isinstance(example.label, str) else list(example.label)


def _h_example(example, link) -> str:
    """An edge-case example as a list item; a labeled one shows its label(s) as links."""
    if isinstance(example, Example):
        return f"<li>{_h(example.text)} &rarr; " + ", ".join(link(x) for x in _labels_of(example)) + "</li>"
    return f"<li>{_h(example)}</li>"


def _anchor(prefix: str, i: int, cid: str) -> str:
    return f"{prefix}-{i}-" + re.sub(r"[^A-Za-z0-9_-]+", "-", cid)[:40]


def render_guideline_html(taxonomy: Taxonomy) -> str:
    """Render the labeling guideline as one self-contained HTML page.

    The page has inline CSS only: no script, no font, image or stylesheet to fetch, so it
    opens offline. Every piece of taxonomy text goes through the shared ``escape_text``.

    Parameters
    ----------
    taxonomy : Taxonomy

    Returns
    -------
    str
        A complete HTML5 document.

    Examples
    --------
    >>> from workbench.taxonomy import Taxonomy, Category
    >>> t = Taxonomy("demo", 1, categories=[Category("a", definition="<script>alert(1)</script>")])
    >>> page = render_guideline_html(t)
    >>> "<script>" in page, "&lt;script&gt;alert&#40;1&#41;&lt;/script&gt;" in page
    (False, True)
    """
    t = _check(taxonomy, "render_guideline_html")
    roots, kids = _tree(t)
    anchors = {c.id: _anchor("cat", i, c.id) for i, c in enumerate(t.categories)}
    edge_no = {id(e): i + 1 for i, e in enumerate(t.edge_cases)}

    def link(cid: str) -> str:
        code = f"<code>{_h(cid)}</code>"
        return f'<a href="#{anchors[cid]}">{code}</a>' if cid in anchors else code

    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="generator" content="taxonomy-workbench">',
           f"<title>{_h(t.name)}: labeling guideline (v{t.version})</title>", f"<style>{_CSS}</style>",
           "</head>", "<body>", "<main>", "<header>",
           f"<h1>{_h(t.name)}: labeling guideline</h1>", f'<p class="meta">Version {t.version}</p>']
    if t.description:
        out += [f'<p class="lead">{_h(p)}</p>' for p in _paragraphs(t.description)]
    task = _h(_TASK_TEXT[t.task])
    if t.other_label:
        task += f" When nothing fits, use {link(t.other_label)} and write a note."
    out += [f'<p class="task"><strong>Task:</strong> {task}</p>', "</header>"]

    def nav(c: Category) -> None:
        out.append(f'<li><a href="#{anchors[c.id]}">{_h(c.name)}</a> <code>{_h(c.id)}</code>')
        if kids[c.id]:
            out.append("<ul>")
            for k in kids[c.id]:
                nav(k)
            out.append("</ul>")
        out.append("</li>")

    out += ['<nav aria-label="Categories"><h2>Overview</h2>', "<ul>"]
    for r in roots:
        nav(r)
    out += ["</ul>", "</nav>", '<section id="categories"><h2>Categories</h2>']

    def section(c: Category, level: int) -> None:
        group = c.id not in t.labels
        h = min(3 + level, 6)
        tag = '<span class="tag">group</span>' if group else ""
        if c.other:
            tag = '<span class="tag">none of these</span>'
        out.extend([f'<section class="cat{" group" if group else ""}" id="{anchors[c.id]}">',
                    f"<h{h}>{_h(c.name)} <code>{_h(c.id)}</code>{tag}</h{h}>",
                    "".join(f'<p class="def">{_h(p)}</p>' for p in _paragraphs(c.definition))])
        for title, items, cls in (("Include when", c.include, "rules"),
                                  ("Exclude (use another category)", c.exclude, "rules"),
                                  ("Examples", c.examples, "ex yes"), ("Counter-examples", c.counter_examples, "ex no")):
            if items:
                out.append(f'<p class="label">{title}</p><ul class="{cls}">'
                           + "".join(f"<li>{_h(x)}</li>" for x in items) + "</ul>")
        edges = t.edge_cases_for(c.id)
        if edges:
            out.append('<p class="label">Edge cases</p><ul class="rules">' + "".join(
                f'<li><a href="#edge-{edge_no[id(e)]}">E{edge_no[id(e)]}</a> {_h(e.rule)}</li>' for e in edges)
                + "</ul>")
        for k in kids[c.id]:
            section(k, level + 1)
        out.append("</section>")

    for r in roots:
        section(r, 0)
    out.append("</section>")
    if t.edge_cases:
        out += ['<section id="edge-cases"><h2>Edge cases</h2>', '<ol class="edges">']
        for i, e in enumerate(t.edge_cases, 1):
            item = [f'<li id="edge-{i}"><strong>E{i}.</strong> {_h(e.rule)}',
                    '<div class="meta">Categories: ' + ", ".join(link(x) for x in e.categories) + "</div>"]
            if e.examples:
                item.append('<ul class="ex yes">' + "".join(_h_example(x, link) for x in e.examples) + "</ul>")
            out.append("".join(item) + "</li>")
        out += ["</ol>", "</section>"]
    retired = [c for c in t.categories if c.deprecated]
    if retired:
        out += ['<section id="retired"><h2>Retired categories</h2><p>Do not use these labels any more.</p><ul>']
        out += [f'<li id="{anchors[c.id]}"><code>{_h(c.id)}</code> {_h(c.name)}: {_h(c.definition)}</li>'
                for c in retired]
        out += ["</ul></section>"]
    if t.changelog:
        out.append('<section id="changelog"><h2>Change log</h2>')
        for entry in sorted(t.changelog, key=lambda e: -e.version):
            meta = " &middot; ".join(_h(x) for x in (entry.date, entry.author) if x)
            out.append(f"<h3>Version {entry.version}</h3>" + (f'<p class="meta">{meta}</p>' if meta else ""))
            if entry.summary:
                out.append(f"<p>{_h(entry.summary)}</p>")
            if entry.changes:
                out.append("<ul>" + "".join(f"<li>{_h_segments(_op_segments(op))}</li>" for op in entry.changes)
                           + "</ul>")
        out.append("</section>")
    out += [f"<footer>Generated by Taxonomy Workbench from {_h(t.name)} v{t.version} "
            f"(content hash <code>{t.content_hash()[:12]}</code>).</footer>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_guideline(taxonomy: Taxonomy, path: "str | Path") -> Path:
    """Write the guideline to ``path``: Markdown for ``.md`` / ``.markdown``, HTML for ``.html`` / ``.htm``.

    Examples
    --------
    >>> import os, tempfile
    >>> from workbench.taxonomy import Taxonomy, Category
    >>> t = Taxonomy("demo", 1, categories=[Category("a", definition="A.")])
    >>> p = write_guideline(t, os.path.join(tempfile.mkdtemp(), "guide.html"))
    >>> p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    True
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        text = render_guideline_markdown(taxonomy)
    elif suffix in (".html", ".htm"):
        text = render_guideline_html(taxonomy)
    else:
        raise ValidationError(f"The 'path' parameter of write_guideline must end in .md or .html. Got "
                              f"{str(path)!r} (suffix {suffix or 'none'!r}) instead; choose the format by the "
                              "file name, e.g. guideline.html.")
    path.write_text(text, encoding="utf-8")
    return path
