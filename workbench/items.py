"""Reading item pools (csv, jsonl, parquet, DataFrame) with stable ids, and PII masking.

:func:`read_items` returns one row per item: ``item_id`` (str; from the id column, or
``sha1(text)[:12]`` so the same text always gets the same id), ``text``, and every other
column as metadata. :func:`mask_pii` hides emails, phone numbers, card numbers (Luhn
checked), IBANs (mod-97 checked) and IP addresses when items are shown, in time linear in
the text. A file that cannot be read raises one :class:`~workbench.exceptions.DataError`
naming the file, the line and column, and the fix (its ``reason`` says which problem).

Examples
--------
>>> import pandas as pd
>>> df = read_items(pd.DataFrame({"text": ["Where is my refund?"], "channel": ["chat"]}))
>>> df.columns.tolist(), df.item_id[0]
(['item_id', 'text', 'channel'], '2ca4cd569463')
>>> mask_pii("Mail me at ana@example.org or call +49 30 1234567")
'Mail me at [email] or call [phone]'
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Optional

import pandas as pd

from ._internal.readers import format_of, read_table, row_lines
from ._internal.validation import check_columns, drop_repeated_ids, shown
from .exceptions import DataError

__all__ = ["read_items", "mask_pii", "item_id_for"]


def item_id_for(text: str) -> str:
    """The stable id of an item without one: the first 12 hex digits of ``sha1(text)``.

    Examples
    --------
    >>> item_id_for("hello")
    'aaf4c61ddcc5'
    """
    return hashlib.sha1(str(text).encode("utf-8")).hexdigest()[:12]


def read_items(source: Any, *, id_col: Optional[str] = None, text_col: str = "text",
               format: Optional[str] = None, dataset: Optional[str] = None, encoding: str = "utf-8") -> pd.DataFrame:
    """Read an item pool into a DataFrame ``item_id, text`` + metadata columns.

    Parameters
    ----------
    source : str, path-like or pandas.DataFrame
        A ``.csv``, ``.tsv``, ``.jsonl`` / ``.ndjson``, ``.json`` or ``.parquet`` file, or a frame
        (not modified).
    id_col : str, optional
        Column holding the item ids. Default: an ``item_id`` column if there is one, else
        ``sha1(text)[:12]``.
    text_col : str, default='text'
        Column holding the text (or payload) shown to annotators.
    format : {'csv', 'tsv', 'jsonl', 'json', 'parquet'}, optional
        File format; default from the file suffix.
    dataset : str, optional
        Adds a ``dataset`` column with this value.
    encoding : str, default='utf-8'
        Text encoding of a CSV, TSV, JSONL or JSON file (a UTF-8 byte-order mark is accepted),
        e.g. ``'cp1252'`` for a file saved by an older Excel.

    Returns
    -------
    pandas.DataFrame
        ``item_id`` (str), ``text`` (str), then the other columns. Rows repeating an
        earlier (id, text) pair are dropped with a :class:`~workbench.exceptions.WorkbenchWarning`;
        their ids are listed in ``df.attrs["duplicated"]``.

    Raises
    ------
    DataError
        A file that cannot be read (empty, binary, not in ``encoding``, a NUL character, a
        CSV row with more fields than the header or an unclosed quote, a JSON line that is
        not an object, a corrupt Parquet file), a missing column (the message lists the
        columns present), a row without text or id, or one id used for two different texts.
        The message names the file, line and column, and the fix; ``reason`` tells them apart.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"id": [7, 8], "body": ["a", "b"]})
    >>> read_items(raw, id_col="id", text_col="body")
      item_id text
    0       7    a
    1       8    b
    >>> read_items(raw, text_col="message")
    Traceback (most recent call last):
    ...
    workbench.exceptions.DataError: read_items(DataFrame) must have the column(s) ['message']; the columns present are ['id', 'body']. Pass text_col= (and id_col=) naming the right columns.
    """
    if isinstance(source, pd.DataFrame):
        df, where, located = source, "DataFrame", None
    else:
        path = Path(source)
        fmt = format_of(path, format, caller="read_items")
        if not path.is_file():
            raise DataError(f"The items file {path} does not exist. Check the path (relative paths start at "
                            f"{Path.cwd()}).", reason="missing_file")
        df = read_table(path, format=fmt, encoding=encoding, caller="read_items")
        where, located = str(path), (path, fmt, encoding)
    hint = "Pass text_col= (and id_col=) naming the right columns."
    check_columns(df, [text_col] + ([id_col] if id_col else []), what=f"read_items({where})", hint=hint)
    text = df[text_col]
    if text.isna().any():
        rows = _rows_named(text.isna().to_numpy().nonzero()[0], df, located)
        raise DataError(f"read_items({where}): {int(text.isna().sum())} row(s) have no text in column {text_col!r} "
                        f"({rows}). Drop or fill them first.", failure_cases=df[text.isna()], reason="missing_text")
    text = text.astype(str)
    use_id = id_col or ("item_id" if "item_id" in df.columns else None)
    if use_id:
        ids = df[use_id]
        if ids.isna().any():
            rows = _rows_named(ids.isna().to_numpy().nonzero()[0], df, located)
            raise DataError(f"read_items({where}): {int(ids.isna().sum())} row(s) have no id in column {use_id!r} "
                            f"({rows}). Fill them, or pass id_col=None to hash the text.",
                            failure_cases=df[ids.isna()], reason="missing_id")
        ids = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    else:
        ids = text.map(item_id_for)
    out = pd.DataFrame({"item_id": ids.to_numpy(), "text": text.to_numpy()}, index=df.index)
    rest = [c for c in df.columns if c not in (text_col, use_id, "item_id", "text")]
    out = pd.concat([out, df[rest]], axis=1).reset_index(drop=True)
    if dataset is not None:
        out["dataset"] = str(dataset)
    return _dedupe(out, where, lambda positions: _rows_named(positions, df, located))


def _rows_named(positions: Any, df: pd.DataFrame, located: Optional[tuple]) -> str:
    """Where rows are, for messages: their lines in a CSV/TSV/JSONL file, else the frame's index labels."""
    lines = row_lines(*located, len(df)) if located else None
    if lines:
        return f"lines {shown([lines[i] for i in positions])}"
    return f"rows {shown(df.index[list(positions)].tolist())}"


