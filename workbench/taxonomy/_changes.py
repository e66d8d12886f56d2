"""Applying change operations to a taxonomy (the engine behind :meth:`Taxonomy.apply`).

Each operation is checked against the state left by the operations before it; every
problem is collected (with the operation's position) into one ``TaxonomyError``. The result
is validated as a whole, gets ``version + 1`` and a changelog entry holding the operations
exactly as given, so :meth:`Taxonomy.migrate` can replay them.

Semantics: ``retire`` keeps the category as ``deprecated: true``; ``rename``, ``merge`` and
``split`` remove the old ids and rewrite structured references (parents, edge-case
categories, labeled edge-case examples). A split's new parts take the old category's place
and parent; edge cases about the split category then name all of its parts.

Examples
--------
>>> from workbench.taxonomy import Taxonomy, Category
>>> t = Taxonomy("t", 1, categories=[Category("a", definition="A."), Category("b", definition="B.")])
>>> t.apply({"op": "retire", "category": "c"})
Traceback (most recent call last):
...
workbench.exceptions.TaxonomyError: 1 problem in the taxonomy:
  - change 1 (retire): unknown category 'c'. Valid ids: ['a', 'b'].
"""

from __future__ import annotations

import copy
import datetime as _dt
from typing import Any, Dict, List, Mapping, Optional

from ..exceptions import TaxonomyError
from ._ops import op_problems, type_name
from ._validate import CATEGORY_KEYS
from .._internal.yamlfile import did_you_mean, shown

__all__ = ["apply_changes", "as_change_list", "plain"]


def plain(value: Any) -> Any:
    """Plain YAML-safe Python data: mappings -> dict, tuples -> list, numpy scalars -> Python."""
    if isinstance(value, Mapping):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item) and type(value).__module__ == "numpy":
        return value.item()
    return value


def as_change_list(changes: Any) -> List[Any]:
    """One operation (a mapping) or a list of them -> a list of plain data."""
    if isinstance(changes, Mapping):
        return [plain(changes)]
    if isinstance(changes, (list, tuple)):
        return [plain(c) for c in changes]
    raise TaxonomyError([f"changes must be an operation mapping such as {{'op': 'retire', 'category': 'x'}} "
                         f"or a list of them, got {type_name(changes)}."])


class _State:
    """The mutable working copy: category dicts and edge-case dicts, plus problem collection."""

    def __init__(self, taxonomy):
        self.cats: List[dict] = [c.to_dict() for c in taxonomy.categories]
        self.edges: List[dict] = [e.to_dict() for e in taxonomy.edge_cases]
        self.problems: List[str] = []
        self.where = ""

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def index(self, cid: Any) -> Optional[int]:
        return next((i for i, c in enumerate(self.cats) if c["id"] == cid), None)

    def ids(self) -> List[str]:
        return [c["id"] for c in self.cats]

    def find(self, cid: Any, *, active: bool = True) -> Optional[dict]:
        i = self.index(cid)
        if i is None:
            self.fail(f"unknown category {cid!r}.{did_you_mean(cid, self.ids())} Valid ids: {shown(self.ids())}.")
            return None
        if active and self.cats[i].get("deprecated"):
            self.fail(f"category {cid!r} is retired (deprecated); reinstate it or use another category.")
            return None
        return self.cats[i]

    def children(self, cid: str) -> List[dict]:
        return [c for c in self.cats if c.get("parent") == cid]

    def new_id(self, cid: Any) -> bool:
        if not isinstance(cid, str) or not cid.strip():
            self.fail(f"a category id must be a non-empty string, got {type_name(cid)}.")
            return False
        if self.index(cid) is not None:
            self.fail(f"category {cid!r} already exists; choose a new id (or use redefine / rename).")
            return False
        return True

    def new_category(self, spec: Any, *, parent: Optional[str]) -> Optional[dict]:
        if not isinstance(spec, Mapping):
            self.fail(f"a new category must be a mapping {{id, definition, ...}}, got {type_name(spec)}.")
            return None
        unknown = [k for k in spec if k not in CATEGORY_KEYS]
        for key in unknown:
            self.fail(f"unknown category key {key!r}.{did_you_mean(key, CATEGORY_KEYS)} "
                      f"Valid keys: {list(CATEGORY_KEYS)}.")
        if not self.new_id(spec.get("id")) or unknown:
            return None
        if not isinstance(spec.get("definition"), str) or not spec["definition"].strip():
            self.fail(f"the new category {spec['id']!r} needs a 'definition'.")
            return None
        cat = copy.deepcopy(dict(spec))
        if parent is not None and "parent" not in cat:
            cat = {"id": cat.pop("id"), **({"name": cat.pop("name")} if "name" in cat else {}),
                   "parent": parent, **cat}
        return cat

    def insert_position(self, parent: Optional[str]) -> int:
        """After the last descendant of ``parent``; at top level, before a trailing ``other``."""
        if parent is not None and self.index(parent) is not None:
            family = {parent}
            last = self.index(parent)
            for i, c in enumerate(self.cats):
                if c.get("parent") in family:
                    family.add(c["id"])
                    last = i
            return last + 1
        if self.cats and self.cats[-1].get("other"):
            return len(self.cats) - 1
        return len(self.cats)

    def replace_refs(self, mapping: Dict[str, List[str]]) -> None:
        """Rewrite parents, edge-case categories and labeled examples (old id -> new ids)."""
        for c in self.cats:
            if c.get("parent") in mapping and len(mapping[c["parent"]]) == 1:
                c["parent"] = mapping[c["parent"]][0]
        for e in self.edges:
            cats = []
            for cid in e.get("categories", []):
                cats.extend(mapping.get(cid, [cid]))
            e["categories"] = list(dict.fromkeys(cats))
            examples = []
            for ex in e.get("examples", []):
                if isinstance(ex, dict):
                    labels = ex["label"] if isinstance(ex["label"], list) else [ex["label"]]
                    if any(len(mapping.get(lab, [lab])) != 1 for lab in labels):
                        ex = ex["text"]  # a split label cannot be guessed: keep the text, drop the label
                    else:
                        new = list(dict.fromkeys(mapping.get(lab, [lab])[0] for lab in labels))
                        ex = {**ex, "label": new if isinstance(ex["label"], list) else new[0]}
                examples.append(ex)
            if "examples" in e:
                e["examples"] = examples


