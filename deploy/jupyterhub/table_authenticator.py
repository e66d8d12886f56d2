"""A JupyterHub authenticator over a fixed table of users and scrypt password hashes.

For tests and small trials only: a real team logs in through its own identity provider
(OAuthenticator, LDAPAuthenticator; see docs/deploy.md). The table is a text file with one
``name:hash`` line per user (blank lines and ``#`` comments are skipped); the hash is
``scrypt$<n>$<r>$<p>$<salt hex>$<key hex>`` as written by :func:`hash_password`.

Add a user (the password is read from the terminal, or from standard input when piped)::

    .venv/bin/python deploy/jupyterhub/table_authenticator.py add users.txt alice

The file is read at every login, so users added while the hub runs can log in at once,
but only names that were in the table when the hub started are allowed (``allowed_users``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sys
from pathlib import Path

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The table's hash of ``password`` (scrypt, random 16-byte salt)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    key = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${key.hex()}"


def check_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``, a :func:`hash_password` result."""
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(bytes.fromhex(key)))
    except ValueError:
        return False
    return hmac.compare_digest(got, bytes.fromhex(key))


def read_table(path: str | os.PathLike) -> dict[str, str]:
    """``{name: hash}`` from the table file; a malformed line raises ``ValueError`` naming it."""
    table: dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, stored = line.partition(":")
        if not sep or not NAME.match(name) or not stored.startswith("scrypt$"):
            raise ValueError(f"{path}:{number}: expected 'name:scrypt$...' with a lower-case name, got {line[:40]!r}")
        table[name] = stored
    return table


def add_user(path: str | os.PathLike, name: str, password: str) -> None:
    """Add ``name`` to the table file (or replace its password), creating the file mode 0600."""
    if not NAME.match(name):
        raise ValueError(f"user name {name!r}: use lower-case letters, digits, '.', '_' or '-' (JupyterHub "
                         "lower-cases names at login)")
    if not password:
        raise ValueError("empty password")
    path = Path(path)
    table = read_table(path) if path.exists() else {}
    table[name] = hash_password(password)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("".join(f"{who}:{stored}\n" for who, stored in table.items()))


try:
    from jupyterhub.auth import Authenticator
    from traitlets import Unicode
except ImportError:  # the command-line helper works without jupyterhub
    Authenticator = None

if Authenticator is not None:

    class TableAuthenticator(Authenticator):
        """Users and passwords from a table file (see the module docstring)."""

        users_file = Unicode(config=True, help="Path of the 'name:scrypt-hash' table.")

        async def authenticate(self, handler, data):
            name = self.normalize_username(data.get("username", ""))
            stored = read_table(self.users_file).get(name)
            if stored is not None and check_password(data.get("password", ""), stored):
                return name
            self.log.warning("Failed login for %r", name)
            return None


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "add":
        print("usage: table_authenticator.py add USERS_FILE NAME   (password from the terminal or stdin)",
              file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"password for {argv[2]}: ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    add_user(argv[1], argv[2], password)
    print(f"{argv[1]}: {argv[2]} added")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
