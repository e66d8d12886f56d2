"""The reports on rounds where every text field was written by an adversary.

Every text a round holds (taxonomy name, category ids, names, definitions, rules, examples, edge
cases, change-log rationales and authors, round name, item ids, item text and metadata, annotator
names, notes, session ids) is filled with hostile strings: HTML tags with ``on*`` handlers,
Markdown links, images, reference links, autolinks, bare URLs, e-mails, math with ``\\href``,
entities, control and bidi characters. The pilot, comparison and calibration reports are rendered
with :func:`workbench.report.render_report` and the exported page is read with ``html.parser``.

Allow-list: the only elements with a link or a source in the page are the ones nbconvert and the
report make themselves:

- ``<a class="anchor-link" href="#...">``: nbconvert's anchor on the *constant* section headings
  of the templates ("1. Summary", ...); a fragment stays in the page and runs nothing;
- ``<img src="data:image/svg+xml;base64,...">`` (or PNG): nbconvert's wrapper of the altair charts,
  rendered in the notebook as static SVG. The decoded SVG is checked too: no script, no handler,
  no link and no reference to anything but its XML namespaces;
- ``url(data:...)`` in nbconvert's own stylesheet (icons), and ``style`` attributes written by
  :mod:`workbench.report.narrative` (colours, alignment), which hold no ``url(``.

Nothing else may carry ``href``/``src``/``srcset``/``action``/``formaction``/``on*``; no attribute but the
text ones (``alt``, ``title``: a chart's alt text quotes its labels) may hold ``javascript:``; no ``<script>``, ``<iframe>``, ``<object>``, ``<embed>``, ``<form>``,
``<base>``, ``<link>`` or ``<math>``; nothing may load from ``http:``, ``https:`` or ``//``.
"""

from __future__ import annotations

import base64
import html as _html
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests._internal.test_markup import HOSTILE_FRAGMENTS, hostile_text
from workbench._internal.markup import shown_controls
from workbench.demo import SimulatedAnnotator, load_demo_project, simulate_labels
from workbench.report import external_references, render_report
from workbench.store import AnnotationStore
from workbench.taxonomy import Taxonomy

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

#: The worst fragments, always used (hypothesis adds its own draws to them).
WORST = ("[click](javascript:alert(1))", "![img](http://evil.example/p.png)", "<img src=x onerror=alert(2)>",
         "<script>alert(3)</script>", "www.evil.example", "https://evil.example/a", "bob@evil.example",
         "<http://evil.example/auto>", "$\\href{javascript:alert(4)}{x}$", "&#106;avascript:alert(5)",
         "[ref]\n\n[ref]: http://evil.example/r", "<a href='http://evil.example'>a</a>", "mailto:x@evil.example",
         "\u202eevil\u202c", "x\x07y", "`code` **b** _e_", "<b onmouseover=alert(6)>", "\\[x\\]")
N_ITEMS = 36
PILOT = {"round": 1, "n_boot": 20, "cv": 2, "mask_pii": False, "accept": "all", "max_examples": 2}


# ----------------------------------------------------------------------------- a hostile round
def _clean(text: str) -> str:
    return text.replace("\x00", "\x01")  # the store refuses NUL, on purpose


class Hostile:
    """Hands out hostile strings, cycling through a list."""

    def __init__(self, texts):
        self.texts = [_clean(t) for t in texts if t.strip()] or list(WORST)
        self.i = 0

    def __call__(self, base: str = "") -> str:
        self.i += 1
        return f"{base} {self.texts[self.i % len(self.texts)]}".strip()

    def one_line(self, base: str = "") -> str:
        """For ids and names: no leading / trailing space, no line break (the validators refuse those)."""
        return " ".join(self(base).split()).lstrip("[") or base


