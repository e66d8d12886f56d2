"""Users with roles, hashed sign-in tokens, and the audit log (schema version 3).

- A user has an id (the ``annotator`` name of their annotations), a role (:data:`ROLES`) and
  optionally a team or vendor. A user is never deleted: :func:`disable_user` stops them
  signing in and keeps who they were for the annotations they made.
- A sign-in token is ``secrets.token_urlsafe(32)`` (256 random bits). Only its sha256 hex
  digest is stored, so a copy of the database signs no one in; the raw token is returned once,
  by :func:`issue_token`, and never written anywhere.
- Every change to users and tokens writes an :data:`audit_log <workbench.store._schema.audit_log>`
  row in the same transaction as the change (never the token itself).

Examples
--------
>>> from workbench.store._schema import open_engine, ensure_schema
>>> engine = open_engine("sqlite://"); _ = ensure_schema(engine)
>>> add_user(engine, "ana", role="reviewer", team=None, actor="lead")["role"]
'reviewer'
>>> token = issue_token(engine, "ana", expires_in=None, actor="lead", where="demo")
>>> authenticate(engine, token)["user_id"], authenticate(engine, "not-a-token")
('ana', None)
"""

from __future__ import annotations

import datetime as _dt
import getpass
import hashlib
import json
import re
import secrets
import unicodedata
from typing import Any, Optional

import pandas as pd
import sqlalchemy as sa

from . import _schema as S
from .._internal.validation import MAX_NAME_CHARS, check_option
from ..exceptions import StoreError, ValidationError

__all__ = ["ROLES", "USER_COLUMNS", "AUDIT_COLUMNS", "check_name", "token_hash", "add_user", "set_role", "set_team",
           "disable_user", "user_row", "users_table", "issue_token", "authenticate", "revoke_tokens",
           "write_audit", "audit", "audit_log_table", "default_actor", "stamp"]

ROLES = S.ROLES
#: Keys of :func:`user_row` and columns of :func:`users_table` (which adds ``active_tokens``).
USER_COLUMNS = ("user_id", "role", "team", "created_at", "disabled_at")
AUDIT_COLUMNS = ("id", "at", "actor", "action", "target", "detail")
#: What a token from ``secrets.token_urlsafe(32)`` looks like (43 characters); anything else is no token.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,128}")
#: Longest ``expires_in``: a later expiry is better written as "never" (None).
_MAX_EXPIRY = _dt.timedelta(days=3660)
_MAX_TARGET_CHARS = 4096


def check_name(value: Any, *, param: str, caller: str, what: str = "a name") -> str:
    """``value`` if it is a non-empty string of at most 200 characters with no control characters.

    Leading or trailing spaces are refused too ('ana ' and 'ana' would be two people).

    Examples
    --------
    >>> check_name("ana", param="user_id", caller="add_user")
    'ana'
    >>> check_name("ana\\n", param="user_id", caller="add_user")
    Traceback (most recent call last):
    ...
    workbench.exceptions.ValidationError: The 'user_id' parameter of add_user must be a name: a non-empty string of at most 200 characters, with no control characters and no leading or trailing spaces. Got 'ana\\n' instead (a control character U+000A at position 3).
    """
    rule = (f"The {param!r} parameter of {caller} must be {what}: a non-empty string of at most {MAX_NAME_CHARS} "
            "characters, with no control characters and no leading or trailing spaces.")
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{rule} Got {value!r} instead.")
    if len(value) > MAX_NAME_CHARS:
        raise ValidationError(f"{rule} Got {len(value)} characters ({value[:40]!r}...) instead.")
    for n, ch in enumerate(value):
        if unicodedata.category(ch).startswith("C"):  # Cc control, Cf format (bidi overrides), Cs, Co, Cn
            raise ValidationError(f"{rule} Got {value!r} instead (a control character U+{ord(ch):04X} at "
                                  f"position {n}).")
    if value != value.strip():
        raise ValidationError(f"{rule} Got {value!r} instead (spaces at the start or end).")
    return value


def _team(team: Any, caller: str) -> Optional[str]:
    return None if team is None else check_name(team, param="team", caller=caller, what="None or a team name")


