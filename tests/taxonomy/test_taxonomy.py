"""Taxonomy loading, lossless round trip, structure queries and every validation rule (with its line)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from workbench.exceptions import TaxonomyError, ValidationError, WorkbenchError
from workbench.taxonomy import Category, ChangelogEntry, EdgeCase, Example, Taxonomy

FIXTURES = Path(__file__).parents[1] / "fixtures"
DEMO = Path(__file__).resolve().parents[2] / "workbench" / "demo" / "data" / "taxonomy.yaml"

BASE = """\
name: t
version: 1
categories:
  - id: billing
    definition: Money.
  - id: refund
    parent: billing
    definition: Wants money back.
  - id: bug
    definition: Something is broken.
"""


def marked_line(text: str, marker: str = "#!") -> int:
    """1-based line of the line carrying ``marker`` (the line a problem must point at)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


def problems_of(text: str) -> list:
    with pytest.raises(TaxonomyError) as info:
        Taxonomy.from_yaml(text)
    return info.value.problems


def assert_problem(text: str, pattern: str, *, marker: str = "#!") -> str:
    """Exactly one problem matches ``pattern`` and it names the marked line."""
    text = textwrap.dedent(text)
    found = [p for p in problems_of(text) if re.search(pattern, p)]
    assert len(found) == 1, (pattern, problems_of(text))
    line = marked_line(text, marker)
    assert found[0].startswith(f"line {line}: "), (found[0], line)
    return found[0]


# ----------------------------------------------------------------------------- loading
def test_demo_taxonomy_loads_and_has_the_expected_shape():
    t = Taxonomy.load(DEMO)
    assert t.name == "support-intents" and t.version == 1 and t.task == "multiclass"
    assert set(t.groups) == {"billing", "technical", "account"}
    assert "billing" not in t.labels and "refund_request" in t.labels
    assert t.other_label == "none_of_these" and t.labels[-1] == "none_of_these"
    assert t.max_depth == 1
    assert t.roll_up("refund_request", 0) == "billing"
    assert t.roll_up("none_of_these", 0) == "none_of_these"
    assert len(t.edge_cases) >= 3
    assert t.changelog[0].version == 1


def test_starter_taxonomy_loads():
    starter = DEMO.parents[2] / "data" / "starter_taxonomy.yaml"
    assert Taxonomy.load(starter).labels == ("category_one", "category_two", "none_of_these")


def test_structure_queries_on_a_three_level_taxonomy():
    t = Taxonomy.load(FIXTURES / "taxonomy_rich.yaml")
    assert t.labels == ("late_order", "missing_item", "other")  # groups and retired ones excluded
    assert t.groups == ("orders", "order_status")
    assert t.parent_of == {"orders": None, "order_status": "orders", "late_order": "order_status",
                           "missing_item": "orders", "old_loyalty": None, "other": None}
    assert t.ancestors("late_order") == ("orders", "order_status")
    assert t.depth("late_order") == 2 and t.depth("orders") == 0 and t.max_depth == 2
    assert [t.roll_up("late_order", k) for k in range(4)] == ["orders", "order_status", "late_order", "late_order"]
    assert t.roll_up(["late_order", "missing_item"], 0) == ("orders",)
    assert t.category("late_order").exclude == ("Use missing_item instead when the order arrived incomplete.",)
    assert [e.rule[:4] for e in t.edge_cases_for("missing_item")] == ["Late"]
    assert isinstance(t.edge_cases[0].examples[1], Example)
    assert t.edge_cases[0].examples[2].label == ("late_order", "missing_item")
    assert t.changelog[0] == ChangelogEntry(2, date="2026-10-01", author="Ana", summary="Retire loyalty.",
                                            changes=[{"op": "retire", "category": "old_loyalty",
                                                      "rationale": "programme ended"}])


def test_unknown_category_lists_the_valid_ids():
    t = Taxonomy.from_yaml(BASE)
    with pytest.raises(TaxonomyError, match=r"unknown category 'refnd'.*Did you mean 'refund'\?.*"
                                            r"\['billing', 'refund', 'bug'\]"):
        t.category("refnd")
    with pytest.raises(TaxonomyError, match="unknown category"):
        t.edge_cases_for("nope")
    with pytest.raises(ValidationError, match="The 'level' parameter of Taxonomy.roll_up must be an int >= 0"):
        t.roll_up("refund", -1)


