"""Writing a file all at once: it appears under its name only when completely written.

Examples
--------
>>> import tempfile, os
>>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
>>> with atomic_file(target) as tmp:
...     _ = tmp.write_text("done")
>>> open(target).read()
'done'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from ..exceptions import DataError

__all__ = ["atomic_file"]


@contextlib.contextmanager
def atomic_file(path: Any):
    """A temporary file next to ``path``, renamed onto it only when the writing succeeded."""
    target = Path(path)
    if not target.parent.is_dir():
        raise DataError(f"Cannot write {target}: the folder {target.parent} does not exist. Create it first "
                        "(mkdir -p), or give another path.", reason="missing_folder")
    if target.is_dir():
        raise DataError(f"Cannot write {target}: it is a folder. Give a file name, e.g. {target / 'labels.csv'}.",
                        reason="is_a_folder")
    if target.exists() and not target.is_file():  # a device or pipe (/dev/stdout): write to it, never replace it
        try:
            yield target
        except OSError as exc:
            raise DataError(f"Cannot write {target}: {exc.strerror or exc}.", reason="write_failed") from exc
        return
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        raise DataError(f"Cannot write {target}: {exc.strerror or exc}. Nothing was written; check free disk "
                        "space and that the folder is writable.", reason="write_failed") from exc
    finally:
        tmp.unlink(missing_ok=True)