def _dedupe(out: pd.DataFrame, where: str, rows_named) -> pd.DataFrame:
    fix = "Ids must be unique per text: fix the id column, or pass id_col=None to hash the text."
    try:
        kept, repeated = drop_repeated_ids(out, compare="text", caller=f"read_items({where})", stacklevel=4, fix=fix)
    except DataError as exc:  # say where the clashing rows are
        if exc.reason != "duplicate_id":
            raise
        groups = exc.failure_cases.groupby("item_id").groups
        places = "; ".join(f"{item_id!r} on {rows_named(rows)}" for item_id, rows in list(groups.items())[:5])
        raise DataError(f"read_items({where}): item id(s) {shown(list(groups))} are used for different texts "
                        f"({places}). {fix}", failure_cases=exc.failure_cases, reason="duplicate_id") from None
    kept = kept.reset_index(drop=True)
    kept.attrs["duplicated"] = repeated
    return kept


# ----------------------------------------------------------------------------- PII masking
# Each pattern starts with a character class, so the regex engine skips ahead in C to where a
# match can start; the "not preceded by" checks come after that first character as fixed-width
# lookbehinds (``X(?<!Y X)`` is ``(?<!Y)X``). Every repetition is bounded, possessive, or cannot
# restart inside a run it already failed on, so masking takes time linear in the text.
_LOCAL = r"[A-Za-z0-9._%+-]"  # a character of the part before the @
_AT_DOMAIN = r"@[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)*\.[A-Za-z]{2,}"
_EMAIL = re.compile(rf"{_LOCAL}(?<!{_LOCAL}{_LOCAL}){_LOCAL}*+{_AT_DOMAIN}")  # starts where a run starts
_EMAIL_HERE = re.compile(rf"{_LOCAL}++{_AT_DOMAIN}")  # right after a match, which can end inside a run
_IBAN = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]){11,30}(?!\w)")
_CARD = re.compile(r"\d(?<![\d-]\d)(?=[\d -]{12})(?:[ -]?\d){12,18}(?![\d-])")  # (?=...): a cheap first test
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_OCTET_REST = r"(?:(?<=[1-9])\d(?:(?<=1\d)\d|(?<=2[0-4])\d|(?<=25)[0-5])?)?"  # after its first digit
_IPV4 = re.compile(rf"\d(?<![\d.]\d)(?=\d{{0,2}}\.){_OCTET_REST}\.(?:{_OCTET}\.){{2}}{_OCTET}(?![\d.])")
# A whole run of hex digits and colons that ipaddress accepts as IPv6, with at most 8 groups:
# 8 groups, or L groups before "::" and R after with L + R <= 7 (L, R <= 6).
_H = "[0-9A-Fa-f]{1,4}"
_AFTER_FIRST_COLON = "|".join([f"{_H}(?::{_H}){{6}}", f":(?:{_H}(?::{_H}){{0,5}})?"]
                              + [f"{_H}(?::{_H}){{{left - 2}}}::(?:{_H}(?::{_H}){{0,{6 - left}}})?"
                                 for left in range(2, 7)])
