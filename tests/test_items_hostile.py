"""read_items on hostile files, and mask_pii on adversarial text.

Every unreadable file must give one DataError naming the file, the line (and column) and
the fix, with a distinct ``reason``; never a pandas, pyarrow, json or decoding traceback.
mask_pii must take linear time: the adversarial 200 kB strings here took minutes before
(the timings live in benchmarks/bench_pii.py, not in tests).
"""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest

from workbench.exceptions import DataError, ValidationError
from workbench.items import mask_pii, read_items


def refused(path, reason, *needles, **kwargs):
    """Read ``path``, expect a DataError with ``reason`` whose message holds every needle."""
    with pytest.raises(DataError) as err:
        read_items(path, **kwargs)
    message = str(err.value)
    assert err.value.reason == reason, message
    assert path.name in message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert err.value.__cause__ is None  # no chained traceback
    assert err.value.__context__ is None or err.value.__suppress_context__
    return message


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# --------------------------------------------------------------------------- 1. more fields than the header
def test_that_an_unquoted_comma_names_the_line_the_field_counts_and_the_fix(tmp_path):
    path = write(tmp_path, "items.csv", "id,text\n1,hello\n2,Hello, world\n3,bye\n")
    message = refused(path, "too_many_fields", "line 3 has 3 fields but the header has 2", "'2,Hello, world'",
                      "Quote the field that contains a comma with double quotes")
    assert message.startswith(str(path))


def test_that_an_extra_field_on_the_first_row_is_refused_rather_than_shifting_the_ids(tmp_path):
    # pandas would silently take the first column as the index: ids and texts shift by one
    path = write(tmp_path, "items.csv", "id,text\n1,Hello, world\n2,bye\n")
    refused(path, "too_many_fields", "line 2 has 3 fields but the header has 2", id_col="id")


def test_that_the_line_counts_blank_lines_and_multiline_quoted_fields_as_an_editor_does(tmp_path):
    path = write(tmp_path, "items.csv", 'id,text\n1,"two\nlines"\n\n2,a,b\n')
    refused(path, "too_many_fields", "line 5 has 3 fields")


def test_that_an_extra_tab_in_a_tsv_is_explained_with_tabs(tmp_path):
    path = write(tmp_path, "items.tsv", "id\ttext\n1\thello\n2\tHello\tworld\n")
    refused(path, "too_many_fields", "line 3 has 3 fields", "contains a tab with double quotes")


def test_that_a_row_with_fewer_fields_than_the_header_has_missing_cells(tmp_path):
    path = write(tmp_path, "items.csv", "id,text,channel\n1,hello\n2,bye,mail\n")
    df = read_items(path, id_col="id")
    assert df["item_id"].tolist() == ["1", "2"] and df["channel"].isna().tolist() == [True, False]


# --------------------------------------------------------------------------- 2. empty files
@pytest.mark.parametrize("name, content, what", [
    ("items.csv", b"", "0 bytes"),
    ("items.tsv", b"  \n\t\n", "only whitespace"),
    ("items.jsonl", b"\n\n", "only whitespace"),
    ("items.json", b"\xef\xbb\xbf", "only whitespace"),  # a UTF-8 byte-order mark and nothing else
    ("items.parquet", b"", "0 bytes"),
])
def test_that_an_empty_file_is_called_empty(tmp_path, name, content, what):
    refused(write(tmp_path, name, content), "empty_file", f"is empty ({what})", "Write the items into it")


