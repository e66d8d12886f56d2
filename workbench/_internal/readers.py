"""Strict readers of table files (CSV, TSV, JSON Lines, JSON, Parquet): one clear error per problem.

:func:`read_table` reads the bytes itself, recognises binary files, decodes strictly, refuses
NUL characters, then parses. Every problem is one :class:`~workbench.exceptions.DataError`
naming the file, the line and column as a text editor counts them, and the fix; its
``reason`` says which problem it is (``too_many_fields``, ``bad_encoding``, ``nul_byte`` ...).
Used for item pools (:func:`workbench.items.read_items`) and annotation files.

Examples
--------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "items.csv")
>>> _ = open(path, "w").write("id,text\\n1,fine\\n2,Hello, world\\n")
>>> read_table(path)
Traceback (most recent call last):
...
workbench.exceptions.DataError: ...items.csv line 3 has 3 fields but the header has 2, so its values would land in the wrong columns; ...
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from pathlib import Path
from typing import Any, Optional, Tuple

import pandas as pd

from .optional import import_optional
from .validation import check_option
from ..exceptions import DataError, ValidationError

__all__ = ["read_table", "read_file", "row_lines", "FORMATS", "format_of"]

FORMATS = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
            ".parquet": "parquet", ".pq": "parquet"}

# Every unreadable file raises one DataError saying where (line and column as a text editor
# counts them) and how to fix it. Text files are decoded here, strictly, then parsed from the text.
_SIGNATURES = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
               b"%PDF": "a PDF document", b"PK\x03\x04": "a ZIP archive (an Excel .xlsx workbook is one)",
               b"\x1f\x8b": "a gzip archive", b"PAR1": "a Parquet file (pass format='parquet')"}
_LAYOUTS = {"csv": "a header line naming the columns (e.g. text), then one item per line",
            "tsv": "a header line naming the columns (e.g. text), then one item per line, tab-separated",
            "jsonl": 'one JSON object per line, e.g. {"text": "Where is my refund?"}',
            "json": 'one JSON array of objects, e.g. [{"text": "Where is my refund?"}]',
            "parquet": "a table written by DataFrame.to_parquet(path)"}
_JSON_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null"}


def _empty(path: Path, fmt: str, size: int) -> DataError:
    what = "0 bytes" if size == 0 else "only whitespace"
    return DataError(f"{path} is empty ({what}). Write the items into it: {_LAYOUTS[fmt]}.", reason="empty_file")


def _line_col(text: str, pos: int) -> Tuple[int, int]:
    """The 1-based line and column of character ``pos``, as a text editor counts them.

    Examples
    --------
    >>> _line_col("id,text\\n1,caf\\u00e9", 13)
    (2, 6)
    """
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def _line_start(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
    return pos


def _decode_error(path: Path, data: bytes, exc: UnicodeDecodeError, codec: str, encoding: str) -> DataError:
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return DataError(f"{path} is UTF-16 text (it starts with a UTF-16 byte-order mark), not {encoding}. Pass "
                         "encoding='utf-16', or re-save the file as UTF-8.", reason="bad_encoding")
    nul = data.find(b"\0")
    if 0 <= nul < 8192:
        nul_line = data.count(b"\n", 0, nul) + 1
        return DataError(f"{path} is not a text file: it has NUL bytes (the first on line {nul_line}) and bytes "
                         f"that are not valid {encoding}. Export the items as CSV, TSV, JSON Lines, JSON or Parquet "
                         "and read that file (if it is UTF-16 text, pass encoding='utf-16').", reason="binary_file")
    at = exc.start + (3 if codec == "utf-8-sig" and data.startswith(codecs.BOM_UTF8) else 0)  # BOM skipped
    start, end, line = data.rfind(b"\n", 0, at) + 1, data.find(b"\n", at), data.count(b"\n", 0, at) + 1
    column = len(data[start:at].decode(codec, errors="replace")) + 1
    fix = ("Re-save the file as UTF-8 (in Excel: Save As 'CSV UTF-8'), or pass encoding= naming the encoding it was "
           "saved in (often encoding='cp1252' or 'latin-1')." if codec == "utf-8-sig" else
           "Pass encoding= naming the encoding it was saved in.")
    return DataError(f"{path} is not valid {encoding} text: line {line}, column {column} has "
                     f"the byte {' '.join(f'0x{b:02x}' for b in data[at:at + exc.end - exc.start])} ({exc.reason}); "
                     f"the line reads {data[start:end if end >= 0 else None][:80]!r}. {fix}", reason="bad_encoding")


def _read_text(path: Path, fmt: str, encoding: str) -> Tuple[str, Optional[bytes]]:
    """The text of a file, checked; and its bytes too if they are UTF-8 (pandas parses bytes faster)."""
    data = path.read_bytes()
    kind = next((name for magic, name in _SIGNATURES.items() if data.startswith(magic)), None)
    if kind:
        raise DataError(f"{path} is not a {fmt.upper()} text file: it starts like {kind}. Export the items as CSV, "
                        "TSV, JSON Lines, JSON or Parquet and read that file.", reason="binary_file")
    codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding  # a UTF-8 BOM is fine
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, data, exc, codec, encoding) from None
    if not text or text.isspace():
        raise _empty(path, fmt, len(data))
    nul = text.find("\0")
    if nul >= 0:
        line, column = _line_col(text, nul)
        raise DataError(f"{path} line {line}, column {column}: a NUL character (byte 0x00), which text files do not "
                        "contain (the text after it would be cut off). If the file is UTF-16 text (e.g. Excel's "
                        "'Unicode Text'), pass encoding='utf-16'; otherwise remove the NUL bytes (tr -d '\\000' < in > "
                        "out) or export the file again.", reason="nul_byte")
    return text, data if codec == "utf-8-sig" else None


def _csv_records(text: str, sep: str):
    """(start line, fields) of each record, blank lines included (as pandas counts records)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    start = 1
    try:
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1
    except csv.Error:  # e.g. a field over the csv module's size limit: stop locating
        return


