"""A real Label Studio server for the interop tests, run from ``.venv-ls`` by PID.

Label Studio (PyPI ``label-studio``, pinned in ``requirements/label-studio.txt``) pins a
Django / numpy / pandas stack that clashes with ours, so ``make label-studio`` installs it in
its own venv. :class:`LabelStudioServer` starts ``.venv-ls/bin/label-studio start`` bound to
127.0.0.1 on a free port with a fresh data directory, waits until it answers and stops it by
its process group. The tests talk to it only through its public REST API (and its sign-up /
log-in pages), with the standard library's :mod:`urllib`, so our venv needs neither
``requests`` nor ``label-studio-sdk``.

What Label Studio 1.23.2 does (found by running it; the smoke test checks most of it):

Start-up
    ``label-studio start --internal-host 127.0.0.1 --port P --data-dir D --no-browser
    --enable-legacy-api-token`` with ``LABEL_STUDIO_BASE_DATA_DIR=D``, ``DJANGO_DB=sqlite``,
    ``LABEL_STUDIO_USERNAME`` / ``LABEL_STUDIO_PASSWORD`` (the admin, created at start and made
    owner of the one organization) and ``LABEL_STUDIO_USER_TOKEN`` (that admin's legacy API
    token, any string longer than 5 characters). Nothing calls out when ``SENTRY_DSN`` and
    ``FRONTEND_SENTRY_DSN`` are empty, ``COLLECT_ANALYTICS=false`` and
    ``LATEST_VERSION_CHECK=false`` (the defaults send errors to sentry.io, usage to Label
    Studio and ask PyPI for the latest version). Its RQ queues are hard-wired to a Redis on
    localhost:6379 (no setting reads the environment), and it enqueues background jobs there
    whenever one answers, as one does on this machine; so ``DJANGO_SETTINGS_MODULE`` names a
    small module written into the data directory that imports ``core.settings.base`` and
    ``label_studio.core.settings.label_studio`` and points the queues at a missing Unix socket:
    then every job runs synchronously in its request. ``/api/version`` runs ``git describe --dirty``
    in the package folder, which finds *our* repository around ``.venv-ls``; ``GIT_DIR`` pointing
    nowhere stops that. Every setting is read as ``LABEL_STUDIO_X``, ``HEARTEX_X`` or plain
    ``X`` (``USERNAME``, ``HOST``, ``PORT``, ``DEBUG``, ``CI`` ...), so the server gets a minimal
    environment, not ours. ``label-studio start`` moves to the next port silently when its port
    is taken; :meth:`LabelStudioServer.start` therefore checks that the server on the port knows
    its random admin token. The first start on an empty data directory runs the Django
    migrations: about 30 s on this 2-core machine (40 s when it is busy), against about 4 s for
    a start on a migrated database. So the harness migrates once into a template database
    (``.venv-ls/ls-db-template-<version>.sqlite3``, by ``label_studio/manage.py migrate``) and
    copies it into each fresh data directory.
``GET /health``
    ``{"status": "UP"}`` once the server serves; ``GET /api/version`` gives ``release``.
Authentication
    The legacy API token (``Authorization: Token <key>``) works only when the organization
    has ``legacy_api_tokens_enabled``; ``--enable-legacy-api-token`` sets it when the start
    creates the organization (``GET``/``POST /api/jwt/settings`` reads / changes it; with it
    off, a legacy token gets 401 "legacy token authentication has been disabled"). Personal
    access tokens work either way: ``POST /api/token/`` (authenticated) gives a JWT refresh
    token (one live token per user, else 409), ``POST /api/token/refresh/`` with
    ``{"refresh": ...}`` gives ``{"access": ...}``, valid 5 minutes, sent as
    ``Authorization: Bearer <access>``.
Users
    ``POST /api/users/`` (admin) creates a member of the admin's organization (it shows in
    ``GET /api/users/`` and ``GET /api/organizations/<id>/memberships``) but without a usable
    password, and no endpoint shows another user's token: nobody can act as such a user. So
    :meth:`LabelStudioServer.create_user` uses the invite flow instead: ``GET /api/invite``
    (admin) gives the organization's invite token; ``GET /user/signup/?token=T`` sets the
    ``csrftoken`` cookie; ``POST /user/signup/?token=T`` with the form fields
    ``csrfmiddlewaretoken``, ``email`` and ``password`` (Django's password validators apply)
    creates the user, adds it to the organization, sets its username to the part of the
    e-mail before ``@`` (usernames need not be unique) and logs that cookie session in
    (302 to ``/``; ``DISABLE_SIGNUP_WITHOUT_LINK=true`` makes the token mandatory). Signup
    lower-cases the e-mail. ``PATCH /api/users/<id>`` (admin) then sets ``first_name``,
    ``last_name`` and ``username``.
Acting as a user
    Any logged-in session (sign-up above, or ``GET`` then ``POST /user/login/`` with
    ``csrfmiddlewaretoken``, ``email``, ``password``) reads its own legacy token from
    ``GET /api/current-user/token`` (``{"token": ...}``); requests with that token act as the
    user. ``POST /api/tasks/<id>/annotations/`` sets ``completed_by`` and ``updated_by`` to the
    requester (an explicit ``completed_by`` id in the body wins); ``PATCH
    /api/annotations/<id>/`` by anyone in the organization keeps ``completed_by`` and sets
    ``updated_by`` to the requester. Annotations made through this API get
    ``ground_truth=false`` by default.
Import (``POST /api/projects/<id>/import`` with a JSON list of tasks; synchronous here: 201
    ``{"task_count", "annotation_count", ...}``; a bad item gives 400 with
    ``validation_errors``)
    ``completed_by`` must be an organization member's integer id or ``{"email": ...}``
    (exact, case-sensitive match; other keys in the dict are ignored); missing means the
    importing user. A bare e-mail string or an unknown id gives "Import data contains
    completed_by=... which is not a valid annotator's email or ID"; an unknown e-mail gives
    "Unknown annotator's email ..." (unless ``ALLOW_IMPORT_TASKS_WITH_UNKNOWN_EMAILS``, which
    then credits the importing user); ``{"id": 2}`` (no ``email``) gives "It's expected to have 'email'
    field". Kept: ``result`` as given (entries whose ``from_name`` is not in the label config,
    e.g. a ``textarea`` ``note`` or a ``choices`` ``unsure``, are stored and come back in the
    JSON export), ``lead_time``, ``was_cancelled``, ``ground_truth`` (which defaults to
    **true** on import), the annotation's ``id`` as ``import_id``. Dropped: ``created_at`` and
    ``updated_at`` (set to the import time), ``updated_by`` and other keys.
Export (``GET /api/projects/<id>/export?exportType=JSON|JSON_MIN|CSV|TSV``; only tasks with at
    least one annotation unless ``download_all_tasks=true``)
    ``JSON``: the tasks with full annotations, ``completed_by`` as the user's id (map ids to
    e-mails with ``GET /api/users/``). ``JSON_MIN`` and ``CSV``: one row per annotation that
    is not cancelled (a ``was_cancelled`` annotation is left out), the task's data fields,
    ``id`` (task), one column per control tag of the label config, named by the tag: one
    choice gives ``"label": "bug"``, several give ``"label": {"choices": ["refund", "bug"]}``
    (that JSON as text in CSV), a ``TextArea`` with one text gives the string; a tag that the
    annotation does not use is missing from the JSON_MIN row and empty in CSV; result entries
    not in the config are left out. Then ``annotator`` (the user's id; a string in CSV),
    ``annotation_id``, ``created_at``, ``updated_at``, ``lead_time``. CSV columns are sorted by
    name and every value but integers is quoted.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LS_VENV = Path(os.environ.get("WORKBENCH_LS_VENV", ROOT / ".venv-ls"))
LS_BIN = LS_VENV / "bin" / "label-studio"

#: Tasks per page when listing a project's tasks.
_PAGE_SIZE = 100

#: Label Studio's settings as the harness runs them, written into each data directory.
_SETTINGS_MODULE = "ls_harness_settings"
_SETTINGS = '''"""Written by tests/interop/label_studio_server.py: Label Studio's settings without Redis."""
# The base settings first: Label Studio's settings read django.conf.settings while they import,
# which then sees only what this module already holds.
from core.settings.base import *  # noqa: F401,F403
from label_studio.core.settings.label_studio import *  # noqa: F401,F403

