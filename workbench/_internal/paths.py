"""File names built from data (a taxonomy name, a round name, an annotator) and kept in their folder.

A taxonomy called ``"../../x"`` or ``"a/b"`` must neither write outside the output folder nor
make the write fail. :func:`safe_filename` turns any text into one plain file name;
:func:`path_inside` joins it to a folder and refuses anything that resolves elsewhere (a
symbolic link pointing out, a name someone built without :func:`safe_filename`).

Examples
--------
>>> from workbench._internal.paths import safe_filename
>>> safe_filename("../../x", "-v2-draft.yaml")
'x-v2-draft.yaml'
>>> safe_filename("support intents / EU", ".yaml")
'support-intents-EU.yaml'
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, Union

from ..exceptions import DataError, ValidationError

__all__ = ["safe_filename", "path_inside", "MAX_STEM_CHARS"]

#: Longest stem :func:`safe_filename` returns (characters; also at most 150 bytes of UTF-8).
MAX_STEM_CHARS = 100
_MAX_STEM_BYTES = 150
_UNSAFE = re.compile(r"[^\w.\-]+")  # \w: Unicode letters and digits, and "_"
_SUFFIX = re.compile(r"[\w.\-]*")
_DOTS_DASHES = re.compile(r"[.\-]{2,}")  # "a..b", "x-..-y", "a--b": one "-"
# Names Windows refuses whatever the extension ("CON.yaml", "com1.txt").
_RESERVED = re.compile(r"(?i)^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$")


def safe_filename(stem: Any, suffix: str = "", *, fallback: str = "untitled") -> str:
    """A file name made from untrusted text: no folder part, no surprise, never empty.

    The stem is NFKC-normalised (full-width ``／`` becomes ``/``), keeps Unicode letters and
    digits and ``- _ .``, and every other run of characters (slashes, spaces, quotes, control
    and bidi characters, ...) becomes one ``-``, as does a run of several dots and dashes.
    Leading dots and dashes (hidden files, ``..``, option-like names) and trailing dots,
    dashes and spaces are stripped; the stem is cut at :data:`MAX_STEM_CHARS` characters (and 150 UTF-8 bytes); an empty stem
    becomes ``fallback``; a name Windows reserves (``CON``, ``NUL``, ``COM1``, ...) gets a
    trailing ``_``.

    Parameters
    ----------
    stem : Any
        The data-derived part, e.g. a taxonomy name (``str`` of it; ``None`` is empty).
    suffix : str, default ""
        Appended unchanged, e.g. ``"-v2-draft.yaml"``. Written by the caller, not by data: only
        letters, digits, ``- _ .`` are allowed.
    fallback : str, default "untitled"
        The stem used when nothing of ``stem`` survives.

    Returns
    -------
    str

    Raises
    ------
    ValidationError
        ``suffix`` or ``fallback`` contains a character other than letters, digits, ``- _ .``.

    Examples
    --------
    >>> safe_filename("..", ".yaml"), safe_filename("", ".yaml"), safe_filename(None)
    ('untitled.yaml', 'untitled.yaml', 'untitled')
    >>> safe_filename("Intents — Übersicht v2", ".yaml")
    'Intents-Übersicht-v2.yaml'
    >>> safe_filename("CON", ".yaml"), safe_filename(".hidden")
    ('CON_.yaml', 'hidden')
    >>> len(safe_filename("x" * 500, ".yaml"))
    105
    """
    if not _SUFFIX.fullmatch(suffix):
        raise ValidationError(f"The 'suffix' parameter of safe_filename may only hold letters, digits, '-', '_' "
                              f"and '.'. Got {suffix!r} instead.")
    if not fallback or not _SUFFIX.fullmatch(fallback) or fallback.strip(".-") != fallback:
        raise ValidationError(f"The 'fallback' parameter of safe_filename must be a plain file name stem. "
                              f"Got {fallback!r} instead.")
    text = unicodedata.normalize("NFKC", "" if stem is None else str(stem))
    text = _DOTS_DASHES.sub("-", _UNSAFE.sub("-", text)).lstrip(".-")
    text = text[:MAX_STEM_CHARS]
    while len(text.encode("utf-8")) > _MAX_STEM_BYTES:
        text = text[:-1]
    text = text.rstrip(".- ") or fallback
    if _RESERVED.match((text + suffix).split(".", 1)[0]):
        text = text.split(".", 1)[0] + "_" + text[len(text.split(".", 1)[0]):]
    return text + suffix


def path_inside(folder: Union[str, Path], filename: Union[str, Path]) -> Path:
    """``folder / filename``, resolved, and refused unless it lies inside ``folder``.

    Parameters
    ----------
    folder : path-like
        The folder the file must stay in (need not exist yet).
    filename : path-like
        A name inside it, normally from :func:`safe_filename`.

    Returns
    -------
    pathlib.Path
        The resolved path (symbolic links followed).

    Raises
    ------
    DataError
        The path resolves to ``folder`` itself or outside it (``..``, an absolute name, a
        symbolic link out).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path_inside(tmp, "x-v2-draft.yaml").name
    'x-v2-draft.yaml'
    >>> path_inside("/tmp/out", "../../etc/passwd")
    Traceback (most recent call last):
    ...
    workbench.exceptions.DataError: The file name '../../etc/passwd' resolves to /etc/passwd, outside the folder /tmp/out; ...
    """
    base = Path(folder).expanduser().resolve()
    target = (base / Path(filename)).resolve()
    if target == base or not target.is_relative_to(base):
        raise DataError(f"The file name {str(filename)!r} resolves to {target}, outside the folder {base}; "
                        "build file names from data with safe_filename().", reason="path_outside_folder")
    return target
