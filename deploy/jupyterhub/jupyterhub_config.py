"""JupyterHub for Taxonomy Workbench: a team of labelers, one hub user per labeler, one shared store.

Every user server gets the store URL in ``WORKBENCH_DB_URL`` and a copy of ``label.ipynb``
(beside this file) in its home, and opens it; the hub user name (``JUPYTERHUB_USER``) is the
annotator recorded with every label. Start it from the repository root::

    make jupyterhub        # jupyterhub into .venv, configurable-http-proxy into .venv/hub-node
    WORKBENCH_DB_URL=postgresql+psycopg://labeling@db.example.org:5432/labels \\
    WORKBENCH_HUB_USERS=~/labeling-hub/users.txt \\
    .venv/bin/python -m jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

Settings, all environment variables of the hub process:

``WORKBENCH_DB_URL``            (required) the annotation store, e.g.
                                ``postgresql+psycopg://postgres@127.0.0.1:5432/test``; passed to every user server.
``WORKBENCH_ROUND``             the round ``label.ipynb`` opens (default 1); passed to every user server.
``WORKBENCH_HUB_USERS``         the user table of ``table_authenticator.TableAuthenticator`` (``name:scrypt-hash``
                                lines, written by ``table_authenticator.py add``). Its names are the allowed users.
                                Required unless ``WORKBENCH_HUB_EXTRA_CONFIG`` sets another authenticator.
``WORKBENCH_HUB_ADMINS``        comma-separated admin user names (default none).
``WORKBENCH_HUB_IP``            address the proxy listens on (default ``127.0.0.1``: put TLS in front, see docs/deploy.md).
``WORKBENCH_HUB_PORT``          public port of the proxy (default 8000).
``WORKBENCH_HUB_API_PORT``      the hub's own port, on 127.0.0.1 (default 8081).
``WORKBENCH_HUB_PROXY_API_PORT`` the proxy's REST API port, on 127.0.0.1 (default 8001).
``WORKBENCH_HUB_STATE``         folder of the hub's database, cookie secret and proxy pid file
                                (default ``~/.local/state/workbench-hub``; keep it out of the repository).
``WORKBENCH_HUB_HOMES``         folder holding one home folder per user (default ``<state>/homes``).
``WORKBENCH_HUB_PROXY``         the ``configurable-http-proxy`` executable (default: the one ``make jupyterhub``
                                installs in ``.venv/hub-node``, else the one on ``PATH``).
``WORKBENCH_HUB_API_TOKEN``     optional: the token of a service ``workbench-monitor`` that may read users and servers
                                (for monitoring scripts and the tests); unset, there is no such service.
``WORKBENCH_HUB_EXTRA_CONFIG``  optional: a Python config file loaded last, to swap in a real authenticator or spawner
                                without editing this file (see docs/deploy.md).

The spawner is ``SimpleLocalProcessSpawner``: user servers run as the hub's own OS user with a home
folder each, and no isolation between them. That is fine for a trial on one machine; for a team,
use a spawner with real isolation (docs/deploy.md).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))

from table_authenticator import TableAuthenticator, read_table  # noqa: E402

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file


def setting(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


DB_URL = setting("WORKBENCH_DB_URL")
if not DB_URL:
    sys.exit("jupyterhub_config.py: set WORKBENCH_DB_URL to the annotation store's URL "
             "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
_xdg_state = Path(setting("XDG_STATE_HOME", str(Path.home() / ".local" / "state")))
STATE = Path(setting("WORKBENCH_HUB_STATE", str(_xdg_state / "workbench-hub"))).expanduser().resolve()
HOMES = Path(setting("WORKBENCH_HUB_HOMES", str(STATE / "homes"))).expanduser().resolve()
STATE.mkdir(parents=True, exist_ok=True, mode=0o700)
HOMES.mkdir(parents=True, exist_ok=True)

# --- network: the proxy is the only public port; hub and proxy API stay on loopback -------------
c.JupyterHub.bind_url = f"http://{setting('WORKBENCH_HUB_IP', '127.0.0.1')}:{int(setting('WORKBENCH_HUB_PORT', '8000'))}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{int(setting('WORKBENCH_HUB_API_PORT', '8081'))}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(setting('WORKBENCH_HUB_PROXY_API_PORT', '8001'))}"
_local_proxy = REPO / ".venv" / "hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [setting("WORKBENCH_HUB_PROXY",
                                           str(_local_proxy) if _local_proxy.exists() else "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# --- the hub's own state (users, tokens): SQLite in the state folder ------------------------------
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops the user servers
c.JupyterHub.cleanup_proxy = True

# --- who may log in -------------------------------------------------------------------------------
USERS = setting("WORKBENCH_HUB_USERS")
if not USERS and not setting("WORKBENCH_HUB_EXTRA_CONFIG"):
    sys.exit("jupyterhub_config.py: set WORKBENCH_HUB_USERS to a user table (table_authenticator.py add ...) "
             "or WORKBENCH_HUB_EXTRA_CONFIG to a config file that sets a real authenticator")
if USERS:
    USERS = str(Path(USERS).expanduser().resolve())
    c.JupyterHub.authenticator_class = TableAuthenticator
    c.TableAuthenticator.users_file = USERS
    c.Authenticator.allowed_users = set(read_table(USERS))
c.Authenticator.admin_users = {n.strip() for n in (setting("WORKBENCH_HUB_ADMINS") or "").split(",") if n.strip()}

_token = setting("WORKBENCH_HUB_API_TOKEN")
if _token:
    c.JupyterHub.services = [{"name": "workbench-monitor", "api_token": _token}]
    c.JupyterHub.load_roles = [{"name": "workbench-monitor", "services": ["workbench-monitor"],
                                "scopes": ["list:users", "read:users", "read:servers"]}]

# --- user servers: one home each, the store URL, the labeling notebook ---------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
# the single-user server runs on this Python, where `import workbench` works
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--allow-root"] if os.geteuid() == 0 else []
c.Spawner.default_url = "/lab/tree/label.ipynb"
c.Spawner.environment = {"WORKBENCH_DB_URL": DB_URL, "WORKBENCH_ROUND": setting("WORKBENCH_ROUND", "1")}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90

NOTEBOOK = HERE / "label.ipynb"
QUIET_LAB = {"@jupyterlab/apputils-extension/notification.jupyterlab-settings":
             {"fetchNews": "false", "checkForUpdates": False}}


def _home(spawner):
    """(home folder, (uid, gid) to own new files or None) of the user being spawned; (None, None) if unknown."""
    if getattr(spawner, "home_dir", ""):  # SimpleLocalProcessSpawner
        return Path(spawner.home_dir), None
    try:  # LocalProcessSpawner and the like: a system user
        import pwd

        pw = pwd.getpwnam(spawner.user.name)
    except (ImportError, KeyError):
        return None, None  # e.g. a container spawner: put label.ipynb into the image instead
    return Path(pw.pw_dir), (pw.pw_uid, pw.pw_gid)


def prepare_home(spawner) -> None:
    """Give the user a copy of label.ipynb (never over their own) and a Lab that asks no news question."""
    home, owner = _home(spawner)
    if home is None:
        return
    created = []
    if not home.exists():
        home.mkdir(parents=True)
        created.append(home)
    target = home / NOTEBOOK.name
    if not target.exists():
        shutil.copyfile(NOTEBOOK, target)
        created.append(target)
    settings = home / ".jupyter" / "lab" / "user-settings"
    for rel, value in QUIET_LAB.items():
        path = settings / rel
        if not path.exists():
            for parent in reversed(path.relative_to(home).parents[:-1]):
                if not (home / parent).exists():
                    (home / parent).mkdir()
                    created.append(home / parent)
            path.write_text(json.dumps(value))
            created.append(path)
    if owner is not None:
        for path in created:
            os.chown(path, *owner)


c.Spawner.pre_spawn_hook = prepare_home

_extra = setting("WORKBENCH_HUB_EXTRA_CONFIG")
if _extra:
    load_subconfig(str(Path(_extra).expanduser().resolve()))  # noqa: F821 - provided by JupyterHub