def test_errors_are_workbench_and_value_errors():
    with pytest.raises(ValueError):
        Taxonomy.from_yaml("name: [")
    with pytest.raises(WorkbenchError):
        Taxonomy.from_yaml("name: [")


# ----------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("path", [FIXTURES / "taxonomy_rich.yaml", DEMO], ids=["rich", "demo"])
def test_round_trip_is_lossless_and_keeps_key_order(path):
    original_text = path.read_text(encoding="utf-8")
    t = Taxonomy.load(path)
    dumped = t.to_yaml()
    again = Taxonomy.from_yaml(dumped)
    assert again == t
    assert again.to_yaml() == dumped  # stable fixed point
    # same content, and key order preserved at every level (json-like comparison keeps order)
    original, written = yaml.safe_load(original_text), yaml.safe_load(dumped)
    assert written == original

    def key_orders(node, acc):
        if isinstance(node, dict):
            acc.append(list(node))
            for v in node.values():
                key_orders(v, acc)
        elif isinstance(node, list):
            for v in node:
                key_orders(v, acc)
        return acc

    assert key_orders(written, []) == key_orders(original, [])


def test_round_trip_of_tricky_scalars():
    text = textwrap.dedent("""\
        name: "yes"
        version: 7
        description: "null"
        categories:
          - id: "true"
            name: "123"
            definition: "line one\\nline two\\n  indented: with colon # and hash"
            examples: ["  leading spaces", "trailing spaces  ", "", "- dash", "'quote'", "tab\\there"]
        changelog:
          - version: 7
            date: 2026-11-01
        """)
    t = Taxonomy.from_yaml(text)
    assert t.name == "yes" and t.categories[0].id == "true" and t.categories[0].name == "123"
    assert t.changelog[0].date == "2026-11-01"  # a YAML date becomes its ISO string
    assert Taxonomy.from_yaml(t.to_yaml()) == t
    assert Taxonomy.from_yaml(t.to_yaml()).categories[0].examples == t.categories[0].examples


@pytest.mark.parametrize("text", ["r\x85\u00c3\U00026de8", "a\u2028b\u2029c", "x\r\ny", "tab\tend", "a\n\nb\n",
                                  "\ufeffbom", "a\x85", "multi\nline\x85", "emoji \U0001f600", "nul-free \x07bell"])
def test_round_trip_of_odd_characters(text):
    t = Taxonomy("t", 1, categories=[{"id": "a", "definition": text, "examples": [text]}],
                 edge_cases=[{"rule": text, "categories": ["a"]}])
    again = Taxonomy.from_yaml(t.to_yaml())
    assert again == t and again.categories[0].definition == text and again.edge_cases[0].rule == text


def test_save_and_load(tmp_path):
    t = Taxonomy.load(FIXTURES / "taxonomy_rich.yaml")
    path = t.save(tmp_path / "out.yaml")
    loaded = Taxonomy.load(path)
    assert loaded == t and loaded.source == str(path)


def test_from_yaml_takes_text_bytes_or_a_file_object():
    import io

    t = Taxonomy.from_yaml(BASE)
    assert Taxonomy.from_yaml(BASE.encode("utf-8")) == t == Taxonomy.from_yaml(io.StringIO(BASE))
    with pytest.raises(ValidationError, match="Use Taxonomy.load"):
        Taxonomy.from_yaml(DEMO)
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        Taxonomy.from_yaml(b"name: \xff\xfe")