# --------------------------------------------------------------------------- 3. binary files and NUL characters
def test_that_an_image_is_not_read_as_text(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
    refused(write(tmp_path, "items.csv", png), "binary_file", "is not a CSV text file", "a PNG image")


def test_that_random_bytes_are_called_binary(tmp_path):
    refused(write(tmp_path, "items.jsonl", random.Random(0).randbytes(4096)), "binary_file",
            "is not a text file", "NUL bytes")


@pytest.mark.parametrize("name, content, line, column", [
    ("items.csv", "id,text\n1,hello\n2,hel\0lo\n", 3, 6),
    ("items.tsv", "text\n\0\n", 2, 1),
    ("items.jsonl", '{"text": "a"}\n{"text": "b\0"}\n', 2, 12),
    ("items.json", '[{"text": "a"},\n {"text": "caf\u00e9 \0"}]', 2, 17),  # columns count characters
])
def test_that_a_nul_character_is_located_instead_of_cutting_the_text(tmp_path, name, content, line, column):
    refused(write(tmp_path, name, content), "nul_byte", f"line {line}, column {column}: a NUL character",
            "encoding='utf-16'")


# --------------------------------------------------------------------------- 4. encodings
def test_that_a_latin1_line_names_the_line_the_byte_and_both_fixes(tmp_path):
    path = write(tmp_path, "items.csv", "id,text\n1,hello\n".encode() + b"2,caf\xe9\n")
    refused(path, "bad_encoding", "not valid utf-8 text", "line 3, column 6 has the byte 0xe9",
            r"b'2,caf\xe9'", "Re-save the file as UTF-8", "encoding=")
    assert read_items(path, encoding="latin-1")["text"].tolist() == ["hello", "café"]


def test_that_a_utf8_byte_order_mark_is_accepted_and_does_not_shift_positions(tmp_path):
    path = write(tmp_path, "items.csv", b"\xef\xbb\xbfid,text\n1,caf\xc3\xa9\n")
    df = read_items(path, id_col="id")
    assert df.columns.tolist() == ["item_id", "text"] and df["text"].tolist() == ["café"]
    bad = write(tmp_path, "bad.csv", b"\xef\xbb\xbfid,text\n1,caf\xe9\n")
    refused(bad, "bad_encoding", "line 2, column 6 has the byte 0xe9")


def test_that_utf16_is_recognised_and_readable_with_encoding(tmp_path):
    path = write(tmp_path, "items.csv", "id,text\n1,hello\n".encode("utf-16"))
    refused(path, "bad_encoding", "is UTF-16 text", "encoding='utf-16'")
    assert read_items(path, encoding="utf-16")["text"].tolist() == ["hello"]


def test_that_an_unknown_encoding_is_a_parameter_error(tmp_path):
    with pytest.raises(ValidationError, match="'encoding' parameter of read_items.*Got 'utf9'"):
        read_items(write(tmp_path, "items.csv", "text\na\n"), encoding="utf9")


# --------------------------------------------------------------------------- 5. unclosed quotes
def test_that_an_unclosed_quote_names_where_the_quoted_field_starts(tmp_path):
    path = write(tmp_path, "items.csv", 'id,text\n1,hello\n2,"unclosed\n3,bye\n')
    refused(path, "unclosed_quote", "line 3, column 3: this quoted field has no closing double quote",
            'as two ("")')


def test_that_an_unclosed_quote_after_a_multiline_field_is_located_by_editor_lines(tmp_path):
    path = write(tmp_path, "items.csv", 'id,text\n1,"multi\nline"\n\n2,"x"" y","unclosed\n3,bye\n')
    refused(path, "unclosed_quote", "line 5, column 11:")


# --------------------------------------------------------------------------- 6. JSON Lines and JSON
def test_that_jsonl_is_parsed_line_by_line_skipping_blank_lines(tmp_path):
    rows = [{"id": 1, "text": "a\u2028b"}, {"id": 2, "text": "NA", "extra": [1, 2]}]  # U+2028 is not a line end
    path = write(tmp_path, "items.jsonl", "\n" + "\n\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\r\n")
    df = read_items(path, id_col="id")
    assert df["item_id"].tolist() == ["1", "2"] and df["text"].tolist() == ["a\u2028b", "NA"]
    assert df.columns.tolist() == ["item_id", "text", "extra"]


def test_that_a_broken_jsonl_line_names_the_line_and_column(tmp_path):
    path = write(tmp_path, "items.jsonl", '{"text": "a"}\n\n{"text": "b",}\n')
    refused(path, "bad_json", "line 3, column 14: not valid JSON (Expecting property name")


def test_that_a_pretty_printed_json_file_named_jsonl_is_pointed_to_format_json(tmp_path):
    path = write(tmp_path, "items.jsonl", '[\n  {"text": "a"}\n]\n')
    refused(path, "bad_json", "line 1, column 2", "format='json'")


@pytest.mark.parametrize("line, found", [("[1, 2]", "an array"), ('"x"', "a string"), ("3", "a number"),
                                         ("null", "null"), ("true", "true/false")])
def test_that_a_jsonl_line_that_is_not_an_object_names_what_it_is(tmp_path, line, found):
    path = write(tmp_path, "items.jsonl", '{"text": "a"}\n' + line + "\n")
    refused(path, "not_an_object", f"line 2: expected a JSON object ({{...}}), found {found}")


@pytest.mark.parametrize("name", ["items.jsonl", "items.json"])
def test_that_deeply_nested_json_is_refused_without_a_recursion_traceback(tmp_path, name):
    deep = "[" * 100_000 + "]" * 100_000
    content = '{"text": "a"}\n' + deep + "\n" if name.endswith("l") else deep
    message = refused(write(tmp_path, name, content), "json_too_deep", "nested too deeply")
    assert ("line 2" in message) == name.endswith("l")


def test_that_a_json_file_must_be_one_array_of_objects(tmp_path):
    refused(write(tmp_path, "a.json", '{"text": {"0": "a"}}'), "not_an_array", "holds an object",
            "orient='records'")
    refused(write(tmp_path, "b.json", '[{"text": "a"}, {"text": "b"}, "c"]'), "not_an_object",
            "element 2 of the array (counting from 0) is a string")
    refused(write(tmp_path, "c.json", '[{"text": "a"},\n {"text": "b"\n]'), "bad_json",
            "line 3, column 1: not valid JSON (Expecting ',' delimiter)", "format='jsonl'")


# --------------------------------------------------------------------------- 7. Parquet
@pytest.fixture
def parquet_bytes(tmp_path):
    pytest.importorskip("pyarrow")
    pd.DataFrame({"text": ["where is my refund"] * 50, "n": range(50)}).to_parquet(tmp_path / "ok.parquet")
    return (tmp_path / "ok.parquet").read_bytes()


def test_that_a_truncated_parquet_file_is_called_unreadable_with_the_reason(tmp_path, parquet_bytes):
    path = write(tmp_path, "items.parquet", parquet_bytes[: len(parquet_bytes) // 2])
    refused(path, "bad_parquet", "is not a readable Parquet file (truncated or corrupt?): Parquet magic bytes")


def test_that_a_corrupt_parquet_footer_or_a_csv_named_parquet_is_unreadable(tmp_path, parquet_bytes):
    corrupt = parquet_bytes[:4] + bytes(len(parquet_bytes) - 204) + parquet_bytes[-200:]
    refused(write(tmp_path, "corrupt.parquet", corrupt), "bad_parquet", "truncated or corrupt?")
    refused(write(tmp_path, "csv.parquet", "text\nhello\n"), "bad_parquet", "truncated or corrupt?")


# --------------------------------------------------------------------------- 8. one id, two texts
@pytest.mark.parametrize("name, content, where", [
    ("items.csv", 'id,text\n1,a\n2,"b\nc"\n1,other\n', "'1' on lines [2, 5]"),
    ("items.jsonl", '{"id": 1, "text": "a"}\n\n{"id": 1, "text": "b"}\n', "'1' on lines [1, 3]"),
])
def test_that_an_id_with_two_texts_names_the_id_and_the_lines(tmp_path, name, content, where):
    message = refused(write(tmp_path, name, content), "duplicate_id", "item id(s) ['1']", where, id_col="id")
    assert "fix the id column" in message


def test_that_an_id_with_two_texts_in_a_frame_names_the_rows():
    frame = pd.DataFrame({"id": [1, 2, 1], "text": ["a", "b", "c"]}, index=[10, 11, 12])
    with pytest.raises(DataError, match=r"\['1'\] are used for different texts \('1' on rows \[10, 12\]\)") as err:
        read_items(frame, id_col="id")
    assert len(err.value.failure_cases) == 2


def test_that_rows_without_text_in_a_file_are_named_by_line(tmp_path):
    path = write(tmp_path, "items.csv", 'id,text\n1,a\n2,\n3,"multi\nline"\n4,\n')
    refused(path, "missing_text", "2 row(s) have no text in column 'text' (lines [3, 6])")


# --------------------------------------------------------------------------- mask_pii on adversarial text
NOISE = ["1", ":", "a@", "A", "1 ", "a.", "1.", "1-", "x@y.", "DE89 ", "1:", "ff:", "+1 ", "(1)", "1a", "4111 "]


@pytest.mark.parametrize("unit", NOISE)
def test_that_200_kb_of_adversarial_noise_is_left_alone_and_pii_after_it_is_still_found(unit):
    noise = unit * (200_000 // len(unit))
    assert mask_pii(noise) == noise
    assert mask_pii(noise + " ana@example.org, +49 30 1234567") == noise + " [email], [phone]"


@pytest.mark.parametrize("unit, token", [
    ("ana@example.org ", "[email] "), ("4111 1111 1111 1111 | ", "[card] | "), ("::1 ", "[ip] "),
    ("192.168.0.1 ", "[ip] "), ("2001:db8::1 ", "[ip] "), ("+49 30 1234567, ", "[phone], "),
    ("DE89 3704 0044 0532 0130 00, ", "[iban], "), ("GB82WEST12345698765432 ", "[iban] "),
])
def test_that_200_kb_of_back_to_back_pii_is_all_masked(unit, token):
    n = 200_000 // len(unit)
    assert mask_pii(unit * n) == token * n


def test_that_an_email_with_a_huge_local_part_is_masked_once():
    assert mask_pii("a" * 200_000 + "@example.org") == "[email]"
    assert mask_pii("a" * 200_000 + "@") == "a" * 200_000 + "@"
    # a match can end inside a run of local characters; the next address starts right there
    assert mask_pii("a@b.com-x@c.de") == "[email][email]"


@pytest.mark.parametrize("text, expected", [
    ("::1:2:3:4:5:6 and 1:2:3:4:5:6::", "[ip] and [ip]"),
    ("1::2:3:4:5:6:7 a:b:c:d:e:f:1:2", "[ip] [ip]"),
    ("::1:2:3:4:5:6:7 1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7 1:2:3:4:5:6:7::"),  # 9 groups: not matched
    ("1:::2 1::2::3 :1:2:3:4:5:6:7", "1:::2 1::2::3 :1:2:3:4:5:6:7"),
    ("10.0.0.1 01.2.3.4 256.1.1.1 1.2.3.4.5", "[ip] 01.2.3.4 256.1.1.1 1.2.3.4.5"),
    ("0044 20 7946 0958 and 00 1234567", "[phone] and [phone]"),
])
def test_that_the_linear_patterns_keep_the_edge_cases_of_the_old_ones(text, expected):
    assert mask_pii(text) == expected
