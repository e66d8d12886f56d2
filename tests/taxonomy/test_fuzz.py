"""Property-based tests: whatever YAML comes in, ``Taxonomy.from_yaml`` returns a Taxonomy or raises a
TaxonomyError (never another exception); valid results round-trip; random change sequences keep the
taxonomy valid and migrate every old label to a valid new label or an explicit status."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.exceptions import TaxonomyError
from workbench.taxonomy import Taxonomy

DEMO = Path(__file__).resolve().parents[2] / "workbench" / "demo" / "data" / "taxonomy.yaml"
RICH = Path(__file__).parents[1] / "fixtures" / "taxonomy_rich.yaml"
DEMO_TEXT = DEMO.read_text(encoding="utf-8")
DEMO_DATA = yaml.safe_load(DEMO_TEXT)

KEYS = ["name", "version", "task", "description", "categories", "edge_cases", "changelog", "id", "parent",
        "definition", "include", "exclude", "examples", "counter_examples", "deprecated", "other", "rule",
        "text", "label", "date", "author", "summary", "changes", "op", "category", "to", "into"]
CORE = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["billing", "refund_request", "multiclass", "multilabel", "add",
                                           "rename", "merge", "split", "none_of_these", ""]),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8), st.integers(-3, 3), st.booleans())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=6)), max_leaves=40)


def check_outcome(text) -> "Taxonomy | None":
    """The contract: a Taxonomy (which round-trips) or a TaxonomyError with sensible problems."""
    try:
        t = Taxonomy.from_yaml(text)
    except TaxonomyError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        n_lines = len(text.splitlines()) if isinstance(text, str) else None
        for p in exc.problems:
            m = re.match(r"line (\d+): ", p)
            if m and n_lines is not None:
                assert 1 <= int(m.group(1)) <= n_lines + 1, (p, n_lines)
        return None
    assert isinstance(t, Taxonomy)
    assert Taxonomy.from_yaml(t.to_yaml()) == t
    return t


@CORE
@given(values)
def test_random_yaml_documents(doc):
    check_outcome(yaml.safe_dump(doc, allow_unicode=True))


@CORE
@given(st.text(max_size=200))
def test_random_text(text):
    check_outcome(text)


@CORE
@given(st.binary(max_size=100))
def test_random_bytes(data):
    check_outcome(data)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _mutate(doc, data):
    """One random structural mutation of ``doc`` in place."""
    paths = [p for p in _paths(doc) if p]
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    last = path[-1]
    action = data.draw(st.sampled_from(["replace", "delete", "duplicate", "add_key", "swap_id"]))
    if action == "replace":
        parent[last] = data.draw(values)
    elif action == "delete":
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, parent[last])
    elif action == "add_key" and isinstance(parent[last], dict):
        parent[last][data.draw(keys)] = data.draw(values)
    elif action == "swap_id":
        cats = doc.get("categories") if isinstance(doc.get("categories"), list) else []
        ids = [c.get("id") for c in cats if isinstance(c, dict)] or ["x"]
        parent[last] = data.draw(st.sampled_from(ids))


@settings(CORE, max_examples=60)
@given(st.data())
def test_mutations_of_a_valid_taxonomy(data):
    doc = yaml.safe_load(DEMO_TEXT)
    for _ in range(data.draw(st.integers(1, 4))):
        if not isinstance(doc, dict) or not doc:
            break
        _mutate(doc, data)
    check_outcome(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


@CORE
@given(st.data())
def test_text_edits_of_a_valid_taxonomy(data):
    text = RICH.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 30)))
        text = text[:i] + data.draw(st.text(alphabet=" \n-:[]{}&*!|>'\"#,?abc0", max_size=6)) + text[j:]
    check_outcome(text)


def test_alias_bomb_and_recursive_aliases_end_in_a_taxonomy_error():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefg", "bcdefgh"))
    check_outcome(bomb + "name: t\nversion: 1\ncategories: *h\n")
    check_outcome("name: &n [*n]\nversion: 1\ncategories: &c [{id: a, definition: A., examples: *c}]\n")
    check_outcome("[" * 5000 + "]" * 5000)


# ----------------------------------------------------------------------------- random change sequences
def op_strategy(t: Taxonomy):
    ids = [c.id for c in t.categories] + ["ghost"]
    new_id = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
    cat_id = st.sampled_from(ids)
    new_cat = st.fixed_dictionaries({"id": new_id, "definition": st.sampled_from(["D.", "Other D."])},
                                    optional={"parent": cat_id, "name": st.text(max_size=5)})
    return st.one_of(
        st.fixed_dictionaries({"op": st.just("add"), "category": new_cat}),
        st.fixed_dictionaries({"op": st.just("retire"), "category": cat_id}),
        st.fixed_dictionaries({"op": st.just("rename"), "category": cat_id, "to": new_id}),
        st.fixed_dictionaries({"op": st.just("merge"), "categories": st.lists(cat_id, min_size=2, max_size=3),
                               "into": st.one_of(cat_id, new_id), "definition": st.just("Merged.")}),
        st.fixed_dictionaries({"op": st.just("split"), "category": cat_id,
                               "into": st.lists(st.one_of(cat_id, new_cat), min_size=2, max_size=3)}),
        st.fixed_dictionaries({"op": st.just("redefine"), "category": cat_id, "definition": st.text(max_size=9)}),
        st.fixed_dictionaries({"op": st.just("add_rule"), "category": cat_id},
                              optional={"include": st.text(max_size=5), "exclude": st.lists(st.text(max_size=5))}),
        st.fixed_dictionaries({"op": st.just("add_edge_case"), "rule": st.text(max_size=9),
                               "categories": st.lists(cat_id, max_size=3)}),
        values.filter(lambda v: not isinstance(v, dict) or "op" not in v),
    )


def _check_change_sequence(data, start: Taxonomy, steps: int) -> None:
    history = [start]
    for _ in range(steps):
        cur = history[-1]
        ops = data.draw(st.lists(op_strategy(cur), min_size=1, max_size=3))
        try:
            nxt = cur.apply(ops, date="2026-11-20")
        except TaxonomyError:
            continue
        assert nxt.version == cur.version + 1
        assert Taxonomy.from_yaml(nxt.to_yaml()) == nxt
        history.append(nxt)
    last = history[-1]
    for old in history[:-1]:
        m = last.migrate(list(old.labels), old.version)
        ok = m.migrated_label.notna()
        assert set(m.migrated_label[ok]) <= set(last.labels)
        assert set(m.status[~ok]) <= {"needs_relabel", "retired"}  # a valid old label is never "unknown"
        assert set(m.status[ok]) <= {"unchanged", "renamed", "merged"}
        for cands in m.candidates[m.status == "needs_relabel"]:
            assert set(cands) <= set(last.labels)  # candidates followed later changes


@settings(CORE, max_examples=50)
@given(st.data())
def test_random_change_sequences_keep_the_taxonomy_valid(data):
    _check_change_sequence(data, Taxonomy.load(DEMO), steps=3)


@pytest.mark.slow
@SLOW
@given(st.data())
def test_random_change_sequences_long(data):
    _check_change_sequence(data, Taxonomy.load(RICH), steps=6)


@pytest.mark.slow
@SLOW
@given(st.data())
def test_mutations_of_a_valid_taxonomy_long(data):
    test_mutations_of_a_valid_taxonomy.hypothesis.inner_test(data)
