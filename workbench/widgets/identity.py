"""Who is labeling: the identity a kernel was started for, and what each role may do.

A kernel learns its user from where it runs, never from a text box:

- **served page** (``workbench serve``): the server authenticates the request (a sign-in link
  whose token the store keeps hashed) and writes the user and role into the notebook before
  the kernel starts (:func:`workbench.widgets.auth.prelaunch_hook` calls :func:`bind`);
- **JupyterHub**: the hub's user, ``JUPYTERHUB_USER``; the role comes from the store's users
  table (``labeler`` for a user it does not list);
- **a notebook of your own**: no identity is bound; you are trusted as the ``lead`` and name the
  annotator yourself.

Once bound, an identity cannot be replaced in that kernel, and every view checks it:
:func:`resolve` refuses to label under another name, and :func:`check_role` refuses a view the
role may not open.

Examples
--------
>>> check_role("labeler", "label")
>>> check_role("labeler", "adjudication")
Traceback (most recent call last):
...
workbench.exceptions.AccessDenied: A labeler cannot open the adjudication view; it needs the role reviewer or lead. Ask the lead for that role (workbench users role NAME reviewer).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Optional

from ..exceptions import AccessDenied

__all__ = ["Identity", "ROLES", "VIEW_ROLES", "bind", "current", "resolve", "check_role", "reset_for_tests"]

#: Roles, least to most trusted.
ROLES = ("labeler", "reviewer", "lead")

#: Which roles may open a view of each kind (a view's ``kind`` is the kind of row it writes).
VIEW_ROLES = {
    "label": ("labeler", "lead"), "quiz": ("labeler", "lead"), "pairwise": ("labeler", "lead"),
    "rubric": ("labeler", "lead"), "spans": ("labeler", "lead"), "boxes": ("labeler", "lead"),
    "adjudication": ("reviewer", "lead"), "review": ("reviewer", "lead"), "dashboard": ("lead",),
}


@dataclasses.dataclass(frozen=True)
class Identity:
    """A signed-in user: ``user`` (the annotator name), ``role`` and where it came from."""

    user: str
    role: str
    source: str  # "served", "jupyterhub" or "local"


_bound: Optional[Identity] = None


def bind(user: str, role: str, *, source: str = "served") -> Identity:
    """Bind the kernel to ``user`` with ``role``; binding another identity afterwards is refused."""
    global _bound
    if role not in ROLES:
        raise AccessDenied(f"Unknown role {role!r}; roles are {list(ROLES)}.")
    identity = Identity(str(user), role, source)
    if _bound is not None and _bound != identity:
        raise AccessDenied(f"This kernel is signed in as {_bound.user!r}; it cannot switch to {identity.user!r}.")
    _bound = identity
    return identity


def current(store=None) -> Optional[Identity]:
    """The bound identity; else the JupyterHub user (role from ``store``'s users); else None."""
    if _bound is not None:
        return _bound
    hub_user = os.environ.get("JUPYTERHUB_USER")
    if hub_user:
        role = "labeler"
        if store is not None and hasattr(store, "user"):
            record = store.user(hub_user)
            if record and record.get("disabled_at") is None:
                role = record["role"]
        return Identity(hub_user, role, "jupyterhub")
    return None


def resolve(annotator: Optional[str], store=None) -> Identity:
    """The identity a view acts for: the signed-in one (``annotator`` must then be it, or None).

    Without a signed-in identity, ``annotator`` is required and trusted as the ``lead``
    (a notebook of your own).

    Examples
    --------
    >>> resolve("ana")
    Identity(user='ana', role='lead', source='local')
    """
    who = current(store)
    name = annotator.strip() if isinstance(annotator, str) else annotator
    if who is None:
        if not isinstance(name, str) or not name:
            raise AccessDenied("No one is signed in here: pass annotator='your name' (in your own notebook), or "
                               "open the page through a sign-in link (workbench users add NAME) or JupyterHub.")
        return Identity(name, "lead", "local")
    if name not in (None, "", who.user):
        raise AccessDenied(f"You are signed in as {who.user!r}; you cannot label as {name!r}.")
    return who


def check_role(role: str, kind: str) -> None:
    """Raise AccessDenied when ``role`` may not open a view that writes ``kind`` rows."""
    allowed = VIEW_ROLES.get(kind, ("lead",))
    if role not in allowed:
        article = "An" if role[:1] in "aeiou" else "A"
        raise AccessDenied(f"{article} {role} cannot open the {kind} view; it needs the role {' or '.join(allowed)}. "
                           f"Ask the lead for that role (workbench users role NAME {allowed[0]}).")


def reset_for_tests() -> None:
    """Forget the bound identity (tests only: a real kernel never switches user)."""
    global _bound
    _bound = None
