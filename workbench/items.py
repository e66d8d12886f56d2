"""Reading item pools (csv, jsonl, parquet, DataFrame) with stable ids, and PII masking.

:func:`read_items` returns one row per item: ``item_id`` (str; from the id column, or
``sha1(text)[:12]`` so the same text always gets the same id), ``text``, and every other
column as metadata. :func:`mask_pii` hides emails, phone numbers, card numbers (Luhn
checked), IBANs (mod-97 checked) and IP addresses when items are shown.

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
import ipaddress
import re
from pathlib import Path
from typing import Any, Optional

import pandas as pd

from ._internal.optional import import_optional
from ._internal.validation import check_columns, check_option, drop_repeated_ids
from .exceptions import DataError

__all__ = ["read_items", "mask_pii", "item_id_for"]

_FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
            ".parquet": "parquet", ".pq": "parquet"}


def item_id_for(text: str) -> str:
    """The stable id of an item without one: the first 12 hex digits of ``sha1(text)``.

    Examples
    --------
    >>> item_id_for("hello")
    'aaf4c61ddcc5'
    """
    return hashlib.sha1(str(text).encode("utf-8")).hexdigest()[:12]


def _read_file(path: Path, fmt: str) -> pd.DataFrame:
    if fmt in ("csv", "tsv"):  # only empty cells are missing: a message "NA" stays text
        return pd.read_csv(path, sep="," if fmt == "csv" else "\t", keep_default_na=False, na_values=[""],
                           dtype=str)
    if fmt in ("jsonl", "json"):
        try:
            return pd.read_json(path, lines=fmt == "jsonl", dtype=False, convert_dates=False)
        except ValueError as exc:
            raise DataError(f"Cannot read {path} as {fmt.upper()} ({exc}). JSON Lines files need one object per "
                            "line; pass format='json' for one JSON array.", reason="bad_file") from exc
    import_optional("pyarrow", needed_for=f"Reading {path}", install="pyarrow>=20")  # the real import error
    return pd.read_parquet(path)


def read_items(source: Any, *, id_col: Optional[str] = None, text_col: str = "text",
               format: Optional[str] = None, dataset: Optional[str] = None) -> pd.DataFrame:
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

    Returns
    -------
    pandas.DataFrame
        ``item_id`` (str), ``text`` (str), then the other columns. Rows repeating an
        earlier (id, text) pair are dropped with a :class:`~workbench.exceptions.WorkbenchWarning`;
        their ids are listed in ``df.attrs["duplicated"]``.

    Raises
    ------
    DataError
        A missing column (the message lists the columns present), a row without text or
        id, or one id used for two different texts.

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
        df, where = source, "DataFrame"
    else:
        path = Path(source)
        fmt = format or _FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise DataError(f"Cannot tell the format of {path} from its suffix {path.suffix!r}. Pass format= "
                            f"one of {sorted(set(_FORMATS.values()))}.", reason="unknown_format")
        check_option(fmt, set(_FORMATS.values()), param="format", caller="read_items")
        if not path.is_file():
            raise DataError(f"The items file {path} does not exist. Check the path (relative paths start at "
                            f"{Path.cwd()}).", reason="missing_file")
        df, where = _read_file(path, fmt), str(path)
    hint = "Pass text_col= (and id_col=) naming the right columns."
    check_columns(df, [text_col] + ([id_col] if id_col else []), what=f"read_items({where})", hint=hint)
    text = df[text_col]
    if text.isna().any():
        rows = df.index[text.isna()].tolist()
        raise DataError(f"read_items({where}): {len(rows)} row(s) have no text in column {text_col!r} "
                        f"(rows {rows[:10]}). Drop or fill them first.", failure_cases=df[text.isna()],
                        reason="missing_text")
    text = text.astype(str)
    use_id = id_col or ("item_id" if "item_id" in df.columns else None)
    if use_id:
        ids = df[use_id]
        if ids.isna().any():
            rows = df.index[ids.isna()].tolist()
            raise DataError(f"read_items({where}): {len(rows)} row(s) have no id in column {use_id!r} "
                            f"(rows {rows[:10]}). Fill them, or pass id_col=None to hash the text.",
                            failure_cases=df[ids.isna()], reason="missing_id")
        ids = ids.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    else:
        ids = text.map(item_id_for)
    out = pd.DataFrame({"item_id": ids.to_numpy(), "text": text.to_numpy()}, index=df.index)
    rest = [c for c in df.columns if c not in (text_col, use_id, "item_id", "text")]
    out = pd.concat([out, df[rest]], axis=1).reset_index(drop=True)
    if dataset is not None:
        out["dataset"] = str(dataset)
    return _dedupe(out, where)


def _dedupe(out: pd.DataFrame, where: str) -> pd.DataFrame:
    kept, repeated = drop_repeated_ids(out, compare="text", caller=f"read_items({where})", stacklevel=4,
                                       fix="Ids must be unique per text: fix the id column, or pass id_col=None "
                                           "to hash the text.")
    kept = kept.reset_index(drop=True)
    kept.attrs["duplicated"] = repeated
    return kept


# ----------------------------------------------------------------------------- PII masking
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_IPV4 = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:])")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d ().-]{5,}\d(?!\w)")
_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(text: str) -> bool:
    s = text.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _ipv6_ok(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


def _card(m: re.Match) -> str:
    digits = re.sub(r"\D", "", m.group())
    return "[card]" if 13 <= len(digits) <= 19 and _luhn(digits) else m.group()


def _phone(m: re.Match) -> str:
    s = m.group()
    digits = re.sub(r"\D", "", s)
    if not 7 <= len(digits) <= 15 or _DATE.match(s.strip()):
        return s
    return "[phone]"


def mask_pii(text: Any) -> Any:
    """Replace emails, IBANs, card numbers, IP addresses and phone numbers with tokens.

    Tokens: ``[email]``, ``[iban]``, ``[card]`` (only Luhn-valid numbers), ``[ip]``,
    ``[phone]`` (7 to 15 digits, dates excluded). Meant for display; not a guarantee
    that no personal data remains. Non-strings (``None``, NaN) are returned unchanged.

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
    out = _EMAIL.sub("[email]", text)
    out = _IBAN.sub(lambda m: "[iban]" if _iban_ok(m.group()) else m.group(), out)
    out = _CARD.sub(_card, out)
    out = _IPV4.sub("[ip]", out)
    out = _IPV6.sub(lambda m: "[ip]" if _ipv6_ok(m.group()) else m.group(), out)
    return _PHONE.sub(_phone, out)