def hostile_store(folder: Path, texts, *, name=None, rounds=(1, 2)) -> dict:
    """A store with pilot round 1 (labels and quiz answers) and round 2 on a revised version, all text hostile."""
    h = Hostile(texts)
    taxonomy, items, gold = load_demo_project()
    doc = yaml.safe_load(taxonomy.to_yaml())
    ids = {c["id"]: h.one_line(c["id"]) for c in doc["categories"]}
    doc["name"] = name if name is not None else h.one_line("hostile / ../..")
    doc["description"] = h(doc.get("description", ""))
    for c in doc["categories"]:
        c["id"] = ids[c["id"]]
        if c.get("parent"):
            c["parent"] = ids[c["parent"]]
        c["name"] = h.one_line(c.get("name", c["id"]))
        c["definition"] = h(c["definition"])
        for key in ("include", "exclude", "examples", "counter_examples"):
            if key in c:
                c[key] = [h(str(x)) for x in c[key]]
    for e in doc.get("edge_cases", []):
        e["rule"] = h(e["rule"])
        e["categories"] = [ids[x] for x in e["categories"]]
        e["examples"] = [({**x, "text": h(x["text"]), "label": [ids[v] for v in x["label"]]
                           if isinstance(x["label"], list) else ids[x["label"]]} if isinstance(x, dict) else h(x))
                         for x in e.get("examples", [])]
    for entry in doc.get("changelog", []):
        entry["summary"] = h(entry.get("summary", ""))
        entry["author"] = h.one_line("author")
    v1 = Taxonomy.from_yaml(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    first, second = ids["refund_request"], ids["cancel_subscription"]
    v2 = v1.apply({"op": "rename", "category": first, "to": h.one_line(first + " renamed"), "rationale": h()},
                  author=h.one_line("lead"), summary=h("revised"))

    migrated = v2.migrate(list(v1.labels), 1, 2)
    renamed = dict(zip(migrated["label"], migrated["migrated_label"]))
    sub = items.head(N_ITEMS).copy()
    new_item_id = {i: (h.one_line(i) if k % 3 == 0 else i) for k, i in enumerate(sub["item_id"])}
    sub["item_id"] = sub["item_id"].map(new_item_id)
    sub["text"] = [h(t) for t in sub["text"]]
    sub["channel"] = [h("channel") for _ in range(len(sub))]
    g = gold.assign(item_id=gold["item_id"].map(new_item_id)).dropna(subset=["item_id"])
    g = g.assign(gold_label=g["gold_label"].map(ids),
                 ambiguity=g["ambiguity"].map(lambda a: "|".join(ids[x] for x in a.split("|")) if a else a))
    sub["gold_label"] = sub["item_id"].map(dict(zip(g["item_id"], g["gold_label"])))
    folder.mkdir(parents=True, exist_ok=True)
    store = AnnotationStore(folder / "hostile.db")
    store.add_items(sub)
    versions = {1: store.save_taxonomy(v1), 2: store.save_taxonomy(v2)}
    names = []
    while len(names) < 3:
        candidate = h.one_line(["ana", "ben", "chen"][len(names)])
        names.append(candidate if candidate not in names else f"{candidate} {len(names)}")
    sims = [SimulatedAnnotator(names[0], "hostile", noise=0.1, confusions=((first, second, 0.4),),
                               unsure_on_ambiguous=0.5, note_on_unsure=0.9, note_on_other=0.9),
            SimulatedAnnotator(names[1], "hostile", noise=0.1, confusions=((second, first, 0.4),), note_on_other=0.9),
            SimulatedAnnotator(names[2], "hostile", noise=0.1, note_on_other=0.9)]
    for r in rounds:
        tax = v1 if r == 1 else v2
        store.create_round(r, taxonomy_version=versions[min(r, 2)], name=h.one_line(f"round {r}"))
        plan = pd.DataFrame({"item_id": list(sub["item_id"]) * 2,
                             "annotator": [names[0]] * len(sub) + [names[r % 2 + 1]] * len(sub)})
        store.assign(plan, round=r)
        rg = g if r == 1 else g.assign(gold_label=g["gold_label"].map(renamed), ambiguity=g["ambiguity"].map(
            lambda a: "|".join(renamed[x] for x in a.split("|")) if a else a))
        labels = simulate_labels(plan, rg, labels=tax.labels, other_label=tax.other_label, annotators=sims,
                                 random_state=r)
        labels["note"] = [h(n) if isinstance(n, str) or k % 4 == 0 else None for k, n in enumerate(labels["note"])]
        labels["session_id"] = [h.one_line("session") for _ in range(len(labels))]
        store.record_many(labels.assign(kind="label"), round=r)
        if r == 1:
            store.record_many(labels.assign(kind="quiz"), round=r)
    return {"db": folder / "hostile.db", "taxonomy": v1, "annotators": names, "ids": ids}


# ----------------------------------------------------------------------------- the page oracle
ALLOWED_ATTRS = {"lang", "charset", "content", "name", "type", "class", "id", "style", "tabindex", "alt", "href",
                 "src", "data-mime-type", "data-jp-theme-light", "data-jp-theme-name", "colspan", "rowspan",
                 "title"}
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "form", "input", "button", "base",
                  "link", "math", "svg", "video", "audio", "source", "track", "applet", "portal", "noscript"}
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//|^\s*(?:https?|ftp|ws|wss|file):", re.I)
SVG_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink", "http://www.w3.org/XML/1998/namespace"}