def _add(st: _State, op: dict) -> None:
    spec = op["category"]
    parent = spec.get("parent") if isinstance(spec, Mapping) else None
    if isinstance(spec, Mapping) and parent is not None and st.find(parent) is None:
        return
    cat = st.new_category(spec, parent=None)
    if cat is not None:
        st.cats.insert(st.insert_position(parent), cat)


def _retire(st: _State, op: dict) -> None:
    cat = st.find(op["category"], active=False)
    if cat is None:
        return
    if cat.get("deprecated"):
        st.fail(f"category {cat['id']!r} is already retired.")
        return
    active = [c["id"] for c in st.children(cat["id"]) if not c.get("deprecated")]
    if active:
        st.fail(f"category {cat['id']!r} still has active children {active}; retire or move them first "
                "(earlier in the same change list).")
        return
    cat["deprecated"] = True


def _rename(st: _State, op: dict) -> None:
    cat = st.find(op["category"], active=False)
    if cat is None or not st.new_id(op["to"]):
        return
    old = cat["id"]
    cat["id"] = op["to"]
    if "name" in op:
        cat["name"] = op["name"]
    st.replace_refs({old: [op["to"]]})


def _merge(st: _State, op: dict) -> None:
    names, into = op["categories"], op["into"]
    if len(set(names)) != len(names):
        st.fail(f"the merged categories {names} repeat an id; list each once.")
        return
    cats = [st.find(n) for n in names]
    if any(c is None for c in cats):
        return
    existing = st.index(into)
    if existing is not None:
        target = st.find(into)
        if target is None:
            return
        for key in ("definition", "name", "parent"):
            if key in op:
                target[key] = op[key]
    else:
        if not isinstance(op.get("definition"), str) or not op["definition"].strip():
            st.fail(f"merging into the new category {into!r} needs a 'definition' for it.")
            return
        parents = {c.get("parent") for c in cats}
        parent = op["parent"] if "parent" in op else (parents.pop() if len(parents) == 1 else None)
        if parent is not None and parent in names:
            parent = None
        target = {"id": into}
        if "name" in op:
            target["name"] = op["name"]
        if parent is not None:
            target["parent"] = parent
        target["definition"] = op["definition"]
        for key in ("include", "examples"):  # counter-examples often name the merged ids: not carried
            merged = list(dict.fromkeys(x for c in cats for x in c.get(key, [])))
            if merged:
                target[key] = merged
        st.cats.insert(st.index(names[0]), target)
    gone = [n for n in names if n != into]
    st.cats = [c for c in st.cats if c["id"] not in gone]
    st.replace_refs({n: [into] for n in gone})


