"""Sign-in for the served labeling page, with Jupyter Server's own identity machinery under Voilà.

``workbench serve`` runs Voilà with:

- :class:`StoreIdentityProvider`: a Jupyter Server ``IdentityProvider`` whose credentials are the
  store's sign-in tokens (``workbench users add NAME`` prints a link with one; the store keeps
  only its SHA-256). The link's ``?token=`` signs the browser in and sets Jupyter Server's signed,
  HttpOnly login cookie; every later request (page, kernel API, websocket) is checked again
  against the store, so a revoked or expired token stops working at once. A request without a
  valid token or cookie gets the login page, no notebook and no kernel.
- :func:`prelaunch_hook`: before Voilà starts a kernel, it writes the authenticated user and
  role into the notebook (the kernel binds them, :mod:`workbench.widgets.identity`); nothing the
  browser sends can change them.
- Host and Origin checks: Jupyter Server's own (``allow_remote_access=False`` with
  ``local_hostnames`` as the allow-list, and same-origin websockets), which Voilà turns off by
  default.
- No code from the browser: Voilà's kernel manager relays only comm, kernel-info and shutdown
  messages (its ``allowed_message_types``), so a signed-in page cannot run code in its kernel
  or rebind the identity; tests/browser/test_serve_auth.py sends an ``execute_request`` to check.

Examples
--------
>>> settings = tornado_settings(["labels.example.org"])
>>> settings["allow_remote_access"], settings["local_hostnames"]
(False, ['localhost', 'labels.example.org'])
"""

from __future__ import annotations

import json
import os
import sys
from typing import List, Optional, Sequence

from jupyter_server.auth.identity import IdentityProvider, User
from traitlets import Unicode

from .serve import DB_ENV

__all__ = ["StoreIdentityProvider", "prelaunch_hook", "tornado_settings", "identity_cell", "main"]

_MAX_TOKEN_CHARS = 200


class StoreIdentityProvider(IdentityProvider):
    """Users and sign-in tokens from the annotation store (``store.authenticate(token)``)."""

    db_url = Unicode("", config=True, help="Store URL whose users sign in (default: $WORKBENCH_SERVE_DB).")
    _store = None

    @property
    def store(self):
        if self._store is None:
            from ..store import AnnotationStore

            self._store = AnnotationStore(self.db_url or os.environ[DB_ENV], create=False)
        return self._store

    @property
    def auth_enabled(self) -> bool:
        return True

    @property
    def login_available(self) -> bool:
        return True

    def _user(self, token: str) -> Optional[User]:
        if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS:
            return None
        record = self.store.authenticate(token)
        if not record:
            return None
        user = User(username=record["user_id"], name=record["user_id"], display_name=record["user_id"])
        user.workbench_role = record["role"]  # read by prelaunch_hook
        user.workbench_token = token
        return user

    def get_user_token(self, handler) -> Optional[User]:
        """The user of ``?token=`` or ``Authorization: token ...`` (the store's tokens, not a server token)."""
        token = handler.get_argument("token", "") or ""
        header = handler.request.headers.get("Authorization", "")
        if not token and header[:6].lower() == "token ":
            token = header[6:].strip()
        return self._user(token)

    def user_to_cookie(self, user: User) -> str:
        return json.dumps({"token": getattr(user, "workbench_token", "")})

    def user_from_cookie(self, cookie_value: str) -> Optional[User]:
        try:
            token = json.loads(cookie_value).get("token", "")
        except (ValueError, AttributeError):
            return None
        return self._user(token)  # checked against the store on every request: revocation is immediate

    def process_login_form(self, handler) -> Optional[User]:
        return self._user(handler.get_argument("password", default=""))

    def validate_security(self, app, ssl_options=None) -> None:
        """No server-wide token or password: sign-in links from the store are the only way in."""


def identity_cell(user: str, role: str) -> dict:
    """The code cell that binds the kernel to ``user`` and ``role`` (first cell of the served notebook)."""
    source = ("from workbench.widgets import identity as _identity\n"
              f"_ = _identity.bind({user!r}, {role!r}, source='served')")
    return {"cell_type": "code", "execution_count": None, "id": "identity", "metadata": {"tags": ["identity"]},
            "outputs": [], "source": source}


def prelaunch_hook(handler, notebook, cwd):
    """Voilà's hook before a kernel starts: refuse anonymous requests, bind the signed-in user."""
    from tornado import web

    user = handler.current_user
    role = getattr(user, "workbench_role", None)
    if user is None or role is None:
        raise web.HTTPError(403, "Sign in with your link first.")
    import nbformat

    notebook.cells.insert(0, nbformat.from_dict(identity_cell(user.username, role)))
    return notebook


def tornado_settings(hostnames: Sequence[str] = ()) -> dict:
    """Jupyter Server's Host check on (Voilà turns it off): loopback plus ``hostnames`` only."""
    return {"allow_remote_access": False, "local_hostnames": ["localhost", *[h for h in hostnames if h != "localhost"]]}


def main(argv: Optional[List[str]] = None) -> None:
    """Run Voilà with the store's sign-in (``python -m workbench.widgets.auth NOTEBOOK [voila options]``).

    ``--hostname NAME`` (repeatable) adds a name the server answers to besides loopback.
    """
    from traitlets.config import Config
    from voila.app import Voila

    argv = list(sys.argv[1:] if argv is None else argv)
    hostnames = []
    while "--hostname" in argv:
        at = argv.index("--hostname")
        hostnames.append(argv[at + 1])
        del argv[at:at + 2]
    config = Config()
    config.Voila.identity_provider_class = StoreIdentityProvider
    config.Voila.tornado_settings = tornado_settings(hostnames)
    config.VoilaConfiguration.prelaunch_hook = prelaunch_hook
    Voila.launch_instance(argv, config=config)


if __name__ == "__main__":
    main()