def _squash(value: str) -> str:
    """What a browser makes of a URL-ish attribute: entities decoded, spaces and controls dropped."""
    return re.sub(r"[\x00-\x20\x7f]+", "", _html.unescape(value or "")).lower()


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.text, self.styles, self.svgs = [], [], [], []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        self.in_style = tag == "style"
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and any(k == "http-equiv" for k, _ in attrs):
            self.problems.append(f"<meta http-equiv>: {attrs}")
        for key, value in attrs:
            value = value or ""
            where = f"<{tag} {key}={value[:80]!r}>"
            if key.startswith("on"):
                self.problems.append(f"event handler {where}")
            elif key not in ALLOWED_ATTRS:
                self.problems.append(f"unexpected attribute {where}")
            # alt and title are text a screen reader reads (a chart's alt text quotes its labels), never a URL
            if key not in ("alt", "title") and ("javascript:" in _squash(value) or "vbscript:" in _squash(value)):
                self.problems.append(f"javascript: in {where}")
            if key == "href" and not (tag == "a" and value.startswith("#")):
                self.problems.append(f"link {where}")
            if key == "src":
                if tag != "img" or not re.match(r"data:image/(svg\+xml|png|jpeg);base64,", value):
                    self.problems.append(f"source {where}")
                elif value.startswith("data:image/svg+xml;base64,"):
                    self.svgs.append(base64.b64decode(value.split(",", 1)[1]).decode("utf-8"))
            if key == "style" and re.search(r"url\(|expression\(|@import|behavior", value, re.I):
                self.problems.append(f"style that loads {where}")
            if key in ("src", "href") and REMOTE.match(value):
                self.problems.append(f"remote resource {where}")

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        (self.styles if self.in_style else self.text).append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