def _parse_csv(text: str, utf8: Optional[bytes], path: Path, sep: str) -> pd.DataFrame:
    sep_name = "a comma" if sep == "," else "a tab"
    expected = saw = None
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "Length of header", pd.errors.ParserWarning)
        try:  # only empty cells are missing: a message "NA" stays text
            return pd.read_csv(io.BytesIO(utf8) if utf8 is not None else io.StringIO(text), sep=sep, index_col=False,
                               keep_default_na=False, na_values=[""], dtype=str, encoding="utf-8")
        except pd.errors.ParserWarning:  # the first row is longer than the header
            records = (r for r in _csv_records(text, sep) if r[1])
            header = next(records)[1]
            line, fields = next(((n, f) for n, f in records if len(f) > len(header)), (None, []))
            expected, saw = len(header), len(fields)
        except pd.errors.ParserError as exc:
            message = str(exc).replace("Error tokenizing data. C error: ", "").strip()
            too_long = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
            unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
            if not (too_long or unclosed):
                raise DataError(f"Cannot read {path} as {sep_name}-separated file: {message}. Check the line it "
                                "names.", reason="bad_csv") from None
            index = int(too_long[2]) - 1 if too_long else int(unclosed[1])
            line = next((n for i, (n, _) in enumerate(_csv_records(text, sep)) if i == index), None)
            if unclosed:
                raise _unclosed_quote(text, path, sep, line) from None
            expected, saw = int(too_long[1]), int(too_long[3])
    where, shown_line = "a line", ""
    if line:
        start = _line_start(text, line)
        end = text.find("\n", start)
        shown_line = f"; the line reads {text[start:end if end >= 0 else None].rstrip(chr(13))[:80]!r}"
        where = f"line {line}"
    example = 'e.g. "Hello, world"' if sep == "," else "the tab inside the quotes"
    raise DataError(f"{path} {where} has {saw} fields but the header has {expected}, so its values would land in the "
                    f"wrong columns{shown_line}. Quote the field that contains {sep_name} with double quotes "
                    f"({example}), or remove the extra separator.", reason="too_many_fields")


def _unclosed_quote(text: str, path: Path, sep: str, line: Optional[int]) -> DataError:
    fix = ("Add the closing double quote, or write a double quote that is part of the text as two (\"\"). The rest "
           "of the file would otherwise be read as one field.")
    if line is None:
        return DataError(f"{path} has a quoted field whose closing double quote is missing. {fix}",
                         reason="unclosed_quote")
    pos, quoted, unquoted = _line_start(text, line), re.compile(r'"(?:[^"]|"")*+"'), re.compile(f"[^{sep}\n]*")
    while pos < len(text) and text[pos] != "\n":  # walk the fields of the record to the quote that never closes
        if text[pos] == '"' and not quoted.match(text, pos):
            line, column = _line_col(text, pos)
            return DataError(f"{path} line {line}, column {column}: this quoted field has no closing double quote. "
                             f"{fix}", reason="unclosed_quote")
        pos = unquoted.match(text, quoted.match(text, pos).end() if text[pos] == '"' else pos).end()
        pos += text.startswith(sep, pos)  # on to the next field
    return DataError(f"{path} line {line}: a quoted field starting on this line has no closing double quote. {fix}",
                     reason="unclosed_quote")


def _json_error(path: Path, where: str, exc: Exception, hint: str = "") -> DataError:
    if isinstance(exc, RecursionError):
        return DataError(f"{path}{where}: the JSON is nested too deeply to read. Flatten it: items are objects "
                         "whose values are text, numbers or short lists.", reason="json_too_deep")
    return DataError(f"{path}{where}, column {exc.colno}: not valid JSON ({exc.msg}).{hint}", reason="bad_json")


