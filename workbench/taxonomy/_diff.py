"""What changed between two taxonomies (the engine behind :func:`workbench.taxonomy.diff`).

Rows come from the changelog operations of the newer taxonomy for the versions after the
older one, then from a content comparison for everything those operations do not mention
(hand edits). Change kinds: ``added, removed, retired, reinstated, renamed, merged, split,
redefined, name_changed, moved, rule_added, rule_removed, examples_changed,
edge_case_added, edge_case_removed, edge_case_changed, task_changed``.

Examples
--------
>>> from workbench.taxonomy import Taxonomy, Category, diff
>>> old = Taxonomy("t", 1, categories=[Category("a", definition="A.")])
>>> new = Taxonomy("t", 2, categories=[Category("a", definition="A.", include=["x"]), Category("b", definition="B.")])
>>> diff(old, new).values.tolist()
[['rule_added', 'a', 'include: x'], ['added', 'b', 'B.']]
"""

from __future__ import annotations

from typing import Any, List, Optional, Set, Tuple

__all__ = ["diff_taxonomies", "COLUMNS"]

COLUMNS = ["change", "category", "detail"]
Row = Tuple[str, Optional[str], str]


def _part_id(p: Any) -> str:
    return p if isinstance(p, str) else p["id"]


def _op_rows(op: dict, touched: Set[str], rules: Set[str]) -> List[Row]:
    kind, why = op["op"], op.get("rationale")
    suffix = f" ({why})" if why else ""
    if kind == "add":
        cat = op["category"]
        cid = cat if isinstance(cat, str) else cat["id"]
        touched.add(cid)
        detail = (why or "") if isinstance(cat, str) else (cat.get("definition", "") + suffix)
        return [("added", cid, detail)]
    if kind == "retire":
        touched.add(op["category"])
        return [("retired", op["category"], why or "")]
    if kind == "rename":
        touched.update([op["category"], op["to"]])
        return [("renamed", op["category"], f"{op['category']} -> {op['to']}{suffix}")]
    if kind == "merge":
        touched.update([*op["categories"], op["into"]])
        return [("merged", op["into"], f"{' + '.join(op['categories'])} -> {op['into']}{suffix}")]
    if kind == "split":
        parts = [_part_id(p) for p in op["into"]]
        touched.update([op["category"], *parts])
        return [("split", op["category"], f"{op['category']} -> {', '.join(parts)}{suffix}")]
    if kind == "redefine":
        touched.add(op["category"])
        return [("redefined", op["category"], op["definition"] + suffix)]
    if kind == "add_rule":
        touched.add(op["category"])
        out = []
        for key in ("include", "exclude"):
            if key in op:
                for rule in [op[key]] if isinstance(op[key], str) else op[key]:
                    out.append(("rule_added", op["category"], f"{key}: {rule}"))
        return out
    rules.add(op["rule"])
    return [("edge_case_added", ", ".join(op["categories"]), op["rule"] + suffix)]


def _added_removed(key: str, old: tuple, new: tuple, cid: str) -> List[Row]:
    out = [("rule_added", cid, f"{key}: {r}") for r in new if r not in old]
    return out + [("rule_removed", cid, f"{key}: {r}") for r in old if r not in new]


def _content_rows(old, new, skip: Set[str], skip_rules: Set[str]) -> List[Row]:
    rows: List[Row] = []
    if old.task != new.task:
        rows.append(("task_changed", None, f"{old.task} -> {new.task}"))
    o = {c.id: c for c in old.categories}
    n = {c.id: c for c in new.categories}
    gone = [cid for cid in o if cid not in n and cid not in skip]
    renamed = {}
    for cid, cat in n.items():
        if cid in skip:
            continue
        if cid not in o:
            match = next((g for g in gone if g not in renamed.values()
                          and o[g].definition.strip() == cat.definition.strip()), None)
            if match is not None:
                renamed[cid] = match
                rows.append(("renamed", match, f"{match} -> {cid} (same definition)"))
            else:
                rows.append(("added", cid, cat.definition))
            continue
        before = o[cid]
        if before.deprecated != cat.deprecated:
            rows.append(("retired" if cat.deprecated else "reinstated", cid, ""))
        if before.definition != cat.definition:
            rows.append(("redefined", cid, cat.definition))
        if before.name != cat.name:
            rows.append(("name_changed", cid, f"{before.name} -> {cat.name}"))
        if before.parent != cat.parent:
            rows.append(("moved", cid, f"parent {before.parent} -> {cat.parent}"))
        rows += _added_removed("include", before.include, cat.include, cid)
        rows += _added_removed("exclude", before.exclude, cat.exclude, cid)
        for key in ("examples", "counter_examples"):
            a, b = getattr(before, key), getattr(cat, key)
            plus, minus = sum(x not in a for x in b), sum(x not in b for x in a)
            if plus or minus:
                rows.append(("examples_changed", cid, f"{key}: +{plus} / -{minus}"))
    rows += [("removed", g, o[g].definition) for g in gone if g not in renamed.values()]
    old_edges = {e.rule: e for e in old.edge_cases}
    new_edges = {e.rule: e for e in new.edge_cases}
    for rule, e in new_edges.items():
        if rule in skip_rules:
            continue
        if rule not in old_edges:
            rows.append(("edge_case_added", ", ".join(e.categories), rule))
        elif old_edges[rule] != e and not set(e.categories) & skip:
            rows.append(("edge_case_changed", ", ".join(e.categories), rule))
    rows += [("edge_case_removed", ", ".join(e.categories), rule)
             for rule, e in old_edges.items() if rule not in new_edges and not set(e.categories) & skip]
    return rows


def diff_taxonomies(old, new):
    """DataFrame ``change, category, detail`` from ``old`` to ``new``; see the module docstring."""
    import pandas as pd

    touched: Set[str] = set()
    rules: Set[str] = set()
    rows: List[Row] = []
    for entry in sorted(new.changelog, key=lambda e: e.version):
        if old.version < entry.version <= new.version:
            for op in entry.changes:
                rows += _op_rows(op, touched, rules)
    rows += _content_rows(old, new, touched, rules)
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)  # None stays None (pandas 3 infers str/NaN)