def token_hash(token: str) -> str:
    """The sha256 hex digest under which a token is stored.

    >>> token_hash("abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def default_actor() -> str:
    """Who to name in the audit log when no actor is given: the operating-system account, or ``'unknown'``."""
    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a container without a passwd entry)
        return "unknown"
    try:
        return check_name(name, param="actor", caller="default_actor")
    except ValidationError:
        return "unknown"


def stamp(value: Any) -> Optional[pd.Timestamp]:
    """A database time as a UTC :class:`pandas.Timestamp` (SQLite hands back naive UTC), or None."""
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _user_dict(row: Any) -> dict:
    return {"user_id": row.user_id, "role": row.role, "team": row.team, "created_at": stamp(row.created_at),
            "disabled_at": stamp(row.disabled_at)}


def _find(conn: sa.Connection, user_id: str) -> Any:
    u = S.users
    return conn.execute(sa.select(u).where(u.c.user_id == user_id)).first()


def _known(conn: sa.Connection, user_id: str, caller: str, where: str) -> Any:
    row = _find(conn, user_id)
    if row is None:
        known = conn.execute(sa.select(S.users.c.user_id).order_by(S.users.c.user_id).limit(20)).scalars().all()
        raise StoreError(f"{caller}: there is no user {user_id!r} in {where}; users: {known}. Add them first with "
                         f"store.add_user({user_id!r}, role=...) (or `workbench users add {user_id} --role ...`).")
    return row


def write_audit(conn: sa.Connection, action: str, *, actor: str, target: Optional[str] = None,
                detail: Optional[dict] = None) -> int:
    """Append one audit row inside ``conn``'s transaction; return its id (arguments already checked)."""
    text = None if detail is None else json.dumps(detail, sort_keys=True, ensure_ascii=False, allow_nan=False,
                                                  default=str)
    result = conn.execute(S.audit_log.insert().values(at=S.utcnow(), actor=actor, action=action, target=target,
                                                      detail=text))
    return int(result.inserted_primary_key[0])


def _check_detail(detail: Any, caller: str) -> Optional[dict]:
    if detail is None:
        return None
    if not isinstance(detail, dict):
        raise ValidationError(f"The 'detail' parameter of {caller} must be None or a dict of JSON values. "
                              f"Got {type(detail).__name__} instead.")
    try:
        json.dumps(detail, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"The 'detail' parameter of {caller} must be a dict of JSON values (str, number, "
                              f"bool, None, lists and dicts of them). Got {detail!r} ({exc}).") from None
    return detail


def _check_target(target: Any, caller: str) -> Optional[str]:
    if target is None:
        return None
    if not isinstance(target, str) or "\x00" in target or len(target) > _MAX_TARGET_CHARS:
        raise ValidationError(f"The 'target' parameter of {caller} must be None or a string of at most "
                              f"{_MAX_TARGET_CHARS} characters without NUL. Got {str(target)[:60]!r} instead.")
    return target


def audit(engine: sa.Engine, action: str, *, actor: str, target: Optional[str] = None,
          detail: Optional[dict] = None) -> int:
    """Check the arguments and append one audit row in its own transaction; return its id."""
    action = check_name(action, param="action", caller="audit", what="an action name such as 'review'")
    actor = check_name(actor, param="actor", caller="audit")
    target = _check_target(target, "audit")
    detail = _check_detail(detail, "audit")
    with S.write_transaction(engine) as conn:
        return write_audit(conn, action, actor=actor, target=target, detail=detail)


def audit_log_table(engine: sa.Engine, *, action: Optional[str] = None, actor: Optional[str] = None) -> pd.DataFrame:
    """``id, at, actor, action, target, detail`` (detail decoded), oldest first."""
    t = S.audit_log
    query = sa.select(*(t.c[c] for c in AUDIT_COLUMNS)).order_by(t.c.id)
    if action is not None:
        query = query.where(t.c.action == str(action))
    if actor is not None:
        query = query.where(t.c.actor == str(actor))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    df = pd.DataFrame([tuple(r) for r in rows], columns=list(AUDIT_COLUMNS))
    df["id"] = df["id"].astype("int64")
    df["at"] = pd.to_datetime(df["at"], utc=True)
    for col in ("actor", "action", "target"):  # object columns whose missing value is None
        df[col] = pd.Series([getattr(r, col) for r in rows], index=df.index, dtype=object)
    df["detail"] = pd.Series([json.loads(r.detail) if r.detail else None for r in rows], index=df.index, dtype=object)
    return df