def test_load_missing_file_is_a_taxonomy_error(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read the taxonomy file"):
        Taxonomy.load(tmp_path / "nope.yaml")


def test_content_hash_ignores_key_order_but_not_content():
    t = Taxonomy.from_yaml(BASE)
    reordered = BASE.replace("  - id: bug\n    definition: Something is broken.",
                             "  - definition: Something is broken.\n    id: bug")
    assert reordered != BASE
    assert Taxonomy.from_yaml(reordered).content_hash() == t.content_hash()
    changed = Taxonomy.from_yaml(BASE.replace("Something is broken.", "Something broke."))
    assert changed.content_hash() != t.content_hash()
    assert re.fullmatch(r"[0-9a-f]{64}", t.content_hash())
    assert len({t, Taxonomy.from_yaml(reordered), changed}) == 2  # hashable, hash follows content
    explicit = BASE.replace("    definition: Money.\n", "    definition: Money.\n    deprecated: false\n    other: false\n"
                            "    name: billing\n    include: []\n").replace("version: 1\n", "version: 1\ntask: multiclass\n")
    assert explicit != BASE and Taxonomy.from_yaml(explicit).content_hash() == t.content_hash()
    assert Taxonomy.from_yaml(explicit).to_yaml() != t.to_yaml()  # while the written form keeps them


def test_direct_construction_validates_and_converts_mappings():
    t = Taxonomy("t", 2, categories=[{"id": "a", "definition": "A."}, Category("b", parent="a", definition="B.")],
                 edge_cases=[EdgeCase("b is b", ["b"])])
    assert t.labels == ("b",) and isinstance(t.categories[0], Category)
    with pytest.raises(TaxonomyError, match="unknown parent 'zz'"):
        Taxonomy("t", 1, categories=[Category("a", parent="zz", definition="A.")])
    with pytest.raises(TaxonomyError, match=r"categories\[0\]: cannot build a Category.*defintion"):
        Taxonomy("t", 1, categories=[{"id": "a", "defintion": "A."}])
    with pytest.raises(ValidationError, match="Use Taxonomy.from_dict"):
        Taxonomy.from_yaml({"name": "t"})


def test_yaml_tags_are_not_executed():
    text = "name: !!python/object/apply:os.system ['echo pwned']\nversion: 1\ncategories: []\n"
    with pytest.raises(TaxonomyError, match="line 1: YAML syntax error"):
        Taxonomy.from_yaml(text)


# ----------------------------------------------------------------------------- validation rules
def test_duplicate_id():
    msg = assert_problem("""\
        name: t
        version: 1
        categories:
          - id: a
            definition: A.
          - id: a   #!
            definition: Again.
        """, "duplicate category id 'a'")
    assert "first defined at line 4" in msg


def test_unknown_parent_with_did_you_mean():
    msg = assert_problem("""\
        name: t
        version: 1
        categories:
          - id: billing
            definition: Money.
          - id: refund
            parent: biling   #!
            definition: Back.
        """, "unknown parent 'biling'")
    assert "Did you mean 'billing'?" in msg


def test_hierarchy_cycle_is_reported_once():
    text = """\
        name: t
        version: 1
        categories:
          - id: a
            parent: c   #!
            definition: A.
          - id: b
            parent: a
            definition: B.
          - id: c
            parent: b
            definition: C.
        """
    msg = assert_problem(text, "hierarchy cycle")
    assert "a -> c -> b -> a" in msg
    assert_problem("""\
        name: t
        version: 1
        categories:
          - id: a
            parent: a   #!
            definition: A.
        """, "hierarchy cycle a -> a")


def test_missing_and_empty_definition():
    assert_problem("""\
        name: t
        version: 1
        categories:
          - id: a   #!
            name: A
        """, "missing 'definition'")
    assert_problem("""\
        name: t
        version: 1
        categories:
          - id: a
            definition: "   "   #!
        """, "'definition' is empty")


def test_edge_case_naming_an_unknown_category():
    msg = assert_problem(BASE + textwrap.dedent("""\
        edge_cases:
          - rule: A refund because of a bug is a refund.
            categories: [refund, bugg]   #!
        """), "unknown category 'bugg'")
    assert "Did you mean 'bug'?" in msg and "Valid ids" in msg


def test_edge_case_example_naming_an_unknown_category():
    assert_problem(BASE + textwrap.dedent("""\
        edge_cases:
          - rule: R.
            categories: [refund, bug]
            examples:
              - {text: "refund me", label: refund}
              - text: "crashed"
                label: crash   #!
        """), "example 2: names the unknown category 'crash'")


def test_active_child_under_deprecated_parent():
    assert_problem("""\
        name: t
        version: 1
        categories:
          - id: billing
            definition: Money.
            deprecated: true
          - id: refund
            parent: billing   #!
            definition: Back.
        """, "active category under the deprecated parent 'billing'")
    # a retired child under a retired parent is fine
    Taxonomy.from_yaml("name: t\nversion: 1\ncategories:\n  - {id: a, definition: A., deprecated: true}\n"
                       "  - {id: b, parent: a, definition: B., deprecated: true}\n  - {id: c, definition: C.}\n")


@pytest.mark.parametrize("value", ["'2'", "1.5", "true", "[1]", "two"])
def test_non_integer_version(value):
    assert_problem(f"""\
        name: t
        version: {value}   #!
        categories:
          - {{id: a, definition: A.}}
        """, "'version' must be an integer")


def test_missing_name_version_categories():
    problems = problems_of("description: nothing else\n")
    assert any("missing 'name'" in p for p in problems)
    assert any("missing 'version'" in p for p in problems)
    assert any("missing 'categories'" in p for p in problems)
    assert all(p.startswith("line 1: ") for p in problems)


def test_unknown_task():
    msg = assert_problem("""\
        name: t
        version: 1
        task: multilable   #!
        categories:
          - {id: a, definition: A.}
        """, "unknown task")
    assert "Did you mean 'multilabel'?" in msg and "['multiclass', 'multilabel']" in msg


def test_string_where_a_list_is_expected():
    msg = assert_problem("""\
        name: t
        version: 1
        categories:
          - id: a
            definition: A.
            include: "just one rule"   #!
        """, "'include' must be a list of strings")
    assert "got a string" in msg
    assert_problem(BASE + "edge_cases:\n  - rule: R.\n    categories: refund   #!\n",
                   "'categories' must be a list of category ids")
    assert_problem("name: t\nversion: 1\ncategories:   #!\n  id: a\n", "'categories' must be a list")
    assert_problem("name: t\nversion: 1\ncategories:\n  - {id: a, definition: A., examples: [1, [2]]}   #!\n",
                   r"examples\[1\] must be a string")


@pytest.mark.parametrize("bad_id", ["' padded'", "'[a, b]'"])
def test_ids_that_would_be_misread(bad_id):
    assert_problem(f"name: t\nversion: 1\ncategories:\n  - id: {bad_id}   #!\n    definition: A.\n",
                   "must not start or end with spaces")


def test_concise_repr():
    t = Taxonomy.load(DEMO)
    assert repr(t) == (f"Taxonomy(name='support-intents', version={t.version}, task='multiclass', "
                       f"{len(t.categories)} categories, {len(t.labels)} labels, {len(t.edge_cases)} edge cases, "
                       f"{len(t.changelog)} changelog entries)")
    assert len(repr(Taxonomy.from_dict({"name": "b", "version": 1, "categories": [
        {"id": f"c{i}", "definition": "D." * 50} for i in range(500)]}))) < 200


def test_notebook_summary_is_escaped():
    t = Taxonomy("<i>t</i>", 1, categories=[Category("a", name="<script>x</script>", definition="A & B."),
                                            Category("b", parent="a", definition="B.")])
    out = t._repr_html_()
    assert "<script>" not in out and "&lt;script&gt;x&lt;/script&gt;" in out and "&lt;i&gt;t&lt;/i&gt;" in out
    assert out.count("<tr>") == 3 and "A &amp; B." in out and "padding-left:1.2em" in out


def test_wrong_scalar_types():
    assert_problem("name: t\nversion: 1\ncategories:\n  - id: 404   #!\n    definition: A.\n",
                   "'id' must be a non-empty string")
    assert_problem("name: t\nversion: 1\ncategories:\n  - id: a\n    definition: A.\n    deprecated: 'no'   #!\n",
                   "'deprecated' must be true or false")
    assert_problem("name: t\nversion: 1\ncategories:\n  - id: a\n    definition: [A]   #!\n",
                   "'definition' must be a string")
    assert_problem("name: t\nversion: 1\ncategories:\n  - just a string   #!\n", r"categories\[0\] must be a mapping")
    assert_problem("name: t\nversion: 1\ncategories:\n  - id: a\n    name: ''   #!\n    definition: A.\n",
                   "'name' is empty")


def test_more_than_one_other():
    msg = assert_problem("""\
        name: t
        version: 1
        categories:
          - {id: none, other: true, definition: N.}
          - {id: misc, other: true, definition: M.}   #!
        """, "more than one category has `other: true`")
    assert "['none', 'misc']" in msg


def test_unknown_keys_name_the_key_and_the_valid_keys():
    msg = assert_problem("""\
        name: t
        version: 1
        categories:
          - id: a
            defintion: A.   #!
        """, "unknown key 'defintion'")
    assert "Did you mean 'definition'?" in msg and "'counter_examples'" in msg
    assert_problem("name: t\nversion: 1\ncategoris: []   #!\n", "unknown key 'categoris'.*Did you mean 'categories'")
    assert_problem(BASE + "edge_cases:\n  - rule: R.\n    categories: [bug]\n    exemples: []   #!\n",
                   "unknown key 'exemples'.*Did you mean 'examples'")


def test_repeated_yaml_key_is_reported_in_line_order():
    assert_problem("name: t\nversion: 1\ncategories:\n  - id: a\n    definition: A.\n    definition: B.   #!\n",
                   "key 'definition' appears twice")
    problems = problems_of("name: t\nversion: x\ncategories:\n  - {id: a, definition: A.}\nname: u\n")
    assert [p[:7] for p in problems] == ["line 2:", "line 5:"]


def test_yaml_syntax_error_has_its_line():
    problems = problems_of("name: t\nversion: 1\ncategories:\n  - id: a\n    definition: 'unclosed\n")
    assert len(problems) == 1 and re.match(r"line \d+: YAML syntax error", problems[0])
    problems = problems_of("name: t\n  bad: indent\n")
    assert problems[0].startswith("line 2: YAML syntax error")


@pytest.mark.parametrize("text, pattern", [
    ("", "must be a YAML mapping.*got nothing"),
    ("- a\n- b\n", "must be a YAML mapping.*got a list"),
    ("just text", "must be a YAML mapping.*got a string"),
    ("a: 1\n---\nb: 2\n", "YAML syntax error"),
])
def test_documents_that_are_not_a_taxonomy(text, pattern):
    problems = problems_of(text)
    assert any(re.search(pattern, p) for p in problems), problems


def test_changelog_rules():
    assert_problem(BASE + "changelog:\n  - version: 2   #!\n", "newer than the taxonomy's version 1")
    assert_problem(BASE + "changelog:\n  - version: 1\n    changes:\n      - {op: renmae, category: a}   #!\n",
                   "unknown op 'renmae'.*Did you mean 'rename'")
    assert_problem(BASE + "changelog:\n  - version: 1\n    changes:\n      - {op: rename, category: a}   #!\n",
                   "op 'rename': missing 'to'")
    assert_problem(BASE + "changelog:\n  - version: 1\n  - version: 1   #!\n", "a second entry for version 1")


def test_every_problem_is_collected_in_one_error_sorted_by_line():
    text = (FIXTURES / "taxonomy_broken.yaml").read_text(encoding="utf-8")
    with pytest.raises(TaxonomyError) as info:
        Taxonomy.load(FIXTURES / "taxonomy_broken.yaml")
    err = info.value
    assert err.source.endswith("taxonomy_broken.yaml") and "taxonomy_broken.yaml" in str(err)
    # each expected problem is marked in the fixture with "#! <regex>" on its line
    expected = {i: line.split("#!", 1)[1].strip() for i, line in enumerate(text.splitlines(), 1) if "#!" in line}
    assert len(expected) >= 10
    for line, pattern in expected.items():
        assert any(p.startswith(f"line {line}: ") and re.search(pattern, p) for p in err.problems), \
            (line, pattern, err.problems)
    lines = [int(re.match(r"line (\d+):", p).group(1)) for p in err.problems]
    assert lines == sorted(lines)
    assert len(err.problems) == len(expected)


def test_long_id_lists_are_cut_in_messages():
    cats = [{"id": f"c{i:03d}", "definition": "D."} for i in range(300)]
    t = Taxonomy.from_dict({"name": "big", "version": 1, "categories": cats})
    with pytest.raises(TaxonomyError) as info:
        t.category("zzz")
    assert "... and 280 more]" in str(info.value) and "c299" not in str(info.value)
