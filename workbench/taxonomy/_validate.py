"""Validation of a taxonomy document: every problem, each with its YAML line.

Works on plain data (what ``yaml.safe_load`` returns) plus the line index built by
:func:`workbench._internal.yamlfile.parse_yaml`; without an index the messages say where by
category id and position instead.

Examples
--------
>>> from workbench.taxonomy._validate import validate_document
>>> doc = {"name": "t", "version": 1, "categories": [{"id": "a", "definition": "A.", "parent": "b"}]}
>>> validate_document(doc)
["category 'a' (categories[0]): unknown parent 'b'; the parent must be the id of another category. Valid ids: ['a']."]
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List, Optional, Tuple

from .._internal.validation import MAX_INT, MAX_NAME_CHARS, MAX_TEXT_CHARS
from ._ops import OPS, op_problems, type_name
from .._internal.yamlfile import did_you_mean, line_of, shown

__all__ = [
    "TOP_KEYS", "CATEGORY_KEYS", "EDGE_CASE_KEYS", "EXAMPLE_KEYS", "CHANGELOG_KEYS",
    "TASKS", "OPS", "TEXT_LIST_FIELDS", "validate_document", "type_name",
]

TOP_KEYS = ("name", "version", "task", "description", "categories", "edge_cases", "changelog")
CATEGORY_KEYS = ("id", "name", "parent", "definition", "include", "exclude", "examples",
                 "counter_examples", "deprecated", "other")
TEXT_LIST_FIELDS = ("include", "exclude", "examples", "counter_examples")
EDGE_CASE_KEYS = ("rule", "categories", "examples")
EXAMPLE_KEYS = ("text", "label")
CHANGELOG_KEYS = ("version", "date", "author", "summary", "changes")
TASKS = ("multiclass", "multilabel")


class _Checker:
    def __init__(self, lines: Optional[Dict[Tuple[Any, ...], int]]):
        self.lines = lines or {}
        self.problems: List[Tuple[int, int, str]] = []

    def add(self, path, message: str) -> None:
        line = line_of(self.lines, path) if self.lines else None
        text = f"line {line}: {message}" if line is not None else message
        self.problems.append((line if line is not None else 10**9, len(self.problems), text))

    def keys(self, mapping: dict, path, valid, where: str) -> None:
        for key in mapping:
            if key not in valid:
                self.add(path + (key,), f"{where}: unknown key {key!r}.{did_you_mean(key, valid)} "
                                        f"Valid keys: {list(valid)}.")

    def text(self, mapping, path, key, where, *, required=False, nonempty=False) -> Optional[str]:
        value = mapping.get(key)
        if value is None:
            if required:
                self.add(path, f"{where}: missing {key!r}; add `{key}: ...`.")
            return None
        if not isinstance(value, str):
            self.add(path + (key,), f"{where}: {key!r} must be a string, got {type_name(value)}; "
                                    "quote it if needed.")
            return None
        if nonempty and not value.strip():
            self.add(path + (key,), f"{where}: {key!r} is empty; write it out.")
        limit = MAX_NAME_CHARS if key == "name" else MAX_TEXT_CHARS
        if len(value) > limit:
            self.add(path + (key,), f"{where}: {key!r} has {len(value):,} characters, more than the {limit:,} "
                                    "allowed; shorten it (long guidance belongs in several edge cases).")
            return None
        return value

    def text_list(self, mapping, path, key, where) -> List[str]:
        value = mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            hint = f" write it as a list: {key}: [\"...\"]" if isinstance(value, str) else ""
            self.add(path + (key,), f"{where}: {key!r} must be a list of strings, got "
                                    f"{type_name(value)};{hint or ' use a YAML list.'}")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and len(item) > MAX_TEXT_CHARS:
                self.add(path + (key, i), f"{where}: {key}[{i}] has {len(item):,} characters, more than the "
                                          f"{MAX_TEXT_CHARS:,} allowed; shorten it.")
            elif isinstance(item, str):
                out.append(item)
            else:
                self.add(path + (key, i), f"{where}: {key}[{i}] must be a string, got {type_name(item)}.")
        return out

    def boolean(self, mapping, path, key, where) -> None:
        value = mapping.get(key)
        if value is not None and not isinstance(value, bool):
            self.add(path + (key,), f"{where}: {key!r} must be true or false, got {type_name(value)}.")

    def sorted(self) -> List[str]:
        return [p for _, _, p in sorted(self.problems)]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_document(data: Any, lines: Optional[Dict[Tuple[Any, ...], int]] = None) -> List[str]:
    """Return every problem of a taxonomy document (an empty list when it is valid)."""
    ck = _Checker(lines)
    if not isinstance(data, dict):
        ck.add((), f"a taxonomy must be a YAML mapping with the keys {list(TOP_KEYS)}, "
                   f"got {type_name(data)}.")
        return ck.sorted()
    ck.keys(data, (), TOP_KEYS, "top level")
    ck.text(data, (), "name", "top level", required=True, nonempty=True)
    version = data.get("version")
    if version is None:
        ck.add((), "top level: missing 'version'; add `version: 1` (an integer).")
    elif not _is_int(version):
        ck.add(("version",), f"top level: 'version' must be an integer such as 3, got {type_name(version)}.")
    elif not 0 <= version <= MAX_INT:
        ck.add(("version",), f"top level: 'version' must be an integer from 0 to {MAX_INT:,}, got {version}; "
                             "number versions 1, 2, 3, ...")
    task = data.get("task", "multiclass")
    if task not in TASKS:
        ck.add(("task",), f"top level: unknown task {task!r}.{did_you_mean(task, TASKS)} "
                          f"Valid tasks: {list(TASKS)}.")
    ck.text(data, (), "description", "top level")
    ids = _check_categories(ck, data)
    _check_edge_cases(ck, data, ids)
    _check_changelog(ck, data, version if _is_int(version) else None)
    return ck.sorted()


def _check_categories(ck: _Checker, data: dict) -> Dict[str, int]:
    cats = data.get("categories")
    if cats is None:
        ck.add((), "top level: missing 'categories'; add a list of categories (id, name, definition).")
        return {}
    if not isinstance(cats, list):
        ck.add(("categories",), f"'categories' must be a list of mappings, got {type_name(cats)}.")
        return {}
    if not cats:
        ck.add(("categories",), "'categories' is empty; a taxonomy needs at least one category.")
    ids: Dict[str, int] = {}
    entries = []  # (index, id, mapping)
    others = []
    for i, cat in enumerate(cats):
        path = ("categories", i)
        if not isinstance(cat, dict):
            ck.add(path, f"categories[{i}] must be a mapping with at least 'id' and 'definition', "
                         f"got {type_name(cat)}.")
            continue
        cid = cat.get("id")
        where = f"category {cid!r} (categories[{i}])" if isinstance(cid, str) else f"categories[{i}]"
        if cid is None:
            ck.add(path, f"{where}: missing 'id'; add `id: some_label`.")
        elif not isinstance(cid, str) or not cid.strip():
            ck.add(path + ("id",), f"{where}: 'id' must be a non-empty string, got {type_name(cid)}; "
                                   "quote it, e.g. id: '404'.")
            cid = None
        elif len(cid) > MAX_NAME_CHARS:
            ck.add(path + ("id",), f"categories[{i}]: 'id' has {len(cid):,} characters, more than the "
                                   f"{MAX_NAME_CHARS} allowed; use a short id and put the words in 'name'.")
            cid = None
        elif cid != cid.strip() or cid.startswith("["):
            ck.add(path + ("id",), f"{where}: 'id' must not start or end with spaces nor start with '[' "
                                   "(labels in '[...]' are read as multi-label lists); fix the id.")
        ck.keys(cat, path, CATEGORY_KEYS, where)
        ck.text(cat, path, "name", where, nonempty=True)
        ck.text(cat, path, "definition", where, required=True, nonempty=True)
        for key in TEXT_LIST_FIELDS:
            ck.text_list(cat, path, key, where)
        for key in ("deprecated", "other"):
            ck.boolean(cat, path, key, where)
        parent = cat.get("parent")
        if parent is not None and not isinstance(parent, str):
            ck.add(path + ("parent",), f"{where}: 'parent' must be a category id (string), got "
                                       f"{type_name(parent)}.")
        if cat.get("other") is True:
            others.append((i, cid))
        if cid is not None:
            if cid in ids:
                first = ids[cid]
                first_line = line_of(ck.lines, ("categories", first)) if ck.lines else None
                at = f"line {first_line}" if first_line else f"categories[{first}]"
                ck.add(path + ("id",), f"{where}: duplicate category id {cid!r} (first defined at {at}); "
                                       "ids must be unique -- rename one of them.")
            else:
                ids[cid] = i
            entries.append((i, cid, cat))
    if len(others) > 1:
        names = [o for _, o in others]
        for i, cid in others[1:]:
            ck.add(("categories", i, "other"), f"more than one category has `other: true` ({names}); "
                                               "keep one catch-all category.")
    _check_hierarchy(ck, entries, ids)
    return ids


def _check_hierarchy(ck: _Checker, entries, ids: Dict[str, int]) -> None:
    parent_of: Dict[str, Optional[str]] = {}
    by_id = {}
    for i, cid, cat in entries:
        if cid in by_id:
            continue
        by_id[cid] = (i, cat)
        parent = cat.get("parent")
        parent_of[cid] = parent if isinstance(parent, str) else None
    valid = sorted(ids)
    for cid, (i, cat) in by_id.items():
        parent = parent_of[cid]
        where = f"category {cid!r} (categories[{i}])"
        if parent is None:
            continue
        if parent not in by_id:
            ck.add(("categories", i, "parent"), f"{where}: unknown parent {parent!r};"
                   f"{did_you_mean(parent, valid)} the parent must be the id of another category. "
                   f"Valid ids: {shown(valid)}.")
            continue
        p_cat = by_id[parent][1]
        if p_cat.get("deprecated") is True and cat.get("deprecated") is not True:
            ck.add(("categories", i, "parent"), f"{where}: active category under the deprecated parent "
                   f"{parent!r}; retire {cid!r} too, or move it to another parent.")
        if p_cat.get("other") is True:
            ck.add(("categories", i, "parent"), f"{where}: its parent {parent!r} is the `other: true` "
                   "catch-all, which cannot have children.")
    reported = set()
    for start in by_id:
        path, seen = [], set()
        node: Optional[str] = start
        while node is not None and node in by_id and node not in seen:
            seen.add(node)
            path.append(node)
            node = parent_of[node]
        if node is not None and node in seen:
            cycle = path[path.index(node):]
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            first = min(cycle, key=lambda c: by_id[c][0])
            k = cycle.index(first)
            chain = " -> ".join(cycle[k:] + cycle[:k] + [first])
            ck.add(("categories", by_id[first][0], "parent"), f"category {first!r}: hierarchy cycle "
                   f"{chain}; a category cannot be its own ancestor -- break the cycle by changing a parent.")


def _check_label(ck, path, label, ids, where) -> None:
    labels = label if isinstance(label, list) else [label]
    for lab in labels:
        if not isinstance(lab, str):
            ck.add(path, f"{where}: the label must be a category id (or a list of them), got {type_name(lab)}.")
        elif lab not in ids:
            ck.add(path, f"{where}: names the unknown category {lab!r}.{did_you_mean(lab, ids)} "
                         f"Valid ids: {shown(sorted(ids))}.")


def _check_edge_cases(ck: _Checker, data: dict, ids: Dict[str, int]) -> None:
    edges = data.get("edge_cases")
    if edges is None:
        return
    if not isinstance(edges, list):
        ck.add(("edge_cases",), f"'edge_cases' must be a list of mappings (rule, categories, examples), "
                                f"got {type_name(edges)}.")
        return
    for i, edge in enumerate(edges):
        path = ("edge_cases", i)
        where = f"edge case {i + 1}"
        if not isinstance(edge, dict):
            ck.add(path, f"{where} must be a mapping with 'rule' and 'categories', got {type_name(edge)}.")
            continue
        ck.keys(edge, path, EDGE_CASE_KEYS, where)
        ck.text(edge, path, "rule", where, required=True, nonempty=True)
        cats = edge.get("categories")
        if cats is None:
            ck.add(path, f"{where}: missing 'categories'; list the category ids the rule is about.")
        elif not isinstance(cats, list):
            hint = f" write categories: [{cats}]" if isinstance(cats, str) else ""
            ck.add(path + ("categories",), f"{where}: 'categories' must be a list of category ids, got "
                                           f"{type_name(cats)};{hint or ' use a YAML list.'}")
        else:
            for j, cid in enumerate(cats):
                if not isinstance(cid, str):
                    ck.add(path + ("categories", j), f"{where}: categories[{j}] must be a category id, "
                                                     f"got {type_name(cid)}.")
                elif cid not in ids:
                    ck.add(path + ("categories", j), f"{where}: names the unknown category {cid!r}."
                                                     f"{did_you_mean(cid, ids)} Valid ids: {shown(sorted(ids))}.")
        examples = edge.get("examples")
        if examples is None:
            continue
        if not isinstance(examples, list):
            ck.add(path + ("examples",), f"{where}: 'examples' must be a list, got {type_name(examples)}.")
            continue
        for j, ex in enumerate(examples):
            epath = path + ("examples", j)
            ewhere = f"{where}, example {j + 1}"
            if isinstance(ex, str):
                continue
            if not isinstance(ex, dict):
                ck.add(epath, f"{ewhere}: must be a string or a mapping {{text, label}}, got {type_name(ex)}.")
                continue
            ck.keys(ex, epath, EXAMPLE_KEYS, ewhere)
            ck.text(ex, epath, "text", ewhere, required=True)
            if ex.get("label") is None:
                ck.add(epath, f"{ewhere}: missing 'label' (the category id the example belongs to).")
            else:
                _check_label(ck, epath + ("label",), ex["label"], ids, ewhere)


def _check_changelog(ck: _Checker, data: dict, version: Optional[int]) -> None:
    log = data.get("changelog")
    if log is None:
        return
    if not isinstance(log, list):
        ck.add(("changelog",), f"'changelog' must be a list of entries (version, date, author, summary, "
                               f"changes), got {type_name(log)}.")
        return
    seen: Dict[int, int] = {}
    for i, entry in enumerate(log):
        path = ("changelog", i)
        where = f"changelog entry {i + 1}"
        if not isinstance(entry, dict):
            ck.add(path, f"{where} must be a mapping (version, date, author, summary, changes), "
                         f"got {type_name(entry)}.")
            continue
        ck.keys(entry, path, CHANGELOG_KEYS, where)
        v = entry.get("version")
        if v is None:
            ck.add(path, f"{where}: missing 'version' (the taxonomy version the entry describes).")
        elif not _is_int(v):
            ck.add(path + ("version",), f"{where}: 'version' must be an integer, got {type_name(v)}.")
        else:
            if version is not None and v > version:
                ck.add(path + ("version",), f"{where}: version {v} is newer than the taxonomy's version "
                                            f"{version}; raise `version` or fix the entry.")
            if v in seen:
                ck.add(path + ("version",), f"{where}: a second entry for version {v} (first is entry "
                                            f"{seen[v] + 1}); merge them into one entry.")
            seen.setdefault(v, i)
        date = entry.get("date")
        if date is not None and not isinstance(date, (str, _dt.date)):
            ck.add(path + ("date",), f"{where}: 'date' must be a date such as \"2026-11-01\", got "
                                     f"{type_name(date)}.")
        ck.text(entry, path, "author", where)
        ck.text(entry, path, "summary", where)
        changes = entry.get("changes")
        if changes is None:
            continue
        if not isinstance(changes, list):
            ck.add(path + ("changes",), f"{where}: 'changes' must be a list of operations, got "
                                        f"{type_name(changes)}.")
            continue
        for j, op in enumerate(changes):
            opath = path + ("changes", j)
            if not isinstance(op, dict):
                ck.add(opath, f"{where}, change {j + 1}: must be a mapping such as "
                              f"{{op: add, category: ...}}, got {type_name(op)}.")
                continue
            for key, message in op_problems(op):
                ck.add(opath + ((key,) if key else ()), f"{where}, change {j + 1}: {message}")