def add_user(engine: sa.Engine, user_id: str, *, role: str, team: Optional[str], actor: str) -> dict:
    """Add a user; the same user again (same role and team) is a no-op."""
    user_id = check_name(user_id, param="user_id", caller="add_user")
    check_option(role, ROLES, param="role", caller="add_user")
    team = _team(team, "add_user")
    actor = check_name(actor, param="actor", caller="add_user")
    with S.write_transaction(engine) as conn:
        found = _find(conn, user_id)
        if found is not None:
            if found.role != role:
                raise StoreError(f"add_user: user {user_id!r} already exists with role {found.role!r}, not {role!r}. "
                                 f"Change a role with store.set_role({user_id!r}, {role!r}, actor=...) "
                                 f"(or `workbench users role {user_id} {role}`).")
            if found.team != team:
                raise StoreError(f"add_user: user {user_id!r} already exists in team {found.team!r}, not {team!r}. "
                                 f"Change a team with store.set_team({user_id!r}, {team!r}, actor=...).")
            return _user_dict(found)
        conn.execute(S.users.insert().values(user_id=user_id, role=role, team=team, created_at=S.utcnow()))
        write_audit(conn, "add_user", actor=actor, target=user_id, detail={"role": role, "team": team})
        return _user_dict(_find(conn, user_id))


def _change(engine: sa.Engine, user_id: str, column: str, value: Optional[str], *, actor: str, caller: str,
            where: str) -> dict:
    with S.write_transaction(engine) as conn:
        row = _known(conn, user_id, caller, where)
        old = getattr(row, column)
        if old == value:
            return _user_dict(row)
        conn.execute(S.users.update().where(S.users.c.user_id == user_id).values({column: value}))
        write_audit(conn, caller, actor=actor, target=user_id, detail={"from": old, "to": value})
        return _user_dict(_find(conn, user_id))


def set_role(engine: sa.Engine, user_id: str, role: str, *, actor: str, where: str) -> dict:
    """Give ``user_id`` another role; the same role is a no-op."""
    user_id = check_name(user_id, param="user_id", caller="set_role")
    check_option(role, ROLES, param="role", caller="set_role")
    actor = check_name(actor, param="actor", caller="set_role")
    return _change(engine, user_id, "role", role, actor=actor, caller="set_role", where=where)


def set_team(engine: sa.Engine, user_id: str, team: Optional[str], *, actor: str, where: str) -> dict:
    """Move ``user_id`` to another team (None: no team); the same team is a no-op."""
    user_id = check_name(user_id, param="user_id", caller="set_team")
    team = _team(team, "set_team")
    actor = check_name(actor, param="actor", caller="set_team")
    return _change(engine, user_id, "team", team, actor=actor, caller="set_team", where=where)


def _revoke(conn: sa.Connection, user_id: str, now: _dt.datetime) -> int:
    t = S.user_tokens
    result = conn.execute(t.update().where(t.c.user_id == user_id, t.c.revoked_at.is_(None)).values(revoked_at=now))
    return int(result.rowcount or 0)


def revoke_tokens(engine: sa.Engine, user_id: str, *, actor: str, where: str) -> int:
    """Revoke every token of ``user_id`` not revoked yet; return how many."""
    user_id = check_name(user_id, param="user_id", caller="revoke_tokens")
    actor = check_name(actor, param="actor", caller="revoke_tokens")
    with S.write_transaction(engine) as conn:
        _known(conn, user_id, "revoke_tokens", where)
        n = _revoke(conn, user_id, S.utcnow())
        write_audit(conn, "revoke_tokens", actor=actor, target=user_id, detail={"revoked": n})
        return n


def disable_user(engine: sa.Engine, user_id: str, *, actor: str, where: str) -> dict:
    """Stop ``user_id`` signing in: set ``disabled_at`` and revoke their tokens (already disabled: a no-op)."""
    user_id = check_name(user_id, param="user_id", caller="disable_user")
    actor = check_name(actor, param="actor", caller="disable_user")
    with S.write_transaction(engine) as conn:
        row = _known(conn, user_id, "disable_user", where)
        now = S.utcnow()
        n = _revoke(conn, user_id, now)
        if row.disabled_at is not None and not n:
            return _user_dict(row)
        if row.disabled_at is None:
            conn.execute(S.users.update().where(S.users.c.user_id == user_id).values(disabled_at=now))
        write_audit(conn, "disable_user", actor=actor, target=user_id, detail={"tokens_revoked": n})
        return _user_dict(_find(conn, user_id))