class Svg(HTMLParser):
    """A chart's SVG: no script, handler, link, foreign object or reference outside itself.

    Text attributes (``aria-label``, ``aria-roledescription``) may quote the hostile labels: they
    are text, read by screen readers, never fetched or run.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "a", "foreignobject", "image", "use", "iframe", "animate", "set", "style"):
            self.problems.append(f"svg <{tag}>")
        for key, value in attrs:
            value = value or ""
            if key.startswith("on"):
                self.problems.append(f"svg handler <{tag} {key}={value!r}>")
            elif key.startswith("xmlns"):
                if value not in SVG_NAMESPACES:
                    self.problems.append(f"svg namespace {value!r}")
            elif key in ("href", "xlink:href", "src"):
                self.problems.append(f"svg link <{tag} {key}={value!r}>")
            elif not key.startswith("aria-") and any(u and not u.startswith("#") for u in
                                                     re.findall(r"url\(\s*['\"]?([^)'\"]*)", value)):
                self.problems.append(f"svg reference <{tag} {key}={value!r}>")


def live_problems(page_html: str) -> list:
    page = Page()
    page.feed(page_html)
    page.close()
    problems = list(page.problems)
    for css in page.styles:
        problems += [f"stylesheet loads {u[:60]!r}" for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css)
                     if not u.startswith("data:")]
        problems += ["stylesheet @import"] if "@import" in css else []
    for svg in page.svgs:
        parser = Svg()
        parser.feed(svg)
        problems += parser.problems
    problems += [f"external reference {r}" for r in external_references(page_html)]
    return problems


def visible_text(page_html: str) -> str:
    page = Page()
    page.feed(page_html)
    return page.visible


def shown(text: str) -> str:
    return " ".join(shown_controls(text).split())


def test_the_oracle_sees_live_elements():
    """Planted live elements are reported, the report's own allowed ones are not."""
    own = ('<a class="anchor-link" href="#1.-Summary">¶</a><img alt="chart" src="data:image/svg+xml;base64,'
           + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>').decode()
           + '"><td style="text-align:left">x</td><style>.i{background:url(data:image/png;base64,AA)}</style>')
    assert live_problems(own) == []
    for bad in ('<a href="javascript:alert(1)">x</a>', '<a href="https://evil.example">x</a>',
                '<img src="http://evil.example/p.png">', '<b onmouseover="x()">', "<script>x()</script>",
                '<a href="#x" onclick="y()">', '<div style="background:url(http://evil.example)">',
                '<a href="&#106;avascript:alert(1)">x</a>', "<style>@import 'http://evil.example/x.css';</style>",
                '<img src="data:image/svg+xml;base64,' + base64.b64encode(
                    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="http://evil.example">x</a></svg>').decode() + '">',
                '<iframe src="//evil.example"></iframe>', "<math><mi>x</mi></math>"):
        assert live_problems(bad), bad


# ----------------------------------------------------------------------------- the reports
def _render_all(folder: Path, texts, *, name=None):
    made = hostile_store(folder / "data", texts, name=name)
    db = str(made["db"])
    pilot = render_report("pilot", folder / "pilot", parameters={"db_url": db, **PILOT}, progress=False)
    comparison = render_report("comparison", folder / "comparison", parameters={"db_url": db, "round": 2,
                                                                                "n_boot": 20}, progress=False)
    calibration = render_report("calibration", folder / "calibration", parameters={"db_url": db, "round": 1},
                                progress=False)
    return made, pilot, comparison, calibration


@settings(max_examples=2, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(HOSTILE_FRAGMENTS), hostile_text(4)), min_size=6, max_size=14))
@example(list(WORST))
def test_a_round_written_by_an_adversary_renders_without_one_live_element(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("hostile")
    made, pilot, comparison, calibration = _render_all(folder, list(texts) + list(WORST[:4]))
    for result in (pilot, comparison, calibration):
        page = result.html_path.read_text(encoding="utf-8")
        assert live_problems(page) == [], (result.html_path, live_problems(page)[:10])
    page = visible_text(pilot.html_path.read_text(encoding="utf-8"))
    assert shown(made["taxonomy"].name) in page  # shown literally, not dropped
    assert all(shown(a) in page for a in made["annotators"][::2])  # ana and chen label round 1
    assert shown(made["taxonomy"].labels[0]) in page
    quiz = visible_text(calibration.html_path.read_text(encoding="utf-8"))
    assert shown(made["annotators"][0]) in quiz
    drafts = list((folder / "pilot").glob("*-draft.yaml"))
    assert all(p.parent == (folder / "pilot") for p in drafts)
    written = {p.relative_to(folder).parts[0] for p in folder.rglob("*") if p.is_file()}
    assert written <= {"data", "pilot", "comparison", "calibration"}


def _pilot_on(tmp_path, name):
    made = hostile_store(tmp_path / "data", WORST, name=name, rounds=(1,))
    out = tmp_path / "deep" / "er" / "out"
    result = render_report("pilot", out, parameters={"db_url": str(made["db"]), **PILOT, "model": "none"},
                           progress=False)
    assert result.metrics()["draft_version"] == 2, "the test needs an accepted proposal, so a draft"
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file() and "data" not in p.parts)
    return result, out, written


def test_a_taxonomy_named_dot_dot_writes_its_draft_inside_the_output_folder(tmp_path):
    result, out, written = _pilot_on(tmp_path, "../../x")
    assert (out / "x-v2-draft.yaml").is_file()
    assert written == sorted(Path("deep/er/out") / n for n in
                             ("metrics.json", "report.html", "report.ipynb", "x-v2-draft.yaml"))
    assert Taxonomy.load(out / "x-v2-draft.yaml").name == "../../x"  # the name itself is kept
    page = result.html_path.read_text(encoding="utf-8")
    assert live_problems(page) == [] and "x-v2-draft.yaml" in visible_text(page)


def test_a_taxonomy_name_with_a_slash_renders_and_gets_a_slugged_draft(tmp_path):
    result, out, written = _pilot_on(tmp_path, "support/intents <EU>")
    assert (out / "support-intents-EU-v2-draft.yaml").is_file()
    assert Path("deep/er/out/support-intents-EU-v2-draft.yaml") in written
    page = visible_text(result.html_path.read_text(encoding="utf-8"))
    assert "support/intents <EU> v2" in page and "support-intents-EU-v2-draft.yaml" in page