def _split(st: _State, op: dict) -> None:
    cat = st.find(op["category"])
    if cat is None:
        return
    if st.children(cat["id"]):
        st.fail(f"category {cat['id']!r} is a group with children; split a leaf category "
                "(move or split its children instead).")
        return
    parts, new_cats = [], []
    for spec in op["into"]:
        if isinstance(spec, str):
            if spec == cat["id"] or st.find(spec) is None:
                if spec == cat["id"]:
                    st.fail(f"category {spec!r} cannot be split into itself.")
                return
            parts.append(spec)
        else:
            if spec.get("id") in parts:
                st.fail(f"split part {spec.get('id')!r} is listed twice.")
                return
            new = st.new_category(spec, parent=cat.get("parent"))
            if new is None:
                return
            parts.append(new["id"])
            new_cats.append(new)
    i = st.index(cat["id"])
    st.cats[i:i + 1] = new_cats
    st.replace_refs({cat["id"]: parts})


def _redefine(st: _State, op: dict) -> None:
    cat = st.find(op["category"], active=False)
    if cat is not None:
        cat["definition"] = op["definition"]
        if "name" in op:
            cat["name"] = op["name"]


def _add_rule(st: _State, op: dict) -> None:
    cat = st.find(op["category"])
    if cat is None:
        return
    for key in ("include", "exclude"):
        if key in op:
            rules = [op[key]] if isinstance(op[key], str) else list(op[key])
            cat[key] = list(cat.get(key, [])) + rules


def _add_edge_case(st: _State, op: dict) -> None:
    for cid in op["categories"]:
        if st.find(cid) is None:
            return
    edge = {"rule": op["rule"], "categories": list(op["categories"])}
    if op.get("examples"):
        edge["examples"] = copy.deepcopy(list(op["examples"]))
    st.edges.append(edge)


_OPS = {"add": _add, "retire": _retire, "rename": _rename, "merge": _merge, "split": _split,
        "redefine": _redefine, "add_rule": _add_rule, "add_edge_case": _add_edge_case}


def apply_changes(taxonomy, changes: Any, *, author: Optional[str] = None, date: Optional[str] = None,
                  summary: Optional[str] = None):
    """Return ``taxonomy`` with ``changes`` applied, as version + 1 (see the module docstring)."""
    ops = as_change_list(changes)
    if not ops:
        raise TaxonomyError(["no changes given; pass at least one operation such as "
                             "{'op': 'redefine', 'category': 'x', 'definition': '...'}."])
    author, summary, date = plain(author), plain(summary), plain(date)
    for key, value in (("author", author), ("summary", summary), ("date", date)):
        if value is not None and not isinstance(value, (str, _dt.date)):
            raise TaxonomyError([f"apply: {key!r} must be a string, got {type_name(value)}."])
    st = _State(taxonomy)
    for k, op in enumerate(ops):
        name = op.get("op") if isinstance(op, Mapping) else None
        st.where = f"change {k + 1} ({name})" if isinstance(name, str) else f"change {k + 1}"
        shape = op_problems(dict(op) if isinstance(op, Mapping) else op)
        if name == "add" and isinstance(op, Mapping) and isinstance(op.get("category"), str):
            shape.append((None, "op 'add': 'category' must be a mapping {id, name, parent, definition, ...}."))
        if shape:
            st.problems.extend(f"{st.where}: {msg}" for _, msg in shape)
            continue
        _OPS[name](st, dict(op))
    if st.problems:
        raise TaxonomyError(st.problems, source=taxonomy.source)
    if isinstance(date, _dt.date):
        date = date.isoformat()
    entry = {"version": taxonomy.version + 1,
             "date": date or _dt.datetime.now(_dt.timezone.utc).date().isoformat()}
    if author is not None:
        entry["author"] = author
    if summary is not None:
        entry["summary"] = summary
    entry["changes"] = [copy.deepcopy(dict(op)) for op in ops]
    data = taxonomy.to_dict()
    data["version"] = taxonomy.version + 1
    data["categories"] = st.cats
    if st.edges or "edge_cases" in data:
        data["edge_cases"] = st.edges
    data["changelog"] = [c.to_dict() for c in taxonomy.changelog] + [entry]
    try:
        return type(taxonomy).from_dict(data, source=taxonomy.source)
    except TaxonomyError as exc:
        raise TaxonomyError([f"after the changes: {p}" for p in exc.problems], source=taxonomy.source) from None