def _parse_jsonl(text: str, path: Path) -> pd.DataFrame:
    records = []
    for line, raw in enumerate(text.split("\n"), 1):  # not splitlines(): JSON strings may hold U+2028
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            hint = (" A JSON Lines file has one complete object per line; if this file is one JSON document, pass "
                    "format='json'." if not records else " Each line must be one complete JSON object.")
            raise _json_error(path, f" line {line}", exc, hint) from None
        if not isinstance(value, dict):
            found = _JSON_KINDS.get(type(value), "a number")
            raise DataError(f"{path} line {line}: expected a JSON object ({{...}}), found {found}. Write each item "
                            'as an object, e.g. {"text": "Where is my refund?"}.', reason="not_an_object")
        records.append(value)
    return pd.DataFrame(records)


def _parse_json(text: str, path: Path) -> pd.DataFrame:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise _json_error(path, where, exc, " If the file has one object per line, pass format='jsonl'.") from None
    fix = ('Write the items as one array of objects, e.g. [{"text": "Where is my refund?"}] '
           "(DataFrame.to_json(path, orient='records') does).")
    if not isinstance(value, list):
        raise DataError(f"{path} holds {_JSON_KINDS.get(type(value), 'a number')}, not an array of objects. {fix}",
                        reason="not_an_array")
    bad = next((i for i, v in enumerate(value) if not isinstance(v, dict)), None)
    if bad is not None:
        raise DataError(f"{path}: element {bad} of the array (counting from 0) is "
                        f"{_JSON_KINDS.get(type(value[bad]), 'a number')}, not an object. {fix}",
                        reason="not_an_object")
    return pd.DataFrame(value)


def _read_parquet(path: Path) -> pd.DataFrame:
    pyarrow = import_optional("pyarrow", needed_for=f"Reading {path}", install="pyarrow>=20")
    if path.stat().st_size == 0:
        raise _empty(path, "parquet", 0)
    try:
        return pd.read_parquet(path)
    except (pyarrow.ArrowException, OSError, ValueError) as exc:
        reason = re.sub(r"^Could not open Parquet input source '.*?': ", "", str(exc).strip().split("\n")[0])
        reason = reason[:200].rstrip(".")
        raise DataError(f"{path} is not a readable Parquet file (truncated or corrupt?): {reason}. Write it "
                        "again (DataFrame.to_parquet(path)), or pass format= if it is another format.",
                        reason="bad_parquet") from None


def read_file(path: Path, fmt: str, encoding: str) -> pd.DataFrame:
    if fmt == "parquet":
        return _read_parquet(path)
    text, utf8 = _read_text(path, fmt, encoding)
    if fmt in ("csv", "tsv"):
        return _parse_csv(text, utf8, path, "," if fmt == "csv" else "\t")
    return _parse_jsonl(text, path) if fmt == "jsonl" else _parse_json(text, path)


def row_lines(path: Path, fmt: str, encoding: str, n_rows: int) -> Optional[list]:
    """The line where each row of a CSV/TSV/JSONL file starts, for messages (None if unknown)."""
    if fmt not in ("csv", "tsv", "jsonl"):
        return None
    text = _read_text(path, fmt, encoding)[0]
    if fmt == "jsonl":
        lines = [n for n, raw in enumerate(text.split("\n"), 1) if raw.strip()]
    else:  # pandas skips blank lines, and the first line left is the header
        lines = [n for n, fields in _csv_records(text, "," if fmt == "csv" else "\t")
                 if fields and (len(fields) > 1 or fields[0].strip())][1:]
    return lines if len(lines) == n_rows else None


def format_of(path: Path, format: Optional[str] = None, *, caller: str = "read_table") -> str:
    """The format of ``path``: ``format`` if given (checked), else from its suffix."""
    fmt = format or FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DataError(f"Cannot tell the format of {path} from its suffix {path.suffix!r}. Pass format= "
                        f"one of {sorted(set(FORMATS.values()))}.", reason="unknown_format")
    check_option(fmt, set(FORMATS.values()), param="format", caller=caller)
    return fmt


def read_table(source: Any, *, format: Optional[str] = None, encoding: str = "utf-8",
               caller: str = "read_table") -> pd.DataFrame:
    """Read a CSV, TSV, JSON Lines, JSON (one array of objects) or Parquet file, strictly.

    Parameters
    ----------
    source : str or path-like
    format : {'csv', 'tsv', 'jsonl', 'json', 'parquet'}, optional
        Default: from the suffix.
    encoding : str, default='utf-8'
        Text encoding (a UTF-8 byte-order mark is accepted).

    Returns
    -------
    pandas.DataFrame
        CSV/TSV cells are strings (only empty cells are missing: "NA" stays text).

    Raises
    ------
    DataError
        One per problem, naming the file, line, column and the fix.
    """
    path = Path(source)
    fmt = format_of(path, format, caller=caller)
    if not path.is_file():
        raise DataError(f"The file {path} does not exist. Check the path (relative paths start at "
                        f"{Path.cwd()}).", reason="missing_file")
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ValidationError(f"The 'encoding' parameter of {caller} must name a text encoding, e.g. 'utf-8', "
                              f"'cp1252' or 'latin-1'. Got {encoding!r} instead.") from None
    return read_file(path, fmt, encoding)
