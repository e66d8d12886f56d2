"""read_items (csv, tsv, jsonl, json, parquet, DataFrame) and mask_pii."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from workbench.exceptions import DataError, WorkbenchWarning
from workbench.items import item_id_for, mask_pii, read_items

ROWS = pd.DataFrame({"msg_id": [10, 11, 12], "text": ["Where is my refund?", "NA", "App crashes, again"],
                     "channel": ["chat", "mail", "chat"]})


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl", "json", "parquet"])
def test_that_every_file_format_gives_the_same_items(tmp_path, fmt):
    path = tmp_path / f"items.{fmt}"
    if fmt == "csv":
        ROWS.to_csv(path, index=False)
    elif fmt == "tsv":
        ROWS.to_csv(path, index=False, sep="\t")
    elif fmt == "jsonl":
        ROWS.to_json(path, orient="records", lines=True)
    elif fmt == "json":
        path.write_text(json.dumps(ROWS.to_dict("records")))
    else:
        pytest.importorskip("pyarrow")
        ROWS.to_parquet(path)
    df = read_items(path, id_col="msg_id")
    assert df.columns.tolist() == ["item_id", "text", "channel"]
    assert df["item_id"].tolist() == ["10", "11", "12"]
    assert df["text"].tolist() == ["Where is my refund?", "NA", "App crashes, again"]  # "NA" stays text
    assert df["channel"].tolist() == ["chat", "mail", "chat"]


def test_that_the_format_can_be_forced_and_unknown_suffixes_are_explained(tmp_path):
    path = tmp_path / "items.txt"
    ROWS.to_csv(path, index=False)
    assert len(read_items(path, format="csv")) == 3
    with pytest.raises(DataError, match=r"suffix '\.txt'.*format="):
        read_items(path)
    with pytest.raises(DataError, match="does not exist"):
        read_items(tmp_path / "nope.csv")


def test_that_ids_default_to_a_stable_sha1_of_the_text():
    df = read_items(ROWS.drop(columns="msg_id"))
    assert df["item_id"].tolist() == [hashlib.sha1(t.encode()).hexdigest()[:12] for t in ROWS["text"]]
    assert df["item_id"][0] == item_id_for("Where is my refund?")
    again = read_items(ROWS.drop(columns="msg_id").iloc[::-1])
    assert set(again["item_id"]) == set(df["item_id"])


def test_that_an_existing_item_id_column_is_used_and_the_input_is_not_modified():
    raw = ROWS.rename(columns={"msg_id": "item_id"})
    before = raw.copy()
    assert read_items(raw)["item_id"].tolist() == ["10", "11", "12"]
    pd.testing.assert_frame_equal(raw, before)


def test_that_a_missing_column_names_the_columns_present(tmp_path):
    with pytest.raises(DataError, match=r"\['body'\].*columns present are \['msg_id', 'text', 'channel'\]") as err:
        read_items(ROWS, text_col="body")
    assert err.value.reason == "missing_column"
    with pytest.raises(DataError, match=r"\['id'\]"):
        read_items(ROWS, id_col="id")


def test_that_rows_without_text_or_id_are_refused():
    with pytest.raises(DataError, match=r"no text in column 'text' \(rows \[1\]\)"):
        read_items(ROWS.assign(text=["a", None, "c"]))
    with pytest.raises(DataError, match="no id in column 'msg_id'"):
        read_items(ROWS.assign(msg_id=[1, None, 3]), id_col="msg_id")


def test_that_duplicates_are_dropped_and_reported_and_clashes_refused():
    dup = pd.DataFrame({"text": ["same", "same", "other"]})
    with pytest.warns(WorkbenchWarning, match="1 duplicate row"):
        df = read_items(dup)
    assert len(df) == 2 and df.attrs["duplicated"] == [item_id_for("same")]
    with pytest.raises(DataError, match=r"id\(s\) \['1'\] are used for different texts") as err:
        read_items(pd.DataFrame({"id": [1, 1], "text": ["a", "b"]}), id_col="id")
    assert len(err.value.failure_cases) == 2


def test_that_dataset_is_added_and_metadata_kept():
    df = read_items(ROWS, id_col="msg_id", dataset="support")
    assert set(df["dataset"]) == {"support"} and "channel" in df.columns


# --------------------------------------------------------------------------- mask_pii
@pytest.mark.parametrize("text, expected", [
    ("write to ana.maria+x@mail.example.co.uk today", "write to [email] today"),
    # published test card numbers (Visa, Mastercard, Amex) pass Luhn
    ("visa 4111111111111111", "visa [card]"),
    ("mc 5555 5555 5555 4444.", "mc [card]."),
    ("amex 3782-822463-10005", "amex [card]"),
    ("bad 4111 1111 1111 1112", "bad 4111 1111 1111 1112"),  # fails Luhn: not a card
    # IBAN examples from the ECBS / Wikipedia registry pass mod-97
    ("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [iban] thanks"),
    ("GB82WEST12345698765432", "[iban]"),
    ("GB82WEST12345698765433", "GB82WEST12345698765433"),  # wrong check digits
    ("from 10.0.0.254 at 09:30", "from [ip] at 09:30"),
    ("v6 2001:0db8:85a3::8a2e:0370:7334 and ::1", "v6 [ip] and [ip]"),
    ("call +1 (415) 555-2671 or 030 12345678", "call [phone] or [phone]"),
    ("version 1.2.3, on 2024-05-01, order #1234", "version 1.2.3, on 2024-05-01, order #1234"),
    ("no pii here", "no pii here"),
])
def test_that_mask_pii_hides_what_it_should_and_nothing_else(text, expected):
    assert mask_pii(text) == expected


def test_that_mask_pii_passes_non_strings_through():
    assert mask_pii(None) is None
    assert pd.isna(mask_pii(float("nan")))