# Label Studio sends background jobs to the RQ queues on localhost:6379 whenever a Redis
# answers there (it never starts a worker for them). Point every queue at a socket that does
# not exist, so no job leaves the server and each runs within its request.
RQ_QUEUES = {{name: {{"UNIX_SOCKET_PATH": {socket!r}, "DB": 0, "DEFAULT_TIMEOUT": 180}} for name in RQ_QUEUES}}
'''


def available(ls_bin: Path = LS_BIN) -> bool:
    """Whether ``make label-studio`` has installed the server."""
    return ls_bin.exists()


class LabelStudioError(RuntimeError):
    """Label Studio answered an API call with an error status.

    Parameters
    ----------
    method, url : str
        The request.
    status : int
        The HTTP status of the answer.
    body : str
        The answer's body (Label Studio's JSON error, with ``validation_errors``).
    """

    def __init__(self, method: str, url: str, status: int, body: str):
        self.method, self.url, self.status, self.body = method, url, status, body
        super().__init__(f"{method} {url} -> HTTP {status}: {body[:4000]}")


@dataclass
class LabelStudioUser:
    """A user of the server, with what it takes to act as that user.

    Attributes
    ----------
    id : int
        The user's id (what ``completed_by`` and ``annotator`` hold in exports).
    email, username, first_name, last_name : str
        As the server keeps them (signup lower-cases the e-mail).
    password : str
        For ``/user/login/``.
    token : str
        The user's legacy API token (``Authorization: Token ...``).
    """

    id: int
    email: str
    username: str
    first_name: str
    last_name: str
    password: str = field(repr=False)
    token: str = field(repr=False)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand 3xx answers back instead of following them (signup / login answer 302)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class LabelStudioClient:
    """REST calls to one Label Studio server as one user.

    Parameters
    ----------
    base_url : str
        ``http://127.0.0.1:<port>``.
    token : str, optional
        A legacy API token, sent as ``Authorization: Token <token>``.
    refresh_token : str, optional
        A personal access token (JWT refresh token) instead: the client trades it for a
        5-minute access token at ``/api/token/refresh/``, sends ``Authorization: Bearer ...``
        and trades again when the access token is refused.
    timeout : float
        Seconds per request.
    """

    def __init__(self, base_url: str, *, token: str | None = None, refresh_token: str | None = None,
                 timeout: float = 120.0):
        if (token is None) == (refresh_token is None):
            raise ValueError("give exactly one of token and refresh_token")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.refresh_token = refresh_token
        self.timeout = timeout
        self._access: str | None = None
        self._opener = urllib.request.build_opener(_NoRedirect())

    # -- plumbing -------------------------------------------------------------------------
    def _auth_header(self, *, renew: bool = False) -> str:
        if self.token is not None:
            return f"Token {self.token}"
        if renew or self._access is None:
            url = f"{self.base_url}/api/token/refresh/"
            answer = _call(self._opener, "POST", url, json_body={"refresh": self.refresh_token}, timeout=self.timeout)
            if answer.status != 200:
                raise LabelStudioError("POST", url, answer.status, answer.body)
            self._access = json.loads(answer.body)["access"]
        return f"Bearer {self._access}"

    def request(self, method: str, path: str, *, json_body: Any = None, params: dict | None = None,
                raw: bool = False) -> Any:
        """Call ``path`` and return its parsed JSON (or its text with ``raw=True``).

        Raises
        ------
        LabelStudioError
            On any status of 400 or more, with the server's error body.
        """
        url = f"{self.base_url}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params, doseq=True)
        answer = _call(self._opener, method, url, json_body=json_body, timeout=self.timeout,
                       headers={"Authorization": self._auth_header()})
        if answer.status == 401 and self.refresh_token is not None:
            answer = _call(self._opener, method, url, json_body=json_body, timeout=self.timeout,
                           headers={"Authorization": self._auth_header(renew=True)})
        if answer.status >= 400:
            raise LabelStudioError(method, url, answer.status, answer.body)
        if raw:
            return answer.body
        return json.loads(answer.body) if answer.body.strip() else None

    # -- who ------------------------------------------------------------------------------
    def whoami(self) -> dict:
        """``GET /api/current-user/whoami``: the user this client acts as."""
        return self.request("GET", "/api/current-user/whoami")

    def list_users(self) -> list[dict]:
        """``GET /api/users/``: the users of the requester's organization."""
        return self.request("GET", "/api/users/")

    def organization_members(self, organization_id: int | None = None) -> list[dict]:
        """``GET /api/organizations/<id>/memberships``: the organization's members (all pages)."""
        if organization_id is None:
            organization_id = self.whoami()["active_organization"]
        members, page = [], 1
        while True:
            answer = self.request("GET", f"/api/organizations/{organization_id}/memberships",
                                  params={"page": page, "page_size": _PAGE_SIZE})
            members += answer["results"]
            if not answer.get("next"):
                return members
            page += 1

    def personal_access_token(self) -> str:
        """``POST /api/token/``: a new JWT refresh token for this user (409 if one is live)."""
        return self.request("POST", "/api/token/")["token"]

    # -- projects, tasks, annotations -----------------------------------------------------
    def create_project(self, title: str, label_config: str, **fields: Any) -> dict:
        """``POST /api/projects/``; returns the project (``id``, ``title``, ``label_config`` ...)."""
        return self.request("POST", "/api/projects/", json_body={"title": title, "label_config": label_config,
                                                                  **fields})

    def import_tasks(self, project_id: int, tasks: list[dict]) -> dict:
        """``POST /api/projects/<id>/import`` of a JSON list of tasks (with annotations).

        Returns the server's summary (``task_count``, ``annotation_count`` ...); a rejected
        item raises :class:`LabelStudioError` whose message holds ``validation_errors``.
        """
        return self.request("POST", f"/api/projects/{project_id}/import", json_body=tasks)

    def export(self, project_id: int, export_type: str = "JSON", *, download_all_tasks: bool = False,
               **params: Any) -> Any:
        """``GET /api/projects/<id>/export?exportType=...``.

        ``JSON`` and ``JSON_MIN`` come back parsed, ``CSV``, ``TSV`` and the rest as text.
        """
        query = {"exportType": export_type, **params}
        if download_all_tasks:
            query["download_all_tasks"] = "true"
        text = self.request("GET", f"/api/projects/{project_id}/export", params=query, raw=True)
        return json.loads(text) if export_type in ("JSON", "JSON_MIN") else text

    def list_tasks(self, project_id: int, *, fields: str = "all") -> list[dict]:
        """``GET /api/tasks?project=<id>&fields=all``, every page; ``fields=all`` includes annotations."""
        tasks: list[dict] = []
        page = 1
        while True:
            answer = self.request("GET", "/api/tasks", params={"project": project_id, "fields": fields,
                                                               "page": page, "page_size": _PAGE_SIZE})
            tasks += answer["tasks"]
            if not answer["tasks"] or len(tasks) >= answer["total"]:
                return tasks
            page += 1

    def task_annotations(self, task_id: int) -> list[dict]:
        """``GET /api/tasks/<id>/annotations/``."""
        return self.request("GET", f"/api/tasks/{task_id}/annotations/")

    def create_annotation(self, task_id: int, result: list[dict], **fields: Any) -> dict:
        """``POST /api/tasks/<id>/annotations/``; ``completed_by`` is this client's user."""
        return self.request("POST", f"/api/tasks/{task_id}/annotations/", json_body={"result": result, **fields})

    def get_annotation(self, annotation_id: int) -> dict:
        """``GET /api/annotations/<id>/``."""
        return self.request("GET", f"/api/annotations/{annotation_id}/")

    def update_annotation(self, annotation_id: int, **fields: Any) -> dict:
        """``PATCH /api/annotations/<id>/`` (``result=...``, ``ground_truth=...`` ...)."""
        return self.request("PATCH", f"/api/annotations/{annotation_id}/", json_body=fields)


class LabelStudioServer:
    """One Label Studio server from ``.venv-ls``, on 127.0.0.1, with its own data directory.

    Parameters
    ----------
    data_dir : path-like, optional
        A fresh, empty folder for its database, media, secret key and log (``label-studio.log``).
        Without one the server makes a temporary folder and removes it at :meth:`stop`.
    port : int, optional
        Default: a free port.
    ls_bin : path-like
        The ``label-studio`` script (default ``.venv-ls/bin/label-studio``).
    startup_timeout : float
        Seconds to wait for the server to answer.
    use_db_template : bool
        Copy a once-migrated database into ``data_dir`` (making it first when missing) instead
        of letting the start run the migrations (about 30 s against 3.5 s).
    admin_email, admin_password : str
        The admin that the start creates; its legacy token is random.

    Attributes
    ----------
    url : str
        ``http://127.0.0.1:<port>`` once started.
    admin : LabelStudioClient
        Calls as the admin.
    log_path : Path
        The server's stdout and stderr.
    startup_seconds, template_seconds : float
        How long the start took, and the migrations into the template (0 when it existed).

    Examples
    --------
    In a test, use the session fixture ``label_studio`` (``tests/interop/conftest.py``);
    elsewhere::

        with LabelStudioServer() as ls:
            alice = ls.create_user("alice@example.com", first_name="Alice")
            project = ls.create_project("demo", label_config)
            ls.import_tasks(project["id"], [{"data": {"text": "hi"}, "annotations": [
                {"completed_by": alice.id, "result": [...]}]}])
            rows = ls.export(project["id"], "JSON_MIN")
    """

    def __init__(self, data_dir: str | os.PathLike | None = None, *, port: int | None = None,
                 ls_bin: str | os.PathLike = LS_BIN, startup_timeout: float = 300.0,
                 use_db_template: bool = True, admin_email: str = "admin@example.com",
                 admin_password: str | None = None):
        self.ls_bin = Path(ls_bin)
        self._owns_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.port = port
        self.startup_timeout = startup_timeout
        self.use_db_template = use_db_template
        self.admin_email = admin_email
        self.admin_password = admin_password or secrets.token_urlsafe(16)
        self.admin_token = secrets.token_hex(20)
        self.url = ""
        self.admin: LabelStudioClient | None = None
        self.log_path: Path | None = None
        self.startup_seconds = 0.0
        self.template_seconds = 0.0
        self._proc: subprocess.Popen | None = None
        self._log = None
        self._users: dict[str, LabelStudioUser] = {}

    # -- life cycle -----------------------------------------------------------------------
    def __enter__(self) -> "LabelStudioServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _environment(self, data_dir: Path) -> dict[str, str]:
        """The server's whole environment (not ours); writes its settings module into ``data_dir``."""
        data = str(data_dir)
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": data,
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "GIT_DIR": str(data_dir / "no-git-here"),
            "GIT_CEILING_DIRECTORIES": data,
            "LABEL_STUDIO_BASE_DATA_DIR": data,
            "DJANGO_DB": "sqlite",
            "LABEL_STUDIO_USERNAME": self.admin_email,
            "LABEL_STUDIO_PASSWORD": self.admin_password,
            "LABEL_STUDIO_USER_TOKEN": self.admin_token,
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "COLLECT_ANALYTICS": "false",
            "LATEST_VERSION_CHECK": "false",
            "CONVERTER_DOWNLOAD_RESOURCES": "false",
            "FEATURE_FLAGS_OFFLINE": "true",
            "DEBUG": "false",
            "LOG_LEVEL": "INFO",
            "DJANGO_SETTINGS_MODULE": _SETTINGS_MODULE,
            "PYTHONPATH": data,
        }
        (data_dir / f"{_SETTINGS_MODULE}.py").write_text(_SETTINGS.format(socket=str(data_dir / "no-redis.sock")))
        if "TMPDIR" in os.environ:
            env["TMPDIR"] = os.environ["TMPDIR"]
        return env

    def start(self) -> "LabelStudioServer":
        """Start the server and wait until it answers as this harness's admin.

        Raises
        ------
        FileNotFoundError
            When ``ls_bin`` is missing (run ``make label-studio``).
        RuntimeError
            When the server exits or does not answer within ``startup_timeout``; the message
            ends with the tail of its log.
        """
        if self._proc is not None:
            raise RuntimeError(f"Label Studio is already running (pid {self._proc.pid})")
        if not self.ls_bin.exists():
            raise FileNotFoundError(f"{self.ls_bin} is missing (run: make label-studio)")
        if self.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="label-studio-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.use_db_template and not (self.data_dir / "label_studio.sqlite3").exists():
            shutil.copyfile(self._db_template(), self.data_dir / "label_studio.sqlite3")
        self.port = self.port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.data_dir / "label-studio.log"
        self._log = open(self.log_path, "ab")
        command = [str(self.ls_bin), "start", "--internal-host", "127.0.0.1", "--port", str(self.port),
                   "--data-dir", str(self.data_dir), "--no-browser", "--enable-legacy-api-token"]
        began = time.monotonic()
        self._proc = subprocess.Popen(command, cwd=self.data_dir, env=self._environment(self.data_dir),
                                      stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        atexit.register(self.stop)
        try:
            self._wait_until_up(began)
        except BaseException:
            self.stop(keep_data=True)
            raise
        self.startup_seconds = time.monotonic() - began
        self.admin = LabelStudioClient(self.url, token=self.admin_token)
        return self

    def _wait_until_up(self, began: float) -> None:
        opener = urllib.request.build_opener(_NoRedirect())
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"Label Studio exited with code {self._proc.returncode} while starting "
                                   f"(pid {self._proc.pid}); last lines of {self.log_path}:\n{self.log_tail()}")
            if time.monotonic() - began > self.startup_timeout:
                raise RuntimeError(f"Label Studio did not answer on {self.url}/health within "
                                   f"{self.startup_timeout:.0f} s (pid {self._proc.pid}); "
                                   f"last lines of {self.log_path}:\n{self.log_tail()}")
            try:
                health = _call(opener, "GET", f"{self.url}/health", timeout=5)
            except (OSError, http.client.HTTPException):
                health = None
            if health is not None and health.status == 200:
                break
            time.sleep(0.25)
        # `label-studio start` silently moves on to the next port when ours is taken: make sure
        # the server that answers here is ours (it alone knows the random admin token).
        me = _call(opener, "GET", f"{self.url}/api/current-user/whoami", timeout=30,
                   headers={"Authorization": f"Token {self.admin_token}"})
        if me.status != 200 or json.loads(me.body).get("email") != self.admin_email:
            raise RuntimeError(f"the server on {self.url} is not the one started (pid {self._proc.pid}): "
                               f"whoami answered {me.status} {me.body[:300]}; last lines of "
                               f"{self.log_path}:\n{self.log_tail()}")

    def stop(self, *, keep_data: bool = False) -> None:
        """Stop the server: SIGTERM to its process group, SIGKILL after 15 s, and wait for it.

        A data directory that the server made itself is removed unless ``keep_data``.
        """
        atexit.unregister(self.stop)
        proc, self._proc = self._proc, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._owns_dir and not keep_data and self.data_dir is not None and proc is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        """The server's process id (also its process group), while it runs."""
        return self._proc.pid if self._proc is not None else None

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server's log."""
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def _db_template(self) -> Path:
        """A database with every migration applied and nothing else, made once per version."""
        dist = sorted(self.ls_bin.parent.parent.glob("lib/python*/site-packages/label_studio-*.dist-info"))
        version = dist[-1].name.removeprefix("label_studio-").removesuffix(".dist-info") if dist else "unknown"
        template = self.ls_bin.parent.parent / f"ls-db-template-{version}.sqlite3"
        if template.exists():
            return template
        manage = sorted(self.ls_bin.parent.parent.glob("lib/python*/site-packages/label_studio/manage.py"))
        if not manage:
            raise FileNotFoundError(f"label_studio/manage.py not found under {self.ls_bin.parent.parent}")
        scratch = Path(tempfile.mkdtemp(prefix="ls-db-template-", dir=template.parent))
        try:
            began = time.monotonic()
            env = self._environment(scratch)
            log = scratch / "migrate.log"
            with open(log, "wb") as out:
                done = subprocess.run([str(self.ls_bin.parent / "python"), str(manage[-1]), "migrate", "--noinput"],
                                      cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT, timeout=self.startup_timeout * 2)
            if done.returncode != 0:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
                raise RuntimeError(f"migrating the Label Studio template database failed "
                                   f"(code {done.returncode}):\n{tail}")
            os.replace(scratch / "label_studio.sqlite3", template)  # atomic: a parallel run may win
            self.template_seconds = time.monotonic() - began
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        return template

    # -- users ----------------------------------------------------------------------------
    def create_user(self, email: str, username: str | None = None, *, first_name: str = "",
                    last_name: str = "", password: str | None = None) -> LabelStudioUser:
        """Create a member of the organization that tests can act as.

        Uses the organization's invite link (``GET /api/invite``, then the sign-up form), which
        gives the user a password and a session, reads its legacy token from
        ``/api/current-user/token`` and sets its names with ``PATCH /api/users/<id>`` as the
        admin. (``POST /api/users/`` would make a user without a password, whom nobody can act
        as.)
        """
        password = password or secrets.token_urlsafe(16)
        invite = self._admin().request("GET", "/api/invite")["token"]
        session = _Session(self.url)
        path = "/user/signup/?" + urllib.parse.urlencode({"token": invite})
        session.form(path, {"email": email, "password": password})
        user = self._session_user(session, password)
        changes = {"first_name": first_name, "last_name": last_name}
        if username is not None:
            changes["username"] = username
        updated = self._admin().request("PATCH", f"/api/users/{user.id}", json_body=changes)
        user.username, user.first_name, user.last_name = (updated["username"], updated["first_name"],
                                                          updated["last_name"])
        self._users[user.email] = user
        return user

    def login(self, email: str, password: str) -> LabelStudioUser:
        """Log in through ``/user/login/`` and return the user with its token."""
        session = _Session(self.url)
        session.form("/user/login/", {"email": email, "password": password})
        user = self._session_user(session, password)
        self._users[user.email] = user
        return user

    def _session_user(self, session: "_Session", password: str) -> LabelStudioUser:
        me = session.json("GET", "/api/current-user/whoami")
        token = session.json("GET", "/api/current-user/token")["token"]
        return LabelStudioUser(id=me["id"], email=me["email"], username=me["username"],
                               first_name=me["first_name"], last_name=me["last_name"],
                               password=password, token=token)

    def user(self, who: str | LabelStudioUser) -> LabelStudioUser:
        """A user made by :meth:`create_user` or :meth:`login`, by e-mail."""
        if isinstance(who, LabelStudioUser):
            return who
        try:
            return self._users[who.lower()]
        except KeyError:
            raise KeyError(f"{who} was not created or logged in through this harness") from None

    def user_token(self, who: str | LabelStudioUser) -> str:
        """The legacy API token of a user made by :meth:`create_user` (``Authorization: Token ...``)."""
        return self.user(who).token

    def as_user(self, who: str | LabelStudioUser | None) -> LabelStudioClient:
        """A client acting as ``who`` (an e-mail or a user); the admin for ``None``."""
        if who is None:
            return self._admin()
        return LabelStudioClient(self.url, token=self.user_token(who))

    def _admin(self) -> LabelStudioClient:
        if self.admin is None:
            raise RuntimeError("Label Studio is not started")
        return self.admin

    # -- shortcuts, as the admin unless told -----------------------------------------------
    def create_project(self, title: str, label_config: str, **fields: Any) -> dict:
        """See :meth:`LabelStudioClient.create_project`."""
        return self._admin().create_project(title, label_config, **fields)

    def import_tasks(self, project_id: int, tasks: list[dict]) -> dict:
        """See :meth:`LabelStudioClient.import_tasks`."""
        return self._admin().import_tasks(project_id, tasks)

    def export(self, project_id: int, export_type: str = "JSON", **params: Any) -> Any:
        """See :meth:`LabelStudioClient.export`."""
        return self._admin().export(project_id, export_type, **params)

    def list_tasks(self, project_id: int) -> list[dict]:
        """See :meth:`LabelStudioClient.list_tasks`."""
        return self._admin().list_tasks(project_id)

    def create_annotation(self, task_id: int, result: list[dict], *, as_user=None, **fields: Any) -> dict:
        """Annotate a task as ``as_user`` (e-mail or user; the admin by default)."""
        return self.as_user(as_user).create_annotation(task_id, result, **fields)

    def update_annotation(self, annotation_id: int, *, as_user=None, **fields: Any) -> dict:
        """Change an annotation as ``as_user`` (e-mail or user; the admin by default)."""
        return self.as_user(as_user).update_annotation(annotation_id, **fields)


# -- HTTP helpers (standard library only) ------------------------------------------------------
@dataclass
class _Answer:
    status: int
    body: str
    headers: Any


def _call(opener, method: str, url: str, *, json_body: Any = None, data: bytes | None = None,
          headers: dict | None = None, timeout: float = 60) -> _Answer:
    """One request; HTTP error statuses come back as answers, not exceptions."""
    headers = {"Accept": "application/json", **(headers or {})}
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with opener.open(request, timeout=timeout) as response:
            return _Answer(response.status, response.read().decode("utf-8", "replace"), response.headers)
    except urllib.error.HTTPError as error:
        with error:
            return _Answer(error.code, error.read().decode("utf-8", "replace"), error.headers)


class _Session:
    """A browser-like cookie session for Label Studio's sign-up and log-in forms."""

    def __init__(self, base_url: str, timeout: float = 120.0):
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(_NoRedirect(), urllib.request.HTTPCookieProcessor(self.cookies))

    def _cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)

    def form(self, path: str, fields: dict) -> None:
        """GET the form page for its CSRF cookie, then POST ``fields``; it must answer 302."""
        url = self.base_url + path
        page = _call(self.opener, "GET", url, timeout=self.timeout, headers={"Accept": "text/html"})
        csrf = self._cookie("csrftoken")
        if page.status != 200 or csrf is None:
            raise LabelStudioError("GET", url, page.status, page.body[:500] or "(no csrftoken cookie)")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, **fields}).encode()
        answer = _call(self.opener, "POST", url, data=body, timeout=self.timeout,
                       headers={"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded",
                                "Referer": url})
        if answer.status != 302:
            raise LabelStudioError("POST", url, answer.status, _form_errors(answer.body))

    def json(self, method: str, path: str) -> Any:
        url = self.base_url + path
        answer = _call(self.opener, method, url, timeout=self.timeout)
        if answer.status >= 400:
            raise LabelStudioError(method, url, answer.status, answer.body)
        return json.loads(answer.body)


def _form_errors(html: str) -> str:
    """The error lines of a re-rendered Django form (else the page's start)."""
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]+?)\s*<', html)
    errors = [e for e in errors if e.strip()]
    return "form rejected: " + ("; ".join(errors) if errors else html[:500])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


__all__ = ["LS_BIN", "LS_VENV", "LabelStudioClient", "LabelStudioError", "LabelStudioServer",
           "LabelStudioUser", "available"]
