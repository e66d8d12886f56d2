"""Taxonomy -> what the labeler sees: option rows grouped by parent, definition panels, the guide.

Pure functions over a :class:`workbench.taxonomy.Taxonomy`; every string from the
taxonomy is HTML-escaped (a taxonomy file is shared and edited by many people).

Examples
--------
>>> from types import SimpleNamespace as NS
>>> cat = NS(id="refund", name="Refund", definition="Money <back>", include=("asks for money",),
...          exclude=(), examples=(), parent=None, other=False)
>>> tax = NS(edge_cases_for=lambda cid: [NS(rule="Bug + refund -> refund")], category=lambda cid: cat)
>>> html = definition_html(tax, "refund")
>>> "Money &lt;back&gt;" in html and "Bug + refund" in html
True
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..guideline import render_guideline_html
from .renderers import escape

__all__ = ["option_groups", "definition_html", "guide_html", "DEFINITION_HINT"]

DEFINITION_HINT = ('<div class="wb-def-hint">Hover an option, or move with <kbd>←</kbd> <kbd>→</kbd>, '
                   'to see its definition, rules and edge cases.</div>')


def _name(tax: Any, cid: str) -> str:
    try:
        cat = tax.category(cid)
    except Exception:  # noqa: BLE001 - an unknown id is shown as itself
        return str(cid)
    return getattr(cat, "name", None) or str(cid)


def option_groups(tax: Any) -> Tuple[List[Tuple[str, List[str]]], List[str]]:
    """Group the taxonomy's labels by parent, in document order, "None of these" last.

    Returns
    -------
    groups : list of (header, [label ids])
        ``header`` is the parent's name (``"Billing › Payments"`` for deeper trees),
        ``""`` for top-level labels and for the catch-all.
    order : list of str
        Every label id in the order shown (the order of the number keys).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> cats = {"b": NS(name="Billing"), "r": NS(name="Refund"), "x": NS(name="Other")}
    >>> tax = NS(labels=("r", "x"), parent_of={"r": "b", "x": None, "b": None}, other_label="x",
    ...          category=cats.__getitem__, ancestors=lambda c: ["b"] if c == "r" else [])
    >>> option_groups(tax)
    ([('Billing', ['r']), ('', ['x'])], ['r', 'x'])
    """
    other = getattr(tax, "other_label", None)
    parent_of = dict(getattr(tax, "parent_of", {}) or {})
    groups: dict = {}
    for cid in tax.labels:
        if cid == other:
            continue
        parent = parent_of.get(cid)
        if parent is None:
            header = ""
        else:
            try:
                chain = list(tax.ancestors(cid))
            except Exception:  # noqa: BLE001 - fall back to the direct parent
                chain = [parent]
            top_first = chain if chain and chain[-1] == parent else list(reversed(chain))
            header = " › ".join(_name(tax, a) for a in top_first) if top_first else _name(tax, parent)
        groups.setdefault(header, []).append(cid)
    out = [(h, ids) for h, ids in groups.items() if h] + ([("", groups[""])] if "" in groups else [])
    if other is not None and other in tax.labels:
        if out and out[-1][0] == "":
            out[-1] = ("", out[-1][1] + [other])
        else:
            out.append(("", [other]))
    order = [cid for _, ids in out for cid in ids]
    return out, order


def _rules(title: str, css: str, values) -> str:
    values = [v for v in (values or ()) if str(v).strip()]
    if not values:
        return ""
    return "".join(f'<li class="{css}"><b>{title}</b> {escape(v)}</li>' for v in values)


def definition_html(tax: Any, cid: str, *, key: Optional[str] = None) -> str:
    """The definitions panel of one option: definition, include / exclude rules, edge cases.

    Examples
    --------
    See the module docstring.
    """
    cat = tax.category(cid)
    name = getattr(cat, "name", None) or cid
    head = f'<kbd>{escape(key)}</kbd> ' if key else ""
    definition = getattr(cat, "definition", None) or ""
    body = f' — {escape(definition)}' if definition else ""
    rules = _rules("Include:", "wb-inc", getattr(cat, "include", ()))
    rules += _rules("Exclude:", "wb-exc", getattr(cat, "exclude", ()))
    try:
        edges = list(tax.edge_cases_for(cid))
    except Exception:  # noqa: BLE001 - a taxonomy without edge cases
        edges = []
    rules += _rules("Edge case:", "wb-edge", [getattr(e, "rule", e) for e in edges])
    examples = [getattr(e, "text", e) for e in (getattr(cat, "examples", ()) or ())][:2]
    rules += _rules("Example:", "", [f"“{e}”" for e in examples])
    lst = f'<ul class="wb-def-rules">{rules}</ul>' if rules else ""
    return f'<div>{head}<span class="wb-def-name">▸ {escape(name)}</span>{body}{lst}</div>'


_KEYS_LINE = ("<p><b>Keys:</b> <kbd>1</kbd>…<kbd>9</kbd> choose · <kbd>0</kbd> None of these · "
              "<kbd>u</kbd> unsure · <kbd>s</kbd> skip · <kbd>⌫</kbd> back · <kbd>?</kbd> guide · "
              "<kbd>←</kbd><kbd>→</kbd> browse definitions · <kbd>Enter</kbd> choose / submit · "
              "<kbd>Esc</kbd> close this guide</p>")


def guide_html(tax: Any) -> str:
    """The labeling guideline as an HTML fragment (shown by the ``?`` key).

    The guideline page of :func:`workbench.guideline.render_guideline_html` is shown in a
    sandboxed ``<iframe srcdoc>`` (its CSS stays inside, no script may run).

    Examples
    --------
    >>> from workbench.taxonomy import Taxonomy, Category
    >>> html = guide_html(Taxonomy("t", 1, categories=[Category("a", definition="<b>A</b>")]))
    >>> 'sandbox=""' in html and "<b>A</b>" not in html
    True
    """
    head = f"<h3>{escape(tax.name)} v{escape(tax.version)} — labeling guide</h3>{_KEYS_LINE}"
    page = render_guideline_html(tax)
    return f'{head}<iframe class="wb-guide-frame" sandbox="" title="labeling guideline" srcdoc="{escape(page)}"></iframe>'