_IPV6 = re.compile(rf"[0-9A-Fa-f:](?<![0-9A-Fa-f:]{{2}})(?:(?<=:):(?:{_H}(?::{_H}){{0,5}})?"  # "::" first, or
                   rf"|(?<=[0-9A-Fa-f])[0-9A-Fa-f]{{0,3}}:(?=[0-9A-Fa-f]{{0,4}}:)(?:{_AFTER_FIRST_COLON}))"
                   r"(?![0-9A-Fa-f:])")
_PHONE = re.compile(r"[+\d](?<![\w+][+\d])(?:(?<=\+)\d|(?<=\d))[\d ().-]{5,}\d(?!\w)")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_LUHN_DOUBLED = str.maketrans("0123456789", "0246813579")  # 2d with its digits summed
_IBAN_LETTERS = str.maketrans({chr(65 + i): str(10 + i) for i in range(26)})  # A=10 ... Z=35


def _luhn(digits: str) -> bool:
    if not digits.isascii():  # other Unicode decimal digits
        digits = "".join(str(int(ch)) for ch in digits)
    kept, doubled = digits[-1::-2], digits[-2::-2].translate(_LUHN_DOUBLED)
    return (sum(kept.encode()) + sum(doubled.encode()) - 48 * len(digits)) % 10 == 0


def _iban(m: re.Match) -> str:
    compact = m.group().replace(" ", "")
    ok = 15 <= len(compact) <= 34 and int((compact[4:] + compact[:4]).translate(_IBAN_LETTERS)) % 97 == 1
    return "[iban]" if ok else m.group()


def _card(m: re.Match) -> str:
    digits = m.group().replace(" ", "").replace("-", "")  # (str.replace is faster than translate)
    return "[card]" if _luhn(digits) else m.group()  # the pattern allows 13 to 19 digits


def _phone(m: re.Match) -> str:
    s = m.group()
    digits = s.replace(" ", "").replace("-", "").replace(".", "").replace("(", "").replace(")", "").replace("+", "")
    return "[phone]" if 7 <= len(digits) <= 15 and not _DATE.match(s) else s


def _mask_emails(text: str) -> str:
    # The matches of re.sub with "[local]+@domain", without retrying each position inside a
    # run of local characters that has no valid "@domain" after it.
    if "@" not in text:
        return text
    parts, pos = [], 0
    match = _EMAIL.search(text)
    while match:
        parts += [text[pos:match.start()], "[email]"]
        pos = match.end()
        match = _EMAIL_HERE.match(text, pos) or _EMAIL.search(text, pos)
    parts.append(text[pos:])
    return "".join(parts)


def mask_pii(text: Any) -> Any:
    """Replace emails, IBANs, card numbers, IP addresses and phone numbers with tokens.

    Tokens: ``[email]``, ``[iban]`` (only mod-97-valid), ``[card]`` (only Luhn-valid),
    ``[ip]``, ``[phone]`` (7 to 15 digits, dates excluded). Meant for display; not a
    guarantee that no personal data remains. Non-strings (``None``, NaN) are returned
    unchanged. Takes time linear in the length of the text.

    Examples
    --------
    >>> mask_pii("card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00")
    'card [card], IBAN [iban]'
    >>> mask_pii("from 192.168.0.1 and 2001:db8::1, order 4111 1111 1111 1112")
    'from [ip] and [ip], order 4111 1111 1111 1112'
    >>> mask_pii("call 030-1234567 before 2024-05-01")
    'call [phone] before 2024-05-01'
    """
    if not isinstance(text, str):
        return text
    out = _mask_emails(text)
    out = _IBAN.sub(_iban, out)
    out = _CARD.sub(_card, out)
    if out.count(".") >= 3:  # (skips a pass that cannot match)
        out = _IPV4.sub("[ip]", out)
    if out.count(":") >= 2:
        out = _IPV6.sub("[ip]", out)
    return _PHONE.sub(_phone, out)
