"""The few Label Studio REST calls a lead needs: list the users, create the missing ones.

Label Studio's exports name annotators by numeric user id, and its import accepts only the
emails (or ids) of organisation members. :func:`label_studio_users` reads ``GET /api/users/``
into ``{id: email}`` (what :class:`~workbench.interop.AnnotatorMap` needs to map ids back to
names); :func:`create_label_studio_users` adds the members an export needs
(``POST /api/users/``), for a lead who starts a new project.

Authentication: a legacy API token (``Authorization: Token <key>``; the organisation must
allow legacy tokens) or a personal access token (a JWT refresh token, exchanged at
``/api/token/refresh/`` for a 5-minute access token). Both come from the user's Account &
Settings page. Only the standard library is used.

Examples
--------
>>> _auth_kind("0123456789abcdef0123456789abcdef01234567"), _auth_kind("aaa.bbb.ccc")
('Token', 'Bearer')
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Dict, Iterable, List, Optional

from ..exceptions import DataError
from ._annotators import AnnotatorMap

__all__ = ["label_studio_users", "create_label_studio_users", "LabelStudioAPI"]


def _auth_kind(token: str) -> str:
    return "Bearer" if token.count(".") == 2 else "Token"


class LabelStudioAPI:
    """A minimal client of a Label Studio server (``url`` like ``http://127.0.0.1:8080``)."""

    def __init__(self, url: str, token: str, *, timeout: float = 30.0):
        if not url or not token:
            raise DataError("Label Studio needs a URL and an API token (Account & Settings > Access Token).",
                            reason="no_credentials")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._token = token
        self._access: Optional[str] = None

    def _header(self) -> str:
        if _auth_kind(self._token) == "Token":
            return f"Token {self._token}"
        if self._access is None:
            body = self._send("POST", "/api/token/refresh/", {"refresh": self._token}, auth=False)
            self._access = body["access"]
        return f"Bearer {self._access}"

    def _send(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        if auth:
            request.add_header("Authorization", self._header())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - a URL the user gave
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise DataError(f"Label Studio at {self.url} answered {exc.code} to {method} {path}: {detail}. Check the "
                            "URL and the token (and that legacy tokens are enabled if you use one).",
                            reason="label_studio_http") from None
        except (urllib.error.URLError, OSError) as exc:
            raise DataError(f"Cannot reach Label Studio at {self.url} ({getattr(exc, 'reason', exc)}). Check the URL "
                            "and that the server runs.", reason="label_studio_down") from None
        return json.loads(text) if text else None

    def users(self) -> List[dict]:
        """Every user of the organisation (``GET /api/users/``)."""
        return list(self._send("GET", "/api/users/"))

    def create_user(self, email: str, *, username: Optional[str] = None, first_name: str = "") -> dict:
        """Add a member to the organisation (``POST /api/users/``); they sign in after a password reset."""
        body = {"email": email, "username": username or email.split("@")[0], "first_name": first_name}
        return self._send("POST", "/api/users/", body)


def label_studio_users(url: str, token: str) -> Dict[int, str]:
    """``{user id: email}`` of a Label Studio server's users."""
    return {int(u["id"]): str(u["email"]) for u in LabelStudioAPI(url, token).users() if u.get("email")}


def create_label_studio_users(url: str, token: str, names: Iterable[str],
                              annotators: Optional[AnnotatorMap] = None) -> Dict[str, int]:
    """Create the Label Studio users that ``names`` map to and that do not exist yet.

    Returns ``{email: user id}`` of every mapped name (existing and new), so an export can
    write user ids, and the map can resolve ids on the way back.
    """
    api = LabelStudioAPI(url, token)
    annotators = annotators or AnnotatorMap()
    existing = {str(u["email"]).lower(): int(u["id"]) for u in api.users() if u.get("email")}
    out: Dict[str, int] = {}
    for name in dict.fromkeys(str(n) for n in names):
        email = annotators.email(name)
        if email.lower() not in existing:
            made = api.create_user(email, first_name=name)
            existing[email.lower()] = int(made["id"])
        out[email] = existing[email.lower()]
    return out