def user_row(engine: sa.Engine, user_id: Any) -> Optional[dict]:
    """``{'user_id', 'role', 'team', 'created_at', 'disabled_at'}`` or None."""
    if not isinstance(user_id, str) or not user_id or len(user_id) > MAX_NAME_CHARS or "\x00" in user_id:
        return None
    with engine.connect() as conn:
        row = _find(conn, user_id)
    return None if row is None else _user_dict(row)


def users_table(engine: sa.Engine) -> pd.DataFrame:
    """Every user: ``user_id, role, team, created_at, disabled_at, active_tokens``, by id."""
    u, t = S.users, S.user_tokens
    with engine.connect() as conn:
        rows = conn.execute(sa.select(u).order_by(u.c.user_id)).all()
        tokens = conn.execute(sa.select(t.c.user_id, t.c.expires_at).where(t.c.revoked_at.is_(None))).all()
    now = pd.Timestamp(S.utcnow())
    active: dict = {}
    for user_id, expires in tokens:
        if expires is None or stamp(expires) > now:
            active[user_id] = active.get(user_id, 0) + 1
    df = pd.DataFrame([_user_dict(r) for r in rows], columns=list(USER_COLUMNS))
    df["team"] = pd.Series([r.team for r in rows], index=df.index, dtype=object)
    for col in ("created_at", "disabled_at"):
        df[col] = pd.to_datetime(df[col], utc=True)
    df["active_tokens"] = pd.Series([0 if r.disabled_at is not None else active.get(r.user_id, 0) for r in rows],
                                    index=df.index, dtype="int64")
    return df


def _expiry(expires_in: Any, now: _dt.datetime) -> Optional[_dt.datetime]:
    if expires_in is None:
        return None
    if not isinstance(expires_in, _dt.timedelta) or not _dt.timedelta(0) < expires_in <= _MAX_EXPIRY:
        raise ValidationError("The 'expires_in' parameter of issue_token must be None (never expires) or a "
                              f"datetime.timedelta longer than 0 and at most {_MAX_EXPIRY.days} days. Got "
                              f"{expires_in!r} instead.")
    return now + expires_in


def issue_token(engine: sa.Engine, user_id: str, *, expires_in: Any, actor: str, where: str) -> str:
    """Store the hash of a new token for ``user_id`` and return the raw token (shown once)."""
    user_id = check_name(user_id, param="user_id", caller="issue_token")
    actor = check_name(actor, param="actor", caller="issue_token")
    now = S.utcnow()
    expires_at = _expiry(expires_in, now)
    token = secrets.token_urlsafe(32)
    digest = token_hash(token)
    with S.write_transaction(engine) as conn:
        row = _known(conn, user_id, "issue_token", where)
        if row.disabled_at is not None:
            since = stamp(row.disabled_at).strftime("%Y-%m-%d %H:%M")
            raise StoreError(f"issue_token: user {user_id!r} is disabled (since {since} UTC), and a disabled user "
                             "cannot sign in. Add the person under a new id.")
        conn.execute(S.user_tokens.insert().values(token_hash=digest, user_id=user_id, created_at=now,
                                                   expires_at=expires_at))
        write_audit(conn, "issue_token", actor=actor, target=user_id,
                    detail={"expires_at": None if expires_at is None else expires_at.isoformat(),
                            "token_hash_prefix": digest[:12]})
    return token


def authenticate(engine: sa.Engine, token: Any) -> Optional[dict]:
    """The user a token signs in (their :func:`user_row` plus ``token_expires_at``), or None.

    None when the token is not a string shaped like one of ours, is unknown, revoked or
    expired, or its user is disabled. Garbage never raises.
    """
    if not isinstance(token, str) or _TOKEN_SHAPE.fullmatch(token) is None:
        return None
    u, t = S.users, S.user_tokens
    query = (sa.select(u, t.c.expires_at, t.c.revoked_at).join(t, t.c.user_id == u.c.user_id)
             .where(t.c.token_hash == token_hash(token)))
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None or row.revoked_at is not None or row.disabled_at is not None:
        return None
    expires = stamp(row.expires_at)
    if expires is not None and expires <= pd.Timestamp(S.utcnow()):
        return None
    out = _user_dict(row)
    out["token_expires_at"] = expires
    return out

